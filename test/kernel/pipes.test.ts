// Pipes with real blocking, driven by the deterministic driver: readers sleep until data
// or EOF, writers to a full pipe sleep, wake-ups are FIFO, EPIPE comes with SIGPIPE,
// O_NONBLOCK gives EAGAIN, and a run with nobody able to proceed reports deadlock.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linux, sys, type ThreadBody } from '../../runtime/kernel/index.ts';
import { Strace } from '../../runtime/trace/index.ts';
import { call, ERRNO, machine, text, type TestMachine } from './harness.ts';

const err = (name: string) => -ERRNO[name]!;

function pipeFds(m: TestMachine, flags = 0): [number, number] {
  const p = m.arena.alloc(8);
  expect(call(m, 'pipe2', p, flags)).toBe(0);
  return [m.mem.readU32(p), m.mem.readU32(p + 4)];
}

describe('pipes', () => {
  it('a reader blocks until a writer thread writes, then sees EOF when writers close', () => {
    const m = machine();
    const [r, w] = pipeFds(m);
    const writer = m.kernel.spawnThread(m.thread.process);
    const buf = m.arena.alloc(64);
    const got: number[] = [];
    m.driver.spawn(
      m.thread,
      (function* (): ThreadBody {
        got.push(yield sys('read', r, buf, 64));
        got.push(yield sys('read', r, buf, 64));
      })(),
    );
    m.driver.spawn(
      writer,
      (function* (): ThreadBody {
        yield sys('write', w, m.arena.str('ping'), 4);
        yield sys('close', w);
      })(),
    );
    const result = m.driver.run();
    expect(result.deadlocked).toEqual([]);
    expect(got).toEqual([4, 0]);
    expect(m.arena.text(buf, 4)).toBe('ping');
  });

  it('a writer to a full pipe blocks until the reader drains it; all 100000 bytes arrive in order', () => {
    const m = machine();
    const [r, w] = pipeFds(m);
    const size = 100_000;
    const src = m.arena.alloc(size);
    m.mem.write(src, Uint8Array.from({ length: size }, (_, i) => (i * 7) & 0xff));
    const dst = m.arena.alloc(size);
    const reader = m.kernel.spawnThread(m.thread.process);
    let wrote = 0;
    let read = 0;
    m.driver.spawn(
      m.thread,
      (function* (): ThreadBody {
        wrote = yield sys('write', w, src, size);
        yield sys('close', w);
      })(),
    );
    m.driver.spawn(
      reader,
      (function* (): ThreadBody {
        for (;;) {
          const n = yield sys('read', r, dst + read, 4096);
          if (n <= 0) break;
          read += n;
        }
      })(),
    );
    expect(m.driver.run().deadlocked).toEqual([]);
    expect(wrote).toBe(size);
    expect(read).toBe(size);
    expect(Buffer.compare(m.mem.read(dst, size), m.mem.read(src, size))).toBe(0);
  });

  it('property: whatever the write and read sizes, the reader gets exactly the bytes written, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 90_000 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 5 }),
        (writes, readSizes) => {
          const m = machine();
          const [r, w] = pipeFds(m);
          const total = writes.reduce((a, b) => a + b, 0);
          const src = m.arena.alloc(Math.max(...writes, 1));
          m.mem.write(src, Uint8Array.from({ length: Math.max(...writes, 1) }, (_, i) => (i * 31 + 7) & 0xff));
          const expected: number[] = [];
          for (const n of writes) for (let i = 0; i < n; i++) expected.push(((i * 31 + 7) & 0xff));
          const dst = m.arena.alloc(70_000);
          const got: number[] = [];
          const reader = m.kernel.spawnThread(m.thread.process);
          m.driver.spawn(
            m.thread,
            (function* (): ThreadBody {
              for (const n of writes) expect(yield sys('write', w, src, n)).toBe(n);
              yield sys('close', w);
            })(),
          );
          m.driver.spawn(
            reader,
            (function* (): ThreadBody {
              for (let i = 0; ; i++) {
                const n = yield sys('read', r, dst, readSizes[i % readSizes.length]!);
                if (n === 0) break;
                expect(n).toBeGreaterThan(0);
                got.push(...m.mem.read(dst, n));
              }
            })(),
          );
          expect(m.driver.run().deadlocked).toEqual([]);
          expect(got.length).toBe(total);
          expect(Buffer.compare(Buffer.from(got), Buffer.from(expected))).toBe(0);
        },
      ),
      { numRuns: 40, seed: 5 },
    );
  });

  it('EAGAIN on an empty or full non-blocking pipe, ESPIPE for seeks', () => {
    const m = machine();
    const [r, w] = pipeFds(m, linux.O_NONBLOCK);
    const buf = m.arena.alloc(70_000);
    expect(call(m, 'read', r, buf, 10)).toBe(err('EAGAIN'));
    expect(call(m, 'write', w, buf, 70_000)).toBe(65_536);
    expect(call(m, 'write', w, buf, 1)).toBe(err('EAGAIN'));
    expect(call(m, 'read', r, buf, 100)).toBe(100);
    // A write of at most PIPE_BUF bytes is atomic: 100 bytes free is not enough for 200.
    expect(call(m, 'write', w, buf, 200)).toBe(err('EAGAIN'));
    expect(call(m, 'write', w, buf, 100)).toBe(100);
    expect(call(m, 'lseek', r, 0, linux.SEEK_CUR)).toBe(err('ESPIPE'));
    expect(call(m, 'pread64', r, buf, 1, 0)).toBe(err('ESPIPE'));
    expect(call(m, 'fcntl', r, linux.F_GETFL)).toBe(linux.O_NONBLOCK);
    expect(call(m, 'pipe2', m.arena.alloc(8), 0x1)).toBe(err('EINVAL'));
    expect(call(m, 'pipe', 0x10)).toBe(err('EFAULT'));
    // The failed pipe() left no descriptors behind.
    expect(call(m, 'dup', 0)).toBe(5);
  });

  it('EPIPE plus a fatal SIGPIPE when every reader is gone', () => {
    const m = machine();
    const [r, w] = pipeFds(m);
    const lines: string[] = [];
    new Strace(m.kernel, { write: (l) => lines.push(l) });
    m.driver.spawn(
      m.thread,
      (function* (): ThreadBody {
        yield sys('close', r);
        yield sys('write', w, m.arena.str('x'), 1);
        yield sys('getpid');
      })(),
    );
    m.driver.run();
    const p = m.thread.process;
    expect(p.killedBy).toBe(linux.SIGPIPE);
    expect(p.exitStatus).toBe(128 + 13);
    expect(lines.slice(-3)).toEqual([
      'write(4, "x", 1)                        = -1 EPIPE (Broken pipe)',
      '--- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, si_pid=100, si_uid=1000} ---',
      '+++ killed by SIGPIPE +++',
    ]);
  });

  it('wakes blocked readers in FIFO order', () => {
    const m = machine();
    const [r, w] = pipeFds(m);
    const order: number[] = [];
    const readers = [1, 2, 3].map(() => m.kernel.spawnThread(m.thread.process));
    readers.forEach((t, i) =>
      m.driver.spawn(
        t,
        (function* (): ThreadBody {
          yield sys('read', r, m.arena.alloc(1), 1);
          order.push(i);
        })(),
      ),
    );
    m.driver.spawn(
      m.thread,
      (function* (): ThreadBody {
        yield sys('sched_yield');
        yield sys('write', w, m.arena.str('abc'), 3);
      })(),
    );
    expect(m.driver.run().deadlocked).toEqual([]);
    expect(order).toEqual([0, 1, 2]);
  });

  it('reports a deadlock when every thread waits', () => {
    const m = machine();
    const [r] = pipeFds(m);
    m.driver.spawn(
      m.thread,
      (function* (): ThreadBody {
        yield sys('read', r, m.arena.alloc(1), 1);
      })(),
    );
    expect(m.driver.run().deadlocked).toEqual([m.thread]);
  });

  it('traces interleaved blocking calls as strace does', () => {
    const m = machine();
    const [r, w] = pipeFds(m);
    const lines: string[] = [];
    new Strace(m.kernel, { write: (l) => lines.push(l), timing: true });
    const writer = m.kernel.spawnThread(m.thread.process);
    m.driver.spawn(
      m.thread,
      (function* (): ThreadBody {
        yield sys('read', r, m.arena.alloc(16), 16);
      })(),
    );
    m.driver.spawn(
      writer,
      (function* (): ThreadBody {
        yield sys('write', w, m.arena.str('hi'), 2);
      })(),
    );
    m.driver.run();
    expect(lines.join('\n') + '\n').toBe(
      [
        '[pid   100] read(3,  <unfinished ...>',
        '[pid   101] write(4, "hi", 2)           = 2 <0.000000>',
        '[pid   101] +++ exited with 0 +++',
        // The writer ran until it ended; with one thread left, lines lose the prefix.
        '<... read resumed>"hi", 16)             = 2 <0.000000>',
        '+++ exited with 0 +++',
        '',
      ].join('\n'),
    );
    expect(text(m.kernel.stdout.bytes())).toBe('');
  });
});
