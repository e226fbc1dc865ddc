// The scheduler's public surface.
export {
  Scheduler, G, M, P, getsched,
  SCHEDULE_COST, GO_CREATE_COST, M_WAKE_LATENCY, M_CREATE_COST, WORK_SLICE, SYSMON_MIN_DELAY, SYSMON_MAX_DELAY, FORCE_PREEMPT_NS, DEFAULT_MAX_THREADS, NO_PROGRESS_STEPS,
  type MachineHost, type MThread, type GoroutineRunner, type SyscallBlocked, type SyscallInfo, type SchedOptions, type RunResult, GStatus, PStatus, gStatusName, pStatusName,
} from './sched.ts';
export { go, Gosched, sleep, work, Chan, ChanClosedError, select, WaitGroup, Mutex, type SelectCase, type Selected } from './sync.ts';
export type { TraceEvent, TraceKind, RuntimeTrace } from './events.ts';
export { StubBackend, type SyscallOS, type SyscallWait } from './backend.ts';
export { SimOS, SimThread, runSimulated, SYS_READ, SYS_WRITE, SYS_CLOSE, SYS_SCHED_YIELD, SYS_NANOSLEEP, SYS_GETPID, PIPE_CAPACITY } from './simos.ts';
export { KernelOS, runOnKernel, PIN_BASE, PIN_SIZE, type KernelRunOptions } from './kernelos.ts';
