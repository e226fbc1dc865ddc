// The machine's default goroutine runner: runtime/sched's G/M/P scheduler behind the
// machine's runner seam (runner.ts).
//
// The machine's first go() is main (the scheduler runs it as goroutine 1 on M0/P0); every
// later go() is Go's `go` statement. Every M is a kernel thread of the machine: M0 is the
// process's main thread, every other M is made through the kernel with the OS's own call
// (MachineHost.newThread with the creating M's thread as parent: clone on linux, thr_new on
// freebsd, bsdthread_create on darwin, CreateThread on windows), so the OS's tracer shows
// the call as the creator's and, on linux, each M as its own `[pid N]`, as for a Go
// program: M0 makes sysmon's thread before main runs (Go's runtime.main does), hence
// `[pid N]` on every strace line after the first; sysmon makes the Ms it hands retaken Ps
// to; Ms are made lazily, when a P has work and no idle M is left.
//
// sysmon's sleeps are not in strace. In Go each is a usleep, a nanosleep line per tick
// ([pid N] nanosleep({tv_sec=0, tv_nsec=20000}, NULL) = 0, every 20 µs to 10 ms), which
// would bury the program's own calls; here they are the scheduler's timers, not system
// calls, so they cost no kernel time either. The runtime trace records every tick
// (SysmonWake, SysmonSleep) for whoever wants them. The machine's RunEnded (the process died) ends the program; its ThreadEnded (exit(2) of one
// thread) ends only that goroutine, as runtime.Goexit does; any other exception out of a
// goroutine leaves Machine.run as it is, as with every runner (the program's own code
// threw: `mksyscall run` reports it as a panic).
//
// current() returns one handle per goroutine for its whole life (the machine keys a
// goroutine's saved registers on it while the goroutine waits for a P; runner.ts); the
// handle's thread is whichever M runs the goroutine now.
//
// Invariants: result is null until run() returns; the scheduler shares the machine's clock
// (host.clock), so kernel costs, guest instructions and scheduler costs are one timeline.
import { GStatus, gStatusName, Scheduler, type G, type MThread as SchedThread, type RunResult as SchedRunResult } from '../sched/index.ts';
import type { Go } from '../syscall.ts';
import { RunEnded, ThreadEnded, type BlockedGoroutine, type MachineHost, type MachineRunner, type MThread, type SyscallInfo } from './runner.ts';

export interface SchedRunnerOptions {
  /** Ps: how many goroutines run Go code at once (default 1). */
  gomaxprocs?: number;
  /** go1.25 (default): entersyscall detaches the P (_Psyscall); go1.26: the P stays _Prunning. */
  model?: 'go1.25' | 'go1.26';
  /** The thread limit (Go's debug.SetMaxThreads; default 10000). */
  maxThreads?: number;
  /** A schedtrace line every this many virtual ms (GODEBUG=schedtrace=N); 0 or absent: none. */
  schedtrace?: number;
  /**
   * Record the runtime trace (default false: as in Go, only when asked, like
   * runtime/trace.Start; every event costs host time and memory for the whole run).
   */
  trace?: boolean;
}

/** A goroutine as the machine sees it: stable for the goroutine's life. */
class GoroutineHandle {
  constructor(private readonly g: G) {}

  get thread(): MThread {
    return this.g.m!.thread as MThread;
  }
}

export class SchedRunner implements MachineRunner {
  readonly sched: Scheduler;
  /** The scheduler's result once run() has returned. */
  result: SchedRunResult | null = null;
  onThreadExit: MachineRunner['onThreadExit'] = () => {};
  /** The scheduler keeps a call's number, name and kind (g.syscall), never its argument words. */
  readonly syscallArgs = false;
  /** Without the runtime trace, the scheduler looks at g.syscall only while the call is parked. */
  readonly syscallHooks: 'every' | 'parked';
  private main: (() => Go<void>) | null = null;
  private readonly handles = new WeakMap<G, GoroutineHandle>();
  /** The goroutine current() answered for last, and its handle (kept: the handle is the goroutine's for its whole life). */
  private lastG: G | null = null;
  private lastH: GoroutineHandle | null = null;

  constructor(host: MachineHost, seed: number, opts: SchedRunnerOptions = {}) {
    this.syscallHooks = opts.trace ? 'every' : 'parked';
    const threads = { clock: host.clock, newThread: (parent: SchedThread | null): SchedThread => host.newThread((parent as MThread | null) ?? undefined) };
    this.sched = new Scheduler(threads, {
      seed,
      gomaxprocs: opts.gomaxprocs,
      model: opts.model,
      maxThreads: opts.maxThreads,
      schedtraceMs: opts.schedtrace,
      trace: opts.trace ?? false,
      onThrow: (e) => {
        if (e instanceof RunEnded) return 'exit';
        if (e instanceof ThreadEnded) return 'goexit';
        throw e;
      },
    });
  }

  go(fn: () => Go<void>): void {
    if (this.main === null) this.main = fn;
    else this.sched.go(fn);
  }

  current(): { thread: MThread } {
    const g = this.sched.getg();
    // Calls come in runs from one goroutine: the last handle answers most of them.
    return g === this.lastG ? this.lastH! : this.handleOf(g);
  }

  private handleOf(g: G): GoroutineHandle {
    let h = this.handles.get(g);
    if (h === undefined) {
      h = new GoroutineHandle(g);
      this.handles.set(g, h);
    }
    this.lastG = g;
    this.lastH = h;
    return h;
  }

  entersyscall(pc?: number, sp?: number): void {
    this.sched.entersyscall(pc, sp);
  }

  exitsyscall(): boolean {
    return this.sched.exitsyscall();
  }

  syscallEnter(info: SyscallInfo): void {
    this.sched.syscallEnter(info);
  }

  syscallBlock(): void {
    this.sched.syscallBlock();
  }

  syscallExit(result: number): void {
    this.sched.syscallExit(result);
  }

  /** Runs main and everything it starts; after a fatal error, the goroutines left alive. */
  run(): BlockedGoroutine[] {
    if (this.main === null) throw new Error('SchedRunner.run: no main goroutine (call go() first)');
    this.result = this.sched.run(this.main);
    if (this.result.ended !== 'fatal') return [];
    return this.sched.allg
      .filter((g) => g.status !== GStatus._Gdead)
      .map((g) => ({ goid: g.goid, tid: g.m?.thread.tid ?? 0, waitingOn: g.blockedOn || g.waitreason || gStatusName(g.status) }));
  }
}
