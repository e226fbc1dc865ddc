// Declares the machine commands (demo, exec, cpu, disasm, asm, run) and loads each
// implementation lazily.
import type { Command } from 'commander';

export function registerRuntimeCommands(program: Command, setStatus: (code: number) => void): void {
  program
    .command('asm')
    .description('assemble and link a Plan 9 assembly file and print its listing: address, bytes, instruction, source line')
    .argument('<file>', 'the .s file')
    .option('--pkg <name>', 'the package ·name symbols belong to', 'main')
    .option('--base <address>', 'address of the first segment', '0x400000')
    .action(async (file: string, opts: { pkg: string; base: string }) => {
      const { runAsm } = await import('./asm.ts');
      setStatus(runAsm(file, opts, (s) => process.stdout.write(`${s}\n`), (s) => process.stderr.write(`${s}\n`)));
    });
}
