// The bundled demo (`npm start`, `mksyscall demo`): runs demo/program.ts on the four
// machines, checks that the program's stdout is the same on all of them, and renders the
// result: that stdout once, each OS's trace in its own tracer's format (strace, truss,
// dtruss, API monitor), then `mksyscall table` for the raw calls and the portable
// functions, so the reader sees what each OS did with the same five calls.
//
// Invariants: a run depends only on the target and the seed (virtual time, seeded
// scheduler), so the whole rendering is byte-for-byte reproducible.
import { Machine, type MachineOptions, type RunResult } from '../runtime/index.ts';
import { targets } from '../generated/index.ts';
import { buildTable, formatTable } from '../generator/portable/table.ts';
import { DEMO_OSES, demoProgram, type DemoOs } from './program.ts';

/** What each OS's tracer is called. */
const TRACERS: Readonly<Record<string, string>> = { linux: 'strace', freebsd: 'truss', darwin: 'dtruss', windows: 'API monitor' };

export interface DemoRun {
  target: string;
  tracer: string;
  result: RunResult;
}

/** Who runs the goroutines: the machine's default, or Go's G/M/P scheduler and its settings. */
export type DemoScheduling = Pick<MachineOptions, 'scheduler' | 'gomaxprocs' | 'model' | 'trace'>;

/** Runs the demo program on one OS's machine, traced. */
export function runDemoOn(os: DemoOs, seed = 1, scheduling: DemoScheduling = {}): DemoRun {
  const target = targets[os.portable.target];
  if (target === undefined) throw new Error(`demo: no generated target ${os.portable.target}; run mksyscall generate`);
  const machine = new Machine({ target, seed, strace: true, ...scheduling });
  return { target: os.portable.target, tracer: TRACERS[target.os] ?? 'trace', result: machine.run(demoProgram(os)) };
}

export function runDemo(seed = 1, scheduling: DemoScheduling = {}): DemoRun[] {
  return DEMO_OSES.map((os) => runDemoOn(os, seed, scheduling));
}

/** The cross-OS table, as `mksyscall table NAMES` prints it (text format). */
export function demoTables(): string {
  return ['open,read,write,close,lseek', 'Open,Read,Write,Close,Seek'].map((names) => formatTable(buildTable(names.split(',')), 'text')).join('\n');
}

/** The demo's report, and whether every OS printed the same and exited 0. */
export function renderDemo(runs: readonly DemoRun[], tables: string): { text: string; ok: boolean } {
  const first = runs[0]!.result.stdout;
  const same = runs.every((r) => r.result.stdout === first);
  const ok = same && runs.every((r) => r.result.status === 0);
  const parts: string[] = [];
  if (same) parts.push(`== stdout, the same on ${runs.map((r) => r.target).join(', ')} ==\n${first}`);
  else for (const r of runs) parts.push(`== stdout on ${r.target} (differs!) ==\n${r.result.stdout}`);
  for (const r of runs) {
    const status = r.result.status === 0 ? '' : ` (exit status ${r.result.status}${r.result.fault ? `: ${r.result.fault}` : ''})`;
    parts.push(`== ${r.target}: ${r.tracer}${status} ==\n${r.result.strace}`);
  }
  parts.push(`== how each OS implements them (mksyscall table) ==\n${tables}`);
  return { text: parts.join('\n'), ok };
}
