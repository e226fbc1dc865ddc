// `mksyscall run FILE.ts --target linux/amd64 [--strace] [--strace-file F] [-T] [-c] [--strace-threads] [--seed N]
// [--gomaxprocs N] [--trace OUT.json] [--timeline OUT.html] [--schedtrace MS]`: runs a
// program on the machine, its goroutines under Go's G/M/P scheduler (GOMAXPROCS Ps; the
// runtime trace as Perfetto JSON or an HTML timeline; schedtrace lines on stderr, after
// the guest's own). FILE exports `main`, a generator function
// (`export function* main(machine) { … }`) that calls the generated wrappers; it gets the
// Machine as its argument, and starts goroutines with `go` from runtime/index.ts (or
// machine.go). The guest's stdout and
// stderr become the command's, its exit status the command's (128 + signal when a signal
// killed it, 2 on deadlock, with who waited on what on stderr, 2 with `panic:` when the
// program's own code throws).
//
// `mksyscall exec --kernel linux [--strace] ELF [args…]` (runKernelExec): a static x86-64
// Linux executable on the same machine, under this kernel rather than the user-mode
// shortcut; stdout, stderr and the exit status are the guest's, the trace goes to stderr.
// The guest starts with an empty environment and empty stdin, so runs are reproducible.
//
// The target descriptor is the generated one, generated/target_<os>_<arch>.ts, loaded by
// path at run time: the runtime's modules never import generated code.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ElfError, parseElf } from '../loader/elf.ts';
import { execOnKernel } from '../machine/exec.ts';
import { Machine } from '../machine/index.ts';
import { renderPerfetto, renderTimeline } from '../trace/index.ts';
import type { Go, TargetDescriptor } from '../syscall.ts';

export interface RunOptions {
  target: string;
  strace?: boolean;
  straceFile?: string;
  timing?: boolean;
  summary?: boolean;
  /** Each trace line names its thread (truss -H, dtruss's pid/thread, the API monitor's [tid]). */
  threadIds?: boolean;
  seed?: string;
  gomaxprocs?: string;
  /** Runtime trace outputs: Perfetto JSON, HTML timeline. */
  trace?: string;
  timeline?: string;
  /** schedtrace period in virtual ms. */
  schedtrace?: string;
}

const generatedDir = new URL('../../generated/', import.meta.url);

export async function runProgram(file: string, opts: RunOptions, out: (s: string | Uint8Array) => void, err: (s: string) => void): Promise<number> {
  const [os, arch, extra] = opts.target.split('/');
  if (!os || !arch || extra !== undefined) {
    err(`mksyscall run: --target ${opts.target}: expected os/arch, e.g. linux/amd64\n`);
    return 2;
  }
  const seed = opts.seed === undefined ? 1 : Number(opts.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) {
    err(`mksyscall run: --seed ${opts.seed}: expected a non-negative integer\n`);
    return 2;
  }
  const gomaxprocs = Number(opts.gomaxprocs ?? 1);
  if (!Number.isSafeInteger(gomaxprocs) || gomaxprocs < 1) {
    err(`mksyscall run: --gomaxprocs ${opts.gomaxprocs}: expected a positive integer\n`);
    return 2;
  }
  const schedtrace = opts.schedtrace === undefined ? undefined : Number(opts.schedtrace);
  if (schedtrace !== undefined && !(schedtrace > 0 && Number.isFinite(schedtrace))) {
    err(`mksyscall run: --schedtrace ${opts.schedtrace}: expected a positive number of milliseconds\n`);
    return 2;
  }
  const target = await loadTarget(os, arch);
  if (target === null) {
    err(`mksyscall run: no generated target ${os}/${arch}; run mksyscall generate\n`);
    return 2;
  }
  const path = resolve(file);
  if (!existsSync(path)) {
    err(`mksyscall run: ${file}: no such file\n`);
    return 2;
  }
  let program: { main?: unknown };
  try {
    program = (await import(pathToFileURL(path).href)) as { main?: unknown };
  } catch (e) {
    err(`mksyscall run: ${file}: ${(e as Error).message}\n`);
    return 2;
  }
  const main = program.main;
  if (typeof main !== 'function' || main.constructor.name !== 'GeneratorFunction') {
    err(`mksyscall run: ${file}: expected an exported generator function \`export function* main(machine) { … }\`\n`);
    return 2;
  }
  const tracing = opts.strace || opts.straceFile !== undefined || opts.timing || opts.summary || opts.threadIds;
  let machine: Machine;
  try {
    machine = new Machine({ target, seed, strace: tracing ? { timing: opts.timing, summary: opts.summary, threadIds: opts.threadIds } : false, scheduler: 'go', gomaxprocs, schedtrace, trace: opts.trace !== undefined || opts.timeline !== undefined });
  } catch (e) {
    err(`mksyscall run: ${(e as Error).message}\n`);
    return 2;
  }
  let result;
  try {
    result = machine.run(() => (main as (m: Machine) => Go<void>)(machine));
  } catch (e) {
    // The program's own code threw: what the guest wrote stands; report it as Go reports a panic.
    out(machine.kernel.stdout.bytes());
    err(new TextDecoder().decode(machine.kernel.stderr.bytes()));
    err(`panic: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 2;
  }
  out(result.stdoutBytes);
  err(result.stderr);
  if (result.fault) err(`mksyscall run: ${result.signal}: ${result.fault}\n`);
  if (tracing) {
    if (opts.straceFile !== undefined) writeFileSync(opts.straceFile, result.strace);
    else err(result.strace);
  }
  for (const line of result.sched?.schedtrace ?? []) err(line + '\n');
  if (opts.trace !== undefined || opts.timeline !== undefined) {
    if (result.sched === undefined) {
      err(`mksyscall run: --trace and --timeline need Go's scheduler, which does not run ${opts.target} programs\n`);
      return 2;
    }
    if (opts.trace !== undefined) writeFileSync(opts.trace, renderPerfetto(result.sched.trace));
    if (opts.timeline !== undefined) writeFileSync(opts.timeline, renderTimeline(result.sched.trace, `${file} (GOMAXPROCS=${gomaxprocs}, seed ${seed})`));
  }
  return result.status;
}

/** The generated target descriptor of os/arch, or null when it was never generated. */
async function loadTarget(os: string, arch: string): Promise<TargetDescriptor | null> {
  const url = new URL(`target_${os}_${arch}.ts`, generatedDir);
  if (!existsSync(url)) return null;
  return ((await import(url.href)) as { target: TargetDescriptor }).target;
}

export interface KernelExecCliOptions {
  kernel: string;
  strace?: boolean;
  seed?: number;
}

export async function runKernelExec(file: string, args: string[], opts: KernelExecCliOptions, out: (s: Uint8Array) => void, err: (s: string) => void): Promise<number> {
  if (opts.kernel !== 'linux') {
    err(`mksyscall exec: --kernel ${opts.kernel}: only linux is implemented\n`);
    return 2;
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    err(`mksyscall exec: ${file}: ${(e as Error).message}\n`);
    return 2;
  }
  const target = await loadTarget('linux', 'amd64');
  if (target === null) {
    err('mksyscall exec: no generated target linux/amd64; run mksyscall generate\n');
    return 2;
  }
  try {
    const elf = parseElf(bytes, file);
    // A C program has no Go runtime: no G/M/P and no sysmon, its one thread runs alone.
    const machine = new Machine({ target, seed: opts.seed, strace: opts.strace ?? false, files: [{ path: '/tmp', directory: true }], scheduler: 'round-robin' });
    const result = execOnKernel(machine, elf, { argv: [file, ...args] });
    out(result.stdoutBytes);
    err(result.stderr);
    if (result.fault) err(`mksyscall exec: ${result.signal}: ${result.fault}\n`);
    err(result.strace);
    return result.status;
  } catch (e) {
    if (e instanceof ElfError) {
      err(`mksyscall exec: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
