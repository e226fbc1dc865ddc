// The table loader the generator uses: reads the project's own tables from defs/
// (defs/tables/<os>_<arch>.tsv, defs/errors/<os>.tsv, defs/tables/<dll>.def). Every
// problem in those files is a located TableError; a missing file is an error naming
// the path and how to produce it. The upstream importers live beside this module and
// are reached through `mksyscall import-table` (import.ts). A table's `source` is its path
// relative to the folder that holds defs/, so it does not depend on the working directory.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readModuleDef } from './module-def.ts';
import { readErrnoTable, readSyscallTable } from './project-format.ts';
import type { ErrnoTable, SyscallTable } from './types.ts';

export type { ErrnoAlias, ErrnoEntry, ErrnoTable, SyscallEntry, SyscallTable } from './types.ts';
export { TableError } from './errors.ts';

/** The repository's defs/ folder. */
export const DEFS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'defs');

/** The targets with a syscall number table. Windows has none: kernel32.def instead. */
export const NUMBER_TABLE_TARGETS = ['linux/amd64', 'linux/386', 'linux/arm64', 'freebsd/amd64', 'darwin/amd64'] as const;

/** Reads a defs file; its reported path is relative to the folder holding defs/ (the
 *  repository root by default, so `source` is the same whatever the working directory). */
function readDefsFile(defsDir: string, path: string, what: string): { text: string; file: string } {
  const file = relative(dirname(resolve(defsDir)), path);
  if (!existsSync(path)) throw new Error(`${file}: no ${what} (write it with \`mksyscall import-table\`, see defs/README.md)`);
  return { text: readFileSync(path, 'utf8'), file };
}

/** Reads defs/tables/<os>_<arch>.tsv (the project's own format). Throws a located error on bad input. */
export function loadSyscallTable(os: string, arch: string, defsDir: string = DEFS_DIR): SyscallTable {
  const { text, file } = readDefsFile(defsDir, join(defsDir, 'tables', `${os}_${arch}.tsv`), `syscall table for ${os}/${arch}`);
  return readSyscallTable(text, file, os, arch);
}

/** Reads defs/errors/<os>.tsv. For windows the entries are Win32 error codes (ERROR_*). */
export function loadErrnoTable(os: string, defsDir: string = DEFS_DIR): ErrnoTable {
  const { text, file } = readDefsFile(defsDir, join(defsDir, 'errors', `${os}.tsv`), `errno table for ${os}`);
  return readErrnoTable(text, file, os);
}

/** Exported procedure names of a DLL, from defs/tables/<dll>.def (module-definition format), e.g. loadDllExports('kernel32'). */
export function loadDllExports(dll: string, defsDir: string = DEFS_DIR): string[] {
  const { text, file } = readDefsFile(defsDir, join(defsDir, 'tables', `${dll.toLowerCase()}.def`), `export list for ${dll}.dll`);
  return readModuleDef(text, file).exports;
}
