// The generation commands alone (generate, inspect, import-table, table, diff): the entry
// point bin/fast-start.mjs bundles, so these commands start without a TypeScript loader.
// Like generator/, it imports nothing of runtime/ or generated/.
import { registerGeneratorCommands } from '../generator/cli/commands.ts';
import { runProgram } from './program.ts';

export function main(argv: string[]): Promise<number> {
  return runProgram(argv, [registerGeneratorCommands]);
}
