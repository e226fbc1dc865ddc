// Faults: the only exceptions the CPU core ever throws.
//
// A CpuFault is an architectural exception (the SDM's "fault" class): the instruction
// that raised it has not retired, RIP still points at it, and the state is as it was
// before the instruction began (string instructions excepted: their already-completed
// iterations stay done, as on hardware). Memory raises faults without knowing RIP; the
// executor fills in `rip`, `insn` and `bytes` before the fault leaves `Cpu.run`.
//
// Invariant: decoding, executing and memory access never throw anything else, whatever
// bytes they are given. A non-CpuFault escaping the core is a bug in the core.

export type FaultMnemonic = '#DE' | '#BP' | '#UD' | '#GP' | '#PF';
export type AccessKind = 'read' | 'write' | 'exec';

export const VEC_DE = 0;
export const VEC_BP = 3;
export const VEC_UD = 6;
export const VEC_GP = 13;
export const VEC_PF = 14;

const mnemonics: Record<number, FaultMnemonic> = {
  [VEC_DE]: '#DE',
  [VEC_BP]: '#BP',
  [VEC_UD]: '#UD',
  [VEC_GP]: '#GP',
  [VEC_PF]: '#PF',
};

const descriptions: Record<FaultMnemonic, string> = {
  '#DE': 'divide error',
  '#BP': 'breakpoint',
  '#UD': 'invalid opcode',
  '#GP': 'general protection',
  '#PF': 'page fault',
};

export class CpuFault extends Error {
  readonly vector: number;
  readonly mnemonic: FaultMnemonic;
  /** Address of the faulting instruction (filled in by the executor; -1 until then). */
  rip = -1;
  /** #PF: the linear address that could not be accessed; #GP: the non-canonical address, if that was the cause. */
  addr?: number;
  access?: AccessKind;
  /** #PF error code as the SDM defines it (bit 0 present, 1 write, 2 user, 4 instruction fetch). */
  errorCode?: number;
  /** AT&T disassembly of the faulting instruction, when it decodes. */
  insn?: string;
  /** The bytes of the faulting instruction (up to 15), when they could be read. */
  bytes?: Uint8Array;

  constructor(vector: number, detail?: string) {
    const mnemonic = mnemonics[vector];
    if (mnemonic === undefined) throw new RangeError(`CpuFault: unsupported vector ${vector}`);
    super(`${mnemonic} ${descriptions[mnemonic]}${detail ? `: ${detail}` : ''}`);
    this.name = 'CpuFault';
    this.vector = vector;
    this.mnemonic = mnemonic;
  }
}

/** A #PF raised by a memory access. `present` says whether the page was mapped at all. */
export class PageFault extends CpuFault {
  constructor(addr: number, access: AccessKind, present: boolean, user: boolean) {
    super(VEC_PF, `${access} at ${formatAddress(addr)} (${present ? 'protection violation' : 'page not mapped'})`);
    this.name = 'PageFault';
    this.addr = addr;
    this.access = access;
    this.errorCode = (present ? 1 : 0) | (access === 'write' ? 2 : 0) | (user ? 4 : 0) | (access === 'exec' ? 16 : 0);
  }
}

export function undefinedOpcode(detail?: string): CpuFault {
  return new CpuFault(VEC_UD, detail);
}

export function generalProtection(detail?: string, addr?: number): CpuFault {
  const f = new CpuFault(VEC_GP, detail);
  if (addr !== undefined) f.addr = addr;
  return f;
}

/** Addresses are signed JS numbers: the upper canonical half is negative. Print them as 64-bit hex. */
export function formatAddress(addr: number): string {
  if (addr >= 0) return `0x${addr.toString(16)}`;
  return `0x${(BigInt.asUintN(64, BigInt(addr))).toString(16)}`;
}
