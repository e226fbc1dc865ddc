// The runtime's public entry: the syscall surface generated code and programs use, and
// the Machine that runs them. Internals (cpu, asm, kernel, trace) stay behind their own
// index modules.
export * from './syscall.ts';
export {
  go,
  Machine,
  RoundRobinRunner,
  type BlockedGoroutine,
  type GoroutineRunner,
  type GuestSource,
  type MachineHost,
  type MachineOptions,
  type MachineRunner,
  type MThread,
  type RunResult,
  type StraceSettings,
  type SyscallBlocked,
  type SyscallInfo,
} from './machine/index.ts';
