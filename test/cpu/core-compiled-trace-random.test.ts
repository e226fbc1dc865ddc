// Traces on random programs: seeded random loops of four or five blocks joined by JMP,
// a conditional branch, CALL and RET, their bodies drawn from ALU, shift, multiply, LEA,
// MOV to and from memory, PUSH/POP and carry-using instructions, assembled with GNU as.
// Each runs with traces, with compiled blocks alone and with the plain interpreter, whole
// and in slices of several sizes; registers, flags, memory, instruction counts and stops
// must agree, and traces must have been built. Skips visibly without GNU binutils.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cpu, Memory, PROT_EXEC, PROT_READ, PROT_WRITE, R15, RBX, RSP, type Stop } from '../../runtime/cpu/index.ts';
import { Rng } from './harness/rng.ts';
import { CODE, DATA, STACK_TOP } from './core-helpers.ts';

const haveAs = spawnSync('sh', ['-c', 'command -v as && command -v objcopy']).status === 0;
const PROGRAMS = 24;
const SLOT = 0x1000; // each program in a page of its own

const REGS = ['rax', 'rcx', 'rdx', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11'];
const REGS32 = ['eax', 'ecx', 'edx', 'esi', 'edi', 'r8d', 'r9d', 'r10d', 'r11d'];
const CONDS = ['e', 'ne', 'b', 'ae', 'be', 'a', 'l', 'ge', 'le', 'g', 's', 'ns'];

function body(rng: Rng, n: number): string[] {
  const r = () => REGS[rng.below(REGS.length)]!;
  const r32 = () => REGS32[rng.below(REGS32.length)]!;
  const imm = () => (rng.u32() | 0) % 100000;
  const off = () => 8 * rng.below(512);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    switch (rng.below(14)) {
      case 0: out.push(`add %${r()}, %${r()}`); break;
      case 1: out.push(`sub $${imm()}, %${r()}`); break;
      case 2: out.push(`${['xor', 'and', 'or'][rng.below(3)]} %${r32()}, %${r32()}`); break;
      case 3: out.push(`${['adc', 'sbb'][rng.below(2)]} %${r()}, %${r()}`); break;
      case 4: out.push(`${['inc', 'dec', 'neg', 'not'][rng.below(4)]} %${r()}`); break;
      case 5: out.push(`${['shl', 'shr', 'sar'][rng.below(3)]} $${1 + rng.below(63)}, %${r()}`); break;
      case 6: out.push(`imul %${r()}, %${r()}`); break;
      case 7: out.push(`mov $${imm()}, %${r()}`); break;
      case 8: out.push(`mov %${r()}, ${off()}(%rbx)`); break;
      case 9: out.push(`mov ${off()}(%rbx), %${r()}`); break;
      case 10: out.push(`push %${r()}`, `push $${imm()}`, `pop %${r()}`, `pop %${r()}`); break;
      case 11: out.push(`lea ${imm() % 4096}(%${r()},%${r()},${[1, 2, 4, 8][rng.below(4)]}), %${r()}`); break;
      case 12: out.push(`cmp %${r()}, %${r()}`, `set${CONDS[rng.below(CONDS.length)]} %al`); break;
      default: out.push(`cmp $${imm()}, %${r()}`, `cmov${CONDS[rng.below(CONDS.length)]} %${r()}, %${r()}`);
    }
  }
  return out;
}

/**
 * Program i: b0 → (CALL sub) → b1 → Jcc b3 | b2 → b3 → DEC R15; JNZ b0; INT 0x80, and
 * sub: body; RET. Every block's body is random.
 */
function program(i: number, rng: Rng): string {
  const p = `p${i}`;
  const lines = [
    `.org ${i * SLOT}`,
    `${p}_b0:`, ...body(rng, 1 + rng.below(5)), `call ${p}_sub`,
    `${p}_b1:`, ...body(rng, 1 + rng.below(5)), `cmp $${rng.below(1000)}, %${REGS[rng.below(REGS.length)]}`, `j${CONDS[rng.below(CONDS.length)]} ${p}_b3`,
    `${p}_b2:`, ...body(rng, 1 + rng.below(5)), `jmp ${p}_b3`,
    `${p}_b3:`, ...body(rng, 1 + rng.below(5)), 'dec %r15', `jnz ${p}_b0`, 'int $0x80',
    `${p}_sub:`, ...body(rng, 1 + rng.below(4)), 'ret',
  ];
  return lines.join('\n');
}

function assemble(source: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'mksyscall-trace-'));
  try {
    writeFileSync(join(dir, 'p.s'), source + '\n');
    const as = spawnSync('as', ['--64', '-o', join(dir, 'p.o'), join(dir, 'p.s')], { encoding: 'utf8' });
    if (as.status !== 0) throw new Error(`as: ${as.stderr}`);
    const oc = spawnSync('objcopy', ['-O', 'binary', '-j', '.text', join(dir, 'p.o'), join(dir, 'p.bin')], { encoding: 'utf8' });
    if (oc.status !== 0) throw new Error(`objcopy: ${oc.stderr}`);
    return new Uint8Array(readFileSync(join(dir, 'p.bin')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Mode = 'trace' | 'compiled' | 'plain';

function run(code: Uint8Array, i: number, seed: number, mode: Mode, slice: number) {
  const mem = new Memory();
  mem.map(CODE, PROGRAMS * SLOT, PROT_READ | PROT_EXEC);
  mem.map(DATA, 0x2000, PROT_READ | PROT_WRITE);
  mem.map(STACK_TOP - 0x4000, 0x4000, PROT_READ | PROT_WRITE);
  mem.write(CODE, code, { force: true });
  const cpu = new Cpu(mem, { compileBlocks: mode !== 'plain', traces: mode === 'trace' });
  const rng = new Rng(seed);
  for (let r = 0; r < 16; r++) cpu.setReg(r, (BigInt(rng.u32()) << 32n) | BigInt(rng.u32()));
  cpu.setReg(RSP, STACK_TOP);
  cpu.setReg(RBX, DATA);
  cpu.setReg(R15, 50 + rng.below(150));
  cpu.rip = CODE + i * SLOT;
  const stops: unknown[] = [];
  let s: Stop;
  do {
    s = cpu.run(slice);
    if (s.kind !== 'limit') stops.push(s.kind === 'fault' ? { fault: s.fault.mnemonic, rip: s.fault.rip } : s);
  } while (s.kind === 'limit');
  return {
    state: {
      stops,
      regs: Array.from({ length: 16 }, (_, r) => cpu.getReg(r)),
      flags: cpu.getFlags(),
      rip: cpu.rip,
      icount: cpu.icount,
      data: Buffer.from(mem.read(DATA, 0x2000, { force: true })).toString('hex'),
    },
    traces: cpu.tracesBuilt,
  };
}

describe.skipIf(!haveAs)('traces on random programs' + (haveAs ? '' : ' (skipped: GNU as/objcopy not found; apt-get install binutils)'), () => {
  const rng = new Rng(20261202);
  const code = haveAs ? assemble(Array.from({ length: PROGRAMS }, (_, i) => program(i, rng)).join('\n')) : new Uint8Array(0);

  it(`${PROGRAMS} seeded loops agree with compiled blocks alone and the interpreter, whole and in slices`, () => {
    let traced = 0;
    for (let i = 0; i < PROGRAMS; i++) {
      for (const slice of [1_000_000, 7, 23]) {
        const seed = 1000 * i + slice;
        const t = run(code, i, seed, 'trace', slice);
        const c = run(code, i, seed, 'compiled', slice);
        const p = run(code, i, seed, 'plain', slice);
        expect(t.state, `program ${i}, slice ${slice}`).toEqual(p.state);
        expect(c.state, `program ${i}, slice ${slice}`).toEqual(p.state);
        expect(p.state.stops, `program ${i}`).toEqual([{ kind: 'interrupt', vector: 0x80 }]);
        if (slice === 1_000_000 && t.traces > 0) traced++;
      }
    }
    expect(traced).toBe(PROGRAMS);
  });
});
