// `mksyscall inspect --json --target os/arch [--lenient] FILE…`: parse every //sys line
// of the files (any text: .sys, Go or TypeScript source) and print how each lowers for
// the target. Traps missing from the target's table are warnings here, never errors, so
// foreign defs (golang.org/x/sys's own files) can be inspected; so is a name declared
// twice (files meant for different build tags), and both declarations are printed. The JSON shape is fixed:
// {"target", "functions": [{name, nb, call, trap, libc, params, results, words, assign}]}.
import { readFileSync } from 'node:fs';
import type { Declaration } from '../model/declarations.ts';
import { formatDiagnostic, warningAt, type Diagnostic } from '../model/diagnostics.ts';
import { parseAnnotations } from '../model/parse.ts';
import { describeFunction, lowerDeclarations, type LowerOptions } from '../lower/lower.ts';
import { trapTable } from '../render/generate.ts';
import { findTarget, TARGETS, TEST_ABIS } from '../targets.ts';

export interface InspectOptions {
  target: string;
  json?: boolean;
  lenient?: boolean;
  defs?: string;
}

type Print = (s: string) => void;

export function runInspect(files: readonly string[], opts: InspectOptions, out: Print, err: Print): number {
  const target = findTarget(opts.target, true);
  if (!target) {
    err(`unknown target ${opts.target}; known: ${[...TARGETS, ...TEST_ABIS].map((t) => t.name).join(', ')}\n`);
    return 2;
  }
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const decls: Declaration[] = [];
  const byName = new Map<string, Declaration>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      err(`${file}: cannot read: ${(e as Error).message}\n`);
      return 2;
    }
    const parsed = parseAnnotations(text, file, { lenient: opts.lenient === true, mkwinsyscall: target.convention === 'dll' });
    for (const d of parsed.declarations) {
      const prior = byName.get(d.name);
      if (prior) warnings.push(warningAt({ ...d.source, column: 0 }, `${d.name} is also declared at ${prior.source.file}:${prior.source.line}`));
      else byName.set(d.name, d);
      decls.push(d);
    }
    errors.push(...parsed.errors);
    warnings.push(...parsed.warnings);
  }
  const lowerOptions: LowerOptions = { warnOnly: true };
  try {
    lowerOptions.traps = trapTable(target, opts.defs);
  } catch (e) {
    err(`warning: trap names not checked for ${target.name}: ${(e as Error).message}\n`);
  }
  const lowered = lowerDeclarations(decls, target, lowerOptions);
  errors.push(...lowered.errors);
  warnings.push(...lowered.warnings);
  for (const d of [...warnings, ...errors]) err(formatDiagnostic(d) + '\n');
  const functions = lowered.functions.map(describeFunction);
  if (opts.json) {
    out(JSON.stringify({ target: target.name, functions }) + '\n');
  } else {
    for (const f of functions) {
      const assign = Object.entries(f.assign).map(([k, v]) => `${k}=${v}`).join(' ');
      out(`${f.name.padEnd(20)} ${f.call.padEnd(18)} ${(f.libc ?? f.trap).padEnd(22)} [${f.words.join(', ')}]${assign ? ' ' + assign : ''}\n`);
    }
  }
  return errors.length ? 2 : 0;
}
