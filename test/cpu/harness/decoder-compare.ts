// Decoder comparison: random prefix-aware byte strings decoded by the project's decoder and
// by iced-x86 (an independent decoder, 64-bit mode, Intel behaviour). Both must agree on
// validity and length, and on the mnemonic of every form the table supports.
//
// Byte strings: 0-3 legacy prefixes, an optional REX, then (mostly) the opcode bytes of a
// random table form (with its mandatory prefix, 0x66 or REX.W when it needs them and its
// /digit in ModRM.reg), otherwise a random opcode in a random map; 14 random bytes follow,
// so every instruction fits.
//
// Differences are classified. DELIBERATE ones are instructions outside the ISA this CPU
// implements (segment registers, far branches, control/debug registers), which it rejects
// with #UD on purpose. KNOWN_GAPS are real decoder differences, listed so they stay visible
// until fixed. Anything else is a failure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Code, Decoder, DecoderOptions, Mnemonic } from 'iced-x86';
import { decode } from '../../../runtime/cpu/decode.ts';
import { disassemble } from '../../../runtime/cpu/disasm.ts';
import { CpuFault } from '../../../runtime/cpu/faults.ts';
import { FORMS, mnemonics, opcodeBytes } from '../../../runtime/cpu/table.ts';
import { Rng } from './rng.ts';

const LEGACY_PREFIXES = [0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x26, 0x36, 0x3e, 0x64, 0x65];
const MAPS = [[], [0x0f], [0x0f, 0x38], [0x0f, 0x3a]];

/** iced's 64-bit-mode names for mnemonics the table spells differently. */
const ICED_ALIASES: Record<string, string> = { xlatb: 'xlat', pushfq: 'pushf', popfq: 'popf', jecxz: 'jrcxz' };

/** Instructions this CPU rejects by design: iced Code names matching these are not ours to decode. */
export const DELIBERATE: ReadonlyArray<{ pattern: RegExp; why: string }> = [
  { pattern: /Sreg|_[CDEFGS]S\b|_[CDEFGS]S_/, why: 'segment-register moves and pushes/pops: flat 64-bit memory only' },
  { pattern: /m16(16|32|64)|ptr16/, why: 'far calls, jumps and pointer loads: no segmentation' },
  { pattern: /_cr|_dr|cr_|dr_/i, why: 'control/debug register moves: not part of this machine' },
  { pattern: /xmm|_mm/, why: 'SSE forms that share a string mnemonic (movsd, cmpsd): no SSE' },
];

/** Real differences, reported and kept visible; each has a predicate over the byte string. */
export const KNOWN_GAPS: ReadonlyArray<{ name: string; matches: (d: DecoderDifference) => boolean }> = [];

export interface DecodedAs {
  length: number;
  mnemonic: string;
}

export interface DecoderDifference {
  bytes: Uint8Array;
  ours: DecodedAs | null;
  iced: (DecodedAs & { code: string }) | null;
  kind: 'validity' | 'length' | 'mnemonic';
}

export function randomInstructionBytes(rng: Rng): Uint8Array {
  const prefixes: number[] = [];
  const count = rng.pick([0, 0, 0, 1, 1, 2, 3]);
  for (let i = 0; i < count; i++) prefixes.push(rng.pick(LEGACY_PREFIXES));
  let opcode: number[];
  let ext: number | undefined;
  let rex = rng.chance(0.4) ? 0x40 | rng.below(16) : -1;
  if (rng.chance(0.85)) {
    const form = rng.pick(FORMS);
    if (form.prefix && rng.chance(0.8)) prefixes.splice(rng.below(prefixes.length + 1), 0, form.prefix);
    if (form.opsizePrefix && rng.chance(0.8)) prefixes.push(0x66);
    if (form.rexW && rng.chance(0.8)) rex = 0x48 | rng.below(8);
    opcode = opcodeBytes(form, rng.below(8));
    ext = form.ext;
  } else {
    opcode = [...rng.pick(MAPS), rng.below(256)];
  }
  const tail = Array.from(rng.bytes(14));
  if (ext !== undefined && rng.chance(0.8)) tail[0] = (tail[0]! & 0xc7) | (ext << 3);
  return Uint8Array.from([...prefixes, ...(rex >= 0 ? [rex] : []), ...opcode, ...tail]);
}

export function decodeOurs(bytes: Uint8Array): DecodedAs | null {
  try {
    const d = decode(bytes, 0, bytes.length, 0);
    return { length: d.len, mnemonic: d.form.mnemonic };
  } catch (e) {
    if (e instanceof CpuFault) return null;
    throw e;
  }
}

export function decodeIced(bytes: Uint8Array): (DecodedAs & { code: string }) | null {
  const decoder = new Decoder(64, bytes, DecoderOptions.None);
  const insn = decoder.decode();
  try {
    if (insn.code === Code.INVALID) return null;
    const name = (Mnemonic[insn.mnemonic] as string).toLowerCase();
    return { length: insn.length, mnemonic: ICED_ALIASES[name] ?? name, code: Code[insn.code] as string };
  } finally {
    insn.free();
    decoder.free();
  }
}

export interface DecoderCampaign {
  cases: number;
  agreedValid: number;
  agreedInvalid: number;
  /** Valid x86 (per iced) but no mnemonic of ours: SSE, AVX, x87 and the like; we raise #UD. */
  outsideTable: number;
  deliberate: Map<string, number>;
  known: Map<string, DecoderDifference[]>;
  failures: DecoderDifference[];
}

export function compareDecoders(seed: number, count: number): DecoderCampaign {
  const rng = new Rng(seed);
  const supported = new Set(mnemonics());
  const result: DecoderCampaign = { cases: count, agreedValid: 0, agreedInvalid: 0, outsideTable: 0, deliberate: new Map(), known: new Map(), failures: [] };
  for (let i = 0; i < count; i++) {
    const bytes = randomInstructionBytes(rng);
    const ours = decodeOurs(bytes);
    const iced = decodeIced(bytes);
    let kind: DecoderDifference['kind'] | null = null;
    if (ours && iced) {
      if (ours.length !== iced.length) kind = 'length';
      else if (ours.mnemonic !== iced.mnemonic) kind = 'mnemonic';
      else result.agreedValid++;
    } else if (ours) {
      kind = 'validity';
    } else if (iced && supported.has(iced.mnemonic)) {
      const deliberate = DELIBERATE.find((d) => d.pattern.test(iced.code));
      if (deliberate) result.deliberate.set(deliberate.why, (result.deliberate.get(deliberate.why) ?? 0) + 1);
      else kind = 'validity';
    } else if (iced) {
      result.outsideTable++;
    } else {
      result.agreedInvalid++;
    }
    if (!kind) continue;
    const diff: DecoderDifference = { bytes: bytes.subarray(0, Math.max(ours?.length ?? 0, iced?.length ?? 0, 4)), ours, iced, kind };
    const gap = KNOWN_GAPS.find((g) => g.matches(diff));
    if (gap) result.known.set(gap.name, [...(result.known.get(gap.name) ?? []), diff]);
    else result.failures.push(diff);
  }
  return result;
}

export function describeDifference(d: DecoderDifference): string {
  const hex = Array.from(d.bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
  const side = (x: DecodedAs | null) => (x ? `${x.mnemonic} (${x.length} bytes)` : 'invalid');
  return `${d.kind}: ${hex}: ours ${side(d.ours)}, iced ${side(d.iced)}${d.iced ? ` [${d.iced.code}]` : ''}`;
}

// ---- text against objdump ------------------------------------------------------------------

/** objdump's names for prefixes that did not affect the instruction, and branch hints. */
const OBJDUMP_NOISE = /^(cs|ds|ss|es|fs|gs|data16|addr32|rex(\.[WRXB]+)?)$/;

/** objdump's text without the unused-prefix words it prints (cs, data16, rex.WB…) and without branch hints. */
export function normalizeObjdump(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .split(' ')
    .filter((w, i, all) => !(OBJDUMP_NOISE.test(w) && i < all.length - 1))
    .join(' ')
    .replace(/,p[nt]\b/, '');
}

/**
 * Byte strings whose text objdump and the hardware may legitimately disagree on, left out of
 * the text comparison: more than one prefix of a group (the SDM leaves the effect open, and
 * objdump prints the extras), a REX prefix that is not last (ignored, but objdump ends the
 * instruction there), F2/F3 with LOCK (objdump prints the HLE names xacquire/xrelease), and
 * 0x66 on near branches (Intel ignores it in 64-bit mode, AMD and objdump use 16 bits), and
 * F2 on branches (objdump prints MPX's `bnd`), F2/F3 on one-byte-map instructions other than
 * strings (ignored, or HLE's xacquire/xrelease in objdump), F2/F3 with 0x66 in the 0F map
 * (objdump prints `(bad)` for some, and for F2 with the F3-selected POPCNT/TZCNT/LZCNT
 * opcodes), and 3E on indirect branches (objdump's CET `notrack`).
 */
export function ambiguousForText(bytes: Uint8Array): boolean {
  let segments = 0;
  let locks = 0;
  let reps = 0;
  let opsize = false;
  let sawRex = false;
  let at = 0;
  for (; at < bytes.length; at++) {
    const b = bytes[at]!;
    const isRex = (b & 0xf0) === 0x40;
    if (!LEGACY_PREFIXES.includes(b) && !isRex) break;
    if (sawRex) return true;
    if (isRex) sawRex = true;
    if ([0x2e, 0x26, 0x36, 0x3e, 0x64, 0x65].includes(b)) segments++;
    if (b === 0xf0) locks++;
    if (b === 0xf2 || b === 0xf3) reps++;
    if (b === 0x66) opsize = true;
  }
  const op = bytes[at];
  const op2 = bytes[at + 1];
  const nearBranch = op !== undefined && ((op >= 0x70 && op <= 0x7f) || [0xc2, 0xc3, 0xe8, 0xe9, 0xeb, 0xe0, 0xe1, 0xe2, 0xe3].includes(op) || (op === 0x0f && op2 !== undefined && op2 >= 0x80 && op2 <= 0x8f) || (op === 0xff && op2 !== undefined && [2, 4].includes((op2 >> 3) & 7)));
  const prefixes = bytes.subarray(0, at);
  const f2 = prefixes.includes(0xf2);
  const stringOp = op !== undefined && ((op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf) || (op >= 0x6c && op <= 0x6f));
  const indirectBranch = op === 0xff && op2 !== undefined && [2, 4].includes((op2 >> 3) & 7);
  return (
    segments > 1 ||
    locks > 1 ||
    reps > 1 ||
    (locks > 0 && reps > 0) ||
    ((opsize || f2) && nearBranch) ||
    (reps > 0 && op !== 0x0f && !stringOp) ||
    (reps > 0 && opsize && op === 0x0f) ||
    (f2 && op === 0x0f && op2 !== undefined && [0xb8, 0xbc, 0xbd].includes(op2)) ||
    (prefixes.includes(0x3e) && indirectBranch)
  );
}

export const haveObjdump = spawnSync('objdump', ['--version'], { stdio: 'ignore' }).status === 0;

export interface TextDifference {
  bytes: Uint8Array;
  ours: string;
  objdump: string;
}

/** Real disassembly differences, reported and kept visible until fixed. */
export const KNOWN_TEXT_GAPS: ReadonlyArray<{ name: string; matches: (d: TextDifference) => boolean }> = [
  { name: 'ENTER and LEAVE with 0x66 print without the w suffix', matches: (d) => /^(enter |leave$)/.test(d.ours) && /^(enterw |leavew$)/.test(d.objdump) },
  { name: 'with 0x67 and no base register, a negative displacement prints signed; objdump prints it as unsigned 32-bit', matches: (d) => /-0x[0-9a-f]+\(,%e/.test(d.ours) && /[^-]0x[0-9a-f]+\(,%e/.test(d.objdump) },
];

/**
 * Disassembles `count` random instructions that both decoders accept with the same length,
 * each alone in a 16-byte slot padded with NOPs, with `objdump -D -b binary` and with ours,
 * and returns the slots whose text differs.
 */
export function compareWithObjdump(seed: number, count: number): { compared: number; differences: TextDifference[] } {
  const rng = new Rng(seed);
  const slots: Array<{ bytes: Uint8Array; text: string }> = [];
  while (slots.length < count) {
    const bytes = randomInstructionBytes(rng);
    const ours = decodeOurs(bytes);
    const iced = decodeIced(bytes);
    if (!ours || !iced || ours.length !== iced.length || ours.mnemonic !== iced.mnemonic || ambiguousForText(bytes)) continue;
    const d = disassemble(bytes, slots.length * 16);
    if (d) slots.push({ bytes: bytes.subarray(0, d.length), text: d.text });
  }
  const blob = new Uint8Array(count * 16).fill(0x90);
  slots.forEach((s, k) => blob.set(s.bytes, k * 16));
  const dir = mkdtempSync(join(tmpdir(), 'mksyscall-objdump-'));
  try {
    const file = join(dir, 'slots.bin');
    writeFileSync(file, blob);
    const r = spawnSync('objdump', ['-D', '-b', 'binary', '-m', 'i386:x86-64', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`objdump failed: ${r.stderr}`);
    const texts = new Map<number, string>();
    for (const line of r.stdout.split('\n')) {
      const m = /^\s*([0-9a-f]+):\t[0-9a-f ]+\t(.*)$/.exec(line);
      if (m) texts.set(parseInt(m[1]!, 16), m[2]!);
    }
    const differences: TextDifference[] = [];
    slots.forEach((s, k) => {
      const theirs = normalizeObjdump(texts.get(k * 16) ?? '(nothing)');
      const ours = s.text.replace(/\s+/g, ' ').trim();
      if (ours !== theirs) differences.push({ bytes: s.bytes, ours, objdump: theirs });
    });
    return { compared: count, differences };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
