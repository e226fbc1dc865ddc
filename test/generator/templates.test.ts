// The committed precompiled templates match the .hbs sources they come from.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMPILED_PATH, compiledTemplates } from '../../generator/render/precompile.ts';

describe('generator/templates/compiled.js', () => {
  it('is up to date with generator/templates/*.hbs (npx tsx generator/render/precompile.ts)', () => {
    expect(readFileSync(COMPILED_PATH, 'utf8')).toBe(compiledTemplates());
  });
});
