// Traces (trace.ts) against compiled blocks alone and the plain interpreter: loops whose
// chain of blocks a trace joins run to the same registers, flags, memory, instruction
// counts and stops, in slices of every size (so the budget runs out before, inside and
// after each part); with a fault in a part after the head; with a host function in the
// chain (the hook, or a function bound to its address) that changes registers, asks to
// stop and throws; and with code that writes its own block and the next part's page
// part-way (self-invalidation and a dropped trace).
import { describe, expect, it } from 'vitest';
import { Cpu, Memory, PROT_EXEC, PROT_READ, PROT_WRITE, R12, R14, R15, R8, R9, RBX, RDX, RSI, RSP, type Stop } from '../../runtime/cpu/index.ts';
import { CODE, DATA, STACK_TOP, hex } from './core-helpers.ts';

const HOST = 0x500000;

// A: loop { add %rsi,%rdx ; call sub | xor %rcx,%rdx ; mov (%rbx),%rax ; add %rax,%rdx ; add $8,%rbx ; dec %r8 ; jnz loop } int $0x80
//    sub (CODE+0x40): push %rdx ; imul %rdx,%rcx ; pop %rdx ; inc %rcx ; ret
// Three blocks a pass; the load walks through DATA and faults past its end (in the third part).
const A = hex('48 01 f2 e8 38 00 00 00 48 31 ca 48 8b 03 48 01 c2 48 83 c3 08 49 ff c8 75 e6 cd 80');
const A_SUB = hex('52 48 0f af ca 5a 48 ff c1 c3');

// B: loop { add %rsi,%rdx ; call HOST | mov %rdx,(%rbx) ; add $8,%rbx ; and $0xff8,%ebx ; or $0x600000,%ebx ; dec %r8 ; jnz loop } int $0x80
function programB(): Uint8Array {
  const rel = HOST - (CODE + 8);
  const r = [rel & 0xff, (rel >> 8) & 0xff, (rel >> 16) & 0xff, (rel >>> 24) & 0xff];
  return Uint8Array.from([...hex('48 01 f2 e8'), ...r, ...hex('48 89 13 48 83 c3 08 81 e3 f8 0f 00 00 81 cb 00 00 60 00 49 ff c8 75 e0 cd 80')]);
}

// C: loop { add %rsi,%rdx ; mov %r15,%r13 ; cmp $100,%r8 ; cmove %r12,%r13 ; mov %r9d,(%r13) ; jmp part2 }
//    part2 (CODE+0x1000): mov $0x11111111,%eax ; add %rax,%rdx ; mov %r15,%r11 ; cmp $150,%r8 ;
//      cmove %r14,%r11 ; mov %r9d,(%r11) ; add $0x22222222,%rdx ; inc %r9 ; dec %r8 ; jnz loop ; int $0x80
// The stores go to DATA (R15) but for one pass each: at R8 = 150 part2 rewrites the
// immediate of its own ADD, two instructions on (R14); at R8 = 100 the head rewrites the
// immediate of part2's first MOV (R12).
const C = hex('48 01 f2 4d 89 fd 49 83 f8 64 4d 0f 44 ec 45 89 4d 00 e9 e9 0f 00 00');
const C_PART2 = hex('b8 11 11 11 11 48 01 c2 4d 89 fb 49 81 f8 96 00 00 00 4d 0f 44 de 45 89 0b 48 81 c2 22 22 22 22 49 ff c1 49 ff c8 0f 85 d4 ef ff ff cd 80');

type Mode = 'trace' | 'compiled' | 'plain';

function cpuFor(mode: Mode, pages: Array<[number, Uint8Array]>): Cpu {
  const mem = new Memory();
  mem.map(CODE, 0x2000, PROT_READ | PROT_WRITE | PROT_EXEC);
  mem.map(DATA, 0x2000, PROT_READ | PROT_WRITE);
  mem.map(STACK_TOP - 0x4000, 0x4000, PROT_READ | PROT_WRITE);
  mem.map(HOST, 0x1000, PROT_READ | PROT_EXEC, { host: true });
  for (const [at, bytes] of pages) mem.write(at, bytes, { force: true });
  for (let i = 0; i < 0x2000; i += 8) mem.write(DATA + i, Uint8Array.of(i & 0xff, (i * 7) & 0xff, 0x5a, 0, 0, 0, 0x80, i >> 8), { force: true });
  const cpu = new Cpu(mem, { compileBlocks: mode !== 'plain', traces: mode === 'trace' });
  cpu.rip = CODE;
  cpu.setReg(RSP, STACK_TOP);
  return cpu;
}

function stopOf(s: Stop): unknown {
  return s.kind === 'fault' ? { kind: 'fault', mnemonic: s.fault.mnemonic, rip: s.fault.rip, insn: s.fault.insn } : s;
}

/** Runs in slices of `slice` instructions until a stop other than the budget's; every stop and the final state. */
function runAll(cpu: Cpu, slice: number) {
  const stops: unknown[] = [];
  for (let i = 0; i < 100_000; i++) {
    let s: Stop;
    try {
      s = cpu.run(slice);
    } catch (e) {
      stops.push({ threw: String(e) });
      break;
    }
    if (s.kind === 'limit') continue;
    stops.push(stopOf(s));
    if (s.kind !== 'host') break;
    cpu.hostReturn();
  }
  return {
    stops,
    regs: Array.from({ length: 16 }, (_, i) => cpu.getReg(i)),
    flags: cpu.getFlags(),
    rip: cpu.rip,
    icount: cpu.icount,
    data: Array.from(cpu.mem.read(DATA, 0x2000, { force: true })),
    code: Array.from(cpu.mem.read(CODE, 0x2000, { force: true })),
  };
}

function compare(setup: (mode: Mode) => Cpu, slices: number[]) {
  for (const slice of slices) {
    const traced = setup('trace');
    const t = runAll(traced, slice);
    const c = runAll(setup('compiled'), slice);
    const p = runAll(setup('plain'), slice);
    expect(t, `slice ${slice}`).toEqual(p);
    expect(c, `slice ${slice}`).toEqual(p);
    // (slices shorter than a block run it through the interpreter: nothing compiles)
    if (slice > 8) expect(traced.tracesBuilt, `slice ${slice}: traces built`).toBeGreaterThan(0);
  }
}

describe('traces', () => {
  it('a three-block loop with CALL and RET, and a fault in its third part, in slices of every size', () => {
    const setup = (mode: Mode) => {
      const cpu = cpuFor(mode, [
        [CODE, A],
        [CODE + 0x40, A_SUB],
      ]);
      cpu.setReg(R8, 5000); // more passes than DATA has words: the load faults at DATA + 0x2000
      cpu.setReg(RBX, DATA);
      cpu.setReg(RSI, 0x1234_5678_9abc_def0n);
      cpu.setReg(RDX, 3);
      return cpu;
    };
    compare(setup, [1_000_000, 1, 2, 3, 5, 7, 11, 13, 17, 64]);
    const p = runAll(setup('plain'), 1_000_000);
    expect(p.stops).toEqual([expect.objectContaining({ kind: 'fault', mnemonic: '#PF', rip: CODE + 11 })]);
  });

  it('ends a loop normally: the same count and registers', () => {
    const setup = (mode: Mode) => {
      const cpu = cpuFor(mode, [
        [CODE, A],
        [CODE + 0x40, A_SUB],
      ]);
      cpu.setReg(R8, 900);
      cpu.setReg(RBX, DATA);
      cpu.setReg(RSI, 77);
      return cpu;
    };
    compare(setup, [1_000_000, 6, 9]);
    expect(runAll(setup('plain'), 1_000_000).stops).toEqual([{ kind: 'interrupt', vector: 0x80 }]);
  });

  for (const bound of [false, true]) {
    it(`a host function in the chain (${bound ? 'bound to its address' : 'the hostCall hook'}): served in place, asking to stop, and throwing`, () => {
      const setup = (mode: Mode) => {
        const cpu = cpuFor(mode, [[CODE, programB()]]);
        cpu.setReg(R8, 3000);
        cpu.setReg(RBX, DATA);
        cpu.setReg(RSI, 5);
        let calls = 0;
        const serve = (c: Cpu, at: number) => {
          calls++;
          if (at !== HOST) return -1;
          c.setReg(RDX, (c.getReg(RDX) * 3n + BigInt(calls)) & 0xffff_ffffn);
          if (calls === 2500) throw new Error('host function failed');
          if (calls % 700 === 0) return -1; // the run stops at HOST; runAll returns from it
          c.hostReturn();
          return calls % 3 === 0 ? 5 : 1_000_000; // a small budget now and then: the trace stops at the next part
        };
        if (bound) {
          cpu.bindHost(HOST, (c) => serve(c, c.rip));
          cpu.hostCall = () => {
            throw new Error('the hook served a bound address');
          };
        } else cpu.hostCall = serve;
        return cpu;
      };
      compare(setup, [1_000_000, 4, 9, 10]);
      const p = runAll(setup('plain'), 1_000_000);
      expect(p.stops.at(-1)).toEqual({ threw: 'Error: host function failed' });
      expect(p.stops.filter((s) => (s as Stop).kind === 'host')).toHaveLength(3);
    });
  }

  it('unbinding a host address gives it back to the hook, in traces built before too', () => {
    const cpu = cpuFor('trace', [[CODE, programB()]]);
    cpu.setReg(R8, 1000);
    cpu.setReg(RBX, DATA);
    let bound = 0;
    let hooked = 0;
    cpu.bindHost(HOST, (c) => {
      bound++;
      c.hostReturn();
      if (bound === 500) c.bindHost(HOST, null);
      return 1_000_000;
    });
    cpu.hostCall = (c) => {
      hooked++;
      c.hostReturn();
      return 1_000_000;
    };
    expect(cpu.run(1_000_000)).toEqual({ kind: 'interrupt', vector: 0x80 });
    expect(cpu.tracesBuilt).toBeGreaterThan(0);
    expect([bound, hooked]).toEqual([500, 500]);
  });

  it('code that rewrites a later instruction of its own block, then of the next part, gives the interpreter results', () => {
    const setup = (mode: Mode) => {
      const cpu = cpuFor(mode, [
        [CODE, C],
        [CODE + 0x1000, C_PART2],
      ]);
      cpu.setReg(R8, 400);
      cpu.setReg(R9, 0x1000);
      cpu.setReg(R15, DATA);
      cpu.setReg(R14, CODE + 0x101c);
      cpu.setReg(R12, CODE + 0x1001);
      cpu.setReg(RSI, 9);
      return cpu;
    };
    compare(setup, [1_000_000, 5, 8]);
    const p = runAll(setup('plain'), 1_000_000);
    expect(p.stops).toEqual([{ kind: 'interrupt', vector: 0x80 }]);
    expect(p.code.slice(0x1001, 0x1005)).toEqual([0x2c, 0x11, 0, 0]); // R9 = 0x1000 + 300 at R8 = 100
  });
});
