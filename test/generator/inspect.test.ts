// `mksyscall inspect --json`: the fixed output shape, on .sys files and on Go source
// written like golang.org/x/sys (//sys lines among ordinary Go code), for every
// convention; traps missing from the table are warnings, not errors.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runInspect } from '../../generator/cli/inspect.ts';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => join(here, 'fixtures', name);
const root = join(here, '..', '..');

function inspect(files: string[], target: string, lenient = false) {
  let out = '';
  let err = '';
  const status = runInspect(files, { target, json: true, lenient }, (s) => void (out += s), (s) => void (err += s));
  return { status, err, json: out ? JSON.parse(out) : null };
}

describe('inspect --json', () => {
  it('prints exactly the documented shape', () => {
    const { status, json, err } = inspect([fixture('syscall_linux_like.go')], 'linux/amd64');
    // the only diagnostic: the line Go's mksyscall skips silently (a space after //sysnb)
    expect(err).toMatch(/^\S+syscall_linux_like\.go:24: warning: ignored: not an annotation.*\n    \/\/sysnb prlimit\(.*\n$/);
    expect(status).toBe(0);
    expect(Object.keys(json)).toEqual(['target', 'functions']);
    expect(json.target).toBe('linux/amd64');
    for (const f of json.functions) expect(Object.keys(f)).toEqual(['name', 'nb', 'call', 'trap', 'libc', 'params', 'results', 'words', 'assign']);
    const read = json.functions.find((f: { name: string }) => f.name === 'read');
    expect(JSON.stringify(read)).toBe(
      '{"name":"read","nb":false,"call":"Syscall","trap":"SYS_READ","libc":null,"params":[{"name":"fd","type":"int"},{"name":"p","type":"[]byte"}],"results":[{"name":"n","type":"int"},{"name":"err","type":"error"}],"words":["fd","ptr(p)","len(p)"],"assign":{"n":"r0"}}',
    );
  });

  it('reads every //sys line of Go source and ignores the Go code around them', () => {
    const { json } = inspect([fixture('syscall_linux_like.go')], 'linux/amd64');
    expect(json.functions.map((f: { name: string }) => f.name)).toEqual(['openat', 'read', 'Getpid', 'Exit', 'pread', 'Splice', 'mmap', 'pipe2', 'Tgkill', 'Setxattr', 'fstatat']);
    const byName = Object.fromEntries(json.functions.map((f: { name: string }) => [f.name, f]));
    expect(byName.Exit).toMatchObject({ call: 'SyscallNoError', trap: 'SYS_EXIT_GROUP', words: ['code', '0', '0'], assign: {} });
    expect(byName.Splice).toMatchObject({ call: 'Syscall6', words: ['rfd', 'ptr(roff)', 'wfd', 'ptr(woff)', 'len', 'flags'], assign: { n: 'r0' } });
    expect(byName.Tgkill).toMatchObject({ call: 'RawSyscall', params: [{}, {}, { name: 'sig', type: 'syscall.Signal' }], words: ['tgid', 'tid', 'sig'] });
    expect(byName.Setxattr).toMatchObject({ call: 'Syscall6', words: ['ptr(path)', 'ptr(attr)', 'ptr(data)', 'len(data)', 'flags', '0'] });
  });

  it('lowers the same file for a 32-bit target: pairs and register pairs', () => {
    const { json } = inspect([fixture('syscall_linux_like.go')], 'linux/386');
    const byName = Object.fromEntries(json.functions.map((f: { name: string }) => [f.name, f]));
    expect(byName.pread.words).toEqual(['fd', 'ptr(p)', 'len(p)', 'lo(offset)', 'hi(offset)', '0']);
    expect(byName.mmap.words).toEqual(['addr', 'length', 'prot', 'flags', 'fd', 'lo(offset)', 'hi(offset)', '0', '0']);
    expect(byName.mmap.call).toBe('Syscall9');
    expect(byName.Splice.assign).toEqual({ n: 'r1:r0' });
  });

  it('accepts the arm-pair test ABI', () => {
    const { json, err } = inspect([fixture('syscall_linux_like.go')], 'linux/arm');
    expect(err).toMatch(/^warning: trap names not checked for linux\/arm: .*linux_arm\.tsv/m);
    const pread = json.functions.find((f: { name: string }) => f.name === 'pread');
    expect(pread.words).toEqual(['fd', 'ptr(p)', 'len(p)', '0', 'lo(offset)', 'hi(offset)']);
  });

  it('darwin-style source in libc mode', () => {
    const { json, status } = inspect([fixture('syscall_darwin_like.go')], 'darwin/amd64');
    expect(status).toBe(0);
    const libc = Object.fromEntries(json.functions.map((f: { name: string; libc: string; call: string }) => [f.name, [f.call, f.libc]]));
    expect(libc).toEqual({
      Fstat: ['syscall_syscall', 'fstat64'],
      Fstatat: ['syscall_syscall6', 'fstatat64'],
      Seek: ['syscall_syscall', 'lseek'],
      read: ['syscall_syscall', 'read'],
      readlen: ['syscall_syscall', 'read'],
      Getpid: ['syscall_rawSyscall', 'getpid'],
      getattrlist: ['syscall_syscall6', 'getattrlist'],
    });
  });

  it('windows-style source (mkwinsyscall form), other DLLs only warned about', () => {
    const { json, status, err } = inspect([fixture('syscall_windows_like.go')], 'windows/amd64');
    expect(status).toBe(0);
    expect(json.functions.map((f: { trap: string }) => f.trap)).toEqual([
      'kernel32.GetVersion',
      'kernel32.CreateFileW',
      'kernel32.LoadLibraryExW',
      'kernel32.SetFileCompletionNotificationModes',
      'advapi32.RegCloseKey',
      'crypt32.CertOpenStore', // spaces after //sys: mkwinsyscall reads it
      'kernel32.CreateHardLinkW',
      'kernel32.GetEnvironmentStringsW',
      'shell32.ShellExecuteW',
    ]);
    expect(json.functions.every((f: { call: string }) => f.call === 'SyscallN')).toBe(true);
    expect(err).toMatch(/warning: procedure advapi32\.RegCloseKey is not in defs\/tables\/advapi32\.def/);
  });

  it('unknown traps are warnings; the function is still lowered', () => {
    const { json, status, err } = inspect([fixture('syscall_linux_like.go')], 'linux/arm64');
    expect(status).toBe(0);
    expect(json.functions).toHaveLength(11);
    expect(err).not.toMatch(/: error:|warning: trap/);
    const r = inspect([fixture('syscall_darwin_like.go')], 'linux/arm64');
    expect(r.status).toBe(0);
    expect(r.err).toMatch(/warning: trap SYS_FSTAT64 is not in defs\/tables\/linux_arm64\.tsv/);
  });

  it('a name declared in two files is a warning; both declarations are lowered', () => {
    const f = fixture('syscall_linux_like.go');
    const { json, status, err } = inspect([f, f], 'linux/amd64');
    expect(status).toBe(0);
    expect(json.functions).toHaveLength(22);
    expect(err).toMatch(/syscall_linux_like\.go:\d+: warning: \w+ is also declared at .*syscall_linux_like\.go:\d+/);
  });

  it('unknown target and malformed input exit 2', () => {
    expect(inspect([fixture('syscall_linux_like.go')], 'plan9/amd64').status).toBe(2);
    const r = inspect([join(root, 'package.json'), fixture('missing.go')], 'linux/amd64');
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/missing\.go: cannot read/);
  });

  it('end to end through bin/mksyscall.mjs', () => {
    const p = spawnSync(process.execPath, ['bin/mksyscall.mjs', 'inspect', '--json', '--target', 'freebsd/amd64', 'defs/syscall_freebsd.sys'], { cwd: root, encoding: 'utf8' });
    expect(p.status).toBe(0);
    const json = JSON.parse(p.stdout);
    expect(json.target).toBe('freebsd/amd64');
    expect(json.functions.find((f: { name: string }) => f.name === 'Seek')).toMatchObject({ call: 'Syscall', trap: 'SYS_LSEEK', assign: { newoffset: 'r0' } });
  });
});
