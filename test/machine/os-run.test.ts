// `mksyscall run --target <os>/amd64 --strace` on every OS the machine runs: the demo
// program (demo/run.ts) prints the same stdout everywhere, and the trace on stderr is in
// that OS's own tracer's format.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = (...args: string[]) => spawnSync('node', ['bin/mksyscall.mjs', 'run', 'demo/run.ts', ...args], { cwd: root, encoding: 'utf8' });

describe('mksyscall run --target for all four', () => {
  for (const [target, line] of [
    ['linux/amd64', /^\[pid +100\] openat\(AT_FDCWD, "\/demo.txt", O_RDONLY\) += 3$/m],
    ['freebsd/amd64', /^open\("\/demo.txt",O_RDONLY,00\)\t+ = 3 \(0x3\)$/m],
    ['darwin/amd64', /^open\("\/demo.txt\\0", 0x0, 0x0\)\t\t = 3 0$/m],
    ['windows/amd64', /^CreateFileW\("C:\\\\demo.txt", GENERIC_READ, FILE_SHARE_READ \| FILE_SHARE_WRITE, 0x[0-9a-f]+, OPEN_EXISTING, FILE_ATTRIBUTE_READONLY, NULL\) = 0x00000004$/m],
  ] as const) {
    it(`${target}: the demo's stdout, and its trace in the OS's format`, () => {
      const r = run('--target', target, '--strace');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('goroutine replied: pong to ping\n');
      expect(r.stderr).toMatch(line);
    });
  }

  it('-T and -c are strace\'s: with another OS\'s tracer they are a clear error', () => {
    const r = run('--target', 'freebsd/amd64', '-c');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('mksyscall run: the truss trace has no -T (durations) or -c (summary) form; trace without them\n');
  });

  it('a target that does not execute is a clear error', () => {
    const r = run('--target', 'linux/arm64');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('mksyscall run: Machine: linux/arm64 does not execute; linux/amd64, freebsd/amd64, darwin/amd64 and windows/amd64 do\n');
  });
});
