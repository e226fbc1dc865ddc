#!/usr/bin/env node
// Entry point of the `mksyscall` command. The generation commands run from a prebuilt
// bundle when one can be had (bin/fast-start.mjs), so they start without a TypeScript
// loader; everything else registers tsx and hands argv to bin/cli.ts, which lazily loads
// only the command that was asked for.
import { GENERATOR_COMMANDS, loadGeneratorCli } from './fast-start.mjs';

const fast = GENERATOR_COMMANDS.includes(process.argv[2]) ? await loadGeneratorCli() : null;
if (fast) {
  process.exitCode = await fast(process.argv);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('./cli.ts');
  process.exitCode = await main(process.argv);
}
