// Go's G/M/P scheduler (Go <= 1.25, with _Psyscall), driven in virtual time.
//
// With `model: 'go1.26'` a syscall no longer detaches the P: it stays _Prunning and wired
// to the M in the syscall, and sysmon recognises it by the G's _Gsyscall status; retake,
// handoff and exitsyscall's fast path otherwise follow the same rules.
//
// A G is a goroutine: a generator (Go<void>) that parks with Park requests. An M is an OS
// thread the host creates (MachineHost.newThread: on the machine, a kernel thread with
// its own CPU, cloned by the thread of the M that creates it: the running M, or sysmon
// when it hands off a retaken P or a timer fires); it runs at most one G at a time and
// needs a P to run Go code. An M whose G's thread exited ends with it (mexit). A P is the
// right to run Go code: GOMAXPROCS of them, each with a local run queue of 256 plus
// `runnext`. The global run queue takes overflow, preempted Gs and Gs readied without a
// P; schedule() looks at it first every 61st tick so it cannot starve.
//
// Time is a discrete-event simulation. Each M acts in steps: a step starts at an event's
// time, runs scheduler code and G code synchronously, and charges what it costs (the
// documented costs below, `work(ns)`, the kernel's per-call costs charged through
// `clock`), and the M's next step is queued at the step's start plus its charges. Ties
// between simultaneous events are broken by the seeded PRNG, so one seed is one
// interleaving and the same seed gives byte-identical traces. The scheduler owns the
// clock: a kernel is built with `sched.clock`.
//
// Parks a goroutine yields: 'work' { ns } (CPU time in Go code), 'gosched', 'sleep'
// { ns }, 'park' { waitreason } (channels, WaitGroup, Mutex: sync.ts), 'yield'
// (sched_yield: the thread pauses, keeping G and P), and the two of system calls below.
//
// System calls (the seam with the machine): the syscall backend, running inside the G,
// calls entersyscall() before the call and exitsyscall() after it, exactly where Go's
// `Syscall` stub calls runtime·entersyscall/exitsyscall; RawSyscall calls neither. While
// the thread is blocked in the kernel the backend yields
//   { reason: 'syscall-blocked', detail: SyscallBlocked }   (sysmon may retake the P), and
// when exitsyscall() returns false (the fast path found no P) it yields
//   { reason: 'exitsyscall' }                                  (exitsyscall0 runs here).
//
// sysmon runs on its own M without a P: it sleeps 20 µs, doubling after 50 idle rounds up
// to 10 ms, sleeps deeply while every P is idle (until the next timer, or until woken by
// syscall entry and exit; never while schedtrace is on, as in Go), retakes Ps stuck in
// syscalls (retake + handoffp) and flags Gs that ran > 10 ms for preemption at their next
// safe point (the end of a `work` slice, or any park).
//
// The run ends when main returns (exit status 0), when a G throws (a panic, unless
// onThrow says the goroutine or the program ends), when the thread limit is hit (thread
// exhaustion), or when nothing can ever run again: the scheduler then stops and reports
// every G, M and P (deadlock.ts). A guard against scheduler bugs ends it with the same
// dump when it stops making progress: findRunnable going round more often than there are
// Ps, or NO_PROGRESS_STEPS M steps in a row without any goroutine code running.
//
// Costs (virtual ns): SCHEDULE_COST per goroutine switch, GO_CREATE_COST per `go`,
// M_WAKE_LATENCY to wake a parked M, M_CREATE_COST for a new thread; `work(ns)` is ns.
//
// Invariants: mp.p and pp.m point at each other or are both null; a G in _Grunning or
// _Gsyscall has gp.m set; every P is exactly one of: on the idle list (_Pidle, pp.idle,
// with an empty run queue: pidleput checks), given to an M that has not started yet
// (_Pidle, mp.nextp; others may steal its queue), held by an M (_Prunning), or in a
// syscall (go1.25: _Psyscall, detached; go1.26: _Prunning, its M's G in _Gsyscall), with
// pp.syscallm naming that M; an M on the idle list holds no P, no nextp and does not spin
// (stopm checks); an M has at most one pending step event; an exited M has none.
import { checkedAdvance, type VirtualClock } from '../kernel/clock.ts';
import type { Go, Park } from '../syscall.ts';
import { deadlockReport, exhaustionReport, noProgressReport, panicReport, schedtraceLine } from './deadlock.ts';
import type { RuntimeTrace, TraceEvent, TraceKind } from './events.ts';
import { Prng } from './prng.ts';
import { Deque, EventHeap } from './queue.ts';

export const SCHEDULE_COST = 100;
export const GO_CREATE_COST = 250;
export const M_WAKE_LATENCY = 1_000;
export const M_CREATE_COST = 10_000;
/** Long `work` runs in slices this long; each slice boundary is a preemption safe point. */
export const WORK_SLICE = 100_000;
export const SYSMON_MIN_DELAY = 20_000;
export const SYSMON_MAX_DELAY = 10_000_000;
/** A G running this long is preempted; a syscall this old is retaken even with idle Ps. */
export const FORCE_PREEMPT_NS = 10_000_000;
/** sysmon's deep sleep lasts at most this long (Go's forcegcperiod/2). */
export const SYSMON_DEEP_SLEEP = 60_000_000_000;
export const RUNQ_SIZE = 256;
export const DEFAULT_MAX_THREADS = 10_000;
/**
 * M steps in a row that run no goroutine code before the scheduler gives up with a crash
 * dump (a scheduler bug: Ms keep waking and finding nothing, forever).
 */
export const NO_PROGRESS_STEPS = 1_000_000;

/**
 * A G's and a P's status, numbered as in Go's runtime2.go. Small integers, not names:
 * entersyscall and exitsyscall compare and store them on every call (a const enum, so
 * esbuild writes the numbers into this file's code); gStatusName and pStatusName give the
 * names dumps and errors print.
 */
export const enum GStatus {
  _Grunnable = 1,
  _Grunning = 2,
  _Gsyscall = 3,
  _Gwaiting = 4,
  _Gdead = 6,
}

export const enum PStatus {
  _Pidle = 0,
  _Prunning = 1,
  _Psyscall = 2,
}

const G_STATUS_NAMES: Record<GStatus, string> = { 1: '_Grunnable', 2: '_Grunning', 3: '_Gsyscall', 4: '_Gwaiting', 6: '_Gdead' };
const P_STATUS_NAMES: Record<PStatus, string> = { 0: '_Pidle', 1: '_Prunning', 2: '_Psyscall' };

/** Go's name of a G's status (_Grunning …). */
export function gStatusName(s: GStatus): string {
  return G_STATUS_NAMES[s];
}

/** Go's name of a P's status (_Prunning …). */
export function pStatusName(s: PStatus): string {
  return P_STATUS_NAMES[s];
}

/** A kernel thread as the scheduler sees it (the machine's clone()d thread). */
export interface MThread {
  readonly tid: number;
}

/** What the machine offers the scheduler. */
export interface MachineHost {
  /**
   * A new kernel thread, each with its own CPU: the process's first thread (parent null,
   * for M0), or one `parent` clones (the thread of the M that creates the new M).
   */
  newThread(parent: MThread | null): MThread;
  /**
   * The machine's clock, if the kernel already runs on one: the scheduler then shares it
   * (SharedClock). Without it the scheduler owns the clock (`sched.clock`), which is
   * better: each M charges its own costs, so Ms run truly in parallel in virtual time.
   */
  readonly clock?: VirtualClock;
}

/** What a backend yields while its thread is blocked inside the kernel. */
export interface SyscallBlocked {
  /** Registers the callback the kernel calls when the thread can continue. */
  wake(resume: () => void): void;
  /** A virtual time at which the thread continues anyway (a sleep or timeout). */
  until?: number;
  /** What the thread waits for, for crash dumps ("read on an empty pipe"). */
  what: string;
}

/** The system call the backend is making, for the trace. */
export interface SyscallInfo {
  nr: number;
  name: string;
  raw: boolean;
  args: readonly number[];
}

/** What the scheduler offers the machine's syscall backend. */
export interface GoroutineRunner {
  go(fn: () => Go<void>): void;
  /** The thread whose CPU runs the current goroutine's syscall stub. */
  current(): { thread: MThread };
  /** From CALL runtime·entersyscall; pc/sp are the caller's, when the machine knows them. */
  entersyscall(pc?: number, sp?: number): void;
  /** From CALL runtime·exitsyscall: true = fast path; false = yield { reason: 'exitsyscall' }. */
  exitsyscall(): boolean;
  /** Trace hooks: a call starts, blocks in the kernel, returns. */
  syscallEnter(info: SyscallInfo): void;
  syscallBlock(): void;
  syscallExit(result: number): void;
  /** The virtual clock (the kernel charges its costs here). */
  readonly clock: VirtualClock;
}

export class G {
  status: GStatus = GStatus._Grunnable;
  waitreason = '';
  m: M | null = null;
  syscallsp = 0;
  syscallpc = 0;
  sysexitticks = 0;
  /** Set by sysmon: yield the P at the next safe point. */
  preempt = false;
  /** Remaining ns of the current `work` request. */
  workLeft = 0;
  /** Value handed to the generator when it next resumes. */
  resumeValue: unknown = undefined;
  /** What a G blocked in a syscall waits for (for dumps). */
  blockedOn = '';
  /** The call in progress, for the trace and dumps. */
  syscall: SyscallInfo | null = null;
  readonly gen: Go<void>;

  constructor(
    readonly goid: number,
    fn: () => Go<void>,
    readonly parent: number,
  ) {
    this.gen = fn();
  }
}

export class M {
  p: P | null = null;
  oldp: P | null = null;
  nextp: P | null = null;
  curg: G | null = null;
  spinning = false;
  locks = 0;
  syscalltick = 0;
  /** Parked on the idle M list (stopm). */
  parked = false;
  /** Its thread exited with its goroutine (mexit): the M never runs again. */
  exited = false;
  /** The kernel wait this M's thread is in, or null. */
  blocked: SyscallBlocked | null = null;
  /** Bumped to invalidate a timed wake of a blocked syscall. */
  blockSeq = 0;
  readonly isSysmon: boolean;

  constructor(
    readonly id: number,
    readonly thread: MThread,
    isSysmon = false,
  ) {
    this.isSysmon = isSysmon;
  }

  /** Go's g0: the M's scheduling stack, named as Go's dumps do. */
  get g0(): string {
    return `g0 of M${this.id}`;
  }
}

export class P {
  status: PStatus = PStatus._Pidle;
  m: M | null = null;
  readonly runq = new Deque<G>();
  runnext: G | null = null;
  /** While in a syscall: the M whose syscall holds this P (its mp.oldp). */
  syscallm: M | null = null;
  syscalltick = 0;
  schedtick = 0;
  /**
   * On the idle P list (Go's idlepMask bit). Not the same as status _Pidle: a P that
   * handoffp or startm gave to an M that has not started yet is _Pidle but off the list,
   * and other Ms may steal from its run queue meanwhile. An idle-listed P's run queue is
   * empty (pidleput checks it), so stealing skips idle-listed Ps, never _Pidle ones.
   */
  idle = false;
  /**
   * sysmon's view of this P at its last pass (Go's sysmontick). syscalltick starts at -1,
   * "never seen", so even a fresh P's first syscall must be seen on two passes.
   */
  readonly seen = { schedtick: 0, schedwhen: 0, syscalltick: -1, syscallwhen: 0 };

  constructor(readonly id: number) {}

  get runqsize(): number {
    return this.runq.size + (this.runnext ? 1 : 0);
  }
}

export interface SchedOptions {
  gomaxprocs?: number;
  seed?: number;
  /** Thread limit (Go's debug.SetMaxThreads, 10000 by default). */
  maxThreads?: number;
  /** Record the runtime trace (default true). */
  trace?: boolean;
  /** Emit a schedtrace line every this many virtual ms (GODEBUG=schedtrace=N). */
  schedtraceMs?: number;
  /**
   * What an exception thrown out of a goroutine means: a Go panic (the default: the run
   * dies with a dump), the goroutine ending (as runtime.Goexit: its thread exited), or
   * the whole program ending normally (the process exited; the host knows its status).
   */
  onThrow?: (e: unknown) => 'panic' | 'goexit' | 'exit';
  /** go1.25 (default): entersyscall detaches the P into _Psyscall; go1.26: the P stays _Prunning. */
  model?: 'go1.25' | 'go1.26';
  /** The no-progress guard: this many M steps in a row without goroutine code end the run (default NO_PROGRESS_STEPS). */
  noProgressSteps?: number;
}

export interface RunResult {
  /** How the run ended: main returned, a goroutine ended the program (onThrow), or a fatal error. */
  ended: 'main' | 'exit' | 'fatal';
  /** 0 when main returned or the program exited, 2 after a fatal error (deadlock, thread exhaustion, panic). */
  status: number;
  /** The fatal error and dump, or '' after a clean exit. */
  fatal: string;
  /** schedtrace lines, when asked for. */
  schedtrace: string[];
  trace: RuntimeTrace;
  /** Virtual time at the end, ns. */
  endNs: number;
  /** Goroutine switches (schedule → execute) performed. */
  switches: number;
  /** Ms created (sysmon's included). */
  threads: number;
}

/** The scheduler's time: the clock steps charge, and where each step starts. */
export interface SchedClock extends VirtualClock {
  /** A step for an event at time `at` begins. */
  beginStep(at: number): void;
  /** When the running step began. */
  readonly stepStart: number;
}

/** The clock the scheduler owns: each step starts at its event's time plus what it has charged so far. */
class StepClock implements SchedClock {
  stepStart = 0;
  private charged = 0;

  now(): number {
    return this.stepStart + this.charged;
  }

  advance(ns: number): void {
    this.charged += checkedAdvance(ns);
  }

  beginStep(at: number): void {
    this.stepStart = at;
    this.charged = 0;
  }
}

/**
 * A host's clock, shared by every M: a step starts at its event's time or, when other
 * steps' charges have already moved the clock past it, at the clock's time. Kernel costs
 * of different Ms then add up instead of overlapping; `work` still overlaps.
 */
class SharedClock implements SchedClock {
  stepStart = 0;

  constructor(private readonly host: VirtualClock) {}

  now(): number {
    return this.host.now();
  }

  advance(ns: number): void {
    this.host.advance(ns);
  }

  beginStep(at: number): void {
    const now = this.host.now();
    if (at > now) this.host.advance(at - now);
    this.stepStart = this.host.now();
  }
}

class FatalStop extends Error {}

function notInGoroutine(): never {
  throw new Error('not called from a goroutine');
}

/**
 * Events in time order. Each M records its own events in order; events of different Ms
 * interleave by time (a step's events carry the time its charges had reached).
 */
function sortedByTime(events: TraceEvent[]): TraceEvent[] {
  return events.map((e, i) => [e, i] as const).sort((a, b) => a[0].ts - b[0].ts || a[1] - b[1]).map(([e]) => e);
}

let active: Scheduler | null = null;

/** The scheduler running the current goroutine (channels, sleep, go() use it). */
export function getsched(): Scheduler {
  if (active === null) throw new Error('no scheduler is running: call this from a goroutine');
  return active;
}

export class Scheduler implements GoroutineRunner {
  readonly clock: SchedClock;
  readonly rng: Prng;
  readonly gomaxprocs: number;
  readonly maxThreads: number;
  readonly allp: P[] = [];
  readonly allm: M[] = [];
  readonly allg: G[] = [];
  readonly runq = new Deque<G>();
  private readonly pidle: P[] = [];
  private readonly midle: M[] = [];
  nmspinning = 0;
  private readonly events = new EventHeap();
  /** Deadlines of pending sleep timers (sysmon's deep sleep ends at the first). */
  private readonly timers = new EventHeap();
  private seq = 0;
  private readonly traceOn: boolean;
  private readonly traceEvents: TraceEvent[] = [];
  private readonly schedtraceNs: number;
  private readonly schedtraceLines: string[] = [];
  private nextSchedtrace = 0;
  /** The M whose step is running, and so the G whose code runs. */
  private curm: M | null = null;
  private sysmonM: M | null = null;
  sysmonwait = false;
  private sysmonGen = 0;
  private sysmonDelay = SYSMON_MIN_DELAY;
  private sysmonIdle = 0;
  private goidgen = 0;
  private switches = 0;
  /** M steps since goroutine code last ran (the no-progress guard). */
  private idleSteps = 0;
  private readonly noProgressSteps: number;
  private mainG: G | null = null;
  private exit: { ended: RunResult['ended']; status: number; fatal: string } | null = null;
  private readonly onThrow: (e: unknown) => 'panic' | 'goexit' | 'exit';
  readonly model: 'go1.25' | 'go1.26';

  constructor(
    private readonly host: MachineHost,
    opts: SchedOptions = {},
  ) {
    this.gomaxprocs = opts.gomaxprocs ?? 1;
    if (!Number.isInteger(this.gomaxprocs) || this.gomaxprocs < 1) throw new RangeError(`GOMAXPROCS must be a positive integer, not ${opts.gomaxprocs}`);
    this.maxThreads = opts.maxThreads ?? DEFAULT_MAX_THREADS;
    this.rng = new Prng(opts.seed ?? 1);
    this.clock = host.clock ? new SharedClock(host.clock) : new StepClock();
    this.traceOn = opts.trace ?? true;
    this.schedtraceNs = (opts.schedtraceMs ?? 0) * 1e6;
    this.onThrow = opts.onThrow ?? (() => 'panic');
    this.model = opts.model ?? 'go1.25';
    this.noProgressSteps = opts.noProgressSteps ?? NO_PROGRESS_STEPS;
    for (let i = 0; i < this.gomaxprocs; i++) this.allp.push(new P(i));
  }

  get npidle(): number {
    return this.pidle.length;
  }

  get idleMs(): number {
    return this.midle.length;
  }

  // -------------------------------------------------------------------------------------
  // Running a program

  /** Runs main as goroutine 1 on M0/P0 until it returns or the program dies. */
  run(main: () => Go<void>): RunResult {
    if (active !== null) throw new Error('a scheduler is already running');
    active = this;
    try {
      const m0 = this.newm(false, null);
      for (let i = this.allp.length - 1; i > 0; i--) this.pidleput(this.allp[i]!);
      this.acquirep(m0, this.allp[0]!);
      this.curm = m0;
      // main goes to the tail of the queue, not runnext: its first run starts a new time
      // slice, as if the runtime's own start-up goroutines had already run.
      this.mainG = this.newproc(main, 0, this.allp[0]!, false);
      this.curm = null;
      this.startSysmon(m0);
      this.stepAt(m0, 0);
      this.loop();
    } catch (e) {
      if (!(e instanceof FatalStop)) throw e;
    } finally {
      active = null;
    }
    const exit = this.exit!;
    const endNs = this.clock.stepStart;
    return {
      ended: exit.ended,
      status: exit.status,
      fatal: exit.fatal,
      schedtrace: this.schedtraceLines,
      trace: { events: sortedByTime(this.traceEvents), gomaxprocs: this.gomaxprocs, sysmonM: this.sysmonM?.id ?? -1, endNs },
      endNs,
      switches: this.switches,
      threads: this.allm.length,
    };
  }

  private loop(): void {
    while (this.exit === null) {
      if (this.events.live === 0 && !this.sysmonCanHelp()) {
        this.die(deadlockReport(this));
      }
      const ev = this.events.pop()!;
      this.emitSchedtrace(ev.at);
      this.clock.beginStep(ev.at);
      ev.fire();
    }
  }

  /** With nothing else queued, sysmon can still change things only by retaking a P. */
  private sysmonCanHelp(): boolean {
    return this.allp.some((pp) => this.inSyscall(pp));
  }

  /** Whether pp belongs to an M in a syscall (so sysmon may retake it). */
  inSyscall(pp: P): boolean {
    return this.model === 'go1.25' ? pp.status === PStatus._Psyscall : pp.status === PStatus._Prunning && pp.syscallm !== null;
  }

  private die(fatal: string): never {
    this.exit = { ended: 'fatal', status: 2, fatal };
    throw new FatalStop(fatal);
  }

  private emitSchedtrace(upTo: number): void {
    if (this.schedtraceNs <= 0) return;
    while (this.nextSchedtrace <= upTo) {
      this.schedtraceLines.push(schedtraceLine(this, this.nextSchedtrace));
      this.nextSchedtrace += this.schedtraceNs;
    }
  }

  private push(at: number, live: boolean, fire: () => void): void {
    this.events.push({ at, tie: this.rng.next(), seq: this.seq++, live, fire });
  }

  /** Queues M's next step at an absolute time. */
  private stepAt(mp: M, at: number): void {
    this.push(at, true, () => this.mstep(mp));
  }

  /** Queues M's next step after what the running step charged, plus delay. */
  private stepAfter(mp: M, delay: number): void {
    this.stepAt(mp, this.clock.now() + delay);
  }

  trace(kind: TraceKind, fields: { g?: G | null; m?: M | null; p?: P | null; args?: Record<string, string | number | boolean> } = {}): void {
    if (!this.traceOn) return;
    const ev: { ts: number; kind: TraceKind; g?: number; m?: number; p?: number; args?: Record<string, string | number | boolean> } = { ts: this.clock.now(), kind };
    if (fields.g) ev.g = fields.g.goid;
    if (fields.m) ev.m = fields.m.id;
    if (fields.p) ev.p = fields.p.id;
    if (fields.args) ev.args = fields.args;
    this.traceEvents.push(ev);
  }

  // -------------------------------------------------------------------------------------
  // Goroutines

  /** The G whose code is running. */
  getg(): G {
    return this.curm?.curg ?? notInGoroutine();
  }

  go(fn: () => Go<void>): void {
    const mp = this.curm;
    this.clock.advance(GO_CREATE_COST);
    this.newproc(fn, mp?.curg?.goid ?? 0, mp?.p ?? null);
  }

  private newproc(fn: () => Go<void>, parent: number, pp: P | null, next = true): G {
    const gp = new G(++this.goidgen, fn, parent);
    this.allg.push(gp);
    if (this.traceOn) this.trace('GoCreate', { g: gp, m: this.curm, p: pp, args: { parent } });
    if (pp) this.runqput(pp, gp, next);
    else this.globrunqput(gp);
    if (this.mainG !== null) this.wakep();
    return gp;
  }

  /** goready: gp becomes runnable (from a channel op, a timer, an unlock). */
  ready(gp: G): void {
    if (gp.status !== GStatus._Gwaiting) throw new Error(`goready: goroutine ${gp.goid} is ${gStatusName(gp.status)}, not _Gwaiting`);
    gp.status = GStatus._Grunnable;
    gp.waitreason = '';
    const pp = this.curm?.p ?? null;
    if (this.traceOn) this.trace('GoUnblock', { g: gp, m: this.curm, p: pp });
    if (pp) this.runqput(pp, gp, true);
    else this.globrunqput(gp);
    this.wakep();
  }

  /** Readies gp at a virtual time (timers: sleep). */
  readyAt(gp: G, at: number): void {
    const timer = { at, tie: 0, seq: this.seq, live: false, fire: () => {} };
    this.timers.push(timer);
    this.push(at, true, () => {
      this.curm = null;
      this.timers.pop();
      this.ready(gp);
    });
  }

  // -------------------------------------------------------------------------------------
  // M steps: run the G, or schedule

  private mstep(mp: M): void {
    this.curm = mp;
    if (++this.idleSteps > this.noProgressSteps) this.die(noProgressReport(this, `${this.noProgressSteps} M steps in a row ran no goroutine code`));
    if (mp.nextp) {
      const pp = mp.nextp;
      mp.nextp = null;
      mp.parked = false;
      if (this.traceOn) this.trace('MStart', { m: mp, p: pp });
      this.acquirep(mp, pp);
    }
    const gp = mp.curg;
    if (gp === null) this.schedule(mp);
    else if (gp.preempt && gp.status === GStatus._Grunning && gp.syscall === null && mp.locks === 0 && mp.p) this.preemptNow(mp, gp);
    else if (gp.workLeft > 0) this.runWork(mp, gp);
    else this.stepG(mp, gp);
    this.curm = null;
  }

  private stepG(mp: M, gp: G): void {
    this.idleSteps = 0;
    const value = gp.resumeValue;
    gp.resumeValue = undefined;
    let r: IteratorResult<Park, void>;
    try {
      r = gp.gen.next(value);
    } catch (e) {
      if (e instanceof FatalStop) throw e;
      const meaning = this.onThrow(e);
      if (meaning === 'panic') this.die(panicReport(this, gp, e));
      if (meaning === 'exit') {
        this.exit = { ended: 'exit', status: 0, fatal: '' };
        return;
      }
      this.mexit(mp, gp);
      return;
    }
    if (r.done) this.goexit0(mp, gp);
    else this.handlePark(mp, gp, r.value);
  }

  private handlePark(mp: M, gp: G, park: Park): void {
    const detail = park.detail as Record<string, unknown> | undefined;
    switch (park.reason) {
      case 'work': {
        const ns = detail?.['ns'];
        if (typeof ns !== 'number' || !(ns >= 0)) throw new Error(`goroutine ${gp.goid}: work needs a non-negative ns, got ${String(ns)}`);
        gp.workLeft = ns;
        this.runWork(mp, gp);
        return;
      }
      case 'gosched':
        if (this.traceOn) this.trace('GoSched', { g: gp, m: mp, p: mp.p });
        this.goschedImpl(mp, gp);
        return;
      case 'sleep': {
        const ns = detail?.['ns'];
        if (typeof ns !== 'number' || !(ns >= 0)) throw new Error(`goroutine ${gp.goid}: sleep needs a non-negative ns, got ${String(ns)}`);
        this.readyAt(gp, this.clock.now() + ns);
        this.gopark(mp, gp, 'sleep');
        return;
      }
      case 'park':
        this.gopark(mp, gp, typeof detail?.['waitreason'] === 'string' ? (detail['waitreason'] as string) : 'park');
        return;
      case 'syscall-blocked':
        this.blockInKernel(mp, gp, park.detail as SyscallBlocked);
        return;
      case 'exitsyscall':
        this.exitsyscall0(mp, gp);
        return;
      case 'yield':
        // sched_yield: the thread gives up its CPU for a moment; G, M and P stay together.
        this.stepAfter(mp, 0);
        return;
      default:
        throw new Error(`goroutine ${gp.goid} yielded an unknown park request '${park.reason}' (expected work, gosched, sleep, park, syscall-blocked, exitsyscall or yield)`);
    }
  }

  private runWork(mp: M, gp: G): void {
    this.idleSteps = 0;
    const slice = Math.min(gp.workLeft, WORK_SLICE);
    gp.workLeft -= slice;
    this.stepAfter(mp, slice);
  }

  /** Preempted at a safe point: to the global queue, as Go's gopreempt_m does. */
  private preemptNow(mp: M, gp: G): void {
    if (this.traceOn) this.trace('GoPreempt', { g: gp, m: mp, p: mp.p });
    this.goschedImpl(mp, gp);
  }

  private goschedImpl(mp: M, gp: G): void {
    gp.preempt = false;
    gp.status = GStatus._Grunnable;
    this.dropg(mp);
    this.globrunqput(gp);
    this.schedule(mp);
  }

  private gopark(mp: M, gp: G, waitreason: string): void {
    gp.status = GStatus._Gwaiting;
    gp.waitreason = waitreason;
    gp.preempt = false;
    if (this.traceOn) this.trace('GoBlock', { g: gp, m: mp, p: mp.p, args: { reason: waitreason } });
    this.dropg(mp);
    this.schedule(mp);
  }

  private goexit0(mp: M, gp: G): void {
    gp.status = GStatus._Gdead;
    if (this.traceOn) this.trace('GoEnd', { g: gp, m: mp, p: mp.p });
    this.dropg(mp);
    if (gp === this.mainG) {
      this.exit = { ended: 'main', status: 0, fatal: '' };
      return;
    }
    this.schedule(mp);
  }

  /**
   * gp's thread exited (exit(2) from the goroutine): gp ends and its M with it, as when
   * a goroutine locked to its thread exits in Go (goexit0 → mexit). The P goes on without
   * them: the one the M holds (a raw call; go1.26's syscall) or the one its syscall left
   * in _Psyscall (go1.25) is handed off at once (handoffp) instead of waiting for sysmon.
   */
  private mexit(mp: M, gp: G): void {
    gp.status = GStatus._Gdead;
    gp.syscall = null;
    if (this.traceOn) this.trace('GoEnd', { g: gp, m: mp, p: mp.p });
    this.dropg(mp);
    mp.exited = true;
    let pp: P | null = null;
    if (mp.p !== null) {
      if (mp.p.syscallm === mp) mp.p.syscallm = null;
      pp = this.releasep(mp);
    } else if (mp.oldp !== null && this.inSyscall(mp.oldp) && mp.oldp.syscallm === mp) {
      pp = mp.oldp;
      pp.syscallm = null;
      pp.status = PStatus._Pidle;
      pp.syscalltick++;
    }
    mp.oldp = null;
    if (mp.spinning) {
      mp.spinning = false;
      this.nmspinning--;
    }
    if (this.traceOn) this.trace('MExit', { m: mp, p: pp });
    if (gp === this.mainG) {
      this.exit = { ended: 'main', status: 0, fatal: '' };
      return;
    }
    if (pp !== null) this.handoffp(pp, mp);
  }

  private dropg(mp: M): void {
    if (mp.curg) mp.curg.m = null;
    mp.curg = null;
  }

  /**
   * Runs gp on mp. A G taken from runnext inherits the current time slice (Go's
   * inheritTime): schedtick does not move, so a pair of goroutines handing off to each
   * other through runnext counts as one long-running slice and sysmon preempts it after
   * 10 ms; it also does not advance the every-61st global queue check.
   */
  private execute(mp: M, gp: G, how: string, inheritTime = false): void {
    const pp = mp.p!;
    gp.status = GStatus._Grunning;
    gp.waitreason = '';
    gp.sysexitticks = 0;
    gp.preempt = false;
    gp.m = mp;
    mp.curg = gp;
    if (!inheritTime) pp.schedtick++;
    this.switches++;
    if (this.traceOn) this.trace('GoStart', { g: gp, m: mp, p: pp, args: { how } });
    this.stepAfter(mp, SCHEDULE_COST);
  }

  /** One round of the scheduler on mp (which holds a P): run something, or stop. */
  private schedule(mp: M): void {
    const pp = mp.p!;
    const next = pp.runnext;
    const gp = this.findRunnable(mp);
    if (gp === null) return;
    if (mp.spinning) this.resetspinning(mp);
    this.execute(mp, gp, 'schedule', gp === next && mp.p === pp);
  }

  private findRunnable(mp: M): G | null {
    // Each new round follows taking an idle P because work was seen; nothing else runs
    // meanwhile, so more rounds than Ps means the work cannot be reached: a bug.
    for (let round = 0; ; round++) {
      if (round > this.gomaxprocs + 1) this.die(noProgressReport(this, `M${mp.id} went round findRunnable ${round} times: work is queued that it cannot reach`));
      const pp = mp.p!;
      if (pp.schedtick % 61 === 0 && this.runq.size > 0) {
        const gp = this.globrunqget(pp, 1);
        if (gp) return gp;
      }
      const local = this.runqget(pp);
      if (local) return local;
      if (this.runq.size > 0) return this.globrunqget(pp, 0);
      if (mp.spinning || 2 * this.nmspinning < this.gomaxprocs - this.npidle) {
        if (!mp.spinning) {
          mp.spinning = true;
          this.nmspinning++;
        }
        const stolen = this.stealWork(mp, pp);
        if (stolen) return stolen;
      }
      // Nothing to do: give the P back, then look once more before sleeping. Only Ps off
      // the idle list can hold work (pidleput's invariant), and stealWork takes from any
      // of them, so this rechecks exactly what the next round can get.
      this.releasep(mp);
      this.pidleput(pp);
      if (mp.spinning) {
        mp.spinning = false;
        this.nmspinning--;
        const work = this.runq.size > 0 || this.allp.some((p2) => !p2.idle && p2.runqsize > 0);
        if (work && this.npidle > 0) {
          this.acquirep(mp, this.pidleget()!);
          mp.spinning = true;
          this.nmspinning++;
          continue;
        }
      }
      this.stopm(mp);
      return null;
    }
  }

  private stealWork(mp: M, pp: P): G | null {
    for (let i = 0; i < 4; i++) {
      for (const victim of this.rng.shuffle(this.allp)) {
        // Go skips Ps on the idle list (idlepMask), not Ps whose status is _Pidle: a P
        // handed to an M that has not started yet is _Pidle with work queued.
        if (victim === pp || victim.idle) continue;
        const gp = this.runqsteal(pp, victim, i === 3);
        if (gp) {
          if (this.traceOn) this.trace('RunqSteal', { m: mp, p: pp, g: gp, args: { from: victim.id } });
          return gp;
        }
      }
    }
    return null;
  }

  private resetspinning(mp: M): void {
    mp.spinning = false;
    this.nmspinning--;
    if (this.nmspinning === 0 && this.npidle > 0) this.wakep();
  }

  // -------------------------------------------------------------------------------------
  // Run queues

  private runqput(pp: P, gp: G, next: boolean): void {
    if (next) {
      const old = pp.runnext;
      pp.runnext = gp;
      if (old === null) return;
      gp = old;
    }
    if (pp.runq.size < RUNQ_SIZE) {
      pp.runq.push(gp);
      return;
    }
    // runqputslow: half of the local queue and gp move to the global queue.
    for (let i = 0; i < RUNQ_SIZE / 2; i++) this.globrunqput(pp.runq.shift()!);
    this.globrunqput(gp);
  }

  private runqget(pp: P): G | null {
    if (pp.runnext) {
      const gp = pp.runnext;
      pp.runnext = null;
      return gp;
    }
    return pp.runq.shift() ?? null;
  }

  /** Steals half of victim's queue into pp's; returns one of them to run now. */
  private runqsteal(pp: P, victim: P, stealRunNext: boolean): G | null {
    const n = victim.runq.size - (victim.runq.size >> 1);
    if (n === 0) {
      if (stealRunNext && victim.runnext) {
        const gp = victim.runnext;
        victim.runnext = null;
        return gp;
      }
      return null;
    }
    const first = victim.runq.shift()!;
    for (let i = 1; i < n; i++) pp.runq.push(victim.runq.shift()!);
    return first;
  }

  private globrunqput(gp: G): void {
    this.runq.push(gp);
  }

  /** Takes a batch from the global queue (its fair share, at most 128) into pp; returns the first. */
  private globrunqget(pp: P, max: number): G | null {
    if (this.runq.size === 0) return null;
    let n = Math.min(this.runq.size, Math.floor(this.runq.size / this.gomaxprocs) + 1, RUNQ_SIZE / 2);
    if (max > 0 && n > max) n = max;
    const gp = this.runq.shift()!;
    for (let i = 1; i < n; i++) this.runqput(pp, this.runq.shift()!, false);
    return gp;
  }

  // -------------------------------------------------------------------------------------
  // Ps and Ms

  private acquirep(mp: M, pp: P): void {
    if (mp.p !== null || pp.m !== null) this.badAcquirep(mp, pp);
    mp.p = pp;
    pp.m = mp;
    pp.status = PStatus._Prunning;
    if (this.traceOn) this.trace('ProcStart', { m: mp, p: pp });
  }

  private releasep(mp: M): P {
    const pp = mp.p!;
    if (this.traceOn) this.trace('ProcStop', { m: mp, p: pp });
    pp.m = null;
    mp.p = null;
    pp.status = PStatus._Pidle;
    return pp;
  }

  /** Puts pp on the idle list. As in Go, an idle P has nothing to run: its run queue is empty. */
  private pidleput(pp: P): void {
    if (pp.runqsize > 0) throw new Error(`pidleput: P${pp.id} has a non-empty run queue (${pp.runqsize})`);
    if (pp.idle || pp.m !== null) throw new Error(`pidleput: P${pp.id} is ${pp.idle ? 'already idle' : `held by M${pp.m!.id}`}`);
    pp.status = PStatus._Pidle;
    pp.idle = true;
    this.pidle.push(pp);
  }

  private pidleget(): P | null {
    const pp = this.pidle.pop() ?? null;
    if (pp !== null) pp.idle = false;
    return pp;
  }

  /**
   * A new M with a new kernel thread, or death by thread exhaustion. `creator` makes the
   * clone: the running M, as in Go's newm; without one (a timer fired, or sysmon retook a P)
   * sysmon, which in Go is what starts Ms for overdue timers and handoffs.
   */
  private newm(isSysmon: boolean, creator: M | null = this.curm !== null && !this.curm.exited ? this.curm : this.sysmonM): M {
    if (this.allm.length >= this.maxThreads) this.die(exhaustionReport(this));
    const mp = new M(this.allm.length, this.host.newThread(creator?.thread ?? null), isSysmon);
    this.allm.push(mp);
    if (this.traceOn) this.trace('MCreate', { m: mp, args: { tid: mp.thread.tid, sysmon: isSysmon } });
    return mp;
  }

  /** Parks mp on the idle M list. As in Go's stopm, it holds no P and is not spinning. */
  private stopm(mp: M): void {
    if (mp.p !== null) throw new Error(`stopm: M${mp.id} still holds P${mp.p.id}`);
    if (mp.spinning) throw new Error(`stopm: M${mp.id} is spinning`);
    if (mp.nextp !== null) throw new Error(`stopm: M${mp.id} has a P to start with (P${mp.nextp.id})`);
    mp.parked = true;
    this.midle.push(mp);
    if (this.traceOn) this.trace('MStop', { m: mp });
  }

  /** Runs pp (or an idle P) on an idle or new M; spinning Ms look for work to steal. */
  private startm(pp: P | null, spinning: boolean): M | null {
    pp ??= this.pidleget();
    if (pp === null) {
      if (spinning) this.nmspinning--;
      return null;
    }
    const idle = this.midle.pop();
    const nmp = idle ?? this.newm(false);
    nmp.spinning = spinning;
    nmp.nextp = pp;
    this.stepAfter(nmp, idle ? M_WAKE_LATENCY : M_CREATE_COST);
    return nmp;
  }

  /** Another P may have work: start a spinning M if none spins and a P is idle. */
  private wakep(): void {
    if (this.npidle === 0 || this.nmspinning !== 0) return;
    this.nmspinning++;
    this.startm(null, true);
  }

  private handoffp(pp: P, from: M | null): void {
    let to: M | null = null;
    if (pp.runqsize > 0 || this.runq.size > 0) to = this.startm(pp, false);
    else if (this.nmspinning + this.npidle === 0) {
      this.nmspinning++;
      to = this.startm(pp, true);
    } else this.pidleput(pp);
    if (this.traceOn) this.trace('Handoff', { p: pp, m: from, args: { to: to ? to.id : -1 } });
  }

  // -------------------------------------------------------------------------------------
  // System calls

  current(): { thread: MThread } {
    const mp = this.curm;
    if (!mp) throw new Error('current(): no goroutine is running');
    return { thread: mp.thread };
  }

  entersyscall(pc = 0, sp = 0): void {
    const mp = this.curm!;
    const gp = mp.curg!;
    const pp = mp.p;
    if (gp.status !== GStatus._Grunning || pp === null) this.badEntersyscall(mp, gp);
    mp.locks++;
    gp.syscallpc = pc;
    gp.syscallsp = sp;
    gp.status = GStatus._Gsyscall;
    if (this.traceOn) this.traceSysCall(gp, mp, pp);
    if (this.sysmonwait) this.sysmonwake();
    mp.syscalltick = pp.syscalltick;
    mp.oldp = pp;
    pp.syscallm = mp;
    if (this.model === 'go1.25') {
      pp.m = null;
      mp.p = null;
      pp.status = PStatus._Psyscall;
    }
    mp.locks--;
  }

  exitsyscall(): boolean {
    const mp = this.curm!;
    const gp = mp.curg!;
    mp.locks++;
    const oldp = mp.oldp;
    mp.oldp = null;
    // sysmon bumps a P's syscalltick when it retakes it: the snapshot no longer matches.
    const retaken = oldp !== null && oldp.syscalltick !== mp.syscalltick;
    if (this.exitsyscallfast(mp, oldp)) {
      const pp = mp.p!;
      pp.syscalltick++;
      gp.status = GStatus._Grunning;
      gp.syscallsp = 0;
      if (this.traceOn) this.traceSysExitFast(gp, mp, pp, pp === oldp, retaken);
      mp.locks--;
      return true;
    }
    gp.sysexitticks = this.clock.now();
    mp.locks--;
    return false;
  }

  // Kept out of entersyscall, exitsyscall and acquirep, which run on every call: V8 inlines
  // those into the machine's host functions only while they stay small.

  private badAcquirep(mp: M, pp: P): never {
    throw new Error(`acquirep: M${mp.id} or P${pp.id} already bound`);
  }

  private badEntersyscall(mp: M, gp: G): never {
    throw new Error(`entersyscall: goroutine ${gp.goid} is ${gStatusName(gp.status)} on M${mp.id} without a P`);
  }

  private traceSysCall(gp: G, mp: M, pp: P): void {
    this.trace('GoSysCall', { g: gp, m: mp, p: pp });
  }

  private traceSysExitFast(gp: G, mp: M, pp: P, sameP: boolean, retaken: boolean): void {
    this.trace('GoSysExit', { g: gp, m: mp, p: pp, args: { fast: true, sameP, retaken } });
    if (this.traceOn) this.trace('GoStart', { g: gp, m: mp, p: pp, args: { how: 'exitsyscall' } });
  }

  private exitsyscallfast(mp: M, oldp: P | null): boolean {
    if (oldp !== null && this.inSyscall(oldp) && oldp.syscallm === mp) {
      oldp.syscallm = null;
      if (this.model === 'go1.25') {
        oldp.status = PStatus._Pidle;
        this.acquirep(mp, oldp);
      }
      return true;
    }
    const pp = this.pidleget();
    if (pp === null) return false;
    this.acquirep(mp, pp);
    if (this.sysmonwait) this.sysmonwake();
    return true;
  }

  /** The slow path, on g0: the G waits for a P on the global queue, the M stops. */
  private exitsyscall0(mp: M, gp: G): void {
    gp.status = GStatus._Grunnable;
    this.dropg(mp);
    const pp = this.pidleget();
    if (pp === null) this.globrunqput(gp);
    else if (this.sysmonwait) this.sysmonwake();
    if (this.traceOn) this.trace('GoSysExit', { g: gp, m: mp, p: pp, args: { fast: false } });
    if (pp) {
      this.acquirep(mp, pp);
      this.execute(mp, gp, 'exitsyscall0');
      return;
    }
    this.stopm(mp);
  }

  /** The thread sleeps in the kernel; G and M stay together until the kernel wakes it. */
  private blockInKernel(mp: M, gp: G, blocked: SyscallBlocked): void {
    mp.blocked = blocked;
    gp.blockedOn = blocked.what;
    const token = ++mp.blockSeq;
    const resume = (): void => {
      if (mp.blocked !== blocked || mp.blockSeq !== token) return;
      mp.blocked = null;
      gp.blockedOn = '';
      this.stepAfter(mp, 0);
    };
    blocked.wake(resume);
    if (blocked.until !== undefined) this.push(Math.max(blocked.until, this.clock.now()), true, resume);
  }

  syscallEnter(info: SyscallInfo): void {
    const mp = this.curm!;
    mp.curg!.syscall = info;
    if (this.traceOn) this.trace('SyscallEnter', { g: mp.curg, m: mp, p: mp.p, args: { nr: info.nr, name: info.name, raw: info.raw } });
  }

  syscallBlock(): void {
    const mp = this.curm!;
    if (this.traceOn) this.trace('SyscallBlock', { g: mp.curg, m: mp, args: { raw: mp.curg!.syscall?.raw ?? false } });
  }

  syscallExit(result: number): void {
    const mp = this.curm!;
    const info = mp.curg!.syscall;
    mp.curg!.syscall = null;
    if (this.traceOn) this.trace('SyscallExit', { g: mp.curg, m: mp, args: { nr: info?.nr ?? -1, name: info?.name ?? '?', result } });
  }

  // -------------------------------------------------------------------------------------
  // sysmon

  /** runtime.main starts sysmon on M0 (newm(sysmon)) before main.main runs. */
  private startSysmon(m0: M): void {
    this.sysmonM = this.newm(true, m0);
    this.push(SYSMON_MIN_DELAY, false, this.sysmonTick(this.sysmonGen));
  }

  private sysmonTick(gen: number): () => void {
    return () => {
      if (gen !== this.sysmonGen) return;
      this.curm = null;
      const now = this.clock.now();
      const nextTimer = this.timers.peek()?.at ?? Infinity;
      if (this.schedtraceNs <= 0 && this.npidle === this.gomaxprocs && !this.sysmonwait && nextTimer > now) {
        this.sysmonwait = true;
        const sleep = Math.min(SYSMON_DEEP_SLEEP, nextTimer - now);
        if (this.traceOn) this.trace('SysmonSleep', { m: this.sysmonM, args: { until: now + sleep } });
        this.push(now + sleep, false, this.sysmonTick(++this.sysmonGen));
        return;
      }
      this.sysmonwait = false;
      if (this.traceOn) this.trace('SysmonWake', { m: this.sysmonM, args: { delay: this.sysmonDelay } });
      if (this.retake(now) > 0) this.sysmonIdle = 0;
      else this.sysmonIdle++;
      if (this.sysmonIdle === 0) this.sysmonDelay = SYSMON_MIN_DELAY;
      else if (this.sysmonIdle > 50) this.sysmonDelay = Math.min(this.sysmonDelay * 2, SYSMON_MAX_DELAY);
      this.push(now + this.sysmonDelay, false, this.sysmonTick(++this.sysmonGen));
    };
  }

  /** Ends sysmon's deep sleep (entersyscall_sysmon, exitsyscallfast_pidle). */
  private sysmonwake(): void {
    this.sysmonwait = false;
    this.sysmonIdle = 0;
    this.sysmonDelay = SYSMON_MIN_DELAY;
    this.push(this.clock.now(), false, this.sysmonTick(++this.sysmonGen));
  }

  /** Go's retake: Ps in syscalls too long are handed off; Gs running too long are flagged. */
  private retake(now: number): number {
    let n = 0;
    for (const pp of this.allp) {
      const pd = pp.seen;
      const syscall = this.inSyscall(pp);
      if (pp.status === PStatus._Prunning || syscall) {
        if (pd.schedtick !== pp.schedtick) {
          pd.schedtick = pp.schedtick;
          pd.schedwhen = now;
        } else if (pd.schedwhen + FORCE_PREEMPT_NS <= now && !syscall) {
          this.preemptone(pp);
        }
      }
      if (!syscall) continue;
      if (pd.syscalltick !== pp.syscalltick) {
        pd.syscalltick = pp.syscalltick;
        pd.syscallwhen = now;
        continue;
      }
      if (pp.runqsize === 0 && this.nmspinning + this.npidle > 0 && pd.syscallwhen + FORCE_PREEMPT_NS > now) continue;
      const victim = pp.syscallm;
      pp.syscallm = null;
      if (victim !== null && victim.p === pp) {
        // go1.26: the P was still wired to the M in the syscall.
        victim.p = null;
        pp.m = null;
      }
      pp.status = PStatus._Pidle;
      n++;
      pp.syscalltick++;
      if (this.traceOn) this.trace('SysmonRetake', { m: this.sysmonM, p: pp, args: { victim: victim ? victim.id : -1 } });
      if (this.traceOn && victim?.curg) this.trace('GoSysBlock', { g: victim.curg, m: victim, p: pp });
      if (this.traceOn) this.trace('ProcSteal', { p: pp, m: victim });
      this.handoffp(pp, victim);
    }
    return n;
  }

  private preemptone(pp: P): void {
    const gp = pp.m?.curg;
    if (!gp || gp.preempt || gp.status !== GStatus._Grunning) return;
    gp.preempt = true;
    if (this.traceOn) this.trace('SysmonPreempt', { m: this.sysmonM, p: pp, g: gp });
  }

  // -------------------------------------------------------------------------------------
  // Inspection (dumps, tests)

  get now(): number {
    return this.clock.now();
  }
}
