// The FreeBSD and XNU personalities on the kernel core, called through a pt_regs frame as
// the entry code leaves it: numbers from the generated tables, each OS's flags and errno
// values, the carry-flag return (positive errno in RAX, CF in the saved RFLAGS), XNU's
// 0x2000000 class and pipe's two-register result, and each OS's struct stat.
import { describe, expect, it } from 'vitest';
import { PT_REGS } from '../../runtime/asm/linux_amd64.ts';
import { PT_REGS_FLAGS } from '../../runtime/kernel/freebsd/bsd.ts';
import * as fb from '../../runtime/kernel/freebsd/index.ts';
import * as xnu from '../../runtime/kernel/darwin/index.ts';
import * as FB from '../../generated/zsysnum_freebsd_amd64.ts';
import * as DW from '../../generated/zsysnum_darwin_amd64.ts';
import { bsdMachine } from './harness.ts';

const hosts = [{ path: '/etc/hosts', contents: '127.0.0.1 localhost\n' }];
const UNIX = xnu.SYSCALL_CLASS_UNIX;

describe('the BSD frame', () => {
  it('keeps RFLAGS where the entry code saves it', () => {
    expect(PT_REGS_FLAGS).toBe(PT_REGS.flags);
  });
});

describe('FreeBSD personality', () => {
  it('a failing open returns the positive errno in RAX with CF set; the message is FreeBSD\'s', () => {
    const m = bsdMachine('freebsd');
    const r = m.sys(FB.SYS_OPEN, [m.str('/etc/hosts'), 0, 0], 0x202);
    expect(r).toMatchObject({ ax: 2n, cf: true });
    expect(m.kernel.errnos.lookup(2)?.message).toBe('No such file or directory');
    // The other bits of the user's RFLAGS survive.
    expect(m.flags()).toBe(0x203);
  });

  it('the frame reads its outcome back in the core\'s convention', () => {
    const m = bsdMachine('freebsd', { files: hosts });
    m.sys(FB.SYS_OPEN, [m.str('/nope'), 0, 0]);
    expect(m.frame.result()).toBe(-2);
    m.sys(FB.SYS_OPEN, [m.str('/etc/hosts'), 0, 0]);
    expect(m.frame.result()).toBe(3);
  });

  it('success clears a stale CF and leaves RDX (the third argument) alone', () => {
    const m = bsdMachine('freebsd', { files: hosts });
    const r = m.sys(FB.SYS_OPEN, [m.str('/etc/hosts'), 0, 0x77], 0x203);
    expect(r).toEqual({ ax: 3n, dx: 0x77n, cf: false });
    expect(m.flags()).toBe(0x202);
  });

  it('translates FreeBSD open flags: O_CREAT 0x200, O_TRUNC 0x400, O_EXCL 0x800', () => {
    const m = bsdMachine('freebsd');
    const path = m.str('/tmp.txt');
    const fd = m.sys(FB.SYS_OPEN, [path, 2 | fb.O_CREAT | fb.O_TRUNC, 0o644]);
    expect(fd).toMatchObject({ ax: 3n, cf: false });
    const data = m.str('hello, freebsd');
    expect(m.sys(FB.SYS_WRITE, [3, data, 14]).ax).toBe(14n);
    expect(m.sys(FB.SYS_LSEEK, [3, 7, 0]).ax).toBe(7n);
    const buf = m.alloc(16);
    expect(m.sys(FB.SYS_READ, [3, buf, 16]).ax).toBe(7n);
    expect(m.text(buf, 7)).toBe('freebsd');
    expect(m.sys(FB.SYS_OPEN, [path, 1 | fb.O_CREAT | fb.O_EXCL, 0o644])).toMatchObject({ ax: 17n, cf: true });
    // 0x40 is O_CREAT on Linux but O_ASYNC here: no file is created.
    expect(m.sys(FB.SYS_OPEN, [m.str('/other'), 1 | 0x40, 0o644])).toMatchObject({ ax: 2n, cf: true });
    // O_TRUNC empties it.
    expect(m.sys(FB.SYS_OPENAT, [fb.AT_FDCWD, path, 1 | fb.O_TRUNC, 0]).ax).toBe(4n);
    expect(m.sys(FB.SYS_LSEEK, [4, 0, 2]).ax).toBe(0n);
    expect(m.sys(FB.SYS_CLOSE, [4])).toMatchObject({ ax: 0n, cf: false });
    expect(m.sys(FB.SYS_CLOSE, [4])).toMatchObject({ ax: 9n, cf: true });
  });

  it('pipe2 takes O_CLOEXEC and O_NONBLOCK only; an empty nonblocking pipe is EAGAIN = 35', () => {
    const m = bsdMachine('freebsd');
    const fds = m.alloc(8);
    expect(m.sys(FB.SYS_PIPE2, [fds, fb.O_NONBLOCK | fb.O_CLOEXEC])).toMatchObject({ ax: 0n, cf: false });
    const [rfd, wfd] = [m.view(fds, 8).getInt32(0, true), m.view(fds, 8).getInt32(4, true)];
    expect([rfd, wfd]).toEqual([3, 4]);
    const buf = m.alloc(8);
    expect(m.sys(FB.SYS_READ, [rfd, buf, 8])).toMatchObject({ ax: 35n, cf: true });
    expect(m.kernel.errnos.lookup(35)?.name).toBe('EAGAIN');
    expect(m.sys(FB.SYS_WRITE, [wfd, m.str('ping'), 4]).ax).toBe(4n);
    expect(m.sys(FB.SYS_READ, [rfd, buf, 8]).ax).toBe(4n);
    expect(m.text(buf, 4)).toBe('ping');
    expect(m.sys(FB.SYS_PIPE2, [fds, fb.O_APPEND])).toMatchObject({ ax: 22n, cf: true });
  });

  it('fstat fills FreeBSD\'s 224-byte struct stat', () => {
    const m = bsdMachine('freebsd', { files: hosts });
    m.sys(FB.SYS_OPEN, [m.str('/etc/hosts'), 0, 0]);
    const st = m.alloc(fb.STAT_SIZE);
    expect(m.sys(FB.SYS_FSTAT, [3, st])).toMatchObject({ ax: 0n, cf: false });
    const v = m.view(st, fb.STAT_SIZE);
    expect(v.getBigInt64(fb.STAT.size, true)).toBe(20n);
    expect(v.getUint16(fb.STAT.mode, true) & 0o170000).toBe(0o100000);
    expect(v.getInt32(fb.STAT.blksize, true)).toBe(4096);
    expect(m.sys(FB.SYS_FSTAT, [3, 0])).toMatchObject({ ax: 14n, cf: true });
  });

  it('getpid, mkdir, unlink, dup2; an unimplemented or unknown number is ENOSYS = 78; exit ends the process', () => {
    const m = bsdMachine('freebsd', { files: hosts });
    expect(m.sys(FB.SYS_GETPID)).toMatchObject({ ax: 100n, cf: false });
    expect(m.sys(FB.SYS_MKDIR, [m.str('/d'), 0o755]).cf).toBe(false);
    expect(m.sys(FB.SYS_MKDIR, [m.str('/d'), 0o755])).toMatchObject({ ax: 17n, cf: true });
    expect(m.sys(FB.SYS_UNLINK, [m.str('/etc/hosts')]).cf).toBe(false);
    expect(m.sys(FB.SYS_DUP2, [1, 9]).ax).toBe(9n);
    expect(m.sys(FB.SYS_FORK)).toMatchObject({ ax: 78n, cf: true });
    expect(m.sys(9999)).toMatchObject({ ax: 78n, cf: true });
    m.sys(FB.SYS_EXIT, [7]);
    expect(m.thread.process.exitStatus).toBe(7);
  });

  it('mmap takes BSD flags (MAP_ANON 0x1000); thr_self writes the thread id', () => {
    const m = bsdMachine('freebsd');
    const PROT_RW = 3;
    const anon = m.sys(FB.SYS_MMAP, [0, 8192, PROT_RW, 0x1000 | 0x2, -1, 0]);
    expect(anon.cf).toBe(false);
    expect(m.sys(FB.SYS_MUNMAP, [anon.ax, 8192]).cf).toBe(false);
    // Linux's MAP_ANONYMOUS (0x20) means nothing here: a file mapping of fd -1.
    expect(m.sys(FB.SYS_MMAP, [0, 8192, PROT_RW, 0x20 | 0x2, -1, 0])).toMatchObject({ ax: 9n, cf: true });
    const id = m.alloc(8);
    expect(m.sys(FB.SYS_THR_SELF, [id]).cf).toBe(false);
    expect(m.view(id, 8).getBigInt64(0, true)).toBe(BigInt(m.thread.tid));
  });

  it('nanosleep sleeps in virtual time', () => {
    const m = bsdMachine('freebsd');
    const ts = m.alloc(16);
    m.mem.write(ts, new Uint8Array(new BigInt64Array([0n, 5000n]).buffer));
    // The first attempt parks the thread until the deadline.
    expect(() => m.sys(FB.SYS_NANOSLEEP, [ts, 0])).toThrow(/did not complete: sleep/);
  });
});

describe('XNU personality', () => {
  it('numbers carry the Unix class 0x2000000; other classes are ENOSYS = 78', () => {
    const m = bsdMachine('darwin', { files: hosts });
    expect(m.sys(UNIX | DW.SYS_GETPID)).toMatchObject({ ax: 100n, cf: false });
    expect(m.sys(DW.SYS_GETPID)).toMatchObject({ ax: 78n, cf: true });
    expect(m.sys(0x1000000 | DW.SYS_GETPID)).toMatchObject({ ax: 78n, cf: true });
    expect(m.sys(0x3000000 | DW.SYS_GETPID)).toMatchObject({ ax: 78n, cf: true });
  });

  it('a failing open sets CF with ENOENT = 2; XNU flags and AT_FDCWD = -2 are translated', () => {
    const m = bsdMachine('darwin');
    expect(m.sys(UNIX | DW.SYS_OPEN, [m.str('/etc/hosts'), 0, 0])).toMatchObject({ ax: 2n, cf: true });
    const path = m.str('/f');
    expect(m.sys(UNIX | DW.SYS_OPEN, [path, 2 | xnu.O_CREAT | xnu.O_EXCL, 0o600])).toMatchObject({ ax: 3n, cf: false });
    expect(m.sys(UNIX | DW.SYS_OPENAT, [xnu.AT_FDCWD, path, 2 | xnu.O_CREAT | xnu.O_EXCL, 0o600])).toMatchObject({ ax: 17n, cf: true });
    expect(m.sys(UNIX | DW.SYS_OPENAT, [xnu.AT_FDCWD, path, 0, 0])).toMatchObject({ ax: 4n, cf: false });
    expect(m.sys(UNIX | DW.SYS_LSEEK, [3, -1, 0])).toMatchObject({ ax: 22n, cf: true });
  });

  it('pipe returns the read end in RAX and the write end in RDX', () => {
    const m = bsdMachine('darwin');
    expect(m.sys(UNIX | DW.SYS_PIPE)).toEqual({ ax: 3n, dx: 4n, cf: false });
    expect(m.sys(UNIX | DW.SYS_WRITE, [4, m.str('pong'), 4]).ax).toBe(4n);
    const buf = m.alloc(8);
    expect(m.sys(UNIX | DW.SYS_READ, [3, buf, 8]).ax).toBe(4n);
    expect(m.text(buf, 4)).toBe('pong');
    m.sys(UNIX | DW.SYS_CLOSE, [3]);
    // No reader: EPIPE = 32 (and SIGPIPE, which ends the process).
    expect(m.sys(UNIX | DW.SYS_WRITE, [4, buf, 1])).toMatchObject({ ax: 32n, cf: true });
  });

  it('fstat64 fills XNU\'s 144-byte struct stat64', () => {
    const m = bsdMachine('darwin', { files: hosts });
    m.sys(UNIX | DW.SYS_OPEN, [m.str('/etc/hosts'), 0, 0]);
    const st = m.alloc(xnu.STAT64_SIZE);
    expect(m.sys(UNIX | DW.SYS_FSTAT64, [3, st]).cf).toBe(false);
    const v = m.view(st, xnu.STAT64_SIZE);
    expect(v.getBigInt64(xnu.STAT64.size, true)).toBe(20n);
    expect(v.getUint16(xnu.STAT64.mode, true) & 0o170000).toBe(0o100000);
    expect(v.getUint16(xnu.STAT64.nlink, true)).toBe(1);
  });
});
