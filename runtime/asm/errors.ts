// Located assembler errors. Every error the assembler or linker reports names the file,
// line and column, quotes the line and puts a caret under the column, like a compiler.
// An AsmError may carry several diagnostics; whenever one is thrown nothing is produced.
import type { Loc } from './ast.ts';

export interface Diagnostic {
  file: string;
  loc: Loc;
  message: string;
  /** The source line the location points into (without its newline). */
  sourceLine: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const caret = ' '.repeat(Math.max(0, d.loc.column - 1)) + '^';
  return `${d.file}:${d.loc.line}:${d.loc.column}: ${d.message}\n${d.sourceLine.replace(/\t/g, ' ')}\n${caret}`;
}

export class AsmError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'AsmError';
  }
}

/** Collects diagnostics against one source text. */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  private readonly lines: string[];
  constructor(
    readonly file: string,
    source: string,
  ) {
    this.lines = source.split('\n');
  }
  error(loc: Loc, message: string): void {
    this.list.push({ file: this.file, loc, message, sourceLine: this.lines[loc.line - 1] ?? '' });
  }
  throwIfAny(): void {
    if (this.list.length) throw new AsmError(this.list);
  }
}
