// The linux/amd64 Syscall stubs on the emulated CPU with a do-nothing kernel (getpid
// answered by a host function): nanoseconds per Syscall (with the entersyscall/exitsyscall
// host calls) and per RawSyscall, the whole SYSCALL → entry_SYSCALL_64 → do_syscall_64 →
// SYSRET path included; also how long assembling the stubs and the entry code takes.
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

export async function run(): Promise<void> {
  const sources = ['asm_linux_amd64.s', 'entry_linux_amd64.s'].map((f) => readFileSync(new URL(`../runtime/asm/${f}`, import.meta.url), 'utf8'));
  const rounds = 50;
  let t = performance.now();
  for (let i = 0; i < rounds; i++) for (const s of sources) assemble(s, { pkg: 'syscall' });
  console.log(`assemble stubs + entry code: ${((performance.now() - t) / rounds).toFixed(2)} ms`);

  const m = stubMachine((nr) => ({ ax: nr === 39 ? 4242n : -38n }));
  const calls = 100_000;
  for (const stub of ['syscall·Syscall', 'syscall·RawSyscall']) {
    for (let i = 0; i < 2000; i++) m.call(stub, 39, [0n, 0n, 0n]); // warm up (and boot)
    t = performance.now();
    for (let i = 0; i < calls; i++) m.call(stub, 39, [0n, 0n, 0n]);
    const ns = ((performance.now() - t) * 1e6) / calls;
    console.log(`${stub.replace('syscall·', '').padEnd(10)} getpid: ${ns.toFixed(0)} ns/call (fake kernel, includes frame setup and result read on the host)`);
  }
  const native = nativeGetpidNs(1_000_000);
  console.log(native === null ? 'native syscall(SYS_getpid): skipped (no C compiler)' : `native syscall(SYS_getpid): ${native} ns/call`);
}
