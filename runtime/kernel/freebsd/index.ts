// The FreeBSD personality (freebsd/amd64): the kernel core behind FreeBSD's system call
// ABI. The number is RAX as is (the target's table, handed in as plain data, names each
// slot); arguments come in RDI, RSI, RDX, R10, R8, R9; results and errors go back with the
// carry-flag convention of ./bsd.ts. Errno numbers and messages are the target's table
// (EAGAIN is 35).
//
// The calls here mean what FreeBSD means by them, reusing the core's file system, pipes
// and clock: open/openat translate FreeBSD's O_* bits (O_CREAT 0x200, O_TRUNC 0x400,
// O_EXCL 0x800, O_NONBLOCK 0x4, O_CLOEXEC 0x100000, …) into the core's; pipe2 accepts only
// O_CLOEXEC and O_NONBLOCK; mmap takes MAP_ANON as 0x1000; exit(2) ends the whole process
// (FreeBSD has no exit_group); fstat fills FreeBSD 12's struct stat (224 bytes, 64-bit
// inode numbers); thr_self stores the thread id; thr_new(struct thr_param *, size) makes a
// thread as kern_thr.c does (below), through the core's threadProvider as clone does.
//
// Invariant: every handler is a core handler or a translation in front of one, except
// thr_new, which reads its struct thr_param itself; nothing here keeps state of its own.
import { Kernel, type KernelOptions } from '../kernel.ts';
import * as abi from '../linux/abi.ts';
import * as fs from '../linux/fs.ts';
import * as proc from '../linux/proc.ts';
import type { Handler, HandlerResult } from '../linux/handlers.ts';
import { argInt, argPtr, NOT_USER, type SyscallRegs } from '../regs.ts';
import type { Thread } from '../process.ts';
import { accessOk, copyFromUser, copyToUser } from '../uaccess.ts';
import * as mm from '../linux/mm.ts';
import { bsdFstat, BsdSyscallFrame, sysBsdMmap, installHandlers, translateFlags, unknownFlags, withArgs, type FlagBit, type FrameWords, type StatFields } from './bsd.ts';

export const O_NONBLOCK = 0x4;
export const O_APPEND = 0x8;
export const O_ASYNC = 0x40;
export const O_SYNC = 0x80;
export const O_NOFOLLOW = 0x100;
export const O_CREAT = 0x200;
export const O_TRUNC = 0x400;
export const O_EXCL = 0x800;
export const O_NOCTTY = 0x8000;
export const O_DIRECT = 0x10000;
export const O_DIRECTORY = 0x20000;
export const O_CLOEXEC = 0x100000;
export const O_DSYNC = 0x1000000;
/** AT_FDCWD is -100 on FreeBSD, as on Linux. */
export const AT_FDCWD = -100;

/** FreeBSD's open flags beyond the access mode, in the order truss prints them. */
export const OPEN_FLAGS: ReadonlyArray<FlagBit> = [
  [O_NONBLOCK, abi.O_NONBLOCK, 'O_NONBLOCK'],
  [O_APPEND, abi.O_APPEND, 'O_APPEND'],
  [O_ASYNC, abi.O_ASYNC, 'O_ASYNC'],
  [O_SYNC, abi.O_SYNC, 'O_SYNC'],
  [O_NOFOLLOW, abi.O_NOFOLLOW, 'O_NOFOLLOW'],
  [O_CREAT, abi.O_CREAT, 'O_CREAT'],
  [O_TRUNC, abi.O_TRUNC, 'O_TRUNC'],
  [O_EXCL, abi.O_EXCL, 'O_EXCL'],
  [O_NOCTTY, abi.O_NOCTTY, 'O_NOCTTY'],
  [O_DIRECT, abi.O_DIRECT, 'O_DIRECT'],
  [O_DIRECTORY, abi.O_DIRECTORY, 'O_DIRECTORY'],
  [O_CLOEXEC, abi.O_CLOEXEC, 'O_CLOEXEC'],
  [O_DSYNC, abi.O_DSYNC, 'O_DSYNC'],
];

/** FreeBSD open flags in the core's meaning (the access mode bits are the same). */
export function coreOpenFlags(flags: number): number {
  return (flags & abi.O_ACCMODE) | translateFlags(flags, OPEN_FLAGS);
}

/** struct stat (FreeBSD 12 and later, amd64): 224 bytes. */
export const STAT_SIZE = 224;
export const STAT = {
  dev: 0, ino: 8, nlink: 16, mode: 24, uid: 28, gid: 32, rdev: 40, atim: 48, mtim: 64, ctim: 80, birthtim: 96,
  size: 112, blocks: 120, blksize: 128, flags: 132, gen: 136,
} as const;

export function encodeStat(f: StatFields): Uint8Array {
  const out = new Uint8Array(STAT_SIZE);
  const v = new DataView(out.buffer);
  v.setBigUint64(STAT.dev, f.dev, true);
  v.setBigUint64(STAT.ino, f.ino, true);
  v.setBigUint64(STAT.nlink, f.nlink, true);
  v.setUint16(STAT.mode, f.mode, true);
  v.setUint32(STAT.uid, f.uid, true);
  v.setUint32(STAT.gid, f.gid, true);
  v.setBigUint64(STAT.rdev, f.rdev, true);
  for (const at of [STAT.atim, STAT.mtim, STAT.ctim, STAT.birthtim]) {
    v.setBigInt64(at, f.sec, true);
    v.setBigInt64(at + 8, f.nsec, true);
  }
  v.setBigInt64(STAT.size, f.size, true);
  v.setBigInt64(STAT.blocks, f.blocks, true);
  v.setInt32(STAT.blksize, Number(f.blksize), true);
  return out;
}

/** The FreeBSD view of a core pipe2: only O_CLOEXEC and O_NONBLOCK are accepted. */
const PIPE2_FLAGS: ReadonlyArray<FlagBit> = OPEN_FLAGS.filter(([bsd]) => bsd === O_CLOEXEC || bsd === O_NONBLOCK);

function sysOpen(k: Kernel, t: Thread, r: SyscallRegs) {
  return fs.sysOpen(k, t, withArgs(r, { 1: coreOpenFlags(argInt(r, 1)) }));
}

function sysOpenat(k: Kernel, t: Thread, r: SyscallRegs) {
  return fs.sysOpenat(k, t, withArgs(r, { 2: coreOpenFlags(argInt(r, 2)) }));
}

function sysPipe2(k: Kernel, t: Thread, r: SyscallRegs) {
  const flags = argInt(r, 1);
  if (unknownFlags(flags, PIPE2_FLAGS) !== 0) return 'EINVAL';
  return fs.sysPipe2(k, t, withArgs(r, { 1: translateFlags(flags, PIPE2_FLAGS) }));
}

/** thr_self(long *id): the calling thread's id. */
function sysThrSelf(_k: Kernel, t: Thread, r: SyscallRegs) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(t.tid), true);
  return copyToUser(t.process.mem, argPtr(r, 0), out) ? 0 : 'EFAULT';
}

/** struct thr_param (sys/thr.h) on amd64: field offsets and its size, 104 bytes. */
export const THR_PARAM = {
  start_func: 0, arg: 8, stack_base: 16, stack_size: 24, tls_base: 32, tls_size: 40, child_tid: 48, parent_tid: 56,
  flags: 64, rtp: 72, spare: 80, size: 104,
} as const;
/** struct rtprio's types (sys/rtprio.h) and its largest priority. */
export const RTP_PRIO_REALTIME = 2;
export const RTP_PRIO_NORMAL = 3;
export const RTP_PRIO_IDLE = 4;
export const RTP_PRIO_FIFO = 10;
export const RTP_PRIO_MAX = 31;
/** VM_MAXUSER_ADDRESS on amd64 (48-bit user space): a TLS base at or above it is EINVAL. */
export const VM_MAXUSER_ADDRESS = 0x8000_0000_0000n;

/**
 * thr_new(struct thr_param *param, int param_size), in kern_thr.c's order: a size below 0
 * or above sizeof(struct thr_param) is EINVAL; param_size bytes are copied in (EFAULT),
 * the rest of the struct reads as zero; a non-NULL rtp is copied in (EFAULT) and checked
 * as thread_create does (realtime and FIFO need root: EPERM, or a priority above
 * RTP_PRIO_MAX: EINVAL; normal is fine; any other type, idle included, EINVAL); then the
 * thread is made, its id stored as a long at child_tid and at parent_tid when they are
 * not NULL (EFAULT, and no thread), and its FS base set to tls_base (EINVAL at or above
 * VM_MAXUSER_ADDRESS). Returns 0. Without a threadProvider, ENOSYS (as clone).
 *
 * Here the pointer and TLS checks come before the thread is made (FreeBSD makes it, then
 * frees it when one fails: the caller sees the same errno and no thread); a provider's
 * refusal (EPROCLIM, say) comes after them where FreeBSD's would come before.
 */
function sysThrNew(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const size = argInt(r, 1);
  if (size < 0 || size > THR_PARAM.size) return 'EINVAL';
  const param = new Uint8Array(THR_PARAM.size);
  const mem = t.process.mem;
  const bytes = copyFromUser(mem, argPtr(r, 0), size);
  if (bytes === null) return 'EFAULT';
  param.set(bytes);
  const v = new DataView(param.buffer);
  const word = (at: number) => v.getBigUint64(at, true);
  const user = (w: bigint) => (w < 0x8000_0000_0000n ? Number(w) : NOT_USER);
  const rtp = word(THR_PARAM.rtp);
  if (rtp !== 0n) {
    const b = copyFromUser(mem, user(rtp), 4);
    if (b === null) return 'EFAULT';
    const type = b[0]! | (b[1]! << 8);
    const prio = b[2]! | (b[3]! << 8);
    if (type === RTP_PRIO_REALTIME || type === RTP_PRIO_FIFO) {
      if (k.uid !== 0) return 'EPERM';
      if (prio > RTP_PRIO_MAX) return 'EINVAL';
    } else if (type !== RTP_PRIO_NORMAL) return 'EINVAL';
  }
  if (k.threadProvider === undefined) return 'ENOSYS';
  const tids = [word(THR_PARAM.child_tid), word(THR_PARAM.parent_tid)].filter((w) => w !== 0n).map(user);
  if (tids.some((at) => !accessOk(at, 8) || !mem.check(at, 8, 'w', true))) return 'EFAULT';
  const tls = word(THR_PARAM.tls_base);
  if (tls >= VM_MAXUSER_ADDRESS) return 'EINVAL';
  const child = k.threadProvider(t, BigInt(v.getInt32(THR_PARAM.flags, true)), word(THR_PARAM.stack_base) + word(THR_PARAM.stack_size));
  if (typeof child === 'string') return child;
  const id = new Uint8Array(8);
  new DataView(id.buffer).setBigInt64(0, BigInt(child.tid), true);
  for (const at of tids) copyToUser(mem, at, id);
  child.fsBase = tls;
  return 0;
}

/** FreeBSD's calls by the names of its syscalls.master. */
export const freebsdHandlers: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['read', fs.sysRead],
  ['write', fs.sysWrite],
  ['pread', fs.sysPread64],
  ['pwrite', fs.sysPwrite64],
  ['open', sysOpen],
  ['openat', sysOpenat],
  ['close', fs.sysClose],
  ['lseek', fs.sysLseek],
  ['pipe2', sysPipe2],
  ['dup', fs.sysDup],
  ['dup2', fs.sysDup2],
  ['fstat', bsdFstat(encodeStat)],
  ['unlink', fs.sysUnlink],
  ['mkdir', fs.sysMkdir],
  ['rmdir', fs.sysRmdir],
  ['chdir', fs.sysChdir],
  ['getpid', proc.sysGetpid],
  ['getppid', proc.sysGetppid],
  ['getuid', proc.sysGetuid],
  ['geteuid', proc.sysGetuid],
  ['getgid', proc.sysGetgid],
  ['getegid', proc.sysGetgid],
  ['exit', proc.sysExitGroup],
  ['kill', proc.sysKill],
  ['thr_self', sysThrSelf],
  ['thr_new', sysThrNew],
  ['mmap', sysBsdMmap],
  ['munmap', mm.sysMunmap],
  ['sched_yield', proc.sysSchedYield],
  ['clock_gettime', proc.sysClockGettime],
  ['nanosleep', proc.sysNanosleep],
]);

/** FreeBSD reads the number straight from RAX (the low 32 bits, as an int). */
export const freebsdNumbering = { syscallNumber: (raxLo: number) => raxLo | 0 };

/** A kernel core with the FreeBSD personality; opts.tables are freebsd/amd64's. */
export function freebsdKernel(opts: KernelOptions): Kernel {
  const k = new Kernel(opts);
  installHandlers(k, freebsdHandlers);
  return k;
}

/** The pt_regs frame of a FreeBSD call, for do_syscall_64 (set `base` to DI first). */
export function freebsdFrame(words: FrameWords): BsdSyscallFrame {
  return new BsdSyscallFrame(words, freebsdNumbering);
}
