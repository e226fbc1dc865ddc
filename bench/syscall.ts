// Nanoseconds per getpid through the machine's Syscall path, as generated code makes it:
// runtime/syscall.ts Syscall → the machine's backend → the Syscall stub on the emulated
// CPU (CALL runtime·entersyscall, SYSCALL, entry_SYSCALL_64, do_syscall_64, the kernel's
// getpid, SYSRETQ, CALL runtime·exitsyscall, RET) → [r1, r2, err]; and the same through
// RawSyscall (no scheduler calls). Native baseline in the same run: a C loop of
// syscall(SYS_getpid), built with gcc -O2. Then the getpid wrapper of each machine
// (linux, freebsd, darwin through libc, windows' GetCurrentProcessId through SyscallN).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { target } from '../generated/target_linux_amd64.ts';
import { target as freebsd } from '../generated/target_freebsd_amd64.ts';
import { target as darwin } from '../generated/target_darwin_amd64.ts';
import { target as windows } from '../generated/target_windows_amd64.ts';
import { SYS_GETPID } from '../generated/zsysnum_linux_amd64.ts';
import { Machine, RawSyscall, Syscall, type Go, type TargetDescriptor } from '../runtime/index.ts';

function nativeGetpidNs(calls: number): number | null {
  const dir = mkdtempSync(join(tmpdir(), 'bench-syscall-'));
  try {
    writeFileSync(
      join(dir, 'g.c'),
      `#include <stdio.h>
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
`,
    );
    if (spawnSync('gcc', ['-O2', '-o', join(dir, 'g'), join(dir, 'g.c')]).status !== 0) return null;
    const r = spawnSync(join(dir, 'g'), { encoding: 'utf8' });
    return r.status === 0 ? Number(r.stdout.trim()) : null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Calls made before timing: decoding, block compilation, traces and V8's optimising compiler all settle within them. */
const WARMUP = 50_000;
/** Timed batches per round; a round's figure is its median batch (a batch disturbed by the shared host counts for little). */
const BATCHES = 10;

/**
 * ns per call of `call` in a goroutine on a fresh machine for `t`, in the steady state: the
 * median batch of each round after the warm-up, best of `rounds` (fresh machines; the code
 * V8 compiled for one is shared by the next).
 */
function measure(call: () => Go<unknown>, calls: number, rounds: number, t: TargetDescriptor = target): { ns: number; instructions: number } {
  let best = Infinity;
  let instructions = 0;
  const batch = Math.ceil(calls / BATCHES);
  for (let round = 0; round < rounds; round++) {
    const m = new Machine({ target: t });
    const times: number[] = [];
    const result = m.run(function* () {
      for (let i = 0; i < WARMUP; i++) yield* call();
      for (let b = 0; b < BATCHES; b++) {
        const t = performance.now();
        for (let i = 0; i < batch; i++) yield* call();
        times.push(((performance.now() - t) * 1e6) / batch);
      }
    });
    times.sort((a, b) => a - b);
    const ns = times[times.length >> 1]!;
    if (ns < best) {
      best = ns;
      instructions = result.instructions / (WARMUP + BATCHES * batch);
    }
  }
  return { ns: best, instructions };
}

export async function run(): Promise<void> {
  const calls = 200_000;
  const native = nativeGetpidNs(1_000_000);
  const sys = measure(() => Syscall(SYS_GETPID, 0, 0, 0), calls, 3);
  const raw = measure(() => RawSyscall(SYS_GETPID, 0, 0, 0), calls, 3);
  const ratio = (ns: number) => (native ? ` (${(ns / native).toFixed(1)}× native)` : '');
  console.log(`native syscall(SYS_getpid), gcc -O2:        ${native === null ? 'n/a (gcc missing)' : `${native.toFixed(1)} ns`}`);
  console.log(`Syscall(SYS_GETPID) on the machine:         ${sys.ns.toFixed(0)} ns/call${ratio(sys.ns)}, ${sys.instructions.toFixed(0)} guest instructions/call`);
  console.log(`RawSyscall(SYS_GETPID) on the machine:      ${raw.ns.toFixed(0)} ns/call${ratio(raw.ns)}, ${raw.instructions.toFixed(0)} guest instructions/call`);
  console.log(`goal: Syscall getpid <= 500 ns`);
  // The same call through each machine's generated wrapper (windows: GetCurrentProcessId via SyscallN).
  const wrapped: Array<[string, TargetDescriptor, string]> = [
    ['linux/amd64 Getpid', target, 'Getpid'],
    ['freebsd/amd64 Getpid', freebsd, 'Getpid'],
    ['darwin/amd64 Getpid (libc)', darwin, 'Getpid'],
    ['windows/amd64 GetCurrentProcessId', windows, 'GetCurrentProcessId'],
  ];
  for (const [name, t, fn] of wrapped) {
    const wrapper = t.wrappers[fn] as () => Go<unknown>;
    const r = measure(() => wrapper(), calls / 2, 3, t);
    console.log(`${`${name}:`.padEnd(44)}${r.ns.toFixed(0)} ns/call, ${r.instructions.toFixed(0)} guest instructions/call`);
  }
}
