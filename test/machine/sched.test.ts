// Go's G/M/P scheduler running the real machine: the generated linux/amd64 wrappers run the
// Go stubs on the emulated CPU (CALL runtime·entersyscall, SYSCALL into the kernel, CALL
// runtime·exitsyscall), pipes block for real in the kernel, and every M is a kernel thread
// cloned through the kernel, so its clone and its tid show in strace (M0 is the process's
// main thread, tid 100; M0 clones sysmon's thread first, tid 101). The five scenarios of
// the scheduler issue, the register handoff when a goroutine resumes on another M, Ms that
// end with their thread, and determinism, all under both models: Go <= 1.25 (the P
// detached into _Psyscall) and the go1.26 option (the P stays _Prunning with its M).
import { beforeEach, describe, expect, it } from 'vitest';
import * as linux from '../../generated/target_linux_amd64.ts';
import { SYS_CLONE, SYS_EXIT, SYS_GETPID, SYS_NANOSLEEP, SYS_READ } from '../../generated/zsysnum_linux_amd64.ts';
import { go, Machine, Pointer, RawSyscall, renderPerfetto, Syscall, work, type Go, type MachineOptions } from '../../runtime/index.ts';
import { SYSMON_MIN_DELAY, FORCE_PREEMPT_NS, type TraceEvent } from '../../runtime/sched/index.ts';
import { all, find, indexOf } from '../sched/query.ts';

const { target } = linux;
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function timespec(nsec: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, BigInt(Math.floor(nsec / 1e9)), true);
  v.setBigInt64(8, BigInt(nsec % 1e9), true);
  return b;
}

function* pipe(): Go<[number, number]> {
  const p = new Uint8Array(8);
  const [err] = yield* linux.pipe2(p, 0);
  if (err !== null) throw new Error(`pipe2: ${String(err)}`);
  const v = new DataView(p.buffer);
  return [v.getInt32(0, true), v.getInt32(4, true)];
}

/** The model the tests of the describe.each below run under. */
let model: 'go1.25' | 'go1.26' = 'go1.25';

function machine(opts: Partial<MachineOptions> = {}): Machine {
  return new Machine({ target, strace: true, model, trace: true, ...opts });
}

const events = (r: ReturnType<Machine["run"]>): readonly TraceEvent[] => r.sched!.trace.events;

/** A reads an empty pipe (Syscall or RawSyscall) while B, already runnable, writes it. */
function readerAndRunnableWriter(raw: boolean, seed = 1) {
  const m = machine({ gomaxprocs: 1, seed });
  const got: string[] = [];
  const result = m.run(function* () {
    const [r, w] = yield* pipe();
    go(function* () {
      yield* linux.write(w, bytes('ping'));
      yield* work(20_000);
    });
    const b = new Uint8Array(16);
    const [n] = raw ? yield* RawSyscall(SYS_READ, r, Pointer(b), b.length) : yield* Syscall(SYS_READ, r, Pointer(b), b.length);
    got.push(text(b.subarray(0, Number(n))));
    yield* linux.write(1, bytes(got.join(',') + '\n'));
  });
  return { result, got };
}

describe.each(['go1.25', 'go1.26'] as const)('the G/M/P scheduler on the machine (%s model)', (which) => {
  beforeEach(() => {
    model = which;
  });

  it('1: a short syscall (getpid through Syscall) keeps its P on the fast path: no handoff, no new M', () => {
    const m = machine({ gomaxprocs: 2 });
    const pids: number[] = [];
    const result = m.run(function* () {
      for (let i = 0; i < 5; i++) {
        const [pid] = yield* Syscall(SYS_GETPID, 0, 0, 0);
        pids.push(Number(pid));
      }
    });
    expect(result.status).toBe(0);
    expect(pids).toEqual([100, 100, 100, 100, 100]);
    const ev = events(result);
    const exits = all(ev, 'GoSysExit', { g: 1 });
    expect(exits).toHaveLength(5);
    for (const e of exits) expect(e.args).toMatchObject({ fast: true, sameP: true, retaken: false });
    expect(all(ev, 'SysmonRetake')).toHaveLength(0);
    expect(all(ev, 'Handoff')).toHaveLength(0);
    // M0 and sysmon's M only: one clone, sysmon's, and every call on the main thread.
    expect(result.sched!.threads).toBe(2);
    expect(result.strace.split('\n')[0]).toMatch(/^clone\(child_stack=0x[0-9a-f]+, flags=CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_SIGHAND\|CLONE_THREAD\|CLONE_SYSVSEM\) = 101$/);
    expect(result.strace.match(/clone\(/g)).toHaveLength(1);
    expect(result.strace.match(/^\[pid +100\] getpid\(\) += 100$/gm)).toHaveLength(5);
    expect(result.entersyscall).toBe(5);
    expect(result.exitsyscall).toBe(5);
  });

  it('2: GOMAXPROCS=1, A blocks in Syscall read: sysmon retakes the P within two periods, B runs on a new M and writes, A goes to the global queue and runs after B', () => {
    const { result, got } = readerAndRunnableWriter(false);
    expect(result.status).toBe(0);
    expect(got).toEqual(['ping']);
    // sysmon (tid 101) retakes the P and clones the M (tid 102) B runs on.
    const lines = result.strace.split('\n');
    expect(lines[2]).toMatch(/^\[pid +100\] read\(3, +<unfinished \.\.\.>$/);
    expect(lines[3]).toMatch(/^\[pid +101\] clone\(child_stack=0x[0-9a-f]+, flags=[A-Z_|]+\) = 102$/);
    expect(lines[4]).toMatch(/^\[pid +102\] write\(4, "ping", 4\) += 4$/);
    expect(lines[5]).toMatch(/^\[pid +100\] <\.\.\. read resumed>"ping", 16\) += 4$/);
    const ev = events(result);
    const block = find(ev, 'SyscallBlock', { g: 1 });
    const enter = find(ev, 'SyscallEnter', { g: 1, args: { name: 'read' } });
    const retake = find(ev, 'SysmonRetake', { p: 0 }, enter.index);
    // sysmon must see the same syscalltick on two passes: one or two periods of 20 µs.
    expect(retake.ts - block.ts).toBeGreaterThan(0);
    expect(retake.ts - enter.ts).toBeLessThanOrEqual(2 * SYSMON_MIN_DELAY);
    const bStart = find(ev, 'GoStart', { g: 2 }, retake.index);
    expect(bStart.m).not.toBe(0);
    const bWrite = find(ev, 'SyscallExit', { g: 2, args: { name: 'write' } }, bStart.index);
    const aExit = find(ev, 'GoSysExit', { g: 1 }, bWrite.index);
    expect(aExit.args).toMatchObject({ fast: false });
    // A waits on the global queue while B holds the only P for its 20 µs of work.
    const aStart = find(ev, 'GoStart', { g: 1 }, aExit.index);
    const bEnd = find(ev, 'GoEnd', { g: 2 });
    expect(aStart.index).toBeGreaterThan(bEnd.index);
    expect(aStart.ts - aExit.ts).toBeGreaterThanOrEqual(15_000);
    expect(aStart.m).toBe(bStart.m);
    // A's next call runs on the M it resumed on.
    expect(lines[6]).toMatch(/^\[pid +102\] write\(1, "ping\\n", 5\) += 5$/);
  });

  it('3: the same with RawSyscall is a diagnosed deadlock: the raw call keeps the only P', () => {
    const { result, got } = readerAndRunnableWriter(true);
    expect(got).toEqual([]);
    expect(result.status).toBe(2);
    expect(result.sched!.ended).toBe('fatal');
    expect(result.stderr).toContain('goroutine 1 is blocked in RawSyscall read (pipe_read) on M0 and keeps P0 (GOMAXPROCS=1: it is the only P)');
    expect(result.stderr).toContain('RawSyscall does not call entersyscall, so the P stays _Prunning and sysmon cannot retake it');
    expect(result.stderr).toContain('goroutine 2 is runnable on P0 but can never run');
    expect(result.strace).not.toMatch(/write\(4/);
    expect(all(events(result), 'SysmonRetake')).toHaveLength(0);
  });

  it('4: many goroutines blocked in syscalls: Ms grow with the blocked calls while the Ps keep running other work', () => {
    // 29 or more used to make findRunnable loop forever (a P handed to an M not yet started
    // held the work; test/sched/regressions.test.ts); 200 each on its own M now.
    const sleepers = 200;
    const m = machine({ gomaxprocs: 2, strace: false });
    let workerDone = -1;
    let sleepersDone = 0;
    const result = m.run(function* () {
      for (let i = 0; i < sleepers; i++) {
        go(function* () {
          yield* Syscall(SYS_NANOSLEEP, Pointer(timespec(5_000_000)), 0, 0);
          sleepersDone++;
        });
      }
      go(function* () {
        for (let i = 0; i < 100; i++) yield* work(10_000);
        workerDone = m.clock.now();
      });
      yield* Syscall(SYS_NANOSLEEP, Pointer(timespec(20_000_000)), 0, 0);
    });
    expect(result.status).toBe(0);
    expect(sleepersDone).toBe(sleepers);
    const ev = events(result);
    // Each blocked call holds its M: at least one M per sleeper, plus sysmon's.
    expect(result.sched!.threads).toBeGreaterThan(sleepers);
    expect(all(ev, 'SysmonRetake').length).toBeGreaterThanOrEqual(sleepers);
    // The worker's 1 ms of Go code finished while the sleepers were still in the kernel.
    expect(workerDone).toBeGreaterThan(0);
    expect(workerDone).toBeLessThan(5_000_000);
  });

  it('5: a long syscall with an empty run queue and an idle P is retaken only after 10 ms', () => {
    const m = machine({ gomaxprocs: 2 });
    const result = m.run(function* () {
      yield* Syscall(SYS_NANOSLEEP, Pointer(timespec(30_000_000)), 0, 0);
    });
    expect(result.status).toBe(0);
    const ev = events(result);
    const enter = find(ev, 'SyscallEnter', { g: 1, args: { name: 'nanosleep' } });
    const retake = find(ev, 'SysmonRetake', { p: 0 }, enter.index);
    expect(retake.ts - enter.ts).toBeGreaterThanOrEqual(FORCE_PREEMPT_NS);
    expect(retake.ts - enter.ts).toBeLessThan(30_000_000);
    // Nothing retook it before: sysmon watched the whole time.
    expect(indexOf(ev, 'SysmonRetake')).toBe(retake.index);
    expect(all(ev, 'SysmonWake', {}).filter((e) => e.ts < retake.ts && e.ts > enter.ts).length).toBeGreaterThan(10);
  });

  it('a goroutine that waited for a P resumes on another M with its registers: the return from exitsyscall runs on the new CPU, and its next calls show the new tid', () => {
    const m = machine({ gomaxprocs: 1 });
    const got: string[] = [];
    const handles: Array<{ thread: object }> = [];
    const threads: object[] = [];
    const result = m.run(function* () {
      const [r, w] = yield* pipe();
      go(function* () {
        yield* linux.write(w, bytes('ping'));
        yield* work(20_000);
      });
      const b = new Uint8Array(16);
      const before = m.runner.current();
      handles.push(before);
      threads.push(before.thread);
      const [n] = yield* linux.read(r, b);
      const after = m.runner.current();
      handles.push(after);
      threads.push(after.thread);
      got.push(text(b.subarray(0, n)));
      const [tid] = yield* linux.Gettid();
      got.push(String(tid));
      yield* linux.write(1, bytes(got.join(',')));
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    // The runner's current() is the goroutine's identity: one object across the move to
    // another M, whose thread it then names (runner.ts).
    expect(handles[1]).toBe(handles[0]);
    expect(threads[1]).not.toBe(threads[0]);
    const ev = events(result);
    const aSlow = find(ev, 'GoSysExit', { g: 1, args: { fast: false } });
    const aResume = find(ev, 'GoStart', { g: 1 }, aSlow.index);
    expect(aSlow.m).toBe(0);
    expect(aResume.m).not.toBe(0);
    // M0's CPU stopped at runtime·exitsyscall and never ran the goroutine's return: the
    // registers went with the goroutine, and the new M's CPU ran the RETs to the call's end.
    const tid = Number(got[1]);
    const [m0, mNew] = [m.threads[0]!, m.threads.find((t) => t.tid === tid)!];
    expect(m0.cpu.rip).toBe(m.addressOf('runtime·exitsyscall'));
    expect(got[0]).toBe('ping');
    expect(tid).toBe(mNew.tid);
    expect(tid).not.toBe(100);
    const lines = result.strace.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\[pid +${tid}\\] gettid\\(\\) += ${tid}$`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\[pid +${tid}\\] write\\(1, "ping,${tid}", \\d+\\) += \\d+$`)));
    expect(result.stdout).toBe(`ping,${tid}`);
  });

  it('while a goroutine waits for a P, the M it left runs another goroutine: the frame and pinned buffer of the waiting call survive', () => {
    const m = machine({ gomaxprocs: 1 });
    const got: string[] = [];
    const result = m.run(function* () {
      const [r, w] = yield* pipe();
      go(function* () {
        // B starts C (runnext), wakes A, then blocks: the P goes to C, on A's old M.
        go(function* () {
          yield* Syscall(SYS_GETPID, 0, 0, 0);
          yield* linux.write(1, bytes('C '));
          yield* Syscall(SYS_NANOSLEEP, Pointer(timespec(100_000)), 0, 0);
        });
        yield* linux.write(w, bytes('ping'));
        yield* Syscall(SYS_NANOSLEEP, Pointer(timespec(1_000_000)), 0, 0);
      });
      const b = new Uint8Array(16);
      const [n] = yield* linux.read(r, b);
      got.push(text(b.subarray(0, n)));
      const [tid] = yield* linux.Gettid();
      got.push(String(tid));
      yield* linux.write(1, bytes('A ' + got.join(',')));
    });
    expect(result.stderr).toBe('');
    const ev = events(result);
    const aSlow = find(ev, 'GoSysExit', { g: 1, args: { fast: false } });
    const cStart = find(ev, 'GoStart', { g: 3 }, aSlow.index);
    const aResume = find(ev, 'GoStart', { g: 1 }, aSlow.index);
    expect(aSlow.m).toBe(0);
    expect(cStart.m).toBe(0);
    expect(cStart.index).toBeLessThan(aResume.index);
    expect(aResume.m).not.toBe(0);
    const lines = result.strace.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^\[pid +100\] getpid\(\) += 100$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\[pid +100\] write\(1, "C ", 2\) += 2$/));
    expect(got[0]).toBe('ping');
    expect(Number(got[1])).not.toBe(100);
    expect(result.stdout).toBe(`C A ping,${got[1]}`);
  });

  it('a goroutine that resumes on another M after waiting for a P goes on with that M\'s thread, while its old M is blocked in the kernel for another goroutine', () => {
    // A waits for a P after its read; meanwhile its old M runs C, which blocks reading
    // pipe 2. A then resumes on a new M. It used to go on with its old thread, serve C's
    // blocked read as if it were its own and sit on the only P as a "running" goroutine
    // blocked in the kernel: a false deadlock.
    const m = machine({ gomaxprocs: 1 });
    const got: string[] = [];
    const result = m.run(function* () {
      const [r1, w1] = yield* pipe();
      const [r2, w2] = yield* pipe();
      go(function* () {
        go(function* () {
          const b = new Uint8Array(8);
          const [n] = yield* linux.read(r2, b);
          got.push(`C ${text(b.subarray(0, n))}`);
        });
        yield* linux.write(w1, bytes('one'));
        yield* Syscall(SYS_NANOSLEEP, Pointer(timespec(1_000_000)), 0, 0);
        yield* linux.write(w2, bytes('two'));
      });
      const b = new Uint8Array(8);
      const [n] = yield* linux.read(r1, b);
      got.push(`A ${text(b.subarray(0, n))}`);
      yield* Syscall(SYS_NANOSLEEP, Pointer(timespec(2_000_000)), 0, 0);
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(got).toEqual(['A one', 'C two']);
    const ev = events(result);
    const aSlow = find(ev, 'GoSysExit', { g: 1, args: { fast: false } });
    const cStart = find(ev, 'GoStart', { g: 3 }, aSlow.index);
    const aResume = find(ev, 'GoStart', { g: 1 }, aSlow.index);
    expect(cStart.m).toBe(aSlow.m);
    expect(aResume.m).not.toBe(aSlow.m);
    const cBlock = find(ev, 'SyscallBlock', { g: 3 }, cStart.index);
    expect(cBlock.index).toBeLessThan(aResume.index);
    const lines = result.strace.split('\n');
    const tidOf = (re: RegExp) => lines.find((l) => re.test(l))?.match(/^\[pid +(\d+)\]/)?.[1];
    expect(tidOf(/read\(5, /)).toBe(tidOf(/read\(3, /));
    expect(tidOf(/nanosleep\(\{tv_sec=0, tv_nsec=2000000\}/)).not.toBe(tidOf(/read\(3, /));
  });

  {
    for (const raw of [false, true]) {
      it(`a goroutine whose thread exits (exit(2) through ${raw ? 'RawSyscall' : 'Syscall'}) ends with its M; its P goes on to the other goroutines`, () => {
        const m = machine({ gomaxprocs: 1 });
        const got: string[] = [];
        const result = m.run(function* () {
          go(function* () {
            got.push('A');
            yield* (raw ? RawSyscall : Syscall)(SYS_EXIT, 0, 0, 0);
            got.push('A after exit');
          });
          go(function* () {
            yield* work(1_000);
            const [pid] = yield* Syscall(SYS_GETPID, 0, 0, 0);
            got.push(`B ${pid}`);
          });
          yield* Syscall(SYS_NANOSLEEP, Pointer(timespec(200_000)), 0, 0);
        });
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        expect([...got].sort()).toEqual(['A', 'B 100']);
        const ev = events(result);
        const exited = find(ev, 'MExit', {});
        expect(find(ev, 'GoEnd', { g: 2 }).m).toBe(exited.m);
        // B runs on another M, never again on the exited one.
        expect(all(ev, 'GoStart').filter((e) => e.ts >= exited.ts && e.m === exited.m)).toEqual([]);
        expect(result.strace).toMatch(/\[pid +(\d+)\] exit\(0\) += \?\n\[pid +\1\] \+\+\+ exited with 0 \+\+\+\n/);
      });
    }
  }

  it('a program\'s own clone gets no thread: only the scheduler\'s Ms have CPUs to run on (ENOSYS); bad flag sets are EINVAL', () => {
    const m = machine();
    const errs: number[] = [];
    const result = m.run(function* () {
      errs.push((yield* RawSyscall(SYS_CLONE, 0x10000 | 0x800 | 0x100, 0, 0))[2]);
      errs.push((yield* RawSyscall(SYS_CLONE, 0x10000, 0, 0))[2]);
    });
    expect(result.status).toBe(0);
    expect(errs).toEqual([38, 22]);
    expect(result.strace).toContain('[pid   100] clone(child_stack=NULL, flags=CLONE_VM|CLONE_SIGHAND|CLONE_THREAD) = -1 ENOSYS (Function not implemented)\n');
    expect(result.sched!.threads).toBe(2);
  });

  it('same seed, byte-identical strace and trace JSON; another seed may differ but runs the same program', () => {
    const one = readerAndRunnableWriter(false, 7).result;
    const two = readerAndRunnableWriter(false, 7).result;
    expect(two.strace).toBe(one.strace);
    expect(renderPerfetto(two.sched!.trace)).toBe(renderPerfetto(one.sched!.trace));
    expect(two.virtualNs).toBe(one.virtualNs);
    const other = readerAndRunnableWriter(false, 8).result;
    expect(other.stdout).toBe(one.stdout);
  });
});
