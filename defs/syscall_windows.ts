// The portable API on windows/amd64, over the generated kernel32 wrappers, as Go's
// syscall_windows.go implements it. A descriptor is a HANDLE. Open translates the
// unix-style flags Go defines for windows into CreateFileW's desired access, share mode,
// creation disposition and attributes; Read maps ERROR_BROKEN_PIPE (the writer closed
// its end) to end of file; Seek passes the high half of the offset through a pointer to
// SetFilePointer and joins the halves it gives back.
//
// The //portable markers say which kernel32 procedure each function calls (see
// portable.ts).
import { ERROR_BROKEN_PIPE } from '../generated/zerrors_windows.ts';
import * as z from '../generated/zsyscall_windows_amd64.ts';
import type { OpenFlags, Portable } from './portable.ts';

/** Go's syscall O_* values for windows (its own choice; the kernel has no such flags). */
export const O: OpenFlags = {
  O_RDONLY: 0x0,
  O_WRONLY: 0x1,
  O_RDWR: 0x2,
  O_CREAT: 0x40,
  O_EXCL: 0x80,
  O_TRUNC: 0x200,
  O_APPEND: 0x400,
  O_CLOEXEC: 0x80000,
};

const GENERIC_READ = 0x80000000;
const GENERIC_WRITE = 0x40000000;
const FILE_APPEND_DATA = 0x4;
const FILE_SHARE_READ = 0x1;
const FILE_SHARE_WRITE = 0x2;
const CREATE_NEW = 1;
const CREATE_ALWAYS = 2;
const OPEN_EXISTING = 3;
const OPEN_ALWAYS = 4;
const TRUNCATE_EXISTING = 5;
const FILE_ATTRIBUTE_READONLY = 0x1;
const FILE_ATTRIBUTE_NORMAL = 0x80;
/** The owner-write permission bit (S_IWRITE): without it Go asks for a read-only file (CreateFileW
 *  applies attributes only when it creates the file). */
const S_IWRITE = 0x80;

/** CreateFileW's arguments for Go-style open flags and permission bits. */
export function createFileArguments(flags: number, perm: number): { access: number; share: number; disposition: number; attrs: number; inherit: boolean } {
  let access: number;
  switch (flags & (O.O_RDONLY | O.O_WRONLY | O.O_RDWR)) {
    case O.O_WRONLY:
      access = GENERIC_WRITE;
      break;
    case O.O_RDWR:
      access = GENERIC_READ | GENERIC_WRITE;
      break;
    default:
      access = GENERIC_READ;
  }
  if (flags & O.O_CREAT) access |= GENERIC_WRITE;
  if (flags & O.O_APPEND) access = (access & ~GENERIC_WRITE) | FILE_APPEND_DATA;
  let disposition: number;
  if ((flags & (O.O_CREAT | O.O_EXCL)) === (O.O_CREAT | O.O_EXCL)) disposition = CREATE_NEW;
  else if ((flags & (O.O_CREAT | O.O_TRUNC)) === (O.O_CREAT | O.O_TRUNC)) disposition = CREATE_ALWAYS;
  else if (flags & O.O_CREAT) disposition = OPEN_ALWAYS;
  else if (flags & O.O_TRUNC) disposition = TRUNCATE_EXISTING;
  else disposition = OPEN_EXISTING;
  const attrs = (perm & S_IWRITE) === 0 ? FILE_ATTRIBUTE_READONLY : FILE_ATTRIBUTE_NORMAL;
  return { access: access >>> 0, share: FILE_SHARE_READ | FILE_SHARE_WRITE, disposition, attrs, inherit: (flags & O.O_CLOEXEC) === 0 };
}

/** A SECURITY_ATTRIBUTES (amd64 layout: nLength, a pad, lpSecurityDescriptor, bInheritHandle) asking for an inheritable handle. */
function inheritableSecurityAttributes(): Uint8Array {
  const sa = new Uint8Array(24);
  const v = new DataView(sa.buffer);
  v.setUint32(0, sa.length, true);
  v.setUint32(16, 1, true);
  return sa;
}

export const windows_amd64: Portable = {
  target: 'windows/amd64',
  O,
  //portable	Open	CreateFileW
  *Open(path: string, flags: number, perm: number) {
    const a = createFileArguments(flags, perm);
    return yield* z.CreateFile(path, a.access, a.share, a.inherit ? inheritableSecurityAttributes() : 0, a.disposition, a.attrs, 0);
  },
  //portable	Read	ReadFile
  *Read(fd: number, p: Uint8Array) {
    const done = new Uint8Array(4);
    const [err] = yield* z.ReadFile(fd, p, done, 0);
    if (err === ERROR_BROKEN_PIPE) return [0, null];
    return [new DataView(done.buffer).getUint32(0, true), err];
  },
  //portable	Write	WriteFile
  *Write(fd: number, p: Uint8Array) {
    const done = new Uint8Array(4);
    const [err] = yield* z.WriteFile(fd, p, done, 0);
    return [new DataView(done.buffer).getUint32(0, true), err];
  },
  //portable	Close	CloseHandle
  *Close(fd: number) {
    return yield* z.CloseHandle(fd);
  },
  //portable	Seek	SetFilePointer
  *Seek(fd: number, offset: bigint, whence: number) {
    const high = new Uint8Array(4);
    const v = new DataView(high.buffer);
    v.setInt32(0, Number(BigInt.asIntN(32, offset >> 32n)), true);
    const [low, err] = yield* z.SetFilePointer(fd, Number(BigInt.asIntN(32, offset)), high, whence);
    if (err !== null) return [0n, err];
    return [(BigInt(v.getInt32(0, true)) << 32n) | BigInt(low), null];
  },
  //portable	Pipe	CreatePipe
  *Pipe() {
    const r = new Uint8Array(8);
    const w = new Uint8Array(8);
    const [err] = yield* z.CreatePipe(r, w, 0, 0);
    const handle = (b: Uint8Array) => Number(new DataView(b.buffer).getBigInt64(0, true));
    return [[handle(r), handle(w)], err];
  },
  //portable	Getpid	GetCurrentProcessId
  *Getpid() {
    return yield* z.GetCurrentProcessId();
  },
  //portable	Exit	ExitProcess
  *Exit(code: number) {
    return yield* z.ExitProcess(code >>> 0);
  },
};
