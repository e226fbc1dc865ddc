// Every committed compiled parser matches what its .peggy grammar compiles to.
import { describe, expect, it } from 'vitest';
import { staleParsers } from '../bin/build-grammars.ts';

describe('compiled grammars', () => {
  it('are up to date with their .peggy sources', () => {
    expect(staleParsers()).toEqual([]);
  });
});
