// Located diagnostics of the generator: an error or warning at file:line:col, printed
// as the compiler-style header, the offending line and a caret under the column.
// Every bad input the generator reads ends up as a GeneratorError (exit code 2); a
// warning never stops generation.

export interface Location {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based; 0 when the diagnostic concerns the whole line. */
  column: number;
  /** The text of the line, without its newline. */
  text: string;
}

export interface Diagnostic extends Location {
  severity: 'error' | 'warning';
  message: string;
}

/** Renders `file:line:col: severity: message`, the line, and a caret under the column. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.column > 0 ? `${d.file}:${d.line}:${d.column}` : `${d.file}:${d.line}`;
  const head = `${where}: ${d.severity}: ${d.message}`;
  if (d.column <= 0) return `${head}\n    ${d.text}`;
  const pad = d.text.slice(0, d.column - 1).replace(/[^\t]/g, ' ');
  return `${head}\n    ${d.text}\n    ${pad}^`;
}

/** One or more located errors in the generator's input. */
export class GeneratorError extends Error {
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'GeneratorError';
    this.diagnostics = diagnostics;
  }
}

export function errorAt(loc: Location, message: string): Diagnostic {
  return { ...loc, severity: 'error', message };
}

export function warningAt(loc: Location, message: string): Diagnostic {
  return { ...loc, severity: 'warning', message };
}
