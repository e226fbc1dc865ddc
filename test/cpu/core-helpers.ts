// Shared helpers for the CPU core's unit tests: a machine with code and stack pages.
import { Cpu, Memory, PROT_EXEC, PROT_READ, PROT_WRITE, type CpuMode } from '../../runtime/cpu/index.ts';

export const CODE = 0x400000;
export const DATA = 0x600000;
export const STACK_TOP = 0x7ff000;

/** Parses "48 01 d8" style hex. */
export function hex(s: string): Uint8Array {
  return Uint8Array.from(s.trim().split(/\s+/).filter(Boolean).map((b) => parseInt(b, 16)));
}

export function machine(code: string | Uint8Array, opts: { mode?: CpuMode; cpl?: 0 | 3; codeUser?: boolean } = {}): Cpu {
  const mem = new Memory();
  mem.map(CODE, 0x2000, PROT_READ | PROT_EXEC, { user: opts.codeUser ?? true });
  mem.map(DATA, 0x2000, PROT_READ | PROT_WRITE);
  mem.map(STACK_TOP - 0x4000, 0x4000, PROT_READ | PROT_WRITE);
  mem.write(CODE, typeof code === 'string' ? hex(code) : code, { force: true });
  const cpu = new Cpu(mem, { mode: opts.mode ?? 'user' });
  cpu.rip = CODE;
  cpu.cpl = opts.cpl ?? 3;
  cpu.setReg(4, STACK_TOP);
  return cpu;
}
