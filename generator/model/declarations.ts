// The declarations read from annotation files: plain data, the same for every target.
// A Declaration is one `//sys` or `//sysnb` line; it knows where it came from so that
// lowering can report errors at the right column. Types stay Go type text ("[]byte",
// "*Stat_t", "unsafe.Pointer"); goKind() classifies them for the lowering rules.
import type { Location } from './diagnostics.ts';

export interface Field {
  name: string;
  /** Go type text. */
  type: string;
  /** 1-based column of the field in its line. */
  column: number;
}

/** `[failretval OP value]` or `[failretval&MASK OP value]` of the windows form. */
export interface FailRetVal {
  mask: string | null;
  op: '==' | '!=' | '<' | '<=' | '>' | '>=';
  value: string;
  /** 1-based column of the `[` that opens the condition. */
  column: number;
}

/** `= TRAP` or `= [dll.]Proc[?]`. */
export interface Override {
  dll: string | null;
  name: string;
  /** The windows `?` suffix: the procedure may be missing; the wrapper checks first. */
  optional: boolean;
  column: number;
}

export interface Declaration {
  name: string;
  /** `//sysnb`: RawSyscall, the scheduler is not told. */
  nb: boolean;
  params: Field[];
  results: Field[];
  failRetVal: FailRetVal | null;
  override: Override | null;
  source: Location;
}

/** How a Go type is lowered to words and decoded from them. */
export type GoKind =
  | 'pointer' // *T, unsafe.Pointer
  | 'slice' // []T
  | 'string'
  | 'bool'
  | 'int64'
  | 'uint64'
  | 'error'
  | 'int' // int, and named types that are int-sized
  | 'uint'
  | 'uintptr'
  | 'int32'
  | 'uint32'
  | 'int16'
  | 'uint16'
  | 'int8'
  | 'uint8'
  | 'array'; // [N]T by value: not passable

const SIZED: Record<string, GoKind> = {
  int: 'int',
  uint: 'uint',
  uintptr: 'uintptr',
  int64: 'int64',
  uint64: 'uint64',
  int32: 'int32',
  rune: 'int32',
  uint32: 'uint32',
  int16: 'int16',
  uint16: 'uint16',
  int8: 'int8',
  uint8: 'uint8',
  byte: 'uint8',
  bool: 'bool',
  string: 'string',
  error: 'error',
};

/**
 * Named types whose underlying type is not int. Go's tools see only the name and
 * convert with `uintptr(x)`; the typed API needs the width to decode results exactly.
 */
const NAMED: Record<string, GoKind> = {
  Handle: 'int', // a word; InvalidHandle is -1
  Signal: 'int',
  _Socklen: 'uint32',
  _C_int: 'int32',
  _C_long: 'int',
  _C_short: 'int16',
  Errno: 'uintptr',
  Pid_t: 'int32',
  Uid_t: 'uint32',
  Gid_t: 'uint32',
};

/** The lowering class of a Go type; unknown named types are int-like (one word). */
export function goKind(type: string): GoKind {
  return knownKind(type) ?? 'int';
}

/** The lowering class of a Go type, or null for a named type of unknown width (a struct, say). */
export function knownKind(type: string): GoKind | null {
  if (type.startsWith('*') || type === 'unsafe.Pointer') return 'pointer';
  if (type.startsWith('[]')) return 'slice';
  if (type.startsWith('[')) return 'array';
  const name = type.slice(type.lastIndexOf('.') + 1); // syscall.Signal → Signal
  return SIZED[name] ?? NAMED[name] ?? null;
}
