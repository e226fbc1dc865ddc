// An API-monitor style tracer for the Windows personality: an ApiObserver of the emulated
// kernel32 writing one line per call, as API Monitor's summary shows them:
//
//   CreateFileW("C:\\data.txt", GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL) = 0x00000004
//   ReadFile(0x00000004, "hello", 64, [5], NULL) = TRUE
//   CreateFileW("C:\\missing.txt", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL) = INVALID_HANDLE_VALUE  [2 ERROR_FILE_NOT_FOUND: The system cannot find the file specified.]
//
// Layout rules: arguments joined with ", "; wide strings in double quotes with C escapes
// (so a path's backslashes print doubled); flag words as their SDK names joined with
// " | " (0 as 0, unknown bits as a trailing hex word); enumerations by name, else decimal;
// handles as 0x%08x (the console pseudo-handles too) and 0 as NULL; NULL pointers as NULL, others as
// hex; SIZE_T in decimal; buffers as strace quotes them (at most 32 bytes, `...` when cut): WriteFile's at
// entry, ReadFile's at exit, only the bytes read; out-parameters (LPDWORD, PHANDLE,
// PLARGE_INTEGER) as [value] read at exit, or their address when unreadable. Results:
// BOOL as TRUE/FALSE, HANDLE as hex or INVALID_HANDLE_VALUE (NULL for the procedures that
// fail with NULL, as CreateThread), DWORD in decimal; VOID
// procedures (Sleep, SetLastError, ExitProcess) print none. A call that failed by its
// procedure's failure value (FALSE, INVALID_HANDLE_VALUE or NULL, INVALID_SET_FILE_POINTER
// with a non-zero last error) ends with two spaces and [code NAME: message] from the target's
// error table. With `threads`, each line starts with the thread id in brackets.
//
// The tracer reads guest memory with user checks only; a bad pointer prints as its address.
import type { Memory } from '../cpu/index.ts';
import {
  ACCESS_FLAGS, ATTRIBUTE_FLAGS, DISPOSITIONS, INVALID_SET_FILE_POINTER, MOVE_METHODS, SHARE_FLAGS, STD_HANDLES, THREAD_CREATION_FLAGS, win32ErrorName,
  type ApiEvent, type ApiObserver, type Named,
} from '../kernel/windows/index.ts';
import { DEFAULT_STRING_LIMIT, quoteBytes } from './quote.ts';

export interface ApiMonitorOptions {
  mem: Memory;
  /** Receives each finished line (no trailing newline). */
  write: (line: string) => void;
  /** The target's error table (number, name, message) for failed calls. */
  errors?: ReadonlyArray<readonly [number, string, string]>;
  /** Prefix each line with [thread id]. */
  threads?: boolean;
  /** Longest buffer shown (default 32 bytes). */
  stringLimit?: number;
}

type ArgKind =
  | 'wstr' | 'handle' | 'dword' | 'long' | 'longlong' | 'sizet' | 'ptr' | 'access' | 'share' | 'disposition' | 'attributes' | 'method'
  | 'stdhandle' | 'threadflags' | 'wbuf' | 'rbuf' | 'outbool' | 'outdword' | 'outhandle' | 'outlong' | 'outlonglong' | 'error';
type ResultKind = 'bool' | 'handle' | 'nullhandle' | 'pseudohandle' | 'dword' | 'setfp' | 'void';

interface Prototype {
  args: readonly ArgKind[];
  result: ResultKind;
}

/** The prototypes of the procedures the emulated kernel32 exports (winbase.h, fileapi.h). */
const PROTOTYPES: ReadonlyMap<string, Prototype> = new Map<string, Prototype>([
  ['CloseHandle', { args: ['handle'], result: 'bool' }],
  ['CreateFileW', { args: ['wstr', 'access', 'share', 'ptr', 'disposition', 'attributes', 'handle'], result: 'handle' }],
  ['CreatePipe', { args: ['outhandle', 'outhandle', 'ptr', 'dword'], result: 'bool' }],
  ['CreateThread', { args: ['ptr', 'sizet', 'ptr', 'ptr', 'threadflags', 'outdword'], result: 'nullhandle' }],
  ['ExitProcess', { args: ['dword'], result: 'void' }],
  ['GetCurrentProcess', { args: [], result: 'pseudohandle' }],
  ['GetCurrentProcessId', { args: [], result: 'dword' }],
  ['GetLastError', { args: [], result: 'dword' }],
  ['GetStdHandle', { args: ['stdhandle'], result: 'handle' }],
  ['IsWow64Process', { args: ['handle', 'outbool'], result: 'bool' }],
  ['ReadFile', { args: ['handle', 'rbuf', 'dword', 'outdword', 'ptr'], result: 'bool' }],
  ['SetFilePointer', { args: ['handle', 'long', 'outlong', 'method'], result: 'setfp' }],
  ['SetFilePointerEx', { args: ['handle', 'longlong', 'outlonglong', 'method'], result: 'bool' }],
  ['SetLastError', { args: ['error'], result: 'void' }],
  ['Sleep', { args: ['dword'], result: 'void' }],
  ['WriteFile', { args: ['handle', 'wbuf', 'dword', 'outdword', 'ptr'], result: 'bool' }],
]);

const MAX_WSTR_UNITS = 32767;
const W_ESCAPES: Record<number, string> = { 0: '\\0', 9: '\\t', 10: '\\n', 13: '\\r', 34: '\\"', 92: '\\\\' };

const u32 = (w: bigint) => Number(BigInt.asUintN(32, w));
const hex8 = (n: number | bigint) => '0x' + n.toString(16).padStart(8, '0');

/** Flag words by name: highest bits first as listed, unknown bits as hex, 0 as 0. */
export function flagNames(value: number, table: readonly Named[]): string {
  if (value === 0) return '0';
  const names: string[] = [];
  let rest = value >>> 0;
  for (const [bit, name] of table) {
    if ((rest & bit) >>> 0 === bit >>> 0) {
      names.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest !== 0) names.push('0x' + rest.toString(16));
  return names.join(' | ');
}

function enumName(value: number, table: readonly Named[]): string {
  return table.find(([v]) => v === value)?.[1] ?? String(value);
}

export class ApiMonitor implements ApiObserver {
  private readonly opts: ApiMonitorOptions;
  private readonly messages = new Map<number, readonly [string, string]>();

  constructor(opts: ApiMonitorOptions) {
    this.opts = opts;
    for (const [n, name, message] of opts.errors ?? []) this.messages.set(n, [name, message]);
  }

  /** The arguments decodable at entry (strings, input buffers); out-parameters wait for exit. */
  enter(ev: ApiEvent): unknown {
    const proto = PROTOTYPES.get(ev.name);
    return proto ? proto.args.map((k, i) => this.atEntry(k, ev.args[i] ?? 0n, ev.args)) : null;
  }

  exit(ev: ApiEvent, state: unknown, result: bigint | null, lastError: number): void {
    const proto = PROTOTYPES.get(ev.name);
    let text: string;
    if (!proto) {
      text = `${ev.name}(${ev.args.map((a) => hex8(BigInt.asUintN(64, a))).join(', ')})` + (result === null ? '' : ` = ${hex8(BigInt.asUintN(64, result))}`);
    } else {
      const early = state as Array<string | null>;
      const args = proto.args.map((k, i) => early[i] ?? this.atExit(k, ev.args[i] ?? 0n, ev.args, result));
      text = `${ev.name}(${args.join(', ')})`;
      if (result !== null && proto.result !== 'void') {
        text += ` = ${this.formatResult(proto.result, result)}`;
        if (this.failed(proto.result, result, lastError)) text += `  [${this.describeError(lastError)}]`;
      }
    }
    this.opts.write((this.opts.threads ? `[${ev.thread.tid}] ` : '') + text);
  }

  private atEntry(kind: ArgKind, w: bigint, all: readonly bigint[]): string | null {
    switch (kind) {
      case 'wstr': return this.wideString(w);
      case 'handle': return w === 0n ? 'NULL' : hex8(BigInt.asUintN(64, w));
      case 'dword': return String(u32(w));
      case 'long': return String(BigInt.asIntN(32, w));
      case 'longlong': return String(BigInt.asIntN(64, w));
      case 'sizet': return String(BigInt.asUintN(64, w));
      case 'ptr': return this.pointer(w);
      case 'access': return flagNames(u32(w), ACCESS_FLAGS);
      case 'share': return flagNames(u32(w), SHARE_FLAGS);
      case 'attributes': return flagNames(u32(w), ATTRIBUTE_FLAGS);
      case 'disposition': return enumName(u32(w), DISPOSITIONS);
      case 'method': return enumName(u32(w), MOVE_METHODS);
      case 'stdhandle': return enumName(u32(w), STD_HANDLES);
      case 'threadflags': return flagNames(u32(w), THREAD_CREATION_FLAGS);
      case 'error': return this.messages.get(u32(w))?.[0] ?? win32ErrorName(u32(w)) ?? String(u32(w));
      case 'wbuf': return this.buffer(Number(BigInt.asUintN(64, w)), u32(all[2] ?? 0n), this.opts.stringLimit ?? DEFAULT_STRING_LIMIT);
      default: return null;
    }
  }

  private atExit(kind: ArgKind, w: bigint, all: readonly bigint[], result: bigint | null): string {
    const p = Number(BigInt.asUintN(64, w));
    const limit = this.opts.stringLimit ?? DEFAULT_STRING_LIMIT;
    switch (kind) {
      case 'rbuf': {
        const done = result === 1n ? this.read(Number(BigInt.asUintN(64, all[3] ?? 0n)), 4) : null;
        return done ? this.buffer(p, new DataView(done.buffer).getUint32(0, true), limit) : this.pointer(w);
      }
      case 'outbool': return this.out(p, 4, (v) => (v.getUint32(0, true) === 0 ? 'FALSE' : 'TRUE'));
      case 'outdword': return this.out(p, 4, (v) => String(v.getUint32(0, true)));
      case 'outlong': return this.out(p, 4, (v) => String(v.getInt32(0, true)));
      case 'outlonglong': return this.out(p, 8, (v) => String(v.getBigInt64(0, true)));
      case 'outhandle': return this.out(p, 8, (v) => hex8(v.getBigUint64(0, true)));
      default: return this.pointer(w);
    }
  }

  private formatResult(kind: ResultKind, r: bigint): string {
    switch (kind) {
      case 'bool': return r === 0n ? 'FALSE' : 'TRUE';
      case 'handle':
      case 'nullhandle': return BigInt.asIntN(64, r) === -1n ? 'INVALID_HANDLE_VALUE' : r === 0n ? 'NULL' : hex8(BigInt.asUintN(64, r));
      case 'pseudohandle': return hex8(BigInt.asUintN(64, r));
      case 'setfp': return u32(r) === INVALID_SET_FILE_POINTER ? 'INVALID_SET_FILE_POINTER' : String(u32(r));
      default: return String(u32(r));
    }
  }

  private failed(kind: ResultKind, r: bigint, lastError: number): boolean {
    if (kind === 'bool') return r === 0n;
    if (kind === 'handle') return BigInt.asIntN(64, r) === -1n;
    if (kind === 'nullhandle') return r === 0n;
    if (kind === 'setfp') return u32(r) === INVALID_SET_FILE_POINTER && lastError !== 0;
    return false;
  }

  private describeError(code: number): string {
    const known = this.messages.get(code);
    if (known) return `${code} ${known[0]}: ${known[1]}`;
    return `${code} ${win32ErrorName(code) ?? `error ${code}`}`;
  }

  private read(p: number, n: number): Uint8Array | null {
    if (p === 0 || !this.opts.mem.check(p, n, 'r', true)) return null;
    return this.opts.mem.read(p, n);
  }

  private pointer(w: bigint): string {
    return w === 0n ? 'NULL' : '0x' + BigInt.asUintN(64, w).toString(16);
  }

  private out(p: number, n: number, show: (v: DataView) => string): string {
    if (p === 0) return 'NULL';
    const b = this.read(p, n);
    return b ? `[${show(new DataView(b.buffer))}]` : this.pointer(BigInt(p));
  }

  private buffer(p: number, n: number, limit: number): string {
    if (n === 0) return '""';
    const b = this.read(p, Math.min(n, limit + 1));
    return b ? quoteBytes(b, { limit }) : this.pointer(BigInt(p));
  }

  private wideString(w: bigint): string {
    const p = Number(BigInt.asUintN(64, w));
    if (p === 0) return 'NULL';
    let out = '"';
    for (let i = 0; i < MAX_WSTR_UNITS; i++) {
      const b = this.read(p + 2 * i, 2);
      if (!b) return this.pointer(w);
      const u = b[0]! | (b[1]! << 8);
      if (u === 0) return out + '"';
      out += W_ESCAPES[u] ?? (u < 0x20 || u === 0x7f ? '\\x' + u.toString(16).padStart(2, '0') : String.fromCharCode(u));
    }
    return this.pointer(w);
  }
}
