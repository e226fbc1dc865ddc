// truss (FreeBSD) and dtruss (macOS) traces of the same small program run on each
// personality through pt_regs frames: a failing open, create and write a file, seek, read
// it back, fstat, a pipe, getpid, an unknown call and exit. Golden files hold the whole
// traces (UPDATE_GOLDEN=1 rewrites them); the seed's two example lines are checked exactly.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Truss, vis } from '../../runtime/trace/truss.ts';
import { Dtruss, DTRUSS_HEADER, percentS } from '../../runtime/trace/dtruss.ts';
import * as fb from '../../runtime/kernel/freebsd/index.ts';
import * as xnu from '../../runtime/kernel/darwin/index.ts';
import * as FB from '../../generated/zsysnum_freebsd_amd64.ts';
import * as DW from '../../generated/zsysnum_darwin_amd64.ts';
import { bsdMachine } from './harness.ts';

function golden(name: string, actual: string): void {
  const path = new URL(`./golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

const hosts = [{ path: '/etc/hosts', contents: '127.0.0.1 localhost\n' }];

function freebsdRun(): string[] {
  const m = bsdMachine('freebsd');
  const lines: string[] = [];
  new Truss(m.kernel, { write: (l) => lines.push(l) });
  m.sys(FB.SYS_OPEN, [m.str('/etc/hosts'), 0, 0]);
  const path = m.str('/data.txt');
  m.sys(FB.SYS_OPENAT, [fb.AT_FDCWD, path, 1 | fb.O_CREAT | fb.O_TRUNC, 0o644]);
  m.sys(FB.SYS_WRITE, [3, m.str('hello, world\n'), 13]);
  m.sys(FB.SYS_CLOSE, [3]);
  m.sys(FB.SYS_OPEN, [path, 0, 0]);
  m.sys(FB.SYS_LSEEK, [3, 7, 0]);
  const buf = m.alloc(64);
  m.sys(FB.SYS_READ, [3, buf, 64]);
  m.sys(FB.SYS_READ, [3, buf, 64]);
  m.sys(FB.SYS_FSTAT, [3, m.alloc(fb.STAT_SIZE)]);
  m.sys(FB.SYS_CLOSE, [3]);
  m.sys(FB.SYS_CLOSE, [3]);
  const fds = m.alloc(8);
  m.sys(FB.SYS_PIPE2, [fds, fb.O_CLOEXEC]);
  m.sys(FB.SYS_WRITE, [4, m.str('a long message that truss cuts at 32 characters'), 47]);
  m.sys(FB.SYS_READ, [99, buf, 1]);
  m.sys(FB.SYS_GETPID);
  m.sys(FB.SYS_FORK);
  m.sys(FB.SYS_EXIT, [0]);
  return lines;
}

function darwinRun(): string[] {
  const m = bsdMachine('darwin', { files: hosts });
  const lines: string[] = [];
  new Dtruss(m.kernel, { write: (l) => lines.push(l) });
  const U = xnu.SYSCALL_CLASS_UNIX;
  m.sys(U | DW.SYS_OPEN, [m.str('/etc/hostz'), 0, 0]);
  m.sys(U | DW.SYS_OPEN, [m.str('/etc/hosts'), 0, 0]);
  const path = m.str('/data.txt');
  m.sys(U | DW.SYS_OPEN, [path, 1 | xnu.O_CREAT | xnu.O_TRUNC, 0o644]);
  m.sys(U | DW.SYS_WRITE, [4, m.str('hello, world\n'), 13]);
  m.sys(U | DW.SYS_LSEEK, [4, 0, 0]);
  const buf = m.alloc(64);
  m.sys(U | DW.SYS_READ, [3, buf, 9]);
  m.sys(U | DW.SYS_READ, [4, buf, 64]);
  m.sys(U | DW.SYS_FSTAT64, [3, m.alloc(xnu.STAT64_SIZE)]);
  m.sys(U | DW.SYS_PIPE);
  m.sys(U | DW.SYS_OPENAT, [xnu.AT_FDCWD, path, 0, 0]);
  m.sys(U | DW.SYS_CLOSE, [9]);
  m.sys(U | DW.SYS_GETPID);
  m.sys(0x1000000 | 26);
  m.sys(U | DW.SYS_EXIT, [0]);
  return lines;
}

describe('truss', () => {
  it('prints the seed\'s failing open and the success form exactly', () => {
    const lines = freebsdRun();
    expect(lines[0]).toBe("open(\"/etc/hosts\",O_RDONLY,00)\t\t\t ERR#2 'No such file or directory'");
    expect(lines[1]).toMatch(/^openat\(AT_FDCWD,"\/data.txt",O_WRONLY\|O_CREAT\|O_TRUNC,0644\) = 3 \(0x3\)$/);
  });

  it('golden trace of the FreeBSD run', () => {
    golden('freebsd.truss', freebsdRun().join('\n') + '\n');
  });

  it('vis escapes as strvis(3) C-style does', () => {
    expect(vis(Uint8Array.from([104, 105, 10, 9, 0, 0x7f, 0xe9, 92, 34]))).toBe('hi\\n\\t\\0\\177\\351\\\\"');
  });

  it('a write to a pipe with no reader: EPIPE, then SIGPIPE kills the process', () => {
    const m = bsdMachine('freebsd');
    const lines: string[] = [];
    new Truss(m.kernel, { write: (l) => lines.push(l) });
    const fds = m.alloc(8);
    m.sys(FB.SYS_PIPE2, [fds, 0]);
    m.sys(FB.SYS_CLOSE, [3]);
    m.sys(FB.SYS_WRITE, [4, m.str('x'), 1]);
    expect(lines.slice(2)).toEqual(["write(4,\"x\",1)\t\t\t\t\t ERR#32 'Broken pipe'", 'SIGNAL 13 (SIGPIPE)', 'process killed, signal = 13']);
  });
});

describe('thread ids', () => {
  it('truss -H prefixes the thread id and counts it in the padding; dtruss -l prefixes pid/0xtid', () => {
    const f = bsdMachine('freebsd');
    const truss: string[] = [];
    new Truss(f.kernel, { write: (l) => truss.push(l), threadIds: true });
    f.sys(FB.SYS_GETPID);
    expect(truss).toEqual(['   100: getpid()\t\t\t\t = 100 (0x64)']);
    const d = bsdMachine('darwin');
    const dtruss: string[] = [];
    new Dtruss(d.kernel, { write: (l) => dtruss.push(l), threadIds: true });
    d.sys(xnu.SYSCALL_CLASS_UNIX | DW.SYS_GETPID);
    expect(dtruss[1]).toBe('  100/0x64:  getpid(0x0, 0x0, 0x0)\t\t = 100 0');
  });
});

describe('dtruss', () => {
  it('prints the header and the seed\'s failing open exactly', () => {
    const lines = darwinRun();
    expect(lines[0]).toBe(DTRUSS_HEADER);
    expect(lines[1]).toBe('open("/etc/hostz\\0", 0x0, 0x0)\t\t = -1 Err#2');
    expect(lines[2]).toBe('open("/etc/hosts\\0", 0x0, 0x0)\t\t = 3 0');
  });

  it('golden trace of the macOS run', () => {
    golden('darwin.dtruss', darwinRun().join('\n') + '\n');
  });

  it('%S escapes quotes, backslashes and control bytes', () => {
    expect(percentS(Uint8Array.from([34, 92, 10, 1, 65]))).toBe('\\"\\\\\\n\\001A');
  });
});
