// The XNU personality (darwin/amd64): the kernel core behind the BSD half of XNU's system
// call ABI, as libSystem reaches it.
//
// Numbers arrive as class | n in RAX: class 2 (0x2000000, SYSCALL_CLASS_UNIX) selects the
// BSD table the target hands in, indexed by n (the low 24 bits); Mach traps (class 1),
// machine-dependent calls (3) and every other class have no handlers here and fail with
// ENOSYS. Arguments come in RDI, RSI, RDX, R10, R8, R9; results go back with the carry-flag
// convention of ../freebsd/bsd.ts, and pipe() returns its two descriptors in RAX and RDX
// (libSystem's wrapper stores them into the caller's array). Errno numbers and messages
// are the target's table (EAGAIN is 35).
//
// Flags are XNU's: O_CREAT 0x200, O_TRUNC 0x400, O_EXCL 0x800, O_NONBLOCK 0x4,
// O_NOCTTY 0x20000, O_DIRECTORY 0x100000, O_CLOEXEC 0x1000000; AT_FDCWD is -2. fstat64
// fills XNU's struct stat64 (144 bytes); mmap takes MAP_ANON as 0x1000. exit(2) ends the
// whole process. There is no nanosleep system call on XNU (libSystem sleeps with
// __semwait_signal), so none is offered here.
//
// bsdthread_create(func, func_arg, stack, pthread, flags), which libSystem's pthread_create
// makes, creates a thread through the core's threadProvider (as clone does) and returns
// the pthread address; the thread's TSD base (its user GS base) is pthread plus the TSD
// offset libSystem registered. XNU refuses a process that has not registered with
// bsdthread_register (EINVAL); libSystem's initializer registers every process before
// main, and that call is not modelled: every process here counts as registered, with the
// emulated libSystem's offset (PTHREAD_TSD_OFFSET).
//
// Invariant: every handler is a core handler or a translation in front of one, except
// pipe, whose two-register result has no core equivalent, and bsdthread_create.
import { Kernel, type KernelOptions } from '../kernel.ts';
import * as abi from '../linux/abi.ts';
import * as fs from '../linux/fs.ts';
import * as proc from '../linux/proc.ts';
import type { Handler, HandlerResult } from '../linux/handlers.ts';
import { argInt, argUint, argWord, type SyscallRegs } from '../regs.ts';
import type { Thread } from '../process.ts';
import { Pipe, PipeEnd } from '../file.ts';
import * as mm from '../linux/mm.ts';
import {
  bsdFstat, BsdSyscallFrame, sysBsdMmap, installHandlers, setSecondResult, translateFlags, withArgs, type FlagBit, type FrameWords, type StatFields,
} from '../freebsd/bsd.ts';

/** SYSCALL_CLASS_UNIX << SYSCALL_CLASS_SHIFT: the class bits of every BSD call. */
export const SYSCALL_CLASS_UNIX = 0x2000000;
const SYSCALL_CLASS_SHIFT = 24;
const SYSCALL_NUMBER_MASK = 0xffffff;

export const O_NONBLOCK = 0x4;
export const O_APPEND = 0x8;
export const O_ASYNC = 0x40;
export const O_SYNC = 0x80;
export const O_NOFOLLOW = 0x100;
export const O_CREAT = 0x200;
export const O_TRUNC = 0x400;
export const O_EXCL = 0x800;
export const O_NOCTTY = 0x20000;
export const O_DIRECTORY = 0x100000;
export const O_DSYNC = 0x400000;
export const O_CLOEXEC = 0x1000000;
export const AT_FDCWD = -2;

/** XNU's open flags beyond the access mode. */
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
  [O_DIRECTORY, abi.O_DIRECTORY, 'O_DIRECTORY'],
  [O_DSYNC, abi.O_DSYNC, 'O_DSYNC'],
  [O_CLOEXEC, abi.O_CLOEXEC, 'O_CLOEXEC'],
];

export function coreOpenFlags(flags: number): number {
  return (flags & abi.O_ACCMODE) | translateFlags(flags, OPEN_FLAGS);
}

/** struct stat64 (amd64): 144 bytes; dev and rdev are 32-bit, mode and nlink 16-bit. */
export const STAT64_SIZE = 144;
export const STAT64 = {
  dev: 0, mode: 4, nlink: 6, ino: 8, uid: 16, gid: 20, rdev: 24, atimespec: 32, mtimespec: 48, ctimespec: 64,
  birthtimespec: 80, size: 96, blocks: 104, blksize: 112, flags: 116, gen: 120,
} as const;

export function encodeStat64(f: StatFields): Uint8Array {
  const out = new Uint8Array(STAT64_SIZE);
  const v = new DataView(out.buffer);
  v.setInt32(STAT64.dev, Number(f.dev), true);
  v.setUint16(STAT64.mode, f.mode, true);
  v.setUint16(STAT64.nlink, Number(f.nlink), true);
  v.setBigUint64(STAT64.ino, f.ino, true);
  v.setUint32(STAT64.uid, f.uid, true);
  v.setUint32(STAT64.gid, f.gid, true);
  v.setInt32(STAT64.rdev, Number(f.rdev), true);
  for (const at of [STAT64.atimespec, STAT64.mtimespec, STAT64.ctimespec, STAT64.birthtimespec]) {
    v.setBigInt64(at, f.sec, true);
    v.setBigInt64(at + 8, f.nsec, true);
  }
  v.setBigInt64(STAT64.size, f.size, true);
  v.setBigInt64(STAT64.blocks, f.blocks, true);
  v.setInt32(STAT64.blksize, Number(f.blksize), true);
  return out;
}

/** A directory-fd argument in the core's meaning (XNU's AT_FDCWD is -2). */
function coreDirfd(fd: number): number {
  return fd === AT_FDCWD ? abi.AT_FDCWD : fd;
}

function sysOpen(k: Kernel, t: Thread, r: SyscallRegs) {
  return fs.sysOpen(k, t, withArgs(r, { 1: coreOpenFlags(argInt(r, 1)) }));
}

function sysOpenat(k: Kernel, t: Thread, r: SyscallRegs) {
  return fs.sysOpenat(k, t, withArgs(r, { 0: coreDirfd(argInt(r, 0)), 2: coreOpenFlags(argInt(r, 2)) }));
}

/** pipe(): the read end in RAX, the write end in RDX. */
function sysPipe(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const fds = t.process.fds;
  const inode = k.vfs.newInode('fifo', 0o600, false, null);
  inode.uid = k.uid;
  inode.gid = k.gid;
  const pipe = new Pipe();
  const readEnd = new PipeEnd(inode, abi.O_RDONLY, pipe);
  const writeEnd = new PipeEnd(inode, abi.O_WRONLY, pipe);
  const rfd = fds.alloc(readEnd, false);
  if (rfd === 'EMFILE') {
    readEnd.release();
    writeEnd.release();
    return 'EMFILE';
  }
  const wfd = fds.alloc(writeEnd, false);
  if (wfd === 'EMFILE') {
    fds.close(rfd);
    writeEnd.release();
    return 'EMFILE';
  }
  setSecondResult(r, wfd);
  return rfd;
}

/** bsdthread_create's flags (libpthread's kern_internal.h). */
export const PTHREAD_START_CUSTOM = 0x01000000;
export const PTHREAD_START_SETSCHED = 0x02000000;
export const PTHREAD_START_QOSCLASS = 0x08000000;
export const PTHREAD_START_TSD_BASE_SET = 0x10000000;
export const PTHREAD_START_SUSPENDED = 0x20000000;
/** The QoS class bits of a pthread_priority_t (one bit per class, from bit 8). */
const PTHREAD_PRIORITY_QOS_CLASS_MASK = 0x003fff00;
/**
 * Where the TSD block sits in the emulated libSystem's struct _pthread, which is what it
 * registers with XNU (bsdthread_register's tsd_offset): the thread's GS base is
 * pthread + this. The emulated libSystem's own layout, not Apple's.
 */
export const PTHREAD_TSD_OFFSET = 0x100;

/**
 * bsdthread_create(func, func_arg, stack, pthread, flags): a thread of the caller's
 * process whose TSD base is pthread + PTHREAD_TSD_OFFSET (XNU sets the new thread's
 * registers: RIP at libSystem's registered thread_start, RDI pthread, RSI its port, RDX
 * func, RCX func_arg, R8 and RSP stack, R9 flags; the machine starts every thread at its
 * own entry). As XNU: without PTHREAD_START_CUSTOM, EINVAL; PTHREAD_START_QOSCLASS with no
 * QoS class in the low bits, EINVAL (XNU's finer QoS checks are not modelled); returns
 * pthread. XNU makes the thread first and terminates it on EINVAL; here the flags are
 * checked first: the same errno and no thread. Without a threadProvider, ENOSYS.
 */
function sysBsdthreadCreate(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const flags = argUint(r, 4);
  if ((flags & PTHREAD_START_CUSTOM) === 0) return 'EINVAL';
  if ((flags & PTHREAD_START_SETSCHED) === 0 && (flags & PTHREAD_START_QOSCLASS) !== 0 && (flags & PTHREAD_PRIORITY_QOS_CLASS_MASK) === 0) return 'EINVAL';
  if (k.threadProvider === undefined) return 'ENOSYS';
  const pthread = argWord(r, 3);
  const child = k.threadProvider(t, BigInt(flags), argWord(r, 2));
  if (typeof child === 'string') return child;
  child.gsBase = BigInt.asUintN(64, pthread + BigInt(PTHREAD_TSD_OFFSET));
  return Number(pthread);
}

/** XNU's BSD calls by the names of its syscalls.master. */
export const darwinHandlers: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['read', fs.sysRead],
  ['write', fs.sysWrite],
  ['pread', fs.sysPread64],
  ['pwrite', fs.sysPwrite64],
  ['open', sysOpen],
  ['openat', sysOpenat],
  ['close', fs.sysClose],
  ['lseek', fs.sysLseek],
  ['pipe', sysPipe],
  ['dup', fs.sysDup],
  ['dup2', fs.sysDup2],
  ['fstat64', bsdFstat(encodeStat64)],
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
  ['mmap', sysBsdMmap],
  ['munmap', mm.sysMunmap],
  ['bsdthread_create', sysBsdthreadCreate],
]);

/** Class 2 selects the BSD table; anything else is no slot (-1: ENOSYS). */
export const darwinNumbering = {
  syscallNumber(raxLo: number, raxHi: number): number {
    if (raxHi !== 0 || raxLo >>> SYSCALL_CLASS_SHIFT !== SYSCALL_CLASS_UNIX >>> SYSCALL_CLASS_SHIFT) return -1;
    return raxLo & SYSCALL_NUMBER_MASK;
  },
};

/** A kernel core with the XNU personality; opts.tables are darwin/amd64's (BSD numbers without the class). */
export function darwinKernel(opts: KernelOptions): Kernel {
  const k = new Kernel(opts);
  installHandlers(k, darwinHandlers);
  return k;
}

/** The pt_regs frame of an XNU call, for do_syscall_64 (set `base` to DI first). */
export function darwinFrame(words: FrameWords): BsdSyscallFrame {
  return new BsdSyscallFrame(words, darwinNumbering);
}
