// `mksyscall asm FILE.s`: the listing shows address, bytes, the CPU's disassembly and the
// Plan 9 source line; bad input exits 2 with a located error.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAsm } from '../../runtime/cli/asm.ts';

const source = (name: string) => fileURLToPath(new URL(`../../runtime/asm/${name}`, import.meta.url));

function run(file: string, opts = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const status = runAsm(file, opts, (s) => out.push(s), (s) => err.push(s));
  return { status, out: out.join('\n'), err: err.join('\n') };
}

describe('mksyscall asm', () => {
  it('lists the linux/amd64 stubs with addresses, bytes, instructions and source', () => {
    const r = run(source('asm_linux_amd64.s'), { pkg: 'syscall' });
    expect(r.status).toBe(0);
    expect(r.out).toContain('0000000000400000 <syscall.Syscall> (text, 92 bytes):');
    expect(r.out).toMatch(/0000000000400000 {2}e8 fb 0f 00 00 +call +0x401000 <runtime\.entersyscall> +; \S*runtime\/asm\/asm_linux_amd64\.s:21 {2}CALL\truntime·entersyscall\(SB\)/);
    expect(r.out).toMatch(/48 3d 01 f0 ff ff +cmp +\$0xfffffffffffff001,%rax +; .*CMPQ\tAX, \$0xfffffffffffff001/);
    expect(r.out).toMatch(/76 20 +jbe +0x400043 <syscall\.Syscall\+0x43> +; .*JLS\tok/);
    expect(r.out).toMatch(/\nok:\n {2}0000000000400043 /);
    expect(r.out).toContain('<runtime.entersyscall> (host, 16 bytes, bound to the host):');
  });

  it('lists the kernel entry code, data symbols included', () => {
    const r = run(source('entry_linux_amd64.s'), { base: '0x10000' });
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/0f 01 f8 +swapgs +; .*SWAPGS/);
    expect(r.out).toMatch(/65 48 89 24 25 00 00 00 00 +mov +%rsp,%gs:0x0 +; .*MOVQ\tSP, PERCPU_user_sp\(GS\)/);
    expect(r.out).toMatch(/48 0f 07 +sysretq/);
    expect(r.out).toContain('<entry_percpu> (data, 64 bytes):');
  });

  it('exits 2 with file:line:col, the line and a caret on bad input', () => {
    const dir = mkdtempSync(join(tmpdir(), 'asmcli-'));
    try {
      const f = join(dir, 'bad.s');
      writeFileSync(f, 'TEXT ·f(SB),$0-8\n\tMOVQ a+8(FP), AX\n\tRET\n');
      const r = run(f);
      expect(r.status).toBe(2);
      expect(r.err).toBe(`${f}:2:7: MOVQ: a+8(FP) is outside the 8-byte argument area\n MOVQ a+8(FP), AX\n      ^`);
      expect(run(join(dir, 'missing.s')).status).toBe(2);
      expect(run(f, { base: '0x123' }).err).toContain('expected a page-aligned address');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
