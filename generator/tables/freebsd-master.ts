// Importer for FreeBSD's sys/kern/syscalls.master. The table it produces names what
// <sys/syscall.h> names, so trap names match FreeBSD's SYS_* constants:
//   STD, NOSTD, NODEF, NOARGS, NOPROTO  the syscall itself; entry sys_<name>
//   SYSMUX                              syscall(0) and __syscall(198); no entry point
//   COMPATn (n = 4, 6, 7, 10, ...)      freebsdN_<name>, the name syscall.h gives it
//   COMPAT (4.3BSD), OBSOL, RESERVED,   no syscall.h name ("19 is old lseek"): left out
//   UNIMPL, and NODEF lines without a prototype (loadable lkmnosys slots)
// So a name defined at several historical numbers resolves to the current one: lseek is
// 478 (STD), while 19 (COMPAT) is left out and 199 is freebsd6_lseek. Flags ORed into
// the type (CAPENABLED, NORETURN, NOLIB, NOTSTATIC) do not change the number.
// Renamed prototypes: an alt name after the block wins (older files write
// `{ void sys_exit(int rval); } exit ...`); `_exit` is the syscall syscall.h calls exit.
import * as parser from '../grammar/freebsd-master.parser.js';
import { parseWith, tableError } from './errors.ts';
import { SyscallSet } from './syscall-set.ts';
import type { SyscallEntry } from './types.ts';

interface MasterEntry {
  first: number;
  last: number;
  audit: string;
  types: Array<{ word: string; column: number }>;
  block: { rtype: string; name: string; nameLine: number; nameColumn: number; args: string } | null;
  alts: string[];
  text: string;
  textColumn: number | null;
  line: number;
  column: number;
}

const SYSCALL_TYPES = new Set(['STD', 'NOSTD', 'NODEF', 'NOARGS', 'NOPROTO']);
const PLACEHOLDER_TYPES = new Set(['OBSOL', 'RESERVED', 'UNIMPL']);
const FLAGS = new Set(['CAPENABLED', 'NORETURN', 'NOLIB', 'NOTSTATIC', 'NOARGS', 'NOPROTO', 'NODEF', 'NOSTD']);
const COMPAT = /^COMPAT(\d*)$/;
const SYSCALL_H_NAMES: Record<string, string> = { _exit: 'exit' };

export function importFreebsdMaster(text: string, file: string): SyscallEntry[] {
  const set = new SyscallSet(file, text);
  for (const e of parseWith<MasterEntry[]>(parser.parse, text, file)) {
    const [kind, ...flags] = e.types as [MasterEntry['types'][number], ...MasterEntry['types']];
    const type = kind.word;
    const fail = (column: number, problem: string) => tableError(file, text, e.line, column, problem);
    for (const flag of flags) {
      if (!FLAGS.has(flag.word)) throw fail(flag.column, `expected a flag such as CAPENABLED or NOSTD after "|", found ${flag.word}`);
    }
    const compat = COMPAT.exec(type);
    if (!compat && !SYSCALL_TYPES.has(type) && !PLACEHOLDER_TYPES.has(type) && type !== 'SYSMUX') {
      throw fail(kind.column, `expected a type (STD, NOSTD, NODEF, COMPAT*, SYSMUX, OBSOL, RESERVED or UNIMPL), found ${type}`);
    }
    if (PLACEHOLDER_TYPES.has(type) || (compat && compat[1] === '')) continue;
    if (e.block === null) {
      // NODEF lines without a prototype are loadable slots (lkmnosys); anything else needs one.
      if (type === 'NODEF') continue;
      const last = e.types[e.types.length - 1]!;
      throw fail(e.textColumn ?? last.column + last.word.length, `expected '{' and the prototype of this ${type} syscall`);
    }
    if (e.first !== e.last) throw fail(e.column, `expected a single number for ${type} ${e.block.name}; ranges are only for entries without a syscall`);
    const proto = e.block.name;
    const base = e.alts[0] ?? SYSCALL_H_NAMES[proto] ?? proto;
    const at = { line: e.block.nameLine, column: e.block.nameColumn };
    const abi = type.toLowerCase();
    if (compat) {
      const prefix = `freebsd${compat[1]}_`;
      set.add({ number: e.first, name: prefix + base, abi, entry: prefix + proto }, at);
    } else {
      set.add({ number: e.first, name: base, abi, entry: type === 'SYSMUX' ? null : `sys_${proto}` }, at);
    }
  }
  return set.entries();
}
