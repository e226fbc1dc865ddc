// The machine's public surface.
export { go, MachineThread, targetTables, type GuestSource, type MachineOptions, type RunResult, type StraceSettings } from './machine.ts';
export { Machine } from './personality/select.ts';
export { RoundRobinRunner, RunEnded, ThreadEnded, type BlockedGoroutine, type GoroutineRunner, type MachineHost, type MachineRunner, type SyscallInfo, type MThread, type SyscallBlocked } from './runner.ts';
export { SchedRunner, type SchedRunnerOptions } from './sched-runner.ts';
