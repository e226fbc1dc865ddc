// Whatever code runs in ring 3 — random bytes included, with whatever system calls they
// happen to make with whatever registers — the machine ends the run with an exit status or
// a signal; the host never sees an exception. A loop that never stops meets RLIMIT_CPU.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { target } from '../../generated/target_linux_amd64.ts';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../../runtime/cpu/index.ts';
import { Machine } from '../../runtime/index.ts';

const CODE = 0x5000_0000;

function runBytes(code: Uint8Array, seed: number) {
  const m = new Machine({ target, seed, maxInstructions: 20_000 });
  m.mem.map(CODE, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC);
  m.mem.write(CODE, code);
  return m.run(function* () {
    yield* m.guestCall(CODE, [], 0);
  });
}

describe('random ring-3 code never reaches the host', () => {
  it('ends in an exit status or a signal', () => {
    // SYSCALL (0f 05) is mixed in often, so random registers go through the kernel.
    const bytes = fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constant(0x0f), fc.constant(0x05)), { minLength: 1, maxLength: 48 });
    fc.assert(
      fc.property(bytes, fc.nat(1000), (code, seed) => {
        const r = runBytes(Uint8Array.from(code), seed);
        expect(Number.isInteger(r.status)).toBe(true);
        if (r.signal !== null) expect(r.status).toBeGreaterThan(128);
      }),
      { numRuns: 150 },
    );
  });

  it('any system call with any argument words returns to user mode or ends the process', () => {
    const interesting = fc.oneof(
      fc.constantFrom(0n, 1n, 2n, 3n, -1n, -100n, 4096n, 0x7fffffffn, 0xdead0000n, BigInt(CODE), 0x2_0000_fe00n, 0x1_0000_0000n, -0x8000_0000n, 1n << 63n),
      fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
      fc.bigInt({ min: 0n, max: 1n << 20n }),
    );
    const movabs = (prefix: number[], v: bigint) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
      return [...prefix, ...b];
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 340 }), fc.array(interesting, { minLength: 6, maxLength: 6 }), fc.nat(1000), (nr, args, seed) => {
        // movabs $nr, %rax; movabs $a1..$a6, %rdi %rsi %rdx %r10 %r8 %r9; syscall; ret
        const code = [
          ...movabs([0x48, 0xb8], BigInt(nr)),
          ...movabs([0x48, 0xbf], args[0]!),
          ...movabs([0x48, 0xbe], args[1]!),
          ...movabs([0x48, 0xba], args[2]!),
          ...movabs([0x49, 0xba], args[3]!),
          ...movabs([0x49, 0xb8], args[4]!),
          ...movabs([0x49, 0xb9], args[5]!),
          0x0f, 0x05, 0xc3,
        ];
        const r = runBytes(Uint8Array.from(code), seed);
        expect(Number.isInteger(r.status)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('an endless loop is killed by SIGXCPU at the instruction limit', () => {
    const r = runBytes(Uint8Array.of(0xeb, 0xfe), 1); // jmp .
    expect(r.signal).toBe('SIGXCPU');
    expect(r.status).toBe(128 + 24);
    expect(r.fault).toBe('instruction limit of 20000 reached at rip=0x50000000');
  });
});
