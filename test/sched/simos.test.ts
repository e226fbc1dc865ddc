// The simulated OS the scheduler tests run on: pipe semantics (EOF, EPIPE, a full pipe
// blocks its writer), bad descriptors, unknown calls, and a nanosleep's virtual duration.
import { describe, expect, it } from 'vitest';
import { go, PIPE_CAPACITY, runSimulated, SYS_CLOSE, SYS_NANOSLEEP, SYS_READ, SYS_WRITE, WaitGroup } from '../../runtime/sched/index.ts';
import { Syscall, type Go } from '../../runtime/syscall.ts';
import { find } from './query.ts';

describe('simulated OS', () => {
  it('pipes: a full pipe blocks its writer until read; EOF after the writer closes; EPIPE without readers', () => {
    let r = 0;
    let w = 0;
    const results: Array<[string, number, number]> = [];
    const record = (what: string, [r1, , err]: [unknown, unknown, number]) => results.push([what, Number(r1), err]);
    const res = runSimulated(
      function* () {
        const wg = new WaitGroup();
        wg.add(1);
        go(function* (): Go<void> {
          record('fill', yield* Syscall(SYS_WRITE, w, 0, PIPE_CAPACITY));
          record('more', yield* Syscall(SYS_WRITE, w, 0, 10));
          record('close w', yield* Syscall(SYS_CLOSE, w, 0, 0));
          wg.done();
        });
        yield* Syscall(SYS_NANOSLEEP, 1_000_000, 0, 0);
        record('drain', yield* Syscall(SYS_READ, r, 0, PIPE_CAPACITY));
        yield* wg.wait();
        record('rest', yield* Syscall(SYS_READ, r, 0, 100));
        record('eof', yield* Syscall(SYS_READ, r, 0, 100));
        record('close r', yield* Syscall(SYS_CLOSE, r, 0, 0));
        record('bad fd', yield* Syscall(SYS_READ, r, 0, 1));
        record('unknown', yield* Syscall(999, 0, 0, 0));
      },
      { gomaxprocs: 2 },
      (os) => ([r, w] = os.pipe()),
    );
    expect(res.status).toBe(0);
    expect(results).toEqual([
      ['fill', PIPE_CAPACITY, 0],
      ['drain', PIPE_CAPACITY, 0],
      ['more', 10, 0],
      ['close w', 0, 0],
      ['rest', 10, 0],
      ['eof', 0, 0],
      ['close r', 0, 0],
      ['bad fd', -1, 9],
      ['unknown', -1, 38],
    ]);
    // The second write blocked in the kernel until the main goroutine drained the pipe.
    const more = find(res.trace.events, 'SyscallBlock', { g: 2 });
    expect(more.ts).toBeLessThan(1_000_000);
  });

  it('a write to a pipe whose reader closed fails with EPIPE', () => {
    let err = 0;
    runSimulated(
      function* () {
        [, , err] = yield* Syscall(SYS_WRITE, 4, 0, 1);
      },
      {},
      (os) => {
        const [r] = os.pipe();
        expect(r).toBe(3);
      },
    );
    expect(err).toBe(0);
    runSimulated(
      function* () {
        yield* Syscall(SYS_CLOSE, 3, 0, 0);
        [, , err] = yield* Syscall(SYS_WRITE, 4, 0, 1);
      },
      {},
      (os) => os.pipe(),
    );
    expect(err).toBe(32);
  });
});
