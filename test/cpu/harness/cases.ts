// Random single-instruction cases for the differential test against this machine's CPU.
//
// A case is one instruction (or a tiny fixed sequence, for control flow) written in AT&T
// syntax, plus the state it starts from: 16 register values, RFLAGS, and a 256-byte
// scratch block. Memory operands always point into the case's scratch block, and RSP
// points at its middle, so pushes, pops and string instructions stay inside it and the
// block is compared after the run like a register.
//
// Invariants:
// - a case never faults natively (DIV operands are chosen so the quotient fits, memory
//   operands stay inside the scratch block, POPF pops a sane value, control flow lands on
//   the case's own `t<N>` label);
// - every flag the SDM calls undefined for the case's operands is in `undefinedFlags` (for
//   the `table` group: the table's own flagsUndefined), and every register whose result is
//   undefined is in `undefinedRegs`; nothing else is masked;
// - the cases are a pure function of (seed, count, groups).
import { disassemble } from '../../../runtime/cpu/disasm.ts';
import { FORMS, opcodeBytes, type InsnForm } from '../../../runtime/cpu/table.ts';
import { Rng } from './rng.ts';

export const CF = 0x1;
export const PF = 0x4;
export const AF = 0x10;
export const ZF = 0x40;
export const SF = 0x80;
export const DF = 0x400;
export const OF = 0x800;
export const STATUS_FLAGS = CF | PF | AF | ZF | SF | OF;
/** The RFLAGS bits the differential test compares. */
export const COMPARED_FLAGS = STATUS_FLAGS | DF;
export const FLAG_NAMES: ReadonlyArray<[number, string]> = [
  [CF, 'CF'],
  [PF, 'PF'],
  [AF, 'AF'],
  [ZF, 'ZF'],
  [SF, 'SF'],
  [DF, 'DF'],
  [OF, 'OF'],
];

export const SCRATCH_SIZE = 256;
/** Offset inside the scratch block that RSP, base registers and string pointers start from. */
export const SCRATCH_CENTER = 128;
export const RSP = 4;
/** FS and GS bases the program sets with arch_prctl before the first case. */
export const SEGMENT_BASES = { fs: 0x10000, gs: 0x20000 } as const;

export const REG64 = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const REG32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', ...[8, 9, 10, 11, 12, 13, 14, 15].map((n) => `r${n}d`)];
const REG16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di', ...[8, 9, 10, 11, 12, 13, 14, 15].map((n) => `r${n}w`)];
const REG8 = ['al', 'cl', 'dl', 'bl', 'spl', 'bpl', 'sil', 'dil', ...[8, 9, 10, 11, 12, 13, 14, 15].map((n) => `r${n}b`)];
const HIGH8 = ['ah', 'ch', 'dh', 'bh'];

export type Size = 8 | 16 | 32 | 64;
const SUFFIX: Record<Size, string> = { 8: 'b', 16: 'w', 32: 'l', 64: 'q' };
const SIZES: readonly Size[] = [8, 16, 32, 64];
const WIDE_SIZES: readonly Size[] = [16, 32, 64];
export const CONDITIONS = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

/** A register's starting value: a number, an address inside the scratch block, or a code label. */
export type RegInit = { value: bigint } | { scratch: number } | { label: string };

export interface DiffCase {
  index: number;
  group: string;
  /** The instruction(s) under test, AT&T syntax; `t<index>` is the case's branch target. */
  lines: string[];
  regs: RegInit[];
  flags: number;
  scratch: Uint8Array;
  /** 64-bit code addresses stored in the scratch block at these offsets (return addresses, jump tables). */
  scratchLabels: Array<{ offset: number; label: string }>;
  undefinedFlags: number;
  undefinedRegs: number;
}

const EDGE_VALUES: readonly bigint[] = [
  0n, 1n, 2n, 0x7fn, 0x80n, 0xffn, 0x100n, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn,
  0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffffen,
];

const mask = (size: number) => (1n << BigInt(size)) - 1n;
const toSigned = (v: bigint, size: number) => BigInt.asIntN(size, v);

/** Builds one case: picks operands, pins the registers and memory they need, records masks. */
export class CaseBuilder {
  readonly regs: RegInit[];
  flags: number;
  readonly scratch: Uint8Array;
  readonly scratchLabels: Array<{ offset: number; label: string }> = [];
  lines: string[] = [];
  undefinedFlags = 0;
  undefinedRegs = 0;
  /** Registers with a fixed role (address, count, index): random operand picks avoid them. */
  private readonly pinned = new Set<number>([RSP]);
  /** Registers already chosen as operands: address registers avoid them. */
  private readonly used = new Set<number>();
  /** An instruction may not use both AH..BH and a REX prefix. */
  private usesRex = false;
  private usesHigh8 = false;

  constructor(
    readonly rng: Rng,
    readonly index: number,
  ) {
    this.regs = Array.from({ length: 16 }, () => ({ value: this.value() }));
    this.regs[RSP] = { scratch: SCRATCH_CENTER };
    this.flags = (rng.u32() & STATUS_FLAGS) | 0x202;
    this.scratch = rng.bytes(SCRATCH_SIZE);
  }

  get target(): string {
    return `t${this.index}`;
  }

  /** A random 64-bit value biased towards the edges where flags change. */
  value(): bigint {
    const r = this.rng.below(8);
    if (r < 3) {
      const edge = this.rng.pick(EDGE_VALUES);
      return this.rng.chance(0.5) ? edge : (this.rng.u64() & ~0xffffffffn) | (edge & 0xffffffffn);
    }
    if (r === 3) return BigInt(this.rng.below(70));
    return this.rng.u64();
  }

  regValue(r: number): bigint {
    const init = this.regs[r]!;
    if (!('value' in init)) throw new Error(`register ${REG64[r]} holds an address`);
    return init.value;
  }

  setReg(r: number, v: bigint): void {
    this.regs[r] = { value: BigInt.asUintN(64, v) };
    this.pinned.add(r);
  }

  /** Marks registers that the instruction uses implicitly so operand picks leave them alone. */
  reserve(...regs: number[]): void {
    for (const r of regs) this.pinned.add(r);
  }

  /** Sets the low `size` bits of a register, keeping its upper bits random. */
  setRegLow(r: number, v: bigint, size: number): void {
    this.setReg(r, (this.regValue(r) & ~mask(size)) | (BigInt.asUintN(size, v)));
  }

  /** A random register operand of the given size, e.g. `%r9d`; returns its name and number. */
  reg(size: Size, opts: { avoid?: number[]; allowHigh?: boolean } = {}): { text: string; num: number; high: boolean } {
    for (;;) {
      if (size === 8 && opts.allowHigh !== false && !this.usesRex && this.rng.chance(0.2)) {
        const num = this.rng.below(4);
        if (this.pinned.has(num) || opts.avoid?.includes(num)) continue;
        this.usesHigh8 = true;
        this.used.add(num);
        return { text: `%${HIGH8[num]}`, num, high: true };
      }
      const num = this.rng.below(16);
      if (this.pinned.has(num) || opts.avoid?.includes(num)) continue;
      const needsRex = num >= 8 || (size === 8 && num >= 4);
      if (needsRex && this.usesHigh8) continue;
      if (needsRex) this.usesRex = true;
      this.used.add(num);
      const names = size === 8 ? REG8 : size === 16 ? REG16 : size === 32 ? REG32 : REG64;
      return { text: `%${names[num]}`, num, high: false };
    }
  }

  /** The value a register operand returned by reg() holds, truncated to its size. */
  operandValue(op: { num: number; high: boolean }, size: Size): bigint {
    const v = this.regValue(op.num);
    return op.high ? (v >> 8n) & 0xffn : v & mask(size);
  }

  /** Declares that the instruction has a REX.W prefix (64-bit operand size). */
  rexW(): void {
    this.usesRex = true;
  }

  /**
   * A memory operand inside the scratch block. `align` forces the effective address to a
   * multiple of it. Returns the operand text and the effective address's offset in the block.
   */
  mem(align = 1): { text: string; offset: number } {
    const form = this.rng.below(6);
    // A 0x67 prefix now and then: 32-bit address registers (the scratch block lies below 4 GiB).
    const names = this.rng.chance(0.15) ? REG32 : REG64;
    // An FS/GS override now and then: the base register points below the block by the segment base.
    const seg = form <= 3 && this.rng.chance(0.1) ? this.rng.pick(['fs', 'gs'] as const) : null;
    const segBase = seg ? SEGMENT_BASES[seg] : 0;
    const prefix = seg ? `%${seg}:` : '';
    let disp = form === 0 ? this.rng.range(-100, 100) : this.rng.range(-64, 56);
    let offset: number;
    if (form === 5) {
      // RIP-relative: the displacement is the scratch symbol's own.
      offset = SCRATCH_CENTER + disp;
      offset -= offset % align;
      return { text: `s${this.index}+${offset}(%${names === REG32 ? 'eip' : 'rip'})`, offset };
    }
    if (form <= 1) {
      // disp(base) or (base): rbp/r13 force a displacement, rsp/r12 force a SIB byte. A base
      // far below the block with a large displacement exercises disp32.
      const far = form === 0 && this.rng.chance(0.3) ? this.rng.range(200, 100000) : 0;
      const base = this.addressReg(SCRATCH_CENTER - far - segBase);
      if (form === 1 && far === 0 && this.rng.chance(0.5)) disp = 0;
      offset = SCRATCH_CENTER + disp;
      disp -= offset % align;
      offset -= offset % align;
      return { text: `${prefix}${disp + far === 0 ? '' : disp + far}(%${names[base]})`, offset };
    }
    const index = this.addressReg(null);
    const scale = this.rng.pick([1, 2, 4, 8]);
    const idx = this.rng.below(8);
    this.setReg(index, BigInt(idx));
    offset = SCRATCH_CENTER + disp + idx * scale;
    disp -= offset % align;
    offset -= offset % align;
    if (form === 4) {
      // No base: an absolute 32-bit displacement (static, non-PIE binaries sit below 2 GiB).
      return { text: `s${this.index}+${offset - idx * scale}(,%${names[index]},${scale})`, offset };
    }
    const base = this.addressReg(SCRATCH_CENTER - segBase);
    return { text: `${prefix}${disp}(%${names[base]},%${names[index]},${scale})`, offset };
  }

  /**
   * Picks a register for an address. A base (scratchOffset given) is pinned to that offset
   * in the scratch block and may be RSP, which already points at the center; an index
   * (null) is never RSP.
   */
  private addressReg(scratchOffset: number | null): number {
    for (;;) {
      const num = this.rng.below(16);
      if (num === RSP) {
        if (scratchOffset === SCRATCH_CENTER && this.rng.chance(0.3)) return num;
        continue;
      }
      if (this.pinned.has(num) || this.used.has(num)) continue;
      if (num >= 8 && this.usesHigh8) continue;
      if (num >= 8) this.usesRex = true;
      this.pinned.add(num);
      if (scratchOffset !== null) this.regs[num] = { scratch: scratchOffset };
      return num;
    }
  }

  /** Writes a little-endian value of `size` bits into the scratch block. */
  poke(offset: number, v: bigint, size: number): void {
    for (let i = 0; i < size / 8; i++) this.scratch[offset + i] = Number((v >> BigInt(8 * i)) & 0xffn);
  }

  peek(offset: number, size: number): bigint {
    let v = 0n;
    for (let i = size / 8 - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.scratch[offset + i]!);
    return v;
  }

  /** A random immediate for an operation of this size, as GNU as accepts it. */
  imm(size: Size, preferByte = this.rng.chance(0.5)): bigint {
    if (preferByte) return BigInt(this.rng.range(-128, 127));
    const bits = size === 64 ? 32 : size;
    const v = this.value() & mask(bits);
    return size === 64 ? toSigned(v, 32) : v;
  }

  build(group: string): DiffCase {
    return {
      index: this.index,
      group,
      lines: this.lines,
      regs: this.regs,
      flags: this.flags,
      scratch: this.scratch,
      scratchLabels: this.scratchLabels,
      undefinedFlags: this.undefinedFlags,
      undefinedRegs: this.undefinedRegs,
    };
  }
}

/** A register-or-memory operand: its text, and either its register or its scratch offset. */
interface Operand {
  text: string;
  reg?: { num: number; high: boolean };
  offset?: number;
}

/** A register-or-memory operand of `size` bits. */
function rm(b: CaseBuilder, size: Size, memory: boolean, align = 1): Operand {
  if (memory) return b.mem(align);
  const r = b.reg(size);
  return { text: r.text, reg: r };
}

/** The starting value of an operand returned by rm(). */
function operandValue(b: CaseBuilder, op: Operand, size: Size): bigint {
  return op.reg ? b.operandValue(op.reg, size) : b.peek(op.offset!, size);
}

/** Sets the starting value of an operand returned by rm(). */
function setOperand(b: CaseBuilder, op: Operand, v: bigint, size: Size): void {
  if (!op.reg) b.poke(op.offset!, v, size);
  else if (op.reg.high) b.setReg(op.reg.num, (b.regValue(op.reg.num) & ~0xff00n) | ((v & 0xffn) << 8n));
  else b.setRegLow(op.reg.num, v, size);
}

function immText(v: bigint): string {
  return `$${v}`;
}

// ---- instruction groups -------------------------------------------------------------------

type Template = (b: CaseBuilder) => void;

const alu: Template = (b) => {
  const op = b.rng.pick(['add', 'adc', 'sub', 'sbb', 'cmp', 'and', 'or', 'xor', 'test']);
  const size = b.rng.pick(SIZES);
  if (size === 64) b.rexW();
  const form = b.rng.below(5);
  const s = SUFFIX[size];
  if (form === 0) b.lines = [`${op}${s} ${b.reg(size).text}, ${b.reg(size).text}`];
  else if (form === 1) b.lines = [`${op}${s} ${immText(b.imm(size))}, ${b.rng.chance(0.3) ? accumulator(b, size) : b.reg(size).text}`];
  else if (form === 2 && op !== 'test') b.lines = [`${op}${s} ${b.mem().text}, ${b.reg(size).text}`];
  else if (form === 3 || form === 2) b.lines = [`${lockable(b, op)}${op}${s} ${b.reg(size).text}, ${b.mem().text}`];
  else b.lines = [`${lockable(b, op)}${op}${s} ${immText(b.imm(size))}, ${b.mem().text}`];
  if (op === 'and' || op === 'or' || op === 'xor' || op === 'test') b.undefinedFlags = AF;
};

/** Sometimes a LOCK prefix, for read-modify-write instructions with a memory destination. */
function lockable(b: CaseBuilder, op: string): string {
  return op !== 'cmp' && op !== 'test' && op !== 'bt' && b.rng.chance(0.2) ? 'lock ' : '';
}

function accumulator(b: CaseBuilder, size: Size): string {
  return `%${size === 8 ? 'al' : size === 16 ? 'ax' : size === 32 ? 'eax' : 'rax'}`;
}

const unary: Template = (b) => {
  const op = b.rng.pick(['inc', 'dec', 'neg', 'not']);
  const size = b.rng.pick(SIZES);
  if (size === 64) b.rexW();
  const dst = rm(b, size, b.rng.chance(0.4));
  b.lines = [`${dst.offset !== undefined ? lockable(b, op) : ''}${op}${SUFFIX[size]} ${dst.text}`];
};

/** A shift/rotate count: the implicit 1, an imm8, or CL. Returns the operand prefix and the raw count. */
function shiftCount(b: CaseBuilder, allowOne: boolean): { prefix: string; count: number } {
  const form = b.rng.below(allowOne ? 3 : 2);
  if (form === 2) return { prefix: '', count: 1 };
  const count = b.rng.chance(0.3) ? b.rng.range(0, 2) : b.rng.range(0, 70) & 0xff;
  if (form === 0) return { prefix: `$${count}, `, count };
  b.setRegLow(1, BigInt(b.rng.chance(0.8) ? count : b.rng.below(256)), 8);
  return { prefix: '%cl, ', count: Number(b.regValue(1) & 0xffn) };
}

const shift: Template = (b) => {
  const op = b.rng.pick(['shl', 'sal', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr']);
  const size = b.rng.pick(SIZES);
  if (size === 64) b.rexW();
  const { prefix, count } = shiftCount(b, true);
  if (prefix === '%cl, ') b.reserve(1);
  const dst = rm(b, size, b.rng.chance(0.4));
  b.lines = [`${op}${SUFFIX[size]} ${prefix}${dst.text}`];
  const c = count & (size === 64 ? 63 : 31);
  if (c === 0) return;
  if (op === 'rol' || op === 'ror' || op === 'rcl' || op === 'rcr') {
    if (c !== 1) b.undefinedFlags = OF;
  } else {
    b.undefinedFlags = AF | (c !== 1 ? OF : 0) | ((op === 'shl' || op === 'sal' || op === 'shr') && c >= size ? CF : 0);
  }
};

const doubleShift: Template = (b) => {
  const op = b.rng.pick(['shld', 'shrd']);
  const size = b.rng.pick(WIDE_SIZES);
  if (size === 64) b.rexW();
  let { prefix, count } = shiftCount(b, false);
  if (size === 16 && (count & 31) > 16) {
    // A count above the operand size leaves the result undefined; keep 16-bit counts in range.
    count = count & 15;
    if (prefix === '%cl, ') b.setRegLow(1, BigInt(count), 8);
    else prefix = `$${count}, `;
  }
  if (prefix === '%cl, ') b.reserve(1);
  const dst = rm(b, size, b.rng.chance(0.4));
  b.lines = [`${op}${SUFFIX[size]} ${prefix}${b.reg(size).text}, ${dst.text}`];
  const c = count & (size === 64 ? 63 : 31);
  if (c !== 0) b.undefinedFlags = AF | (c !== 1 ? OF : 0);
};

const multiply: Template = (b) => {
  const form = b.rng.below(4);
  const size = form === 0 ? b.rng.pick(SIZES) : b.rng.pick(WIDE_SIZES);
  if (size === 64) b.rexW();
  const s = SUFFIX[size];
  b.undefinedFlags = SF | ZF | AF | PF;
  if (form === 0) {
    b.lines = [`${b.rng.pick(['mul', 'imul'])}${s} ${rm(b, size, b.rng.chance(0.4)).text}`];
  } else if (form === 1) {
    b.lines = [`imul${s} ${rm(b, size, b.rng.chance(0.4)).text}, ${b.reg(size).text}`];
  } else {
    const imm = form === 2 ? BigInt(b.rng.range(-128, 127)) : b.imm(size, false);
    b.lines = [`imul${s} $${imm}, ${rm(b, size, b.rng.chance(0.4)).text}, ${b.reg(size).text}`];
  }
};

const divide: Template = (b) => {
  const signed = b.rng.chance(0.5);
  const size = b.rng.pick(SIZES);
  if (size === 64) b.rexW();
  b.reserve(0, 2);
  b.undefinedFlags = STATUS_FLAGS;
  const divisorOperand: Operand = b.rng.chance(0.4) ? b.mem() : rm(b, size, false);
  const n = BigInt(size);
  let dividend: bigint;
  let divisor: bigint;
  if (!signed) {
    divisor = b.value() & mask(size) || 1n;
    const hi = (b.value() & mask(size)) % divisor;
    dividend = (hi << n) | (b.value() & mask(size));
  } else {
    divisor = toSigned(b.value() & mask(size), size) || -1n;
    // The quotient -2^(size-1) is legal on paper but close to the #DE edge; stay inside it.
    let quotient = toSigned(b.value() & mask(size), size);
    if (quotient === -(1n << (n - 1n))) quotient += 1n;
    const product = quotient * divisor;
    const abs = divisor < 0n ? -divisor : divisor;
    const r = (b.value() & mask(size)) % abs;
    const sign = product > 0n ? 1n : product < 0n ? -1n : b.rng.chance(0.5) ? 1n : -1n;
    dividend = product + sign * r;
  }
  setOperand(b, divisorOperand, divisor, size);
  const wide = BigInt.asUintN(2 * size, dividend);
  if (size === 8) b.setRegLow(0, wide, 16);
  else {
    b.setRegLow(0, wide & mask(size), size);
    b.setRegLow(2, wide >> n, size);
  }
  b.lines = [`${signed ? 'idiv' : 'div'}${SUFFIX[size]} ${divisorOperand.text}`];
};

const move: Template = (b) => {
  const form = b.rng.below(10);
  const size = b.rng.pick(SIZES);
  const s = SUFFIX[size];
  if (form <= 4 && size === 64) b.rexW();
  switch (form) {
    case 0:
      b.lines = [`mov${s} ${rm(b, size, b.rng.chance(0.5)).text}, ${b.reg(size).text}`];
      return;
    case 1:
      b.lines = [`mov${s} ${b.reg(size).text}, ${b.mem().text}`];
      return;
    case 2:
      if (size === 64 && b.rng.chance(0.5)) b.lines = [`movabsq $${b.value()}, ${b.reg(64).text}`];
      else b.lines = [`mov${s} $${b.imm(size)}, ${rm(b, size, b.rng.chance(0.4)).text}`];
      return;
    case 3: {
      // moffs forms: the accumulator and an absolute 64-bit address.
      const offset = SCRATCH_CENTER + b.rng.range(-64, 56);
      const acc = accumulator(b, size);
      b.reserve(0);
      b.lines = [b.rng.chance(0.5) ? `movabs s${b.index}+${offset}, ${acc}` : `movabs ${acc}, s${b.index}+${offset}`];
      return;
    }
    case 4: {
      // LEA computes without accessing memory: half the time from arbitrary register values.
      const wide = b.rng.pick(WIDE_SIZES);
      if (wide === 64) b.rexW();
      b.lines = [`lea${SUFFIX[wide]} ${b.rng.chance(0.5) ? b.mem().text : addressArithmetic(b)}, ${b.reg(wide).text}`];
      return;
    }
    case 5:
    case 6: {
      const [from, to] = b.rng.pick([[8, 16], [8, 32], [8, 64], [16, 32], [16, 64]] as Array<[Size, Size]>);
      if (to === 64) b.rexW();
      const op = `mov${form === 5 ? 'z' : 's'}${SUFFIX[from]}${SUFFIX[to]}`;
      b.lines = [`${op} ${rm(b, from, b.rng.chance(0.4)).text}, ${b.reg(to).text}`];
      return;
    }
    case 7:
      b.rexW();
      b.lines = [`movslq ${rm(b, 32, b.rng.chance(0.4)).text}, ${b.reg(64).text}`];
      return;
    case 8: {
      const wide = b.rng.pick(WIDE_SIZES.slice(1));
      if (wide === 64) b.rexW();
      b.lines = [`bswap ${b.reg(wide).text}`];
      return;
    }
    default:
      b.lines = [`xchg${s} ${b.reg(size).text}, ${b.rng.chance(0.4) ? b.mem().text : b.rng.chance(0.3) ? accumulator(b, size) : b.reg(size).text}`];
  }
};

/** An address expression over arbitrary register values, for LEA (nothing is accessed). */
function addressArithmetic(b: CaseBuilder): string {
  const base = b.reg(64).text;
  const disp = b.rng.chance(0.5) ? b.rng.range(-128, 127) : Number(BigInt.asIntN(32, b.value()));
  if (b.rng.chance(0.3)) return `${disp}(${base})`;
  const index = b.reg(64, { avoid: [RSP] }).text;
  return `${disp}(${base},${index},${b.rng.pick([1, 2, 4, 8])})`;
}

const exchange: Template = (b) => {
  const size = b.rng.pick(SIZES);
  if (size === 64) b.rexW();
  const s = SUFFIX[size];
  const form = b.rng.below(3);
  if (form === 0) {
    const src = b.reg(size);
    const dst = rm(b, size, b.rng.chance(0.5));
    b.lines = [`${dst.offset !== undefined ? lockable(b, 'xadd') : ''}xadd${s} ${src.text}, ${dst.text}`];
    return;
  }
  if (form === 1) {
    b.reserve(0);
    const dst = rm(b, size, b.rng.chance(0.5));
    const src = b.reg(size, { avoid: [0] });
    if (b.rng.chance(0.5)) b.setRegLow(0, operandValue(b, dst, size), size);
    b.lines = [`${dst.offset !== undefined ? lockable(b, 'cmpxchg') : ''}cmpxchg${s} ${src.text}, ${dst.text}`];
    return;
  }
  // CMPXCHG8B / CMPXCHG16B: EDX:EAX (RDX:RAX) against memory; ECX:EBX (RCX:RBX) is stored on a match.
  const wide = b.rng.chance(0.5);
  const half = wide ? 64 : 32;
  b.reserve(0, 1, 2, 3);
  const m = b.mem(wide ? 16 : 1);
  if (b.rng.chance(0.5)) {
    b.setRegLow(0, b.peek(m.offset, half), half);
    b.setRegLow(2, b.peek(m.offset + half / 8, half), half);
  }
  b.lines = [`${wide ? 'cmpxchg16b' : 'cmpxchg8b'} ${m.text}`];
};

const stack: Template = (b) => {
  const form = b.rng.below(9);
  const word = b.rng.chance(0.25);
  const size: Size = word ? 16 : 64;
  const s = word ? 'w' : 'q';
  const t = b.target;
  switch (form) {
    case 0:
      b.lines = [`push${s} ${b.rng.chance(0.6) ? b.reg(size).text : b.mem().text}`];
      return;
    case 1:
      b.lines = [`push${s} $${word ? b.imm(16) : b.imm(64)}`];
      return;
    case 2:
      b.lines = [`pop${s} ${b.rng.chance(0.6) ? b.reg(size).text : b.mem().text}`];
      return;
    case 3: {
      // Direct and indirect calls; the callee is the next instruction.
      const how = b.rng.below(3);
      if (how === 0) b.lines = [`call ${t}`, `${t}:`];
      else if (how === 1) {
        const r = b.reg(64);
        b.regs[r.num] = { label: t };
        b.lines = [`call *${r.text}`, `not %r15`, `${t}:`];
      } else {
        const m = b.mem();
        b.scratchLabels.push({ offset: m.offset, label: t });
        b.lines = [`call *${m.text}`, `not %r15`, `${t}:`];
      }
      b.reserve(15);
      return;
    }
    case 4: {
      b.scratchLabels.push({ offset: SCRATCH_CENTER, label: t });
      b.reserve(15);
      b.lines = [b.rng.chance(0.5) ? 'ret' : `ret $${b.rng.range(0, 6) * 8}`, 'not %r15', `${t}:`];
      return;
    }
    case 5: {
      b.regs[5] = { scratch: SCRATCH_CENTER + 8 * b.rng.range(-4, 4) };
      b.reserve(5);
      b.lines = [`enterq $${b.rng.range(0, 40)}, $${b.rng.range(0, 3)}`];
      return;
    }
    case 6:
      b.regs[5] = { scratch: SCRATCH_CENTER + 8 * b.rng.range(-4, 4) };
      b.reserve(5);
      b.lines = ['leaveq'];
      return;
    case 7:
      b.lines = [word ? 'pushfw' : 'pushfq'];
      return;
    default: {
      // POPF of a value with only status flags and DF changed: TF, AC, ID stay clear.
      b.poke(SCRATCH_CENTER, BigInt((b.rng.u32() & COMPARED_FLAGS) | 0x202), word ? 16 : 64);
      b.lines = [word ? 'popfw' : 'popfq'];
    }
  }
};

const branch: Template = (b) => {
  const t = b.target;
  const far = b.rng.chance(0.25) ? ['.fill 130, 1, 0x90'] : [];
  b.reserve(15);
  const form = b.rng.below(6);
  if (form <= 1) {
    b.lines = [`j${b.rng.pick(CONDITIONS)} ${t}`, 'not %r15', ...far, `${t}:`];
  } else if (form === 2) {
    b.reserve(1);
    const op = b.rng.pick(['loop', 'loope', 'loopne', 'jrcxz', 'jecxz']);
    const r = b.rng.below(4);
    b.setReg(1, r === 0 ? 0n : r === 1 ? 1n : r === 2 ? 0x100000000n : b.value());
    b.lines = [`${op} ${t}`, 'not %r15', `${t}:`];
  } else if (form === 3) {
    b.lines = [`jmp ${t}`, 'not %r15', ...far, `${t}:`];
  } else if (form === 4) {
    const r = b.reg(64);
    b.regs[r.num] = { label: t };
    b.lines = [`jmp *${r.text}`, 'not %r15', `${t}:`];
  } else {
    const m = b.mem();
    b.scratchLabels.push({ offset: m.offset, label: t });
    b.lines = [`jmp *${m.text}`, 'not %r15', `${t}:`];
  }
};

const conditional: Template = (b) => {
  const cc = b.rng.pick(CONDITIONS);
  if (b.rng.chance(0.5)) {
    b.lines = [`set${cc} ${rm(b, 8, b.rng.chance(0.4)).text}`];
    return;
  }
  const size = b.rng.pick(WIDE_SIZES);
  if (size === 64) b.rexW();
  b.lines = [`cmov${cc} ${rm(b, size, b.rng.chance(0.4)).text}, ${b.reg(size).text}`];
};

const bitTest: Template = (b) => {
  const op = b.rng.pick(['bt', 'bts', 'btr', 'btc']);
  const size = b.rng.pick(WIDE_SIZES);
  if (size === 64) b.rexW();
  b.undefinedFlags = OF | SF | AF | PF;
  const s = SUFFIX[size];
  const memory = b.rng.chance(0.5);
  if (b.rng.chance(0.5)) {
    b.lines = [`${memory ? lockable(b, op) : ''}${op}${s} $${b.rng.below(256)}, ${rm(b, size, memory).text}`];
    return;
  }
  if (memory) {
    // A register bit offset reaches memory outside the operand: keep it inside the block.
    const offsetReg = b.reg(size);
    b.setReg(offsetReg.num, BigInt(b.rng.range(-128, 127)));
    b.lines = [`${lockable(b, op)}${op}${s} ${offsetReg.text}, ${b.mem().text}`];
    return;
  }
  b.lines = [`${op}${s} ${b.reg(size).text}, ${b.reg(size).text}`];
};

const bitScan: Template = (b) => {
  const op = b.rng.pick(['bsf', 'bsr', 'popcnt', 'lzcnt', 'tzcnt']);
  const size = b.rng.pick(WIDE_SIZES);
  if (size === 64) b.rexW();
  const src = rm(b, size, b.rng.chance(0.4));
  if (b.rng.chance(0.2)) setOperand(b, src, 0n, size);
  const dst = b.reg(size);
  b.lines = [`${op}${SUFFIX[size]} ${src.text}, ${dst.text}`];
  if (op === 'bsf' || op === 'bsr') {
    b.undefinedFlags = CF | OF | SF | AF | PF;
    // The destination is undefined (Intel) or unchanged (AMD) when the source is zero.
    if (operandValue(b, src, size) === 0n) b.undefinedRegs = 1 << dst.num;
  } else if (op !== 'popcnt') {
    b.undefinedFlags = OF | SF | AF | PF;
  }
};

const strings: Template = (b) => {
  const op = b.rng.pick(['movs', 'stos', 'lods', 'scas', 'cmps']);
  const size = b.rng.pick(SIZES);
  b.reserve(0, 1, 6, 7);
  const source = SCRATCH_CENTER + b.rng.range(-32, 32);
  // Equal pointers make CMPS compare equal all the way, so REPE runs to the end.
  const destination = op === 'cmps' && b.rng.chance(0.3) ? source : SCRATCH_CENTER + b.rng.range(-32, 32);
  b.regs[6] = { scratch: source };
  b.regs[7] = { scratch: destination };
  const prefix = b.rng.pick(op === 'scas' || op === 'cmps' ? ['', 'repe ', 'repne '] : ['', 'rep ']);
  b.setReg(1, prefix ? BigInt(b.rng.range(0, 8)) : b.value());
  // SCAS finds its value at the first element now and then, so REPE/REPNE stop early.
  if (op === 'scas' && b.rng.chance(0.3)) b.setRegLow(0, b.peek(destination, size), size);
  if (b.rng.chance(0.4)) b.flags |= DF;
  // With 0x67 the string instruction uses ESI, EDI and ECX only (the scratch block lies below
  // 4 GiB): garbage in their upper halves must not matter.
  const addr32 = b.rng.chance(0.2);
  // The source (DS:RSI) takes a segment override; the destination (ES:RDI) cannot.
  const seg = (op === 'movs' || op === 'lods' || op === 'cmps') && b.rng.chance(0.2) ? b.rng.pick(['fs', 'gs'] as const) : null;
  const sourceBase = source - (seg ? SEGMENT_BASES[seg] : 0);
  const upper = () => (addr32 ? b.rng.range(1, 0xffff) * 2 ** 32 : 0);
  b.regs[6] = { scratch: sourceBase + upper() };
  b.regs[7] = { scratch: destination + upper() };
  if (addr32) b.setReg(1, b.regValue(1) | (BigInt(b.rng.range(1, 0xffff)) << 32n));
  b.lines = [`${addr32 ? 'addr32 ' : ''}${seg ? `${seg} ` : ''}${prefix}${op}${SUFFIX[size]}`];
};

const misc: Template = (b) => {
  const op = b.rng.pick(['cbtw', 'cwtl', 'cltq', 'cwtd', 'cltd', 'cqto', 'lahf', 'sahf', 'clc', 'stc', 'cmc', 'cld', 'std', 'xlat', 'nop']);
  if (op === 'xlat') {
    b.reserve(0, 3);
    const seg = b.rng.chance(0.2) ? b.rng.pick(['fs', 'gs'] as const) : null;
    b.regs[3] = { scratch: 64 - (seg ? SEGMENT_BASES[seg] : 0) };
    b.setRegLow(0, BigInt(b.rng.below(128)), 8);
    b.lines = [seg ? `${seg} xlatb` : 'xlatb'];
    return;
  }
  if (op === 'nop') {
    b.lines = [b.rng.pick(['nop', 'xchg %ax, %ax', 'nopw %ax', 'nopl (%rax)', 'nopl 0x0(%rax,%rax,1)', 'nopw 0x0(%rax,%rax,1)', 'nopw %cs:0x0(%rax,%rax,1)', 'data16 nop'])];
    return;
  }
  b.lines = [op];
};

/**
 * Forms the `table` group cannot run as a lone random instruction: control flow, string
 * instructions and XLAT (pointers and counts would be random), division (#DE), CMPXCHG16B
 * (alignment), POPF (TF), and the system instructions (CPUID and RDTSC differ from the host
 * by design; the rest are privileged or stop the run). The templates above cover most.
 */
const TABLE_EXCLUDED = new Set(['div', 'idiv', 'jcc', 'call', 'callind', 'jmp', 'jmpind', 'ret', 'loop', 'jrcxz', 'enter', 'leave', 'movs', 'cmps', 'stos', 'lods', 'scas', 'xlat', 'cmpxchg16b', 'popf', 'cpuid', 'rdtsc', 'ud2', 'int3', 'int', 'hlt', 'syscall', 'sysret', 'swapgs', 'wrmsr', 'rdmsr']);
const TABLE_FORMS = FORMS.filter((f) => !f.privileged && !TABLE_EXCLUDED.has(f.exec) && f.operands.every((o) => o.kind !== 'rel' && o.kind !== 'moffs'));

/**
 * Any form of the instruction table, encoded straight from the table as `.byte`s: random
 * registers (REX always present, so 8-bit registers 4-7 are SPL..DIL), memory as
 * disp8(base) into the scratch block, random immediates. New table entries are tested
 * without a template. Flags masked are the table's own `flagsUndefined`.
 */
const tableForm: Template = (b) => encodeForm(b, b.rng.pick(TABLE_FORMS));

/** True for the forms the `table` group runs; the rest are unit-tested in test/cpu/core-*. */
export function randomlyTestable(form: InsnForm): boolean {
  return TABLE_FORMS.includes(form);
}

function encodeForm(b: CaseBuilder, form: InsnForm): void {
  const hasMemOnly = form.operands.some((o) => o.kind === 'mem');
  const bitOffsetInReg = form.exec === 'bt' && form.operands[1]?.kind === 'reg';
  const memory = hasMemOnly || (form.operands.some((o) => o.kind === 'rm') && !bitOffsetInReg && b.rng.chance(0.4));
  let rex = form.rexW ? 0x48 : 0x40;
  let regField = form.ext ?? 0;
  let modrm = -1;
  let opreg = 0;
  let disp: number | null = null;
  const imms: number[] = [];
  const pick = (): number => b.reg(64, { allowHigh: false }).num;
  let base = -1;
  let regOperand = -1;
  let rmOperand = -1;
  if (memory) {
    // Not RSP/R12 (they need a SIB byte with mod 01), not a fixed register operand (CL counts).
    const fixed = form.operands.filter((o) => o.kind === 'fixed').map((o) => o.reg);
    base = b.rng.pick([0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15].filter((r) => !fixed.includes(r)));
    b.regs[base] = { scratch: SCRATCH_CENTER };
    b.reserve(base);
    disp = b.rng.range(-64, 56);
  }
  for (const op of form.operands) {
    if (op.kind === 'reg') {
      regOperand = pick();
      regField = regOperand & 7;
      rex |= (regOperand >> 3) << 2;
    } else if (op.kind === 'rm' || op.kind === 'mem' || op.kind === 'regonly') {
      if (memory && op.kind !== 'regonly') {
        modrm = 0x40 | (base & 7);
        rex |= base >> 3;
      } else {
        rmOperand = pick();
        modrm = 0xc0 | (rmOperand & 7);
        rex |= rmOperand >> 3;
      }
    } else if (op.kind === 'opreg') {
      opreg = pick();
      rex |= opreg >> 3;
    } else if (op.kind === 'imm') {
      const bytes = (op.immSize ?? op.size) / 8;
      for (let i = 0; i < bytes; i++) imms.push(b.rng.chance(0.3) ? b.rng.pick([0, 0xff, 0x80, 0x7f, 1]) : b.rng.below(256));
    }
  }
  if ((form.exec === 'shld' || form.exec === 'shrd') && form.size === 16) {
    // Counts above the operand size leave result and flags undefined: keep them in range.
    if (imms.length) imms[0] = b.rng.range(0, 16);
    else b.setRegLow(1, BigInt(b.rng.range(0, 16)), 8);
  }
  const bytes: number[] = [];
  if (form.opsizePrefix) bytes.push(0x66);
  if (form.prefix) bytes.push(form.prefix);
  const operandless = !form.rexW && form.operands.every((o) => o.kind === 'fixed' || o.kind === 'imm' || o.kind === 'one');
  if (!operandless) bytes.push(rex);
  bytes.push(...opcodeBytes(form, opreg));
  if (form.modrm && form.modrmByte === undefined) bytes.push((modrm < 0 ? 0xc0 : modrm) | ((regField & 7) << 3));
  if (disp !== null) bytes.push(disp & 0xff);
  bytes.push(...imms);
  b.undefinedFlags = form.flagsUndefined & STATUS_FLAGS;
  if ((form.exec === 'bsf' || form.exec === 'bsr') && regOperand >= 0) {
    const source = memory ? b.peek(SCRATCH_CENTER + disp!, form.size) : b.regValue(rmOperand) & mask(form.size);
    if (source === 0n) b.undefinedRegs = 1 << regOperand;
  }
  const text = disassemble(Uint8Array.from(bytes), 0)?.text ?? form.mnemonic;
  b.lines = [`.byte ${bytes.map((x) => `0x${x.toString(16)}`).join(',')}  # ${text.replace(/\s+/g, ' ')}`];
}

export const GROUPS: Record<string, Template> = {
  alu,
  unary,
  shift,
  'double-shift': doubleShift,
  multiply,
  divide,
  move,
  exchange,
  stack,
  branch,
  conditional,
  'bit-test': bitTest,
  'bit-scan': bitScan,
  strings,
  misc,
  table: tableForm,
};

/** One `table` case per runnable form of the instruction table, in table order: every form, every run. */
export function tableSweep(seed: number): DiffCase[] {
  const rng = new Rng(seed);
  return TABLE_FORMS.map((form, i) => {
    const b = new CaseBuilder(rng, i);
    encodeForm(b, form);
    return b.build('table');
  });
}

/** Generates `count` cases from `seed`, cycling through the groups so each gets its share. */
export function generateCases(seed: number, count: number, groups: readonly string[] = Object.keys(GROUPS)): DiffCase[] {
  for (const g of groups) if (!GROUPS[g]) throw new Error(`unknown instruction group "${g}"; known: ${Object.keys(GROUPS).join(', ')}`);
  const rng = new Rng(seed);
  const cases: DiffCase[] = [];
  for (let i = 0; i < count; i++) {
    const group = groups[i % groups.length]!;
    const b = new CaseBuilder(rng, i);
    GROUPS[group]!(b);
    cases.push(b.build(group));
  }
  return cases;
}
