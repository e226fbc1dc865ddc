// Compiled blocks against the plain interpreter for the forms compile.ts writes out with
// their memory accesses inline: PUSH/POP (single, and stack windows moved through the TLB in one
// go), PUSH of an immediate or of memory, MOV of immediates, MOV with a GS base, CALL and
// RET; their slow paths (a run across a page boundary, RSP's low half borrowing or
// carrying, a fault in the middle of a run), a PUSH that writes the code of its own block,
// and a RET to a non-canonical address.
import { describe, expect, it } from 'vitest';
import { Cpu, Memory, PROT_EXEC, PROT_READ, PROT_WRITE, R12, RAX, RBX, RCX, RDX, RSI, RDI, RSP, type Stop } from '../../runtime/cpu/index.ts';
import { CODE, DATA, STACK_TOP, hex } from './core-helpers.ts';

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

interface Setup {
  code: Uint8Array;
  regs: Record<number, bigint | number>;
  /** Extra mappings: [address, length, prot]. */
  maps?: Array<[number, number, number]>;
  gsBase?: number;
  limit?: number;
  /** Changes to make after a first run (the blocks are hot by then), before a second one. */
  then?: (cpu: Cpu) => void;
}

function runBoth(s: Setup): Array<{ stops: Stop[]; regs: bigint[]; rip: number; icount: number; data: Uint8Array; stack: Uint8Array }> {
  return [true, false].map((compileBlocks) => {
    const mem = new Memory();
    mem.map(CODE, 0x2000, PROT_READ | PROT_WRITE | PROT_EXEC);
    mem.map(DATA, 0x2000, PROT_READ | PROT_WRITE);
    mem.map(STACK_TOP - 0x4000, 0x4000, PROT_READ | PROT_WRITE);
    for (const [a, n, p] of s.maps ?? []) mem.map(a, n, p);
    mem.write(CODE, s.code, { force: true });
    const cpu = new Cpu(mem, { compileBlocks });
    cpu.rip = CODE;
    cpu.setReg(RSP, STACK_TOP);
    for (const [r, v] of Object.entries(s.regs)) cpu.setReg(Number(r), v);
    if (s.gsBase !== undefined) cpu.gsBase = s.gsBase;
    const stops = [cpu.run(s.limit ?? 1e6)];
    if (s.then) {
      s.then(cpu);
      stops.push(cpu.run(s.limit ?? 1e6));
    }
    const stops2 = stops.map((st) => (st.kind === 'fault' ? ({ kind: 'fault', fault: { mnemonic: st.fault.mnemonic, rip: st.fault.rip, addr: st.fault.addr } } as unknown as Stop) : st));
    return {
      stops: stops2,
      regs: Array.from({ length: 16 }, (_, i) => cpu.getReg(i)).concat(BigInt(cpu.getFlags())),
      rip: cpu.rip,
      icount: cpu.icount,
      data: mem.read(DATA, 0x200),
      stack: mem.read(STACK_TOP - 0x200, 0x200),
    };
  });
}

/** Assembles `loop: before ; [call sub] ; after ; dec %ecx ; jnz loop ; int $0x80 ; sub: …` (the call only when sub is given). */
function loop(before: number[], after: number[] = [], sub: number[] = []): Uint8Array {
  const out: number[] = [...before];
  if (sub.length > 0) out.push(0xe8, 0, 0, 0, 0); // call sub, patched below
  const callEnd = out.length;
  out.push(...after, 0xff, 0xc9);
  out.push(0x0f, 0x85, ...le32(-(out.length + 6) >>> 0), 0xcd, 0x80);
  if (sub.length > 0) {
    out.splice(callEnd - 4, 4, ...le32(out.length - callEnd));
    out.push(...sub);
  }
  return Uint8Array.from(out);
}

describe('compiled memory forms', () => {
  it('PUSH/POP runs and singles, PUSH imm and m64, MOV of immediates, GS-relative MOV, CALL and RET agree with the interpreter', () => {
    const body = [
      ...hex('50 53 6a fb 68 78 56 34 12 ff 77 08 54'), // push %rax; push %rbx; push $-5; push $0x12345678; push 8(%rdi); push %rsp
      ...hex('5e 5a 41 58 41 59 5b 58'), // pop %rsi; pop %rdx; pop %r8; pop %r9; pop %rbx; pop %rax
      ...hex('48 c7 07 ff ff ff 7f 48 c7 47 10 fe ff ff ff c7 47 18 07 00 00 00'), // movq $0x7fffffff,(%rdi); movq $-2,16(%rdi); movl $7,24(%rdi)
      ...hex('49 c7 c2 ff ff ff ff 41 bb 05 00 00 00 49 bc f0 de bc 9a 78 56 34 12'), // mov $-1,%r10; mov $5,%r11d; movabs $0x123456789abcdef0,%r12
      ...hex('65 4c 8b 2c 25 08 00 00 00 65 48 89 04 25 20 00 00 00'), // mov %gs:8,%r13; mov %rax,%gs:0x20
      ...hex('48 01 d8 48 89 47 08'), // add %rbx,%rax; mov %rax,8(%rdi)
    ];
    const sub = [...hex('41 56 41 5e 48 ff c3 c3')]; // push %r14; pop %r14; inc %rbx; ret
    const code = loop(body, [...hex('4c 8b 7c 24 f8')], sub); // after the call: mov -8(%rsp),%r15 (the return address it pushed)
    const [compiled, plain] = runBoth({ code, regs: { [RCX]: 40, [RAX]: 0x1111_2222_3333_4444n, [RBX]: 7, [RDI]: DATA }, gsBase: DATA + 0x100 });
    expect(compiled!.stops[0]!.kind).toBe('interrupt');
    expect(compiled).toEqual(plain);
  });

  it('a run across a page boundary, and RSP carrying or borrowing across 2^32, take the checked path with the same results', () => {
    const pushes = hex('50 53 51 52 56 57 41 50 41 51'); // 8 pushes
    const pops = hex('41 59 41 58 5f 5e 5a 59 5b 58');
    const code = loop([...pushes, ...pops, ...hex('48 ff c0')]); // …; inc %rax
    for (const rsp of [STACK_TOP - 0x1000 + 24, 0x1_0000_0010, 0x1_0000_0000 + 8 * 4]) {
      const maps: Array<[number, number, number]> = [[0xffff_f000, 0x2000, PROT_READ | PROT_WRITE]];
      const [compiled, plain] = runBoth({ code, regs: { [RCX]: 30, [RSP]: rsp, [RAX]: 3, [RBX]: -9n, [RDI]: 0xdead_beef_0000_0001n, [RSI]: 5 }, maps });
      expect(compiled!.stops[0], `RSP ${rsp.toString(16)}`).toEqual({ kind: "interrupt", vector: 0x80 });
      expect(compiled, `RSP ${rsp.toString(16)}`).toEqual(plain);
    }
  });

  it('a stack window (MOVs to and from [RSP+d], PUSH, POP, register MOVs, ADD and SUB of RSP, a CALL) agrees with the interpreter, at once or checked across a page, a 2^32 carry or a read-only page', () => {
    // mov 16(%rsp),%rdi; mov 24(%rsp),%rsi; push %rax; mov %rax,8(%rsp); mov %rsp,%rbx; mov %rsp,-16(%rsp);
    // movq $-3,-24(%rsp); pop %rdx; mov -8(%rsp),%r8; mov %rdi,%r9; mov -16(%rsp),%r10; then call sub
    // sub $16,%rsp; mov %rax,8(%rsp); push %rbx; add $8,%rsp; mov 8(%rsp),%rdx; add $16,%rsp; pop %rsi; push %rsi;
    // adc %r12,%r12 (the last ADD's flags are kept, the others' are overwritten inside the window)
    const body = hex(
      '48 8b 7c 24 10 48 8b 74 24 18 50 48 89 44 24 08 48 89 e3 48 89 64 24 f0 48 c7 44 24 e8 fd ff ff ff 5a 4c 8b 44 24 f8 49 89 f9 4c 8b 54 24 f0' +
        ' 48 83 ec 10 48 89 44 24 08 53 48 83 c4 08 48 8b 54 24 08 48 83 c4 10 5e 56 4d 11 e4',
    );
    const sub = hex('4c 8b 1c 24 c3'); // mov (%rsp),%r11; ret
    const code = loop([...body], [...hex('48 ff c0')], [...sub]); // after the call: inc %rax
    const maps: Array<[number, number, number]> = [
      [0xffff_f000, 0x2000, PROT_READ | PROT_WRITE],
      [0x5000_0000, 0x1000, PROT_READ],
    ];
    for (const rsp of [STACK_TOP - 0x100, STACK_TOP - 0x1000 + 8, STACK_TOP - 0x1000 + 16, 0x1_0000_0008, 0x1_0000_0000 - 8, 0x5000_0800]) {
      const [compiled, plain] = runBoth({ code, regs: { [RCX]: 30, [RSP]: rsp, [RAX]: 0x7777_0000_0000_0001n, [RBX]: -5n, [R12]: -1n }, maps });
      expect(compiled!.stops[0]!.kind, `RSP ${rsp.toString(16)}`).toBe(rsp === 0x5000_0800 ? 'fault' : 'interrupt');
      expect(compiled, `RSP ${rsp.toString(16)}`).toEqual(plain);
    }
  });

  it('a fault in the middle of a compiled PUSH run leaves RSP, RIP and the count as the interpreter does', () => {
    const code = loop([...hex('50 53 51 52 56'), ...hex('5e 5a 59 5b 58')]);
    const [compiled, plain] = runBoth({
      code,
      regs: { [RCX]: 1000 },
      limit: 20 * 11,
      // hot by now; the third push of the next pass falls below the stack mapping
      then: (cpu) => {
        cpu.rip = CODE;
        cpu.setReg(RSP, STACK_TOP - 0x4000 + 16);
      },
    });
    const stop = compiled!.stops[1]!;
    expect(stop).toMatchObject({ kind: 'fault', fault: { mnemonic: '#PF' } });
    expect(compiled!.regs[RSP]).toBe(BigInt(STACK_TOP - 0x4000));
    expect(compiled).toEqual(plain);
  });

  it('a compiled PUSH that writes the code of its own block invalidates it at once', () => {
    // loop: cmp $3,%ecx ; cmove %rsi,%rsp ; push %rax ; [mov $1,%edx ; add %edx,%ebx ; pop %rdi] ; dec %ecx ; jnz loop
    // When ECX is 3, RSP moves into the code page just past the bracketed bytes, so the push
    // overwrites them with RAX's bytes: the same instructions with the immediate 5.
    const head = hex('83 f9 03 48 0f 44 e6 50');
    const patched = hex('ba 01 00 00 00 01 d3 5f');
    const code = loop([...head, ...patched]);
    const rax = 0x5f_d3_01_00_00_00_05_ban; // ba 05 00 00 00 01 d3 5f, little-endian
    const [compiled, plain] = runBoth({ code, regs: { [RCX]: 20, [RAX]: rax, [RSI]: CODE + head.length + 8 } });
    expect(compiled!.stops[0]).toEqual({ kind: 'interrupt', vector: 0x80 });
    expect(compiled).toEqual(plain);
    // the first 17 passes add 1, the last three (from the pass that patches) add 5
    expect(compiled!.regs[RBX]).toBe(17n + 3n * 5n);
  });

  it('a compiled RET to a non-canonical address raises #GP with RSP unchanged', () => {
    // loop: cmp $3,%ecx ; cmove %rdx,%rax ; push %rax ; ret  → RAX: the next instruction (dec), or non-canonical
    const head = hex('83 f9 03 48 0f 44 c2 50 c3');
    const code = loop([...head]);
    const [compiled, plain] = runBoth({ code, regs: { [RCX]: 20, [RAX]: CODE + head.length, [RDX]: 0x0000_8000_0000_0000n } });
    const stop = compiled!.stops[0]!;
    expect(stop.kind === 'fault' && stop.fault.mnemonic).toBe('#GP');
    expect(compiled!.regs[RSP]).toBe(BigInt(STACK_TOP - 8));
    expect(compiled).toEqual(plain);
  });
});
