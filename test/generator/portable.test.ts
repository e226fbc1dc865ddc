// The hand-written portable wrappers in defs/ (syscall_<os>.ts) and their //portable
// markers: each wrapper is run against a recording backend and the system call, libc
// function or kernel32 procedure it really reached must be the one its marker names
// (so a marker that drifts from the code fails here); the per-OS translations (AT_FDCWD,
// O_LARGEFILE, _llseek halves, CreateFileW dispositions, pipe fds) are checked on the
// recorded words; malformed markers are located errors.
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { darwin_amd64 } from '../../defs/syscall_darwin.ts';
import { freebsd_amd64 } from '../../defs/syscall_freebsd.ts';
import { linux_386, linux_amd64, linux_arm64 } from '../../defs/syscall_linux.ts';
import { createFileArguments, O as WO, windows_amd64 } from '../../defs/syscall_windows.ts';
import { PORTABLE_FUNCTIONS, SEEK_END, SEEK_SET, type Portable } from '../../defs/portable.ts';
import { ENOENT } from '../../generated/zerrors_linux.ts';
import { ERROR_FILE_NOT_FOUND } from '../../generated/zerrors_windows.ts';
import { GeneratorError } from '../../generator/model/diagnostics.ts';
import { loadPortableMap } from '../../generator/portable/markers.ts';
import { DEFS_DIR } from '../../generator/tables/index.ts';
import { setSyscallBackend, type CallKind, type Go, type LibcFunction, type SyscallBackend, type SyscallResult, type Word } from '../../runtime/syscall.ts';

/** What one call reached: a trap number, a libc function or a DLL procedure, with its words. */
interface Reached {
  via: 'syscall' | 'libc' | 'proc';
  trap?: Word;
  fn?: string;
  proc?: string;
  args: Word[];
}

/**
 * Records every call; `answer` decides the result and may write into the caller's
 * pinned buffers (found by address), as the machine copies memory back after a call.
 */
class Recorder implements SyscallBackend {
  reached: Reached[] = [];
  pinned = new Map<Word, Uint8Array>();
  answer: (r: Reached, memory: (addr: Word) => Uint8Array) => SyscallResult = () => [0, 0, 0];
  private procs: string[] = [];
  constructor(readonly os: string) {}
  private finish(r: Reached): SyscallResult {
    this.reached.push(r);
    return this.answer(r, (addr) => this.pinned.get(addr)!);
  }
  *syscall(_kind: CallKind, trap: Word, args: readonly Word[]): Go<SyscallResult> {
    yield { reason: 'syscall' };
    return this.finish({ via: 'syscall', trap, args: [...args] });
  }
  *libcCall(_kind: CallKind, fn: LibcFunction, args: readonly Word[]): Go<SyscallResult> {
    yield { reason: 'libc' };
    return this.finish({ via: 'libc', fn: fn.name, args: [...args] });
  }
  *procCall(addr: Word, args: readonly Word[]): Go<SyscallResult> {
    yield { reason: 'proc' };
    return this.finish({ via: 'proc', proc: this.procs[Number(addr) - 0x7000], args: [...args] });
  }
  findProc(dll: string, proc: string): Word | null {
    if (dll !== 'kernel32.dll') return null;
    if (!this.procs.includes(proc)) this.procs.push(proc);
    return 0x7000 + this.procs.indexOf(proc);
  }
  pin(bytes: Uint8Array): Word {
    const addr = 0x10000 + 0x1000 * this.pinned.size;
    this.pinned.set(addr, bytes);
    return addr;
  }
  zeroAddress(): Word {
    return 0x5000;
  }
}

function run<T>(g: Go<T>): T {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

let rec: Recorder;
function install(p: Portable): Recorder {
  rec = new Recorder(p.target.split('/')[0]!);
  setSyscallBackend(rec);
  return rec;
}
afterEach(() => setSyscallBackend(null));

const IMPLEMENTATIONS: Portable[] = [linux_386, linux_amd64, linux_arm64, freebsd_amd64, darwin_amd64, windows_amd64];

/** Calls portable function `name` of `p` with ordinary arguments. */
function callPortable(p: Portable, name: (typeof PORTABLE_FUNCTIONS)[number]): Go<unknown> {
  switch (name) {
    case 'Open':
      return p.Open('/tmp/x', p.O.O_RDONLY, 0);
    case 'Read':
      return p.Read(3, new Uint8Array(4));
    case 'Write':
      return p.Write(3, new Uint8Array(4));
    case 'Close':
      return p.Close(3);
    case 'Seek':
      return p.Seek(3, 10n, SEEK_SET);
    case 'Pipe':
      return p.Pipe();
    case 'Getpid':
      return p.Getpid();
    case 'Exit':
      return p.Exit(0);
  }
}

describe('every //portable marker names what its wrapper really calls', () => {
  const markers = loadPortableMap();

  it('the markers cover exactly the portable functions on all six targets', () => {
    expect([...markers.functions].sort()).toEqual([...PORTABLE_FUNCTIONS].sort());
    for (const fn of PORTABLE_FUNCTIONS) expect([...markers.calls.get(fn)!.keys()].sort()).toEqual(IMPLEMENTATIONS.map((p) => p.target).sort());
  });

  for (const p of IMPLEMENTATIONS) {
    for (const fn of PORTABLE_FUNCTIONS) {
      it(`${p.target} ${fn}`, () => {
        install(p).answer = () => (p.target === 'windows/amd64' ? [1, 0, 0] : [0, 0, 0]);
        run(callPortable(p, fn));
        const marker = markers.calls.get(fn)!.get(p.target)!;
        expect(rec.reached).toHaveLength(1);
        const r = rec.reached[0]!;
        if (p.target === 'windows/amd64') expect([r.via, r.proc]).toEqual(['proc', marker.call]);
        else if (p.target === 'darwin/amd64') expect([r.via, r.fn]).toEqual(['libc', marker.call]);
        else expect([r.via, r.trap]).toEqual(['syscall', marker.number]);
      });
    }
  }
});

describe('per-OS translations', () => {
  it('linux Open is openat(AT_FDCWD, …); 386 adds O_LARGEFILE', () => {
    install(linux_amd64).answer = () => [5, 0, 0];
    expect(run(linux_amd64.Open('/etc/hosts', linux_amd64.O.O_RDWR | linux_amd64.O.O_CREAT, 0o644))).toEqual([5, null]);
    expect(rec.reached[0]!.args.slice(0, 4)).toEqual([-100, 0x10000, 0x42, 0o644]);
    install(linux_386);
    run(linux_386.Open('/etc/hosts', 0, 0));
    expect(rec.reached[0]!.args[2]).toBe(0x8000);
  });

  it('errors come back as the OS Errno values', () => {
    install(freebsd_amd64).answer = () => [-1, 0, 2];
    expect(run(linux_arm64.Open('/nope', 0, 0))).toEqual([-1, ENOENT]);
    install(windows_amd64).answer = () => [-1, 0, 2];
    expect(run(windows_amd64.Open('C:\\nope', 0, 0))).toEqual([-1, ERROR_FILE_NOT_FOUND]);
  });

  it('linux/386 Seek splits the offset into _llseek words and reads the result from memory', () => {
    install(linux_386).answer = (r, memory) => {
      new DataView(memory(r.args[3]!).buffer).setBigInt64(0, 0x1_0000_0010n, true);
      return [0, 0, 0];
    };
    expect(run(linux_386.Seek(4, 0x1_0000_0008n, SEEK_END))).toEqual([0x1_0000_0010n, null]);
    expect(rec.reached[0]!.args.slice(0, 5)).toEqual([4, 1, 8, 0x10000, SEEK_END]);
  });

  it('windows Seek passes the high half through a pointer and joins the halves', () => {
    install(windows_amd64).answer = (r, memory) => {
      const high = new DataView(memory(r.args[2]!).buffer);
      expect(high.getInt32(0, true)).toBe(2);
      high.setInt32(0, 3, true);
      return [0x20, 0, 0];
    };
    expect(run(windows_amd64.Seek(4, 0x2_0000_0010n, SEEK_SET))).toEqual([0x3_0000_0020n, null]);
    expect(rec.reached[0]!.args.slice(0, 2)).toEqual([4, 0x10]);
  });

  it('Pipe returns the two descriptors the call stored', () => {
    for (const p of [linux_amd64, freebsd_amd64, darwin_amd64]) {
      install(p).answer = (r, memory) => {
        const v = new DataView(memory(r.args[0]!).buffer);
        v.setInt32(0, 5, true);
        v.setInt32(4, 6, true);
        return [0, 0, 0];
      };
      expect(run(p.Pipe())).toEqual([[5, 6], null]);
    }
    install(windows_amd64).answer = (r, memory) => {
      new DataView(memory(r.args[0]!).buffer).setBigInt64(0, 0x44n, true);
      new DataView(memory(r.args[1]!).buffer).setBigInt64(0, 0x48n, true);
      return [1, 0, 0];
    };
    expect(run(windows_amd64.Pipe())).toEqual([[0x44, 0x48], null]);
  });

  it('windows Read: bytes done come from memory; ERROR_BROKEN_PIPE is end of file', () => {
    install(windows_amd64).answer = (r, memory) => {
      new DataView(memory(r.args[3]!).buffer).setUint32(0, 3, true);
      return [1, 0, 0];
    };
    expect(run(windows_amd64.Read(4, new Uint8Array(8)))).toEqual([3, null]);
    install(windows_amd64).answer = () => [0, 0, 109];
    expect(run(windows_amd64.Read(4, new Uint8Array(8)))).toEqual([0, null]);
  });

  it('windows Open translates O_* flags into CreateFileW access and disposition as Go does', () => {
    const GENERIC_READ = 0x80000000;
    const GENERIC_WRITE = 0x40000000;
    expect(createFileArguments(WO.O_RDONLY, 0o644)).toMatchObject({ access: GENERIC_READ, disposition: 3, attrs: 0x80, share: 3, inherit: true });
    expect(createFileArguments(WO.O_WRONLY | WO.O_CREAT | WO.O_TRUNC, 0o644)).toMatchObject({ access: GENERIC_WRITE, disposition: 2 });
    expect(createFileArguments(WO.O_RDWR | WO.O_CREAT | WO.O_EXCL | WO.O_CLOEXEC, 0o600)).toMatchObject({ access: (GENERIC_READ | GENERIC_WRITE) >>> 0, disposition: 1, inherit: false });
    expect(createFileArguments(WO.O_WRONLY | WO.O_CREAT | WO.O_APPEND, 0o644)).toMatchObject({ access: 0x4, disposition: 4 });
    expect(createFileArguments(WO.O_RDONLY | WO.O_TRUNC, 0)).toMatchObject({ disposition: 5 });
    expect(createFileArguments(WO.O_WRONLY | WO.O_CREAT, 0o444)).toMatchObject({ attrs: 0x1 });
    install(windows_amd64).answer = () => [4, 0, 0];
    expect(run(windows_amd64.Open('C:\\data.txt', WO.O_RDONLY | WO.O_CLOEXEC, 0))).toEqual([4, null]);
    expect(rec.reached[0]!.args.slice(1)).toEqual([GENERIC_READ, 3, 0, 3, 0x1, 0]);
  });
});

describe('malformed markers are located errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portable-markers-'));
  symlinkSync(join(DEFS_DIR, 'tables'), join(dir, 'tables'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function errorsOf(text: string): string {
    writeFileSync(join(dir, 'syscall_freebsd.ts'), text);
    try {
      loadPortableMap(dir);
    } catch (e) {
      expect(e).toBeInstanceOf(GeneratorError);
      return (e as Error).message;
    }
    return 'no error';
  }

  it('a call the target does not have, at its column', () => {
    expect(errorsOf('// x\n  //portable\tOpen\topenat2\n')).toMatch(/syscall_freebsd\.ts:2:19: error: freebsd\/amd64 has no system call openat2/);
  });
  it('a missing field, a foreign target, a duplicate', () => {
    expect(errorsOf('//portable Open\n')).toMatch(/:1:1: error: expected \/\/portable <Function> <call>/);
    expect(errorsOf('//portable Open open linux/amd64\n')).toMatch(/:1:22: error: linux\/amd64 is not a freebsd target/);
    expect(errorsOf('//portable Open open\n//portable Open openat\n')).toMatch(/:2:12: error: Open on freebsd\/amd64 is already marked at .*:1/);
  });
  it('a function marked on some targets of an OS only', () => {
    writeFileSync(join(dir, 'syscall_freebsd.ts'), '');
    writeFileSync(join(dir, 'syscall_linux.ts'), '//portable Open openat linux/amd64\n');
    expect(() => loadPortableMap(dir)).toThrow(/Open has no \/\/portable marker for linux\/386, linux\/arm64/);
  });
});

describe('the generator reads the markers as text', () => {
  it('generator/portable and the table and diff commands import neither runtime/, generated/ nor defs/', () => {
    const root = join(DEFS_DIR, '..', 'generator');
    const files = [...readdirSync(join(root, 'portable')).map((f) => join(root, 'portable', f)), join(root, 'cli', 'table.ts'), join(root, 'cli', 'diff.ts')];
    for (const file of files) {
      const specifiers = [...readFileSync(file, 'utf8').matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
      expect(specifiers.length, file).toBeGreaterThan(0);
      expect(specifiers.filter((s) => /(^|\/)(runtime|generated|defs)\//.test(s)), file).toEqual([]);
    }
  });
});
