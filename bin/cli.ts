// The `mksyscall` command line. It owns only the wiring: each half of the project
// declares its own commands (generator/cli/commands.ts, runtime/cli/commands.ts) and
// loads a command's implementation only when that command runs, so start-up stays cheap.
// Exit codes: 0 success, 1 a check failed (for example `generate --check` found drift),
// 2 bad input (a located error was printed).
import { Command, CommanderError } from 'commander';
import { registerGeneratorCommands } from '../generator/cli/commands.ts';
import { registerRuntimeCommands } from '../runtime/cli/commands.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('mksyscall')
    .description("Go's system-call machinery in TypeScript: generate wrappers, run them on an emulated x86-64 machine")
    .exitOverride()
    .showHelpAfterError();
  let status = 0;
  const setStatus = (code: number) => {
    status = code;
  };
  registerGeneratorCommands(program, setStatus);
  registerRuntimeCommands(program, setStatus);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return status;
}
