// The portable API every target implements by hand over its generated wrappers, as Go's
// syscall package does in syscall_<os>.go beside the //sys lines: Open, Read, Write,
// Close, Seek, Pipe, Getpid, Exit. Each syscall_<os>.ts beside this file exports one
// Portable per target of its OS.
//
// Invariants:
// - Every function above each implementation carries one marker line naming the call it
//   makes on its targets (`//portable	Open	openat`, optionally followed by the
//   os/arch targets it is limited to). `mksyscall table` reads those markers as text and
//   test/generator/portable.test.ts fails when a marker and the code disagree.
// - Open takes the target's own O_* values (Portable.O), as Go's syscall.Open does; a
//   descriptor is a number (a file descriptor, or a Windows handle).
// - Errors are the target's Errno values, or null; nothing here throws for a failed call.
import type { Errno, Go } from '../runtime/syscall.ts';

/** The names of the portable functions, in the order tables list them. */
export const PORTABLE_FUNCTIONS = ['Open', 'Read', 'Write', 'Close', 'Seek', 'Pipe', 'Getpid', 'Exit'] as const;
export type PortableName = (typeof PORTABLE_FUNCTIONS)[number];

/** The open(2) flag values of one target (Go's syscall.O_* constants for it). */
export interface OpenFlags {
  readonly O_RDONLY: number;
  readonly O_WRONLY: number;
  readonly O_RDWR: number;
  readonly O_CREAT: number;
  readonly O_EXCL: number;
  readonly O_TRUNC: number;
  readonly O_APPEND: number;
  readonly O_CLOEXEC: number;
}

/** Seek origins, the same on every target (Windows FILE_BEGIN/CURRENT/END share the values). */
export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;

export interface Portable {
  /** "os/arch" of the target this implementation runs on. */
  readonly target: string;
  readonly O: OpenFlags;
  Open(path: string, flags: number, perm: number): Go<[fd: number, err: Errno | null]>;
  Read(fd: number, p: Uint8Array): Go<[n: number, err: Errno | null]>;
  Write(fd: number, p: Uint8Array): Go<[n: number, err: Errno | null]>;
  Close(fd: number): Go<[err: Errno | null]>;
  Seek(fd: number, offset: bigint, whence: number): Go<[off: bigint, err: Errno | null]>;
  /** A pipe: [read end, write end]. */
  Pipe(): Go<[fds: [r: number, w: number], err: Errno | null]>;
  Getpid(): Go<[pid: number]>;
  Exit(code: number): Go<[]>;
}

/** Reads the two C ints a pipe call stores (little-endian, as every target here is). */
export function pipeFds(p: Uint8Array): [r: number, w: number] {
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  return [v.getInt32(0, true), v.getInt32(4, true)];
}
