// The tracer's formatting: strace's quoting, flag and struct decoding, -T and the -c
// summary, and golden traces of whole runs (UPDATE_GOLDEN=1 rewrites them).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { linux, sys, type ThreadBody } from '../../runtime/kernel/index.ts';
import { flagNames, octalMode, openFlags, fileMode } from '../../runtime/trace/decode.ts';
import { quoteBytes, Strace } from '../../runtime/trace/index.ts';
import { machine, type TestMachine } from './harness.ts';

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function golden(name: string, actual: string): void {
  const path = new URL(`./golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('quoting', () => {
  it('escapes as strace does', () => {
    expect(quoteBytes(bytes('hello\n'))).toBe('"hello\\n"');
    expect(quoteBytes(bytes('a\0b\tc\x01\xff"\\'))).toBe('"a\\0b\\tc\\1\\377\\"\\\\"');
    // An octal escape before a digit takes three digits.
    expect(quoteBytes(bytes('\x001\x017'))).toBe('"\\0001\\0017"');
    expect(quoteBytes(bytes('\v\f\r'))).toBe('"\\v\\f\\r"');
    expect(quoteBytes(bytes('x'.repeat(33)))).toBe(`"${'x'.repeat(32)}"...`);
    expect(quoteBytes(bytes('x'.repeat(32)))).toBe(`"${'x'.repeat(32)}"`);
    expect(quoteBytes(new Uint8Array([0x8c, 0x0a]), { hex: true })).toBe('"\\x8c\\x0a"');
  });

  it('names flags and modes', () => {
    expect(openFlags(linux.O_RDONLY | linux.O_CLOEXEC)).toBe('O_RDONLY|O_CLOEXEC');
    expect(openFlags(linux.O_WRONLY | linux.O_CREAT | linux.O_TRUNC)).toBe('O_WRONLY|O_CREAT|O_TRUNC');
    expect(openFlags(linux.O_RDWR | linux.O_SYNC)).toBe('O_RDWR|O_SYNC');
    expect(openFlags(3 | 0x40000000)).toBe('0x3|0x40000000');
    expect(flagNames(0, [[1, 'A']], 'NONE')).toBe('NONE');
    expect(octalMode(0o644)).toBe('0644');
    expect(octalMode(0)).toBe('000');
    expect(octalMode(0o7)).toBe('007');
    expect(fileMode(linux.S_IFDIR | 0o755)).toBe('S_IFDIR|0755');
  });
});

/** The POSIX five and friends, with errors, as a program would make them. */
function* posix(m: TestMachine): ThreadBody {
  const a = m.arena;
  const buf = a.alloc(128);
  const st = a.alloc(144);
  const fd = yield sys('openat', linux.AT_FDCWD, a.str('/etc/hosts'), linux.O_RDONLY | linux.O_CLOEXEC);
  yield sys('read', fd, buf, 64);
  yield sys('lseek', fd, 0, linux.SEEK_SET);
  yield sys('fstat', fd, st);
  yield sys('close', fd);
  yield sys('openat', linux.AT_FDCWD, a.str('/etc/passwd'), linux.O_RDONLY);
  const out = yield sys('open', a.str('/tmp/out.txt'), linux.O_WRONLY | linux.O_CREAT | linux.O_TRUNC, 0o644);
  yield sys('write', out, a.str('a line longer than thirty-two bytes, cut by strace\n'), 51);
  yield sys('close', out);
  yield sys('read', 99, buf, 1);
  yield sys('read', 0, 0xdead000, 16);
  yield sys('mmap', 0, 8192, linux.PROT_READ | linux.PROT_WRITE, linux.MAP_PRIVATE | linux.MAP_ANONYMOUS, -1, 0);
  yield sys('brk', 0);
  yield sys('clock_gettime', 1, buf);
  yield sys('uname', buf);
  yield sys('getrandom', buf, 8, linux.GRND_NONBLOCK);
  yield sys('fcntl', 1, linux.F_GETFL);
  yield sys('pipe2', buf, linux.O_CLOEXEC);
  yield sys('ioctl', 1, linux.TCGETS, buf);
  yield sys('arch_prctl', linux.ARCH_SET_FS, 0x4c4380);
  yield sys('kill', 100, 0);
  yield sys('write', 1, a.str('done\n'), 5);
  yield sys('exit_group', 0);
}

function posixMachine(): TestMachine {
  return machine({ files: [{ path: '/etc/hosts', contents: '127.0.0.1 localhost\n' }, { path: '/tmp', directory: true }], stdin: 'in' });
}

describe('golden traces', () => {
  it('the POSIX five with errors, -T', () => {
    const m = posixMachine();
    const lines: string[] = [];
    new Strace(m.kernel, { write: (l) => lines.push(l), timing: true });
    m.driver.spawn(m.thread, posix(m));
    m.driver.run();
    golden('posix.strace', lines.join('\n') + '\n');
  });

  it('the same run twice gives the same trace byte for byte', () => {
    const run = () => {
      const m = posixMachine();
      const lines: string[] = [];
      new Strace(m.kernel, { write: (l) => lines.push(l), timing: true });
      m.driver.spawn(m.thread, posix(m));
      m.driver.run();
      return lines.join('\n');
    };
    expect(run()).toBe(run());
  });

  it('-c summary table', () => {
    const m = posixMachine();
    const lines: string[] = [];
    const tracer = new Strace(m.kernel, { write: (l) => lines.push(l), summaryOnly: true });
    m.driver.spawn(m.thread, posix(m));
    m.driver.run();
    expect(lines).toEqual([]);
    const table = tracer.summary.format();
    golden('posix.summary', table);
    const total = table.trim().split('\n').pop()!;
    expect(total).toMatch(/^100\.00 +\d+\.\d{6} +\d+ +22 +4 total$/);
  });
});
