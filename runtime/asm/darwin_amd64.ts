// The darwin/amd64 guest code: the runtime's libc-call stubs (asm_darwin_amd64.s, package
// runtime), the emulated libSystem (libsystem_darwin_amd64.s: the C functions, cerror,
// __error as libc_error), the trampolines the syscall package calls through, and the kernel
// entry code, which is linux/amd64's (the XNU personality differs only on the host side:
// the class bits of RAX and the carry flag in the saved RFLAGS).
//
// Call path: syscall·<Wrapper> → runtime·syscall_syscall(fn = &syscall·libc_open_trampoline,
// a1, a2, a3) → CALL entersyscall → CALL fn → JMP libc_open → MOVL $0x2000005, AX; SYSCALL →
// entry_SYSCALL_64 → do_syscall_64 (host, XNU kernel on `darwinFrame`) → SYSRET → JCS cerror
// or RET → r1, r2, err from AX, DX and *__error() → CALL exitsyscall → RET.
//
// A stub call's frame is [return address][fn][a1 …][r1 r2 err] (DARWIN_STUB_FRAMES bytes).
// Boot and linking are as linux_amd64.ts describes; all objects but the entry are user code.
// One addition: each thread needs its own thread-specific data block (DARWIN_TSD layout,
// user memory, its own address in the self word) as its user GS base, which the machine
// sets by writing MSR_KERNEL_GS_BASE = the block before the thread's CPU runs
// syscall_init (its SWAPGS swaps it in). libSystem keeps errno there.
import { readFileSync } from 'node:fs';
import { assemble, type AsmObject } from './assembler.ts';
import { linuxAmd64Objects } from './linux_amd64.ts';

/** Frame sizes (fn, arguments, results; bytes) of the runtime's libc-call stubs. */
export const DARWIN_STUB_FRAMES = {
  'runtime.syscall_syscall': 56, 'runtime.syscall_syscall6': 80, 'runtime.syscall_rawSyscall': 56, 'runtime.syscall_rawSyscall6': 80,
} as const;

/** A thread's thread-specific data block: the self pointer and errno (bytes). */
export const DARWIN_TSD = { self: 0, errno: 8, size: 16 } as const;
/** The MSR whose value SWAPGS makes the user GS base. */
export const MSR_KERNEL_GS_BASE = 0xc0000102;

/** The symbol of the trampoline for libc function `name` (what libcTrampoline(name) stands for). */
export function trampolineSymbol(name: string): string {
  return `syscall.libc_${name}_trampoline`;
}

/** Go's mkasm output for the given libc functions: `TEXT ·libc_x_trampoline(SB)` jumping to `libc_x`. */
export function trampolinesObject(names: ReadonlyArray<string>): AsmObject {
  for (const n of names) if (!/^[a-z_][a-z0-9_]*$/.test(n)) throw new Error(`trampoline: "${n}" is not a libc function name`);
  const source = ['#include "textflag.h"', ...names.map((n) => `TEXT ·libc_${n}_trampoline(SB),NOSPLIT,$0-0\n\tJMP\tlibc_${n}(SB)`)].join('\n') + '\n';
  return assemble(source, { file: 'zsyscall_darwin_amd64.s', pkg: 'syscall' });
}

let cached: { stubs: AsmObject; libsystem: AsmObject; entry: AsmObject } | null = null;

/** The assembled runtime stubs, libSystem and the (shared) kernel entry object. */
export function darwinAmd64Objects(): { stubs: AsmObject; libsystem: AsmObject; entry: AsmObject } {
  if (!cached) {
    const load = (name: string, pkg: string) => assemble(readFileSync(new URL(name, import.meta.url), 'utf8'), { file: `runtime/asm/${name}`, pkg });
    cached = { stubs: load('asm_darwin_amd64.s', 'runtime'), libsystem: load('libsystem_darwin_amd64.s', 'libsystem'), entry: linuxAmd64Objects().entry };
  }
  return cached;
}
