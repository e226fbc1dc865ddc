// A simulated OS for running the scheduler on its own: threads, pipes and a handful of
// Linux system calls, run through the stub-shaped backend (backend.ts). Swapping this OS
// for the kernel (kernelos.ts) or the machine changes where a call runs, not how
// goroutines, tests or traces see it.
//
// Calls (linux/amd64 numbers; there is no guest memory, so buffers are byte counts):
//   read(fd, _, n)      up to n bytes from a pipe; blocks while it is empty and has writers
//   write(fd, _, n)     n bytes into a pipe (64 KiB); blocks while full; EPIPE without readers
//   close(fd)
//   sched_yield()
//   nanosleep(ns)       blocks for ns of virtual time (the argument is the duration itself)
//   getpid()
// Each attempt costs SYSCALL_COST of virtual time (runtime/kernel/clock.ts); a blocked
// call is attempted again when its thread is woken, as Linux restarts a wait.
//
// Invariants: a thread waits on at most one pipe; waking is FIFO; results are Linux's
// (negative errno on failure).
import { SYSCALL_COST } from '../kernel/clock.ts';
import { setSyscallBackend, type Go, type Word } from '../syscall.ts';
import { StubBackend, type SyscallOS, type SyscallWait } from './backend.ts';
import { Scheduler, type MachineHost, type MThread, type RunResult, type SchedOptions } from './sched.ts';

export const SYS_READ = 0;
export const SYS_WRITE = 1;
export const SYS_CLOSE = 3;
export const SYS_SCHED_YIELD = 24;
export const SYS_NANOSLEEP = 35;
export const SYS_GETPID = 39;

const NAMES: Readonly<Record<number, string>> = { 0: 'read', 1: 'write', 3: 'close', 24: 'sched_yield', 35: 'nanosleep', 39: 'getpid' };
const EBADF = 9;
const EPIPE = 32;
const ENOSYS = 38;
export const PIPE_CAPACITY = 65536;
const PID = 100;

export class SimThread implements MThread {
  /** Called once when the thread's wait ends. */
  onWake: (() => void) | null = null;
  /** A nanosleep's deadline, kept across restarts. */
  deadline: number | null = null;

  constructor(readonly tid: number) {}

  wake(): void {
    const f = this.onWake;
    this.onWake = null;
    f?.();
  }
}

class Pipe {
  bytes = 0;
  readers = 1;
  writers = 1;
  readonly waitingReaders: SimThread[] = [];
  readonly waitingWriters: SimThread[] = [];
}

type Blocked = { what: string; until?: number };

export class SimOS implements MachineHost, SyscallOS {
  private nextTid = PID;
  private nextFd = 3;
  private readonly fds = new Map<number, { pipe: Pipe; end: 'r' | 'w' }>();
  now: () => number = () => 0;
  charge: (ns: number) => void = () => {};

  newThread(): SimThread {
    return new SimThread(this.nextTid++);
  }

  /** A pipe made before the program starts: [read fd, write fd]. */
  pipe(): [number, number] {
    const p = new Pipe();
    const r = this.nextFd++;
    const w = this.nextFd++;
    this.fds.set(r, { pipe: p, end: 'r' });
    this.fds.set(w, { pipe: p, end: 'w' });
    return [r, w];
  }

  /** Bytes waiting in the pipe behind fd. */
  buffered(fd: number): number {
    return this.fds.get(fd)?.pipe.bytes ?? 0;
  }

  callName(nr: number): string {
    return NAMES[nr] ?? `syscall_${nr}`;
  }

  attempt(t: MThread, nr: number, args: readonly Word[]): number | SyscallWait {
    const thread = t as SimThread;
    const res = this.syscall(thread, nr, args.map(Number));
    if (typeof res === 'number') return res;
    return {
      ...res,
      wake: (resume) => {
        thread.onWake = resume;
      },
    };
  }

  pin(): Word {
    throw new Error('the simulated OS has no guest memory: pass byte counts, not buffers');
  }

  takePins(): null {
    return null;
  }

  unpin(): void {}

  zeroAddress(): Word {
    return this.pin();
  }

  /** One attempt of a call: the result, or what the thread now waits for. */
  private syscall(t: SimThread, nr: number, args: readonly number[]): number | Blocked {
    this.charge(SYSCALL_COST);
    switch (nr) {
      case SYS_GETPID:
        return PID;
      case SYS_SCHED_YIELD:
        return 0;
      case SYS_NANOSLEEP: {
        t.deadline ??= this.now() + Math.max(0, args[0] ?? 0);
        if (this.now() >= t.deadline) {
          t.deadline = null;
          return 0;
        }
        return { what: `nanosleep until ${t.deadline} ns`, until: t.deadline };
      }
      case SYS_READ:
        return this.read(t, args[0] ?? -1, args[2] ?? 0);
      case SYS_WRITE:
        return this.write(t, args[0] ?? -1, args[2] ?? 0);
      case SYS_CLOSE:
        return this.close(args[0] ?? -1);
      default:
        return -ENOSYS;
    }
  }

  private read(t: SimThread, fd: number, n: number): number | Blocked {
    const f = this.fds.get(fd);
    if (!f || f.end !== 'r') return -EBADF;
    const p = f.pipe;
    if (p.bytes === 0) {
      if (p.writers === 0) return 0;
      p.waitingReaders.push(t);
      return { what: `read(${fd}) on an empty pipe` };
    }
    const got = Math.min(n, p.bytes);
    p.bytes -= got;
    wakeAll(p.waitingWriters);
    return got;
  }

  private write(t: SimThread, fd: number, n: number): number | Blocked {
    const f = this.fds.get(fd);
    if (!f || f.end !== 'w') return -EBADF;
    const p = f.pipe;
    if (p.readers === 0) return -EPIPE;
    const room = PIPE_CAPACITY - p.bytes;
    if (room < n && room < PIPE_CAPACITY) {
      p.waitingWriters.push(t);
      return { what: `write(${fd}) to a full pipe` };
    }
    const put = Math.min(n, room);
    p.bytes += put;
    wakeAll(p.waitingReaders);
    return put;
  }

  private close(fd: number): number {
    const f = this.fds.get(fd);
    if (!f) return -EBADF;
    this.fds.delete(fd);
    if (f.end === 'r') {
      f.pipe.readers--;
      wakeAll(f.pipe.waitingWriters);
    } else {
      f.pipe.writers--;
      wakeAll(f.pipe.waitingReaders);
    }
    return 0;
  }
}

function wakeAll(q: SimThread[]): void {
  for (const t of q.splice(0)) t.wake();
}

/** Runs main on a fresh simulated OS; setup() may make pipes before the program starts. */
export function runSimulated(main: () => Go<void>, opts: SchedOptions = {}, setup?: (os: SimOS) => void): RunResult & { os: SimOS } {
  const os = new SimOS();
  const sched = new Scheduler(os, opts);
  os.now = () => sched.clock.now();
  os.charge = (ns) => sched.clock.advance(ns);
  setup?.(os);
  setSyscallBackend(new StubBackend(os, sched));
  try {
    return { ...sched.run(main), os };
  } finally {
    setSyscallBackend(null);
  }
}
