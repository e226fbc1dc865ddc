// Differential test against this machine's own CPU: random single-instruction cases from
// every instruction group are assembled with GNU as, linked with ld -static, run natively
// and under the user-mode emulator, and compared register by register, flag by flag and
// byte by byte (flags the SDM leaves undefined are masked per case). The cases known to
// differ (KNOWN_EXECUTOR_GAPS) are left out here and counted; `npm run fuzz:cpu` runs them.
// A sweep runs one case for every runnable form of the instruction table, so a form added
// to the table is tested here without anyone writing a template for it.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateCases, GROUPS, tableSweep, type DiffCase } from './harness/cases.ts';
import { buildProgram, compareRecords, haveAsLd, KNOWN_EXECUTOR_GAPS, removeProgram, renderProgram, runCampaign, runNative, RECORD_SIZE } from './harness/differential.ts';

const SEED = 20261122;
const cli = join(dirname(fileURLToPath(import.meta.url)), '../../bin/mksyscall.mjs');
const COUNT = 4000;

function withoutKnownGaps(cases: DiffCase[]): { kept: DiffCase[]; left: Map<string, number> } {
  const left = new Map<string, number>();
  const kept = cases.filter((c) => {
    const gap = KNOWN_EXECUTOR_GAPS.find((g) => g.matches(c));
    if (gap) left.set(gap.name, (left.get(gap.name) ?? 0) + 1);
    return !gap;
  });
  return { kept, left };
}

describe.skipIf(!haveAsLd)(`differential test against the native CPU${haveAsLd ? '' : ' (skipped: GNU as or ld not found)'}`, () => {
  it(`matches the native CPU on ${COUNT} random cases (seed ${SEED}) across every instruction group`, () => {
    const { kept, left } = withoutKnownGaps(generateCases(SEED, COUNT));
    for (const [name, n] of left) console.info(`differential: ${n} case(s) left out, known executor gap: ${name}`);
    const result = runCampaign(kept);
    expect(result.mismatches.map((m) => m.lines.join('\n'))).toEqual([]);
    // Every group is generated, and the known gaps leave most of the batch in.
    expect(new Set(generateCases(SEED, Object.keys(GROUPS).length).map((c) => c.group)).size).toBe(Object.keys(GROUPS).length);
    expect(kept.length).toBeGreaterThan(COUNT * 0.8);
  });

  it('matches the native CPU on one case for every runnable form of the instruction table', () => {
    const cases = tableSweep(SEED);
    expect(cases.length).toBeGreaterThan(400);
    const result = runCampaign(cases);
    expect(result.mismatches.map((m) => m.lines.join('\n'))).toEqual([]);
  });

  it('gives the same records through the command line (mksyscall exec) as natively', () => {
    const cases = generateCases(SEED + 2, 600);
    const program = buildProgram(renderProgram(cases));
    try {
      const native = runNative(program);
      const viaCli = spawnSync(process.execPath, [cli, 'exec', program.path], { maxBuffer: 1 << 26 });
      expect(viaCli.status).toBe(0);
      expect(compareRecords(cases, native.stdout, new Uint8Array(viaCli.stdout), program.elf).map((m) => m.lines.join('\n'))).toEqual([]);
    } finally {
      removeProgram(program);
    }
  });

  it('reports a differing register, flag or memory byte readably (the comparison can fail)', () => {
    const cases = generateCases(SEED + 1, 3, ['alu']);
    const program = buildProgram(renderProgram(cases));
    try {
      const native = runNative(program);
      expect(native.status).toBe(0);
      expect(native.stdout.length).toBe(3 * RECORD_SIZE);
      const tampered = native.stdout.slice();
      tampered[RECORD_SIZE + 8] ^= 1; // case 1, RCX bit 0
      tampered[2 * RECORD_SIZE + 128] ^= 0x40; // case 2, ZF
      tampered[2 * RECORD_SIZE + 200] ^= 0xff; // case 2, a scratch byte
      const mismatches = compareRecords(cases, native.stdout, tampered, program.elf);
      expect(mismatches.map((m) => m.case.index)).toEqual([1, 2]);
      expect(mismatches[0]!.lines[0]).toMatch(/^case 1 \[alu\] .+ bytes: [0-9a-f]{2}( [0-9a-f]{2})*$/);
      expect(mismatches[0]!.lines.join('\n')).toMatch(/rcx: expected 0x[0-9a-f]+, got 0x[0-9a-f]+/);
      expect(mismatches[1]!.lines.join('\n')).toMatch(/flags: expected .*, got .*/);
      expect(mismatches[1]!.lines.join('\n')).toMatch(/memory s\d+\+56\.\.\+56: expected [0-9a-f]{2}, got [0-9a-f]{2}/);
    } finally {
      removeProgram(program);
    }
  });
});
