// Properties of the BSD pieces: the carry-flag return for every result word the core can
// produce, XNU's class decoding for every RAX, and open-flag translation giving every known
// bit its own meaning.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Memory, PROT_READ, PROT_WRITE } from '../../runtime/cpu/index.ts';
import { PT_REGS_OFFSET, RAX } from '../../runtime/kernel/index.ts';
import { BsdSyscallFrame, PT_REGS_FLAGS, RFLAGS_CF, translateFlags } from '../../runtime/kernel/freebsd/bsd.ts';
import * as fb from '../../runtime/kernel/freebsd/index.ts';
import * as xnu from '../../runtime/kernel/darwin/index.ts';
import { forcedWords } from './harness.ts';

const BASE = 0x6000_0000;

function frame(): { f: BsdSyscallFrame; words: ReturnType<typeof forcedWords> } {
  const mem = new Memory();
  mem.map(BASE, 4096, PROT_READ | PROT_WRITE, { user: false });
  const words = forcedWords(mem);
  const f = new BsdSyscallFrame(words, fb.freebsdNumbering);
  f.base = BASE;
  return { f, words };
}

describe('BSD properties', () => {
  it('setResult: -4095..-1 become a positive errno with CF set; anything else is RAX as is with CF clear; other flags survive', () => {
    const { f, words } = frame();
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 40 }), fc.integer({ min: 0, max: 0x3fffff }), (value, flags) => {
        words.writeU32(BASE + PT_REGS_FLAGS, flags);
        f.setResult(value);
        const lo = words.readU32(BASE + PT_REGS_OFFSET[RAX]!);
        const hi = words.readU32(BASE + PT_REGS_OFFSET[RAX]! + 4);
        const rax = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
        const out = words.readU32(BASE + PT_REGS_FLAGS);
        const failed = value < 0 && value >= -4095;
        expect(rax).toBe(BigInt(failed ? -value : value));
        expect(out & RFLAGS_CF).toBe(failed ? 1 : 0);
        expect(out & ~RFLAGS_CF).toBe(flags & ~RFLAGS_CF);
        expect(f.result()).toBe(value);
      }),
    );
  });

  it('XNU numbering: only class 2 reaches the table, with the low 24 bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 0xffffff }), fc.integer({ min: 0, max: 0xffffffff }), (cls, n, hi) => {
        const nr = xnu.darwinNumbering.syscallNumber(((cls << 24) | n) >>> 0, hi);
        expect(nr).toBe(cls === 2 && hi === 0 ? n : -1);
      }),
    );
  });

  it('open flags: each known bit alone means a distinct core flag on both OSes; unknown bits mean nothing', () => {
    for (const table of [fb.OPEN_FLAGS, xnu.OPEN_FLAGS]) {
      const alone = table.map(([bsd]) => translateFlags(bsd, table));
      expect(alone.every((v) => v !== 0)).toBe(true);
      expect(new Set(alone).size).toBe(table.length);
      const known = table.reduce((acc, [bsd]) => acc | bsd, 0);
      fc.assert(fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (v) => {
          expect(translateFlags(v & ~known, table)).toBe(0);
        }));
    }
  });
});
