// Wait queues and the requests a handler returns instead of a result when it must wait.
//
// A handler that cannot finish now (read on an empty pipe, write to a full one, a sleep)
// returns a Block. do_syscall_64 passes it to its caller (the scheduler, or the test
// driver), which parks the thread and calls do_syscall_64 again when the thread is woken;
// the handler then runs from the start, as Linux restarts an interrupted wait. Progress a
// handler must not repeat (bytes already written by a large pipe write, a sleep's deadline)
// lives in the thread's pending-call state.
//
// Invariants: waking is FIFO (the thread that waited longest wakes first) and wakes every
// waiter, which re-checks its condition; a thread waits on at most one queue at a time.

export interface Waiter {
  /** Called once when the waiter is woken; it must not be on any queue afterwards. */
  wake(): void;
}

export class WaitQueue {
  private waiters: Waiter[] = [];

  constructor(readonly name: string) {}

  add(w: Waiter): void {
    if (!this.waiters.includes(w)) this.waiters.push(w);
  }

  remove(w: Waiter): void {
    this.waiters = this.waiters.filter((x) => x !== w);
  }

  /** Wakes every waiter in the order they arrived. */
  wakeAll(): void {
    const woken = this.waiters;
    this.waiters = [];
    for (const w of woken) w.wake();
  }

  get length(): number {
    return this.waiters.length;
  }
}

/** What a handler returns to wait: on a queue, or until a virtual time. */
export type Block = { readonly kind: 'wait'; readonly queue: WaitQueue } | { readonly kind: 'sleep'; readonly until: number };
