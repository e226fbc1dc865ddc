// `mksyscall generate`: regenerate generated/ from defs/ for some or all targets.
//   --check   compare instead of writing: exit 1 and print a unified diff when stale
//   --watch   regenerate whenever a file under defs/ changes; print errors, keep going
//   --lenient accept annotation forms the Perl mksyscall accepted
// Exit codes: 0 done (or fresh), 1 stale (--check), 2 located errors in the input.
import { readdirSync, watch } from 'node:fs';
import { join } from 'node:path';
import { GeneratorError, formatDiagnostic } from '../model/diagnostics.ts';
import { generate, type Generation } from '../render/generate.ts';
import { staleDiff, writeAtomically } from '../render/write.ts';
import { DEFS_DIR, TableError } from '../tables/index.ts';

export interface GenerateCommandOptions {
  target?: string[];
  check?: boolean;
  watch?: boolean;
  lenient?: boolean;
  defs?: string;
  out?: string;
}

export const GENERATED_DIR = join(DEFS_DIR, '..', 'generated');

type Print = (s: string) => void;

function summarize(gen: Generation, print: Print): void {
  for (const s of gen.summary) {
    print(`${s.target.padEnd(14)} ${String(s.functions).padStart(3)} functions ${String(s.numbers).padStart(4)} numbers ${String(s.errnos).padStart(4)} errnos  ${s.files.join(' ')}\n`);
  }
}

/** One generation run; returns the exit code. */
export async function runGenerateOnce(opts: GenerateCommandOptions, out: Print, err: Print): Promise<number> {
  const outDir = opts.out ?? GENERATED_DIR;
  let gen: Generation;
  try {
    gen = generate({ targets: opts.target ?? [], lenient: opts.lenient === true, ...(opts.defs ? { defsDir: opts.defs } : {}) });
  } catch (e) {
    if (e instanceof GeneratorError) {
      err(e.message + '\n');
      err(`${e.diagnostics.length} error${e.diagnostics.length === 1 ? '' : 's'}; nothing written\n`);
      return 2;
    }
    if (e instanceof TableError) {
      err(e.message + '\n');
      return 2;
    }
    // A missing table file or an unknown --target name: plain messages, still bad input.
    if (e instanceof Error && /^(unknown target|.*: no (syscall table|errno table|export list))/.test(e.message)) {
      err(e.message + '\n');
      return 2;
    }
    throw e;
  }
  for (const w of gen.warnings) err(formatDiagnostic(w) + '\n');
  if (opts.check) {
    const diff = await staleDiff(outDir, gen);
    if (diff) {
      out(diff);
      err('generated/ is stale: run `npm run generate`\n');
      return 1;
    }
    return 0;
  }
  let changed: string[];
  try {
    changed = writeAtomically(outDir, gen);
  } catch (e) {
    if (!(e instanceof Error && 'code' in e)) throw e;
    err(`cannot write ${outDir}: ${e.message}; it was left as it was\n`);
    return 2;
  }
  summarize(gen, out);
  out(changed.length ? `wrote ${changed.length} changed file${changed.length === 1 ? '' : 's'}: ${changed.join(' ')}\n` : 'generated/ was already up to date\n');
  return 0;
}

/** Runs once, then (with --watch) again after every change under defs/, until interrupted. */
export async function runGenerate(opts: GenerateCommandOptions, out: Print, err: Print): Promise<number> {
  const status = await runGenerateOnce(opts, out, err);
  if (!opts.watch) return status;
  const defsDir = opts.defs ?? DEFS_DIR;
  let timer: NodeJS.Timeout | null = null;
  const regenerate = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      runGenerateOnce({ ...opts, watch: false }, out, err).catch((e: unknown) => err(`${e instanceof Error ? e.message : String(e)}\n`));
    }, 50);
  };
  // One plain watcher per folder: each is registered before `watching` is printed, which
  // Node 20's recursive watch on Linux (an asynchronous tree walk) does not guarantee.
  const watchers = defsFolders(defsDir).map((dir) => watch(dir, regenerate));
  out(`watching ${defsDir} for changes (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    for (const w of watchers) w.once('close', () => resolve());
  });
  for (const w of watchers) w.close();
  return status;
}

/** The folder and every folder below it. */
function defsFolders(dir: string): string[] {
  const found = [dir];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) found.push(...defsFolders(join(dir, entry.name)));
  }
  return found;
}
