// Whole generation runs: the committed generated/ is the golden output of every target
// (fresh, deterministic, prettier-stable), atomic writes leave the output untouched on
// any error, --check reports drift as a unified diff, and the CLI's exit codes.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENERATED_DIR, runGenerateOnce } from '../../generator/cli/generate.ts';
import { GeneratorError } from '../../generator/model/diagnostics.ts';
import { generate } from '../../generator/render/generate.ts';
import { staleDiff, writeAtomically } from '../../generator/render/write.ts';
import { DEFS_DIR } from '../../generator/tables/index.ts';
import { TARGETS } from '../../generator/targets.ts';

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { withFileTypes: true })
      .map((e) => [e.name, e.isFile() ? readFileSync(join(dir, e.name), 'utf8') : '(folder)'] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

describe('generated/ (golden output of all six targets)', () => {
  const gen = generate();

  it('matches what the generator produces now, file for file', () => {
    const onDisk = snapshot(GENERATED_DIR);
    expect(Object.keys(onDisk).sort()).toEqual([...gen.files.keys()].sort());
    for (const [name, text] of gen.files) expect(onDisk[name], name).toBe(text);
  });

  it('has files for every target, with the regenerate command on line 1', () => {
    for (const t of TARGETS) {
      const stem = `${t.os}_${t.arch}`;
      const names = [`zsyscall_${stem}.ts`, `target_${stem}.ts`, `zerrors_${t.os}.ts`, ...(t.os === 'windows' ? [] : [`zsysnum_${stem}.ts`])];
      for (const n of names) expect(gen.files.has(n), n).toBe(true);
      const [line1, line2] = gen.files.get(`zsyscall_${stem}.ts`)!.split('\n');
      expect(line1).toBe(`// node bin/mksyscall.mjs generate --target ${t.name}`);
      expect(line2).toMatch(/^\/\/ Code generated .* DO NOT EDIT\.$/);
    }
  });

  it('is deterministic', () => {
    const again = generate();
    expect([...again.files]).toEqual([...gen.files]);
  });

  it('is prettier-formatted: prettier leaves every file unchanged', async () => {
    for (const [name, text] of gen.files) {
      expect(await prettier.format(text, { filepath: name }), name).toBe(text);
    }
  });

  it('declares what each OS really has', () => {
    const has = (file: string, fn: string) => gen.files.get(file)!.includes(`export function* ${fn}(`);
    expect(has('zsyscall_linux_arm64.ts', 'open')).toBe(false);
    expect(has('zsyscall_linux_arm64.ts', 'openat')).toBe(true);
    expect(has('zsyscall_linux_386.ts', '_llseek')).toBe(true);
    expect(has('zsyscall_linux_386.ts', 'Seek')).toBe(false);
    expect(has('zsyscall_freebsd_amd64.ts', 'open')).toBe(true);
    expect(has('zsyscall_darwin_amd64.ts', 'open')).toBe(true);
    for (const fn of ['CreateFile', 'ReadFile', 'WriteFile', 'CloseHandle', 'SetFilePointer', 'GetLastError', 'CreatePipe', 'GetStdHandle', 'Sleep']) {
      expect(has('zsyscall_windows_amd64.ts', fn), fn).toBe(true);
    }
  });
});

describe('writing and checking', () => {
  let tmp: string;
  let defs: string;
  let out: string;
  const lines: { out: string; err: string } = { out: '', err: '' };
  const print = { out: (s: string) => void (lines.out += s), err: (s: string) => void (lines.err += s) };

  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'mksyscall-gen-'));
    defs = join(tmp, 'defs');
    out = join(tmp, 'generated');
    cpSync(DEFS_DIR, defs, { recursive: true });
    cpSync(GENERATED_DIR, out, { recursive: true });
    lines.out = lines.err = '';
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const cli = (opts: object) => runGenerateOnce({ defs, out, ...opts }, print.out, print.err);

  it('a malformed defs line: exit 2, located error with a caret, generated/ byte-identical', async () => {
    const before = snapshot(out);
    writeFileSync(join(defs, 'syscall_linux.sys'), readFileSync(join(defs, 'syscall_linux.sys'), 'utf8') + '//sys\tbroken(fd int,) (err error)\n');
    expect(await cli({})).toBe(2);
    expect(lines.err).toMatch(/syscall_linux\.sys:\d+:\d+: error: malformed \/\/sys declaration: expected identifier, found "\)"\n.*broken.*\n\s*\^/);
    expect(lines.err).toMatch(/nothing written/);
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(tmp).sort()).toEqual(['defs', 'generated']);
  });

  it('an unknown trap name is an error naming the table file', async () => {
    writeFileSync(join(defs, 'syscall_linux_arm64.sys'), '//sys\topen(path string, mode int, perm uint32) (fd int, err error)\n');
    expect(await cli({ target: ['linux/arm64'] })).toBe(2);
    expect(lines.err).toMatch(/trap SYS_OPEN is not in defs\/tables\/linux_arm64\.tsv \(the linux\/arm64 table\)/);
  });

  it('--check: 0 when fresh; 1 and a unified diff when stale, without writing', async () => {
    expect(await cli({ check: true })).toBe(0);
    const path = join(out, 'zsyscall_linux_amd64.ts');
    writeFileSync(path, readFileSync(path, 'utf8').replace('SYS_READ,', 'SYS_READX,'));
    const edited = snapshot(out);
    expect(await cli({ check: true })).toBe(1);
    expect(lines.out).toMatch(/^--- a\/generated\/zsyscall_linux_amd64\.ts\n\+\+\+ b\/generated\/zsyscall_linux_amd64\.ts\n/m);
    expect(lines.out).toMatch(/^-\s+SYS_READX,$/m);
    expect(lines.out).toMatch(/^\+\s+SYS_READ,$/m);
    expect(snapshot(out)).toEqual(edited);
  });

  it('writes atomically, replaces stale generated files, keeps foreign ones', async () => {
    writeFileSync(join(out, 'zsyscall_gone_amd64.ts'), '// x\n// Code generated by mksyscall from defs/; DO NOT EDIT.\n');
    writeFileSync(join(out, 'README.md'), 'hand-written\n');
    rmSync(join(out, 'index.ts'));
    expect(await cli({})).toBe(0);
    const after = snapshot(out);
    expect(after['zsyscall_gone_amd64.ts']).toBeUndefined();
    expect(after['README.md']).toBe('hand-written\n');
    expect(after['index.ts']).toBe(readFileSync(join(GENERATED_DIR, 'index.ts'), 'utf8'));
    expect(readdirSync(tmp).sort()).toEqual(['defs', 'generated']);
  });

  it('an up-to-date output is not rewritten at all', async () => {
    const file = join(out, 'zsyscall_linux_amd64.ts');
    const old = new Date('2020-01-01T00:00:00Z');
    utimesSync(file, old, old);
    expect(await cli({})).toBe(0);
    expect(lines.out).toMatch(/already up to date/);
    expect(statSync(file).mtimeMs).toBe(old.getTime());
  });

  it('one target: only its files are rewritten, the others kept', async () => {
    const path = join(out, 'zsyscall_freebsd_amd64.ts');
    writeFileSync(path, 'edited\n');
    expect(await cli({ target: ['linux/386'] })).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe('edited\n');
    expect(lines.out).toMatch(/linux\/386 +\d+ functions/);
  });

  it('a failure while writing leaves the output untouched', () => {
    const before = snapshot(out);
    const gen = generate({ defsDir: defs });
    gen.files.set('sub/dir/impossible.ts', 'x'); // no such folder in the temp directory: the write fails
    expect(() => writeAtomically(out, gen)).toThrow();
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(tmp).sort()).toEqual(['defs', 'generated']);
  });

  it('a folder inside the output: exit 2, nothing touched', async () => {
    mkdirSync(join(out, 'sub'));
    rmSync(join(out, 'index.ts'));
    const before = snapshot(join(out));
    expect(await cli({})).toBe(2);
    expect(lines.err).toMatch(/holds folders \(sub\)/);
    expect(snapshot(out)).toEqual(before);
  });

  it('staleDiff reports a missing output folder as all-new files', async () => {
    rmSync(out, { recursive: true });
    const diff = await staleDiff(out, generate({ defsDir: defs, targets: ['windows/amd64'] }));
    expect(diff).toMatch(/\+\+\+ b\/generated\/zsyscall_windows_amd64\.ts/);
  });

  it('collects every error of a run before failing', () => {
    writeFileSync(join(defs, 'syscall_freebsd.sys'), '//sys\ta(\n//sys\tread(x [2]int) (err error)\n//sys\tc() = SYS_NOPE\n');
    try {
      generate({ defsDir: defs, targets: ['freebsd/amd64'] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(GeneratorError);
      expect((e as GeneratorError).diagnostics.map((d) => d.line)).toEqual([1, 2, 3]);
    }
  });
});
