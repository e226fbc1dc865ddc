// What goroutines use to coordinate without system calls, as in Go: `go`, `Gosched`,
// virtual-time `sleep`, `work` (CPU time spent in Go code), channels (buffered and
// unbuffered, close, select), WaitGroup and Mutex. Every blocking operation is a
// generator to `yield*`; it parks the goroutine (gopark) with a wait reason Go would
// print ("chan receive", "select", "sync.WaitGroup.Wait", …) and is readied (goready) by
// the operation that lets it go on.
//
// Invariants: a parked goroutine sits in exactly one wait queue (a select in one per
// case, all dropped once one fires) and is readied exactly once; channel wait queues are
// FIFO; select polls its cases in an order drawn from the scheduler's seeded PRNG.
import type { Go, Park } from '../syscall.ts';
import { Deque } from './queue.ts';
import { getsched, type G } from './sched.ts';

/** Starts fn as a new goroutine. */
export function go(fn: () => Go<void>): void {
  getsched().go(fn);
}

/** Yields the processor: the goroutine goes to the global run queue. */
export function* Gosched(): Go<void> {
  yield { reason: 'gosched' };
}

/** Sleeps ns of virtual time (time.Sleep). */
export function* sleep(ns: number): Go<void> {
  yield { reason: 'sleep', detail: { ns } };
}

/** Spends ns of CPU time in Go code; long work is preemptible at slice boundaries. */
export function* work(ns: number): Go<void> {
  yield { reason: 'work', detail: { ns } };
}

function park(waitreason: string): Park {
  return { reason: 'park', detail: { waitreason } };
}

/** A goroutine waiting on a channel (Go's sudog). */
interface Sudog<T> {
  readonly g: G;
  value: T | undefined;
  /** Set when the operation completed: true = a value moved, false = the channel closed. */
  ok: boolean | null;
  /** The select this waiter belongs to, shared by all its cases. */
  readonly sel: { fired: number } | null;
  readonly caseIndex: number;
}

export class ChanClosedError extends Error {}

export class Chan<T> {
  private readonly buf = new Deque<T>();
  private readonly recvq = new Deque<Sudog<T>>();
  private readonly sendq = new Deque<Sudog<T>>();
  private closed = false;

  constructor(readonly cap = 0) {
    if (!Number.isInteger(cap) || cap < 0) throw new RangeError(`makechan: size out of range: ${cap}`);
  }

  get len(): number {
    return this.buf.size;
  }

  /** A waiter still able to complete (select waiters whose select fired elsewhere are dropped). */
  private dequeue(q: Deque<Sudog<T>>): Sudog<T> | null {
    for (let sg = q.shift(); sg; sg = q.shift()) {
      if (sg.sel === null) return sg;
      if (sg.sel.fired < 0) {
        sg.sel.fired = sg.caseIndex;
        return sg;
      }
    }
    return null;
  }

  /** Completes a send now if it can; false if the sender must wait. */
  trySend(v: T): boolean {
    if (this.closed) throw new ChanClosedError('send on closed channel');
    const rcv = this.dequeue(this.recvq);
    if (rcv) {
      rcv.value = v;
      rcv.ok = true;
      getsched().ready(rcv.g);
      return true;
    }
    if (this.buf.size < this.cap) {
      this.buf.push(v);
      return true;
    }
    return false;
  }

  /** Completes a receive now if it can: [value, ok], or null if the receiver must wait. */
  tryRecv(): [T | undefined, boolean] | null {
    const snd = this.dequeue(this.sendq);
    if (snd) {
      snd.ok = true;
      getsched().ready(snd.g);
      if (this.cap === 0) return [snd.value, true];
      const v = this.buf.shift()!;
      this.buf.push(snd.value as T);
      return [v, true];
    }
    if (this.buf.size > 0) return [this.buf.shift(), true];
    if (this.closed) return [undefined, false];
    return null;
  }

  *send(v: T): Go<void> {
    if (this.trySend(v)) return;
    const sg: Sudog<T> = { g: getsched().getg(), value: v, ok: null, sel: null, caseIndex: 0 };
    this.sendq.push(sg);
    yield park('chan send');
    if (!sg.ok) throw new ChanClosedError('send on closed channel');
  }

  /** Receives a value; ok is false once the channel is closed and drained. */
  *recv2(): Go<[T | undefined, boolean]> {
    const now = this.tryRecv();
    if (now) return now;
    const sg: Sudog<T> = { g: getsched().getg(), value: undefined, ok: null, sel: null, caseIndex: 0 };
    this.recvq.push(sg);
    yield park('chan receive');
    return [sg.value, sg.ok === true];
  }

  *recv(): Go<T | undefined> {
    return (yield* this.recv2())[0];
  }

  close(): void {
    if (this.closed) throw new ChanClosedError('close of closed channel');
    this.closed = true;
    const s = getsched();
    for (let sg = this.dequeue(this.recvq); sg; sg = this.dequeue(this.recvq)) {
      sg.ok = false;
      s.ready(sg.g);
    }
    for (let sg = this.dequeue(this.sendq); sg; sg = this.dequeue(this.sendq)) {
      sg.ok = false;
      s.ready(sg.g);
    }
  }

  /** Select support: queue a waiter for this case. */
  enqueue(dir: 'send' | 'recv', sg: Sudog<T>): void {
    (dir === 'send' ? this.sendq : this.recvq).push(sg);
  }

  /** Select support: drop a waiter whose select completed elsewhere. */
  unqueue(dir: 'send' | 'recv', sg: Sudog<T>): void {
    (dir === 'send' ? this.sendq : this.recvq).remove(sg);
  }
}

/** One case of a select. */
export type SelectCase = { readonly send: Chan<unknown>; readonly value: unknown } | { readonly recv: Chan<unknown> };

export interface Selected {
  /** Index of the case that fired, or -1 for default. */
  readonly index: number;
  readonly value: unknown;
  readonly ok: boolean;
}

/** Go's select: cases polled in random order; with `hasDefault`, never blocks. */
export function* select(cases: readonly SelectCase[], hasDefault = false): Go<Selected> {
  const s = getsched();
  for (const i of s.rng.shuffle(cases.map((_, j) => j))) {
    const c = cases[i]!;
    if ('send' in c) {
      if (c.send.trySend(c.value)) return { index: i, value: undefined, ok: true };
    } else {
      const r = c.recv.tryRecv();
      if (r) return { index: i, value: r[0], ok: r[1] };
    }
  }
  if (hasDefault) return { index: -1, value: undefined, ok: false };
  if (cases.length === 0) {
    yield park('select (no cases)');
    throw new Error('select with no cases resumed');
  }
  const sel = { fired: -1 };
  const g = s.getg();
  const sudogs = cases.map((c, i): Sudog<unknown> => {
    const sg: Sudog<unknown> = { g, value: 'send' in c ? c.value : undefined, ok: null, sel, caseIndex: i };
    if ('send' in c) c.send.enqueue('send', sg);
    else c.recv.enqueue('recv', sg);
    return sg;
  });
  yield park('select');
  cases.forEach((c, i) => {
    if (i === sel.fired) return;
    if ('send' in c) c.send.unqueue('send', sudogs[i]!);
    else c.recv.unqueue('recv', sudogs[i]!);
  });
  const sg = sudogs[sel.fired]!;
  const c = cases[sel.fired]!;
  if ('send' in c && !sg.ok) throw new ChanClosedError('send on closed channel');
  return { index: sel.fired, value: sg.value, ok: sg.ok === true };
}

/** sync.WaitGroup. */
export class WaitGroup {
  private count = 0;
  private readonly waiters: G[] = [];

  add(n: number): void {
    this.count += n;
    if (this.count < 0) throw new Error('sync: negative WaitGroup counter');
    if (this.count === 0) for (const g of this.waiters.splice(0)) getsched().ready(g);
  }

  done(): void {
    this.add(-1);
  }

  *wait(): Go<void> {
    if (this.count === 0) return;
    this.waiters.push(getsched().getg());
    yield park('sync.WaitGroup.Wait');
  }
}

/** sync.Mutex, handing the lock directly to the longest waiter (starvation mode). */
export class Mutex {
  private locked = false;
  private readonly waiters = new Deque<G>();

  *lock(): Go<void> {
    if (!this.locked) {
      this.locked = true;
      return;
    }
    this.waiters.push(getsched().getg());
    yield park('sync.Mutex.Lock');
  }

  unlock(): void {
    if (!this.locked) throw new Error('sync: unlock of unlocked mutex');
    const next = this.waiters.shift();
    if (next) getsched().ready(next);
    else this.locked = false;
  }
}
