// The tracer against the real strace: fixtures/strace_sample.c makes a fixed sequence of
// raw system calls; it is built with gcc -static and traced by strace on this machine,
// and the same sequence runs on the project's kernel under the Strace observer. After
// the chdir into the sample directory, the two traces must be identical, line for line,
// except for stack addresses (the real program's differ from run to run).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sys, type ThreadBody } from '../../runtime/kernel/index.ts';
import { linux } from '../../runtime/kernel/index.ts';
import { Strace } from '../../runtime/trace/index.ts';
import { machine, type Arena } from './harness.ts';

const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const canTrace = have('strace') && have('gcc') && spawnSync('strace', ['-o', '/dev/null', 'true']).status === 0;
const HOSTS = '127.0.0.1 localhost\n';
const ODD = 'a\0b\tc\x01\xff"\\ and more text to pass the limit';

/** The sample's calls, in the same order and with the same arguments. */
function* sample(a: Arena, dir: string): ThreadBody {
  const { AT_FDCWD, O_RDONLY, O_CLOEXEC, O_WRONLY, O_CREAT, O_EXCL, F_GETFL, F_SETFD, F_GETFD, F_SETFL, O_NONBLOCK } = linux;
  const buf = a.alloc(128);
  const st = a.alloc(144);
  const p = a.alloc(8);
  const ts = a.bytes(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0xe8, 0x03, 0, 0, 0, 0, 0, 0]));
  yield sys('chdir', a.str(dir));
  const fd = yield sys('openat', AT_FDCWD, a.str('hosts'), O_RDONLY | O_CLOEXEC);
  yield sys('read', fd, buf, 64);
  yield sys('lseek', fd, 0, 0);
  yield sys('pread64', fd, buf, 5, 10);
  yield sys('fstat', fd, st);
  yield sys('ioctl', fd, linux.TCGETS, 0);
  yield sys('close', fd);
  yield sys('openat', AT_FDCWD, a.str('missing'), O_RDONLY);
  const nfd = yield sys('openat', AT_FDCWD, a.str('new.txt'), O_WRONLY | O_CREAT | O_EXCL, 0o600);
  yield sys('write', nfd, a.bytes(Uint8Array.from(ODD, (c) => c.charCodeAt(0))), ODD.length);
  yield sys('openat', AT_FDCWD, a.str('new.txt'), O_WRONLY | O_CREAT | O_EXCL, 0o600);
  yield sys('fcntl', nfd, F_GETFL);
  yield sys('fcntl', nfd, F_SETFD, 1);
  yield sys('fcntl', nfd, F_GETFD);
  yield sys('close', nfd);
  yield sys('newfstatat', AT_FDCWD, a.str('new.txt'), st, 0);
  yield sys('mkdir', a.str('sub'), 0o755);
  yield sys('mkdir', a.str('sub'), 0o755);
  yield sys('rmdir', a.str('sub'));
  yield sys('unlink', a.str('new.txt'));
  yield sys('unlink', a.str('missing'));
  yield sys('rmdir', a.str('hosts'));
  yield sys('pipe2', p, 0);
  const [r, w] = [3, 4];
  yield sys('write', w, a.str('hello'), 5);
  yield sys('read', r, buf, 64);
  yield sys('lseek', r, 0, 1);
  yield sys('fcntl', r, F_SETFL, O_NONBLOCK);
  yield sys('read', r, buf, 64);
  yield sys('dup', r);
  yield sys('dup2', r, 10);
  yield sys('dup3', r, 10, 0);
  yield sys('close', 10);
  yield sys('close', w);
  yield sys('read', r, buf, 64);
  yield sys('read', -1, 0, 0);
  yield sys('close', 99);
  yield sys('nanosleep', ts, 0);
  yield sys('exit_group', 0);
}

/** Lines after the chdir, with user addresses (and the padding their width changes) made neutral. */
function normalise(trace: string): string[] {
  const lines = trace.split('\n').filter((l) => l.length > 0);
  const from = lines.findIndex((l) => l.startsWith('chdir('));
  const address = /0x[0-9a-f]{6,}/;
  return lines.slice(from + 1).map((l) => (address.test(l) ? l.replaceAll(new RegExp(address, 'g'), 'ADDR').replace(/ +=/, ' =') : l));
}

describe.skipIf(!canTrace)('strace format matches the real strace' + (canTrace ? '' : ' (skipped: strace or gcc missing, or ptrace not permitted)'), () => {
  it('traces the sample program identically', () => {
    const work = mkdtempSync(join(tmpdir(), 'mksyscall-strace-'));
    try {
      const exe = join(work, 'sample');
      const src = fileURLToPath(new URL('./fixtures/strace_sample.c', import.meta.url));
      execFileSync('gcc', ['-static', '-O1', '-o', exe, src]);
      const dir = join(work, 'd');
      execFileSync('mkdir', [dir]);
      writeFileSync(join(dir, 'hosts'), HOSTS);
      chmodSync(join(dir, 'hosts'), 0o644);
      execFileSync('strace', ['-o', join(work, 'trace'), exe, dir]);
      const real = normalise(readFileSync(join(work, 'trace'), 'utf8'));

      const m = machine({ files: [{ path: '/sample/hosts', contents: HOSTS }] });
      const lines: string[] = [];
      new Strace(m.kernel, { write: (l) => lines.push(l) });
      m.driver.spawn(m.thread, sample(m.arena, '/sample'));
      m.driver.run();
      const ours = normalise(lines.join('\n'));
      expect(ours).toEqual(real);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
