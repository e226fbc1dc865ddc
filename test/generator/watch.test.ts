// `mksyscall generate --watch`: regenerates after each defs change, prints errors for a
// bad edit without writing, and keeps watching.
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let tmp = '';
afterEach(() => tmp && rmSync(tmp, { recursive: true, force: true }));

describe('generate --watch', () => {
  it('regenerates on change, reports errors and keeps going', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'mksyscall-watch-'));
    const defs = join(tmp, 'defs');
    const out = join(tmp, 'generated');
    cpSync(join(root, 'defs'), defs, { recursive: true });
    const child = spawn(process.execPath, ['bin/mksyscall.mjs', 'generate', '--watch', '--target', 'freebsd/amd64', '--defs', defs, '--out', out], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const until = async (what: () => boolean, label: string) => {
      for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 50));
      if (!what()) throw new Error(`timed out waiting for ${label}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    };
    try {
      await until(() => stdout.includes('watching'), 'the first run');
      const file = join(out, 'zsyscall_freebsd_amd64.ts');
      expect(readFileSync(file, 'utf8')).not.toContain('Fsync');

      appendFileSync(join(defs, 'syscall_freebsd.sys'), '//sys\tbroken(fd int,) (err error)\n');
      await until(() => stderr.includes('nothing written'), 'the error report');
      expect(stderr).toMatch(/syscall_freebsd\.sys:\d+:\d+: error: malformed/);

      const fixed = readFileSync(join(defs, 'syscall_freebsd.sys'), 'utf8').replace('//sys\tbroken(fd int,) (err error)\n', '//sys\tFsync(fd int) (err error)\n');
      writeFileSync(join(defs, 'syscall_freebsd.sys'), fixed);
      await until(() => readFileSync(file, 'utf8').includes('export function* Fsync('), 'the regenerated wrapper');
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
    }
  }, 30_000);
});
