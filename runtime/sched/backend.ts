// The syscall backend goroutines call through (runtime/syscall.ts's SyscallBackend), in
// the shape of Go's linux/amd64 stubs: Syscall = CALL runtime·entersyscall; SYSCALL;
// CALL runtime·exitsyscall, RawSyscall = SYSCALL alone. Where the machine runs those
// stubs on its CPU, this backend runs the same sequence against a SyscallOS: an OS that
// attempts one call on a thread and either returns its result or says what the thread
// now waits for. A blocked call parks with { reason: 'syscall-blocked' } and is attempted
// again when the thread is woken, as Linux restarts an interrupted wait.
//
// Invariants: entersyscall/exitsyscall are called exactly once per Syscall and never for
// RawSyscall; trace hooks bracket every call; pinned buffers are the OS's business.
import type { CallKind, Go, LibcFunction, SyscallBackend, SyscallResult, Word } from '../syscall.ts';
import type { MThread, Scheduler, SyscallBlocked } from './sched.ts';

/** What a thread waits for after an attempt that could not finish. */
export type SyscallWait = SyscallBlocked;

export interface SyscallOS {
  /** The name of call nr, for traces and dumps. */
  callName(nr: number): string;
  /** One attempt of call nr on thread t: the result (negative errno on failure) or a wait. */
  attempt(t: MThread, nr: number, args: readonly Word[]): number | SyscallWait;
  /** Places bytes in guest memory for the next call (and copies them back after it). */
  pin(bytes: Uint8Array): Word;
  /** A call starts: it owns the buffers pinned since the last call (the token names them). */
  takePins(): unknown;
  /** The call returned: its pinned buffers are copied back and released. */
  unpin(pins: unknown): void;
  zeroAddress(): Word;
}

export class StubBackend implements SyscallBackend {
  readonly os = 'linux';

  constructor(
    private readonly sys: SyscallOS,
    private readonly sched: Scheduler,
  ) {}

  *syscall(kind: CallKind, trap: Word, args: readonly Word[]): Go<SyscallResult> {
    const r = this.sched;
    const nr = Number(trap);
    const raw = kind === 'raw';
    const pins = this.sys.takePins();
    if (!raw) r.entersyscall();
    r.syscallEnter({ nr, name: this.sys.callName(nr), raw, args: args.map(Number) });
    const thread = r.current().thread;
    let res = this.sys.attempt(thread, nr, args);
    while (typeof res !== 'number') {
      r.syscallBlock();
      yield { reason: 'syscall-blocked', detail: res };
      res = this.sys.attempt(thread, nr, args);
    }
    this.sys.unpin(pins);
    r.syscallExit(res);
    if (!raw && !r.exitsyscall()) yield { reason: 'exitsyscall' };
    return res < 0 && res >= -4095 ? [-1, 0, -res] : [res, 0, 0];
  }

  libcCall(_kind: CallKind, fn: LibcFunction): Go<SyscallResult> {
    throw new Error(`this backend runs linux system calls: no libc function ${fn.name}`);
  }

  procCall(): Go<SyscallResult> {
    throw new Error('this backend runs linux system calls: no DLL procedures');
  }

  findProc(): Word | null {
    return null;
  }

  pin(bytes: Uint8Array): Word {
    return this.sys.pin(bytes);
  }

  zeroAddress(): Word {
    return this.sys.zeroAddress();
  }
}
