// Reads the //portable markers of the hand-written portable wrappers in defs/
// (defs/syscall_<os>.ts), as text: the generator never imports those modules.
//
// A marker is a line whose first non-blank characters are `//portable`, followed by
// fields separated by tabs or spaces:
//   //portable	<Function>	<call>[	<os/arch>,<os/arch>…]
// <call> is the system call (its name in the target's number table) or, on windows,
// the kernel32 procedure the function reaches. Without a target list the marker holds
// for every target of the file's OS.
//
// Invariants of a successful read: every function is marked exactly once for every
// product target; each call exists in that target's number table or DLL export list.
// Any violation is a located GeneratorError (file:line:col).
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { errorAt, GeneratorError, type Diagnostic, type Location } from '../model/diagnostics.ts';
import { DEFS_DIR, loadDllExports, loadSyscallTable } from '../tables/index.ts';
import { TARGETS, type Target } from '../targets.ts';

export interface PortableCall {
  /** System call name (number-table name) or DLL procedure. */
  call: string;
  /** Trap number; null on windows, where the call is a DLL procedure. */
  number: number | null;
  /** The DLL the procedure comes from (windows), else null. */
  dll: string | null;
  /** Where the marker is. */
  source: Location;
}

export interface PortableMap {
  /** Function names in the order their first markers appear. */
  functions: string[];
  /** Function → target name → what it calls there. */
  calls: Map<string, Map<string, PortableCall>>;
}

const MARKER = /^(\s*)\/\/portable\b(.*)$/;
const FUNCTION_NAME = /^[A-Z][A-Za-z0-9_]*$/;
const CALL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The windows DLL whose exports portable wrappers may call. */
const WINDOWS_DLL = 'kernel32';

/** The portable wrapper files that exist, one per OS: defs/syscall_<os>.ts. */
export function portableFiles(defsDir: string = DEFS_DIR): string[] {
  const oses = [...new Set(TARGETS.map((t) => t.os))];
  return oses.map((os) => join(defsDir, `syscall_${os}.ts`)).filter(existsSync);
}

/** Splits a marker's fields with their 1-based columns. */
function fields(line: string, from: number): Array<{ text: string; column: number }> {
  const out: Array<{ text: string; column: number }> = [];
  const re = /\S+/g;
  re.lastIndex = from;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) out.push({ text: m[0], column: m.index + 1 });
  return out;
}

/** Looks calls up in each target's number table or DLL export list, reading each file once. */
function callResolver(defsDir: string): (t: Target, call: string) => { number: number | null; dll: string | null } | string {
  let exports: Set<string> | null = null;
  const numbers = new Map<string, Map<string, number>>();
  return (t, call) => {
    if (t.convention === 'dll') {
      exports ??= new Set(loadDllExports(WINDOWS_DLL, defsDir));
      return exports.has(call) ? { number: null, dll: WINDOWS_DLL } : `${call} is not exported by ${WINDOWS_DLL}.dll (defs/tables/${WINDOWS_DLL}.def)`;
    }
    let table = numbers.get(t.name);
    if (!table) numbers.set(t.name, (table = new Map(loadSyscallTable(t.os, t.arch, defsDir).entries.map((e) => [e.name, e.number]))));
    const number = table.get(call);
    return number !== undefined ? { number, dll: null } : `${t.name} has no system call ${call} (defs/tables/${t.os}_${t.arch}.tsv)`;
  };
}

/** Reads and checks every marker in defs/syscall_<os>.ts; throws GeneratorError listing all problems. */
export function loadPortableMap(defsDir: string = DEFS_DIR): PortableMap {
  const errors: Diagnostic[] = [];
  const calls = new Map<string, Map<string, PortableCall>>();
  const functions: string[] = [];
  const resolveCall = callResolver(defsDir);
  const files = portableFiles(defsDir);

  for (const path of files) {
    const file = relative(process.cwd(), path) || path;
    const os = path.slice(path.lastIndexOf('syscall_') + 'syscall_'.length, -'.ts'.length);
    const osTargets = TARGETS.filter((t) => t.os === os);
    readFileSync(path, 'utf8').split('\n').forEach((text, i) => {
      const m = MARKER.exec(text);
      if (!m) return;
      const loc = (column: number): Location => ({ file, line: i + 1, column, text });
      const f = fields(text, m[1]!.length + '//portable'.length);
      if (f.length < 2 || f.length > 3) {
        errors.push(errorAt(loc(m[1]!.length + 1), 'expected //portable <Function> <call> [<os/arch>,…]'));
        return;
      }
      const [fn, call, targetList] = f as [(typeof f)[0], (typeof f)[0], (typeof f)[0] | undefined];
      if (!FUNCTION_NAME.test(fn.text)) return void errors.push(errorAt(loc(fn.column), `expected an exported function name, found ${fn.text}`));
      if (!CALL_NAME.test(call.text)) return void errors.push(errorAt(loc(call.column), `expected a system call or procedure name, found ${call.text}`));
      let targets = osTargets;
      if (targetList) {
        targets = [];
        for (const name of targetList.text.split(',')) {
          const t = osTargets.find((x) => x.name === name);
          if (!t) return void errors.push(errorAt(loc(targetList.column + targetList.text.indexOf(name)), `${name} is not a ${os} target; expected one of ${osTargets.map((x) => x.name).join(', ')}`));
          targets.push(t);
        }
      }
      if (!calls.has(fn.text)) {
        calls.set(fn.text, new Map());
        functions.push(fn.text);
      }
      const byTarget = calls.get(fn.text)!;
      for (const t of targets) {
        const prior = byTarget.get(t.name);
        if (prior) {
          errors.push(errorAt(loc(fn.column), `${fn.text} on ${t.name} is already marked at ${prior.source.file}:${prior.source.line}`));
          continue;
        }
        const resolved = resolveCall(t, call.text);
        if (typeof resolved === 'string') errors.push(errorAt(loc(call.column), resolved));
        else byTarget.set(t.name, { call: call.text, ...resolved, source: loc(fn.column) });
      }
    });
  }
  if (errors.length === 0) {
    const covered = new Set(files.map((p) => p.slice(p.lastIndexOf('syscall_') + 'syscall_'.length, -'.ts'.length)));
    for (const fn of functions) {
      const byTarget = calls.get(fn)!;
      const first = [...byTarget.values()][0]!.source;
      const missing = TARGETS.filter((t) => covered.has(t.os) && !byTarget.has(t.name)).map((t) => t.name);
      if (missing.length) errors.push(errorAt({ ...first, column: 0 }, `${fn} has no //portable marker for ${missing.join(', ')}`));
    }
  }
  if (errors.length) throw new GeneratorError(errors);
  return { functions, calls };
}
