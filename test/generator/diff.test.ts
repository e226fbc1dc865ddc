// `mksyscall diff A B`: the semantic lines for differences the seeds describe (openat
// on Linux against open on FreeBSD, -errno against the carry flag, darwin's libc
// route, SyscallN on windows, linux/386's split 64-bit words and _llseek), wrappers
// present on one side only, and the unified diff of the rendered generated files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDiff } from '../../generator/cli/diff.ts';
import { generatedFilesDiff, semanticDiff } from '../../generator/portable/diff.ts';
import { DEFS_DIR } from '../../generator/tables/index.ts';

function diff(a: string, b: string, semanticOnly = false): { status: number; out: string; err: string } {
  let out = '';
  let err = '';
  const status = runDiff(a, b, { semanticOnly }, (s) => (out += s), (s) => (err += s));
  return { status, out, err };
}

describe('semantic diff', () => {
  const linuxFreebsd = semanticDiff('linux/amd64', 'freebsd/amd64');

  it('Open is openat on linux and open on freebsd; numbers differ per OS', () => {
    expect(linuxFreebsd).toContain('~ Open: openat (257) → open (5)');
    expect(linuxFreebsd).toContain('~ read trap: SYS_READ (0) → SYS_READ (3)');
    expect(linuxFreebsd).toContain('~ Seek trap: SYS_LSEEK (8) → SYS_LSEEK (478)');
  });

  it('the -errno convention against the carry flag', () => {
    expect(linuxFreebsd).toContain('~ errors: negative return value -4095..-1 is -errno → carry flag set, errno in the return register');
    expect(linuxFreebsd).toContain('  entry: SYSCALL (RAX = number)');
  });

  it('call variants: linux NoError forms against plain RawSyscall; exit_group against exit', () => {
    expect(linuxFreebsd).toContain('~ Getpid call: RawSyscallNoError → RawSyscall');
    expect(linuxFreebsd).toContain('~ Exit trap: SYS_EXIT_GROUP (231) → SYS_EXIT (1)');
  });

  it('wrappers on one side only; names paired regardless of case; renamed parameters are no difference', () => {
    expect(linuxFreebsd).toContain('- Gettid: only on linux/amd64 (SYS_GETTID (186) via RawSyscallNoError)');
    expect(linuxFreebsd).toContain('+ thr_self: only on freebsd/amd64 (SYS_THR_SELF (432) via RawSyscall)');
    expect(linuxFreebsd).toContain('~ dup2/Dup2 trap: SYS_DUP2 (33) → SYS_DUP2 (90)');
    expect(linuxFreebsd.filter((l) => l.startsWith('~ openat'))).toEqual(['~ openat trap: SYS_OPENAT (257) → SYS_OPENAT (499)']);
  });

  it('darwin goes through libc trampolines', () => {
    const lines = semanticDiff('freebsd/amd64', 'darwin/amd64');
    expect(lines).toContain('~ route: syscall → libc');
    expect(lines).toContain('~ open call: Syscall → syscall_syscall');
    expect(lines).toContain('~ open route: direct system call → libc open through libc_open_trampoline_addr');
    expect(lines).toContain('~ Pipe: pipe2 (542) → pipe (42)');
    expect(lines).toContain('  Open: open (5)');
  });

  it('windows calls kernel32 procedures with SyscallN and GetLastError errors', () => {
    const lines = semanticDiff('linux/amd64', 'windows/amd64');
    expect(lines).toContain('~ Open: openat (257) → kernel32.dll!CreateFileW');
    expect(lines).toContain('+ CreateFile: only on windows/amd64 (kernel32.CreateFileW via SyscallN)');
    expect(lines).toContain('~ errors: negative return value -4095..-1 is -errno → failure return value, error code from GetLastError');
  });

  it('linux/386 splits 64-bit offsets into two words and seeks with _llseek', () => {
    const lines = semanticDiff('linux/amd64', 'linux/386');
    expect(lines).toContain('~ pread words: fd, ptr(p), len(p), offset, 0, 0 → fd, ptr(p), len(p), lo(offset), hi(offset), 0');
    expect(lines).toContain('~ Seek: lseek (8) → _llseek (140)');
    expect(lines).toContain('+ _llseek: only on linux/386 (SYS__LLSEEK (140) via Syscall6)');
  });

  it('a target against itself', () => {
    expect(semanticDiff('linux/amd64', 'linux/amd64')).toEqual(['linux/amd64 and linux/amd64 are the same target']);
  });
});

describe('unified diff of the generated files', () => {
  it('is rendered in memory and matches the committed generated/ files', () => {
    const patch = generatedFilesDiff('linux/amd64', 'freebsd/amd64');
    expect(patch).toContain('--- generated/zsyscall_linux_amd64.ts\n+++ generated/zsyscall_freebsd_amd64.ts\n');
    expect(patch).toContain('--- generated/zsysnum_linux_amd64.ts\n+++ generated/zsysnum_freebsd_amd64.ts\n');
    // Every removed line exists in the committed linux file, every added one in freebsd's.
    const committed = (name: string) => new Set(readFileSync(join(DEFS_DIR, '..', 'generated', name), 'utf8').split('\n'));
    const [linux, freebsd] = [committed('zsyscall_linux_amd64.ts'), committed('zsyscall_freebsd_amd64.ts')];
    const zsyscall = patch.slice(0, patch.indexOf('--- generated/zsysnum_'));
    const body = zsyscall.split('\n').filter((l) => !l.startsWith('---') && !l.startsWith('+++'));
    expect(body.filter((l) => l.startsWith('-')).every((l) => linux.has(l.slice(1)))).toBe(true);
    expect(body.filter((l) => l.startsWith('+')).every((l) => freebsd.has(l.slice(1)))).toBe(true);
    expect(body).toContain('-import { errnoErr } from "./zerrors_linux.ts";');
    expect(body).toContain('+import { errnoErr } from "./zerrors_freebsd.ts";');
  });

  it('windows has no zsysnum file: its side is /dev/null', () => {
    const patch = generatedFilesDiff('linux/amd64', 'windows/amd64');
    expect(patch).toContain('--- generated/zsysnum_linux_amd64.ts\n+++ /dev/null\n');
    expect(patch).toContain('+const procCreateFileW = modkernel32.NewProc("CreateFileW");');
  });
});

describe('mksyscall diff', () => {
  it('prints the semantic diff, then the unified diff', () => {
    const { status, out } = diff('linux/amd64', 'freebsd/amd64');
    expect(status).toBe(0);
    expect(out.startsWith('semantic diff linux/amd64 → freebsd/amd64\n')).toBe(true);
    expect(out.indexOf('~ Open: openat (257) → open (5)')).toBeLessThan(out.indexOf('--- generated/zsyscall_linux_amd64.ts'));
    expect(diff('linux/amd64', 'freebsd/amd64', true).out).not.toContain('--- generated/');
  });

  it('an unknown target exits 2 naming the known ones', () => {
    expect(diff('linux/amd64', 'plan9/386')).toMatchObject({ status: 2, out: '', err: expect.stringMatching(/unknown target plan9\/386; known targets: linux\/amd64, /) });
  });
});
