// The five scenarios of the scheduler issue, on the simulated OS: they reproduce what Go
// (<= 1.25) does around Syscall and RawSyscall — exitsyscall's fast path, sysmon's retake
// and handoff, the RawSyscall deadlock, Ms growing with blocked syscalls, and the 10 ms
// rule for long syscalls when another P is idle.
import { describe, expect, it } from 'vitest';
import {
  FORCE_PREEMPT_NS, G, GStatus, getsched, go, gStatusName, pStatusName, runSimulated, SYS_GETPID, SYS_NANOSLEEP, SYS_READ, SYS_WRITE, SYSMON_MIN_DELAY, WaitGroup, work,
} from '../../runtime/sched/index.ts';
import { RawSyscall, Syscall, type Go } from '../../runtime/syscall.ts';
import { all, find } from './query.ts';

describe.each(['go1.25', 'go1.26'] as const)('scheduler scenarios (%s model, simulated OS)', (model) => {
  it('1: a short syscall with no contention keeps its P through the fast path; no handoff, no new M', () => {
    let pid = 0;
    const res = runSimulated(
      function* () {
        [pid] = (yield* Syscall(SYS_GETPID, 0, 0, 0)) as [number, number, number];
      },
      { gomaxprocs: 2, model },
    );
    expect(res.status).toBe(0);
    expect(pid).toBe(100);
    const ev = res.trace.events;
    const enter = find(ev, 'GoSysCall', { g: 1 });
    const exit = find(ev, 'GoSysExit', { g: 1 }, enter.index);
    expect(exit.args).toEqual({ fast: true, sameP: true, retaken: false });
    expect(exit.p).toBe(enter.p);
    expect(exit.m).toBe(enter.m);
    expect(all(ev, 'SysmonRetake')).toHaveLength(0);
    expect(all(ev, 'Handoff')).toHaveLength(0);
    expect(all(ev, 'MCreate')).toHaveLength(2); // m0 and sysmon
    expect(res.threads).toBe(2);
  });

  it('2: GOMAXPROCS=1, A blocks in Syscall read: sysmon retakes the P within two periods, B runs on a new M, A queues globally', () => {
    let r = 0;
    let w = 0;
    let got = -1;
    const wg = new WaitGroup();
    const res = runSimulated(
      function* () {
        wg.add(2);
        go(function* B(): Go<void> {
          yield* Syscall(SYS_WRITE, w, 0, 5);
          yield* work(50_000);
          wg.done();
        });
        go(function* A(): Go<void> {
          [got] = (yield* Syscall(SYS_READ, r, 0, 64)) as [number, number, number];
          wg.done();
        });
        yield* wg.wait();
      },
      { gomaxprocs: 1, seed: 7, model },
      (os) => ([r, w] = os.pipe()),
    );
    expect(res.status).toBe(0);
    expect(got).toBe(5);
    const ev = res.trace.events;
    const [A, B] = [3, 2];
    const aEnter = find(ev, 'SyscallEnter', { g: A, args: { name: 'read' } });
    const aBlock = find(ev, 'SyscallBlock', { g: A }, aEnter.index);
    const retake = find(ev, 'SysmonRetake', { p: 0 }, aBlock.index);
    expect(retake.args?.['victim']).toBe(aEnter.m);
    const handoff = find(ev, 'Handoff', { p: 0 }, retake.index);
    const bStart = find(ev, 'GoStart', { g: B }, retake.index);
    expect(bStart.m).toBe(handoff.args?.['to']);
    expect(bStart.m).not.toBe(aEnter.m);
    const bWrite = find(ev, 'SyscallEnter', { g: B, args: { name: 'write' } }, bStart.index);
    const aExit = find(ev, 'SyscallExit', { g: A, args: { result: 5 } }, bWrite.index);
    const aSlow = find(ev, 'GoSysExit', { g: A, args: { fast: false } }, aExit.index);
    expect(aSlow.m).toBe(aEnter.m);
    const aAgain = find(ev, 'GoStart', { g: A }, aSlow.index);
    expect(aAgain.m).toBe(bStart.m);
    find(ev, 'MStop', { m: aEnter.m }, aSlow.index);
    // Virtual-time bounds: sysmon needs one pass to see the syscall and a second to retake it.
    const waited = retake.ts - aEnter.ts;
    expect(waited).toBeGreaterThanOrEqual(SYSMON_MIN_DELAY);
    expect(waited).toBeLessThanOrEqual(3 * SYSMON_MIN_DELAY);
    expect(res.threads).toBe(3);
  });

  it('3: the same with RawSyscall is a diagnosed deadlock: the raw read keeps the only P, so the writer never runs', () => {
    let r = 0;
    let w = 0;
    const res = runSimulated(
      function* () {
        const wg = new WaitGroup();
        wg.add(2);
        go(function* B(): Go<void> {
          yield* Syscall(SYS_WRITE, w, 0, 5);
          wg.done();
        });
        go(function* A(): Go<void> {
          yield* RawSyscall(SYS_READ, r, 0, 64);
          wg.done();
        });
        yield* wg.wait();
      },
      { gomaxprocs: 1, seed: 7, model },
      (os) => ([r, w] = os.pipe()),
    );
    expect(res.status).toBe(2);
    expect(res.fatal).toContain('deadlock');
    expect(res.fatal).toMatch(/goroutine 3 is blocked in RawSyscall read \(read\(\d+\) on an empty pipe\) on M0 and keeps P0 \(GOMAXPROCS=1: it is the only P\)/);
    expect(res.fatal).toContain('sysmon cannot retake it');
    expect(res.fatal).toContain('goroutine 2 is runnable on P0 but can never run');
    expect(res.fatal).toMatch(/P0: status=_Prunning .* m=M0/);
    expect(res.fatal).toMatch(/goroutine 1 \[sync\.WaitGroup\.Wait\]/);
    const ev = res.trace.events;
    expect(all(ev, 'GoSysCall')).toHaveLength(0);
    expect(all(ev, 'SysmonRetake')).toHaveLength(0);
    expect(all(ev, 'GoStart', { g: 2 })).toHaveLength(0);
  });

  function manySleepers(n: number, maxThreads: number) {
    let progress = 0;
    let progressAtFirstWake = -1;
    const res = runSimulated(
      function* () {
        const wg = new WaitGroup();
        wg.add(n + 1);
        for (let i = 0; i < n; i++)
          go(function* (): Go<void> {
            yield* Syscall(SYS_NANOSLEEP, 2e9, 0, 0);
            if (progressAtFirstWake < 0) progressAtFirstWake = progress;
            wg.done();
          });
        go(function* (): Go<void> {
          for (let i = 0; i < 2000; i++) {
            yield* work(100_000);
            progress++;
          }
          wg.done();
        });
        yield* wg.wait();
      },
      { gomaxprocs: 4, seed: 1, maxThreads, trace: false, model },
    );
    return { res, progress: () => progressAtFirstWake };
  }

  it('4: 10,000 goroutines blocked in syscalls: each holds an M, and the Ps keep running other work', () => {
    const { res, progress } = manySleepers(10_000, 20_000);
    expect(res.status).toBe(0);
    // Every sleeping goroutine holds a thread; a few more run the Ps, plus sysmon.
    expect(res.threads).toBeGreaterThan(10_000);
    expect(res.threads).toBeLessThanOrEqual(10_000 + 4 + 2);
    // The worker finished its 200 ms of work before any 2 s sleep ended.
    expect(progress()).toBe(2000);
  });

  it('4b: with Go\'s default limit of 10000 threads the same program dies of thread exhaustion', () => {
    const { res } = manySleepers(10_000, 10_000);
    expect(res.status).toBe(2);
    expect(res.fatal.split('\n').slice(0, 2)).toEqual(['runtime: program exceeds 10000-thread limit', 'fatal error: thread exhaustion']);
    expect(res.threads).toBe(10_000);
  });

  it('5: a long syscall on a P with an empty run queue, another P idle: retaken only after 10 ms', () => {
    const res = runSimulated(
      function* () {
        const wg = new WaitGroup();
        wg.add(1);
        go(function* (): Go<void> {
          yield* Syscall(SYS_NANOSLEEP, 30e6, 0, 0);
          wg.done();
        });
        yield* wg.wait();
      },
      { gomaxprocs: 2, seed: 3, model },
    );
    expect(res.status).toBe(0);
    const ev = res.trace.events;
    const enter = find(ev, 'SyscallEnter', { g: 2 });
    const retakes = all(ev, 'SysmonRetake');
    expect(retakes).toHaveLength(1);
    const after = retakes[0]!.ts - enter.ts;
    expect(after).toBeGreaterThanOrEqual(FORCE_PREEMPT_NS);
    expect(after).toBeLessThan(FORCE_PREEMPT_NS + 3_000_000);
    // Nothing to run: the retaken P goes idle rather than to a new M.
    expect(find(ev, 'Handoff', { p: enter.p }).args?.['to']).toBe(-1);
    expect(all(ev, 'MCreate').filter((e) => e.ts > enter.ts)).toHaveLength(0);
    const exit = find(ev, 'GoSysExit', { g: 2 });
    expect(exit.args).toMatchObject({ fast: true, retaken: true });
    expect(exit.ts - enter.ts).toBeGreaterThanOrEqual(30e6);
  });

  it('while a Syscall blocks, its P is _Psyscall (go1.25) or stays _Prunning with the G in _Gsyscall (go1.26)', () => {
    let r = 0;
    let seen = '';
    const res = runSimulated(
      function* () {
        const wg = new WaitGroup();
        wg.add(1);
        let reader: G | null = null;
        go(function* (): Go<void> {
          reader = getsched().getg();
          yield* Syscall(SYS_READ, r, 0, 1);
          wg.done();
        });
        go(function* (): Go<void> {
          while (reader?.status !== GStatus._Gsyscall) yield* work(1_000);
          const m = reader.m!;
          const pp = m.oldp!;
          seen = `${pStatusName(pp.status)} p.m=${pp.m === m ? 'its M' : pp.m ? 'another M' : 'nil'} g=${gStatusName(reader.status)}`;
          yield* Syscall(SYS_WRITE, r + 1, 0, 1);
        });
        yield* wg.wait();
      },
      { gomaxprocs: 2, seed: 1, model },
      (os) => ([r] = os.pipe()),
    );
    expect(res.fatal).toBe('');
    expect(seen).toBe(model === 'go1.25' ? '_Psyscall p.m=nil g=_Gsyscall' : '_Prunning p.m=its M g=_Gsyscall');
  });
});
