// The executor: one handler per table `exec` name, bound to each decoded instruction when
// its block is built (a few hot register forms get specialised handlers).
//
// Conventions inside handlers:
// - Operand values travel as unsigned numbers masked to the operand size; 64-bit values as
//   (low, high) unsigned 32-bit halves, the high half of a read passing through `c.th`.
// - Every check that can fault (memory reads, write permission, canonical targets, #DE)
//   happens before any architectural state changes.
// - 32-bit register writes zero the high half; 8- and 16-bit writes merge.
//
// Documented values for flags the SDM calls undefined:
// - logic ops, shifts: AF = 0; shifts by more than one: OF computed as for a count of 1;
//   SHL/SHR by at least the operand width: CF = 0.
// - MUL/IMUL: SF, ZF, PF from the low half of the result, AF = 0. DIV/IDIV: all arithmetic flags unchanged.
// - BT*, BSF/BSR, TZCNT/LZCNT: the undefined flags are unchanged. BSF/BSR with a zero
//   source leave the destination unchanged (as AMD documents and Intel hardware does).
// CPUID: see `cpuid` below for the exact feature set.
import type { Cpu } from './cpu.ts';
import { Insn, OPD_IMM, OPD_MEM, HIGH_BYTE_BASE, SEG_FS, SEG_GS } from './decode.ts';
import { LF_ADC, LF_ADD, LF_DEC, LF_INC, LF_LOGIC, LF_SBB, LF_SUB, parity } from './flags.ts';
import { AF, ARITH_FLAGS, CF, DF, FORMS, OF, PF, SF, ZF } from './table.ts';
import { isCanonical } from './memory.ts';
import { generalProtection } from './faults.ts';

export type Handler = (c: Cpu, d: Insn) => void;

const TWO32 = 4294967296;
const MASK: number[] = [0, 0xff, 0xffff, 0, 0xffffffff, 0, 0, 0, 0xffffffff];

// ---- operand access ------------------------------------------------------------------------

/** Register value, unsigned, masked to size; for size 8 the high half goes to c.th. */
function getR(c: Cpu, r: number, size: number): number {
  if (size === 4) return c.lo[r]! >>> 0;
  if (size === 8) {
    c.th = c.hi[r]! >>> 0;
    return c.lo[r]! >>> 0;
  }
  if (size === 2) return c.lo[r]! & 0xffff;
  return r < HIGH_BYTE_BASE ? c.lo[r]! & 0xff : (c.lo[r - HIGH_BYTE_BASE]! >>> 8) & 0xff;
}

function setR(c: Cpu, r: number, size: number, v: number, vh: number): void {
  if (size === 4) {
    c.lo[r] = v;
    c.hi[r] = 0;
  } else if (size === 8) {
    c.lo[r] = v;
    c.hi[r] = vh;
  } else if (size === 2) c.lo[r] = (c.lo[r]! & ~0xffff) | (v & 0xffff);
  else if (r < HIGH_BYTE_BASE) c.lo[r] = (c.lo[r]! & ~0xff) | (v & 0xff);
  else {
    const q = r - HIGH_BYTE_BASE;
    c.lo[q] = (c.lo[q]! & ~0xff00) | ((v & 0xff) << 8);
  }
}

/** Reads operand `slot` (register, immediate or memory at a freshly computed address). */
function rd(c: Cpu, d: Insn, slot: number, size: number): number {
  if (slot >= 0) return getR(c, slot, size);
  if (slot === OPD_IMM) {
    c.th = d.immHi >>> 0;
    return size === 8 ? d.imm >>> 0 : (d.imm & MASK[size]!) >>> 0;
  }
  return c.load(c.addrOf(d), size);
}

/** Writes operand `slot`; memory goes to c.ea (computed by an earlier rd or addrOf). */
function wr(c: Cpu, slot: number, size: number, v: number, vh: number): void {
  if (slot >= 0) setR(c, slot, size, v, vh);
  else c.store(c.ea, size, v, vh);
}

/** Before a read-modify-write of memory: fault now if the operand is not writable. */
function probeWrite(c: Cpu, slot: number, size: number): void {
  if (slot === OPD_MEM) c.mem.probe(c.ea, size, 'write');
}

function signed(v: number, size: number): number {
  if (size === 1) return (v << 24) >> 24;
  if (size === 2) return (v << 16) >> 16;
  return v | 0;
}

function topBit(v: number, size: number): number {
  return (v >>> (size * 8 - 1)) & 1;
}

/** Sign bit of a value of `size` bytes (halves for size 8). */
function msbOf(lo: number, hi: number, size: number): number {
  return size === 8 ? hi >>> 31 : topBit(lo, size);
}

function toAddr(lo: number, hi: number): number {
  return (hi | 0) * TWO32 + (lo >>> 0);
}

function branch(c: Cpu, target: number): void {
  if (!isCanonical(target)) throw generalProtection('branch to a non-canonical address', target);
  c.rip = target;
}

// ---- ALU -------------------------------------------------------------------------------------

/** Computes ALU op (0 add … 7 cmp) and records the flags; returns the low result, high in c.th. */
function aluOp(c: Cpu, op: number, size: number, a: number, ah: number, b: number, bh: number): number {
  const f = c.flags;
  let kind = LF_LOGIC;
  let cin = 0;
  let r: number;
  let rh = 0;
  if (op === 2 || op === 3) cin = f.cf() ? 1 : 0;
  if (size === 8) {
    switch (op) {
      case 0:
      case 2: {
        const l = a + b + cin;
        r = l >>> 0;
        rh = (ah + bh + (l > 0xffffffff ? 1 : 0)) >>> 0;
        kind = op === 0 ? LF_ADD : LF_ADC;
        break;
      }
      case 3:
      case 5:
      case 7: {
        const l = a - b - cin;
        r = l >>> 0;
        rh = (ah - bh - (l < 0 ? 1 : 0)) >>> 0;
        kind = op === 3 ? LF_SBB : LF_SUB;
        break;
      }
      case 1:
        r = (a | b) >>> 0;
        rh = (ah | bh) >>> 0;
        break;
      case 4:
        r = (a & b) >>> 0;
        rh = (ah & bh) >>> 0;
        break;
      default:
        r = (a ^ b) >>> 0;
        rh = (ah ^ bh) >>> 0;
        break;
    }
  } else {
    const m = MASK[size]!;
    ah = bh = 0;
    switch (op) {
      case 0:
      case 2:
        r = ((a + b + cin) & m) >>> 0;
        kind = op === 0 ? LF_ADD : LF_ADC;
        break;
      case 3:
      case 5:
      case 7:
        r = ((a - b - cin) & m) >>> 0;
        kind = op === 3 ? LF_SBB : LF_SUB;
        break;
      case 1:
        r = (a | b) >>> 0;
        break;
      case 4:
        r = (a & b) >>> 0;
        break;
      default:
        r = (a ^ b) >>> 0;
        break;
    }
  }
  f.op = kind;
  f.size = size;
  f.a = a;
  f.b = b;
  f.r = r;
  f.aH = ah;
  f.bH = bh;
  f.rH = rh;
  f.cin = cin;
  c.th = rh;
  return r;
}

const alu: Handler = (c, d) => {
  const size = d.size;
  const op = d.form.sub;
  const a = rd(c, d, d.a, size);
  const ah = c.th;
  const b = rd(c, d, d.b, size);
  const bh = c.th;
  if (op !== 7) probeWrite(c, d.a, size);
  const r = aluOp(c, op, size, a, ah, b, bh);
  if (op !== 7) wr(c, d.a, size, r, c.th);
};

// Specialised register forms: the integer loop's hot path.
export const aluReg32: Handler = (c, d) => {
  const dst = d.a;
  const op = d.sub;
  const a = c.lo[dst]! >>> 0;
  const b = d.b === OPD_IMM ? d.imm >>> 0 : c.lo[d.b]! >>> 0;
  const f = c.flags;
  let r: number;
  if (op === 0) {
    r = (a + b) >>> 0;
    f.op = LF_ADD;
  } else if (op === 5 || op === 7) {
    r = (a - b) >>> 0;
    f.op = LF_SUB;
  } else if (op === 6) {
    r = (a ^ b) >>> 0;
    f.op = LF_LOGIC;
  } else if (op === 4) {
    r = (a & b) >>> 0;
    f.op = LF_LOGIC;
  } else if (op === 1) {
    r = (a | b) >>> 0;
    f.op = LF_LOGIC;
  } else {
    r = aluOp(c, op, 4, a, 0, b, 0);
    c.lo[dst] = r;
    c.hi[dst] = 0;
    return;
  }
  f.size = 4;
  f.a = a;
  f.b = b;
  f.r = r;
  f.aH = 0;
  f.bH = 0;
  f.rH = 0;
  f.cin = 0;
  if (op !== 7) {
    c.lo[dst] = r;
    c.hi[dst] = 0;
  }
};

export const aluReg64: Handler = (c, d) => {
  const dst = d.a;
  const op = d.sub;
  const lo = c.lo;
  const hi = c.hi;
  const a = lo[dst]! >>> 0;
  const ah = hi[dst]! >>> 0;
  let b: number;
  let bh: number;
  if (d.b === OPD_IMM) {
    b = d.imm >>> 0;
    bh = d.immHi >>> 0;
  } else {
    b = lo[d.b]! >>> 0;
    bh = hi[d.b]! >>> 0;
  }
  const f = c.flags;
  let r: number;
  let rh: number;
  if (op === 0) {
    const l = a + b;
    r = l >>> 0;
    rh = (ah + bh + (l > 0xffffffff ? 1 : 0)) >>> 0;
    f.op = LF_ADD;
  } else if (op === 5 || op === 7) {
    const l = a - b;
    r = l >>> 0;
    rh = (ah - bh - (l < 0 ? 1 : 0)) >>> 0;
    f.op = LF_SUB;
  } else if (op === 6) {
    r = (a ^ b) >>> 0;
    rh = (ah ^ bh) >>> 0;
    f.op = LF_LOGIC;
  } else if (op === 4) {
    r = (a & b) >>> 0;
    rh = (ah & bh) >>> 0;
    f.op = LF_LOGIC;
  } else if (op === 1) {
    r = (a | b) >>> 0;
    rh = (ah | bh) >>> 0;
    f.op = LF_LOGIC;
  } else {
    r = aluOp(c, op, 8, a, ah, b, bh);
    lo[dst] = r;
    hi[dst] = c.th;
    return;
  }
  f.size = 8;
  f.a = a;
  f.b = b;
  f.r = r;
  f.aH = ah;
  f.bH = bh;
  f.rH = rh;
  f.cin = 0;
  if (op !== 7) {
    lo[dst] = r;
    hi[dst] = rh;
  }
};

const test: Handler = (c, d) => {
  const size = d.size;
  const a = rd(c, d, d.a, size);
  const ah = c.th;
  const b = rd(c, d, d.b, size);
  aluOp(c, 4, size, a, ah, b, c.th);
};

const incdec: Handler = (c, d) => {
  const size = d.size;
  const a = rd(c, d, d.a, size);
  const ah = size === 8 ? c.th : 0;
  probeWrite(c, d.a, size);
  const dec = d.form.sub === 1;
  let r: number;
  let rh = 0;
  if (size === 8) {
    const l = dec ? a - 1 : a + 1;
    r = l >>> 0;
    rh = (ah + (l < 0 ? -1 : l > 0xffffffff ? 1 : 0)) >>> 0;
  } else r = ((dec ? a - 1 : a + 1) & MASK[size]!) >>> 0;
  c.flags.incdec(dec ? LF_DEC : LF_INC, size, a, ah, r, rh);
  wr(c, d.a, size, r, rh);
};

/** INC/DEC of a full 32- or 64-bit register. */
export const incdecReg: Handler = (c, d) => {
  const r = d.a;
  const f = c.flags;
  const dec = d.sub === 1;
  if (f.op !== LF_INC && f.op !== LF_DEC) f.saved = (f.saved & ~CF) | (f.cf() ? CF : 0);
  const a = c.lo[r]! >>> 0;
  let res: number;
  if (d.size === 8) {
    const ah = c.hi[r]! >>> 0;
    const l = dec ? a - 1 : a + 1;
    res = l >>> 0;
    const rh = (ah + (l < 0 ? -1 : l > 0xffffffff ? 1 : 0)) >>> 0;
    f.aH = ah;
    f.rH = rh;
    c.hi[r] = rh;
  } else {
    res = (dec ? a - 1 : a + 1) >>> 0;
    f.aH = 0;
    f.rH = 0;
    c.hi[r] = 0;
  }
  c.lo[r] = res;
  f.op = dec ? LF_DEC : LF_INC;
  f.size = d.size;
  f.a = a;
  f.b = 1;
  f.bH = 0;
  f.r = res;
  f.cin = 0;
};

const not: Handler = (c, d) => {
  const size = d.size;
  const a = rd(c, d, d.a, size);
  const ah = c.th;
  probeWrite(c, d.a, size);
  wr(c, d.a, size, (~a & MASK[size]!) >>> 0, ~ah >>> 0);
};

const neg: Handler = (c, d) => {
  const size = d.size;
  const a = rd(c, d, d.a, size);
  const ah = size === 8 ? c.th : 0;
  probeWrite(c, d.a, size);
  const r = aluOp(c, 5, size, 0, 0, a, ah);
  wr(c, d.a, size, r, c.th);
};

// ---- multiply and divide ---------------------------------------------------------------------

let mulHi = 0;
/** Unsigned 32x32 → 64: returns the low half, high half in mulHi. */
function mulU32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  mulHi = (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + Math.floor(mid / 65536)) >>> 0;
  return (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
}

// The 128-bit product of mulU64/mulS64, as four unsigned 32-bit limbs, least significant first.
let P0 = 0;
let P1 = 0;
let P2 = 0;
let P3 = 0;

/** Unsigned 64x64 → 128 into P0..P3. */
function mulU64(al: number, ah: number, bl: number, bh: number): void {
  const p0l = mulU32(al, bl);
  const p0h = mulHi;
  const p1l = mulU32(al, bh);
  const p1h = mulHi;
  const p2l = mulU32(ah, bl);
  const p2h = mulHi;
  const p3l = mulU32(ah, bh);
  const p3h = mulHi;
  const t1 = p0h + p1l + p2l;
  const c1 = Math.floor(t1 / TWO32);
  const t2 = p1h + p2h + p3l + c1;
  const c2 = Math.floor(t2 / TWO32);
  P0 = p0l;
  P1 = t1 >>> 0;
  P2 = t2 >>> 0;
  P3 = (p3h + c2) >>> 0;
}

/** Signed 64x64 → 128 into P0..P3: the unsigned product with the high half corrected. */
function mulS64(al: number, ah: number, bl: number, bh: number): void {
  mulU64(al, ah, bl, bh);
  if (ah >>> 31) {
    const x = P2 - bl;
    P2 = x >>> 0;
    P3 = (P3 - bh - (x < 0 ? 1 : 0)) >>> 0;
  }
  if (bh >>> 31) {
    const x = P2 - al;
    P2 = x >>> 0;
    P3 = (P3 - ah - (x < 0 ? 1 : 0)) >>> 0;
  }
}

/** Low 64 bits of a 64x64 product (the same signed or unsigned): returns the low half, the high half in c.th. */
export function mulLow64(c: Cpu, al: number, ah: number, bl: number, bh: number): number {
  const l = mulU32(al, bl);
  c.th = (mulHi + Math.imul(al, bh) + Math.imul(ah, bl)) >>> 0;
  return l;
}

/** Signed 32x32 → 64: low half returned, high half in mulHi. */
function mulS32(a: number, b: number): number {
  const l = mulU32(a >>> 0, b >>> 0);
  let h = mulHi;
  if (a >>> 31) h -= b >>> 0;
  if (b >>> 31) h -= a >>> 0;
  mulHi = h >>> 0;
  return l;
}

/**
 * Flags after MUL/IMUL: CF = OF = overflow; SF, ZF and PF (undefined in the SDM) from the low
 * half of the result (`lo`, `hi` at the operand size), AF = 0. All six are written, so nothing
 * needs materialising.
 */
function setMulFlags(c: Cpu, overflow: boolean, size: number, lo: number, hi: number): void {
  const f = c.flags;
  const sign = size === 8 ? hi >>> 31 : topBit(lo, size);
  const zero = (size === 8 ? (lo | hi) === 0 : (lo & MASK[size]!) === 0) ? ZF : 0;
  f.op = 0;
  f.saved = (f.saved & ~ARITH_FLAGS) | (overflow ? CF | OF : 0) | (sign ? SF : 0) | zero | parity(lo);
}

const mul: Handler = (c, d) => {
  const size = d.size;
  const b = rd(c, d, d.a, size);
  const bh = c.th;
  if (size === 1) {
    const p = (c.lo[0]! & 0xff) * b;
    setR(c, 0, 2, p, 0);
    setMulFlags(c, p > 0xff, 1, p, 0);
  } else if (size === 2) {
    const p = (c.lo[0]! & 0xffff) * b;
    setR(c, 0, 2, p & 0xffff, 0);
    setR(c, 2, 2, p >>> 16, 0);
    setMulFlags(c, p > 0xffff, 2, p, 0);
  } else if (size === 4) {
    const l = mulU32(c.lo[0]! >>> 0, b);
    const h = mulHi;
    setR(c, 0, 4, l, 0);
    setR(c, 2, 4, h, 0);
    setMulFlags(c, h !== 0, 4, l, 0);
  } else {
    mulU64(c.lo[0]! >>> 0, c.hi[0]! >>> 0, b, bh);
    setR(c, 0, 8, P0, P1);
    setR(c, 2, 8, P2, P3);
    setMulFlags(c, P2 !== 0 || P3 !== 0, 8, P0, P1);
  }
};

const imul1: Handler = (c, d) => {
  const size = d.size;
  const b = rd(c, d, d.a, size);
  const bh = c.th;
  if (size === 1) {
    const p = signed(c.lo[0]!, 1) * signed(b, 1);
    setR(c, 0, 2, p & 0xffff, 0);
    setMulFlags(c, p !== signed(p, 1), 1, p, 0);
  } else if (size === 2) {
    const p = signed(c.lo[0]!, 2) * signed(b, 2);
    setR(c, 0, 2, p & 0xffff, 0);
    setR(c, 2, 2, (p >> 16) & 0xffff, 0);
    setMulFlags(c, p !== signed(p & 0xffff, 2), 2, p, 0);
  } else if (size === 4) {
    const l = mulS32(c.lo[0]!, b);
    const h = mulHi;
    setR(c, 0, 4, l, 0);
    setR(c, 2, 4, h, 0);
    setMulFlags(c, h !== (l >>> 31 ? 0xffffffff : 0), 4, l, 0);
  } else {
    mulS64(c.lo[0]! >>> 0, c.hi[0]! >>> 0, b, bh);
    setR(c, 0, 8, P0, P1);
    setR(c, 2, 8, P2, P3);
    const ext = P1 >>> 31 ? 0xffffffff : 0;
    setMulFlags(c, P2 !== ext || P3 !== ext, 8, P0, P1);
  }
};

/** dst = a * b truncated to size, signed overflow in CF/OF (IMUL two- and three-operand forms). */
function imulTrunc(c: Cpu, d: Insn, a: number, ah: number, b: number, bh: number): void {
  const size = d.size;
  if (size === 2) {
    const p = signed(a, 2) * signed(b, 2);
    setR(c, d.a, 2, p & 0xffff, 0);
    setMulFlags(c, p !== signed(p & 0xffff, 2), 2, p, 0);
  } else if (size === 4) {
    const l = mulS32(a, b);
    setR(c, d.a, 4, l, 0);
    setMulFlags(c, mulHi !== (l >>> 31 ? 0xffffffff : 0), 4, l, 0);
  } else {
    mulS64(a, ah, b, bh);
    setR(c, d.a, 8, P0, P1);
    const ext = P1 >>> 31 ? 0xffffffff : 0;
    setMulFlags(c, P2 !== ext || P3 !== ext, 8, P0, P1);
  }
}

const imul2: Handler = (c, d) => {
  const b = rd(c, d, d.b, d.size);
  const bh = c.th;
  const a = getR(c, d.a, d.size);
  imulTrunc(c, d, a, c.th, b, bh);
};

const imul3: Handler = (c, d) => {
  const a = rd(c, d, d.b, d.size);
  const ah = c.th;
  const b = rd(c, d, OPD_IMM, d.size);
  imulTrunc(c, d, a, ah, b, c.th);
};

function u64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

let divRem = 0;
/**
 * Unsigned (hi:lo) / m for a 64-bit dividend and a divisor below 2^32, by long division on
 * 16-bit digits (every intermediate stays below 2^48, exact in doubles). Returns the quotient
 * (exact while below 2^53; callers only need to know whether it exceeds 2^32), remainder in divRem.
 */
function divU64by32(lo: number, hi: number, m: number): number {
  let q = 0;
  let r = 0;
  const digits = [hi >>> 16, hi & 0xffff, lo >>> 16, lo & 0xffff];
  for (const digit of digits) {
    const cur = r * 65536 + digit;
    const qd = Math.floor(cur / m);
    r = cur - qd * m;
    q = q * 65536 + qd;
  }
  divRem = r;
  return q;
}

// Division: 8- and 16-bit divisions are exact in doubles, 32-bit ones use 16-bit digits;
// 128/64-bit DIV and IDIV use BigInt (a rare, slow path).
function divide(c: Cpu, d: Insn, signedDiv: boolean): void {
  const size = d.size;
  const b = rd(c, d, d.a, size);
  const bh = c.th;
  if (b === 0 && (size !== 8 || bh === 0)) c.divideError();
  if (size <= 2) {
    const bits = size * 8;
    const dividend = size === 1 ? c.lo[0]! & 0xffff : ((c.lo[2]! & 0xffff) << 16) | (c.lo[0]! & 0xffff);
    const n = signedDiv ? (size === 1 ? signed(dividend, 2) : dividend | 0) : dividend >>> 0;
    const m = signedDiv ? signed(b, size) : b;
    const q = Math.trunc(n / m);
    const r = n - q * m;
    if (signedDiv ? q < -(2 ** (bits - 1)) || q > 2 ** (bits - 1) - 1 : q > MASK[size]!) c.divideError();
    if (size === 1) setR(c, 0, 2, ((r & 0xff) << 8) | (q & 0xff), 0);
    else {
      setR(c, 0, 2, q & 0xffff, 0);
      setR(c, 2, 2, r & 0xffff, 0);
    }
    return;
  }
  if (size === 4) {
    let lo = c.lo[0]! >>> 0;
    let hi = c.lo[2]! >>> 0;
    let m = b;
    const negN = signedDiv && hi >>> 31 === 1;
    const negM = signedDiv && m >>> 31 === 1;
    if (negN) {
      // two's complement negate the 64-bit dividend
      lo = (~lo + 1) >>> 0;
      hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
    }
    if (negM) m = (-m) >>> 0;
    const q = divU64by32(lo, hi, m);
    const r = divRem;
    if (signedDiv) {
      const neg = negN !== negM;
      if (neg ? q > 0x80000000 : q > 0x7fffffff) c.divideError();
      setR(c, 0, 4, neg ? -q >>> 0 : q, 0);
      setR(c, 2, 4, negN ? -r >>> 0 : r, 0);
    } else {
      if (q > 0xffffffff) c.divideError();
      setR(c, 0, 4, q, 0);
      setR(c, 2, 4, r, 0);
    }
    return;
  }
  const bits = 64n;
  let n = (u64(c.lo[2]!, c.hi[2]!) << 64n) | u64(c.lo[0]!, c.hi[0]!);
  let m = u64(b, bh);
  if (signedDiv) {
    n = BigInt.asIntN(Number(bits) * 2, n);
    m = BigInt.asIntN(Number(bits), m);
  }
  const q = n / m;
  const r = n % m;
  const lim = 1n << (bits - 1n);
  if (signedDiv ? q < -lim || q >= lim : q >= 1n << bits) c.divideError();
  const qu = BigInt.asUintN(Number(bits), q);
  const ru = BigInt.asUintN(Number(bits), r);
  setR(c, 0, size, Number(qu & 0xffffffffn), Number(qu >> 32n));
  setR(c, 2, size, Number(ru & 0xffffffffn), Number(ru >> 32n));
}

const div: Handler = (c, d) => divide(c, d, false);
const idiv: Handler = (c, d) => divide(c, d, true);

// ---- shifts and rotates ------------------------------------------------------------------------

/** Bit k of a 64-bit value (halves unsigned). */
function bit64(l: number, h: number, k: number): number {
  return k < 32 ? (l >>> k) & 1 : (h >>> (k - 32)) & 1;
}

let shHi = 0;
function shl64(l: number, h: number, n: number): number {
  if (n === 0) {
    shHi = h;
    return l;
  }
  if (n < 32) {
    shHi = ((h << n) | (l >>> (32 - n))) >>> 0;
    return (l << n) >>> 0;
  }
  shHi = (l << (n - 32)) >>> 0;
  return 0;
}
function shr64(l: number, h: number, n: number, arith: boolean): number {
  if (n === 0) {
    shHi = h;
    return l;
  }
  if (n < 32) {
    shHi = (arith ? (h | 0) >> n : h >>> n) >>> 0;
    return ((l >>> n) | (h << (32 - n))) >>> 0;
  }
  shHi = arith ? ((h | 0) >> 31) >>> 0 : 0;
  return (arith ? (h | 0) >> (n - 32) : h >>> (n - 32)) >>> 0;
}

const shift: Handler = (c, d) => {
  const size = d.size;
  const bits = size * 8;
  const op = d.form.sub;
  const v = rd(c, d, d.a, size);
  const vh = size === 8 ? c.th : 0;
  const count = (d.b === OPD_IMM ? d.imm : c.lo[1]!) & (size === 8 ? 63 : 31);
  if (count === 0) {
    // flags and value unchanged, but a 32-bit register destination is still written (zero-extended)
    if (size === 4 && d.a >= 0) c.hi[d.a] = 0;
    return;
  }
  probeWrite(c, d.a, size);
  const f = c.flags;
  if (op < 4) f.materialise(); // rotates keep SF, ZF, AF, PF; shifts write all six flags
  let r = 0;
  let rh = 0;
  let cf = 0;
  let of = 0;
  switch (op) {
    case 0: // rol
    case 1: {
      // ror
      const n = count % bits;
      if (size === 8) {
        const l1 = op === 0 ? shl64(v, vh, n) : shr64(v, vh, n, false);
        const h1 = shHi;
        const l2 = n === 0 ? 0 : op === 0 ? shr64(v, vh, 64 - n, false) : shl64(v, vh, 64 - n);
        const h2 = n === 0 ? 0 : shHi;
        r = (l1 | l2) >>> 0;
        rh = (h1 | h2) >>> 0;
      } else {
        const m = MASK[size]!;
        r = n === 0 ? v : op === 0 ? ((v << n) | (v >>> (bits - n))) & m : ((v >>> n) | (v << (bits - n))) & m;
        r >>>= 0;
      }
      if (op === 0) {
        cf = r & 1;
        of = msbOf(r, rh, size) ^ cf;
      } else {
        cf = msbOf(r, rh, size);
        const second = size === 8 ? (rh >>> 30) & 1 : (r >>> (bits - 2)) & 1;
        of = cf ^ second;
      }
      f.saved = (f.saved & ~(CF | OF)) | (cf ? CF : 0) | (of ? OF : 0);
      wr(c, d.a, size, r, rh);
      return;
    }
    case 2: // rcl
    case 3: {
      // rcr: rotate through carry one bit at a time
      const n = size === 8 || size === 4 ? count : count % (bits + 1);
      let carry = f.cf() ? 1 : 0;
      r = v;
      rh = vh;
      if (op === 3) of = msbOf(r, rh, size) ^ carry;
      for (let i = 0; i < n; i++) {
        if (op === 2) {
          const out = msbOf(r, rh, size);
          if (size === 8) {
            rh = ((rh << 1) | (r >>> 31)) >>> 0;
            r = ((r << 1) | carry) >>> 0;
          } else r = (((r << 1) | carry) & MASK[size]!) >>> 0;
          carry = out;
        } else {
          const out = r & 1;
          if (size === 8) {
            r = ((r >>> 1) | (rh << 31)) >>> 0;
            rh = ((rh >>> 1) | (carry << 31)) >>> 0;
          } else r = ((r >>> 1) | (carry << (bits - 1))) >>> 0;
          carry = out;
        }
      }
      cf = carry;
      if (op === 2) of = msbOf(r, rh, size) ^ cf;
      f.saved = (f.saved & ~(CF | OF)) | (cf ? CF : 0) | (of ? OF : 0);
      wr(c, d.a, size, r, rh);
      return;
    }
    case 4: // shl
    case 6:
      if (size === 8) {
        r = shl64(v, vh, count);
        rh = shHi;
        cf = bit64(v, vh, 64 - count);
      } else {
        r = ((v << count) & MASK[size]!) >>> 0;
        cf = count <= bits ? (v >>> (bits - count)) & 1 : 0;
        if (count === bits) cf = v & 1;
      }
      of = msbOf(r, rh, size) ^ cf;
      break;
    case 5: // shr
      if (size === 8) {
        r = shr64(v, vh, count, false);
        rh = shHi;
        cf = bit64(v, vh, count - 1);
      } else {
        r = count >= 32 ? 0 : v >>> count;
        cf = count <= bits ? (v >>> (count - 1)) & 1 : 0;
      }
      of = msbOf(v, vh, size);
      break;
    default: {
      // sar
      if (size === 8) {
        r = shr64(v, vh, count, true);
        rh = shHi;
        cf = bit64(v, vh, count - 1);
      } else {
        const sv = signed(v, size);
        r = ((sv >> Math.min(count, 31)) & MASK[size]!) >>> 0;
        cf = (sv >> Math.min(count - 1, 31)) & 1;
      }
      of = 0;
    }
  }
  const zero = r === 0 && rh === 0;
  f.op = 0;
  f.saved =
    (f.saved & ~ARITH_FLAGS) | (cf ? CF : 0) | (of ? OF : 0) | (zero ? ZF : 0) | (msbOf(r, rh, size) ? SF : 0) | parity(r);
  wr(c, d.a, size, r, rh);
};

/** SHLD/SHRD: shift dst, filling from src. */
function doubleShift(c: Cpu, d: Insn, left: boolean): void {
  const size = d.size;
  const v = rd(c, d, d.a, size);
  const vh = size === 8 ? c.th : 0;
  const s = getR(c, d.b, size);
  const sh = size === 8 ? c.th : 0;
  const count = (d.c === OPD_IMM ? d.imm : c.lo[1]!) & (size === 8 ? 63 : 31);
  if (count === 0) {
    if (size === 4 && d.a >= 0) c.hi[d.a] = 0;
    return;
  }
  probeWrite(c, d.a, size);
  // Work in BigInt-free 64-bit halves for size 8, plain numbers otherwise (16-bit counts > 16: documented as the
  // concatenation result modulo 32, the same as Intel hardware).
  let r: number;
  let rh = 0;
  let cf: number;
  if (size === 8) {
    if (left) {
      r = shl64(v, vh, count);
      rh = shHi;
      const fl = shr64(s, sh, 64 - count, false);
      r = (r | fl) >>> 0;
      rh = (rh | shHi) >>> 0;
      cf = bit64(v, vh, 64 - count);
    } else {
      r = shr64(v, vh, count, false);
      rh = shHi;
      const fl = shl64(s, sh, 64 - count);
      r = (r | fl) >>> 0;
      rh = (rh | shHi) >>> 0;
      cf = bit64(v, vh, count - 1);
    }
  } else if (size === 4) {
    if (left) {
      r = ((v << count) | (s >>> (32 - count))) >>> 0;
      cf = (v >>> (32 - count)) & 1;
    } else {
      r = ((v >>> count) | (s << (32 - count))) >>> 0;
      cf = (v >>> (count - 1)) & 1;
    }
  } else {
    // 16-bit: shift the 32-bit dst:src (or src:dst) pattern. Counts above 16 are undefined in the SDM;
    // we document the result as this pattern shifted by the count (1..31).
    if (left) {
      const pat = ((v << 16) | s) >>> 0;
      r = ((pat << count) >>> 16) & 0xffff;
      cf = (pat >>> (32 - count)) & 1;
    } else {
      const pat = ((s << 16) | v) >>> 0;
      r = (pat >>> count) & 0xffff;
      cf = (pat >>> (count - 1)) & 1;
    }
  }
  const msbR = size === 8 ? rh >>> 31 : topBit(r, size);
  const msbV = size === 8 ? vh >>> 31 : topBit(v, size);
  const f = c.flags;
  f.materialise();
  f.saved =
    (f.saved & ~ARITH_FLAGS) | (cf ? CF : 0) | (msbR !== msbV ? OF : 0) | (r === 0 && rh === 0 ? ZF : 0) | (msbR ? SF : 0) | parity(r);
  wr(c, d.a, size, r, rh);
}

const shld: Handler = (c, d) => doubleShift(c, d, true);
const shrd: Handler = (c, d) => doubleShift(c, d, false);

// ---- data movement ------------------------------------------------------------------------------

const mov: Handler = (c, d) => {
  const size = d.size;
  const v = rd(c, d, d.b, size);
  const vh = c.th;
  if (d.a === OPD_MEM) c.addrOf(d);
  wr(c, d.a, size, v, vh);
};

export const movRegReg: Handler = (c, d) => {
  const s = d.b;
  const t = d.a;
  c.lo[t] = c.lo[s]!;
  c.hi[t] = d.size === 8 ? c.hi[s]! : 0;
};

const movzx: Handler = (c, d) => {
  const src = d.form.operands[1]!.size >> 3;
  setR(c, d.a, d.size, rd(c, d, d.b, src), 0);
};

const movsx: Handler = (c, d) => {
  const src = d.form.operands[1]!.size >> 3;
  const v = signed(rd(c, d, d.b, src), src);
  setR(c, d.a, d.size, (v & MASK[d.size]!) >>> 0, v < 0 ? 0xffffffff : 0);
};

/** Effective address without segment base (LEA ignores segments), exact in 64-bit halves. */
const lea: Handler = (c, d) => {
  let lo: number;
  let hi: number;
  if (d.ripRel) {
    lo = d.disp >>> 0;
    hi = Math.floor(d.disp / TWO32);
  } else {
    lo = d.rawDisp >>> 0;
    hi = d.rawDisp < 0 ? -1 : 0;
  }
  if (d.base >= 0) {
    const l = lo + (c.lo[d.base]! >>> 0);
    lo = l >>> 0;
    hi = hi + c.hi[d.base]! + (l > 0xffffffff ? 1 : 0);
  }
  if (d.index >= 0) {
    const s = d.scale;
    const il = c.lo[d.index]! >>> 0;
    const ih = c.hi[d.index]! >>> 0;
    const sl = (il << s) >>> 0;
    const sh = s === 0 ? ih : ((ih << s) | (il >>> (32 - s))) >>> 0;
    const l = lo + sl;
    lo = l >>> 0;
    hi = hi + sh + (l > 0xffffffff ? 1 : 0);
  }
  if (d.addr32) hi = 0;
  setR(c, d.a, d.size, d.size === 2 ? lo & 0xffff : lo, hi >>> 0);
};

const xchg: Handler = (c, d) => {
  const size = d.size;
  const a = rd(c, d, d.a, size);
  const ah = c.th;
  const b = getR(c, d.b, size);
  const bh = c.th;
  probeWrite(c, d.a, size);
  wr(c, d.a, size, b, bh);
  setR(c, d.b, size, a, ah);
};

const xadd: Handler = (c, d) => {
  const size = d.size;
  const a = rd(c, d, d.a, size);
  const ah = c.th;
  const b = getR(c, d.b, size);
  const bh = c.th;
  probeWrite(c, d.a, size);
  const r = aluOp(c, 0, size, a, ah, b, bh);
  const rh = c.th;
  setR(c, d.b, size, a, ah);
  wr(c, d.a, size, r, rh);
};

const cmpxchg: Handler = (c, d) => {
  const size = d.size;
  const dst = rd(c, d, d.a, size);
  const dsth = c.th;
  probeWrite(c, d.a, size);
  const acc = getR(c, 0, size);
  const acch = c.th;
  aluOp(c, 7, size, acc, acch, dst, dsth);
  if (acc === dst && (size !== 8 || acch === dsth)) {
    const s = getR(c, d.b, size);
    wr(c, d.a, size, s, c.th);
  } else {
    if (d.a === OPD_MEM) wr(c, d.a, size, dst, dsth); // memory is written back; a register is left alone
    setR(c, 0, size, dst, dsth);
  }
};

const cmpxchg8b: Handler = (c, d) => {
  const a = c.addrOf(d);
  const lo = c.load(a, 4);
  const hi = c.load(a + 4, 4);
  c.mem.probe(a, 8, 'write');
  if (lo === c.lo[0]! >>> 0 && hi === c.lo[2]! >>> 0) {
    c.store(a, 8, c.lo[3]!, c.lo[1]!);
    c.flags.setArith(ZF, ZF);
  } else {
    c.store(a, 8, lo, hi);
    setR(c, 0, 4, lo, 0);
    setR(c, 2, 4, hi, 0);
    c.flags.setArith(ZF, 0);
  }
};

const cmpxchg16b: Handler = (c, d) => {
  const a = c.addrOf(d);
  if (a % 16 !== 0) c.gp('cmpxchg16b operand not 16-byte aligned');
  const l0 = c.load(a, 4);
  const l1 = c.load(a + 4, 4);
  const h0 = c.load(a + 8, 4);
  const h1 = c.load(a + 12, 4);
  c.mem.probe(a, 16, 'write');
  const eq = l0 === c.lo[0]! >>> 0 && l1 === c.hi[0]! >>> 0 && h0 === c.lo[2]! >>> 0 && h1 === c.hi[2]! >>> 0;
  if (eq) {
    c.store(a, 8, c.lo[3]!, c.hi[3]!);
    c.store(a + 8, 8, c.lo[1]!, c.hi[1]!);
  } else {
    c.store(a, 8, l0, l1);
    c.store(a + 8, 8, h0, h1);
    setR(c, 0, 8, l0, l1);
    setR(c, 2, 8, h0, h1);
  }
  c.flags.setArith(ZF, eq ? ZF : 0);
};

function bswap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** BSWAP; the 16-bit form is undefined in the SDM: we clear the low 16 bits, as Intel CPUs do. */
const bswap: Handler = (c, d) => {
  const r = d.a;
  if (d.size === 2) setR(c, r, 2, 0, 0);
  else if (d.size === 8) {
    const l = c.lo[r]!;
    c.lo[r] = bswap32(c.hi[r]!);
    c.hi[r] = bswap32(l);
  } else setR(c, r, 4, bswap32(c.lo[r]!), 0);
};

const cbw: Handler = (c, d) => {
  const size = d.size;
  const half = size >> 1;
  const v = signed(getR(c, 0, half), half);
  setR(c, 0, size, (v & MASK[size]!) >>> 0, v < 0 ? 0xffffffff : 0);
};

const cwd: Handler = (c, d) => {
  const size = d.size;
  const neg = size === 8 ? c.hi[0]! < 0 : topBit(getR(c, 0, size), size) === 1;
  setR(c, 2, size, neg ? MASK[size]! : 0, neg ? 0xffffffff : 0);
};

function segBase(c: Cpu, d: Insn): number {
  return d.seg === SEG_FS ? c.fsBase : d.seg === SEG_GS ? c.gsBase : 0;
}

const xlat: Handler = (c, d) => {
  let a = c.regAddr(3) + (c.lo[0]! & 0xff);
  if (d.addr32) a = a % TWO32;
  setR(c, 0, 1, c.mem.ld8(a + segBase(c, d)), 0);
};

// ---- conditions and bits ------------------------------------------------------------------------

const cmov: Handler = (c, d) => {
  const size = d.size;
  const v = rd(c, d, d.b, size);
  const vh = c.th;
  if (c.flags.cond(d.form.sub)) setR(c, d.a, size, v, vh);
  else if (size === 4) c.hi[d.a] = 0; // a 32-bit CMOV always writes its destination
};

const setcc: Handler = (c, d) => {
  const v = c.flags.cond(d.form.sub) ? 1 : 0;
  if (d.a === OPD_MEM) c.addrOf(d);
  wr(c, d.a, 1, v, 0);
};

const jcc: Handler = (c, d) => {
  if (c.flags.cond(d.form.sub)) branch(c, d.target);
};

/** JNE/JE after a flag-setting op: the integer loop's branch. */
export const jccZ: Handler = (c, d) => {
  const f = c.flags;
  const z = f.op === 0 ? (f.saved & ZF) !== 0 : f.r === 0 && f.rH === 0;
  if (z === (d.sub === 4)) branch(c, d.target);
};

const bt: Handler = (c, d) => {
  const size = d.size;
  const bits = size * 8;
  const op = d.form.sub;
  // Register destinations use the offset modulo the size (exact low bits); memory destinations the
  // signed offset (inexact only beyond ±2^53, where the address is non-canonical anyway).
  let offset: number;
  let low: number;
  if (d.b === OPD_IMM) offset = low = d.imm & (bits - 1);
  else {
    low = getR(c, d.b, size);
    offset = size === 8 ? toAddr(low, c.th) : signed(low, size);
  }
  let v: number;
  let vh = 0;
  let bit: number;
  if (d.a === OPD_MEM) {
    const base = c.addrOf(d);
    const word = Math.floor(offset / bits);
    bit = offset - word * bits;
    c.ea = base + word * size;
    v = c.load(c.ea, size);
    vh = c.th;
    if (op !== 0) c.mem.probe(c.ea, size, 'write');
  } else {
    bit = low & (bits - 1);
    v = getR(c, d.a, size);
    vh = c.th;
  }
  const old = bit64(v, vh, bit);
  c.flags.setArith(CF, old ? CF : 0);
  if (op === 0) return;
  const set = op === 1 ? 1 : op === 2 ? 0 : old ^ 1;
  if (bit < 32) v = set ? (v | (1 << bit)) >>> 0 : (v & ~(1 << bit)) >>> 0;
  else vh = set ? (vh | (1 << (bit - 32))) >>> 0 : (vh & ~(1 << (bit - 32))) >>> 0;
  wr(c, d.a, size, v, vh);
};

function clz32orSize(v: number, vh: number, size: number): number {
  if (size === 8) return vh !== 0 ? Math.clz32(vh) : 32 + Math.clz32(v);
  return Math.clz32(v) - (32 - size * 8);
}
function ctz(v: number, vh: number, size: number): number {
  if (v !== 0) return 31 - Math.clz32(v & -v);
  if (size === 8 && vh !== 0) return 32 + 31 - Math.clz32(vh & -vh);
  return size * 8;
}

const bsf: Handler = (c, d) => {
  const size = d.size;
  const v = rd(c, d, d.b, size);
  const vh = size === 8 ? c.th : 0;
  if (v === 0 && vh === 0) {
    c.flags.setArith(ZF, ZF);
    return;
  }
  setR(c, d.a, size, ctz(v, vh, size), 0);
  c.flags.setArith(ZF, 0);
};

const bsr: Handler = (c, d) => {
  const size = d.size;
  const v = rd(c, d, d.b, size);
  const vh = size === 8 ? c.th : 0;
  if (v === 0 && vh === 0) {
    c.flags.setArith(ZF, ZF);
    return;
  }
  setR(c, d.a, size, size * 8 - 1 - clz32orSize(v, vh, size), 0);
  c.flags.setArith(ZF, 0);
};

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

const popcnt: Handler = (c, d) => {
  const size = d.size;
  const v = rd(c, d, d.b, size);
  const vh = size === 8 ? c.th : 0;
  setR(c, d.a, size, popcount32(v) + popcount32(vh), 0);
  c.flags.setArith(ARITH_FLAGS, v === 0 && vh === 0 ? ZF : 0);
};

const tzcnt: Handler = (c, d) => {
  const size = d.size;
  const v = rd(c, d, d.b, size);
  const vh = size === 8 ? c.th : 0;
  const n = ctz(v, vh, size);
  setR(c, d.a, size, n, 0);
  c.flags.setArith(CF | ZF, (n === size * 8 ? CF : 0) | (n === 0 ? ZF : 0));
};

const lzcnt: Handler = (c, d) => {
  const size = d.size;
  const v = rd(c, d, d.b, size);
  const vh = size === 8 ? c.th : 0;
  const n = v === 0 && vh === 0 ? size * 8 : clz32orSize(v, vh, size);
  setR(c, d.a, size, n, 0);
  c.flags.setArith(CF | ZF, (n === size * 8 ? CF : 0) | (n === 0 ? ZF : 0));
};

// ---- stack and control transfer ---------------------------------------------------------------------

function push(c: Cpu, size: number, v: number, vh: number): void {
  const sp = c.regAddr(4) - size;
  c.store(sp, size, v, vh);
  c.setRegAddr(4, sp);
}

function pop(c: Cpu, size: number): number {
  const sp = c.regAddr(4);
  const v = c.load(sp, size);
  c.setRegAddr(4, sp + size);
  return v;
}

const pushH: Handler = (c, d) => {
  const size = d.size;
  const v = rd(c, d, d.a, size);
  push(c, size, v, c.th);
};

const popH: Handler = (c, d) => {
  const size = d.size;
  const old = c.regAddr(4);
  const v = pop(c, size);
  const vh = c.th;
  if (d.a === OPD_MEM) {
    try {
      c.addrOf(d); // computed with the incremented RSP, as the SDM says
      c.store(c.ea, size, v, vh);
    } catch (e) {
      c.setRegAddr(4, old);
      throw e;
    }
  } else setR(c, d.a, size, v, vh);
};

const pushf: Handler = (c, d) => {
  push(c, d.size, c.flags.get() & 0xfcffff, 0);
};

const popf: Handler = (c, d) => {
  const v = pop(c, d.size);
  const mask = (c.cpl === 0 ? 0x247fd5 : 0x244dd5) & (d.size === 2 ? 0xffff : 0xffffffff);
  c.setFlags((c.flags.get() & ~mask) | (v & mask));
};

const lahf: Handler = (c) => {
  setR(c, HIGH_BYTE_BASE, 1, (c.flags.get() & 0xd5) | 2, 0);
};

const sahf: Handler = (c) => {
  c.flags.setArith(CF | PF | AF | ZF | SF, (c.lo[0]! >>> 8) & 0xd5);
};

const call: Handler = (c, d) => {
  if (!isCanonical(d.target)) throw generalProtection('call to a non-canonical address', d.target);
  push(c, 8, d.next >>> 0, Math.floor(d.next / TWO32) >>> 0);
  c.rip = d.target;
};

const callind: Handler = (c, d) => {
  const lo = rd(c, d, d.a, 8);
  const target = toAddr(lo, c.th);
  if (!isCanonical(target)) throw generalProtection('call to a non-canonical address', target);
  push(c, 8, d.next >>> 0, Math.floor(d.next / TWO32) >>> 0);
  c.rip = target;
};

const jmp: Handler = (c, d) => branch(c, d.target);

const jmpind: Handler = (c, d) => {
  const lo = rd(c, d, d.a, 8);
  branch(c, toAddr(lo, c.th));
};

const ret: Handler = (c, d) => {
  const sp = c.regAddr(4);
  const lo = c.load(sp, 8);
  const target = toAddr(lo, c.th);
  if (!isCanonical(target)) throw generalProtection('return to a non-canonical address', target);
  c.setRegAddr(4, sp + 8 + (d.a === OPD_IMM ? d.imm & 0xffff : 0));
  c.rip = target;
};

function counter(c: Cpu, d: Insn): number {
  return d.addr32 ? c.lo[1]! >>> 0 : c.regAddr(1);
}

const loop: Handler = (c, d) => {
  // LOOP/LOOPE/LOOPNE: decrement RCX (ECX with 0x67) without touching flags, branch if it is not zero
  // (and ZF matches). The branch target is checked before RCX changes.
  const l = (c.lo[1]! >>> 0) - 1;
  const lo = l >>> 0;
  const hi = d.addr32 ? 0 : (c.hi[1]! - (l < 0 ? 1 : 0)) | 0;
  const taken = (lo !== 0 || hi !== 0) && (d.form.sub === 2 || c.flags.zf() === (d.form.sub === 1));
  if (taken && !isCanonical(d.target)) branch(c, d.target);
  c.lo[1] = lo;
  c.hi[1] = hi;
  if (taken) c.rip = d.target;
};

const jrcxz: Handler = (c, d) => {
  if (counter(c, d) === 0) branch(c, d.target);
};

/** ENTER: 64-bit frames, or 16-bit ones (BP) with 0x66; the allocated area itself is not accessed. */
const enter: Handler = (c, d) => {
  const w = d.size;
  const size = d.imm & 0xffff;
  const level = d.imm2 & 31;
  const rsp0 = c.regAddr(4);
  const lo5 = c.lo[5]!;
  const hi5 = c.hi[5]!;
  try {
    push(c, w, lo5, hi5);
    const frame = c.regAddr(4);
    let rbp = c.regAddr(5);
    for (let i = 1; i < level; i++) {
      rbp -= w;
      const v = c.load(rbp, w);
      push(c, w, v, c.th);
    }
    if (level > 0) push(c, w, frame >>> 0, Math.floor(frame / TWO32) >>> 0);
    if (w === 8) c.setRegAddr(5, frame);
    else setR(c, 5, 2, frame & 0xffff, 0);
    c.setRegAddr(4, c.regAddr(4) - size);
  } catch (e) {
    c.setRegAddr(4, rsp0);
    c.lo[5] = lo5;
    c.hi[5] = hi5;
    throw e;
  }
};

/** LEAVE: RSP ← RBP, then pop RBP (BP with 0x66). */
const leave: Handler = (c, d) => {
  const w = d.size;
  const rbp = c.regAddr(5);
  const v = c.load(rbp, w);
  const vh = c.th;
  c.setRegAddr(4, rbp + w);
  setR(c, 5, w, v, vh);
};

// ---- string instructions ------------------------------------------------------------------------------

function strIndex(c: Cpu, d: Insn, r: number): number {
  return d.addr32 ? c.lo[r]! >>> 0 : c.regAddr(r);
}

function strAdvance(c: Cpu, d: Insn, r: number, delta: number): void {
  if (d.addr32) setR(c, r, 4, ((c.lo[r]! >>> 0) + delta) >>> 0, 0);
  else c.setRegAddr(r, c.regAddr(r) + delta);
}

const STR_MOVS = 0;
const STR_STOS = 1;
const STR_LODS = 2;
const STR_CMPS = 3;
const STR_SCAS = 4;

/** One iteration of string operation `kind`, moving the index registers by `step`. */
function stringStep(c: Cpu, d: Insn, kind: number, step: number): void {
  const size = d.size;
  switch (kind) {
    case STR_MOVS: {
      const v = c.load(strIndex(c, d, 6) + segBase(c, d), size);
      c.store(strIndex(c, d, 7), size, v, c.th);
      strAdvance(c, d, 6, step);
      strAdvance(c, d, 7, step);
      return;
    }
    case STR_STOS:
      c.store(strIndex(c, d, 7), size, getR(c, 0, size), c.th);
      strAdvance(c, d, 7, step);
      return;
    case STR_LODS: {
      const v = c.load(strIndex(c, d, 6) + segBase(c, d), size);
      setR(c, 0, size, v, c.th);
      strAdvance(c, d, 6, step);
      return;
    }
    case STR_CMPS: {
      const a = c.load(strIndex(c, d, 6) + segBase(c, d), size);
      const ah = c.th;
      const b = c.load(strIndex(c, d, 7), size);
      aluOp(c, 7, size, a, ah, b, c.th);
      strAdvance(c, d, 6, step);
      strAdvance(c, d, 7, step);
      return;
    }
    default: {
      const b = c.load(strIndex(c, d, 7), size);
      const bh = c.th;
      const a = getR(c, 0, size);
      aluOp(c, 7, size, a, c.th, b, bh);
      strAdvance(c, d, 7, step);
    }
  }
}

/** Runs string operation `kind` under its REP prefix; CMPS/SCAS also stop on the ZF condition. */
function stringOp(c: Cpu, d: Insn, kind: number): void {
  const step = (c.flags.saved & DF) !== 0 ? -d.size : d.size;
  if (d.rep === 0) {
    stringStep(c, d, kind, step);
    return;
  }
  const cmp = kind === STR_CMPS || kind === STR_SCAS;
  for (;;) {
    const n = counter(c, d);
    if (n === 0) return;
    stringStep(c, d, kind, step);
    if (d.addr32) setR(c, 1, 4, (n - 1) >>> 0, 0);
    else c.setRegAddr(1, n - 1);
    if (cmp && c.flags.zf() !== (d.rep === 1)) return;
  }
}

const movs: Handler = (c, d) => stringOp(c, d, STR_MOVS);
const stos: Handler = (c, d) => stringOp(c, d, STR_STOS);
const lods: Handler = (c, d) => stringOp(c, d, STR_LODS);
const cmps: Handler = (c, d) => stringOp(c, d, STR_CMPS);
const scas: Handler = (c, d) => stringOp(c, d, STR_SCAS);

// ---- flags, system, miscellany -------------------------------------------------------------------------

const flag: Handler = (c, d) => {
  const f = c.flags;
  switch (d.form.sub) {
    case 0:
      f.setArith(CF, 0);
      break;
    case 1:
      f.setArith(CF, CF);
      break;
    case 2:
      f.setArith(CF, f.cf() ? 0 : CF);
      break;
    case 3:
      f.saved &= ~DF;
      break;
    case 4:
      f.saved |= DF;
      break;
    case 5:
      c.requirePrivilege('cli');
      f.saved &= ~0x200;
      break;
    default:
      c.requirePrivilege('sti');
      f.saved |= 0x200;
      break;
  }
};

const nop: Handler = () => {};

/**
 * CPUID, a fixed feature set:
 * - leaf 0: max basic leaf 7, vendor "mksyscall-ts".
 * - leaf 1: family 6 model 0 stepping 0; EDX = TSC(4) MSR(5) CX8(8) CMOV(15); ECX = CX16(13) POPCNT(23).
 *   No FPU/SSE: x87 and SSE instructions are not implemented and raise #UD.
 * - leaf 7: all zero (no BMI1, so TZCNT is not advertised, though F3 0F BC executes as TZCNT).
 * - leaf 0x80000000: max extended leaf 0x80000001; 0x80000001: ECX = ABM/LZCNT(5); EDX = SYSCALL(11) LM(29).
 * - any other leaf: all zero.
 */
export function cpuidLeaf(leaf: number): [number, number, number, number] {
  const word = (s: string) => s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24);
  switch (leaf >>> 0) {
    case 0:
      return [7, word('mksy'), word('l-ts'), word('scal')];
    case 1:
      return [0x600, 0, (1 << 13) | (1 << 23), (1 << 4) | (1 << 5) | (1 << 8) | (1 << 15)];
    case 0x80000000:
      return [0x80000001, 0, 0, 0];
    case 0x80000001:
      return [0, 0, 1 << 5, (1 << 11) | (1 << 29)];
  }
  return [0, 0, 0, 0];
}

const cpuid: Handler = (c) => {
  const [a, b, cx, dx] = cpuidLeaf(c.lo[0]!);
  setR(c, 0, 4, a, 0);
  setR(c, 3, 4, b, 0);
  setR(c, 1, 4, cx, 0);
  setR(c, 2, 4, dx, 0);
};

const rdtsc: Handler = (c) => {
  const t = c.rdtsc();
  setR(c, 0, 4, t >>> 0, 0);
  setR(c, 2, 4, Math.floor(t / TWO32) >>> 0, 0);
};

const HANDLERS: Record<string, Handler> = {
  alu,
  test,
  not,
  neg,
  mul,
  imul1,
  div,
  idiv,
  incdec,
  imul3,
  imul2,
  shift,
  shld,
  shrd,
  mov,
  movzx,
  movsx,
  lea,
  xchg,
  nop,
  xadd,
  cmpxchg,
  cmpxchg8b,
  cmpxchg16b,
  bswap,
  cbw,
  cwd,
  xlat,
  cmov,
  setcc,
  jcc,
  bt,
  bsf,
  bsr,
  popcnt,
  tzcnt,
  lzcnt,
  push: pushH,
  pop: popH,
  pushf,
  popf,
  lahf,
  sahf,
  call,
  callind,
  jmp,
  jmpind,
  ret,
  loop,
  jrcxz,
  enter,
  leave,
  movs,
  cmps,
  stos,
  lods,
  scas,
  flag,
  cpuid,
  rdtsc,
  ud2: (c) => c.undefinedInsn(),
  int3: (c) => c.breakpoint(),
  int: (c, d) => c.interrupt(d.imm & 0xff),
  hlt: (c) => c.halt(),
  syscall: (c, d) => c.syscall(d),
  sysret: (c, d) => c.sysret(d),
  swapgs: (c) => c.swapgs(),
  wrmsr: (c) => c.wrmsrInsn(),
  rdmsr: (c) => c.rdmsrInsn(),
};

for (const f of FORMS) if (HANDLERS[f.exec] === undefined) throw new Error(`exec: table form ${f.mnemonic} names unknown handler ${f.exec}`);

/** The handler for a decoded instruction (specialised for hot register forms). */
export function bindHandler(d: Insn): Handler {
  const exec = d.form.exec;
  if (exec === 'alu' && d.a >= 0 && d.a < HIGH_BYTE_BASE && (d.b >= 0 || d.b === OPD_IMM)) {
    if (d.size === 4) return aluReg32;
    if (d.size === 8) return aluReg64;
  }
  if (exec === 'incdec' && d.a >= 0 && (d.size === 4 || d.size === 8)) return incdecReg;
  if (exec === 'mov' && d.a >= 0 && d.b >= 0 && (d.size === 4 || d.size === 8)) return movRegReg;
  if (exec === 'jcc' && (d.form.sub === 4 || d.form.sub === 5)) return jccZ;
  // Privileged forms (hlt, cli, sti, rdmsr, wrmsr, swapgs, sysret) check CPL in their handlers.
  return HANDLERS[exec]!;
}

const ENDS_CHAINABLE = new Set(['jcc', 'jmp', 'jmpind', 'call', 'callind', 'ret', 'loop', 'jrcxz']);
// SWAPGS does not end a block: GS-relative operands read the GS base when they execute.
const ENDS_STOP = new Set(['syscall', 'sysret', 'int', 'int3', 'hlt', 'ud2', 'popf', 'wrmsr', 'flag']);

/** 0: the block goes on; 1: it ends here with a control transfer; 2: it ends here with a system instruction or a stop. */
export function endsBlock(d: Insn): number {
  const exec = d.form.exec;
  if (ENDS_CHAINABLE.has(exec)) return 1;
  if (ENDS_STOP.has(exec) && (exec !== 'flag' || d.form.privileged)) return 2;
  return 0;
}

/** True for instructions that read icount (RDTSC, RDMSR of the TSC). */
export function readsClock(d: Insn): boolean {
  return d.form.exec === 'rdtsc' || d.form.exec === 'rdmsr';
}

const READ_ONLY_EXECS = new Set(['test', 'mul', 'imul1', 'div', 'idiv', 'imul2', 'imul3', 'movzx', 'movsx', 'lea', 'nop', 'bswap', 'cbw', 'cwd', 'xlat', 'cmov', 'jcc', 'bsf', 'bsr', 'popcnt', 'tzcnt', 'lzcnt', 'jmp', 'jmpind', 'ret', 'loop', 'jrcxz', 'lods', 'scas', 'cmps', 'lahf', 'sahf', 'flag', 'cpuid', 'rdtsc', 'ud2', 'int3', 'int', 'hlt', 'syscall', 'sysret', 'swapgs', 'rdmsr', 'wrmsr', 'leave', 'popf']);

/** False only for instructions that certainly write no memory (register-only forms and read-only groups). */
export function mayWriteMemory(d: Insn): boolean {
  if (READ_ONLY_EXECS.has(d.form.exec)) return false;
  if (d.form.exec === 'bt' && d.form.sub === 0) return false;
  if (d.form.exec === 'pop') return d.a === OPD_MEM;
  return d.a === OPD_MEM || d.form.exec === 'push' || d.form.exec === 'pushf' || d.form.exec === 'call' || d.form.exec === 'callind' || d.form.exec === 'enter' || d.form.exec === 'movs' || d.form.exec === 'stos' || d.form.exec === 'cmpxchg8b' || d.form.exec === 'cmpxchg16b';
}

const NEVER_FAULT = new Set<Handler>([aluReg32, aluReg64, incdecReg, movRegReg]);

/** False for the specialised register handlers, which cannot fault. */
export function mayFault(h: Handler): boolean {
  return !NEVER_FAULT.has(h);
}
