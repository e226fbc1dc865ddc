// Lazy arithmetic flags.
//
// Flag-setting integer operations record what they did (kind, size, operands, result) in a
// LazyFlags record instead of computing CF/PF/AF/ZF/SF/OF; the flags are materialised only
// when something reads them. Most flag results are never read (the next ALU instruction
// overwrites them), so this keeps the common path to a few stores.
//
// Representation: for sizes 1, 2 and 4 bytes, `a`, `b` and `r` hold the operands and result
// masked to the size, as unsigned numbers, and the *H fields are 0. For 8 bytes, a/b/r hold
// the low 32 bits and aH/bH/rH the high 32 bits, all unsigned. `cin` is the carry (borrow)
// into ADC/SBB. INC and DEC leave CF alone, so when one is recorded the previous CF is first
// materialised into `saved` (the RFLAGS word holding every bit the lazy record does not).
//
// Documented values for flags the SDM leaves undefined: AF is 0 after logic operations;
// other undefined flags are set by the executor, see cpu.ts.
import { AF, ARITH_FLAGS, CF, OF, PF, SF, ZF } from './table.ts';

export const LF_NONE = 0;
export const LF_ADD = 1;
export const LF_SUB = 2;
export const LF_ADC = 3;
export const LF_SBB = 4;
export const LF_LOGIC = 5;
export const LF_INC = 6;
export const LF_DEC = 7;

const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let n = i;
  let bits = 0;
  while (n) {
    bits += n & 1;
    n >>= 1;
  }
  PARITY[i] = bits % 2 === 0 ? PF : 0;
}

/** PF for a result's low byte. */
export function parity(v: number): number {
  return PARITY[v & 0xff]!;
}

export class LazyFlags {
  /** RFLAGS: all non-arithmetic bits always; arithmetic bits only while op === LF_NONE (and CF for INC/DEC). */
  saved = 0x2;
  op = LF_NONE;
  size = 4;
  a = 0;
  b = 0;
  r = 0;
  aH = 0;
  bH = 0;
  rH = 0;
  cin = 0;

  /** Sign bit of the result (1 or 0). */
  private topBit(lo: number, hi: number): number {
    const s = this.size;
    if (s === 8) return hi >>> 31;
    if (s === 4) return lo >>> 31;
    return (lo >>> (s * 8 - 1)) & 1;
  }

  cf(): boolean {
    const op = this.op;
    if (op === LF_NONE || op === LF_INC || op === LF_DEC) return (this.saved & CF) !== 0;
    if (op === LF_LOGIC) return false;
    // ADD/ADC carry out iff r < a, or r == a with a carry in (b + cin == 2^n); SUB/SBB
    // borrow iff a < b, or a == b with a borrow in. The high halves are 0 below 8 bytes.
    const add = op === LF_ADD || op === LF_ADC;
    const x = add ? this.r : this.a;
    const y = add ? this.a : this.b;
    const xH = add ? this.rH : this.aH;
    const yH = add ? this.aH : this.bH;
    return xH !== yH ? xH < yH : x < y || (x === y && this.cin !== 0);
  }

  zf(): boolean {
    if (this.op === LF_NONE) return (this.saved & ZF) !== 0;
    return this.r === 0 && this.rH === 0;
  }

  sf(): boolean {
    if (this.op === LF_NONE) return (this.saved & SF) !== 0;
    return this.topBit(this.r, this.rH) !== 0;
  }

  of(): boolean {
    const op = this.op;
    if (op === LF_NONE) return (this.saved & OF) !== 0;
    if (op === LF_LOGIC) return false;
    const a = this.size === 8 ? this.aH : this.a;
    const b = this.size === 8 ? this.bH : this.b;
    const r = this.size === 8 ? this.rH : this.r;
    const x = op === LF_ADD || op === LF_ADC || op === LF_INC ? (a ^ r) & (b ^ r) : (a ^ b) & (a ^ r);
    return this.topBit(x, x) !== 0;
  }

  pf(): boolean {
    if (this.op === LF_NONE) return (this.saved & PF) !== 0;
    return PARITY[this.r & 0xff] !== 0;
  }

  af(): boolean {
    if (this.op === LF_NONE) return (this.saved & AF) !== 0;
    if (this.op === LF_LOGIC) return false;
    return ((this.a ^ this.b ^ this.r) & 0x10) !== 0;
  }

  /** The full RFLAGS value. */
  get(): number {
    return this.op === LF_NONE ? this.saved : this.computed();
  }

  /** get() for a recorded operation. */
  private computed(): number {
    const op = this.op;
    // PF, ZF and SF from the result as pf(), zf() and sf() give them; logic operations clear the rest
    const r = this.r;
    const v = (this.saved & ~ARITH_FLAGS) | PARITY[r & 0xff]! | (r === 0 && this.rH === 0 ? ZF : 0) | (this.topBit(r, this.rH) !== 0 ? SF : 0);
    if (op === LF_LOGIC) return v;
    return v | (this.cf() ? CF : 0) | (((this.a ^ this.b ^ r) & 0x10) !== 0 ? AF : 0) | (this.of() ? OF : 0);
  }

  /** Makes `saved` hold every flag (ends the lazy record). */
  materialise(): void {
    if (this.op !== LF_NONE) {
      this.saved = this.get();
      this.op = LF_NONE;
    }
  }

  /** Replaces the arithmetic flags selected by `mask` with `bits` (materialising first). */
  setArith(mask: number, bits: number): void {
    this.materialise();
    this.saved = (this.saved & ~mask) | (bits & mask);
  }

  /** Evaluates condition code cc (0 O … 15 G). */
  cond(cc: number): boolean {
    let t: boolean;
    switch (cc >> 1) {
      case 0:
        t = this.of();
        break;
      case 1:
        t = this.cf();
        break;
      case 2:
        t = this.zf();
        break;
      case 3:
        t = this.cf() || this.zf();
        break;
      case 4:
        t = this.sf();
        break;
      case 5:
        t = this.pf();
        break;
      case 6:
        t = this.sf() !== this.of();
        break;
      default:
        t = this.zf() || this.sf() !== this.of();
        break;
    }
    return (cc & 1) === 0 ? t : !t;
  }

  /** Records INC or DEC of `a` (already masked) giving r; keeps CF. */
  incdec(kind: number, size: number, a: number, aH: number, r: number, rH: number): void {
    if (this.op !== LF_INC && this.op !== LF_DEC) {
      const cf = this.cf();
      this.saved = (this.saved & ~CF) | (cf ? CF : 0);
    }
    this.op = kind;
    this.size = size;
    this.a = a;
    this.aH = aH;
    this.b = 1;
    this.bH = 0;
    this.r = r;
    this.rH = rH;
    this.cin = 0;
  }
}
