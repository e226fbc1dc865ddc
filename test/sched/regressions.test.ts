// Regression tests for scheduler bugs, each reproduced before it was fixed:
// - findRunnable looped forever when the only queued work sat on a P that handoffp had
//   given to an M not yet started (status _Pidle, but off the idle list): stealWork skipped
//   it by status while the recheck after releasing the P counted it as work;
// - pidleput accepted a P with queued goroutines (Go throws: an idle P's queue is empty);
// - stopm accepted an M that still held a P (Go throws: m.p must be nil);
// - nothing stopped a scheduler that made no progress: it now reports a crash dump.
import { describe, expect, it } from 'vitest';
import { getsched, go, runSimulated, Scheduler, sleep, SYS_NANOSLEEP, work, type G, type M, type P } from '../../runtime/sched/index.ts';
import { Syscall, type Go } from '../../runtime/syscall.ts';
import { all } from './query.ts';

/** n goroutines sleep 5 ms in a syscall while one does 1 ms of work; main sleeps 20 ms. */
function sleepers(n: number, model: 'go1.25' | 'go1.26', seed = 1) {
  let done = 0;
  const res = runSimulated(
    function* () {
      for (let i = 0; i < n; i++)
        go(function* (): Go<void> {
          yield* Syscall(SYS_NANOSLEEP, 5e6, 0, 0);
          done++;
        });
      go(function* (): Go<void> {
        for (let i = 0; i < 100; i++) yield* work(10_000);
      });
      yield* Syscall(SYS_NANOSLEEP, 20e6, 0, 0);
    },
    { gomaxprocs: 2, model, seed },
  );
  return { res, done };
}

describe.each(['go1.25', 'go1.26'] as const)('scheduler regressions (%s)', (model) => {
  it('many sleepers with GOMAXPROCS=2 finish: a spinning M steals from a P handed to an M that has not started yet', () => {
    // 29 sleepers looped forever (until out of memory) before the fix; try a range.
    for (const n of [24, 29, 30, 33, 40, 64]) {
      const { res, done } = sleepers(n, model);
      expect({ n, status: res.status, fatal: res.fatal, done }).toEqual({ n, status: 0, fatal: '', done: n });
    }
    // The steal that used to be skipped: from a P that is _Pidle yet off the idle list.
    const { res } = sleepers(29, model);
    expect(all(res.trace.events, 'RunqSteal').length).toBeGreaterThan(0);
  });
});

/** The scheduler's private parts a test patches to put a bug back. */
interface Internals {
  stealWork(mp: M, pp: P): G | null;
  schedule(mp: M): void;
  stepAfter(mp: M, delay: number): void;
  pidleput(pp: P): void;
  stopm(mp: M): void;
}
const internals = (s: Scheduler) => s as unknown as Internals;

describe('the no-progress guard', () => {
  it('findRunnable that cannot reach queued work ends in a crash dump instead of looping forever', () => {
    // The old bug, put back: stealing skips every P, while A waits on P0.
    const res = runSimulated(
      function* () {
        internals(getsched()).stealWork = () => null;
        go(function* (): Go<void> {
          yield* work(1_000);
        });
        yield* work(1_000_000);
      },
      { gomaxprocs: 2 },
    );
    expect(res.status).toBe(2);
    expect(res.fatal).toMatch(/^fatal error: the scheduler is making no progress \(a bug in the scheduler\)\nM2 went round findRunnable 4 times: work is queued that it cannot reach\n/);
    expect(res.fatal).toMatch(/P0: status=_Prunning .* m=M0 runqsize=1 runq=\[2\]/);
    expect(res.fatal).toContain('goroutine 2 [runnable], created by goroutine 1');
  });

  it('Ms that keep stepping without running goroutine code end in a crash dump', () => {
    const res = runSimulated(
      function* () {
        const s = internals(getsched());
        s.schedule = (mp) => s.stepAfter(mp, 0);
        yield* sleep(1_000);
      },
      { gomaxprocs: 1, noProgressSteps: 5_000 },
    );
    expect(res.status).toBe(2);
    expect(res.fatal.split('\n').slice(0, 2)).toEqual(['fatal error: the scheduler is making no progress (a bug in the scheduler)', '5000 M steps in a row ran no goroutine code']);
  });
});

describe("Go's invariants, checked", () => {
  it('pidleput refuses a P with queued goroutines; stopm refuses an M that holds a P', () => {
    const errors: string[] = [];
    runSimulated(function* () {
      const s = getsched();
      const m0 = s.allm[0]!;
      const p0 = s.allp[0]!;
      go(function* (): Go<void> {});
      for (const f of [() => internals(s).pidleput(p0), () => internals(s).stopm(m0)]) {
        try {
          f();
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
    });
    expect(errors).toEqual(['pidleput: P0 has a non-empty run queue (1)', 'stopm: M0 still holds P0']);
  });
});
