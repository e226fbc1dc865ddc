// User-mode emulation of a static Linux x86-64 executable, in the manner of qemu-user: the
// guest runs in ring 3 on the emulated CPU, and each SYSCALL stops the CPU so the host
// handles the call (syscalls.ts) and resumes it. There is no guest kernel here; the kernel
// entered through MSR_LSTAR lives in runtime/kernel.
//
// Invariants: execStatic never throws for anything the guest does; a guest fault ends
// the process with the signal Linux would send (#PF/#GP → SIGSEGV, #UD → SIGILL,
// #DE → SIGFPE, #BP → SIGTRAP) and status 128 + signal; a run is a pure function of the
// executable, argv, envp, the seed and the input read (no host clock, no host randomness).
import { Cpu, formatAddress, Memory, RAX, RDI, RSI, RDX, R8, R9, R10, RSP, type CpuFault } from '../cpu/index.ts';
import { loadElf } from '../loader/load.ts';
import type { ElfFile } from '../loader/elf.ts';
import { Regions } from './regions.ts';
import { doSyscall, type GuestIo, type Process } from './syscalls.ts';

export type { GuestIo } from './syscalls.ts';

export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGFPE = 8;
export const SIGSEGV = 11;
const SIGNAL_NAMES: Record<number, string> = { [SIGILL]: 'SIGILL', [SIGTRAP]: 'SIGTRAP', [SIGFPE]: 'SIGFPE', [SIGSEGV]: 'SIGSEGV' };
const SIGNAL_OF_VECTOR: Record<number, number> = { 0: SIGFPE, 3: SIGTRAP, 6: SIGILL, 13: SIGSEGV, 14: SIGSEGV };

/** Instructions run between checks of the instruction budget. */
const SLICE = 1 << 20;

export interface ExecOptions {
  argv: string[];
  envp: string[];
  io: GuestIo;
  /** Receives one strace-style line per system call and per signal. */
  strace?: (line: string) => void;
  /** Seeds AT_RANDOM and getrandom; the default is 0. */
  seed?: number;
  /** Stop (status 124-like 'limit' outcome) after this many instructions; default unlimited. */
  maxInstructions?: number;
}

export interface ExecResult {
  /** How the process ended. */
  kind: 'exit' | 'signal' | 'limit';
  /** Exit status: the guest's, or 128 + signal. For 'limit', 124 (as timeout(1) reports). */
  status: number;
  signal?: { number: number; name: string; fault: CpuFault | null };
  /** A human-readable account of a signal or limit: signal, RIP, instruction, address. */
  message?: string;
  instructions: number;
}

/** A seeded 64-bit generator (splitmix64) for the bytes the guest may ask for. */
function seededBytes(seed: number): (n: number) => Uint8Array {
  let state = BigInt.asUintN(64, BigInt(seed) * 0x9e3779b97f4a7c15n);
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 8) {
      state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
      let z = state;
      z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
      z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
      z ^= z >> 31n;
      for (let j = 0; j < 8 && i + j < n; j++) out[i + j] = Number((z >> BigInt(8 * j)) & 0xffn);
    }
    return out;
  };
}

/** Loads a static executable and runs it to completion in user-mode emulation. */
export function execStatic(elf: ElfFile, opts: ExecOptions): ExecResult {
  const mem = new Memory();
  const randomBytes = seededBytes(opts.seed ?? 0);
  const loaded = loadElf(mem, elf, { argv: opts.argv, envp: opts.envp, random: randomBytes(16) });
  const cpu = new Cpu(mem, { mode: 'user' });
  cpu.cpl = 3;
  cpu.rip = loaded.entry;
  cpu.setReg(RSP, loaded.stackPointer);
  const regions = new Regions();
  for (const [start, end] of loaded.mapped) regions.add(start, end);
  const proc: Process = {
    mem,
    io: opts.io,
    readMsr: (i) => cpu.readMsr(i),
    writeMsr: (i, v) => cpu.writeMsr(i, v),
    brk: loaded.brk,
    brkBase: loaded.brk,
    regions,
    randomBytes,
    exitStatus: null,
  };
  const budget = opts.maxInstructions ?? Infinity;
  const start = cpu.icount;
  for (;;) {
    const used = cpu.icount - start;
    if (used >= budget) {
      return { kind: 'limit', status: 124, message: `stopped after ${used} instructions at rip ${formatAddress(cpu.rip)}`, instructions: used };
    }
    const stop = cpu.run(Math.min(SLICE, budget - used));
    switch (stop.kind) {
      case 'limit':
        continue;
      case 'syscall': {
        const args = [RDI, RSI, RDX, R10, R8, R9].map((r) => cpu.getReg(r));
        const { result, trace } = doSyscall(proc, cpu.getReg(RAX), args);
        opts.strace?.(trace);
        if (proc.exitStatus !== null) {
          opts.strace?.(`+++ exited with ${proc.exitStatus} +++`);
          return { kind: 'exit', status: proc.exitStatus, instructions: cpu.icount - start };
        }
        cpu.setReg(RAX, result);
        continue;
      }
      case 'fault':
        return killed(opts, SIGNAL_OF_VECTOR[stop.fault.vector] ?? SIGSEGV, stop.fault, describeFault(stop.fault), cpu.icount - start);
      case 'interrupt':
        // No interrupt gate is open to ring 3 in user mode: INT n is a #GP, hence SIGSEGV.
        return killed(opts, SIGSEGV, null, `int $0x${stop.vector.toString(16)} at rip ${formatAddress(cpu.rip)} (no user-accessible interrupt gate)`, cpu.icount - start);
      case 'host':
      case 'halt':
        return killed(opts, SIGSEGV, null, `unexpected ${stop.kind} stop at rip ${formatAddress(cpu.rip)}`, cpu.icount - start);
    }
  }
}

function killed(opts: ExecOptions, signal: number, fault: CpuFault | null, detail: string, instructions: number): ExecResult {
  const name = SIGNAL_NAMES[signal]!;
  const addr = fault ? (fault.addr ?? fault.rip) : undefined;
  opts.strace?.(`--- ${name} {si_signo=${name}${addr !== undefined ? `, si_addr=${formatAddress(addr)}` : ''}} ---`);
  opts.strace?.(`+++ killed by ${name} +++`);
  return { kind: 'signal', status: 128 + signal, signal: { number: signal, name, fault }, message: `${name}: ${detail}`, instructions };
}

/** "#PF page fault: write at 0x0 (page not mapped) at rip 0x401000: movl $0x1,(%rax) [c7 00 01 00 00 00], address 0x0" */
export function describeFault(f: CpuFault): string {
  const insn = f.insn ?? '(undecodable)';
  const bytes = f.bytes ? ` [${Array.from(f.bytes, (b) => b.toString(16).padStart(2, '0')).join(' ')}]` : '';
  return `${f.message} at rip ${formatAddress(f.rip)}: ${insn}${bytes}, address ${formatAddress(f.addr ?? f.rip)}`;
}
