// `npm run fuzz:cpu -- --cases N --seed S [--groups a,b] [--batch B] [--show K] [--decoder M]`
//
// A long differential campaign against this machine's CPU (the CI test runs a bounded
// one): N random cases in batches of B, each batch one program built with as + ld, run
// natively and under the user-mode emulator. Every mismatch counts, including the known
// executor gaps the CI set leaves out; the first K unexplained ones are printed in full.
// With --decoder M it also compares M random byte strings against iced-x86.
// The summary lists, per group, cases and mismatches, and the instruction-table forms no
// case exercised, so new table entries show up until a template covers them.
// Deterministic: batch b uses seed S + b. Exit status 1 if any mismatch is unexplained.
import { parseArgs } from 'node:util';
import { decode } from '../../runtime/cpu/decode.ts';
import { FORMS } from '../../runtime/cpu/table.ts';
import { bytesAt } from '../../runtime/loader/elf.ts';
import { generateCases, GROUPS, randomlyTestable } from './harness/cases.ts';
import { compareDecoders, describeDifference } from './harness/decoder-compare.ts';
import { buildProgram, compareRecords, haveAsLd, KNOWN_EXECUTOR_GAPS, removeProgram, renderProgram, runEmulated, runNative, type Mismatch } from './harness/differential.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
    groups: { type: 'string' },
    batch: { type: 'string', default: '5000' },
    show: { type: 'string', default: '10' },
    decoder: { type: 'string', default: '0' },
  },
});

function positive(name: string, text: string, allowZero = false): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < (allowZero ? 0 : 1)) {
    console.error(`fuzz:cpu: --${name}: expected a ${allowZero ? 'non-negative' : 'positive'} integer, got "${text}"`);
    process.exit(2);
  }
  return n;
}

const total = positive('cases', values.cases!, true);
const seed = positive('seed', values.seed!, true);
const batchSize = positive('batch', values.batch!);
const show = positive('show', values.show!, true);
const decoderCases = positive('decoder', values.decoder!, true);
const groups = values.groups ? values.groups.split(',') : Object.keys(GROUPS);
for (const g of groups) {
  if (!GROUPS[g]) {
    console.error(`fuzz:cpu: --groups: unknown group "${g}"; known: ${Object.keys(GROUPS).join(', ')}`);
    process.exit(2);
  }
}

let unexplained = 0;

if (total > 0) {
  if (!haveAsLd) {
    console.log('differential campaign skipped: GNU as or ld not found');
  } else {
    const perGroup = new Map<string, { cases: number; failed: number }>(groups.map((g) => [g, { cases: 0, failed: 0 }]));
    const perGap = new Map<string, number>();
    const covered = new Set<number>();
    const shown: Mismatch[] = [];
    const started = process.hrtime.bigint();
    for (let batch = 0, done = 0; done < total; batch++) {
      const count = Math.min(batchSize, total - done);
      const cases = generateCases(seed + batch, count, groups);
      const program = buildProgram(renderProgram(cases));
      try {
        const native = runNative(program);
        if (native.status !== 0) throw new Error(`batch ${batch} (seed ${seed + batch}): native run failed with status ${native.status}`);
        const emulated = runEmulated(program);
        for (const m of compareRecords(cases, native.stdout, emulated.stdout, program.elf)) {
          perGroup.get(m.case.group)!.failed++;
          const gap = KNOWN_EXECUTOR_GAPS.find((g) => g.matches(m.case));
          if (gap) perGap.set(gap.name, (perGap.get(gap.name) ?? 0) + 1);
          else {
            unexplained++;
            if (shown.length < show) shown.push({ case: m.case, lines: [`batch seed ${seed + batch}:`, ...m.lines] });
          }
        }
        for (const c of cases) {
          perGroup.get(c.group)!.cases++;
          const at = program.elf.symbols.find((s) => s.name === `i${c.index}`)?.value;
          const code = at === undefined ? null : bytesAt(program.elf, at, 15);
          if (!code) continue;
          try {
            covered.add(decode(code, 0, code.length, at!).form.id);
          } catch {
            // A case whose first instruction does not decode shows up as a mismatch instead.
          }
        }
      } finally {
        removeProgram(program);
      }
      done += count;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(`differential: ${total} cases, seed ${seed}, ${seconds.toFixed(1)} s`);
    for (const [g, v] of perGroup) console.log(`  ${g.padEnd(14)} ${String(v.cases).padStart(8)} cases  ${String(v.failed).padStart(6)} mismatches`);
    for (const [name, n] of perGap) console.log(`  known gap, ${n} mismatches: ${name}`);
    console.log(`  unexplained mismatches: ${unexplained}`);
    for (const m of shown) console.log(m.lines.join('\n'));
    const missing = new Map<string, number>();
    const excluded = new Set<string>();
    for (const f of FORMS) {
      if (covered.has(f.id)) continue;
      if (randomlyTestable(f)) missing.set(f.mnemonic, (missing.get(f.mnemonic) ?? 0) + 1);
      else excluded.add(f.mnemonic);
    }
    console.log(`table coverage: ${covered.size} of ${FORMS.length} forms exercised`);
    if (missing.size) console.log(`  not exercised (mnemonic × forms): ${[...missing].map(([m, n]) => (n > 1 ? `${m}×${n}` : m)).join(' ')}`);
    if (excluded.size) console.log(`  not exercised, outside the table group (templates or the core-* unit tests cover them): ${[...excluded].join(' ')}`);
  }
}

if (decoderCases > 0) {
  const r = compareDecoders(seed, decoderCases);
  console.log(`decoder vs iced-x86: ${r.cases} byte strings, ${r.agreedValid} agree valid, ${r.agreedInvalid} agree invalid, ${r.outsideTable} outside the table`);
  for (const [why, n] of r.deliberate) console.log(`  deliberate, ${n}: ${why}`);
  for (const [name, list] of r.known) console.log(`  known gap, ${list.length}: ${name}`);
  console.log(`  unexplained: ${r.failures.length}`);
  for (const f of r.failures.slice(0, show)) console.log(`  ${describeDifference(f)}`);
  unexplained += r.failures.length;
}

process.exitCode = unexplained > 0 ? 1 : 0;
