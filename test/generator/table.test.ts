// `mksyscall table`: the exact JSON shape, the seed document's two tables (what
// syscall.Open/Read/Write/Close/Seek call on each OS, and each OS's numbers for
// open/openat/read/write/close/lseek), the numbers against golang.org/x/sys's zsysnum
// files in ../shared/upstream (skipped visibly when absent), text and markdown layout,
// and bad input.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTable } from '../../generator/cli/table.ts';
import { buildTable, TABLE_TARGETS } from '../../generator/portable/table.ts';
import { DEFS_DIR } from '../../generator/tables/index.ts';

const shared = join(DEFS_DIR, '..', '..', 'shared');
const seedPath = join(shared, 'seeds', '000_1ce89d1f2e849dc0.txt');
const haveSeed = existsSync(seedPath);
const upstream = join(shared, 'upstream', 'gosys');
const haveUpstream = existsSync(upstream);

const SYSCALLS = ['open', 'openat', 'read', 'write', 'close', 'lseek'];
const PORTABLE = ['Open', 'Read', 'Write', 'Close', 'Seek'];

function table(args: string[], opts: { format?: string; targets?: string } = {}): { status: number; out: string; err: string } {
  let out = '';
  let err = '';
  const status = runTable(args, opts, (s) => (out += s), (s) => (err += s));
  return { status, out, err };
}

/** The rows of the markdown table in `text` whose header row starts with `first`. */
function seedTable(text: string, first: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${first}`));
  const rows: string[][] = [];
  for (const l of lines.slice(start + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(l.split('|').slice(1, -1).map((c) => c.trim()));
  }
  return rows;
}

describe('mksyscall table', () => {
  it('--format json prints exactly the contract shape', () => {
    const { status, out } = table(['Open'], { format: 'json' });
    expect(status).toBe(0);
    expect(out).toBe(
      '{"rows":[{"name":"Open","targets":{"linux/386":{"call":"openat","number":295},"linux/amd64":{"call":"openat","number":257},"linux/arm64":{"call":"openat","number":56},"freebsd/amd64":{"call":"open","number":5},"darwin/amd64":{"call":"open","number":5},"windows/amd64":{"call":"CreateFileW","number":null}}}]}\n',
    );
  });

  it('a raw system call: open is 2 on linux/amd64 and absent on linux/arm64', () => {
    const [row] = buildTable(['open']);
    expect(row!.targets['linux/amd64']).toEqual({ call: 'open', number: 2 });
    expect(row!.targets['linux/arm64']).toEqual({ call: null, number: null });
    expect(row!.targets['windows/amd64']).toEqual({ call: 'CreateFileW', number: null });
  });

  it('names comma- or space-separated, targets filtered but kept in table order', () => {
    const { status, out } = table(['open,lseek', 'Seek'], { format: 'json', targets: 'windows/amd64,linux/386' });
    expect(status).toBe(0);
    const rows = JSON.parse(out).rows;
    expect(rows.map((r: { name: string }) => r.name)).toEqual(['open', 'lseek', 'Seek']);
    expect(Object.keys(rows[0].targets)).toEqual(['linux/386', 'windows/amd64']);
    expect(rows[2].targets).toEqual({ 'linux/386': { call: '_llseek', number: 140 }, 'windows/amd64': { call: 'SetFilePointer', number: null } });
  });

  it('text prints the two tables, - where a target lacks the call', () => {
    const { out } = table(['Open,Seek,open,lseek']);
    const lines = out.split('\n');
    expect(lines[0]!.split(/\s{2,}/)).toEqual(['function', ...TABLE_TARGETS]);
    expect(lines[2]!.split(/\s{2,}/)).toEqual(['Open', 'openat (295)', 'openat (257)', 'openat (56)', 'open (5)', 'open (5)', 'CreateFileW']);
    expect(lines[3]!.split(/\s{2,}/)).toEqual(['Seek', '_llseek (140)', 'lseek (8)', 'lseek (62)', 'lseek (478)', 'lseek (199)', 'SetFilePointer']);
    expect(lines[5]!.split(/\s{2,}/)).toEqual(['system call', ...TABLE_TARGETS]);
    expect(lines[7]!.split(/\s{2,}/)).toEqual(['open', '5', '2', '-', '5', '5', 'CreateFileW']);
    expect(lines[8]!.split(/\s{2,}/)).toEqual(['lseek', '19', '8', '62', '478', '199', 'SetFilePointer']);
  });

  it('md prints markdown tables', () => {
    const { out } = table(['open'], { format: 'md' });
    expect(out).toBe(`| system call | ${TABLE_TARGETS.join(' | ')} |\n| --- | --- | --- | --- | --- | --- | --- |\n| open | 5 | 2 | - | 5 | 5 | CreateFileW |\n`);
  });

  it('bad input: unknown name, target or format exit 2 with what was expected', () => {
    expect(table(['frobnicate'])).toMatchObject({ status: 2, out: '', err: expect.stringMatching(/unknown name frobnicate: expected a portable function \(Open, /) });
    expect(table(['Open'], { targets: 'plan9/amd64' })).toMatchObject({ status: 2, err: expect.stringMatching(/unknown target plan9\/amd64; known targets: linux\/386/) });
    expect(table(['Open'], { format: 'yaml' })).toMatchObject({ status: 2, err: expect.stringMatching(/unknown format yaml; expected one of text, md, json/) });
    expect(table([','])).toMatchObject({ status: 2, err: expect.stringMatching(/expected at least one name/) });
  });
});

describe.skipIf(!haveSeed)(`the seed document's tables${haveSeed ? '' : ' (skipped: ../shared/seeds not found)'}`, () => {
  const seed = haveSeed ? readFileSync(seedPath, 'utf8') : '';

  it('what syscall.Open/Read/Write/Close/Seek call on Linux, FreeBSD, macOS and Windows', () => {
    const rows = seedTable(seed, 'システムコール関数');
    expect(rows.map((r) => r[0])).toEqual(PORTABLE.map((n) => `syscall.${n}()`));
    const built = buildTable(PORTABLE);
    rows.forEach((r, i) => {
      const t = built[i]!.targets;
      // Cells read "<name>システムコールを呼び出す", "同左" (same as the left) or "Win32 APIの<Name>()を呼び出す".
      const linux = /^(\w+)システムコール/.exec(r[1]!)![1]!;
      const freebsd = r[2] === '同左' ? linux : /^(\w+)システムコール/.exec(r[2]!)![1]!;
      const macos = r[3] === '同左' ? freebsd : r[3]!;
      const win32 = /Win32 APIの(\w+)\(\)/.exec(r[4]!)![1]!;
      for (const target of ['linux/amd64', 'linux/arm64']) expect(t[target]!.call).toBe(linux);
      expect(t['freebsd/amd64']!.call).toBe(freebsd);
      expect(t['darwin/amd64']!.call).toBe(macos);
      // The seed names the Win32 function (CreateFile); kernel32 exports its W form.
      expect(t['windows/amd64']!.call).toMatch(new RegExp(`^${win32}W?$`));
    });
  });

  it('the numbers of open, openat, read, write, close and lseek per OS', () => {
    const rows = seedTable(seed, 'システム コール');
    expect(rows.map((r) => r[0])).toEqual(SYSCALLS);
    const columns = ['linux/386', 'linux/amd64', 'linux/arm64', 'freebsd/amd64', 'darwin/amd64'];
    const built = buildTable(SYSCALLS);
    rows.forEach((r, i) => {
      columns.forEach((target, c) => {
        const cell = r[c + 1]!;
        const ours = built[i]!.targets[target]!.number;
        // The seed leaves macOS openat blank; XNU has had openat (463) since 10.10 and
        // golang.org/x/sys lists it, so the table shows it.
        if (r[0] === 'openat' && target === 'darwin/amd64') expect([cell, ours]).toEqual(['', 463]);
        else expect(ours).toBe(cell === '' ? null : Number(cell));
      });
    });
  });
});

describe.skipIf(!haveUpstream)(`numbers against golang.org/x/sys zsysnum files${haveUpstream ? '' : ' (skipped: ../shared/upstream not found)'}`, () => {
  function gosys(target: string): Map<string, number> {
    const rows = readFileSync(join(upstream, `zsysnum_${target.replace('/', '_')}.tsv`), 'utf8').trim().split('\n').slice(1);
    return new Map(rows.map((r) => r.split('\t')).map(([name, n]) => [name!, Number(n)]));
  }

  it('every call and number of the seed calls and portable functions matches SYS_<NAME>', () => {
    const rows = buildTable([...SYSCALLS, ...PORTABLE, 'Pipe', 'Getpid', 'Exit']);
    let checked = 0;
    for (const target of TABLE_TARGETS.filter((t) => t !== 'windows/amd64')) {
      const numbers = gosys(target);
      for (const row of rows) {
        const cell = row.targets[target]!;
        const name = cell.call ?? row.name;
        expect(cell.number, `${row.name} on ${target}`).toBe(numbers.get(`SYS_${name.toUpperCase()}`) ?? null);
        checked++;
      }
    }
    expect(checked).toBe(5 * 14);
  });
});
