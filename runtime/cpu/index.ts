// The CPU core's public surface: everything other parts of the project may import from
// runtime/cpu. Nothing here imports any other part of the project.
//
//   Memory (memory.ts)        sparse paged guest memory, protections, host accessors
//   Cpu, Stop (cpu.ts)        registers, MSRs, rings, run/step in 'user' or 'system' mode
//   CpuFault (faults.ts)      the only exception the core throws (#DE #BP #UD #GP #PF)
//   FORMS, formsOf, mnemonics, opcodeBytes (table.ts)
//                             the instruction table that drives decoder, disassembler,
//                             encoder and test generators, and its queries
//   decode (decode.ts)        bytes → Insn;  disassemble/formatInsn (disasm.ts): AT&T text as objdump prints it
//   cpuidLeaf (exec.ts)       the documented CPUID feature set
export * from './faults.ts';
export * from './memory.ts';
export * from './table.ts';
export { decode, Insn, Truncated, MAX_INSN_LENGTH } from './decode.ts';
export { disassemble, formatInsn, registerName } from './disasm.ts';
export * from './cpu.ts';
export { cpuidLeaf } from './exec.ts';
