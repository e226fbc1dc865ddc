// The goroutine runner: the seam between the machine and whatever schedules goroutines.
//
// The machine offers a MachineHost (kernel threads with their own CPUs, and the virtual
// clock); a GoroutineRunner drives goroutines (generator functions) on those threads and
// answers the machine's calls from the stubs' `CALL runtime·entersyscall(SB)` and
// `CALL runtime·exitsyscall(SB)`. runtime/sched's G/M/P scheduler replaces
// RoundRobinRunner through this interface.
//
// RoundRobinRunner, the stand-in: every goroutine gets its own kernel thread (so it shows
// as `[pid N]` in a trace); one runs at a time until it parks; parked goroutines wait on
// the kernel (a wait queue or a sleep) and join the back of the run queue in the order the
// kernel wakes them. When nothing can run, virtual time jumps to the earliest sleeper's
// deadline; sleepers with the same deadline wake in an order the seed picks. When nothing
// can run and nobody sleeps, the run stops and reports who is blocked on what.
//
// Parks a goroutine yields (through the syscall backend):
//   { reason: 'syscall-blocked', detail: { thread, block } }  the thread sleeps in the kernel
//       (block is the kernel's Block: a wait queue, or a sleep until a virtual time); the
//       kernel calls the thread's onWake when the wait ends;
//   { reason: 'exitsyscall' }  waiting for a P after a system call (never here: there is
//       no P to wait for, so exitsyscall always takes the fast path);
//   { reason: 'yield' }  sched_yield: back of the run queue.
//
// Invariants: at most one goroutine runs at a time and current() names it; a goroutine is
// in exactly one of: the run queue, a kernel wait, finished; the order of everything is a
// function of the program and the seed.
import type { Block, Thread, VirtualClock } from '../kernel/index.ts';
import type { Go, Park } from '../syscall.ts';

/** A kernel thread with its own CPU, as the machine hands it to a runner. */
export interface MThread {
  readonly kthread: Thread;
}

/** What the machine offers the runner. */
export interface MachineHost {
  /** A new kernel thread of the process, with its own CPU and stacks; visible in traces. */
  newThread(): MThread;
  readonly clock: VirtualClock;
}

/** What the runner offers the machine. */
export interface GoroutineRunner {
  /** Starts fn as a new goroutine. */
  go(fn: () => Go<void>): void;
  /** The running goroutine's thread: the CPU its system-call stubs run on. */
  current(): { thread: MThread };
  /** From `CALL runtime·entersyscall(SB)`. */
  entersyscall(): void;
  /** From `CALL runtime·exitsyscall(SB)`: true = fast path; false = the backend yields Park { reason: 'exitsyscall' } first. */
  exitsyscall(): boolean;
}

/** The detail of a 'syscall-blocked' park. */
export interface SyscallBlocked {
  thread: MThread;
  block: Block;
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

export interface RunnerStats {
  entersyscall: number;
  exitsyscall: number;
}

export class RoundRobinRunner implements GoroutineRunner {
  private readonly runQueue: G[] = [];
  private readonly waiting = new Set<G>();
  private running: G | null = null;
  private nextGoid = 1;
  private rng: number;
  readonly stats: RunnerStats = { entersyscall: 0, exitsyscall: 0 };

  constructor(
    private readonly host: MachineHost,
    seed: number,
  ) {
    this.rng = seed >>> 0;
  }

  go(fn: () => Go<void>): void {
    const g: G = { goid: this.nextGoid++, thread: this.host.newThread(), body: fn(), waitingOn: null, sleepOrder: 0 };
    g.thread.kthread.onWake = () => this.wake(g);
    this.runQueue.push(g);
  }

  current(): { thread: MThread } {
    if (this.running === null) throw new Error('no goroutine is running: system calls must be made from a goroutine the machine runs');
    return this.running;
  }

  entersyscall(): void {
    this.stats.entersyscall++;
  }

  exitsyscall(): boolean {
    this.stats.exitsyscall++;
    return true;
  }

  /**
   * Runs goroutines until all have finished or the run ends (RunEnded); returns the
   * goroutines still blocked when nothing else could run (empty when none).
   */
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
    try {
      for (;;) {
        let next: IteratorResult<Park, void>;
        try {
          next = g.body.next();
        } catch (e) {
          if (e instanceof RunEnded) return 'ended';
          if (e instanceof ThreadEnded) return 'finished';
          throw e;
        }
        if (next.done) {
          this.finish(g);
          return 'finished';
        }
        const park = next.value;
        if (park.reason === 'syscall-blocked') {
          g.waitingOn = park.detail as SyscallBlocked;
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
    } finally {
      this.running = null;
    }
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
      const b = g.waitingOn!.block;
      if (b.kind === 'sleep' && b.until < earliest) earliest = b.until;
    }
    if (earliest === Infinity) return false;
    const due = [...this.waiting].filter((g) => g.waitingOn!.block.kind === 'sleep' && (g.waitingOn!.block as { until: number }).until === earliest);
    due.sort((a, b) => a.sleepOrder - b.sleepOrder || a.goid - b.goid);
    const now = this.host.clock.now();
    if (earliest > now) this.host.clock.advance(earliest - now);
    for (const g of due) g.thread.kthread.wake();
    return true;
  }

  private describe(g: G): BlockedGoroutine {
    const b = g.waitingOn!.block;
    return { goid: g.goid, tid: g.thread.kthread.tid, waitingOn: b.kind === 'wait' ? b.queue.name : `sleep until ${b.until} ns` };
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
