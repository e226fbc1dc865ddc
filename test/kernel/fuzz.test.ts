// Property: for every implemented system call, any argument words give a result (or a
// block or an exit), never a host exception, and RAX always holds a value or -errno.
// The strace observer is attached so its decoders see the same random words.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syscallRegs } from '../../runtime/kernel/index.ts';
import { linuxHandlers } from '../../runtime/kernel/linux/handlers.ts';
import { Strace } from '../../runtime/trace/index.ts';
import { ARENA, ARENA_SIZE, machine, NR } from './harness.ts';

const names = [...linuxHandlers.keys()].filter((n) => NR[n] !== undefined);

const word = fc.oneof(
  fc.constantFrom(0n, 1n, 2n, 3n, 4n, 5n, 100n, 4096n, -1n, -100n, 0xffffffffn, 1n << 63n, (1n << 64n) - 1n),
  fc.integer({ min: 0, max: ARENA_SIZE - 1 }).map((o) => BigInt(ARENA + o)),
  fc.constantFrom(BigInt(ARENA + ARENA_SIZE - 1), BigInt(ARENA - 1), 0x1000n, 0x7fff_ffff_f000n),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.integer({ min: -4096, max: 70_000 }).map(BigInt),
);

const callArb = fc.record({ name: fc.constantFrom(...names), args: fc.array(word, { minLength: 6, maxLength: 6 }) });

describe('every handler, random argument words', () => {
  it('returns results, never throws', () => {
    fc.assert(
      fc.property(fc.array(callArb, { minLength: 1, maxLength: 4 }), (calls) => {
        const m = machine({ files: [{ path: '/f', contents: 'contents' }, { path: '/d', directory: true }], mounts: [] });
        const lines: string[] = [];
        new Strace(m.kernel, { write: (l) => lines.push(l), timing: true });
        // A few open descriptors for the words 3, 4, 5 to hit: a file, a directory, a pipe.
        const setup = [
          syscallRegs(NR.open!, [m.arena.str('/f'), 2]),
          syscallRegs(NR.open!, [m.arena.str('/d'), 0]),
          syscallRegs(NR.pipe!, [m.arena.alloc(8)]),
        ];
        for (const r of setup) m.kernel.do_syscall_64(m.thread, r);
        for (const c of calls) {
          const regs = syscallRegs(NR[c.name]!, c.args);
          const outcome = m.kernel.do_syscall_64(m.thread, regs);
          if (outcome.kind !== 'done' && outcome.kind !== 'yield') break;
          const rax = regs.result();
          expect(Number.isSafeInteger(rax)).toBe(true);
          if (rax < 0) expect(rax).toBeGreaterThanOrEqual(-4095);
        }
        expect(lines.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000, seed: 4 },
    );
  });
});
