// Compiled blocks against the plain interpreter for the forms compile.ts writes out without
// evaluating flags or calling a handler: a Jcc on carry, below-or-equal or a signed
// comparison right after a SUB or CMP of registers or an immediate (32 and 64 bits, every
// such condition and its negation, operands at the unsigned and signed boundaries and with
// equal or different high halves), and SWAPGS (in ring 0, and its #GP from a compiled
// block run in ring 3).
import { describe, expect, it } from 'vitest';
import { Cpu, Memory, PROT_EXEC, PROT_READ, PROT_WRITE, RAX, RBX, RCX, RDX, RSI, RSP } from '../../runtime/cpu/index.ts';
import { CODE, DATA, STACK_TOP, hex, machine } from './core-helpers.ts';

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/** `loop: mov %rsi,%rax ; <op> ; j<cc> skip ; inc %rbx ; skip: dec %ecx ; jnz loop ; int $0x80`. */
function branchLoop(op: number[], cc: number): Uint8Array {
  const head = [...hex('48 89 f0'), ...op, 0x70 + cc, 3, ...hex('48 ff c3 ff c9')];
  return Uint8Array.from([...head, 0x75, (-(head.length + 2)) & 0xff, 0xcd, 0x80]);
}

function runBoth(code: Uint8Array, a: bigint, b: bigint): Array<{ regs: bigint[]; flags: number; icount: number; rip: number }> {
  return [true, false].map((compileBlocks) => {
    const mem = new Memory();
    mem.map(CODE, 0x1000, PROT_READ | PROT_EXEC);
    mem.map(STACK_TOP - 0x1000, 0x1000, PROT_READ | PROT_WRITE);
    mem.write(CODE, code, { force: true });
    const cpu = new Cpu(mem, { compileBlocks });
    cpu.rip = CODE;
    cpu.setReg(RSP, STACK_TOP);
    cpu.setReg(RCX, 20);
    cpu.setReg(RSI, a);
    cpu.setReg(RDX, b);
    const stop = cpu.run(1e6);
    expect(stop.kind).toBe('interrupt');
    return { regs: Array.from({ length: 16 }, (_, i) => cpu.getReg(i)), flags: cpu.getFlags(), icount: cpu.icount, rip: cpu.rip };
  });
}

const VALUES = [0n, 1n, 2n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x1_0000_0000n, 0x1_0000_0001n, 0x7fffffff_ffffffffn, -0x80000000_00000000n, -1n, -2n, -0x80000000n, 0x12345678_9abcdef0n];
/** Immediates as 32-bit fields (sign-extended to 64 bits by the 64-bit forms). */
const IMMEDIATES = [0, 1, 2, 0x7fffffff, -0x80000000, -1, -2];

describe('compiled Jcc after SUB or CMP', () => {
  for (const wide of [false, true]) {
    for (const [name, regOp, immOp] of [
      ['cmp', 0x39, 0xf8],
      ['sub', 0x29, 0xe8],
    ] as const) {
      it(`${name} ${wide ? '64' : '32'}-bit, register and immediate, every carry and signed condition agrees with the interpreter`, () => {
        const rex = wide ? [0x48] : [];
        let taken = 0;
        for (const cc of [2, 3, 6, 7, 12, 13, 14, 15]) {
          for (const a of VALUES) {
            for (const b of VALUES) {
              const [compiled, plain] = runBoth(branchLoop([...rex, regOp, 0xd0], cc), a, b); // <op> %rdx,%rax
              expect(compiled, `${name} cc=${cc} a=${a} b=${b}`).toEqual(plain);
              if (plain!.regs[RBX] === 0n) taken++;
            }
            for (const imm of IMMEDIATES) {
              const [compiled, plain] = runBoth(branchLoop([...rex, 0x81, immOp, ...le32(imm >>> 0)], cc), a, 0n); // <op> $imm,%rax
              expect(compiled, `${name} cc=${cc} a=${a} imm=${imm}`).toEqual(plain);
            }
          }
        }
        // both ways were taken (the cases are not all on one side)
        expect(taken).toBeGreaterThan(100);
        expect(taken).toBeLessThan(8 * VALUES.length * VALUES.length - 100);
      });
    }
  }
});

describe('compiled SWAPGS', () => {
  /** `loop: swapgs ; mov %gs:0,%rax ; add %rax,%rbx ; dec %ecx ; jnz loop ; hlt`. */
  const code = Uint8Array.from([...hex('0f 01 f8 65 48 8b 04 25 00 00 00 00 48 01 c3 ff c9'), 0x75, 0xed, 0xf4]);

  function run(compileBlocks: boolean) {
    const cpu = machine(code, { mode: 'system', cpl: 0 });
    const fresh = new Cpu(cpu.mem, { mode: 'system', compileBlocks });
    fresh.rip = CODE;
    fresh.cpl = 0;
    fresh.setReg(RSP, STACK_TOP);
    cpu.mem.write(DATA, Uint8Array.from([7, 0, 0, 0, 0, 0, 0, 0]), { force: true });
    cpu.mem.write(DATA + 0x100, Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0]), { force: true });
    fresh.gsBase = DATA;
    fresh.kernelGsBase = DATA + 0x100;
    fresh.setReg(RCX, 25);
    cpu.mem.setUserMode(false);
    const first = fresh.run(1e6);
    // the loop's block is hot by now: run it again from ring 3, where SWAPGS raises #GP
    fresh.rip = CODE;
    fresh.cpl = 3;
    fresh.setReg(RCX, 25);
    const second = fresh.run(1e6);
    return {
      first: first.kind,
      second: second.kind === 'fault' ? { mnemonic: second.fault.mnemonic, rip: second.fault.rip } : second.kind,
      rbx: fresh.getReg(RBX),
      rax: fresh.getReg(RAX),
      gs: [fresh.gsBase, fresh.kernelGsBase],
      icount: fresh.icount,
    };
  }

  it('swaps the GS bases in ring 0 and raises #GP in ring 3, as the interpreter does', () => {
    const compiled = run(true);
    const plain = run(false);
    expect(compiled).toEqual(plain);
    expect(plain.first).toBe('halt');
    expect(plain.second).toMatchObject({ mnemonic: '#GP', rip: CODE });
    // 13 loads of 0x101 and 12 of 7: the bases alternated
    expect(plain.rbx).toBe(13n * 0x101n + 12n * 7n);
  });
});
