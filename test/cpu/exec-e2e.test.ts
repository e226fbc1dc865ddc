// End to end: static executables built by the system toolchain run natively and under
// `mksyscall exec` (the real command line, as a child process) must print the same bytes and
// exit with the same status. An assembly program (as + ld) and a freestanding gcc -O2 C
// program with its own _start; each part skips when its tools are missing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseElf } from '../../runtime/loader/elf.ts';
import { execStatic } from '../../runtime/usermode/index.ts';
import { haveAsLd } from './harness/differential.ts';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '../../bin/mksyscall.mjs');
const programs = join(here, 'programs');
const haveGcc = spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'mksyscall-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function build(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
}

/** Runs natively and under `mksyscall exec` with the same argv and a fixed environment. */
function both(exe: string, args: string[]) {
  const env = { A: '1', B: 'two' };
  const native = spawnSync(exe, args, { env });
  const emulated = spawnSync(process.execPath, [cli, 'exec', exe, ...args], { env });
  return { native, emulated };
}

describe.skipIf(!haveAsLd)(`an assembly program under exec${haveAsLd ? '' : ' (skipped: GNU as or ld not found)'}`, () => {
  it('prints the same argv and environment count and exits with the same status', () => {
    const exe = join(dir, 'echo');
    build('as', ['-o', `${exe}.o`, join(programs, 'echo.s')]);
    build('ld', ['-static', '-o', exe, `${exe}.o`]);
    const { native, emulated } = both(exe, ['one', 'two words', '']);
    expect(native.status).toBe(17);
    expect(emulated.stderr.toString()).toBe('');
    expect(emulated.stdout.toString()).toBe(native.stdout.toString());
    expect(emulated.stdout.toString()).toBe(`${exe}\none\ntwo words\n\n2\n`);
    expect(emulated.status).toBe(native.status);
  });

  it('options after FILE belong to the guest', () => {
    const r = spawnSync(process.execPath, [cli, 'exec', join(dir, 'echo'), '--strace', '-x'], { env: {} });
    expect(r.stdout.toString()).toBe(`${join(dir, 'echo')}\n--strace\n-x\n0\n`);
    expect(r.stderr.toString()).toBe('');
  });

  it('--strace lists the system calls on stderr without changing stdout', () => {
    const exe = join(dir, 'echo');
    const r = spawnSync(process.execPath, [cli, 'exec', '--strace', exe, 'x'], { env: {} });
    expect(r.stdout.toString()).toBe(`${exe}\nx\n0\n`);
    const lines = r.stderr.toString().trim().split('\n');
    expect(lines[0]).toMatch(/^writev\(1, 0x[0-9a-f]+, 2\) +  = \d+$/);
    expect(lines.slice(-3)).toEqual([`${'write(1, "0\\n", 2)'.padEnd(39)} = 2`, `${'exit(17)'.padEnd(39)} = ?`, '+++ exited with 17 +++']);
  });
});

describe.skipIf(!haveAsLd)(`guest faults against the native kernel's signals${haveAsLd ? '' : ' (skipped: GNU as or ld not found)'}`, () => {
  const SIGNALS: Record<string, number> = { SIGILL: 4, SIGTRAP: 5, SIGFPE: 8, SIGSEGV: 11 };
  it.each([
    ['ud2', 'ud2'],
    ['a store to address 0', 'xorl %eax, %eax\n movl $1, (%rax)'],
    ['a division by zero', 'xorl %ecx, %ecx\n divl %ecx'],
    ['int3', 'int3'],
    ['hlt in ring 3', 'hlt'],
    ['a jump to unmapped memory', 'movl $0x1000, %eax\n jmp *%rax'],
    ['a write to the code', 'leaq _start(%rip), %rax\n movb $0, (%rax)'],
  ])('%s: the same signal and exit status as natively', (name, body) => {
    const exe = join(dir, `fault-${name.replace(/\W+/g, '-')}`);
    writeFileSync(`${exe}.s`, `\t.globl _start\n_start:\n ${body}\n`);
    build('as', ['-o', `${exe}.o`, `${exe}.s`]);
    build('ld', ['-static', '-o', exe, `${exe}.o`]);
    const native = spawnSync(exe, []);
    expect(native.signal).not.toBeNull();
    const emulated = execStatic(parseElf(new Uint8Array(readFileSync(exe)), exe), { argv: [exe], envp: [], io: { write: (_fd, b) => b.length, read: () => new Uint8Array(0) } });
    expect(emulated.signal?.name).toBe(native.signal);
    expect(emulated.status).toBe(128 + SIGNALS[native.signal!]!);
  });

  it('the command prints the signal, RIP, instruction and address and exits 128+signal', () => {
    const exe = join(dir, 'fault-a-store-to-address-0');
    const r = spawnSync(process.execPath, [cli, 'exec', exe], { encoding: 'utf8' });
    expect(r.status).toBe(139);
    expect(r.stderr).toMatch(/^mksyscall exec: SIGSEGV: #PF .* at rip 0x40100[0-9a-f]: movl +\$0x1,\(%rax\) \[c7 00 01 00 00 00\], address 0x0\n$/);
  });
});

describe.skipIf(!haveGcc)(`a gcc -O2 C program under exec${haveGcc ? '' : ' (skipped: gcc not found)'}`, () => {
  it('prints the same results and exits with the same status', () => {
    const exe = join(dir, 'compute');
    build('gcc', ['-O2', '-static', '-nostdlib', '-ffreestanding', '-mgeneral-regs-only', '-fno-stack-protector', '-o', exe, join(programs, 'compute.c')]);
    const { native, emulated } = both(exe, ['20000']);
    expect(native.status).not.toBe(0);
    expect(emulated.stderr.toString()).toBe('');
    expect(emulated.stdout.toString()).toBe(native.stdout.toString());
    expect(emulated.status).toBe(native.status);
  });
});

describe('exec reports bad input and guest faults', () => {
  it('a missing file and a non-ELF file are located errors with status 2', () => {
    const missing = spawnSync(process.execPath, [cli, 'exec', join(dir, 'nope')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr.toString()).toMatch(/^mksyscall exec: .*nope: ENOENT/);
    const notElf = spawnSync(process.execPath, [cli, 'exec', join(programs, 'echo.s')]);
    expect(notElf.status).toBe(2);
    expect(notElf.stderr.toString()).toMatch(/echo\.s: not an ELF file \(bad magic/);
  });
});
