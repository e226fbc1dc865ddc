// The scheduler driving the real machine (runtime/machine: Go stubs on the emulated CPU,
// the kernel behind SYSCALL): the machine's default runner is runtime/sched's scheduler
// (runtime/machine/sched-runner.ts), so a plain Machine is all it takes.
import { describe, expect, it } from 'vitest';
import * as linux from '../../generated/target_linux_amd64.ts';
import { SYS_READ } from '../../generated/zsysnum_linux_amd64.ts';
import { Machine, Pointer, RawSyscall, work } from '../../runtime/index.ts';
import { find } from './query.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

function timespec(nsec: number): Uint8Array {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setBigInt64(8, BigInt(nsec), true);
  return b;
}

/** main reads an empty pipe (through Syscall or RawSyscall); a second goroutine sleeps, then writes. */
function readerWriter(raw: boolean) {
  const m = new Machine({ target: linux.target, strace: true, gomaxprocs: 1, trace: true });
  const got: string[] = [];
  const result = m.run(function* () {
    const p = new Uint8Array(8);
    yield* linux.pipe2(p, 0);
    const v = new DataView(p.buffer);
    const [r, w] = [v.getInt32(0, true), v.getInt32(4, true)];
    m.go(function* () {
      yield* linux.Nanosleep(timespec(5000), 0);
      yield* linux.write(w, bytes('ping'));
      yield* work(50_000);
    });
    const b = new Uint8Array(16);
    if (raw) {
      const [n] = yield* RawSyscall(SYS_READ, r, Pointer(b), b.length);
      got.push(new TextDecoder().decode(b.subarray(0, Number(n))));
    } else {
      const [n] = yield* linux.read(r, b);
      got.push(new TextDecoder().decode(b.subarray(0, n)));
    }
    yield* linux.write(1, bytes(got.join(',') + '\n'));
  });
  return { result, got, sched: result.sched! };
}

describe('the scheduler on the machine', () => {
  it('GOMAXPROCS=1: main blocks in Syscall read, sysmon retakes the P, the writer runs on a new thread, main resumes on it', () => {
    const { result, got, sched } = readerWriter(false);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('ping\n');
    expect(got).toEqual(['ping']);
    expect(sched.ended).toBe('exit');
    // M0 cloned sysmon's thread (101) at start-up; sysmon cloned the writer's M (102).
    const lines = result.strace.split('\n');
    expect(lines[0]).toMatch(/^clone\(.*\) = 101$/);
    expect(lines[2]).toMatch(/^\[pid +100\] read\(3, +<unfinished \.\.\.>$/);
    expect(lines[3]).toMatch(/^\[pid +101\] clone\(.*\) = 102$/);
    expect(lines[4]).toMatch(/^\[pid +102\] nanosleep\(/);
    expect(lines[5]).toMatch(/^\[pid +102\] write\(4, "ping", 4\) += 4$/);
    expect(lines[6]).toMatch(/^\[pid +100\] <\.\.\. read resumed>"ping", 16\) += 4$/);
    // After the slow path main went to the global queue and ran on the writer's thread.
    expect(lines[7]).toMatch(/^\[pid +102\] write\(1, "ping\\n", 5\) += 5$/);
    const ev = sched.trace.events;
    const enter = find(ev, 'SyscallEnter', { g: 1, args: { name: 'read' } });
    const retake = find(ev, 'SysmonRetake', { p: 0 }, enter.index);
    expect(retake.ts - enter.ts).toBeLessThanOrEqual(60_000);
    find(ev, 'GoSysExit', { g: 1, args: { fast: false } }, retake.index);
  });

  it('GOMAXPROCS=1: the same read through RawSyscall keeps the only P; the writer never runs', () => {
    const { result, sched } = readerWriter(true);
    expect(sched.ended).toBe('fatal');
    expect(sched.fatal).toContain('goroutine 1 is blocked in RawSyscall read');
    expect(sched.fatal).toContain('goroutine 2 is runnable on P0 but can never run');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^fatal error: no goroutine can run again - deadlock! \(Go would hang here: threads are blocked in the kernel\)\n/);
    expect(result.strace).not.toMatch(/nanosleep/);
  });
});
