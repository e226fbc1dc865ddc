// The Linux x86-64 system calls a static test program needs, handled directly by the host
// as qemu-user does (no guest kernel): the calling convention is the kernel's (number in
// RAX; arguments in RDI, RSI, RDX, R10, R8, R9; result or -errno in RAX).
//
// Invariants: a handler never throws for anything the guest passes (bad pointers give
// -EFAULT, bad values -EINVAL, unknown numbers -ENOSYS); every guest memory access is
// checked with the user bit first; all state lives in the Process given to the handler;
// nothing reads the host clock or host randomness (getrandom draws from the seeded stream).
import { PAGE_SIZE, type Memory } from '../cpu/index.ts';
import type { Regions } from './regions.ts';
import { GUEST_GID, GUEST_UID } from '../loader/load.ts';
import { DEFAULT_STRING_LIMIT, quoteBytes } from '../trace/quote.ts';
import { LINUX_STRERROR } from '../trace/strerror.ts';

export const EPERM = 1;
export const EBADF = 9;
export const ENOMEM = 12;
export const EFAULT = 14;
export const ENODEV = 19;
export const EINVAL = 22;
export const ENOTTY = 25;
export const ENOSYS = 38;

/** Names strace prints for the errors these calls return; the messages come from trace/strerror. */
const ERRNO_NAMES: Record<number, string> = {
  [EPERM]: 'EPERM',
  [EBADF]: 'EBADF',
  [ENOMEM]: 'ENOMEM',
  [EFAULT]: 'EFAULT',
  [ENODEV]: 'ENODEV',
  [EINVAL]: 'EINVAL',
  [ENOTTY]: 'ENOTTY',
  [ENOSYS]: 'ENOSYS',
};
/** strace pads the call to this column before ` = result`. */
const RESULT_COLUMN = 39;

const MSR_FS_BASE = 0xc000_0100;
const MSR_GS_BASE = 0xc000_0101;
const ARCH_SET_GS = 0x1001;
const ARCH_SET_FS = 0x1002;
const ARCH_GET_FS = 0x1003;
const ARCH_GET_GS = 0x1004;
const MAP_FIXED = 0x10;
const MAP_ANONYMOUS = 0x20;
const UTS_FIELD = 65;
/** Anonymous mappings are placed top-down from here (below the stack's guard gap), never
 * lower than 1 GiB above the heap's start, which leaves the heap room to grow. */
export const MMAP_TOP = 0x7fff_f000_0000;
/**
 * Host memory limits (every accessible guest page may become a host allocation): one
 * accessible mapping and the heap are each at most 1 GiB (larger requests get ENOMEM, as
 * without overcommit); PROT_NONE reservations cost nothing and are not limited. Reads and
 * writes move at most IO_CHUNK bytes per host call, so a huge count never needs a huge buffer.
 */
const MAX_MAPPING = 1 << 30;
const IO_CHUNK = 1 << 20;
/** Linux caps one read or write at this many bytes (MAX_RW_COUNT). */
const MAX_RW_COUNT = 0x7fff_f000;

/** The guest's process id, reported by getpid, gettid and set_tid_address. */
export const GUEST_PID = 1000;
export const UNAME = { sysname: 'Linux', nodename: 'mksyscall', release: '6.1.0-mksyscall', version: '#1 SMP', machine: 'x86_64', domainname: '(none)' };

/** Host-side I/O for the guest's file descriptors. */
export interface GuestIo {
  /** Writes bytes to fd; returns the count written or a negative errno. */
  write(fd: number, bytes: Uint8Array): number;
  /** Reads up to `length` bytes from fd; an empty array is end of file; a number is a negative errno. */
  read(fd: number, length: number): Uint8Array | number;
}

/** What a handler may touch: the guest's memory, MSRs, and the process's own bookkeeping. */
export interface Process {
  mem: Memory;
  io: GuestIo;
  readMsr(index: number): bigint;
  writeMsr(index: number, v: bigint): void;
  /** Current program break and the lowest value it may take. */
  brk: number;
  brkBase: number;
  /** The ranges in use (segments, heap, stack, mappings). */
  regions: Regions;
  /** The seeded byte stream behind getrandom. */
  randomBytes(n: number): Uint8Array;
  /** Set by exit/exit_group: the status the process ends with. */
  exitStatus: number | null;
}

type Args = readonly bigint[];
interface SyscallDef {
  name: string;
  run(p: Process, a: Args): number;
  /** strace rendering of the arguments (after the call, so read buffers show what was read). */
  show?(p: Process, a: Args, result: number): string;
  /** Results printed in hex (addresses). */
  hexResult?: boolean;
}

const num = (v: bigint): number => Number(BigInt.asIntN(64, v));
/** A size_t count, capped as Linux caps it. */
const rwCount = (v: bigint): number => Number(BigInt.asUintN(64, v) > BigInt(MAX_RW_COUNT) ? BigInt(MAX_RW_COUNT) : BigInt.asUintN(64, v));
const int32 = (v: bigint): number => Number(BigInt.asIntN(32, v));
const hex = (v: bigint | number): string => `0x${(typeof v === 'bigint' ? BigInt.asUintN(64, v) : v).toString(16)}`;

function guestBytes(p: Process, addr: number, length: number): Uint8Array | null {
  return p.mem.check(addr, length, 'r', true) ? p.mem.read(addr, length) : null;
}

function storeBytes(p: Process, addr: number, bytes: Uint8Array): boolean {
  if (!p.mem.check(addr, bytes.length, 'w', true)) return false;
  p.mem.write(addr, bytes);
  return true;
}

/** A guest buffer as strace shows it: quoted, or its address when it cannot be read. */
function shownBuffer(p: Process, addr: bigint, length: number, opts: { hex?: boolean } = {}): string {
  const bytes = guestBytes(p, num(addr), Math.min(length, DEFAULT_STRING_LIMIT + 1));
  if (!bytes) return hex(addr);
  const text = quoteBytes(bytes.subarray(0, Math.min(bytes.length, DEFAULT_STRING_LIMIT)), opts);
  return length > DEFAULT_STRING_LIMIT ? `${text}...` : text;
}

const pageUp = (n: number) => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

/**
 * Writes guest memory [addr, addr+length) to fd in chunks; returns the bytes written, or a
 * negative errno if nothing was (EFAULT for an unreadable buffer, as Linux checks it first).
 */
function writeOut(p: Process, fd: number, addr: number, length: number): number {
  if (!p.mem.check(addr, length, 'r', true)) return -EFAULT;
  let done = 0;
  while (done < length) {
    const chunk = p.mem.read(addr + done, Math.min(IO_CHUNK, length - done));
    const n = p.io.write(fd, chunk);
    if (n < 0) return done || n;
    done += n;
    if (n < chunk.length) break;
  }
  return done;
}

/** writev: the buffers in order, stopping at the first short write. */
function writev(p: Process, a: Args): number {
  const fd = int32(a[0]!);
  const iov = num(a[1]!);
  const count = int32(a[2]!);
  if (count < 0 || count > 1024) return -EINVAL;
  const table = guestBytes(p, iov, count * 16);
  if (!table) return -EFAULT;
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const buffers: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    const base = num(view.getBigUint64(i * 16, true));
    const len = rwCount(view.getBigUint64(i * 16 + 8, true));
    if (!p.mem.check(base, len, 'r', true)) return -EFAULT;
    buffers.push([base, len]);
  }
  let total = 0;
  for (const [base, len] of buffers) {
    const n = writeOut(p, fd, base, len);
    if (n < 0) return total || n;
    total += n;
    if (n < len) break;
  }
  return total;
}

function mmap(p: Process, a: Args): number {
  const hint = num(a[0]!);
  const length = num(a[1]!);
  const prot = int32(a[2]!);
  const flags = int32(a[3]!);
  const fd = int32(a[4]!);
  if (length <= 0 || length > MMAP_TOP) return -EINVAL;
  if (!(flags & MAP_ANONYMOUS)) return fd >= 0 && fd <= 2 ? -ENODEV : -EBADF;
  if (prot & ~7) return -EINVAL;
  const size = pageUp(length);
  if (prot !== 0 && size > MAX_MAPPING) return -ENOMEM;
  let addr: number;
  if (flags & MAP_FIXED) {
    if (hint % PAGE_SIZE !== 0 || hint < PAGE_SIZE || hint + size > 2 ** 47) return -EINVAL;
    addr = hint;
  } else if (hint >= PAGE_SIZE && hint % PAGE_SIZE === 0 && hint + size <= MMAP_TOP && p.regions.isFree(hint, hint + size)) {
    addr = hint;
  } else {
    const found = p.regions.highestFree(size, pageUp(p.brk) + MAX_MAPPING, MMAP_TOP);
    if (found === null) return -ENOMEM;
    addr = found;
  }
  p.mem.map(addr, size, prot);
  p.regions.add(addr, addr + size);
  return addr;
}

function brk(p: Process, a: Args): number {
  const want = num(a[0]!);
  if (want < p.brkBase || want - p.brkBase > MAX_MAPPING) return p.brk;
  const oldTop = pageUp(p.brk);
  const newTop = pageUp(want);
  if (newTop > oldTop) {
    if (!p.regions.isFree(oldTop, newTop)) return p.brk;
    p.mem.map(oldTop, newTop - oldTop, 3);
    p.regions.add(oldTop, newTop);
  } else if (newTop < oldTop) {
    p.mem.unmap(newTop, oldTop - newTop);
    p.regions.remove(newTop, oldTop);
  }
  p.brk = want;
  return want;
}

function archPrctl(p: Process, a: Args): number {
  const code = int32(a[0]!);
  const addr = num(a[1]!);
  switch (code) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
      if (addr < -(2 ** 47) || addr >= 2 ** 47) return -EPERM;
      p.writeMsr(code === ARCH_SET_FS ? MSR_FS_BASE : MSR_GS_BASE, BigInt.asUintN(64, a[1]!));
      return 0;
    case ARCH_GET_FS:
    case ARCH_GET_GS: {
      const v = new DataView(new ArrayBuffer(8));
      v.setBigUint64(0, p.readMsr(code === ARCH_GET_FS ? MSR_FS_BASE : MSR_GS_BASE), true);
      return storeBytes(p, addr, new Uint8Array(v.buffer)) ? 0 : -EFAULT;
    }
    default:
      return -EINVAL;
  }
}

function uname(p: Process, a: Args): number {
  const buf = new Uint8Array(UTS_FIELD * 6);
  const fields = [UNAME.sysname, UNAME.nodename, UNAME.release, UNAME.version, UNAME.machine, UNAME.domainname];
  fields.forEach((f, i) => buf.set(new TextEncoder().encode(f), i * UTS_FIELD));
  return storeBytes(p, num(a[0]!), buf) ? 0 : -EFAULT;
}

const constant = (name: string, value: number): SyscallDef => ({ name, run: () => value, show: () => '' });

export const SYSCALLS: Record<number, SyscallDef> = {
  0: {
    name: 'read',
    run(p, a) {
      const buf = num(a[1]!);
      const count = rwCount(a[2]!);
      if (!p.mem.check(buf, count, 'w', true)) return -EFAULT;
      const data = p.io.read(int32(a[0]!), Math.min(count, IO_CHUNK));
      if (typeof data === 'number') return data;
      p.mem.write(buf, data.subarray(0, count));
      return Math.min(data.length, count);
    },
    show: (p, a, r) => `${int32(a[0]!)}, ${r >= 0 ? shownBuffer(p, a[1]!, r) : hex(a[1]!)}, ${num(a[2]!)}`,
  },
  1: {
    name: 'write',
    run: (p, a) => writeOut(p, int32(a[0]!), num(a[1]!), rwCount(a[2]!)),
    show: (p, a) => `${int32(a[0]!)}, ${shownBuffer(p, a[1]!, rwCount(a[2]!))}, ${BigInt.asUintN(64, a[2]!)}`,
  },
  9: {
    name: 'mmap',
    run: mmap,
    show: (_p, a) => `${a[0] === 0n ? 'NULL' : hex(a[0]!)}, ${num(a[1]!)}, ${hex(a[2]!)}, ${hex(a[3]!)}, ${int32(a[4]!)}, ${hex(a[5]!)}`,
    hexResult: true,
  },
  10: {
    name: 'mprotect',
    run(p, a) {
      const addr = num(a[0]!);
      const size = pageUp(num(a[1]!));
      const prot = int32(a[2]!);
      if (addr % PAGE_SIZE !== 0 || size < 0 || prot & ~7) return -EINVAL;
      if (!p.regions.covers(addr, addr + size) || (prot !== 0 && size > MAX_MAPPING)) return -ENOMEM;
      if (size > 0) p.mem.protect(addr, size, prot);
      return 0;
    },
    show: (_p, a) => `${hex(a[0]!)}, ${num(a[1]!)}, ${hex(a[2]!)}`,
  },
  11: {
    name: 'munmap',
    run(p, a) {
      const addr = num(a[0]!);
      const size = pageUp(num(a[1]!));
      if (addr % PAGE_SIZE !== 0 || size <= 0 || addr < 0 || addr + size > 2 ** 47) return -EINVAL;
      p.mem.unmap(addr, size);
      p.regions.remove(addr, addr + size);
      return 0;
    },
    show: (_p, a) => `${hex(a[0]!)}, ${num(a[1]!)}`,
  },
  12: { name: 'brk', run: brk, show: (_p, a) => (a[0] === 0n ? 'NULL' : hex(a[0]!)), hexResult: true },
  16: { name: 'ioctl', run: () => -ENOTTY, show: (_p, a) => `${int32(a[0]!)}, ${hex(a[1]!)}, ${hex(a[2]!)}` },
  20: { name: 'writev', run: writev, show: (_p, a) => `${int32(a[0]!)}, ${hex(a[1]!)}, ${int32(a[2]!)}` },
  39: constant('getpid', GUEST_PID),
  60: { name: 'exit', run: (p, a) => ((p.exitStatus = int32(a[0]!) & 0xff), 0), show: (_p, a) => `${int32(a[0]!)}` },
  63: { name: 'uname', run: uname, show: (_p, a) => `{sysname="${UNAME.sysname}", nodename="${UNAME.nodename}", ...} /* ${hex(a[0]!)} */` },
  102: constant('getuid', GUEST_UID),
  104: constant('getgid', GUEST_GID),
  107: constant('geteuid', GUEST_UID),
  108: constant('getegid', GUEST_GID),
  158: { name: 'arch_prctl', run: archPrctl, show: (_p, a) => `${archCode(int32(a[0]!))}, ${hex(a[1]!)}` },
  186: constant('gettid', GUEST_PID),
  218: { name: 'set_tid_address', run: () => GUEST_PID, show: (_p, a) => hex(a[0]!) },
  231: { name: 'exit_group', run: (p, a) => ((p.exitStatus = int32(a[0]!) & 0xff), 0), show: (_p, a) => `${int32(a[0]!)}` },
  318: {
    name: 'getrandom',
    run(p, a) {
      const length = Math.min(Math.max(0, num(a[1]!)), IO_CHUNK);
      return storeBytes(p, num(a[0]!), p.randomBytes(length)) ? length : -EFAULT;
    },
    show: (p, a, r) => `${r >= 0 ? shownBuffer(p, a[0]!, r, { hex: true }) : hex(a[0]!)}, ${num(a[1]!)}, ${hex(a[2]!)}`,
  },
};

function archCode(code: number): string {
  const names: Record<number, string> = { [ARCH_SET_GS]: 'ARCH_SET_GS', [ARCH_SET_FS]: 'ARCH_SET_FS', [ARCH_GET_FS]: 'ARCH_GET_FS', [ARCH_GET_GS]: 'ARCH_GET_GS' };
  return names[code] ?? hex(code);
}

export interface SyscallOutcome {
  /** The value for RAX; absent when the process exited. */
  result: number;
  /** The strace line, e.g. `write(1, "hi\n", 3) = 3`. */
  trace: string;
}

/** Runs system call `nr` with its six argument registers. */
export function doSyscall(p: Process, nr: bigint, args: Args): SyscallOutcome {
  const def = nr < 0x1_0000_0000n ? SYSCALLS[Number(nr)] : undefined;
  if (!def) return { result: -ENOSYS, trace: traceLine(`syscall_${hex(nr)}(${args.map((v) => hex(v)).join(', ')})`, formatResult(-ENOSYS, false)) };
  const result = def.run(p, args);
  const shown = def.show ? def.show(p, args, result) : args.map((v) => hex(v)).join(', ');
  return { result, trace: traceLine(`${def.name}(${shown})`, p.exitStatus !== null ? '?' : formatResult(result, def.hexResult ?? false)) };
}

function traceLine(call: string, result: string): string {
  return `${call.padEnd(RESULT_COLUMN)} = ${result}`;
}

function formatResult(r: number, asHex: boolean): string {
  if (r < 0 && r >= -4095) {
    return `-1 ${ERRNO_NAMES[-r] ?? `E${-r}`} (${LINUX_STRERROR.get(-r) ?? `Unknown error ${-r}`})`;
  }
  return asHex ? hex(r) : String(r);
}
