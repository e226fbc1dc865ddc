// The preprocessor Go's assembler runs before parsing, reduced to what hand-written stubs
// use: object-like `#define NAME text`, `#undef NAME`, and `#ifdef/#ifndef/#else/#endif`.
// Function-like macros and `\` continuations are refused with a located error.
//
// Invariant: the output has exactly the input's lines, so every line number stays true:
// directive lines and lines in a false conditional become empty; other lines have macro
// names (whole identifiers outside comments and strings) replaced, repeatedly, so macros
// may use macros. `#include` lines pass through to the parser.
import type { Loc } from './ast.ts';

export interface Preprocessed {
  text: string;
  errors: Array<{ loc: Loc; message: string }>;
}

const DIRECTIVE = /^(\s*)#\s*(define|undef|ifdef|ifndef|else|endif)\b(.*)$/;
const MAX_DEPTH = 16;

function stripComment(s: string): string {
  const i = s.indexOf('//');
  return (i < 0 ? s : s.slice(0, i)).trim();
}

/** Replaces macro names in the code part of a line (not in comments or string literals). */
function expand(line: string, macros: Map<string, string>): string {
  let out = line;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    let changed = false;
    const next = out.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\/\/.*$|[0-9][A-Za-z0-9_]*|[A-Za-z_·][A-Za-z0-9_·∕]*/g, (tok) => {
      const value = macros.get(tok);
      if (value === undefined) return tok;
      changed = true;
      return value;
    });
    out = next;
    if (!changed) return out;
  }
  return out;
}

export function preprocess(source: string): Preprocessed {
  const macros = new Map<string, string>();
  const errors: Preprocessed['errors'] = [];
  /** One entry per open #if: whether its current branch is taken, and whether it has seen #else. */
  const stack: Array<{ taken: boolean; sawElse: boolean; loc: Loc }> = [];
  const active = () => stack.every((c) => c.taken);
  const lines = source.split('\n').map((line, i) => {
    const m = DIRECTIVE.exec(line);
    const loc = { line: i + 1, column: (m?.[1]?.length ?? 0) + 1 };
    if (!m) return active() ? expand(line, macros) : '';
    const [, , directive, restRaw] = m;
    const rest = stripComment(restRaw!);
    switch (directive) {
      case 'ifdef':
      case 'ifndef': {
        const defined = macros.has(rest);
        stack.push({ taken: directive === 'ifdef' ? defined : !defined, sawElse: false, loc });
        break;
      }
      case 'else': {
        const top = stack[stack.length - 1];
        if (!top || top.sawElse) errors.push({ loc, message: top ? 'a second #else' : '#else without #ifdef or #ifndef' });
        else {
          top.taken = !top.taken;
          top.sawElse = true;
        }
        break;
      }
      case 'endif':
        if (!stack.pop()) errors.push({ loc, message: '#endif without #ifdef or #ifndef' });
        break;
      case 'define': {
        if (!active()) break;
        const d = /^([A-Za-z_][A-Za-z0-9_]*)(\(?)\s*(.*)$/.exec(rest);
        if (!d) errors.push({ loc, message: 'expected #define NAME text' });
        else if (d[2]) errors.push({ loc, message: `function-like macro ${d[1]} is not supported; use #define NAME text` });
        else if (restRaw!.trimEnd().endsWith('\\')) errors.push({ loc, message: 'line continuations (\\) are not supported' });
        else macros.set(d[1]!, expand(d[3]!, macros));
        break;
      }
      case 'undef':
        if (active()) macros.delete(rest);
        break;
    }
    return '';
  });
  for (const open of stack) errors.push({ loc: open.loc, message: 'this #ifdef/#ifndef has no #endif' });
  return { text: lines.join('\n'), errors };
}
