// Each upstream-format importer on small inline fixtures: the tricky cases of every
// format, and located errors (file:line:col plus what was expected) for malformed input.
import { describe, expect, it } from 'vitest';
import { importCDefines } from '../../generator/tables/c-defines.ts';
import { importErrnoFacts } from '../../generator/tables/errno-facts.ts';
import { TableError } from '../../generator/tables/errors.ts';
import { importFreebsdMaster } from '../../generator/tables/freebsd-master.ts';
import { importLinuxTbl } from '../../generator/tables/linux-tbl.ts';
import { readModuleDef } from '../../generator/tables/module-def.ts';
import { importXnuMaster, MACOS_X86_64 } from '../../generator/tables/xnu-master.ts';

/** Runs `f`, expects a TableError, and returns its location and problem. */
function located(f: () => unknown): { where: string; problem: string; message: string } {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(TableError);
    const e = err as TableError;
    return { where: `${e.file}:${e.line}:${e.column}`, problem: e.problem, message: e.message };
  }
  throw new Error('expected a TableError');
}

const byName = (entries: Array<{ name: string; number: number }>) => Object.fromEntries(entries.map((e) => [e.name, e.number]));

describe('linux .tbl importer', () => {
  const x86_64 = [
    '# comment line',
    '0\tcommon\tread\t\t\tsys_read',
    '13\t64\trt_sigaction\t\tsys_rt_sigaction',
    '',
    '134\t64\tuselib',
    '512\tx32\trt_sigaction\t\tcompat_sys_rt_sigaction',
    '60\tcommon\texit\t\t\tsys_exit\t\t\t-\tnoreturn # trailing comment',
  ].join('\n');

  it('keeps the chosen abis and drops the others (x32)', () => {
    const entries = importLinuxTbl(x86_64, 'x.tbl', ['common', '64']);
    expect(entries).toEqual([
      { number: 0, name: 'read', abi: 'common', entry: 'sys_read' },
      { number: 13, name: 'rt_sigaction', abi: '64', entry: 'sys_rt_sigaction' },
      { number: 60, name: 'exit', abi: 'common', entry: 'sys_exit' },
      { number: 134, name: 'uselib', abi: '64', entry: null },
    ]);
  });

  it('takes the generic table abis arm64 uses and leaves 32-bit and other-arch ones', () => {
    const generic = [
      '23\tcommon\tdup\tsys_dup',
      '25\t32\tfcntl64\t\tsys_fcntl64',
      '25\t64\tfcntl\t\tsys_fcntl',
      '38\trenameat\trenameat\tsys_renameat',
      '79\tstat64\tfstatat64\tsys_fstatat64',
      '79\t64\tnewfstatat\tsys_newfstatat',
      '163\trlimit\tgetrlimit\tsys_getrlimit\tcompat_sys_getrlimit',
      '244\triscv\triscv_x\tsys_riscv_x',
      '447\tmemfd_secret\tmemfd_secret\tsys_memfd_secret',
    ].join('\n');
    const entries = importLinuxTbl(generic, 'syscall.tbl', ['common', '64', 'renameat', 'rlimit', 'memfd_secret']);
    expect(byName(entries)).toEqual({ dup: 23, fcntl: 25, renameat: 38, newfstatat: 79, getrlimit: 163, memfd_secret: 447 });
  });

  it('reports two entries for one number as a located clash suggesting --abi', () => {
    const e = located(() => importLinuxTbl('25\t32\tfcntl64\tsys_fcntl64\n25\t64\tfcntl\tsys_fcntl\n', 'g.tbl', null));
    expect(e.where).toBe('g.tbl:2:1');
    expect(e.problem).toMatch(/number 25 \(fcntl\) is already used by fcntl64 at line 1.*--abi/);
  });

  it('rejects an abi the file does not have', () => {
    expect(() => importLinuxTbl(x86_64, 'x.tbl', ['i386'])).toThrow(/no entry has abi "i386" \(the file has: 64, common, x32\)/);
  });

  it('points at malformed lines', () => {
    expect(located(() => importLinuxTbl('0\tcommon\tread\tsys_read\nx\tcommon\twrite\n', 'bad.tbl', null)).where).toBe('bad.tbl:2:1');
    const missingName = located(() => importLinuxTbl('7\tcommon\n', 'bad.tbl', null));
    expect(missingName.where).toBe('bad.tbl:1:9');
    expect(missingName.problem).toMatch(/^expected .*blank.*, found end of line$/);
    expect(missingName.message).toContain('\n    7 common\n            ^');
  });
});

describe('FreeBSD syscalls.master importer', () => {
  const master = [
    '; comment',
    '#include <sys/param.h>',
    '%%ABI_HEADERS%%',
    '#ifdef COMPAT_43',
    '0\tAUE_NULL\tSYSMUX {',
    '\t\tint syscall(',
    '\t\t    int number,',
    '\t\t    ...',
    '\t\t);',
    '\t}',
    '#endif',
    '1\tAUE_EXIT\tSTD|CAPENABLED|NORETURN {',
    '\t\tvoid _exit(',
    '\t\t    int rval',
    '\t\t);',
    '\t}',
    '11\tAUE_NULL\tOBSOL\texecv',
    '19\tAUE_LSEEK\tCOMPAT|CAPENABLED {',
    '\t\tlong lseek(int fd, long offset, int whence);',
    '\t}',
    '151-153\tAUE_NULL\tRESERVED',
    '169\tAUE_SEMSYS\tNOSTD {',
    '\t\tint semsys(int which, int a2);',
    '\t}',
    '; XXX should be { int semsys(int which, ...); }',
    '199\tAUE_LSEEK\tCOMPAT6|CAPENABLED {',
    '\t\toff_t lseek(',
    '\t\t    int fd,',
    '\t\t    int pad,',
    '\t\t    off_t offset,',
    '\t\t    int whence',
    '\t\t);',
    '\t}',
    '210\tAUE_NULL\tNODEF|NOTSTATIC\tlkmnosys lkmnosys nosys_args int',
    '345\tAUE_NULL\tSTD { int sys_exit2(int rval); } exit2 sys_exit2_args void',
    '477\tAUE_MMAP\tSTD|CAPENABLED {',
    '\t\tvoid *mmap(',
    '\t\t    _Out_writes_bytes_(len) void *addr,',
    '\t\t    size_t len',
    '\t\t);',
    '\t}',
    '478\tAUE_LSEEK\tSTD|CAPENABLED {',
    '\t\toff_t lseek(int fd, off_t offset, int whence);',
    '\t}',
    '599\tAUE_NULL\tUNIMPL\tkexec_load',
  ].join('\n');

  it('keeps what <sys/syscall.h> names: STD, NOSTD, SYSMUX and prefixed COMPATn', () => {
    expect(importFreebsdMaster(master, 'syscalls.master')).toEqual([
      { number: 0, name: 'syscall', abi: 'sysmux', entry: null },
      { number: 1, name: 'exit', abi: 'std', entry: 'sys__exit' },
      { number: 169, name: 'semsys', abi: 'nostd', entry: 'sys_semsys' },
      { number: 199, name: 'freebsd6_lseek', abi: 'compat6', entry: 'freebsd6_lseek' },
      { number: 345, name: 'exit2', abi: 'std', entry: 'sys_sys_exit2' },
      { number: 477, name: 'mmap', abi: 'std', entry: 'sys_mmap' },
      { number: 478, name: 'lseek', abi: 'std', entry: 'sys_lseek' },
    ]);
  });

  it('resolves lseek to the current STD number, not the historical 19 or 199', () => {
    expect(byName(importFreebsdMaster(master, 'm')).lseek).toBe(478);
  });

  it('locates an unterminated prototype at the closing brace', () => {
    const e = located(() => importFreebsdMaster('5\tAUE_OPEN\tSTD {\n\t\tint open(int a)\n\t}\n', 'm'));
    expect(e.where).toBe('m:3:2');
    expect(e.problem).toMatch(/expected .*";"/);
  });

  it('locates an unknown type and an unknown flag', () => {
    expect(located(() => importFreebsdMaster('5\tAUE_X\tWEIRD { int a(void); }\n', 'm')).where).toBe('m:1:9');
    const flag = located(() => importFreebsdMaster('5\tAUE_X\tSTD|SHINY { int a(void); }\n', 'm'));
    expect(flag.where).toBe('m:1:13');
    expect(flag.problem).toMatch(/expected a flag.*found SHINY/);
  });

  it('rejects a number range on an entry that defines a syscall', () => {
    expect(located(() => importFreebsdMaster('5-6\tAUE_X\tSTD { int a(void); }\n', 'm')).problem).toMatch(/expected a single number/);
  });

  it('rejects a prototype without a name and a duplicate STD name', () => {
    expect(located(() => importFreebsdMaster('5\tAUE_X\tSTD { int (void); }\n', 'm')).problem).toMatch(/return type followed by the syscall name/);
    const dup = located(() => importFreebsdMaster('5\tAUE_X\tSTD { int a(void); }\n6\tAUE_X\tSTD { int a(void); }\n', 'm'));
    expect(dup.where).toBe('m:2:19');
    expect(dup.problem).toMatch(/name a \(6\) is already used by number 5 at line 1/);
  });

  it('requires a prototype for a syscall that is kept', () => {
    const junk = located(() => importFreebsdMaster('5\tAUE_OPEN\tSTD\topen\n', 'm'));
    expect(junk.where).toBe('m:1:16');
    expect(junk.problem).toBe("expected '{' and the prototype of this STD syscall");
    expect(located(() => importFreebsdMaster('5\tAUE_OPEN\tCOMPAT4|NOSTD\n', 'm')).where).toBe('m:1:25');
  });

  it('requires an audit event and a type', () => {
    expect(located(() => importFreebsdMaster('5\n', 'm')).where).toBe('m:1:2');
  });
});

describe('XNU syscalls.master importer', () => {
  const master = [
    ';/* comment',
    '#include <sys/param.h>',
    '0\tAUE_NULL\tALL\t{ int nosys(void); }   { indirect syscall }',
    '6\tAUE_CLOSE\tALL\t{ int sys_close(int fd); }',
    '#if CONFIG_VFORK',
    '66\tAUE_VFORK\tALL\t{ int vfork(void) NO_SYSCALL_STUB; }',
    '#else',
    '66\tAUE_NULL\tALL\t{ int nosys(void); }   { old vfork }',
    '#endif',
    '#if CONFIG_EMBEDDED',
    '435\tAUE_NULL\tALL\t{ int pid_hibernate(int pid); }',
    '#else',
    '435     AUE_NULL        ALL     { int nosys(void); }',
    '#endif',
    '#if PGO',
    '493 \tAUE_NULL\tALL\t{ user_ssize_t grab_pgo_data (user_addr_t uuid, int flags); }',
    '#else',
    '493\tAUE_NULL\tALL { int enosys(void); }',
    '#endif',
    '501\tAUE_NECP\tALL\t{ int necp_open(int flags); } }',
  ].join('\n');

  it('takes the macOS x86_64 branch of each #if group and drops placeholders', () => {
    expect(importXnuMaster(master, 'xnu', MACOS_X86_64)).toEqual([
      { number: 6, name: 'close', abi: 'unix', entry: 'sys_close' },
      { number: 66, name: 'vfork', abi: 'unix', entry: 'vfork' },
      { number: 493, name: 'grab_pgo_data', abi: 'unix', entry: 'grab_pgo_data' },
      { number: 501, name: 'necp_open', abi: 'unix', entry: 'necp_open' },
    ]);
  });

  it('takes the other branches for another configuration, with #elif and nesting', () => {
    expect(byName(importXnuMaster(master, 'xnu', () => true))).toMatchObject({ pid_hibernate: 435 });
    expect(byName(importXnuMaster(master, 'xnu', () => false))).toEqual({ close: 6, necp_open: 501 });
    const nested = ['#if A', '#if B', '1 X ALL { int b(void); }', '#elif C', '1 X ALL { int c(void); }', '#else', '1 X ALL { int d(void); }', '#endif', '#else', '1 X ALL { int e(void); }', '#endif'].join('\n');
    expect(byName(importXnuMaster(nested, 'n', (m) => m === 'A' || m === 'C'))).toEqual({ c: 1 });
    expect(byName(importXnuMaster(nested, 'n', (m) => m === 'A'))).toEqual({ d: 1 });
    expect(byName(importXnuMaster(nested, 'n', (m) => m === 'B'))).toEqual({ e: 1 });
    expect(byName(importXnuMaster('#ifndef A\n1 X ALL { int f(void); }\n#endif\n#if !defined(A)\n2 X ALL { int g(void); }\n#endif', 'n', () => false))).toEqual({ f: 1, g: 2 });
  });

  it('reports a number defined in both branches when both are taken', () => {
    const twice = '#ifdef A\n5 X ALL { int a(void); }\n#endif\n5 X ALL { int b(void); }\n';
    expect(located(() => importXnuMaster(twice, 'x', () => true)).problem).toMatch(/number 5 \(b\) is already used by a at line 2/);
  });

  it('locates unbalanced conditionals and unreadable conditions', () => {
    expect(located(() => importXnuMaster('1 X ALL { int a(void); }\n#if A\n', 'x')).where).toBe('x:2:1');
    expect(located(() => importXnuMaster('#endif\n', 'x')).problem).toBe('#endif without a matching #if');
    expect(located(() => importXnuMaster('#if A\n#else\n#else\n#endif\n', 'x')).where).toBe('x:3:1');
    const cond = located(() => importXnuMaster('#if A && B\n#endif\n', 'x'));
    expect(cond.where).toBe('x:1:5');
    expect(cond.problem).toMatch(/expected a macro name, !NAME, defined\(NAME\), 0 or 1 after #if, found "A && B"/);
  });

  it('locates a prototype without its semicolon', () => {
    const e = located(() => importXnuMaster('3\tAUE_NULL\tALL\t{ int read(int fd) }\n', 'x'));
    expect(e.where).toBe('x:1:35');
    expect(e.problem).toMatch(/";"/);
  });
});

describe('C #define importer', () => {
  it('reads __NR_ headers with references and sums, skipping guards, macros and counters', () => {
    const header = [
      '#ifndef _ASM_UNISTD_H',
      '#define _ASM_UNISTD_H',
      '#define __X32_SYSCALL_BIT 0x40000000',
      '#define __NR_read 0',
      '#define __NR3264_lseek 62',
      '#define __NR_lseek __NR3264_lseek',
      '#define __NR_rt_sigaction (__X32_SYSCALL_BIT + 512) /* x32 */',
      '#define __SYSCALL(nr, call)',
      '#define __NR_syscalls 471',
      '#define __NR_read 99',
      '#endif',
    ].join('\n');
    expect(importCDefines(header, 'unistd.h', 'x32')).toEqual({
      kind: 'syscalls',
      entries: [
        { number: 0, name: 'read', abi: 'x32', entry: null },
        { number: 62, name: 'lseek', abi: 'x32', entry: null },
        { number: 0x40000000 + 512, name: 'rt_sigaction', abi: 'x32', entry: null },
      ],
    });
  });

  it('reads SYS_ headers', () => {
    const r = importCDefines('#define\tSYS_syscall        0\n#define\tSYS_exit           1\n#define\tSYS_MAXSYSCALL\t532\n', 'syscall.h');
    expect(r).toEqual({ kind: 'syscalls', entries: [{ number: 0, name: 'syscall', abi: 'common', entry: null }, { number: 1, name: 'exit', abi: 'common', entry: null }] });
  });

  it('reads errno headers with messages and aliases', () => {
    const errno = ['#define EPERM 1 /* Operation not permitted */', '#define EAGAIN 11 /* Try again */', '#define EWOULDBLOCK EAGAIN /* Operation would block */', '#define ELAST 11 /* Must be equal largest errno */'].join('\n');
    expect(importCDefines(errno, 'errno.h')).toEqual({
      kind: 'errors',
      entries: [
        { name: 'EPERM', number: 1, message: 'Operation not permitted' },
        { name: 'EAGAIN', number: 11, message: 'Try again' },
      ],
      aliases: [
        { name: 'EWOULDBLOCK', target: 'EAGAIN' },
        { name: 'ELAST', target: 'EAGAIN' },
      ],
    });
  });

  it('locates values that are not integer expressions and unknown references', () => {
    const bad = located(() => importCDefines('#define __NR_read 0\n#define __NR_write "four"\n', 'u.h'));
    expect(bad.where).toBe('u.h:2:20');
    expect(bad.problem).toMatch(/expected a number, an earlier macro or \(NAME \+ N\)/);
    const ref = located(() => importCDefines('#define __NR_write (__NR_BASE + 4)\n', 'u.h'));
    expect(ref.where).toBe('u.h:1:21');
    expect(ref.problem).toBe('expected a number or a macro defined earlier, found __NR_BASE');
    expect(located(() => importCDefines('#define FOO 1\n', 'u.h')).problem).toBe('expected #define lines for __NR_*, SYS_* or E* names, found none');
  });
});

describe('module-definition reader', () => {
  it('reads exports with decorations, ordinals, internal names and flags', () => {
    const def = ['; kernel32', 'LIBRARY "kernel32.dll"', 'EXPORTS CloseHandle', '  CreateFileW@28 @80', '  ReadFile = ReadFileImpl @ 90 NONAME', '  SomeData DATA ; a comment', '  GetLastError PRIVATE'].join('\r\n');
    expect(readModuleDef(def, 'k.def')).toEqual({ library: 'kernel32.dll', exports: ['CloseHandle', 'CreateFileW', 'ReadFile', 'SomeData', 'GetLastError'] });
  });

  it('locates exports outside EXPORTS, duplicates and junk', () => {
    expect(located(() => readModuleDef('LIBRARY k\nCloseHandle\n', 'k.def')).problem).toBe('expected EXPORTS before the export CloseHandle');
    expect(located(() => readModuleDef('EXPORTS\n  A\n  B\n  A\n', 'k.def')).where).toBe('k.def:4:3');
    const junk = located(() => readModuleDef('EXPORTS\n  A @x\n', 'k.def'));
    expect(junk.where).toBe('k.def:2:6');
    expect(junk.problem).toMatch(/expected .*number/);
  });
});

describe('errno fact sheets', () => {
  const sheet = 'name\tnumber\tmessage\nEPERM\t1\tOperation not permitted\nEAGAIN\t35\tResource temporarily unavailable\nENOTSUP\t45\tOperation not supported\nEOPNOTSUPP\t102\tOperation not supported on socket\n';
  const aliases = 'name\talias_of\tnumber\tnote\nEWOULDBLOCK\tEAGAIN\t35\tOperation would block\nEOPNOTSUPP\tENOTSUP\t45\tlegacy\nELAST\t-\t102\tmarker\n';

  it('resolves aliases and markers and keeps an errno row over a legacy alias of the same name', () => {
    expect(importErrnoFacts(sheet, 'e.tsv', { text: aliases, file: 'a.tsv' }).aliases).toEqual([
      { name: 'EWOULDBLOCK', target: 'EAGAIN' },
      { name: 'ELAST', target: 'EOPNOTSUPP' },
    ]);
  });

  it('locates bad cells, clashes and alias numbers that disagree with their target', () => {
    expect(located(() => importErrnoFacts('name\tnumber\tmessage\nEPERM\tone\tx\n', 'e.tsv')).where).toBe('e.tsv:2:7');
    expect(located(() => importErrnoFacts('name\tnumber\tmessage\nEPERM\t1\tx\nEACCES\t1\ty\n', 'e.tsv')).problem).toMatch(/clashes with EPERM 1 at line 2/);
    expect(located(() => importErrnoFacts('name\tnumber\n', 'e.tsv')).problem).toBe('expected the header row name<TAB>number<TAB>message');
    const wrong = located(() => importErrnoFacts(sheet, 'e.tsv', { text: 'name\talias_of\tnumber\tnote\nEWOULDBLOCK\tEAGAIN\t11\tx\n', file: 'a.tsv' }));
    expect(wrong.where).toBe('a.tsv:2:20');
    expect(wrong.problem).toBe('expected 35, the number of EAGAIN, found 11');
  });
});
