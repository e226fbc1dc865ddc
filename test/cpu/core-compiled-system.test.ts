// Compiled SYSCALL and SYSRETQ against the plain interpreter: a ring-3 loop whose SYSCALL
// follows a SUB (so RFLAGS comes out of the lazy record, a different value each pass) into
// ring-0 code that records R11 and RCX, flips CF in R11 and returns with SYSRETQ (the user
// code reads CF back with ADC); then, with the blocks hot, the handler's cases: SYSRETQ to a
// non-canonical RCX and in ring 3 (#GP), SYSCALL with EFER.SCE clear (#UD), and SYSCALL on
// a user-mode CPU (which stops run).
import { describe, expect, it } from 'vitest';
import { Cpu, MSR_EFER, MSR_FMASK, MSR_LSTAR, MSR_STAR, R10, R8, R9, RCX, RDI, RDX, RSI, RSP, type CpuMode, type Stop } from '../../runtime/cpu/index.ts';
import { CODE, STACK_TOP, hex, machine } from './core-helpers.ts';

const KERNEL = CODE + 0x1000;

// user: loop: mov %rsi,%rax ; sub %rdx,%rax ; syscall ; adc $0,%rdi ; add $0x12345,%rsi ; dec %r8d ; jnz loop ; int $0x80
const USER = hex('48 89 f0 48 29 d0 0f 05 48 83 d7 00 48 81 c6 45 23 01 00 41 ff c8 75 e8 cd 80');
// kernel: add %r11,%r9 ; add %rcx,%r10 ; xor $1,%r11 ; sysretq
const ENTRY = hex('4d 01 d9 49 01 ca 49 83 f3 01 48 0f 07');

function setup(compileBlocks: boolean, mode: CpuMode): Cpu {
  const code = new Uint8Array(0x1000 + ENTRY.length);
  code.set(USER, 0);
  code.set(ENTRY, 0x1000);
  const base = machine(code, { mode });
  const cpu = new Cpu(base.mem, { mode, compileBlocks });
  cpu.rip = CODE;
  cpu.cpl = 3;
  cpu.setReg(RSP, STACK_TOP);
  cpu.writeMsr(MSR_EFER, 1n);
  cpu.writeMsr(MSR_LSTAR, BigInt(KERNEL));
  cpu.writeMsr(MSR_STAR, 0x0023001000000000n);
  cpu.writeMsr(MSR_FMASK, 0x4700n);
  cpu.setFlags(0x202);
  return cpu;
}

function state(cpu: Cpu, stop: Stop) {
  return {
    stop: stop.kind === 'fault' ? { mnemonic: stop.fault.mnemonic, rip: stop.fault.rip } : stop,
    regs: Array.from({ length: 16 }, (_, i) => cpu.getReg(i)),
    flags: cpu.getFlags(),
    rip: cpu.rip,
    cpl: cpu.cpl,
    icount: cpu.icount,
  };
}

/** Runs the loop 40 times (the blocks compile after 8) with operands that give every flag pattern a turn. */
function loop(compileBlocks: boolean, a: bigint, b: bigint) {
  const cpu = setup(compileBlocks, 'system');
  cpu.setReg(R8, 40);
  cpu.setReg(RSI, a);
  cpu.setReg(RDX, b);
  return { cpu, result: state(cpu, cpu.run(1e6)) };
}

describe('compiled SYSCALL and SYSRETQ', () => {
  it('a SYSCALL/SYSRETQ loop leaves the same registers, flags, ring and counts as the interpreter', () => {
    const values = [0n, 1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x7fffffff_ffffffffn, -0x80000000_00000000n, -1n, 0x12345678_9abcdef0n];
    for (const a of values) {
      for (const b of values) {
        const compiled = loop(true, a, b).result;
        const plain = loop(false, a, b).result;
        expect(compiled, `a=${a} b=${b}`).toEqual(plain);
        expect(plain.stop).toEqual({ kind: 'interrupt', vector: 0x80 });
        expect(plain.cpl).toBe(3);
        expect(plain.icount).toBe(40 * 11 + 1);
      }
    }
  });

  it('the handler cases from hot blocks: #GP for a non-canonical RCX and in ring 3, #UD with SCE clear, a stop on a user-mode CPU', () => {
    const cases = (compileBlocks: boolean) => {
      const out: unknown[] = [];
      // SYSRETQ to a non-canonical RCX: #GP at the SYSRETQ in ring 0, nothing changed
      let { cpu } = loop(compileBlocks, 5n, 3n);
      cpu.cpl = 0;
      cpu.rip = KERNEL;
      cpu.setReg(RCX, 1n << 47n);
      out.push(state(cpu, cpu.run(100)));
      // SYSRETQ in ring 3 (the kernel page is user-readable here): #GP
      ({ cpu } = loop(compileBlocks, 5n, 3n));
      cpu.rip = KERNEL;
      out.push(state(cpu, cpu.run(100)));
      // SYSCALL with EFER.SCE clear: #UD at the SYSCALL
      ({ cpu } = loop(compileBlocks, 5n, 3n));
      cpu.writeMsr(MSR_EFER, 0n);
      cpu.rip = CODE;
      cpu.setReg(R8, 5);
      out.push(state(cpu, cpu.run(100)));
      // a user-mode CPU: the hot SYSCALL block stops run with RCX and R11 set
      cpu = setup(compileBlocks, 'user');
      cpu.setReg(R8, 40);
      cpu.setReg(RSI, 7n);
      // each stop leaves RIP after the SYSCALL, where the next run goes on
      for (let i = 0; i < 12; i++) out.push(state(cpu, cpu.run(100)));
      out.push([cpu.getReg(R9), cpu.getReg(R10), cpu.getReg(RDI)]);
      return out;
    };
    const compiled = cases(true);
    const plain = cases(false);
    expect(compiled).toEqual(plain);
    expect(plain[0]).toMatchObject({ stop: { mnemonic: '#GP', rip: KERNEL + 10 }, cpl: 0 });
    expect(plain[1]).toMatchObject({ stop: { mnemonic: '#GP', rip: KERNEL + 10 }, cpl: 3 });
    expect(plain[2]).toMatchObject({ stop: { mnemonic: '#UD', rip: CODE + 6 } });
    expect(plain[3]).toMatchObject({ stop: { kind: 'syscall' }, rip: CODE + 8, cpl: 3 });
  });
});
