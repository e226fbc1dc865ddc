// The instruction table: one list of every instruction form the CPU supports, in 64-bit
// mode. The decoder, the disassembler, the executor (through `exec`), the assembler's
// encoder and the differential test generator are all driven by it.
//
// A form is concrete: one opcode, one operand size, one set of operand kinds. Rows written
// compactly below (SDM-style operand codes such as "Ev,Gv") are expanded at load time into
// one form per operand size: 'v' operands become 16-bit (0x66 prefix), 32-bit and 64-bit
// (REX.W) forms; "default 64" rows (push, pop, near branches) become 64-bit (no prefix) and
// 16-bit (0x66) forms.
//
// Operand codes in the rows (Intel order, destination first):
//   E  ModRM r/m (register or memory)       G  ModRM reg           M  memory-only r/m
//   R  register-only r/m                    I  immediate (Is: imm8 sign-extended to the operand size)
//   J  relative branch target               Z  register in the opcode's low 3 bits (+ REX.B)
//   O  moffs (a 64-bit absolute address)    1  the constant 1 (shift by one)
//   AL CL DX rAX  fixed registers
// followed by a size: b 8, w 16, d 32, q 64, v operand size, z 16 or 32 (imm of a v form;
// 32 sign-extended for 64-bit forms), dq 128 (memory).
//
// Invariants: a (map, opcode, mandatory prefix, ModRM reg, operand size) tuple selects at most
// one form; `exec` names an executor operation; flag masks use RFLAGS bit positions.

export type OpcodeMap = 'none' | '0f' | '0f38' | '0f3a';

export type OperandKind =
  | 'reg' // ModRM.reg selects a general register
  | 'rm' // ModRM r/m: register or memory
  | 'mem' // ModRM r/m, memory only (mod != 3)
  | 'regonly' // ModRM r/m, register only (mod == 3)
  | 'opreg' // register number in the opcode's low 3 bits, REX.B extends it
  | 'fixed' // a fixed register (`reg`), not encoded
  | 'imm' // immediate of `immSize` bits, sign-extended to `size` when they differ
  | 'rel' // relative branch displacement of `immSize` bits
  | 'moffs' // 64-bit absolute address (A0-A3)
  | 'one'; // the constant 1, not encoded

export interface Operand {
  readonly kind: OperandKind;
  /** Operand size in bits (for memory operands, the size of the access). */
  readonly size: number;
  /** Encoded immediate / displacement size in bits ('imm', 'rel'). */
  readonly immSize?: number;
  /** The register number of a 'fixed' operand (0 = rAX/AL, 1 = rCX/CL, 2 = rDX/DX). */
  readonly reg?: number;
}

export interface InsnForm {
  /** Index in `forms`. */
  readonly id: number;
  /** Intel mnemonic, lower case ('add', 'movzx', 'jne', 'cmpxchg16b', 'movsb'). */
  readonly mnemonic: string;
  /** The mnemonic `objdump -d` prints for this form, before any operand-size suffix rule. */
  readonly att: string;
  /** objdump appends the size suffix (b/w/l/q) when no register operand shows the size. */
  readonly attSuffix: 'never' | 'noreg' | 'always';
  readonly map: OpcodeMap;
  /** The opcode byte within its map (for 'opreg' forms: the base, register 0). */
  readonly opcode: number;
  /** True when a ModRM byte follows the opcode. */
  readonly modrm: boolean;
  /** ModRM.reg opcode extension (/digit), or undefined when ModRM.reg is an operand or ignored. */
  readonly ext?: number;
  /** The whole ModRM byte, for forms fixed to one value (0F 01 F8 swapgs, 0F AE F0 mfence). */
  readonly modrmByte?: number;
  /** Mandatory prefix that selects this form (F3 0F B8 popcnt). */
  readonly prefix?: 0x66 | 0xf2 | 0xf3;
  /** Decoders accept any ModRM.rm with `modrmByte`'s mod and reg (fences); encoders emit `modrmByte`. */
  readonly anyRm?: boolean;
  /** A 66, F2 or F3 prefix turns the opcode into another instruction: the form does not match with one. */
  readonly noSimdPrefix?: boolean;
  /** Operand size in bits (0 when the instruction has no sized operand). */
  readonly size: number;
  /** The operand-size attribute (from 0x66 / REX.W / default) that selects this form; 0 = any. */
  readonly osz: number;
  /** The form needs the 0x66 operand-size prefix. */
  readonly opsizePrefix: boolean;
  /** The form needs REX.W. */
  readonly rexW: boolean;
  /** The operand size defaults to 64 bits (no REX.W needed; 32-bit not encodable). */
  readonly default64: boolean;
  readonly operands: readonly Operand[];
  /** LOCK is allowed (with a memory destination). */
  readonly lockable: boolean;
  /** Which REP prefixes the form honours: 'rep' (movs/stos/lods) or 'repcc' (cmps/scas: repz/repnz). */
  readonly rep?: 'rep' | 'repcc';
  /** Raises #GP at CPL 3. */
  readonly privileged: boolean;
  /** RFLAGS bits read, written (defined result), and left undefined by the SDM. */
  readonly flagsRead: number;
  readonly flagsWritten: number;
  readonly flagsUndefined: number;
  /** Executor operation. */
  readonly exec: string;
  /** For exec groups parameterised by a number: ALU op (0 add … 7 cmp), shift op (/digit), condition code. */
  readonly sub: number;
}

export const CF = 0x1;
export const PF = 0x4;
export const AF = 0x10;
export const ZF = 0x40;
export const SF = 0x80;
export const TF = 0x100;
export const IF = 0x200;
export const DF = 0x400;
export const OF = 0x800;
export const ARITH_FLAGS = CF | PF | AF | ZF | SF | OF;

/** Condition-code suffixes in encoding order (Jcc/SETcc/CMOVcc low nibble). */
export const CONDITIONS = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
/** Flags each condition reads. */
const CONDITION_FLAGS = [OF, OF, CF, CF, ZF, ZF, CF | ZF, CF | ZF, SF, SF, PF, PF, SF | OF, SF | OF, ZF | SF | OF, ZF | SF | OF];

interface RowOptions {
  ext?: number;
  modrmByte?: number;
  prefix?: 0x66 | 0xf2 | 0xf3;
  anyRm?: boolean;
  noSimdPrefix?: boolean;
  /** Operand size defaults to 64 (push, pop, near branches). */
  d64?: boolean;
  /** Only these operand sizes exist for the row's 'v' operands. */
  sizes?: number[];
  lock?: boolean;
  rep?: 'rep' | 'repcc';
  priv?: boolean;
  read?: number;
  written?: number;
  undef?: number;
  /** objdump mnemonic, if not the Intel one; a function of the operand size for cwtl & co. */
  att?: string | ((size: number) => string);
  suffix?: 'never' | 'noreg' | 'always';
  /** Intel mnemonic as a function of the operand size (cbw/cwde/cdqe, movsb/movsw…). */
  name?: (size: number) => string;
  sub?: number;
}

const forms: InsnForm[] = [];

const SIZE_OF: Record<string, number> = { b: 8, w: 16, d: 32, q: 64, dq: 128 };

function parseOperand(code: string, size: number): Operand {
  switch (code) {
    case 'AL':
      return { kind: 'fixed', size: 8, reg: 0 };
    case 'CL':
      return { kind: 'fixed', size: 8, reg: 1 };
    case 'DX':
      return { kind: 'fixed', size: 16, reg: 2 };
    case 'rAX':
      return { kind: 'fixed', size, reg: 0 };
    case '1':
      return { kind: 'one', size: 8 };
  }
  const letter = code[0]!;
  const sz = code.slice(1);
  const bits = sz === 'v' ? size : sz === 'z' ? size : sz === '' ? size : SIZE_OF[sz];
  if (bits === undefined) throw new Error(`table: bad operand code ${code}`);
  switch (letter) {
    case 'E':
      return { kind: 'rm', size: bits };
    case 'G':
      return { kind: 'reg', size: bits };
    case 'M':
      return { kind: 'mem', size: bits };
    case 'R':
      return { kind: 'regonly', size: bits };
    case 'Z':
      return { kind: 'opreg', size: bits };
    case 'O':
      return { kind: 'moffs', size: bits };
    case 'I': {
      if (sz === 'z') return { kind: 'imm', size, immSize: Math.min(size, 32) };
      if (sz === 'v') return { kind: 'imm', size, immSize: size };
      return { kind: 'imm', size: bits, immSize: bits };
    }
    case 'S': // Is: imm8 sign-extended to the operand size
      return { kind: 'imm', size, immSize: 8 };
    case 'J':
      return { kind: 'rel', size: 64, immSize: sz === 'b' ? 8 : 32 };
  }
  throw new Error(`table: bad operand code ${code}`);
}

function row(mnemonic: string, map: OpcodeMap, opcode: number, spec: string, exec: string, o: RowOptions = {}): void {
  const codes = spec === '' ? [] : spec.split(',');
  const variable = o.sizes !== undefined || codes.some((c) => /^[A-Z]+[vz]$/.test(c) || c === 'rAX' || c === 'Is');
  const sizes = variable ? (o.sizes ?? (o.d64 ? [64, 16] : [16, 32, 64])) : [0];
  for (const size of sizes) {
    const operands = codes.map((c) => (c === 'Is' ? parseOperand('S', size) : parseOperand(c, size)));
    const fixedSize = variable ? size : (operands.find((op) => op.kind !== 'imm' && op.kind !== 'rel' && op.kind !== 'one')?.size ?? 0);
    const att = typeof o.att === 'function' ? o.att(size) : (o.att ?? mnemonic);
    const form: InsnForm = {
      id: forms.length,
      mnemonic: o.name ? o.name(size) : mnemonic,
      att,
      attSuffix: o.suffix ?? 'noreg',
      map,
      opcode,
      modrm: codes.some((c) => /^[EGMR]/.test(c)) || o.ext !== undefined || o.modrmByte !== undefined,
      ...(o.ext !== undefined ? { ext: o.ext } : {}),
      ...(o.modrmByte !== undefined ? { modrmByte: o.modrmByte } : {}),
      ...(o.prefix !== undefined ? { prefix: o.prefix } : {}),
      ...(o.anyRm ? { anyRm: true } : {}),
      ...(o.noSimdPrefix ? { noSimdPrefix: true } : {}),
      size: fixedSize,
      osz: variable && size >= 16 ? size : 0,
      opsizePrefix: variable && size === 16,
      rexW: variable && size === 64 && !o.d64,
      default64: o.d64 ?? false,
      operands,
      lockable: o.lock ?? false,
      ...(o.rep !== undefined ? { rep: o.rep } : {}),
      privileged: o.priv ?? false,
      flagsRead: o.read ?? 0,
      flagsWritten: o.written ?? 0,
      flagsUndefined: o.undef ?? 0,
      exec,
      sub: o.sub ?? 0,
    };
    forms.push(form);
  }
}

// ---- the rows --------------------------------------------------------------------------

const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
ALU.forEach((name, i) => {
  const logic = name === 'and' || name === 'or' || name === 'xor';
  const f = {
    sub: i,
    lock: name !== 'cmp',
    read: name === 'adc' || name === 'sbb' ? CF : 0,
    written: ARITH_FLAGS,
    undef: logic ? AF : 0,
  };
  const nolock = { ...f, lock: false };
  row(name, 'none', i * 8 + 0, 'Eb,Gb', 'alu', f);
  row(name, 'none', i * 8 + 1, 'Ev,Gv', 'alu', f);
  row(name, 'none', i * 8 + 2, 'Gb,Eb', 'alu', nolock);
  row(name, 'none', i * 8 + 3, 'Gv,Ev', 'alu', nolock);
  row(name, 'none', i * 8 + 4, 'AL,Ib', 'alu', nolock);
  row(name, 'none', i * 8 + 5, 'rAX,Iz', 'alu', nolock);
  row(name, 'none', 0x80, 'Eb,Ib', 'alu', { ...f, ext: i });
  row(name, 'none', 0x81, 'Ev,Iz', 'alu', { ...f, ext: i });
  row(name, 'none', 0x83, 'Ev,Is', 'alu', { ...f, ext: i });
});

row('test', 'none', 0x84, 'Eb,Gb', 'test', { written: ARITH_FLAGS, undef: AF });
row('test', 'none', 0x85, 'Ev,Gv', 'test', { written: ARITH_FLAGS, undef: AF });
row('test', 'none', 0xa8, 'AL,Ib', 'test', { written: ARITH_FLAGS, undef: AF });
row('test', 'none', 0xa9, 'rAX,Iz', 'test', { written: ARITH_FLAGS, undef: AF });
row('test', 'none', 0xf6, 'Eb,Ib', 'test', { ext: 0, written: ARITH_FLAGS, undef: AF });
row('test', 'none', 0xf7, 'Ev,Iz', 'test', { ext: 0, written: ARITH_FLAGS, undef: AF });
// F6/F7 /1: an undocumented alias of /0 that every x86-64 CPU executes as TEST.
row('test', 'none', 0xf6, 'Eb,Ib', 'test', { ext: 1, written: ARITH_FLAGS, undef: AF });
row('test', 'none', 0xf7, 'Ev,Iz', 'test', { ext: 1, written: ARITH_FLAGS, undef: AF });

const UNARY: Array<[string, number, string, RowOptions]> = [
  ['not', 2, 'not', { lock: true }],
  ['neg', 3, 'neg', { lock: true, written: ARITH_FLAGS }],
  ['mul', 4, 'mul', { written: CF | OF, undef: SF | ZF | AF | PF }],
  ['imul', 5, 'imul1', { written: CF | OF, undef: SF | ZF | AF | PF }],
  ['div', 6, 'div', { undef: ARITH_FLAGS }],
  ['idiv', 7, 'idiv', { undef: ARITH_FLAGS }],
];
for (const [name, ext, exec, o] of UNARY) {
  row(name, 'none', 0xf6, 'Eb', exec, { ...o, ext });
  row(name, 'none', 0xf7, 'Ev', exec, { ...o, ext });
}
row('inc', 'none', 0xfe, 'Eb', 'incdec', { ext: 0, sub: 0, lock: true, written: ARITH_FLAGS & ~CF });
row('dec', 'none', 0xfe, 'Eb', 'incdec', { ext: 1, sub: 1, lock: true, written: ARITH_FLAGS & ~CF });
row('inc', 'none', 0xff, 'Ev', 'incdec', { ext: 0, sub: 0, lock: true, written: ARITH_FLAGS & ~CF });
row('dec', 'none', 0xff, 'Ev', 'incdec', { ext: 1, sub: 1, lock: true, written: ARITH_FLAGS & ~CF });

row('imul', 'none', 0x69, 'Gv,Ev,Iz', 'imul3', { written: CF | OF, undef: SF | ZF | AF | PF });
row('imul', 'none', 0x6b, 'Gv,Ev,Is', 'imul3', { written: CF | OF, undef: SF | ZF | AF | PF });
row('imul', '0f', 0xaf, 'Gv,Ev', 'imul2', { written: CF | OF, undef: SF | ZF | AF | PF });

// Shifts and rotates: /0 rol /1 ror /2 rcl /3 rcr /4 shl /5 shr /6 shl (sal alias) /7 sar.
const SHIFTS = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'];
SHIFTS.forEach((name, ext) => {
  const rotate = ext < 4;
  const o: RowOptions = {
    ext,
    sub: ext,
    att: name === 'sal' ? 'shl' : name,
    read: ext === 2 || ext === 3 ? CF : 0,
    written: rotate ? CF | OF : ARITH_FLAGS,
    undef: rotate ? OF : AF | OF,
  };
  row(name, 'none', 0xc0, 'Eb,Ib', 'shift', o);
  row(name, 'none', 0xc1, 'Ev,Ib', 'shift', o);
  row(name, 'none', 0xd0, 'Eb,1', 'shift', o);
  row(name, 'none', 0xd1, 'Ev,1', 'shift', o);
  row(name, 'none', 0xd2, 'Eb,CL', 'shift', o);
  row(name, 'none', 0xd3, 'Ev,CL', 'shift', o);
});
const DOUBLE_SHIFT = { written: ARITH_FLAGS, undef: AF | OF };
row('shld', '0f', 0xa4, 'Ev,Gv,Ib', 'shld', DOUBLE_SHIFT);
row('shld', '0f', 0xa5, 'Ev,Gv,CL', 'shld', DOUBLE_SHIFT);
row('shrd', '0f', 0xac, 'Ev,Gv,Ib', 'shrd', DOUBLE_SHIFT);
row('shrd', '0f', 0xad, 'Ev,Gv,CL', 'shrd', DOUBLE_SHIFT);

// Data movement.
row('mov', 'none', 0x88, 'Eb,Gb', 'mov');
row('mov', 'none', 0x89, 'Ev,Gv', 'mov');
row('mov', 'none', 0x8a, 'Gb,Eb', 'mov');
row('mov', 'none', 0x8b, 'Gv,Ev', 'mov');
row('mov', 'none', 0xc6, 'Eb,Ib', 'mov', { ext: 0 });
row('mov', 'none', 0xc7, 'Ev,Iz', 'mov', { ext: 0 });
row('mov', 'none', 0xb0, 'Zb,Ib', 'mov');
row('mov', 'none', 0xb8, 'Zv,Iz', 'mov', { sizes: [16, 32] });
row('mov', 'none', 0xb8, 'Zv,Iv', 'mov', { sizes: [64], att: 'movabs' });
row('mov', 'none', 0xa0, 'AL,Ob', 'mov', { att: 'movabs' });
row('mov', 'none', 0xa1, 'rAX,Ov', 'mov', { att: 'movabs' });
row('mov', 'none', 0xa2, 'Ob,AL', 'mov', { att: 'movabs' });
row('mov', 'none', 0xa3, 'Ov,rAX', 'mov', { att: 'movabs' });
const extSuffix = (from: string) => (size: number) => from + (size === 16 ? 'w' : size === 32 ? 'l' : 'q');
row('movzx', '0f', 0xb6, 'Gv,Eb', 'movzx', { att: extSuffix('movzb'), suffix: 'never' });
row('movzx', '0f', 0xb7, 'Gv,Ew', 'movzx', { att: extSuffix('movzw'), suffix: 'never' });
row('movsx', '0f', 0xbe, 'Gv,Eb', 'movsx', { att: extSuffix('movsb'), suffix: 'never' });
row('movsx', '0f', 0xbf, 'Gv,Ew', 'movsx', { att: extSuffix('movsw'), suffix: 'never' });
row('movsxd', 'none', 0x63, 'Gv,Ed', 'movsx', { sizes: [64], att: 'movslq', suffix: 'never' });
row('movsxd', 'none', 0x63, 'Gv,Ed', 'movsx', { sizes: [16, 32], att: 'movsxd', suffix: 'never' });
row('lea', 'none', 0x8d, 'Gv,Mv', 'lea', { suffix: 'never' });
row('xchg', 'none', 0x86, 'Eb,Gb', 'xchg', { lock: true });
row('xchg', 'none', 0x87, 'Ev,Gv', 'xchg', { lock: true });
// 90 is NOP unless REX.B names r8 (then xchg %eax,%r8d); the decoder picks the NOP form first.
row('nop', 'none', 0x90, '', 'nop');
row('pause', 'none', 0x90, '', 'nop', { prefix: 0xf3 });
row('xchg', 'none', 0x90, 'Zv,rAX', 'xchg');
row('xadd', '0f', 0xc0, 'Eb,Gb', 'xadd', { lock: true, written: ARITH_FLAGS });
row('xadd', '0f', 0xc1, 'Ev,Gv', 'xadd', { lock: true, written: ARITH_FLAGS });
row('cmpxchg', '0f', 0xb0, 'Eb,Gb', 'cmpxchg', { lock: true, written: ARITH_FLAGS });
row('cmpxchg', '0f', 0xb1, 'Ev,Gv', 'cmpxchg', { lock: true, written: ARITH_FLAGS });
// REX.W selects CMPXCHG16B; without it (0x66 or not) the form is CMPXCHG8B. Rows are tried in order.
row('cmpxchg16b', '0f', 0xc7, 'Mdq', 'cmpxchg16b', { sizes: [64], ext: 1, lock: true, written: ZF, suffix: 'never' });
row('cmpxchg8b', '0f', 0xc7, 'Mq', 'cmpxchg8b', { ext: 1, lock: true, written: ZF, suffix: 'never' });
row('bswap', '0f', 0xc8, 'Zv', 'bswap');
row('cbw', 'none', 0x98, '', 'cbw', { sizes: [16, 32, 64], name: (s) => ({ 16: 'cbw', 32: 'cwde', 64: 'cdqe' })[s]!, att: (s) => ({ 16: 'cbtw', 32: 'cwtl', 64: 'cltq' })[s]!, suffix: 'never' });
row('cwd', 'none', 0x99, '', 'cwd', { sizes: [16, 32, 64], name: (s) => ({ 16: 'cwd', 32: 'cdq', 64: 'cqo' })[s]!, att: (s) => ({ 16: 'cwtd', 32: 'cltd', 64: 'cqto' })[s]!, suffix: 'never' });
row('xlat', 'none', 0xd7, '', 'xlat');

// Conditional moves, sets, jumps.
CONDITIONS.forEach((cc, i) => {
  row(`cmov${cc}`, '0f', 0x40 + i, 'Gv,Ev', 'cmov', { sub: i, read: CONDITION_FLAGS[i]! });
  row(`set${cc}`, '0f', 0x90 + i, 'Eb', 'setcc', { sub: i, read: CONDITION_FLAGS[i]!, suffix: 'never' });
  row(`j${cc}`, 'none', 0x70 + i, 'Jb', 'jcc', { sub: i, read: CONDITION_FLAGS[i]! });
  row(`j${cc}`, '0f', 0x80 + i, 'Jd', 'jcc', { sub: i, read: CONDITION_FLAGS[i]! });
});

// Bit operations.
const BT = ['bt', 'bts', 'btr', 'btc'];
BT.forEach((name, i) => {
  const o = { sub: i, lock: i > 0, written: CF, undef: OF | SF | AF | PF };
  row(name, '0f', [0xa3, 0xab, 0xb3, 0xbb][i]!, 'Ev,Gv', 'bt', o);
  row(name, '0f', 0xba, 'Ev,Ib', 'bt', { ...o, ext: 4 + i });
});
row('bsf', '0f', 0xbc, 'Gv,Ev', 'bsf', { written: ZF, undef: CF | OF | SF | AF | PF });
row('bsr', '0f', 0xbd, 'Gv,Ev', 'bsr', { written: ZF, undef: CF | OF | SF | AF | PF });
row('popcnt', '0f', 0xb8, 'Gv,Ev', 'popcnt', { prefix: 0xf3, written: ARITH_FLAGS });
row('tzcnt', '0f', 0xbc, 'Gv,Ev', 'tzcnt', { prefix: 0xf3, written: CF | ZF, undef: OF | SF | AF | PF });
row('lzcnt', '0f', 0xbd, 'Gv,Ev', 'lzcnt', { prefix: 0xf3, written: CF | ZF, undef: OF | SF | AF | PF });

// Stack and control transfer.
row('push', 'none', 0x50, 'Zv', 'push', { d64: true });
row('pop', 'none', 0x58, 'Zv', 'pop', { d64: true });
row('push', 'none', 0xff, 'Ev', 'push', { ext: 6, d64: true });
row('pop', 'none', 0x8f, 'Ev', 'pop', { ext: 0, d64: true });
row('push', 'none', 0x68, 'Iz', 'push', { d64: true, sizes: [64, 16] });
row('push', 'none', 0x6a, 'Is', 'push', { d64: true, sizes: [64, 16] });
row('pushf', 'none', 0x9c, '', 'pushf', { d64: true, sizes: [64, 16], read: 0xfd5, att: (s) => (s === 16 ? 'pushfw' : 'pushf'), suffix: 'never' });
row('popf', 'none', 0x9d, '', 'popf', { d64: true, sizes: [64, 16], written: 0xfd5, att: (s) => (s === 16 ? 'popfw' : 'popf'), suffix: 'never' });
row('lahf', 'none', 0x9f, '', 'lahf', { read: ARITH_FLAGS & ~OF });
row('sahf', 'none', 0x9e, '', 'sahf', { written: ARITH_FLAGS & ~OF });
row('call', 'none', 0xe8, 'Jd', 'call', { att: 'call' });
// Indirect near branches are always 64-bit in 64-bit mode (0x66 is ignored, as Intel CPUs do).
row('call', 'none', 0xff, 'Eq', 'callind', { ext: 2, suffix: 'never' });
row('jmp', 'none', 0xe9, 'Jd', 'jmp');
row('jmp', 'none', 0xeb, 'Jb', 'jmp');
row('jmp', 'none', 0xff, 'Eq', 'jmpind', { ext: 4, suffix: 'never' });
row('ret', 'none', 0xc3, '', 'ret');
row('ret', 'none', 0xc2, 'Iw', 'ret');
row('loopne', 'none', 0xe0, 'Jb', 'loop', { sub: 0, read: ZF });
row('loope', 'none', 0xe1, 'Jb', 'loop', { sub: 1, read: ZF });
row('loop', 'none', 0xe2, 'Jb', 'loop', { sub: 2 });
row('jrcxz', 'none', 0xe3, 'Jb', 'jrcxz');
row('enter', 'none', 0xc8, 'Iw,Ib', 'enter', { d64: true, sizes: [64, 16], att: (s) => (s === 16 ? 'enterw' : 'enter'), suffix: 'never' });
row('leave', 'none', 0xc9, '', 'leave', { d64: true, sizes: [64, 16], att: (s) => (s === 16 ? 'leavew' : 'leave'), suffix: 'never' });

// String instructions: movs/cmps print a suffix and both operands, stos/lods/scas a register.
const STRING: Array<[string, number, number, string, 'rep' | 'repcc', number, number]> = [
  ['movs', 0xa4, 0xa5, 'movs', 'rep', 0, 0],
  ['cmps', 0xa6, 0xa7, 'cmps', 'repcc', DF, ARITH_FLAGS],
  ['stos', 0xaa, 0xab, 'stos', 'rep', 0, 0],
  ['lods', 0xac, 0xad, 'lods', 'rep', 0, 0],
  ['scas', 0xae, 0xaf, 'scas', 'repcc', DF, ARITH_FLAGS],
];
const SUFFIX: Record<number, string> = { 8: 'b', 16: 'w', 32: 'd', 64: 'q' };
const ATT_SUFFIX: Record<number, string> = { 8: 'b', 16: 'w', 32: 'l', 64: 'q' };
for (const [name, byteOp, wordOp, exec, rep, read, written] of STRING) {
  const att = (s: number) => (name === 'movs' || name === 'cmps' ? name + ATT_SUFFIX[s] : name);
  const o = { rep, read: read | DF, written, suffix: 'never' as const, att, name: (s: number) => name + SUFFIX[s] };
  row(name, 'none', byteOp, '', exec, { ...o, sizes: [8] });
  row(name, 'none', wordOp, '', exec, { ...o, sizes: [16, 32, 64] });
}

// Flags and miscellany.
row('clc', 'none', 0xf8, '', 'flag', { sub: 0, written: CF });
row('stc', 'none', 0xf9, '', 'flag', { sub: 1, written: CF });
row('cmc', 'none', 0xf5, '', 'flag', { sub: 2, read: CF, written: CF });
row('cld', 'none', 0xfc, '', 'flag', { sub: 3, written: DF });
row('std', 'none', 0xfd, '', 'flag', { sub: 4, written: DF });
row('cli', 'none', 0xfa, '', 'flag', { sub: 5, written: IF, priv: true });
row('sti', 'none', 0xfb, '', 'flag', { sub: 6, written: IF, priv: true });
row('nop', '0f', 0x1f, 'Ev', 'nop', { ext: 0 });
row('endbr64', '0f', 0x1e, '', 'nop', { prefix: 0xf3, modrmByte: 0xfa });
// Fences: encoders use the ModRM byte given; decoders accept any r/m of that register form.
// 66/F2/F3 select other instructions (not supported), so they are rejected.
row('lfence', '0f', 0xae, '', 'nop', { modrmByte: 0xe8, anyRm: true, noSimdPrefix: true });
row('mfence', '0f', 0xae, '', 'nop', { modrmByte: 0xf0, anyRm: true, noSimdPrefix: true });
row('sfence', '0f', 0xae, '', 'nop', { modrmByte: 0xf8, anyRm: true, noSimdPrefix: true });
row('cpuid', '0f', 0xa2, '', 'cpuid');
row('rdtsc', '0f', 0x31, '', 'rdtsc');
row('ud2', '0f', 0x0b, '', 'ud2');
row('int3', 'none', 0xcc, '', 'int3');
row('int', 'none', 0xcd, 'Ib', 'int');
row('hlt', 'none', 0xf4, '', 'hlt', { priv: true });

// System.
row('syscall', '0f', 0x05, '', 'syscall', { written: 0xfd5 });
// REX.W: return to 64-bit mode (sysretq); otherwise to compatibility mode (sysretl, not supported: #UD).
row('sysret', '0f', 0x07, '', 'sysret', { sizes: [64], priv: true, written: 0xfd5, att: 'sysretq', name: () => 'sysretq' });
row('sysret', '0f', 0x07, '', 'sysret', { priv: true, written: 0xfd5, att: 'sysretl' });
row('swapgs', '0f', 0x01, '', 'swapgs', { modrmByte: 0xf8, priv: true });
row('wrmsr', '0f', 0x30, '', 'wrmsr', { priv: true });
row('rdmsr', '0f', 0x32, '', 'rdmsr', { priv: true });

// ---- queries ---------------------------------------------------------------------------

/** Every supported instruction form. */
export const FORMS: readonly InsnForm[] = forms;

const byMnemonic = new Map<string, InsnForm[]>();
for (const f of forms) {
  const list = byMnemonic.get(f.mnemonic) ?? [];
  list.push(f);
  byMnemonic.set(f.mnemonic, list);
}

/** The forms of an Intel mnemonic ('add', 'jne', 'movzx'), in table order; empty when unknown. */
export function formsOf(mnemonic: string): readonly InsnForm[] {
  return byMnemonic.get(mnemonic.toLowerCase()) ?? [];
}

/** All Intel mnemonics in the table. */
export function mnemonics(): string[] {
  return [...byMnemonic.keys()].sort();
}

/** The opcode bytes a form starts with after its prefixes and REX: map escape + opcode (+ fixed ModRM). */
export function opcodeBytes(form: InsnForm, opreg = 0): number[] {
  const escape = form.map === 'none' ? [] : form.map === '0f' ? [0x0f] : form.map === '0f38' ? [0x0f, 0x38] : [0x0f, 0x3a];
  const out = [...escape, form.opcode + (form.operands.some((o) => o.kind === 'opreg') ? opreg & 7 : 0)];
  if (form.modrmByte !== undefined) out.push(form.modrmByte);
  return out;
}
