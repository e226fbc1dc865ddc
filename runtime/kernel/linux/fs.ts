// The Linux personality's file calls: open/openat, read/write and their vector and
// positioned forms, lseek, close, the dup family, pipes, stat, directories (getdents64 among
// them), fcntl, ioctl.
//
// Each handler checks its arguments in the order Linux does, so the errno for a call with
// several things wrong is the one a real kernel returns (pread64 checks the offset before
// the fd; dup3 its flags before anything; open allocates the fd before the lookup, so a
// full table is EMFILE even for a missing file).
import { copyCost, PATH_COST } from '../clock.ts';
import { DirectoryFile, MAX_OFFSET, Pipe, PipeEnd, RegularFile, type OpenFile } from '../file.ts';
import type { Kernel } from '../kernel.ts';
import type { Thread } from '../process.ts';
import { argInt, argLong, argPtr, argUint, argUlong, type SyscallRegs } from '../regs.ts';
import { accessOk, copyFromUser, copyToUser, stringFromUser, byteString } from '../uaccess.ts';
import type { Inode, Lookup } from '../vfs.ts';
import {
  AT_EMPTY_PATH, AT_FDCWD, AT_NO_AUTOMOUNT, AT_REMOVEDIR, AT_SYMLINK_NOFOLLOW, F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD,
  F_GETFL, F_SETFD, F_SETFL, FD_CLOEXEC, IOV_MAX, IOVEC_SIZE, MAX_RW_COUNT, O_ACCMODE, O_APPEND, O_CLOEXEC, O_CREAT,
  O_DIRECT, O_DIRECTORY, O_EXCL, O_LARGEFILE, O_NOCTTY, O_NONBLOCK, O_RDONLY, O_RDWR, O_TMPFILE, O_TRUNC, O_WRONLY,
  SEEK_CUR, SEEK_DATA, SEEK_END, SEEK_HOLE, SEEK_SET, SIGPIPE, STAT, STAT_SIZE, DIRENT64, DT_CHR, DT_DIR, DT_FIFO,
  DT_LNK, DT_REG,
} from './abi.ts';
import type { HandlerResult } from './handlers.ts';

type Errno = string;

// ---- helpers -------------------------------------------------------------------------

function fileOf(t: Thread, fd: number): OpenFile | undefined {
  return t.process.fds.file(fd);
}

/** Reads a path argument and resolves it relative to dirfd (AT_FDCWD: the cwd). */
function lookupAt(k: Kernel, t: Thread, dirfd: number, pathPtr: number, emptyOk = false): Lookup | Errno {
  const path = stringFromUser(t.process.mem, pathPtr);
  if (path === 'EFAULT' || path === 'ENAMETOOLONG') return path;
  k.clock.advance(PATH_COST);
  let start = t.process.cwd;
  if (!path.startsWith('/') && dirfd !== AT_FDCWD) {
    const f = fileOf(t, dirfd);
    if (!f) return 'EBADF';
    if (path.length === 0 && emptyOk) return { dir: f.inode, name: '', inode: f.inode, trailingSlash: false };
    if (f.inode.kind !== 'dir') return 'ENOTDIR';
    start = f.inode;
  } else if (path.length === 0 && emptyOk) {
    return { dir: start, name: '', inode: start, trailingSlash: false };
  }
  return k.vfs.resolve(start, path);
}

/** True for the names a lookup can end in that are not real entries: '.', '..', '/'. */
function isDotName(l: Lookup): boolean {
  return l.name === '.' || l.name === '..' || l.name === '/';
}

function rwCount(count: number): number {
  return Math.min(count, MAX_RW_COUNT);
}

/** Copies a read's data to the user buffer at buf. */
function deliverTo(k: Kernel, t: Thread, buf: number) {
  return (chunk: Uint8Array): boolean => {
    k.clock.advance(copyCost(chunk.length));
    return copyToUser(t.process.mem, buf, chunk);
  };
}

function afterWrite(k: Kernel, t: Thread, r: number | Errno | { kind: string }): HandlerResult {
  if (r === 'EPIPE') k.sendSignal(t.process, SIGPIPE, t.process.pid);
  return r as HandlerResult;
}

// ---- open, close ---------------------------------------------------------------------

/** Flags open() keeps in the file (F_GETFL); creation-time flags are dropped. */
const OPEN_TIME_ONLY = O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC;

function doOpen(k: Kernel, t: Thread, dirfd: number, pathPtr: number, flags: number, mode: number): HandlerResult {
  const p = t.process;
  if ((flags & O_TMPFILE) === O_TMPFILE) return 'EOPNOTSUPP';
  if (p.fds.lowestFree() === null) return 'EMFILE';
  const l = lookupAt(k, t, dirfd, pathPtr);
  if (typeof l === 'string') return l;
  const acc = flags & O_ACCMODE;
  const wantsWrite = acc === O_WRONLY || acc === O_RDWR;
  let inode = l.inode;
  if (!inode) {
    if ((flags & O_CREAT) === 0) return 'ENOENT';
    if (l.trailingSlash) return 'EISDIR';
    if (l.dir.readOnly) return 'EROFS';
    if (!l.dir.linked) return 'ENOENT';
    inode = k.vfs.newInode('reg', mode & ~p.umask & 0o7777, false, null);
    inode.uid = k.uid;
    inode.gid = k.gid;
    k.vfs.link(l.dir, l.name, inode);
  } else {
    if ((flags & (O_CREAT | O_EXCL)) === (O_CREAT | O_EXCL)) return 'EEXIST';
    if (inode.kind === 'lnk') return 'ELOOP';
    if (inode.kind === 'dir') {
      if ((flags & O_CREAT) !== 0 || wantsWrite) return 'EISDIR';
    } else {
      if ((flags & O_DIRECTORY) !== 0 || l.trailingSlash) return 'ENOTDIR';
      if (inode.kind !== 'reg') return 'ENXIO';
      if (!inode.load()) return 'EACCES';
    }
    if (inode.readOnly && (wantsWrite || (flags & O_TRUNC) !== 0)) return 'EROFS';
    if ((flags & O_TRUNC) !== 0 && wantsWrite && inode.kind === 'reg') {
      inode.truncate(0);
      inode.mtimeNs = k.clock.now();
    }
  }
  const kept = (flags & ~OPEN_TIME_ONLY) | O_LARGEFILE;
  const file = inode.kind === 'dir' ? new DirectoryFile(inode, kept) : new RegularFile(inode, kept);
  return p.fds.alloc(file, (flags & O_CLOEXEC) !== 0);
}

export function sysOpen(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  return doOpen(k, t, AT_FDCWD, argPtr(r, 0), argInt(r, 1), argUint(r, 2));
}

export function sysOpenat(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  return doOpen(k, t, argInt(r, 0), argPtr(r, 1), argInt(r, 2), argUint(r, 3));
}

export function sysClose(_k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  return t.process.fds.close(argUint(r, 0)) ? 0 : 'EBADF';
}

// ---- read, write and their variants --------------------------------------------------

export function sysRead(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const f = fileOf(t, argUint(r, 0));
  const buf = argPtr(r, 1);
  const count = argUlong(r, 2);
  if (!f || !f.readable) return 'EBADF';
  if (!accessOk(buf, count)) return 'EFAULT';
  return f.read(rwCount(count), null, deliverTo(k, t, buf));
}

export function sysWrite(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const f = fileOf(t, argUint(r, 0));
  const buf = argPtr(r, 1);
  const count = argUlong(r, 2);
  if (!f || !f.writable) return 'EBADF';
  if (!accessOk(buf, count)) return 'EFAULT';
  const src = copyFromUser(t.process.mem, buf, rwCount(count));
  if (!src) return 'EFAULT';
  k.clock.advance(copyCost(src.length));
  return afterWrite(k, t, f.write(src, null, t.pending!.progress));
}

function positionedFile(t: Thread, r: SyscallRegs, want: 'read' | 'write'): OpenFile | Errno {
  if (argLong(r, 3) < 0) return 'EINVAL';
  const f = fileOf(t, argUint(r, 0));
  if (!f || !(want === 'read' ? f.readable : f.writable)) return 'EBADF';
  if (!f.seekable) return 'ESPIPE';
  return f;
}

export function sysPread64(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const f = positionedFile(t, r, 'read');
  if (typeof f === 'string') return f;
  const buf = argPtr(r, 1);
  const count = argUlong(r, 2);
  if (!accessOk(buf, count)) return 'EFAULT';
  return f.read(rwCount(count), argLong(r, 3), deliverTo(k, t, buf));
}

export function sysPwrite64(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const f = positionedFile(t, r, 'write');
  if (typeof f === 'string') return f;
  const buf = argPtr(r, 1);
  const count = argUlong(r, 2);
  if (!accessOk(buf, count)) return 'EFAULT';
  const src = copyFromUser(t.process.mem, buf, rwCount(count));
  if (!src) return 'EFAULT';
  k.clock.advance(copyCost(src.length));
  return f.write(src, argLong(r, 3), t.pending!.progress);
}

interface IoVec {
  base: number;
  len: number;
}

/** import_iovec: the array, each element's range, the total (capped at MAX_RW_COUNT). */
function importIovec(t: Thread, r: SyscallRegs): IoVec[] | Errno {
  const iovPtr = argPtr(r, 1);
  const count = argUlong(r, 2);
  if (count > IOV_MAX) return 'EINVAL';
  const raw = copyFromUser(t.process.mem, iovPtr, count * IOVEC_SIZE);
  if (!raw) return 'EFAULT';
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const vecs: IoVec[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const baseHi = view.getUint32(i * 16 + 4, true);
    const base = baseHi < 0x8000 ? baseHi * 2 ** 32 + view.getUint32(i * 16, true) : -1;
    const lenHi = view.getUint32(i * 16 + 12, true);
    if (lenHi >= 0x80000000) return 'EINVAL';
    let len = lenHi * 2 ** 32 + view.getUint32(i * 16 + 8, true);
    if (len === 0) continue;
    if (!accessOk(base, len)) return 'EFAULT';
    len = Math.min(len, MAX_RW_COUNT - total);
    total += len;
    vecs.push({ base, len });
  }
  return vecs;
}

export function sysReadv(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const f = fileOf(t, argUint(r, 0));
  if (!f || !f.readable) return 'EBADF';
  const vecs = importIovec(t, r);
  if (typeof vecs === 'string') return vecs;
  const total = vecs.reduce((n, v) => n + v.len, 0);
  const mem = t.process.mem;
  return f.read(total, null, (chunk) => {
    k.clock.advance(copyCost(chunk.length));
    let at = 0;
    for (const v of vecs) {
      if (at >= chunk.length) break;
      const piece = chunk.subarray(at, at + v.len);
      if (!copyToUser(mem, v.base, piece)) return false;
      at += piece.length;
    }
    return true;
  });
}

export function sysWritev(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const f = fileOf(t, argUint(r, 0));
  if (!f || !f.writable) return 'EBADF';
  const vecs = importIovec(t, r);
  if (typeof vecs === 'string') return vecs;
  const src = new Uint8Array(vecs.reduce((n, v) => n + v.len, 0));
  let at = 0;
  for (const v of vecs) {
    const piece = copyFromUser(t.process.mem, v.base, v.len);
    if (!piece) return 'EFAULT';
    src.set(piece, at);
    at += piece.length;
  }
  k.clock.advance(copyCost(src.length));
  return afterWrite(k, t, f.write(src, null, t.pending!.progress));
}

export function sysLseek(_k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const f = fileOf(t, argUint(r, 0));
  const offset = argLong(r, 1);
  const whence = argUint(r, 2);
  if (!f) return 'EBADF';
  if (whence > SEEK_HOLE) return 'EINVAL';
  if (!f.seekable) return 'ESPIPE';
  // Directories seek as tmpfs's do: SEEK_SET and SEEK_CUR only.
  if (f.inode.kind === 'dir' && whence !== SEEK_SET && whence !== SEEK_CUR) return 'EINVAL';
  const size = f.inode.kind === 'reg' ? f.inode.size : 0;
  let pos: number;
  switch (whence) {
    case SEEK_SET:
      pos = offset;
      break;
    case SEEK_CUR:
      pos = f.offset + offset;
      break;
    case SEEK_END:
      pos = size + offset;
      break;
    case SEEK_DATA:
      if (offset < 0 || offset >= size) return 'ENXIO';
      pos = offset;
      break;
    default:
      if (offset < 0 || offset >= size) return 'ENXIO';
      pos = size;
  }
  if (pos < 0 || pos > MAX_OFFSET) return 'EINVAL';
  f.offset = pos;
  return pos;
}

// ---- descriptors ---------------------------------------------------------------------

export function sysDup(_k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const f = fileOf(t, argUint(r, 0));
  if (!f) return 'EBADF';
  return t.process.fds.alloc(f, false);
}

function doDup3(t: Thread, oldfd: number, newfd: number, cloexec: boolean): HandlerResult {
  const fds = t.process.fds;
  if (newfd >= fds.limit) return 'EBADF';
  const f = fds.file(oldfd);
  if (!f) return 'EBADF';
  fds.install(newfd, f, cloexec);
  return newfd;
}

export function sysDup2(_k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const oldfd = argUint(r, 0);
  const newfd = argUint(r, 1);
  if (oldfd === newfd) return fileOf(t, oldfd) ? newfd : 'EBADF';
  return doDup3(t, oldfd, newfd, false);
}

export function sysDup3(_k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const flags = argInt(r, 2);
  if ((flags & ~O_CLOEXEC) !== 0) return 'EINVAL';
  const oldfd = argUint(r, 0);
  const newfd = argUint(r, 1);
  if (oldfd === newfd) return 'EINVAL';
  return doDup3(t, oldfd, newfd, (flags & O_CLOEXEC) !== 0);
}

function doPipe2(k: Kernel, t: Thread, fdsPtr: number, flags: number): HandlerResult {
  if ((flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) !== 0) return 'EINVAL';
  const fds = t.process.fds;
  const pipe = new Pipe();
  const inode = k.vfs.newInode('fifo', 0o600, false, null);
  inode.uid = k.uid;
  inode.gid = k.gid;
  const status = flags & O_NONBLOCK;
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const readEnd = new PipeEnd(inode, O_RDONLY | status, pipe);
  const writeEnd = new PipeEnd(inode, O_WRONLY | status, pipe);
  const rfd = fds.alloc(readEnd, cloexec);
  if (rfd === 'EMFILE') {
    readEnd.release();
    writeEnd.release();
    return 'EMFILE';
  }
  const wfd = fds.alloc(writeEnd, cloexec);
  if (wfd === 'EMFILE') {
    fds.close(rfd);
    writeEnd.release();
    return 'EMFILE';
  }
  const out = new Uint8Array(8);
  new DataView(out.buffer).setInt32(0, rfd, true);
  new DataView(out.buffer).setInt32(4, wfd, true);
  if (!copyToUser(t.process.mem, fdsPtr, out)) {
    fds.close(rfd);
    fds.close(wfd);
    return 'EFAULT';
  }
  return 0;
}

export function sysPipe(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  return doPipe2(k, t, argPtr(r, 0), 0);
}

export function sysPipe2(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  return doPipe2(k, t, argPtr(r, 0), argInt(r, 1));
}

export function sysFcntl(_k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const fd = argUint(r, 0);
  const cmd = argUint(r, 1);
  const fds = t.process.fds;
  const slot = fds.get(fd);
  if (!slot) return 'EBADF';
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
      const min = argUlong(r, 2);
      if (min >= fds.limit) return 'EINVAL';
      return fds.alloc(slot.file, cmd === F_DUPFD_CLOEXEC, min);
    }
    case F_GETFD:
      return slot.cloexec ? FD_CLOEXEC : 0;
    case F_SETFD:
      slot.cloexec = (argUint(r, 2) & FD_CLOEXEC) !== 0;
      return 0;
    case F_GETFL:
      return slot.file.flags;
    case F_SETFL: {
      const settable = O_APPEND | O_NONBLOCK;
      slot.file.flags = (slot.file.flags & ~settable) | (argUint(r, 2) & settable);
      return 0;
    }
    default:
      return 'EINVAL';
  }
}

export function sysIoctl(_k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  // No file here is a terminal or implements device ioctls.
  return fileOf(t, argUint(r, 0)) ? 'ENOTTY' : 'EBADF';
}

// ---- stat ----------------------------------------------------------------------------

/** st_dev: 1 for the in-memory tree, 2 for host mounts, 0xc (pipefs) for pipes and streams. */
function deviceOf(inode: Inode): number {
  return inode.kind === 'fifo' ? 0xc : inode.readOnly ? 2 : 1;
}

/** struct stat for inode; times are CLOCK_REALTIME (boot time + virtual time since boot). */
export function encodeStat(inode: Inode, bootRealtimeSec: number): Uint8Array {
  const out = new Uint8Array(STAT_SIZE);
  const v = new DataView(out.buffer);
  const u64 = (off: number, n: number) => v.setBigUint64(off, BigInt(n), true);
  u64(STAT.dev, deviceOf(inode));
  u64(STAT.ino, inode.ino);
  u64(STAT.nlink, inode.nlink);
  v.setUint32(STAT.mode, inode.mode, true);
  v.setUint32(STAT.uid, inode.uid, true);
  v.setUint32(STAT.gid, inode.gid, true);
  u64(STAT.rdev, inode.rdev);
  const size = inode.kind === 'reg' || inode.kind === 'lnk' ? inode.size : inode.kind === 'dir' ? 4096 : 0;
  u64(STAT.size, size);
  u64(STAT.blksize, 4096);
  u64(STAT.blocks, Math.ceil(size / 4096) * 8);
  const sinceBoot = Math.floor(inode.mtimeNs / 1e9);
  const sec = bootRealtimeSec + sinceBoot;
  const nsec = inode.mtimeNs - sinceBoot * 1e9;
  for (const [s, ns] of [
    [STAT.atime, STAT.atimeNsec],
    [STAT.mtime, STAT.mtimeNsec],
    [STAT.ctime, STAT.ctimeNsec],
  ] as const) {
    u64(s, sec);
    u64(ns, nsec);
  }
  return out;
}

function statTo(k: Kernel, t: Thread, inode: Inode, buf: number): HandlerResult {
  k.clock.advance(copyCost(STAT_SIZE));
  return copyToUser(t.process.mem, buf, encodeStat(inode, k.bootRealtimeSec)) ? 0 : 'EFAULT';
}

export function sysFstat(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const f = fileOf(t, argUint(r, 0));
  if (!f) return 'EBADF';
  return statTo(k, t, f.inode, argPtr(r, 1));
}

export function sysNewfstatat(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const flags = argInt(r, 3);
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)) !== 0) return 'EINVAL';
  const l = lookupAt(k, t, argInt(r, 0), argPtr(r, 1), (flags & AT_EMPTY_PATH) !== 0);
  if (typeof l === 'string') return l;
  const inode = l.inode;
  if (!inode) return 'ENOENT';
  if (l.trailingSlash && inode.kind !== 'dir') return 'ENOTDIR';
  if (inode.kind === 'lnk' && (flags & AT_SYMLINK_NOFOLLOW) === 0) return 'ELOOP';
  return statTo(k, t, inode, argPtr(r, 2));
}

// ---- directories and names -----------------------------------------------------------

function doUnlink(k: Kernel, t: Thread, dirfd: number, pathPtr: number): HandlerResult {
  const l = lookupAt(k, t, dirfd, pathPtr);
  if (typeof l === 'string') return l;
  if (isDotName(l)) return 'EISDIR';
  if (l.dir.readOnly) return 'EROFS';
  if (!l.inode) return 'ENOENT';
  if (l.inode.kind === 'dir') return 'EISDIR';
  if (l.trailingSlash) return 'ENOTDIR';
  k.vfs.unlink(l.dir, l.name);
  return 0;
}

function doRmdir(k: Kernel, t: Thread, dirfd: number, pathPtr: number): HandlerResult {
  const l = lookupAt(k, t, dirfd, pathPtr);
  if (typeof l === 'string') return l;
  if (l.name === '..') return 'ENOTEMPTY';
  if (l.name === '.') return 'EINVAL';
  if (l.name === '/') return 'EBUSY';
  if (l.dir.readOnly) return 'EROFS';
  if (!l.inode) return 'ENOENT';
  if (l.inode.kind !== 'dir') return 'ENOTDIR';
  if (l.inode.children.size > 0) return 'ENOTEMPTY';
  k.vfs.unlink(l.dir, l.name);
  return 0;
}

function doMkdir(k: Kernel, t: Thread, dirfd: number, pathPtr: number, mode: number): HandlerResult {
  const l = lookupAt(k, t, dirfd, pathPtr);
  if (typeof l === 'string') return l;
  if (isDotName(l)) return 'EEXIST';
  if (l.dir.readOnly) return 'EROFS';
  if (l.inode) return 'EEXIST';
  if (!l.dir.linked) return 'ENOENT';
  const dir = k.vfs.newInode('dir', mode & ~t.process.umask & 0o1777, false, null);
  dir.uid = k.uid;
  dir.gid = k.gid;
  k.vfs.link(l.dir, l.name, dir);
  return 0;
}

export function sysUnlink(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  return doUnlink(k, t, AT_FDCWD, argPtr(r, 0));
}

export function sysUnlinkat(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const flags = argInt(r, 2);
  if ((flags & ~AT_REMOVEDIR) !== 0) return 'EINVAL';
  return (flags & AT_REMOVEDIR) !== 0 ? doRmdir(k, t, argInt(r, 0), argPtr(r, 1)) : doUnlink(k, t, argInt(r, 0), argPtr(r, 1));
}

export function sysRmdir(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  return doRmdir(k, t, AT_FDCWD, argPtr(r, 0));
}

export function sysMkdir(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  return doMkdir(k, t, AT_FDCWD, argPtr(r, 0), argUint(r, 1));
}

export function sysMkdirat(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  return doMkdir(k, t, argInt(r, 0), argPtr(r, 1), argUint(r, 2));
}

export function sysGetcwd(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const path = k.vfs.pathOf(t.process.cwd);
  if (path === null) return 'ENOENT';
  const bytes = byteString(path + '\0');
  if (argUlong(r, 1) < bytes.length) return 'ERANGE';
  return copyToUser(t.process.mem, argPtr(r, 0), bytes) ? bytes.length : 'EFAULT';
}

const DT: Record<Inode['kind'], number> = { reg: DT_REG, dir: DT_DIR, lnk: DT_LNK, fifo: DT_FIFO, chr: DT_CHR };

/**
 * getdents64(fd, dirp, count), as Linux's fs/readdir.c with tmpfs's listing: `.`, `..`,
 * then the directory's entries (Vfs.list); the file offset is the index of the next entry
 * (what each record's d_off holds, so lseek to a d_off resumes after it). Records are
 * written while they fit in count bytes; the first not fitting is EINVAL. A directory
 * removed while open lists nothing (ENOENT).
 */
export function sysGetdents64(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const f = fileOf(t, argUint(r, 0));
  if (!f) return 'EBADF';
  const dir = f.inode;
  if (dir.kind !== 'dir') return 'ENOTDIR';
  if (!dir.linked) return 'ENOENT';
  const count = argUint(r, 2);
  const entries: Array<[string, Inode]> = [['.', dir], ['..', dir.parent], ...k.vfs.list(dir)];
  const records: Array<[string, Inode, number]> = [];
  let used = 0;
  for (let pos = f.offset; pos < entries.length; pos++) {
    const [name, inode] = entries[pos]!;
    const reclen = (DIRENT64.name + name.length + 1 + 7) & ~7;
    if (used + reclen > count) {
      if (used === 0) return 'EINVAL';
      break;
    }
    records.push([name, inode, reclen]);
    used += reclen;
  }
  if (used === 0) return 0;
  const out = new Uint8Array(used);
  const view = new DataView(out.buffer);
  let at = 0;
  let next = f.offset;
  for (const [name, inode, reclen] of records) {
    view.setBigUint64(at + DIRENT64.ino, BigInt(inode.ino), true);
    view.setBigInt64(at + DIRENT64.off, BigInt(++next), true);
    view.setUint16(at + DIRENT64.reclen, reclen, true);
    out[at + DIRENT64.type] = DT[inode.kind];
    out.set(byteString(name), at + DIRENT64.name);
    at += reclen;
  }
  if (!copyToUser(t.process.mem, argPtr(r, 1), out)) return 'EFAULT';
  k.clock.advance(copyCost(used));
  f.offset = next;
  return used;
}

export function sysChdir(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const l = lookupAt(k, t, AT_FDCWD, argPtr(r, 0));
  if (typeof l === 'string') return l;
  if (!l.inode) return 'ENOENT';
  if (l.inode.kind === 'lnk') return 'ELOOP';
  if (l.inode.kind !== 'dir') return 'ENOTDIR';
  t.process.cwd = l.inode;
  return 0;
}
