// `mksyscall table`: prints what each target calls, and with which number, for portable
// functions and raw system calls (see generator/portable/table.ts). Exit 2 on bad input.
import { buildTable, formatTable, splitNames, type TableFormat } from '../portable/table.ts';

export interface TableOptions {
  format?: string;
  targets?: string;
  defs?: string;
}

const FORMATS: readonly TableFormat[] = ['text', 'md', 'json'];

export function runTable(args: readonly string[], opts: TableOptions, out: (s: string) => void, err: (s: string) => void): number {
  const format = (opts.format ?? 'text') as TableFormat;
  if (!FORMATS.includes(format)) {
    err(`mksyscall table: unknown format ${opts.format}; expected one of ${FORMATS.join(', ')}\n`);
    return 2;
  }
  const names = splitNames(args);
  if (names.length === 0) {
    err('mksyscall table: expected at least one name (a portable function such as Open, or a system call such as open)\n');
    return 2;
  }
  try {
    const rows = buildTable(names, opts.targets ? splitNames([opts.targets]) : [], opts.defs);
    out(formatTable(rows, format));
    return 0;
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    err(`mksyscall table: ${e.message}\n`);
    return 2;
  }
}
