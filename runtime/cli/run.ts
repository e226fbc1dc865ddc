// `mksyscall run FILE.ts --target linux/amd64 [--strace] [--strace-file F] [-T] [-c] [--seed N]`:
// runs a program on the Linux machine. FILE exports `main`, a generator function
// (`export function* main(machine) { … }`) that calls the generated wrappers; it gets the
// Machine as its argument (to start goroutines with machine.go). The guest's stdout and
// stderr become the command's, its exit status the command's (128 + signal when a signal
// killed it, 2 on deadlock, with who waited on what on stderr).
//
// The target descriptor is the generated one, generated/target_<os>_<arch>.ts, loaded by
// path at run time: the runtime's modules never import generated code.
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Machine } from '../machine/index.ts';
import type { Go, TargetDescriptor } from '../syscall.ts';

export interface RunOptions {
  target: string;
  strace?: boolean;
  straceFile?: string;
  timing?: boolean;
  summary?: boolean;
  seed?: string;
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
  const targetUrl = new URL(`target_${os}_${arch}.ts`, generatedDir);
  if (!existsSync(targetUrl)) {
    err(`mksyscall run: no generated target ${os}/${arch} (${targetUrl.pathname}); run mksyscall generate\n`);
    return 2;
  }
  const path = resolve(file);
  if (!existsSync(path)) {
    err(`mksyscall run: ${file}: no such file\n`);
    return 2;
  }
  const { target } = (await import(targetUrl.href)) as { target: TargetDescriptor };
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
  const tracing = opts.strace || opts.straceFile !== undefined || opts.timing || opts.summary;
  let machine: Machine;
  try {
    machine = new Machine({ target, seed, strace: tracing ? { timing: opts.timing, summary: opts.summary } : false });
  } catch (e) {
    err(`mksyscall run: ${(e as Error).message}\n`);
    return 2;
  }
  const result = machine.run(() => (main as (m: Machine) => Go<void>)(machine));
  out(result.stdoutBytes);
  err(result.stderr);
  if (result.fault) err(`mksyscall run: ${result.signal}: ${result.fault}\n`);
  if (tracing) {
    if (opts.straceFile !== undefined) writeFileSync(opts.straceFile, result.strace);
    else err(result.strace);
  }
  return result.status;
}
