// Line layout of generated TypeScript, written so that prettier (default options:
// 80 columns, double quotes, trailing commas) leaves every generated file unchanged.
// The generate path therefore never loads prettier; test/generator/format.test.ts
// asserts `prettier.format(file) === file` for every generated file.
//
// The one rule used everywhere: a bracketed list (parameters, arguments, array and
// import lists) stays on one line when the whole line fits in 80 columns; otherwise
// each item goes on its own line, indented two more spaces, with a trailing comma.

export const PRINT_WIDTH = 80;

/**
 * `head items tail` on one line if it fits at `indent`, else one item per line.
 * `spaced` puts a space inside the brackets on one line, as in `import { a, b }`.
 */
export function bracketed(indent: string, head: string, items: readonly string[], tail: string, spaced = false): string {
  const gap = spaced && items.length ? ' ' : '';
  const flat = `${indent}${head}${gap}${items.join(', ')}${gap}${tail}`;
  if (flat.length <= PRINT_WIDTH || items.length === 0) return flat;
  const inner = indent + '  ';
  return `${indent}${head}\n${items.map((i) => `${inner}${i},`).join('\n')}\n${indent}${tail}`;
}

/**
 * `const name = callee(arg);` as prettier lays it out when it does not fit: a member
 * call (`mod.NewProc("x")`) with a lone short argument (≤ 20 columns, a quarter of the
 * width) moves to the next line whole; otherwise the argument moves to its own line
 * when `const name = callee(` fits, and the call to the next line when it does not
 * (its argument on a line of its own again if the call still does not fit).
 */
export function constCall(name: string, callee: string, arg: string): string {
  const flat = `const ${name} = ${callee}(${arg});`;
  if (flat.length <= PRINT_WIDTH) return flat;
  const nextLine = `  ${callee}(${arg});`;
  const afterOperator = `const ${name} =\n${nextLine.length <= PRINT_WIDTH ? nextLine : `  ${callee}(\n    ${arg},\n  );`}`;
  if (callee.includes('.') && arg.length <= PRINT_WIDTH / 4) return afterOperator;
  const head = `const ${name} = ${callee}(`;
  return head.length <= PRINT_WIDTH ? `${head}\n  ${arg},\n);` : afterOperator;
}

/** A string literal as prettier prints it: double quotes unless that needs more escapes. */
export function stringLiteral(s: string): string {
  if (!/["'\\\n]/.test(s)) return `"${s}"`;
  const doubles = (s.match(/"/g) ?? []).length;
  const singles = (s.match(/'/g) ?? []).length;
  const quote = doubles > singles ? "'" : '"';
  const body = s.replace(/\\/g, '\\\\').replace(new RegExp(quote, 'g'), '\\' + quote).replace(/\n/g, '\\n');
  return quote + body + quote;
}

const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await arguments eval'
  ).split(' '),
);

/** A Go identifier usable as a TypeScript binding: reserved words get a trailing `_`. */
export function tsName(name: string): string {
  return RESERVED.has(name) ? name + '_' : name;
}
