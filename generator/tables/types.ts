// The plain data every table reader and importer produces: syscall entries, errno
// entries with their aliases, and a DLL's export list. These are facts only (numbers,
// names, messages); nothing here knows how a target calls into its kernel.

/** One system call of one target: its number, the upstream abi or entry type it came
 *  from, its name (the trap name is SYS_ + name upper-cased), and the kernel entry point
 *  when the upstream table names one. */
export interface SyscallEntry {
  number: number;
  name: string;
  abi: string;
  entry: string | null;
}

export interface SyscallTable {
  os: string;
  arch: string;
  /** Path of the defs file the table was read from. */
  source: string;
  entries: SyscallEntry[];
}

export interface ErrnoEntry {
  name: string;
  number: number;
  message: string;
}

/** An alternative name for an errno value: `name` means the same number as `target`. */
export interface ErrnoAlias {
  name: string;
  target: string;
}

export interface ErrnoTable {
  os: string;
  /** Path of the defs file the table was read from. */
  source: string;
  entries: ErrnoEntry[];
  aliases: ErrnoAlias[];
}

/** Where an imported fact came from, so later checks can point back at it. */
export interface SourcePosition {
  line: number;
  column: number;
}
