// Importer for XNU's bsd/kern/syscalls.master (darwin), evaluating its #if groups for
// one kernel configuration. Several numbers are defined twice, once per branch
// (`#if CONFIG_VFORK` vfork / `#else` nosys); the table must hold the branch the target
// kernel is built with. The default configuration is macOS on x86_64: every CONFIG_*
// and feature macro the file tests (SOCKETS, SYSV_*, NFSSERVER, PSYNCH, CONFIG_MACF,
// PGO, ...) is taken as defined except CONFIG_EMBEDDED, which only iOS-family kernels
// define. So 66 is vfork, 483 csrctl, and 435 stays the nosys placeholder that macOS
// has instead of the embedded-only pid_hibernate.
// Placeholders (nosys, enosys) define no syscall and are left out. Kernel functions
// named sys_<x> (sys_close, sys_fileport_makeport) are the syscall <x>, as in
// <sys/syscall.h>; the entry column keeps the kernel function's own name.
import * as parser from '../grammar/xnu-master.parser.js';
import { parseWith, tableError } from './errors.ts';
import { SyscallSet } from './syscall-set.ts';
import type { SyscallEntry } from './types.ts';

interface XnuEntry {
  kind: 'entry';
  number: number;
  name: string;
  nameColumn: number;
  line: number;
  column: number;
}

interface XnuDirective {
  kind: 'directive';
  keyword: string;
  rest: string;
  line: number;
  column: number;
  restColumn: number;
}

/** Which macros a kernel configuration defines (true) for #if/#ifdef evaluation. */
export type MacroConfig = (macro: string) => boolean;

export const MACOS_X86_64: MacroConfig = (macro) => macro !== 'CONFIG_EMBEDDED';

const PLACEHOLDERS = new Set(['nosys', 'enosys']);
const CONDITION = /^(!\s*)?(?:defined\s*\(\s*([A-Za-z_]\w*)\s*\)|defined\s+([A-Za-z_]\w*)|([A-Za-z_]\w*)|([01]))$/;

interface Frame {
  /** This branch's lines are used. */
  active: boolean;
  /** Some branch of the group was already taken. */
  taken: boolean;
  /** The enclosing group is active. */
  outer: boolean;
  sawElse: boolean;
  opened: XnuDirective;
}

export function importXnuMaster(text: string, file: string, config: MacroConfig = MACOS_X86_64): SyscallEntry[] {
  const items = parseWith<Array<XnuEntry | XnuDirective>>(parser.parse, text, file);
  const set = new SyscallSet(file, text);
  const stack: Frame[] = [];
  const active = () => stack.length === 0 || stack[stack.length - 1]!.active;

  const evaluate = (d: XnuDirective): boolean => {
    const expr = d.rest.replace(/\/\*.*?\*\//g, '').replace(/\/\/.*$/, '').trim();
    const m = CONDITION.exec(expr);
    const plainName = d.keyword === 'ifdef' || d.keyword === 'ifndef';
    if (!m || (plainName && (m[4] === undefined || m[1] !== undefined))) {
      throw tableError(file, text, d.line, d.restColumn + (d.rest.length - d.rest.trimStart().length), `expected ${plainName ? 'a macro name' : 'a macro name, !NAME, defined(NAME), 0 or 1'} after #${d.keyword}, found ${JSON.stringify(expr)}`);
    }
    const value = m[5] !== undefined ? m[5] === '1' : config((m[2] ?? m[3] ?? m[4])!);
    const negate = m[1] !== undefined || d.keyword === 'ifndef';
    return negate ? !value : value;
  };

  for (const item of items) {
    if (item.kind === 'entry') {
      if (active() && !PLACEHOLDERS.has(item.name)) {
        const name = item.name.startsWith('sys_') ? item.name.slice(4) : item.name;
        set.add({ number: item.number, name, abi: 'unix', entry: item.name }, { line: item.line, column: item.nameColumn });
      }
      continue;
    }
    const d = item;
    const top = stack[stack.length - 1];
    const misplaced = () => tableError(file, text, d.line, d.column, `#${d.keyword} without a matching #if`);
    switch (d.keyword) {
      case 'if':
      case 'ifdef':
      case 'ifndef': {
        const outer = active();
        const value = outer && evaluate(d);
        stack.push({ active: value, taken: value, outer, sawElse: false, opened: d });
        break;
      }
      case 'elif': {
        if (!top || top.sawElse) throw misplaced();
        const value = top.outer && !top.taken && evaluate(d);
        top.active = value;
        top.taken ||= value;
        break;
      }
      case 'else':
        if (!top || top.sawElse) throw misplaced();
        top.active = top.outer && !top.taken;
        top.taken = true;
        top.sawElse = true;
        break;
      case 'endif':
        if (!top) throw misplaced();
        stack.pop();
        break;
      default:
        // #include, #define, #pragma: copied into XNU's generated C files, no effect on numbers.
        break;
    }
  }
  const open = stack[stack.length - 1];
  if (open) throw tableError(file, text, open.opened.line, open.opened.column, `expected #endif for this #${open.opened.keyword} before the end of the file`);
  return set.entries();
}
