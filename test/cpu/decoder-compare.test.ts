// The decoder against two independent decoders: iced-x86 (validity, length, mnemonic) and
// objdump (the AT&T text the disassembler prints). Random prefix-aware byte strings, fixed
// seeds. Differences by design (DELIBERATE) and reported ones (KNOWN_GAPS,
// KNOWN_TEXT_GAPS) are counted and printed; anything else fails.
import { describe, expect, it } from 'vitest';
import { compareDecoders, compareWithObjdump, decodeIced, decodeOurs, describeDifference, haveObjdump, KNOWN_TEXT_GAPS, normalizeObjdump } from './harness/decoder-compare.ts';

describe('decoder against iced-x86', () => {
  it('agrees on validity, length and mnemonic for 30000 random byte strings', () => {
    const r = compareDecoders(1, 30000);
    for (const [why, n] of r.deliberate) console.info(`decoder: ${n} deliberate difference(s): ${why}`);
    for (const [name, list] of r.known) console.info(`decoder: ${list.length} known gap(s): ${name}, e.g. ${describeDifference(list[0]!)}`);
    expect(r.failures.map(describeDifference)).toEqual([]);
    // The generator reaches the table: most strings are instructions both decoders accept.
    expect(r.agreedValid).toBeGreaterThan(r.cases / 2);
    expect(r.agreedInvalid + r.outsideTable).toBeGreaterThan(r.cases / 20);
  });

  it('sees the same instruction in hand-picked encodings', () => {
    for (const hex of ['48 01 d8', '0f 05', 'f3 48 ab', '66 0f b6 c0', '48 0f c7 0e', 'e8 00 00 00 00', '0f 0b']) {
      const bytes = Uint8Array.from(hex.split(' ').map((b) => parseInt(b, 16)));
      expect(decodeOurs(bytes), hex).toEqual({ length: bytes.length, mnemonic: decodeIced(bytes)!.mnemonic });
    }
    expect(decodeOurs(Uint8Array.of(0x0f, 0xff, 0, 0))).toBeNull(); // UD0 with ModRM: not ours
  });
});

describe.skipIf(!haveObjdump)(`disassembler against objdump${haveObjdump ? '' : ' (skipped: objdump not found)'}`, () => {
  it('prints the same AT&T text as objdump -D for 4000 random instructions', () => {
    const r = compareWithObjdump(2, 4000);
    const unexplained = r.differences.filter((d) => {
      const gap = KNOWN_TEXT_GAPS.find((g) => g.matches(d));
      return !gap;
    });
    for (const g of KNOWN_TEXT_GAPS) {
      const n = r.differences.filter((d) => g.matches(d)).length;
      if (n) console.info(`disassembler: ${n} known gap(s): ${g.name}`);
    }
    const show = (d: (typeof r.differences)[number]) => `${Array.from(d.bytes, (b) => b.toString(16).padStart(2, '0')).join(' ')}: ours "${d.ours}", objdump "${d.objdump}"`;
    expect(unexplained.map(show)).toEqual([]);
  });

  it('drops only the prefix words objdump prints for unused prefixes', () => {
    expect(normalizeObjdump('cs rex.WRX and    $0x1,%rax')).toBe('and $0x1,%rax');
    expect(normalizeObjdump('repz rex.RXB sarb %cl,(%r10)')).toBe('repz sarb %cl,(%r10)');
    expect(normalizeObjdump('cs je,pn 0x10')).toBe('je 0x10');
    expect(normalizeObjdump('lock xchg %al,(%rax)')).toBe('lock xchg %al,(%rax)');
  });
});
