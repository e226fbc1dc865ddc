// Processes and threads as the kernel sees them.
//
// A Process owns an address space (a Memory plus the list of mappings the kernel made in
// it, which mmap needs to find free ranges), a file descriptor table, a working
// directory, the program break, and its fate (exit status or killing signal). A Thread
// belongs to one process and carries the state of the system call it is in, so a call
// that blocked can be restarted: the pending call keeps its start time (for strace -T),
// any progress already made, and the tracer's record of its entry.
//
// Thread states: 'running' (executing user code or inside a syscall), 'blocked' (parked
// on a wait queue or a sleep, waiting for the driver to wake it), 'dead' (exited or
// killed; it never runs again).
//
// Invariants: pid = tid of the first thread; a process is dead once all of its threads
// are; exitStatus is set exactly once, when the last thread dies.
import type { Memory } from '../cpu/index.ts';
import type { FdTable, WriteProgress } from './file.ts';
import type { Inode } from './vfs.ts';
import type { Waiter } from './waitqueue.ts';

export type ThreadState = 'running' | 'blocked' | 'dead';

/** A system call in progress on a thread (kept across restarts of a blocked call). */
export interface PendingCall {
  nr: number;
  startNs: number;
  /** Bytes already written by a blocking write. */
  progress: WriteProgress;
  /** A sleep's absolute deadline, fixed on the first attempt. */
  deadline: number | null;
  /** Whatever the tracer attached at entry. */
  trace: unknown;
}

export class Thread implements Waiter {
  state: ThreadState = 'running';
  /** The call in progress (this thread's one reusable record), or null between calls. */
  pending: PendingCall | null = null;
  /** Reused for every call, so dispatch allocates nothing. */
  readonly callRecord: PendingCall = { nr: 0, startNs: 0, progress: { done: 0 }, deadline: null, trace: null };
  /** set_tid_address: cleared (and futex-woken, later) when the thread exits. */
  clearChildTid = 0;
  /** arch_prctl(ARCH_SET_FS/GS): the machine loads these into the CPU's FS/GS base MSRs. */
  get fsBase(): bigint {
    return this.fs;
  }
  set fsBase(v: bigint) {
    this.fs = v;
    this.basesVersion++;
  }
  get gsBase(): bigint {
    return this.gs;
  }
  set gsBase(v: bigint) {
    this.gs = v;
    this.basesVersion++;
  }
  private fs = 0n;
  private gs = 0n;
  /** Bumped by every change of fsBase or gsBase: the machine reloads the MSRs when this differs from what it loaded. */
  basesVersion = 0;
  /** Called when a wait ends (the driver or scheduler puts the thread back on a run queue). */
  onWake: (t: Thread) => void = () => {};

  constructor(
    readonly tid: number,
    readonly process: Process,
  ) {}

  wake(): void {
    if (this.state !== 'blocked') return;
    this.state = 'running';
    this.onWake(this);
  }
}

/** A range the kernel mapped into the address space: [start, end), page-aligned. */
export interface Mapping {
  start: number;
  end: number;
  prot: number;
}

export class Process {
  readonly threads: Thread[] = [];
  /** Sorted, disjoint mappings made by the loader, mmap and brk. */
  mappings: Mapping[] = [];
  /** The program break: start (end of the data segment) and current end. */
  brkStart: number;
  brk: number;
  umask = 0o022;
  exitStatus: number | null = null;
  /** The signal that killed the process, if one did. */
  killedBy: number | null = null;
  /** Signals sent but not acted on (no handler support yet: only default actions). */
  readonly pendingSignals: number[] = [];

  constructor(
    readonly pid: number,
    readonly ppid: number,
    readonly mem: Memory,
    readonly fds: FdTable,
    public cwd: Inode,
    brkStart: number,
  ) {
    this.brkStart = brkStart;
    this.brk = brkStart;
  }

  get alive(): boolean {
    return this.exitStatus === null;
  }

  /** Records a mapping made outside mmap (the ELF loader, the stack). */
  addMapping(start: number, end: number, prot: number): void {
    this.removeMappings(start, end);
    this.mappings.push({ start, end, prot });
    this.mappings.sort((a, b) => a.start - b.start);
  }

  /** Forgets [start, end), splitting mappings that straddle it. */
  removeMappings(start: number, end: number): void {
    const kept: Mapping[] = [];
    for (const m of this.mappings) {
      if (m.end <= start || m.start >= end) kept.push(m);
      else {
        if (m.start < start) kept.push({ start: m.start, end: start, prot: m.prot });
        if (m.end > end) kept.push({ start: end, end: m.end, prot: m.prot });
      }
    }
    this.mappings = kept;
  }

  /** True when every byte of [start, end) lies in some mapping. */
  isFullyMapped(start: number, end: number): boolean {
    let at = start;
    for (const m of this.mappings) {
      if (m.end <= at) continue;
      if (m.start > at) return false;
      at = m.end;
      if (at >= end) return true;
    }
    return at >= end;
  }

  /** Bytes of [start, end) inside accessible (not PROT_NONE) mappings. */
  accessibleBytesIn(start: number, end: number): number {
    let n = 0;
    for (const m of this.mappings) if (m.prot !== 0) n += Math.max(0, Math.min(m.end, end) - Math.max(m.start, start));
    return n;
  }

  /** Bytes in accessible mappings: what the memory limit counts. */
  get accessibleBytes(): number {
    return this.accessibleBytesIn(0, Infinity);
  }

  overlapsMapping(start: number, end: number): boolean {
    return this.mappings.some((m) => m.start < end && m.end > start);
  }

  /** Highest free range of `length` bytes below `ceiling` and above `floor`, or null. */
  findFreeRange(length: number, floor: number, ceiling: number): number | null {
    let top = ceiling;
    for (let i = this.mappings.length - 1; i >= -1; i--) {
      const m = this.mappings[i];
      const gapStart = m ? Math.max(m.end, floor) : floor;
      if (m && m.start >= top) continue;
      if (top - gapStart >= length) return top - length;
      if (!m) break;
      top = Math.min(top, m.start);
    }
    return null;
  }
}
