// The Linux x86-64 user ABI constants the kernel's Linux personality and the strace
// decoder share: open flags, AT_* flags, file types, fcntl commands, mmap flags, clock
// ids, signal numbers and the layouts of the structures copied to user memory.
//
// Invariant: every value here is the number the real x86-64 Linux uses; the decoder
// prints names from exactly these tables, so a value has one definition.

export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_NO_AUTOMOUNT = 0x800;
export const AT_EMPTY_PATH = 0x1000;

export const O_ACCMODE = 3;
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const O_ASYNC = 0o20000;
export const O_DIRECT = 0o40000;
export const O_LARGEFILE = 0o100000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const O_SYNC = 0o4010000;
export const O_PATH = 0o10000000;
export const O_TMPFILE = 0o20200000;

/** Open flags in the order strace prints them (multi-bit flags first so they win). */
export const OPEN_FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [O_TMPFILE, 'O_TMPFILE'],
  [O_SYNC, 'O_SYNC'],
  [O_CREAT, 'O_CREAT'],
  [O_EXCL, 'O_EXCL'],
  [O_NOCTTY, 'O_NOCTTY'],
  [O_TRUNC, 'O_TRUNC'],
  [O_APPEND, 'O_APPEND'],
  [O_NONBLOCK, 'O_NONBLOCK'],
  [O_DSYNC, 'O_DSYNC'],
  [O_ASYNC, 'O_ASYNC'],
  [O_DIRECT, 'O_DIRECT'],
  [O_LARGEFILE, 'O_LARGEFILE'],
  [O_DIRECTORY, 'O_DIRECTORY'],
  [O_NOFOLLOW, 'O_NOFOLLOW'],
  [O_NOATIME, 'O_NOATIME'],
  [O_CLOEXEC, 'O_CLOEXEC'],
  [O_PATH, 'O_PATH'],
];

export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
export const FILE_TYPE_NAMES: ReadonlyArray<readonly [number, string]> = [
  [S_IFSOCK, 'S_IFSOCK'],
  [S_IFLNK, 'S_IFLNK'],
  [S_IFREG, 'S_IFREG'],
  [S_IFBLK, 'S_IFBLK'],
  [S_IFDIR, 'S_IFDIR'],
  [S_IFCHR, 'S_IFCHR'],
  [S_IFIFO, 'S_IFIFO'],
];

/** struct linux_dirent64: d_ino (u64), d_off (s64), d_reclen (u16), d_type (u8), then d_name, NUL-terminated; records 8-byte aligned. */
export const DIRENT64 = { ino: 0, off: 8, reclen: 16, type: 18, name: 19 } as const;
/** d_type values (DT_*). */
export const DT_FIFO = 1;
export const DT_CHR = 2;
export const DT_DIR = 4;
export const DT_REG = 8;
export const DT_LNK = 10;

export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;
export const WHENCE_NAMES = ['SEEK_SET', 'SEEK_CUR', 'SEEK_END', 'SEEK_DATA', 'SEEK_HOLE'];

export const F_DUPFD = 0;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_DUPFD_CLOEXEC = 1030;
export const FD_CLOEXEC = 1;
export const FCNTL_CMD_NAMES: ReadonlyMap<number, string> = new Map([
  [F_DUPFD, 'F_DUPFD'],
  [F_GETFD, 'F_GETFD'],
  [F_SETFD, 'F_SETFD'],
  [F_GETFL, 'F_GETFL'],
  [F_SETFL, 'F_SETFL'],
  [5, 'F_GETLK'],
  [6, 'F_SETLK'],
  [7, 'F_SETLKW'],
  [F_DUPFD_CLOEXEC, 'F_DUPFD_CLOEXEC'],
]);

export const TCGETS = 0x5401;
export const IOCTL_NAMES: ReadonlyMap<number, string> = new Map([
  [TCGETS, 'TCGETS'],
  [0x5402, 'TCSETS'],
  [0x5413, 'TIOCGWINSZ'],
  [0x541b, 'FIONREAD'],
  [0x5421, 'FIONBIO'],
]);

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;
export const PROT_NAMES: ReadonlyArray<readonly [number, string]> = [
  [1, 'PROT_READ'],
  [2, 'PROT_WRITE'],
  [4, 'PROT_EXEC'],
  [0x01000000, 'PROT_GROWSDOWN'],
  [0x02000000, 'PROT_GROWSUP'],
];

export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_SHARED_VALIDATE = 0x03;
export const MAP_TYPE = 0x0f;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_FIXED_NOREPLACE = 0x100000;
export const MAP_FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [MAP_FIXED, 'MAP_FIXED'],
  [MAP_ANONYMOUS, 'MAP_ANONYMOUS'],
  [0x40, 'MAP_32BIT'],
  [0x100, 'MAP_GROWSDOWN'],
  [0x800, 'MAP_DENYWRITE'],
  [0x1000, 'MAP_EXECUTABLE'],
  [0x2000, 'MAP_LOCKED'],
  [0x4000, 'MAP_NORESERVE'],
  [0x8000, 'MAP_POPULATE'],
  [0x10000, 'MAP_NONBLOCK'],
  [0x20000, 'MAP_STACK'],
  [0x40000, 'MAP_HUGETLB'],
  [0x80000, 'MAP_SYNC'],
  [MAP_FIXED_NOREPLACE, 'MAP_FIXED_NOREPLACE'],
];

export const CLOCK_NAMES = [
  'CLOCK_REALTIME',
  'CLOCK_MONOTONIC',
  'CLOCK_PROCESS_CPUTIME_ID',
  'CLOCK_THREAD_CPUTIME_ID',
  'CLOCK_MONOTONIC_RAW',
  'CLOCK_REALTIME_COARSE',
  'CLOCK_MONOTONIC_COARSE',
  'CLOCK_BOOTTIME',
  'CLOCK_REALTIME_ALARM',
  'CLOCK_BOOTTIME_ALARM',
  undefined,
  'CLOCK_TAI',
];

export const ARCH_SET_GS = 0x1001;
export const ARCH_SET_FS = 0x1002;
export const ARCH_GET_FS = 0x1003;
export const ARCH_GET_GS = 0x1004;
export const ARCH_PRCTL_NAMES: ReadonlyMap<number, string> = new Map([
  [ARCH_SET_GS, 'ARCH_SET_GS'],
  [ARCH_SET_FS, 'ARCH_SET_FS'],
  [ARCH_GET_FS, 'ARCH_GET_FS'],
  [ARCH_GET_GS, 'ARCH_GET_GS'],
]);

/** clone(2) flags (the ones a thread library passes, and the signal in the low byte). */
export const CLONE_VM = 0x100;
export const CLONE_FS = 0x200;
export const CLONE_FILES = 0x400;
export const CLONE_SIGHAND = 0x800;
export const CLONE_THREAD = 0x10000;
export const CLONE_SYSVSEM = 0x40000;
export const CLONE_SETTLS = 0x80000;
export const CLONE_PARENT_SETTID = 0x100000;
export const CLONE_CHILD_CLEARTID = 0x200000;
export const CLONE_CHILD_SETTID = 0x1000000;
/** In strace's order. */
export const CLONE_FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [CLONE_VM, 'CLONE_VM'],
  [CLONE_FS, 'CLONE_FS'],
  [CLONE_FILES, 'CLONE_FILES'],
  [CLONE_SIGHAND, 'CLONE_SIGHAND'],
  [0x2000, 'CLONE_PTRACE'],
  [0x4000, 'CLONE_VFORK'],
  [0x8000, 'CLONE_PARENT'],
  [CLONE_THREAD, 'CLONE_THREAD'],
  [0x20000, 'CLONE_NEWNS'],
  [CLONE_SYSVSEM, 'CLONE_SYSVSEM'],
  [CLONE_SETTLS, 'CLONE_SETTLS'],
  [CLONE_PARENT_SETTID, 'CLONE_PARENT_SETTID'],
  [CLONE_CHILD_CLEARTID, 'CLONE_CHILD_CLEARTID'],
  [CLONE_CHILD_SETTID, 'CLONE_CHILD_SETTID'],
];

export const GRND_NONBLOCK = 1;
export const GRND_RANDOM = 2;
export const GRND_INSECURE = 4;
export const GRND_NAMES: ReadonlyArray<readonly [number, string]> = [
  [GRND_NONBLOCK, 'GRND_NONBLOCK'],
  [GRND_RANDOM, 'GRND_RANDOM'],
  [GRND_INSECURE, 'GRND_INSECURE'],
];

/** Signal names indexed by number (1..31 as on x86-64; 32..64 are real-time). */
export const SIGNAL_NAMES = [
  undefined, 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE',
  'SIGKILL', 'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT',
  'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU',
  'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS',
];
export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGFPE = 8;
export const SIGKILL = 9;
export const SIGSEGV = 11;
export const SIGPIPE = 13;
export const NSIG = 64;
/** Signals whose default action is to do nothing (or only stop/continue). */
export const SIGNALS_NOT_FATAL_BY_DEFAULT: ReadonlySet<number> = new Set([17, 18, 19, 20, 21, 22, 23, 28]);

export function signalName(sig: number): string {
  if (sig >= 1 && sig < SIGNAL_NAMES.length) return SIGNAL_NAMES[sig]!;
  if (sig >= 32 && sig <= NSIG) return sig === 32 ? 'SIGRTMIN' : `SIGRT_${sig - 32}`;
  return String(sig);
}

export const PAGE_SIZE = 4096;
export const PATH_MAX = 4096;
export const NAME_MAX = 255;
export const PIPE_BUF = 4096;
export const PIPE_CAPACITY = 65536;
export const IOV_MAX = 1024;
/** Largest count read/write transfer at once: INT_MAX rounded down to a page. */
export const MAX_RW_COUNT = 0x7ffff000;

/** struct stat on x86-64: 144 bytes; byte offsets of the fields the kernel fills. */
export const STAT_SIZE = 144;
export const STAT = {
  dev: 0, ino: 8, nlink: 16, mode: 24, uid: 28, gid: 32, rdev: 40, size: 48, blksize: 56,
  blocks: 64, atime: 72, atimeNsec: 80, mtime: 88, mtimeNsec: 96, ctime: 104, ctimeNsec: 112,
} as const;
/** struct timespec: tv_sec (8 bytes) then tv_nsec (8 bytes). */
export const TIMESPEC_SIZE = 16;
/** struct iovec: iov_base (8 bytes) then iov_len (8 bytes). */
export const IOVEC_SIZE = 16;
/** struct utsname: six NUL-padded 65-byte fields. */
export const UTSNAME_FIELD = 65;
export const UTSNAME_FIELDS = ['sysname', 'nodename', 'release', 'version', 'machine', 'domainname'] as const;
