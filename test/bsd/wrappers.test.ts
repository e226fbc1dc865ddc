// The generated freebsd/amd64 and darwin/amd64 wrappers, unchanged, on the emulated CPU over
// the BSD kernels: the same small program (a failing open, create, write, seek, read back,
// a pipe, getpid) gives the same results on both, and the same errors as Errno values of
// each OS's table, each having travelled its own way (carry flag and AX on FreeBSD; carry,
// cerror, errno and __error() on macOS).
import { afterEach, describe, expect, it } from 'vitest';
import { setSyscallBackend, type Errno, type Go } from '../../runtime/syscall.ts';
import { freebsdAmd64Objects } from '../../runtime/asm/freebsd_amd64.ts';
import { darwinAmd64Objects, trampolinesObject } from '../../runtime/asm/darwin_amd64.ts';
import * as F from '../../generated/zsyscall_freebsd_amd64.ts';
import * as D from '../../generated/zsyscall_darwin_amd64.ts';
import { target as darwinTarget } from '../../generated/target_darwin_amd64.ts';
import * as fbsd from '../../runtime/kernel/freebsd/index.ts';
import * as xnu from '../../runtime/kernel/darwin/index.ts';
import { bsdCpuMachine } from './cpu.ts';
import { StubBackend } from './backend.ts';

/** Runs a wrapper's generator to its result (nothing here parks). */
function run<T>(g: Go<T>): T {
  const r = g.next();
  if (!r.done) throw new Error(`a wrapper parked: ${JSON.stringify(r.value)}`);
  return r.value;
}

afterEach(() => setSyscallBackend(null));

interface Program {
  open(path: string, flags: number, perm: number): Go<[number, Errno | null]>;
  write(fd: number, p: Uint8Array): Go<[number, Errno | null]>;
  read(fd: number, p: Uint8Array): Go<[number, Errno | null]>;
  Seek(fd: number, off: bigint, whence: number): Go<[bigint, Errno | null]>;
  Close(fd: number): Go<[Errno | null]>;
  Getpid(): Go<[number]>;
  pipe(p: Int32Array): Go<[Errno | null]>;
  creat: number;
}

function program(os: string, p: Program) {
  const out: string[] = [];
  const [, e1] = run(p.open('/nope', 0, 0));
  out.push(`open /nope: ${e1?.code} ${e1?.errno} ${e1?.message}`);
  const [fd, e2] = run(p.open('/data.txt', p.creat, 0o644));
  out.push(`create: fd ${fd} ${e2}`);
  out.push(`write: ${run(p.write(fd, new TextEncoder().encode('hello, ' + 'bsd')))[0]}`);
  out.push(`seek: ${run(p.Seek(fd, 7n, 0))[0]}`);
  const buf = new Uint8Array(16);
  const [n] = run(p.read(fd, buf));
  out.push(`read: ${new TextDecoder().decode(buf.subarray(0, n))}`);
  out.push(`close: ${run(p.Close(fd))[0]} then ${run(p.Close(fd))[0]?.code}`);
  const fds = new Int32Array(2);
  out.push(`pipe: ${run(p.pipe(fds))[0]} [${fds.join(', ')}]`);
  out.push(`getpid: ${run(p.Getpid())[0]}`);
  return { os, out };
}

const EXPECTED = [
  'open /nope: ENOENT 2 No such file or directory',
  'create: fd 3 null',
  'write: 10',
  'seek: 7',
  'read: bsd',
  'close: null then EBADF',
  'pipe: null [3, 4]',
  'getpid: 100',
];

describe('generated wrappers on the CPU', () => {
  it('freebsd/amd64: Syscall stubs, carry-flag errors', () => {
    const { stubs, entry } = freebsdAmd64Objects();
    const m = bsdCpuMachine('freebsd', [stubs], entry);
    setSyscallBackend(new StubBackend('freebsd', m));
    const pipe = (p: Int32Array) => F.pipe2(new Uint8Array(p.buffer), 0);
    const r = program('freebsd', { ...F, pipe, creat: 2 | fbsd.O_CREAT | fbsd.O_TRUNC });
    expect(r.out).toEqual(EXPECTED);
  });

  it('darwin/amd64: libc trampolines, libSystem, 0x2000000-class traps', () => {
    const { stubs, libsystem, entry } = darwinAmd64Objects();
    const m = bsdCpuMachine('darwin', [stubs, libsystem, trampolinesObject(darwinTarget.imports!.libc!)], entry);
    setSyscallBackend(new StubBackend('darwin', m));
    const pipe = (p: Int32Array) => D.pipe(new Uint8Array(p.buffer));
    const r = program('darwin', { ...D, pipe, creat: 2 | xnu.O_CREAT | xnu.O_TRUNC });
    expect(r.out).toEqual(EXPECTED);
    expect(m.events.filter((e) => e.startsWith('syscall'))).toEqual(['syscall 0x2000014']);
  });
});
