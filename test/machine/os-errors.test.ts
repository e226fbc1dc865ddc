// Each OS's error convention, end to end on the machine, through the portable Open of a
// file that does not exist: FreeBSD's carry flag with a positive errno in RAX, XNU's
// 0x2000000 system-call class and libSystem's errno in the thread's TSD, Windows'
// INVALID_HANDLE_VALUE with the reason from GetLastError (the TEB). The raw SYSCALL
// checks run guest code that reports RAX and CF as the kernel left them.
import { describe, expect, it } from 'vitest';
import { DARWIN_TSD } from '../../runtime/asm/darwin_amd64.ts';
import { Machine, type Errno, type Go, type RunResult } from '../../runtime/index.ts';
import type { WindowsMachine } from '../../runtime/machine/personality/windows.ts';
import { targets } from '../../generated/index.ts';
import { darwin_amd64 } from '../../defs/syscall_darwin.ts';
import { freebsd_amd64 } from '../../defs/syscall_freebsd.ts';
import { linux_amd64 } from '../../defs/syscall_linux.ts';
import { windows_amd64 } from '../../defs/syscall_windows.ts';
import type { Portable } from '../../defs/portable.ts';

/** SYSCALL with RAX = nr and DI = path; returns RAX and the carry flag as the kernel left them. */
const RAW_TRAP = `
#include "textflag.h"
TEXT ·rawtrap(SB),NOSPLIT,$0-32
	MOVQ	nr+0(FP), AX
	MOVQ	path+8(FP), DI
	MOVQ	$0, SI
	MOVQ	$0, DX
	SYSCALL
	MOVQ	AX, ax+16(FP)
	JCS	carry
	MOVQ	$0, cf+24(FP)
	RET
carry:
	MOVQ	$1, cf+24(FP)
	RET
`;

function machine(p: Portable): Machine {
  return new Machine({ target: targets[p.target]!, strace: true, asm: [{ source: RAW_TRAP, file: 'rawtrap.s' }] });
}

/** Opens a missing file through the portable Open; returns the error and the run. */
function failingOpen(p: Portable, path: string, extra?: (m: Machine) => Go<void>): { err: Errno | null; fd: number; result: RunResult; m: Machine } {
  const m = machine(p);
  let err: Errno | null = null;
  let fd = 0;
  const result = m.run(function* () {
    [fd, err] = yield* p.Open(path, p.O.O_RDONLY, 0);
    if (extra) yield* extra(m);
  });
  return { err, fd, result, m };
}

/** Runs rawtrap(nr, "/missing.txt") on a unix machine. */
function rawOpen(p: Portable, nr: number): { ax: number; cf: number } {
  const m = machine(p);
  let words: unknown[] = [];
  m.run(function* () {
    const path = m.alloc(16);
    m.mem.write(path, new TextEncoder().encode('/missing.txt\0'));
    words = yield* m.guestCall('main·rawtrap', [nr, path], 2);
  });
  return { ax: Number(words[0]), cf: Number(words[1]) };
}

describe('a failing open through the portable Open, per OS', () => {
  it('linux/amd64: -errno in RAX, no carry; ENOENT', () => {
    const { err, fd, result } = failingOpen(linux_amd64, '/missing.txt');
    expect([fd, err?.os, err?.errno, err?.code]).toEqual([-1, 'linux', 2, 'ENOENT']);
    expect(result.strace).toContain('openat(AT_FDCWD, "/missing.txt", O_RDONLY) = -1 ENOENT (No such file or directory)\n');
    expect(rawOpen(linux_amd64, 2)).toEqual({ ax: -2, cf: 0 });
  });

  it('freebsd/amd64: the carry flag and a positive errno in RAX; truss shows ERR#2', () => {
    const { err, fd, result } = failingOpen(freebsd_amd64, '/missing.txt');
    expect([fd, err?.os, err?.errno, err?.code, err?.message]).toEqual([-1, 'freebsd', 2, 'ENOENT', 'No such file or directory']);
    expect(result.strace).toMatch(/^open\("\/missing.txt",O_RDONLY,00\)\t+ ERR#2 'No such file or directory'$/m);
    expect(rawOpen(freebsd_amd64, 5)).toEqual({ ax: 2, cf: 1 });
  });

  it('darwin/amd64: libSystem traps with the 0x2000000 class and keeps errno in the TSD; dtruss shows Err#2', () => {
    let tsdErrno = 0n;
    const { err, fd, result } = failingOpen(darwin_amd64, '/missing.txt', function* (m) {
      const cpu = m.threads[0]!.cpu;
      tsdErrno = m.mem.readU64(cpu.gsBase + DARWIN_TSD.errno);
    });
    expect([fd, err?.os, err?.errno, err?.code]).toEqual([-1, 'darwin', 2, 'ENOENT']);
    expect(tsdErrno).toBe(2n);
    expect(result.strace).toContain('open("/missing.txt\\0", 0x0, 0x0)\t\t = -1 Err#2\n');
    // The class selects the BSD table: with it open(2) runs, without it there is no such call.
    expect(rawOpen(darwin_amd64, 0x2000005)).toEqual({ ax: 2, cf: 1 });
    expect(rawOpen(darwin_amd64, 5)).toEqual({ ax: 78, cf: 1 });
  });

  it('windows/amd64: INVALID_HANDLE_VALUE, the reason from GetLastError in the TEB', () => {
    let teb = -1;
    const { err, fd, result } = failingOpen(windows_amd64, 'C:\\missing.txt', function* (m) {
      teb = (m as unknown as WindowsMachine).threads[0]!.winThread.lastError;
      yield* [];
    });
    expect([fd, err?.os, err?.errno, err?.code, err?.message]).toEqual([-1, 'windows', 2, 'ERROR_FILE_NOT_FOUND', 'The system cannot find the file specified.']);
    expect(teb).toBe(2);
    expect(result.strace).toMatch(/^CreateFileW\("C:\\\\missing.txt", GENERIC_READ, .* = INVALID_HANDLE_VALUE {2}\[2 ERROR_FILE_NOT_FOUND: The system cannot find the file specified\.\]$/m);
    const inMissingDir = failingOpen(windows_amd64, 'C:\\no\\such.txt');
    expect([inMissingDir.err?.errno, inMissingDir.err?.code]).toEqual([3, 'ERROR_PATH_NOT_FOUND']);
  });
});
