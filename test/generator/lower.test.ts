// Lowering rules of golang.org/x/sys mksyscall (and mkwinsyscall), per target ABI,
// checked through the `inspect --json` view of each lowered function.
import { describe, expect, it } from 'vitest';
import { parseAnnotations } from '../../generator/model/parse.ts';
import { defaultTrap, describeFunction, lowerDeclarations, type LowerOptions } from '../../generator/lower/lower.ts';
import { findTarget } from '../../generator/targets.ts';

function lower(line: string, target: string, options: LowerOptions = {}) {
  const parsed = parseAnnotations(line + '\n', 'l.sys');
  expect(parsed.errors).toEqual([]);
  const t = findTarget(target, true)!;
  const r = lowerDeclarations(parsed.declarations, t, options);
  return { ...r, fn: r.functions[0] ? describeFunction(r.functions[0]) : undefined };
}

const ok = (line: string, target: string) => {
  const r = lower(line, target);
  expect(r.errors).toEqual([]);
  return r.fn!;
};

describe('trap names', () => {
  it('default: SYS_ + name with _ at lower→upper boundaries, uppercased', () => {
    expect(defaultTrap('read')).toBe('SYS_READ');
    expect(defaultTrap('Getpid')).toBe('SYS_GETPID');
    expect(defaultTrap('EpollCreate1')).toBe('SYS_EPOLL_CREATE1');
    expect(defaultTrap('_llseek')).toBe('SYS__LLSEEK');
    expect(defaultTrap('fstatat64')).toBe('SYS_FSTATAT64');
  });

  it('= SYS_X overrides; a windows-style override is an error on unix', () => {
    expect(ok('//sys\tSeek(fd int, offset int64, whence int) (off int64, err error) = SYS_LSEEK', 'linux/amd64').trap).toBe('SYS_LSEEK');
    const r = lower('//sys\tf() (err error) = kernel32.F', 'linux/amd64');
    expect(r.errors[0]!.message).toMatch(/expected a trap name such as SYS_READ/);
  });

  it('unknown trap: error naming the table, or a warning in warn-only mode', () => {
    const traps = { has: (t: string) => t === 'SYS_READ', source: () => 'defs/tables/linux_amd64.tsv' };
    const strict = lower('//sys\tfrobnicate(fd int) (err error)', 'linux/amd64', { traps });
    expect(strict.functions).toEqual([]);
    expect(strict.errors[0]!.message).toBe('trap SYS_FROBNICATE is not in defs/tables/linux_amd64.tsv (the linux/amd64 table)');
    const warn = lower('//sys\tfrobnicate(fd int) (err error)', 'linux/amd64', { traps, warnOnly: true });
    expect(warn.errors).toEqual([]);
    expect(warn.functions).toHaveLength(1);
    expect(warn.warnings[0]!.severity).toBe('warning');
  });
});

describe('argument words', () => {
  it('the inspect example: read on linux/amd64', () => {
    expect(ok('//sys\tRead(fd int, p []byte) (n int, err error)', 'linux/amd64')).toEqual({
      name: 'Read',
      nb: false,
      call: 'Syscall',
      trap: 'SYS_READ',
      libc: null,
      params: [
        { name: 'fd', type: 'int' },
        { name: 'p', type: '[]byte' },
      ],
      results: [
        { name: 'n', type: 'int' },
        { name: 'err', type: 'error' },
      ],
      words: ['fd', 'ptr(p)', 'len(p)'],
      assign: { n: 'r0' },
    });
  });

  it('pointers, strings and unsafe.Pointer are one pointer word', () => {
    expect(ok('//sys\tf(path string, st *Stat_t, b unsafe.Pointer) (err error)', 'linux/amd64').words).toEqual(['ptr(path)', 'ptr(st)', 'ptr(b)']);
  });

  it('a string without an err result is lowered with a warning', () => {
    const r = lower('//sys\tf(path string)', 'linux/amd64');
    expect(r.fn!.words).toEqual(['ptr(path)', '0', '0']);
    expect(r.warnings[0]!.message).toMatch(/uses string arguments, but has no error return/);
  });

  it('int64 stays one word on 64-bit targets', () => {
    expect(ok('//sys\tpread(fd int, p []byte, offset int64) (n int, err error) = SYS_PREAD64', 'linux/amd64').words).toEqual(['fd', 'ptr(p)', 'len(p)', 'offset', '0', '0']);
  });

  it('int64 splits into lo, hi on little-endian 32-bit targets (linux/386)', () => {
    const fn = ok('//sys\tpread(fd int, p []byte, offset int64) (n int, err error) = SYS_PREAD64', 'linux/386');
    expect(fn.words).toEqual(['fd', 'ptr(p)', 'len(p)', 'lo(offset)', 'hi(offset)', '0']);
    expect(fn.call).toBe('Syscall6');
  });

  it('int64 splits into hi, lo on big-endian 32-bit ABIs', () => {
    expect(ok('//sys\tf(fd int, off uint64) (err error)', 'linux/mips').words).toEqual(['fd', 'hi(off)', 'lo(off)']);
  });

  it('arm-style ABIs pad so a 64-bit pair starts at an even word', () => {
    expect(ok('//sys\tf(fd int, off int64) (err error)', 'linux/arm').words).toEqual(['fd', '0', 'lo(off)', 'hi(off)', '0', '0']);
    // already even: no pad
    expect(ok('//sys\tf(a int, b int, off int64) (err error)', 'linux/arm').words).toEqual(['a', 'b', 'lo(off)', 'hi(off)', '0', '0']);
    // the same declaration on 386 has no pad
    expect(ok('//sys\tf(fd int, off int64) (err error)', 'linux/386').words).toEqual(['fd', 'lo(off)', 'hi(off)']);
  });

  it('bool is one word', () => {
    expect(ok('//sys\tf(on bool) (err error)', 'linux/amd64').words).toEqual(['on', '0', '0']);
  });

  it('arrays by value and error params are errors', () => {
    expect(lower('//sys\tf(a [2]int) (err error)', 'linux/amd64').errors[0]!.message).toMatch(/cannot be passed by value/);
  });
});

describe('call selection', () => {
  it('Syscall / RawSyscall, suffix 6 and 9 with zero padding', () => {
    expect(ok('//sys\tf(a int) (err error)', 'linux/amd64').call).toBe('Syscall');
    expect(ok('//sysnb\tf(a int) (err error)', 'linux/amd64').call).toBe('RawSyscall');
    const six = ok('//sys\tf(a int, b int, c int, d int) (err error)', 'freebsd/amd64');
    expect([six.call, six.words]).toEqual(['Syscall6', ['a', 'b', 'c', 'd', '0', '0']]);
    const nine = ok('//sysnb\tf(a int, b int, c int, d int, e int, f int, g int) (err error)', 'freebsd/amd64');
    expect([nine.call, nine.words.length, nine.words.at(-1)]).toEqual(['RawSyscall9', 9, '0']);
  });

  it('more than 9 words is an error', () => {
    const r = lower('//sys\tf(a []byte, b []byte, c []byte, d []byte, e []byte) (err error)', 'linux/amd64');
    expect(r.errors[0]!.message).toMatch(/too many arguments to system call: 10 words/);
  });

  it('NoError variants on linux only, when there is no err result', () => {
    expect(ok('//sysnb\tGetpid() (pid int)', 'linux/amd64').call).toBe('RawSyscallNoError');
    expect(ok('//sys\tExit(code int) = SYS_EXIT_GROUP', 'linux/arm64').call).toBe('SyscallNoError');
    expect(ok('//sysnb\tGetpid() (pid int)', 'freebsd/amd64').call).toBe('RawSyscall');
  });

  it('darwin libc mode: syscall_* with the libc function from the trap', () => {
    const fn = ok('//sys\tFstat(fd int, stat *Stat_t) (err error) = SYS_FSTAT64', 'darwin/amd64');
    expect([fn.call, fn.libc, fn.trap]).toEqual(['syscall_syscall', 'fstat64', 'SYS_FSTAT64']);
    expect(ok('//sysnb\tGetpid() (pid int)', 'darwin/amd64').call).toBe('syscall_rawSyscall');
    expect(ok('//sys\tmmap(addr uintptr, length uintptr, prot int, flag int, fd int, pos int64) (ret uintptr, err error)', 'darwin/amd64').call).toBe('syscall_syscall6');
    expect(ok('//sys\tf(a int, b int, c int, d int, e int, f int, g int) (err error)', 'darwin/amd64').call).toBe('syscall_syscall9');
    expect(lower('//sysnb\tf(a int, b int, c int, d int, e int, f int, g int) (err error)', 'darwin/amd64').errors[0]!.message).toMatch(/no raw call with more than 6 words/);
  });
});

describe('results', () => {
  it('results read r0 then r1 in order; err is not assigned', () => {
    expect(ok('//sysnb\tpipe() (r int, w int, err error)', 'linux/amd64').assign).toEqual({ r: 'r0', w: 'r1' });
  });

  it('64-bit results on 32-bit ABIs read a register pair, high:low by endianness', () => {
    expect(ok('//sys\tf(fd int) (off int64, err error)', 'linux/386').assign).toEqual({ off: 'r1:r0' });
    expect(ok('//sys\tf(fd int) (off int64, err error)', 'linux/mips').assign).toEqual({ off: 'r0:r1' });
    expect(ok('//sys\tf(fd int) (off int64, err error)', 'linux/amd64').assign).toEqual({ off: 'r0' });
  });

  it('a third value result has no register', () => {
    expect(lower('//sys\tf() (a int, b int, c int, err error)', 'linux/amd64').errors[0]!.message).toMatch(/only r0 and r1/);
  });
});

describe('windows (mkwinsyscall)', () => {
  it('SyscallN on dll.Proc, no padding; default dll kernel32 and proc name', () => {
    const fn = ok('//sys\tCloseHandle(handle Handle) (err error)', 'windows/amd64');
    expect([fn.call, fn.trap, fn.words]).toEqual(['SyscallN', 'kernel32.CloseHandle', ['handle']]);
    expect(ok('//sys\tCreateFile(name string) (handle Handle, err error) [failretval==InvalidHandle] = CreateFileW', 'windows/amd64')).toMatchObject({
      trap: 'kernel32.CreateFileW',
      words: ['ptr(name)'],
      assign: { handle: 'r0' },
    });
  });

  it('rejects unknown failretval constants (at the condition) and a non-error second result', () => {
    const bad = lower('//sys\tf() (h Handle, err error) [failretval==Nope]', 'windows/amd64').errors[0]!;
    expect(bad.message).toMatch(/unknown failretval constant Nope/);
    expect(bad.column).toBe('//sys\tf() (h Handle, err error) ['.length);
    expect(lower('//sys\tf() (h Handle, x int)', 'windows/amd64').errors[0]!.message).toMatch(/must be of type error/);
  });
});
