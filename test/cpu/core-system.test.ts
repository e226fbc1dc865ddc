import { describe, expect, it } from 'vitest';
import {
  CpuFault,
  MSR_EFER,
  MSR_FMASK,
  MSR_FS_BASE,
  MSR_GS_BASE,
  MSR_KERNEL_GS_BASE,
  MSR_LSTAR,
  MSR_STAR,
  MSR_TSC,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  RAX,
  RCX,
  RDX,
  R11,
  RSP,
  cpuidLeaf,
  type Stop,
} from '../../runtime/cpu/index.ts';
import { CODE, DATA, STACK_TOP, hex, machine } from './core-helpers.ts';

function fault(stop: Stop): CpuFault {
  if (stop.kind !== 'fault') throw new Error(`expected a fault, got ${JSON.stringify(stop)}`);
  return stop.fault;
}

const KERNEL = CODE + 0x1000;

describe('SYSCALL and SYSRET', () => {
  it('user mode: SYSCALL stops with kind syscall, RCX = next RIP, R11 = RFLAGS, RSP unchanged', () => {
    const cpu = machine('0f 05');
    cpu.setFlags(0x2c7); // CF PF ZF SF + IF
    const stop = cpu.run(10);
    expect(stop).toEqual({ kind: 'syscall' });
    expect(cpu.rip).toBe(CODE + 2);
    expect(cpu.getReg(RCX)).toBe(BigInt(CODE + 2));
    expect(cpu.getReg(R11)).toBe(0x2c7n);
    expect(cpu.getReg(RSP)).toBe(BigInt(STACK_TOP));
    expect(cpu.icount).toBe(1);
  });

  it('system mode: #UD when EFER.SCE is clear', () => {
    const cpu = machine('0f 05', { mode: 'system' });
    const f = fault(cpu.run(10));
    expect(f.mnemonic).toBe('#UD');
    expect(f.rip).toBe(CODE);
    expect(cpu.rip).toBe(CODE);
    expect(f.insn).toBe('syscall');
  });

  it('system mode: enters ring 0 at LSTAR with RFLAGS masked by FMASK, SYSRET returns to ring 3', () => {
    // user: syscall; then at KERNEL: mov $42,%eax ; sysretq
    const code = new Uint8Array(0x1010);
    code.set(hex('0f 05 90 f4'), 0);
    code.set(hex('b8 2a 00 00 00 48 0f 07'), 0x1000);
    const cpu = machine(code, { mode: 'system' });
    cpu.mem.protect(KERNEL, 0x1000, PROT_READ | PROT_EXEC);
    cpu.writeMsr(MSR_EFER, 1n);
    cpu.writeMsr(MSR_LSTAR, BigInt(KERNEL));
    cpu.writeMsr(MSR_STAR, 0x0023001000000000n);
    cpu.writeMsr(MSR_FMASK, 0x700n); // TF IF DF
    cpu.setFlags(0x603); // IF DF CF
    expect(cpu.run(1)).toEqual({ kind: 'limit' });
    expect(cpu.cpl).toBe(0);
    expect(cpu.rip).toBe(KERNEL);
    expect(cpu.getFlags()).toBe(0x003);
    expect(cpu.getReg(R11)).toBe(0x603n);
    expect(cpu.getReg(RCX)).toBe(BigInt(CODE + 2));
    cpu.setReg(R11, 0x0000_0000_0000_0ad7n | (1n << 40n)); // reserved high bits must be dropped
    expect(cpu.run(2)).toEqual({ kind: 'limit' });
    expect(cpu.cpl).toBe(3);
    expect(cpu.rip).toBe(CODE + 2);
    expect(cpu.getReg(RAX)).toBe(42n);
    expect(cpu.getFlags()).toBe(0xad7);
    // HLT in ring 3 is #GP
    const f = fault(cpu.run(10));
    expect(f.mnemonic).toBe('#GP');
    expect(f.rip).toBe(CODE + 3);
    expect(f.insn).toBe('hlt');
  });

  it('SYSRET faults #GP in ring 3 and for a non-canonical RCX', () => {
    const cpu = machine('48 0f 07');
    expect(fault(cpu.run(1)).mnemonic).toBe('#GP');
    const k = machine('48 0f 07', { mode: 'system', cpl: 0 });
    k.setReg(RCX, 0x0000_8000_0000_0000n);
    const f = fault(k.run(1));
    expect(f.mnemonic).toBe('#GP');
    expect(k.cpl).toBe(0);
  });
});

describe('privileged instructions and MSRs', () => {
  const privileged: Array<[string, string]> = [
    ['0f 30', 'wrmsr'],
    ['0f 32', 'rdmsr'],
    ['0f 01 f8', 'swapgs'],
    ['f4', 'hlt'],
    ['fa', 'cli'],
    ['fb', 'sti'],
  ];
  for (const [bytes, name] of privileged) {
    it(`${name} raises #GP at CPL 3`, () => {
      const cpu = machine(bytes);
      const f = fault(cpu.run(1));
      expect(f.vector).toBe(13);
      expect(f.insn).toBe(name);
      expect(cpu.rip).toBe(CODE);
    });
  }

  it('WRMSR/RDMSR in ring 0 use ECX and EDX:EAX; HLT stops with kind halt', () => {
    // wrmsr ; rdmsr (after changing ecx) ; hlt
    const cpu = machine('0f 30 b9 02 01 00 c0 0f 32 f4', { mode: 'system', cpl: 0 });
    cpu.setReg(RCX, MSR_FS_BASE);
    cpu.setReg(RDX, 0x1234);
    cpu.setReg(RAX, 0x5678_9abc);
    cpu.writeMsr(MSR_KERNEL_GS_BASE, 0x7777n);
    expect(cpu.run(10)).toEqual({ kind: 'halt' });
    expect(cpu.fsBase).toBe(0x1234_5678_9abc);
    expect(cpu.getReg(RAX)).toBe(0x7777n);
    expect(cpu.getReg(RDX)).toBe(0n);
  });

  it('SWAPGS exchanges GS_BASE and KERNEL_GS_BASE; GS overrides apply the base', () => {
    // swapgs ; mov %gs:0x10,%eax ; hlt
    const cpu = machine('0f 01 f8 65 8b 04 25 10 00 00 00 f4', { mode: 'system', cpl: 0 });
    cpu.writeMsr(MSR_GS_BASE, 0x1n);
    cpu.writeMsr(MSR_KERNEL_GS_BASE, BigInt(DATA));
    cpu.mem.writeU32(DATA + 0x10, 0xfeedbeef);
    expect(cpu.run(10).kind).toBe('halt');
    expect(cpu.readMsr(MSR_GS_BASE)).toBe(BigInt(DATA));
    expect(cpu.readMsr(MSR_KERNEL_GS_BASE)).toBe(1n);
    expect(cpu.getReg(RAX)).toBe(0xfeedbeefn);
  });

  it('unknown MSRs and non-canonical bases raise #GP', () => {
    const cpu = machine('90');
    expect(() => cpu.readMsr(0x1234)).toThrow(CpuFault);
    expect(() => cpu.writeMsr(MSR_FS_BASE, 0x8000_0000_0000n)).toThrow(/non-canonical/);
    cpu.writeMsr(MSR_FS_BASE, 0xffff_8000_0000_0000n);
    expect(cpu.fsBase).toBe(-(2 ** 47));
    expect(cpu.readMsr(MSR_FS_BASE)).toBe(0xffff_8000_0000_0000n);
  });

  it('RDTSC follows the virtual clock (one tick per retired instruction, offset by MSR TSC)', () => {
    const cpu = machine('90 90 0f 31 0f 31');
    cpu.writeMsr(MSR_TSC, 1000n);
    cpu.run(3);
    expect(cpu.getReg(RAX)).toBe(1002n);
    cpu.run(1);
    expect(cpu.getReg(RAX)).toBe(1003n);
  });

  it('CPUID reports the documented feature set', () => {
    const cpu = machine('0f a2');
    cpu.setReg(RAX, 1);
    cpu.run(1);
    expect(cpu.getReg(RCX)).toBe(BigInt((1 << 13) | (1 << 23)));
    const [, b, c, d] = cpuidLeaf(0);
    const vendor = [b, d, c].map((w) => String.fromCharCode(w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, w >>> 24)).join('');
    expect(vendor).toBe('mksyscall-ts');
  });
});

describe('faults', () => {
  it('#UD for undefined opcodes, with the bytes', () => {
    const cpu = machine('0f 0b');
    const f = fault(cpu.run(1));
    expect(f.mnemonic).toBe('#UD');
    expect(f.insn).toBe('ud2');
    expect(Array.from(f.bytes!)).toEqual([0x0f, 0x0b]);
    const g = fault(machine('0f ff').run(1));
    expect(g.mnemonic).toBe('#UD');
    expect(g.insn).toBeUndefined();
  });

  it('#UD for LOCK on a register destination or a non-lockable instruction', () => {
    expect(fault(machine('f0 01 c0').run(1)).mnemonic).toBe('#UD');
    expect(fault(machine('f0 8b 00').run(1)).mnemonic).toBe('#UD');
    const cpu = machine('f0 83 00 01');
    cpu.setReg(RAX, DATA);
    expect(cpu.run(1).kind).toBe('limit');
    expect(cpu.mem.readU32(DATA)).toBe(1);
  });

  it('#GP for instructions longer than 15 bytes', () => {
    const f = fault(machine('66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90').run(1));
    expect(f.mnemonic).toBe('#GP');
  });

  it('#PF with address and access kind; state unchanged', () => {
    const cpu = machine('48 89 18'); // mov %rbx,(%rax)
    cpu.setReg(RAX, 0x1000);
    const f = fault(cpu.run(1));
    expect(f.mnemonic).toBe('#PF');
    expect(f.addr).toBe(0x1000);
    expect(f.access).toBe('write');
    expect(f.insn).toBe('mov    %rbx,(%rax)');
    expect(cpu.icount).toBe(0);
  });

  it('#PF on a write to read-only memory leaves memory and flags untouched (read-modify-write)', () => {
    const cpu = machine('83 00 01'); // addl $1,(%rax)
    cpu.mem.protect(DATA, 0x1000, PROT_READ);
    cpu.setReg(RAX, DATA);
    cpu.setFlags(0x202);
    const f = fault(cpu.run(1));
    expect(f.access).toBe('write');
    expect(cpu.getFlags()).toBe(0x202);
    expect(cpu.mem.readU32(DATA)).toBe(0);
  });

  it('#PF on instruction fetch from a non-executable or supervisor page', () => {
    const cpu = machine('90');
    cpu.rip = DATA;
    const f = fault(cpu.run(1));
    expect(f.access).toBe('exec');
    expect(f.addr).toBe(DATA);
    const s = machine('90', { codeUser: false });
    expect(fault(s.run(1)).errorCode).toBe(1 | 4 | 16);
  });

  it('#PF for an instruction straddling into an unmapped page, at the page address', () => {
    const cpu = machine('90');
    cpu.mem.write(CODE + 0x1ffe, hex('48 b8'), { force: true }); // movabs needs 8 more bytes
    cpu.rip = CODE + 0x1ffe;
    const f = fault(cpu.run(1));
    expect(f.access).toBe('exec');
    expect(f.addr).toBe(CODE + 0x2000);
  });

  it('#GP for a non-canonical memory operand', () => {
    const cpu = machine('8b 00');
    cpu.setReg(RAX, 0x0000_8000_0000_0000n);
    const f = fault(cpu.run(1));
    expect(f.mnemonic).toBe('#GP');
  });

  it('#DE for division by zero and quotient overflow', () => {
    const cpu = machine('f7 f1'); // div %ecx
    cpu.setReg(RAX, 5);
    const f = fault(cpu.run(1));
    expect(f.mnemonic).toBe('#DE');
    expect(cpu.getReg(RAX)).toBe(5n);
    const o = machine('f7 f1');
    o.setReg(RDX, 2);
    o.setReg(RCX, 2);
    expect(fault(o.run(1)).mnemonic).toBe('#DE');
    const i32 = machine('f7 f9'); // idiv %ecx: INT32_MIN / -1
    i32.setReg(RAX, 0x8000_0000);
    i32.setReg(RDX, 0xffff_ffff);
    i32.setReg(RCX, 0xffff_ffff);
    expect(fault(i32.run(1)).mnemonic).toBe('#DE');
    const s = machine('48 f7 f9'); // idiv %rcx: INT64_MIN / -1
    s.setReg(RAX, 0x8000_0000_0000_0000n);
    s.setReg(RDX, -1n);
    s.setReg(RCX, -1n);
    expect(fault(s.run(1)).mnemonic).toBe('#DE');
  });

  it('#BP from INT3 is a trap: RIP is past it, the fault names it', () => {
    const cpu = machine('cc');
    const f = fault(cpu.run(1));
    expect(f.mnemonic).toBe('#BP');
    expect(f.rip).toBe(CODE);
    expect(cpu.rip).toBe(CODE + 1);
  });

  it('INT n stops with kind interrupt and RIP after it', () => {
    const cpu = machine('cd 80');
    expect(cpu.run(5)).toEqual({ kind: 'interrupt', vector: 0x80 });
    expect(cpu.rip).toBe(CODE + 2);
  });

  it('never throws anything but a fault stop, whatever the bytes', () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (let n = 0; n < 400; n++) {
      const bytes = Uint8Array.from({ length: 24 }, rnd);
      const cpu = machine(bytes);
      cpu.setReg(RAX, DATA);
      cpu.setReg(3, DATA + 8);
      const stop = cpu.run(20);
      expect(['limit', 'fault', 'syscall', 'interrupt', 'host']).toContain(stop.kind);
    }
  });
});

describe('run loop', () => {
  it('stops with kind host at a host page, with RIP = the address', () => {
    const cpu = machine('e8 fb 0f 10 00'); // call CODE+0x101000-ish: rel32 = 0x100ffb → target 0x501000
    cpu.mem.map(0x501000, 0x1000, PROT_READ | PROT_EXEC, { host: true });
    const stop = cpu.run(10);
    expect(stop).toEqual({ kind: 'host', addr: 0x501000 });
    expect(cpu.rip).toBe(0x501000);
    expect(cpu.mem.readU64(STACK_TOP - 8)).toBe(BigInt(CODE + 5));
  });

  it('hostCall serves a host address in place: run goes on with the budget it returns, or stops when it returns -1', () => {
    // loop: call host ; inc %eax ; dec %ecx ; jnz loop ; int $0x80   (host at 0x501000)
    const cpu = machine('e8 fb 0f 10 00 ff c0 ff c9 75 f5 cd 80');
    cpu.mem.map(0x501000, 0x1000, PROT_READ | PROT_EXEC, { host: true });
    cpu.setReg(RCX, 20);
    const seen: number[] = [];
    cpu.hostCall = (c, addr) => {
      expect(addr).toBe(0x501000);
      seen.push(c.icount);
      c.hostReturn();
      return 1000;
    };
    expect(cpu.run(1000)).toEqual({ kind: 'interrupt', vector: 0x80 });
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => 1 + 4 * i)); // every instruction before it retired and counted
    expect(cpu.getReg(RAX)).toBe(20n);
    expect(cpu.getReg(RSP)).toBe(BigInt(STACK_TOP));
    // a budget of 2 after the host call: inc and dec, then the limit
    cpu.rip = CODE;
    cpu.setReg(RCX, 5);
    cpu.hostCall = (c) => (c.hostReturn(), 2);
    expect(cpu.run(1000)).toEqual({ kind: 'limit' });
    expect(cpu.rip).toBe(CODE + 9);
    // -1: the stop a CPU without the hook makes
    cpu.rip = CODE;
    cpu.hostCall = () => -1;
    expect(cpu.run(1000)).toEqual({ kind: 'host', addr: 0x501000 });
    expect(cpu.rip).toBe(0x501000);
  });

  it('a chained link is followed only at the privilege level it was made at', () => {
    // user 0x400000: syscall ; 0x400002: jmp P     P (user page, 0x400010): jmp S     S (supervisor page): sysretq
    // LSTAR = P: ring 0 runs P → S → SYSRET to 0x400002 → jmp P in ring 3 → P's link to S was made
    // in ring 0, so ring 3 must fetch S afresh: a #PF, never S's SYSRET run at CPL 3.
    const code = new Uint8Array(0x20);
    code.set(hex('0f 05 eb 0c'), 0);
    code.set(hex('e9 eb 0f 00 00'), 0x10);
    const cpu = machine(code, { mode: 'system' });
    cpu.mem.map(KERNEL, 0x1000, PROT_READ | PROT_EXEC, { user: false });
    cpu.mem.write(KERNEL, hex('48 0f 07'), { force: true });
    cpu.writeMsr(MSR_EFER, 1n);
    cpu.writeMsr(MSR_LSTAR, BigInt(CODE + 0x10));
    cpu.writeMsr(MSR_STAR, 0x0023001000000000n);
    const f = fault(cpu.run(100));
    expect(f.mnemonic).toBe('#PF');
    expect(f.rip).toBe(KERNEL);
    expect(cpu.cpl).toBe(3);
    expect(cpu.icount).toBe(5); // syscall, jmp S, sysretq, jmp P, jmp S
  });

  it('executes self-modifying code (writes invalidate decoded blocks)', () => {
    // loop: mov $1,%eax ; movb $2,1(%rip-relative to loop) ; dec %ecx ; jnz loop
    // 0: b8 01 00 00 00            mov $1,%eax
    // 5: c6 05 f5 ff ff ff 02      movb $2,-0xb(%rip)   → patches byte at 1 (the immediate)
    // c: ff c9                     dec %ecx
    // e: 75 f0                     jne 0
    const cpu = machine('b8 01 00 00 00 c6 05 f5 ff ff ff 02 ff c9 75 f0 0f 05');
    cpu.mem.protect(CODE, 0x2000, PROT_READ | PROT_WRITE | PROT_EXEC);
    cpu.setReg(RCX, 2);
    expect(cpu.run(100).kind).toBe('syscall');
    expect(cpu.getReg(RAX)).toBe(2n);
  });

  it('honours the instruction limit exactly', () => {
    const cpu = machine('ff c0 eb fc'); // inc %eax ; jmp back
    expect(cpu.run(7)).toEqual({ kind: 'limit' });
    expect(cpu.icount).toBe(7);
    expect(cpu.getReg(RAX)).toBe(4n);
    expect(cpu.step()).toEqual({ kind: 'limit' });
    expect(cpu.icount).toBe(8);
  });

  it('writes to a data page do not disturb code', () => {
    const cpu = machine('89 18 eb fc'); // mov %ebx,(%rax); jmp back
    cpu.mem.map(DATA, 0x1000, PROT_READ | PROT_WRITE);
    cpu.setReg(RAX, DATA);
    cpu.setReg(3, 9);
    cpu.run(50);
    expect(cpu.mem.readU32(DATA)).toBe(9);
    expect(cpu.mem.check(DATA, 4, 'w', true)).toBe(true);
  });
});
