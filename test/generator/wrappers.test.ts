// The generated wrappers, run against a recording backend: the exact words each
// lowering rule passes, the call entry point chosen, and how results and errors are
// decoded. Also the runtime contract generated code relies on (runtime/syscall.ts).
import { afterEach, describe, expect, it } from 'vitest';
import * as darwin from '../../generated/zsyscall_darwin_amd64.ts';
import * as freebsd from '../../generated/zsyscall_freebsd_amd64.ts';
import * as linux386 from '../../generated/zsyscall_linux_386.ts';
import * as linux from '../../generated/zsyscall_linux_amd64.ts';
import * as windows from '../../generated/zsyscall_windows_amd64.ts';
import { EAGAIN, EINVAL, ENOENT, EWOULDBLOCK } from '../../generated/zerrors_linux.ts';
import { ERROR_FILE_NOT_FOUND, ERROR_INVALID_PARAMETER } from '../../generated/zerrors_windows.ts';
import { SYS_PREAD64 as SYS_PREAD64_386 } from '../../generated/zsysnum_linux_386.ts';
import { SYS_GETPID, SYS_LSEEK, SYS_OPENAT, SYS_READ } from '../../generated/zsysnum_linux_amd64.ts';
import { targets } from '../../generated/index.ts';
import {
  Errno,
  joinInt64,
  RawSyscallNoError,
  setSyscallBackend,
  Syscall,
  toInt,
  toInt32,
  toUint,
  toUint32,
  word,
  type CallKind,
  type Go,
  type LibcFunction,
  type Park,
  type SyscallBackend,
  type SyscallResult,
  type Word,
} from '../../runtime/syscall.ts';

interface Call {
  via: 'syscall' | 'libc' | 'proc';
  kind?: CallKind;
  trap?: Word;
  fn?: string;
  x?: boolean;
  addr?: Word;
  args: Word[];
}

/** A backend that records every call, parks once per call, and answers with `reply`. */
class Recorder implements SyscallBackend {
  calls: Call[] = [];
  pinned: Uint8Array[] = [];
  reply: SyscallResult = [0, 0, 0];
  procs = new Map<string, Word>([['kernel32.dll!CreateFileW', 0x7100]]);
  constructor(readonly os: string) {}
  *syscall(kind: CallKind, trap: Word, args: readonly Word[]): Go<SyscallResult> {
    this.calls.push({ via: 'syscall', kind, trap, args: [...args] });
    yield { reason: 'syscall' };
    return this.reply;
  }
  *libcCall(kind: CallKind, fn: LibcFunction, args: readonly Word[], x: boolean): Go<SyscallResult> {
    this.calls.push({ via: 'libc', kind, fn: fn.name, x, args: [...args] });
    yield { reason: 'libc' };
    return this.reply;
  }
  *procCall(addr: Word, args: readonly Word[]): Go<SyscallResult> {
    this.calls.push({ via: 'proc', addr, args: [...args] });
    yield { reason: 'proc' };
    return this.reply;
  }
  findProc(dll: string, proc: string): Word | null {
    return this.procs.get(`${dll}!${proc}`) ?? null;
  }
  pin(bytes: Uint8Array): Word {
    this.pinned.push(bytes.slice());
    return 0x10000 + 0x1000 * (this.pinned.length - 1);
  }
  zeroAddress(): Word {
    return 0x5000;
  }
}

/** Drives a goroutine step to completion, counting its parks. */
function run<T>(g: Go<T>): { value: T; parks: Park[] } {
  const parks: Park[] = [];
  for (;;) {
    const r = g.next();
    if (r.done) return { value: r.value, parks };
    parks.push(r.value);
  }
}

let b: Recorder;
function install(os: string) {
  b = new Recorder(os);
  setSyscallBackend(b);
}
afterEach(() => setSyscallBackend(null));

describe('linux/amd64 wrappers', () => {
  it('read: Syscall(SYS_READ, fd, ptr, len), n from r0', () => {
    install('linux');
    b.reply = [5, 0, 0];
    const buf = new Uint8Array(16);
    const { value, parks } = run(linux.read(3, buf));
    expect(value).toEqual([5, null]);
    expect(parks).toEqual([{ reason: 'syscall' }]);
    expect(b.calls).toEqual([{ via: 'syscall', kind: 'syscall', trap: SYS_READ, args: [3, 0x10000, 16] }]);
    expect(SYS_READ).toBe(0);
  });

  it('an empty slice passes a dummy non-nil pointer', () => {
    install('linux');
    run(linux.write(1, new Uint8Array(0)));
    expect(b.calls[0]!.args).toEqual([1, 0x5000, 0]);
  });

  it('errors decode through errnoErr to the cached constants', () => {
    install('linux');
    b.reply = [-1, 0, 2];
    const [fd, err] = run(linux.openat(-100, '/nope', 0, 0)).value;
    expect(fd).toBe(-1);
    expect(err).toBe(ENOENT);
    expect(err).toBeInstanceOf(Errno);
    expect([err!.errno, err!.code, err!.message, String(err)]).toEqual([2, 'ENOENT', 'No such file or directory', 'No such file or directory']);
    expect(EWOULDBLOCK).toBe(EAGAIN);
  });

  it('openat: AT_FDCWD stays -100, the path is a NUL-terminated copy', () => {
    install('linux');
    b.reply = [7, 0, 0];
    expect(run(linux.openat(-100, '/etc/hosts', 0o2000000, 0o644)).value).toEqual([7, null]);
    expect(b.calls[0]).toMatchObject({ trap: SYS_OPENAT, args: [-100, 0x10000, 0o2000000, 0o644, 0, 0] });
    expect(new TextDecoder().decode(b.pinned[0])).toBe('/etc/hosts\0');
  });

  it('a string with a NUL byte: EINVAL of the running OS, no call', () => {
    install('linux');
    const [fd, err] = run(linux.openat(-100, 'a\0b', 0, 0)).value;
    expect([fd, err]).toEqual([0, EINVAL]);
    expect(b.calls).toEqual([]);
  });

  it('Seek: int64 in one word, int64 result as bigint', () => {
    install('linux');
    b.reply = [2n ** 60n, 0, 0];
    const [off, err] = run(linux.Seek(3, 2n ** 60n, 0)).value;
    expect([off, err]).toEqual([2n ** 60n, null]);
    expect(b.calls[0]).toMatchObject({ trap: SYS_LSEEK, args: [3, 2n ** 60n, 0] });
  });

  it('Getpid: RawSyscallNoError, a plain tuple, the error word ignored', () => {
    install('linux');
    b.reply = [42, 0, 9];
    expect(run(linux.Getpid()).value).toEqual([42]);
    expect(b.calls[0]).toMatchObject({ kind: 'raw', trap: SYS_GETPID, args: [0, 0, 0] });
  });

  it('mmap uses Syscall6 and returns the address exactly', () => {
    install('linux');
    b.reply = [0x7f0000000000, 0, 0];
    expect(run(linux.mmap(0, 4096, 3, 0x22, -1, 0n)).value).toEqual([0x7f0000000000, null]);
    expect(b.calls[0]!.args).toEqual([0, 4096, 3, 0x22, -1, 0]);
  });

  it('a failed mmap: the all-ones address and ENOMEM, no exception', () => {
    install('linux');
    b.reply = [-1, 0, 12];
    const [addr, err] = run(linux.mmap(0, 4096, 3, 0x22, -1, 0n)).value;
    expect([addr, err?.code]).toEqual([-1, 'ENOMEM']);
  });

  it('pointer parameters accept a word or bytes placed in guest memory', () => {
    install('linux');
    run(linux.Fstat(3, new Uint8Array(144)));
    run(linux.Fstat(3, 0x1234));
    expect(b.calls.map((c) => c.args[1])).toEqual([0x10000, 0x1234]);
  });
});

describe('linux/386 wrappers (32-bit)', () => {
  it('pread splits the 64-bit offset into two words, low first', () => {
    install('linux');
    b.reply = [10, 0, 0];
    const off = 0x1_2345_6789n;
    expect(run(linux386.pread(4, new Uint8Array(10), off)).value).toEqual([10, null]);
    expect(b.calls[0]).toMatchObject({ trap: SYS_PREAD64_386, args: [4, 0x10000, 10, 0x2345_6789, 0x1, 0] });
  });

  it('negative offsets split into two unsigned 32-bit halves', () => {
    install('linux');
    run(linux386.pwrite(4, new Uint8Array(1), -2n));
    expect(b.calls[0]!.args.slice(3, 5)).toEqual([0xfffffffe, 0xffffffff]);
  });

  it('int results truncate to 32 bits', () => {
    install('linux');
    b.reply = [2 ** 32 + 5, 0, 0];
    expect(run(linux386.Dup(1)).value).toEqual([5, null]);
  });
});

describe('freebsd and darwin wrappers', () => {
  it('freebsd: Getpid is a RawSyscall (no NoError variants)', () => {
    install('freebsd');
    b.reply = [99, 0, 0];
    expect(run(freebsd.Getpid()).value).toEqual([99]);
    expect(b.calls[0]).toMatchObject({ via: 'syscall', kind: 'raw' });
  });

  it('darwin: libc trampolines named after the trap', () => {
    install('darwin');
    b.reply = [0, 0, 0];
    run(darwin.Fstat(3, 0x2000));
    run(darwin.Seek(3, 10n, 0));
    run(darwin.Getpid());
    expect(b.calls.map((c) => [c.via, c.kind, c.fn, c.args])).toEqual([
      ['libc', 'syscall', 'fstat64', [3, 0x2000, 0]],
      ['libc', 'syscall', 'lseek', [3, 10, 0]],
      ['libc', 'raw', 'getpid', [0, 0, 0]],
    ]);
  });
});

describe('windows wrappers (mkwinsyscall rules)', () => {
  it('CreateFile: UTF-16 name, SyscallN on the proc address, failretval==InvalidHandle', () => {
    install('windows');
    b.reply = [-1, 0, 2];
    const [h, err] = run(windows.CreateFile('C:\\x', 0x80000000, 0, 0, 3, 0, 0)).value;
    expect([h, err]).toEqual([-1, ERROR_FILE_NOT_FOUND]);
    expect(b.calls[0]).toMatchObject({ via: 'proc', addr: 0x7100, args: [0x10000, 0x80000000, 0, 0, 3, 0, 0] });
    expect([...b.pinned[0]!]).toEqual([67, 0, 58, 0, 92, 0, 120, 0, 0, 0]);
    b.reply = [0x44, 0, 0];
    expect(run(windows.CreateFile('y', 0, 0, 0, 3, 0, 0)).value).toEqual([0x44, null]);
  });

  it('a failure that set no error code reports ERROR_INVALID_PARAMETER', () => {
    install('windows');
    b.procs.set('kernel32.dll!CloseHandle', 0x7200);
    b.reply = [0, 0, 0];
    expect(run(windows.CloseHandle(5)).value).toEqual([ERROR_INVALID_PARAMETER]);
    b.reply = [1, 0, 0];
    expect(run(windows.CloseHandle(5)).value).toEqual([null]);
  });

  it('GetLastError returns the value itself as the error', () => {
    install('windows');
    b.procs.set('kernel32.dll!GetLastError', 0x7300);
    b.reply = [2, 0, 0];
    expect(run(windows.GetLastError()).value).toEqual([ERROR_FILE_NOT_FOUND]);
  });

  it('a missing procedure throws when its address is needed', () => {
    install('windows');
    expect(() => run(windows.Sleep(1))).toThrow(/failed to find Sleep procedure in kernel32/);
  });
});

describe('runtime contract', () => {
  it('without a backend, calls throw a clear error', () => {
    expect(() => run(linux.Getpid())).toThrow('no machine is running: call generated wrappers from a goroutine run by a Machine');
  });

  it('a call the backend completes at once is made when invoked and yields nothing; one that parks yields its parks', () => {
    const made: Word[][] = [];
    const direct = Object.create(new Recorder('linux')) as SyscallBackend;
    direct.syscall = (_kind, trap, args) => {
      made.push([trap, ...args]);
      return [42, 7, 0];
    };
    setSyscallBackend(direct);
    const step = Syscall(SYS_GETPID, 1, 2, 3);
    expect(made).toEqual([[SYS_GETPID, 1, 2, 3]]); // before the step is iterated
    expect(run(step)).toEqual({ value: [42, 7, 0], parks: [] });
    expect(run(RawSyscallNoError(SYS_GETPID, 0, 0, 0))).toEqual({ value: [42, 7], parks: [] });
    expect(
      run(
        (function* () {
          return yield* linux.Getpid();
        })(),
      ),
    ).toEqual({ value: [42], parks: [] });
    install('linux');
    b.reply = [5, 6, 0];
    expect(run(RawSyscallNoError(SYS_GETPID, 0, 0, 0))).toEqual({ value: [5, 6], parks: [{ reason: 'syscall' }] });
  });

  it('Words are canonical: safe numbers, else bigints, 64-bit two’s complement', () => {
    expect(word(-100)).toBe(-100);
    expect(word(2n ** 64n - 100n)).toBe(-100);
    expect(word(2n ** 63n)).toBe(-(2n ** 63n));
    expect(word(2 ** 60)).toBe(2n ** 60n);
    expect(word(true)).toBe(1);
    expect(() => word(1.5)).toThrow(RangeError);
  });

  it('result helpers convert exactly as Go conversions do', () => {
    expect(toInt(-1)).toBe(-1);
    expect(toUint32(-1)).toBe(0xffffffff);
    expect(toInt32(0xffffffff)).toBe(-1);
    expect(toUint(0x7fffffff)).toBe(0x7fffffff);
    expect(toUint(-1)).toBe(-1); // ^uintptr(0), as a failed mmap returns it
    expect(() => toUint(-(2n ** 63n))).toThrow(RangeError);
    expect(joinInt64(0xffffffff, 0xfffffffe)).toBe(-2n);
    expect(joinInt64(1, 0x23456789)).toBe(0x1_2345_6789n);
  });

  it('Errno has a Node-style adapter', () => {
    const e = ENOENT.toNodeError('open', '/nope');
    expect([e.code, e.errno, e.syscall, e.path]).toEqual(['ENOENT', -2, 'open', '/nope']);
  });

  it('every target index describes its target', () => {
    expect(Object.keys(targets).sort()).toEqual(['darwin/amd64', 'freebsd/amd64', 'linux/386', 'linux/amd64', 'linux/arm64', 'windows/amd64']);
    expect(targets['linux/386']).toMatchObject({ os: 'linux', arch: '386', wordSize: 4, endianness: 'little', syscallConvention: 'syscall' });
    expect(targets['linux/amd64']!.numbers['SYS_READ']).toBe(0);
    expect(targets['linux/arm64']!.numbers['SYS_OPENAT']).toBe(56);
    expect(targets['linux/arm64']!.wrappers['open']).toBeUndefined();
    expect(targets['darwin/amd64']!.imports['libc']).toContain('fstat64');
    expect(targets['windows/amd64']!.imports['kernel32']).toContain('CreateFileW');
    expect(targets['freebsd/amd64']!.errnoErr(35).code).toBe('EAGAIN');
  });
});
