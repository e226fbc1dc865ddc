// windows/amd64: the machine for a Go program on Windows, which never executes SYSCALL.
// Generated wrappers call SyscallN(proc.Addr(), …) with the address of a procedure of the
// emulated kernel32.dll (resolved at load time from the target's imports by SystemDlls);
// the call runs runtime·syscall_SyscallN on the goroutine's thread's CPU (user mode only,
// no ring 0): CALL runtime·entersyscall → asmstdcall (Windows x64 convention, shadow
// space, last error cleared and read back through the TEB at GS) → kernel32!Name → JMP to
// the kernelbase·Name host slot, served here by the WindowsKernel → RET → CALL
// runtime·exitsyscall → RET to the call-return target; r1, r2 and err (GetLastError) come
// back in the libcall record. The host addresses (entersyscall, exitsyscall, the slots)
// are served inside the CPU's run loop (host functions bound to their addresses), as on
// the SYSCALL machine: instructions are charged to the clock first, and the CPU goes on
// with a fresh slice; a call that never parks returns its result without a generator.
//
// It offers the same seam as the SYSCALL machine (MachineHost to a goroutine runner, a
// SyscallBackend for the wrappers, go(), alloc(), run() → RunResult), so programs and the
// runner do not care which one runs them; the same options pick Go's G/M/P scheduler. A procedure that must wait (ReadFile on an empty
// pipe, Sleep) parks the goroutine with 'syscall-blocked' and leaves the CPU at the host
// slot; once woken, the slot is served again (the kernel restarts the procedure).
// ExitProcess ends the run with its code; an API-monitor trace replaces strace. Every
// thread after the first is made as Go's newosproc makes it on windows: the creating M
// (M0 for sysmon's thread, later the M or sysmon that starts the new M) calls
// CreateThread(NULL, 0, tstart_stdcall, mp, 0, NULL) and closes the handle it gets, both
// through the kernel's dispatch (so the API monitor shows them), not by running a stub on
// the creator's CPU, whose registers may belong to a goroutine meanwhile. Of the
// machine's options, the kernel limits (nofile, maxInstructions) and cwd are Linux's and
// not offered here; strace -T/-c have no API-monitor form.
//
// Memory layout (user pages only):
//   the linked image (runtime stubs, kernel32.dll, host slots) at the linker's base
//   HEAP_BASE               alloc()'s memory
//   ZERO_PAGE               a read-only zero page
//   THREAD_AREA + i·THREAD_SLOT, for thread i: user stack, TEB page, libcall page
//                           (record and argument words), the arena pinned arguments go to.
//   SPARE_STACK_SLOTS       more such slots (their TEB page unused): a goroutine waiting
//                           for a P after its call keeps its slot (the call's frame, libcall
//                           record, argument words and pinned buffers) while its M, which
//                           may run other goroutines meanwhile, goes on with a spare one;
//                           the M that resumes the goroutine takes the slot over (gogo),
//                           as on the SYSCALL machine. A thread's TEB never moves: it is
//                           the thread's, not the goroutine's.
//
// Invariants: only one CPU runs at a time; a thread's CPU is either at the call-return
// target, or parked at a kernelbase slot / after exitsyscall; nothing reads a host clock.
import { Cpu, formatAddress, RSP, type CpuFault } from '../../cpu/index.ts';
import { Memory, PROT_READ, PROT_WRITE } from '../../cpu/index.ts';
import { assemble, Linker, loadImage, type Image } from '../../asm/index.ts';
import { kernelbaseProcedure, kernelbaseSymbols, LIBCALL, LIBCALL_SIZE, MAX_ARGS, serveKernelbase, SystemDlls, windowsAmd64Objects } from '../../asm/windows_amd64.ts';
import { ManualClock, type Thread } from '../../kernel/index.ts';
import { TEB, WindowsKernel, type ApiOutcome, type WinThread } from '../../kernel/windows/index.ts';
import { ApiMonitor } from '../../trace/apimon.ts';
import { setSyscallBackend, word, type CallKind, type Go, type LibcFunction, type Park, type SyscallBackend, type SyscallResult, type TargetDescriptor, type Word } from '../../syscall.ts';
import { RoundRobinRunner, RunEnded, type BlockedGoroutine, type MachineHost, type MachineRunner, type MThread, type SyscallBlocked } from '../runner.ts';
import { linesOnly } from './index.ts';
import { putWord, restoreRegisters, saveRegisters, setRunningMachine, storeWord, usesScheduler, wordOf, type GuestSource, type MachineOptions, type RunResult, type SavedRegisters } from '../machine.ts';
import { SchedRunner } from '../sched-runner.ts';

const HEAP_BASE = 0x1_0000_0000;
const HEAP_SIZE = 0x400_0000;
const ZERO_PAGE = 0x1_ffff_f000;
const THREAD_AREA = 0x2_0000_0000;
const THREAD_SLOT = 0x100_0000;
const USER_STACK_SIZE = 0x1_0000;
const TEB_OFFSET = USER_STACK_SIZE;
const LIBCALL_OFFSET = TEB_OFFSET + TEB.size;
const PIN_ARENA_OFFSET = 0x10_0000;
const PIN_ARENA_SIZE = 0x80_0000;
const PIN_ALIGN = 16;
/** Spare stack slots (laid out as a thread's) for threads whose goroutine left theirs behind. */
const SPARE_STACK_SLOTS = 0x4000_0000_0000;
/** Bytes mapped at the start of a slot: user stack, TEB page, libcall page. */
const SLOT_HEAD_SIZE = USER_STACK_SIZE + TEB.size + 4096;
/** Virtual nanoseconds per retired guest instruction (as on the SYSCALL machine). */
const INSTRUCTION_NS = 1;
const RUN_SLICE = 1_000_000;
/** The status of a process ended by an access violation (STATUS_ACCESS_VIOLATION). */
const STATUS_ACCESS_VIOLATION = 0xc0000005;
const EXITSYSCALL: Park = { reason: 'exitsyscall' };
/** SyscallInfo.args of a procedure call (a procedure has no system-call argument words). */
const NO_ARGS: readonly number[] = Object.freeze([]);

/**
 * A thread of the windows process: its CPU (GS = its TEB, in its own slot for good) and the
 * stack slot it runs on now (user stack, libcall page, pin arena): its own, or the one a
 * goroutine brought when it resumed here after waiting for a P (useStackSlot).
 */
export class WindowsThread implements MThread {
  pins: Array<{ addr: number; bytes: Uint8Array }> = [];
  pinNext = 0;
  readonly tid: number;
  /** This thread's slot in THREAD_AREA (its TEB stays here). */
  readonly slot: number;
  readonly teb: number;
  stackSlot = 0;
  stackTop = 0;
  libcall = 0;
  argv = 0;
  pinBase = 0;
  /** The CPU's icount when its instructions were last charged to the run and the clock. */
  counted = 0;
  /** The Park a host function stopped the CPU for, until advance() returns it. */
  park: Park | null = null;

  constructor(
    readonly winThread: WinThread,
    readonly cpu: Cpu,
    index: number,
  ) {
    this.tid = winThread.tid;
    this.slot = THREAD_AREA + index * THREAD_SLOT;
    this.teb = this.slot + TEB_OFFSET;
    this.useStackSlot(this.slot);
  }

  /** Runs on the stack, libcall page and pin arena of `slot` from now on (Go: the stack is the goroutine's). */
  useStackSlot(slot: number): void {
    this.stackSlot = slot;
    this.stackTop = slot + USER_STACK_SIZE;
    this.libcall = slot + LIBCALL_OFFSET;
    this.argv = this.libcall + LIBCALL_SIZE;
    this.pinBase = slot + PIN_ARENA_OFFSET;
    this.pinNext = this.pinBase;
  }

  /**
   * The runner's view of the kernel thread: RoundRobinRunner asks only whether it is dead
   * and wakes a sleeper, which a WinThread answers as a Linux Thread does.
   */
  get kthread(): Thread {
    return this.winThread as unknown as Thread;
  }
}

export class WindowsMachine implements MachineHost {
  readonly target: TargetDescriptor;
  readonly seed: number;
  readonly clock = new ManualClock();
  readonly mem = new Memory();
  readonly image: Image;
  readonly kernel: WindowsKernel;
  readonly dlls: SystemDlls;
  readonly runner: MachineRunner;
  readonly threads: WindowsThread[] = [];
  readonly backend: SyscallBackend;
  private readonly traceLines: string[] = [];
  private readonly addr: { enter: number; exit: number; callReturn: number; syscallN: number; tstart: number };
  /** newThread is making a thread: the kernel's threadProvider accepts, and the thread it made. */
  private creating = false;
  private created: WinThread | null = null;
  /** Host slot address → kernelbase procedure name. */
  private readonly procedures = new Map<number, string>();
  private heapNext = HEAP_BASE;
  private started = false;
  private faultMessage: string | null = null;
  private instructions = 0;
  private readonly stats = { entersyscall: 0, exitsyscall: 0 };
  /** Goroutines (the runner's current() handles) waiting for a P after exitsyscall: their registers and the stack slot their call's frame, record and pins are in. */
  private readonly waitingForP = new Map<object, { registers: SavedRegisters; stackSlot: number }>();
  /** Stack slots nobody uses, and how many spare ones were made. */
  private readonly freeStackSlots: number[] = [];
  private spareStackSlots = 0;

  constructor(opts: MachineOptions) {
    const t = opts.target;
    this.target = t;
    this.seed = opts.seed ?? 1;
    this.image = linkWindowsImage(opts.asm ?? []);
    loadImage(this.mem, this.image);
    this.mem.map(ZERO_PAGE, 4096, PROT_READ);
    this.mem.map(HEAP_BASE, HEAP_SIZE, PROT_READ | PROT_WRITE);
    this.dlls = new SystemDlls(this.image, t.imports);
    const s = opts.strace;
    if (typeof s === 'object') linesOnly('API monitor', s);
    const write = s && s !== true && s.write ? s.write : (line: string) => this.traceLines.push(line);
    const observer = s ? new ApiMonitor({ mem: this.mem, write, errors: t.errors, threads: s !== true && s.threadIds }) : undefined;
    this.kernel = new WindowsKernel({ mem: this.mem, clock: this.clock, files: opts.files, mounts: opts.mounts, stdin: opts.stdin, errors: t.errors, observer });
    const a = (name: string) => this.image.addressOf(name);
    this.addr = { enter: a('runtime·entersyscall'), exit: a('runtime·exitsyscall'), callReturn: a('runtime·callReturn'), syscallN: a('runtime·syscall_SyscallN'), tstart: a('runtime·tstart_stdcall') };
    this.kernel.threadProvider = () => {
      if (!this.creating) return 'ERROR_NOT_SUPPORTED';
      this.created = this.kernel.newThread();
      return this.created;
    };
    for (const sym of kernelbaseSymbols()) this.procedures.set(a(sym), kernelbaseProcedure(sym)!);
    this.runner = opts.runner ? opts.runner(this, this.seed) : usesScheduler(opts) ? new SchedRunner(this, this.seed, opts) : new RoundRobinRunner(this, this.seed);
    this.runner.onThreadExit = (th) => {
      (th as unknown as WinThread).state = 'dead';
    };
    this.backend = new WindowsBackend(this);
  }

  /** n zeroed bytes of user memory for the whole run (as Machine.alloc). */
  alloc(n: number): number {
    const at = this.heapNext;
    const end = at + Math.ceil(Math.max(n, 1) / 16) * 16;
    if (end > HEAP_BASE + HEAP_SIZE) throw new Error(`Machine.alloc: the ${HEAP_SIZE}-byte heap is full`);
    this.heapNext = end;
    return at;
  }

  /**
   * A new thread: its CPU in user mode with GS at its TEB, where the kernel keeps its last
   * error. The first one is the process's; later ones are made by `parent` (the M that
   * makes the new M) with CreateThread (createThread).
   */
  newThread(parent?: MThread): WindowsThread {
    const index = this.threads.length;
    const slot = THREAD_AREA + index * THREAD_SLOT;
    this.mapStackSlot(slot);
    const win = index === 0 ? this.kernel.newThread() : this.createThread((parent as WindowsThread | undefined)?.winThread ?? this.threads[0]!.winThread, slot);
    const th = new WindowsThread(win, new Cpu(this.mem, { mode: 'user' }), index);
    th.winThread.bindTeb(this.mem, th.teb);
    th.cpu.gsBase = th.teb;
    this.bindHostFunctions(th);
    this.threads.push(th);
    return th;
  }

  /**
   * runtime/os_windows.go's newosproc, made by parent for the thread whose slot is `slot`:
   * CreateThread(NULL, 0, tstart_stdcall, mp, 0, NULL), then CloseHandle on the handle, so
   * the thread object goes when the thread exits. mp stands for the new M: its libcall
   * page (Go's m holds its libcall). The kernel's threadProvider makes the thread.
   */
  private createThread(parent: WinThread, slot: number): WinThread {
    if (parent.pending !== null) throw new Error(`windows machine: thread ${parent.tid} cannot make a thread inside another call`);
    this.created = null;
    this.creating = true;
    let handle: ApiOutcome;
    try {
      handle = this.kernel.call(parent, 'CreateThread', [0n, 0n, BigInt(this.addr.tstart), BigInt(slot + LIBCALL_OFFSET), 0n, 0n]);
    } finally {
      this.creating = false;
    }
    const t = this.created as WinThread | null;
    this.created = null;
    if (typeof handle !== 'bigint' || handle === 0n || t === null) throw new Error(`windows machine: CreateThread for a new M failed (last error ${parent.lastError})`);
    this.kernel.call(parent, 'CloseHandle', [handle]);
    return t;
  }

  /** Maps a slot's stack, TEB and libcall pages and its pin arena. */
  private mapStackSlot(slot: number): void {
    this.mem.map(slot, SLOT_HEAD_SIZE, PROT_READ | PROT_WRITE);
    this.mem.map(slot + PIN_ARENA_OFFSET, PIN_ARENA_SIZE, PROT_READ | PROT_WRITE);
  }

  /** A free stack slot: a used one, or a new spare one. */
  private spareStackSlot(): number {
    const free = this.freeStackSlots.pop();
    if (free !== undefined) return free;
    const slot = SPARE_STACK_SLOTS + this.spareStackSlots++ * THREAD_SLOT;
    this.mapStackSlot(slot);
    return slot;
  }

  go(fn: () => Go<void>): void {
    this.runner.go(fn);
  }

  /** The current goroutine's thread. */
  current(): WindowsThread {
    return this.runner.current().thread as WindowsThread;
  }

  /**
   * Calls the procedure at `fn` as SyscallN does: the libcall record and argument words on
   * th's libcall page, runtime·syscall_SyscallN run until it returns; r1, r2, err from the
   * record. The goroutine may finish the call on another M (after waiting for a P): its
   * stack slot, record included, comes with it, so the record stays where it was written.
   * A call that never parks returns its result directly (no generator); one that parks
   * returns the goroutine step that yields its Parks and finishes it.
   */
  callProc(th: WindowsThread, fn: number, args: readonly Word[]): SyscallResult | Go<SyscallResult> {
    if (args.length > MAX_ARGS) throw new Error(`SyscallN: ${args.length} arguments (at most ${MAX_ARGS})`);
    const mem = this.mem;
    const cpu = th.cpu;
    mem.setUserMode(true);
    // The record, the argument words and the frame are normally in the write TLB already
    // (the stub wrote its results there last time): their words go straight in; otherwise
    // the checked stores fill it.
    const record = th.libcall;
    const w = mem.tlbWriteWords(record, LIBCALL_SIZE + 8 * args.length);
    if (w !== null) {
      const x = mem.wi;
      putWord(w, x + LIBCALL.fn / 4, fn);
      putWord(w, x + LIBCALL.n / 4, args.length);
      putWord(w, x + LIBCALL.args / 4, th.argv);
      for (let i = 0; i < args.length; i++) putWord(w, x + (th.argv - record) / 4 + 2 * i, args[i]!);
    } else {
      for (let i = 0; i < args.length; i++) storeWord(cpu, th.argv + 8 * i, args[i]!);
      storeWord(cpu, record + LIBCALL.fn, fn);
      storeWord(cpu, record + LIBCALL.n, args.length);
      storeWord(cpu, record + LIBCALL.args, th.argv);
    }
    const sp = th.stackTop - 512;
    const f = mem.tlbWriteWords(sp, 16);
    if (f !== null) {
      putWord(f, mem.wi, this.addr.callReturn);
      putWord(f, mem.wi + 2, record);
    } else {
      storeWord(cpu, sp, this.addr.callReturn);
      storeWord(cpu, sp + 8, record);
    }
    cpu.setRegAddr(RSP, sp);
    cpu.rip = this.addr.syscallN;
    const park = this.advance();
    if (park === null) return this.procResult(record);
    return this.parkedProc(record, park);
  }

  /** The rest of a call that parked: yields each Park until the stub returns. */
  private *parkedProc(record: number, park: Park): Go<SyscallResult> {
    for (let p: Park | null = park; p !== null; p = this.advance()) yield p;
    return this.procResult(record);
  }

  /** r1, r2 and err (GetLastError, 32 bits) from the libcall record at `record`. */
  private procResult(record: number): SyscallResult {
    const mem = this.mem;
    mem.setUserMode(true);
    const w = mem.tlbReadWords(record + LIBCALL.r1, 24);
    if (w !== null) {
      const x = mem.wi;
      return [wordOf(w[x]!, w[x + 1]!), wordOf(w[x + 2]!, w[x + 3]!), w[x + 4]! >>> 0];
    }
    const at = (off: number) => word(BigInt.asIntN(64, mem.readU64(record + off)));
    return [at(LIBCALL.r1), at(LIBCALL.r2), Number(mem.readU64(record + LIBCALL.err) & 0xffffffffn)];
  }

  /**
   * Runs the current goroutine's thread's CPU until the call returns (null) or the
   * goroutine must park (the Park). Host addresses are served inside the CPU's run loop
   * (bindHostFunctions): entersyscall/exitsyscall go to the runner, kernelbase
   * slots to the kernel. A goroutine that waited for a P after exitsyscall may resume on
   * another M (Go's scheduler): its registers move onto that M's CPU with its stack slot
   * (the M's previous slot is freed), as Go's gogo does, and it returns from exitsyscall
   * there.
   */
  private advance(): Park | null {
    const g = this.runner.current();
    const th = g.thread as WindowsThread;
    const cpu = th.cpu;
    if (this.waitingForP.size > 0) {
      const saved = this.waitingForP.get(g);
      if (saved !== undefined) {
        this.waitingForP.delete(g);
        this.freeStackSlots.push(th.stackSlot);
        th.useStackSlot(saved.stackSlot);
        restoreRegisters(cpu, saved.registers);
        cpu.hostReturn();
      }
    }
    for (;;) {
      th.counted = cpu.icount;
      const stop = cpu.run(RUN_SLICE);
      this.count(th);
      if (stop.kind === 'limit') continue;
      if (stop.kind === 'fault') this.die(describeFault(stop.fault));
      if (stop.kind !== 'host') this.die(`${stop.kind === 'interrupt' ? `int $0x${stop.vector.toString(16)}` : stop.kind} at rip=${formatAddress(cpu.rip)}: a windows program has no such way into the kernel`);
      // The host functions served every call they could in place; the CPU stopped here.
      const park = th.park;
      if (park !== null) {
        th.park = null;
        return park;
      }
      if (stop.addr === this.addr.callReturn) return null;
      throw new Error(`windows machine: execution reached host address ${formatAddress(stop.addr)}, which nothing serves`);
    }
  }

  /** Charges the instructions th's CPU retired since the last count to the run and the clock. */
  private count(th: WindowsThread): void {
    const icount = th.cpu.icount;
    const ran = icount - th.counted;
    th.counted = icount;
    this.instructions += ran;
    this.clock.advance(ran * INSTRUCTION_NS);
  }

  /**
   * The host functions of th's CPU (Cpu.bindHost): runtime·entersyscall,
   * runtime·exitsyscall and every kernelbase slot, served in place inside Cpu.run, after
   * which the CPU runs on with a fresh slice, exactly as a new run would after a stop there.
   * Each returns -1 to stop the CPU instead when the goroutine must park (th.park, which
   * advance returns); any other host address (the call-return target) stops it too: the
   * CPU has no hostCall hook.
   */
  private bindHostFunctions(th: WindowsThread): void {
    const cpu = th.cpu;
    cpu.bindHost(this.addr.enter, () => this.serveEntersyscall(th));
    cpu.bindHost(this.addr.exit, () => this.serveExitsyscall(th));
    for (const [at, proc] of this.procedures) cpu.bindHost(at, () => this.serveProcedure(th, proc));
  }

  /** runtime·entersyscall, called by the SyscallN stub. */
  private serveEntersyscall(th: WindowsThread): number {
    const cpu = th.cpu;
    this.count(th);
    // Go's getcallerpc and getcallersp: where the RET lands, and SP after it.
    cpu.hostReturn();
    this.stats.entersyscall++;
    this.runner.entersyscall(cpu.rip, cpu.regAddr(RSP));
    return RUN_SLICE;
  }

  /** runtime·exitsyscall: returns at once on the fast path, else parks the goroutine until it has a P. */
  private serveExitsyscall(th: WindowsThread): number {
    const cpu = th.cpu;
    this.count(th);
    this.stats.exitsyscall++;
    if (!this.runner.exitsyscall()) {
      // The goroutine keeps its frame, record and pins; the M, which may run other
      // goroutines meanwhile, goes on with another stack slot.
      this.waitingForP.set(this.runner.current(), { registers: saveRegisters(cpu), stackSlot: th.stackSlot });
      th.useStackSlot(this.spareStackSlot());
      th.park = EXITSYSCALL;
      return -1;
    }
    cpu.hostReturn();
    return RUN_SLICE;
  }

  /** A kernelbase procedure, called through its slot by a kernel32 stub: the kernel serves it, or the goroutine parks while it waits. */
  private serveProcedure(th: WindowsThread, proc: string): number {
    const cpu = th.cpu;
    this.count(th);
    if (th.winThread.pending === null) this.runner.syscallEnter?.({ nr: -1, name: proc, raw: false, args: NO_ARGS });
    const out = serveKernelbase(this.kernel, th.winThread, cpu, proc);
    if (typeof out === 'bigint') {
      this.runner.syscallExit?.(Number(BigInt.asIntN(32, out)));
      return RUN_SLICE;
    }
    if (out.kind === 'exit') throw new RunEnded();
    this.runner.syscallBlock?.();
    const detail: SyscallBlocked = {
      thread: th,
      wake: (resume) => {
        th.winThread.onWake = resume;
      },
      until: out.kind === 'sleep' ? out.until : undefined,
      what: out.kind === 'wait' ? out.queue.name : 'sleep',
    };
    th.park = { reason: 'syscall-blocked', detail };
    return -1;
  }

  /** A guest fault ends the process with STATUS_ACCESS_VIOLATION. */
  private die(message: string): never {
    this.faultMessage = message;
    this.kernel.exitCode ??= STATUS_ACCESS_VIOLATION;
    throw new RunEnded();
  }

  /** Runs `main` as the first goroutine; when it returns, the process calls ExitProcess(0). */
  run(main: () => Go<void>, opts: { exitWhenMainReturns?: boolean } = {}): RunResult {
    if (this.started) throw new Error('Machine.run: a machine runs one program; create a new Machine');
    this.started = true;
    const exitProcess = this.dlls.findProc('kernel32.dll', 'ExitProcess');
    const machine = this;
    this.runner.go(function* () {
      yield* main();
      if (opts.exitWhenMainReturns !== false && exitProcess !== null) {
        const r = machine.callProc(machine.current(), exitProcess, [0]);
        if (!Array.isArray(r)) yield* r;
      }
    });
    setSyscallBackend(this.backend);
    setRunningMachine(this);
    let deadlock: BlockedGoroutine[];
    try {
      deadlock = this.runner.run();
    } finally {
      setSyscallBackend(null);
      setRunningMachine(null);
    }
    const decoder = new TextDecoder();
    const stdoutBytes = this.kernel.stdout.bytes();
    const stderrExtra: string[] = [];
    let status = this.kernel.exitCode ?? 0;
    const sched = this.runner instanceof SchedRunner ? this.runner.result : null;
    if (deadlock.length > 0 && this.kernel.exitCode === null) {
      status = 2;
      stderrExtra.push('fatal error: all goroutines are asleep - deadlock!\n');
      for (const d of deadlock) stderrExtra.push(`goroutine ${d.goid} [tid ${d.tid}]: waiting on ${d.waitingOn}\n`);
    }
    if (sched !== null && sched.ended === 'fatal' && this.kernel.exitCode === null) {
      status = 2;
      stderrExtra.push('\n' + sched.fatal);
    }
    return {
      status,
      signal: null,
      fault: this.faultMessage,
      stdout: decoder.decode(stdoutBytes),
      stdoutBytes,
      stderr: decoder.decode(this.kernel.stderr.bytes()) + stderrExtra.join(''),
      strace: this.traceLines.map((l) => l + '\n').join(''),
      deadlock,
      virtualNs: this.clock.now(),
      instructions: this.instructions,
      entersyscall: this.stats.entersyscall,
      exitsyscall: this.stats.exitsyscall,
      ...(sched ? { sched } : {}),
    };
  }
}

/** The wrappers' backend: SyscallN goes to callProc on the current goroutine's thread; no trap numbers, no libc. */
class WindowsBackend implements SyscallBackend {
  readonly os = 'windows';

  constructor(private readonly m: WindowsMachine) {}

  syscall(_kind: CallKind, trap: Word): Go<SyscallResult> {
    throw new Error(`windows/amd64 makes no system calls by number (trap ${trap}); its wrappers call DLL procedures`);
  }

  libcCall(_kind: CallKind, fn: LibcFunction): Go<SyscallResult> {
    throw new Error(`windows/amd64 has no libc trampolines (${fn.name})`);
  }

  procCall(addr: Word, args: readonly Word[]): SyscallResult | Go<SyscallResult> {
    const m = this.m;
    const th = m.current();
    const pins = th.pins;
    if (pins.length > 0) th.pins = [];
    const r = m.callProc(th, Number(addr), args);
    if (Array.isArray(r)) {
      this.unpin(pins);
      return r;
    }
    return this.parked(r, pins);
  }

  /** The rest of a call that parked: finishes it, then copies the pins back. */
  private *parked(call: Go<SyscallResult>, pins: WindowsThread['pins']): Go<SyscallResult> {
    const result = yield* call;
    this.unpin(pins);
    return result;
  }

  /** Copies pinned buffers back and resets the arena. The pins are in the goroutine's stack slot, which is now the thread's that runs it. */
  private unpin(pins: WindowsThread['pins']): void {
    const m = this.m;
    for (const p of pins) p.bytes.set(m.mem.read(p.addr, p.bytes.length));
    const now = m.current();
    now.pinNext = now.pinBase;
  }

  findProc(dll: string, proc: string): Word | null {
    return this.m.dlls.findProc(dll, proc);
  }

  pin(bytes: Uint8Array): Word {
    const th = this.m.current();
    const addr = th.pinNext;
    const end = addr + Math.ceil(Math.max(bytes.length, 1) / PIN_ALIGN) * PIN_ALIGN;
    if (end > th.pinBase + PIN_ARENA_SIZE) throw new Error(`pinned arguments of one call exceed ${PIN_ARENA_SIZE} bytes; allocate the buffer in guest memory (Machine.alloc) instead`);
    this.m.mem.write(addr, bytes);
    th.pinNext = end;
    th.pins.push({ addr, bytes });
    return addr;
  }

  zeroAddress(): Word {
    return ZERO_PAGE;
  }
}

/** The runtime stubs and kernel32.dll, with the run loop's host slots bound. */
function linkWindowsImage(extra: ReadonlyArray<GuestSource>): Image {
  const { stubs, kernel32 } = windowsAmd64Objects();
  const unreachable = (name: string) => () => {
    throw new Error(`${name} is served by the windows machine's run loop`);
  };
  const linker = new Linker().add(stubs).add(kernel32);
  for (const g of extra) linker.add(assemble(g.source, { file: g.file ?? 'guest.s', pkg: g.pkg ?? 'main' }));
  // runtime·tstart_stdcall: where CreateThread starts a new M's thread (Go's); the machine
  // runs every thread's CPU itself, so it is an address to pass, never reached.
  for (const name of ['runtime·entersyscall', 'runtime·exitsyscall', 'runtime·callReturn', 'runtime·tstart_stdcall']) linker.bindHost(name, unreachable(name));
  for (const s of kernelbaseSymbols()) linker.bindHost(s, unreachable(s));
  return linker.link();
}

function describeFault(fault: CpuFault): string {
  const where = fault.addr !== undefined ? ` addr=${formatAddress(fault.addr)}` : '';
  return `${fault.mnemonic} at rip=${formatAddress(fault.rip)}${fault.insn ? ` (${fault.insn})` : ''}${where}`;
}
