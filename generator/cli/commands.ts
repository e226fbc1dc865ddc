// Declares the generation commands (generate, inspect, import-table, table, diff) and
// loads each implementation lazily. Nothing here imports runtime/ or generated/.
import type { Command } from 'commander';

export function registerGeneratorCommands(program: Command, setStatus: (code: number) => void): void {
  program
    .command('import-table')
    .description("convert an upstream syscall table, errno sheet or .def export list into the project's table format")
    .requiredOption('--format <format>', 'linux-tbl | freebsd-master | xnu-master | c-defines | def | errno-tsv')
    .option('--abi <abis>', 'linux-tbl: comma-separated abis to keep (e.g. common,64); c-defines: the abi to record')
    .option('--os <os>', 'the target OS the table is for (recorded in the header)')
    .option('--arch <arch>', 'the target architecture the table is for (recorded in the header)')
    .option('--aliases <file>', 'errno-tsv: the alias sheet (name, alias_of, number, note)')
    .option('-o, --output <file>', 'write here instead of stdout')
    .argument('<file>', 'the upstream file')
    .action(async (file: string, opts: { format: string; abi?: string; os?: string; arch?: string; aliases?: string; output?: string }) => {
      const { runImportTable } = await import('./import-table.ts');
      const { abi, ...rest } = opts;
      const status = runImportTable({ ...rest, file, ...(abi ? { abi: abi.split(',') } : {}) }, (s) => process.stdout.write(s), (s) => process.stderr.write(s));
      setStatus(status);
    });
}
