// bin/fast-start.mjs: the generation commands run from a cached esbuild bundle. The bundle
// must behave exactly as the TypeScript sources do under tsx (same output, same located
// errors, same exit codes), follow every edit of its inputs, and step aside on any failure.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { GENERATOR_COMMANDS } from '../../bin/fast-start.mjs';
import { registerGeneratorCommands } from '../../generator/cli/commands.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'mksyscall-fast-start-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function mksyscall(args: string[], env: Record<string, string> = {}) {
  const p = spawnSync(process.execPath, ['bin/mksyscall.mjs', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: p.status, stdout: p.stdout, stderr: p.stderr };
}

describe('the generation commands through the bundle and through tsx', () => {
  it('routes exactly the commands generator/cli registers', () => {
    const program = new Command();
    registerGeneratorCommands(program, () => {});
    expect(program.commands.map((c) => c.name()).sort()).toEqual([...GENERATOR_COMMANDS].sort());
  });

  it("the project's generation commands do build into a bundle (so the comparisons below compare two ways in)", () => {
    const script = `const { loadGeneratorCli } = await import(${JSON.stringify(pathToFileURL(join(root, 'bin', 'fast-start.mjs')).href)});
console.log(typeof (await loadGeneratorCli()));`;
    const p = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(p.stdout.trim()).toBe('function');
  });

  it('generate writes the same files', () => {
    const viaBundle = join(scratch, 'bundle');
    const viaTsx = join(scratch, 'tsx');
    const a = mksyscall(['generate', '--out', viaBundle]);
    const b = mksyscall(['generate', '--out', viaTsx], { MKSYSCALL_NO_BUNDLE: '1' });
    expect([a.status, b.status]).toEqual([0, 0]);
    expect(a.stdout).toBe(b.stdout.replaceAll(viaTsx, viaBundle));
    for (const n of readdirSync(join(root, 'generated'))) expect(readFileSync(join(viaBundle, n), 'utf8'), n).toBe(readFileSync(join(viaTsx, n), 'utf8'));
  });

  it('a malformed defs file gives the same located error and exit status 2', () => {
    const defs = join(scratch, 'bad-defs');
    mkdirSync(defs, { recursive: true });
    const file = join(defs, 'broken.sys');
    writeFileSync(file, '//sys\tRead(fd int, p []byte (n int, err error)\n');
    const args = ['inspect', '--json', '--target', 'linux/amd64', file];
    const a = mksyscall(args);
    const b = mksyscall(args, { MKSYSCALL_NO_BUNDLE: '1' });
    expect(a.status).toBe(2);
    expect(a).toEqual(b);
    expect(a.stderr).toContain(`${file}:1:`);
  });

  it('usage errors and --help are the same', () => {
    for (const args of [['generate', '--no-such-option'], ['table', '--help']]) {
      expect(mksyscall(args), args.join(' ')).toEqual(mksyscall(args, { MKSYSCALL_NO_BUNDLE: '1' }));
    }
  });
});

describe('the bundle cache', () => {
  // A small project of its own: an entry importing a dependency that reports its own
  // import.meta.url, bundled into a cache folder of the test's.
  const project = join(scratch, 'project');
  const cache = join(project, 'cache');
  mkdirSync(join(project, 'lib'), { recursive: true });
  writeFileSync(join(project, 'entry.ts'), "import { where, word } from './lib/dep.ts';\nexport const answer: string = `${word} ${where}`;\n");
  const setWord = (word: string) => writeFileSync(join(project, 'lib', 'dep.ts'), `export const word = '${word}';\nexport const where = import.meta.url;\n`);
  setWord('one');

  /** Loads the bundle in a fresh process (a process imports a module URL only once). */
  function load(env: Record<string, string> = {}): string {
    const script = `const { loadBundle } = await import(${JSON.stringify(pathToFileURL(join(root, 'bin', 'fast-start.mjs')).href)});
const mod = await loadBundle(${JSON.stringify(project)}, 'entry.ts', ${JSON.stringify(cache)});
console.log(mod === null ? 'null' : mod.answer);`;
    const p = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
    expect(p.stderr).toBe('');
    return p.stdout.trim();
  }
  const depUrl = pathToFileURL(join(project, 'lib', 'dep.ts')).href;

  it('is built on first use, and a bundled module keeps its source location in import.meta.url', () => {
    expect(load()).toBe(`one ${depUrl}`);
    const manifest = JSON.parse(readFileSync(join(cache, 'entry.json'), 'utf8'));
    expect(Object.keys(manifest.inputs).sort()).toEqual(['entry.ts', 'lib/dep.ts']);
  });

  it('is reused while its inputs are unchanged', () => {
    const before = readFileSync(join(cache, 'entry.json'), 'utf8');
    expect(load()).toBe(`one ${depUrl}`);
    expect(readFileSync(join(cache, 'entry.json'), 'utf8')).toBe(before);
    expect(readdirSync(cache).filter((n) => n.startsWith('entry-'))).toHaveLength(1);
  });

  it('is rebuilt after an input changes; build folders over ten minutes old are removed then', () => {
    const [first] = readdirSync(cache).filter((n) => n.startsWith('entry-'));
    const longAgo = new Date(Date.now() - 11 * 60 * 1000);
    utimesSync(join(cache, first!), longAgo, longAgo);
    setWord('three');
    expect(load()).toBe(`three ${depUrl}`);
    const builds = readdirSync(cache).filter((n) => n.startsWith('entry-'));
    expect(builds).toHaveLength(1);
    expect(builds[0]).not.toBe(first);
  });

  it('steps aside when the sources do not build, and when MKSYSCALL_NO_BUNDLE is set', () => {
    expect(load({ MKSYSCALL_NO_BUNDLE: '1' })).toBe('null');
    writeFileSync(join(project, 'lib', 'dep.ts'), 'export const word = ;\n');
    expect(load()).toBe('null');
    setWord('fourth');
    expect(load()).toBe(`fourth ${depUrl}`);
  });
});
