// The CPU core's public surface: everything other parts of the project may import from
// runtime/cpu. Nothing here imports any other part of the project.
export * from './faults.ts';
export * from './memory.ts';
export * from './table.ts';
export { decode, Insn, Truncated, MAX_INSN_LENGTH } from './decode.ts';
export { disassemble, formatInsn, registerName } from './disasm.ts';
export * from './cpu.ts';
export { cpuidLeaf } from './exec.ts';
