// The scheduler in host time: goroutine switches per second (two goroutines ping-ponging
// over unbuffered channels on one P, each handover a schedule → execute), and time and
// memory for 100,000 goroutines each making 10 blocking system calls (Syscall → a 5 µs
// nanosleep on the simulated OS, so each one goes through entersyscall, a kernel block
// and exitsyscall) on 4 Ps. Native baseline: two OS threads ping-ponging over pipes,
// built with cc in the same run (each round trip is two thread switches).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chan, go, runSimulated, SYS_NANOSLEEP, WaitGroup } from '../runtime/sched/index.ts';
import { Syscall, type Go } from '../runtime/syscall.ts';

function nativeThreadSwitchesPerSec(rounds: number): number | null {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sched-'));
  try {
    const c = `#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
static int ab[2], ba[2];
static void *pong(void *arg) { char c; for (long i = 0; i < ${rounds}; i++) { read(ab[0], &c, 1); write(ba[1], &c, 1); } return arg; }
int main(void) {
  pipe(ab); pipe(ba);
  pthread_t t; pthread_create(&t, 0, pong, 0);
  struct timespec a, b; char c = 'x';
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < ${rounds}; i++) { write(ab[1], &c, 1); read(ba[0], &c, 1); }
  clock_gettime(CLOCK_MONOTONIC, &b);
  pthread_join(t, 0);
  printf("%.0f\\n", 2.0 * ${rounds} / ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9));
  return 0;
}
`;
    writeFileSync(join(dir, 'p.c'), c);
    if (spawnSync('cc', ['-O2', '-pthread', '-o', join(dir, 'p'), join(dir, 'p.c')]).status !== 0) return null;
    const r = spawnSync(join(dir, 'p'), { encoding: 'utf8' });
    return r.status === 0 ? Number(r.stdout.trim()) : null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function switchesPerSec(rounds: number): { perSec: number; switches: number } {
  const t0 = performance.now();
  const res = runSimulated(
    function* () {
      const ping = new Chan<number>();
      const pong = new Chan<number>();
      go(function* (): Go<void> {
        for (let i = 0; i < rounds; i++) yield* pong.send((yield* ping.recv())!);
      });
      for (let i = 0; i < rounds; i++) {
        yield* ping.send(i);
        yield* pong.recv();
      }
    },
    { gomaxprocs: 1, trace: false },
  );
  const secs = (performance.now() - t0) / 1000;
  if (res.status !== 0) throw new Error(res.fatal);
  return { perSec: res.switches / secs, switches: res.switches };
}

function manyGoroutines(n: number, calls: number) {
  const heapBefore = process.memoryUsage().heapUsed;
  let heapPeak = heapBefore;
  const t0 = performance.now();
  const res = runSimulated(
    function* () {
      const wg = new WaitGroup();
      wg.add(n);
      for (let i = 0; i < n; i++)
        go(function* (): Go<void> {
          for (let k = 0; k < calls; k++) yield* Syscall(SYS_NANOSLEEP, 5_000, 0, 0);
          if (i % 1000 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
          wg.done();
        });
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      yield* wg.wait();
    },
    { gomaxprocs: 4, trace: false },
  );
  const secs = (performance.now() - t0) / 1000;
  if (res.status !== 0) throw new Error(res.fatal);
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  return { secs, res, heapMiB: (heapPeak - heapBefore) / 2 ** 20, rssMiB: process.memoryUsage().rss / 2 ** 20 };
}

export async function run(): Promise<void> {
  switchesPerSec(20_000); // warm-up
  const { perSec, switches } = switchesPerSec(300_000);
  console.log(`goroutine switches: ${switches} in ping-pong, ${(perSec / 1e6).toFixed(2)} M switches/s (goal ≥ 1 M/s)`);
  const native = nativeThreadSwitchesPerSec(100_000);
  console.log(native === null ? 'native thread switches: (cc not available)' : `native OS thread switches over pipes: ${(native / 1e6).toFixed(2)} M/s (ratio ${(perSec / native).toFixed(1)}×)`);
  const { secs, res, heapMiB, rssMiB } = manyGoroutines(100_000, 10);
  console.log(
    `100,000 goroutines × 10 blocking Syscalls: ${secs.toFixed(2)} s host time, ${(res.endNs / 1e6).toFixed(1)} ms virtual, ` +
      `${res.switches} switches, ${res.threads} threads, heap +${heapMiB.toFixed(0)} MiB (peak of 100 samples), rss ${rssMiB.toFixed(0)} MiB (goal < 1 GB)`,
  );
}
