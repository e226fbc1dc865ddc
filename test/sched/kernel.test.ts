// The same scenarios through the real kernel (runtime/kernel) instead of the simulated
// OS: Ms are kernel threads of one process, pipes and sleeps are the kernel's, buffers
// live in guest memory, and the strace log shows each M's thread. Only the OS adapter
// differs from scenarios.test.ts.
import { describe, expect, it } from 'vitest';
import { go, runOnKernel, WaitGroup, work, type KernelOS } from '../../runtime/sched/index.ts';
import { Pointer, RawSyscall, Syscall, type Go } from '../../runtime/syscall.ts';
import { Strace } from '../../runtime/trace/index.ts';
import { NR, TABLES } from '../kernel/harness.ts';
import { all, find } from './query.ts';

const BUF = 0x6010_0000;

/** pipe2 on the main thread before the program starts; a buffer page for the goroutines. */
function prepare(os: KernelOS, strace: string[]): [number, number] {
  new Strace(os.kernel, { write: (l) => strace.push(l) });
  const mem = os.main.process.mem;
  mem.map(BUF, 4096, 3);
  os.main.process.addMapping(BUF, BUF + 4096, 3);
  const regsOut = BUF + 4000;
  const r = os.attempt(os.main, NR['pipe2']!, [regsOut, 0]);
  if (r !== 0) throw new Error(`pipe2 failed: ${String(r)}`);
  return [mem.readU32(regsOut), mem.readU32(regsOut + 4)];
}

function readerWriter(raw: boolean, clock: 'scheduler' | 'kernel' = 'scheduler') {
  const strace: string[] = [];
  let fds: [number, number] = [0, 0];
  let got = -1;
  let text = '';
  const res = runOnKernel(
    function* () {
      const wg = new WaitGroup();
      wg.add(2);
      go(function* B(): Go<void> {
        // As generated wrappers do: the bytes are pinned in guest memory for the call.
        const msg = new TextEncoder().encode('hello');
        yield* Syscall(NR['write']!, fds[1], Pointer(msg), msg.length);
        yield* work(50_000);
        wg.done();
      });
      go(function* A(): Go<void> {
        const call = raw ? RawSyscall : Syscall;
        [got] = (yield* call(NR['read']!, fds[0], BUF, 64)) as [number, number, number];
        wg.done();
      });
      yield* wg.wait();
    },
    { tables: TABLES, gomaxprocs: 1, seed: 7, clock },
    (os) => (fds = prepare(os, strace)),
  );
  if (got > 0) text = new TextDecoder().decode(res.os.main.process.mem.read(BUF, got));
  return { res, got, text, strace };
}

describe.each(['scheduler', 'kernel'] as const)('scheduler on the kernel (the %s\'s clock)', (clock) => {
  it('Syscall read on an empty pipe: retaken P, the writer runs on a clone()d thread, the data arrives', () => {
    const { res, got, text, strace } = readerWriter(false, clock);
    if (process.env['SHOW_STRACE']) console.log(strace.join('\n'));
    expect(res.status).toBe(0);
    expect(got).toBe(5);
    expect(text).toBe('hello');
    const ev = res.trace.events;
    const aEnter = find(ev, 'SyscallEnter', { g: 3, args: { name: 'read' } });
    const retake = find(ev, 'SysmonRetake', { p: 0 }, aEnter.index);
    expect(retake.ts - aEnter.ts).toBeLessThanOrEqual(60_000);
    const bStart = find(ev, 'GoStart', { g: 2 }, retake.index);
    expect(bStart.m).not.toBe(aEnter.m);
    find(ev, 'GoSysExit', { g: 3, args: { fast: false } }, bStart.index);
    // The kernel saw the read block on M0's thread and the write on the new M's thread.
    const readTid = /^\[pid +(\d+)\] read\(3, +<unfinished \.\.\.>$/.exec(strace[1]!)?.[1];
    const writeTid = /^\[pid +(\d+)\] write\(4, "hello", 5\) += 5$/.exec(strace[2]!)?.[1];
    expect(readTid).toBe('100');
    expect(writeTid).toBeDefined();
    expect(writeTid).not.toBe(readTid);
    expect(strace[3]).toMatch(/^\[pid +100\] <\.\.\. read resumed>"hello", 64\) += 5$/);
  });

  it('RawSyscall read on an empty pipe deadlocks with the explanation', () => {
    const { res } = readerWriter(true, clock);
    expect(res.status).toBe(2);
    expect(res.fatal).toMatch(/goroutine 3 is blocked in RawSyscall read \(read waiting on .*\) on M0 and keeps P0 \(GOMAXPROCS=1: it is the only P\)/);
    expect(res.fatal).toContain('goroutine 2 is runnable on P0 but can never run');
    expect(all(res.trace.events, 'SysmonRetake')).toHaveLength(0);
  });

  it('nanosleep through the kernel blocks for its virtual duration; the P is retaken only after 10 ms', () => {
    const ts = BUF + 2048;
    const res = runOnKernel(
      function* () {
        const wg = new WaitGroup();
        wg.add(1);
        go(function* (): Go<void> {
          yield* Syscall(NR['nanosleep']!, ts, 0, 0);
          wg.done();
        });
        yield* wg.wait();
      },
      { tables: TABLES, gomaxprocs: 2, seed: 3, clock },
      (os) => {
        prepare(os, []);
        const mem = os.main.process.mem;
        mem.writeU64(ts, 0n);
        mem.writeU64(ts + 8, 30_000_000n);
      },
    );
    expect(res.status).toBe(0);
    const ev = res.trace.events;
    const enter = find(ev, 'SyscallEnter', { g: 2, args: { name: 'nanosleep' } });
    const exit = find(ev, 'SyscallExit', { g: 2, args: { result: 0 } }, enter.index);
    expect(exit.ts - enter.ts).toBeGreaterThanOrEqual(30_000_000);
    const retake = find(ev, 'SysmonRetake', { p: enter.p });
    expect(retake.ts - enter.ts).toBeGreaterThanOrEqual(10_000_000);
    expect(retake.ts - enter.ts).toBeLessThan(13_000_000);
  });
});
