import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PROT_EXEC, PROT_READ, PROT_WRITE, RAX, RBX, RCX, RDX, RSI, RDI, RBP, RSP, type Stop } from '../../runtime/cpu/index.ts';
import { CODE, DATA, STACK_TOP, machine } from './core-helpers.ts';

/** getReg returns the signed value; compare as unsigned 64-bit. */
const u = (v: bigint) => BigInt.asUintN(64, v);
const CF = 1;
const ZF = 0x40;
const SF = 0x80;
const OF = 0x800;

function run(code: string, regs: Record<number, bigint | number> = {}, limit = 1000): { cpu: ReturnType<typeof machine>; stop: Stop } {
  const cpu = machine(code + ' cd 80'); // every snippet ends in INT 0x80, which stops the run and clobbers nothing
  for (const [r, v] of Object.entries(regs)) cpu.setReg(Number(r), v);
  return { cpu, stop: cpu.run(limit) };
}

describe('arithmetic', () => {
  it('ADD sets CF, OF, ZF, SF exactly at every size', () => {
    let { cpu } = run('48 01 d8', { [RAX]: 0x7fff_ffff_ffff_ffffn, [RBX]: 1 }); // add %rbx,%rax
    expect(u(cpu.getReg(RAX))).toBe(0x8000_0000_0000_0000n);
    expect(cpu.getFlags() & (CF | OF | SF | ZF)).toBe(OF | SF);
    ({ cpu } = run('00 d8', { [RAX]: 0xff, [RBX]: 1 })); // add %bl,%al
    expect(u(cpu.getReg(RAX))).toBe(0n);
    expect(cpu.getFlags() & (CF | OF | SF | ZF)).toBe(CF | ZF);
    ({ cpu } = run('01 d8', { [RAX]: 0xffff_ffff_0000_0001n, [RBX]: 0xffff_ffff })); // add %ebx,%eax zero-extends
    expect(u(cpu.getReg(RAX))).toBe(0n);
    expect(cpu.getFlags() & (CF | ZF)).toBe(CF | ZF);
  });

  it('SBB and ADC chain the carry through 64-bit halves', () => {
    // sub %rbx,%rax ; sbb %rdx,%rcx : 128-bit 0x1_0000000000000000 - 1
    const { cpu } = run('48 29 d8 48 19 d1', { [RAX]: 0, [RBX]: 1, [RCX]: 1, [RDX]: 0 });
    expect(u(cpu.getReg(RAX))).toBe(0xffff_ffff_ffff_ffffn);
    expect(u(cpu.getReg(RCX))).toBe(0n);
    expect(cpu.getFlags() & (CF | ZF)).toBe(ZF);
  });

  it('MUL and IMUL give the full 128-bit product', () => {
    let { cpu } = run('48 f7 e3', { [RAX]: -1n, [RBX]: -1n }); // mul %rbx
    expect(u(cpu.getReg(RAX))).toBe(1n);
    expect(u(cpu.getReg(RDX))).toBe(0xffff_ffff_ffff_fffen);
    expect(cpu.getFlags() & (CF | OF)).toBe(CF | OF);
    ({ cpu } = run('48 f7 eb', { [RAX]: -2n, [RBX]: 3 })); // imul %rbx
    expect(u(cpu.getReg(RAX))).toBe(0xffff_ffff_ffff_fffan);
    expect(u(cpu.getReg(RDX))).toBe(0xffff_ffff_ffff_ffffn);
    expect(cpu.getFlags() & (CF | OF)).toBe(0);
    ({ cpu } = run('48 0f af c3', { [RAX]: 0x1_0000_0000n, [RBX]: 0x1_0000_0000n })); // imul %rbx,%rax
    expect(u(cpu.getReg(RAX))).toBe(0n);
    expect(cpu.getFlags() & (CF | OF)).toBe(CF | OF);
    ({ cpu } = run('6b c3 fd', { [RBX]: 7 })); // imul $-3,%ebx,%eax
    expect(u(cpu.getReg(RAX))).toBe(0xffff_ffebn);
  });

  it('DIV and IDIV divide 128/64 and 64/32 with truncation toward zero', () => {
    let { cpu } = run('48 f7 f3', { [RDX]: 1, [RAX]: 0, [RBX]: 0x10 }); // div %rbx
    expect(u(cpu.getReg(RAX))).toBe(0x1000_0000_0000_0000n);
    expect(u(cpu.getReg(RDX))).toBe(0n);
    ({ cpu } = run('f7 fb', { [RDX]: 0xffff_ffff, [RAX]: 0xffff_fff9, [RBX]: 2 })); // idiv %ebx: -7 / 2
    expect(u(cpu.getReg(RAX))).toBe(0xffff_fffdn);
    expect(u(cpu.getReg(RDX))).toBe(0xffff_ffffn);
    ({ cpu } = run('f6 f3', { [RAX]: 1000, [RBX]: 7 })); // div %bl
    expect(u(cpu.getReg(RAX))).toBe(BigInt((6 << 8) | 142));
  });

  it('shifts and rotates by counts across the 32-bit halves', () => {
    let { cpu } = run('48 c1 e0 24', { [RAX]: 0x0000_0000_1234_5678n }); // shl $36,%rax
    expect(u(cpu.getReg(RAX))).toBe(0x2345_6780_0000_0000n);
    expect(cpu.getFlags() & CF).toBe(1); // bit 28 of 0x12345678 is 1
    ({ cpu } = run('48 d3 f8', { [RAX]: 0x8000_0000_0000_0000n, [RCX]: 63 })); // sar %cl,%rax
    expect(u(cpu.getReg(RAX))).toBe(0xffff_ffff_ffff_ffffn);
    ({ cpu } = run('48 c1 c0 08', { [RAX]: 0x1122_3344_5566_7788n })); // rol $8,%rax
    expect(u(cpu.getReg(RAX))).toBe(0x2233_4455_6677_8811n);
    ({ cpu } = run('48 0f a4 d8 10', { [RAX]: 0x1111_2222_3333_4444n, [RBX]: 0xaaaa_bbbb_cccc_ddddn })); // shld $16,%rbx,%rax
    expect(u(cpu.getReg(RAX))).toBe(0x2222_3333_4444_aaaan);
  });

  it('BSF/BSR/POPCNT/LZCNT/TZCNT/BSWAP', () => {
    let { cpu } = run('48 0f bc c3', { [RBX]: 0x100_0000_0000n }); // bsf %rbx,%rax
    expect(u(cpu.getReg(RAX))).toBe(40n);
    ({ cpu } = run('48 0f bd c3', { [RBX]: 0x100_0000_0001n })); // bsr
    expect(u(cpu.getReg(RAX))).toBe(40n);
    ({ cpu } = run('f3 48 0f b8 c3', { [RBX]: -1n })); // popcnt
    expect(u(cpu.getReg(RAX))).toBe(64n);
    ({ cpu } = run('f3 0f bd c3', { [RBX]: 0 })); // lzcnt %ebx,%eax
    expect(u(cpu.getReg(RAX))).toBe(32n);
    expect(cpu.getFlags() & CF).toBe(CF);
    ({ cpu } = run('48 0f c8', { [RAX]: 0x0102_0304_0506_0708n })); // bswap %rax
    expect(u(cpu.getReg(RAX))).toBe(0x0807_0605_0403_0201n);
  });
});

describe('memory, stack and strings', () => {
  it('PUSH, POP, CALL, RET, ENTER and LEAVE keep RSP and RBP right', () => {
    // call +1 (to the pop) ; pop %rax ; push $-1 ; pop %rbx ; enter $0x20,$0 ; leave
    const { cpu } = run('e8 00 00 00 00 58 6a ff 5b c8 20 00 00 c9', { [RBP]: 0x1234 });
    expect(u(cpu.getReg(RAX))).toBe(BigInt(CODE + 5));
    expect(u(cpu.getReg(RBX))).toBe(0xffff_ffff_ffff_ffffn);
    expect(u(cpu.getReg(RSP))).toBe(BigInt(STACK_TOP));
    expect(u(cpu.getReg(RBP))).toBe(0x1234n);
  });

  it('REP MOVSB, REP STOSQ and REPNE SCASB', () => {
    const cpu = machine('f3 a4 48 89 d7 b8 aa 00 00 00 48 c7 c1 02 00 00 00 f3 48 ab 48 89 d7 b0 00 48 c7 c1 ff 00 00 00 f2 ae cd 80');
    cpu.mem.write(DATA, new TextEncoder().encode('hello'));
    cpu.setReg(RSI, DATA);
    cpu.setReg(RDI, DATA + 0x100);
    cpu.setReg(RCX, 6);
    cpu.setReg(RDX, DATA + 0x200);
    expect(cpu.run(100).kind).toBe('interrupt');
    expect(new TextDecoder().decode(cpu.mem.read(DATA + 0x100, 5))).toBe('hello');
    expect(cpu.mem.readU64(DATA + 0x208)).toBe(0xaan);
    // repnz scasb from DATA+0x200 for a zero byte: 0xaa at 0x200, zeros at 0x201
    expect(u(cpu.getReg(RDI))).toBe(BigInt(DATA + 0x202));
    expect(u(cpu.getReg(RCX))).toBe(0xfdn);
  });

  it('CMPXCHG16B compares and swaps 16 aligned bytes, #GP when misaligned', () => {
    const code = 'f0 48 0f c7 0e'; // lock cmpxchg16b (%rsi)
    let { cpu } = run(code, { [RSI]: DATA, [RAX]: 0, [RDX]: 0, [RBX]: 5, [RCX]: 6 });
    expect(cpu.mem.readU64(DATA)).toBe(5n);
    expect(cpu.mem.readU64(DATA + 8)).toBe(6n);
    expect(cpu.getFlags() & ZF).toBe(ZF);
    ({ cpu } = run(code, { [RSI]: DATA + 16, [RAX]: 1 })); // mismatch: RDX:RAX ← memory
    expect(cpu.getFlags() & ZF).toBe(0);
    expect(cpu.getReg(RAX)).toBe(0n);
    const r = run(code, { [RSI]: DATA + 4 });
    expect(r.stop.kind === 'fault' && r.stop.fault.mnemonic).toBe('#GP');
  });
});

describe('compiled blocks', () => {
  it('a hot loop gives the same results and an exact instruction count', () => {
    // loop: add %rbx,%rax ; xor %rdx,%rax ; add $3,%rax ; dec %rcx ; jnz loop
    const { cpu, stop } = run('48 01 d8 48 31 d0 48 83 c0 03 48 ff c9 75 f2', { [RCX]: 1000, [RBX]: 7, [RDX]: 0x55 }, 1e6);
    expect(stop.kind).toBe('interrupt');
    let rax = 0n;
    for (let i = 0; i < 1000; i++) rax = ((rax + 7n) ^ 0x55n) + 3n;
    expect(u(cpu.getReg(RAX))).toBe(rax);
    expect(cpu.icount).toBe(5001);
  });

  it('compiled blocks agree with the plain interpreter on registers and flags', () => {
    // A loop body mixing every inline form (32/64-bit ALU with registers and immediates, INC/DEC,
    // MOV) with dead and live flags, then flags observed through PUSHF after the loop.
    const bodies = [
      '01 d8 29 d0 25 ff ff 00 00 09 f0 39 f8 41 89 c0', // add %ebx,%eax; sub %edx,%eax; and $0xffff,%eax; or %esi,%eax; cmp %edi,%eax; mov %eax,%r8d
      '48 01 d8 48 31 d0 48 83 c0 03 48 21 f0 48 ff c0', // add, xor, add $3, and %rsi, inc %rax (64-bit)
      '48 29 d8 48 11 d0 48 19 f0 49 89 c1 ff c8 48 39 f8', // sub, adc, sbb, mov %rax,%r9, dec %eax, cmp %rdi,%rax
      '48 09 c3 48 ff c3 48 81 f3 78 56 34 12 48 83 eb 80', // or, inc %rbx, xor $imm32, sub $-128
    ];
    let seed = 99;
    const rnd = () => BigInt((seed = (seed * 1103515245 + 12345) >>> 0)) << 32n | BigInt((seed = (seed * 1103515245 + 12345) >>> 0));
    for (const body of bodies) {
      const len = body.split(' ').length;
      // body ; dec %ecx (ff c9) ; jnz body ; pushf ; pop %r10 ; int $0x80
      const code = `${body} ff c9 75 ${(256 - (len + 4)).toString(16)} 9c 41 5a cd 80`;
      for (let trial = 0; trial < 5; trial++) {
        const regs = [rnd(), 50n, rnd(), rnd(), 0n, rnd(), rnd(), rnd()]; // RCX = 50 iterations
        const results = [true, false].map((compileBlocks) => {
          const cpu = machine(code);
          const fresh = new (cpu.constructor as typeof import('../../runtime/cpu/index.ts').Cpu)(cpu.mem, { compileBlocks });
          fresh.rip = CODE;
          regs.forEach((v, i) => i !== RSP && fresh.setReg(i, v));
          fresh.setReg(RSP, STACK_TOP);
          fresh.setFlags(trial & 1 ? 0x203 : 0x202);
          expect(fresh.run(1e6).kind).toBe('interrupt');
          return Array.from({ length: 16 }, (_, i) => fresh.getReg(i)).concat(BigInt(fresh.getFlags()));
        });
        expect(results[0], body).toEqual(results[1]);
      }
    }
  });

  it('compiled memory moves agree with the interpreter, and an inline store into the block invalidates it', () => {
    // loop: mov %rax,(%rdi,%rcx,8) ; mov 8(%rdi),%rbx ; add %rbx,%rax ; mov %eax,4(%rdi) ; mov 0x10(%rip),%edx ;
    //       push %rax ; push %rbx ; pop %rax ; pop %rbx ; push %rsp ; pop %rsi ; dec %ecx ; jnz loop
    const loop = '48 89 04 cf 48 8b 5f 08 48 01 d8 89 47 04 8b 15 10 00 00 00 50 53 58 5b 54 5e ff c9 75 e2 cd 80';
    const results = [true, false].map((compileBlocks) => {
      const m = machine(loop);
      const cpu = new (m.constructor as typeof import('../../runtime/cpu/index.ts').Cpu)(m.mem, { compileBlocks });
      cpu.rip = CODE;
      cpu.setReg(RSP, STACK_TOP);
      cpu.setReg(RDI, DATA);
      cpu.setReg(RCX, 40);
      cpu.setReg(RAX, 0x1234_5678_9abc_def0n);
      expect(cpu.run(1e6).kind).toBe('interrupt');
      return [cpu.getReg(RAX), cpu.getReg(RBX), cpu.getReg(RDX), cpu.getReg(RSI), cpu.getReg(RSP), cpu.mem.readU64(DATA), cpu.mem.readU64(DATA + 8), cpu.mem.readU64(DATA + 320)];
    });
    expect(results[0]).toEqual(results[1]);
    expect(results[0]![3]).toBe(BigInt(STACK_TOP)); // push %rsp pushes the value before the push

    // loop: mov $1,%eax ; add %eax,%ebx ; mov %esi,(%rdi) (patches the immediate) ; dec %ecx ; jnz loop ; int $0x80
    const cpu = machine('b8 01 00 00 00 01 c3 89 37 ff c9 75 f3 cd 80');
    cpu.mem.protect(CODE, 0x2000, PROT_READ | PROT_WRITE | PROT_EXEC);
    cpu.setReg(RDI, CODE + 1);
    cpu.setReg(RSI, 7);
    cpu.setReg(RCX, 30);
    expect(cpu.run(1e6).kind).toBe('interrupt');
    expect(cpu.getReg(RBX)).toBe(1n + 29n * 7n);
  });

  it('a compiled self-looping block still stops exactly at the instruction limit', () => {
    const cpu = machine('ff c0 ff c3 eb fa'); // loop: inc %eax ; inc %ebx ; jmp loop
    expect(cpu.run(1001)).toEqual({ kind: 'limit' });
    expect(cpu.icount).toBe(1001);
    // 333 whole passes, then inc %eax and inc %ebx
    expect(cpu.getReg(RAX)).toBe(334n);
    expect(cpu.getReg(RBX)).toBe(334n);
    expect(cpu.rip).toBe(CODE + 4);
    cpu.run(2); // jmp, inc %eax
    expect(cpu.rip).toBe(CODE + 2);
    expect(cpu.getReg(RAX)).toBe(335n);
  });

  it('compiled blocks agree with the interpreter on random register-only loop bodies (property)', () => {
    const REGS = [0, 2, 3, 6, 7, 8, 9, 10, 11]; // not RCX (the loop counter) or RSP
    const modrm = (reg: number, rm: number) => 0xc0 | ((reg & 7) << 3) | (rm & 7);
    const rex = (w: boolean, reg: number, rm: number) => 0x40 | (w ? 8 : 0) | (reg >= 8 ? 4 : 0) | (rm >= 8 ? 1 : 0);
    const insn = fc.tuple(fc.integer({ min: 0, max: 9 }), fc.boolean(), fc.constantFrom(...REGS), fc.constantFrom(...REGS), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 7 })).map(
      ([kind, wide, r, m, imm, op]) => {
        const p = (bytes: number[]) => [rex(wide, r, m), ...bytes];
        switch (kind) {
          case 0: return p([op * 8 + 1, modrm(r, m)]); // ALU r/m, reg (add or adc sbb and sub xor cmp)
          case 1: return p([0x83, modrm(op, m), imm]); // ALU r/m, imm8
          case 2: return p([0xff, modrm(op & 1, m)]); // inc / dec
          case 3: return p([0x89, modrm(r, m)]); // mov
          case 4: return p([0xc1, modrm([0, 1, 4, 5, 7][op % 5]!, m), imm]); // rol ror shl shr sar by imm8
          case 5: return p([0x0f, 0xaf, modrm(r, m)]); // imul
          case 6: return p([0x0f, 0x40 + (imm & 15), modrm(r, m)]); // cmovcc
          case 7: return p([0xf7, modrm(2 + (op & 1), m)]); // not / neg
          case 8: return p([0x85, modrm(r, m)]); // test
          default: return p([0xd1, modrm(2 + (op & 1), m)]); // rcl / rcr by 1
        }
      },
    );
    fc.assert(
      fc.property(fc.array(insn, { minLength: 1, maxLength: 8 }), fc.array(fc.bigUint64Array({ minLength: 16, maxLength: 16 }), { minLength: 1, maxLength: 1 }), fc.boolean(), (body, [init], carry) => {
        const bytes = body.flat();
        // body ; dec %ecx ; jnz body ; pushf ; pop %r12 ; int $0x80
        const code = Uint8Array.from([...bytes, 0xff, 0xc9, 0x75, (256 - (bytes.length + 4)) & 0xff, 0x9c, 0x41, 0x5c, 0xcd, 0x80]);
        const results = [true, false].map((compileBlocks) => {
          const m = machine(code);
          const cpu = new (m.constructor as typeof import('../../runtime/cpu/index.ts').Cpu)(m.mem, { compileBlocks });
          cpu.rip = CODE;
          init!.forEach((v, i) => cpu.setReg(i, v));
          cpu.setReg(RSP, STACK_TOP);
          cpu.setReg(RCX, 20);
          cpu.setFlags(carry ? 0x203 : 0x202);
          expect(cpu.run(1e5).kind).toBe('interrupt');
          return Array.from({ length: 16 }, (_, i) => cpu.getReg(i)).concat(BigInt(cpu.getFlags()));
        });
        expect(results[0]).toEqual(results[1]);
      }),
      { numRuns: 150 },
    );
  });

  it('compiled constant shifts and IMUL with dead flags agree with the interpreter for every count class', () => {
    for (const wide of [true, false]) {
      for (const ext of [4, 5, 7]) {
        for (const n of [1, 7, 31, 32, 33, 63]) {
          // loop: shl/shr/sar $n,%rdx ; add %rbx,%rsi (kills the shift's flags) ; xor %rdx,%rbx ;
          //       imul %rbx,%rdi (or %ebx,%edi) ; sub %rdx,%rsi (kills the product's flags) ; dec %ecx ; jnz
          const w = wide ? [0x48] : [];
          const body = [...w, 0xc1, 0xc0 | (ext << 3) | 2, n, 0x48, 0x01, 0xde, 0x48, 0x31, 0xd3, ...w, 0x0f, 0xaf, 0xfb, 0x48, 0x29, 0xd6];
          const code = Uint8Array.from([...body, 0xff, 0xc9, 0x75, (256 - (body.length + 4)) & 0xff, 0xcd, 0x80]);
          const results = [true, false].map((compileBlocks) => {
            const m = machine(code);
            const cpu = new (m.constructor as typeof import('../../runtime/cpu/index.ts').Cpu)(m.mem, { compileBlocks });
            cpu.rip = CODE;
            cpu.setReg(RSP, STACK_TOP);
            cpu.setReg(RCX, 12);
            cpu.setReg(RDX, 0x8765_4321_fedc_ba98n);
            cpu.setReg(RBX, 0x1357_9bdf_2468_ace0n);
            cpu.setReg(RDI, 0xfedc_ba98_7654_3211n);
            expect(cpu.run(1e5).kind).toBe('interrupt');
            return [cpu.getReg(RDX), cpu.getReg(RBX), cpu.getReg(RSI), cpu.getReg(RDI)];
          });
          expect(results[0], `${wide ? 64 : 32}-bit /${ext} by ${n}`).toEqual(results[1]);
        }
      }
    }
  });

  it('a fault inside a compiled block reports the right RIP and count', () => {
    // loop: mov %eax,(%rdi) ; add $0x400,%rdi ; jmp loop  — runs off the end of the data pages
    const cpu = machine('89 07 48 81 c7 00 04 00 00 eb f5');
    cpu.setReg(RDI, DATA);
    const stop = cpu.run(1e6);
    expect(stop.kind === 'fault' && stop.fault.addr).toBe(DATA + 0x2000);
    expect(cpu.rip).toBe(CODE);
    expect(cpu.icount).toBe(8 * 3);
  });

  it('self-modifying code invalidates a compiled block', () => {
    //  0: mov $20,%ecx          5: mov $1,%eax (immediate at 6)   a: add %eax,%ebx   c: dec %ecx   e: jnz 5
    // 10: movb $5,6 (RIP-relative, patches the immediate)   17: dec %edx   19: jnz 0   1b: int $0x80
    const cpu = machine('b9 14 00 00 00 b8 01 00 00 00 01 c3 ff c9 75 f5 c6 05 ef ff ff ff 05 ff ca 75 e5 cd 80');
    cpu.mem.protect(CODE, 0x2000, PROT_READ | PROT_WRITE | PROT_EXEC);
    cpu.setReg(RDX, 2);
    expect(cpu.run(1e6).kind).toBe('interrupt');
    expect(cpu.getReg(RBX)).toBe(20n * 1n + 20n * 5n);
  });
});

