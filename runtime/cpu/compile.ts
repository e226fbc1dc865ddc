// The block compiler: turns a hot decoded block into one JavaScript function.
//
// Emitted inline, with register numbers, immediates and displacements as constants:
// register-only integer forms (ALU reg/imm at 32 and 64 bits, INC/DEC, MOV reg,reg,
// MOV reg,imm, JE/JNE, and the carry, below-or-equal and signed Jcc conditions right after a
// SUB or CMP of the same block, compared from its operands); SWAPGS in ring 0; SYSCALL on a
// system-mode CPU with SCE set and SYSRETQ from ring 0 to a canonical RCX; 32/64-bit
// MOV between a register or an immediate and a simple memory operand (base, index,
// displacement, FS/GS base); 64-bit PUSH of a register, an immediate or
// memory and POP into a register; near CALL to a constant target and RET (a stack window,
// consecutive PUSHes, POPs, MOVs to and from [RSP+d], register MOVs, ADD/SUB of RSP and a
// closing CALL, moves its words in one go when its stack bytes lie in one page already in
// the TLB; see `stackWindow`); SHL/SHR/SAR by a
// constant and two-operand IMUL of registers whose flags are dead. Their memory accesses
// probe the TLB inline (see `access`). Every other instruction becomes a call of its handler
// with constant arguments (a monomorphic call site V8 can inline). Lazy-flag stores of an
// inline ALU instruction are dropped when a later instruction of the same block overwrites
// every arithmetic flag first and nothing between them can fault or read flags, so the
// flags are never observable.
//
// A block's statements (blockBody) also serve traces (trace.ts), which join several blocks in
// one function. Cold paths (a TLB miss, a stack window that cannot move its words at once) call
// shared helpers instead of being written out. Every generated function comes from one
// factory per distinct source (generated()), so the same code on another CPU or machine
// reuses V8's compiled code.
//
// Contract with Cpu.run: the function is only called when the whole block may execute
// (`budget` >= its length); before anything that may throw (a handler, a TLB miss's checked
// access; never an inline fast path, which cannot fault) it stores the number of instructions
// retired so far in `c.bi`, and on return `c.bi` is the number executed. It
// leaves RIP at the next instruction to run. A block that branches back to its own start
// loops inside the function while the budget allows another whole pass.
import type { Block, Cpu } from './cpu.ts';
import type { Insn } from './decode.ts';
import { OPD_IMM, OPD_MEM, SEG_FS } from './decode.ts';
import { aluReg32, aluReg64, incdecReg, jccZ, movRegReg, mayFault, mayWriteMemory, mulLow64 } from './exec.ts';
import type { Handler } from './exec.ts';
import { isCanonical, TLB_MASK, TLB_WORDS } from './memory.ts';
import { ARITH_FLAGS, CF } from './table.ts';
import { LF_ADD, LF_DEC, LF_INC, LF_LOGIC, LF_SUB } from './flags.ts';

/** SHL/SHR/SAR of a full 32/64-bit register by a non-zero immediate count: writes all six flags, reads none, cannot fault. */
function isShiftRegImm(d: Insn): boolean {
  return (
    d.form.exec === 'shift' && d.sub >= 4 && d.a >= 0 && d.a < 16 && d.b === OPD_IMM && (d.size === 4 || d.size === 8) && (d.imm & (d.size === 8 ? 63 : 31)) !== 0
  );
}

/** Two-operand IMUL of full 32/64-bit registers: writes all six flags (exec.ts documents SF, ZF, PF, AF), reads none, cannot fault. */
function isImulRegReg(d: Insn): boolean {
  return d.form.exec === 'imul2' && d.a >= 0 && d.b >= 0 && (d.size === 4 || d.size === 8);
}

/** True when insn d writes all six arithmetic flags without reading any. */
function overwritesAllFlags(d: Insn, h: unknown): boolean {
  if (isShiftRegImm(d) || isImulRegReg(d)) return true;
  return (h === aluReg32 || h === aluReg64) && d.sub !== 2 && d.sub !== 3 && (d.form.flagsWritten & ARITH_FLAGS) === ARITH_FLAGS;
}

function readsOrMayFault(d: Insn, h: unknown): boolean {
  if (h === aluReg32 || h === aluReg64) return d.sub === 2 || d.sub === 3; // ADC/SBB read CF
  if (h === movRegReg) return false;
  return true; // INC/DEC read CF; anything else may read flags or fault
}

/** A shift of a register by a constant whose flags are dead: just the value, inline. */
function shiftInline(d: Insn): string {
  const r = d.a;
  const n = d.imm & (d.size === 8 ? 63 : 31);
  const op = d.sub === 6 ? 4 : d.sub; // SAL is SHL
  if (d.size === 4) {
    const e = op === 4 ? `(lo[${r}] << ${n}) >>> 0` : op === 5 ? `lo[${r}] >>> ${n}` : `(lo[${r}] >> ${n}) >>> 0`;
    return `lo[${r}] = ${e}; hi[${r}] = 0;\n`;
  }
  let s = `{ const l = lo[${r}] >>> 0; const h = hi[${r}] >>> 0;`;
  if (op === 4) {
    s += n < 32 ? ` hi[${r}] = (h << ${n}) | (l >>> ${32 - n}); lo[${r}] = l << ${n};` : ` hi[${r}] = l << ${n - 32}; lo[${r}] = 0;`;
  } else if (op === 5) {
    s += n < 32 ? ` lo[${r}] = (l >>> ${n}) | (h << ${32 - n}); hi[${r}] = h >>> ${n};` : ` lo[${r}] = h >>> ${n - 32}; hi[${r}] = 0;`;
  } else {
    s += n < 32 ? ` lo[${r}] = (l >>> ${n}) | (h << ${32 - n}); hi[${r}] = (h | 0) >> ${n};` : ` lo[${r}] = (h | 0) >> ${n - 32}; hi[${r}] = (h | 0) >> 31;`;
  }
  return s + ' }\n';
}

/** The lazy-flag stores of instruction i are dead: a later instruction overwrites them unobserved. */
function flagsDead(b: Block, i: number): boolean {
  for (let j = i + 1; j < b.insns.length; j++) {
    const d = b.insns[j]!;
    const h = b.handlers[j]!;
    if (overwritesAllFlags(d, h)) return true;
    if (readsOrMayFault(d, h)) return false;
  }
  return false;
}

function aluInline(d: Insn, wide: boolean, keepFlags: boolean): string | null {
  const op = d.sub;
  const dst = d.a;
  const kind = op === 0 ? LF_ADD : op === 5 || op === 7 ? LF_SUB : op === 1 || op === 4 || op === 6 ? LF_LOGIC : -1;
  if (kind < 0) return null;
  const imm = d.b === OPD_IMM;
  const bLo = imm ? `${d.imm >>> 0}` : `(lo[${d.b}] >>> 0)`;
  const bHi = imm ? `${d.immHi >>> 0}` : `(hi[${d.b}] >>> 0)`;
  const logic = op === 1 ? '|' : op === 4 ? '&' : '^';
  let s = `{ const a = lo[${dst}] >>> 0; const b = ${bLo};`;
  if (wide) {
    s += ` const ah = hi[${dst}] >>> 0; const bh = ${bHi};`;
    if (op === 0) s += ' const l = a + b; const r = l >>> 0; const rh = (ah + bh + (l > 0xffffffff ? 1 : 0)) >>> 0;';
    else if (kind === LF_SUB) s += ' const l = a - b; const r = l >>> 0; const rh = (ah - bh - (l < 0 ? 1 : 0)) >>> 0;';
    else s += ` const r = (a ${logic} b) >>> 0; const rh = (ah ${logic} bh) >>> 0;`;
    if (keepFlags) s += ` f.op = ${kind}; f.size = 8; f.a = a; f.b = b; f.r = r; f.aH = ah; f.bH = bh; f.rH = rh; f.cin = 0;`;
    if (op !== 7) s += ` lo[${dst}] = r; hi[${dst}] = rh;`;
  } else {
    if (op === 0) s += ' const r = (a + b) >>> 0;';
    else if (kind === LF_SUB) s += ' const r = (a - b) >>> 0;';
    else s += ` const r = (a ${logic} b) >>> 0;`;
    if (keepFlags) s += ` f.op = ${kind}; f.size = 4; f.a = a; f.b = b; f.r = r; f.aH = 0; f.bH = 0; f.rH = 0; f.cin = 0;`;
    if (op !== 7) s += ` lo[${dst}] = r; hi[${dst}] = 0;`;
  }
  return s + ' }\n';
}

function incdecInline(d: Insn): string {
  const r = d.a;
  const dec = d.sub === 1;
  const kind = dec ? 'LF_DEC' : 'LF_INC';
  let s = `{ if (f.op !== LF_INC && f.op !== LF_DEC) f.saved = (f.saved & ~${CF}) | (f.cf() ? ${CF} : 0);`;
  s += ` const a = lo[${r}] >>> 0;`;
  if (d.size === 8) {
    s += ` const ah = hi[${r}] >>> 0; const l = a ${dec ? '- 1' : '+ 1'}; const res = l >>> 0;`;
    s += ` const rh = (ah + (l < 0 ? -1 : l > 0xffffffff ? 1 : 0)) >>> 0; f.aH = ah; f.rH = rh; hi[${r}] = rh;`;
  } else {
    s += ` const res = (a ${dec ? '- 1' : '+ 1'}) >>> 0; f.aH = 0; f.rH = 0; hi[${r}] = 0;`;
  }
  s += ` lo[${r}] = res; f.op = ${kind}; f.size = ${d.size}; f.a = a; f.b = 1; f.bH = 0; f.r = res; f.cin = 0; }\n`;
  return s;
}

// Memory access inline: the TLB probe Memory.ld64/st64/ld32/st32 make, written out with the
// active TLB set's arrays (read once per block: no instruction inside a block changes
// privilege, only SYSCALL and SYSRET, which end it), so a hit costs no call; a miss, an
// unaligned access or a page-straddling one calls Memory, which checks, fills and faults.
// An address register + displacement is split in 32-bit halves: while the low half does not
// carry, page number, slot and offset come from integer operations alone (no double
// arithmetic); a carry, like any other address form, takes the full 64-bit sum.

/** How an inline access finds its address: a register plus a displacement, or a full address expression. */
type Where = { reg: number; disp: number } | { expr: string };

/** The address form of simple memory operand d (base/index/displacement, FS/GS base, 64-bit addressing), or null. */
function whereOf(d: Insn): Where | null {
  if (d.addr32) return null;
  if (d.base >= 0 && d.index < 0 && d.seg === 0) return { reg: d.base, disp: d.disp };
  let a = `${d.disp}`;
  if (d.base >= 0) a += ` + hi[${d.base}] * 4294967296 + (lo[${d.base}] >>> 0)`;
  if (d.index >= 0) a += ` + (hi[${d.index}] * 4294967296 + (lo[${d.index}] >>> 0)) * ${1 << d.scale}`;
  if (d.seg !== 0) a += d.seg === SEG_FS ? ' + c.fsBase' : ' + c.gsBase';
  return { expr: a };
}

/**
 * Source for one aligned access of `size` bytes (4 or 8) at `where` by instruction `i`:
 * `hit` runs with the page's words `w` and the word index `x` when the TLB (`rt`/`rw` or
 * `wt`/`ww`) has the page; `miss` runs with the full address `a` (wrapped as hardware
 * does) otherwise, after `c.bi` is set for the fault it may raise. `extra` is a further JS
 * condition on the low half `l` for the hit (carry checks).
 */
function access(where: Where, size: 4 | 8, write: boolean, i: number, hit: string, miss: string, extra = ''): string {
  miss = `c.bi = done + ${i}; ${miss}`;
  const [tag, words] = write ? ['wt', 'ww'] : ['rt', 'rw'];
  // sums beyond ±2^63 wrap as on hardware (as Cpu.addrOf does)
  const wrap = 'if (a >= 9223372036854775808) a -= 18446744073709551616; else if (a < -9223372036854775808) a += 18446744073709551616;';
  if ('expr' in where) {
    if (!TLB_WORDS) return `{ let a = ${where.expr}; ${wrap} ${miss} }`;
    return `{ let a = ${where.expr}; ${wrap} const pn = Math.floor(a / 4096); const o = a - pn * 4096; const s = pn & ${TLB_MASK}; if ((o & ${size - 1}) === 0 && ${tag}[s] === pn) { const w = ${words}[s]; const x = o >> 2; ${hit} } else { ${miss} } }`;
  }
  const r = where.reg;
  const full = `const a = regDisp(c, ${r}, ${where.disp});`;
  if (!TLB_WORDS) return `{ ${full} ${miss} }`;
  return (
    `{ const l = (lo[${r}] >>> 0) + ${where.disp}; const q = l >>> 12; const o = l & 4095; const s = q & ${TLB_MASK};` +
    ` if (l >= 0 && l <= 4294967295${extra} && (o & ${size - 1}) === 0 && ${tag}[s] === hi[${r}] * 1048576 + q) { const w = ${words}[s]; const x = o >> 2; ${hit} }` +
    ` else { ${full} ${miss} } }`
  );
}

/** MOV of a full 32/64-bit register or immediate to or from simple memory, or of an immediate to a register, inline; null when not such a form. */
function movInline(d: Insn, i: number, guard: string): string | null {
  if (d.form.exec !== 'mov' || (d.size !== 4 && d.size !== 8)) return null;
  const wide = d.size === 8;
  if (d.a >= 0 && d.a < 16 && d.b === OPD_IMM) return `lo[${d.a}] = ${d.imm | 0}; hi[${d.a}] = ${wide ? d.immHi | 0 : 0};\n`;
  const load = d.a >= 0 && d.a < 16 && d.b === OPD_MEM;
  const store = d.a === OPD_MEM && ((d.b >= 0 && d.b < 16) || d.b === OPD_IMM);
  if (!load && !store) return null;
  const where = whereOf(d);
  if (where === null) return null;
  let s = '';
  if (load) {
    const r = d.a;
    s += wide
      ? access(where, 8, false, i, `lo[${r}] = w[x]; hi[${r}] = w[x + 1];`, `lo[${r}] = m.ld64(a); hi[${r}] = m.hi32;`)
      : access(where, 4, false, i, `lo[${r}] = w[x]; hi[${r}] = 0;`, `lo[${r}] = m.ld32(a); hi[${r}] = 0;`);
  } else {
    const vLo = d.b === OPD_IMM ? `${d.imm | 0}` : `lo[${d.b}]`;
    const vHi = d.b === OPD_IMM ? `${d.immHi | 0}` : `hi[${d.b}]`;
    s += wide ? access(where, 8, true, i, `w[x] = ${vLo}; w[x + 1] = ${vHi};`, `m.st64(a, ${vLo}, ${vHi}); ${guard}`) : access(where, 4, true, i, `w[x] = ${vLo};`, `m.st32(a, ${vLo}); ${guard}`);
  }
  return s + '\n';
}

/** Pushes (vlo, vhi) inline for instruction i: on a TLB hit without a borrow out of the low half, RSP's low half alone changes. */
function pushSource(i: number, vlo: string, vhi: string, guard: string): string {
  return access({ reg: 4, disp: -8 }, 8, true, i, `w[x] = ${vlo}; w[x + 1] = ${vhi}; lo[4] = l;`, `pushSlow(c, a, ${vlo}, ${vhi}); ${guard}`);
}

/** Pops a word inline for instruction i, then runs `then`, which sees its halves in v and vh. */
function popSource(i: number, then: string): string {
  return access({ reg: 4, disp: 0 }, 8, false, i, `const v = w[x]; const vh = w[x + 1]; lo[4] = l + 8; ${then}`, `const v = popSlow(c, a); const vh = c.th; ${then}`, ' && l < 4294967288');
}

/** 64-bit PUSH of a register, an immediate or simple memory, or POP into a register, inline; null when not such a form. */
function pushPopInline(d: Insn, i: number, guard: string): string | null {
  const exec = d.form.exec;
  if ((exec !== 'push' && exec !== 'pop') || d.size !== 8) return null;
  const r = d.a;
  if (exec === 'pop') {
    if (r < 0 || r >= 16) return null;
    // POP RSP leaves the popped value in RSP: the register write comes last
    return popSource(i, `lo[${r}] = v; hi[${r}] = vh;`) + '\n';
  }
  if (r >= 0 && r < 16) {
    // PUSH RSP pushes the value before the push
    return (r === 4 ? `{ const pl = lo[4]; const ph = hi[4]; ${pushSource(i, 'pl', 'ph', guard)} }` : pushSource(i, `lo[${r}]`, `hi[${r}]`, guard)) + '\n';
  }
  if (r === OPD_IMM) return pushSource(i, `${d.imm | 0}`, `${d.immHi | 0}`, guard) + '\n';
  // PUSH m64: the operand's address is computed with RSP before the push, and read before anything changes
  const where = r === OPD_MEM ? whereOf(d) : null;
  if (where === null) return null;
  return `{ let pv = 0, pvh = 0; ${access(where, 8, false, i, 'pv = w[x]; pvh = w[x + 1];', 'pv = m.ld64(a); pvh = m.hi32;')} ${pushSource(i, 'pv', 'pvh', guard)} }\n`;
}

/**
 * Jcc on carry, below-or-equal or a signed comparison, right after an inline SUB or CMP of
 * full registers or an immediate in the same block (aluInline recorded its operands in the
 * lazy flags, op LF_SUB without carry-in): the condition compares those operands directly
 * instead of evaluating flags. null for any other branch or predecessor.
 */
function jccAfterSub(b: Block, i: number): string | null {
  const d = b.insns[i]!;
  if (d.form.exec !== 'jcc' || i === 0 || !isCanonical(d.target)) return null;
  const p = b.insns[i - 1]!;
  const h = b.handlers[i - 1]!;
  if ((h !== aluReg32 && h !== aluReg64) || (p.sub !== 5 && p.sub !== 7)) return null;
  const cc = d.form.sub;
  // unsigned a < b (CF) and signed a < b (SF != OF) of the recorded operands; a == b is ZF
  const wide = h === aluReg64;
  const below = wide ? '(f.aH !== f.bH ? f.aH < f.bH : f.a < f.b)' : 'f.a < f.b';
  const less = wide ? '(f.aH !== f.bH ? (f.aH | 0) < (f.bH | 0) : f.a < f.b)' : '(f.a | 0) < (f.b | 0)';
  const equal = wide ? '(f.a === f.b && f.aH === f.bH)' : 'f.a === f.b';
  let t: string;
  switch (cc >> 1) {
    case 1:
      t = below;
      break;
    case 3:
      t = `(${below} || ${equal})`;
      break;
    case 6:
      t = less;
      break;
    case 7:
      t = `(${less} || ${equal})`;
      break;
    default:
      return null;
  }
  return `if (${(cc & 1) === 0 ? t : `!(${t})`}) c.rip = ${d.target};\n`;
}

/** SWAPGS, inline in ring 0 (in ring 3 the handler raises #GP). */
function swapgsInline(d: Insn, slow: string): string | null {
  if (d.form.exec !== 'swapgs') return null;
  return `if (c.cpl !== 0) ${slow}; else { const g = c.gsBase; c.gsBase = c.kernelGsBase; c.kernelGsBase = g; }\n`;
}

/**
 * SYSCALL on a CPU in system mode, inline: RCX and R11 from constants and the flags, the
 * flags masked by FMASK, ring 0, RIP from LSTAR, as Cpu.syscall does. EFER.SCE clear (#UD)
 * and a CPU in user mode (which stops run instead) go to the handler.
 */
function syscallInline(d: Insn, slow: string): string | null {
  if (d.form.exec !== 'syscall') return null;
  const nlo = d.next | 0;
  const nhi = Math.floor(d.next / 4294967296) | 0;
  return (
    `if (c.mode !== 'system' || (c.efer & 1) === 0) ${slow}; else {` +
    ` const rf = f.get(); lo[1] = ${nlo}; hi[1] = ${nhi}; lo[11] = rf & ${~0x10000}; hi[11] = 0;` +
    ` f.op = 0; f.saved = (rf & ~c.fmask & ${0x3f7fd5 & ~0x10000}) | 2; c.cpl = 0; m.setUserMode(false); c.rip = c.lstar; }
`
  );
}

/**
 * SYSRETQ, inline in ring 0 to a canonical RCX: RFLAGS from R11, ring 3, RIP from RCX, as
 * Cpu.sysret does; ring 3 and a non-canonical RCX go to the handler, which raises #GP.
 */
function sysretInline(d: Insn, slow: string): string | null {
  if (d.form.exec !== 'sysret' || d.size !== 8) return null;
  return (
    `{ const th = hi[1]; if (c.cpl !== 0 || (th >> 15) !== (th >> 31)) ${slow}; else {` +
    ` f.op = 0; f.saved = (lo[11] & ${0x3c7fd7 & 0x3f7fd5}) | 2; c.cpl = 3; m.setUserMode(true); c.rip = th * 4294967296 + (lo[1] >>> 0); } }
`
  );
}

/** MOV between full 32/64-bit registers (the movRegReg handler's forms). */
function movRegRegSource(d: Insn): string {
  return `lo[${d.a}] = lo[${d.b}]; hi[${d.a}] = ${d.size === 8 ? `hi[${d.b}]` : '0'};`;
}

/** Near CALL to a constant canonical target, inline: push the return address, jump. */
function callInline(d: Insn, i: number, guard: string): string | null {
  if (d.form.exec !== 'call' || !isCanonical(d.target)) return null;
  const rlo = d.next | 0;
  const rhi = Math.floor(d.next / 4294967296) | 0;
  return `${pushSource(i, `${rlo}`, `${rhi}`, guard)} c.rip = ${d.target};\n`;
}

/** Near RET (without an immediate), inline; a non-canonical return address goes to the handler, which raises #GP. */
function retInline(d: Insn, i: number, slow: string): string | null {
  if (d.form.exec !== 'ret' || d.a === OPD_IMM) return null;
  // the target is checked before RSP changes: the handler re-reads it and faults with nothing changed
  return (
    `{ const sp0 = lo[4]; const sh0 = hi[4]; ` +
    popSource(i, `const t = (vh | 0) * 4294967296 + (v >>> 0); if (t >= -140737488355328 && t < 140737488355328) c.rip = t; else { lo[4] = sp0; hi[4] = sh0; ${slow}; }`) +
    ' }\n'
  );
}

/**
 * One instruction of a stack window (stackWindow): the stack words it reads and writes, as
 * offsets from RSP at the window's start (8-aligned); RSP's offset after it; whether it
 * reads RSP's value (the window stores RSP before it) or writes the flags (an ADD or SUB of
 * RSP); and its source, given `at(o)`, the page word index of offset o, and whether its
 * flags are needed.
 */
interface WindowPart {
  reads: number[];
  writes: number[];
  after: number;
  readsSp: boolean;
  flags: boolean;
  source: (at: (o: number) => string, keepFlags: boolean) => string;
}

/**
 * Instruction d (handler h) as a stack window part at RSP offset `off`, or null when it
 * cannot be one. Parts: 64-bit PUSH of a register or an immediate, POP into a register,
 * MOV between a register and [RSP+d] or of an immediate to [RSP+d], MOV between registers,
 * ADD or SUB of a multiple of 8 to RSP, and a near CALL ending the block (`last`); none of
 * them writes RSP otherwise.
 */
function windowPart(d: Insn, h: Handler, off: number, last: boolean): WindowPart | null {
  const exec = d.form.exec;
  const reg = (r: number) => r >= 0 && r < 16;
  const put = (o: number, vlo: string, vhi: string) => (at: (o: number) => string) => `w[${at(o)}] = ${vlo}; w[${at(o)} + 1] = ${vhi};`;
  const value = (r: number): [string, string] => (r === OPD_IMM ? [`${d.imm | 0}`, `${d.immHi | 0}`] : [`lo[${r}]`, `hi[${r}]`]);
  const part = (reads: number[], writes: number[], after: number, readsSp: boolean, source: WindowPart['source']): WindowPart => ({ reads, writes, after, readsSp, flags: false, source });
  if (exec === 'push' && d.size === 8 && ((reg(d.a) && d.a !== 4) || d.a === OPD_IMM)) {
    const [vlo, vhi] = value(d.a);
    return part([], [off - 8], off - 8, false, put(off - 8, vlo, vhi));
  }
  if (exec === 'pop' && d.size === 8 && reg(d.a) && d.a !== 4) {
    return part([off], [], off + 8, false, (at) => `lo[${d.a}] = w[${at(off)}]; hi[${d.a}] = w[${at(off)} + 1];`);
  }
  if (exec === 'call' && last && isCanonical(d.target)) {
    const vlo = `${d.next | 0}`;
    const vhi = `${Math.floor(d.next / 4294967296) | 0}`;
    return part([], [off - 8], off - 8, false, (at) => `${put(off - 8, vlo, vhi)(at)} c.rip = ${d.target};`);
  }
  if (h === movRegReg && d.a !== 4) {
    return part([], [], off, d.b === 4, () => movRegRegSource(d));
  }
  if (h === aluReg64 && d.a === 4 && d.b === OPD_IMM && (d.sub === 0 || d.sub === 5)) {
    // ADD/SUB $n, SP: the window stores RSP before it (readsSp), so the inline form applies as it is
    const n = (d.immHi | 0) * 4294967296 + (d.imm >>> 0);
    if (n % 8 !== 0 || Math.abs(n) >= 4096) return null;
    return { reads: [], writes: [], after: off + (d.sub === 0 ? n : -n), readsSp: true, flags: true, source: (_at, keepFlags) => aluInline(d, true, keepFlags)! };
  }
  if (exec !== 'mov' || d.size !== 8 || d.addr32 || d.base !== 4 || d.index >= 0 || d.seg !== 0 || d.disp % 8 !== 0) return null;
  const o = off + d.disp;
  if (reg(d.a) && d.a !== 4 && d.b === OPD_MEM) return part([o], [], off, false, (at) => `lo[${d.a}] = w[${at(o)}]; hi[${d.a}] = w[${at(o)} + 1];`);
  if (d.a === OPD_MEM && (reg(d.b) || d.b === OPD_IMM)) {
    const [vlo, vhi] = value(d.b);
    return part([], [o], off, d.b === 4, put(o, vlo, vhi));
  }
  return null;
}

/**
 * A stack window: consecutive parts (windowPart) touching the stack at least twice. When
 * every word they touch and every RSP value they make lie in one page already in the
 * TLB (the read set, the write set or both), without a carry out of RSP's low half, their
 * words move straight into and out of the page; otherwise `checked` runs (the instructions
 * one by one, through runHandlers). The fast path cannot fault and, through the write TLB,
 * cannot write a page holding code. RSP's low half is stored before a part that reads it
 * (an ADD or SUB writes it itself) and at the end.
 */
function stackWindow(parts: readonly WindowPart[], flagsDeadAfter: (j: number) => boolean, checked: string): string {
  let lowest = 0;
  let highest = 0;
  let reads = false;
  let writes = false;
  for (const p of parts) {
    for (const o of p.reads.concat(p.writes)) {
      lowest = Math.min(lowest, o);
      highest = Math.max(highest, o + 8);
    }
    lowest = Math.min(lowest, p.after);
    highest = Math.max(highest, p.after);
    reads ||= p.reads.length > 0;
    writes ||= p.writes.length > 0;
  }
  const span = highest - lowest;
  const tags = [reads ? 'rt[s] === t' : '', writes ? 'wt[s] === t' : ''].filter((x) => x !== '').join(' && ');
  // l: the low half of the window's lowest address; RSP's high half does not change on the fast path
  let s = `{ const l = (lo[4] >>> 0) + ${lowest}; const q = l >>> 12; const o = l & 4095; const s = q & ${TLB_MASK}; const t = hi[4] * 1048576 + q;`;
  s += `\nif (${TLB_WORDS} && l >= 0 && l <= ${4294967295 - span} && (o & 7) === 0 && o <= ${4096 - span} && ${tags}) { const w = ${writes ? 'ww' : 'rw'}[s]; const x = o >> 2;`;
  const at = (o: number) => `x + ${(o - lowest) / 4}`;
  // an ADD or SUB's flags are needed unless a later one in the window (whose other parts neither read flags nor fault) or the block overwrites them
  const lastFlags = parts.map((p) => p.flags).lastIndexOf(true);
  let sp = 0; // RSP's offset as lo[4] holds it
  parts.forEach((p, j) => {
    const before = j === 0 ? 0 : parts[j - 1]!.after;
    if (p.readsSp && sp !== before) s += ` lo[4] = l + ${before - lowest};`;
    s += ` ${p.source(at, j === lastFlags && !flagsDeadAfter(j))}`;
    sp = p.flags ? p.after : p.readsSp ? before : sp;
  });
  const end = parts[parts.length - 1]!.after;
  return s + `${sp !== end ? ` lo[4] = l + ${end - lowest};` : ''} }\nelse {\n${checked}}\n}\n`;
}

/**
 * How a block's source refers to what surrounds it: its own Block (`block`, for the
 * self-invalidation checks), its handlers and decoded instructions (`tag` keeps their names
 * apart when several blocks share one function), and what to do when a write of its own
 * invalidates it before instruction `count` (at `rip`) ran.
 */
export interface BlockContext {
  block: string;
  tag: string;
  exitInvalid: (count: number | string, rip: number | string) => string;
}

/**
 * The statements executing block b, with every constant they refer to appended to
 * `names`/`args` (the enclosing function's parameters). They expect in scope: c, lo, hi, f,
 * m, rt, rw, wt, ww (the active TLB set's arrays, current for b's privilege), done (the
 * instructions of earlier passes, 0 outside a self-loop) and COMMON_NAMES.
 */
export function blockBody(b: Block, ctx: BlockContext, names: string[], args: unknown[]): string {
  const n = b.insns.length;
  const t = ctx.tag;
  let body = '';
  const exitInvalid = (i: number) => `if (!${ctx.block}.valid) ${ctx.exitInvalid(i + 1, b.insns[i + 1]!.addr)}\n`;
  /** Instruction i on its own: inline source, or a call of its handler. */
  const one = (i: number): string => {
    const d = b.insns[i]!;
    const h = b.handlers[i]!;
    const handler = `h${t}${i}(c, d${t}${i})`;
    /** The call of the handler, for the cases an inline form leaves to it (c.bi set for the fault it may raise). */
    const slow = `(c.bi = done + ${i}, ${handler})`;
    let inline: string | null = null;
    if (h === aluReg32 || h === aluReg64) inline = aluInline(d, h === aluReg64, !flagsDead(b, i));
    else if (h === incdecReg) inline = incdecInline(d);
    else if (h === movRegReg) inline = `${movRegRegSource(d)}\n`;
    else if (h === jccZ && isCanonical(d.target)) {
      const z = d.sub === 4;
      inline = `if ((f.op === 0 ? (f.saved & 0x40) !== 0 : f.r === 0 && f.rH === 0) === ${z}) c.rip = ${d.target};\n`;
    } else if ((inline = jccAfterSub(b, i)) !== null) {
      // the condition from the SUB or CMP just before
    } else if (isShiftRegImm(d) && flagsDead(b, i)) {
      inline = shiftInline(d);
    } else if (isImulRegReg(d) && flagsDead(b, i)) {
      // only the truncated product: its flags are never observed
      inline =
        d.size === 4
          ? `lo[${d.a}] = Math.imul(lo[${d.a}], lo[${d.b}]); hi[${d.a}] = 0;\n`
          : `{ const r = mulLow64(c, lo[${d.a}] >>> 0, hi[${d.a}] >>> 0, lo[${d.b}] >>> 0, hi[${d.b}] >>> 0); lo[${d.a}] = r; hi[${d.a}] = c.th; }\n`;
    } else {
      // An inline write through the write TLB cannot reach decoded code (Memory keeps code
      // pages out of it): only its checked path, on a miss, may invalidate b.
      const guard = b.writesMemory && i < n - 1 ? exitInvalid(i) : '';
      inline = pushPopInline(d, i, guard) ?? movInline(d, i, guard) ?? callInline(d, i, guard) ?? retInline(d, i, slow) ?? swapgsInline(d, slow) ?? syscallInline(d, slow) ?? sysretInline(d, slow);
      if (inline?.includes(handler)) {
        names.push(`h${t}${i}`, `d${t}${i}`);
        args.push(h, d);
      }
    }
    if (inline !== null) return inline;
    let call = '';
    if (mayFault(h)) call += `c.bi = done + ${i};\n`;
    names.push(`h${t}${i}`, `d${t}${i}`);
    args.push(h, d);
    call += `${handler};\n`;
    if (b.writesMemory && mayWriteMemory(d) && i < n - 1) call += exitInvalid(i);
    return call;
  };
  for (let i = 0; i < n; ) {
    const parts: WindowPart[] = [];
    let touches = 0;
    for (let off = 0; i + parts.length < n; ) {
      const j = i + parts.length;
      const p = windowPart(b.insns[j]!, b.handlers[j], off, j === n - 1);
      if (p === null) break;
      parts.push(p);
      touches += p.reads.length + p.writes.length;
      off = p.after;
    }
    // a window's moves that touch no stack word at its end gain nothing from it
    while (parts.length > 0 && parts[parts.length - 1]!.reads.length + parts[parts.length - 1]!.writes.length === 0) parts.pop();
    if (touches < 2) {
      body += one(i);
      i++;
      continue;
    }
    const k = parts.length;
    // runHandlers stops early only when b became invalid, and never after its last instruction
    const checked = `{ const ran = runHandlers(c, ${ctx.block}, ${i}, ${k}, done); if (ran !== ${k}) ${ctx.exitInvalid(`${i} + ran`, `${ctx.block}.insns[${i} + ran].addr`)} }\n`;
    const first = i;
    body += stackWindow(parts, (j) => flagsDead(b, first + j), checked);
    i += k;
  }
  return body;
}

/** True when b's last instruction branches back to its start (its compiled form loops inside). */
export function isSelfLoop(b: Block): boolean {
  const last = b.insns[b.insns.length - 1]!;
  return last.form.operands.some((o) => o.kind === 'rel') && last.target === b.addr;
}

// The cold paths generated code calls rather than holds: a TLB miss, a carry out of an
// address's low half, a stack window that cannot move its words at once. Kept out of line, they
// leave the generated functions small (their machine code shares the cache with the host's).

/** Register r + disp as a full address, sums beyond ±2^63 wrapped as on hardware (as Cpu.addrOf does). */
function regDisp(c: Cpu, r: number, disp: number): number {
  let a = c.hi[r]! * 4294967296 + (c.lo[r]! >>> 0) + disp;
  if (a >= 9223372036854775808) a -= 18446744073709551616;
  else if (a < -9223372036854775808) a += 18446744073709551616;
  return a;
}

/** PUSH's checked store at a (RSP - 8), then RSP = a. */
function pushSlow(c: Cpu, a: number, vlo: number, vhi: number): void {
  c.mem.st64(a, vlo, vhi);
  c.lo[4] = a;
  c.hi[4] = Math.floor(a / 4294967296);
}

/** POP's checked load at a (RSP), then RSP = a + 8: returns the low half, the high half in c.th. */
function popSlow(c: Cpu, a: number): number {
  const v = c.mem.ld64(a);
  c.th = c.mem.hi32;
  c.lo[4] = a + 8;
  c.hi[4] = Math.floor((a + 8) / 4294967296);
  return v;
}

/**
 * Instructions from .. from + k - 1 of b through their handlers, c.bi = base + index before
 * each (a stack window's cold path): returns how many ran, fewer when one invalidated b.
 */
function runHandlers(c: Cpu, b: Block, from: number, k: number, base: number): number {
  for (let j = 0; j < k; j++) {
    const i = from + j;
    c.bi = base + i;
    b.handlers[i]!(c, b.insns[i]!);
    if (!b.valid) return j + 1;
  }
  return k;
}

/** The names every generated function is built with, and their values. */
export const COMMON_NAMES = ['LF_INC', 'LF_DEC', 'mulLow64', 'regDisp', 'pushSlow', 'popSlow', 'runHandlers'];
export const COMMON_ARGS: unknown[] = [LF_INC, LF_DEC, mulLow64, regDisp, pushSlow, popSlow, runHandlers];

export function compileBlock(b: Block): (c: Cpu, budget: number) => void {
  const n = b.insns.length;
  const names: string[] = [];
  const args: unknown[] = [];
  const body = blockBody(b, { block: 'b', tag: '', exitInvalid: (count, rip) => `{ c.bi = done + ${count}; c.rip = ${rip}; return; }` }, names, args);
  // A block whose last instruction branches back to its start loops inside the function while
  // the budget allows a whole further pass, saving the run loop's per-block work.
  const start = `let done = 0;\nconst lo = c.lo; const hi = c.hi; const f = c.flags; const m = c.mem; const T = m.tlb; const rt = T.readTag; const rw = T.readWords; const wt = T.writeTag; const ww = T.writeWords;\n`;
  const source = isSelfLoop(b)
    ? `${start}for (;;) {\nc.rip = ${b.fallthrough};\n${body}done += ${n};\nif (c.rip !== ${b.addr} || done + ${n} > budget || !b.valid) { c.bi = done; return; }\n}`
    : `${start}c.rip = ${b.fallthrough};\n${body}c.bi = ${n};\n`;
  return generated(['b', ...COMMON_NAMES, ...names], `return function block(c, budget) {\n${source}};`)(b, ...COMMON_ARGS, ...args) as (c: Cpu, budget: number) => void;
}

/** Most distinct sources generated() keeps. */
const GENERATED_CACHE = 4096;
const factories = new Map<string, (...a: unknown[]) => unknown>();

/**
 * The function of `params` with `body` that makes a generated function from its constants,
 * one per distinct source: the same code on another CPU (each thread of a process decodes
 * and compiles the same stubs) or in another machine gets the same factory, so V8 shares
 * its compiled and optimised code instead of compiling it again.
 */
export function generated(params: string[], body: string): (...a: unknown[]) => unknown {
  const key = `${params.join(',')}\n${body}`;
  let f = factories.get(key);
  if (f === undefined) {
    if (factories.size >= GENERATED_CACHE) factories.clear();
    f = new Function(...params, body) as (...a: unknown[]) => unknown;
    factories.set(key, f);
  }
  return f;
}
