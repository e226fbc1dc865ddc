// The encoder: turns one machine instruction (an Intel mnemonic, an operand size and
// operands in Intel order, destination first) into bytes, driven by the instruction table
// (table.ts) that also drives the decoder and disassembler. The Plan 9 assembler is its
// client.
//
// Choosing among valid encodings: every table form of the mnemonic that accepts the
// operands is encoded and the shortest wins; on a tie the smaller immediate field, then the
// earlier table row wins. That is
// the choice GNU `as` makes for every form the assembler emits: reg,reg uses the r/m,reg
// ("store") opcode (89, 01 …, listed first), an immediate that fits a signed byte uses the
// imm8 form, otherwise the accumulator short form, MOV of a 64-bit constant uses the
// sign-extended imm32 form (C7) when it fits and movabs otherwise, 32-bit MOV to a register
// uses B8+r, a shift by one uses D1 /n. test/asm/encoder.test.ts checks every form the
// assembler can emit against GNU `as`. moffs forms (A0-A3) are never chosen.
//
// Invariants: `encode` never writes bytes for operands no form accepts (it throws
// EncodeError naming what was given); register numbers are 0..15 in hardware order (AX CX
// DX BX SP BP SI DI R8..R15); byte registers 4..7 mean SPL BPL SIL DIL and always get a REX
// prefix (AH..BH are not encodable); immediates are bigint.
import { formsOf, opcodeBytes, type InsnForm, type Operand as FormOperand } from './table.ts';

export type OperandSize = 1 | 2 | 4 | 8;

export type MachineOperand =
  | { kind: 'reg'; reg: number; size: OperandSize }
  | { kind: 'imm'; value: bigint }
  | {
      kind: 'mem';
      /** Base register, or 'rip' for RIP-relative, or null for an absolute disp32. */
      base: number | 'rip' | null;
      index: number | null;
      scale: 1 | 2 | 4 | 8;
      disp: number;
      segment?: 'fs' | 'gs';
      /** Access size, when it differs from the operation size (MOVZX's byte or word source). */
      size?: OperandSize;
    }
  /** A branch displacement, relative to the end of the instruction. */
  | { kind: 'rel'; disp: number; width: 1 | 4 };

export class EncodeError extends Error {}

export interface Encoded {
  bytes: Uint8Array;
  form: InsnForm;
  /** Offset and width of the displacement field (memory disp8/disp32 or branch rel), if any. */
  dispAt?: number;
  dispWidth?: 1 | 4;
  /** Offset and width of the immediate field, if any. */
  immAt?: number;
  immWidth?: 1 | 2 | 4 | 8;
}

/** Reads an immediate as a `bits`-bit two's complement value, or null when it does not fit in `bits` bits at all. */
function truncate(value: bigint, bits: number): bigint | null {
  if (value < -(1n << BigInt(bits - 1)) || value >= 1n << BigInt(bits)) return null;
  return BigInt.asIntN(bits, value);
}

/** True when `value`, taken as a `size`-bit operand, is what an `immSize`-bit field sign-extends to. */
function immediateFits(value: bigint, size: number, immSize: number): boolean {
  const v = truncate(value, size);
  return v !== null && v >= -(1n << BigInt(immSize - 1)) && v < 1n << BigInt(immSize - 1 + (immSize === size ? 1 : 0));
}

function accepts(o: FormOperand, op: MachineOperand): boolean {
  switch (o.kind) {
    case 'reg':
    case 'opreg':
    case 'regonly':
      return op.kind === 'reg' && op.size * 8 === o.size;
    case 'fixed':
      return op.kind === 'reg' && op.size * 8 === o.size && op.reg === o.reg;
    case 'rm':
    case 'mem':
      if (op.kind === 'mem') return op.size === undefined || op.size * 8 === o.size;
      return o.kind === 'rm' && op.kind === 'reg' && op.size * 8 === o.size;
    case 'imm':
      return op.kind === 'imm' && immediateFits(op.value, o.size, o.immSize!);
    case 'one':
      return op.kind === 'imm' && op.value === 1n;
    case 'rel':
      return op.kind === 'rel' && op.width * 8 === o.immSize;
    case 'moffs':
      return false;
  }
}

/** What decides whether two forms take the same operands with the same encoding length. */
function signature(f: InsnForm): string {
  const ops = f.operands.map((o) => `${o.kind}${o.size}/${o.immSize ?? ''}/${o.reg ?? ''}`).join(',');
  return `${ops}|${f.map}|${f.prefix ?? ''}|${f.modrmByte ?? ''}`;
}

/**
 * The table forms that can encode `mnemonic` with `size`-byte operands: moffs forms are
 * excluded, and so are aliases shadowed by an earlier form with the same operands and
 * encoding length (TEST's F6 /1 behind F6 /0), which the tie rule never picks.
 */
export function formsFor(mnemonic: string, size: OperandSize): InsnForm[] {
  const seen = new Set<string>();
  return formsOf(mnemonic).filter((f) => {
    if (f.operands.some((o) => o.kind === 'moffs')) return false;
    if (f.osz !== 0 ? f.osz !== size * 8 : f.size !== 0 && f.size !== size * 8) return false;
    const sig = signature(f);
    if (seen.has(sig)) return false;
    seen.add(sig);
    return true;
  });
}

function describe(op: MachineOperand): string {
  switch (op.kind) {
    case 'reg':
      return `reg${op.size * 8}`;
    case 'imm':
      return `$${op.value}`;
    case 'mem':
      return 'mem';
    case 'rel':
      return `rel${op.width * 8}`;
  }
}

export interface EncodeOptions {
  /** Add the LOCK prefix (F0); the form must be lockable and its destination memory. */
  lock?: boolean;
}

/** Encodes one instruction with the encoding GNU `as` chooses. `operands` are in Intel order. */
export function encode(mnemonic: string, size: OperandSize, operands: readonly MachineOperand[], opts: EncodeOptions = {}): Encoded {
  if (opts.lock && operands[0]?.kind !== 'mem') throw new EncodeError(`LOCK needs a memory destination`);
  let best: Encoded | null = null;
  for (const f of formsFor(mnemonic, size)) {
    if (f.operands.length !== operands.length || !f.operands.every((o, i) => accepts(o, operands[i]!))) continue;
    if (opts.lock && !f.lockable) continue;
    const e = encodeForm(f, operands, opts);
    if (!best || e.bytes.length < best.bytes.length || (e.bytes.length === best.bytes.length && (e.immWidth ?? 0) < (best.immWidth ?? 0))) best = e;
  }
  if (best) return best;
  if (formsOf(mnemonic).length === 0) throw new EncodeError(`the instruction table has no ${mnemonic}`);
  if (opts.lock) throw new EncodeError(`LOCK cannot prefix ${mnemonic}`);
  throw new EncodeError(`no ${size * 8}-bit encoding of ${mnemonic} takes (${operands.map(describe).join(', ') || 'no operands'})`);
}

function littleEndian(value: bigint, width: number): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(width * 8, value);
  for (let i = 0; i < width; i++) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}

interface ModRm {
  bytes: number[];
  rexX: boolean;
  rexB: boolean;
  dispAt?: number;
  dispWidth?: 1 | 4;
}

/** Encodes ModRM (+SIB, +displacement) for `rm`, with `regField` in ModRM.reg. */
function modrm(regField: number, rm: MachineOperand): ModRm {
  const reg = (regField & 7) << 3;
  if (rm.kind === 'reg') return { bytes: [0xc0 | reg | (rm.reg & 7)], rexX: false, rexB: rm.reg >= 8 };
  if (rm.kind !== 'mem') throw new EncodeError(`expected a register or memory operand, got ${describe(rm)}`);
  const disp32 = (d: number) => littleEndian(BigInt(d), 4);
  if (rm.base === 'rip') {
    if (rm.index !== null) throw new EncodeError('RIP-relative addressing cannot have an index register');
    return { bytes: [0x05 | reg, ...disp32(rm.disp)], rexX: false, rexB: false, dispAt: 1, dispWidth: 4 };
  }
  if (rm.index === 4) throw new EncodeError('SP cannot be an index register');
  const index = rm.index ?? 4;
  const ss = { 1: 0, 2: 1, 4: 2, 8: 3 }[rm.scale] << 6;
  const rexX = rm.index !== null && rm.index >= 8;
  if (rm.base === null) {
    // SIB with base 101 and mod 00: disp32 alone (absolute) or index*scale + disp32.
    return { bytes: [0x04 | reg, ss | ((index & 7) << 3) | 5, ...disp32(rm.disp)], rexX, rexB: false, dispAt: 2, dispWidth: 4 };
  }
  const base = rm.base;
  const needsSib = rm.index !== null || (base & 7) === 4;
  // BP and R13 have no mod-00 form as base (that encoding means RIP/disp32): use disp8 0.
  const mod = rm.disp === 0 && (base & 7) !== 5 ? 0 : rm.disp >= -128 && rm.disp <= 127 ? 1 : 2;
  const out = [(mod << 6) | reg | (needsSib ? 4 : base & 7)];
  if (needsSib) out.push(ss | ((index & 7) << 3) | (base & 7));
  const dispAt = out.length;
  if (mod === 1) out.push(rm.disp & 0xff);
  if (mod === 2) out.push(...disp32(rm.disp));
  const m: ModRm = { bytes: out, rexX, rexB: base >= 8 };
  if (mod !== 0) {
    m.dispAt = dispAt;
    m.dispWidth = mod === 1 ? 1 : 4;
  }
  return m;
}

/** Encodes `operands` with one table form (which must accept them). Prefix order is GNU's: segment, 66, F0, mandatory, REX. */
export function encodeForm(f: InsnForm, operands: readonly MachineOperand[], opts: EncodeOptions = {}): Encoded {
  let regField = f.ext ?? 0;
  let rm: MachineOperand | null = null;
  let opreg = 0;
  let rexR = false;
  let byteRex = false;
  const tail: number[] = [];
  let immAt = -1;
  let immWidth = 0;
  let relWidth = 0;
  f.operands.forEach((o, i) => {
    const op = operands[i]!;
    if (op.kind === 'reg' && op.size === 1 && op.reg >= 4 && op.reg <= 7) byteRex = true; // SPL BPL SIL DIL
    if (o.kind === 'reg' && op.kind === 'reg') {
      regField = op.reg;
      rexR = op.reg >= 8;
    } else if (o.kind === 'opreg' && op.kind === 'reg') opreg = op.reg;
    else if (o.kind === 'rm' || o.kind === 'mem' || o.kind === 'regonly') rm = op;
    else if (o.kind === 'imm' && op.kind === 'imm') {
      immAt = tail.length;
      immWidth = o.immSize! / 8;
      tail.push(...littleEndian(op.value, immWidth));
    } else if (o.kind === 'rel' && op.kind === 'rel') {
      relWidth = op.width;
      tail.push(...littleEndian(BigInt(op.disp), op.width));
    }
  });
  const m = rm && f.modrmByte === undefined ? modrm(regField, rm) : null;
  const rexB = m ? m.rexB : opreg >= 8;
  const rexX = m ? m.rexX : false;
  const out: number[] = [];
  const mem = operands.find((o) => o.kind === 'mem');
  if (mem?.kind === 'mem' && mem.segment) out.push(mem.segment === 'fs' ? 0x64 : 0x65);
  if (f.opsizePrefix) out.push(0x66);
  if (opts.lock) out.push(0xf0);
  if (f.prefix !== undefined) out.push(f.prefix);
  if (f.rexW || rexR || rexX || rexB || byteRex) out.push(0x40 | (f.rexW ? 8 : 0) | (rexR ? 4 : 0) | (rexX ? 2 : 0) | (rexB ? 1 : 0));
  out.push(...opcodeBytes(f, opreg));
  const result: Encoded = { bytes: new Uint8Array(0), form: f };
  if (m) {
    if (m.dispAt !== undefined) {
      result.dispAt = out.length + m.dispAt;
      result.dispWidth = m.dispWidth!;
    }
    out.push(...m.bytes);
  }
  if (relWidth) {
    result.dispAt = out.length;
    result.dispWidth = relWidth as 1 | 4;
  }
  if (immWidth) {
    result.immAt = out.length + immAt;
    result.immWidth = immWidth as 1 | 2 | 4 | 8;
  }
  out.push(...tail);
  result.bytes = Uint8Array.from(out);
  return result;
}
