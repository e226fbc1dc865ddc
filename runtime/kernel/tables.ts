// A target's tables, handed to the kernel as plain data, and the two lookups built from
// them: the errno table (names ↔ numbers ↔ messages) and sys_call_table (syscall number →
// handler).
//
// Numbering has one source: the target's number table. Handlers are registered by name
// (`read`, `openat`, …); sys_call_table joins the two, so a handler never knows its number
// and a number with no handler dispatches to -ENOSYS, as an unimplemented slot in Linux's
// table points at sys_ni_syscall.
//
// Invariant: construction fails with a clear message when a table is malformed (duplicate
// numbers, an errno the kernel needs but the target lacks); after that lookups never throw.

export interface SyscallEntry {
  number: number;
  name: string;
}
export interface ErrnoEntry {
  name: string;
  number: number;
  message: string;
}
/** Exactly what generated/zsysnum_<target>.ts and zerrors_<os>.ts provide. */
export interface TargetTables {
  syscalls: ReadonlyArray<SyscallEntry>;
  errnos: ReadonlyArray<ErrnoEntry>;
}

export class ErrnoTable {
  private readonly byName = new Map<string, ErrnoEntry>();
  private readonly byNumber = new Map<number, ErrnoEntry>();

  constructor(entries: ReadonlyArray<ErrnoEntry>, required: ReadonlyArray<string>) {
    for (const e of entries) {
      if (!Number.isInteger(e.number) || e.number <= 0 || e.number >= 4096)
        throw new Error(`errno table: ${e.name} has number ${e.number}; expected an integer in 1..4095`);
      this.byName.set(e.name, e);
      // Aliases (EWOULDBLOCK = EAGAIN) keep the first name for a number, as strace prints it.
      if (!this.byNumber.has(e.number)) this.byNumber.set(e.number, e);
    }
    const missing = required.filter((n) => !this.byName.has(n));
    if (missing.length) throw new Error(`errno table: missing ${missing.join(', ')} needed by the kernel`);
  }

  /** The number of a named errno; the name must be in the table (checked at construction). */
  number(name: string): number {
    const e = this.byName.get(name);
    if (!e) throw new Error(`errno ${name} is not in this target's errno table`);
    return e.number;
  }

  lookup(num: number): ErrnoEntry | undefined {
    return this.byNumber.get(num);
  }
}

export class SyscallNumbers {
  private readonly names: Array<string | undefined> = [];
  private readonly numbers = new Map<string, number>();

  constructor(entries: ReadonlyArray<SyscallEntry>) {
    for (const e of entries) {
      if (!Number.isInteger(e.number) || e.number < 0 || e.number > 0xffff)
        throw new Error(`syscall table: ${e.name} has number ${e.number}; expected an integer in 0..65535`);
      const prev = this.names[e.number];
      if (prev !== undefined && prev !== e.name)
        throw new Error(`syscall table: number ${e.number} is both ${prev} and ${e.name}`);
      this.names[e.number] = e.name;
      this.numbers.set(e.name, e.number);
    }
  }

  name(num: number): string | undefined {
    return this.names[num];
  }

  number(name: string): number | undefined {
    return this.numbers.get(name);
  }

  /** Highest number + 1: the size of sys_call_table. */
  get size(): number {
    return this.names.length;
  }
}

/** Builds sys_call_table: slot n holds the handler registered under syscall n's name, or the fallback. */
export function buildSysCallTable<H>(numbers: SyscallNumbers, handlers: ReadonlyMap<string, H>, notImplemented: H): H[] {
  const table: H[] = [];
  for (let n = 0; n < numbers.size; n++) {
    const name = numbers.name(n);
    table.push((name !== undefined && handlers.get(name)) || notImplemented);
  }
  return table;
}
