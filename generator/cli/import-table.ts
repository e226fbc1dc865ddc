// `mksyscall import-table`: converts an upstream syscall table, errno sheet or .def file
// into the project's table format (generator/tables/import.ts), to stdout or, with -o,
// atomically to a file. Bad input prints a located error and returns exit status 2.
import { renameSync, writeFileSync } from 'node:fs';
import { ImportOptionError, TableError } from '../tables/errors.ts';
import { importTable, type ImportOptions } from '../tables/import.ts';

export function runImportTable(options: ImportOptions, out: (s: string) => void, err: (s: string) => void): number {
  let text: string;
  try {
    text = importTable(options);
  } catch (e) {
    if (e instanceof TableError || e instanceof ImportOptionError) {
      err(`${e.message}\n`);
      return 2;
    }
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') {
      err(`${options.file}: no such file\n`);
      return 2;
    }
    throw e;
  }
  if (options.output) {
    const temp = `${options.output}.tmp-${process.pid}`;
    writeFileSync(temp, text);
    renameSync(temp, options.output);
  } else {
    out(text);
  }
  return 0;
}
