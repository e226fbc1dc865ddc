// The kernel's host side: processes and threads, the file system, and do_syscall_64, the
// dispatcher the guest's entry_SYSCALL_64 calls with the saved user registers.
//
// Construction takes a target's tables as plain data (numbers and errnos) and the Linux
// personality's handlers, registered by name; sys_call_table is their join (tables.ts).
//
// do_syscall_64(thread, regs), as in Linux's arch/x86/entry/common.c:
//   nr = RAX; handler = sys_call_table[nr] (or sys_ni_syscall: -ENOSYS);
//   result = handler(args from RDI, RSI, RDX, R10, R8, R9); RAX = result or -errno.
// A handler may instead return a Block (wait on a queue / sleep until a time): RAX is left
// alone, the thread is parked and its caller calls do_syscall_64 again once it is woken,
// restarting the handler (like ERESTARTSYS). Signals sent during a call take effect as the
// call returns to user mode: a fatal default action kills the whole process.
//
// Virtual time: each attempt costs SYSCALL_COST plus what the handler charges (copies,
// path lookups); see clock.ts.
//
// Invariants: handlers never throw for any argument words (bad pointers are EFAULT); a
// dead thread never enters do_syscall_64 again; every result is an exact signed number.
import { formatAddress, type Memory } from '../cpu/index.ts';
import { SYSCALL_COST, type VirtualClock } from './clock.ts';
import { FdTable, InputStream, OutputStream, type OpenFile } from './file.ts';
import { SIGNALS_NOT_FATAL_BY_DEFAULT, SIGILL, SIGSEGV, SIGFPE, SIGTRAP } from './linux/abi.ts';
import { linuxHandlers, REQUIRED_ERRNOS, type Handler } from './linux/handlers.ts';
import { Process, Thread, type PendingCall } from './process.ts';
import { argWord, syscallNumber, type SyscallRegs } from './regs.ts';
import { buildSysCallTable, ErrnoTable, SyscallNumbers, type TargetTables } from './tables.ts';
import { copyToUser } from './uaccess.ts';
import { Vfs, type HostMount, type SeedFile } from './vfs.ts';
import type { Block } from './waitqueue.ts';

export interface KernelOptions {
  tables: TargetTables;
  clock: VirtualClock;
  /** Files and directories of the in-memory tree. */
  files?: ReadonlyArray<SeedFile>;
  /** Host directories shown read-only in the guest tree. */
  mounts?: ReadonlyArray<HostMount>;
  /** What the first process reads from fd 0. */
  stdin?: string | Uint8Array;
  /** Seeds getrandom's generator (default 1). */
  seed?: number;
  /** RLIMIT_NOFILE (default 1024). */
  nofile?: number;
  /**
   * Most bytes a process may have mapped accessible (not PROT_NONE) through mmap, mprotect
   * and brk (default 1 GiB); beyond it they fail with ENOMEM, as under RLIMIT_AS. PROT_NONE
   * reservations cost nothing and are not counted.
   */
  memoryLimit?: number;
  uid?: number;
  gid?: number;
  hostname?: string;
  /** CLOCK_REALTIME at boot, in whole seconds since the epoch (default 2024-01-01T00:00:00Z). */
  bootRealtimeSec?: number;
  /** The pid of the first process (default 100). */
  firstPid?: number;
  observer?: SyscallObserver;
}

/** What the tracer sees of one call. `args` are the six argument words, exact. */
export interface SyscallEvent {
  thread: Thread;
  nr: number;
  /** The name from the target's number table, or undefined for an unknown number. */
  name: string | undefined;
  args: readonly bigint[];
  startNs: number;
}

/** The tracer's hooks (runtime/trace implements them; the kernel does not depend on it). */
export interface SyscallObserver {
  /** A call starts (once per call, not per restart); the returned state comes back at exit. */
  enter(ev: SyscallEvent): unknown;
  /** The call returned `result` (or never returns: null, for exit and exit_group). */
  exit(ev: SyscallEvent, state: unknown, result: number | null, endNs: number): void;
  /** A signal is acted on in `process`; `fatal` says whether it kills it. */
  signal(process: Process, sig: number, sender: number, fatal: boolean): void;
  /** A thread ended: exited with status, or killed by signal. */
  threadExit(thread: Thread, status: number | null, signal: number | null): void;
}

export type SyscallOutcome = { readonly kind: 'done' } | { readonly kind: 'yield' } | { readonly kind: 'exit' } | Block;
const DONE = { kind: 'done' } as const;
const YIELDED = { kind: 'yield' } as const;
const EXITED = { kind: 'exit' } as const;

/** A handler's non-numeric results: let others run (result 0), or never return (exit). */
export const YIELD = Symbol('yield');
export const NO_RETURN = Symbol('no return');

interface PendingSignal {
  process: Process;
  sig: number;
  sender: number;
}

export class Kernel {
  readonly clock: VirtualClock;
  readonly errnos: ErrnoTable;
  readonly numbers: SyscallNumbers;
  readonly sysCallTable: Handler[];
  readonly vfs: Vfs;
  readonly uid: number;
  readonly gid: number;
  readonly hostname: string;
  readonly bootRealtimeSec: number;
  readonly nofile: number;
  readonly memoryLimit: number;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  private readonly stdin: InputStream;
  readonly processes = new Map<number, Process>();
  readonly threads = new Map<number, Thread>();
  observer: SyscallObserver | undefined;
  /**
   * Who runs the threads clone(CLONE_THREAD) makes: given the calling thread, the flags
   * and the child's stack, it makes the thread (spawnThread) and readies a CPU for it, or
   * refuses with an errno name. Without one, clone fails with ENOSYS.
   */
  threadProvider: ((parent: Thread, flags: bigint, stack: bigint) => Thread | string) | undefined;
  private nextId: number;
  private rngState: number;
  private readonly signalsToAct: PendingSignal[] = [];
  private exitRequest: { status: number; group: boolean } | null = null;

  constructor(opts: KernelOptions) {
    this.clock = opts.clock;
    this.errnos = new ErrnoTable(opts.tables.errnos, REQUIRED_ERRNOS);
    this.numbers = new SyscallNumbers(opts.tables.syscalls);
    this.sysCallTable = buildSysCallTable(this.numbers, linuxHandlers, sysNiSyscall);
    this.vfs = new Vfs(() => this.clock.now(), opts.files, opts.mounts);
    this.uid = opts.uid ?? 1000;
    this.gid = opts.gid ?? 1000;
    this.hostname = opts.hostname ?? 'mksyscall';
    this.bootRealtimeSec = opts.bootRealtimeSec ?? 1_704_067_200;
    this.nofile = opts.nofile ?? 1024;
    this.memoryLimit = opts.memoryLimit ?? 2 ** 30;
    this.nextId = opts.firstPid ?? 100;
    this.rngState = (opts.seed ?? 1) >>> 0;
    this.observer = opts.observer;
    const stdinBytes = typeof opts.stdin === 'string' ? new TextEncoder().encode(opts.stdin) : (opts.stdin ?? new Uint8Array(0));
    this.stdin = new InputStream(this.vfs.newInode('fifo', 0o600, false, null), stdinBytes);
    this.stdout = new OutputStream(this.vfs.newInode('fifo', 0o600, false, null));
    this.stderr = new OutputStream(this.vfs.newInode('fifo', 0o600, false, null));
  }

  /**
   * Starts a process on `mem` with fds 0, 1, 2 open (stdin, captured stdout/stderr) and
   * returns its main thread. brk is where the program break starts (page-aligned).
   */
  spawnProcess(mem: Memory, opts: { brk?: number; ppid?: number; cwd?: string } = {}): Thread {
    const pid = this.nextId++;
    const fds = new FdTable(this.nofile);
    const std: OpenFile[] = [this.stdin, this.stdout, this.stderr];
    std.forEach((f, fd) => fds.install(fd, f, false));
    let cwd = this.vfs.root;
    if (opts.cwd !== undefined) {
      const l = this.vfs.resolve(this.vfs.root, Buffer.from(opts.cwd, 'utf8').toString('latin1'));
      if (typeof l === 'string' || l.inode?.kind !== 'dir') throw new Error(`spawn: working directory ${opts.cwd} is not a directory`);
      cwd = l.inode;
    }
    const p = new Process(pid, opts.ppid ?? 1, mem, fds, cwd, opts.brk ?? 0x1000_0000);
    this.processes.set(pid, p);
    return this.addThread(p, pid);
  }

  /** A new thread in process p (as clone with CLONE_THREAD would make). */
  spawnThread(p: Process): Thread {
    return this.addThread(p, this.nextId++);
  }

  private addThread(p: Process, tid: number): Thread {
    const t = new Thread(tid, p);
    p.threads.push(t);
    this.threads.set(tid, t);
    return t;
  }

  /** The next 32 bits of getrandom's deterministic generator (mulberry32). */
  random32(): number {
    this.rngState = (this.rngState + 0x6d2b79f5) >>> 0;
    let z = this.rngState;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return (z ^ (z >>> 14)) >>> 0;
  }

  do_syscall_64(t: Thread, regs: SyscallRegs): SyscallOutcome {
    if (t.state === 'dead') throw new Error(`do_syscall_64: thread ${t.tid} is dead`);
    const nr = syscallNumber(regs);
    let call = t.pending;
    let ev: SyscallEvent | null = null;
    if (call === null) {
      call = t.callRecord;
      call.nr = nr;
      call.startNs = this.clock.now();
      call.progress.done = 0;
      call.deadline = null;
      call.trace = null;
      t.pending = call;
      if (this.observer) {
        ev = this.event(t, nr, regs, call.startNs);
        call.trace = this.observer.enter(ev);
      }
    } else if (this.observer) {
      ev = this.event(t, nr, regs, call.startNs);
    }
    t.state = 'running';
    this.clock.advance(SYSCALL_COST);
    const handler = nr >= 0 && nr < this.sysCallTable.length ? this.sysCallTable[nr]! : sysNiSyscall;
    const r = handler(this, t, regs);
    if (typeof r === 'object') {
      t.state = 'blocked';
      if (r.kind === 'wait') r.queue.add(t);
      return r;
    }
    t.pending = null;
    if (r === NO_RETURN) return this.endCall(t, ev, call);
    const value = r === YIELD ? 0 : typeof r === 'string' ? -this.errnos.number(r) : r;
    regs.setResult(value);
    if (ev) this.observer!.exit(ev, call.trace, value, this.clock.now());
    if (this.signalsToAct.length > 0) this.actOnSignals();
    if (!t.process.alive) return EXITED;
    return r === YIELD ? YIELDED : DONE;
  }

  /** exit or exit_group returned NO_RETURN: the thread (or its whole process) ends here. */
  private endCall(t: Thread, ev: SyscallEvent | null, call: PendingCall): SyscallOutcome {
    if (ev) this.observer!.exit(ev, call.trace, null, this.clock.now());
    const { status, group } = this.exitRequest!;
    this.exitRequest = null;
    if (group) this.exitProcess(t.process, status);
    else this.exitThread(t, status);
    return EXITED;
  }

  private event(t: Thread, nr: number, regs: SyscallRegs, startNs: number): SyscallEvent {
    const args = [0, 1, 2, 3, 4, 5].map((i) => argWord(regs, i));
    return { thread: t, nr, name: this.numbers.name(nr), args, startNs };
  }

  /** Queues signal sig for process p; it is acted on when the current call returns. */
  sendSignal(p: Process, sig: number, sender: number): void {
    p.pendingSignals.push(sig);
    this.signalsToAct.push({ process: p, sig, sender });
  }

  private actOnSignals(): void {
    while (this.signalsToAct.length > 0) {
      const { process: p, sig, sender } = this.signalsToAct.shift()!;
      const i = p.pendingSignals.indexOf(sig);
      if (i >= 0) p.pendingSignals.splice(i, 1);
      if (!p.alive) continue;
      const fatal = !SIGNALS_NOT_FATAL_BY_DEFAULT.has(sig);
      this.observer?.signal(p, sig, sender, fatal);
      if (fatal) this.killProcess(p, sig);
    }
  }

  /** Kills every thread of p with signal sig (exit status 128 + sig, as a shell reports it). */
  killProcess(p: Process, sig: number): void {
    p.killedBy = sig;
    for (const th of leaderLast(p)) {
      if (th.state === 'dead') continue;
      th.state = 'dead';
      th.pending = null;
      this.observer?.threadExit(th, null, sig);
    }
    this.endProcess(p, 128 + sig);
  }

  /**
   * exit(2): this thread ends; the process ends with it if it was the last one. As in
   * Linux, a clear_child_tid address set by set_tid_address gets 0 written to it (the
   * futex wake-up that follows in Linux belongs to the scheduler).
   */
  exitThread(t: Thread, status: number): void {
    t.state = 'dead';
    t.pending = null;
    if (t.clearChildTid !== 0) copyToUser(t.process.mem, t.clearChildTid, new Uint8Array(4));
    this.observer?.threadExit(t, status, null);
    if (t.process.threads.every((th) => th.state === 'dead')) this.endProcess(t.process, status);
  }

  /**
   * exit_group(2): every thread of the process ends with status; the group leader last,
   * as Linux reports it (the leader is reaped only after its threads).
   */
  exitProcess(p: Process, status: number): void {
    for (const th of leaderLast(p)) {
      if (th.state === 'dead') continue;
      th.state = 'dead';
      th.pending = null;
      this.observer?.threadExit(th, status, null);
    }
    this.endProcess(p, status);
  }

  private endProcess(p: Process, status: number): void {
    if (!p.alive) return;
    p.exitStatus = status;
    p.fds.closeAll();
  }

  /** What exit and exit_group return: the exit happens after the tracer has seen the call. */
  requestExit(status: number, group: boolean): typeof NO_RETURN {
    this.exitRequest = { status, group };
    return NO_RETURN;
  }

  /**
   * A CPU fault in user mode (#GP, #PF, #UD, #DE, #BP) kills the process with the signal
   * Linux sends for it; the message names the vector, RIP, the instruction and the address.
   */
  deliverFault(t: Thread, fault: { vector: number; mnemonic: string; rip: number; addr?: number; insn?: string }): string {
    const sig = fault.vector === 6 ? SIGILL : fault.vector === 0 ? SIGFPE : fault.vector === 3 ? SIGTRAP : SIGSEGV;
    const where = fault.addr !== undefined ? ` addr=${formatAddress(fault.addr)}` : '';
    const message = `${fault.mnemonic} at rip=${formatAddress(fault.rip)}${fault.insn ? ` (${fault.insn})` : ''}${where}`;
    this.sendSignal(t.process, sig, 0);
    this.actOnSignals();
    return message;
  }
}

/** sys_ni_syscall: the handler of every number with no implementation. */
function sysNiSyscall(): string {
  return 'ENOSYS';
}

/** p's threads with the group leader (tid = pid) last. */
function leaderLast(p: Process): Thread[] {
  return [...p.threads.filter((th) => th.tid !== p.pid), ...p.threads.filter((th) => th.tid === p.pid)];
}
