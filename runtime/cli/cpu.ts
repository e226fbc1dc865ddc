// `mksyscall cpu --hex "48 01 d8" [--regs rax=1,rbx=2,rflags=0x202] [--json]`: decodes and
// executes a byte sequence in ring 3 from the given register state, printing each
// instruction as it retires and then the final registers and flags.
//
// The code is placed at CODE_ADDR in a read+execute page; a read/write stack page sits
// below STACK_TOP and RSP starts at STACK_TOP unless --regs sets it. Execution ends when
// RIP leaves the code (normally: falls off its end), on a fault, on SYSCALL/INT (reported
// as the stop), or after MAX_STEPS instructions (a loop).
import { Cpu, disassemble, formatAddress, Memory, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE, RSP, type Stop } from '../cpu/index.ts';
import { describeFault } from '../usermode/index.ts';
import { HexError, parseHex } from './disasm.ts';

export const CODE_ADDR = 0x40_0000;
export const STACK_TOP = 0x7fff_0000;
const STACK_PAGES = 16;
const MAX_STEPS = 10_000;
const REG_NAMES = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const FLAG_BITS: ReadonlyArray<[number, string]> = [
  [0x1, 'CF'],
  [0x4, 'PF'],
  [0x10, 'AF'],
  [0x40, 'ZF'],
  [0x80, 'SF'],
  [0x100, 'TF'],
  [0x200, 'IF'],
  [0x400, 'DF'],
  [0x800, 'OF'],
];

export interface CpuRunReport {
  instructions: Array<{ addr: string; bytes: string; text: string }>;
  stop: string;
  regs: Record<string, string>;
  rip: string;
  rflags: string;
  flags: string[];
}

/** Parses "rax=1,rbx=0x2,rflags=0x202,rip=…" into register assignments; throws HexError on bad input. */
export function parseRegs(text: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  let column = 1;
  for (const item of text.split(',')) {
    const m = /^\s*([a-z0-9]+)\s*=\s*(-?(?:0x[0-9a-f]+|\d+))\s*$/i.exec(item);
    const name = m?.[1]?.toLowerCase();
    if (!m || !name || !(REG_NAMES.includes(name) || name === 'rflags' || name === 'rip')) {
      throw new HexError(`--regs: expected NAME=VALUE with NAME one of ${REG_NAMES.join(', ')}, rflags, rip (e.g. rax=1,rflags=0x202), got "${item.trim()}" at column ${column}`);
    }
    const negative = m[2]!.startsWith('-');
    const magnitude = BigInt(negative ? m[2]!.slice(1) : m[2]!);
    const value = negative ? -magnitude : magnitude;
    if (value < -(1n << 63n) || value >= 1n << 64n) throw new HexError(`--regs: ${name}=${m[2]} does not fit in 64 bits (column ${column})`);
    out.set(name, BigInt.asUintN(64, value));
    column += item.length + 1;
  }
  return out;
}

const hex64 = (v: bigint) => `0x${BigInt.asUintN(64, v).toString(16).padStart(16, "0")}`;

function describeStop(stop: Stop, cpu: Cpu, end: number, steps: number): string {
  switch (stop.kind) {
    case 'fault':
      return `fault: ${describeFault(stop.fault)}`;
    case 'syscall':
      return `syscall (rax=${cpu.getReg(0)}) at rip ${formatAddress(cpu.rip)}`;
    case 'interrupt':
      return `int $0x${stop.vector.toString(16)} at rip ${formatAddress(cpu.rip)}`;
    case 'limit':
      if (cpu.rip === end) return 'end of code';
      return steps >= MAX_STEPS ? `stopped after ${MAX_STEPS} instructions` : `left the code: rip ${formatAddress(cpu.rip)}`;
    default:
      return `${stop.kind} at rip ${formatAddress(cpu.rip)}`;
  }
}

/** Runs the code and returns what happened; the basis of both the text and the JSON output. */
export function runCode(code: Uint8Array, regs: Map<string, bigint>): CpuRunReport {
  const mem = new Memory();
  const codeSize = Math.ceil(code.length / PAGE_SIZE) * PAGE_SIZE;
  mem.map(CODE_ADDR, codeSize, PROT_READ | PROT_EXEC);
  mem.write(CODE_ADDR, code, { force: true });
  mem.map(STACK_TOP - STACK_PAGES * PAGE_SIZE, STACK_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE);
  const cpu = new Cpu(mem, { mode: 'user' });
  cpu.cpl = 3;
  cpu.rip = CODE_ADDR;
  cpu.setReg(RSP, STACK_TOP);
  for (const [name, v] of regs) {
    if (name === 'rflags') cpu.setFlags(Number(v & 0xffffffffn));
    else if (name === 'rip') cpu.rip = Number(BigInt.asIntN(64, v));
    else cpu.setReg(REG_NAMES.indexOf(name), v);
  }
  const end = CODE_ADDR + code.length;
  const instructions: CpuRunReport['instructions'] = [];
  let stop: Stop = { kind: 'limit' };
  let steps = 0;
  while (steps < MAX_STEPS && cpu.rip >= CODE_ADDR && cpu.rip < end) {
    const at = cpu.rip;
    const d = disassemble(code.subarray(at - CODE_ADDR, Math.min(code.length, at - CODE_ADDR + 15)), at);
    stop = cpu.step();
    if (stop.kind === 'fault') break;
    steps++;
    const length = d?.length ?? 0;
    instructions.push({
      addr: formatAddress(at),
      bytes: Array.from(code.subarray(at - CODE_ADDR, at - CODE_ADDR + length), (b) => b.toString(16).padStart(2, '0')).join(' '),
      text: d?.text ?? '(bad)',
    });
    if (stop.kind !== 'limit') break;
  }
  const flags = cpu.getFlags();
  return {
    instructions,
    stop: describeStop(stop, cpu, end, steps),
    regs: Object.fromEntries(REG_NAMES.map((n, i) => [n, hex64(cpu.getReg(i))])),
    rip: formatAddress(cpu.rip),
    rflags: `0x${flags.toString(16)}`,
    flags: FLAG_BITS.filter(([bit]) => flags & bit).map(([, n]) => n),
  };
}

export function formatReport(r: CpuRunReport): string {
  const lines: string[] = [];
  for (const i of r.instructions) lines.push(`${i.addr.padStart(10)}:  ${i.bytes.padEnd(30)} ${i.text}`);
  lines.push(`stop: ${r.stop}`, '');
  const names = Object.keys(r.regs);
  for (let i = 0; i < names.length; i += 4) {
    lines.push(names.slice(i, i + 4).map((n) => `${n.padStart(3)} ${r.regs[n]}`).join('  '));
  }
  lines.push(`rip ${r.rip}  rflags ${r.rflags} [${r.flags.join(' ')}]`);
  return lines.join('\n') + '\n';
}

export function runCpu(opts: { hex?: string; regs?: string; json?: boolean }): number {
  try {
    if (opts.hex === undefined) throw new HexError('--hex: required (the bytes to execute, e.g. --hex "48 01 d8")');
    const report = runCode(parseHex(opts.hex), opts.regs ? parseRegs(opts.regs) : new Map());
    process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
    return report.stop.startsWith('fault') ? 1 : 0;
  } catch (e) {
    if (e instanceof HexError) {
      process.stderr.write(`mksyscall cpu: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
