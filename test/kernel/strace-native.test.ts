// The tracer and the kernel against the real strace on the real kernel: each C fixture
// makes a fixed sequence of raw system calls; it is built with gcc -static and traced by
// strace on this machine, and the same sequence runs on the project's kernel under the
// Strace observer. After the chdir into the sample directory, the two traces must be
// identical line for line (results and errnos included), except for stack addresses.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sys, type SeedFile, type ThreadBody } from '../../runtime/kernel/index.ts';
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
  const iov = (pairs: Array<[number, number]>) => {
    const at = a.alloc(16 * pairs.length);
    pairs.forEach(([base, len], i) => {
      a.mem.writeU64(at + 16 * i, BigInt(base));
      a.mem.writeU64(at + 16 * i + 8, BigInt(len));
    });
    return at;
  };
  const out = iov([
    [a.str('first '), 6],
    [a.str('second\n'), 7],
  ]);
  const inv = iov([
    [buf, 4],
    [buf + 4, 20],
  ]);
  const vfd = yield sys('openat', AT_FDCWD, a.str('vec.txt'), linux.O_RDWR | O_CREAT | linux.O_TRUNC, 0o644);
  yield sys('writev', vfd, out, 2);
  yield sys('pread64', vfd, buf, 64, 6);
  yield sys('lseek', vfd, 0, 0);
  yield sys('readv', vfd, inv, 2);
  yield sys('fcntl', vfd, linux.F_DUPFD_CLOEXEC, 7);
  yield sys('unlinkat', AT_FDCWD, a.str('vec.txt'), 0);
  yield sys('uname', a.alloc(390));
  yield sys('getuid');
  yield sys('getegid');
  const map = yield sys('mmap', 0, 8192, linux.PROT_READ | linux.PROT_WRITE, linux.MAP_PRIVATE | linux.MAP_ANONYMOUS, -1, 0);
  yield sys('mprotect', map, 4096, linux.PROT_READ);
  yield sys('munmap', map, 8192);
  yield sys('sched_yield');
  const pipe = a.alloc(8);
  yield sys('pipe2', pipe, O_CLOEXEC);
  yield sys('close', a.mem.readU32(pipe));
  yield sys('write', a.mem.readU32(pipe + 4), a.str('lost'), 4);
  yield sys('exit_group', 0);
}

/** fixtures/strace_errors.c's calls (int arguments passed as C ints: -1 is 0xffffffff). */
function* errors(a: Arena, dir: string): ThreadBody {
  const { AT_FDCWD, O_RDONLY, O_WRONLY, O_CREAT, O_DIRECTORY, O_NONBLOCK, SEEK_SET, SEEK_DATA, F_GETFL, TCGETS } = linux;
  const { AT_REMOVEDIR, PROT_READ, MAP_PRIVATE, MAP_ANONYMOUS, MAP_FIXED } = linux;
  const buf = a.alloc(64);
  const p = a.alloc(8);
  const bad = a.bytes(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0xca, 0x9a, 0x3b, 0, 0, 0, 0]));
  const s = (x: string) => a.str(x);
  yield sys('chdir', s(dir));
  yield sys('openat', AT_FDCWD, s('dir'), O_WRONLY);
  yield sys('openat', AT_FDCWD, s('dir'), O_RDONLY | O_CREAT, 0o644);
  yield sys('openat', AT_FDCWD, s('hosts/'), O_RDONLY);
  yield sys('openat', AT_FDCWD, s('hosts'), O_RDONLY | O_DIRECTORY);
  yield sys('openat', AT_FDCWD, s('hosts/x'), O_RDONLY);
  yield sys('openat', AT_FDCWD, s(''), O_RDONLY);
  yield sys('openat', AT_FDCWD, s('nodir/x'), O_WRONLY | O_CREAT, 0o644);
  yield sys('openat', 99, s('x'), O_RDONLY);
  const fd = yield sys('openat', AT_FDCWD, s('hosts'), O_RDONLY);
  yield sys('openat', fd, s('x'), O_RDONLY);
  yield sys('write', fd, s('x'), 1);
  yield sys('lseek', fd, 0, 7);
  yield sys('lseek', fd, 0xffffffff, SEEK_SET);
  yield sys('lseek', fd, 100, SEEK_DATA);
  yield sys('pread64', 99, buf, 1, 0xffffffff);
  yield sys('pwrite64', fd, s('x'), 1, 0);
  yield sys('ioctl', fd, TCGETS, 0);
  yield sys('fcntl', fd, 9999, 0);
  yield sys('dup2', 99, 99);
  yield sys('dup2', 99, 5);
  yield sys('dup3', fd, fd, 0);
  yield sys('dup3', fd, 5, 1);
  yield sys('dup3', 99, 5, 0);
  const dfd = yield sys('openat', AT_FDCWD, s('dir'), O_RDONLY | O_DIRECTORY);
  yield sys('read', dfd, buf, 1);
  yield sys('newfstatat', AT_FDCWD, s(''), buf, 0);
  yield sys('newfstatat', AT_FDCWD, s('hosts'), buf, 4);
  yield sys('newfstatat', AT_FDCWD, s('missing'), buf, 0);
  yield sys('newfstatat', AT_FDCWD, s('hosts/'), buf, 0);
  yield sys('mkdir', s('dir'), 0o755);
  yield sys('mkdir', s('.'), 0o755);
  yield sys('mkdir', s('nodir/sub'), 0o755);
  yield sys('rmdir', s('.'));
  yield sys('rmdir', s('..'));
  yield sys('rmdir', s('hosts'));
  yield sys('rmdir', s('missing'));
  yield sys('unlink', s('dir'));
  yield sys('unlink', s('.'));
  yield sys('unlink', s('missing'));
  yield sys('unlinkat', AT_FDCWD, s('hosts'), 1);
  yield sys('unlinkat', AT_FDCWD, s('hosts'), AT_REMOVEDIR);
  yield sys('chdir', s('hosts'));
  yield sys('chdir', s('missing'));
  yield sys('pipe2', p, 1);
  yield sys('pipe2', p, O_NONBLOCK);
  const [r, w] = [5, 6];
  yield sys('read', r, buf, 8);
  yield sys('lseek', r, 0, SEEK_SET);
  yield sys('pread64', r, buf, 8, 0);
  yield sys('ioctl', r, TCGETS, 0);
  yield sys('write', r, s('x'), 1);
  yield sys('read', w, buf, 1);
  yield sys('fcntl', r, F_GETFL);
  yield sys('fcntl', w, F_GETFL);
  yield sys('mmap', 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  yield sys('mmap', 0, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0);
  yield sys('mmap', 0, 4096, PROT_READ, MAP_PRIVATE, 99, 0);
  yield sys('mmap', 0, 4096, PROT_READ, MAP_PRIVATE, r, 0);
  yield sys('mmap', 0x1234, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  yield sys('munmap', 0x1001, 10);
  yield sys('munmap', 0x1000, 0);
  yield sys('mprotect', 0x1001, 10, PROT_READ);
  yield sys('nanosleep', bad, 0);
  yield sys('clock_nanosleep', 3, 0, bad, 0);
  yield sys('getrandom', buf, 4, 8);
  yield sys('getrandom', buf, 4, 6);
  yield sys('arch_prctl', 0x9999, 0);
  yield sys('kill', 1, 65);
  yield sys('kill', 99999999, 0);
  yield sys('tgkill', 0, 1, 0);
  yield sys('tgkill', 99999999, 99999999, 0);
  const afd = yield sys('openat', AT_FDCWD, s('app'), linux.O_RDWR | O_CREAT | linux.O_APPEND, 0o644);
  yield sys('write', afd, s('abc'), 3);
  yield sys('pwrite64', afd, s('Z'), 1, 0);
  yield sys('lseek', afd, 0, linux.SEEK_CUR);
  yield sys('pread64', afd, buf, 8, 0);
  yield sys('unlink', s('app'));
  yield sys('close', 99);
  yield sys('exit_group', 0);
}

/** Lines after the chdir, with user addresses (and the padding their width changes) and pids made neutral. */
function normalise(trace: string): string[] {
  const lines = trace.split('\n').filter((l) => l.length > 0);
  const from = lines.findIndex((l) => l.startsWith('chdir('));
  const address = /0x[0-9a-f]{6,}/;
  return lines
    .slice(from + 1)
    .map((l) => (address.test(l) ? l.replaceAll(new RegExp(address, 'g'), 'ADDR').replace(/ +=/, ' =') : l))
    .map((l) => l.replace(/si_pid=\d+/, 'si_pid=PID'));
}

/** Builds the C fixture, traces it with the real strace in a directory made by `prepare`, and returns the normalised lines. */
function realTrace(fixture: string, prepare: (dir: string) => void): string[] {
  const work = mkdtempSync(join(tmpdir(), 'mksyscall-strace-'));
  try {
    const exe = join(work, 'sample');
    execFileSync('gcc', ['-static', '-O1', '-o', exe, fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url))]);
    const dir = join(work, 'd');
    mkdirSync(dir);
    prepare(dir);
    // The sample ends killed by SIGPIPE, so strace's own exit status is not 0.
    spawnSync('strace', ['-o', join(work, 'trace'), exe, dir]);
    return normalise(readFileSync(join(work, 'trace'), 'utf8'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function ourTrace(files: SeedFile[], body: (a: Arena, dir: string) => ThreadBody): string[] {
  const m = machine({ files, uid: process.getuid!(), gid: process.getgid!(), hostname: hostname() });
  const lines: string[] = [];
  new Strace(m.kernel, { write: (l) => lines.push(l) });
  m.driver.spawn(m.thread, body(m.arena, '/sample'));
  m.driver.run();
  return normalise(lines.join('\n'));
}

describe.skipIf(!canTrace)('strace format and errnos match the real strace on the real kernel' + (canTrace ? '' : ' (skipped: strace or gcc missing, or ptrace not permitted)'), () => {
  it('traces the sample program identically', () => {
    const real = realTrace('strace_sample.c', (dir) => {
      writeFileSync(join(dir, 'hosts'), HOSTS);
      chmodSync(join(dir, 'hosts'), 0o644);
    });
    expect(ourTrace([{ path: '/sample/hosts', contents: HOSTS }], sample)).toEqual(real);
  });

  it('fails every erroneous call with the errno Linux gives', () => {
    const real = realTrace('strace_errors.c', (dir) => {
      writeFileSync(join(dir, 'hosts'), 'x\n');
      mkdirSync(join(dir, 'dir'));
    });
    const ours = ourTrace([{ path: '/sample/hosts', contents: 'x\n' }, { path: '/sample/dir', directory: true }], errors);
    expect(ours).toEqual(real);
  });
});
