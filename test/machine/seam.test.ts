// The seam between the machine and a goroutine runner (the scheduler plugs in here): the
// stubs' CALL runtime·entersyscall / exitsyscall reach the runner with the caller's pc and
// sp, RawSyscall reaches neither, the trace hooks bracket every call with its number, name
// and arguments (only a call that blocks, for a runner asking for syscallHooks: 'parked'), a
// blocked call parks with a SyscallBlocked the runner can wake, and an exitsyscall that takes
// the slow path parks once before the stub returns.
import { describe, expect, it } from 'vitest';
import * as linux from '../../generated/target_linux_amd64.ts';
import { SYS_GETPID, SYS_GETPPID, SYS_SCHED_YIELD } from '../../generated/zsysnum_linux_amd64.ts';
import { Machine, RawSyscall, RoundRobinRunner, Syscall, type MachineHost, type SyscallInfo } from '../../runtime/index.ts';

const { target } = linux;

class RecordingRunner extends RoundRobinRunner {
  readonly log: string[] = [];
  slowExits = 0;

  constructor(host: MachineHost, seed: number) {
    super(host, seed);
  }

  override entersyscall(pc?: number, sp?: number): void {
    this.log.push(`entersyscall pc=${pc?.toString(16)} sp=${sp?.toString(16)}`);
  }

  override exitsyscall(): boolean {
    this.log.push('exitsyscall');
    if (this.slowExits > 0) {
      this.slowExits--;
      return false;
    }
    return true;
  }

  syscallEnter(info: SyscallInfo): void {
    this.log.push(`enter ${info.name}(${info.args.slice(0, 3).join(', ')}) raw=${info.raw}`);
  }

  syscallBlock(): void {
    this.log.push('block');
  }

  syscallExit(result: number): void {
    this.log.push(`exit ${result}`);
  }
}

/** The same runner, hearing of a call only while it is parked in the kernel. */
class ParkedHooksRunner extends RecordingRunner {
  readonly syscallHooks = 'parked';
}

function machineWith(Runner: typeof RecordingRunner = RecordingRunner) {
  let runner: RecordingRunner | null = null;
  const m = new Machine({
    target,
    runner: (host, seed) => (runner = new Runner(host, seed)),
  });
  return { m, runner: runner! };
}

describe('the runner seam', () => {
  it('Syscall reaches entersyscall/exitsyscall with pc and sp; RawSyscall does not', () => {
    const { m, runner } = machineWith();
    let results: unknown[] = [];
    m.run(function* () {
      results = [yield* Syscall(SYS_GETPID, 1, 2, 3), yield* RawSyscall(SYS_GETPPID, 0, 0, 0)];
    });
    const stub = m.addressOf('syscall·Syscall');
    const main = m.threads[0]!;
    // r2 is RDX after SYSRET: the kernel leaves it as the caller's third argument, as Linux does.
    expect(results).toEqual([[100, 3, 0], [1, 0, 0]]);
    expect(runner.log).toEqual([
      `entersyscall pc=${(stub + 5).toString(16)} sp=${(main.userStackTop - 512).toString(16)}`,
      'enter getpid(1, 2, 3) raw=false',
      'exit 100',
      'exitsyscall',
      'enter getppid(0, 0, 0) raw=true',
      'exit 1',
      'enter exit_group(0, 0, 0) raw=true',
    ]);
  });

  const pingPipe = (slowExits: number, Runner: typeof RecordingRunner = RecordingRunner) => {
    const { m, runner } = machineWith(Runner);
    runner.slowExits = slowExits;
    const order: string[] = [];
    const result = m.run(function* () {
      const p = new Uint8Array(8);
      yield* linux.pipe2(p, 0);
      const v = new DataView(p.buffer);
      const [r, w] = [v.getInt32(0, true), v.getInt32(4, true)];
      m.go(function* () {
        order.push('writer runs');
        yield* linux.write(w, new Uint8Array([42]));
        order.push('write returned');
      });
      const [n] = yield* linux.read(r, new Uint8Array(1));
      order.push(`read ${n}`);
      yield* Syscall(SYS_SCHED_YIELD, 0, 0, 0); // let the writer finish before main returns
    });
    return { result, order, log: runner.log };
  };

  it('a blocked call parks with a SyscallBlocked the runner wakes', () => {
    const { result, order, log } = pingPipe(0);
    expect(result.status).toBe(0);
    expect(order).toEqual(['writer runs', 'write returned', 'read 1']);
    const read = log.findIndex((l) => l.startsWith('enter read(3, '));
    expect(log.slice(read + 1, read + 3)).toEqual(['block', 'entersyscall' + log[read + 2]!.slice('entersyscall'.length)]);
    expect(log.filter((l) => l === 'exitsyscall').length).toBe(result.exitsyscall);
  });

  it("with syscallHooks: 'parked', the hooks hear only of a call that blocks, just before it parks", () => {
    const every = pingPipe(0).log;
    const { result, order, log } = pingPipe(0, ParkedHooksRunner);
    expect(result.status).toBe(0);
    expect(order).toEqual(['writer runs', 'write returned', 'read 1']);
    // the same calls and scheduler calls; of the hooks, only the blocked read's
    const hooks = (l: string) => l.startsWith('enter ') || l.startsWith('exit ') || l === 'block';
    expect(log.filter((l) => !hooks(l))).toEqual(every.filter((l) => !hooks(l)));
    const read = log.findIndex((l) => l.startsWith('enter read(3, '));
    expect(log.filter(hooks)).toEqual([log[read], 'block', 'exit 1']);
    expect(log[read + 1]).toBe('block');
  });

  it('an exitsyscall without a P parks the goroutine before its stub returns', () => {
    const { order } = pingPipe(1);
    expect(order).toEqual(['writer runs', 'read 1', 'write returned']);
  });
});
