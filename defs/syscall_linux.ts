// The portable API on linux/amd64, linux/386 and linux/arm64, over the generated
// wrappers, as Go's syscall_linux.go implements it. Linux has retired the path calls
// in favour of their *at forms (arm64's generic table never had open or pipe), so
// Open is openat(AT_FDCWD, …) and Pipe is pipe2(p, 0) on every architecture; Seek is
// lseek where a 64-bit offset fits one register and _llseek on linux/386, which passes
// the offset in two words and receives the result through memory.
//
// The //portable markers say which call each function makes (see portable.ts); a
// marker without targets holds for all three linux targets.
import type { Errno, Go } from '../runtime/syscall.ts';
import * as z386 from '../generated/zsyscall_linux_386.ts';
import * as zamd64 from '../generated/zsyscall_linux_amd64.ts';
import * as zarm64 from '../generated/zsyscall_linux_arm64.ts';
import { pipeFds, type OpenFlags, type Portable } from './portable.ts';

const AT_FDCWD = -100;

/** Go's syscall O_* values for linux (the same on the three architectures here). */
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

/** The generated wrappers every linux architecture has, which the portable API uses. */
type LinuxWrappers = Pick<typeof zamd64, 'openat' | 'read' | 'write' | 'Close' | 'pipe2' | 'Getpid' | 'Exit'>;
type SeekFunction = Portable['Seek'];

/**
 * The portable API of one linux architecture. `largeFile` is that architecture's
 * O_LARGEFILE, which Go's Open adds to every open (0x8000 on 386, 0 where offsets are
 * 64-bit anyway).
 */
function linuxPortable(target: string, z: LinuxWrappers, seek: SeekFunction, largeFile: number): Portable {
  return {
    target,
    O,
    //portable	Open	openat
    *Open(path: string, flags: number, perm: number) {
      return yield* z.openat(AT_FDCWD, path, flags | largeFile, perm);
    },
    //portable	Read	read
    *Read(fd: number, p: Uint8Array) {
      return yield* z.read(fd, p);
    },
    //portable	Write	write
    *Write(fd: number, p: Uint8Array) {
      return yield* z.write(fd, p);
    },
    //portable	Close	close
    *Close(fd: number) {
      return yield* z.Close(fd);
    },
    Seek: seek,
    //portable	Pipe	pipe2
    *Pipe() {
      const p = new Uint8Array(8);
      const [err] = yield* z.pipe2(p, 0);
      return [pipeFds(p), err];
    },
    //portable	Getpid	getpid
    *Getpid() {
      return yield* z.Getpid();
    },
    //portable	Exit	exit_group
    *Exit(code: number) {
      return yield* z.Exit(code);
    },
  };
}

//portable	Seek	lseek	linux/amd64,linux/arm64
function* seekAmd64(fd: number, offset: bigint, whence: number): Go<[off: bigint, err: Errno | null]> {
  return yield* zamd64.Seek(fd, offset, whence);
}

function* seekArm64(fd: number, offset: bigint, whence: number): Go<[off: bigint, err: Errno | null]> {
  return yield* zarm64.Seek(fd, offset, whence);
}

//portable	Seek	_llseek	linux/386
function* seek386(fd: number, offset: bigint, whence: number): Go<[off: bigint, err: Errno | null]> {
  const result = new Uint8Array(8);
  const hi = Number(BigInt.asIntN(32, offset >> 32n));
  const lo = Number(BigInt.asUintN(32, offset));
  const [err] = yield* z386._llseek(fd, hi, lo, result, whence);
  return [new DataView(result.buffer).getBigInt64(0, true), err];
}

export const linux_amd64: Portable = linuxPortable('linux/amd64', zamd64, seekAmd64, 0);
export const linux_386: Portable = linuxPortable('linux/386', z386, seek386, 0x8000);
export const linux_arm64: Portable = linuxPortable('linux/arm64', zarm64, seekArm64, 0);
