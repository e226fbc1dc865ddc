// The linux/amd64 Syscall stubs on the emulated CPU with a fake kernel (getpid answered by
// a host-bound do_syscall_64 that reads the arguments from pt_regs): nanoseconds and guest
// instructions per Syscall (with the entersyscall/exitsyscall host calls) and per
// RawSyscall, called from a guest loop, the whole SYSCALL → entry_SYSCALL_64 →
// do_syscall_64 → SYSRET path included; also how long assembling the two files takes.
// Native baseline: a C loop of syscall(SYS_getpid), built with cc in the same run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '../runtime/asm/assembler.ts';
import { stubMachine } from '../test/asm/machine.ts';

function nativeGetpidNs(calls: number): number | null {
  const dir = mkdtempSync(join(tmpdir(), 'bench-stubs-'));
  try {
    const c = `#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(void) {
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < ${calls}; i++) syscall(SYS_getpid);
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.1f\\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / ${calls});
  return 0;
}
`;
    writeFileSync(join(dir, 'g.c'), c);
    if (spawnSync('cc', ['-O2', '-o', join(dir, 'g'), join(dir, 'g.c')]).status !== 0) return null;
    const r = spawnSync(join(dir, 'g'), { encoding: 'utf8' });
    return r.status === 0 ? Number(r.stdout.trim()) : null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A guest loop calling a stub n times (Go ABI0: arguments at 0(SP), results above them). */
const DRIVER = `
TEXT ·loop(SB),NOSPLIT,$56-16
	MOVQ	n+0(FP), R12
	MOVQ	stub+8(FP), R13
again:
	MOVQ	$39, 0(SP)
	MOVQ	$0, 8(SP)
	MOVQ	$0, 16(SP)
	MOVQ	$0, 24(SP)
	CALL	R13
	DECQ	R12
	JNE	again
	RET
`;

export async function run(): Promise<void> {
  const sources = ['asm_linux_amd64.s', 'entry_linux_amd64.s'].map((f) => readFileSync(new URL(`../runtime/asm/${f}`, import.meta.url), 'utf8'));
  const rounds = 50;
  let t = performance.now();
  for (let i = 0; i < rounds; i++) for (const s of sources) assemble(s, { pkg: 'syscall' });
  console.log(`assemble asm_linux_amd64.s + entry_linux_amd64.s: ${((performance.now() - t) / rounds).toFixed(2)} ms`);

  const m = stubMachine((nr) => ({ ax: nr === 39 ? 4242n : -38n }), { extra: [assemble(DRIVER, { file: 'driver.s' })], record: false });
  const calls = 200_000;
  for (const stub of ['syscall.Syscall', 'syscall.RawSyscall']) {
    const target = BigInt(m.image.addressOf(stub));
    m.call('main·loop', 1000, [target], 0); // warm up (the first call boots)
    const before = m.cpu.icount;
    t = performance.now();
    m.call('main·loop', calls, [target], 0);
    const ns = ((performance.now() - t) * 1e6) / calls;
    const insns = (m.cpu.icount - before) / calls;
    console.log(`${stub.padEnd(18)} getpid from a guest loop: ${ns.toFixed(0)} ns/call, ${insns.toFixed(0)} guest instructions/call (host fake do_syscall_64)`);
  }
  const native = nativeGetpidNs(1_000_000);
  console.log(native === null ? 'native syscall(SYS_getpid): skipped (no C compiler)' : `native syscall(SYS_getpid): ${native} ns/call`);
}
