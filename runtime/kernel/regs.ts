// The saved user registers a system call reads its number and arguments from (the
// kernel's pt_regs), and accessors that read them as the kernel's C parameter types.
//
// Register values are exact 64-bit words held as two unsigned 32-bit halves, so the
// common cases (small ints, fds, user pointers) never touch bigint:
// - `int` parameters are the low 32 bits sign-extended (argInt), `unsigned int` the low
//   32 bits (argUint);
// - `long`, `size_t` and pointers use all 64 bits. A user pointer is exact below 2^47;
//   anything else is not a user address and reads as NOT_USER (which every user-memory
//   check rejects), so a wild word can never alias a mapped address.
//
// Register indices are the CPU's (RAX = 0, RDI = 7, …). The syscall ABI passes arguments
// in RDI, RSI, RDX, R10, R8, R9 and the number in RAX; the result goes back in RAX.

export const RAX = 0;
export const RCX = 1;
export const RDX = 2;
export const RSI = 6;
export const RDI = 7;
export const R8 = 8;
export const R9 = 9;
export const R10 = 10;
export const R11 = 11;
/** Argument registers in order. */
export const ARG_REGS = [RDI, RSI, RDX, R10, R8, R9] as const;

/** The saved user registers of a thread inside a system call. */
export interface SyscallRegs {
  /** Unsigned low 32 bits of register i. */
  lo(i: number): number;
  /** Unsigned high 32 bits of register i. */
  hi(i: number): number;
  /** Sets RAX to a signed value (a result, or -errno). */
  setResult(value: number): void;
}

const TWO32 = 4294967296;
/** What a non-user 64-bit pointer word reads as: never accepted by a user-memory check. */
export const NOT_USER = -1;

export function argInt(regs: SyscallRegs, n: number): number {
  return regs.lo(ARG_REGS[n]!) | 0;
}

export function argUint(regs: SyscallRegs, n: number): number {
  return regs.lo(ARG_REGS[n]!) >>> 0;
}

/** A user pointer or NOT_USER. */
export function argPtr(regs: SyscallRegs, n: number): number {
  const r = ARG_REGS[n]!;
  const hi = regs.hi(r);
  return hi < 0x8000 ? hi * TWO32 + regs.lo(r) : NOT_USER;
}

/** An unsigned long (size_t); values above 2^53 are rounded, which only ever matters for "too big". */
export function argUlong(regs: SyscallRegs, n: number): number {
  const r = ARG_REGS[n]!;
  return regs.hi(r) * TWO32 + regs.lo(r);
}

/** A signed long (off_t, pid_t as long); values beyond ±2^53 are rounded. */
export function argLong(regs: SyscallRegs, n: number): number {
  const r = ARG_REGS[n]!;
  return (regs.hi(r) | 0) * TWO32 + regs.lo(r);
}

/** The exact 64-bit word of argument n, as an unsigned bigint (tracing, rare paths). */
export function argWord(regs: SyscallRegs, n: number): bigint {
  const r = ARG_REGS[n]!;
  return (BigInt(regs.hi(r)) << 32n) | BigInt(regs.lo(r));
}

/** The system call number: RAX as the kernel reads it (the low 32 bits, as an int). */
export function syscallNumber(regs: SyscallRegs): number {
  return regs.lo(RAX) | 0;
}

/** Registers held in a plain array of 32-bit halves: for drivers, tests and the user-mode shortcut. */
export class WordRegs implements SyscallRegs {
  private readonly halves = new Uint32Array(32);

  /** Sets register i from a signed or unsigned integer word (number or bigint), wrapped to 64 bits. */
  set(i: number, v: number | bigint): this {
    const w = BigInt.asUintN(64, BigInt(v));
    this.halves[2 * i] = Number(w & 0xffffffffn);
    this.halves[2 * i + 1] = Number(w >> 32n);
    return this;
  }

  lo(i: number): number {
    return this.halves[2 * i]!;
  }

  hi(i: number): number {
    return this.halves[2 * i + 1]!;
  }

  setResult(value: number): void {
    this.halves[0] = value >>> 0;
    this.halves[1] = Math.floor(value / TWO32) >>> 0;
  }

  /** RAX as a signed number (exact for every value a syscall returns). */
  result(): number {
    return (this.halves[1]! | 0) * TWO32 + this.halves[0]!;
  }
}

/** Builds registers for syscall `nr` with up to six argument words. */
export function syscallRegs(nr: number, args: ReadonlyArray<number | bigint>): WordRegs {
  const regs = new WordRegs().set(RAX, nr);
  args.forEach((a, i) => regs.set(ARG_REGS[i]!, a));
  return regs;
}

/** The CPU's register accessors a syscall needs (structural: runtime/cpu's Cpu has them). */
export interface RegisterFile {
  getRegLo(i: number): number;
  getRegHi(i: number): number;
  setReg(i: number, v: bigint | number): void;
}

/**
 * A CPU's live registers as syscall registers: for the user-mode shortcut, where SYSCALL
 * stops the CPU and the host handles the call without guest entry code.
 */
export class CpuRegs implements SyscallRegs {
  constructor(private readonly cpu: RegisterFile) {}

  lo(i: number): number {
    return this.cpu.getRegLo(i);
  }

  hi(i: number): number {
    return this.cpu.getRegHi(i);
  }

  setResult(value: number): void {
    this.cpu.setReg(RAX, value);
  }
}

/**
 * Linux's struct pt_regs as the entry code saves it on the kernel stack (x86-64 order:
 * r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs eflags rsp ss),
 * 21 words. These are the byte offsets of the registers do_syscall_64 reads and writes.
 */
export const PT_REGS_SIZE = 21 * 8;
export const PT_REGS_OFFSET: Readonly<Record<number, number>> = {
  [R11]: 6 * 8,
  [R10]: 7 * 8,
  [R9]: 8 * 8,
  [R8]: 9 * 8,
  [RAX]: 10 * 8,
  [RCX]: 11 * 8,
  [RDX]: 12 * 8,
  [RSI]: 13 * 8,
  [RDI]: 14 * 8,
};
/** orig_rax: the syscall number, kept apart from RAX (which receives the result). */
export const PT_REGS_ORIG_RAX = 15 * 8;

/** The subset of Memory a pt_regs frame needs (structural, so tests need no CPU). */
export interface WordMemory {
  readU32(addr: number): number;
  writeU32(addr: number, v: number): void;
}

/**
 * A pt_regs frame in guest (kernel) memory, as entry_SYSCALL_64 builds it. The number is
 * read from orig_rax, so RAX can take the result while a restarted call still sees it.
 */
export class PtRegsFrame implements SyscallRegs {
  constructor(
    private readonly mem: WordMemory,
    private readonly base: number,
  ) {}

  private offset(i: number): number {
    if (i === RAX) return PT_REGS_ORIG_RAX;
    const off = PT_REGS_OFFSET[i];
    if (off === undefined) throw new RangeError(`pt_regs: register ${i} is not saved by the syscall entry`);
    return off;
  }

  lo(i: number): number {
    return this.mem.readU32(this.base + this.offset(i));
  }

  hi(i: number): number {
    return this.mem.readU32(this.base + this.offset(i) + 4);
  }

  setResult(value: number): void {
    const at = this.base + PT_REGS_OFFSET[RAX]!;
    this.mem.writeU32(at, value >>> 0);
    this.mem.writeU32(at + 4, Math.floor(value / TWO32) >>> 0);
  }
}
