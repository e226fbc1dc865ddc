// Goroutine coordination without syscalls (channels, select, WaitGroup, Mutex, sleep,
// work), preemption of long-running goroutines, determinism per seed, schedtrace lines
// and crash dumps for Go-level failures.
import { describe, expect, it } from 'vitest';
import {
  Chan, FORCE_PREEMPT_NS, getsched, go, Gosched, Mutex, runSimulated, select, sleep, SYS_READ, SYS_WRITE, WaitGroup, work,
} from '../../runtime/sched/index.ts';
import { Syscall, type Go } from '../../runtime/syscall.ts';
import { all, find } from './query.ts';

describe('channels', () => {
  it('unbuffered: each send meets a receive; values arrive in order; close ends the range', () => {
    const got: Array<number | undefined> = [];
    const res = runSimulated(function* () {
      const c = new Chan<number>();
      go(function* (): Go<void> {
        for (let i = 0; i < 5; i++) yield* c.send(i * i);
        c.close();
      });
      for (;;) {
        const [v, ok] = yield* c.recv2();
        if (!ok) break;
        got.push(v);
      }
    });
    expect(res.status).toBe(0);
    expect(got).toEqual([0, 1, 4, 9, 16]);
    // With no buffer, each handover finds the other side parked: one block per value at least.
    const ev = res.trace.events;
    expect(all(ev, 'GoBlock', { args: { reason: 'chan receive' } }).length + all(ev, 'GoBlock', { args: { reason: 'chan send' } }).length).toBeGreaterThanOrEqual(5);
  });

  it('buffered: sends do not block until the buffer is full', () => {
    let lenAtBlock = -1;
    const res = runSimulated(function* () {
      const c = new Chan<string>(3);
      const done = new Chan<void>();
      go(function* (): Go<void> {
        for (const s of ['a', 'b', 'c', 'd']) yield* c.send(s);
        yield* done.send(undefined);
      });
      yield* sleep(1000);
      lenAtBlock = c.len;
      const out: Array<string | undefined> = [];
      for (let i = 0; i < 4; i++) out.push(yield* c.recv());
      yield* done.recv();
      expect(out).toEqual(['a', 'b', 'c', 'd']);
    });
    expect(res.status).toBe(0);
    expect(lenAtBlock).toBe(3);
    expect(find(res.trace.events, 'GoBlock', { g: 2, args: { reason: 'chan send' } })).toBeDefined();
  });

  it('send on a closed channel panics with a dump', () => {
    const res = runSimulated(function* () {
      const c = new Chan<number>(1);
      c.close();
      yield* c.send(1);
    });
    expect(res.status).toBe(2);
    expect(res.fatal).toMatch(/^panic: send on closed channel\n\ngoroutine 1 \[running\]/);
  });

  it('select picks a ready case, honours default, and over seeds picks each of two ready cases', () => {
    const picks = new Set<number>();
    for (let seed = 1; seed <= 16; seed++) {
      runSimulated(
        function* () {
          const a = new Chan<number>(1);
          const b = new Chan<number>(1);
          const idle = yield* select([{ recv: a }, { recv: b }], true);
          expect(idle.index).toBe(-1);
          yield* a.send(1);
          yield* b.send(2);
          const s = yield* select([{ recv: a }, { recv: b }]);
          expect(s.value).toBe(s.index + 1);
          picks.add(s.index);
        },
        { seed },
      );
    }
    expect([...picks].sort()).toEqual([0, 1]);
  });

  it('a blocked select is woken by a send to one case and leaves the others', () => {
    let fired: { index: number; value: unknown } | null = null;
    const res = runSimulated(function* () {
      const a = new Chan<number>();
      const b = new Chan<number>();
      go(function* (): Go<void> {
        yield* sleep(5000);
        yield* b.send(42);
        // a's queue no longer holds the select: this send must wait for the receive below.
        go(function* (): Go<void> {
          yield* a.recv();
        });
        yield* a.send(7);
      });
      fired = yield* select([{ recv: a }, { recv: b }]);
      yield* sleep(10_000);
    });
    expect(res.status).toBe(0);
    expect(fired).toEqual({ index: 1, value: 42, ok: true });
  });
});

describe('select sends and close', () => {
  it('a blocked select send completes when a receiver arrives; a receive case sees close', () => {
    const log: string[] = [];
    const res = runSimulated(function* () {
      const out = new Chan<string>();
      const quit = new Chan<void>();
      go(function* (): Go<void> {
        yield* sleep(2000);
        log.push(`got ${String(yield* out.recv())}`);
        quit.close();
      });
      const first = yield* select([{ send: out, value: 'x' }, { recv: quit }]);
      log.push(`case ${first.index}`);
      const second = yield* select([{ send: out, value: 'y' }, { recv: quit }]);
      log.push(`case ${second.index} ok=${second.ok}`);
    });
    expect(res.status).toBe(0);
    expect(log).toEqual(['got x', 'case 0', 'case 1 ok=false']);
  });

  it('closing a channel a sender waits on makes the sender panic', () => {
    const res = runSimulated(function* () {
      const c = new Chan<number>();
      go(function* (): Go<void> {
        yield* sleep(1000);
        c.close();
      });
      yield* c.send(1);
    });
    expect(res.ended).toBe('fatal');
    expect(res.fatal).toMatch(/^panic: send on closed channel/);
  });
});

describe('WaitGroup, Mutex, sleep, work', () => {
  it('Mutex excludes: critical sections never overlap in virtual time', () => {
    const spans: Array<[number, number]> = [];
    const res = runSimulated(
      function* () {
        const mu = new Mutex();
        const wg = new WaitGroup();
        for (let i = 0; i < 6; i++) {
          wg.add(1);
          go(function* (): Go<void> {
            yield* mu.lock();
            const { now } = getNow();
            const start = now();
            yield* work(10_000);
            spans.push([start, now()]);
            mu.unlock();
            wg.done();
          });
        }
        yield* wg.wait();
      },
      { gomaxprocs: 4, seed: 5 },
    );
    expect(res.status).toBe(0);
    expect(spans).toHaveLength(6);
    spans.sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  });

  it('sleep wakes at its virtual deadline; parallel work on 4 Ps overlaps', () => {
    const res = runSimulated(
      function* () {
        const wg = new WaitGroup();
        for (let i = 0; i < 4; i++) {
          wg.add(1);
          go(function* (): Go<void> {
            yield* work(1_000_000);
            wg.done();
          });
        }
        yield* wg.wait();
        yield* sleep(5_000_000);
      },
      { gomaxprocs: 4 },
    );
    expect(res.status).toBe(0);
    // 4 ms of work on 4 Ps takes about 1 ms, not 4; then the 5 ms sleep.
    expect(res.endNs).toBeGreaterThan(6_000_000);
    expect(res.endNs).toBeLessThan(6_200_000);
    expect(new Set(all(res.trace.events, 'GoStart').filter((e) => e.g! >= 2).map((e) => e.p)).size).toBe(4);
  });

  it('a goroutine running more than 10 ms is preempted at its next safe point; the waiting one runs', () => {
    let secondStarted = -1;
    const res = runSimulated(
      function* () {
        go(function* (): Go<void> {
          secondStarted = getNow().now();
        });
        yield* work(50_000_000);
      },
      { gomaxprocs: 1 },
    );
    expect(res.status).toBe(0);
    const preempt = find(res.trace.events, 'GoPreempt', { g: 1 });
    expect(find(res.trace.events, 'SysmonPreempt', { g: 1 }).ts).toBeGreaterThanOrEqual(FORCE_PREEMPT_NS);
    expect(preempt.ts).toBeGreaterThanOrEqual(FORCE_PREEMPT_NS);
    expect(preempt.ts).toBeLessThan(FORCE_PREEMPT_NS + 2_000_000);
    expect(secondStarted).toBeGreaterThan(preempt.ts);
    expect(secondStarted).toBeLessThan(preempt.ts + 1000);
  });

  it('sysmon sleeps deeply while every P is idle, wakes for the next timer, and still preempts afterwards', () => {
    const res = runSimulated(
      function* () {
        yield* sleep(100_000_000);
        go(function* (): Go<void> {});
        yield* work(50_000_000);
      },
      { gomaxprocs: 1 },
    );
    expect(res.status).toBe(0);
    const ev = res.trace.events;
    const deep = find(ev, 'SysmonSleep');
    expect(deep.args?.['until']).toBe(find(ev, 'GoBlock', { g: 1, args: { reason: 'sleep' } }).ts + 100_000_000);
    // No sysmon pass during the deep sleep.
    expect(all(ev, 'SysmonWake').filter((e) => e.ts > deep.ts && e.ts < 100_000_000)).toHaveLength(0);
    const preempt = find(ev, 'GoPreempt', { g: 1 });
    expect(preempt.ts).toBeGreaterThanOrEqual(100_000_000 + FORCE_PREEMPT_NS);
    expect(preempt.ts).toBeLessThan(100_000_000 + FORCE_PREEMPT_NS + 2_000_000);
  });

  it('a pair handing off through runnext shares one time slice: a goroutine on the global queue waits for the 10 ms preemption', () => {
    let waitedFrom = -1;
    let ranAt = -1;
    let stop = false;
    const res = runSimulated(
      function* () {
        const ping = new Chan<number>();
        const pong = new Chan<number>();
        go(function* (): Go<void> {
          while (!stop) yield* pong.send((yield* ping.recv())!);
        });
        go(function* (): Go<void> {
          waitedFrom = getNow().now();
          yield* Gosched();
          ranAt = getNow().now();
          stop = true;
        });
        yield* Gosched();
        for (let i = 0; !stop; i++) {
          yield* ping.send(i);
          yield* pong.recv();
        }
        yield* ping.send(-1);
      },
      { gomaxprocs: 1 },
    );
    expect(res.status).toBe(0);
    expect(ranAt - waitedFrom).toBeGreaterThanOrEqual(FORCE_PREEMPT_NS);
    expect(ranAt - waitedFrom).toBeLessThan(FORCE_PREEMPT_NS + 2_000_000);
    expect(all(res.trace.events, 'SysmonPreempt').length).toBeGreaterThanOrEqual(1);
  });

  it('Gosched lets the other goroutine run on the only P', () => {
    const order: string[] = [];
    runSimulated(function* () {
      go(function* (): Go<void> {
        order.push('other');
      });
      order.push('main before');
      yield* Gosched();
      order.push('main after');
    });
    expect(order).toEqual(['main before', 'other', 'main after']);
  });

  it('onThrow maps a host exception to the goroutine ending or the program ending', () => {
    class ThreadGone extends Error {}
    class ProcessGone extends Error {}
    const onThrow = (e: unknown) => (e instanceof ThreadGone ? 'goexit' : e instanceof ProcessGone ? 'exit' : 'panic');
    let after = false;
    const goexit = runSimulated(
      function* () {
        const wg = new WaitGroup();
        wg.add(1);
        go(function* (): Go<void> {
          wg.done();
          throw new ThreadGone();
        });
        yield* wg.wait();
        yield* sleep(1000);
        after = true;
      },
      { onThrow },
    );
    expect(goexit).toMatchObject({ ended: 'main', status: 0 });
    expect(after).toBe(true);
    expect(find(goexit.trace.events, 'GoEnd', { g: 2 })).toBeDefined();
    const exit = runSimulated(
      function* () {
        go(function* (): Go<void> {
          throw new ProcessGone();
        });
        yield* sleep(1_000_000);
        after = false;
      },
      { onThrow },
    );
    expect(exit).toMatchObject({ ended: 'exit', status: 0, fatal: '' });
    expect(after).toBe(true);
  });

  it('a sched_yield park keeps G, M and P together', () => {
    const res = runSimulated(function* () {
      yield { reason: 'yield' };
    });
    expect(res.ended).toBe('main');
    expect(all(res.trace.events, 'GoStart', { g: 1 })).toHaveLength(1);
  });

  it('all goroutines asleep is Go\'s deadlock, with the waiting reasons', () => {
    const res = runSimulated(function* () {
      const c = new Chan<number>();
      go(function* (): Go<void> {
        yield* c.send(1);
        yield* c.send(2);
      });
      yield* c.recv();
      const wg = new WaitGroup();
      wg.add(1);
      yield* wg.wait();
    });
    expect(res.status).toBe(2);
    expect(res.fatal).toMatch(/^fatal error: all goroutines are asleep - deadlock!/);
    expect(res.fatal).toContain('goroutine 1 [sync.WaitGroup.Wait]');
    expect(res.fatal).toContain('goroutine 2 [chan send]');
  });
});

function pingPong(seed: number, gomaxprocs = 4) {
  let r = 0;
  let w = 0;
  return runSimulated(
    function* () {
      const wg = new WaitGroup();
      for (let i = 0; i < 8; i++) {
        wg.add(1);
        go(function* (): Go<void> {
          // All wake at the same virtual time: the seed orders the simultaneous timers.
          yield* sleep(100_000 - getNow().now());
          if (i % 2) yield* Syscall(SYS_WRITE, w, 0, 1);
          else yield* Syscall(SYS_READ, r, 0, 1);
          wg.done();
        });
      }
      yield* wg.wait();
    },
    { gomaxprocs, seed, schedtraceMs: 1 },
    (os) => ([r, w] = os.pipe()),
  );
}

describe('determinism', () => {
  it('the same seed gives byte-identical traces; different seeds explore different interleavings', () => {
    const a = JSON.stringify(pingPong(11).trace);
    const b = JSON.stringify(pingPong(11).trace);
    expect(a).toBe(b);
    const others = new Set([2, 3, 4, 5, 6, 7].map((s) => JSON.stringify(pingPong(s).trace)));
    others.add(a);
    expect(others.size).toBeGreaterThan(1);
  });

  it('schedtrace prints a summary line every N virtual ms', () => {
    const res = pingPong(1);
    expect(res.schedtrace.length).toBe(Math.floor(res.endNs / 1e6) + 1);
    expect(res.schedtrace[0]).toMatch(/^SCHED 0ms: gomaxprocs=4 idleprocs=\d+ threads=\d+ spinningthreads=\d+ idlethreads=\d+ runqueue=\d+ \[\d+ \d+ \d+ \d+\]$/);
  });
});

function getNow(): { now: () => number } {
  const s = getsched();
  return { now: () => s.now };
}
