// The process's address-space map as the kernel keeps it (its list of VMAs, without
// permissions): which page-aligned ranges are in use, so mmap can place new mappings
// top-down without probing memory page by page, and brk can tell whether it may grow.
//
// Invariant: `ranges` is sorted, disjoint and coalesced; every bound is page aligned.
export class Regions {
  private ranges: Array<[start: number, end: number]> = [];

  /** Marks [start, end) as used. */
  add(start: number, end: number): void {
    if (end <= start) return;
    const kept: Array<[number, number]> = [];
    let s = start;
    let e = end;
    for (const [a, b] of this.ranges) {
      if (b < s || a > e) kept.push([a, b]);
      else {
        s = Math.min(s, a);
        e = Math.max(e, b);
      }
    }
    kept.push([s, e]);
    this.ranges = kept.sort((x, y) => x[0] - y[0]);
  }

  /** Marks [start, end) as free, splitting ranges that straddle it. */
  remove(start: number, end: number): void {
    if (end <= start) return;
    const kept: Array<[number, number]> = [];
    for (const [a, b] of this.ranges) {
      if (b <= start || a >= end) kept.push([a, b]);
      else {
        if (a < start) kept.push([a, start]);
        if (b > end) kept.push([end, b]);
      }
    }
    this.ranges = kept;
  }

  /** True if no byte of [start, end) is in use. */
  isFree(start: number, end: number): boolean {
    return this.ranges.every(([a, b]) => b <= start || a >= end);
  }

  /** True if every byte of [start, end) is in use. */
  covers(start: number, end: number): boolean {
    return this.ranges.some(([a, b]) => a <= start && b >= end);
  }

  /** The highest start of a free gap of `size` bytes inside [floor, top), or null. */
  highestFree(size: number, floor: number, top: number): number | null {
    let ceiling = top;
    for (let i = this.ranges.length - 1; i >= -1; i--) {
      const [a, b] = i >= 0 ? this.ranges[i]! : [floor, floor];
      if (a >= ceiling) continue;
      const gapStart = Math.max(b, floor);
      if (ceiling - gapStart >= size) return ceiling - size;
      ceiling = Math.min(ceiling, a);
      if (ceiling <= floor) return null;
    }
    return null;
  }
}
