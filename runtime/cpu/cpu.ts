// The CPU: architectural state of one x86-64 hardware thread in 64-bit mode, and the run
// loop that executes guest code from Memory.
//
// State. The 16 general registers live as 32-bit halves in two Int32Arrays (`lo`, `hi`), so
// nothing on the hot path needs BigInt. RFLAGS is kept lazily (flags.ts). CPL is 0 or 3;
// segment registers are not modelled beyond the FS and GS bases (64-bit mode ignores the
// others). MSRs: EFER, STAR, LSTAR, CSTAR, FMASK, FS_BASE, GS_BASE, KERNEL_GS_BASE, TSC.
//
// Execution. `run` looks up the decoded basic block starting at RIP in a cache keyed by
// address (decoding it on a miss), then calls each instruction's pre-bound handler. A block
// ends at the first control transfer or system instruction (SWAPGS excepted: GS-relative
// operands read the base as they run), at a page boundary, or after MAX_BLOCK instructions. Blocks remember their successor and the privilege level it was
// fetched at (block chaining, across SYSCALL and SYSRET too), and the CPU remembers the
// block its last run started at likewise, so a hot path never touches the cache; a link is
// followed only at that same level, so fetch permissions stay checked.
// Memory tells us when a page holding decoded code is written, unmapped or reprotected; the
// page's blocks are then marked invalid and dropped, so self-modifying code works (the rest
// of a block is abandoned as soon as it is invalid).
// A block executed HOT_BLOCK times is compiled into one JS function (compile.ts); the plain
// interpreter loop remains for cold blocks, for the last partial block of a budget, and
// when the Cpu is built with { compileBlocks: false }. A compiled block the loop enters
// TRACE_HOT times heads a trace (trace.ts): its chain of compiled blocks and served host
// addresses as one function, which the loop runs instead and resumes after.
// Execution reaching a page mapped { host: true } stops `run` with { kind: 'host' }, unless
// a host function serves the address in place (one bound to it with bindHost, else the
// `hostCall` hook: a host function the guest CALLs) and lets the loop go on: no return from
// `run` and no fresh entry per host call. Host addresses get instruction-less blocks in the
// same cache, so they chain like code.
//
// Not modelled: the trap flag (TF single-step), x87/MMX/SSE/AVX (their opcodes raise #UD,
// and CPUID does not advertise them), compatibility and real modes, interrupt delivery
// through an IDT (faults and INT n stop `run` instead), segment limits and I/O ports.
//
// Faults. Handlers throw CpuFault; `run` catches it, restores RIP to the faulting
// instruction, fills in the instruction text and bytes, and returns { kind: 'fault' }.
// Handlers complete every check that can fault before changing any state, so a faulting
// instruction has no effect (string instructions keep completed iterations, as on hardware).
//
// Virtual clock: `icount` counts retired instructions; RDTSC returns icount + TSC offset
// (writing MSR TSC sets the offset), i.e. one tick per instruction.
//
// Documented choices where the SDM leaves results undefined: see the handlers' comments
// (flags.ts for AF after logic ops).
import { CpuFault, VEC_BP, VEC_DE, VEC_GP, VEC_UD, generalProtection, undefinedOpcode } from './faults.ts';
import { Memory, PAGE_SIZE, TLB_MASK, TLB_WORDS, isCanonical } from './memory.ts';
import { decode, Insn, MAX_INSN_LENGTH, SEG_FS, Truncated } from './decode.ts';
import { formatInsn } from './disasm.ts';
import { LazyFlags } from './flags.ts';
import { bindHandler, endsBlock, mayWriteMemory, readsClock, type Handler } from './exec.ts';
import { compileBlock } from './compile.ts';
import { buildTrace, TRACE_HOT, type TraceFn } from './trace.ts';

export const RAX = 0;
export const RCX = 1;
export const RDX = 2;
export const RBX = 3;
export const RSP = 4;
export const RBP = 5;
export const RSI = 6;
export const RDI = 7;
export const R8 = 8;
export const R9 = 9;
export const R10 = 10;
export const R11 = 11;
export const R12 = 12;
export const R13 = 13;
export const R14 = 14;
export const R15 = 15;

export const MSR_TSC = 0x10;
export const MSR_EFER = 0xc0000080;
export const MSR_STAR = 0xc0000081;
export const MSR_LSTAR = 0xc0000082;
export const MSR_CSTAR = 0xc0000083;
export const MSR_FMASK = 0xc0000084;
export const MSR_FS_BASE = 0xc0000100;
export const MSR_GS_BASE = 0xc0000101;
export const MSR_KERNEL_GS_BASE = 0xc0000102;
export const EFER_SCE = 1;
/** EFER bits software may set: SCE, LME (8), LMA (10, read-only here but accepted), NXE (11). */
const EFER_WRITABLE = 0x1 | 0x100 | 0x400 | 0x800;

export type Stop =
  | { kind: 'limit' }
  | { kind: 'syscall' }
  | { kind: 'interrupt'; vector: number }
  | { kind: 'host'; addr: number }
  | { kind: 'halt' }
  | { kind: 'fault'; fault: CpuFault };

export type CpuMode = 'user' | 'system';

// The stops without data are shared (frozen) objects: run() allocates nothing for them.
const STOP_LIMIT: Stop = Object.freeze({ kind: 'limit' });
const STOP_SYSCALL: Stop = Object.freeze({ kind: 'syscall' });
const STOP_HALT: Stop = Object.freeze({ kind: 'halt' });

const MAX_BLOCK = 64;

/** A decoded basic block. */
export class Block {
  valid = true;
  /** Address after the block's last instruction. */
  readonly fallthrough: number;
  /**
   * The block executed after this one last time (chaining), and the privilege level it was
   * fetched at; followed only when RIP and CPL match, so its fetch check still holds.
   */
  next: Block | null = null;
  nextCpl = 3;
  /** Executions so far; a block run HOT_BLOCK times is compiled into one JS function. */
  hits = 0;
  /**
   * The compiled form: calls every handler in order with constant arguments, so each call
   * site is monomorphic and V8 can inline the handlers. It records in `c.bi` the index of the
   * instruction that may fault next, and the count executed when it returns early (self-invalidation).
   */
  compiled: ((c: Cpu, budget: number) => void) | null = null;
  /** The trace headed by this block (trace.ts), run instead of `compiled` when set. */
  trace: TraceFn | null = null;
  /** Run-loop entries of the compiled block while it heads no trace. */
  traceHits = 0;
  constructor(
    readonly addr: number,
    readonly insns: Insn[],
    readonly handlers: Handler[],
    /** Some instruction may write memory (so the block may invalidate itself). */
    readonly writesMemory: boolean,
    /** A host address (on a page mapped { host: true }): no instructions; reaching it calls hostCall or stops run. */
    readonly host = false,
  ) {
    this.fallthrough = host ? addr : insns[insns.length - 1]!.next;
    this.hostStop = host ? Object.freeze({ kind: 'host', addr }) : null;
  }
  /** A host block's stop, shared by every run that stops there. */
  readonly hostStop: Stop | null;
  /** A host block's own function (Cpu.bindHost), served instead of the hostCall hook; null: the hook. */
  serve: HostFunction | null = null;
}

/**
 * A host function the guest reaches: called with RIP at its address, every instruction
 * before it retired and counted; it may change any state (typically it emulates a function
 * and returns to the caller). Returns -1 to stop `run` with { kind: 'host', addr }, or a
 * budget n >= 0 to go on exactly as a new run(n) would from the state it left.
 */
export type HostFunction = (c: Cpu) => number;

// The per-call accessors (regAddr, setRegAddr, hostReturn) write 2^32 out: V8 folds a
// literal into the arithmetic, not a module constant.
const TWO32 = 4294967296;
const HOT_BLOCK = 8;

export class Cpu {
  readonly mem: Memory;
  readonly mode: CpuMode;
  rip = 0;
  cpl: 0 | 3 = 3;
  /** Low and high 32-bit halves of the 16 general registers. */
  readonly lo = new Int32Array(16);
  readonly hi = new Int32Array(16);
  readonly flags = new LazyFlags();
  fsBase = 0;
  gsBase = 0;
  kernelGsBase = 0;
  efer = 0;
  star = 0n;
  lstar = 0;
  cstar = 0;
  fmask = 0;
  tscOffset = 0;
  icount = 0;
  /** Set by handlers that end `run` (SYSCALL in user mode, INT n, HLT). */
  stopRequest: Stop | null = null;
  /** Scratch: high half of the last 64-bit value read by an operand helper. */
  th = 0;
  /** Scratch: linear address of the last memory operand resolved. */
  ea = 0;
  /** Compiled blocks: index of the instruction executing (or executed count on return). */
  bi = 0;
  /** Traces: the part (block or host address) running or last run; see trace.ts. */
  tb: Block | null = null;

  /**
   * The block the loop last looked up without a predecessor (where runs start, typically),
   * and the privilege level it was fetched at: a link like a chained one, followed only at
   * that level while the block is valid.
   */
  private entry: Block | null = null;
  private entryCpl = 3;
  private readonly blocks = new Map<number, Block>();
  private readonly pageBlocks = new Map<number, Block[]>();
  private readonly fetchWindow = new Uint8Array(MAX_INSN_LENGTH);

  /**
   * Serves execution reaching a host address without a function of its own (bindHost)
   * without leaving `run` (null: such addresses stop it), as a HostFunction given the address.
   */
  hostCall: ((c: Cpu, addr: number) => number) | null = null;
  /** Host functions bound to their addresses (bindHost). */
  private readonly hostFunctions = new Map<number, HostFunction>();

  /** Compile hot blocks into JS functions (default true; false keeps the plain interpreter, for comparison). */
  readonly compileBlocks: boolean;
  /** Compile hot chains of compiled blocks into traces (default: as compileBlocks). */
  readonly traces: boolean;
  /** Traces built so far (statistics). */
  tracesBuilt = 0;

  constructor(mem: Memory, opts?: { mode?: CpuMode; compileBlocks?: boolean; traces?: boolean }) {
    this.mem = mem;
    this.mode = opts?.mode ?? 'user';
    this.compileBlocks = opts?.compileBlocks ?? true;
    this.traces = this.compileBlocks && (opts?.traces ?? true);
    this.flags.saved = 0x202;
    mem.watchCode((pn) => this.invalidatePage(pn));
  }

  // ---- registers ---------------------------------------------------------------------

  /** The register as a signed (two's complement) 64-bit value; BigInt.asUintN(64, …) gives the unsigned one. */
  getReg(i: number): bigint {
    return (BigInt(this.hi[i]!) << 32n) | BigInt(this.lo[i]! >>> 0);
  }

  setReg(i: number, v: bigint | number): void {
    if (i < 0 || i > 15 || !Number.isInteger(i)) throw new RangeError(`setReg: no register ${i}`);
    const u = BigInt.asUintN(64, BigInt(v));
    this.lo[i] = Number(u & 0xffffffffn);
    this.hi[i] = Number(u >> 32n);
  }

  getRegLo(i: number): number {
    return this.lo[i]! >>> 0;
  }

  getRegHi(i: number): number {
    return this.hi[i]! >>> 0;
  }

  /** A register as a signed 64-bit number (exact for canonical addresses). */
  regAddr(i: number): number {
    return this.hi[i]! * 4294967296 + (this.lo[i]! >>> 0);
  }

  setRegAddr(i: number, v: number): void {
    this.lo[i] = v;
    this.hi[i] = Math.floor(v / 4294967296);
  }

  getFlags(): number {
    return this.flags.get();
  }

  /** Sets RFLAGS (reserved bit 1 forced on, reserved bits 3, 5, 15, 22-63 forced off). */
  setFlags(v: number): void {
    this.flags.op = 0;
    this.flags.saved = (v & 0x3f7fd5) | 2;
  }

  // ---- MSRs ------------------------------------------------------------------------------

  readMsr(index: number): bigint {
    const v = this.msr(index);
    if (v === undefined) throw generalProtection(`rdmsr: unknown MSR 0x${index.toString(16)}`);
    return v;
  }

  private msr(index: number): bigint | undefined {
    const addr = (n: number) => BigInt.asUintN(64, BigInt(n));
    switch (index) {
      case MSR_TSC:
        return BigInt(this.icount + this.tscOffset);
      case MSR_EFER:
        return BigInt(this.efer | 0x500); // LME and LMA: we are always in long mode
      case MSR_STAR:
        return this.star;
      case MSR_LSTAR:
        return addr(this.lstar);
      case MSR_CSTAR:
        return addr(this.cstar);
      case MSR_FMASK:
        return BigInt(this.fmask);
      case MSR_FS_BASE:
        return addr(this.fsBase);
      case MSR_GS_BASE:
        return addr(this.gsBase);
      case MSR_KERNEL_GS_BASE:
        return addr(this.kernelGsBase);
    }
    return undefined;
  }

  /** Writes an MSR; throws #GP (CpuFault) for unknown MSRs, reserved bits or non-canonical addresses. */
  writeMsr(index: number, v: bigint): void {
    const u = BigInt.asUintN(64, v);
    const asAddr = (): number => {
      const s = Number(BigInt.asIntN(64, u));
      if (!isCanonical(s)) throw generalProtection(`wrmsr: non-canonical address for MSR 0x${index.toString(16)}`);
      return s;
    };
    switch (index) {
      case MSR_TSC:
        this.tscOffset = Number(u) - this.icount;
        return;
      case MSR_EFER:
        if ((u & ~BigInt(EFER_WRITABLE)) !== 0n) throw generalProtection('wrmsr: reserved EFER bits');
        this.efer = Number(u) & EFER_SCE;
        return;
      case MSR_STAR:
        this.star = u;
        return;
      case MSR_LSTAR:
        this.lstar = asAddr();
        return;
      case MSR_CSTAR:
        this.cstar = asAddr();
        return;
      case MSR_FMASK:
        this.fmask = Number(u & 0xffffffffn);
        return;
      case MSR_FS_BASE:
        this.fsBase = asAddr();
        return;
      case MSR_GS_BASE:
        this.gsBase = asAddr();
        return;
      case MSR_KERNEL_GS_BASE:
        this.kernelGsBase = asAddr();
        return;
    }
    throw generalProtection(`wrmsr: unknown MSR 0x${index.toString(16)}`);
  }

  // ---- memory operands -----------------------------------------------------------------

  /** Linear address of the instruction's memory operand (also stored in `ea`). */
  addrOf(d: Insn): number {
    let a = d.disp;
    if (d.base >= 0) a += this.hi[d.base]! * TWO32 + (this.lo[d.base]! >>> 0);
    if (d.index >= 0) a += (this.hi[d.index]! * TWO32 + (this.lo[d.index]! >>> 0)) * (1 << d.scale);
    if (d.addr32) a = ((a % TWO32) + TWO32) % TWO32;
    if (d.seg !== 0) a += d.seg === SEG_FS ? this.fsBase : this.gsBase;
    if (a >= 9223372036854775808) a -= 18446744073709551616;
    else if (a < -9223372036854775808) a += 18446744073709551616;
    this.ea = a;
    return a;
  }

  /** Loads `size` bytes; for 8 the high half goes to `th`. Returns the (low) value, unsigned. */
  load(a: number, size: number): number {
    const m = this.mem;
    if (size === 4) return m.ld32(a);
    if (size === 8) {
      const lo = m.ld64(a);
      this.th = m.hi32;
      return lo;
    }
    if (size === 1) return m.ld8(a);
    return m.ld16(a);
  }

  store(a: number, size: number, v: number, vh: number): void {
    const m = this.mem;
    if (size === 4) m.st32(a, v);
    else if (size === 8) m.st64(a, v, vh);
    else if (size === 1) m.st8(a, v);
    else m.st16(a, v);
  }

  // ---- running -------------------------------------------------------------------------

  /**
   * Returns from a host function as RET does: pops RIP off the stack with the access
   * checks of the privilege Memory is set to (a fault throws CpuFault and changes nothing).
   */
  hostReturn(): void {
    const m = this.mem;
    // The usual case, as compiled RETs do it: the stack page in the read TLB and no carry out of RSP's low half.
    const l = this.lo[4]! >>> 0;
    const q = l >>> 12;
    const o = l & 4095;
    const slot = q & TLB_MASK;
    const t = m.tlb;
    if (TLB_WORDS && (o & 7) === 0 && l < 4294967288 && t.readTag[slot] === this.hi[4]! * 1048576 + q) {
      const w = t.readWords[slot]!;
      this.rip = w[(o >> 2) + 1]! * 4294967296 + (w[o >> 2]! >>> 0);
      this.lo[4] = l + 8;
      return;
    }
    this.hostReturnChecked();
  }

  /** hostReturn through Memory's checked load (a TLB miss, an unaligned stack or a carry out of RSP's low half). */
  private hostReturnChecked(): void {
    const m = this.mem;
    const sp = this.hi[4]! * TWO32 + (this.lo[4]! >>> 0);
    const lo = m.ld64(sp);
    this.rip = (m.hi32 | 0) * TWO32 + lo;
    const nsp = sp + 8;
    this.lo[4] = nsp;
    this.hi[4] = Math.floor(nsp / TWO32);
  }

  step(): Stop {
    return this.run(1);
  }

  /** Executes up to `limit` instructions. */
  run(limit: number): Stop {
    this.mem.setUserMode(this.cpl === 3);
    let budget = limit;
    let block: Block | null = null;
    for (;;) {
      if (budget <= 0) return STOP_LIMIT;
      let b: Block;
      const prev: Block | null = block;
      const chained = prev === null ? null : prev.next;
      const entry = this.entry;
      if (chained !== null && chained.addr === this.rip && chained.valid && prev!.nextCpl === this.cpl) b = chained;
      else if (prev === null && entry !== null && entry.addr === this.rip && entry.valid && this.entryCpl === this.cpl) b = entry;
      else {
        const cached = this.blocks.get(this.rip);
        if (cached !== undefined && cached.host) b = cached;
        else if (cached === undefined && this.mem.isHostPage(this.rip)) b = this.hostBlock(this.rip);
        else {
          try {
            b = this.blockAt(this.rip, cached);
          } catch (e) {
            return this.faultStop(e, this.rip);
          }
        }
        if (prev !== null) {
          prev.next = b;
          prev.nextCpl = this.cpl;
        } else {
          this.entry = b;
          this.entryCpl = this.cpl;
        }
      }
      if (b.host) {
        const serve = b.serve;
        const go = serve !== null ? serve(this) : this.hostCall === null ? -1 : this.hostCall(this, this.rip);
        if (go < 0) return b.hostStop!;
        // Served in place: carry on as a fresh run(go) would, in whatever ring the host left.
        this.mem.setUserMode(this.cpl === 3);
        budget = go;
        block = b.valid ? b : null;
        continue;
      }
      const insns = b.insns;
      const n = insns.length;
      const compiled = b.compiled;
      if (compiled !== null && budget >= n) {
        const trace = b.trace;
        if (trace !== null) {
          let left: number;
          try {
            left = trace(this, budget);
          } catch (e) {
            const t = this.tb!;
            if (t.host) throw e; // a host call's own exception, as outside a trace
            const k = this.bi;
            this.icount += k;
            return this.faultStop(e, t.insns[k % t.insns.length]!.addr);
          }
          const t = this.tb;
          if (left < 0) return t!.hostStop!;
          budget = left;
          if (this.stopRequest !== null) {
            const s = this.stopRequest;
            this.stopRequest = null;
            return s;
          }
          block = t !== null && t.valid ? t : null;
          continue;
        }
        if (this.traces) {
          const h = ++b.traceHits;
          if (h >= TRACE_HOT && (h & (h - 1)) === 0 && (b.trace = buildTrace(b)) !== null) this.tracesBuilt++;
        }
        // The common case, kept short: the compiled function sets RIP itself.
        this.bi = 0;
        try {
          compiled(this, budget);
        } catch (e) {
          const k = this.bi;
          this.icount += k;
          return this.faultStop(e, insns[k % n]!.addr);
        }
        const k = this.bi;
        this.icount += k;
        budget -= k;
        if (this.stopRequest !== null) {
          const s = this.stopRequest;
          this.stopRequest = null;
          return s;
        }
        block = b.valid ? b : null;
        continue;
      }
      const handlers = b.handlers;
      const end = budget < n ? budget : n;
      let i = 0;
      // RIP is set once per block to the fall-through address (only the last instruction may branch or
      // stop, and handlers never read RIP); after an early exit it is set to the next unexecuted instruction.
      this.rip = b.fallthrough;
      if (b.compiled === null && ++b.hits === HOT_BLOCK && this.compileBlocks) b.compiled = compileBlock(b);
      const compiledRun = b.compiled !== null && end === n;
      try {
        if (compiledRun) {
          this.bi = 0;
          b.compiled!(this, budget);
          i = this.bi;
        } else if (b.writesMemory) {
          for (; i < end; i++) {
            const d = insns[i]!;
            handlers[i]!(this, d);
            if (!b.valid) {
              i++;
              break;
            }
          }
        } else {
          for (; i < end; i++) handlers[i]!(this, insns[i]!);
        }
      } catch (e) {
        if (compiledRun) i = this.bi;
        this.icount += i;
        budget -= i;
        return this.faultStop(e, insns[i % n]!.addr);
      }
      if (!compiledRun && i < n) this.rip = insns[i]!.addr;
      this.icount += i;
      budget -= i;
      if (this.stopRequest !== null) {
        const s = this.stopRequest;
        this.stopRequest = null;
        return s;
      }
      block = b.valid ? b : null;
    }
  }

  private faultStop(e: unknown, rip: number): Stop {
    if (!(e instanceof CpuFault)) throw e;
    // #BP from INT3 is a trap: RIP is already past it. Every other fault leaves RIP at the instruction.
    if (e.vector !== VEC_BP) this.rip = rip;
    e.rip = rip;
    if (e.bytes === undefined) {
      const bytes = this.peekCode(rip);
      if (bytes.length > 0) {
        e.bytes = bytes;
        try {
          const d = decode(bytes, 0, bytes.length, rip);
          e.bytes = bytes.slice(0, d.len);
          e.insn = formatInsn(d);
        } catch {
          // undecodable: keep the raw bytes
        }
      }
    }
    return { kind: 'fault', fault: e };
  }

  /** Up to 15 readable bytes at addr, ignoring protection (for fault reports). */
  private peekCode(addr: number): Uint8Array {
    const out: number[] = [];
    for (let i = 0; i < MAX_INSN_LENGTH; i++) {
      if (!this.mem.check(addr + i, 1, 'r', false) && !this.mem.check(addr + i, 1, 'x', false)) break;
      try {
        out.push(this.mem.read(addr + i, 1, { force: true })[0]!);
      } catch {
        break;
      }
    }
    return Uint8Array.from(out);
  }

  /** The cached block at addr, decoding it on a miss. Throws CpuFault for fetch faults and bad code. */
  blockAt(addr: number, cached = this.blocks.get(addr)): Block {
    const page = this.mem.fetchPage(addr); // fetch permission at the current privilege, every time
    if (cached !== undefined) return cached;
    const insns: Insn[] = [];
    const handlers: Handler[] = [];
    const pn = Math.floor(addr / PAGE_SIZE);
    const pages = new Set<number>([pn]);
    let a = addr;
    while (insns.length < MAX_BLOCK) {
      let d: Insn;
      try {
        d = this.decodeAt(a, page, pn, pages);
      } catch (e) {
        if (insns.length === 0) throw e;
        break; // let the next block report it with the right RIP
      }
      // Instructions that read the virtual clock start their own block, so icount is exact for them.
      if (insns.length > 0 && readsClock(d)) break;
      insns.push(d);
      handlers.push(bindHandler(d));
      a = d.next;
      if (endsBlock(d) !== 0) break;
      if (Math.floor(a / PAGE_SIZE) !== pn) break;
    }
    const b = new Block(addr, insns, handlers, insns.some(mayWriteMemory));
    this.blocks.set(addr, b);
    for (const p of pages) {
      this.mem.markCode(p);
      const list = this.pageBlocks.get(p);
      if (list) list.push(b);
      else this.pageBlocks.set(p, [b]);
    }
    return b;
  }

  /**
   * Binds host address addr to its own function (null: back to the hostCall hook): reaching
   * it calls `serve` in place of the hook, and traces call it directly. Blocks made before
   * on addr's page are dropped, so nothing keeps the old binding.
   */
  bindHost(addr: number, serve: HostFunction | null): void {
    if (serve === null) this.hostFunctions.delete(addr);
    else this.hostFunctions.set(addr, serve);
    this.invalidatePage(Math.floor(addr / PAGE_SIZE));
  }

  /** The block standing for host address addr: cached like code (dropped when its page is remapped), so it chains. */
  private hostBlock(addr: number): Block {
    const b = new Block(addr, [], [], false, true);
    b.serve = this.hostFunctions.get(addr) ?? null;
    const pn = Math.floor(addr / PAGE_SIZE);
    this.blocks.set(addr, b);
    this.mem.markCode(pn);
    const list = this.pageBlocks.get(pn);
    if (list) list.push(b);
    else this.pageBlocks.set(pn, [b]);
    return b;
  }

  private decodeAt(a: number, page: Uint8Array, pn: number, pages: Set<number>): Insn {
    const off = a - pn * PAGE_SIZE;
    if (off <= PAGE_SIZE - MAX_INSN_LENGTH) return decode(page, off, PAGE_SIZE, a);
    // The instruction may straddle into the next page: fetch it only if the bytes are needed.
    const w = this.fetchWindow;
    const here = PAGE_SIZE - off;
    w.set(page.subarray(off, PAGE_SIZE), 0);
    try {
      return decode(w, 0, here, a);
    } catch (e) {
      if (!(e instanceof Truncated)) throw e;
    }
    const next = this.mem.fetchPage((pn + 1) * PAGE_SIZE);
    w.set(next.subarray(0, MAX_INSN_LENGTH - here), here);
    const d = decode(w, 0, MAX_INSN_LENGTH, a);
    pages.add(pn + 1);
    return d;
  }

  private invalidatePage(pn: number): void {
    const list = this.pageBlocks.get(pn);
    if (!list) return;
    for (const b of list) {
      b.valid = false;
      if (this.blocks.get(b.addr) === b) this.blocks.delete(b.addr);
    }
    this.pageBlocks.delete(pn);
  }

  // ---- system instructions (called by handlers) --------------------------------------------

  requirePrivilege(what: string): void {
    if (this.cpl !== 0) throw generalProtection(`${what} at CPL 3`);
  }

  syscall(d: Insn): void {
    // RCX ← next RIP, R11 ← RFLAGS, as the hardware does (in both modes).
    if (this.mode === 'system' && (this.efer & EFER_SCE) === 0) throw new CpuFault(VEC_UD, 'syscall with EFER.SCE clear');
    const rflags = this.flags.get();
    this.setRegAddr(1, d.next);
    this.lo[11] = rflags & ~0x10000; // RF is reported clear
    this.hi[11] = 0;
    if (this.mode === 'user') {
      this.stopRequest = STOP_SYSCALL;
      return;
    }
    this.setFlags(rflags & ~this.fmask & ~0x10000);
    this.cpl = 0;
    this.mem.setUserMode(false);
    this.rip = this.lstar;
  }

  sysret(d: Insn): void {
    this.requirePrivilege('sysret');
    if (d.size !== 8) throw new CpuFault(VEC_UD, 'sysret to compatibility mode is not supported');
    const target = this.regAddr(1);
    if (!isCanonical(target)) throw generalProtection('sysret to a non-canonical RIP', target);
    this.setFlags((this.lo[11]! & 0x3c7fd7) | 2);
    this.cpl = 3;
    this.mem.setUserMode(true);
    this.rip = target;
  }

  rdmsrInsn(): void {
    this.requirePrivilege('rdmsr');
    const v = this.msr(this.lo[1]! >>> 0);
    if (v === undefined) throw generalProtection(`rdmsr: unknown MSR 0x${(this.lo[1]! >>> 0).toString(16)}`);
    this.lo[0] = Number(v & 0xffffffffn);
    this.hi[0] = 0;
    this.lo[2] = Number(v >> 32n);
    this.hi[2] = 0;
  }

  wrmsrInsn(): void {
    this.requirePrivilege('wrmsr');
    this.writeMsr(this.lo[1]! >>> 0, (BigInt(this.lo[2]! >>> 0) << 32n) | BigInt(this.lo[0]! >>> 0));
  }

  swapgs(): void {
    this.requirePrivilege('swapgs');
    const t = this.gsBase;
    this.gsBase = this.kernelGsBase;
    this.kernelGsBase = t;
  }

  halt(): void {
    this.requirePrivilege('hlt');
    this.stopRequest = STOP_HALT;
  }

  interrupt(vector: number): void {
    this.stopRequest = { kind: 'interrupt', vector };
  }

  divideError(): never {
    throw new CpuFault(VEC_DE);
  }

  undefinedInsn(): never {
    throw undefinedOpcode();
  }

  breakpoint(): never {
    throw new CpuFault(VEC_BP);
  }

  rdtsc(): number {
    return this.icount + this.tscOffset;
  }

  gp(detail: string): never {
    throw new CpuFault(VEC_GP, detail);
  }
}
