// The machine: one process on the emulated x86-64, entered through the real SYSCALL
// instruction, with the kernel on the host side. What differs between linux, freebsd and
// darwin (kernel, syscall frame, linked objects, stubs, tracer, per-thread setup) is the
// target's personality (personality/); the description below is Linux's, and the BSDs
// follow it with their own stubs and frames.
//
// Boot. The linux/amd64 stubs (user pages) and the kernel entry code (supervisor pages)
// are linked at IMAGE_BASE with host-bound runtime·entersyscall, runtime·exitsyscall,
// do_syscall_64 and two return targets (runtime·mstart, where a booted CPU waits, and
// runtime·callReturn, where a call made by the machine ends). Every thread's CPU boots like a Linux CPU: ring 0
// at syscall_init (WRMSR LSTAR/STAR/FMASK, EFER.SCE, GS base), which SYSRETs to ring 3.
// sys_call_table is the kernel's: the target's number table joined with its handlers by
// name.
//
// A system call from a goroutine (backend.ts builds the frame) runs the stub on the
// goroutine's thread's CPU: CALL runtime·entersyscall → SYSCALL → entry_SYSCALL_64 (guest
// code, ring 0) → do_syscall_64 (host) → the handler → SYSRETQ → CALL runtime·exitsyscall
// → RET to the call-return target, where the host reads r1, r2 and err from the frame.
// The three host addresses are served inside the CPU's run loop (host functions bound to
// them, bindHostFunctions), exactly as a stop there and a fresh run would: instructions are
// charged to the clock first, and the CPU goes on with a fresh slice.
// A handler that must wait leaves the CPU parked inside do_syscall_64: the goroutine
// yields a 'syscall-blocked' Park and, once the kernel wakes the thread, the handler runs
// again (advance serves it) and the CPU carries on to SYSRET.
//
// Memory layout (one address space, shared by all threads of the process):
//   IMAGE_BASE         stubs, entry code, per-CPU area, host pages (upper half, as the
//                      kernel's text: user code runs the stubs there, nothing maps over it)
//   KERNEL_STACKS      each thread's kernel stack (upper half, supervisor)
//   HEAP_BASE          Machine.alloc's memory (buffers passed by address, never copied)
//   ZERO_PAGE          a read-only zero page (Go's &_zero for empty slices)
//   THREAD_AREA + i·THREAD_SLOT, for thread i: user stack, a page of the thread's own
//                      (what its creating call points to: personality/index.ts's
//                      NEW_THREAD_AREA), and the arena pinned call arguments are copied into.
//   SPARE_STACK_SLOTS  more such slots: a goroutine waiting for a P after its system call
//                      keeps its slot (frame, pinned arguments) and its M takes a spare;
//                      the M that resumes the goroutine takes the slot over (gogo).
// Each thread's kernel-stack top is written into the per-CPU slot before its CPU runs.
//
// Virtual time: each retired instruction costs INSTRUCTION_NS on the machine's clock, on
// top of the kernel's documented costs, so a run's times depend only on what it executes.
//
// Speed: a system call runs this file's host functions, the scheduler's entersyscall and
// exitsyscall and the kernel's do_syscall_64 from one compiled trace. V8 inlines a callee
// only while its caller's inlined bytecode stays within a budget, so the functions on that
// path keep rare cases (faults, parking, traces, TLB misses) in functions of their own.
//
// Faults: a fault in ring 3 (INT n included: no gate is open to ring 3) kills the process
// with the signal Linux sends, and the run reports the kernel's message (deliverFault:
// RIP, the instruction and the address). A fault in ring 0 is a bug of this machine and
// is thrown as a host Error.
//
// Invariants: only one CPU runs at a time; every exit of a thread's run loop leaves its
// CPU either at a host return target in ring 3 or the thread dead; nothing here reads a
// host clock or host randomness.
import { Cpu, CpuFault, formatAddress, generalProtection, PageFault, RDI, RSI, RSP, type Stop } from '../cpu/index.ts';
import { Memory, PROT_READ, PROT_WRITE, WordsView } from '../cpu/index.ts';
import { Linker, loadImage, PERCPU, assemble, type Image } from '../asm/index.ts';
import { ARG_REGS, checkedAdvance, syscallRegs, type Block, type HostMount, type Kernel, type SeedFile, type Thread, type TargetTables, type VirtualClock } from '../kernel/index.ts';
import { signalName } from '../kernel/linux/abi.ts';
import { unixPersonality, type SyscallFrame, type Tracer, type UnixPersonality } from './personality/index.ts';
import { setSyscallBackend, type Go, type Park, type SyscallResult, type TargetDescriptor, type Word } from '../syscall.ts';
import { MachineBackend } from './backend.ts';
import { RoundRobinRunner, RunEnded, ThreadEnded, type BlockedGoroutine, type MachineRunner, type MachineHost, type MThread, type SyscallBlocked, type SyscallInfo } from './runner.ts';
import { SchedRunner, type SchedRunnerOptions } from './sched-runner.ts';
import type { RunResult as SchedRunResult } from '../sched/index.ts';

/** The image (stubs, entry code, host pages) at 0xffffffff80000000, where Linux keeps its text: out of the user half, so no munmap or MAP_FIXED can touch it, and within reach of sign-extended 32-bit addresses. */
export const IMAGE_BASE = -0x8000_0000;
/** Kernel stacks, one KERNEL_STACK_SLOT per thread, at 0xffffc90000000000 (Linux's vmalloc area). */
export const KERNEL_STACKS = -0x3700_0000_0000;
const KERNEL_STACK_SLOT = 0x1_0000;
export const ZERO_PAGE = 0x1_ffff_f000;
export const HEAP_BASE = 0x1_0000_0000;
const HEAP_SIZE = 0x400_0000;
export const THREAD_AREA = 0x2_0000_0000;
export const THREAD_SLOT = 0x100_0000;
/** Spare stack slots (user stack + argument arena, laid out as a thread's), for threads whose goroutine left theirs behind. */
const SPARE_STACK_SLOTS = 0x4000_0000_0000;
const USER_STACK_SIZE = 0x1_0000;
const KERNEL_STACK_SIZE = 0x4000;
const PIN_ARENA_OFFSET = 0x10_0000;
/** A stub's frame lies this far below the top of the user stack, and is at most this long (six arguments). */
const STUB_FRAME_OFFSET = 512;
const STUB_FRAME_BYTES = 8 * (6 + 5);
export const PIN_ARENA_SIZE = 0x80_0000;
/** Virtual nanoseconds per retired guest instruction. */
export const INSTRUCTION_NS = 1;
/** The signal RLIMIT_CPU sends (Linux x86-64 numbering). */
const SIGXCPU = 24;
const EXITSYSCALL: Park = { reason: 'exitsyscall' };
const YIELD: Park = { reason: 'yield' };
/** SyscallInfo.args for a runner that does not read them. */
const NO_ARGS: readonly number[] = Object.freeze([]);
/** SyscallInfo objects kept per number and kind, for numbers below half this. */
const SYSCALL_INFO_CACHE = 2048;
/** Instructions a CPU runs between checks for host work (a bound, not a time slice). */
const RUN_SLICE = 1_000_000;

export interface GuestSource {
  /** Plan 9 assembly linked into user pages beside the stubs (call it with guestCall). */
  source: string;
  file?: string;
  pkg?: string;
}

export interface StraceSettings {
  /** -T: each call's virtual duration. */
  timing?: boolean;
  /** -c: the summary table instead of lines. */
  summary?: boolean;
  /**
   * Each line names the thread that made the call: truss -H (`   101: `), dtruss's
   * pid/thread prefix (`  100/0x65:  `), the API monitor's `[104] `. Linux's strace names
   * every thread but the first with `[pid N]` already, as strace -f does; there it is refused.
   */
  threadIds?: boolean;
  /** Receives each line as it is written (default: collected into the result). */
  write?: (line: string) => void;
}

/** The scheduler's settings (gomaxprocs, model, maxThreads, schedtrace) are options of the machine. */
export interface MachineOptions extends SchedRunnerOptions {
  /** The generated target descriptor (generated/target_<os>_<arch>.ts). */
  target: TargetDescriptor;
  /** Seeds getrandom, AT_RANDOM and the scheduler's tie-breaks (default 1). */
  seed?: number;
  files?: ReadonlyArray<SeedFile>;
  mounts?: ReadonlyArray<HostMount>;
  stdin?: string | Uint8Array;
  strace?: boolean | StraceSettings;
  /** More guest code (user pages). */
  asm?: ReadonlyArray<GuestSource>;
  /** The process's working directory (default /). */
  cwd?: string;
  /** RLIMIT_NOFILE: the descriptor limit (default 1024). */
  nofile?: number;
  /** RLIMIT_CPU in guest instructions: past it the process is killed with SIGXCPU (default: none). */
  maxInstructions?: number;
  /**
   * Who runs the goroutines (unless `runner` is given): 'go' (the default), Go's G/M/P
   * scheduler (SchedRunner, configured by gomaxprocs, model, maxThreads and schedtrace), or
   * 'round-robin', one thread per goroutine taking turns (RoundRobinRunner: for programs
   * without Go's runtime, such as a C program under exec, and for comparison).
   */
  scheduler?: 'go' | 'round-robin';
  /** A goroutine runner of your own. */
  runner?: (host: MachineHost, seed: number) => MachineRunner;
}

export interface RunResult {
  /** The exit status (128 + signal when a signal killed the process, 2 on deadlock). */
  status: number;
  /** The signal that killed the process, by name, or null. */
  signal: string | null;
  /** A guest fault's description (vector, RIP, instruction, address), or null. */
  fault: string | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Uint8Array;
  /** The strace log (lines ending in \n), or the -c table; empty without strace. */
  strace: string;
  /** Goroutines blocked forever when the run stopped (Go's "all goroutines are asleep"). */
  deadlock: BlockedGoroutine[];
  /** Virtual nanoseconds the run took. */
  virtualNs: number;
  /** Guest instructions retired on all CPUs. */
  instructions: number;
  entersyscall: number;
  exitsyscall: number;
  /** The scheduler's side of the run (runtime trace, schedtrace lines, fatal dump), when Go's scheduler ran it. */
  sched?: SchedRunResult;
}

/** A kernel thread of the machine: its CPU, stacks and argument arena. */
export class MachineThread implements MThread {
  /** Arguments placed in guest memory for the next (or current) call, copied back after it. */
  pins: Array<{ addr: number; bytes: Uint8Array }> = [];
  pinNext: number;
  /** The CPU is inside do_syscall_64 (a handler is waiting): serve it again before running on. */
  inKernel = false;
  /** The Park a host function stopped the CPU for, until advance() returns it. */
  park: Park | null = null;
  /** The CPU's icount when its instructions were last charged to the run and the clock. */
  counted = 0;
  /** Between entersyscall and exitsyscall (a Syscall, not a RawSyscall). */
  inSyscall = false;
  /** The runner's syscallEnter heard of the call in progress: its syscallExit is owed. */
  hooked = false;
  /** The kthread's basesVersion last loaded into the CPU (-1: none yet; the first return to user mode loads them). */
  basesLoaded = -1;
  /** The call in progress: the personality's view of its pt_regs frame, through the CPU in ring 0. */
  readonly regs: SyscallFrame;
  /** The stub frame's words (Machine.beginStub), through the user write TLB. */
  readonly stubFrame: WordsView;

  readonly tid: number;
  /** This thread's slot in THREAD_AREA (its per-thread area stays here for good). */
  readonly slot: number;
  /**
   * The slot whose user stack and argument arena the thread uses now: its own, or the one
   * a goroutine brought when it resumed here after waiting for a P (useStackSlot).
   */
  stackSlot: number;
  userStackTop: number;
  readonly kernelStackTop: number;
  pinBase: number;

  constructor(
    readonly kthread: Thread,
    readonly cpu: Cpu,
    readonly index: number,
    regs: SyscallFrame,
  ) {
    this.tid = kthread.tid;
    this.slot = THREAD_AREA + index * THREAD_SLOT;
    this.stackSlot = this.slot;
    this.userStackTop = this.slot + USER_STACK_SIZE;
    this.kernelStackTop = KERNEL_STACKS + index * KERNEL_STACK_SLOT + KERNEL_STACK_SIZE;
    this.pinBase = this.slot + PIN_ARENA_OFFSET;
    this.pinNext = this.pinBase;
    this.regs = regs;
    this.stubFrame = new WordsView(cpu.mem, STUB_FRAME_BYTES);
  }

  /** Runs on the user stack and argument arena of `slot` from now on (Go: the stack is the goroutine's). */
  useStackSlot(slot: number): void {
    this.stackSlot = slot;
    this.userStackTop = slot + USER_STACK_SIZE;
    this.pinBase = slot + PIN_ARENA_OFFSET;
    this.pinNext = this.pinBase;
  }
}

/** The machine whose run() is in progress, where go() starts goroutines. */
let running: { go(fn: () => Go<void>): void } | null = null;

/** For the windows machine's run(): makes m the running machine (null when the run ends). */
export function setRunningMachine(m: { go(fn: () => Go<void>): void } | null): void {
  running = m;
}

/** Go's `go` statement: starts fn as a goroutine of the machine that is running (from inside a goroutine). */
export function go(fn: () => Go<void>): void {
  if (running === null) throw new Error('go: no machine is running; start goroutines from a goroutine a Machine runs');
  running.go(fn);
}

/** The kernel's plain-data view of a generated target's tables (SYS_PREAD64 → pread64). */
export function targetTables(target: TargetDescriptor): TargetTables {
  return {
    syscalls: Object.entries(target.numbers).map(([name, number]) => ({ name: name.replace(/^SYS_/, '').toLowerCase(), number })),
    errnos: target.errors.map(([number, name, message]) => ({ name, number, message })),
  };
}

/**
 * The machine's virtual clock: what the kernel and the scheduler charge, plus INSTRUCTION_NS
 * for every retired instruction. The instructions the running CPU retired since its
 * thread's last count are in now() already, so the host functions the CPU calls in place
 * (entersyscall, exitsyscall) need not count them first to read the exact time.
 */
class MachineClock implements VirtualClock {
  private ns = 0;
  /** The thread whose CPU runs or ran last: its instructions since th.counted are not charged yet. */
  running: MachineThread | null = null;

  now(): number {
    const th = this.running;
    return th === null ? this.ns : this.ns + (th.cpu.icount - th.counted) * INSTRUCTION_NS;
  }

  advance(ns: number): void {
    this.ns += checkedAdvance(ns);
  }
}

export class Machine implements MachineHost {
  readonly target: TargetDescriptor;
  readonly personality: UnixPersonality;
  readonly clock = new MachineClock();
  readonly kernel: Kernel;
  readonly mem = new Memory();
  readonly image: Image;
  readonly runner: MachineRunner;
  private readonly stats = { entersyscall: 0, exitsyscall: 0 };
  /** Goroutines (the runner's current() handles) waiting for a P after a system call: their saved registers and the stack slot their call's frame and arguments are in. */
  private readonly waitingForP = new Map<object, { registers: SavedRegisters; stackSlot: number }>();
  /** Stack slots nobody uses, and how many spare ones were made. */
  private readonly freeStackSlots: number[] = [];
  /** traceEnter's SyscallInfo for each number and kind (2·nr + raw), for a runner that reads no argument words. */
  private readonly syscallInfos: Array<SyscallInfo | undefined> = [];
  private spareStackSlots = 0;
  readonly threads: MachineThread[] = [];
  readonly seed: number;
  private readonly strace: Tracer | null;
  private readonly straceLines: string[] = [];
  private straceSummary = false;
  private straceWrite: ((line: string) => void) | null = null;
  private readonly addr: { doSyscall: number; enter: number; exit: number; callReturn: number; start: number; percpu: number };
  /** The host return target calls made by the machine return to. */
  readonly callReturn: number;
  private activeThread: MachineThread | null = null;
  private readonly symbols = new Map<string, number>();
  private readonly cwd: string | undefined;
  private readonly maxInstructions: number;
  private readonly runSlice: number;
  private readonly backend: MachineBackend;
  private heapNext = HEAP_BASE;
  private mainThread: Thread | null = null;
  /** newThread is making a thread: the kernel's threadProvider accepts (a guest's own clone gets ENOSYS), and the thread it made. */
  private cloning = false;
  private created: Thread | null = null;
  private started = false;
  private faultMessage: string | null = null;
  private instructions = 0;

  constructor(opts: MachineOptions) {
    const t = opts.target;
    this.personality = unixPersonality(t);
    this.target = t;
    this.seed = opts.seed ?? 1;
    this.maxInstructions = opts.maxInstructions ?? Infinity;
    this.runSlice = Math.min(RUN_SLICE, Math.max(1, this.maxInstructions));
    this.kernel = this.personality.kernel({ tables: targetTables(t), clock: this.clock, files: opts.files, mounts: opts.mounts, stdin: opts.stdin, seed: this.seed, nofile: opts.nofile });
    this.image = linkImage(this.personality, t, opts.asm ?? []);
    loadImage(this.mem, this.image);
    this.mem.map(ZERO_PAGE, 4096, PROT_READ);
    this.mem.map(HEAP_BASE, HEAP_SIZE, PROT_READ | PROT_WRITE);
    const a = (name: string) => this.image.addressOf(name);
    this.addr = {
      doSyscall: a('do_syscall_64'),
      enter: a('runtime·entersyscall'),
      exit: a('runtime·exitsyscall'),
      callReturn: a('runtime·callReturn'),
      start: a('runtime·mstart'),
      percpu: a('entry_percpu'),
    };
    this.callReturn = this.addr.callReturn;
    const s = opts.strace;
    if (s) {
      const settings: StraceSettings = s === true ? {} : s;
      this.strace = this.personality.tracer(this.kernel, { write: settings.write ?? ((line) => this.straceLines.push(line)), timing: settings.timing, summaryOnly: settings.summary, threadIds: settings.threadIds });
      this.straceWrite = settings.write ?? null;
      this.straceSummary = settings.summary === true;
    } else this.strace = null;
    this.runner = opts.runner ? opts.runner(this, this.seed) : usesScheduler(opts) ? new SchedRunner(this, this.seed, opts) : new RoundRobinRunner(this, this.seed);
    this.runner.onThreadExit = (th) => this.kernel.exitThread(th, 0);
    this.kernel.threadProvider = (parent) => {
      if (!this.cloning) return 'ENOSYS';
      this.created = this.kernel.spawnThread(parent.process);
      return this.created;
    };
    this.cwd = opts.cwd;
    this.backend = new MachineBackend(this);
  }

  /**
   * n zeroed bytes of user memory that stay for the whole run: pass the address where a
   * wrapper takes a Ptr and no bytes are copied (read and write them with mem).
   */
  alloc(n: number): number {
    const at = this.heapNext;
    const end = at + Math.ceil(Math.max(n, 1) / 16) * 16;
    if (end > HEAP_BASE + HEAP_SIZE) throw new Error(`Machine.alloc: the ${HEAP_SIZE}-byte heap is full`);
    this.heapNext = end;
    return at;
  }

  /**
   * A new kernel thread, its CPU booted into ring 3. The first one starts the process;
   * later ones are made by `parent` (the M that makes the new M) with the OS's own
   * thread-creation call (createThread), so the tracer shows it on the parent's line as
   * for Go's newosproc.
   */
  newThread(parent?: MThread): MachineThread {
    const index = this.threads.length;
    const slot = THREAD_AREA + index * THREAD_SLOT;
    this.mem.map(slot, USER_STACK_SIZE, PROT_READ | PROT_WRITE);
    this.mem.map(slot + USER_STACK_SIZE, 4096, PROT_READ | PROT_WRITE);
    this.mem.map(slot + PIN_ARENA_OFFSET, PIN_ARENA_SIZE, PROT_READ | PROT_WRITE);
    let kthread: Thread;
    if (this.mainThread === null) {
      kthread = this.kernel.spawnProcess(this.mem, { cwd: this.cwd });
      this.mainThread = kthread;
      const p = kthread.process;
      p.addMapping(ZERO_PAGE, ZERO_PAGE + 4096, PROT_READ);
      p.addMapping(HEAP_BASE, HEAP_BASE + HEAP_SIZE, PROT_READ | PROT_WRITE);
    } else {
      kthread = this.createThread((parent as MachineThread | undefined)?.kthread ?? this.mainThread, slot);
    }
    kthread.process.addMapping(slot, slot + PIN_ARENA_OFFSET + PIN_ARENA_SIZE, PROT_READ | PROT_WRITE);
    const cpu = new Cpu(this.mem, { mode: 'system' });
    const th = new MachineThread(kthread, cpu, index, this.personality.frame(cpu));
    this.threads.push(th);
    this.mem.map(th.kernelStackTop - KERNEL_STACK_SIZE, KERNEL_STACK_SIZE, PROT_READ | PROT_WRITE, { user: false });
    this.personality.prepareThread(this.mem, cpu, slot + USER_STACK_SIZE, kthread);
    this.boot(th);
    this.bindHostFunctions(th);
    if (kthread.fsBase !== 0n) cpu.fsBase = Number(kthread.fsBase);
    return th;
  }

  /**
   * The thread of a new M whose user stack and own page are at `slot`, made by parent as
   * Go's newosproc makes it on this OS (the personality's threadCreate: clone, thr_new,
   * bsdthread_create): a call from the M that starts the new one, on its g0, through the
   * kernel's system-call dispatch with the call's registers, not by running a stub on
   * parent's CPU, whose registers may belong to a goroutine meanwhile. The kernel's
   * threadProvider makes the thread during the call. A target whose table lacks the call
   * gets the thread without one.
   */
  private createThread(parent: Thread, slot: number): Thread {
    const call = this.personality.threadCreate(this.mem, { stackLo: slot, stackHi: slot + USER_STACK_SIZE, area: slot + USER_STACK_SIZE, start: this.addr.start });
    const nr = this.kernel.numbers.number(call.name);
    if (nr === undefined) return this.kernel.spawnThread(parent.process);
    if (parent.pending !== null) throw new Error(`machine: thread ${parent.tid} cannot make a thread inside another system call`);
    const regs = syscallRegs(nr, call.args);
    this.created = null;
    this.cloning = true;
    try {
      this.kernel.do_syscall_64(parent, regs);
    } finally {
      this.cloning = false;
    }
    const t = this.created as Thread | null;
    this.created = null;
    if (t === null) throw new Error(`machine: ${call.name} for a new M failed (${regs.result()})`);
    return t;
  }

  /** Boots th's CPU: syscall_init in ring 0, which SYSRETs to ring 3 at runtime·mstart (a host page, so the CPU stops there). */
  private boot(th: MachineThread): void {
    const cpu = th.cpu;
    const start = this.addr.start;
    cpu.cpl = 0;
    cpu.rip = this.image.addressOf('syscall_init');
    cpu.setReg(RDI, start);
    cpu.setReg(RSI, th.userStackTop);
    this.activate(th);
    const stop = cpu.run(1000);
    this.instructions += cpu.icount;
    // syscall_init pointed the shared per-CPU area at the boot stack: whichever thread runs
    // next must point it back at its own kernel stack (threads boot while others are
    // blocked inside the kernel, their frames on their own stacks).
    this.activeThread = null;
    if (stop.kind !== 'host' || stop.addr !== start || (cpu.cpl as number) !== 3) {
      throw new Error(`boot: syscall_init did not reach ring 3 (stop '${stop.kind}' at ${formatAddress(cpu.rip)}, ring ${cpu.cpl})`);
    }
  }

  /** Points the per-CPU area at th's kernel stack (the next SYSCALL on its CPU lands there). */
  private activate(th: MachineThread): void {
    if (this.activeThread !== th) this.pointPercpuAt(th);
  }

  private pointPercpuAt(th: MachineThread): void {
    this.activeThread = th;
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, BigInt(th.kernelStackTop), true);
    this.mem.write(this.addr.percpu + PERCPU.topOfStack, b, { force: true });
  }

  /**
   * Runs th's CPU until it reaches `until` (a host return target) or, with until = null,
   * until the thread dies; serves host calls and system calls on the way and parks the
   * goroutine while the thread is blocked in the kernel. Throws RunEnded when the process
   * dies and ThreadEnded when only this thread does.
   */
  *runThread(th: MachineThread, until: number | null): Go<void> {
    for (;;) {
      const park = this.advance(th, until);
      if (park === null) return;
      yield park;
    }
  }

  /**
   * One leg of runThread, without a generator (the common call never parks): runs th's
   * CPU until it reaches `until` (null) or must park (the Park to yield; call again to go
   * on once the goroutine is resumed).
   */
  advance(th: MachineThread, until: number | null): Park | null {
    // First the goroutine's own thread: after waiting for a P it runs on another M, and th
    // (the thread its call began on) may be in the kernel for another goroutine by now.
    if (this.waitingForP.size > 0) th = this.gogo(th);
    if (th.inKernel) {
      const park = this.serveSyscall(th);
      if (park !== null) return park;
    }
    const cpu = th.cpu;
    for (;;) {
      this.activate(th);
      th.counted = cpu.icount;
      this.clock.running = th;
      const stop = cpu.run(this.runSlice);
      this.count(th);
      if (stop.kind === 'host') {
        // The host functions served every call they could in place; the CPU stopped here.
        const park = th.park;
        if (park !== null) {
          th.park = null;
          return park;
        }
        if (stop.addr === until && cpu.cpl === 3) return null;
      }
      if (stop.kind !== 'limit') this.stopped(th, stop);
    }
  }

  /** Charges the instructions th's CPU retired since the last count to the run and the clock; past RLIMIT_CPU the process dies. */
  private count(th: MachineThread): void {
    const icount = th.cpu.icount;
    const ran = icount - th.counted;
    th.counted = icount;
    this.instructions += ran;
    this.clock.advance(ran * INSTRUCTION_NS);
    if (this.instructions > this.maxInstructions) this.overLimit(th);
  }

  /**
   * The host functions of th's CPU (Cpu.bindHost): do_syscall_64, runtime·entersyscall and
   * runtime·exitsyscall, served in place inside Cpu.run, after which the CPU runs on with a
   * fresh slice, exactly as a new run would after a stop there. Each returns -1 to stop the
   * CPU instead: when the goroutine must park (th.park, which advance returns), or when the
   * address is reached in the wrong ring (advance then faults the guest). Any other host
   * address (the return target advance runs to, a host page nothing serves) stops it too:
   * the CPU has no hostCall hook.
   */
  private bindHostFunctions(th: MachineThread): void {
    const cpu = th.cpu;
    cpu.bindHost(this.addr.doSyscall, () => this.serveKernelEntry(th));
    cpu.bindHost(this.addr.enter, () => this.serveEntersyscall(th));
    cpu.bindHost(this.addr.exit, () => this.serveExitsyscall(th));
  }

  /** do_syscall_64, called by entry_SYSCALL_64 in ring 0 with DI = pt_regs. */
  private serveKernelEntry(th: MachineThread): number {
    const cpu = th.cpu;
    this.count(th);
    if (cpu.cpl !== 0) return -1;
    th.inKernel = true;
    this.mem.setUserMode(false);
    th.regs.base = cpu.regAddr(RDI);
    if (this.runner.syscallEnter && this.runner.syscallHooks !== 'parked') this.traceEnter(th);
    const park = this.serveSyscall(th, true);
    if (park !== null) {
      th.park = park;
      return -1;
    }
    return this.resume(th);
  }

  /** runtime·entersyscall, called by a stub in ring 3. */
  private serveEntersyscall(th: MachineThread): number {
    const cpu = th.cpu;
    if (cpu.cpl !== 3) return -1;
    // Go's getcallerpc and getcallersp: where the RET lands, and SP after it.
    cpu.hostReturn();
    th.inSyscall = true;
    this.stats.entersyscall++;
    this.runner.entersyscall(cpu.rip, cpu.regAddr(RSP));
    return this.resume(th);
  }

  /** runtime·exitsyscall, called by a stub in ring 3: returns at once on the fast path, else parks the goroutine until it has a P. */
  private serveExitsyscall(th: MachineThread): number {
    const cpu = th.cpu;
    if (cpu.cpl !== 3) return -1;
    th.inSyscall = false;
    this.stats.exitsyscall++;
    if (!this.runner.exitsyscall()) return this.waitForP(th);
    cpu.hostReturn();
    return this.resume(th);
  }

  /** exitsyscall's slow path: the goroutine parks until it has a P (the CPU stops). */
  private waitForP(th: MachineThread): number {
    // The goroutine keeps its frame and pinned arguments; the M, which may run other
    // goroutines meanwhile, goes on with another stack slot.
    this.waitingForP.set(this.runner.current(), { registers: saveRegisters(th.cpu), stackSlot: th.stackSlot });
    th.useStackSlot(this.spareStackSlot(th.kthread));
    th.park = EXITSYSCALL;
    return -1;
  }

  /** After a host function served in place: th's CPU goes on with a fresh slice. */
  private resume(th: MachineThread): number {
    // The host may have booted another thread's CPU meanwhile (a new M), which moves the per-CPU area.
    this.activate(th);
    return this.runSlice;
  }

  /**
   * Go's gogo for a goroutine that waited for a P after its system call: its registers
   * (saved off its old thread's CPU when it parked, since that M may run other goroutines
   * meanwhile) move onto the CPU of the thread that runs it now, often another M, with its
   * stack slot (the call's frame and pinned arguments; the thread's previous slot is
   * freed), and it returns from runtime·exitsyscall there. Returns that thread, or th when
   * the current goroutine was not waiting. The runner's current() is the goroutine's key:
   * one object per goroutine for its whole life.
   */
  private gogo(th: MachineThread): MachineThread {
    const g = this.runner.current();
    const saved = this.waitingForP.get(g);
    if (saved === undefined) return th;
    this.waitingForP.delete(g);
    const to = g.thread as MachineThread;
    this.freeStackSlots.push(to.stackSlot);
    to.useStackSlot(saved.stackSlot);
    restoreRegisters(to.cpu, saved.registers);
    this.mem.setUserMode(true);
    to.cpu.hostReturn();
    return to;
  }

  /** th's CPU stopped other than at its return target, for a park or at the end of a slice: the guest dies (or the machine has a bug). */
  private stopped(th: MachineThread, stop: Stop): never {
    const cpu = th.cpu;
    if (stop.kind === 'host') this.die(th, pageFaultAt(cpu, stop.addr));
    if (stop.kind === 'fault') this.die(th, stop.fault);
    if (stop.kind === 'interrupt' && cpu.cpl === 3) this.die(th, interruptGateFault(cpu, stop.vector));
    throw new Error(`machine: unexpected CPU stop '${stop.kind}' at ${formatAddress(cpu.rip)} in ring ${cpu.cpl}`);
  }

  /** A free stack slot for t's process: a used one, or a new one mapped like a thread's. */
  private spareStackSlot(t: Thread): number {
    const free = this.freeStackSlots.pop();
    if (free !== undefined) return free;
    const slot = SPARE_STACK_SLOTS + this.spareStackSlots++ * THREAD_SLOT;
    this.mem.map(slot, USER_STACK_SIZE, PROT_READ | PROT_WRITE);
    this.mem.map(slot + PIN_ARENA_OFFSET, PIN_ARENA_SIZE, PROT_READ | PROT_WRITE);
    t.process.addMapping(slot, slot + PIN_ARENA_OFFSET + PIN_ARENA_SIZE, PROT_READ | PROT_WRITE);
    return slot;
  }

  /** The runner's syscallEnter hook for the call in progress on th's CPU (th.regs.base set, ring-0 accesses): on entry, or just before it parks (syscallHooks: 'parked'). */
  private traceEnter(th: MachineThread): void {
    th.hooked = true;
    const regs = th.regs;
    const nr = regs.lo(0) | 0;
    const raw = !th.inSyscall;
    if (this.runner.syscallArgs === false) {
      // Without argument words a call's info depends on its number and kind alone: one object each.
      const key = 2 * nr + (raw ? 1 : 0);
      if (key >= 0 && key < SYSCALL_INFO_CACHE) {
        let info = this.syscallInfos[key];
        if (info === undefined) this.syscallInfos[key] = info = Object.freeze({ nr, name: this.syscallName(nr), raw, args: NO_ARGS });
        this.runner.syscallEnter!(info);
        return;
      }
      this.runner.syscallEnter!({ nr, name: this.syscallName(nr), raw, args: NO_ARGS });
      return;
    }
    const args: number[] = [];
    for (let i = 0; i < ARG_REGS.length; i++) {
      const r = ARG_REGS[i]!;
      args.push((regs.hi(r) | 0) * 2 ** 32 + regs.lo(r));
    }
    this.runner.syscallEnter!({ nr, name: this.syscallName(nr), raw, args });
  }

  private syscallName(nr: number): string {
    return this.kernel.numbers.name(nr) ?? `syscall_${nr}`;
  }

  /**
   * do_syscall_64 for th's CPU (in ring 0, DI = pt_regs): runs the handler; when it
   * completes, returns from do_syscall_64 (null, or a yield Park for sched_yield); when
   * it must wait, returns the 'syscall-blocked' Park and leaves th in the kernel, to be
   * served again once woken. `framed`: th.regs.base already points at this call's frame
   * and memory is in ring-0 mode (serveKernelEntry).
   */
  private serveSyscall(th: MachineThread, framed = false): Park | null {
    const cpu = th.cpu;
    const t = th.kthread;
    this.endIfDead(t);
    if (!framed) {
      this.mem.setUserMode(false);
      th.regs.base = cpu.regAddr(RDI);
    }
    const out = this.kernel.do_syscall_64(t, th.regs);
    if (out.kind === 'wait' || out.kind === 'sleep') return this.blocked(th, out);
    th.inKernel = false;
    this.endIfDead(t);
    if (th.hooked) this.traceExit(th);
    if (t.basesVersion !== th.basesLoaded) this.loadBases(th);
    cpu.hostReturn();
    return out.kind === 'yield' ? YIELD : null;
  }

  /** The 'syscall-blocked' Park for a handler that must wait (th stays in the kernel). */
  private blocked(th: MachineThread, out: Block): Park {
    const t = th.kthread;
    if (!th.hooked && this.runner.syscallEnter) this.traceEnter(th);
    this.runner.syscallBlock?.();
    const detail: SyscallBlocked = {
      thread: th,
      wake: (resume) => {
        t.onWake = resume;
      },
      until: out.kind === 'sleep' ? out.until : undefined,
      what: out.kind === 'wait' ? out.queue.name : 'sleep',
    };
    return { reason: 'syscall-blocked', detail };
  }

  /** The runner's syscallExit hook for the call traceEnter reported. */
  private traceExit(th: MachineThread): void {
    th.hooked = false;
    this.runner.syscallExit?.(th.regs.result());
  }

  /** Loads th's FS and GS bases (arch_prctl) into its CPU on the way back to user mode (user GS sits in KERNEL_GS_BASE until SWAPGS). */
  private loadBases(th: MachineThread): void {
    const t = th.kthread;
    th.basesLoaded = t.basesVersion;
    if ((t.fsBase !== 0n || th.cpu.fsBase !== 0) && Number(t.fsBase) !== th.cpu.fsBase) th.cpu.fsBase = Number(t.fsBase);
    if (t.gsBase !== 0n) th.cpu.kernelGsBase = Number(t.gsBase);
  }

  private endIfDead(t: Thread): void {
    if (!t.process.alive) throw new RunEnded();
    if (t.state === 'dead') throw new ThreadEnded();
  }

  /** RLIMIT_CPU: the process used up its instructions; SIGXCPU kills it. */
  private overLimit(th: MachineThread): never {
    this.faultMessage = `instruction limit of ${this.maxInstructions} reached at rip=${formatAddress(th.cpu.rip)}`;
    this.kernel.killProcess(th.kthread.process, SIGXCPU);
    throw new RunEnded();
  }

  /** A fault in ring 3 kills the process; in ring 0 it is a machine bug. */
  private die(th: MachineThread, fault: CpuFault): never {
    if (th.cpu.cpl === 0) throw new Error(`machine: kernel fault ${fault.mnemonic} at rip=${formatAddress(fault.rip)}${fault.insn ? ` (${fault.insn})` : ''}: ${fault.message}`);
    this.faultMessage = this.kernel.deliverFault(th.kthread, fault);
    throw new RunEnded();
  }

  /**
   * Runs `main` as the first goroutine (others start with go()) until the process ends;
   * when main returns, the process exits with status 0 through exit_group, as Go's does.
   */
  run(main: () => Go<void>, opts: { exitWhenMainReturns?: boolean } = {}): RunResult {
    if (this.started) throw new Error('Machine.run: a machine runs one program; create a new Machine');
    this.started = true;
    const exit = this.personality.exitCall(this.kernel, (symbol) => this.addressOf(symbol));
    const machine = this;
    this.runner.go(function* () {
      yield* main();
      if (opts.exitWhenMainReturns !== false && exit !== null) {
        yield* machine.guestCall(exit.stub, [exit.first, 0, 0, 0], 3);
      }
    });
    setSyscallBackend(this.backend);
    running = this;
    try {
      return this.result(this.runner.run());
    } finally {
      setSyscallBackend(null);
      running = null;
    }
  }

  /** Adds a line to the strace log, as the tracer writes its own (no-op without strace, or with -c). */
  straceNote(line: string): void {
    if (this.strace === null || this.straceSummary) return;
    if (this.straceWrite) this.straceWrite(line);
    else this.straceLines.push(line);
  }

  /** Starts a goroutine on a new kernel thread. */
  go(fn: () => Go<void>): void {
    this.runner.go(fn);
  }

  /**
   * Calls the guest function `fn` (a symbol or an address) on the current goroutine's
   * thread with an ABI0 frame: `args` words above the return address, then `results`
   * result words, which it returns.
   */
  *guestCall(fn: string | number, args: ReadonlyArray<Word>, results: number): Go<Word[]> {
    let th = this.runner.current().thread as MachineThread;
    const sp = this.beginCall(th, typeof fn === 'number' ? fn : this.addressOf(fn), args, results);
    for (;;) {
      const park = this.advance(th, this.addr.callReturn);
      if (park === null) break;
      yield park;
      // The goroutine may resume on another M (after waiting for a P): go on with its thread.
      th = this.runner.current().thread as MachineThread;
    }
    return this.endCall(this.runner.current().thread as MachineThread, sp + 8 + 8 * args.length, results);
  }

  /** A symbol's address (memoised: stub calls look theirs up on every call). */
  addressOf(name: string): number {
    let at = this.symbols.get(name);
    if (at === undefined) {
      at = this.image.addressOf(name);
      this.symbols.set(name, at);
    }
    return at;
  }

  /** Builds [callReturn][args…][results…] on th's user stack and points its CPU at fn; returns the frame's address. */
  beginCall(th: MachineThread, fn: number, args: ReadonlyArray<Word>, results: number): number {
    const cpu = th.cpu;
    const sp = th.userStackTop - 512;
    this.mem.setUserMode(true);
    try {
      storeWord(cpu, sp, this.addr.callReturn);
      for (let i = 0; i < args.length; i++) storeWord(cpu, sp + 8 + 8 * i, args[i]!);
      for (let i = 0; i < results; i++) storeWord(cpu, sp + 8 + 8 * (args.length + i), 0);
    } catch (e) {
      this.userFault(th, e);
    }
    cpu.rip = fn;
    cpu.setRegAddr(RSP, sp);
    return sp;
  }

  /**
   * Builds a stub's frame [callReturn][first][a1..an, zero-padded][r1 r2 err, zero] on th's
   * user stack and points its CPU at fn; returns the frame's address.
   */
  beginStub(th: MachineThread, fn: number, first: Word, args: ReadonlyArray<Word>, n: number): number {
    const cpu = th.cpu;
    const sp = th.userStackTop - STUB_FRAME_OFFSET;
    const mem = this.mem;
    mem.setUserMode(true);
    // The frame's page is normally known already (the stub wrote its results there last
    // time): its words go straight in; otherwise the checked stores fill the TLB.
    const w = th.stubFrame.take(sp);
    if (w !== null) {
      const x = th.stubFrame.x;
      putWord(w, x, this.callReturn);
      putWord(w, x + 2, first);
      for (let i = 0; i < args.length; i++) putWord(w, x + 4 + 2 * i, args[i]!);
      // zero padding up to n arguments, then r1, r2 and err
      for (let i = x + 4 + 2 * args.length; i < x + 2 * (n + 5); i++) w[i] = 0;
    } else this.storeStubFrame(th, sp, first, args, n);
    cpu.rip = fn;
    cpu.setRegAddr(RSP, sp);
    return sp;
  }

  /** beginStub's frame through the checked stores (they fill the TLB, or fault). */
  private storeStubFrame(th: MachineThread, sp: number, first: Word, args: ReadonlyArray<Word>, n: number): void {
    const cpu = th.cpu;
    try {
      storeWord(cpu, sp, this.callReturn);
      storeWord(cpu, sp + 8, first);
      for (let i = 0; i < n; i++) storeWord(cpu, sp + 16 + 8 * i, i < args.length ? args[i]! : 0);
      for (let i = n; i < n + 3; i++) storeWord(cpu, sp + 16 + 8 * i, 0);
    } catch (e) {
      this.userFault(th, e);
    }
  }

  /** The n result words at `at` after a call returned. */
  endCall(th: MachineThread, at: number, n: number): Word[] {
    const cpu = th.cpu;
    this.mem.setUserMode(true);
    const out: Word[] = [];
    try {
      for (let i = 0; i < n; i++) out.push(loadWord(cpu, at + 8 * i));
    } catch (e) {
      this.userFault(th, e);
    }
    return out;
  }

  /** A stub's results [r1, r2, err] at `at` after it returned. */
  stubResult(th: MachineThread, at: number): SyscallResult {
    this.mem.setUserMode(true);
    const frame = th.userStackTop - STUB_FRAME_OFFSET;
    const w = th.stubFrame.take(frame);
    if (w !== null) {
      const x = th.stubFrame.x + (at - frame) / 4;
      return [wordOf(w[x]!, w[x + 1]!), wordOf(w[x + 2]!, w[x + 3]!), w[x + 4]! >>> 0];
    }
    return this.loadStubResult(th, at);
  }

  /** stubResult through the checked loads. */
  private loadStubResult(th: MachineThread, at: number): SyscallResult {
    const cpu = th.cpu;
    try {
      return [loadWord(cpu, at), loadWord(cpu, at + 8), cpu.load(at + 16, 4)];
    } catch (e) {
      this.userFault(th, e);
    }
  }

  /**
   * Runs a host access to th's user memory (a call frame, pinned bytes); if the program
   * unmapped or protected that memory, the fault kills the process as the same access by
   * the program would (SIGSEGV), instead of reaching the host.
   */
  userAccess<T>(th: MachineThread, access: () => T): T {
    try {
      return access();
    } catch (e) {
      this.userFault(th, e);
    }
  }

  /** A host access to user memory threw: a CpuFault kills the process (SIGSEGV); anything else is rethrown. */
  private userFault(th: MachineThread, e: unknown): never {
    if (e instanceof CpuFault) this.die(th, e);
    throw e;
  }

  private result(deadlock: BlockedGoroutine[]): RunResult {
    const p = this.mainThread?.process;
    let status = p?.exitStatus ?? 0;
    const stderrExtra: string[] = [];
    const sched = this.runner instanceof SchedRunner ? this.runner.result : null;
    // Go's scheduler writes its own report (below); the round-robin runner has only this one.
    if (deadlock.length > 0 && p?.alive && sched === null) {
      status = 2;
      stderrExtra.push('fatal error: all goroutines are asleep - deadlock!\n');
      for (const d of deadlock) stderrExtra.push(`goroutine ${d.goid} [tid ${d.tid}]: waiting on ${d.waitingOn}\n`);
    }
    // The scheduler's own report (deadlock diagnosis, thread exhaustion) and its dump.
    if (sched !== null && sched.ended === 'fatal' && p?.alive) {
      status = 2;
      stderrExtra.push(sched.fatal);
    }
    const decoder = new TextDecoder();
    const stdoutBytes = this.kernel.stdout.bytes();
    const killedBy = p?.killedBy ?? null;
    const strace = this.strace === null ? '' : this.straceSummary ? (this.strace.summary?.format() ?? '') : this.straceLines.map((l) => l + '\n').join('');
    return {
      status,
      signal: killedBy === null ? null : signalName(killedBy),
      fault: this.faultMessage,
      stdout: decoder.decode(stdoutBytes),
      stdoutBytes,
      stderr: decoder.decode(this.kernel.stderr.bytes()) + stderrExtra.join(''),
      strace,
      deadlock,
      virtualNs: this.clock.now(),
      instructions: this.instructions,
      entersyscall: this.stats.entersyscall,
      exitsyscall: this.stats.exitsyscall,
      ...(sched ? { sched } : {}),
    };
  }
}


/** Whether Go's scheduler runs the goroutines: always, unless opts ask for the round-robin stand-in by name. */
export function usesScheduler(opts: MachineOptions): boolean {
  return opts.scheduler !== 'round-robin';
}

/** A goroutine's registers while no CPU holds them (Go's gobuf, all of it). */
export interface SavedRegisters {
  gprs: bigint[];
  rip: number;
  flags: number;
}

export function saveRegisters(cpu: Cpu): SavedRegisters {
  const gprs: bigint[] = [];
  for (let i = 0; i < 16; i++) gprs.push(cpu.getReg(i));
  return { gprs, rip: cpu.rip, flags: cpu.getFlags() };
}

export function restoreRegisters(cpu: Cpu, r: SavedRegisters): void {
  for (let i = 0; i < 16; i++) cpu.setReg(i, r.gprs[i]!);
  cpu.rip = r.rip;
  cpu.setFlags(r.flags);
}

/** The 64-bit word at addr as a canonical Word: a number when it is a safe integer. */
function loadWord(cpu: Cpu, addr: number): Word {
  const lo = cpu.load(addr, 8);
  return wordOf(lo, cpu.th);
}

/** The canonical Word of 32-bit halves (either signedness). */
export function wordOf(lo: number, hi: number): Word {
  // Kept small so that callers inline it: most words are safe integers.
  hi |= 0;
  return hi >= -0x20_0000 && hi < 0x20_0000 ? hi * 2 ** 32 + (lo >>> 0) : bigWordOf(lo, hi);
}

function bigWordOf(lo: number, hi: number): bigint {
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo >>> 0));
}

/** Writes w as two 32-bit halves at word index x of a page's words. */
export function putWord(words: Int32Array, x: number, w: Word): void {
  // Kept small so that callers inline it: most words are int32 numbers (addresses of the
  // machine's own code are negative ones).
  if (typeof w === 'number' && (w | 0) === w) {
    words[x] = w;
    words[x + 1] = w >> 31;
  } else putWideWord(words, x, w);
}

function putWideWord(words: Int32Array, x: number, w: Word): void {
  if (typeof w === 'number') {
    words[x] = w | 0;
    words[x + 1] = w >= 0 && w < 2 ** 32 ? 0 : Math.floor(w / 2 ** 32) | 0;
  } else {
    const u = BigInt.asUintN(64, w);
    words[x] = Number(u & 0xffffffffn) | 0;
    words[x + 1] = Number(u >> 32n) | 0;
  }
}

/** Stores w at addr with the CPU's checked accesses (at Memory's current privilege). */
export function storeWord(cpu: Cpu, addr: number, w: Word): void {
  if (typeof w === 'number') cpu.mem.st64(addr, w | 0, w >= 0 && w < 2 ** 32 ? 0 : Math.floor(w / 2 ** 32) | 0);
  else {
    const u = BigInt.asUintN(64, w);
    cpu.store(addr, 8, Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0);
  }
}

/**
 * INT n from ring 3: every gate of this kernel's IDT is DPL 0 (it has no int $0x80 entry),
 * so the CPU raises #GP, which Linux turns into SIGSEGV. RIP goes back to the INT.
 */
function interruptGateFault(cpu: Cpu, vector: number): CpuFault {
  const f = generalProtection(`int $0x${vector.toString(16)} through a DPL 0 gate`);
  f.rip = cpu.rip - 2;
  f.insn = `int    $0x${vector.toString(16)}`;
  cpu.rip = f.rip;
  return f;
}

/** Execution reached a host page it must not run: a #PF on instruction fetch, as from a page that is not executable. */
function pageFaultAt(cpu: Cpu, addr: number): CpuFault {
  const f = new PageFault(addr, 'exec', true, cpu.cpl === 3);
  f.rip = addr;
  return f;
}

function linkImage(personality: UnixPersonality, target: TargetDescriptor, extra: ReadonlyArray<GuestSource>): Image {
  const linker = new Linker({ base: IMAGE_BASE });
  for (const o of personality.userObjects(target)) linker.add(o);
  for (const g of extra) linker.add(assemble(g.source, { file: g.file ?? 'guest.s', pkg: g.pkg ?? 'main' }));
  // The machine serves these addresses itself (bindHostFunctions, advance); the bound functions never run.
  const unreachable = (name: string) => () => {
    throw new Error(`${name} is served by the machine's run loop`);
  };
  return linker
    .add(personality.entryObject(), { supervisor: true })
    .bindHost('runtime·entersyscall', unreachable('runtime·entersyscall'))
    .bindHost('runtime·exitsyscall', unreachable('runtime·exitsyscall'))
    .bindHost('runtime·callReturn', unreachable('runtime·callReturn'))
    .bindHost('runtime·mstart', unreachable('runtime·mstart'))
    .bindHost('do_syscall_64', unreachable('do_syscall_64'), { supervisor: true })
    .link();
}
