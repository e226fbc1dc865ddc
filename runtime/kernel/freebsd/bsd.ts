// What the BSD personalities (FreeBSD here, XNU in ../darwin) share on top of the kernel
// core: the carry-flag return convention, translation of a BSD call's flag words into the
// core's internal (Linux) meaning, and the installation of a personality's handlers into a
// core Kernel's sys_call_table.
//
// The core dispatches on names and returns errno *names*, which the target's errno table
// turns into numbers, so a core handler already answers with FreeBSD's or XNU's errno
// numbers once the kernel is built from that target's tables. What differs is how the
// result reaches user mode. A BSD kernel returns
//   success: RAX = result (RDX = second result where the call has one), RFLAGS.CF = 0
//   failure: RAX = errno (positive), RFLAGS.CF = 1
// and the CF it means is the one in the saved user RFLAGS, which SYSRET restores from the
// pt_regs frame's flags word. BsdSyscallFrame is that frame as the core's SyscallRegs: the
// core writes "-errno" through setResult and the frame stores it the BSD way.
//
// Invariants: a BSD frame never leaves a negative errno in RAX; CF is set exactly when the
// call failed; RDX is written only by calls with a second result (it keeps the user's
// value otherwise, as FreeBSD's td_retval[1] starts as the saved RDX).
import type { Kernel } from '../kernel.ts';
import type { Handler, HandlerResult } from '../linux/handlers.ts';
import { ARG_REGS, argInt, argPtr, PT_REGS_OFFSET, PT_REGS_ORIG_RAX, RAX, RDX, type SyscallRegs } from '../regs.ts';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED, STAT, STAT_SIZE } from '../linux/abi.ts';
import * as mm from '../linux/mm.ts';
import { encodeStat } from '../linux/fs.ts';
import type { Inode } from '../vfs.ts';
import { copyCost } from '../clock.ts';
import { copyToUser } from '../uaccess.ts';
import type { Thread } from '../process.ts';

/** RFLAGS.CF: the error bit of a BSD system call's return. */
export const RFLAGS_CF = 1;
/** pt_regs.flags: the saved user RFLAGS, which the exit path hands to SYSRET in R11. */
export const PT_REGS_FLAGS = 18 * 8;
/** The largest errno magnitude the core encodes as a negative result. */
const MAX_ERRNO = 4095;
const TWO32 = 4294967296;

/** How a personality reads the system call number from RAX (XNU: class in bits 24..31). */
export interface SyscallNumbering {
  /** The table index for RAX's halves, or -1 for a number no table slot answers (ENOSYS). */
  syscallNumber(raxLo: number, raxHi: number): number;
}

/** 32-bit word access to the supervisor memory holding a pt_regs frame (ring-0 loads and stores). */
export interface FrameWords {
  readU32(addr: number): number;
  writeU32(addr: number, v: number): void;
}

/** A BSD call's saved registers: the core's SyscallRegs plus RDX for a second result. */
export interface BsdRegs extends SyscallRegs {
  setSecondResult(value: number): void;
}

/**
 * The pt_regs frame entry_SYSCALL_64 built (at `base`, set before each dispatch) seen
 * through a BSD personality: the number from orig_ax decoded by `numbering`, the arguments
 * from their slots, and results written with the carry-flag convention.
 */
export class BsdSyscallFrame implements BsdRegs {
  base = 0;

  constructor(
    private readonly words: FrameWords,
    private readonly numbering: SyscallNumbering,
  ) {}

  private offset(i: number): number {
    const off = PT_REGS_OFFSET[i];
    if (off === undefined) throw new RangeError(`pt_regs: register ${i} is not saved by the syscall entry`);
    return off;
  }

  lo(i: number): number {
    if (i === RAX) return this.numbering.syscallNumber(this.rawNumber(0), this.rawNumber(4)) >>> 0;
    return this.words.readU32(this.base + this.offset(i)) >>> 0;
  }

  hi(i: number): number {
    if (i === RAX) return this.numbering.syscallNumber(this.rawNumber(0), this.rawNumber(4)) < 0 ? 0xffffffff : 0;
    return this.words.readU32(this.base + this.offset(i) + 4) >>> 0;
  }

  /** orig_ax as the user loaded it (half at byte 0 or 4). */
  private rawNumber(half: 0 | 4): number {
    return this.words.readU32(this.base + PT_REGS_ORIG_RAX + half) >>> 0;
  }

  setResult(value: number): void {
    const failed = value < 0 && value >= -MAX_ERRNO;
    this.store(PT_REGS_OFFSET[RAX]!, failed ? -value : value);
    const at = this.base + PT_REGS_FLAGS;
    const flags = this.words.readU32(at);
    this.words.writeU32(at, (failed ? flags | RFLAGS_CF : flags & ~RFLAGS_CF) >>> 0);
  }

  setSecondResult(value: number): void {
    this.store(PT_REGS_OFFSET[RDX]!, value);
  }

  /** The call's outcome in the core's convention (the result, or -errno when CF is set), for hooks that read it back. */
  result(): number {
    const at = this.base + PT_REGS_OFFSET[RAX]!;
    const ax = (this.words.readU32(at + 4) | 0) * TWO32 + (this.words.readU32(at) >>> 0);
    return (this.words.readU32(this.base + PT_REGS_FLAGS) & RFLAGS_CF) !== 0 ? -ax : ax;
  }

  private store(offset: number, value: number): void {
    this.words.writeU32(this.base + offset, value >>> 0);
    this.words.writeU32(this.base + offset + 4, Math.floor(value / TWO32) >>> 0);
  }
}

/** Stores a call's second result (RDX); only BSD frames have one. */
export function setSecondResult(r: SyscallRegs, value: number): void {
  if (!('setSecondResult' in r)) throw new Error('a BSD call with two results was dispatched with non-BSD registers');
  (r as BsdRegs).setSecondResult(value);
}

/**
 * The registers a core handler sees for a BSD call: the caller's, with some argument words
 * replaced by their translation into the core's meaning (flags, AT_FDCWD).
 */
export function withArgs(r: SyscallRegs, replaced: Readonly<Record<number, number>>): SyscallRegs {
  const byReg = new Map<number, number>();
  for (const [n, v] of Object.entries(replaced)) byReg.set(ARG_REGS[Number(n)]!, v);
  return {
    lo: (i) => (byReg.has(i) ? byReg.get(i)! >>> 0 : r.lo(i)),
    hi: (i) => (byReg.has(i) ? Math.floor(byReg.get(i)! / TWO32) >>> 0 : r.hi(i)),
    setResult: (v) => r.setResult(v),
  };
}

/** One flag bit of a BSD ABI, the core (Linux) bit meaning the same, and its name. */
export type FlagBit = readonly [bsd: number, core: number, name: string];

/** Translates a BSD flag word bit by bit; bits the table does not know are dropped, as the BSDs ignore them in open. */
export function translateFlags(value: number, bits: ReadonlyArray<FlagBit>): number {
  let out = 0;
  for (const [bsd, core] of bits) if ((value & bsd) !== 0) out |= core;
  return out;
}

/** Bits of value no entry of the table knows. */
export function unknownFlags(value: number, bits: ReadonlyArray<FlagBit>): number {
  let known = 0;
  for (const [bsd] of bits) known |= bsd;
  return value & ~known;
}

/** mmap's flags, the same on FreeBSD and XNU (MAP_ANON is 0x1000 on both). */
export const MAP_FLAGS: ReadonlyArray<FlagBit> = [
  [0x1, MAP_SHARED, 'MAP_SHARED'],
  [0x2, MAP_PRIVATE, 'MAP_PRIVATE'],
  [0x10, MAP_FIXED, 'MAP_FIXED'],
  [0x1000, MAP_ANONYMOUS, 'MAP_ANON'],
];

/** mmap(addr, len, prot, flags, fd, offset) with BSD flags; prot bits are the same as the core's. */
export function sysBsdMmap(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  return mm.sysMmap(k, t, withArgs(r, { 3: translateFlags(argInt(r, 3), MAP_FLAGS) }));
}

/** The fields of the core's struct stat for an inode, for re-encoding in a BSD layout. */
export interface StatFields {
  dev: bigint; ino: bigint; nlink: bigint; mode: number; uid: number; gid: number; rdev: bigint;
  size: bigint; blksize: bigint; blocks: bigint; sec: bigint; nsec: bigint;
}

export function statFields(inode: Inode, bootRealtimeSec: number): StatFields {
  const v = new DataView(encodeStat(inode, bootRealtimeSec).buffer, 0, STAT_SIZE);
  const u64 = (off: number) => v.getBigUint64(off, true);
  return {
    dev: u64(STAT.dev), ino: u64(STAT.ino), nlink: u64(STAT.nlink), mode: v.getUint32(STAT.mode, true),
    uid: v.getUint32(STAT.uid, true), gid: v.getUint32(STAT.gid, true), rdev: u64(STAT.rdev), size: u64(STAT.size),
    blksize: u64(STAT.blksize), blocks: u64(STAT.blocks), sec: u64(STAT.mtime), nsec: u64(STAT.mtimeNsec),
  };
}

/** fstat in a BSD layout: `encode` packs the fields; EBADF and EFAULT as the core's fstat. */
export function bsdFstat(encode: (f: StatFields) => Uint8Array): Handler {
  return (k: Kernel, t: Thread, r: SyscallRegs): HandlerResult => {
    const file = t.process.fds.file(argInt(r, 0));
    if (!file) return 'EBADF';
    const bytes = encode(statFields(file.inode, k.bootRealtimeSec));
    k.clock.advance(copyCost(bytes.length));
    return copyToUser(t.process.mem, argPtr(r, 1), bytes) ? 0 : 'EFAULT';
  };
}

/** Makes `kernel` a BSD kernel: every sys_call_table slot dispatches to the personality's handler of that name, or ENOSYS. */
export function installHandlers(kernel: Kernel, handlers: ReadonlyMap<string, Handler>): void {
  const table = kernel.sysCallTable;
  for (let n = 0; n < table.length; n++) {
    const name = kernel.numbers.name(n);
    table[n] = (name !== undefined && handlers.get(name)) || noSyscall;
  }
}

/** nosys: the handler of every number the personality does not implement. */
function noSyscall(): HandlerResult {
  return 'ENOSYS';
}
