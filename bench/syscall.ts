// Nanoseconds per getpid through the machine's Syscall path, as generated code makes it:
// runtime/syscall.ts Syscall → the machine's backend → the Syscall stub on the emulated
// CPU (CALL runtime·entersyscall, SYSCALL, entry_SYSCALL_64, do_syscall_64, the kernel's
// getpid, SYSRETQ, CALL runtime·exitsyscall, RET) → [r1, r2, err]; and the same through
// RawSyscall (no scheduler calls). Baselines in the same run: a C loop of
// syscall(SYS_getpid), built static with gcc -O2, run natively and, when qemu-x86_64 is
// installed (Debian's qemu-user), under qemu-user, the emulator the goal is set against.
// Then the getpid wrapper of each machine (linux, freebsd, darwin through libc, windows'
// GetCurrentProcessId through SyscallN).
// Each case runs in fresh processes of its own (this file with `measure NAME`), timed in
// the steady state: after a warm-up, the median of several batches, best process. The
// processes of all cases take turns (round after round), so a stretch of host noise, which
// on a shared machine lasts seconds, weighs on every case alike rather than on all of one's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { target } from '../generated/target_linux_amd64.ts';
import { target as freebsd } from '../generated/target_freebsd_amd64.ts';
import { target as darwin } from '../generated/target_darwin_amd64.ts';
import { target as windows } from '../generated/target_windows_amd64.ts';
import { SYS_GETPID } from '../generated/zsysnum_linux_amd64.ts';
import { Machine, RawSyscall, Syscall, type Go, type TargetDescriptor } from '../runtime/index.ts';

/** A static C loop of syscall(SYS_getpid): its ns per call natively and under qemu-user (null where gcc or qemu-x86_64 is missing). */
function getpidBaselines(calls: number): { native: number | null; qemu: number | null } {
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
  for (long i = 0; i < ${calls / 10}; i++) syscall(SYS_getpid);
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < ${calls}; i++) syscall(SYS_getpid);
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.1f\\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / ${calls});
  return 0;
}
`,
    );
    const exe = join(dir, 'g');
    if (spawnSync('gcc', ['-O2', '-static', '-o', exe, join(dir, 'g.c')]).status !== 0) return { native: null, qemu: null };
    const ns = (cmd: string, args: string[]) => {
      const r = spawnSync(cmd, args, { encoding: 'utf8' });
      return r.status === 0 ? Number(r.stdout.trim()) : null;
    };
    return { native: ns(exe, []), qemu: ns('qemu-x86_64', [exe]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Calls made before timing: decoding, block compilation, traces and V8's optimising compiler all settle within them. */
const WARMUP = 50_000;
/** Timed calls per process, in BATCHES batches; a process's figure is its median batch (a batch disturbed by the shared host counts for little). */
const CALLS = 200_000;
const BATCHES = 10;
/** Fresh processes per case (rounds); the figure is the best of them. */
const PROCESSES = 5;

/** The cases, each measured in processes of its own (one case's compiled code and heap never weigh on another's). */
const CASES: Record<string, { label: string; target: TargetDescriptor; call: () => Go<unknown> }> = {
  syscall: { label: 'Syscall(SYS_GETPID) on the machine', target, call: () => Syscall(SYS_GETPID, 0, 0, 0) },
  raw: { label: 'RawSyscall(SYS_GETPID) on the machine', target, call: () => RawSyscall(SYS_GETPID, 0, 0, 0) },
  linux: { label: 'linux/amd64 Getpid', target, call: target.wrappers.Getpid as () => Go<unknown> },
  freebsd: { label: 'freebsd/amd64 Getpid', target: freebsd, call: freebsd.wrappers.Getpid as () => Go<unknown> },
  darwin: { label: 'darwin/amd64 Getpid (libc)', target: darwin, call: darwin.wrappers.Getpid as () => Go<unknown> },
  windows: { label: 'windows/amd64 GetCurrentProcessId', target: windows, call: windows.wrappers.GetCurrentProcessId as () => Go<unknown> },
};

/** One process's measurement of a case: ns per call in the steady state (median batch after the warm-up), guest instructions per call. */
function measure(name: string): { ns: number; instructions: number } {
  const c = CASES[name]!;
  const m = new Machine({ target: c.target });
  const batch = Math.ceil(CALLS / BATCHES);
  const times: number[] = [];
  const result = m.run(function* () {
    for (let i = 0; i < WARMUP; i++) yield* c.call();
    for (let b = 0; b < BATCHES; b++) {
      const t = performance.now();
      for (let i = 0; i < batch; i++) yield* c.call();
      times.push(((performance.now() - t) * 1e6) / batch);
    }
  });
  times.sort((a, b) => a - b);
  return { ns: times[times.length >> 1]!, instructions: result.instructions / (WARMUP + BATCHES * batch) };
}

/** One fresh process's measurement of a case (this file run with `measure NAME`). */
function inProcess(name: string): { ns: number; instructions: number } {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'measure', name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench syscall: measuring ${name} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { ns: number; instructions: number };
}

export async function run(): Promise<void> {
  const names = Object.keys(CASES);
  const runs = new Map(names.map((n) => [n, [] as Array<{ ns: number; instructions: number }>]));
  const natives: number[] = [];
  const qemus: number[] = [];
  for (let round = 0; round < PROCESSES; round++) {
    const b = getpidBaselines(1_000_000);
    if (b.native !== null) natives.push(b.native);
    if (b.qemu !== null) qemus.push(b.qemu);
    for (const name of names) runs.get(name)!.push(inProcess(name));
  }
  const native = natives.length > 0 ? Math.min(...natives) : null;
  const ratio = (ns: number) => (native ? ` (${(ns / native).toFixed(1)}× native)` : '');
  console.log(`native syscall(SYS_getpid), gcc -O2:        ${native === null ? 'n/a (gcc missing)' : `${native.toFixed(1)} ns (best of ${natives.length})`}`);
  const qemu = qemus.length > 0 ? Math.min(...qemus) : null;
  console.log(`the same under qemu-user (qemu-x86_64):     ${qemu === null ? 'n/a (qemu-x86_64 missing)' : `${qemu.toFixed(1)} ns (best of ${qemus.length})`}`);
  for (const name of names) {
    const rs = runs.get(name)!.sort((a, b) => a.ns - b.ns);
    const r = rs[0]!;
    const spread = `processes ${rs.map((x) => x.ns.toFixed(0)).join('/')}`;
    console.log(`${`${CASES[name]!.label}:`.padEnd(44)}${r.ns.toFixed(0)} ns/call${ratio(r.ns)}, ${r.instructions.toFixed(0)} guest instructions/call; ${spread}`);
    if (name === 'raw') console.log('goal: Syscall getpid <= 500 ns');
  }
}

if (process.argv[2] === 'measure') console.log(JSON.stringify(measure(process.argv[3]!)));
