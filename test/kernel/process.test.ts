// Process, memory, time and signal calls; sys_call_table construction; argument words
// read as the kernel's C types; pt_regs frames; fault delivery.
import { describe, expect, it } from 'vitest';
import { Memory, PROT_READ, PROT_WRITE } from '../../runtime/cpu/index.ts';
import {
  Kernel, linux, ManualClock, PT_REGS_ORIG_RAX, PT_REGS_OFFSET, PtRegsFrame, RAX, RDI, sys, syscallRegs, type ThreadBody,
} from '../../runtime/kernel/index.ts';
import { Strace } from '../../runtime/trace/index.ts';
import { call, ERRNO, machine, NR, TABLES, text } from './harness.ts';

const err = (name: string) => -ERRNO[name]!;

describe('ids and exit', () => {
  it('reports pid, ppid, tid, uid and gid', () => {
    const m = machine({ uid: 501, gid: 20 });
    expect(call(m, 'getpid')).toBe(100);
    expect(call(m, 'gettid')).toBe(100);
    expect(call(m, 'getppid')).toBe(1);
    expect([call(m, 'getuid'), call(m, 'geteuid'), call(m, 'getgid'), call(m, 'getegid')]).toEqual([501, 501, 20, 20]);
    const t = m.kernel.spawnThread(m.thread.process);
    const r = syscallRegs(NR.gettid!, []);
    m.kernel.do_syscall_64(t, r);
    expect(r.result()).toBe(101);
    const tidWord = m.arena.alloc(4);
    m.mem.writeU32(tidWord, 101);
    const r2 = syscallRegs(NR.set_tid_address!, [tidWord]);
    m.kernel.do_syscall_64(t, r2);
    expect(r2.result()).toBe(101);
    expect(t.clearChildTid).toBe(tidWord);
    m.kernel.do_syscall_64(t, syscallRegs(NR.exit!, [0]));
    expect(m.mem.readU32(tidWord)).toBe(0);
  });

  it('exit ends one thread; exit_group ends the process with the low 8 bits of the status', () => {
    const m = machine();
    const t2 = m.kernel.spawnThread(m.thread.process);
    const o = m.kernel.do_syscall_64(t2, syscallRegs(NR.exit!, [3]));
    expect(o.kind).toBe('exit');
    expect(t2.state).toBe('dead');
    expect(m.thread.process.alive).toBe(true);
    expect(m.kernel.do_syscall_64(m.thread, syscallRegs(NR.exit_group!, [0x1ff])).kind).toBe('exit');
    expect(m.thread.process.exitStatus).toBe(0xff);
    expect(() => m.kernel.do_syscall_64(m.thread, syscallRegs(NR.getpid!, []))).toThrow(/dead/);
  });
});

describe('sys_call_table', () => {
  it('dispatches by the target table and returns ENOSYS for unknown or unimplemented numbers', () => {
    const m = machine();
    expect(call(m, 'getpid')).toBe(100);
    expect(call(m, 'io_uring_setup', 1, 0)).toBe(err('ENOSYS'));
    for (const nr of [9999, -1, 0x7fffffff]) {
      const r = syscallRegs(nr, []);
      m.kernel.do_syscall_64(m.thread, r);
      expect(r.result()).toBe(err('ENOSYS'));
    }
  });

  it('numbers come only from the table: renumbering the table moves the handler', () => {
    const swapped = TABLES.syscalls.map((s) => (s.name === 'getpid' ? { ...s, number: 500 } : s));
    const k = new Kernel({ tables: { ...TABLES, syscalls: swapped }, clock: new ManualClock() });
    const t = k.spawnProcess(new Memory());
    const at500 = syscallRegs(500, []);
    k.do_syscall_64(t, at500);
    expect(at500.result()).toBe(100);
    const at39 = syscallRegs(39, []);
    k.do_syscall_64(t, at39);
    expect(at39.result()).toBe(err('ENOSYS'));
  });

  it('rejects malformed tables with a clear message', () => {
    const clock = new ManualClock();
    const dup = [...TABLES.syscalls, { number: 0, name: 'not_read' }];
    expect(() => new Kernel({ tables: { ...TABLES, syscalls: dup }, clock })).toThrow(/number 0 is both read and not_read/);
    const noEpipe = TABLES.errnos.filter((e) => e.name !== 'EPIPE');
    expect(() => new Kernel({ tables: { ...TABLES, errnos: noEpipe }, clock })).toThrow(/missing EPIPE/);
  });
});

describe('argument words', () => {
  it('reads int parameters from the low 32 bits, sign-extended, ignoring the high half', () => {
    const m = machine({ files: [{ path: '/f', contents: 'abc' }] });
    // AT_FDCWD as a zero-extended 32-bit value, and garbage above bit 31 of an int.
    expect(call(m, 'openat', 0xffffff9c, m.arena.str('/f'), 0)).toBe(3);
    expect(call(m, 'openat', 0xdead_0000_0000n | 0xffffff9cn, m.arena.str('/f'), 0)).toBe(4);
    expect(call(m, 'close', 0x1_0000_0003n)).toBe(0);
    // Pointers use all 64 bits: the same low half with a high half set is not a user address.
    const buf = m.arena.alloc(8);
    expect(call(m, 'read', 4, BigInt(buf) | (1n << 48n), 3)).toBe(err('EFAULT'));
    expect(call(m, 'read', 4, buf, 3)).toBe(3);
  });

  it('reads the number and arguments from a pt_regs frame and writes RAX there', () => {
    const m = machine();
    const frame = 0x5000_0000;
    m.mem.map(frame, 4096, PROT_READ | PROT_WRITE);
    m.mem.writeU64(frame + PT_REGS_ORIG_RAX, BigInt(NR.write!));
    m.mem.writeU64(frame + PT_REGS_OFFSET[RDI]!, 1n);
    m.mem.writeU64(frame + PT_REGS_OFFSET[6]!, BigInt(m.arena.str('via pt_regs')));
    m.mem.writeU64(frame + PT_REGS_OFFSET[2]!, 11n);
    m.kernel.do_syscall_64(m.thread, new PtRegsFrame(m.mem, frame));
    expect(m.mem.readU64(frame + PT_REGS_OFFSET[RAX]!)).toBe(11n);
    expect(text(m.kernel.stdout.bytes())).toBe('via pt_regs');
    m.mem.writeU64(frame + PT_REGS_OFFSET[RDI]!, 77n);
    m.kernel.do_syscall_64(m.thread, new PtRegsFrame(m.mem, frame));
    expect(m.mem.readU64(frame + PT_REGS_OFFSET[RAX]!)).toBe(BigInt.asUintN(64, BigInt(err('EBADF'))));
  });
});

describe('memory calls', () => {
  it('mmap places anonymous mappings top-down, and munmap/mprotect change what the user can touch', () => {
    const m = machine();
    const { PROT_NONE, MAP_PRIVATE, MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE } = { ...linux, PROT_NONE: 0 };
    const a = call(m, 'mmap', 0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    expect(a % 4096).toBe(0);
    expect(a).toBeGreaterThan(0x7f00_0000_0000);
    expect(m.mem.check(a, 8192, 'w', true)).toBe(true);
    const b = call(m, 'mmap', 0, 100, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    expect(b).toBe(a - 4096);
    expect(call(m, 'mprotect', a, 4096, PROT_READ)).toBe(0);
    expect(m.mem.check(a, 1, 'w', true)).toBe(false);
    expect(m.mem.check(a + 4096, 1, 'w', true)).toBe(true);
    expect(call(m, 'read', 0, a, 1)).toBe(0); // stdin is empty: nothing to copy, no fault
    expect(call(m, 'munmap', a, 8192)).toBe(0);
    expect(m.mem.check(a, 1, 'r', true)).toBe(false);
    expect(call(m, 'mprotect', a, 4096, PROT_READ)).toBe(err('ENOMEM'));
    expect(call(m, 'mmap', 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)).toBe(err('EINVAL'));
    expect(call(m, 'mmap', 0, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0)).toBe(err('EINVAL'));
    expect(call(m, 'mmap', 0, 4096, PROT_READ, MAP_PRIVATE, 42, 0)).toBe(err('EBADF'));
    expect(call(m, 'mmap', 0x1234, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)).toBe(err('EINVAL'));
    expect(call(m, 'mmap', 0x6000_0000, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)).toBe(0x6000_0000);
    expect(call(m, 'mmap', 0x6000_0000, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0)).toBe(err('EEXIST'));
    expect(call(m, 'munmap', 0x1001, 10)).toBe(err('EINVAL'));
    expect(call(m, 'munmap', 0x1000, 0)).toBe(err('EINVAL'));
    expect(call(m, 'mprotect', 0x1001, 10, PROT_READ)).toBe(err('EINVAL'));
  });

  it("mprotect checks in Linux's order: kernel-half and wrapping ranges are ENOMEM, unknown prot bits EINVAL, PROT_SEM accepted", () => {
    const m = machine();
    const a = call(m, 'mmap', 0, 4096, PROT_READ, linux.MAP_PRIVATE | linux.MAP_ANONYMOUS, -1, 0);
    expect(call(m, 'mprotect', 0xffff_8000_0000_0000n, 4096, PROT_READ)).toBe(err('ENOMEM'));
    expect(call(m, 'mprotect', 0xffff_ffff_ffff_f000n, 4096, PROT_READ)).toBe(err('ENOMEM')); // wraps to 0
    expect(call(m, 'mprotect', 0xffff_8000_0000_0001n, 4096, PROT_READ)).toBe(err('EINVAL')); // unaligned first
    expect(call(m, 'mprotect', a, 0, 0x40)).toBe(0); // nothing to do: prot not even looked at
    expect(call(m, 'mprotect', a, 4096, 0x40)).toBe(err('EINVAL'));
    expect(call(m, 'mprotect', a, 4096, 0x03000000 | PROT_READ)).toBe(err('EINVAL')); // GROWSDOWN and GROWSUP
    expect(call(m, 'mprotect', a, 4096, PROT_READ | 0x8)).toBe(0); // PROT_SEM
  });

  it('reservations are free; accessible memory stops at the memory limit with ENOMEM', () => {
    const m = machine({ memoryLimit: 1 << 24 });
    const anon = linux.MAP_PRIVATE | linux.MAP_ANONYMOUS;
    const reserved = call(m, 'mmap', 0, 2 ** 36, 0, anon, -1, 0);
    expect(reserved).toBeGreaterThan(0);
    expect(call(m, 'mprotect', reserved, 1 << 20, PROT_READ | PROT_WRITE)).toBe(0);
    expect(call(m, 'mmap', 0, 1 << 24, PROT_READ, anon, -1, 0)).toBe(err('ENOMEM'));
    expect(call(m, 'mprotect', reserved, 1 << 25, PROT_READ)).toBe(err('ENOMEM'));
    const brk = call(m, 'brk', 0);
    expect(call(m, 'brk', brk + (1 << 24))).toBe(brk);
    expect(call(m, 'mmap', 0, 1 << 20, PROT_READ, anon, -1, 0)).toBeGreaterThan(0);
  });

  it('maps a file privately with its contents', () => {
    const m = machine({ files: [{ path: '/lib.so', contents: 'ELF-ish bytes' }] });
    const fd = call(m, 'open', m.arena.str('/lib.so'), 0);
    const at = call(m, 'mmap', 0, 4096, PROT_READ, linux.MAP_PRIVATE, fd, 0);
    expect(text(m.mem.read(at, 13))).toBe('ELF-ish bytes');
    expect(call(m, 'mmap', 0, 4096, PROT_READ, linux.MAP_PRIVATE, 1, 0)).toBe(err('ENODEV'));
  });

  it('brk grows and shrinks the heap and refuses to go below its start', () => {
    const m = machine();
    const start = call(m, 'brk', 0);
    expect(start).toBe(0x1000_0000);
    expect(call(m, 'brk', start + 10_000)).toBe(start + 10_000);
    expect(m.mem.check(start, 10_000, 'w', true)).toBe(true);
    expect(call(m, 'brk', start + 100)).toBe(start + 100);
    expect(m.mem.check(start + 4096, 1, 'r', true)).toBe(false);
    expect(call(m, 'brk', start - 4096)).toBe(start + 100);
  });
});

describe('time', () => {
  it('nanosleep blocks in virtual time; clock_gettime reads the virtual clock', () => {
    const m = machine();
    const ts = m.arena.alloc(16);
    m.mem.writeU64(ts, 2n);
    m.mem.writeU64(ts + 8, 500n);
    const now = m.arena.alloc(16);
    const real = m.arena.alloc(16);
    let before = 0;
    m.driver.spawn(
      m.thread,
      (function* (): ThreadBody {
        yield sys('clock_gettime', 1, now);
        before = Number(m.mem.readU64(now)) * 1e9 + Number(m.mem.readU64(now + 8));
        yield sys('nanosleep', ts, 0);
        yield sys('clock_gettime', 1, now);
        yield sys('clock_gettime', 0, real);
      })(),
    );
    m.driver.run();
    const after = Number(m.mem.readU64(now)) * 1e9 + Number(m.mem.readU64(now + 8));
    expect(after - before).toBeGreaterThanOrEqual(2_000_000_500);
    expect(after - before).toBeLessThan(2_000_010_000);
    expect(Number(m.mem.readU64(real))).toBe(1_704_067_202);
  });

  it('clock_gettime and nanosleep reject bad clocks, times and pointers', () => {
    const m = machine();
    const now = m.arena.alloc(16);
    const ts = m.arena.alloc(16);
    expect(call(m, 'clock_gettime', 10, now)).toBe(err('EINVAL'));
    expect(call(m, 'clock_gettime', 1, 0x10)).toBe(err('EFAULT'));
    m.mem.writeU64(ts + 8, 1_000_000_000n);
    expect(call(m, 'nanosleep', ts, 0)).toBe(err('EINVAL'));
    expect(call(m, 'nanosleep', 0x10, 0)).toBe(err('EFAULT'));
  });

  it('sleepers wake in deadline order', () => {
    const m = machine();
    const order: number[] = [];
    const sleeps = [300, 100, 200];
    sleeps.forEach((ms, i) => {
      const t = i === 0 ? m.thread : m.kernel.spawnThread(m.thread.process);
      const ts = m.arena.alloc(16);
      m.mem.writeU64(ts + 8, BigInt(ms * 1_000_000));
      m.driver.spawn(
        t,
        (function* (): ThreadBody {
          yield sys('nanosleep', ts, 0);
          order.push(ms);
        })(),
      );
    });
    m.driver.run();
    expect(order).toEqual([100, 200, 300]);
    expect(m.clock.now()).toBeGreaterThanOrEqual(300_000_000);
  });
});

describe('misc', () => {
  it('uname fills struct utsname', () => {
    const m = machine({ hostname: 'box' });
    const buf = m.arena.alloc(390);
    expect(call(m, 'uname', buf)).toBe(0);
    const field = (i: number) => text(m.mem.read(buf + 65 * i, 65)).replace(/\0+$/, '');
    expect([field(0), field(1), field(4), field(5)]).toEqual(['Linux', 'box', 'x86_64', '(none)']);
    expect(call(m, 'uname', 0)).toBe(err('EFAULT'));
  });

  it('getrandom is deterministic for a seed', () => {
    const bytes = (seed: number) => {
      const m = machine({ seed });
      const buf = m.arena.alloc(16);
      expect(call(m, 'getrandom', buf, 16, 0)).toBe(16);
      return [...m.mem.read(buf, 16)];
    };
    expect(bytes(7)).toEqual(bytes(7));
    expect(bytes(7)).not.toEqual(bytes(8));
    const m = machine();
    expect(call(m, 'getrandom', m.arena.alloc(4), 4, 8)).toBe(err('EINVAL'));
    expect(call(m, 'getrandom', m.arena.alloc(4), 4, 6)).toBe(err('EINVAL'));
    expect(call(m, 'getrandom', 0x10, 4, 0)).toBe(err('EFAULT'));
  });

  it('arch_prctl sets and reads the FS and GS bases', () => {
    const m = machine();
    expect(call(m, 'arch_prctl', linux.ARCH_SET_FS, 0x7000_1000)).toBe(0);
    expect(m.thread.fsBase).toBe(0x7000_1000n);
    const out = m.arena.alloc(8);
    expect(call(m, 'arch_prctl', linux.ARCH_GET_FS, out)).toBe(0);
    expect(m.mem.readU64(out)).toBe(0x7000_1000n);
    expect(call(m, 'arch_prctl', linux.ARCH_SET_FS, 0xffff_8000_0000_0000n)).toBe(err('EPERM'));
    expect(call(m, 'arch_prctl', linux.ARCH_GET_GS, 0x10)).toBe(err('EFAULT'));
    expect(call(m, 'arch_prctl', 0x9999, 0)).toBe(err('EINVAL'));
  });

  it('kill and tgkill: existence checks, errors, and death by signal', () => {
    const m = machine();
    const lines: string[] = [];
    new Strace(m.kernel, { write: (l) => lines.push(l) });
    expect(call(m, 'kill', 100, 0)).toBe(0);
    expect(call(m, 'kill', 4242, 0)).toBe(err('ESRCH'));
    expect(call(m, 'kill', 100, 65)).toBe(err('EINVAL'));
    expect(call(m, 'tgkill', 100, 4242, 0)).toBe(err('ESRCH'));
    expect(call(m, 'tgkill', 0, 100, 0)).toBe(err('EINVAL'));
    expect(call(m, 'kill', 100, 17)).toBe(0); // SIGCHLD is ignored by default
    expect(m.thread.process.alive).toBe(true);
    const r = syscallRegs(NR.tgkill!, [100, 100, 15]);
    expect(m.kernel.do_syscall_64(m.thread, r).kind).toBe('exit');
    expect(m.thread.process.killedBy).toBe(15);
    expect(m.thread.process.exitStatus).toBe(143);
    expect(lines.slice(-3)).toEqual([
      'tgkill(100, 100, SIGTERM)               = 0',
      '--- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=100, si_uid=1000} ---',
      '+++ killed by SIGTERM +++',
    ]);
  });

  it('a CPU fault in user mode kills the process with the matching signal', () => {
    const m = machine();
    const message = m.kernel.deliverFault(m.thread, { vector: 13, mnemonic: '#GP', rip: 0x401000, insn: 'hlt' });
    expect(message).toBe('#GP at rip=0x401000 (hlt)');
    expect(m.thread.process.killedBy).toBe(linux.SIGSEGV);
    const m2 = machine();
    m2.kernel.deliverFault(m2.thread, { vector: 6, mnemonic: '#UD', rip: 0x401000 });
    expect(m2.thread.process.killedBy).toBe(linux.SIGILL);
    const m3 = machine();
    expect(m3.kernel.deliverFault(m3.thread, { vector: 14, mnemonic: '#PF', rip: 0x401004, addr: 0 })).toBe('#PF at rip=0x401004 addr=0x0');
    // upper-half addresses are negative numbers inside the machine; they print as 64-bit words
    const m4 = machine();
    expect(m4.kernel.deliverFault(m4.thread, { vector: 14, mnemonic: '#PF', rip: 0x401004, addr: -0x800000000000 })).toBe('#PF at rip=0x401004 addr=0xffff800000000000');
  });
});
