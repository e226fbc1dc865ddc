// The Linux personality: every system call this kernel implements, registered by the
// name the target's number table uses. sys_call_table is built from this map (tables.ts),
// so no handler knows its number.
//
// A handler takes the kernel, the calling thread and its saved registers, and returns a
// result (≥ 0), an errno name ('ENOENT', resolved through the target's errno table), a
// Block (wait and restart), YIELD (result 0, let others run) or NO_RETURN (exit).
import type { Kernel, NO_RETURN, YIELD } from '../kernel.ts';
import type { Thread } from '../process.ts';
import type { SyscallRegs } from '../regs.ts';
import type { Block } from '../waitqueue.ts';
import * as fs from './fs.ts';
import * as mm from './mm.ts';
import * as proc from './proc.ts';

export type HandlerResult = number | string | Block | typeof YIELD | typeof NO_RETURN;
export type Handler = (k: Kernel, t: Thread, r: SyscallRegs) => HandlerResult;

export const linuxHandlers: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['read', fs.sysRead],
  ['write', fs.sysWrite],
  ['readv', fs.sysReadv],
  ['writev', fs.sysWritev],
  ['pread64', fs.sysPread64],
  ['pwrite64', fs.sysPwrite64],
  ['open', fs.sysOpen],
  ['openat', fs.sysOpenat],
  ['close', fs.sysClose],
  ['lseek', fs.sysLseek],
  ['pipe', fs.sysPipe],
  ['pipe2', fs.sysPipe2],
  ['dup', fs.sysDup],
  ['dup2', fs.sysDup2],
  ['dup3', fs.sysDup3],
  ['fstat', fs.sysFstat],
  ['newfstatat', fs.sysNewfstatat],
  ['unlink', fs.sysUnlink],
  ['unlinkat', fs.sysUnlinkat],
  ['mkdir', fs.sysMkdir],
  ['mkdirat', fs.sysMkdirat],
  ['rmdir', fs.sysRmdir],
  ['getcwd', fs.sysGetcwd],
  ['getdents64', fs.sysGetdents64],
  ['chdir', fs.sysChdir],
  ['fcntl', fs.sysFcntl],
  ['ioctl', fs.sysIoctl],
  ['mmap', mm.sysMmap],
  ['munmap', mm.sysMunmap],
  ['mprotect', mm.sysMprotect],
  ['brk', mm.sysBrk],
  ['getpid', proc.sysGetpid],
  ['getppid', proc.sysGetppid],
  ['gettid', proc.sysGettid],
  ['getuid', proc.sysGetuid],
  ['geteuid', proc.sysGetuid],
  ['getgid', proc.sysGetgid],
  ['getegid', proc.sysGetgid],
  ['clone', proc.sysClone],
  ['exit', proc.sysExit],
  ['exit_group', proc.sysExitGroup],
  ['kill', proc.sysKill],
  ['tgkill', proc.sysTgkill],
  ['set_tid_address', proc.sysSetTidAddress],
  ['arch_prctl', proc.sysArchPrctl],
  ['sched_yield', proc.sysSchedYield],
  ['uname', proc.sysUname],
  ['getrandom', proc.sysGetrandom],
  ['clock_gettime', proc.sysClockGettime],
  ['nanosleep', proc.sysNanosleep],
  ['clock_nanosleep', proc.sysClockNanosleep],
]);

/** Every errno a handler can return: the target's errno table must define them all. */
export const REQUIRED_ERRNOS: ReadonlyArray<string> = [
  'EPERM', 'ENOENT', 'ESRCH', 'ENXIO', 'EBADF', 'EAGAIN', 'ENOMEM', 'EACCES', 'EFAULT', 'EBUSY', 'EEXIST',
  'ENOTDIR', 'EISDIR', 'EINVAL', 'EMFILE', 'ENOTTY', 'EFBIG', 'ESPIPE', 'EROFS', 'EPIPE', 'ERANGE',
  'ENAMETOOLONG', 'ENOSYS', 'ENOTEMPTY', 'ELOOP', 'ENODEV', 'EOPNOTSUPP',
];
