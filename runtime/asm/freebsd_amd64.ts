// The freebsd/amd64 guest code: the Syscall stubs (asm_freebsd_amd64.s, package syscall,
// user pages) and the kernel entry code, which is linux/amd64's (entry_linux_amd64.s):
// SYSCALL, the pt_regs frame, do_syscall_64 and SYSRET are the same on both, and the
// FreeBSD difference, the carry flag, is written by the host into the frame's saved RFLAGS
// (runtime/kernel/freebsd/bsd.ts), which the exit path already hands to SYSRET.
//
// A machine links and boots them exactly as linux_amd64.ts describes, binding
// do_syscall_64 to a dispatcher that runs the FreeBSD kernel on `freebsdFrame` (base = DI).
// A stub call's frame is [return address][trap][a1 …][r1 r2 err] (STUB_FRAMES bytes).
import { readFileSync } from 'node:fs';
import { assemble, type AsmObject } from './assembler.ts';
import { linuxAmd64Objects } from './linux_amd64.ts';

/** Frame sizes (arguments + results, bytes) of the stubs, from their TEXT lines. */
export const FREEBSD_STUB_FRAMES = {
  'syscall.Syscall': 56, 'syscall.Syscall6': 80, 'syscall.RawSyscall': 56, 'syscall.RawSyscall6': 80,
} as const;

let cached: { stubs: AsmObject; entry: AsmObject } | null = null;

/** The assembled stubs and the (shared) kernel entry object. */
export function freebsdAmd64Objects(): { stubs: AsmObject; entry: AsmObject } {
  if (!cached) {
    const name = 'asm_freebsd_amd64.s';
    const stubs = assemble(readFileSync(new URL(name, import.meta.url), 'utf8'), { file: `runtime/asm/${name}`, pkg: 'syscall' });
    cached = { stubs, entry: linuxAmd64Objects().entry };
  }
  return cached;
}
