// The `mksyscall` program object shared by both ways in: bin/cli.ts (every command, run
// through tsx) and bin/generator-cli.ts (the generation commands only, run from the
// prebuilt bundle of bin/fast-start.mjs). It owns the exit-code contract:
// 0 success, 1 a check failed (for example `generate --check` found drift),
// 2 bad input (a located error, or a usage error, was printed).
import { Command, CommanderError } from 'commander';

/** Adds commands to the program; a command reports its exit status through setStatus. */
export type RegisterCommands = (program: Command, setStatus: (code: number) => void) => void;

export async function runProgram(argv: string[], registrars: RegisterCommands[]): Promise<number> {
  const program = new Command('mksyscall')
    .description("Go's system-call machinery in TypeScript: generate wrappers, run them on an emulated x86-64 machine")
    .exitOverride()
    .showHelpAfterError();
  let status = 0;
  for (const register of registrars) register(program, (code) => (status = code));
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return status;
}
