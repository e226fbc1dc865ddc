// Whatever the input, the assembler and linker either produce an object/image or throw an
// AsmError: never another exception. fast-check builds lines from Plan 9 tokens, plus
// plain random text, with a fixed seed.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assemble } from '../../runtime/asm/assembler.ts';
import { AsmError } from '../../runtime/asm/errors.ts';
import { Linker } from '../../runtime/asm/linker.ts';

const TOKENS = [
  'TEXT', 'DATA', 'GLOBL', 'MOVQ', 'MOVB', 'ADDL', 'CMPQ', 'JLS', 'JMP', 'CALL', 'RET', 'LOCK', 'XCHGQ', 'SHLQ', 'INT', 'BYTE', 'QUAD',
  'PUSHQ', 'POPQ', 'LEAQ', 'MOVBQZX', 'SYSCALL', 'NOSPLIT', 'NOFRAME', 'RODATA', '·f', 'x<>', 'runtime·g', 'ok', 'ok:', 'AX', 'AL',
  'SP', 'BP', 'R13', 'SB', 'FP', 'PC', 'GS', '(', ')', '(SB)', '(FP)', '(SP)', '(AX)', '(BX*8)', '(SP*2)', '$', '$0-8', '$16-0',
  '$-1', '$0xffffffffffffffff', '$1<<63', '$(1<<200)', '$1<<99999999999', '$(1/0)', '$"hi"', '+8', '-8', '/8', ',', ';', '|',
  '#include "textflag.h"', '#define A 1', '#ifdef A', '#endif', '$1000000000000', '$99999999999999999999999', '2(PC)', '-5(PC)', '//c',
];

const line = fc.array(fc.constantFrom(...TOKENS), { maxLength: 8 }).map((t) => t.join(' '));
const program = fc.oneof(
  fc.array(line, { minLength: 1, maxLength: 12 }).map((ls) => ls.join('\n')),
  fc.array(line, { minLength: 1, maxLength: 8 }).map((ls) => `TEXT ·f(SB),NOSPLIT,$16-32\n${ls.join('\n')}\nRET\n`),
  fc.string({ maxLength: 200 }),
);

describe('robustness', () => {
  it('assembles or reports located errors, never crashes (fixed seed)', () => {
    fc.assert(
      fc.property(program, (src) => {
        try {
          const obj = assemble(src, { file: 'r.s' });
          try {
            new Linker().add(obj).link();
          } catch (e) {
            if (!(e instanceof AsmError)) throw e;
          }
        } catch (e) {
          if (!(e instanceof AsmError)) throw e;
          for (const d of e.diagnostics) expect(d.loc.line).toBeGreaterThanOrEqual(1);
        }
      }),
      { seed: 4242, numRuns: 3000 },
    );
  });
});
