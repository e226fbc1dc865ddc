// Located errors for every table reader and importer. Whatever goes wrong in a table
// file (a peggy syntax error or a semantic check such as a duplicate number) surfaces as
// a TableError carrying file:line:col, the offending line with a caret under the column,
// and what was expected there. Nothing else may escape from a parse: callers (the CLI,
// the generator) rely on `instanceof TableError` to print the message and exit 2.

/** A problem in a table file, at a 1-based line and column. */
export class TableError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly problem: string,
    sourceLine: string,
  ) {
    super(`${file}:${line}:${column}: ${problem}\n    ${sourceLine}\n    ${' '.repeat(Math.max(0, column - 1))}^`);
    this.name = 'TableError';
  }
}

/** Builds a TableError for `text` (the whole file) at `line`:`column`. */
export function tableError(file: string, text: string, line: number, column: number, problem: string): TableError {
  const sourceLine = (text.split('\n')[line - 1] ?? '').replace(/\r$/, '').replace(/\t/g, ' ');
  return new TableError(file, line, column, problem, sourceLine);
}

interface PeggyExpectation {
  type: string;
  description?: string;
  text?: string;
  parts?: Array<string | [string, string]>;
  inverted?: boolean;
}

interface PeggySyntaxError {
  expected: PeggyExpectation[] | null;
  found: string | null;
  location: { start: { line: number; column: number } };
}

function isPeggySyntaxError(err: unknown): err is PeggySyntaxError {
  return (
    err instanceof Error &&
    'expected' in err &&
    'location' in err &&
    typeof (err as { location?: { start?: unknown } }).location?.start === 'object'
  );
}

const WHITESPACE = new Set([' ', '\t']);
const LINE_ENDS = new Set(['\r', '\n']);

function describeExpectation(e: PeggyExpectation): string {
  switch (e.type) {
    case 'end':
      return 'end of input';
    case 'any':
      return 'any character';
    case 'literal':
      return JSON.stringify(e.text);
    case 'class': {
      const parts = e.parts ?? [];
      const singles = parts.every((p) => typeof p === 'string');
      if (singles && parts.every((p) => LINE_ENDS.has(p as string))) return 'end of line';
      if (singles && parts.every((p) => WHITESPACE.has(p as string) || LINE_ENDS.has(p as string))) return 'blank';
      const shown = parts.map((p) => (typeof p === 'string' ? p : `${p[0]}-${p[1]}`)).join('');
      return `${e.inverted ? 'a character not in' : 'a character in'} [${JSON.stringify(shown).slice(1, -1)}]`;
    }
    default:
      return e.description ?? e.type;
  }
}

function describeExpected(expected: PeggyExpectation[] | null): string {
  if (!expected || expected.length === 0) return 'something else';
  const names = [...new Set(expected.map(describeExpectation))].sort();
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

function describeFound(found: string | null): string {
  if (found === null) return 'end of input';
  if (found === '\n' || found === '\r') return 'end of line';
  if (found === '\t') return 'a tab';
  return JSON.stringify(found);
}

type PeggyParse = (input: string, options?: { startRule?: string; grammarSource?: unknown }) => unknown;

/** Runs a compiled peggy parser; a syntax error becomes a TableError naming what was expected. */
export function parseWith<T>(parse: PeggyParse, text: string, file: string, startRule?: string): T {
  try {
    return parse(text, { grammarSource: file, ...(startRule ? { startRule } : {}) }) as T;
  } catch (err) {
    if (err instanceof TableError) throw err;
    if (isPeggySyntaxError(err)) {
      const { line, column } = err.location.start;
      const problem =
        err.expected === null
          ? (err as unknown as Error).message
          : `expected ${describeExpected(err.expected)}, found ${describeFound(err.found)}`;
      throw tableError(file, text, line, column, problem);
    }
    throw err;
  }
}

/** A command-line choice that does not fit the input (an abi the table lacks, say). */
export class ImportOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportOptionError';
  }
}
