// The `mksyscall` command line, every command. It owns only the wiring: each half of the
// project declares its own commands (generator/cli/commands.ts, runtime/cli/commands.ts)
// and loads a command's implementation only when that command runs, so start-up stays
// cheap. bin/mksyscall.mjs runs this module through tsx, except for the generation
// commands, which it serves from a prebuilt bundle of bin/generator-cli.ts.
import { registerGeneratorCommands } from '../generator/cli/commands.ts';
import { registerRuntimeCommands } from '../runtime/cli/commands.ts';
import { runProgram } from './program.ts';

export function main(argv: string[]): Promise<number> {
  return runProgram(argv, [registerGeneratorCommands, registerRuntimeCommands]);
}
