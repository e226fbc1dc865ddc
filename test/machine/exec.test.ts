// A static C program (musl-gcc -static) under this kernel: the same stdout and exit status
// as natively, and the trace lists the same system calls, in the same order, as the real
// strace shows for the native run.
// Skips visibly without musl-gcc or strace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { target } from '../../generated/target_linux_amd64.ts';
import { runKernelExec } from '../../runtime/cli/run.ts';
import { parseElf } from '../../runtime/loader/elf.ts';
import { execOnKernel } from '../../runtime/machine/exec.ts';
import { Machine } from '../../runtime/index.ts';

const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const haveMusl = have('musl-gcc');
const canTrace = have('strace') && spawnSync('strace', ['-o', '/dev/null', 'true']).status === 0;
const source = fileURLToPath(new URL('fixtures/files.c', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'mksyscall-exec-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The call names of an strace log, in order. */
const callNames = (trace: string) =>
  trace
    .split('\n')
    .map((l) => /^(\w+)\(/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);

async function onKernel(exe: string, strace: boolean) {
  const out: Uint8Array[] = [];
  let err = '';
  const status = await runKernelExec(exe, [], { kernel: 'linux', strace }, (b) => out.push(b), (s) => (err += s));
  return { status, stdout: Buffer.concat(out).toString('utf8'), stderr: err };
}

describe.skipIf(!haveMusl)('a static musl program under the kernel' + (haveMusl ? '' : ' (skipped: musl-gcc not found; apt-get install musl-tools)'), () => {
  const exe = join(scratch, 'files');

  it('builds', () => {
    const cc = spawnSync('musl-gcc', ['-static', '-O1', '-o', exe, source], { encoding: 'utf8' });
    expect(cc.stderr).toBe('');
    expect(cc.status).toBe(0);
  });

  it('gives the same stdout and exit status as natively', async () => {
    const native = spawnSync(exe, { cwd: scratch, encoding: 'utf8' });
    expect(native.status).toBe(7);
    const ours = await onKernel(exe, false);
    expect(ours.stdout).toBe(native.stdout);
    expect(ours.status).toBe(native.status);
    expect(ours.stderr).toBe('');
  });

  it.skipIf(!canTrace)('makes the same system calls the real strace shows' + (canTrace ? '' : ' (skipped: strace missing or ptrace not permitted)'), async () => {
    const native = spawnSync('strace', ['-o', join(scratch, 'native.trace'), exe], { cwd: scratch, encoding: 'utf8' });
    expect(native.status).toBe(7);
    const nativeTrace = spawnSync('cat', [join(scratch, 'native.trace')], { encoding: 'utf8' }).stdout;
    const ours = await onKernel(exe, true);
    const names = callNames(ours.stderr);
    expect(names).toEqual(callNames(nativeTrace));
    expect(names).toEqual(expect.arrayContaining(['open', 'write', 'lseek', 'read', 'close', 'unlink', 'pipe', 'writev', 'exit_group']));
    expect(ours.stderr).toMatch(new RegExp(`^execve\\("${exe}", \\["${exe}"\\], 0x7fff[0-9a-f]+ /\\* 0 vars \\*/\\) = 0\n`));
    expect(ours.stderr).toMatch(/open\("exec-test.txt", O_RDONLY\|O_LARGEFILE\) = -1 ENOENT \(No such file or directory\)\n/);
    expect(ours.stderr.endsWith('exit_group(7)                           = ?\n+++ exited with 7 +++\n')).toBe(true);
  });

  it('runs are deterministic: same seed, same trace (with virtual durations), byte for byte', () => {
    const once = () => {
      const m = new Machine({ target, strace: { timing: true }, seed: 5, scheduler: 'round-robin' });
      const r = execOnKernel(m, parseElf(new Uint8Array(readFileSync(exe)), exe), { argv: [exe] });
      return JSON.stringify([r.status, r.stdout, r.strace, r.virtualNs, r.instructions]);
    };
    expect(once()).toBe(once());
  });

  it('mksyscall exec --kernel linux --strace: guest stdout and status, the trace on stderr', () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const r = spawnSync('node', [join(root, 'bin/mksyscall.mjs'), 'exec', '--kernel', 'linux', '--strace', exe], { cwd: scratch, encoding: 'utf8' });
    const native = spawnSync(exe, { cwd: scratch, encoding: 'utf8' });
    expect(r.status).toBe(7);
    expect(r.stdout).toBe(native.stdout);
    expect(r.stderr).toMatch(/^execve\(/);
    expect(r.stderr.endsWith('+++ exited with 7 +++\n')).toBe(true);
  });

  it('a bad file is a clear error, not a crash', async () => {
    expect(await onKernel(source, false)).toMatchObject({ status: 2, stderr: expect.stringContaining('files.c') });
    expect(await onKernel(join(scratch, 'missing'), false)).toMatchObject({ status: 2, stderr: expect.stringContaining('missing') });
  });
});

describe.skipIf(!haveMusl)('a static musl program listing directories' + (haveMusl ? '' : ' (skipped: musl-gcc not found; apt-get install musl-tools)'), () => {
  const dirs = fileURLToPath(new URL('fixtures/dirs.c', import.meta.url));
  const exe = join(scratch, 'dirs');
  /** A fresh directory for each native run: the program makes its own. */
  const nativeRun = (args: string[]) => {
    const cwd = mkdtempSync(join(scratch, 'dirs-'));
    return spawnSync(args[0]!, args.slice(1), { cwd, encoding: 'utf8' });
  };

  it('builds', () => {
    const cc = spawnSync('musl-gcc', ['-static', '-O1', '-o', exe, dirs], { encoding: 'utf8' });
    expect(cc.stderr).toBe('');
    expect(cc.status).toBe(0);
  });

  it('gives the same stdout and exit status as natively', async () => {
    const native = nativeRun([exe]);
    expect(native.status).toBe(3);
    expect(native.stdout).toContain('d subdir\nf alpha1\n');
    const ours = await onKernel(exe, false);
    expect(ours.stdout).toBe(native.stdout);
    expect(ours.status).toBe(3);
  });

  it.skipIf(!canTrace)('makes the same system calls the real strace shows, getdents64 printed as strace does' + (canTrace ? '' : ' (skipped: strace missing or ptrace not permitted)'), async () => {
    const traceFile = join(scratch, 'dirs.trace');
    expect(nativeRun(['strace', '-o', traceFile, exe]).status).toBe(3);
    const ours = await onKernel(exe, true);
    expect(callNames(ours.stderr)).toEqual(callNames(readFileSync(traceFile, 'utf8')));
    expect(ours.stderr).toMatch(/\ngetdents64\(3, 0x[0-9a-f]+ \/\* 6 entries \*\/, 4096\) = 176\n/);
    expect(ours.stderr).toMatch(/\ngetdents64\(3, 0x[0-9a-f]+, 20\) += -1 EINVAL \(Invalid argument\)\n/);
    expect(ours.stderr).toMatch(/\ngetdents64\(3, 0x8, 4096\) += -1 EFAULT \(Bad address\)\n/);
  });
});
