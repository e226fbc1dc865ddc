// Queues the scheduler is built from: a FIFO deque (run queues, channel wait queues) and
// a timed event heap (the discrete-event loop of virtual time).
//
// Invariants: Deque is FIFO with O(1) amortised push/shift and never holds stale slots
// beyond `head`; EventHeap pops events in (at, tie, seq) order, where `tie` comes from the
// scheduler's seeded PRNG (so a seed picks one order among simultaneous events) and `seq`
// makes the order total.

export class Deque<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(x: T): void {
    this.items.push(x);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head]!;
    this.items[this.head] = undefined as T;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }

  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** Removes the first element equal to x; true if one was there. */
  remove(x: T): boolean {
    const i = this.items.indexOf(x, this.head);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }

  toArray(): T[] {
    return this.items.slice(this.head);
  }
}

export interface TimedEvent {
  readonly at: number;
  readonly tie: number;
  readonly seq: number;
  /** Live events are work that can change the program's state; sysmon's ticks are not. */
  readonly live: boolean;
  readonly fire: () => void;
}

function before(a: TimedEvent, b: TimedEvent): boolean {
  return a.at < b.at || (a.at === b.at && (a.tie < b.tie || (a.tie === b.tie && a.seq < b.seq)));
}

export class EventHeap {
  private heap: TimedEvent[] = [];
  /** How many queued events are live. */
  live = 0;

  get size(): number {
    return this.heap.length;
  }

  push(e: TimedEvent): void {
    if (e.live) this.live++;
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  peek(): TimedEvent | undefined {
    return this.heap[0];
  }

  pop(): TimedEvent | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    if (top.live) this.live--;
    return top;
  }
}
