#!/usr/bin/env node
// Entry point of the `mksyscall` command: registers the TypeScript loader and hands
// argv to bin/cli.ts, which lazily loads only the command that was asked for.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv);
