// Virtual time: the kernel never reads a host clock. A VirtualClock is handed in (the
// scheduler owns the machine's clock); the kernel reads it for timestamps and advances
// it by the documented cost of each operation, so the same run gives the same times.
//
// Costs (nanoseconds of virtual time), charged by do_syscall_64:
// - SYSCALL_COST: every system call attempt, entry to exit, whatever it does (a native
//   getpid costs about this much);
// - COPY_COST_PER_KIB: per KiB copied between user memory and the kernel (rounded up);
// - PATH_COST: per path resolved (a native open of a cached file costs about 1 µs).
// Time spent blocked is not a cost: it is the time the clock moved while the thread waited.

export const SYSCALL_COST = 150;
export const COPY_COST_PER_KIB = 80;
export const PATH_COST = 1000;

export interface VirtualClock {
  /** Nanoseconds since the machine booted; never decreases. */
  now(): number;
  /** Moves time forward by ns (ns ≥ 0). */
  advance(ns: number): void;
}

/** ns, when it is a valid advance (≥ 0); else a RangeError. Small, so every clock's advance() inlines it. */
export function checkedAdvance(ns: number): number {
  if (!(ns >= 0)) badAdvance(ns);
  return ns;
}

function badAdvance(ns: number): never {
  throw new RangeError(`clock: cannot advance by ${ns} ns`);
}

/** A clock that only moves when told to. */
export class ManualClock implements VirtualClock {
  private ns = 0;

  now(): number {
    return this.ns;
  }

  advance(ns: number): void {
    this.ns += checkedAdvance(ns);
  }

  /** Moves to an absolute time if it is later than now. */
  advanceTo(ns: number): void {
    if (ns > this.ns) this.ns = ns;
  }
}

/** Virtual cost of copying n bytes across the user/kernel boundary. */
export function copyCost(n: number): number {
  return Math.ceil(n / 1024) * COPY_COST_PER_KIB;
}
