// The linux/amd64 guest code this project ships: the Syscall stubs (asm_linux_amd64.s,
// package syscall, user pages) and the kernel entry code (entry_linux_amd64.s, supervisor
// pages), assembled once per process, plus the layouts the host side must agree on.
//
// How a machine uses them (test/asm/machine.ts does exactly this):
//   const { stubs, entry } = linuxAmd64Objects();
//   const image = new Linker().add(stubs).add(entry, { supervisor: true })
//     .bindHost('runtime·entersyscall', fn).bindHost('runtime·exitsyscall', fn)
//     .bindHost('do_syscall_64', fn, { supervisor: true }).link();
//   loadImage(mem, image);
// Boot: a Cpu in 'system' mode with cpl = 0, RIP = syscall_init, DI = the first user RIP,
// SI = the user stack pointer, DX = 0 (boot CPU: entry_percpu and a boot kernel stack) or
// the address of this CPU's own per-CPU area (PERCPU layout, supervisor memory, its
// topOfStack slot set); syscall_init enters ring 3 there. A thread's kernel stack top goes
// in its CPU's PERCPU.topOfStack slot before it runs.
// A stub call: RSP points at [return address][trap][a1 …][r1 r2 err] (STUB_FRAMES bytes
// after the return address), RIP = the stub; the stub RETs to the return address, which
// can be a host-bound symbol the machine treats as "call finished". When the CPU stops
// with { kind: 'host', addr }, `image.callHost(cpu, addr)` runs the bound function and
// returns from it. do_syscall_64 receives DI = the pt_regs frame (PT_REGS offsets, in
// supervisor memory: use { force: true } or CPU loads), SI = the number; it writes the
// result to regs->ax (and regs->dx for a second result).
import { readFileSync } from 'node:fs';
import { assemble, type AsmObject } from './assembler.ts';

const here = new URL('.', import.meta.url);

/** Offsets of the saved registers in the pt_regs frame entry_SYSCALL_64 builds (bytes). */
export const PT_REGS = {
  r15: 0, r14: 8, r13: 16, r12: 24, bp: 32, bx: 40, r11: 48, r10: 56, r9: 64, r8: 72,
  ax: 80, cx: 88, dx: 96, si: 104, di: 112, orig_ax: 120, ip: 128, cs: 136, flags: 144, sp: 152, ss: 160,
} as const;
export const PT_REGS_SIZE = 168;

/** Offsets in the per-CPU area (symbol entry_percpu) that entry_SYSCALL_64 reaches through GS. */
export const PERCPU = { userSp: 0, topOfStack: 8 } as const;

/** Frame sizes (arguments + results, bytes) of the stubs, from their TEXT lines. */
export const STUB_FRAMES = {
  'syscall.Syscall': 56, 'syscall.Syscall6': 80, 'syscall.RawSyscall': 56, 'syscall.RawSyscall6': 80,
  'syscall.SyscallNoError': 48, 'syscall.RawSyscallNoError': 48,
} as const;

let cached: { stubs: AsmObject; entry: AsmObject } | null = null;

/** The assembled stubs and kernel entry objects. */
export function linuxAmd64Objects(): { stubs: AsmObject; entry: AsmObject } {
  if (!cached) {
    const load = (name: string, pkg: string) => assemble(readFileSync(new URL(name, here), 'utf8'), { file: `runtime/asm/${name}`, pkg });
    cached = { stubs: load('asm_linux_amd64.s', 'syscall'), entry: load('entry_linux_amd64.s', 'kernel') };
  }
  return cached;
}
