// The project's own table files, written by `mksyscall import-table` and read by the
// generator. They hold facts only and are meant to be diffed and reviewed:
//
//   defs/tables/<os>_<arch>.tsv   syscall numbers
//     # mksyscall import-table ...        line 1: the exact command that wrote the file
//     # ... more '#' comment lines ...
//     number<TAB>abi<TAB>name<TAB>entry   header, then one row per syscall by number;
//                                         entry is the kernel entry point or '-'
//   defs/errors/<os>.tsv          errno values (Win32 error codes for windows)
//     # mksyscall import-table ...
//     kind<TAB>name<TAB>value<TAB>message header, then
//     errno<TAB>EPERM<TAB>1<TAB>Operation not permitted   one row per value, by number
//     alias<TAB>EWOULDBLOCK<TAB>EAGAIN                    another name for a value
//   defs/tables/<dll>.def         module-definition export lists (see module-def.ts)
//
// Readers check every row (numbers, names, unique numbers and names, alias targets) and
// report problems as file:line:col errors. Writers produce byte-for-byte stable text.
import { SyscallSet } from './syscall-set.ts';
import { IDENTIFIER, NUMBER, TsvReader } from './tsv.ts';
import type { ErrnoAlias, ErrnoEntry, ErrnoTable, SyscallEntry, SyscallTable } from './types.ts';

const SYSCALL_HEADER = ['number', 'abi', 'name', 'entry'];
const ERRNO_HEADER = ['kind', 'name', 'value', 'message'];
const ABI = /^[A-Za-z0-9_]+$/;
const ENTRY = /^(-|[A-Za-z_][A-Za-z0-9_.]*)$/;
const MESSAGE = /^[^\t]*$/;

function commentLines(command: string, description: string[]): string {
  return [command, ...description].map((l) => `# ${l}`.trimEnd()).join('\n') + '\n';
}

export function formatSyscallTable(command: string, os: string, arch: string, entries: readonly SyscallEntry[]): string {
  const head = commentLines(command, [
    `System call numbers of ${os}/${arch}, imported by the command above from the upstream`,
    'table it names; to refresh, drop in a newer upstream file and rerun it.',
    'Columns: number, abi (the upstream abi or entry type), name (trap name SYS_ + NAME),',
    "entry (the kernel's entry point, '-' when the upstream table names none).",
  ]);
  const rows = [...entries].sort((a, b) => a.number - b.number).map((e) => `${e.number}\t${e.abi}\t${e.name}\t${e.entry ?? '-'}`);
  return head + [SYSCALL_HEADER.join('\t'), ...rows].join('\n') + '\n';
}

export function readSyscallTable(text: string, file: string, os: string, arch: string): SyscallTable {
  const tsv = new TsvReader(file, text);
  const set = new SyscallSet(file, text);
  for (const row of tsv.dataRows(SYSCALL_HEADER)) {
    const number = Number(tsv.cell(row, 0, NUMBER, 'a syscall number'));
    const abi = tsv.cell(row, 1, ABI, 'an abi name');
    const name = tsv.cell(row, 2, IDENTIFIER, 'a syscall name');
    const entry = tsv.cell(row, 3, ENTRY, "an entry point or '-'");
    set.add({ number, abi, name, entry: entry === '-' ? null : entry }, { line: row.line, column: 1 });
  }
  return { os, arch, source: file, entries: set.entries() };
}

export function formatErrnoTable(command: string, os: string, entries: readonly ErrnoEntry[], aliases: readonly ErrnoAlias[]): string {
  const what = os === 'windows' ? 'Win32 error codes (GetLastError values)' : `errno values of ${os}`;
  const head = commentLines(command, [
    `The ${what}, imported by the command above; rerun it to refresh.`,
    "Rows: errno NAME NUMBER MESSAGE, or alias NAME TARGET (NAME has TARGET's value).",
  ]);
  const rows = [
    ...[...entries].sort((a, b) => a.number - b.number).map((e) => `errno\t${e.name}\t${e.number}\t${e.message}`),
    ...aliases.map((a) => `alias\t${a.name}\t${a.target}`),
  ];
  return head + [ERRNO_HEADER.join('\t'), ...rows].join('\n') + '\n';
}

export function readErrnoTable(text: string, file: string, os: string): ErrnoTable {
  const tsv = new TsvReader(file, text);
  const entries: ErrnoEntry[] = [];
  const aliases: ErrnoAlias[] = [];
  const names = new Map<string, number>();
  const numbers = new Map<number, string>();
  const aliasRows: Array<{ alias: ErrnoAlias; line: number; column: number }> = [];
  for (const row of tsv.dataRows(ERRNO_HEADER, [3, 4])) {
    const kind = tsv.cell(row, 0, /^(errno|alias)$/, "'errno' or 'alias'");
    const name = tsv.cell(row, 1, IDENTIFIER, 'an error name');
    const at = row.fields[1]!;
    if (names.has(name)) throw tsv.error(row.line, at.column, `${name} is already defined at line ${names.get(name)}`);
    names.set(name, row.line);
    if (kind === 'alias') {
      if (row.fields.length !== 3) throw tsv.error(row.line, row.fields[3]!.column, 'expected no message after an alias target');
      const target = tsv.cell(row, 2, IDENTIFIER, 'the name of the errno this alias stands for');
      aliasRows.push({ alias: { name, target }, line: row.line, column: row.fields[2]!.column });
      continue;
    }
    if (row.fields.length !== 4) throw tsv.error(row.line, row.fields[2]!.column + row.fields[2]!.text.length, 'expected a TAB and the message after the number');
    const number = Number(tsv.cell(row, 2, NUMBER, 'an error number'));
    const message = tsv.cell(row, 3, MESSAGE, 'a message');
    const same = numbers.get(number);
    if (same !== undefined) throw tsv.error(row.line, row.fields[2]!.column, `number ${number} is already ${same}; write another name for it as an alias row`);
    numbers.set(number, name);
    entries.push({ name, number, message });
  }
  for (const { alias, line, column } of aliasRows) {
    if (!entries.some((e) => e.name === alias.target)) throw tsv.error(line, column, `expected the name of an errno row, found ${alias.target}`);
    aliases.push(alias);
  }
  return { os, source: file, entries, aliases };
}

export function formatModuleDef(command: string, library: string | null, exports: readonly string[]): string {
  const head = [`; ${command}`, '; Exported procedure names, by name; ordinals and decorations are not kept.'];
  return [...head, ...(library ? [`LIBRARY ${library}`] : []), 'EXPORTS', ...exports.map((e) => `    ${e}`)].join('\n') + '\n';
}
