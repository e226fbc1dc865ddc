// Property: whatever is done to the lines of a valid table (characters deleted,
// inserted or replaced, lines duplicated, swapped or cut short), every reader and
// importer either returns a table or throws a TableError whose location lies inside
// the input. Never a TypeError, a RangeError or a peggy error without file:line:col.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importCDefines } from '../../generator/tables/c-defines.ts';
import { importErrnoFacts } from '../../generator/tables/errno-facts.ts';
import { TableError } from '../../generator/tables/errors.ts';
import { importFreebsdMaster } from '../../generator/tables/freebsd-master.ts';
import { importLinuxTbl } from '../../generator/tables/linux-tbl.ts';
import { readModuleDef } from '../../generator/tables/module-def.ts';
import { readErrnoTable, readSyscallTable } from '../../generator/tables/project-format.ts';
import { importXnuMaster } from '../../generator/tables/xnu-master.ts';

const fixtures: Array<[string, string, (text: string) => unknown]> = [
  ['linux .tbl', '# x86-64\n0\tcommon\tread\t\tsys_read\n1\tcommon\twrite\t\tsys_write\n60\tcommon\texit\tsys_exit\t-\tnoreturn\n512\tx32\trt_sigaction\tcompat_sys_rt_sigaction\n', (t) => importLinuxTbl(t, 'f.tbl', null)],
  [
    'FreeBSD syscalls.master',
    '; comment\n#include <sys/param.h>\n0\tAUE_NULL\tSYSMUX {\n\t\tint syscall(int number, ...);\n\t}\n3\tAUE_READ\tSTD|CAPENABLED {\n\t\tssize_t read(\n\t\t    int fd,\n\t\t    _Out_writes_bytes_(nbyte) void *buf,\n\t\t    size_t nbyte\n\t\t);\n\t}\n11\tAUE_NULL\tOBSOL\texecv\n151-153\tAUE_NULL\tRESERVED\n199\tAUE_LSEEK\tCOMPAT6 {\n\t\toff_t lseek(int fd, int pad, off_t offset, int whence);\n\t}\n',
    (t) => importFreebsdMaster(t, 'syscalls.master'),
  ],
  [
    'XNU syscalls.master',
    ';/* x */\n#include <sys/param.h>\n3\tAUE_NULL\tALL\t{ user_ssize_t read(int fd, user_addr_t cbuf, user_size_t nbyte); }\n#if CONFIG_VFORK\n66\tAUE_VFORK\tALL\t{ int vfork(void) NO_SYSCALL_STUB; }\n#else\n66\tAUE_NULL\tALL\t{ int nosys(void); }   { old vfork }\n#endif\n',
    (t) => importXnuMaster(t, 'syscalls.master'),
  ],
  ['C defines', '#ifndef _H\n#define _H\n#define __NR_read 0\n#define __NR3264_lseek 62\n#define __NR_lseek __NR3264_lseek\n#define __NR_x (__NR_read + 0x10) /* x */\n#endif\n', (t) => importCDefines(t, 'unistd.h')],
  ['C errno defines', '#define EPERM 1 /* Operation not permitted */\n#define EAGAIN 11 /* Try again */\n#define EWOULDBLOCK EAGAIN\n', (t) => importCDefines(t, 'errno.h')],
  ['module definition', '; k\nLIBRARY kernel32.dll\nEXPORTS\n    CloseHandle\n    CreateFileW@28 @5 NONAME\n    ReadFile = ReadFileImpl PRIVATE\n', (t) => readModuleDef(t, 'k.def')],
  ['errno sheet', 'name\tnumber\tmessage\nEPERM\t1\tOperation not permitted\nENOENT\t2\tNo such file or directory\n', (t) => importErrnoFacts(t, 'e.tsv', { text: 'name\talias_of\tnumber\tnote\nELAST\t-\t2\tmarker\n', file: 'a.tsv' })],
  ['project syscall table', '# mksyscall import-table ...\nnumber\tabi\tname\tentry\n0\tcommon\tread\tsys_read\n1\tcommon\twrite\t-\n', (t) => readSyscallTable(t, 'linux_amd64.tsv', 'linux', 'amd64')],
  ['project errno table', '# mksyscall import-table ...\nkind\tname\tvalue\tmessage\nerrno\tEPERM\t1\tOperation not permitted\nerrno\tEAGAIN\t11\tTry again\nalias\tEWOULDBLOCK\tEAGAIN\n', (t) => readErrnoTable(t, 'linux.tsv', 'linux')],
];

/** Characters that matter to the grammars, plus a few that matter to none. */
const interesting = fc.constantFrom(...'\t \n\r{}();|#-+*@=,%"/_0123456789aZE'.split(''), 'STD', 'COMPAT4', '#if X', '#else', '#endif', '__NR_', 'EXPORTS', '\u00e9');

type Mutation = (lines: string[]) => string[];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.nat()).map(([l, c]): Mutation => (lines) => lines.map((s, i) => (i === l % lines.length ? s.slice(0, c % (s.length + 1)) + s.slice((c % (s.length + 1)) + 1) : s))),
  fc.tuple(fc.nat(), fc.nat(), interesting).map(([l, c, ch]): Mutation => (lines) => lines.map((s, i) => (i === l % lines.length ? s.slice(0, c % (s.length + 1)) + ch + s.slice(c % (s.length + 1)) : s))),
  fc.tuple(fc.nat(), fc.nat()).map(([l, c]): Mutation => (lines) => lines.map((s, i) => (i === l % lines.length ? s.slice(0, c % (s.length + 1)) : s))),
  fc.nat().map((l): Mutation => (lines) => [...lines.slice(0, (l % lines.length) + 1), lines[l % lines.length]!, ...lines.slice((l % lines.length) + 1)]),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]): Mutation => (lines) => {
    const out = [...lines];
    const [i, j] = [a % lines.length, b % lines.length];
    [out[i], out[j]] = [out[j]!, out[i]!];
    return out;
  }),
  fc.nat().map((l): Mutation => (lines) => lines.filter((_, i) => i !== l % lines.length)),
);

describe('table readers under mutation', () => {
  it.each(fixtures)('%s: the fixture itself reads cleanly', (_name, text, read) => {
    expect(() => read(text)).not.toThrow();
  });

  it.each(fixtures)('%s: mutated lines give a table or a located TableError', (_name, text, read) => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const mutated = mutations.reduce((lines, m) => m(lines), text.split('\n')).join('\n');
        try {
          read(mutated);
        } catch (err) {
          if (!(err instanceof TableError)) throw err;
          const lineCount = mutated.split('\n').length;
          expect(err.line).toBeGreaterThanOrEqual(1);
          expect(err.line).toBeLessThanOrEqual(lineCount + 1);
          expect(err.column).toBeGreaterThanOrEqual(1);
          expect(err.message.startsWith(`${err.file}:${err.line}:${err.column}: `)).toBe(true);
          expect(err.problem).toMatch(/\S/);
        }
      }),
      { numRuns: 400, seed: 20261122 },
    );
  });
});
