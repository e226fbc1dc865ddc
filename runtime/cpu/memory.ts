// Guest memory: sparse, paged (4 KiB), with per-page read/write/execute and user/supervisor
// bits, as the x86-64 page tables present it to software.
//
// Addresses are JS numbers holding the signed 64-bit linear address: the lower canonical
// half is [0, 2^47) and the upper half (0xffff8000_00000000 and above) is [-2^47, 0), so
// every canonical address is exact in a double. Anything else is non-canonical and raises
// #GP, as on hardware.
//
// Representation:
// - `pages` maps a page number (addr / 4096, floored) to a Page. A Page's bytes are
//   allocated on first touch, so mapping costs nothing until used.
// - PROT_NONE reservations are kept as page-number intervals in `reserved` and cost nothing
//   whatever their size; `protect` turns reserved pages into real Pages on demand.
// - A small direct-mapped software TLB per access kind (read, write, fetch) and privilege level
//   caches the bytes of pages that level may access that way. Both levels' TLBs are flushed on
//   any map/unmap/protect; a privilege change just switches between them.
// - Pages holding decoded code are marked `code`; they never enter the write TLB, so the
//   first write to one takes the slow path, which tells every code watcher (the CPUs'
//   decoded-instruction caches) to drop that page. Self-modifying code therefore works.
//
// Invariants: a page number is in `pages` or inside a `reserved` interval, never both;
// a TLB slot holds a page only if that access is allowed at the privilege level it was
// filled for; faults thrown here are CpuFaults (PageFault for #PF, #GP for non-canonical).
import { PageFault, generalProtection, formatAddress, type AccessKind } from './faults.ts';

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

export const PAGE_SIZE = 4096;
const PAGE_SHIFT_DIV = 4096;
const CANONICAL_LIMIT = 2 ** 47;
const TLB_SIZE = 256;
/** Aligned 32-bit accesses use Int32Array views of pages, which match guest byte order only on little-endian hosts. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
/** Whether the TLB's word views may be used for aligned accesses (compiled blocks inline them only then). */
export const TLB_WORDS = LITTLE_ENDIAN;
/** A page number's TLB slot is its low bits: pn & TLB_MASK. */
export const TLB_MASK = TLB_SIZE - 1;

class Page {
  data: Uint8Array | null = null;
  /** The same bytes as 32-bit words (aligned accesses on a little-endian host). */
  words: Int32Array | null = null;
  constructor(
    public prot: number,
    public user: boolean,
    public host: boolean,
  ) {}
  code = false;
  bytes(): Uint8Array {
    if (this.data === null) {
      this.data = new Uint8Array(PAGE_SIZE);
      this.words = new Int32Array(this.data.buffer);
    }
    return this.data;
  }
}

/** One privilege level's TLB: per access kind, a page-number tag and the page's bytes per slot. */
class TlbSet {
  readonly readTag = new Float64Array(TLB_SIZE).fill(NaN);
  readonly readData: Uint8Array[] = new Array<Uint8Array>(TLB_SIZE);
  readonly readWords: Int32Array[] = new Array<Int32Array>(TLB_SIZE);
  readonly writeTag = new Float64Array(TLB_SIZE).fill(NaN);
  readonly writeData: Uint8Array[] = new Array<Uint8Array>(TLB_SIZE);
  readonly writeWords: Int32Array[] = new Array<Int32Array>(TLB_SIZE);
  readonly fetchTag = new Float64Array(TLB_SIZE).fill(NaN);
  readonly fetchData: Uint8Array[] = new Array<Uint8Array>(TLB_SIZE);
  flush(): void {
    this.readTag.fill(NaN);
    this.writeTag.fill(NaN);
    this.fetchTag.fill(NaN);
  }
}

export interface MapOptions {
  /** The page is accessible from ring 3 (default true). Supervisor pages fault in ring 3. */
  user?: boolean;
  /** Reaching this page by execution stops `Cpu.run` with kind 'host' instead of fetching code. */
  host?: boolean;
}

export function isCanonical(addr: number): boolean {
  return addr >= -CANONICAL_LIMIT && addr < CANONICAL_LIMIT && Number.isInteger(addr);
}

/**
 * A remembered view of [at, at + length) as 32-bit words of its page, taken through the
 * write TLB at the privilege Memory is set to. While no map, unmap or protect has happened
 * since (Memory.generation) its words are what checked accesses would reach, and, the write
 * TLB never holding code, writing them invalidates no decoded code. For host code that
 * reads and writes the same small frame call after call (a stub's frame, pt_regs).
 */
export class WordsView {
  /** The page's words as last taken (null: not in the write TLB, unaligned or crossing a page). */
  words: Int32Array | null = null;
  /** at's word index in them. */
  x = 0;
  private at = NaN;
  private gen = -1;

  constructor(
    private readonly mem: Memory,
    private readonly length: number,
  ) {}

  /** The words for the frame at `at`: the ones held, unless the frame moved or the layout changed, else a fresh lookup. */
  take(at: number): Int32Array | null {
    return at === this.at && this.words !== null && this.gen === this.mem.generation ? this.words : this.retake(at);
  }

  private retake(at: number): Int32Array | null {
    const m = this.mem;
    this.at = at;
    this.words = m.tlbWriteWords(at, this.length);
    this.x = m.wi;
    this.gen = m.generation;
    return this.words;
  }

  /** The words taken last, while the memory layout is unchanged; else null. */
  current(): Int32Array | null {
    return this.words !== null && this.gen === this.mem.generation ? this.words : null;
  }
}

export class Memory {
  private readonly pages = new Map<number, Page>();
  /** Sorted, disjoint [startPage, endPage) intervals of PROT_NONE reservations. */
  private reserved: Array<[number, number]> = [];

  // Software TLB: tag = page number or NaN; data = that page's bytes. One set per privilege
  // level, so a ring change (SYSCALL, SYSRET) only switches sets: `tlb` is the active one.
  // Compiled blocks read its readTag/readWords/writeTag/writeWords once and probe them inline
  // (the arrays are filled and flushed in place; only setUserMode switches sets).
  private readonly userTlb = new TlbSet();
  private readonly supervisorTlb = new TlbSet();
  /** The active TLB set (read-only outside Memory); it also says the privilege of the guest accessors' accesses (userTlb: ring 3). */
  tlb = this.userTlb;

  private readonly codeWatchers: Array<(page: number) => void> = [];
  /** Bumped by every map/unmap/protect: lets caches of derived state notice a change. */
  generation = 0;

  // ---- mapping -------------------------------------------------------------------------

  map(addr: number, length: number, prot: number, opts?: MapOptions): void {
    const [first, end] = this.pageRange(addr, length, 'map');
    const user = opts?.user ?? true;
    const host = opts?.host ?? false;
    this.dropPages(first, end);
    this.unreserve(first, end);
    if (prot === PROT_NONE && !host) {
      this.reserve(first, end);
    } else {
      for (let pn = first; pn < end; pn++) this.pages.set(pn, new Page(prot & 7, user, host));
    }
    this.changed();
  }

  unmap(addr: number, length: number): void {
    const [first, end] = this.pageRange(addr, length, 'unmap');
    this.dropPages(first, end);
    this.unreserve(first, end);
    this.changed();
  }

  /** Changes the protection of mapped pages in the range; unmapped pages stay unmapped. */
  protect(addr: number, length: number, prot: number): void {
    const [first, end] = this.pageRange(addr, length, 'protect');
    prot &= 7;
    for (let pn = first; pn < end; pn++) {
      const page = this.pages.get(pn);
      if (page) {
        page.prot = prot;
        if (page.code) this.invalidateCode(pn);
      } else if (prot !== PROT_NONE && this.isReserved(pn)) {
        this.unreserve(pn, pn + 1);
        this.pages.set(pn, new Page(prot, true, false));
      }
    }
    this.changed();
  }

  /** True if the page containing addr is mapped (reserved PROT_NONE pages count as mapped). */
  isMapped(addr: number): boolean {
    if (!isCanonical(addr)) return false;
    const pn = Math.floor(addr / PAGE_SHIFT_DIV);
    return this.pages.has(pn) || this.isReserved(pn);
  }

  /** True if the page containing addr was mapped with { host: true }. */
  isHostPage(addr: number): boolean {
    return this.pages.get(Math.floor(addr / PAGE_SHIFT_DIV))?.host ?? false;
  }

  /** True if every byte of [addr, addr+length) is accessible that way. Never throws. */
  check(addr: number, length: number, access: 'r' | 'w' | 'x', user: boolean): boolean {
    if (length <= 0) return true;
    if (!Number.isInteger(addr) || !Number.isInteger(length) || !isCanonical(addr) || !isCanonical(addr + length - 1))
      return false;
    const bit = access === 'r' ? PROT_READ : access === 'w' ? PROT_WRITE : PROT_EXEC;
    const last = Math.floor((addr + length - 1) / PAGE_SHIFT_DIV);
    for (let pn = Math.floor(addr / PAGE_SHIFT_DIV); pn <= last; pn++) {
      const page = this.pages.get(pn);
      if (!page || (page.prot & bit) === 0 || (user && !page.user)) return false;
    }
    return true;
  }

  // ---- host-side accessors (user-mode permission semantics unless force) ----------------

  read(addr: number, length: number, opts?: { force?: boolean }): Uint8Array {
    const out = new Uint8Array(length);
    const force = opts?.force ?? false;
    for (let i = 0; i < length; ) {
      const a = addr + i;
      const page = this.hostPage(a, 'read', force);
      const off = a - Math.floor(a / PAGE_SHIFT_DIV) * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - off, length - i);
      if (page.data) out.set(page.data.subarray(off, off + n), i);
      i += n;
    }
    return out;
  }

  write(addr: number, bytes: Uint8Array, opts?: { force?: boolean }): void {
    const force = opts?.force ?? false;
    // Check the whole range first so a faulting write changes nothing.
    for (let i = 0; i < bytes.length; ) {
      const a = addr + i;
      this.hostPage(a, 'write', force);
      i += PAGE_SIZE - (a - Math.floor(a / PAGE_SHIFT_DIV) * PAGE_SIZE);
    }
    for (let i = 0; i < bytes.length; ) {
      const a = addr + i;
      const pn = Math.floor(a / PAGE_SHIFT_DIV);
      const page = this.pages.get(pn)!;
      const off = a - pn * PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - off, bytes.length - i);
      if (page.code) this.invalidateCode(pn);
      page.bytes().set(bytes.subarray(i, i + n), off);
      i += n;
    }
  }

  readU8(addr: number): number {
    return this.read(addr, 1)[0]!;
  }
  readU16(addr: number): number {
    const b = this.read(addr, 2);
    return b[0]! | (b[1]! << 8);
  }
  readU32(addr: number): number {
    const b = this.read(addr, 4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }
  readU64(addr: number): bigint {
    const b = this.read(addr, 8);
    const lo = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
    const hi = (b[4]! | (b[5]! << 8) | (b[6]! << 16) | (b[7]! << 24)) >>> 0;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
  writeU8(addr: number, v: number): void {
    this.write(addr, Uint8Array.of(v & 0xff));
  }
  writeU16(addr: number, v: number): void {
    this.write(addr, Uint8Array.of(v & 0xff, (v >>> 8) & 0xff));
  }
  writeU32(addr: number, v: number): void {
    this.write(addr, Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff));
  }
  writeU64(addr: number, v: bigint): void {
    const u = BigInt.asUintN(64, v);
    const lo = Number(u & 0xffffffffn);
    const hi = Number(u >> 32n);
    const b = new Uint8Array(8);
    for (let i = 0; i < 4; i++) {
      b[i] = (lo >>> (8 * i)) & 0xff;
      b[4 + i] = (hi >>> (8 * i)) & 0xff;
    }
    this.write(addr, b);
  }

  // ---- guest accessors: used by the executor, privilege set by setUserMode ------------

  /** Sets the privilege of guest accesses (true = ring 3), switching to that level's TLB set. */
  setUserMode(user: boolean): void {
    // Kept this small so that it inlines everywhere (a ring change is a few per system call).
    this.tlb = user ? this.userTlb : this.supervisorTlb;
  }

  /** Registers a callback told when a page holding decoded code is written or reprotected. */
  watchCode(onInvalidate: (page: number) => void): void {
    this.codeWatchers.push(onInvalidate);
  }

  /** Marks the page as holding decoded code (writes to it will invalidate watchers). */
  markCode(pn: number): void {
    const page = this.pages.get(pn);
    if (page && !page.code) {
      page.code = true;
      const slot = pn & TLB_MASK;
      for (const t of [this.userTlb, this.supervisorTlb]) if (t.writeTag[slot] === pn) t.writeTag[slot] = NaN;
    }
  }

  ld8(addr: number): number {
    const pn = Math.floor(addr / PAGE_SHIFT_DIV);
    const slot = pn & TLB_MASK;
    const d = this.tlb.readTag[slot] === pn ? this.tlb.readData[slot]! : this.fill(addr, 'read');
    return d[addr - pn * PAGE_SIZE]!;
  }

  ld16(addr: number): number {
    const pn = Math.floor(addr / PAGE_SHIFT_DIV);
    const off = addr - pn * PAGE_SIZE;
    if (off > PAGE_SIZE - 2) return this.ld8(addr) | (this.ld8(addr + 1) << 8);
    const slot = pn & TLB_MASK;
    const d = this.tlb.readTag[slot] === pn ? this.tlb.readData[slot]! : this.fill(addr, 'read');
    return d[off]! | (d[off + 1]! << 8);
  }

  /** Unsigned 32-bit load. */
  ld32(addr: number): number {
    const pn = Math.floor(addr / PAGE_SHIFT_DIV);
    const off = addr - pn * PAGE_SIZE;
    const slot = pn & TLB_MASK;
    if (LITTLE_ENDIAN && (off & 3) === 0 && this.tlb.readTag[slot] === pn) return this.tlb.readWords[slot]![off >> 2]! >>> 0;
    if (off > PAGE_SIZE - 4) {
      this.probe(addr, 4, 'read');
      return (this.ld16(addr) | (this.ld16(addr + 2) << 16)) >>> 0;
    }
    const d = this.tlb.readTag[slot] === pn ? this.tlb.readData[slot]! : this.fill(addr, 'read');
    return (d[off]! | (d[off + 1]! << 8) | (d[off + 2]! << 16) | (d[off + 3]! << 24)) >>> 0;
  }

  /** High half of the last ld64. */
  hi32 = 0;

  /** 64-bit load: returns the low half (unsigned), the high half goes to `hi32`. All or nothing. */
  ld64(addr: number): number {
    const pn = Math.floor(addr / PAGE_SHIFT_DIV);
    const off = addr - pn * PAGE_SIZE;
    const slot = pn & TLB_MASK;
    if (LITTLE_ENDIAN && (off & 7) === 0 && this.tlb.readTag[slot] === pn) {
      const w = this.tlb.readWords[slot]!;
      this.hi32 = w[(off >> 2) + 1]! >>> 0;
      return w[off >> 2]! >>> 0;
    }
    const lo = this.ld32(addr);
    this.hi32 = this.ld32(addr + 4);
    return lo;
  }

  /** 64-bit store of (lo, hi); all or nothing when it straddles pages. */
  st64(addr: number, lo: number, hi: number): void {
    const pn = Math.floor(addr / PAGE_SHIFT_DIV);
    const off = addr - pn * PAGE_SIZE;
    const slot = pn & TLB_MASK;
    if (LITTLE_ENDIAN && (off & 7) === 0 && this.tlb.writeTag[slot] === pn) {
      const w = this.tlb.writeWords[slot]!;
      w[off >> 2] = lo;
      w[(off >> 2) + 1] = hi;
      return;
    }
    if (off > PAGE_SIZE - 8) this.probe(addr, 8, 'write');
    this.st32(addr, lo);
    this.st32(addr + 4, hi);
  }

  st8(addr: number, v: number): void {
    const pn = Math.floor(addr / PAGE_SHIFT_DIV);
    const slot = pn & TLB_MASK;
    const d = this.tlb.writeTag[slot] === pn ? this.tlb.writeData[slot]! : this.fill(addr, 'write');
    d[addr - pn * PAGE_SIZE] = v;
  }

  st16(addr: number, v: number): void {
    const pn = Math.floor(addr / PAGE_SHIFT_DIV);
    const off = addr - pn * PAGE_SIZE;
    if (off > PAGE_SIZE - 2) {
      this.probe(addr, 2, 'write');
      this.st8(addr, v & 0xff);
      this.st8(addr + 1, (v >>> 8) & 0xff);
      return;
    }
    const slot = pn & TLB_MASK;
    const d = this.tlb.writeTag[slot] === pn ? this.tlb.writeData[slot]! : this.fill(addr, 'write');
    d[off] = v;
    d[off + 1] = v >>> 8;
  }

  st32(addr: number, v: number): void {
    const pn = Math.floor(addr / PAGE_SHIFT_DIV);
    const off = addr - pn * PAGE_SIZE;
    const slot = pn & TLB_MASK;
    if (LITTLE_ENDIAN && (off & 3) === 0 && this.tlb.writeTag[slot] === pn) {
      this.tlb.writeWords[slot]![off >> 2] = v;
      return;
    }
    if (off > PAGE_SIZE - 4) {
      this.probe(addr, 4, 'write');
      for (let i = 0; i < 4; i++) this.st8(addr + i, (v >>> (8 * i)) & 0xff);
      return;
    }
    const d = this.tlb.writeTag[slot] === pn ? this.tlb.writeData[slot]! : this.fill(addr, 'write');
    d[off] = v;
    d[off + 1] = v >>> 8;
    d[off + 2] = v >>> 16;
    d[off + 3] = v >>> 24;
  }

  /** Word index of the address given to the last tlbReadWords/tlbWriteWords that returned a page. */
  wi = 0;

  /**
   * Fast path for host code reading a small frame (the Windows libcall record; WordsView uses the write form below): the page's bytes as
   * 32-bit words when [addr, addr + length) is 8-byte aligned, inside one page, and that
   * page is already in the read TLB at the current privilege; `wi` is then addr's word
   * index. null otherwise (never a fault): the caller takes the checked path.
   */
  tlbReadWords(addr: number, length: number): Int32Array | null {
    const pn = Math.floor(addr / PAGE_SHIFT_DIV);
    const off = addr - pn * PAGE_SIZE;
    const slot = pn & TLB_MASK;
    if (!LITTLE_ENDIAN || (off & 7) !== 0 || off + length > PAGE_SIZE || this.tlb.readTag[slot] !== pn) return null;
    this.wi = off >> 2;
    return this.tlb.readWords[slot]!;
  }

  /** The same for writes: the write TLB never holds a code page, so these writes invalidate no decoded code. */
  tlbWriteWords(addr: number, length: number): Int32Array | null {
    const pn = Math.floor(addr / PAGE_SHIFT_DIV);
    const off = addr - pn * PAGE_SIZE;
    const slot = pn & TLB_MASK;
    if (!LITTLE_ENDIAN || (off & 7) !== 0 || off + length > PAGE_SIZE || this.tlb.writeTag[slot] !== pn) return null;
    this.wi = off >> 2;
    return this.tlb.writeWords[slot]!;
  }

  /** The bytes of the page holding addr, for instruction fetch at the current privilege. */
  fetchPage(addr: number): Uint8Array {
    const pn = Math.floor(addr / PAGE_SHIFT_DIV);
    const slot = pn & TLB_MASK;
    return this.tlb.fetchTag[slot] === pn ? this.tlb.fetchData[slot]! : this.fill(addr, 'exec');
  }

  /**
   * Throws the fault an access of `length` bytes at addr would raise, without touching
   * memory. Used before multi-byte accesses that straddle pages (so they are all or
   * nothing) and before read-modify-write instructions.
   */
  probe(addr: number, length: number, access: AccessKind): void {
    this.fill(addr, access);
    const lastPage = Math.floor((addr + length - 1) / PAGE_SHIFT_DIV);
    if (lastPage !== Math.floor(addr / PAGE_SHIFT_DIV)) this.fill(lastPage * PAGE_SIZE, access);
  }

  // ---- internals -----------------------------------------------------------------------

  /** TLB miss: checks the access, fills the slot, returns the page's bytes or throws. */
  private fill(addr: number, access: AccessKind): Uint8Array {
    if (!isCanonical(addr)) throw generalProtection(`non-canonical address ${formatAddress(addr)}`, addr);
    const pn = Math.floor(addr / PAGE_SHIFT_DIV);
    const page = this.pages.get(pn);
    const user = this.tlb === this.userTlb;
    const bit = access === 'read' ? PROT_READ : access === 'write' ? PROT_WRITE : PROT_EXEC;
    if (!page) throw new PageFault(addr, access, false, user);
    if ((page.prot & bit) === 0 || (user && !page.user)) throw new PageFault(addr, access, true, user);
    const data = page.bytes();
    const slot = pn & TLB_MASK;
    const t = this.tlb;
    if (access === 'read') {
      t.readTag[slot] = pn;
      t.readData[slot] = data;
      t.readWords[slot] = page.words!;
    } else if (access === 'write') {
      if (page.code) this.invalidateCode(pn);
      t.writeTag[slot] = pn;
      t.writeData[slot] = data;
      t.writeWords[slot] = page.words!;
    } else {
      t.fetchTag[slot] = pn;
      t.fetchData[slot] = data;
    }
    return data;
  }

  private hostPage(addr: number, access: 'read' | 'write', force: boolean): Page {
    if (!isCanonical(addr)) throw generalProtection(`non-canonical address ${formatAddress(addr)}`, addr);
    const page = this.pages.get(Math.floor(addr / PAGE_SHIFT_DIV));
    if (!page) throw new PageFault(addr, access, false, true);
    if (!force && ((page.prot & (access === 'read' ? PROT_READ : PROT_WRITE)) === 0 || !page.user))
      throw new PageFault(addr, access, true, true);
    return page;
  }

  private invalidateCode(pn: number): void {
    const page = this.pages.get(pn);
    if (page) page.code = false;
    for (const w of this.codeWatchers) w(pn);
  }

  private changed(): void {
    this.generation++;
    this.flushTlb();
  }

  private flushTlb(): void {
    this.userTlb.flush();
    this.supervisorTlb.flush();
  }

  private pageRange(addr: number, length: number, what: string): [number, number] {
    if (!Number.isInteger(addr) || addr % PAGE_SIZE !== 0)
      throw new RangeError(`Memory.${what}: address ${formatAddress(addr)} is not page-aligned`);
    if (!Number.isInteger(length) || length <= 0) throw new RangeError(`Memory.${what}: bad length ${length}`);
    if (!isCanonical(addr) || !isCanonical(addr + length - 1))
      throw new RangeError(`Memory.${what}: range ${formatAddress(addr)}+${length} is not canonical`);
    return [addr / PAGE_SIZE, Math.ceil((addr + length) / PAGE_SIZE)];
  }

  /** Removes real pages in [first, end), telling code watchers about pages that held code. */
  private dropPages(first: number, end: number): void {
    const drop = (pn: number) => {
      const page = this.pages.get(pn);
      if (!page) return;
      if (page.code) this.invalidateCode(pn);
      this.pages.delete(pn);
    };
    if (end - first > this.pages.size) {
      for (const pn of [...this.pages.keys()]) if (pn >= first && pn < end) drop(pn);
    } else {
      for (let pn = first; pn < end; pn++) drop(pn);
    }
  }

  private isReserved(pn: number): boolean {
    for (const [s, e] of this.reserved) if (pn >= s && pn < e) return true;
    return false;
  }

  private reserve(first: number, end: number): void {
    this.reserved.push([first, end]);
    this.reserved.sort((a, b) => a[0] - b[0]);
  }

  private unreserve(first: number, end: number): void {
    const out: Array<[number, number]> = [];
    for (const [s, e] of this.reserved) {
      if (e <= first || s >= end) out.push([s, e]);
      else {
        if (s < first) out.push([s, first]);
        if (e > end) out.push([end, e]);
      }
    }
    this.reserved = out;
  }
}
