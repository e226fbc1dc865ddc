// How strace prints each system call's arguments and result, for the calls the Linux
// personality implements.
//
// A call's signature lists its arguments in order, each with a kind (how to print the
// word) and a phase: 'in' arguments are printed when the call starts, 'out' arguments
// (buffers the kernel fills, structures it writes) when it returns, reading user memory
// then. That split is what strace shows when a call is interleaved with another thread's:
// `read(3,  <unfinished ...>` … `<... read resumed>"data", 64) = 4`.
//
// Unreadable user memory prints as the pointer's hex value, NULL as NULL, exactly as
// strace does. Calls with no signature print their six argument words in hex.
import type { Memory } from '../cpu/index.ts';
import {
  ARCH_GET_FS, ARCH_GET_GS, ARCH_PRCTL_NAMES, AT_EMPTY_PATH, AT_FDCWD, AT_NO_AUTOMOUNT, AT_REMOVEDIR,
  AT_SYMLINK_NOFOLLOW, CLOCK_NAMES, DIRENT64, CLONE_CHILD_CLEARTID, CLONE_CHILD_SETTID, CLONE_FLAG_NAMES, CLONE_PARENT_SETTID, CLONE_SETTLS, F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_SETFD, F_SETFL, FCNTL_CMD_NAMES,
  FD_CLOEXEC, FILE_TYPE_NAMES, GRND_NAMES, IOCTL_NAMES, IOVEC_SIZE, MAP_FLAG_NAMES, O_ACCMODE, O_CLOEXEC, O_CREAT,
  O_TMPFILE, OPEN_FLAG_NAMES, PROT_NAMES, S_IFBLK, S_IFCHR, S_IFMT, STAT, STAT_SIZE, TIMESPEC_SIZE, UTSNAME_FIELD,
  WHENCE_NAMES, signalName,
} from '../kernel/linux/abi.ts';
import { quoteBytes } from './quote.ts';

export type ArgKind =
  | 'int' | 'uint' | 'long' | 'ulong' | 'ptr' | 'offset' | 'fd' | 'dirfd' | 'path'
  | 'wbuf' | 'rbuf' | 'randbuf' | 'cwdbuf' | 'iov_in' | 'iov_out' | 'openflags' | 'mode' | 'whence'
  | 'prot' | 'mapflags' | 'fcntl_cmd' | 'fcntl_arg' | 'ioctl_req' | 'clock' | 'atflags' | 'signal'
  | 'arch_code' | 'arch_addr' | 'grnd' | 'cloexec' | 'pipe_flags' | 'timer_flags' | 'pipefds'
  | 'stat' | 'timespec' | 'timespec_out' | 'utsname' | 'clone_flags' | 'clone_stack' | 'clone_ptid' | 'clone_ctid' | 'clone_tls'
  | 'dirents';

type Phase = 'in' | 'out';
interface ArgSpec {
  kind: ArgKind;
  phase: Phase;
  /** For buffers: the argument holding the length. */
  lenArg?: number;
}
export interface CallSpec {
  args: ArgSpec[];
  /** How the result prints: decimal, hex (addresses), or as fcntl's flag words. */
  ret: 'dec' | 'hex' | 'fcntl';
}

const OUT_KINDS: ReadonlySet<ArgKind> = new Set(['rbuf', 'randbuf', 'cwdbuf', 'iov_out', 'pipefds', 'stat', 'timespec_out', 'utsname', 'dirents']);

/** Arguments from the first one the kernel fills onwards are printed at exit, as strace does. */
function spec(ret: CallSpec['ret'], ...kinds: Array<ArgKind | [ArgKind, number]>): CallSpec {
  let phase: Phase = 'in';
  return {
    ret,
    args: kinds.map((k) => {
      const [kind, lenArg] = Array.isArray(k) ? k : [k, undefined];
      if (OUT_KINDS.has(kind)) phase = 'out';
      return { kind, phase, ...(lenArg !== undefined ? { lenArg } : {}) };
    }),
  };
}

export const CALL_SPECS: ReadonlyMap<string, CallSpec> = new Map([
  ['read', spec('dec', 'fd', 'rbuf', 'ulong')],
  ['write', spec('dec', 'fd', ['wbuf', 2], 'ulong')],
  ['readv', spec('dec', 'fd', ['iov_out', 2], 'int')],
  ['writev', spec('dec', 'fd', ['iov_in', 2], 'int')],
  ['pread64', spec('dec', 'fd', 'rbuf', 'ulong', 'long')],
  ['pwrite64', spec('dec', 'fd', ['wbuf', 2], 'ulong', 'long')],
  ['open', spec('dec', 'path', 'openflags', 'mode')],
  ['openat', spec('dec', 'dirfd', 'path', 'openflags', 'mode')],
  ['close', spec('dec', 'fd')],
  ['lseek', spec('dec', 'fd', 'long', 'whence')],
  ['pipe', spec('dec', 'pipefds')],
  ['pipe2', spec('dec', 'pipefds', 'pipe_flags')],
  ['dup', spec('dec', 'fd')],
  ['dup2', spec('dec', 'fd', 'fd')],
  ['dup3', spec('dec', 'fd', 'fd', 'cloexec')],
  ['fstat', spec('dec', 'fd', 'stat')],
  ['newfstatat', spec('dec', 'dirfd', 'path', 'stat', 'atflags')],
  ['getpid', spec('dec')],
  ['getppid', spec('dec')],
  ['gettid', spec('dec')],
  ['getuid', spec('dec')],
  ['geteuid', spec('dec')],
  ['getgid', spec('dec')],
  ['getegid', spec('dec')],
  ['sched_yield', spec('dec')],
  ['nanosleep', spec('dec', 'timespec', 'timespec_out')],
  ['clock_nanosleep', spec('dec', 'clock', 'timer_flags', 'timespec', 'timespec_out')],
  ['clock_gettime', spec('dec', 'clock', 'timespec_out')],
  ['mmap', spec('hex', 'ptr', 'ulong', 'prot', 'mapflags', 'fd', 'offset')],
  ['munmap', spec('dec', 'ptr', 'ulong')],
  ['mprotect', spec('dec', 'ptr', 'ulong', 'prot')],
  ['brk', spec('hex', 'ptr')],
  // clone's raw x86-64 order; strace prints child_stack first (formatPhase).
  ['clone', spec('dec', 'clone_flags', 'clone_stack', 'clone_ptid', 'clone_ctid', 'clone_tls')],
  ['exit', spec('dec', 'int')],
  ['exit_group', spec('dec', 'int')],
  ['unlink', spec('dec', 'path')],
  ['unlinkat', spec('dec', 'dirfd', 'path', 'atflags')],
  ['mkdir', spec('dec', 'path', 'mode')],
  ['mkdirat', spec('dec', 'dirfd', 'path', 'mode')],
  ['rmdir', spec('dec', 'path')],
  ['getcwd', spec('dec', 'cwdbuf', 'ulong')],
  ['getdents64', spec('dec', 'fd', 'dirents', 'uint')],
  ['chdir', spec('dec', 'path')],
  ['fcntl', spec('fcntl', 'fd', 'fcntl_cmd', 'fcntl_arg')],
  ['ioctl', spec('dec', 'fd', 'ioctl_req', 'ptr')],
  ['uname', spec('dec', 'utsname')],
  ['getrandom', spec('dec', 'randbuf', 'ulong', 'grnd')],
  ['arch_prctl', spec('dec', 'arch_code', 'arch_addr')],
  ['set_tid_address', spec('dec', 'ptr')],
  ['kill', spec('dec', 'int', 'signal')],
  ['tgkill', spec('dec', 'int', 'int', 'signal')],
]);

// ---- words ---------------------------------------------------------------------------

const i32 = (w: bigint) => Number(BigInt.asIntN(32, w));
const u32 = (w: bigint) => Number(BigInt.asUintN(32, w));
const i64 = (w: bigint) => BigInt.asIntN(64, w);
const hex = (w: bigint) => (w === 0n ? '0' : '0x' + w.toString(16));
/** A user address as a number if it is one, else null. */
const userAddr = (w: bigint) => (w < 1n << 47n ? Number(w) : null);

/**
 * Flag words as strace prints them: known names joined with '|', leftover bits as hex
 * after them; with no known name at all, hex followed by a C comment naming the family
 * (`0x8`, then `GRND_???` in a comment).
 */
export function flagNames(value: number, names: ReadonlyArray<readonly [number, string]>, zero = '0', prefix = ''): string {
  const parts: string[] = [];
  let rest = value >>> 0;
  for (const [bits, name] of names) {
    if (bits !== 0 && (rest & bits) === bits) {
      parts.push(name);
      rest = (rest & ~bits) >>> 0;
    }
  }
  if (rest !== 0) {
    if (parts.length === 0 && prefix) return unknown(rest, prefix);
    parts.push('0x' + rest.toString(16));
  }
  return parts.length ? parts.join('|') : zero;
}

// A value strace has no name for: hex, then the family's prefix and ??? in a C comment.
function unknown(value: number | bigint, prefix: string): string {
  return `0x${value.toString(16)} /* ${prefix}??? */`;
}

export function openFlags(flags: number): string {
  const acc = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', '0x3'][flags & O_ACCMODE]!;
  const rest = flagNames(flags & ~O_ACCMODE, OPEN_FLAG_NAMES, '');
  return rest ? `${acc}|${rest}` : acc;
}

/** strace's `%#03o` for permission bits. */
export function octalMode(mode: number): string {
  return mode === 0 ? '000' : ('0' + mode.toString(8)).padStart(3, '0');
}

export function fileMode(mode: number): string {
  const type = FILE_TYPE_NAMES.find(([bits]) => (mode & S_IFMT) === bits)?.[1];
  const perm = octalMode(mode & 0o7777);
  return type ? `${type}|${perm}` : perm;
}

// ---- user memory ---------------------------------------------------------------------

function readUser(mem: Memory, addr: number | null, length: number): Uint8Array | null {
  if (addr === null) return null;
  if (length === 0) return new Uint8Array(0);
  return mem.check(addr, length, 'r', true) ? mem.read(addr, length) : null;
}

function readPath(mem: Memory, addr: number): Uint8Array | null {
  const out: number[] = [];
  for (let at = addr; out.length < 4096; at++) {
    if (!mem.check(at, 1, 'r', true)) return null;
    const b = mem.readU8(at);
    if (b === 0) return Uint8Array.from(out);
    out.push(b);
  }
  return Uint8Array.from(out);
}

function pointerOr(w: bigint, text: () => string | null): string {
  if (w === 0n) return 'NULL';
  return text() ?? hex(w);
}

/** The linux_dirent64 records in bytes (a getdents64 result), by their d_reclen chain. */
function direntCount(bytes: Uint8Array): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let n = 0;
  for (let at = 0; at + DIRENT64.name <= bytes.length; n++) {
    const reclen = v.getUint16(at + DIRENT64.reclen, true);
    if (reclen === 0) break;
    at += reclen;
  }
  return n;
}

function timespecText(bytes: Uint8Array): string {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  return `{tv_sec=${v.getBigInt64(0, true)}, tv_nsec=${v.getBigInt64(8, true)}}`;
}

function statText(bytes: Uint8Array): string {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  const mode = v.getUint32(STAT.mode, true);
  const type = mode & S_IFMT;
  if (type === S_IFCHR || type === S_IFBLK) {
    const rdev = v.getBigUint64(STAT.rdev, true);
    const major = (rdev >> 8n) & 0xfffn;
    const minor = (rdev & 0xffn) | ((rdev >> 12n) & 0xfff00n);
    return `{st_mode=${fileMode(mode)}, st_rdev=makedev(${hex(major)}, ${hex(minor)}), ...}`;
  }
  return `{st_mode=${fileMode(mode)}, st_size=${v.getBigInt64(STAT.size, true)}, ...}`;
}

function cString(bytes: Uint8Array): Uint8Array {
  const nul = bytes.indexOf(0);
  return nul >= 0 ? bytes.subarray(0, nul) : bytes;
}

function iovText(mem: Memory, addr: bigint, count: number, dataLimit: number): string | null {
  const a = userAddr(addr);
  if (count < 0 || count > 1024) return null;
  const raw = readUser(mem, a, count * IOVEC_SIZE);
  if (!raw) return null;
  const v = new DataView(raw.buffer, raw.byteOffset);
  const parts: string[] = [];
  let left = dataLimit;
  for (let i = 0; i < count; i++) {
    const base = v.getBigUint64(i * 16, true);
    const len = v.getBigUint64(i * 16 + 8, true);
    const shown = Math.max(0, Math.min(Number(len), left));
    left -= shown;
    const data = readUser(mem, userAddr(base), Math.min(shown, 32));
    const baseText = data ? quoteBytes(data, { limit: 32 }) + (shown > 32 ? '...' : '') : hex(base);
    parts.push(`{iov_base=${baseText}, iov_len=${len}}`);
  }
  return `[${parts.join(', ')}]`;
}

// ---- arguments -----------------------------------------------------------------------

export interface DecodeContext {
  mem: Memory;
  args: readonly bigint[];
  /** The result, for 'out' arguments (null while the call is in progress). */
  result: number | null;
}

export function formatArg(kind: ArgKind, i: number, spec: ArgSpec, ctx: DecodeContext): string {
  const w = ctx.args[i]!;
  const { mem, args, result } = ctx;
  const failed = result === null || result < 0;
  switch (kind) {
    case 'int':
    case 'fd':
      return String(i32(w));
    case 'uint':
      return String(u32(w));
    case 'long':
      return String(i64(w));
    case 'ulong':
      return String(w);
    case 'ptr':
      return w === 0n ? 'NULL' : hex(w);
    case 'offset':
      return hex(w);
    case 'dirfd':
      return i32(w) === AT_FDCWD ? 'AT_FDCWD' : String(i32(w));
    case 'path':
      return pointerOr(w, () => {
        const a = userAddr(w);
        const p = a === null ? null : readPath(mem, a);
        return p ? quoteBytes(p, { limit: 4096 }) : null;
      });
    case 'wbuf': {
      const len = Number(args[spec.lenArg!]!);
      return pointerOr(w, () => {
        const b = readUser(mem, userAddr(w), Math.min(len, 32));
        return b ? quoteBytes(b) + (len > 32 ? '...' : '') : null;
      });
    }
    case 'rbuf':
    case 'randbuf':
      return pointerOr(w, () => {
        if (failed) return null;
        const b = readUser(mem, userAddr(w), Math.min(result!, 32));
        return b ? quoteBytes(b, { hex: kind === 'randbuf' }) + (result! > 32 ? '...' : '') : null;
      });
    case 'dirents':
      // the buffer's address and, after a success, how many records it holds (strace without -v)
      return pointerOr(w, () => {
        if (failed) return null;
        const b = readUser(mem, userAddr(w), result!);
        return b ? `${hex(w)} /* ${direntCount(b)} entries */` : null;
      });
    case 'cwdbuf':
      return pointerOr(w, () => {
        if (failed) return null;
        const b = readUser(mem, userAddr(w), result!);
        return b ? quoteBytes(cString(b), { limit: 4096 }) : null;
      });
    case 'iov_in':
      return iovText(mem, w, i32(args[spec.lenArg!]!), Number.MAX_SAFE_INTEGER) ?? hex(w);
    case 'iov_out':
      return (failed ? null : iovText(mem, w, i32(args[spec.lenArg!]!), result!)) ?? hex(w);
    case 'openflags':
      return openFlags(i32(w));
    case 'mode':
      return octalMode(u32(w));
    case 'whence':
      return WHENCE_NAMES[u32(w)] ?? unknown(u32(w), 'SEEK_');
    case 'prot':
      return flagNames(u32(w), PROT_NAMES, 'PROT_NONE', 'PROT_');
    case 'mapflags': {
      const f = u32(w);
      const type = ['MAP_FILE', 'MAP_SHARED', 'MAP_PRIVATE', 'MAP_SHARED_VALIDATE'][f & 0xf] ?? unknown(f & 0xf, 'MAP_');
      const rest = flagNames(f & ~0xf, MAP_FLAG_NAMES, '');
      return rest ? `${type}|${rest}` : type;
    }
    case 'fcntl_cmd':
      return FCNTL_CMD_NAMES.get(u32(w)) ?? unknown(u32(w), 'F_');
    case 'fcntl_arg':
      return fcntlArg(args);
    case 'ioctl_req':
      return IOCTL_NAMES.get(u32(w)) ?? hex(BigInt(u32(w)));
    case 'clock':
      return CLOCK_NAMES[i32(w)] ?? String(i32(w));
    case 'atflags':
      return flagNames(
        i32(w),
        [
          [AT_SYMLINK_NOFOLLOW, 'AT_SYMLINK_NOFOLLOW'],
          [AT_REMOVEDIR, 'AT_REMOVEDIR'],
          [AT_NO_AUTOMOUNT, 'AT_NO_AUTOMOUNT'],
          [AT_EMPTY_PATH, 'AT_EMPTY_PATH'],
        ],
        '0',
        'AT_',
      );
    case 'signal':
      return i32(w) === 0 ? '0' : signalName(i32(w));
    case 'arch_code':
      return ARCH_PRCTL_NAMES.get(i32(w)) ?? unknown(u32(w), 'ARCH_');
    case 'arch_addr': {
      const code = i32(args[0]!);
      if (code !== ARCH_GET_FS && code !== ARCH_GET_GS) return hex(w);
      if (failed) return hex(w);
      const b = readUser(mem, userAddr(w), 8);
      return b ? `[${hex(new DataView(b.buffer).getBigUint64(0, true))}]` : hex(w);
    }
    case 'grnd':
      return flagNames(u32(w), GRND_NAMES, '0', 'GRND_');
    case 'cloexec':
      return flagNames(i32(w), [[O_CLOEXEC, 'O_CLOEXEC']], '0', 'O_');
    case 'pipe_flags':
      return flagNames(i32(w), OPEN_FLAG_NAMES, '0', 'O_');
    case 'clone_flags': {
      const f = u32(w);
      const sig = f & 0xff;
      const names = flagNames(f & ~0xff, CLONE_FLAG_NAMES, '');
      return `flags=${[names, sig ? signalName(sig) : ''].filter(Boolean).join('|') || '0'}`;
    }
    case 'clone_stack':
      return `child_stack=${w === 0n ? 'NULL' : hex(w)}`;
    case 'clone_ptid':
      return `parent_tid=${hex(w)}`;
    case 'clone_ctid':
      return `child_tidptr=${hex(w)}`;
    case 'clone_tls':
      return `tls=${hex(w)}`;
    case 'timer_flags':
      return flagNames(i32(w), [[1, 'TIMER_ABSTIME']], '0', 'TIMER_');
    case 'pipefds':
      return pointerOr(w, () => {
        if (failed) return null;
        const b = readUser(mem, userAddr(w), 8);
        if (!b) return null;
        const v = new DataView(b.buffer);
        return `[${v.getInt32(0, true)}, ${v.getInt32(4, true)}]`;
      });
    case 'stat':
      return pointerOr(w, () => {
        const b = failed ? null : readUser(mem, userAddr(w), STAT_SIZE);
        return b ? statText(b) : null;
      });
    case 'timespec':
      return pointerOr(w, () => {
        const b = readUser(mem, userAddr(w), TIMESPEC_SIZE);
        return b ? timespecText(b) : null;
      });
    case 'timespec_out':
      return pointerOr(w, () => {
        const b = failed ? null : readUser(mem, userAddr(w), TIMESPEC_SIZE);
        return b ? timespecText(b) : null;
      });
    case 'utsname':
      return pointerOr(w, () => {
        const b = failed ? null : readUser(mem, userAddr(w), UTSNAME_FIELD * 2);
        if (!b) return null;
        const field = (n: number) => quoteBytes(cString(b.subarray(n * UTSNAME_FIELD, (n + 1) * UTSNAME_FIELD)), { limit: UTSNAME_FIELD });
        return `{sysname=${field(0)}, nodename=${field(1)}, ...}`;
      });
  }
}

/** fcntl's third argument depends on the command; mode is printed only when open creates. */
function includeArg(name: string, kind: ArgKind, args: readonly bigint[]): boolean {
  if (kind === 'mode' && (name === 'open' || name === 'openat')) {
    const flags = i32(args[name === 'open' ? 1 : 2]!);
    return (flags & O_CREAT) !== 0 || (flags & O_TMPFILE) === O_TMPFILE;
  }
  if (kind === 'fcntl_arg') {
    const cmd = u32(args[1]!);
    return cmd !== F_GETFD && cmd !== F_GETFL;
  }
  if (kind === 'clone_ptid') return (u32(args[0]!) & CLONE_PARENT_SETTID) !== 0;
  if (kind === 'clone_ctid') return (u32(args[0]!) & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) !== 0;
  if (kind === 'clone_tls') return (u32(args[0]!) & CLONE_SETTLS) !== 0;
  return true;
}

function fcntlArg(args: readonly bigint[]): string {
  const cmd = u32(args[1]!);
  const arg = args[2]!;
  if (cmd === F_SETFD) return flagNames(u32(arg), [[FD_CLOEXEC, 'FD_CLOEXEC']]);
  if (cmd === F_SETFL) return openFlags(u32(arg));
  if (cmd === F_DUPFD || cmd === F_DUPFD_CLOEXEC) return String(i64(arg));
  return hex(arg);
}

/** The text of the arguments printed in one phase, joined with ", ". */
export function formatPhase(name: string, s: CallSpec, phase: Phase, ctx: DecodeContext): string[] {
  const out: string[] = [];
  s.args.forEach((a, i) => {
    if (a.phase !== phase || !includeArg(name, a.kind, ctx.args)) return;
    out.push(formatArg(a.kind, i, a, ctx));
  });
  // strace: clone(child_stack=…, flags=…[, parent_tid=…][, tls=…][, child_tidptr=…]).
  if (name === 'clone') {
    const order = ['child_stack=', 'flags=', 'parent_tid=', 'tls=', 'child_tidptr='];
    const rank = (x: string) => order.findIndex((p) => x.startsWith(p));
    out.sort((x, y) => rank(x) - rank(y));
  }
  return out;
}

/** fcntl's F_GETFL / F_GETFD results print as hex with their flag names. */
export function fcntlResult(args: readonly bigint[], result: number): string {
  const cmd = u32(args[1]!);
  if (cmd === F_GETFL) return `${hex(BigInt(result))} (flags ${openFlags(result)})`;
  if (cmd === F_GETFD && result !== 0) return `${hex(BigInt(result))} (flags ${flagNames(result, [[FD_CLOEXEC, 'FD_CLOEXEC']])})`;
  return String(result);
}

export { hex as hexWord };
