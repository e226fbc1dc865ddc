// `mksyscall import-table` end to end: through the real command line wiring (bin/cli.ts)
// into a defs folder the loader then reads, plus its exit codes and messages on bad input.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/cli.ts';
import { runImportTable } from '../../generator/cli/import-table.ts';
import { loadDllExports, loadErrnoTable, loadSyscallTable } from '../../generator/tables/index.ts';

let dir: string;
let stdout: string;
let stderr: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mksyscall-tables-'));
  mkdirSync(join(dir, 'defs', 'tables'), { recursive: true });
  mkdirSync(join(dir, 'defs', 'errors'), { recursive: true });
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const tbl = '# test table\n0\tcommon\tread\tsys_read\n1\tcommon\twrite\tsys_write\n13\t64\trt_sigaction\tsys_rt_sigaction\n512\tx32\trt_sigaction\tcompat_sys_rt_sigaction\n';

describe('mksyscall import-table', () => {
  it('writes a project table with -o that the loader reads back, recording the command on line 1', async () => {
    const source = join(dir, 'syscall_64.tbl');
    writeFileSync(source, tbl);
    const out = join(dir, 'defs', 'tables', 'linux_amd64.tsv');
    const status = await main(['node', 'mksyscall', 'import-table', '--format', 'linux-tbl', '--abi', 'common,64', '--os', 'linux', '--arch', 'amd64', '-o', out, source]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n')[0]).toBe(`# mksyscall import-table --format linux-tbl --abi common,64 --os linux --arch amd64 -o ${out} ${source}`);
    expect(loadSyscallTable('linux', 'amd64', join(dir, 'defs')).entries).toEqual([
      { number: 0, name: 'read', abi: 'common', entry: 'sys_read' },
      { number: 1, name: 'write', abi: 'common', entry: 'sys_write' },
      { number: 13, name: 'rt_sigaction', abi: '64', entry: 'sys_rt_sigaction' },
    ]);
  });

  it('merges an --extra errno sheet of the project after the upstream one, refusing duplicates', async () => {
    const sheet = join(dir, 'win32.tsv');
    writeFileSync(sheet, 'name\tnumber\tmessage\nERROR_SUCCESS\t0\tDone.\nERROR_BROKEN_PIPE\t109\tThe pipe has been ended.\n');
    const extra = join(dir, 'extra.tsv');
    writeFileSync(extra, 'name\tnumber\tmessage\nERROR_PROC_NOT_FOUND\t127\tThe specified procedure could not be found.\nERROR_NO_DATA\t232\tThe pipe is being closed.\n');
    expect(await main(['node', 'mksyscall', 'import-table', '--format', 'errno-tsv', '--os', 'windows', '--extra', extra, sheet])).toBe(0);
    expect(stdout.split('\n')[0]).toBe(`# mksyscall import-table --format errno-tsv --os windows --extra ${extra} ${sheet}`);
    writeFileSync(join(dir, 'defs', 'errors', 'windows.tsv'), stdout);
    expect(loadErrnoTable('windows', join(dir, 'defs')).entries.map((e) => [e.name, e.number])).toEqual([
      ['ERROR_SUCCESS', 0],
      ['ERROR_BROKEN_PIPE', 109],
      ['ERROR_PROC_NOT_FOUND', 127],
      ['ERROR_NO_DATA', 232],
    ]);

    writeFileSync(extra, 'name\tnumber\tmessage\nERROR_BROKEN_PIPE\t109\tAgain.\n');
    expect(await main(['node', 'mksyscall', 'import-table', '--format', 'errno-tsv', '--os', 'windows', '--extra', extra, sheet])).toBe(2);
    expect(stderr).toContain('ERROR_BROKEN_PIPE is already in');
  });

  it('prints to stdout without -o, for errno sheets and .def files too', async () => {
    const sheet = join(dir, 'errno.tsv');
    writeFileSync(sheet, 'name\tnumber\tmessage\nEPERM\t1\tOperation not permitted\nEAGAIN\t11\tTry again\n');
    const aliases = join(dir, 'aliases.tsv');
    writeFileSync(aliases, 'name\talias_of\tnumber\tnote\nEWOULDBLOCK\tEAGAIN\t11\tOperation would block\n');
    expect(await main(['node', 'mksyscall', 'import-table', '--format', 'errno-tsv', '--os', 'linux', '--aliases', aliases, sheet])).toBe(0);
    writeFileSync(join(dir, 'defs', 'errors', 'linux.tsv'), stdout);
    expect(loadErrnoTable('linux', join(dir, 'defs'))).toMatchObject({
      entries: [
        { name: 'EPERM', number: 1, message: 'Operation not permitted' },
        { name: 'EAGAIN', number: 11, message: 'Try again' },
      ],
      aliases: [{ name: 'EWOULDBLOCK', target: 'EAGAIN' }],
    });

    stdout = '';
    const def = join(dir, 'k.def');
    writeFileSync(def, 'LIBRARY kernel32\nEXPORTS\n  CloseHandle @1\n  ReadFile@20\n');
    expect(await main(['node', 'mksyscall', 'import-table', '--format', 'def', def])).toBe(0);
    writeFileSync(join(dir, 'defs', 'tables', 'kernel32.def'), stdout);
    expect(loadDllExports('kernel32', join(dir, 'defs'))).toEqual(['CloseHandle', 'ReadFile']);
  });

  it('exits 2 with a located message on malformed input and leaves -o untouched', async () => {
    const source = join(dir, 'bad.tbl');
    writeFileSync(source, '0\tcommon\tread\tsys_read\n1\tcommon\t9write\n');
    const out = join(dir, 'out.tsv');
    expect(await main(['node', 'mksyscall', 'import-table', '--format', 'linux-tbl', '-o', out, source])).toBe(2);
    expect(stderr).toBe(`${source}:2:10: expected syscall name, found "9"\n    1 common 9write\n             ^\n`);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 for an unknown format, a missing file, a wrong abi and a missing FILE argument', () => {
    const err: string[] = [];
    const run = (o: Parameters<typeof runImportTable>[0]) => runImportTable(o, () => {}, (s) => err.push(s));
    const source = join(dir, 'syscall_64.tbl');
    writeFileSync(source, tbl);
    expect(run({ format: 'csv', file: source })).toBe(2);
    expect(run({ format: 'linux-tbl', file: join(dir, 'absent.tbl') })).toBe(2);
    expect(run({ format: 'linux-tbl', file: source, abi: ['i386'] })).toBe(2);
    expect(run({ format: 'freebsd-master', file: source, aliases: 'x' })).toBe(2);
    expect(err).toEqual([
      'unknown --format csv; expected one of linux-tbl, freebsd-master, xnu-master, c-defines, def, errno-tsv\n',
      `${join(dir, 'absent.tbl')}: no such file\n`,
      `${source}: no entry has abi "i386" (the file has: 64, common, x32)\n`,
      '--aliases goes only with --format errno-tsv\n',
    ]);
  });

  it('rejects a call without FILE through commander with exit 2', async () => {
    expect(await main(['node', 'mksyscall', 'import-table', '--format', 'linux-tbl'])).toBe(2);
    expect(stderr).toMatch(/missing required argument 'file'/);
  });
});
