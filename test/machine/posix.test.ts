// The POSIX five (open, read, write, close, lseek) end to end through the generated
// linux/amd64 wrappers on the machine: stub → SYSCALL → entry_SYSCALL_64 → do_syscall_64 →
// handler → SYSRET, with results and errnos as the generated code returns them; every
// error the kernel must give, through wrappers; a wild pointer; guest faults.
import { describe, expect, it } from 'vitest';
import * as linux from '../../generated/target_linux_amd64.ts';
import { EAGAIN, EBADF, EEXIST, EFAULT, EINVAL, EISDIR, EMFILE, ENOENT, ENOTDIR } from '../../generated/zerrors_linux.ts';
import { SYS_READ } from '../../generated/zsysnum_linux_amd64.ts';
import { O_CREAT, O_EXCL, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY, O_DIRECTORY } from '../../runtime/kernel/linux/abi.ts';
import { Machine, Syscall, type Errno, type Go, type MachineOptions } from '../../runtime/index.ts';

const { target } = linux;
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Runs body on a fresh machine; returns what it produced and the run's result. */
function run<T>(body: () => Go<T>, opts: Partial<MachineOptions> = {}) {
  let out: T | undefined;
  const m = new Machine({ target, files: [{ path: '/etc/hosts', contents: '127.0.0.1 localhost\n' }, { path: '/tmp', directory: true }], ...opts });
  const result = m.run(function* () {
    out = yield* body();
  });
  return { out: out as T, result, machine: m };
}

describe('the POSIX five through the generated wrappers', () => {
  it('open, read, lseek, write, close on an existing file', () => {
    const { out, result } = run(function* () {
      const [fd, e1] = yield* linux.open('/etc/hosts', O_RDONLY, 0);
      const buf = new Uint8Array(9);
      const [n, e2] = yield* linux.read(fd, buf);
      const [off, e3] = yield* linux.Seek(fd, 4n, 0);
      const rest = new Uint8Array(64);
      const [m2] = yield* linux.read(fd, rest);
      const [end] = yield* linux.Seek(fd, 0n, 2);
      const [eof] = yield* linux.read(fd, rest);
      const [w, e4] = yield* linux.write(1, bytes('out\n'));
      const [e5] = yield* linux.Close(fd);
      return { fd, e1, n, e2, got: text(buf), off, e3, rest: text(rest.subarray(0, m2)), end, eof, w, e4, e5 };
    });
    expect(out).toEqual({ fd: 3, e1: null, n: 9, e2: null, got: '127.0.0.1', off: 4n, e3: null, rest: '0.0.1 localhost\n', end: 20n, eof: 0, w: 4, e4: null, e5: null });
    expect(result.stdout).toBe('out\n');
    expect(result.status).toBe(0);
    expect(result.entersyscall).toBe(result.exitsyscall);
  });

  it('creates, writes, seeks back, reads back and unlinks a file', () => {
    const { out } = run(function* () {
      const [fd] = yield* linux.open('/tmp/new.txt', O_RDWR | O_CREAT | O_EXCL, 0o600);
      const [w] = yield* linux.write(fd, bytes('hello, machine'));
      const [pos] = yield* linux.Seek(fd, -7n, 1);
      const b = new Uint8Array(16);
      const [n] = yield* linux.read(fd, b);
      yield* linux.Close(fd);
      const [e1] = yield* linux.unlink('/tmp/new.txt');
      const [, e2] = yield* linux.open('/tmp/new.txt', O_RDONLY, 0);
      return { fd, w, pos, read: text(b.subarray(0, n)), e1, e2 };
    });
    expect(out).toEqual({ fd: 3, w: 14, pos: 7n, read: 'machine', e1: null, e2: ENOENT });
  });

  it('returns each errno the kernel gives, as the exported Errno values', () => {
    const { out } = run(function* () {
      const errs: Record<string, Errno | null> = {};
      errs.ENOENT = (yield* linux.open('/missing', O_RDONLY, 0))[1];
      errs.EBADF_read = (yield* linux.read(42, new Uint8Array(4)))[1];
      errs.EBADF_write = (yield* linux.write(-1, bytes('x')))[1];
      errs.EBADF_close = (yield* linux.Close(99))[0];
      errs.EBADF_lseek = (yield* linux.Seek(77, 0n, 0))[1];
      errs.EINVAL_whence = (yield* linux.Seek(0, 0n, 9))[1];
      errs.EINVAL_nul = (yield* linux.open('/etc\0hosts', O_RDONLY, 0))[1];
      errs.EEXIST = (yield* linux.open('/etc/hosts', O_WRONLY | O_CREAT | O_EXCL, 0o644))[1];
      errs.EISDIR = (yield* linux.open('/tmp', O_WRONLY, 0))[1];
      errs.ENOTDIR = (yield* linux.open('/etc/hosts/x', O_RDONLY, 0))[1];
      errs.ENOTDIR_flag = (yield* linux.open('/etc/hosts', O_RDONLY | O_DIRECTORY, 0))[1];
      const p = new Uint8Array(8);
      yield* linux.pipe2(p, O_NONBLOCK);
      const r = new DataView(p.buffer).getInt32(0, true);
      errs.EAGAIN = (yield* linux.read(r, new Uint8Array(4)))[1];
      return errs;
    });
    expect(out).toEqual({
      ENOENT, EBADF_read: EBADF, EBADF_write: EBADF, EBADF_close: EBADF, EBADF_lseek: EBADF, EINVAL_whence: EINVAL,
      EINVAL_nul: EINVAL, EEXIST, EISDIR, ENOTDIR, ENOTDIR_flag: ENOTDIR, EAGAIN,
    });
    expect(out.ENOENT!.errno).toBe(2);
    expect(out.ENOENT!.message).toBe('No such file or directory');
  });

  it('EMFILE at the descriptor limit', () => {
    const { out } = run(
      function* () {
        const fds: number[] = [];
        for (;;) {
          const [fd, err] = yield* linux.open('/etc/hosts', O_RDONLY, 0);
          if (err !== null) return { fds, err };
          fds.push(fd);
        }
      },
      { nofile: 8 },
    );
    expect(out.fds).toEqual([3, 4, 5, 6, 7]);
    expect(out.err).toBe(EMFILE);
  });

  it('a wild pointer gives EFAULT (read, and wrappers taking a Ptr) and the run goes on', () => {
    const { out, result } = run(
      function* () {
        const bad = yield* Syscall(SYS_READ, 0, 0xdead_0000, 16);
        const kernelPtr = yield* Syscall(SYS_READ, 0, 0x7000_0000, 1); // the stubs' text: not writable
        const nonCanonical = yield* Syscall(SYS_READ, 0, -4096, 1);
        const b = new Uint8Array(16);
        const [n] = yield* linux.read(0, b);
        const [sleepErr] = yield* linux.Nanosleep(0xdead_0000, 0);
        const [statErr] = yield* linux.Fstat(0, 0x7000_0000);
        return { bad, kernelPtr, nonCanonical, sleepErr, statErr, after: text(b.subarray(0, n)) };
      },
      { stdin: 'still here' },
    );
    expect(out.bad).toEqual([-1, 0, EFAULT.errno]);
    expect(out.kernelPtr).toEqual([-1, 0, EFAULT.errno]);
    expect(out.nonCanonical).toEqual([-1, 0, EFAULT.errno]);
    expect(out.sleepErr).toBe(EFAULT);
    expect(out.statErr).toBe(EFAULT);
    expect(out.after).toBe('still here');
    expect(result.status).toBe(0);
  });

  it('buffers given as Machine.alloc addresses are used in place', () => {
    const m = new Machine({ target, stdin: 'in place' });
    const buf = m.alloc(32);
    let n = 0;
    m.run(function* () {
      const [r1] = yield* Syscall(SYS_READ, 0, buf, 32);
      n = Number(r1);
    });
    expect(text(m.mem.read(buf, n))).toBe('in place');
  });
});

describe('Getdents (getdents64) through the generated wrapper', () => {
  it('lists a directory into a plain buffer, copied back from guest memory, and gives its errnos', () => {
    const { out } = run(function* () {
      const [fd] = yield* linux.open('/etc', O_RDONLY | O_DIRECTORY, 0);
      const buf = new Uint8Array(256);
      const [n, e1] = yield* linux.Getdents(fd, buf);
      const names: string[] = [];
      const view = new DataView(buf.buffer);
      for (let at = 0; at < n; at += view.getUint16(at + 16, true)) names.push(text(buf.subarray(at + 19, buf.indexOf(0, at + 19))));
      const [end] = yield* linux.Getdents(fd, buf);
      const [atEnd, none] = yield* linux.Getdents(fd, new Uint8Array(0)); // nothing left: nothing needs room
      const [again] = yield* linux.open('/etc', O_RDONLY | O_DIRECTORY, 0);
      const [, small] = yield* linux.Getdents(again, new Uint8Array(10));
      const [, notDir] = yield* linux.Getdents(0, buf);
      const [, closed] = yield* linux.Getdents(42, buf);
      return { n, e1, names, end, atEnd, none, small, notDir, closed };
    });
    expect(out).toEqual({ n: 24 + 24 + 32, e1: null, names: ['.', '..', 'hosts'], end: 0, atEnd: 0, none: null, small: EINVAL, notDir: ENOTDIR, closed: EBADF });
  });
});

describe('sys_call_table comes from the target descriptor', () => {
  it('numbers follow the target table; a number with no handler is ENOSYS', () => {
    const renumbered = { ...target, numbers: { ...target.numbers, SYS_GETPID: 400 } };
    const m = new Machine({ target: renumbered, strace: true });
    let results: unknown[] = [];
    m.run(function* () {
      results = [yield* Syscall(400, 0, 0, 0), yield* Syscall(39, 0, 0, 0), yield* Syscall(4000, 0, 0, 0)];
    });
    expect(results).toEqual([[100, 0, 0], [-1, 0, 38], [-1, 0, 38]]);
  });

  it('a target without a personality does not execute', () => {
    expect(() => new Machine({ target: { ...target, arch: 'arm64' } })).toThrow(/linux\/arm64 does not execute/);
  });
});
