// Importer for Linux syscall tables (*.tbl): keeps the entries of the chosen abis.
// Which abis a target uses is a fact of its kernel build, not of the file:
//   linux/amd64  syscall_64.tbl  common + 64        (x32 is the ILP32 ABI, left out)
//   linux/386    syscall_32.tbl  i386
//   linux/arm64  syscall.tbl     common + 64 + renameat + rlimit + memfd_secret
//                (arch/arm64/kernel/Makefile.syscalls adds the last three to the
//                 64-bit defaults; 32, time32 and stat64 belong to 32-bit targets and
//                 arc, csky, nios2, or1k, riscv to other architectures)
// With no abi list every entry is kept; two entries sharing a number or a name are then
// a located error that suggests --abi.
import * as parser from '../grammar/linux-tbl.parser.js';
import { ImportOptionError, parseWith } from './errors.ts';
import { SyscallSet } from './syscall-set.ts';
import type { SyscallEntry } from './types.ts';

interface TblEntry {
  number: number;
  abi: string;
  name: string;
  entry: string | null;
  line: number;
  column: number;
}

export function importLinuxTbl(text: string, file: string, abis: readonly string[] | null): SyscallEntry[] {
  const rows = parseWith<TblEntry[]>(parser.parse, text, file);
  const present = new Set(rows.map((r) => r.abi));
  for (const abi of abis ?? []) {
    if (!present.has(abi)) throw new ImportOptionError(`${file}: no entry has abi "${abi}" (the file has: ${[...present].sort().join(', ')})`);
  }
  const keep = abis ? new Set(abis) : present;
  const set = new SyscallSet(file, text, abis ? '' : '; choose the abis of one target with --abi');
  for (const row of rows) {
    if (keep.has(row.abi)) set.add({ number: row.number, name: row.name, abi: row.abi, entry: row.entry }, row);
  }
  return set.entries();
}
