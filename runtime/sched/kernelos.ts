// The scheduler on the real kernel (runtime/kernel) without a CPU: Ms are kernel threads
// of one process (the first M gets the process's main thread, later ones are clone()d
// with spawnThread), and each call goes to do_syscall_64 with its argument words, as the
// stubs' SYSCALL would deliver them. A call that blocks (a wait queue, a sleep) keeps its
// registers on the thread until the kernel wakes it (or its sleep ends) and is restarted,
// as the kernel's Driver does. The kernel runs on the scheduler's clock (or, on request,
// its own, shared by the scheduler).
//
// Buffers handed to pin() go to a scratch region of the process's memory for the one
// call that follows and are copied back after it returns.
//
// Invariants: a thread has at most one call in progress (its registers in `calls`); a
// restarted call reuses them, so the kernel's pending-call state (progress, deadline)
// applies.
import { Memory, PROT_READ, PROT_WRITE } from '../cpu/index.ts';
import { Kernel, ManualClock, syscallRegs, type KernelOptions, type TargetTables, type Thread, type WordRegs } from '../kernel/index.ts';
import { setSyscallBackend, type Go, type Word } from '../syscall.ts';
import { StubBackend, type SyscallOS, type SyscallWait } from './backend.ts';
import { Scheduler, type MachineHost, type MThread, type RunResult, type SchedOptions } from './sched.ts';

/** Where pinned buffers live in the process's address space. */
export const PIN_BASE = 0x6000_0000;
export const PIN_SIZE = 1 << 20;

interface Pin {
  addr: number;
  bytes: Uint8Array;
}

export class KernelOS implements MachineHost, SyscallOS {
  private unused: Thread | null;
  private readonly calls = new Map<Thread, WordRegs>();
  private readonly mem: Memory;
  private pending: Pin[] = [];
  private outstanding = 0;
  private next = PIN_BASE;

  constructor(
    readonly kernel: Kernel,
    readonly main: Thread,
  ) {
    this.unused = main;
    this.mem = main.process.mem;
    this.mem.map(PIN_BASE, PIN_SIZE, PROT_READ | PROT_WRITE);
    main.process.addMapping(PIN_BASE, PIN_BASE + PIN_SIZE, PROT_READ | PROT_WRITE);
  }

  newThread(): Thread {
    const t = this.unused ?? this.kernel.spawnThread(this.main.process);
    this.unused = null;
    return t;
  }

  callName(nr: number): string {
    return this.kernel.numbers.name(nr) ?? `syscall_${nr}`;
  }

  attempt(t: MThread, nr: number, args: readonly Word[]): number | SyscallWait {
    const thread = t as Thread;
    if (thread.state === 'blocked') {
      // Its sleep ended: the scheduler resumes it; the kernel sees a woken thread.
      thread.onWake = () => {};
      thread.wake();
    }
    let regs = this.calls.get(thread);
    if (regs === undefined) {
      regs = syscallRegs(nr, args);
      this.calls.set(thread, regs);
    }
    const outcome = this.kernel.do_syscall_64(thread, regs);
    if (outcome.kind === 'wait' || outcome.kind === 'sleep') {
      const name = this.callName(nr);
      return {
        what: outcome.kind === 'wait' ? `${name} waiting on ${outcome.queue.name}` : `${name} sleeping until ${outcome.until} ns`,
        ...(outcome.kind === 'sleep' ? { until: outcome.until } : {}),
        wake: (resume) => {
          thread.onWake = () => resume();
        },
      };
    }
    this.calls.delete(thread);
    return regs.result();
  }

  pin(bytes: Uint8Array): Word {
    const size = Math.ceil(Math.max(bytes.length, 1) / 16) * 16;
    if (this.next + size > PIN_BASE + PIN_SIZE) throw new Error(`pinned buffers exceed ${PIN_SIZE} bytes`);
    const addr = this.next;
    this.next += size;
    this.mem.write(addr, bytes, { force: true });
    this.pending.push({ addr, bytes });
    return addr;
  }

  takePins(): Pin[] {
    const pins = this.pending;
    this.pending = [];
    if (pins.length) this.outstanding++;
    return pins;
  }

  unpin(token: unknown): void {
    const pins = token as Pin[];
    if (pins.length === 0) return;
    for (const p of pins) p.bytes.set(this.mem.read(p.addr, p.bytes.length, { force: true }));
    // The scratch region is reused once no call holds a buffer in it.
    if (--this.outstanding === 0 && this.pending.length === 0) this.next = PIN_BASE;
  }

  zeroAddress(): Word {
    return PIN_BASE;
  }
}

export interface KernelRunOptions extends SchedOptions {
  tables: TargetTables;
  /**
   * Whose clock the kernel runs on: the scheduler's (default; Ms charge costs in
   * parallel), or the kernel's own ManualClock, shared by the scheduler (as a host that
   * built its kernel first would have it).
   */
  clock?: 'scheduler' | 'kernel';
  /** Further kernel options (files, stdin, observer…); the clock is always the scheduler's. */
  kernel?: Omit<KernelOptions, 'tables' | 'clock'>;
}

/** Runs main on a fresh kernel with one process; setup() may prepare it (pipes, buffers) first. */
export function runOnKernel(
  main: () => Go<void>,
  opts: KernelRunOptions,
  setup?: (os: KernelOS) => void,
): RunResult & { os: KernelOS } {
  let os: KernelOS | null = null;
  const kernelClock = opts.clock === 'kernel' ? new ManualClock() : undefined;
  const sched = new Scheduler({ newThread: () => os!.newThread(), ...(kernelClock ? { clock: kernelClock } : {}) }, opts);
  const kernel = new Kernel({ ...opts.kernel, tables: opts.tables, clock: kernelClock ?? sched.clock });
  const mem = new Memory();
  os = new KernelOS(kernel, kernel.spawnProcess(mem));
  setup?.(os);
  setSyscallBackend(new StubBackend(os, sched));
  try {
    return { ...sched.run(main), os };
  } finally {
    setSyscallBackend(null);
  }
}
