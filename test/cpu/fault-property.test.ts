// Faults never crash the host: random bytes run as ring-3 code, from random register values,
// in both CPU modes. run() must always return a Stop, and a fault must be a CpuFault with an
// architectural vector, the faulting RIP and, for #PF, the address and access kind.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Cpu, type Stop } from '../../runtime/cpu/cpu.ts';
import { CpuFault } from '../../runtime/cpu/faults.ts';
import { Memory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../runtime/cpu/memory.ts';

const CODE = 0x10_0000;
const DATA = 0x20_0000;
const STOP_KINDS = ['limit', 'syscall', 'interrupt', 'host', 'halt', 'fault'];

function runBytes(code: Uint8Array, regs: bigint[], mode: 'user' | 'system'): Stop {
  const mem = new Memory();
  mem.map(CODE, 0x2000, PROT_READ | PROT_EXEC);
  mem.write(CODE, code, { force: true });
  mem.map(DATA, 0x4000, PROT_READ | PROT_WRITE);
  mem.map(DATA + 0x4000, 0x1000, PROT_READ); // a read-only page, for write faults
  const cpu = new Cpu(mem, { mode });
  cpu.cpl = 3;
  cpu.rip = CODE;
  regs.forEach((v, i) => cpu.setReg(i, v));
  let stop: Stop = { kind: 'limit' };
  // Resume after stops that allow it, as a host would, a few times.
  for (let round = 0; round < 4; round++) {
    stop = cpu.run(500);
    if (stop.kind === 'fault' || stop.kind === 'limit' || stop.kind === 'halt') break;
  }
  return stop;
}

/** Register values: often pointers into the data pages (so memory operands reach them), else anything. */
const register = fc.oneof(
  fc.integer({ min: 0, max: 0x4ff8 }).map((o) => BigInt(DATA + o)),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.constantFrom(0n, 1n, 0xffffffffffffffffn, 0x8000000000000000n),
);

describe('random code never crashes the host', () => {
  for (const mode of ['user', 'system'] as const) {
    it(`${mode} mode, ring 3: run() returns a Stop and faults are CpuFaults`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 1, maxLength: 48 }), fc.array(register, { minLength: 16, maxLength: 16 }), (code, regs) => {
          let stop: Stop;
          try {
            stop = runBytes(code, regs, mode);
          } catch (e) {
            throw new Error(`run() threw for ${Buffer.from(code).toString('hex')}: ${(e as Error).stack}`);
          }
          expect(STOP_KINDS).toContain(stop.kind);
          if (stop.kind === 'fault') {
            const f = stop.fault;
            expect(f).toBeInstanceOf(CpuFault);
            expect([0, 3, 6, 13, 14]).toContain(f.vector);
            // RIP is a canonical address; the upper half is negative (see memory.ts).
            expect(Number.isInteger(f.rip) && f.rip >= -(2 ** 47) && f.rip < 2 ** 47).toBe(true);
            if (f.vector === 14) {
              expect(typeof f.addr).toBe('number');
              expect(['read', 'write', 'exec']).toContain(f.access);
            }
          }
        }),
        { numRuns: 1500, seed: 42 },
      );
    });
  }

  it('privileged instructions in ring 3 are #GP, not executed', () => {
    for (const hex of ['f4', 'fa', 'fb', '0f 30', '0f 32', '0f 01 f8', '0f 07']) {
      const code = Uint8Array.from(hex.split(' ').map((b) => parseInt(b, 16)));
      const stop = runBytes(code, new Array<bigint>(16).fill(0n), 'system');
      expect(stop.kind, hex).toBe('fault');
      if (stop.kind === 'fault') expect(stop.fault.mnemonic, hex).toBe('#GP');
    }
  });
});
