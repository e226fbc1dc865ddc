// `mksyscall run`: a program's stdout, stderr and exit status are the guest's; --strace
// traces to stderr, --strace-file to a file, -c prints the summary; bad input exits 2.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const program = fileURLToPath(new URL('hello.program.ts', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'mksyscall-run-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const cli = (...args: string[]) => spawnSync('node', ['bin/mksyscall.mjs', 'run', ...args], { cwd: root, encoding: 'utf8' });

describe('mksyscall run', () => {
  it('runs the program: guest stdout, stderr and exit status; the trace in a file', () => {
    const file = join(scratch, 'trace');
    const r = cli(program, '--target', 'linux/amd64', '--strace-file', file);
    expect(r.stdout).toBe('hello from the guest\n');
    expect(r.stderr).toBe('kept');
    expect(r.status).toBe(3);
    expect(readFileSync(file, 'utf8')).toBe(
      // Go's runtime starts sysmon on its own thread first (a clone by the main thread).
      [
        'clone(child_stack=0x201010000, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM) = 101',
        '[pid   100] write(1, "hello from the guest\\n", 21) = 21',
        '[pid   100] open("/hello.txt", O_RDWR|O_CREAT, 0644) = 3',
        '[pid   100] write(3, "kept", 4)         = 4',
        '[pid   100] lseek(3, 0, SEEK_SET)       = 0',
        '[pid   100] read(3, "kept", 8)          = 4',
        '[pid   100] write(2, "kept", 4)         = 4',
        '[pid   100] close(3)                    = 0',
        '[pid   100] exit_group(3)               = ?',
        '[pid   101] +++ exited with 3 +++',
        '+++ exited with 3 +++',
        '',
      ].join('\n'),
    );
  });

  it('--strace -c writes the summary table to stderr', () => {
    const r = cli(program, '--target', 'linux/amd64', '--strace', '-c');
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^kept% time {5}seconds {2}usecs\/call {5}calls {4}errors syscall\n/);
    expect(r.stderr).toMatch(/\s3\s+write\n/);
  });

  it('--strace-threads reaches the tracer: linux refuses it clearly (its strace names threads with [pid N] already)', () => {
    const r = cli(program, '--target', 'linux/amd64', '--strace', '--strace-threads');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^mksyscall run: strace names every thread but the first with \[pid N\] already/);
  });

  it('an exception in the program is a panic: exit 2 with the message', () => {
    const r = cli(fileURLToPath(new URL('panic.program.ts', import.meta.url)), '--target', 'linux/amd64');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('before\n');
    expect(r.stderr).toMatch(/^panic: Error: index out of range \[3\] with length 2\n/);
  });

  it('bad input exits 2 with a clear message', () => {
    expect(cli(join(scratch, 'missing.ts'), '--target', 'linux/amd64')).toMatchObject({ status: 2, stderr: expect.stringContaining('no such file') });
    expect(cli(program, '--target', 'linux')).toMatchObject({ status: 2, stderr: expect.stringContaining('expected os/arch') });
    expect(cli(program, '--target', 'plan9/amd64')).toMatchObject({ status: 2, stderr: expect.stringContaining('no generated target plan9/amd64') });
    expect(cli(program, '--target', 'linux/amd64', '--seed', 'x')).toMatchObject({ status: 2, stderr: expect.stringContaining('--seed x') });
  });
});
