// A truss-format tracer for the FreeBSD personality: a SyscallObserver writing one line
// per call in the layout of FreeBSD's truss(1).
//
//   open("/etc/hosts",O_RDONLY,00)                  ERR#2 'No such file or directory'
//   openat(AT_FDCWD,"/data.txt",O_WRONLY|O_CREAT|O_TRUNC,0644) = 3 (0x3)
//   write(3,"hello\n",6)                            = 6 (0x6)
//
// Layout rules, as truss prints them: arguments are joined with "," and no space; the call
// text (with the `%6d: ` thread-id prefix under -H) is followed by 6 - floor(len / 8) tabs
// (none once it is 48 characters or longer);
// then ` = <dec> (0x<hex>)` or ` ERR#<errno> '<message>'` with the target's errno number
// and message. Paths print in double quotes as they are; buffers print at most 32
// characters of strvis(3) C-style text (\n, \t, \0, octal for the rest) with `...` after
// the closing quote when cut; modes print as "0" followed by octal; open flags as the access
// mode then the FreeBSD O_* names joined with "|". A call that never returns (exit)
// prints without a result, followed by `process exit, rval = N`; a signal acted on prints
// `SIGNAL N (NAME)` (without truss's siginfo details) and a death by it
// `process killed, signal = N`. Calls truss has no decoding for print each of their
// arguments as a long in hex (truss's LongHex), as thr_new(0x…,0x68); where this tracer
// does not know the count either, the non-zero-trailing argument words.
//
// Time is the machine's virtual time; the tracer reads user memory with the user bit, so
// a bad pointer prints as its address.
import type { Memory } from '../cpu/index.ts';
import type { Kernel, Process, SyscallEvent, SyscallObserver, Thread } from '../kernel/index.ts';
import { AT_FDCWD, O_CLOEXEC, O_NONBLOCK, OPEN_FLAGS, STAT, STAT_SIZE } from '../kernel/freebsd/index.ts';
import type { FlagBit } from '../kernel/freebsd/bsd.ts';
import { signalName } from '../kernel/linux/abi.ts';

export interface TrussOptions {
  /** Receives each finished line (no trailing newline). */
  write: (line: string) => void;
  /** The longest buffer text (truss -s; default 32). */
  stringLimit?: number;
  /** truss -H: prefix each line with the thread id (`%6d: `), counted in the tab padding. */
  threadIds?: boolean;
}

type ArgKind = 'int' | 'hex' | 'longhex' | 'octal' | 'sizet' | 'quadhex' | 'ptr' | 'path' | 'wbuf' | 'rbuf' | 'open' | 'atfd' | 'whence'
  | 'pipe2' | 'pipefds' | 'stat' | 'timespec';

/** How truss decodes each call's arguments (FreeBSD's syscall descriptions, for the calls this kernel has). */
const TRUSS_SPECS: ReadonlyMap<string, ReadonlyArray<ArgKind>> = new Map<string, ArgKind[]>([
  ['open', ['path', 'open', 'octal']],
  ['openat', ['atfd', 'path', 'open', 'octal']],
  ['read', ['int', 'rbuf', 'sizet']],
  ['write', ['int', 'wbuf', 'sizet']],
  ['close', ['int']],
  ['lseek', ['int', 'quadhex', 'whence']],
  ['pipe2', ['pipefds', 'pipe2']],
  ['dup', ['int']],
  ['dup2', ['int', 'int']],
  ['fstat', ['int', 'stat']],
  ['unlink', ['path']],
  ['mkdir', ['path', 'octal']],
  ['rmdir', ['path']],
  ['chdir', ['path']],
  ['getpid', []],
  ['getppid', []],
  ['getuid', []],
  ['geteuid', []],
  ['getgid', []],
  ['getegid', []],
  ['exit', ['hex']],
  ['kill', ['int', 'int']],
  ['sched_yield', []],
  ['nanosleep', ['timespec', 'ptr']],
  // No decoding in truss: the kernel's two arguments, each as LongHex.
  ['thr_new', ['longhex', 'longhex']],
]);

const WHENCE = ['SEEK_SET', 'SEEK_CUR', 'SEEK_END', 'SEEK_DATA', 'SEEK_HOLE'];
const ACCESS_MODES = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'];
const PIPE2_FLAGS: ReadonlyArray<FlagBit> = OPEN_FLAGS.filter(([bit]) => bit === O_NONBLOCK || bit === O_CLOEXEC);
export const DEFAULT_TRUSS_STRING_LIMIT = 32;
const MAX_ERRNO = 4095;

/** The kernel reports failures as -errno; truss shows the errno. */
function isError(result: number): boolean {
  return result < 0 && result >= -MAX_ERRNO;
}

export class Truss implements SyscallObserver {
  constructor(
    private readonly kernel: Kernel,
    private readonly opts: TrussOptions,
  ) {
    kernel.observer = this;
  }

  enter(): null {
    return null;
  }

  exit(ev: SyscallEvent, _state: unknown, result: number | null): void {
    const name = ev.name ?? `#${ev.nr}`;
    const text = `${this.prefix(ev.thread)}${name}(${this.args(ev, name, result).join(',')})`;
    if (result === null) {
      this.opts.write(text);
      return;
    }
    const tabs = '\t'.repeat(Math.max(0, 6 - Math.floor(text.length / 8)));
    if (isError(result)) {
      const message = this.kernel.errnos.lookup(-result)?.message ?? `Unknown error: ${-result}`;
      this.opts.write(`${text}${tabs} ERR#${-result} '${message}'`);
    } else {
      this.opts.write(`${text}${tabs} = ${result} (0x${BigInt.asUintN(64, BigInt(result)).toString(16)})`);
    }
  }

  private prefix(t: Thread): string {
    return this.opts.threadIds ? `${String(t.tid).padStart(6)}: ` : '';
  }

  private args(ev: SyscallEvent, name: string, result: number | null): string[] {
    const kinds = TRUSS_SPECS.get(name);
    const mem = ev.thread.process.mem;
    if (kinds === undefined) {
      let n = ev.args.length;
      while (n > 0 && ev.args[n - 1] === 0n) n--;
      return ev.args.slice(0, n).map((w) => `0x${w.toString(16)}`);
    }
    return kinds.map((kind, i) => formatArg(kind, ev.args, i, mem, result, this.opts.stringLimit ?? DEFAULT_TRUSS_STRING_LIMIT));
  }

  signal(p: Process, sig: number): void {
    const t = p.threads.find((th) => th.state !== 'dead') ?? p.threads[0]!;
    this.opts.write(`${this.prefix(t)}SIGNAL ${sig} (${signalName(sig)})`);
  }

  threadExit(t: Thread, status: number | null, sig: number | null): void {
    if (t.process.threads.some((th) => th !== t && th.state !== 'dead')) return;
    this.opts.write(`${this.prefix(t)}${sig !== null ? `process killed, signal = ${sig}` : `process exit, rval = ${status}`}`);
  }
}

/** A user pointer word as a number, or null when it cannot be a user address. */
export function userAddress(w: bigint): number | null {
  return w < 0x8000_0000_0000n ? Number(w) : null;
}

/** length bytes at w, or null when they are not all readable by user mode. */
export function userBytes(mem: Memory, w: bigint, length: number): Uint8Array | null {
  const addr = userAddress(w);
  if (addr === null || length < 0) return null;
  if (length === 0) return new Uint8Array(0);
  return mem.check(addr, length, 'r', true) ? mem.read(addr, length) : null;
}

/** The NUL-terminated string at w (at most 1024 bytes, as a path), or null. */
export function userString(mem: Memory, w: bigint): Uint8Array | null {
  const addr = userAddress(w);
  if (addr === null) return null;
  const out: number[] = [];
  for (let at = addr; out.length < 1024; at++) {
    if (!mem.check(at, 1, 'r', true)) return null;
    const b = mem.readU8(at);
    if (b === 0) break;
    out.push(b);
  }
  return Uint8Array.from(out);
}

const VIS_CSTYLE: Record<number, string> = { 0: '\\0', 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 92: '\\\\' };

/** strvis(3) with VIS_CSTYLE | VIS_TAB | VIS_NL: printable ASCII as is, C escapes, octal otherwise. */
export function vis(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (VIS_CSTYLE[b] !== undefined) out += VIS_CSTYLE[b];
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += '\\' + b.toString(8).padStart(3, '0');
  }
  return out;
}

/** truss's BinString: the longest prefix whose vis text fits the limit, quoted, `...` when cut. */
function binString(bytes: Uint8Array, truncatedAlready: boolean, limit: number): string {
  let len = bytes.length;
  let truncated = truncatedAlready;
  let text = vis(bytes);
  while (len > 0 && text.length > limit) {
    len--;
    truncated = true;
    text = vis(bytes.subarray(0, len));
  }
  return `"${text}"${truncated ? '...' : ''}`;
}

function flagNames(value: number, bits: ReadonlyArray<FlagBit>): string[] {
  const names: string[] = [];
  let rest = value;
  for (const [bit, , name] of bits) {
    if ((rest & bit) !== 0) {
      names.push(name);
      rest &= ~bit;
    }
  }
  if (rest !== 0) names.push(`0x${(rest >>> 0).toString(16)}`);
  return names;
}

/** strmode(3): the type letter, nine permission letters, and a trailing space. */
function strmode(mode: number): string {
  const type = ({ 0o140000: 's', 0o120000: 'l', 0o100000: '-', 0o060000: 'b', 0o040000: 'd', 0o020000: 'c', 0o010000: 'p' } as Record<number, string>)[mode & 0o170000] ?? '?';
  let perm = '';
  for (const shift of [6, 3, 0]) {
    const bits = (mode >> shift) & 7;
    perm += (bits & 4 ? 'r' : '-') + (bits & 2 ? 'w' : '-') + (bits & 1 ? 'x' : '-');
  }
  return `${type}${perm} `;
}

function formatArg(kind: ArgKind, args: readonly bigint[], i: number, mem: Memory, result: number | null, limit: number): string {
  const w = args[i]!;
  const int = Number(BigInt.asIntN(32, w));
  const hexPtr = `0x${w.toString(16)}`;
  switch (kind) {
    case 'int':
      return String(int);
    case 'hex':
      return `0x${(int >>> 0).toString(16)}`;
    case 'octal':
      return `0${(int >>> 0).toString(8)}`;
    case 'sizet':
      return w.toString();
    case 'quadhex':
    case 'ptr':
    case 'longhex':
      return hexPtr;
    case 'path': {
      const s = userString(mem, w);
      return s === null ? hexPtr : `"${Buffer.from(s).toString('latin1')}"`;
    }
    case 'wbuf':
    case 'rbuf': {
      // write's length is its next argument; read's is what it returned.
      const len = kind === 'wbuf' ? Number(args[i + 1]!) : result !== null && !isError(result) ? result : 0;
      const bytes = len > 0 ? userBytes(mem, w, Math.min(len, limit)) : null;
      return bytes === null ? hexPtr : binString(bytes, len > limit, limit);
    }
    case 'open':
      return [ACCESS_MODES[int & 3]!, ...flagNames(int & ~3, OPEN_FLAGS)].join('|');
    case 'atfd':
      return int === AT_FDCWD ? 'AT_FDCWD' : String(int);
    case 'whence':
      return WHENCE[int] ?? String(int);
    case 'pipe2': {
      const names = flagNames(int, PIPE2_FLAGS);
      return names.length ? names.join('|') : '0';
    }
    case 'pipefds': {
      const b = result === 0 ? userBytes(mem, w, 8) : null;
      if (b === null) return hexPtr;
      const v = new DataView(b.buffer);
      return `{ ${v.getInt32(0, true)}, ${v.getInt32(4, true)} }`;
    }
    case 'stat': {
      const b = result === 0 ? userBytes(mem, w, STAT_SIZE) : null;
      if (b === null) return hexPtr;
      const v = new DataView(b.buffer);
      return `{ mode=${strmode(v.getUint16(STAT.mode, true))},inode=${v.getBigUint64(STAT.ino, true)},size=${v.getBigInt64(STAT.size, true)},blksize=${v.getInt32(STAT.blksize, true)} }`;
    }
    case 'timespec': {
      const b = userBytes(mem, w, 16);
      if (b === null) return hexPtr;
      const v = new DataView(b.buffer);
      return `{ ${v.getBigInt64(0, true)}.${String(v.getBigInt64(8, true)).padStart(9, '0')} }`;
    }
  }
}
