// File calls on the in-memory VFS: results, errnos as a real kernel gives them, struct
// stat's layout, descriptors, fcntl, directories and read-only host mounts.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { linux } from '../../runtime/kernel/index.ts';
import { call, ERRNO, machine, text, type TestMachine } from './harness.ts';

const { AT_FDCWD, O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_CLOEXEC } = linux;
const err = (name: string) => -ERRNO[name]!;

function withHosts(): TestMachine {
  return machine({
    files: [
      { path: '/etc/hosts', contents: '127.0.0.1 localhost\n' },
      { path: '/etc/secret', contents: 'x', mode: 0o600 },
      { path: '/home/user', directory: true },
    ],
  });
}

describe('open, read, write, lseek, close', () => {
  it('reads a seeded file and keeps the offset', () => {
    const m = withHosts();
    const fd = call(m, 'openat', AT_FDCWD, m.arena.str('/etc/hosts'), O_RDONLY);
    expect(fd).toBe(3);
    const buf = m.arena.alloc(64);
    expect(call(m, 'read', fd, buf, 9)).toBe(9);
    expect(m.arena.text(buf, 9)).toBe('127.0.0.1');
    expect(call(m, 'read', fd, buf, 64)).toBe(11);
    expect(m.arena.text(buf, 11)).toBe(' localhost\n');
    expect(call(m, 'read', fd, buf, 64)).toBe(0);
    expect(call(m, 'lseek', fd, -10, linux.SEEK_END)).toBe(10);
    expect(call(m, 'read', fd, buf, 5)).toBe(5);
    expect(m.arena.text(buf, 5)).toBe('local');
    expect(call(m, 'close', fd)).toBe(0);
    expect(call(m, 'close', fd)).toBe(err('EBADF'));
  });

  it('creates, writes, appends, truncates and deletes a file', () => {
    const m = withHosts();
    const path = m.arena.str('/home/user/notes');
    const fd = call(m, 'open', path, O_RDWR | O_CREAT | O_EXCL, 0o666);
    expect(fd).toBe(3);
    expect(call(m, 'write', fd, m.arena.str('hello'), 5)).toBe(5);
    expect(call(m, 'pwrite64', fd, m.arena.str('J'), 1, 0)).toBe(1);
    expect(call(m, 'lseek', fd, 10, linux.SEEK_SET)).toBe(10);
    expect(call(m, 'write', fd, m.arena.str('!'), 1)).toBe(1);
    const buf = m.arena.alloc(32);
    expect(call(m, 'pread64', fd, buf, 32, 0)).toBe(11);
    expect([...m.mem.read(buf, 11)]).toEqual([..."Jello", 0, 0, 0, 0, 0, '!'].map((c) => (typeof c === 'string' ? c.charCodeAt(0) : c)));
    // Mode is masked by the umask (022).
    const st = m.arena.alloc(144);
    expect(call(m, 'fstat', fd, st)).toBe(0);
    expect(m.mem.readU32(st + 24)).toBe(linux.S_IFREG | 0o644);
    expect(Number(m.mem.readU64(st + 48))).toBe(11);
    call(m, 'close', fd);
    const afd = call(m, 'openat', AT_FDCWD, path, O_WRONLY | O_APPEND);
    call(m, 'lseek', afd, 0, linux.SEEK_SET);
    expect(call(m, 'write', afd, m.arena.str('+'), 1)).toBe(1);
    expect(call(m, 'newfstatat', AT_FDCWD, path, st, 0)).toBe(0);
    expect(Number(m.mem.readU64(st + 48))).toBe(12);
    const tfd = call(m, 'openat', AT_FDCWD, path, O_WRONLY | O_TRUNC);
    expect(call(m, 'fstat', tfd, st)).toBe(0);
    expect(Number(m.mem.readU64(st + 48))).toBe(0);
    expect(call(m, 'unlink', path)).toBe(0);
    expect(call(m, 'openat', AT_FDCWD, path, O_RDONLY)).toBe(err('ENOENT'));
    // The unlinked file stays usable through its open descriptor.
    expect(call(m, 'write', tfd, m.arena.str('abc'), 3)).toBe(3);
  });

  it('gives the errnos Linux gives', () => {
    const m = withHosts();
    const s = (p: string) => m.arena.str(p);
    expect(call(m, 'openat', AT_FDCWD, s('/nope'), O_RDONLY)).toBe(err('ENOENT'));
    expect(call(m, 'openat', AT_FDCWD, s('/nope/x'), O_RDONLY | O_CREAT, 0o644)).toBe(err('ENOENT'));
    expect(call(m, 'openat', AT_FDCWD, s('/etc/hosts/x'), O_RDONLY)).toBe(err('ENOTDIR'));
    expect(call(m, 'openat', AT_FDCWD, s('/etc/hosts/'), O_RDONLY)).toBe(err('ENOTDIR'));
    expect(call(m, 'openat', AT_FDCWD, s('/etc/hosts'), O_RDONLY | O_DIRECTORY)).toBe(err('ENOTDIR'));
    expect(call(m, 'openat', AT_FDCWD, s('/etc/hosts'), O_WRONLY | O_CREAT | O_EXCL, 0o644)).toBe(err('EEXIST'));
    expect(call(m, 'openat', AT_FDCWD, s('/etc'), O_WRONLY)).toBe(err('EISDIR'));
    expect(call(m, 'openat', AT_FDCWD, s('/etc'), O_RDONLY | O_CREAT, 0o644)).toBe(err('EISDIR'));
    expect(call(m, 'openat', AT_FDCWD, s(''), O_RDONLY)).toBe(err('ENOENT'));
    expect(call(m, 'openat', AT_FDCWD, s('a'.repeat(256)), O_RDONLY)).toBe(err('ENAMETOOLONG'));
    expect(call(m, 'openat', AT_FDCWD, s('/' + 'a/'.repeat(2100)), O_RDONLY)).toBe(err('ENAMETOOLONG'));
    expect(call(m, 'openat', 42, s('hosts'), O_RDONLY)).toBe(err('EBADF'));
    const file = call(m, 'open', s('/etc/hosts'), O_RDONLY);
    expect(call(m, 'openat', file, s('hosts'), O_RDONLY)).toBe(err('ENOTDIR'));
    expect(call(m, 'write', file, s('x'), 1)).toBe(err('EBADF'));
    const dir = call(m, 'open', s('/etc'), O_RDONLY | O_DIRECTORY);
    expect(call(m, 'read', dir, m.arena.alloc(8), 8)).toBe(err('EISDIR'));
    expect(call(m, 'openat', dir, s('hosts'), O_RDONLY)).toBeGreaterThan(0);
    expect(call(m, 'lseek', file, 0, 7)).toBe(err('EINVAL'));
    expect(call(m, 'lseek', file, -1, linux.SEEK_SET)).toBe(err('EINVAL'));
    expect(call(m, 'lseek', file, 100, linux.SEEK_DATA)).toBe(err('ENXIO'));
    expect(call(m, 'lseek', dir, 0, linux.SEEK_END)).toBe(err('EINVAL'));
    expect(call(m, 'lseek', dir, 2, linux.SEEK_SET)).toBe(2);
    expect(call(m, 'pread64', file, m.arena.alloc(8), 8, -1)).toBe(err('EINVAL'));
    expect(call(m, 'pread64', 77, m.arena.alloc(8), 8, -1)).toBe(err('EINVAL'));
    expect(call(m, 'read', 77, m.arena.alloc(8), 8)).toBe(err('EBADF'));
    expect(call(m, 'ioctl', file, linux.TCGETS, m.arena.alloc(64))).toBe(err('ENOTTY'));
    expect(call(m, 'ioctl', 77, linux.TCGETS, 0)).toBe(err('EBADF'));
  });

  it('returns EFAULT for bad user pointers and leaves the host unharmed', () => {
    const m = withHosts();
    const fd = call(m, 'openat', AT_FDCWD, m.arena.str('/etc/hosts'), O_RDONLY);
    expect(call(m, 'read', fd, 0xdead0000, 10)).toBe(err('EFAULT'));
    expect(call(m, 'read', fd, -1n, 10)).toBe(err('EFAULT'));
    // Nothing was consumed by the faulting read.
    const buf = m.arena.alloc(4);
    expect(call(m, 'read', fd, buf, 4)).toBe(4);
    expect(m.arena.text(buf, 4)).toBe('127.');
    expect(call(m, 'read', fd, 0, 0)).toBe(0);
    expect(call(m, 'write', 1, 0x1000, 3)).toBe(err('EFAULT'));
    expect(call(m, 'openat', AT_FDCWD, 0, O_RDONLY)).toBe(err('EFAULT'));
    expect(call(m, 'fstat', fd, 8)).toBe(err('EFAULT'));
    // A buffer running off the end of the mapping.
    expect(call(m, 'read', fd, 0x4000_0000 + (1 << 20) - 2, 4)).toBe(err('EFAULT'));
  });

  it('lays out struct stat as x86-64 Linux does', () => {
    const m = withHosts();
    const st = m.arena.alloc(144);
    expect(call(m, 'newfstatat', AT_FDCWD, m.arena.str('/etc/secret'), st, 0)).toBe(0);
    const ino = Number(m.mem.readU64(st + 8));
    expect(ino).toBeGreaterThan(1);
    expect(Number(m.mem.readU64(st + 16))).toBe(1); // st_nlink
    expect(m.mem.readU32(st + 24)).toBe(linux.S_IFREG | 0o600); // st_mode
    expect(m.mem.readU32(st + 28)).toBe(0); // st_uid (seeded files are root's)
    expect(Number(m.mem.readU64(st + 48))).toBe(1); // st_size
    expect(Number(m.mem.readU64(st + 56))).toBe(4096); // st_blksize
    expect(Number(m.mem.readU64(st + 88))).toBe(1_704_067_200); // st_mtime
    expect(call(m, 'newfstatat', AT_FDCWD, m.arena.str('/etc'), st, 0)).toBe(0);
    expect(m.mem.readU32(st + 24)).toBe(linux.S_IFDIR | 0o755);
    expect(Number(m.mem.readU64(st + 16))).toBe(2);
    expect(call(m, 'newfstatat', 1, m.arena.str(''), st, linux.AT_EMPTY_PATH)).toBe(0);
    expect(m.mem.readU32(st + 24)).toBe(linux.S_IFIFO | 0o600);
    expect(call(m, 'newfstatat', AT_FDCWD, m.arena.str(''), st, 0)).toBe(err('ENOENT'));
    expect(call(m, 'newfstatat', AT_FDCWD, m.arena.str('/etc'), st, 0x4)).toBe(err('EINVAL'));
  });
});

describe('descriptors', () => {
  it('dup, dup2, dup3 share the offset and follow the close-on-exec rules', () => {
    const m = withHosts();
    const fd = call(m, 'openat', AT_FDCWD, m.arena.str('/etc/hosts'), O_RDONLY | O_CLOEXEC);
    expect(call(m, 'fcntl', fd, linux.F_GETFD)).toBe(linux.FD_CLOEXEC);
    const d = call(m, 'dup', fd);
    expect(d).toBe(4);
    expect(call(m, 'fcntl', d, linux.F_GETFD)).toBe(0);
    call(m, 'read', fd, m.arena.alloc(4), 4);
    expect(call(m, 'lseek', d, 0, linux.SEEK_CUR)).toBe(4);
    expect(call(m, 'dup2', fd, 9)).toBe(9);
    expect(call(m, 'dup2', fd, fd)).toBe(fd);
    expect(call(m, 'dup2', 50, 50)).toBe(err('EBADF'));
    expect(call(m, 'dup2', fd, 1024)).toBe(err('EBADF'));
    expect(call(m, 'dup3', fd, fd, 0)).toBe(err('EINVAL'));
    expect(call(m, 'dup3', fd, 9, 1)).toBe(err('EINVAL'));
    expect(call(m, 'dup3', fd, 9, O_CLOEXEC)).toBe(9);
    expect(call(m, 'fcntl', 9, linux.F_GETFD)).toBe(linux.FD_CLOEXEC);
    expect(call(m, 'fcntl', fd, linux.F_DUPFD, 20)).toBe(20);
    expect(call(m, 'fcntl', fd, linux.F_DUPFD_CLOEXEC, 20)).toBe(21);
    expect(call(m, 'fcntl', fd, linux.F_DUPFD, 5000)).toBe(err('EINVAL'));
    expect(call(m, 'fcntl', fd, linux.F_GETFL)).toBe(O_RDONLY | linux.O_LARGEFILE);
    expect(call(m, 'fcntl', fd, linux.F_SETFL, linux.O_NONBLOCK | O_APPEND)).toBe(0);
    expect(call(m, 'fcntl', fd, linux.F_GETFL)).toBe(linux.O_NONBLOCK | O_APPEND | linux.O_LARGEFILE);
    expect(call(m, 'fcntl', fd, 9999)).toBe(err('EINVAL'));
    expect(call(m, 'fcntl', 99, linux.F_GETFD)).toBe(err('EBADF'));
  });

  it('hands out the lowest free fd and stops at RLIMIT_NOFILE with EMFILE', () => {
    const m = machine({ nofile: 8, files: [{ path: '/f', contents: 'x' }] });
    const path = m.arena.str('/f');
    const fds = [3, 4, 5, 6, 7].map(() => call(m, 'open', path, O_RDONLY));
    expect(fds).toEqual([3, 4, 5, 6, 7]);
    expect(call(m, 'open', path, O_RDONLY)).toBe(err('EMFILE'));
    expect(call(m, 'open', m.arena.str('/missing'), O_RDONLY)).toBe(err('EMFILE'));
    expect(call(m, 'dup', 3)).toBe(err('EMFILE'));
    expect(call(m, 'pipe2', m.arena.alloc(8), 0)).toBe(err('EMFILE'));
    call(m, 'close', 5);
    expect(call(m, 'pipe2', m.arena.alloc(8), 0)).toBe(err('EMFILE'));
    expect(call(m, 'open', path, O_RDONLY)).toBe(5);
  });
});

describe('directories', () => {
  it('mkdir, chdir, getcwd, rmdir and their errnos', () => {
    const m = withHosts();
    const s = (p: string) => m.arena.str(p);
    expect(call(m, 'mkdir', s('/home/user/src'), 0o777)).toBe(0);
    expect(call(m, 'mkdir', s('/home/user/src'), 0o777)).toBe(err('EEXIST'));
    expect(call(m, 'mkdir', s('/no/such'), 0o777)).toBe(err('ENOENT'));
    expect(call(m, 'chdir', s('/home/user/src')), 'chdir').toBe(0);
    expect(call(m, 'mkdirat', AT_FDCWD, s('pkg'), 0o700)).toBe(0);
    const buf = m.arena.alloc(64);
    expect(call(m, 'getcwd', buf, 64)).toBe('/home/user/src'.length + 1);
    expect(m.arena.text(buf, 14)).toBe('/home/user/src');
    expect(call(m, 'getcwd', buf, 5)).toBe(err('ERANGE'));
    expect(call(m, 'chdir', s('../../..')), 'chdir ..').toBe(0);
    expect(call(m, 'getcwd', buf, 64)).toBe(2);
    expect(call(m, 'chdir', s('..'))).toBe(0);
    expect(call(m, 'getcwd', buf, 64)).toBe(2);
    expect(call(m, 'chdir', s('/etc/hosts'))).toBe(err('ENOTDIR'));
    expect(call(m, 'chdir', s('/nope'))).toBe(err('ENOENT'));
    expect(call(m, 'rmdir', s('/home/user/src'))).toBe(err('ENOTEMPTY'));
    expect(call(m, 'rmdir', s('/etc/hosts'))).toBe(err('ENOTDIR'));
    expect(call(m, 'rmdir', s('/home/user/src/pkg/.'))).toBe(err('EINVAL'));
    expect(call(m, 'rmdir', s('/'))).toBe(err('EBUSY'));
    expect(call(m, 'unlink', s('/home'))).toBe(err('EISDIR'));
    expect(call(m, 'unlinkat', AT_FDCWD, s('/home/user/src/pkg'), linux.AT_REMOVEDIR)).toBe(0);
    expect(call(m, 'unlinkat', AT_FDCWD, s('/home/user/src'), 1)).toBe(err('EINVAL'));
    expect(call(m, 'rmdir', s('/home/user/src'))).toBe(0);
    const st = m.arena.alloc(144);
    expect(call(m, 'newfstatat', AT_FDCWD, s('/home/user/src'), st, 0)).toBe(err('ENOENT'));
  });

  it('getcwd fails with ENOENT once the working directory is removed', () => {
    const m = withHosts();
    call(m, 'mkdir', m.arena.str('/tmpdir'), 0o755);
    call(m, 'chdir', m.arena.str('/tmpdir'));
    call(m, 'rmdir', m.arena.str('/tmpdir'));
    expect(call(m, 'getcwd', m.arena.alloc(64), 64)).toBe(err('ENOENT'));
    expect(call(m, 'open', m.arena.str('new'), O_WRONLY | O_CREAT, 0o644)).toBe(err('ENOENT'));
  });
});

describe('read-only host mounts', () => {
  const host = mkdtempSync(join(tmpdir(), 'mksyscall-mount-'));
  const outside = mkdtempSync(join(tmpdir(), 'mksyscall-outside-'));
  writeFileSync(join(outside, 'secret'), 'do not read');
  mkdirSync(join(host, 'sub'));
  writeFileSync(join(host, 'sub', 'data.txt'), 'host bytes');
  symlinkSync(join(outside, 'secret'), join(host, 'abs-link'));
  symlinkSync('../' + outside.split('/').pop() + '/secret', join(host, 'rel-link'));
  symlinkSync(outside, join(host, 'dir-link'));
  afterAll(() => {
    rmSync(host, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('reads host files and refuses writes, links and escapes', () => {
    const m = machine({ mounts: [{ at: '/mnt/host', hostDir: host }] });
    const s = (p: string) => m.arena.str(p);
    const fd = call(m, 'open', s('/mnt/host/sub/data.txt'), O_RDONLY);
    expect(fd).toBe(3);
    const buf = m.arena.alloc(32);
    expect(call(m, 'read', fd, buf, 32)).toBe(10);
    expect(m.arena.text(buf, 10)).toBe('host bytes');
    expect(call(m, 'open', s('/mnt/host/sub/data.txt'), O_RDWR)).toBe(err('EROFS'));
    expect(call(m, 'open', s('/mnt/host/sub/new'), O_WRONLY | O_CREAT, 0o644)).toBe(err('EROFS'));
    expect(call(m, 'unlink', s('/mnt/host/sub/data.txt'))).toBe(err('EROFS'));
    expect(call(m, 'mkdir', s('/mnt/host/d'), 0o755)).toBe(err('EROFS'));
    expect(call(m, 'rmdir', s('/mnt/host/sub'))).toBe(err('EROFS'));
    expect(call(m, 'open', s('/mnt/host/abs-link'), O_RDONLY)).toBe(err('ELOOP'));
    expect(call(m, 'open', s('/mnt/host/rel-link'), O_RDONLY)).toBe(err('ELOOP'));
    expect(call(m, 'open', s('/mnt/host/dir-link/secret'), O_RDONLY)).toBe(err('ELOOP'));
    // '..' above the mount point stays in the guest tree.
    const parent = outside.split('/').pop()!;
    expect(call(m, 'open', s(`/mnt/host/../../../${parent}/secret`), O_RDONLY)).toBe(err('ENOENT'));
    expect(call(m, 'open', s(`/mnt/host/sub/../../host/sub/data.txt`), O_RDONLY)).toBe(4);
    const st = m.arena.alloc(144);
    expect(call(m, 'newfstatat', AT_FDCWD, s('/mnt/host/abs-link'), st, linux.AT_SYMLINK_NOFOLLOW)).toBe(0);
    expect(m.mem.readU32(st + 24) & linux.S_IFMT).toBe(linux.S_IFLNK);
  });

  it('a host file that disappears after it was looked up fails to open with EACCES, not a host error', () => {
    writeFileSync(join(host, 'gone'), 'soon gone');
    const m = machine({ mounts: [{ at: '/mnt/host', hostDir: host }] });
    const st = m.arena.alloc(144);
    expect(call(m, 'newfstatat', AT_FDCWD, m.arena.str('/mnt/host/gone'), st, 0)).toBe(0);
    expect(Number(m.mem.readU64(st + 48))).toBe(9);
    rmSync(join(host, 'gone'));
    expect(call(m, 'open', m.arena.str('/mnt/host/gone'), O_RDONLY)).toBe(err('EACCES'));
  });

  it('property: no path reaches a file outside the mount, whatever its . .. and links', () => {
    const m = machine({ mounts: [{ at: '/mnt/host', hostDir: host }], files: [{ path: '/mnt/guest.txt', contents: 'guest' }] });
    const outsideName = outside.split('/').pop()!;
    const segment = fc.constantFrom('..', '.', '', 'sub', 'data.txt', 'abs-link', 'rel-link', 'dir-link', 'secret', outsideName, 'mnt', 'host');
    fc.assert(
      fc.property(fc.boolean(), fc.array(segment, { minLength: 1, maxLength: 8 }), (absolute, parts) => {
        const path = (absolute ? '/' : '') + parts.join('/');
        call(m, 'chdir', m.arena.str('/mnt/host/sub'));
        const fd = call(m, 'open', m.arena.str(path), O_RDONLY);
        if (fd < 0) return;
        const buf = m.arena.alloc(32);
        const n = call(m, 'read', fd, buf, 32);
        call(m, 'close', fd);
        if (n > 0) expect(['host bytes', 'guest']).toContain(m.arena.text(buf, n));
      }),
      { numRuns: 400, seed: 11 },
    );
  });

  it('rejects a missing host directory clearly', () => {
    expect(() => machine({ mounts: [{ at: '/m', hostDir: join(host, 'absent') }] })).toThrow(/does not exist/);
  });
});

describe('stdio', () => {
  it('serves stdin from a buffer and captures stdout and stderr', () => {
    const m = machine({ stdin: 'line one\nline two\n' });
    const buf = m.arena.alloc(64);
    expect(call(m, 'read', 0, buf, 9)).toBe(9);
    expect(call(m, 'read', 0, buf + 9, 64)).toBe(9);
    expect(call(m, 'read', 0, buf, 64)).toBe(0);
    expect(call(m, 'write', 1, m.arena.str('out'), 3)).toBe(3);
    expect(call(m, 'write', 2, m.arena.str('err'), 3)).toBe(3);
    expect(call(m, 'write', 0, m.arena.str('x'), 1)).toBe(err('EBADF'));
    expect(call(m, 'lseek', 1, 0, linux.SEEK_CUR)).toBe(err('ESPIPE'));
    const iov = m.arena.alloc(32);
    m.mem.writeU64(iov, BigInt(m.arena.str('ab')));
    m.mem.writeU64(iov + 8, 2n);
    m.mem.writeU64(iov + 16, BigInt(m.arena.str('cde')));
    m.mem.writeU64(iov + 24, 3n);
    expect(call(m, 'writev', 1, iov, 2)).toBe(5);
    expect(call(m, 'writev', 1, iov, 1025)).toBe(err('EINVAL'));
    expect(call(m, 'writev', 1, 0x10, 1)).toBe(err('EFAULT'));
    expect(text(m.kernel.stdout.bytes())).toBe('outabcde');
    expect(text(m.kernel.stderr.bytes())).toBe('err');
  });
});

describe('getdents64', () => {
  /** The linux_dirent64 records in [at, at + n): ino, off, reclen, type, name. */
  function records(m: TestMachine, at: number, n: number) {
    const out: Array<{ ino: number; off: number; reclen: number; type: number; name: string }> = [];
    for (let p = at; p < at + n; ) {
      const reclen = m.mem.readU16(p + 16);
      const name = m.mem.read(p + 19, reclen - 19);
      out.push({ ino: Number(m.mem.readU64(p)), off: Number(m.mem.readU64(p + 8)), reclen, type: m.mem.readU8(p + 18), name: text(name.subarray(0, name.indexOf(0))) });
      p += reclen;
    }
    return out;
  }
  const inoOf = (m: TestMachine, path: string) => {
    const st = m.arena.alloc(144);
    expect(call(m, 'newfstatat', AT_FDCWD, m.arena.str(path), st, linux.AT_SYMLINK_NOFOLLOW)).toBe(0);
    return Number(m.mem.readU64(st + 8));
  };

  it('lists ., .. and the entries in creation order as linux_dirent64 records, resumable at any d_off', () => {
    const m = machine({ files: [{ path: '/d/first', contents: 'x' }, { path: '/d/sub', directory: true }, { path: '/d/a-longer-name.txt', contents: '' }] });
    const fd = call(m, 'open', m.arena.str('/d'), O_RDONLY | O_DIRECTORY);
    const buf = m.arena.alloc(4096);
    const n = call(m, 'getdents64', fd, buf, 4096);
    expect(n).toBe(24 + 24 + 32 + 24 + 40);
    expect(records(m, buf, n)).toEqual([
      { ino: inoOf(m, '/d'), off: 1, reclen: 24, type: linux.DT_DIR, name: '.' },
      { ino: inoOf(m, '/'), off: 2, reclen: 24, type: linux.DT_DIR, name: '..' },
      { ino: inoOf(m, '/d/first'), off: 3, reclen: 32, type: linux.DT_REG, name: 'first' },
      { ino: inoOf(m, '/d/sub'), off: 4, reclen: 24, type: linux.DT_DIR, name: 'sub' },
      { ino: inoOf(m, '/d/a-longer-name.txt'), off: 5, reclen: 40, type: linux.DT_REG, name: 'a-longer-name.txt' },
    ]);
    expect(call(m, 'getdents64', fd, buf, 4096)).toBe(0);
    // lseek to a d_off resumes after that record; records are delivered while they fit
    expect(call(m, 'lseek', fd, 3, linux.SEEK_SET)).toBe(3);
    expect(call(m, 'getdents64', fd, buf, 60)).toBe(24);
    expect(records(m, buf, 24).map((r) => r.name)).toEqual(['sub']);
    expect(call(m, 'lseek', fd, 0, linux.SEEK_CUR)).toBe(4);
    expect(call(m, 'getdents64', fd, buf, 39)).toBe(err('EINVAL')); // the next record takes 40
    expect(call(m, 'getdents64', fd, buf, 40)).toBe(40);
    expect(call(m, 'getdents64', fd, buf, 0)).toBe(0); // at the end nothing needs room
    // new entries show up after the ones already listed (creation order)
    expect(call(m, 'mkdir', m.arena.str('/d/later'), 0o755)).toBe(0);
    expect(records(m, buf, call(m, 'getdents64', fd, buf, 4096)).map((r) => [r.name, r.off])).toEqual([['later', 6]]);
    // the root's .. is the root
    const root = call(m, 'open', m.arena.str('/'), O_RDONLY | O_DIRECTORY);
    const r = records(m, buf, call(m, 'getdents64', root, buf, 4096));
    expect(r[0]!.ino).toBe(r[1]!.ino);
    expect(r.map((x) => x.name)).toEqual(['.', '..', 'd']);
  });

  it('gives the errnos Linux gives, and a failed call does not move the offset', () => {
    const m = machine({ files: [{ path: '/d/f', contents: 'x' }] });
    const fd = call(m, 'open', m.arena.str('/d'), O_RDONLY | O_DIRECTORY);
    const file = call(m, 'open', m.arena.str('/d/f'), O_RDONLY);
    const buf = m.arena.alloc(256);
    expect(call(m, 'getdents64', 77, buf, 256)).toBe(err('EBADF'));
    expect(call(m, 'getdents64', file, buf, 256)).toBe(err('ENOTDIR'));
    expect(call(m, 'getdents64', fd, buf, 23)).toBe(err('EINVAL'));
    expect(call(m, 'getdents64', fd, 8, 256)).toBe(err('EFAULT'));
    expect(call(m, 'getdents64', fd, -1, 256)).toBe(err('EFAULT'));
    expect(call(m, 'lseek', fd, 0, linux.SEEK_CUR)).toBe(0);
    expect(call(m, 'getdents64', fd, buf, 256)).toBe(72);
    // a directory removed while open lists nothing
    expect(call(m, 'mkdir', m.arena.str('/gone'), 0o755)).toBe(0);
    const gone = call(m, 'open', m.arena.str('/gone'), O_RDONLY | O_DIRECTORY);
    expect(call(m, 'rmdir', m.arena.str('/gone'))).toBe(0);
    expect(call(m, 'getdents64', gone, buf, 256)).toBe(err('ENOENT'));
  });

  it('lists a read-only host mount in name order, the same on every host, without following links', () => {
    const host = mkdtempSync(join(tmpdir(), 'mksyscall-dents-'));
    try {
      for (const name of ['zeta', 'alpha', 'Mid', 'beta.txt']) writeFileSync(join(host, name), name);
      mkdirSync(join(host, 'dir'));
      symlinkSync('/etc/passwd', join(host, 'link'));
      const m = machine({ mounts: [{ at: '/mnt', hostDir: host }] });
      const fd = call(m, 'open', m.arena.str('/mnt'), O_RDONLY | O_DIRECTORY);
      const buf = m.arena.alloc(4096);
      const listed = records(m, buf, call(m, 'getdents64', fd, buf, 4096));
      expect(listed.map((r) => [r.name, r.type])).toEqual([
        ['.', linux.DT_DIR],
        ['..', linux.DT_DIR],
        ['Mid', linux.DT_REG],
        ['alpha', linux.DT_REG],
        ['beta.txt', linux.DT_REG],
        ['dir', linux.DT_DIR],
        ['link', linux.DT_LNK],
        ['zeta', linux.DT_REG],
      ]);
      expect(listed[2]!.ino).toBe(inoOf(m, '/mnt/Mid'));
    } finally {
      rmSync(host, { recursive: true, force: true });
    }
  });
});
