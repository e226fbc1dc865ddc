// Rendering rules no product target's defs exercise: 64-bit results in register pairs,
// bool arguments, optional windows procedures, reserved words, and the prettier layout
// of long signatures. Checked on the rendered text (the committed generated/ files are
// executed in wrappers.test.ts).
import fc from 'fast-check';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { lowerDeclarations } from '../../generator/lower/lower.ts';
import { parseAnnotations } from '../../generator/model/parse.ts';
import { renderZsyscall } from '../../generator/render/files.ts';
import { findTarget, TARGETS, TEST_ABIS } from '../../generator/targets.ts';

function render(lines: string, target: string): string {
  const parsed = parseAnnotations(lines, 'r.sys');
  expect(parsed.errors).toEqual([]);
  const lowered = lowerDeclarations(parsed.declarations, findTarget(target, true)!);
  expect(lowered.errors).toEqual([]);
  return renderZsyscall(findTarget(target, true)!, lowered.functions);
}

describe('rendering', () => {
  it('64-bit results on 32-bit ABIs join r1:r0 (little-endian) or r0:r1 (big-endian)', () => {
    expect(render('//sys\tSeek(fd int, off int64, whence int) (ret int64, err error)\n', 'linux/arm')).toContain('return [joinInt64(r1, r0), e1 !== 0 ? errnoErr(e1) : null];');
    expect(render('//sys\tSeek(fd int, off uint64, whence int) (ret uint64, err error)\n', 'linux/mips')).toContain('return [joinUint64(r0, r1), e1 !== 0 ? errnoErr(e1) : null];');
  });

  it('arm pair padding and halves in the call', () => {
    expect(render('//sys\tf(fd int, off int64) (err error)\n', 'linux/arm')).toContain('yield* Syscall6(SYS_F, fd, 0, lo32(off), hi32(off), 0, 0);');
  });

  it('bool arguments become 0/1, bool results r != 0', () => {
    const text = render('//sys\tf(on bool) (ok bool, err error)\n', 'linux/amd64');
    expect(text).toContain('export function* f(on: boolean): Go<[ok: boolean, err: Errno | null]> {');
    expect(text).toContain('yield* Syscall(SYS_F, on ? 1 : 0, 0, 0);');
    expect(text).toContain('return [toBool(r0), e1 !== 0 ? errnoErr(e1) : null];');
  });

  it('optional windows procedures check Find() first', () => {
    const text = render('//sys\tSetMode(h Handle, flags uint8) (err error) = kernel32.SetMode?\n', 'windows/amd64');
    expect(text).toContain('const errFind = procSetMode.Find();\n  if (errFind !== null) return [errFind];');
  });

  it('windows failure conditions: masks, nil, ordering, on the value or on r0', () => {
    const text = render(
      '//sys\tCreateHardLink(a *uint16) (err error) [failretval&0xff==0] = CreateHardLinkW\n' +
        '//sys\tGetEnv() (envs *uint16, err error) [failretval==nil]\n' +
        '//sys\tShell(h Handle) (err error) [failretval<=32] = shell32.ShellExecuteW\n',
      'windows/amd64',
    );
    expect(text).toContain('return [(r0 & 0xff) === 0 ? errnoErr(e1) : null];');
    expect(text).toContain('const envs = r0;\n  return [envs, envs === 0 ? errnoErr(e1) : null];');
    expect(text).toContain('return [r0 <= 32 ? errnoErr(e1) : null];');
    expect(text).toContain('const modshell32 = NewLazySystemDLL("shell32.dll");');
    // x/sys's winsock declarations compare with socket_error, uintptr(^uint32(0))
    expect(render('//sys\tWSACleanup() (err error) [failretval==socket_error] = ws2_32.WSACleanup\n', 'windows/amd64')).toContain(
      'return [r0 === 0xffffffff ? errnoErr(e1) : null];',
    );
  });

  it('a windows *bool is a one-byte Go bool to the caller and a 4-byte BOOL to the procedure', async () => {
    const text = render('//sys\tIsWow64Process(handle Handle, isWow64 *bool) (err error)\n', 'windows/amd64');
    expect(text).toContain('isWow64: Uint8Array');
    expect(text).toContain('const _b0 = new Uint8Array([isWow64[0] ? 1 : 0, 0, 0, 0]);');
    expect(text).toMatch(/Pointer\(_b0\),\n  \);\n  isWow64\[0\] = _b0\.some\(\(x\) => x !== 0\) \? 1 : 0;\n/);
    expect(await prettier.format(text, { filepath: 'x.ts' })).toBe(text);
    // unix keeps mksyscall's rule: a pointer like any other
    expect(render('//sys\tf(p *bool) (err error)\n', 'linux/amd64')).toContain('p: Ptr');
  });

  it('DLL names with dashes and dots (split at the last dot); long declarations laid out as prettier does', async () => {
    const text = render(
      '//sys\tIsWsl() (ok bool) = api-ms-win-wsl-api-l1-1-0.IsWslInstalled\n' +
        '//sys\tSetModes(h Handle) (err error) = kernel32.SetFileCompletionNotificationModes\n' +
        '//sys\tF(h Handle) (err error) = a-very-long-dll-name-that-goes-on-and-on-and-on-and-on-for-ever.Go\n',
      'windows/amd64',
    );
    expect(text).toContain('const modapi_ms_win_wsl_api_l1_1_0 = NewLazySystemDLL(\n  "api-ms-win-wsl-api-l1-1-0.dll",\n);');
    expect(text).toContain('const procIsWslInstalled =\n  modapi_ms_win_wsl_api_l1_1_0.NewProc("IsWslInstalled");');
    expect(await prettier.format(text, { filepath: 'x.ts' })).toBe(text);
    const darwin = render('//sys\tgetattrlistbulkxyzzyabcdefghijklmnopq() (err error)\n//sys\tgetattrlistbulkxyzzyabc() (err error)\n', 'darwin/amd64');
    expect(await prettier.format(darwin, { filepath: 'x.ts' })).toBe(darwin);
  });

  it('strings early-return zero values with the error in its slot', () => {
    const text = render('//sys\tf(path string, flag bool) (n int64, ok bool, err error)\n', 'linux/amd64');
    expect(text).toContain('if (err0 !== null) return [0n, false, err0];');
  });

  it('reserved words get a trailing underscore; typed arrays follow element width', () => {
    const text = render('//sys\tf(new int, in []int32, w []uint16, b []Foo) (err error)\n', 'linux/amd64');
    expect(text).toContain('new_: number');
    expect(text).toContain('in_: Int32Array');
    expect(text).toContain('w: Uint16Array');
    expect(text).toContain('b: Uint8Array');
  });

  it('long lines break the way prettier breaks them', async () => {
    const text = render(
      '//sys\tveryLongFunctionName(firstDescriptor int, secondDescriptor int, offsetValue int64, lengthValue int64, flags uint32) (number int, err error)\n',
      'linux/386',
    );
    expect(await prettier.format(text, { filepath: 'x.ts' })).toBe(text);
  });
});

describe('property: rendered wrappers are prettier-stable', () => {
  const ident = fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,44}$/);
  const type = fc.constantFrom('int', 'uint32', '[]byte', 'string', '*Stat_t', 'int64', 'uint64', 'uintptr', 'bool', 'unsafe.Pointer', 'Signal', '[]int32', 'Handle');
  const resultType = fc.constantFrom('int', 'uint32', 'int64', 'uintptr', 'bool', '*byte', 'Handle');
  const decl = fc.record({
    name: ident,
    params: fc.uniqueArray(fc.tuple(ident, type), { maxLength: 6, selector: (p) => p[0] }),
    result: fc.option(fc.tuple(ident, resultType)),
    err: fc.boolean(),
    nb: fc.boolean(),
  });

  it('random declarations of random lengths, on every target and test ABI', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(decl, { minLength: 1, maxLength: 4 }), fc.constantFrom(...TARGETS, ...TEST_ABIS), async (decls, t) => {
        const lines = decls.map((d, i) => {
          const value = d.result && d.result[0] !== 'err' ? [`${d.result[0]} ${d.result[1]}`] : [];
          const results = [...value, ...(d.err ? ['err error'] : [])];
          const params = d.params.filter(([p]) => p !== 'err' && p !== d.result?.[0]).map(([p, ty]) => `${p} ${ty}`);
          return `//sys${d.nb && t.os !== 'windows' ? 'nb' : ''}\t${d.name}${i}(${params.join(', ')})${results.length ? ` (${results.join(', ')})` : ''}`;
        });
        const parsed = parseAnnotations(lines.join('\n') + '\n', 'p.sys', { mkwinsyscall: t.convention === 'dll' });
        expect(parsed.errors).toEqual([]);
        const text = renderZsyscall(t, lowerDeclarations(parsed.declarations, t).functions);
        expect(await prettier.format(text, { filepath: 'p.ts' })).toBe(text);
      }),
      { numRuns: 40 },
    );
  });
});
