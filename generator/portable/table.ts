// The cross-OS table of `mksyscall table`: for each name, what each target calls and
// with which number. A portable function name (Open, Seek) is looked up in the
// //portable markers of defs/syscall_<os>.ts; any other name is a raw system call
// looked up in each target's number table, with the Win32 procedure the portable API
// uses for that system call in the windows column (open and openat → CreateFileW), or
// a kernel32 procedure itself (CreateFileW) looked up in kernel32's export list.
//
// Invariants: targets always appear in TABLE_TARGETS order; a target that lacks a call
// has { call: null, number: null } (`-` in text and markdown); windows numbers are null.
import { DEFS_DIR, loadDllExports, loadSyscallTable } from '../tables/index.ts';
import { findTarget, type Target } from '../targets.ts';
import { loadPortableMap, type PortableMap } from './markers.ts';

/** Column order of the table: the seed's (Linux x86, x64, arm64, FreeBSD, macOS, Windows). */
export const TABLE_TARGETS = ['linux/386', 'linux/amd64', 'linux/arm64', 'freebsd/amd64', 'darwin/amd64', 'windows/amd64'] as const;

export interface TableCell {
  call: string | null;
  number: number | null;
}

export interface TableRow {
  name: string;
  /** Whether the name is a portable function (else a raw system call or procedure). */
  portable: boolean;
  targets: Record<string, TableCell>;
}

export type TableFormat = 'text' | 'md' | 'json';

const ABSENT: TableCell = { call: null, number: null };

/** The targets named in `names` (all of TABLE_TARGETS when empty), in table order; an unknown name throws. */
export function tableTargets(names: readonly string[] = []): string[] {
  for (const n of names) {
    if (!(TABLE_TARGETS as readonly string[]).includes(n)) throw new Error(`unknown target ${n}; known targets: ${TABLE_TARGETS.join(', ')}`);
  }
  return TABLE_TARGETS.filter((t) => names.length === 0 || names.includes(t));
}

/** Splits NAME arguments given comma- or space-separated; empty pieces are dropped. */
export function splitNames(args: readonly string[]): string[] {
  return args.flatMap((a) => a.split(/[,\s]+/)).filter((n) => n !== '');
}

/** Builds one row per name; an unknown name throws an Error saying what was expected. */
export function buildTable(names: readonly string[], targetNames: readonly string[] = [], defsDir: string = DEFS_DIR): TableRow[] {
  const targets = tableTargets(targetNames).map((n) => findTarget(n)!);
  const portable = loadPortableMap(defsDir);
  const numberTables = new Map<string, Map<string, number>>();
  const numbersOf = (t: Target) => {
    let m = numberTables.get(t.name);
    if (!m) numberTables.set(t.name, (m = new Map(loadSyscallTable(t.os, t.arch, defsDir).entries.map((e) => [e.name, e.number]))));
    return m;
  };
  let kernel32: Set<string> | null = null;
  const exportsOf = () => (kernel32 ??= new Set(loadDllExports('kernel32', defsDir)));

  return names.map((name) => {
    const marked = portable.calls.get(name);
    if (marked) {
      const cells = targets.map((t) => [t.name, marked.has(t.name) ? { call: marked.get(t.name)!.call, number: marked.get(t.name)!.number } : ABSENT] as const);
      return { name, portable: true, targets: Object.fromEntries(cells) };
    }
    const cells = targets.map((t): [string, TableCell] => {
      if (t.convention === 'dll') {
        const proc = exportsOf().has(name) ? name : win32Equivalent(portable, name);
        return [t.name, proc ? { call: proc, number: null } : ABSENT];
      }
      const number = numbersOf(t).get(name);
      return [t.name, number === undefined ? ABSENT : { call: name, number }];
    });
    const anywhere = TABLE_TARGETS.some((n) => {
      const t = findTarget(n)!;
      return t.convention === 'dll' ? exportsOf().has(name) : numbersOf(t).has(name);
    });
    if (!anywhere) {
      throw new Error(`unknown name ${name}: expected a portable function (${portable.functions.join(', ')}), a system call of some target, or a kernel32 procedure`);
    }
    return { name, portable: false, targets: Object.fromEntries(cells) };
  });
}

/** The windows procedure the portable API calls where some unix target makes system call `name`. */
function win32Equivalent(portable: PortableMap, name: string): string | null {
  for (const byTarget of portable.calls.values()) {
    if ([...byTarget.values()].some((c) => c.dll === null && c.call === name)) return byTarget.get('windows/amd64')?.call ?? null;
  }
  return null;
}

/** The JSON form: {"rows":[{"name","targets":{target:{call,number}}}]}, one line. */
export function tableJson(rows: readonly TableRow[]): string {
  return JSON.stringify({ rows: rows.map((r) => ({ name: r.name, targets: r.targets })) });
}

/** A portable row's cell: the call and its number (`openat (257)`), the procedure alone on windows. */
function portableCell(c: TableCell): string {
  if (c.call === null) return '-';
  return c.number === null ? c.call : `${c.call} (${c.number})`;
}

/** A system call row's cell: the number, or the Win32 procedure where there is no number. */
function syscallCell(c: TableCell): string {
  return c.number !== null ? String(c.number) : (c.call ?? '-');
}

function renderGrid(header: string[], body: string[][], format: 'text' | 'md'): string {
  if (format === 'md') {
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    return [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n') + '\n';
  }
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n';
}

/**
 * Text or markdown: the seed's two tables, portable functions first (what each target
 * calls), then system calls (each target's number), each printed only when it has rows.
 */
export function renderTable(rows: readonly TableRow[], format: 'text' | 'md'): string {
  if (rows.length === 0) return '';
  const targets = Object.keys(rows[0]!.targets);
  const parts: string[] = [];
  const portable = rows.filter((r) => r.portable);
  const raw = rows.filter((r) => !r.portable);
  if (portable.length) parts.push(renderGrid(['function', ...targets], portable.map((r) => [r.name, ...targets.map((t) => portableCell(r.targets[t]!))]), format));
  if (raw.length) parts.push(renderGrid(['system call', ...targets], raw.map((r) => [r.name, ...targets.map((t) => syscallCell(r.targets[t]!))]), format));
  return parts.join('\n');
}

export function formatTable(rows: readonly TableRow[], format: TableFormat): string {
  return format === 'json' ? tableJson(rows) + '\n' : renderTable(rows, format);
}
