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
// inode numbers); thr_self stores the thread id.
//
// Invariant: every handler is a core handler or a translation in front of one; nothing
// here keeps state of its own.
import { Kernel, type KernelOptions } from '../kernel.ts';
import * as abi from '../linux/abi.ts';
import * as fs from '../linux/fs.ts';
import * as proc from '../linux/proc.ts';
import type { Handler } from '../linux/handlers.ts';
import { argInt, argPtr, type SyscallRegs } from '../regs.ts';
import type { Thread } from '../process.ts';
import { copyToUser } from '../uaccess.ts';
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
