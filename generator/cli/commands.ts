// Declares the generation commands (generate, inspect, import-table, table, diff) and
// loads each implementation lazily. Nothing here imports runtime/ or generated/.
import type { Command } from 'commander';

export function registerGeneratorCommands(program: Command, setStatus: (code: number) => void): void {
  program
    .command('generate')
    .description('regenerate generated/ from the annotations and tables in defs/')
    .option('--target <os/arch>', 'generate only this target (repeatable; default: all six)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--check', 'write nothing; exit 1 with a unified diff when generated/ is stale')
    .option('--watch', 'regenerate on every change under defs/')
    .option('--lenient', 'accept the annotation forms the Perl mksyscall accepted')
    .option('--defs <dir>', 'read annotations and tables from this folder instead of defs/')
    .option('--out <dir>', 'write here instead of generated/')
    .action(async (opts: { target: string[]; check?: boolean; watch?: boolean; lenient?: boolean; defs?: string; out?: string }) => {
      const { runGenerate } = await import('./generate.ts');
      setStatus(await runGenerate(opts, (s) => process.stdout.write(s), (s) => process.stderr.write(s)));
    });
  program
    .command('inspect')
    .description('print how the //sys declarations of any text files lower for one target')
    .requiredOption('--target <os/arch>', 'the target whose ABI to lower for')
    .option('--json', 'print JSON: {"target", "functions": [...]}')
    .option('--lenient', 'accept the annotation forms the Perl mksyscall accepted')
    .option('--defs <dir>', 'tables folder to check trap names against (default defs/)')
    .argument('<files...>', 'files containing //sys lines (.sys, Go or TypeScript source)')
    .action(async (files: string[], opts: { target: string; json?: boolean; lenient?: boolean; defs?: string }) => {
      const { runInspect } = await import('./inspect.ts');
      setStatus(runInspect(files, opts, (s) => process.stdout.write(s), (s) => process.stderr.write(s)));
    });
  program
    .command('import-table')
    .description("convert an upstream syscall table, errno sheet or .def export list into the project's table format")
    .requiredOption('--format <format>', 'linux-tbl | freebsd-master | xnu-master | c-defines | def | errno-tsv')
    .option('--abi <abis>', 'linux-tbl: comma-separated abis to keep (e.g. common,64); c-defines: the abi to record')
    .option('--os <os>', 'the target OS the table is for (recorded in the header)')
    .option('--arch <arch>', 'the target architecture the table is for (recorded in the header)')
    .option('--aliases <file>', 'errno-tsv: the alias sheet (name, alias_of, number, note)')
    .option('--extra <file>', "errno-tsv: a further sheet of the project's own, merged after FILE")
    .option('-o, --output <file>', 'write here instead of stdout')
    .argument('<file>', 'the upstream file')
    .action(async (file: string, opts: { format: string; abi?: string; os?: string; arch?: string; aliases?: string; extra?: string; output?: string }) => {
      const { runImportTable } = await import('./import-table.ts');
      const { abi, ...rest } = opts;
      const status = runImportTable({ ...rest, file, ...(abi ? { abi: abi.split(',') } : {}) }, (s) => process.stdout.write(s), (s) => process.stderr.write(s));
      setStatus(status);
    });
  program
    .command('table')
    .description('print what each target calls, and with which number, for portable functions (Open) or system calls (open)')
    .option('--format <format>', 'text | md | json', 'text')
    .option('--targets <list>', 'comma-separated os/arch targets (default: all six)')
    .option('--defs <dir>', 'read the tables and portable wrappers from this folder instead of defs/')
    .argument('<names...>', 'names, comma- or space-separated')
    .action(async (names: string[], opts: { format?: string; targets?: string; defs?: string }) => {
      const { runTable } = await import('./table.ts');
      setStatus(runTable(names, opts, (s) => process.stdout.write(s), (s) => process.stderr.write(s)));
    });
  program
    .command('diff')
    .description('how two targets differ: a semantic diff per function, then the unified diff of their generated files')
    .option('--semantic-only', 'print the semantic diff only')
    .option('--defs <dir>', 'read annotations, tables and portable wrappers from this folder instead of defs/')
    .argument('<a>', 'a target, e.g. linux/amd64')
    .argument('<b>', 'another target, e.g. freebsd/amd64')
    .action(async (a: string, b: string, opts: { semanticOnly?: boolean; defs?: string }) => {
      const { runDiff } = await import('./diff.ts');
      setStatus(runDiff(a, b, opts, (s) => process.stdout.write(s), (s) => process.stderr.write(s)));
    });
}
