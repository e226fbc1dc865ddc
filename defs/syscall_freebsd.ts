// The portable API on freebsd/amd64, over the generated wrappers: FreeBSD still has the
// path calls, so Open is open(2); Seek is lseek (a 64-bit offset in one register) and
// Pipe is pipe2(p, 0), as Go's syscall_freebsd.go does. Errors come back through the
// carry flag; the generated wrappers already turn them into Errno values.
//
// The //portable markers say which call each function makes (see portable.ts).
import * as z from '../generated/zsyscall_freebsd_amd64.ts';
import { pipeFds, type Portable } from './portable.ts';

export const freebsd_amd64: Portable = {
  target: 'freebsd/amd64',
  /** Go's syscall O_* values for freebsd. */
  O: {
    O_RDONLY: 0x0,
    O_WRONLY: 0x1,
    O_RDWR: 0x2,
    O_CREAT: 0x200,
    O_EXCL: 0x800,
    O_TRUNC: 0x400,
    O_APPEND: 0x8,
    O_CLOEXEC: 0x100000,
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
  //portable	Exit	exit
  *Exit(code: number) {
    return yield* z.Exit(code);
  },
};
