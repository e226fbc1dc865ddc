// The Plan 9 assembler for amd64: source text in, an object (functions and data with
// relocations) out. It follows Go's assembler where the two meet:
//
// Symbols. `·Name` is `<pkg>.Name` (the package given in the options), `runtime·f` is
// `runtime.f`, a name without a dot is global as written, and `name<>` is local to its
// file. Labels are local to their TEXT block.
//
// Frames. `TEXT f(SB), flags, $frame-args`. With frame 0 nothing is inserted (NOFRAME,
// which says so explicitly, is refused with a larger frame, as textflag.h defines it).
// With frame > 0 the assembler inserts Go's amd64 frame setup: `PUSHQ BP; MOVQ SP, BP;
// SUBQ $frame, SP` at entry and `ADDQ $frame, SP; POPQ BP` before every RET. No stack
// split check is ever inserted (the machine's stacks are fixed; NOSPLIT is accepted and
// recorded). Pseudo-registers are then rewritten to hardware SP offsets, tracking PUSHQ
// and POPQ as Go does:
//   name+off(FP)  the argument slot at off, = (depth + 8 + off)(SP); the 8 is the return
//                 address. A name is required, off + access size must fit in the declared
//                 argument size, and one name keeps one offset within a function.
//   name-off(SP)  a local, -frame <= -off < 0, = (depth - bp + off)(SP), bp = 8 if BP was saved.
//   off(SP)       the hardware stack pointer.
// where depth is the number of bytes pushed since entry (BP, frame and PUSHQs).
//
// Addressing. `sym+off(SB)` is RIP-relative, or an absolute disp32 when it has an index
// register; `MOVQ $sym(SB), R` becomes `LEAQ sym(SB), R`; `off(GS)` is the GS-segment
// address off. Branches to labels are relaxed like GNU `as`: rel8 when the target is
// within reach, rel32 otherwise; branches and CALLs to symbols are always rel32.
//
// The source first goes through the preprocessor (preprocess.ts: #define, #ifdef …).
//
// Invariant: `assemble` either returns a complete object or throws an AsmError listing
// every problem found, each with file:line:col; there is no partial output.
import { parse, SyntaxError as PeggySyntaxError } from './plan9.parser.js';
import type { Loc, MemoryOperand, Operand, Statement } from './ast.ts';
import { AsmError, DiagnosticSink } from './errors.ts';
import { preprocess } from './preprocess.ts';
import { BYTE_REGISTERS, MNEMONICS, REGISTERS, TEXT_FLAGS, type Mnemonic } from './mnemonics.ts';
import { EncodeError, encode, type Encoded, type MachineOperand, type OperandSize } from '../cpu/encoder.ts';
import type { InsnForm } from '../cpu/table.ts';

export interface Reloc {
  /** Offset of the field inside its symbol. */
  offset: number;
  width: 4 | 8;
  /** pcrel: value = S + addend - P (P = the field's address); abs: value = S + addend. */
  kind: 'pcrel' | 'abs';
  sym: string;
  addend: number;
  loc: Loc;
}

/** One source statement's bytes inside a symbol, for listings and error positions. */
export interface SourceSpan {
  offset: number;
  length: number;
  line: number;
  /** The encoder forms used (empty for data). */
  forms: InsnForm[];
}

export interface ObjSymbol {
  name: string;
  kind: 'text' | 'data';
  /** textflag.h bits. */
  flags: number;
  local: boolean;
  readonly: boolean;
  bytes: Uint8Array;
  relocs: Reloc[];
  spans: SourceSpan[];
  /** TEXT labels and their offsets, in source order. */
  labels: Array<{ name: string; offset: number }>;
  /** TEXT's frame and argument sizes (args is null when not declared). */
  frame: number;
  args: number | null;
  loc: Loc;
}

export interface AsmObject {
  file: string;
  source: string;
  symbols: ObjSymbol[];
}

export interface AssembleOptions {
  /** File name used in error messages and listings. */
  file?: string;
  /** Package that `·name` belongs to (Go's import path); default "main". */
  pkg?: string;
}

type Insn = Extract<Statement, { kind: 'insn' }>;

/** Go's object-file name for a Plan 9 symbol: `·x` → `pkg.x`, `a·b` → `a.b`. */
export function symbolName(raw: string, pkg: string): string {
  const name = raw.startsWith('·') ? `${pkg}${raw}` : raw;
  return name.replace(/·/g, '.').replace(/∕/g, '/');
}

export function parseSource(source: string, file: string): Statement[] {
  try {
    return parse(source, { grammarSource: file }) as Statement[];
  } catch (err) {
    if (!(err instanceof PeggySyntaxError)) throw err;
    const sink = new DiagnosticSink(file, source);
    const expected = [
      ...new Set((err.expected ?? []).map((e) => (e.type === 'literal' ? JSON.stringify(e.text) : e.type === 'end' ? 'end of input' : (e.description ?? e.type)))),
    ];
    const found = err.found === null ? 'end of input' : err.found === '\n' ? 'end of line' : JSON.stringify(err.found);
    sink.error(
      { line: err.location.start.line, column: err.location.start.column },
      expected.length ? `expected ${expected.join(', ')} but found ${found}` : err.message,
    );
    throw new AsmError(sink.list);
  }
}

export function assemble(source: string, opts: AssembleOptions = {}): AsmObject {
  const file = opts.file ?? '<input>';
  const pkg = opts.pkg ?? 'main';
  const pre = preprocess(source);
  if (pre.errors.length) {
    const early = new DiagnosticSink(file, source);
    for (const e of pre.errors) early.error(e.loc, e.message);
    early.throwIfAny();
  }
  const statements = parseSource(pre.text, file);
  // Diagnostics quote the expanded line, so the caret points at what was parsed.
  const sink = new DiagnosticSink(file, pre.text);
  const symbols: ObjSymbol[] = [];
  const data = new DataCollector(sink, pkg);
  let fn: FunctionBuilder | null = null;
  const finish = () => {
    if (fn) symbols.push(fn.finish());
    fn = null;
  };
  for (const st of statements) {
    if (st.kind === 'include') {
      if (st.path !== 'textflag.h' && st.path !== 'go_asm.h' && st.path !== 'funcdata.h')
        sink.error(st.loc, `cannot include "${st.path}": only textflag.h, funcdata.h and go_asm.h are known`);
      continue;
    }
    if (st.kind === 'label') {
      if (!fn) sink.error(st.loc, `label ${st.name} outside a TEXT block`);
      else fn.label(st);
      continue;
    }
    switch (st.op) {
      case 'TEXT': {
        finish();
        fn = FunctionBuilder.start(st, sink, pkg);
        break;
      }
      case 'DATA':
        data.data(st);
        break;
      case 'GLOBL':
        data.globl(st);
        break;
      default:
        if (!fn) sink.error(st.loc, `instruction ${st.op} outside a TEXT block`);
        else fn.instruction(st);
    }
  }
  finish();
  symbols.push(...data.finish());
  const seen = new Set<string>();
  for (const s of symbols) {
    if (seen.has(s.name)) sink.error(s.loc, `${s.name} is defined twice`);
    seen.add(s.name);
  }
  sink.throwIfAny();
  return { file, source, symbols };
}

function parseFlags(op: Operand, sink: DiagnosticSink): number {
  if (op.kind === 'imm') return Number(op.value);
  const names = op.kind === 'name' ? [op.name] : op.kind === 'flags' ? op.names : null;
  if (!names) {
    sink.error(op.loc, 'expected flags (NOSPLIT, NOFRAME, RODATA, … or a number)');
    return 0;
  }
  let flags = 0;
  for (const n of names) {
    const bit = TEXT_FLAGS[n];
    if (bit === undefined) sink.error(op.loc, `unknown flag ${n}; textflag.h defines ${Object.keys(TEXT_FLAGS).join(', ')}`);
    else flags |= bit;
  }
  return flags;
}

function isSymbolRef(op: Operand | undefined): op is MemoryOperand & { sym: string } {
  return op?.kind === 'mem' && op.base === 'SB' && op.sym !== null && op.index === null;
}

/** Splits `TEXT`/`GLOBL` operands: symbol, optional flags, size operand. */
function header(st: Insn, sink: DiagnosticSink, what: string): { sym: MemoryOperand & { sym: string }; flags: number; size: Operand } | null {
  const [sym, a, b] = st.args;
  if (!isSymbolRef(sym) || sym.offset !== 0n || st.args.length < 2 || st.args.length > 3) {
    sink.error(st.loc, `expected ${what}`);
    return null;
  }
  return st.args.length === 3 ? { sym, flags: parseFlags(a!, sink), size: b! } : { sym, flags: 0, size: a! };
}

type Item =
  | { kind: 'bytes'; bytes: Uint8Array; relocs: Reloc[]; line: number; forms: InsnForm[] }
  | {
      kind: 'branch';
      x86: string;
      /** A label name or an item index (from n(PC)). */
      target: string | number;
      wide: boolean;
      line: number;
      loc: Loc;
    };

interface Lowered {
  operand: MachineOperand;
  reloc?: { sym: string; addend: number; kind: 'pcrel' | 'abs'; loc: Loc };
}

/** Largest GLOBL: data symbols are allocated whole when linked. */
const MAX_DATA_SIZE = 1n << 28n;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Assembles one TEXT block. */
class FunctionBuilder {
  private readonly items: Item[] = [];
  private readonly labels = new Map<string, number>();
  /** Item index of each source instruction, for n(PC) branches. */
  private readonly insnItems: number[] = [];
  private readonly argNames = new Map<string, bigint>();
  /** Location of a LOCK waiting for its instruction. */
  private pendingLock: Loc | null = null;
  /** Bytes pushed since entry: the saved BP, the frame and any PUSHQ. */
  private depth = 0;
  private readonly bpSize: number;

  private constructor(
    private readonly sink: DiagnosticSink,
    private readonly pkg: string,
    private readonly symbol: ObjSymbol,
  ) {
    const framed = symbol.frame > 0;
    this.bpSize = framed ? 8 : 0;
    if (framed) {
      const line = symbol.loc.line;
      this.emitInternal('push', 8, [reg(5, 8)], line);
      this.emitInternal('mov', 8, [reg(5, 8), reg(4, 8)], line);
      this.emitInternal('sub', 8, [reg(4, 8), { kind: 'imm', value: BigInt(symbol.frame) }], line);
      this.depth = 8 + symbol.frame;
    }
  }

  static start(st: Insn, sink: DiagnosticSink, pkg: string): FunctionBuilder | null {
    const h = header(st, sink, 'TEXT name(SB), [flags,] $frame[-argsize]');
    if (!h) return null;
    let frame = 0;
    let args: number | null = null;
    if (h.size.kind === 'frame') {
      frame = Number(h.size.frame);
      args = Number(h.size.args);
    } else if (h.size.kind === 'imm') frame = Number(h.size.value);
    else sink.error(h.size.loc, 'expected $frame or $frame-argsize');
    if (frame < 0 || frame % 8 !== 0) sink.error(h.size.loc, `frame size ${frame} must be a non-negative multiple of 8`);
    if (frame > 0 && h.flags & TEXT_FLAGS.NOFRAME!) sink.error(h.size.loc, 'NOFRAME is only valid with a frame size of 0 (textflag.h)');
    const symbol: ObjSymbol = {
      name: symbolName(h.sym.sym, pkg), kind: 'text', flags: h.flags, local: h.sym.sym.endsWith('<>'), readonly: true,
      bytes: new Uint8Array(0), relocs: [], spans: [], labels: [], frame: Math.max(0, frame), args, loc: st.loc,
    };
    return new FunctionBuilder(sink, pkg, symbol);
  }

  label(st: Extract<Statement, { kind: 'label' }>): void {
    if (this.labels.has(st.name)) this.sink.error(st.loc, `label ${st.name} defined twice`);
    this.labels.set(st.name, this.items.length);
  }

  private emitInternal(x86: string, size: OperandSize, ops: MachineOperand[], line: number): void {
    const e = encode(x86, size, ops);
    this.items.push({ kind: 'bytes', bytes: e.bytes, relocs: [], line, forms: [e.form] });
  }

  instruction(st: Insn): void {
    const mn = MNEMONICS.get(st.op);
    if (this.pendingLock && mn && !['swap', 'unary'].includes(mn.shape)) {
      this.sink.error(this.pendingLock, `LOCK must prefix a read-modify-write instruction, not ${st.op}`);
      this.pendingLock = null;
    }
    this.insnItems.push(this.items.length);
    if (!mn) {
      this.sink.error(st.loc, `unknown instruction ${st.op}`);
      return;
    }
    try {
      this.lower(st, mn);
    } catch (err) {
      if (!(err instanceof EncodeError || err instanceof OperandError)) throw err;
      this.sink.error(err instanceof OperandError ? err.loc : st.loc, `${st.op}: ${err.message}`);
    }
    if (mn.stack) this.depth += mn.stack;
  }

  private expectArgs(st: Insn, n: number, what: string): void {
    if (st.args.length !== n) throw new OperandError(st.loc, `expected ${what}, got ${st.args.length} operand${st.args.length === 1 ? '' : 's'}`);
  }

  private lower(st: Insn, mn: Mnemonic): void {
    const line = st.loc.line;
    switch (mn.shape) {
      case 'none':
        this.expectArgs(st, 0, 'no operands');
        if (st.op === 'RET' && this.bpSize) {
          this.emitInternal('add', 8, [reg(4, 8), { kind: 'imm', value: BigInt(this.symbol.frame) }], line);
          this.emitInternal('pop', 8, [reg(5, 8)], line);
        }
        return this.emit(mn.x86, mn.size, [], line);
      case 'vector': {
        this.expectArgs(st, 1, '$vector');
        const vector = this.immediate(st.args[0]!);
        // INT $3 has its own one-byte opcode (CC), which Go and GNU as both use.
        if (vector.operand.kind === 'imm' && vector.operand.value === 3n) return this.emit('int3', mn.size, [], line);
        return this.emit(mn.x86, mn.size, [vector], line);
      }
      case 'prefix':
        this.expectArgs(st, 0, 'no operands');
        this.pendingLock = st.loc;
        return;
      case 'data': {
        this.expectArgs(st, 1, '$value');
        const v = this.immediate(st.args[0]!);
        const bits = BigInt(mn.size * 8);
        if (v.operand.kind === 'imm' && (v.operand.value < -(1n << (bits - 1n)) || v.operand.value >= 1n << bits))
          throw new OperandError(st.args[0]!.loc, `value does not fit in ${mn.size} byte${mn.size > 1 ? 's' : ''}`);
        const value = v.operand.kind === 'imm' ? v.operand.value : 0n;
        const bytes = new Uint8Array(mn.size);
        for (let i = 0; i < mn.size; i++) bytes[i] = Number((BigInt.asUintN(64, value) >> BigInt(8 * i)) & 0xffn);
        this.items.push({ kind: 'bytes', bytes, relocs: [], line, forms: [] });
        return;
      }
      case 'unary':
      case 'stack': {
        this.expectArgs(st, 1, 'one operand');
        return this.emit(mn.x86, mn.size, [this.operand(st.args[0]!, mn.size)], line);
      }
      case 'keep':
      case 'swap': {
        this.expectArgs(st, 2, 'source, destination');
        let [src, dst] = st.args as [Operand, Operand];
        let x86 = mn.x86;
        // MOVQ $sym(SB), R is LEAQ sym(SB), R.
        if (src.kind === 'addr' && x86 === 'mov' && mn.size === 8) {
          x86 = 'lea';
          src = { kind: 'mem', sym: src.sym, offset: src.offset, base: 'SB', index: null, width: null, loc: src.loc };
        }
        const isShift = ['shl', 'shr', 'sar', 'rol', 'ror'].includes(x86);
        const srcSize = isShift ? 1 : (mn.srcSize ?? mn.size);
        if (mn.shape === 'keep') return this.emit(x86, mn.size, [this.operand(src, mn.size), this.operand(dst, mn.size)], line);
        if (isShift && src.kind === 'reg' && src.name !== 'CX' && src.name !== 'CL')
          throw new OperandError(src.loc, 'a shift count in a register must be CX');
        // TEST and XCHG commute. TEST has only r/m,reg forms, so a memory source goes in the
        // r/m slot; XCHG has the short 90+r form only with AX second (in Intel order).
        if ((x86 === 'test' || x86 === 'xchg') && src.kind === 'mem') [src, dst] = [dst, src];
        if (x86 === 'xchg' && mn.size > 1 && dst.kind === 'reg' && dst.name === 'AX' && src.kind === 'reg') [src, dst] = [dst, src];
        return this.emit(x86, mn.size, [this.operand(dst, mn.size), this.operand(src, srcSize)], line);
      }
      case 'branch':
        this.expectArgs(st, 1, 'a branch target');
        return this.branch(st, mn);
    }
  }

  private branch(st: Insn, mn: Mnemonic): void {
    const target = st.args[0]!;
    const line = st.loc.line;
    const conditional = mn.x86 !== 'jmp' && mn.x86 !== 'call';
    if (target.kind === 'name') {
      this.items.push({ kind: 'branch', x86: mn.x86, target: target.name, wide: mn.x86 === 'call', line, loc: target.loc });
      return;
    }
    if (target.kind === 'mem' && target.base === 'PC' && target.sym === null && target.index === null) {
      const index = this.insnItems.length - 1 + Number(target.offset);
      this.items.push({ kind: 'branch', x86: mn.x86, target: index, wide: mn.x86 === 'call', line, loc: target.loc });
      return;
    }
    if (isSymbolRef(target)) {
      const e = encode(mn.x86, 8, [{ kind: 'rel', disp: 0, width: 4 }]);
      const reloc: Reloc = {
        offset: e.dispAt!, width: 4, kind: 'pcrel', sym: symbolName(target.sym, this.pkg),
        addend: Number(target.offset) - (e.bytes.length - e.dispAt!), loc: target.loc,
      };
      this.items.push({ kind: 'bytes', bytes: e.bytes, relocs: [reloc], line, forms: [e.form] });
      return;
    }
    if (conditional) throw new OperandError(target.loc, 'a conditional jump needs a label, n(PC) or a symbol');
    this.emit(mn.x86, 8, [this.operand(target, 8)], line);
  }

  private emit(x86: string, size: OperandSize, ops: Lowered[], line: number): void {
    const lock = this.pendingLock !== null;
    this.pendingLock = null;
    const e: Encoded = encode(x86, size, ops.map((o) => o.operand), { lock });
    const relocs: Reloc[] = [];
    for (const o of ops) {
      if (!o.reloc) continue;
      const at = o.operand.kind === 'mem' ? e.dispAt! : e.immAt!;
      const width = o.operand.kind === 'mem' ? 4 : (e.immWidth as 4 | 8);
      const addend = o.reloc.kind === 'pcrel' ? o.reloc.addend - (e.bytes.length - at) : o.reloc.addend;
      relocs.push({ offset: at, width, kind: o.reloc.kind, sym: o.reloc.sym, addend, loc: o.reloc.loc });
    }
    this.items.push({ kind: 'bytes', bytes: e.bytes, relocs, line, forms: [e.form] });
  }

  private immediate(op: Operand): Lowered {
    if (op.kind === 'imm') return { operand: { kind: 'imm', value: op.value } };
    if (op.kind === 'frame') return { operand: { kind: 'imm', value: op.frame - op.args } };
    throw new OperandError(op.loc, 'expected an immediate $value');
  }

  private operand(op: Operand, size: OperandSize): Lowered {
    switch (op.kind) {
      case 'imm':
      case 'frame':
        return this.immediate(op);
      case 'reg':
        return { operand: this.register(op.name, op.loc, size) };
      case 'mem': {
        const m = this.memory(op, size);
        return m.operand.kind === 'mem' ? { ...m, operand: { ...m.operand, size } } : m;
      }
      case 'addr':
        throw new OperandError(op.loc, '$sym(SB) (an address) is only allowed as MOVQ source or in DATA');
      case 'string':
        throw new OperandError(op.loc, 'a string is only allowed in DATA');
      case 'name':
      case 'flags':
        throw new OperandError(op.loc, `expected a register, $immediate or memory operand, got ${op.kind === 'name' ? op.name : op.names.join('|')}`);
    }
  }

  private register(name: string, loc: Loc, size: OperandSize): MachineOperand {
    const full = REGISTERS[name];
    if (full !== undefined) return reg(full, size);
    const byte = BYTE_REGISTERS[name];
    if (byte !== undefined) {
      if (size !== 1) throw new OperandError(loc, `${name} is a byte register but the operation is ${size * 8}-bit`);
      return reg(byte, 1);
    }
    throw new OperandError(loc, `${name} cannot be used as a register operand`);
  }

  private memory(op: MemoryOperand, size: OperandSize): Lowered {
    const offset = Number(op.offset);
    if (op.width !== null) throw new OperandError(op.loc, '/size belongs to DATA only');
    const index = op.index ? this.indexRegister(op.index.reg, op.loc) : null;
    const scale = op.index?.scale ?? 1;
    const check = (disp: number) => {
      if (disp < INT32_MIN || disp > INT32_MAX) throw new OperandError(op.loc, `offset ${disp} does not fit in 32 bits`);
      return disp;
    };
    switch (op.base) {
      case 'SB': {
        if (op.sym === null) throw new OperandError(op.loc, 'SB needs a symbol: name+off(SB)');
        const sym = symbolName(op.sym, this.pkg);
        if (index === null)
          return { operand: { kind: 'mem', base: 'rip', index: null, scale: 1, disp: 0 }, reloc: { sym, addend: offset, kind: 'pcrel', loc: op.loc } };
        return { operand: { kind: 'mem', base: null, index, scale, disp: 0 }, reloc: { sym, addend: offset, kind: 'abs', loc: op.loc } };
      }
      case 'FP':
        return { operand: { kind: 'mem', base: 4, index, scale, disp: check(this.depth + 8 + this.argument(op, size)) } };
      case 'SP':
        if (op.sym === null) return { operand: { kind: 'mem', base: 4, index, scale, disp: check(offset) } };
        if (offset >= 0 || -offset > this.symbol.frame)
          throw new OperandError(op.loc, `${op.sym}${offset >= 0 ? '+' : ''}${offset}(SP) is outside the ${this.symbol.frame}-byte frame; locals are name-off(SP) with 0 < off <= frame`);
        return { operand: { kind: 'mem', base: 4, index, scale, disp: check(this.depth - this.bpSize + offset) } };
      case 'PC':
        throw new OperandError(op.loc, 'n(PC) is only a branch target');
      case 'GS':
      case 'FS':
        if (op.sym !== null) throw new OperandError(op.loc, `${op.base} takes a plain offset: off(${op.base})`);
        return { operand: { kind: 'mem', base: null, index, scale, disp: check(offset), segment: op.base === 'GS' ? 'gs' : 'fs' } };
      default: {
        const base = REGISTERS[op.base];
        if (base === undefined) throw new OperandError(op.loc, `${op.base} cannot be a base register`);
        if (op.sym !== null) throw new OperandError(op.loc, `a symbol name needs SB, FP or SP as base, not ${op.base}`);
        return { operand: { kind: 'mem', base, index, scale, disp: check(offset) } };
      }
    }
  }

  private indexRegister(name: string, loc: Loc): number {
    const n = REGISTERS[name];
    if (n === undefined || n === 4) throw new OperandError(loc, `${name} cannot be an index register`);
    return n;
  }

  /** Checks name+off(FP) against the declared argument size; returns off. */
  private argument(op: MemoryOperand, size: OperandSize): number {
    const off = op.offset;
    if (op.sym === null) throw new OperandError(op.loc, `an argument reference needs a name: name+${off}(FP)`);
    if (this.symbol.args === null) throw new OperandError(op.loc, `${op.sym}+${off}(FP): the TEXT declares no argument size ($frame-argsize)`);
    if (off < 0n || off + BigInt(size) > BigInt(this.symbol.args))
      throw new OperandError(op.loc, `${op.sym}+${off}(FP) is outside the ${this.symbol.args}-byte argument area`);
    const earlier = this.argNames.get(op.sym);
    if (earlier !== undefined && earlier !== off) throw new OperandError(op.loc, `${op.sym} is at ${off}(FP) here but at ${earlier}(FP) earlier`);
    this.argNames.set(op.sym, off);
    return Number(off);
  }

  /** Resolves labels (relaxing branches to rel8 where they reach) and returns the symbol. */
  finish(): ObjSymbol {
    if (this.pendingLock) this.sink.error(this.pendingLock, 'LOCK at the end of a function prefixes nothing');
    const targets = this.items.map((it) => {
      if (it.kind !== 'branch') return -1;
      const idx = typeof it.target === 'number' ? it.target : this.labels.get(it.target);
      if (idx === undefined || idx < 0 || idx > this.items.length) {
        this.sink.error(it.loc, typeof it.target === 'string' ? `undefined label ${it.target}` : 'n(PC) target is outside the function');
        return -1;
      }
      return idx;
    });
    const sizeOf = (it: Item) => (it.kind === 'bytes' ? it.bytes.length : encodeBranch(it, 0).bytes.length);
    let offsets: number[] = [];
    for (let changed = true; changed; ) {
      changed = false;
      offsets = [0];
      for (const it of this.items) offsets.push(offsets[offsets.length - 1]! + sizeOf(it));
      this.items.forEach((it, i) => {
        if (it.kind !== 'branch' || it.wide || targets[i]! < 0) return;
        const disp = offsets[targets[i]!]! - offsets[i + 1]!;
        if (disp < -128 || disp > 127) {
          it.wide = true;
          changed = true;
        }
      });
    }
    const out = new Uint8Array(offsets[offsets.length - 1]!);
    const relocs: Reloc[] = [];
    const spans: SourceSpan[] = [];
    this.items.forEach((it, i) => {
      const at = offsets[i]!;
      const bytes = it.kind === 'bytes' ? it.bytes : encodeBranch(it, targets[i]! < 0 ? 0 : offsets[targets[i]!]! - offsets[i + 1]!).bytes;
      out.set(bytes, at);
      if (it.kind === 'bytes') for (const r of it.relocs) relocs.push({ ...r, offset: r.offset + at });
      const forms = it.kind === 'bytes' ? it.forms : [encodeBranch(it, 0).form];
      const last = spans[spans.length - 1];
      if (last && last.line === it.line && last.offset + last.length === at) {
        last.length += bytes.length;
        last.forms.push(...forms);
      } else spans.push({ offset: at, length: bytes.length, line: it.line, forms: [...forms] });
    });
    const labels = [...this.labels].map(([name, item]) => ({ name, offset: offsets[item]! }));
    return { ...this.symbol, bytes: out, relocs, spans, labels };
  }
}

function encodeBranch(it: Extract<Item, { kind: 'branch' }>, disp: number): Encoded {
  return encode(it.x86, 8, [{ kind: 'rel', disp, width: it.wide ? 4 : 1 }]);
}

function reg(n: number, size: OperandSize): MachineOperand {
  return { kind: 'reg', reg: n, size };
}

class OperandError extends Error {
  constructor(
    readonly loc: Loc,
    message: string,
  ) {
    super(message);
  }
}

/** DATA and GLOBL: data symbols with their initial bytes. */
class DataCollector {
  private readonly globals = new Map<string, { flags: number; size: number; loc: Loc }>();
  private readonly contents = new Map<string, { bytes: Map<number, number>; relocs: Reloc[]; loc: Loc }>();
  private readonly order: string[] = [];

  constructor(
    private readonly sink: DiagnosticSink,
    private readonly pkg: string,
  ) {}

  private note(name: string): void {
    if (!this.order.includes(name)) this.order.push(name);
  }

  data(st: Insn): void {
    const [where, value] = st.args;
    if (st.args.length !== 2 || where?.kind !== 'mem' || where.base !== 'SB' || where.sym === null || where.width === null || !value) {
      this.sink.error(st.loc, 'expected DATA name+off(SB)/size, $value');
      return;
    }
    const name = symbolName(where.sym, this.pkg);
    this.note(name);
    const c = this.contents.get(name) ?? { bytes: new Map<number, number>(), relocs: [], loc: st.loc };
    this.contents.set(name, c);
    if (where.offset < 0n || where.offset >= MAX_DATA_SIZE) {
      this.sink.error(where.loc, `DATA offset must be in [0, ${MAX_DATA_SIZE})`);
      return;
    }
    const off = Number(where.offset);
    const width = where.width;
    let bytes: number[];
    if (value.kind === 'imm') {
      const bits = BigInt(width * 8);
      if (value.value < -(1n << (bits - 1n)) || value.value >= 1n << bits) {
        this.sink.error(value.loc, `value does not fit in ${width} byte${width > 1 ? 's' : ''}`);
        return;
      }
      const v = BigInt.asUintN(64, value.value);
      bytes = Array.from({ length: width }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
    } else if (value.kind === 'string') {
      const text = Buffer.from(value.value, 'latin1');
      if (text.length > width) {
        this.sink.error(value.loc, `string of ${text.length} bytes does not fit in /${width}`);
        return;
      }
      bytes = Array.from({ length: width }, (_, i) => text[i] ?? 0);
    } else if (value.kind === 'addr') {
      if (width !== 8) {
        this.sink.error(where.loc, 'an address needs /8');
        return;
      }
      bytes = new Array<number>(8).fill(0);
      c.relocs.push({ offset: off, width: 8, kind: 'abs', sym: symbolName(value.sym, this.pkg), addend: Number(value.offset), loc: value.loc });
    } else {
      this.sink.error(value.loc, 'expected $number, $"string" or $sym(SB)');
      return;
    }
    bytes.forEach((b, i) => {
      if (c.bytes.has(off + i)) this.sink.error(where.loc, `${name}+${off + i} is initialised twice`);
      c.bytes.set(off + i, b);
    });
  }

  globl(st: Insn): void {
    const h = header(st, this.sink, 'GLOBL name(SB), [flags,] $size');
    if (!h) return;
    if (h.size.kind !== 'imm' || h.size.value < 0n || h.size.value > MAX_DATA_SIZE) {
      this.sink.error(h.size.loc, `expected $size, at most ${MAX_DATA_SIZE}`);
      return;
    }
    const name = symbolName(h.sym.sym, this.pkg);
    if (this.globals.has(name)) this.sink.error(st.loc, `GLOBL ${name} declared twice`);
    this.note(name);
    this.globals.set(name, { flags: h.flags, size: Number(h.size.value), loc: st.loc });
  }

  finish(): ObjSymbol[] {
    return this.order.flatMap((name) => {
      const g = this.globals.get(name);
      const c = this.contents.get(name);
      if (!g) {
        this.sink.error(c!.loc, `DATA for ${name} without a GLOBL`);
        return [];
      }
      const bytes = new Uint8Array(g.size);
      for (const [off, b] of c?.bytes ?? []) {
        if (off >= g.size) {
          this.sink.error(c!.loc, `DATA for ${name} at offset ${off} is beyond its GLOBL size ${g.size}`);
          break;
        }
        bytes[off] = b;
      }
      return [{
        name, kind: 'data' as const, flags: g.flags, local: name.endsWith('<>'), readonly: (g.flags & TEXT_FLAGS.RODATA!) !== 0,
        bytes, relocs: c?.relocs ?? [], spans: [], labels: [], frame: 0, args: null, loc: g.loc,
      }];
    });
  }
}
