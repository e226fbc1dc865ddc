// The annotation scanner and grammar: which lines are declarations, what they parse
// to, the warnings for near-misses Go's tools drop silently, and located errors.
// Property tests: random and mutated lines never raise anything but a located error.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../generator/model/diagnostics.ts';
import { parseAnnotations } from '../../generator/model/parse.ts';
import { lowerDeclarations } from '../../generator/lower/lower.ts';
import { renderZsyscall } from '../../generator/render/files.ts';
import { TARGETS, TEST_ABIS } from '../../generator/targets.ts';

const one = (line: string, lenient = false) => parseAnnotations(line + '\n', 'f.go', { lenient });

describe('annotation lines', () => {
  it('parses a //sys declaration with params, results and override', () => {
    const r = one('//sys\tpread(fd int, p []byte, offset int64) (n int, err error) = SYS_PREAD64');
    expect(r.errors).toEqual([]);
    expect(r.declarations).toHaveLength(1);
    const d = r.declarations[0]!;
    expect(d.name).toBe('pread');
    expect(d.nb).toBe(false);
    expect(d.params.map((p) => [p.name, p.type])).toEqual([
      ['fd', 'int'],
      ['p', '[]byte'],
      ['offset', 'int64'],
    ]);
    expect(d.results.map((p) => [p.name, p.type])).toEqual([
      ['n', 'int'],
      ['err', 'error'],
    ]);
    expect(d.override).toMatchObject({ dll: null, name: 'SYS_PREAD64', optional: false });
    expect(d.source).toMatchObject({ file: 'f.go', line: 1 });
  });

  it('marks //sysnb and accepts no params, no results', () => {
    const r = parseAnnotations('//sysnb\tGetpid() (pid int)\n//sys\tSync()\n', 'f.sys');
    expect(r.declarations.map((d) => [d.name, d.nb, d.params.length, d.results.length])).toEqual([
      ['Getpid', true, 0, 1],
      ['Sync', false, 0, 0],
    ]);
  });

  it('accepts the Go type subset', () => {
    const r = one('//sys\tf(a *[2]_C_int, b unsafe.Pointer, c []*byte, d Signal, e _Socklen, f **Dirent, g uint8) (x uintptr)');
    expect(r.errors).toEqual([]);
    expect(r.declarations[0]!.params.map((p) => p.type)).toEqual(['*[2]_C_int', 'unsafe.Pointer', '[]*byte', 'Signal', '_Socklen', '**Dirent', 'uint8']);
  });

  it('parses the windows form: failretval, dll, optional procedure', () => {
    const line = '//sys\tCreateFile(name *uint16) (handle Handle, err error) [failretval==InvalidHandle] = kernel32.CreateFileW?';
    const d = one(line).declarations[0]!;
    expect(d.failRetVal).toEqual({ mask: null, op: '==', value: 'InvalidHandle', column: line.indexOf('[') + 1 });
    expect(one('//sys\tf() (err error) [failretval&0xff==0]').declarations[0]!.failRetVal).toEqual({ mask: '0xff', op: '==', value: '0', column: 23 });
    expect(d.override).toMatchObject({ dll: 'kernel32', name: 'CreateFileW', optional: true });
  });

  it('ignores other lines, including //sys mid-line and //sysctl', () => {
    const r = parseAnnotations('package x\n// mentions //sys here\n//sysctl\tfoo\nfunc f() {}\n', 'f.go');
    expect(r.declarations).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.errors).toEqual([]);
  });

  it('warns with file:line on near-misses Go drops silently', () => {
    const r = parseAnnotations('x\n// sys\tFoo()\n//sys Bar()\n\t//sys\tBaz()\n', 'a.go');
    expect(r.declarations).toEqual([]);
    expect(r.warnings.map((w) => w.line)).toEqual([2, 3, 4]);
    expect(formatDiagnostic(r.warnings[0]!)).toMatch(/^a\.go:2: warning: ignored/);
  });

  it('--lenient accepts spaces, indentation and _SYS_ names; // sys stays a warning', () => {
    const r = parseAnnotations('  //sys Bar(a int) (err error)\n//sys\tf() = _SYS_faccessat2\n// sys\tFoo()\n', 'a.go', { lenient: true });
    expect(r.declarations.map((d) => d.name)).toEqual(['Bar', 'f']);
    expect(r.warnings.map((w) => w.line)).toEqual([3]);
    expect(one('//sys\tf() = _SYS_faccessat2').errors[0]!.message).toMatch(/--lenient/);
  });

  it('reports a malformed line at file:line:col with the line, a caret and what was expected', () => {
    const r = parseAnnotations('package x\n//sys\tBaz(a int b) (err error)\n', 'defs/x.sys');
    expect(r.declarations).toEqual([]);
    expect(r.errors).toHaveLength(1);
    const e = r.errors[0]!;
    expect([e.line, e.column]).toEqual([2, 17]);
    expect(formatDiagnostic(e)).toBe(
      'defs/x.sys:2:17: error: malformed //sys declaration: expected ")" or ",", found "b"\n' +
        '    //sys\tBaz(a int b) (err error)\n' +
        '         \t          ^',
    );
  });

  it('reports missing types and trailing junk', () => {
    expect(one('//sys\tf(a) (err error)').errors[0]).toMatchObject({ column: 10, message: expect.stringMatching(/expected space/) });
    expect(one('//sys\tf(a int) (err error) junk').errors[0]!.message).toMatch(/found "j"/);
    expect(one('//sys\tf(a int').errors[0]!.message).toMatch(/found end of line/);
  });
});

describe('property: never anything but located errors', () => {
  const valid = [
    '//sys\tread(fd int, p []byte) (n int, err error)',
    '//sysnb\tGetpid() (pid int)',
    '//sys\tpread(fd int, p []byte, offset int64) (n int, err error) = SYS_PREAD64',
    '//sys\tCreateFile(name *uint16, access uint32) (handle Handle, err error) [failretval==InvalidHandle] = kernel32.CreateFileW?',
  ];
  const alphabet = fc.constantFrom(...'//sysnb\t ()[],=*.?_aZ09-\r'.split(''), 'int', 'error', 'SYS_', '[]', 'unsafe.Pointer', '(', ')');

  function check(text: string, lenient: boolean) {
    const r = parseAnnotations(text, 'p.go', { lenient });
    for (const e of r.errors) {
      expect(e.file).toBe('p.go');
      expect(e.line).toBeGreaterThan(0);
      expect(e.column).toBeGreaterThan(0);
      expect(e.column).toBeLessThanOrEqual(e.text.length + 1);
      expect(e.message.length).toBeGreaterThan(0);
    }
    for (const d of r.declarations) expect(d.name).toMatch(/^[A-Za-z_]\w*$/);
    // whatever parses also lowers to diagnostics (never an exception) and renders
    for (const t of [...TARGETS, ...TEST_ABIS]) {
      const lowered = lowerDeclarations(r.declarations, t);
      for (const d of [...lowered.errors, ...lowered.warnings]) expect(d.message.length).toBeGreaterThan(0);
      expect(typeof renderZsyscall(t, lowered.functions)).toBe('string');
    }
  }

  it('random lines after the prefix', () => {
    fc.assert(
      fc.property(fc.constantFrom('//sys\t', '//sysnb\t', '//sys ', '  //sys\t'), fc.array(alphabet, { maxLength: 30 }), fc.boolean(), (prefix, parts, lenient) => {
        check(prefix + parts.join(''), lenient);
      }),
      { numRuns: 1500 },
    );
  });

  it('mutated valid lines (delete, insert, replace one character)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...valid), fc.nat(), fc.string({ maxLength: 3 }), fc.nat({ max: 3 }), fc.boolean(), (line, at, insert, del, lenient) => {
        const i = at % (line.length + 1);
        check(line.slice(0, i) + insert + line.slice(i + del), lenient);
      }),
      { numRuns: 3000 },
    );
  });

  it('arbitrary unicode text, many lines', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ maxLength: 40 }).map((s) => '//sys\t' + s)), { maxLength: 8 }), (lines) => {
        check(lines.join('\n'), false);
      }),
      { numRuns: 500 },
    );
  });
});
