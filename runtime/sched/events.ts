// The runtime trace: what the scheduler records as it runs, in virtual time (ns).
//
// Event kinds follow Go's execution tracer where Go has one (GoCreate, GoStart, GoBlock,
// GoUnblock, GoSched, GoPreempt, GoEnd, GoSysCall, GoSysBlock, GoSysExit, ProcStart,
// ProcStop, ProcSteal) plus what this machine adds so a timeline can be drawn without
// guessing: system-call slices (SyscallEnter/Block/Exit with number, name and result),
// sysmon's wake-ups and retakes, handoffs, work stealing between run queues and M
// creation/stop/start/exit (an M exits when its goroutine's thread did). A finished trace is in time order (ties keep the order the
// events were recorded in). Numbers name objects: g = goid, m = M id, p = P id.

export type TraceKind =
  | 'GoCreate' | 'GoStart' | 'GoBlock' | 'GoUnblock' | 'GoSched' | 'GoPreempt' | 'GoEnd'
  | 'GoSysCall' | 'GoSysBlock' | 'GoSysExit'
  | 'SyscallEnter' | 'SyscallBlock' | 'SyscallExit'
  | 'ProcStart' | 'ProcStop' | 'ProcSteal' | 'Handoff' | 'RunqSteal'
  | 'SysmonWake' | 'SysmonSleep' | 'SysmonRetake' | 'SysmonPreempt'
  | 'MCreate' | 'MStop' | 'MStart' | 'MExit';

export interface TraceEvent {
  readonly ts: number;
  readonly kind: TraceKind;
  readonly g?: number;
  readonly m?: number;
  readonly p?: number;
  /** Kind-specific details: syscall nr/name/result/raw, wait reason, the other M of a handoff… */
  readonly args?: Readonly<Record<string, string | number | boolean>>;
}

/** A finished run's trace: the events, the Ms that are sysmon, and the run's end time. */
export interface RuntimeTrace {
  readonly events: readonly TraceEvent[];
  readonly gomaxprocs: number;
  readonly sysmonM: number;
  readonly endNs: number;
}
