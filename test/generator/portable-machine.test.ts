// The portable API end to end: one program (create and write a file, seek, read it
// back, close, a message through a pipe, getpid, exit) run through each OS's portable
// wrappers must produce the same results everywhere. On a Machine for every target it
// executes (the others are skipped with the machine's own reason), and for freebsd and
// darwin on the CPU harness of test/bsd (stubs, libSystem, the BSD kernels) and for
// windows on that of test/windows (asmstdcall, the emulated kernel32).
import { afterEach, describe, expect, it } from 'vitest';
import { darwinAmd64Objects, trampolinesObject } from '../../runtime/asm/darwin_amd64.ts';
import { freebsdAmd64Objects } from '../../runtime/asm/freebsd_amd64.ts';
import { setSyscallBackend } from '../../runtime/syscall.ts';
import { target as darwinTarget } from '../../generated/target_darwin_amd64.ts';
import { StubBackend } from '../bsd/backend.ts';
import { bsdCpuMachine } from '../bsd/cpu.ts';
import { runToEnd, winMachine } from '../windows/machine.ts';
import { darwin_amd64 } from '../../defs/syscall_darwin.ts';
import { freebsd_amd64 } from '../../defs/syscall_freebsd.ts';
import { linux_amd64 } from '../../defs/syscall_linux.ts';
import { windows_amd64 } from '../../defs/syscall_windows.ts';
import { SEEK_CUR, SEEK_SET, type Portable } from '../../defs/portable.ts';
import { targets } from '../../generated/index.ts';
import { Machine, type Go } from '../../runtime/index.ts';

const encode = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

function machineFor(p: Portable): Machine {
  return new Machine({ target: targets[p.target]!, files: [{ path: '/tmp', directory: true }] });
}

/** Why the machine cannot run `p`'s target, or null when it can. */
function unsupported(p: Portable): string | null {
  try {
    machineFor(p);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The demo program over the portable API; returns what it observed. */
function* program(p: Portable, path: string): Go<Record<string, unknown>> {
  const [fd, openErr] = yield* p.Open(path, p.O.O_RDWR | p.O.O_CREAT | p.O.O_TRUNC, 0o644);
  const [written, writeErr] = yield* p.Write(fd, encode('hello, portable world'));
  const [at, seekErr] = yield* p.Seek(fd, 7n, SEEK_SET);
  const buf = new Uint8Array(8);
  const [n, readErr] = yield* p.Read(fd, buf);
  const [here] = yield* p.Seek(fd, 0n, SEEK_CUR);
  const [closeErr] = yield* p.Close(fd);
  const [[r, w], pipeErr] = yield* p.Pipe();
  const [sent] = yield* p.Write(w, encode('ping'));
  const reply = new Uint8Array(16);
  const [got] = yield* p.Read(r, reply);
  const [pid] = yield* p.Getpid();
  return {
    openErr, written, writeErr, at, seekErr, read: decode(buf.subarray(0, n)), readErr, here, closeErr,
    pipeErr, sent, message: decode(reply.subarray(0, got)), pidPositive: pid > 0,
  };
}

const EXPECTED = {
  openErr: null, written: 21, writeErr: null, at: 7n, seekErr: null, read: 'portable', readErr: null, here: 15n,
  closeErr: null, pipeErr: null, sent: 4, message: 'ping', pidPositive: true,
};

for (const [p, path] of [[linux_amd64, '/tmp/data.txt'], [freebsd_amd64, '/tmp/data.txt'], [darwin_amd64, '/tmp/data.txt'], [windows_amd64, 'C:\\data.txt']] as const) {
  const reason = unsupported(p);
  describe.skipIf(reason !== null)(`the portable program on ${p.target}${reason ? ` (skipped: ${reason})` : ''}`, () => {
    it('observes the same results as on every other OS and exits with its code', () => {
      let seen: Record<string, unknown> = {};
      const result = machineFor(p).run(function* () {
        seen = yield* program(p, path);
        yield* p.Exit(3);
      });
      expect(seen).toEqual(EXPECTED);
      expect(result.status).toBe(3);
    });
  });
}

describe('the portable program on the BSD and windows CPU harnesses (no scheduler)', () => {
  afterEach(() => setSyscallBackend(null));

  /** Drives a program whose calls never park, as nothing blocks on this harness. */
  function drive<T>(g: Go<T>): T {
    const r = g.next();
    if (!r.done) throw new Error(`the program parked: ${JSON.stringify(r.value)}`);
    return r.value;
  }

  it('freebsd/amd64: open, carry-flag stubs, the FreeBSD kernel', () => {
    const { stubs, entry } = freebsdAmd64Objects();
    const m = bsdCpuMachine('freebsd', [stubs], entry, { files: [{ path: '/tmp', directory: true }] });
    setSyscallBackend(new StubBackend('freebsd', m));
    expect(drive(program(freebsd_amd64, '/tmp/data.txt'))).toEqual(EXPECTED);
  });

  it('darwin/amd64: libc trampolines into libSystem, the XNU kernel', () => {
    const { stubs, libsystem, entry } = darwinAmd64Objects();
    const m = bsdCpuMachine('darwin', [stubs, libsystem, trampolinesObject(darwinTarget.imports.libc!)], entry, { files: [{ path: '/tmp', directory: true }] });
    setSyscallBackend(new StubBackend('darwin', m));
    expect(drive(program(darwin_amd64, '/tmp/data.txt'))).toEqual(EXPECTED);
  });

  it('windows/amd64: CreateFileW and friends through asmstdcall, the emulated kernel32', () => {
    const m = winMachine();
    setSyscallBackend(m.backend);
    expect(runToEnd(program(windows_amd64, 'C:\\data.txt'))).toEqual(EXPECTED);
  });
});
