// Goroutines on the machine under Go's scheduler (the default runner): blocking for real
// inside the kernel (the CPU parked in do_syscall_64 until the wait ends), deterministic in
// virtual time, with golden strace logs; a run where everyone waits stops and says on what.
//
// What the goldens show, as strace shows a Go program: M0 clones sysmon's thread first
// (tid 101), so every later line carries its [pid N]; Ms are made lazily, when sysmon
// retakes a P whose goroutine blocks in a Syscall (about two sysmon periods, ~40-60 µs of
// virtual time, while the reader waits) and clones a thread for the M it hands the P to;
// exit_group reports the other threads' exits first and the group leader's last.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as linux from '../../generated/target_linux_amd64.ts';
import { SYS_CLOCK_NANOSLEEP } from '../../generated/zsysnum_linux_amd64.ts';
import { go, Machine, Pointer, Syscall6, type MachineOptions } from '../../runtime/index.ts';

const { target } = linux;
const golden = (name: string) => new URL(`golden/${name}`, import.meta.url);
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** A struct timespec. */
function timespec(sec: number, nsec: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, BigInt(sec), true);
  v.setBigInt64(8, BigInt(nsec), true);
  return b;
}

function fds(p: Uint8Array): [number, number] {
  const v = new DataView(p.buffer);
  return [v.getInt32(0, true), v.getInt32(4, true)];
}

/** main reads a pipe that a second goroutine fills after a sleep, then closes. */
function pingPong(opts: Partial<MachineOptions> = {}) {
  const got: string[] = [];
  const m = new Machine({ target, strace: true, ...opts });
  const result = m.run(function* () {
    const p = new Uint8Array(8);
    yield* linux.pipe2(p, 0);
    const [r, w] = fds(p);
    m.go(function* () {
      yield* linux.Nanosleep(timespec(0, 5000), 0);
      yield* linux.write(w, bytes('ping'));
      yield* linux.Close(w);
    });
    yield* linux.Close(-1);
    const b = new Uint8Array(16);
    for (;;) {
      const [n, err] = yield* linux.read(r, b);
      got.push(err === null ? text(b.subarray(0, n)) : err.code);
      if (n <= 0) break;
    }
    yield* linux.write(1, bytes(got.join(',') + '\n'));
  });
  return { m, result, got };
}

function checkGolden(name: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN) writeFileSync(golden(name), actual);
  expect(actual).toBe(readFileSync(golden(name), 'utf8'));
}

describe('goroutines and blocking system calls', () => {
  it('a reader blocks on an empty pipe until a writer on another thread writes', () => {
    const { result, got } = pingPong();
    expect(got).toEqual(['ping', '']);
    expect(result.stdout).toBe('ping,\n');
    expect(result.status).toBe(0);
    expect(result.virtualNs).toBeGreaterThan(5000);
    checkGolden('pipe.strace', result.strace);
  });

  it('-T durations are virtual: the blocked read lasts until sysmon retook its P, an M was cloned and the writer slept and wrote', () => {
    const { result } = pingPong({ strace: { timing: true } });
    checkGolden('pipe-timing.strace', result.strace);
  });

  it('-c counts calls and errors', () => {
    const { result } = pingPong({ strace: { summary: true } });
    checkGolden('pipe-summary.strace', result.strace);
  });

  it('a writer to a full pipe sleeps until the reader drains it', () => {
    const big = new Uint8Array(100_000).map((_, i) => i % 251);
    let received = new Uint8Array(0);
    let written = 0;
    const m = new Machine({ target });
    const result = m.run(function* () {
      const p = new Uint8Array(8);
      yield* linux.pipe2(p, 0);
      const [r, w] = fds(p);
      m.go(function* () {
        [written] = yield* linux.write(w, big);
        yield* linux.Close(w);
      });
      const chunk = new Uint8Array(16384);
      const parts: Uint8Array[] = [];
      for (;;) {
        const [n] = yield* linux.read(r, chunk);
        if (n <= 0) break;
        parts.push(chunk.slice(0, n));
      }
      received = Buffer.concat(parts);
    });
    expect(result.status).toBe(0);
    expect(written).toBe(big.length);
    expect(Buffer.from(big).equals(received)).toBe(true);
  });

  it('same seed, same bytes; the seed breaks ties between sleepers due at the same time', () => {
    const sleepers = (seed: number) => {
      const m = new Machine({ target, strace: { timing: true }, seed, gomaxprocs: 2 });
      const result = m.run(function* () {
        for (const name of ['a', 'b', 'c', 'd']) {
          go(function* () {
            // clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, {0, 500 µs}): all due at the same
            // instant. By then each sleeps in the kernel on an M of its own (sysmon retook the
            // Ps from the ones before), so all four wake at once and race for the two Ps.
            yield* Syscall6(SYS_CLOCK_NANOSLEEP, 1, 1, Pointer(timespec(0, 500_000)), 0, 0, 0);
            yield* linux.write(1, bytes(name));
          });
        }
        yield* linux.Nanosleep(timespec(0, 1_000_000), 0);
      });
      return result;
    };
    const one = sleepers(7);
    const two = sleepers(7);
    expect(two.strace).toBe(one.strace);
    expect(two.stdout).toBe(one.stdout);
    expect(two.virtualNs).toBe(one.virtualNs);
    expect(one.stdout.split('').sort().join('')).toBe('abcd');
    const orders = new Set(Array.from({ length: 8 }, (_, i) => sleepers(i + 1).stdout));
    expect(orders.size).toBeGreaterThan(1);
  });

  it('go outside a running machine is a clear error', () => {
    expect(() => go(function* () {})).toThrow(/no machine is running/);
  });

  it('stops and reports who is blocked on what when nothing can run', () => {
    const m = new Machine({ target });
    const result = m.run(function* () {
      const p = new Uint8Array(8);
      yield* linux.pipe2(p, 0);
      const [r] = fds(p);
      yield* linux.read(r, new Uint8Array(4));
    });
    expect(result.status).toBe(2);
    expect(result.deadlock).toEqual([{ goid: 1, tid: 100, waitingOn: expect.stringMatching(/pipe/) }]);
    // Go itself would hang (its checkdead counts a thread in a syscall as running); the
    // scheduler says so, and why: sysmon handed the P off, but no one can write the pipe.
    expect(result.stderr).toMatch(
      /^fatal error: no goroutine can run again - deadlock! \(Go would hang here: threads are blocked in the kernel\)\n\ngoroutine 1 is blocked in Syscall read \(pipe_read\) on M0; its P was handed off, but nothing left can wake it\.\n/,
    );
    expect(result.stderr).toMatch(/^ {2}M0: tid=100 p=nil oldp=P0 curg=1 .*: blocked in the kernel: pipe_read$/m);
  });

  it('a write to a pipe with no reader is EPIPE plus SIGPIPE, which kills the process', () => {
    const m = new Machine({ target, strace: true });
    let reached = false;
    const result = m.run(function* () {
      const p = new Uint8Array(8);
      yield* linux.pipe2(p, 0);
      const [r, w] = fds(p);
      yield* linux.Close(r);
      yield* linux.write(w, bytes('x'));
      reached = true;
    });
    expect(reached).toBe(false);
    expect(result.signal).toBe('SIGPIPE');
    expect(result.status).toBe(128 + 13);
    expect(result.strace).toContain('[pid   100] write(4, "x", 1)            = -1 EPIPE (Broken pipe)\n[pid   100] --- SIGPIPE');
  });
});
