// `npm run bench -- generator`: how fast the generator is.
//  1. Wall time of `mksyscall generate` for all six targets in a fresh Node process
//     (start-up included; served from the cached bundle of bin/fast-start.mjs), beside the
//     start-up of `node -e 0` and `mksyscall --help` (tsx) measured in the same run, the
//     same generation through tsx, and the first run after an edit (the bundle rebuilt).
//     Goal: ≤ 300 ms.
//  2. Declarations per second in-process on a synthetic corpus of 2,000 declarations:
//     parse, lower (linux/amd64 and linux/386), render.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lowerDeclarations } from '../generator/lower/lower.ts';
import { parseAnnotations } from '../generator/model/parse.ts';
import { renderZsyscall } from '../generator/render/files.ts';
import { findTarget } from '../generator/targets.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = 9;

function wall(argsOf: string[] | ((run: number) => string[]), opts: { env?: Record<string, string>; before?: () => void } = {}): number[] {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const args = typeof argsOf === 'function' ? argsOf(i) : argsOf;
    opts.before?.();
    const t0 = performance.now();
    const p = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...opts.env } });
    times.push(performance.now() - t0);
    if (p.status !== 0) throw new Error(`${args.join(' ')} failed: ${p.stderr}`);
  }
  return times.sort((a, b) => a - b);
}

const ms = (xs: number[]) => `median ${xs[xs.length >> 1]!.toFixed(0)} ms, min ${xs[0]!.toFixed(0)} ms`;

/** 2,000 declarations covering every lowering rule: slices, strings, pointers, int64, bool, 1–9 words. */
function corpus(n: number): string {
  const types = ['int', 'uint32', '[]byte', 'string', '*Stat_t', 'int64', 'uintptr', 'bool', 'unsafe.Pointer', 'Signal'];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const params = Array.from({ length: i % 5 }, (_, j) => `a${j} ${types[(i + j * 3) % types.length]}`);
    const results = i % 3 === 0 ? '(n int, err error)' : i % 3 === 1 ? '(err error)' : '(off int64, err error)';
    lines.push(`//sys${i % 4 === 0 ? 'nb' : ''}\tcall${i}(${params.join(', ')}) ${results} = SYS_READ`);
  }
  return lines.join('\n') + '\n';
}

export async function run(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'mksyscall-bench-'));
  try {
    const node = wall(['-e', '0']);
    const help = wall(['bin/mksyscall.mjs', '--help']);
    // every file new: each run writes into a folder that does not exist yet
    const gen = wall((i) => ['bin/mksyscall.mjs', 'generate', '--out', join(out, `run${i}`)]);
    const fresh = wall(['bin/mksyscall.mjs', 'generate', '--out', join(out, 'run0')]);
    const check = wall(['bin/mksyscall.mjs', 'generate', '--check']);
    const viaTsx = wall((i) => ['bin/mksyscall.mjs', 'generate', '--out', join(out, `tsx${i}`)], { env: { MKSYSCALL_NO_BUNDLE: '1' } });
    const manifest = join(root, 'node_modules', '.cache', 'mksyscall-ts', 'generator-cli.json');
    const afterEdit = wall((i) => ['bin/mksyscall.mjs', 'generate', '--out', join(out, `edit${i}`)], { before: () => rmSync(manifest, { force: true }) });
    console.log(`fresh process, ${RUNS} runs each`);
    console.log(`  node -e 0                                ${ms(node)}`);
    console.log(`  mksyscall --help (tsx start-up)          ${ms(help)}`);
    console.log(`  mksyscall generate, 6 targets, all new   ${ms(gen)}   goal ≤ 300 ms`);
    console.log(`  mksyscall generate, already up to date   ${ms(fresh)}`);
    console.log(`  mksyscall generate --check               ${ms(check)}`);
    console.log(`  generate, all new, through tsx           ${ms(viaTsx)}`);
    console.log(`  generate, all new, first run after edit  ${ms(afterEdit)}   (bundle rebuilt)`);
    console.log(`  generator work (all new minus node -e 0) ${(gen[RUNS >> 1]! - node[RUNS >> 1]!).toFixed(0)} ms`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }

  const N = 2000;
  const text = corpus(N);
  const targets = [findTarget('linux/amd64')!, findTarget('linux/386')!];
  // warm-up round, then the measured rounds
  for (let round = 0; round < 4; round++) {
    const t0 = performance.now();
    const parsed = parseAnnotations(text, 'corpus.sys');
    const t1 = performance.now();
    const lowered = targets.map((t) => lowerDeclarations(parsed.declarations, t));
    const t2 = performance.now();
    targets.forEach((t, i) => renderZsyscall(t, lowered[i]!.functions));
    const t3 = performance.now();
    if (parsed.declarations.length !== N || lowered.some((l) => l.functions.length !== N)) throw new Error('corpus did not lower completely');
    if (round === 0) continue;
    const rate = (n: number, dt: number) => `${Math.round((n / dt) * 1000).toLocaleString('en-US')}/s`;
    console.log(
      `in-process, ${N} declarations × ${targets.length} targets: parse ${(t1 - t0).toFixed(1)} ms (${rate(N, t1 - t0)}), ` +
        `lower ${(t2 - t1).toFixed(1)} ms (${rate(N * 2, t2 - t1)}), render ${(t3 - t2).toFixed(1)} ms (${rate(N * 2, t3 - t2)}), ` +
        `all ${(t3 - t0).toFixed(1)} ms (${rate(N, t3 - t0)} declarations for both targets)`,
    );
  }
}
