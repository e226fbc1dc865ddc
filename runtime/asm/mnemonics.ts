// Plan 9 mnemonics for amd64 and what each one means in x86 terms: the x86 mnemonic the
// encoder knows, the operand size (from the B/W/L/Q suffix) and how Plan 9's operand
// order maps to Intel's. Plan 9 writes source first and destination last (MOVQ AX, BX
// copies AX into BX); CMP is the exception that reads left to right (CMPQ AX, $1 then JLT
// jumps when AX < 1), so it keeps its order. Condition suffixes are Go's: EQ NE LT GE LE
// GT (signed), LS HI CC CS (unsigned, with HS/LO as aliases of CC/CS), MI PL OS OC PS PC.
import type { OperandSize } from '../cpu/encoder.ts';

export type Shape =
  /** Two operands, Plan 9 (src, dst) → Intel (dst, src). */
  | 'swap'
  /** Two operands kept in order (CMP). */
  | 'keep'
  /** One read-modify-write or source operand. */
  | 'unary'
  /** A branch: a label, n(PC), a symbol, a register or memory (indirect). */
  | 'branch'
  /** No operands. */
  | 'none'
  /** INT $n. */
  | 'vector'
  /** PUSHQ/POPQ: one operand, changes the stack depth. */
  | 'stack'
  /** BYTE/WORD/LONG/QUAD: raw data in the instruction stream. */
  | 'data'
  /** LOCK: prefixes the next instruction (written on its own, as Go does). */
  | 'prefix';

export interface Mnemonic {
  /** Intel mnemonic as the instruction table names it. */
  x86: string;
  size: OperandSize;
  shape: Shape;
  /** Size of the source operand when it differs (MOVBQZX reads a byte). */
  srcSize?: OperandSize;
  /** Stack depth change in bytes (PUSHQ +8, POPQ -8) for the FP/SP pseudo-registers. */
  stack?: number;
}

const SUFFIX: Record<string, OperandSize> = { B: 1, W: 2, L: 4, Q: 8 };

/** Go's condition suffixes → the table's condition names (jbe, seta, cmovne …). */
export const GO_CONDITIONS: Record<string, string> = {
  EQ: 'e', NE: 'ne', LT: 'l', GE: 'ge', LE: 'le', GT: 'g',
  LS: 'be', HI: 'a', CC: 'ae', CS: 'b', HS: 'ae', LO: 'b',
  MI: 's', PL: 'ns', OS: 'o', OC: 'no', PS: 'p', PC: 'np',
};

function build(): Map<string, Mnemonic> {
  const m = new Map<string, Mnemonic>();
  const sized = (stem: string, x86: string, shape: Shape, suffixes: string) => {
    for (const s of suffixes) m.set(stem + s, { x86, size: SUFFIX[s]!, shape });
  };
  for (const op of ['MOV', 'ADD', 'SUB', 'AND', 'OR', 'XOR', 'ADC', 'SBB', 'TEST']) sized(op, op.toLowerCase(), 'swap', 'BWLQ');
  sized('CMP', 'cmp', 'keep', 'BWLQ');
  for (const op of ['SHL', 'SHR', 'SAR', 'ROL', 'ROR']) sized(op, op.toLowerCase(), 'swap', 'BWLQ');
  for (const op of ['NEG', 'NOT', 'INC', 'DEC', 'MUL', 'DIV', 'IDIV']) sized(op, op.toLowerCase(), 'unary', 'BWLQ');
  sized('LEA', 'lea', 'swap', 'WLQ');
  sized('IMUL', 'imul', 'swap', 'WLQ');
  for (const op of ['XCHG', 'XADD', 'CMPXCHG']) sized(op, op.toLowerCase(), 'swap', 'BWLQ');
  for (const op of ['BSF', 'BSR', 'POPCNT', 'TZCNT', 'LZCNT', 'BT', 'BTS', 'BTR', 'BTC']) sized(op, op.toLowerCase(), 'swap', 'WLQ');
  sized('BSWAP', 'bswap', 'unary', 'LQ');
  m.set('LOCK', { x86: '', size: 1, shape: 'prefix' });
  const ext = (name: string, x86: string, srcSize: OperandSize, size: OperandSize) => m.set(name, { x86, size, shape: 'swap', srcSize });
  ext('MOVBWZX', 'movzx', 1, 2);
  ext('MOVBLZX', 'movzx', 1, 4);
  ext('MOVBQZX', 'movzx', 1, 8);
  ext('MOVWLZX', 'movzx', 2, 4);
  ext('MOVWQZX', 'movzx', 2, 8);
  ext('MOVBWSX', 'movsx', 1, 2);
  ext('MOVBLSX', 'movsx', 1, 4);
  ext('MOVBQSX', 'movsx', 1, 8);
  ext('MOVWLSX', 'movsx', 2, 4);
  ext('MOVWQSX', 'movsx', 2, 8);
  ext('MOVLQSX', 'movsxd', 4, 8);
  // A 32-bit move clears the upper half: MOVLQZX is MOVL.
  m.set('MOVLQZX', { x86: 'mov', size: 4, shape: 'swap' });
  for (const [cc, x86] of Object.entries(GO_CONDITIONS)) {
    m.set(`J${cc}`, { x86: `j${x86}`, size: 8, shape: 'branch' });
    m.set(`SET${cc}`, { x86: `set${x86}`, size: 1, shape: 'unary' });
    for (const s of 'WLQ') m.set(`CMOV${s}${cc}`, { x86: `cmov${x86}`, size: SUFFIX[s]!, shape: 'swap' });
  }
  m.set('JMP', { x86: 'jmp', size: 8, shape: 'branch' });
  m.set('CALL', { x86: 'call', size: 8, shape: 'branch' });
  m.set('PUSHQ', { x86: 'push', size: 8, shape: 'stack', stack: 8 });
  m.set('POPQ', { x86: 'pop', size: 8, shape: 'stack', stack: -8 });
  m.set('PUSHFQ', { x86: 'pushf', size: 8, shape: 'none', stack: 8 });
  m.set('POPFQ', { x86: 'popf', size: 8, shape: 'none', stack: -8 });
  m.set('INT', { x86: 'int', size: 8, shape: 'vector' });
  const plain: Array<[string, string]> = [
    ['RET', 'ret'], ['SYSCALL', 'syscall'], ['SYSRET', 'sysretq'], ['SWAPGS', 'swapgs'], ['WRMSR', 'wrmsr'],
    ['RDMSR', 'rdmsr'], ['RDTSC', 'rdtsc'], ['CPUID', 'cpuid'], ['HLT', 'hlt'], ['NOP', 'nop'], ['PAUSE', 'pause'],
    ['CLI', 'cli'], ['STI', 'sti'], ['UD2', 'ud2'], ['CQO', 'cqo'], ['LFENCE', 'lfence'], ['MFENCE', 'mfence'],
  ];
  for (const [name, x86] of plain) m.set(name, { x86, size: 8, shape: 'none' });
  const sizedPlain: Array<[string, string, OperandSize]> = [
    ['CBW', 'cbw', 2], ['CWDE', 'cwde', 4], ['CDQE', 'cdqe', 8], ['CWD', 'cwd', 2], ['CDQ', 'cdq', 4],
  ];
  for (const [name, x86, size] of sizedPlain) m.set(name, { x86, size, shape: 'none' });
  for (const name of ['CLC', 'STC', 'CMC', 'CLD', 'STD', 'LAHF', 'SAHF']) m.set(name, { x86: name.toLowerCase(), size: 8, shape: 'none' });
  for (const [name, size] of [['BYTE', 1], ['WORD', 2], ['LONG', 4], ['QUAD', 8]] as const) m.set(name, { x86: '', size, shape: 'data' });
  return m;
}

export const MNEMONICS: ReadonlyMap<string, Mnemonic> = build();

/** Hardware register numbers by Plan 9 name; byte registers have their own names too. */
export const REGISTERS: Record<string, number> = {
  AX: 0, CX: 1, DX: 2, BX: 3, SP: 4, BP: 5, SI: 6, DI: 7,
  R8: 8, R9: 9, R10: 10, R11: 11, R12: 12, R13: 13, R14: 14, R15: 15,
};
export const BYTE_REGISTERS: Record<string, number> = {
  AL: 0, CL: 1, DL: 2, BL: 3, SPB: 4, BPB: 5, SIB: 6, DIB: 7,
  R8B: 8, R9B: 9, R10B: 10, R11B: 11, R12B: 12, R13B: 13, R14B: 14, R15B: 15,
};

/** textflag.h, as facts: the flags TEXT and GLOBL accept. */
export const TEXT_FLAGS: Record<string, number> = {
  NOPROF: 1, DUPOK: 2, NOSPLIT: 4, RODATA: 8, NOPTR: 16, WRAPPER: 32, NEEDCTXT: 64,
  TLSBSS: 256, NOFRAME: 512, REFLECTMETHOD: 1024, TOPFRAME: 2048, ABIWRAPPER: 4096,
};
