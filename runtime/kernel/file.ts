// Open file descriptions and the per-process file descriptor table.
//
// An OpenFile is what open() creates and dup() shares: the access mode and status flags
// (O_APPEND, O_NONBLOCK), the offset, and the object's read/write behaviour. Kinds:
// regular files and directories of the VFS, the two ends of a pipe, and host streams
// (stdin served from a buffer, stdout/stderr captured).
//
// Reads deliver through a callback that copies into user memory and reports a fault, so
// data is consumed (a pipe's bytes, a stream's position) only once it has really reached
// the user: a read into a bad buffer returns EFAULT and loses nothing, as in Linux.
//
// Invariants: an OpenFile counts the descriptors referring to it and releases its object
// (a pipe end) when the last one closes; fd numbers are the lowest free ones at or above
// the requested minimum and below the RLIMIT_NOFILE limit.
import { O_ACCMODE, O_APPEND, O_NONBLOCK, O_RDONLY, O_WRONLY, PIPE_BUF, PIPE_CAPACITY } from './linux/abi.ts';
import type { Inode } from './vfs.ts';
import { WaitQueue, type Block } from './waitqueue.ts';

export type Errno = string;
/** Copies a chunk to the reader's user buffer; false if the buffer faulted. */
export type Deliver = (chunk: Uint8Array) => boolean;
/** Bytes of a blocking write already done before the thread slept (survives restarts). */
export interface WriteProgress {
  done: number;
}

/** Largest file offset this kernel represents exactly (2^53 - 1; Linux allows 2^63 - 1). */
export const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

export abstract class OpenFile {
  offset = 0;
  refs = 0;

  constructor(
    readonly inode: Inode,
    /** Access mode and status flags as F_GETFL reports them. */
    public flags: number,
  ) {}

  get readable(): boolean {
    return (this.flags & O_ACCMODE) !== O_WRONLY;
  }
  get writable(): boolean {
    return (this.flags & O_ACCMODE) !== O_RDONLY;
  }
  get nonblocking(): boolean {
    return (this.flags & O_NONBLOCK) !== 0;
  }
  /** Regular files and directories have offsets; pipes and streams do not (ESPIPE). */
  get seekable(): boolean {
    return false;
  }

  /** Reads up to count bytes at pos (or the file offset, advancing it, when pos is null). */
  abstract read(count: number, pos: number | null, deliver: Deliver): number | Errno | Block;
  /** Writes src at pos (or the offset / end); progress survives a blocked write's restart. */
  abstract write(src: Uint8Array, pos: number | null, progress: WriteProgress): number | Errno | Block;
  /** Called when the last descriptor referring to this file is closed. */
  release(): void {}
}

export class RegularFile extends OpenFile {
  override get seekable(): boolean {
    return true;
  }

  read(count: number, pos: number | null, deliver: Deliver): number | Errno {
    const at = pos ?? this.offset;
    const data = this.inode.data();
    const n = Math.max(0, Math.min(count, data.length - at));
    if (n > 0 && !deliver(data.slice(at, at + n))) return 'EFAULT';
    if (pos === null) this.offset += n;
    return n;
  }

  /** With O_APPEND every write goes to the end, pwrite's offset notwithstanding (as Linux does). */
  write(src: Uint8Array, pos: number | null, _progress: WriteProgress): number | Errno {
    const at = (this.flags & O_APPEND) !== 0 ? this.inode.size : (pos ?? this.offset);
    if (at + src.length > MAX_OFFSET) return 'EFBIG';
    if (src.length > 0) this.inode.writeAt(at, src);
    if (pos === null) this.offset = at + src.length;
    return src.length;
  }
}

export class DirectoryFile extends OpenFile {
  override get seekable(): boolean {
    return true;
  }
  read(): Errno {
    return 'EISDIR';
  }
  write(): Errno {
    return 'EBADF';
  }
}

/** A pipe: a 64 KiB buffer, reader and writer counts, and a wait queue for each side. */
export class Pipe {
  private readonly buf = new Uint8Array(PIPE_CAPACITY);
  private start = 0;
  private length = 0;
  readers = 0;
  writers = 0;
  readonly readWait = new WaitQueue('pipe_read');
  readonly writeWait = new WaitQueue('pipe_write');

  get buffered(): number {
    return this.length;
  }

  private peek(n: number): Uint8Array {
    const out = new Uint8Array(n);
    const first = Math.min(n, PIPE_CAPACITY - this.start);
    out.set(this.buf.subarray(this.start, this.start + first));
    if (n > first) out.set(this.buf.subarray(0, n - first), first);
    return out;
  }

  private drop(n: number): void {
    this.start = (this.start + n) % PIPE_CAPACITY;
    this.length -= n;
  }

  private push(src: Uint8Array): void {
    const end = (this.start + this.length) % PIPE_CAPACITY;
    const first = Math.min(src.length, PIPE_CAPACITY - end);
    this.buf.set(src.subarray(0, first), end);
    this.buf.set(src.subarray(first), 0);
    this.length += src.length;
  }

  read(count: number, nonblocking: boolean, deliver: Deliver): number | Errno | Block {
    if (count === 0) return 0;
    if (this.length === 0) {
      if (this.writers === 0) return 0;
      if (nonblocking) return 'EAGAIN';
      return { kind: 'wait', queue: this.readWait };
    }
    const n = Math.min(count, this.length);
    if (!deliver(this.peek(n))) return 'EFAULT';
    this.drop(n);
    this.writeWait.wakeAll();
    return n;
  }

  /** 'EPIPE' means no reader is left: the caller raises SIGPIPE. */
  write(src: Uint8Array, nonblocking: boolean, progress: WriteProgress): number | Errno | Block {
    if (src.length === 0) return 0;
    if (this.readers === 0) return progress.done > 0 ? progress.done : 'EPIPE';
    const free = PIPE_CAPACITY - this.length;
    const atomic = src.length <= PIPE_BUF;
    const n = atomic ? (free >= src.length ? src.length : 0) : Math.min(free, src.length - progress.done);
    if (n > 0) {
      this.push(src.subarray(progress.done, progress.done + n));
      progress.done += n;
      this.readWait.wakeAll();
    }
    if (progress.done === src.length) return src.length;
    if (nonblocking) return progress.done > 0 ? progress.done : 'EAGAIN';
    return { kind: 'wait', queue: this.writeWait };
  }
}

export class PipeEnd extends OpenFile {
  constructor(
    inode: Inode,
    flags: number,
    readonly pipe: Pipe,
  ) {
    super(inode, flags);
    if (this.readable) pipe.readers++;
    else pipe.writers++;
  }

  read(count: number, _pos: number | null, deliver: Deliver): number | Errno | Block {
    return this.pipe.read(count, this.nonblocking, deliver);
  }

  write(src: Uint8Array, _pos: number | null, progress: WriteProgress): number | Errno | Block {
    return this.pipe.write(src, this.nonblocking, progress);
  }

  override release(): void {
    if (this.readable) {
      this.pipe.readers--;
      if (this.pipe.readers === 0) this.pipe.writeWait.wakeAll();
    } else {
      this.pipe.writers--;
      if (this.pipe.writers === 0) this.pipe.readWait.wakeAll();
    }
  }
}

/** stdin served from a buffer given to the machine: reads deliver it, then EOF. */
export class InputStream extends OpenFile {
  private pos = 0;
  constructor(
    inode: Inode,
    private readonly contents: Uint8Array,
  ) {
    super(inode, O_RDONLY);
  }

  read(count: number, _pos: number | null, deliver: Deliver): number | Errno {
    const n = Math.max(0, Math.min(count, this.contents.length - this.pos));
    if (n > 0 && !deliver(this.contents.slice(this.pos, this.pos + n))) return 'EFAULT';
    this.pos += n;
    return n;
  }

  write(): Errno {
    return 'EBADF';
  }
}

/** stdout/stderr: every write is appended to a capture the host reads afterwards. */
export class OutputStream extends OpenFile {
  readonly chunks: Uint8Array[] = [];
  constructor(inode: Inode) {
    super(inode, O_WRONLY);
  }

  read(): Errno {
    return 'EBADF';
  }

  write(src: Uint8Array): number {
    this.chunks.push(src.slice());
    return src.length;
  }

  /** Everything written so far. */
  bytes(): Uint8Array {
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

interface FdSlot {
  file: OpenFile;
  cloexec: boolean;
}

export class FdTable {
  private readonly slots: Array<FdSlot | undefined> = [];

  constructor(
    /** RLIMIT_NOFILE: fds are in [0, limit). */
    readonly limit: number,
  ) {}

  get(fd: number): FdSlot | undefined {
    return fd >= 0 ? this.slots[fd] : undefined;
  }

  file(fd: number): OpenFile | undefined {
    return this.get(fd)?.file;
  }

  /** The lowest free fd ≥ min, or null when the table is full. */
  lowestFree(min = 0): number | null {
    for (let fd = min; fd < this.limit; fd++) if (this.slots[fd] === undefined) return fd;
    return null;
  }

  /** Installs file at the lowest free fd ≥ min, or EMFILE. */
  alloc(file: OpenFile, cloexec: boolean, min = 0): number | 'EMFILE' {
    const fd = this.lowestFree(min);
    if (fd === null) return 'EMFILE';
    this.install(fd, file, cloexec);
    return fd;
  }

  /** Puts file at fd, closing whatever was there (dup2 semantics). */
  install(fd: number, file: OpenFile, cloexec: boolean): void {
    file.refs++;
    const old = this.slots[fd];
    this.slots[fd] = { file, cloexec };
    if (old) this.drop(old.file);
  }

  close(fd: number): boolean {
    const slot = this.get(fd);
    if (!slot) return false;
    this.slots[fd] = undefined;
    this.drop(slot.file);
    return true;
  }

  closeAll(): void {
    for (let fd = 0; fd < this.slots.length; fd++) if (this.slots[fd]) this.close(fd);
  }

  private drop(file: OpenFile): void {
    file.refs--;
    if (file.refs === 0) file.release();
  }
}
