// What differs between two targets' generated code, as `mksyscall diff A B` prints it:
// first a semantic diff, computed from the generator's own lowering of each target
// (the same lowered functions generate renders), then the unified diff of the rendered
// zsyscall and zsysnum files, rendered in memory.
//
// The semantic diff has three parts: the targets' conventions (how the kernel is
// entered, how errors come back, the call route); the portable API (what each
// //portable function calls on each side); and every wrapper, one line per aspect that
// differs (trap name and number, call variant, argument words, error convention, libc
// or DLL route) or a line for a wrapper present on one side only. Lines start with `~`
// (differs), `-` (only in A) or `+` (only in B). Identical wrappers are only counted.
import { createTwoFilesPatch } from 'diff';
import { type Diagnostic, GeneratorError } from '../model/diagnostics.ts';
import { lowerDeclarations, type LoweredFunction } from '../lower/lower.ts';
import { defsFiles, generate, readDeclarations, selectTargets, trapTable } from '../render/generate.ts';
import { DEFS_DIR, loadSyscallTable } from '../tables/index.ts';
import { targetStem, type Target } from '../targets.ts';
import { loadPortableMap, type PortableCall } from './markers.ts';

/** One target's wrappers as the generator lowers them, with its trap numbers. */
interface LoweredTarget {
  target: Target;
  functions: Map<string, LoweredFunction>;
  numbers: Map<string, number>;
}

function lowerTarget(t: Target, defsDir: string): LoweredTarget {
  const errors: Diagnostic[] = [];
  const decls = readDeclarations(defsFiles(t, defsDir), { mkwinsyscall: t.convention === 'dll' }, errors, []);
  const table = t.hasNumberTable ? loadSyscallTable(t.os, t.arch, defsDir) : undefined;
  const result = lowerDeclarations(decls, t, { traps: trapTable(t, defsDir, table) });
  errors.push(...result.errors);
  if (errors.length) throw new GeneratorError(errors);
  const numbers = new Map((table?.entries ?? []).map((e) => [`SYS_${e.name.toUpperCase()}`, e.number]));
  return { target: t, functions: new Map(result.functions.map((f) => [f.decl.name, f])), numbers };
}

/** The trap with its number: `SYS_OPENAT (257)`; a DLL procedure as `kernel32.CreateFileW`. */
function trapOf(lt: LoweredTarget, fn: LoweredFunction): string {
  const n = lt.numbers.get(fn.trap);
  return n === undefined ? fn.trap : `${fn.trap} (${n})`;
}

function wordsOf(fn: LoweredFunction): string {
  return fn.words.map((w) => (w.kind === 'zero' ? '0' : w.kind === 'value' ? w.param : `${w.kind}(${w.param})`)).join(', ');
}

/** The argument words with parameter types in place of names: two wrappers whose
 *  parameters are only named differently pass the same words. */
function wordShape(fn: LoweredFunction): string {
  const typeOf = (param: string) => fn.decl.params.find((p) => p.name === param)?.type ?? '?';
  return fn.words.map((w) => (w.kind === 'zero' ? '0' : `${w.kind}(${typeOf(w.param)})`)).join(', ');
}

/** How a failure of this wrapper is detected. */
function errorsOf(t: Target, fn: LoweredFunction): string {
  if (fn.errorResult === null) return 'no error result';
  if (fn.dll) {
    const f = fn.dll.failRetVal;
    const when = f ? `r0${f.mask ? ` & ${f.mask}` : ''} ${f.op} ${f.value}` : 'r0 == 0';
    return fn.dll.errorIsValue ? 'the return value is the error' : `${when}, error from GetLastError`;
  }
  return t.errorConvention;
}

function routeOf(fn: LoweredFunction): string {
  if (fn.dll) return `DLL ${fn.dll.name}.dll!${fn.dll.proc}${fn.dll.optional ? ' (optional)' : ''}`;
  if (fn.libc) return `libc ${fn.libc} through libc_${fn.libc}_trampoline_addr`;
  return 'direct system call';
}

function portableCell(c: PortableCall | undefined): string {
  if (!c) return '-';
  return c.number === null ? `${c.dll}.dll!${c.call}` : `${c.call} (${c.number})`;
}

/** The semantic diff of targets `a` and `b`, one line per difference. */
export function semanticDiff(aName: string, bName: string, defsDir: string = DEFS_DIR): string[] {
  const targets = selectTargets([aName, bName]);
  if (targets.length === 1) return [`${aName} and ${bName} are the same target`];
  const [a, b] = targets.map((t) => lowerTarget(t, defsDir)) as [LoweredTarget, LoweredTarget];
  const lines: string[] = [`semantic diff ${a.target.name} → ${b.target.name}`, '', 'conventions'];
  const convention = (what: string, x: string, y: string) => lines.push(x === y ? `  ${what}: ${x}` : `~ ${what}: ${x} → ${y}`);
  convention('entry', a.target.syscallInstruction, b.target.syscallInstruction);
  convention('errors', a.target.errorConvention, b.target.errorConvention);
  convention('route', a.target.convention, b.target.convention);

  lines.push('', 'portable API');
  const portable = loadPortableMap(defsDir);
  for (const name of portable.functions) {
    const [x, y] = [portableCell(portable.calls.get(name)!.get(a.target.name)), portableCell(portable.calls.get(name)!.get(b.target.name))];
    lines.push(x === y ? `  ${name}: ${x}` : `~ ${name}: ${x} → ${y}`);
  }

  // Wrappers pair up by name regardless of case (linux's dup2 is freebsd's Dup2). A
  // wrapper's error convention is listed only where it departs from its target's.
  lines.push('', 'wrappers');
  const key = (name: string) => name.toLowerCase();
  const byKey = (lt: LoweredTarget) => new Map([...lt.functions.values()].map((f) => [key(f.decl.name), f]));
  const [ka, kb] = [byKey(a), byKey(b)];
  const keys = [...new Set([...ka.keys(), ...kb.keys()])].sort();
  let same = 0;
  for (const k of keys) {
    const [fa, fb] = [ka.get(k), kb.get(k)];
    if (!fb) lines.push(`- ${fa!.decl.name}: only on ${a.target.name} (${trapOf(a, fa!)} via ${fa!.call})`);
    else if (!fa) lines.push(`+ ${fb.decl.name}: only on ${b.target.name} (${trapOf(b, fb)} via ${fb.call})`);
    else {
      const name = fa.decl.name === fb.decl.name ? fa.decl.name : `${fa.decl.name}/${fb.decl.name}`;
      const differing: Array<[string, string, string]> = [];
      if (trapOf(a, fa) !== trapOf(b, fb)) differing.push(['trap', trapOf(a, fa), trapOf(b, fb)]);
      if (fa.call !== fb.call) differing.push(['call', fa.call, fb.call]);
      if (wordShape(fa) !== wordShape(fb)) differing.push(['words', wordsOf(fa), wordsOf(fb)]);
      const [ea, eb] = [errorsOf(a.target, fa), errorsOf(b.target, fb)];
      if (ea !== eb && !(ea === a.target.errorConvention && eb === b.target.errorConvention)) differing.push(['errors', ea, eb]);
      if (routeOf(fa) !== routeOf(fb)) differing.push(['route', routeOf(fa), routeOf(fb)]);
      if (differing.length === 0) same++;
      for (const [aspect, x, y] of differing) lines.push(`~ ${name} ${aspect}: ${x} → ${y}`);
    }
  }
  lines.push(`  ${same} wrapper${same === 1 ? '' : 's'} identical`);
  return lines;
}

/** The unified diff of the two targets' zsyscall and zsysnum files, rendered in memory. */
export function generatedFilesDiff(aName: string, bName: string, defsDir: string = DEFS_DIR): string {
  const [a, b] = selectTargets([aName, bName]);
  if (!b) return '';
  const files = generate({ targets: [aName, bName], defsDir }).files;
  let out = '';
  for (const kind of ['zsyscall', 'zsysnum']) {
    const [na, nb] = [`${kind}_${targetStem(a!)}.ts`, `${kind}_${targetStem(b)}.ts`];
    const [ta, tb] = [files.get(na), files.get(nb)];
    if (ta === undefined && tb === undefined) continue;
    out += createTwoFilesPatch(ta === undefined ? '/dev/null' : `generated/${na}`, tb === undefined ? '/dev/null' : `generated/${nb}`, ta ?? '', tb ?? '', undefined, undefined, { context: 3 });
  }
  return out;
}
