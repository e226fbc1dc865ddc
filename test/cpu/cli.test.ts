// The `cpu` and `disasm` commands: argument parsing with located errors, execution reports,
// and `disasm FILE` against `objdump -d` line by line on real executables.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CODE_ADDR, formatReport, parseRegs, runCode } from '../../runtime/cli/cpu.ts';
import { disasmFile, HexError, listing, parseHex } from '../../runtime/cli/disasm.ts';
import { haveObjdump, normalizeObjdump } from './harness/decoder-compare.ts';
import { haveAsLd } from './harness/differential.ts';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '../../bin/mksyscall.mjs');
const haveGcc = spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'mksyscall-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mksyscall = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

describe('argument parsing', () => {
  it('--hex accepts spaced, packed and 0x-prefixed bytes', () => {
    expect(Array.from(parseHex('48 01 d8'))).toEqual([0x48, 0x01, 0xd8]);
    expect(Array.from(parseHex('4801D8'))).toEqual([0x48, 0x01, 0xd8]);
    expect(Array.from(parseHex('0x48,0x01, 0xd8'))).toEqual([0x48, 0x01, 0xd8]);
  });

  it.each([
    ['48 0', /--hex: expected pairs of hex digits .*got "0" at column 4/],
    ['48 zz', /got "zz" at column 4/],
    ['  ', /--hex: expected at least one byte/],
  ])('--hex %j is rejected with its position', (text, message) => {
    expect(() => parseHex(text)).toThrow(HexError);
    expect(() => parseHex(text)).toThrow(message);
  });

  it('--regs takes names, decimal, hex and negative values', () => {
    expect(parseRegs('rax=1,rbx=0x10,rcx=-1,rflags=0x202')).toEqual(
      new Map([
        ['rax', 1n],
        ['rbx', 16n],
        ['rcx', 0xffffffffffffffffn],
        ['rflags', 0x202n],
      ]),
    );
    expect(() => parseRegs('rax=1,foo=2')).toThrow(/--regs: expected NAME=VALUE .* got "foo=2" at column 7/);
    expect(() => parseRegs('rax=0x10000000000000000')).toThrow(/does not fit in 64 bits/);
  });
});

describe('mksyscall cpu', () => {
  it('executes from the given state and reports registers and flags', () => {
    const r = runCode(parseHex('48 01 d8'), parseRegs('rax=1,rbx=2,rflags=0x202'));
    expect(r.instructions).toEqual([{ addr: `0x${CODE_ADDR.toString(16)}`, bytes: '48 01 d8', text: 'add    %rbx,%rax' }]);
    expect(r.regs.rax).toBe('0x0000000000000003');
    expect(r.stop).toBe('end of code');
    expect(r.flags).toEqual(['PF', 'IF']);
    expect(formatReport(r)).toMatch(/rax 0x0000000000000003 .*\n[\s\S]*rflags 0x206 \[PF IF\]/);
  });

  it('reports faults, system calls and endless loops as the stop', () => {
    expect(runCode(parseHex('90 0f 0b'), new Map()).stop).toMatch(/^fault: #UD .* at rip 0x400001: ud2/);
    expect(runCode(parseHex('b8 27 00 00 00 0f 05'), new Map()).stop).toBe('syscall (rax=39) at rip 0x400007');
    expect(runCode(parseHex('eb fe'), new Map()).stop).toBe('stopped after 10000 instructions');
  });

  it('prints JSON and exits 0; bad input exits 2 with a message', () => {
    const ok = mksyscall('cpu', '--hex', '48 01 d8', '--regs', 'rax=1,rbx=2', '--json');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).regs.rax).toBe('0x0000000000000003');
    const bad = mksyscall('cpu', '--hex', '4');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^mksyscall cpu: --hex: expected pairs of hex digits/);
  });
});

describe('mksyscall disasm', () => {
  it('--hex lists address, bytes and AT&T text, (bad) for undecodable bytes', () => {
    expect(listing(parseHex('48 01 d8 0f ff 90'), 0x1000)).toEqual(['    1000:\t48 01 d8             \tadd    %rbx,%rax', '    1003:\t0f                   \t(bad)', '    1004:\tff                   \t(bad)', '    1005:\t90                   \tnop']);
    const r = mksyscall('disasm', '--hex', '48 c7 c0 01 00 00 00 0f 05', '--addr', '0x401000');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('  401000:\t48 c7 c0 01 00 00 00 \tmov    $0x1,%rax\n  401007:\t0f 05                \tsyscall\n');
  });

  it('a file that is not ELF is a located error with status 2', () => {
    const r = mksyscall('disasm', join(here, 'programs', 'echo.s'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/echo\.s: not an ELF file/);
  });

  const tools = haveAsLd && haveGcc && haveObjdump;
  describe.skipIf(!tools)(`against objdump -d${tools ? '' : ' (skipped: as, ld, gcc or objdump not found)'}`, () => {
    /** objdump -d's lines with unused-prefix words dropped and spacing normalised, as ours. */
    const normalized = (text: string) =>
      text.split('\n').map((line) => {
        const m = /^(\s*[0-9a-f]+:\t[0-9a-f ]+\t)(.*)$/.exec(line);
        return m ? `${m[1]}${normalizeObjdump(m[2]!)}` : line;
      });
    const ours = (text: string) => text.split('\n').map((line) => line.replace(/^(\s*[0-9a-f]+:\t[0-9a-f ]+\t)(.*)$/, (_, head: string, t: string) => head + t.replace(/\s+/g, ' ')));

    it.each([
      ['an as + ld program', 'echo'],
      ['a gcc -O2 program', 'compute'],
    ])('%s: the same listing, line by line', (_what, name) => {
      const exe = join(dir, name);
      if (name === 'echo') {
        spawnSync('as', ['-o', `${exe}.o`, join(here, 'programs', 'echo.s')]);
        spawnSync('ld', ['-static', '-o', exe, `${exe}.o`]);
      } else {
        spawnSync('gcc', ['-O2', '-static', '-nostdlib', '-ffreestanding', '-mgeneral-regs-only', '-fno-stack-protector', '-o', exe, join(here, 'programs', 'compute.c')]);
      }
      const objdump = spawnSync('objdump', ['-d', exe], { encoding: 'utf8' }).stdout;
      expect(ours(disasmFile(exe))).toEqual(normalized(objdump));
    });
  });
});
