// `mksyscall import-table`: turns one upstream file into a table in the project's format
// (project-format.ts). The produced text starts with the exact command line that
// produced it, rebuilt from the options in a fixed order, so rerunning line 1 of any
// defs table after dropping in a newer upstream file refreshes it; the freshness test
// does exactly that. Paths are kept as given (relative to where the command runs).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { importCDefines } from './c-defines.ts';
import { importErrnoFacts } from './errno-facts.ts';
import { ImportOptionError } from './errors.ts';
import { importFreebsdMaster } from './freebsd-master.ts';
import { importLinuxTbl } from './linux-tbl.ts';
import { readModuleDef } from './module-def.ts';
import { formatErrnoTable, formatModuleDef, formatSyscallTable } from './project-format.ts';
import { importXnuMaster } from './xnu-master.ts';

export const IMPORT_FORMATS = ['linux-tbl', 'freebsd-master', 'xnu-master', 'c-defines', 'def', 'errno-tsv'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportOptions {
  format: string;
  file: string;
  abi?: string[];
  os?: string;
  arch?: string;
  /** errno-tsv only: the alias sheet that goes with the errno sheet. */
  aliases?: string;
  /** errno-tsv only: a further errno sheet of the project's own, merged after the upstream one. */
  extra?: string;
  output?: string;
}

const DEFAULT_OS: Partial<Record<ImportFormat, string>> = { 'linux-tbl': 'linux', 'freebsd-master': 'freebsd', 'xnu-master': 'darwin' };

/** The command line recorded on line 1 of the produced file. */
export function importCommand(o: ImportOptions): string {
  const parts = ['mksyscall import-table', `--format ${o.format}`];
  if (o.abi?.length) parts.push(`--abi ${o.abi.join(',')}`);
  if (o.os) parts.push(`--os ${o.os}`);
  if (o.arch) parts.push(`--arch ${o.arch}`);
  if (o.aliases) parts.push(`--aliases ${o.aliases}`);
  if (o.extra) parts.push(`--extra ${o.extra}`);
  if (o.output) parts.push(`-o ${o.output}`);
  parts.push(o.file);
  return parts.join(' ');
}

/** Parses a command line written by importCommand back into options. */
export function parseImportCommand(line: string): ImportOptions {
  const words = line.replace(/^[#;]\s*/, '').trim().split(/\s+/);
  if (words[0] !== 'mksyscall' || words[1] !== 'import-table') throw new ImportOptionError(`expected "mksyscall import-table ..." on line 1, found ${JSON.stringify(line)}`);
  const o: Partial<ImportOptions> = {};
  for (let i = 2; i < words.length; i++) {
    const w = words[i]!;
    const value = () => {
      const v = words[++i];
      if (v === undefined) throw new ImportOptionError(`expected a value after ${w} in ${JSON.stringify(line)}`);
      return v;
    };
    if (w === '--format') o.format = value();
    else if (w === '--abi') o.abi = value().split(',');
    else if (w === '--os') o.os = value();
    else if (w === '--arch') o.arch = value();
    else if (w === '--aliases') o.aliases = value();
    else if (w === '--extra') o.extra = value();
    else if (w === '-o' || w === '--output') o.output = value();
    else if (o.file === undefined && !w.startsWith('-')) o.file = w;
    else throw new ImportOptionError(`unexpected ${w} in ${JSON.stringify(line)}`);
  }
  if (!o.format || !o.file) throw new ImportOptionError(`expected --format and a FILE in ${JSON.stringify(line)}`);
  return o as ImportOptions;
}

function isFormat(f: string): f is ImportFormat {
  return (IMPORT_FORMATS as readonly string[]).includes(f);
}

/** Reads the upstream file(s) named by `o` (relative to `baseDir`) and returns the table text. */
export function importTable(o: ImportOptions, baseDir = process.cwd()): string {
  const format = o.format;
  if (!isFormat(format)) throw new ImportOptionError(`unknown --format ${format}; expected one of ${IMPORT_FORMATS.join(', ')}`);
  if (o.aliases && format !== 'errno-tsv') throw new ImportOptionError('--aliases goes only with --format errno-tsv');
  if (o.extra && format !== 'errno-tsv') throw new ImportOptionError('--extra goes only with --format errno-tsv');
  if (o.abi && format !== 'linux-tbl' && format !== 'c-defines') throw new ImportOptionError('--abi goes only with --format linux-tbl or c-defines');
  if (format === 'c-defines' && o.abi && o.abi.length !== 1) throw new ImportOptionError('--abi for c-defines names the one abi to record');
  const read = (p: string) => readFileSync(resolve(baseDir, p), 'utf8');
  const text = read(o.file);
  const command = importCommand(o);
  const os = o.os ?? DEFAULT_OS[format] ?? 'unknown';
  const arch = o.arch ?? 'unknown';
  switch (format) {
    case 'linux-tbl':
      return formatSyscallTable(command, os, arch, importLinuxTbl(text, o.file, o.abi ?? null));
    case 'freebsd-master':
      return formatSyscallTable(command, os, arch, importFreebsdMaster(text, o.file));
    case 'xnu-master':
      return formatSyscallTable(command, os, arch, importXnuMaster(text, o.file));
    case 'c-defines': {
      const result = importCDefines(text, o.file, o.abi?.[0]);
      return result.kind === 'syscalls'
        ? formatSyscallTable(command, os, arch, result.entries)
        : formatErrnoTable(command, os, result.entries, result.aliases);
    }
    case 'errno-tsv': {
      const facts = importErrnoFacts(text, o.file, o.aliases ? { text: read(o.aliases), file: o.aliases } : undefined);
      const entries = [...facts.entries];
      if (o.extra) {
        const known = new Set(entries.map((e) => e.name));
        for (const e of importErrnoFacts(read(o.extra), o.extra).entries) {
          if (known.has(e.name)) throw new ImportOptionError(`${o.extra}: ${e.name} is already in ${o.file}`);
          entries.push(e);
        }
        entries.sort((a, b) => a.number - b.number);
      }
      return formatErrnoTable(command, os, entries, facts.aliases);
    }
    case 'def': {
      const def = readModuleDef(text, o.file);
      return formatModuleDef(command, def.library, def.exports);
    }
  }
}
