// The freebsd/amd64 Syscall stubs and the darwin/amd64 libc path on the emulated CPU, end
// to end over the real BSD kernels: boot through syscall_init, call a stub with an ABI0
// frame, trap with SYSCALL into entry_SYSCALL_64 and the host do_syscall_64 running the
// FreeBSD or XNU personality, SYSRET with the carry flag in the restored RFLAGS, and read
// r1, r2 and err from the frame. A failing open proves each error path: JCC on FreeBSD;
// JCS → cerror → errno → __error() on macOS, with RAX = 0x2000000 | number.
import { describe, expect, it } from 'vitest';
import { FREEBSD_STUB_FRAMES, freebsdAmd64Objects } from '../../runtime/asm/freebsd_amd64.ts';
import { DARWIN_STUB_FRAMES, DARWIN_TSD, darwinAmd64Objects, trampolineSymbol, trampolinesObject } from '../../runtime/asm/darwin_amd64.ts';
import { SYSCALL_CLASS_UNIX } from '../../runtime/kernel/darwin/index.ts';
import * as fbsd from '../../runtime/kernel/freebsd/index.ts';
import * as xnu from '../../runtime/kernel/darwin/index.ts';
import * as FB from '../../generated/zsysnum_freebsd_amd64.ts';
import * as DW from '../../generated/zsysnum_darwin_amd64.ts';
import { bsdCpuMachine, TSD } from './cpu.ts';

const hosts = [{ path: '/etc/hosts', contents: '127.0.0.1 localhost\n' }];

function freebsd() {
  const { stubs, entry } = freebsdAmd64Objects();
  return bsdCpuMachine('freebsd', [stubs], entry, { files: hosts });
}

const LIBC = ['open', 'read', 'write', 'close', 'lseek', 'pipe', 'getpid', 'openat'];
function darwin() {
  const { stubs, libsystem, entry } = darwinAmd64Objects();
  const m = bsdCpuMachine('darwin', [stubs, libsystem, trampolinesObject(LIBC)], entry, { files: hosts });
  const fn = (name: string) => BigInt(m.image.addressOf(trampolineSymbol(name)));
  return { ...m, fn };
}

describe('frame sizes the host side relies on', () => {
  it('match the TEXT lines of the assembled stubs', () => {
    const sizes = (objs: { symbols: ReadonlyArray<{ name: string; args: number | null }> }) => Object.fromEntries(objs.symbols.filter((s) => s.args !== null).map((s) => [s.name, s.args]));
    expect(sizes(freebsdAmd64Objects().stubs)).toEqual(FREEBSD_STUB_FRAMES);
    expect(sizes(darwinAmd64Objects().stubs)).toEqual(DARWIN_STUB_FRAMES);
  });
});

describe('freebsd/amd64 stubs on the emulated CPU', () => {
  it('boots and runs getpid through Syscall, bracketed by entersyscall and exitsyscall', () => {
    const m = freebsd();
    expect(m.call('syscall·Syscall', FB.SYS_GETPID, [0n, 0n, 0n])).toEqual([100n, 0n, 0n]);
    expect(m.cpu.readMsr(0xc0000082)).toBe(BigInt(m.image.addressOf('entry_SYSCALL_64')));
    expect(m.events).toEqual(['entersyscall', `syscall 0x${FB.SYS_GETPID.toString(16)}`, 'exitsyscall', 'done']);
  });

  it('a failing open comes back with the carry flag: r1 = -1, r2 = 0, err = ENOENT (2)', () => {
    const m = freebsd();
    expect(m.call('syscall·Syscall', FB.SYS_OPEN, [m.str('/nope'), 0n, 0n])).toEqual([-1n, 0n, 2n]);
    expect(m.cpu.getFlags() & 1).toBe(1); // SYSRET restored RFLAGS with CF set
    expect(m.call('syscall·RawSyscall', 9999, [0n, 0n, 0n])).toEqual([-1n, 0n, 78n]);
    expect(m.events).toEqual(['syscall 0x270f', 'done']);
  });

  it('success clears CF: open, write, lseek, read back through Syscall and Syscall6', () => {
    const m = freebsd();
    const path = m.str('/new');
    const [fd, , err] = m.call('syscall·Syscall', FB.SYS_OPEN, [path, BigInt(2 | fbsd.O_CREAT | fbsd.O_TRUNC), 0o644n]);
    expect([fd, err]).toEqual([3n, 0n]);
    expect(m.cpu.getFlags() & 1).toBe(0);
    expect(m.call('syscall·Syscall', FB.SYS_WRITE, [fd, m.str('carry on'), 8n])[0]).toBe(8n);
    expect(m.call('syscall·Syscall6', FB.SYS_LSEEK, [fd, 6n, 0n, 0n, 0n, 0n])).toEqual([6n, 0n, 0n]);
    const buf = m.alloc(8);
    expect(m.call('syscall·RawSyscall6', FB.SYS_READ, [fd, buf, 8n, 0n, 0n, 0n])[0]).toBe(2n);
    expect(m.text(buf, 2)).toBe('on');
    expect(m.events).toEqual([`syscall 0x${FB.SYS_READ.toString(16)}`, 'done']);
  });

  it('pipe2 fills the fd array; O_EXCL on an existing file is EEXIST (17)', () => {
    const m = freebsd();
    const fds = m.alloc(8);
    expect(m.call('syscall·RawSyscall', FB.SYS_PIPE2, [fds, BigInt(fbsd.O_CLOEXEC), 0n])).toEqual([0n, 0n, 0n]);
    expect(m.read64(Number(fds))).toBe(3n | (4n << 32n));
    expect(m.call('syscall·Syscall', FB.SYS_OPEN, [m.str('/etc/hosts'), BigInt(1 | fbsd.O_CREAT | fbsd.O_EXCL), 0n])).toEqual([-1n, 0n, 17n]);
  });
});

describe('darwin/amd64 libc path on the emulated CPU', () => {
  it('getpid through a trampoline and libSystem traps with RAX = 0x2000000 | 20', () => {
    const m = darwin();
    expect(m.call('runtime·syscall_rawSyscall', m.fn('getpid'), [0n, 0n, 0n])).toEqual([100n, expect.any(BigInt), 0n]);
    expect(m.events).toEqual([`syscall 0x${(SYSCALL_CLASS_UNIX | DW.SYS_GETPID).toString(16)}`, 'done']);
  });

  it('a failing open: carry → cerror → errno → __error(): r1 = -1, err = ENOENT (2)', () => {
    const m = darwin();
    expect(m.call('runtime·syscall_syscall', m.fn('open'), [m.str('/nope'), 0n, 0n])).toEqual([-1n, -1n, 2n]);
    expect(m.events).toEqual(['entersyscall', 'syscall 0x2000005', 'exitsyscall', 'done']);
    // errno lives in this thread's TSD block, which GS points at in ring 3.
    expect(m.cpu.gsBase).toBe(TSD);
    expect(m.read64(TSD + DARWIN_TSD.errno) & 0xffffffffn).toBe(2n);
    m.call('runtime·syscall_syscall', m.fn('close'), [77n, 0n, 0n]);
    expect(m.read64(TSD + DARWIN_TSD.errno) & 0xffffffffn).toBe(9n);
  });

  it('open, write, lseek, read, close with XNU flags; openat with AT_FDCWD = -2 through syscall6', () => {
    const m = darwin();
    const path = m.str('/mac');
    const [fd, , err] = m.call('runtime·syscall_syscall', m.fn('open'), [path, BigInt(2 | xnu.O_CREAT | xnu.O_EXCL), 0o600n]);
    expect([fd, err]).toEqual([3n, 0n]);
    expect(m.call('runtime·syscall_syscall', m.fn('write'), [fd, m.str('hello xnu'), 9n])[0]).toBe(9n);
    expect(m.call('runtime·syscall_syscall', m.fn('lseek'), [fd, 6n, 0n])[0]).toBe(6n);
    const buf = m.alloc(8);
    expect(m.call('runtime·syscall_syscall', m.fn('read'), [fd, buf, 8n])[0]).toBe(3n);
    expect(m.text(buf, 3)).toBe('xnu');
    expect(m.call('runtime·syscall_syscall6', m.fn('openat'), [BigInt(xnu.AT_FDCWD), path, BigInt(xnu.O_CREAT | xnu.O_EXCL), 0n, 0n, 0n])).toEqual([-1n, -1n, 17n]);
    expect(m.call('runtime·syscall_rawSyscall6', m.fn('openat'), [BigInt(xnu.AT_FDCWD), path, 0n, 0n, 0n, 0n])).toEqual([4n, expect.any(BigInt), 0n]);
    expect(m.call('runtime·syscall_syscall', m.fn('close'), [fd, 0n, 0n])[2]).toBe(0n);
    expect(m.call('runtime·syscall_syscall', m.fn('close'), [fd, 0n, 0n])).toEqual([-1n, -1n, 9n]);
  });

  it('pipe: libSystem stores RAX and RDX into the int[2] and returns 0', () => {
    const m = darwin();
    const fds = m.alloc(8);
    expect(m.call('runtime·syscall_rawSyscall', m.fn('pipe'), [fds, 0n, 0n])[0]).toBe(0n);
    expect(m.read64(Number(fds))).toBe(3n | (4n << 32n));
    expect(m.call('runtime·syscall_syscall', m.fn('write'), [4n, m.str('pong'), 4n])[0]).toBe(4n);
  });
});
