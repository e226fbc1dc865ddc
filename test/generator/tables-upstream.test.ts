// The committed defs tables against the real upstream files in ../shared/upstream
// (skipped with a visible reason when that folder is absent):
//   - freshness: each table equals what the command on its line 1 produces now;
//   - every name present both in our table and in golang.org/x/sys's zsysnum_*.go
//     (gosys/*.tsv, names SYS_ + upper-cased name) has the same number;
//   - the seed documents' numbers for open/openat/read/write/close/lseek hold.
// The loader tests at the end need only the committed defs/.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importTable, parseImportCommand } from '../../generator/tables/import.ts';
import { DEFS_DIR, loadDllExports, loadErrnoTable, loadSyscallTable, NUMBER_TABLE_TARGETS } from '../../generator/tables/index.ts';

const repo = join(DEFS_DIR, '..');
const upstream = join(repo, '..', 'shared', 'upstream');
const haveUpstream = existsSync(join(upstream, 'SOURCES.md'));

function gosys(os: string, arch: string): Map<string, number> {
  const rows = readFileSync(join(upstream, 'gosys', `zsysnum_${os}_${arch}.tsv`), 'utf8').trim().split('\n').slice(1);
  return new Map(rows.map((r) => r.split('\t')).map(([name, number]) => [name!, Number(number)]));
}

/** Names whose number legitimately differs from x/sys's, because its FreeBSD table was
 *  generated from stable/12 while ours comes from a FreeBSD 15 syscalls.master. Each
 *  moved to a new number with a new interface; the old number lives on as a COMPAT
 *  entry, which our table keeps under the syscall.h name given here. */
const FREEBSD_ABI_CHANGES: Record<string, { now: number; was: number; compatName: string }> = {
  // swapoff(2) gained a flags argument in FreeBSD 14: new syscall 582, 424 is COMPAT13.
  SYS_SWAPOFF: { now: 582, was: 424, compatName: 'freebsd13_swapoff' },
  // getgroups/setgroups moved in FreeBSD 15 (595/596); 79/80 are COMPAT14.
  SYS_GETGROUPS: { now: 595, was: 79, compatName: 'freebsd14_getgroups' },
  SYS_SETGROUPS: { now: 596, was: 80, compatName: 'freebsd14_setgroups' },
};

describe.skipIf(!haveUpstream)(`defs tables against ../shared/upstream${haveUpstream ? '' : ' (skipped: ../shared/upstream not found)'}`, () => {
  const tableFiles = [
    ...readdirSync(join(DEFS_DIR, 'tables')).filter((f) => f.endsWith('.tsv')).map((f) => join('tables', f)),
    ...readdirSync(join(DEFS_DIR, 'errors')).filter((f) => f.endsWith('.tsv')).map((f) => join('errors', f)),
  ];

  it('has a table for every number-table target and every OS errno table', () => {
    expect(tableFiles.sort()).toEqual(
      [...NUMBER_TABLE_TARGETS.map((t) => join('tables', `${t.replace('/', '_')}.tsv`)), ...['darwin', 'freebsd', 'linux', 'windows'].map((os) => join('errors', `${os}.tsv`))].sort(),
    );
  });

  it.each(tableFiles)('defs/%s equals what its line-1 command produces', (file) => {
    const committed = readFileSync(join(DEFS_DIR, file), 'utf8');
    const options = parseImportCommand(committed.split('\n')[0]!);
    expect(options.output).toBe(join('defs', file));
    expect(importTable(options, repo)).toBe(committed);
  });

  it.each(NUMBER_TABLE_TARGETS.map((t) => t.split('/') as [string, string]))('%s/%s numbers agree with golang.org/x/sys wherever both name a syscall', (os, arch) => {
    const ours = loadSyscallTable(os, arch);
    const theirs = gosys(os, arch);
    const differing: string[] = [];
    let shared = 0;
    for (const e of ours.entries) {
      const trap = `SYS_${e.name.toUpperCase()}`;
      const theirNumber = theirs.get(trap);
      if (theirNumber === undefined) continue;
      shared++;
      if (theirNumber !== e.number) differing.push(`${trap} ${e.number} ${theirNumber}`);
    }
    // Most of the table must be comparable, or the check proves nothing.
    expect(shared).toBeGreaterThan(0.8 * Math.min(ours.entries.length, theirs.size));
    const expected = os === 'freebsd' ? Object.entries(FREEBSD_ABI_CHANGES).map(([trap, c]) => `${trap} ${c.now} ${c.was}`) : [];
    expect(differing.sort()).toEqual(expected.sort());
    if (os === 'freebsd') {
      for (const c of Object.values(FREEBSD_ABI_CHANGES)) {
        expect(ours.entries.find((e) => e.name === c.compatName)?.number).toBe(c.was);
      }
    }
  });

  it('linux tables hold every x/sys name their kernel version has (no abi left out by mistake)', () => {
    // x/sys is generated from Linux 7.0 and our tables from older kernels, so x/sys may
    // name newer syscalls: those numbered past our table's last entry, and uprobe (336),
    // which later kernels put into the x86-64 gap after uretprobe (335); our
    // syscall_64.tbl (~6.11) predates it.
    const newerThanOurTable = ['linux/amd64 SYS_UPROBE'];
    const missing: string[] = [];
    for (const [os, arch] of [['linux', 'amd64'], ['linux', '386'], ['linux', 'arm64']] as const) {
      const ours = loadSyscallTable(os, arch);
      const names = new Set(ours.entries.map((e) => `SYS_${e.name.toUpperCase()}`));
      const last = Math.max(...ours.entries.map((e) => e.number));
      for (const [name, n] of gosys(os, arch)) {
        // SYS_ARCH_SPECIFIC_SYSCALL is a range marker of asm-generic/unistd.h, not a syscall.
        if (!names.has(name) && n <= last && name !== 'SYS_ARCH_SPECIFIC_SYSCALL') missing.push(`${os}/${arch} ${name}`);
      }
    }
    expect(missing).toEqual(newerThanOurTable);
  });
});

describe('committed defs tables through the loader', () => {
  // The seed documents' numbers: open, openat, read, write, close, lseek per target
  // (null: the target has no such syscall).
  const seed: Record<string, Array<number | null>> = {
    'linux/386': [5, 295, 3, 4, 6, 19],
    'linux/amd64': [2, 257, 0, 1, 3, 8],
    'linux/arm64': [null, 56, 63, 64, 57, 62],
    'freebsd/amd64': [5, 499, 3, 4, 6, 478],
    'darwin/amd64': [5, 463, 3, 4, 6, 199],
  };

  it.each(Object.entries(seed))('%s has the seed numbers for open/openat/read/write/close/lseek', (target, numbers) => {
    const [os, arch] = target.split('/') as [string, string];
    const table = loadSyscallTable(os, arch);
    const lookup = (name: string) => table.entries.find((e) => e.name === name)?.number ?? null;
    expect(['open', 'openat', 'read', 'write', 'close', 'lseek'].map(lookup)).toEqual(numbers);
    expect(table.source).toMatch(new RegExp(`defs/tables/${os}_${arch}\\.tsv$`));
  });

  it('every number table is sorted, with unique numbers and names', () => {
    for (const target of NUMBER_TABLE_TARGETS) {
      const [os, arch] = target.split('/') as [string, string];
      const { entries } = loadSyscallTable(os, arch);
      expect(entries.length, target).toBeGreaterThan(300);
      expect(new Set(entries.map((e) => e.name)).size).toBe(entries.length);
      expect(entries.map((e) => e.number)).toEqual([...new Set(entries.map((e) => e.number))].sort((a, b) => a - b));
    }
  });

  it('errno tables carry the values and aliases generated code needs', () => {
    const linux = loadErrnoTable('linux');
    expect(linux.entries.find((e) => e.name === 'ENOENT')).toEqual({ name: 'ENOENT', number: 2, message: 'No such file or directory' });
    expect(linux.aliases).toEqual([
      { name: 'EWOULDBLOCK', target: 'EAGAIN' },
      { name: 'EDEADLOCK', target: 'EDEADLK' },
    ]);
    expect(loadErrnoTable('freebsd').entries.find((e) => e.name === 'EAGAIN')?.number).toBe(35);
    const darwin = loadErrnoTable('darwin');
    expect(darwin.entries.find((e) => e.name === 'EOPNOTSUPP')?.number).toBe(102);
    expect(darwin.aliases.map((a) => a.name)).not.toContain('EOPNOTSUPP');
    const windows = loadErrnoTable('windows');
    expect(windows.entries.slice(0, 3).map((e) => [e.name, e.number])).toEqual([
      ['ERROR_SUCCESS', 0],
      ['ERROR_INVALID_FUNCTION', 1],
      ['ERROR_FILE_NOT_FOUND', 2],
    ]);
    expect(windows.entries.find((e) => e.name === 'ERROR_INVALID_HANDLE')?.number).toBe(6);
  });

  it('kernel32.def exports the procedures the windows target calls', () => {
    const exports = loadDllExports('kernel32');
    for (const name of ['CreateFileW', 'ReadFile', 'WriteFile', 'CloseHandle', 'SetFilePointer', 'SetFilePointerEx', 'GetLastError', 'SetLastError', 'CreatePipe', 'GetStdHandle', 'Sleep', 'ExitProcess', 'GetCurrentProcessId']) {
      expect(exports).toContain(name);
    }
    expect(exports).toEqual([...exports].sort());
  });

  it('names a missing table and how to produce it', () => {
    expect(() => loadSyscallTable('plan9', 'amd64')).toThrow(/defs\/tables\/plan9_amd64\.tsv: no syscall table for plan9\/amd64 \(write it with `mksyscall import-table`/);
    expect(() => loadDllExports('user32')).toThrow(/user32\.def: no export list/);
  });
});
