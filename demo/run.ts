// The demo program as a `mksyscall run` module: `mksyscall run demo/run.ts --target
// freebsd/amd64 --strace` runs it on one machine, with that OS's tracer on stderr.
import type { Go } from '../runtime/index.ts';
import { demoOs, demoProgram } from './program.ts';

export function* main(machine: { target: { os: string; arch: string } }): Go<void> {
  const target = `${machine.target.os}/${machine.target.arch}`;
  const os = demoOs(target);
  if (os === undefined) throw new Error(`the demo has no portable wrappers for ${target}`);
  yield* demoProgram(os)();
}
