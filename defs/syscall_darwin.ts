// The portable API on darwin/amd64, over the generated wrappers, which reach the kernel
// through libSystem trampolines as modern Go does: Open is open(3), Seek lseek and Pipe
// pipe(2) (darwin has no pipe2), as Go's syscall_darwin.go does. The libc function each
// wrapper calls has the name of the system call it makes.
//
// The //portable markers say which call each function makes (see portable.ts).
import * as z from '../generated/zsyscall_darwin_amd64.ts';
import { pipeFds, type Portable } from './portable.ts';

export const darwin_amd64: Portable = {
  target: 'darwin/amd64',
  /** Go's syscall O_* values for darwin. */
  O: {
    O_RDONLY: 0x0,
    O_WRONLY: 0x1,
    O_RDWR: 0x2,
    O_CREAT: 0x200,
    O_EXCL: 0x800,
    O_TRUNC: 0x400,
    O_APPEND: 0x8,
    O_CLOEXEC: 0x1000000,
  },
  //portable	Open	open
  *Open(path: string, flags: number, perm: number) {
    return yield* z.open(path, flags, perm);
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
  //portable	Seek	lseek
  *Seek(fd: number, offset: bigint, whence: number) {
    return yield* z.Seek(fd, offset, whence);
  },
  //portable	Pipe	pipe
  *Pipe() {
    const p = new Uint8Array(8);
    const [err] = yield* z.pipe(p);
    return [pipeFds(p), err];
  },
  //portable	Getpid	getpid
  *Getpid() {
    return yield* z.Getpid();
  },
  //portable	Exit	exit
  *Exit(code: number) {
    return yield* z.Exit(code);
  },
};
