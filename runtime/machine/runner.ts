// The goroutine runner: the seam between the machine and whatever schedules goroutines.
//
// The machine offers a MachineHost (kernel threads with their own CPUs, and the virtual
// clock); a GoroutineRunner drives goroutines (generator functions) on those threads and
// answers the machine's calls from the stubs' `CALL runtime·entersyscall(SB)` and
// `CALL runtime·exitsyscall(SB)`. The machine's default runner is runtime/sched's G/M/P
// scheduler (sched-runner.ts); RoundRobinRunner stays for what has no Go runtime (a C
// program under `exec --kernel`), for comparison (`demo --scheduler round-robin`) and as
// the simplest runner for tests of this seam.
//
// A goroutine's identity: the machine keys what it keeps for a goroutine (the registers and
// stack slot of one waiting for a P) on the object current() returns, so a runner must
// return the same object for a goroutine's whole life, whichever thread runs it; only its
// `thread` may change (after a wait for a P, the M that resumes the goroutine).
//
// RoundRobinRunner, the stand-in: every goroutine gets its own kernel thread, cloned by
// the goroutine that starts it (so it shows as `[pid N]` in a trace); one runs at a time until it parks; parked goroutines wait on
// the kernel (a wait queue or a sleep) and join the back of the run queue in the order the
// kernel wakes them. When nothing can run, virtual time jumps to the earliest sleeper's
// deadline; sleepers with the same deadline wake in an order the seed picks. When nothing
// can run and nobody sleeps, the run stops and reports who is blocked on what.
//
// Parks a goroutine yields (through the syscall backend):
//   { reason: 'syscall-blocked', detail: SyscallBlocked }  the thread sleeps in the kernel;
//       the runner registers with detail.wake how it wants to hear that the wait ended (the
//       kernel wakes a wait queue's threads; a sleep ends at detail.until, when the runner
//       moves the clock there and wakes the thread itself);
//   { reason: 'exitsyscall' }  waiting for a P after a system call (never here: there is
//       no P to wait for, so exitsyscall always takes the fast path);
//   { reason: 'yield' }  sched_yield: back of the run queue.
//
// Invariants: at most one goroutine runs at a time and current() names it, with one object
// per goroutine for its whole life (here the goroutine's own record); a goroutine is in
// exactly one of: the run queue, a kernel wait, finished; the order of everything is a
// function of the program and the seed.
import type { Thread, VirtualClock } from '../kernel/index.ts';
import type { Go, Park } from '../syscall.ts';

/** A kernel thread with its own CPU, as the machine hands it to a runner. */
export interface MThread {
  readonly tid: number;
  readonly kthread: Thread;
}

/** What the machine offers the runner. */
export interface MachineHost {
  /**
   * A new kernel thread of the process, with its own CPU and stacks; visible in traces.
   * The first starts the process; `parent`, the thread that creates a later one, makes
   * the OS's thread-creation call (clone, thr_new, bsdthread_create, CreateThread), which
   * the OS's tracer shows as the parent's.
   */
  newThread(parent?: MThread): MThread;
  readonly clock: VirtualClock;
}

/** What the runner offers the machine. */
export interface GoroutineRunner {
  /** Starts fn as a new goroutine. */
  go(fn: () => Go<void>): void;
  /**
   * The running goroutine: the same object for the goroutine's whole life (the machine
   * keys the goroutine on it); `thread` is the thread running it now, the CPU its
   * system-call stubs run on.
   */
  current(): { thread: MThread };
  /** From `CALL runtime·entersyscall(SB)`: pc is the stub's return address, sp the caller's stack pointer. */
  entersyscall(pc?: number, sp?: number): void;
  /** From `CALL runtime·exitsyscall(SB)`: true = fast path; false = the backend yields Park { reason: 'exitsyscall' } first. */
  exitsyscall(): boolean;
  /** Trace hooks (optional): a call enters the kernel, blocks in it, returns from it. */
  syscallEnter?(info: SyscallInfo): void;
  /**
   * Whether syscallEnter reads SyscallInfo.args (default true). A runner that never does
   * (Go's scheduler keeps a call's number, name and kind, not its arguments) says false:
   * the machine then hands it an empty args list instead of reading the six argument
   * words out of the call's frame on every call.
   */
  readonly syscallArgs?: boolean;
  /**
   * Which calls the hooks hear of (default 'every'). A runner that looks at a call only
   * while it is parked in the kernel (Go's scheduler without its trace: g.syscall for
   * preemption and dumps) says 'parked': the machine then calls syscallEnter just before
   * a call blocks, and syscallExit only after such a call; a call that completes in place
   * (no scheduler code runs during it) reaches neither.
   */
  readonly syscallHooks?: 'every' | 'parked';
  syscallBlock?(): void;
  syscallExit?(result: number): void;
}

/** A runner the machine can drive: the seam plus running and ending goroutines. */
export interface MachineRunner extends GoroutineRunner {
  /**
   * Runs goroutines until all have finished or the run ends (a RunEnded thrown out of a
   * goroutine); returns the goroutines still blocked when nothing else could run.
   */
  run(): BlockedGoroutine[];
  /** Set by the machine: ends a kernel thread whose goroutine returned. */
  onThreadExit: (t: Thread) => void;
}

/** A system call entering the kernel, for a runner's trace (the machine may hand the same object for every such call: never changed). */
export interface SyscallInfo {
  readonly nr: number;
  readonly name: string;
  /** Made without entersyscall (RawSyscall, or a program's own SYSCALL). */
  readonly raw: boolean;
  /** The six argument words (empty for a runner that says syscallArgs: false, and for windows procedures). */
  readonly args: readonly number[];
}

/** The detail of a 'syscall-blocked' park. */
export interface SyscallBlocked {
  thread: MThread;
  /** Registers the callback the kernel calls when the thread can continue. */
  wake(resume: () => void): void;
  /** The virtual time at which a sleeping thread continues (absent for a wait queue). */
  until?: number;
  /** What the thread waits for: a wait queue's name, or `sleep`. */
  what: string;
}

/** A goroutine left waiting when the run could not go on. */
export interface BlockedGoroutine {
  goid: number;
  tid: number;
  /** What it waits for: a wait queue's name, or `sleep until N ns`. */
  waitingOn: string;
}

/** Thrown through a goroutine to end the whole run (the process died). */
export class RunEnded extends Error {
  constructor() {
    super('the process has ended');
  }
}

/** Thrown through a goroutine whose kernel thread exited (exit(2)): the goroutine ends. */
export class ThreadEnded extends Error {
  constructor() {
    super('the thread has exited');
  }
}

interface G {
  goid: number;
  thread: MThread;
  body: Go<void>;
  /** What it parked on, while it waits. */
  waitingOn: SyscallBlocked | null;
  /** Tie-break order among sleepers with the same deadline. */
  sleepOrder: number;
}

export class RoundRobinRunner implements MachineRunner {
  private readonly runQueue: G[] = [];
  private readonly waiting = new Set<G>();
  private running: G | null = null;
  private nextGoid = 1;
  private rng: number;

  constructor(
    private readonly host: MachineHost,
    seed: number,
  ) {
    this.rng = seed >>> 0;
  }

  go(fn: () => Go<void>): void {
    const g: G = { goid: this.nextGoid++, thread: this.host.newThread(this.running?.thread), body: fn(), waitingOn: null, sleepOrder: 0 };
    this.runQueue.push(g);
  }

  current(): { thread: MThread } {
    if (this.running === null) throw new Error('no goroutine is running: system calls must be made from a goroutine the machine runs');
    return this.running;
  }

  /** No Ps here: nothing to hand off. */
  entersyscall(): void {}

  /** No Ps here: the fast path always succeeds. */
  exitsyscall(): boolean {
    return true;
  }

  run(): BlockedGoroutine[] {
    for (;;) {
      const g = this.runQueue.shift();
      if (g === undefined) {
        if (this.wakeEarliestSleepers()) continue;
        return [...this.waiting].map((w) => this.describe(w));
      }
      if (g.thread.kthread.state === 'dead') continue;
      if (this.step(g) === 'ended') return [];
    }
  }

  /** Runs g until it parks or finishes. */
  private step(g: G): 'parked' | 'finished' | 'ended' {
    this.running = g;
    let next: IteratorResult<Park, void>;
    try {
      next = g.body.next();
    } catch (e) {
      if (e instanceof RunEnded) return 'ended';
      if (e instanceof ThreadEnded) return 'finished';
      throw e;
    } finally {
      this.running = null;
    }
    if (next.done) {
      this.finish(g);
      return 'finished';
    }
    const park = next.value;
    if (park.reason === 'syscall-blocked') {
      g.waitingOn = park.detail as SyscallBlocked;
      g.waitingOn.wake(() => this.wake(g));
      g.sleepOrder = this.random();
      this.waiting.add(g);
      return 'parked';
    }
    if (park.reason === 'yield' || park.reason === 'exitsyscall') {
      this.runQueue.push(g);
      return 'parked';
    }
    throw new Error(`goroutine ${g.goid} parked with unknown reason '${park.reason}'`);
  }

  /** A goroutine that returns ends its kernel thread (the machine decides how: onThreadExit). */
  private finish(g: G): void {
    if (g.thread.kthread.state !== 'dead') this.onThreadExit(g.thread.kthread);
  }

  /** Set by the machine: ends a kernel thread whose goroutine returned. */
  onThreadExit: (t: Thread) => void = () => {};

  private wake(g: G): void {
    if (!this.waiting.delete(g)) return;
    g.waitingOn = null;
    this.runQueue.push(g);
  }

  private wakeEarliestSleepers(): boolean {
    let earliest = Infinity;
    for (const g of this.waiting) {
      const until = g.waitingOn!.until;
      if (until !== undefined && until < earliest) earliest = until;
    }
    if (earliest === Infinity) return false;
    const due = [...this.waiting].filter((g) => g.waitingOn!.until === earliest);
    due.sort((a, b) => a.sleepOrder - b.sleepOrder || a.goid - b.goid);
    const now = this.host.clock.now();
    if (earliest > now) this.host.clock.advance(earliest - now);
    for (const g of due) g.thread.kthread.wake();
    return true;
  }

  private describe(g: G): BlockedGoroutine {
    return { goid: g.goid, tid: g.thread.tid, waitingOn: g.waitingOn!.what };
  }

  /** The seeded tie-break generator (mulberry32). */
  private random(): number {
    this.rng = (this.rng + 0x6d2b79f5) >>> 0;
    let z = this.rng;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return (z ^ (z >>> 14)) >>> 0;
  }
}
