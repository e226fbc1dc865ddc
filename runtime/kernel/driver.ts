// A small deterministic driver: runs several threads' system-call sequences against the
// kernel and resolves blocking, standing in for the scheduler in tests and in simple
// hosts. It models one CPU.
//
// A thread's body is a generator that yields system-call requests and receives each
// result (RAX as a signed number). The driver runs the first runnable thread until it
// blocks, yields (sched_yield) or ends; woken threads join the back of the run queue in
// the order they were woken. When nothing is runnable it moves the virtual clock to the
// earliest sleeper's deadline (ties: the thread that slept first). When nothing is
// runnable and nobody sleeps but threads still wait, the run ends in deadlock, which the
// result reports (like Go's "all goroutines are asleep").
//
// A body that returns ends its thread as exit(0) would, without a trace line.
import type { VirtualClock } from './clock.ts';
import type { Kernel } from './kernel.ts';
import type { Thread } from './process.ts';
import { syscallRegs, type WordRegs } from './regs.ts';

/** One system call: by number, or by name (looked up in the kernel's target table). */
export interface SyscallRequest {
  nr: number | string;
  args?: ReadonlyArray<number | bigint>;
}

export type ThreadBody = Generator<SyscallRequest, void, number>;

/** Shorthand for building a request in a body: `const fd = yield sys('openat', AT_FDCWD, path, 0);` */
export function sys(nr: number | string, ...args: Array<number | bigint>): SyscallRequest {
  return { nr, args };
}

export interface DriverResult {
  /** Threads still waiting when nothing else could run. */
  deadlocked: Thread[];
  /** System calls executed (restarts of a blocked call count once). */
  calls: number;
}

interface Task {
  thread: Thread;
  body: ThreadBody;
  /** The call in progress (kept while it is blocked), or null between calls. */
  regs: WordRegs | null;
  /** The result of the last call, handed to the body when it resumes. */
  result: number;
}

export class Driver {
  private readonly runQueue: Task[] = [];
  private readonly tasks = new Map<Thread, Task>();
  private readonly sleepers: Array<{ task: Task; until: number; seq: number }> = [];
  private seq = 0;

  constructor(
    private readonly kernel: Kernel,
    private readonly clock: VirtualClock,
  ) {}

  spawn(thread: Thread, body: ThreadBody): void {
    const task: Task = { thread, body, regs: null, result: 0 };
    this.tasks.set(thread, task);
    thread.onWake = (th) => this.runQueue.push(this.tasks.get(th)!);
    this.runQueue.push(task);
  }

  run(maxCalls = 1_000_000): DriverResult {
    let calls = 0;
    for (;;) {
      const task = this.runQueue.shift();
      if (!task) {
        if (this.wakeEarliestSleeper()) continue;
        const deadlocked = [...this.tasks.values()].map((t) => t.thread).filter((t) => t.state === 'blocked');
        return { deadlocked, calls };
      }
      const t = task.thread;
      if (t.state === 'dead') continue;
      // Run this thread until it blocks, yields or ends.
      for (;;) {
        if (task.regs === null) {
          const step = task.body.next(task.result);
          if (step.done) {
            this.kernel.exitThread(t, 0);
            break;
          }
          task.regs = syscallRegs(this.number(step.value.nr), step.value.args ?? []);
          calls++;
          if (calls > maxCalls) throw new Error(`driver: more than ${maxCalls} system calls`);
        }
        const outcome = this.kernel.do_syscall_64(t, task.regs);
        if (outcome.kind === 'wait') break;
        if (outcome.kind === 'sleep') {
          this.sleepers.push({ task, until: outcome.until, seq: this.seq++ });
          break;
        }
        task.result = task.regs.result();
        task.regs = null;
        if (outcome.kind === 'exit') break;
        if (outcome.kind === 'yield') {
          this.runQueue.push(task);
          break;
        }
      }
    }
  }

  private number(nr: number | string): number {
    if (typeof nr === 'number') return nr;
    const n = this.kernel.numbers.number(nr);
    if (n === undefined) throw new Error(`driver: no system call named ${nr} in this target's table`);
    return n;
  }

  private wakeEarliestSleeper(): boolean {
    const live = this.sleepers.filter((s) => s.task.thread.state === 'blocked');
    this.sleepers.length = 0;
    this.sleepers.push(...live);
    if (live.length === 0) return false;
    live.sort((a, b) => a.until - b.until || a.seq - b.seq);
    const first = live[0]!;
    const now = this.clock.now();
    if (first.until > now) this.clock.advance(first.until - now);
    this.sleepers.splice(this.sleepers.indexOf(first), 1);
    first.task.thread.wake();
    return true;
  }
}
