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

describe('FreeBSD thr_new(struct thr_param *, int)', () => {
  /** A FreeBSD kernel whose threadProvider makes the thread (as the machine's does), and a thr_param builder. */
  function thrNew(opts: { uid?: number; provider?: boolean } = {}) {
    const m = bsdMachine('freebsd', { uid: opts.uid });
    const made: number[] = [];
    if (opts.provider !== false) {
      m.kernel.threadProvider = (parent) => {
        const t = m.kernel.spawnThread(parent.process);
        made.push(t.tid);
        return t;
      };
    }
    const param = (fields: Partial<Record<keyof typeof fb.THR_PARAM, number | bigint>> = {}) => {
      const at = m.alloc(fb.THR_PARAM.size);
      const v = new DataView(new ArrayBuffer(fb.THR_PARAM.size));
      for (const [k, w] of Object.entries(fields)) {
        const off = fb.THR_PARAM[k as keyof typeof fb.THR_PARAM];
        if (k === 'flags') v.setInt32(off, Number(w), true);
        else v.setBigUint64(off, BigInt.asUintN(64, BigInt(w)), true);
      }
      m.mem.write(at, new Uint8Array(v.buffer));
      return at;
    };
    const rtprio = (type: number, prio: number) => {
      const at = m.alloc(4);
      m.mem.write(at, new Uint8Array(new Uint16Array([type, prio]).buffer));
      return at;
    };
    return { m, made, param, rtprio };
  }

  it('is syscall 455 with amd64\'s 104-byte struct thr_param', () => {
    expect(FB.SYS_THR_NEW).toBe(455);
    expect(fb.THR_PARAM).toMatchObject({ start_func: 0, arg: 8, stack_base: 16, stack_size: 24, tls_base: 32, tls_size: 40, child_tid: 48, parent_tid: 56, flags: 64, rtp: 72, spare: 80, size: 104 });
  });

  it('makes a thread: its id is stored as a long at child_tid and parent_tid, its FS base is tls_base; the call returns 0', () => {
    const { m, made, param } = thrNew();
    const child = m.alloc(8);
    const parent = m.alloc(8);
    m.mem.write(child, new Uint8Array(8).fill(0xff));
    const p = param({ start_func: 0x401000, arg: 0x1234, stack_base: 0x7000_0000, stack_size: 0x10000, tls_base: 0x5000, tls_size: 48, child_tid: child, parent_tid: parent });
    expect(m.sys(FB.SYS_THR_NEW, [p, fb.THR_PARAM.size])).toMatchObject({ ax: 0n, cf: false });
    expect(made).toHaveLength(1);
    const tid = made[0]!;
    expect(tid).not.toBe(m.thread.tid);
    expect(m.view(child, 8).getBigInt64(0, true)).toBe(BigInt(tid));
    expect(m.view(parent, 8).getBigInt64(0, true)).toBe(BigInt(tid));
    const t = m.kernel.threads.get(tid)!;
    expect(t.process).toBe(m.thread.process);
    expect(t.fsBase).toBe(0x5000n);
  });

  it('a short param_size reads the rest of the struct as zero: the tid pointers, tls_base and rtp beyond it are not seen', () => {
    const { m, made, param } = thrNew();
    // Only start_func..stack_size are passed: tls_base, the tid pointers and rtp read as 0.
    const p = param({ start_func: 0x401000, stack_base: 0x7000_0000, stack_size: 0x10000, tls_base: 0xdead, child_tid: 1, rtp: 1 });
    expect(m.sys(FB.SYS_THR_NEW, [p, 32])).toMatchObject({ ax: 0n, cf: false });
    expect(m.kernel.threads.get(made[0]!)!.fsBase).toBe(0n);
    // param_size 0 copies nothing in (a bad pointer is not even read).
    expect(m.sys(FB.SYS_THR_NEW, [0xdead_0000, 0])).toMatchObject({ ax: 0n, cf: false });
    expect(made).toHaveLength(2);
  });

  it('EINVAL for a size below 0 or above sizeof(struct thr_param); EFAULT for a param it cannot read; no thread either way', () => {
    const { m, made, param } = thrNew();
    const p = param();
    expect(m.sys(FB.SYS_THR_NEW, [p, -1])).toMatchObject({ ax: 22n, cf: true });
    expect(m.sys(FB.SYS_THR_NEW, [p, fb.THR_PARAM.size + 1])).toMatchObject({ ax: 22n, cf: true });
    // The size is an int: the upper half of the register does not count.
    expect(m.sys(FB.SYS_THR_NEW, [p, 0x1_0000_0000n + BigInt(fb.THR_PARAM.size)])).toMatchObject({ ax: 0n, cf: false });
    expect(m.sys(FB.SYS_THR_NEW, [0, fb.THR_PARAM.size])).toMatchObject({ ax: 14n, cf: true });
    expect(m.sys(FB.SYS_THR_NEW, [0xffff_8000_0000_0000n, 8])).toMatchObject({ ax: 14n, cf: true });
    // Readable for the first 8 bytes only (the arena's last bytes): a full copy faults.
    expect(m.sys(FB.SYS_THR_NEW, [0x1000_fff8, fb.THR_PARAM.size])).toMatchObject({ ax: 14n, cf: true });
    expect(made).toHaveLength(1);
    expect(m.kernel.errnos.lookup(14)?.name).toBe('EFAULT');
  });

  it('EFAULT when child_tid or parent_tid cannot be written, and no thread is left', () => {
    const { m, made, param } = thrNew();
    expect(m.sys(FB.SYS_THR_NEW, [param({ child_tid: 0x10 }), fb.THR_PARAM.size])).toMatchObject({ ax: 14n, cf: true });
    expect(m.sys(FB.SYS_THR_NEW, [param({ parent_tid: 0xffff_ffff_ffff_f000n }), fb.THR_PARAM.size])).toMatchObject({ ax: 14n, cf: true });
    expect(made).toHaveLength(0);
    expect(m.thread.process.threads).toHaveLength(1);
  });

  it('a TLS base at or above VM_MAXUSER_ADDRESS is EINVAL', () => {
    const { m, made, param } = thrNew();
    expect(m.sys(FB.SYS_THR_NEW, [param({ tls_base: fb.VM_MAXUSER_ADDRESS }), fb.THR_PARAM.size])).toMatchObject({ ax: 22n, cf: true });
    expect(m.sys(FB.SYS_THR_NEW, [param({ tls_base: fb.VM_MAXUSER_ADDRESS - 1n }), fb.THR_PARAM.size])).toMatchObject({ ax: 0n, cf: false });
    expect(made).toHaveLength(1);
  });

  it('rtp: EFAULT when unreadable; realtime and FIFO need root (EPERM), then a priority of at most 31 (EINVAL); normal passes; idle and unknown types are EINVAL', () => {
    const { m, made, param, rtprio } = thrNew();
    const call = (rtp: number) => m.sys(FB.SYS_THR_NEW, [param({ rtp }), fb.THR_PARAM.size]);
    expect(call(0x20)).toMatchObject({ ax: 14n, cf: true });
    expect(call(rtprio(fb.RTP_PRIO_REALTIME, 0))).toMatchObject({ ax: 1n, cf: true });
    expect(call(rtprio(fb.RTP_PRIO_FIFO, 0))).toMatchObject({ ax: 1n, cf: true });
    expect(call(rtprio(fb.RTP_PRIO_IDLE, 0))).toMatchObject({ ax: 22n, cf: true });
    expect(call(rtprio(7, 0))).toMatchObject({ ax: 22n, cf: true });
    expect(made).toHaveLength(0);
    expect(call(rtprio(fb.RTP_PRIO_NORMAL, 200))).toMatchObject({ ax: 0n, cf: false });
    expect(made).toHaveLength(1);
    const root = thrNew({ uid: 0 });
    const asRoot = (rtp: number) => root.m.sys(FB.SYS_THR_NEW, [root.param({ rtp }), fb.THR_PARAM.size]);
    expect(asRoot(root.rtprio(fb.RTP_PRIO_REALTIME, 31))).toMatchObject({ ax: 0n, cf: false });
    expect(asRoot(root.rtprio(fb.RTP_PRIO_FIFO, 32))).toMatchObject({ ax: 22n, cf: true });
    expect(root.made).toHaveLength(1);
  });

  it('without a thread provider (nobody to run the thread) a valid call is ENOSYS = 78, after the struct\'s checks', () => {
    const { m, param } = thrNew({ provider: false });
    expect(m.sys(FB.SYS_THR_NEW, [param(), fb.THR_PARAM.size])).toMatchObject({ ax: 78n, cf: true });
    expect(m.sys(FB.SYS_THR_NEW, [param(), -1])).toMatchObject({ ax: 22n, cf: true });
  });

  it('a provider\'s refusal is the call\'s errno (EPROCLIM = 67)', () => {
    const { m, param } = thrNew({ provider: false });
    m.kernel.threadProvider = () => 'EPROCLIM';
    expect(m.sys(FB.SYS_THR_NEW, [param(), fb.THR_PARAM.size])).toMatchObject({ ax: 67n, cf: true });
  });
});

describe('XNU bsdthread_create(func, func_arg, stack, pthread, flags)', () => {
  function create(provider = true) {
    const m = bsdMachine('darwin');
    const made: Array<{ tid: number; stack: bigint; flags: bigint }> = [];
    if (provider) {
      m.kernel.threadProvider = (parent, flags, stack) => {
        const t = m.kernel.spawnThread(parent.process);
        made.push({ tid: t.tid, stack, flags });
        return t;
      };
    }
    return { m, made };
  }

  it('is BSD syscall 360; returns pthread; the new thread\'s TSD base (GS) is pthread + the registered TSD offset', () => {
    expect(DW.SYS_BSDTHREAD_CREATE).toBe(360);
    const { m, made } = create();
    const r = m.sys(UNIX | DW.SYS_BSDTHREAD_CREATE, [0x401000, 0x1234, 0x7000_0000, 0x7000_1000, xnu.PTHREAD_START_CUSTOM]);
    expect(r).toMatchObject({ ax: 0x7000_1000n, cf: false });
    expect(made).toEqual([{ tid: made[0]!.tid, stack: 0x7000_0000n, flags: BigInt(xnu.PTHREAD_START_CUSTOM) }]);
    expect(m.kernel.threads.get(made[0]!.tid)!.gsBase).toBe(0x7000_1000n + BigInt(xnu.PTHREAD_TSD_OFFSET));
  });

  it('EINVAL without PTHREAD_START_CUSTOM, and for PTHREAD_START_QOSCLASS without a QoS class; no thread is left', () => {
    const { m, made } = create();
    const call = (flags: number) => m.sys(UNIX | DW.SYS_BSDTHREAD_CREATE, [0x401000, 0, 0x7000_0000, 0x7000_1000, flags]);
    expect(call(0)).toMatchObject({ ax: 22n, cf: true });
    expect(call(xnu.PTHREAD_START_SETSCHED)).toMatchObject({ ax: 22n, cf: true });
    expect(call(xnu.PTHREAD_START_CUSTOM | xnu.PTHREAD_START_QOSCLASS)).toMatchObject({ ax: 22n, cf: true });
    expect(made).toHaveLength(0);
    // A QoS class bit in the low bits (0x100, the lowest), or SETSCHED (checked first, as XNU does), is fine.
    expect(call(xnu.PTHREAD_START_CUSTOM | xnu.PTHREAD_START_QOSCLASS | 0x100).cf).toBe(false);
    expect(call(xnu.PTHREAD_START_CUSTOM | xnu.PTHREAD_START_SETSCHED | xnu.PTHREAD_START_QOSCLASS).cf).toBe(false);
    expect(made).toHaveLength(2);
  });

  it('without a thread provider, ENOSYS = 78; a provider\'s refusal is the errno', () => {
    const { m } = create(false);
    expect(m.sys(UNIX | DW.SYS_BSDTHREAD_CREATE, [0x401000, 0, 0x7000_0000, 0x7000_1000, xnu.PTHREAD_START_CUSTOM])).toMatchObject({ ax: 78n, cf: true });
    m.kernel.threadProvider = () => 'ENOMEM';
    expect(m.sys(UNIX | DW.SYS_BSDTHREAD_CREATE, [0x401000, 0, 0x7000_0000, 0x7000_1000, xnu.PTHREAD_START_CUSTOM])).toMatchObject({ ax: 12n, cf: true });
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
