// The runtime's public entry: the syscall surface generated code and programs use, the
// Machine that runs them under Go's G/M/P scheduler, the goroutine tools programs
// coordinate with, and the runtime trace writers. Internals (cpu, asm, kernel) stay
// behind their own index modules.
export * from './syscall.ts';
export {
  go,
  Machine,
  RoundRobinRunner,
  RunEnded,
  SchedRunner,
  ThreadEnded,
  type BlockedGoroutine,
  type GoroutineRunner,
  type GuestSource,
  type MachineHost,
  type MachineOptions,
  type MachineRunner,
  type MThread,
  type RunResult,
  type SchedRunnerOptions,
  type StraceSettings,
  type SyscallBlocked,
  type SyscallInfo,
} from './machine/index.ts';
export { Chan, ChanClosedError, Gosched, Mutex, select, sleep, WaitGroup, work, type SelectCase, type Selected, type RuntimeTrace, type TraceEvent } from './sched/index.ts';
export { renderPerfetto, renderTimeline } from './trace/index.ts';
