// The generation pipeline for a set of targets, entirely in memory: read each target's
// annotation files (defs/syscall_<os>.sys, defs/syscall_<os>_<arch>.sys), parse, lower
// against the target's number table or DLL export lists, and render every file.
// Nothing is written here (see write.ts); any located error throws GeneratorError after
// all of a run's errors have been collected.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Declaration } from '../model/declarations.ts';
import { errorAt, GeneratorError, type Diagnostic } from '../model/diagnostics.ts';
import { parseAnnotations, type ParseOptions } from '../model/parse.ts';
import { lowerDeclarations, type LoweredFunction, type TrapTable } from '../lower/lower.ts';
import { DEFS_DIR, loadDllExports, loadErrnoTable, loadSyscallTable, type ErrnoTable, type SyscallTable } from '../tables/index.ts';
import { findTarget, TARGETS, targetStem, type Target } from '../targets.ts';
import { renderIndex, renderTargetIndex, renderZerrors, renderZsyscall, renderZsysnum, trapNumbers } from './files.ts';

export interface GenerateOptions {
  /** os/arch names; all six targets when empty or absent. */
  targets?: readonly string[];
  lenient?: boolean;
  defsDir?: string;
}

export interface TargetSummary {
  target: string;
  files: string[];
  functions: number;
  numbers: number;
  errnos: number;
}

export interface Generation {
  /** Path relative to generated/ → file text. */
  files: Map<string, string>;
  warnings: Diagnostic[];
  summary: TargetSummary[];
  /** Whether every target was generated (then files missing from `files` are stale). */
  complete: boolean;
}

/** The targets named by `names` (all when empty); an unknown name is an Error listing the known ones. */
export function selectTargets(names: readonly string[] = []): Target[] {
  if (names.length === 0) return [...TARGETS];
  return [...new Set(names)].map((n) => {
    const t = findTarget(n);
    if (!t) throw new Error(`unknown target ${n}; known targets: ${TARGETS.map((x) => x.name).join(', ')}`);
    return t;
  });
}

/** The annotation files of a target that exist, OS-wide first. */
export function defsFiles(t: Target, defsDir: string = DEFS_DIR): string[] {
  return [join(defsDir, `syscall_${t.os}.sys`), join(defsDir, `syscall_${t.os}_${t.arch}.sys`)].filter(existsSync);
}

/** Parses files into declarations, collecting errors and warnings; a name declared twice is an error. */
export function readDeclarations(files: readonly string[], options: ParseOptions, errors: Diagnostic[], warnings: Diagnostic[]): Declaration[] {
  const decls: Declaration[] = [];
  const byName = new Map<string, Declaration>();
  for (const path of files) {
    const parsed = parseAnnotations(readFileSync(path, 'utf8'), relative(process.cwd(), path) || path, options);
    errors.push(...parsed.errors);
    warnings.push(...parsed.warnings);
    for (const d of parsed.declarations) {
      const prior = byName.get(d.name);
      if (prior) {
        errors.push(errorAt({ ...d.source, column: 0 }, `${d.name} is already declared at ${prior.source.file}:${prior.source.line}`));
        continue;
      }
      byName.set(d.name, d);
      decls.push(d);
    }
  }
  return decls;
}

/** The names a target's calls may use: SYS_ traps of its number table, or dll.Proc exports. */
export function trapTable(t: Target, defsDir: string = DEFS_DIR, table?: SyscallTable): TrapTable {
  if (t.convention === 'dll') {
    const exports = new Map<string, Set<string>>();
    return {
      source: (trap) => `defs/tables/${trap.slice(0, trap.lastIndexOf('.')).toLowerCase()}.def`,
      has(trap) {
        const dot = trap.lastIndexOf('.');
        const [dll, proc] = [trap.slice(0, dot), trap.slice(dot + 1)];
        if (!exports.has(dll)) exports.set(dll, new Set(existsSync(join(defsDir, 'tables', `${dll.toLowerCase()}.def`)) ? loadDllExports(dll, defsDir) : []));
        return exports.get(dll)!.has(proc);
      },
    };
  }
  const names = new Set(trapNumbers(table ?? loadSyscallTable(t.os, t.arch, defsDir)).map((e) => e.name));
  return { source: () => `defs/tables/${targetStem(t)}.tsv`, has: (trap) => names.has(trap) };
}

export function generate(options: GenerateOptions = {}): Generation {
  const defsDir = options.defsDir ?? DEFS_DIR;
  const targets = selectTargets(options.targets);
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const files = new Map<string, string>();
  const summary: TargetSummary[] = [];
  const lowered = new Map<Target, LoweredFunction[]>();
  const numberTables = new Map<Target, SyscallTable>();

  for (const t of targets) {
    const decls = readDeclarations(defsFiles(t, defsDir), { lenient: options.lenient === true, mkwinsyscall: t.convention === 'dll' }, errors, warnings);
    if (t.hasNumberTable) numberTables.set(t, loadSyscallTable(t.os, t.arch, defsDir));
    const result = lowerDeclarations(decls, t, { traps: trapTable(t, defsDir, numberTables.get(t)) });
    errors.push(...result.errors);
    warnings.push(...result.warnings);
    lowered.set(t, result.functions);
  }
  if (errors.length) throw new GeneratorError(errors);

  const errnoTables = new Map<string, ErrnoTable>();

  for (const t of targets) {
    const functions = lowered.get(t)!;
    const stem = targetStem(t);
    const written: string[] = [];
    const put = (name: string, text: string) => {
      files.set(name, text);
      written.push(name);
    };
    put(`zsyscall_${stem}.ts`, renderZsyscall(t, functions));
    let numbers = 0;
    const table = numberTables.get(t);
    if (table) {
      numbers = trapNumbers(table).length;
      put(`zsysnum_${stem}.ts`, renderZsysnum(t, table));
    }
    let errnos = errnoTables.get(t.os);
    if (!errnos) {
      errnos = loadErrnoTable(t.os, defsDir);
      errnoTables.set(t.os, errnos);
      // The first target of an OS (in TARGETS order) names the shared zerrors file's command.
      put(`zerrors_${t.os}.ts`, renderZerrors(TARGETS.find((x) => x.os === t.os)!, errnos));
    } else {
      written.push(`zerrors_${t.os}.ts`);
    }
    put(`target_${stem}.ts`, renderTargetIndex(t, functions));
    summary.push({ target: t.name, files: written, functions: functions.length, numbers, errnos: errnos.entries.length });
  }
  files.set('index.ts', renderIndex());
  return { files, warnings, summary, complete: targets.length === TARGETS.length };
}
