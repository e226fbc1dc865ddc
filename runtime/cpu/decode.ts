// The decoder: bytes → Insn, driven by the instruction table.
//
// It reads legacy prefixes (66 67 F2 F3 F0, segment overrides), REX, the opcode (one-byte,
// 0F, 0F 38, 0F 3A maps), ModRM/SIB/displacement and immediates, then picks the one table
// form matching opcode, mandatory prefix, ModRM.reg extension, ModRM mode and operand size.
//
// Invariants: `decode` returns a fully resolved Insn or throws a CpuFault: #UD for anything
// the table does not define (including LOCK on a non-lockable form or a register
// destination), #GP when the instruction would exceed 15 bytes, and `Truncated` (never seen
// outside the core) when the bytes run out before the instruction ends, so that the caller
// can raise the right #PF for the fetch or report an incomplete instruction.
import { FORMS, type InsnForm, type OpcodeMap } from './table.ts';
import { CpuFault, VEC_GP, undefinedOpcode } from './faults.ts';

/** Operand slot codes in Insn.a/b/c: >= 0 is a register index, otherwise one of these. */
export const OPD_MEM = -1;
export const OPD_IMM = -2;
export const OPD_NONE = -3;
/** Byte-register indices 16..19 name AH, CH, DH, BH (legacy high bytes, only without REX). */
export const HIGH_BYTE_BASE = 16;

export const SEG_NONE = 0;
export const SEG_FS = 1;
export const SEG_GS = 2;

export const MAX_INSN_LENGTH = 15;

/** One decoded instruction. Executors add their handler in `fn`. */
export class Insn {
  form: InsnForm;
  /** form.sub, copied for the hot handlers. */
  sub: number;
  addr: number;
  len = 0;
  next = 0;
  /** Operand size in bytes (1, 2, 4, 8); 0 when the form has none. */
  size = 0;
  a = OPD_NONE;
  b = OPD_NONE;
  c = OPD_NONE;
  // Memory operand: linear address = seg base + base + index << scale + disp (mod 2^32 when addr32).
  base = -1;
  index = -1;
  scale = 0;
  disp = 0;
  ripRel = false;
  /** The displacement as encoded (for the disassembler; for RIP-relative, the relative offset). */
  rawDisp = 0;
  hasDisp = false;
  /** High half of a moffs address (A0-A3); rawDisp holds the low half. */
  moffsHi = 0;
  /** A SIB byte was present (objdump shows %riz for a SIB without index). */
  sib = false;
  seg = SEG_NONE;
  addr32 = false;
  /** Immediate, sign- or zero-extended to the operand size: low and high 32-bit halves (int32). */
  imm = 0;
  immHi = 0;
  /** Second immediate (ENTER's nesting level). */
  imm2 = 0;
  /** Absolute branch target of 'rel' forms. */
  target = 0;
  /** 0 none, 1 F3 (rep/repe), 2 F2 (repne). */
  rep = 0;
  lock = false;
  /** Raw ModRM.reg and r/m numbers (with REX extension), for forms that read them directly. */
  regField = 0;
  rmField = 0;
  /** The REX byte in effect (0 when none). */
  rex = 0;
  /** Prefix bytes seen, for the disassembler (segment override other than FS/GS, 66 on non-sized forms…). */
  prefixes: number[] = [];
  constructor(form: InsnForm, addr: number) {
    this.form = form;
    this.sub = form.sub;
    this.addr = addr;
  }
}

/** Thrown when the bytes end before the instruction does; `offset` is the first missing byte. */
export class Truncated {
  constructor(readonly offset: number) {}
}

type Candidates = InsnForm[];
const MAPS: Record<OpcodeMap, Candidates[]> = {
  none: [],
  '0f': [],
  '0f38': [],
  '0f3a': [],
};
for (const m of Object.values(MAPS)) for (let i = 0; i < 256; i++) m.push([]);
for (const f of FORMS) {
  const opreg = f.operands.some((o) => o.kind === 'opreg');
  for (let r = 0; r < (opreg ? 8 : 1); r++) MAPS[f.map][f.opcode + r]!.push(f);
}

/** Forms whose r/m operand must be memory (MEM_ONLY) or a register (REG_ONLY), by form id. */
const MEM_ONLY = FORMS.map((f) => f.operands.some((o) => o.kind === 'mem'));
const REG_ONLY = FORMS.map((f) => f.operands.some((o) => o.kind === 'regonly'));

// The byte cursor of the decode in progress (decode is synchronous and not re-entrant).
let cur: Uint8Array = new Uint8Array(0);
let first = 0;
let p = 0;
let limit = 0;

/** The next instruction byte; #GP past 15 bytes, Truncated past the end of the buffer. */
function byte(): number {
  if (p >= limit) {
    if (p >= first + MAX_INSN_LENGTH) throw new CpuFault(VEC_GP, 'instruction longer than 15 bytes');
    throw new Truncated(p - first);
  }
  return cur[p++]!;
}

const HAS_REL = FORMS.map((f) => f.operands.some((o) => o.kind === 'rel'));

/** Register index of a register operand: byte registers 4-7 are AH-BH without REX (HIGH_BYTE_BASE + n - 4). */
function regOf(n: number, bits: number, rex: number): number {
  return bits === 8 && rex === 0 && n >= 4 && n < 8 ? HIGH_BYTE_BASE + n - 4 : n;
}

function sext8(v: number): number {
  return (v << 24) >> 24;
}
function sext16(v: number): number {
  return (v << 16) >> 16;
}

/**
 * Decodes one instruction from bytes[start, end) located at guest address `addr`.
 * Throws CpuFault (#UD/#GP) or Truncated.
 */
export function decode(bytes: Uint8Array, start: number, end: number, addr: number): Insn {
  cur = bytes;
  first = start;
  p = start;
  limit = Math.min(end, start + MAX_INSN_LENGTH);

  let opsize = false;
  let addr32 = false;
  let lock = false;
  let repByte = 0;
  let seg = SEG_NONE;
  let rex = 0;
  const prefixes: number[] = [];
  let b = byte();
  for (;;) {
    if (b === 0x66) opsize = true;
    else if (b === 0x67) addr32 = true;
    else if (b === 0xf0) lock = true;
    else if (b === 0xf2 || b === 0xf3) repByte = b;
    else if (b === 0x64) seg = SEG_FS;
    else if (b === 0x65) seg = SEG_GS;
    else if (b === 0x26 || b === 0x2e || b === 0x36 || b === 0x3e) seg = SEG_NONE;
    else if (b >= 0x40 && b <= 0x4f) {
      // REX counts only immediately before the opcode; a legacy prefix after it cancels it.
      rex = b;
      b = byte();
      if (b === 0x66 || b === 0x67 || b === 0xf0 || b === 0xf2 || b === 0xf3 || b === 0x64 || b === 0x65 || b === 0x26 || b === 0x2e || b === 0x36 || b === 0x3e || (b >= 0x40 && b <= 0x4f)) {
        rex = 0;
        continue;
      }
      break;
    } else break;
    prefixes.push(b);
    b = byte();
  }
  const rexW = (rex & 8) !== 0;
  const rexR = (rex & 4) << 1;
  const rexX = (rex & 2) << 2;
  const rexB = (rex & 1) << 3;

  let map: OpcodeMap = 'none';
  let opcode = b;
  if (b === 0x0f) {
    opcode = byte();
    map = '0f';
    if (opcode === 0x38) {
      map = '0f38';
      opcode = byte();
    } else if (opcode === 0x3a) {
      map = '0f3a';
      opcode = byte();
    }
  }
  const cands = MAPS[map][opcode]!;
  if (cands.length === 0) throw undefinedOpcode();

  // Mandatory prefix: the last F2/F3 (or a 66) selects forms that require it, if there are any.
  let withPrefix = false;
  for (const f of cands) if (f.prefix !== undefined && (f.prefix === repByte || (f.prefix === 0x66 && opsize))) withPrefix = true;
  const simdPrefix = opsize || repByte !== 0;
  // 90: PAUSE with F3; otherwise NOP unless REX.B makes it xchg with r8.
  const nopOrXchg = map === 'none' && opcode === 0x90 && !withPrefix;
  let needModrm = false;
  for (const f of cands) if (f.modrm) needModrm = true;
  const modrm = needModrm ? byte() : -1;
  const mod = modrm >> 6;
  const reg = (modrm >> 3) & 7;
  const eff = rexW ? 64 : opsize ? 16 : 32;
  const eff64 = rexW ? 64 : opsize ? 16 : 64;
  let form: InsnForm | undefined;
  for (const f of cands) {
    if (withPrefix ? !(f.prefix !== undefined && (f.prefix === repByte || (f.prefix === 0x66 && opsize))) : f.prefix !== undefined || (f.noSimdPrefix === true && simdPrefix)) continue;
    if (nopOrXchg && (f.mnemonic === 'xchg') !== (rexB !== 0)) continue;
    if (modrm >= 0) {
      if (f.modrmByte !== undefined && f.modrmByte !== modrm && !(f.anyRm === true && (f.modrmByte & 0xf8) === (modrm & 0xf8))) continue;
      if (f.ext !== undefined && f.ext !== reg) continue;
      if (mod === 3 ? MEM_ONLY[f.id] : REG_ONLY[f.id]) continue;
    }
    if (f.osz !== 0 && f.osz !== (f.default64 ? eff64 : eff)) continue;
    form = f;
    break;
  }
  if (form === undefined) throw undefinedOpcode();

  const d = new Insn(form, addr);
  d.prefixes = prefixes;
  d.rex = rex;
  d.seg = seg;
  d.addr32 = addr32;
  d.lock = lock;
  d.rep = repByte === 0xf3 && form.prefix !== 0xf3 ? 1 : repByte === 0xf2 && form.prefix !== 0xf2 ? 2 : 0;
  const osize = form.osz !== 0 ? form.osz : form.size;
  d.size = osize >> 3;

  let hasMem = false;
  if (modrm >= 0) {
    d.regField = ((modrm >> 3) & 7) | rexR;
    let rm = modrm & 7;
    if (mod === 3) {
      d.rmField = rm | rexB;
    } else {
      hasMem = true;
      if (rm === 4) {
        d.sib = true;
        const sib = byte();
        d.scale = sib >> 6;
        const idx = ((sib >> 3) & 7) | rexX;
        d.index = idx === 4 ? -1 : idx;
        const base = sib & 7;
        if (base === 5 && mod === 0) {
          d.base = -1;
          rm = -1; // disp32, no base
        } else d.base = base | rexB;
      } else if (rm === 5 && mod === 0) {
        d.ripRel = true;
      } else d.base = rm | rexB;
      if (mod === 1) {
        d.rawDisp = sext8(byte());
        d.hasDisp = true;
      } else if (mod === 2 || (mod === 0 && (rm === -1 || d.ripRel))) {
        d.rawDisp = byte() | (byte() << 8) | (byte() << 16) | (byte() << 24);
        d.hasDisp = true;
      }
      d.disp = d.rawDisp;
    }
  }

  // Operands, in order; immediates follow the ModRM bytes in operand order.
  const slots: number[] = [];
  for (const op of form.operands) {
    switch (op.kind) {
      case 'reg':
        slots.push(regOf(d.regField, op.size, rex));
        break;
      case 'rm':
      case 'mem':
      case 'regonly':
        slots.push(hasMem ? OPD_MEM : regOf(d.rmField, op.size, rex));
        break;
      case 'opreg':
        slots.push(regOf((opcode & 7) | rexB, op.size, rex));
        break;
      case 'fixed':
        slots.push(op.reg!);
        break;
      case 'one':
        d.imm = 1;
        slots.push(OPD_IMM);
        break;
      case 'imm': {
        const n = op.immSize! >> 3;
        let lo = 0;
        let hi = 0;
        if (n === 1) lo = byte();
        else if (n === 2) lo = byte() | (byte() << 8);
        else {
          lo = byte() | (byte() << 8) | (byte() << 16) | (byte() << 24);
          if (n === 8) hi = byte() | (byte() << 8) | (byte() << 16) | (byte() << 24);
        }
        if (op.size !== op.immSize) {
          // sign-extend to the operand size
          if (n === 1) lo = sext8(lo);
          else if (n === 2) lo = sext16(lo);
          hi = lo < 0 ? -1 : 0;
          if (op.size === 16) lo &= 0xffff;
          if (op.size <= 32) hi = 0;
        }
        if (slots.includes(OPD_IMM)) d.imm2 = lo;
        else {
          d.imm = lo | 0;
          d.immHi = hi | 0;
        }
        slots.push(OPD_IMM);
        break;
      }
      case 'rel': {
        const disp = op.immSize === 8 ? sext8(byte()) : byte() | (byte() << 8) | (byte() << 16) | (byte() << 24);
        d.imm = disp;
        slots.push(OPD_IMM);
        break;
      }
      case 'moffs': {
        // 8-byte absolute address; 4 bytes (zero-extended) with the 0x67 prefix
        const lo = (byte() | (byte() << 8) | (byte() << 16) | (byte() << 24)) >>> 0;
        const hi = addr32 ? 0 : byte() | (byte() << 8) | (byte() << 16) | (byte() << 24);
        d.disp = hi * 2 ** 32 + lo; // signed 64-bit address (inexact only when non-canonical)
        d.rawDisp = lo;
        d.moffsHi = hi;
        d.hasDisp = true;
        hasMem = true;
        slots.push(OPD_MEM);
        break;
      }
    }
  }
  d.a = slots[0] ?? OPD_NONE;
  d.b = slots[1] ?? OPD_NONE;
  d.c = slots[2] ?? OPD_NONE;

  d.len = p - first;
  d.next = addr + d.len;
  if (d.ripRel) {
    d.disp = d.next + d.rawDisp;
    if (addr32) d.disp = d.disp >>> 0;
  }
  if (HAS_REL[form.id]) d.target = d.next + d.imm;
  if (lock && !(form.lockable && hasMem && d.a === OPD_MEM)) throw undefinedOpcode('LOCK prefix not allowed here');
  return d;
}
