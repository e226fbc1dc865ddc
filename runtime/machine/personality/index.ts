// The OS personalities the machine runs: what differs between linux/amd64, freebsd/amd64
// and darwin/amd64 on one x86-64 machine (kernel entered through SYSCALL, kernel entry code
// shared), gathered behind one interface so machine.ts stays OS-neutral:
//   - which kernel (the core with that OS's handlers installed) and its syscall frame (how
//     the number, arguments and result are read from and written to pt_regs: -errno in RAX
//     on Linux, a positive errno and the carry flag on the BSDs, the 0x2000000 class on XNU);
//   - which guest objects are linked beside the entry code (stubs, libSystem, trampolines);
//   - how an M makes the kernel thread of a new M (Go's newosproc): the system call the
//     creating thread makes (clone, thr_new, bsdthread_create) and the structs it points to;
//   - per-thread setup before a CPU boots (XNU's TSD block);
//   - the stubs a trap-number call or a libc call runs, and how the process exits when
//     main returns;
//   - the tracer, in that OS's own format (strace, truss, dtruss).
// windows/amd64 has no SYSCALL and a different kernel altogether: it is its own machine
// (./windows.ts), chosen by the same target descriptor.
//
// Invariant: a personality keeps no state; everything per run lives in the machine.
import type { Cpu, Memory } from '../../cpu/index.ts';
import type { AsmObject } from '../../asm/index.ts';
import type { Kernel, KernelOptions, SyscallRegs, Thread } from '../../kernel/index.ts';
import type { Summary } from '../../trace/index.ts';
import type { TargetDescriptor } from '../../syscall.ts';
import { linuxPersonality } from './linux.ts';
import { freebsdPersonality } from './freebsd.ts';
import { darwinPersonality } from './darwin.ts';

/** The frame of the call in progress: base = DI at do_syscall_64. */
export interface SyscallFrame extends SyscallRegs {
  base: number;
  /** RAX as the handler left it: the result, or -errno. */
  result(): number;
}

/** A tracer attached to the kernel (as its observer); `summary` backs strace -c where the format has one. */
export interface Tracer {
  readonly summary: Summary | null;
}

export interface TracerSettings {
  write: (line: string) => void;
  timing?: boolean;
  summaryOnly?: boolean;
  /** Each line names its thread (StraceSettings.threadIds). */
  threadIds?: boolean;
}

/** The four stubs of one call family, in the order Syscall, Syscall6, RawSyscall, RawSyscall6. */
export type StubFamily = readonly [string, string, string, string];

/** A new M's thread as the M that creates it describes it to the kernel. */
export interface NewThread {
  /** Its user stack: [stackLo, stackHi). */
  stackLo: number;
  stackHi: number;
  /**
   * A zeroed, mapped user page of the new thread's own (THREAD_AREA), for what the call
   * points to: NEW_THREAD_AREA says where each thing goes.
   */
  area: number;
  /** Where the thread starts: the machine boots every thread's CPU at runtime·mstart. */
  start: number;
}

/**
 * The layout of NewThread.area: the OS's own record at 0 (FreeBSD's struct thr_param, the
 * emulated libSystem's struct _pthread), and at `m` the word block standing in for Go's m,
 * which Go hands the new thread as its argument; its first words stand for m.tls (Go's
 * tls_base on FreeBSD), `tlsSize` bytes as Go's m.tls (tlsSlots = 6 words).
 */
export const NEW_THREAD_AREA = { os: 0, m: 0x800, tlsSize: 48 } as const;

/** The system call that creates a thread: its name in the target's table and its argument words. */
export interface ThreadCreateCall {
  name: string;
  args: ReadonlyArray<number | bigint>;
}

/** How the process ends when main returns: the stub and its first word (trap or trampoline); the status follows. */
export interface ExitCall {
  stub: string;
  first: number;
}

export interface UnixPersonality {
  readonly os: 'linux' | 'freebsd' | 'darwin';
  kernel(opts: KernelOptions): Kernel;
  /** The user objects linked beside the kernel entry code. */
  userObjects(target: TargetDescriptor): AsmObject[];
  /** The kernel entry code (supervisor pages). */
  entryObject(): AsmObject;
  /** The frame view for one CPU, reading and writing pt_regs with that CPU's ring-0 accesses. */
  frame(cpu: Cpu): SyscallFrame;
  /**
   * Go's newosproc on this OS: the call an M makes to create the thread of a new M, after
   * writing what its arguments point to into m.area (through `mem`, as the creating thread
   * would). The kernel's threadProvider makes the thread during the call.
   */
  threadCreate(mem: Memory, m: NewThread): ThreadCreateCall;
  /**
   * Before a thread's CPU boots: `area` is the thread's own page (NewThread.area, mapped);
   * `thread` is its kernel thread (with what the creating call set in it).
   */
  prepareThread(mem: Memory, cpu: Cpu, area: number, thread: Thread): void;
  /** Stubs for calls by trap number (null: the OS makes none from Go code). */
  readonly syscallStubs: StubFamily | null;
  /** Stubs for libc calls through a trampoline (null: the OS has no libc route). */
  readonly libcStubs: StubFamily | null;
  /** The trampoline symbol of libc function `name`. */
  trampoline(name: string): string;
  exitCall(kernel: Kernel, addressOf: (symbol: string) => number): ExitCall | null;
  tracer(kernel: Kernel, settings: TracerSettings): Tracer;
}

/** Refuses strace's -T and -c for a tracer format that has neither (truss, dtruss and the API monitor here). */
export function linesOnly(format: string, s: { timing?: boolean; summaryOnly?: boolean; summary?: boolean }): void {
  if (s.timing || s.summaryOnly || s.summary) throw new Error(`the ${format} trace has no -T (durations) or -c (summary) form; trace without them`);
}

/** The personality of a target the SYSCALL machine runs, or an Error saying why not. */
export function unixPersonality(target: TargetDescriptor): UnixPersonality {
  if (target.arch === 'amd64') {
    if (target.os === 'linux') return linuxPersonality;
    if (target.os === 'freebsd') return freebsdPersonality;
    if (target.os === 'darwin') return darwinPersonality;
  }
  throw new Error(`Machine: ${target.os}/${target.arch} does not execute; linux/amd64, freebsd/amd64, darwin/amd64 and windows/amd64 do`);
}

/** Guest memory as ring-0 code sees it through one CPU (for the BSD frames). */
export function ringZeroWords(cpu: Cpu): { readU32(a: number): number; writeU32(a: number, v: number): void } {
  return {
    readU32: (a) => cpu.load(a, 4) >>> 0,
    writeU32: (a, v) => cpu.store(a, 4, v | 0, 0),
  };
}
