// Importer for C headers made of object-like #defines:
//   syscall numbers  #define __NR_read 0    (Linux <asm/unistd*.h>)
//                    #define SYS_read 3     (BSD and darwin <sys/syscall.h>)
//   errno values     #define EPERM 1 /* Operation not permitted */
//                    #define EWOULDBLOCK EAGAIN      (an alias)
// Values may be numbers, earlier macros (__NR_lseek __NR3264_lseek) or sums such as
// (__X32_SYSCALL_BIT + 512). Conditionals are not evaluated: when a name is defined
// twice the first definition is kept. Counters that are not syscalls
// (__NR_syscalls, SYS_MAXSYSCALL) are left out. A header with any __NR_/SYS_ define is a
// syscall table; otherwise its E* defines make an errno table.
import * as parser from '../grammar/c-defines.parser.js';
import { parseWith, tableError } from './errors.ts';
import { SyscallSet } from './syscall-set.ts';
import type { ErrnoAlias, ErrnoEntry, SyscallEntry } from './types.ts';

type Expr = { number: number } | { ref: string; column: number } | { op: '+' | '-'; left: Expr; right: Expr };

interface Define {
  name: string;
  expr: Expr | null;
  raw: string;
  valueColumn: number | null;
  comment: string | null;
  line: number;
  column: number;
}

const SYSCALL_PREFIX = /^(?:__NR_|SYS_)(\w+)$/;
const ERRNO_NAME = /^E[A-Z0-9]+$/;
const NOT_SYSCALLS = new Set(['syscalls', 'MAXSYSCALL']);

export type CDefinesResult =
  | { kind: 'syscalls'; entries: SyscallEntry[] }
  | { kind: 'errors'; entries: ErrnoEntry[]; aliases: ErrnoAlias[] };

export function importCDefines(text: string, file: string, abi = 'common'): CDefinesResult {
  const defines = parseWith<Define[]>(parser.parse, text, file);
  const first = new Map<string, Define>();
  for (const d of defines) if (!first.has(d.name)) first.set(d.name, d);
  const fail = (d: Define, column: number, problem: string) => tableError(file, text, d.line, column, problem);

  const values = new Map<string, number>();
  const evaluate = (d: Define, e: Expr): number => {
    if ('number' in e) return e.number;
    if ('ref' in e) {
      const v = values.get(e.ref);
      if (v === undefined) throw fail(d, e.column, `expected a number or a macro defined earlier, found ${e.ref}`);
      return v;
    }
    const l = evaluate(d, e.left);
    const r = evaluate(d, e.right);
    return e.op === '+' ? l + r : l - r;
  };
  const valueOf = (d: Define): number => {
    if (d.expr === null) throw fail(d, d.valueColumn ?? d.column, `expected a number, an earlier macro or (NAME + N) as the value of ${d.name}, found ${JSON.stringify(d.raw)}`);
    return evaluate(d, d.expr);
  };
  const interesting = (d: Define) => SYSCALL_PREFIX.test(d.name) || ERRNO_NAME.test(d.name);
  for (const d of first.values()) {
    if (d.expr !== null) {
      try {
        values.set(d.name, evaluate(d, d.expr));
      } catch (err) {
        if (interesting(d)) throw err;
      }
    }
  }

  const syscallDefines = [...first.values()].filter((d) => SYSCALL_PREFIX.test(d.name));
  if (syscallDefines.length > 0) {
    const set = new SyscallSet(file, text);
    for (const d of syscallDefines) {
      const name = SYSCALL_PREFIX.exec(d.name)![1]!;
      if (NOT_SYSCALLS.has(name)) continue;
      set.add({ number: valueOf(d), name, abi, entry: null }, d);
    }
    return { kind: 'syscalls', entries: set.entries() };
  }

  const entries: ErrnoEntry[] = [];
  const aliases: ErrnoAlias[] = [];
  for (const d of first.values()) {
    if (!ERRNO_NAME.test(d.name)) continue;
    if (d.expr !== null && 'ref' in d.expr && ERRNO_NAME.test(d.expr.ref)) {
      if (!entries.some((e) => e.name === (d.expr as { ref: string }).ref)) throw fail(d, d.expr.column, `expected an errno defined earlier, found ${d.expr.ref}`);
      aliases.push({ name: d.name, target: d.expr.ref });
      continue;
    }
    const number = valueOf(d);
    const same = entries.find((e) => e.number === number);
    if (same) aliases.push({ name: d.name, target: same.name });
    else entries.push({ name: d.name, number, message: d.comment ?? '' });
  }
  if (entries.length === 0) throw tableError(file, text, 1, 1, 'expected #define lines for __NR_*, SYS_* or E* names, found none');
  return { kind: 'errors', entries: entries.sort((a, b) => a.number - b.number), aliases };
}
