// Finds the annotation lines of a text file and parses them into Declarations.
//
// A line is a declaration when it starts with `//sys<TAB>` or `//sysnb<TAB>`, as
// golang.org/x/sys mksyscall requires; with `lenient` also when it is indented or uses
// spaces after the keyword, as the Perl original accepted. mkwinsyscall (windows) reads
// `//sys` after optional indentation and any spaces, and knows no //sysnb. Every other line is ignored,
// except near-misses (`// sys Foo(…)`, `//sys Foo(…)` with a space in strict mode, an
// indented annotation) that Go's tools drop silently: those produce a warning. A
// declaration line that does not parse is a located error; parsing never throws
// anything but GeneratorError.
import { parse as parseDeclaration, SyntaxError as PeggySyntaxError } from '../grammar/annotations.parser.js';
import type { Declaration, FailRetVal, Field, Override } from './declarations.ts';
import { errorAt, warningAt, type Diagnostic, type Location } from './diagnostics.ts';

export interface ParseOptions {
  lenient?: boolean;
  /** Read as windows/mkwinsyscall does: indentation and any spaces after //sys; no //sysnb. */
  mkwinsyscall?: boolean;
}

export interface ParsedFile {
  declarations: Declaration[];
  warnings: Diagnostic[];
  errors: Diagnostic[];
}

const STRICT_PREFIX = /^\/\/sys(nb)?\t/;
const LENIENT_PREFIX = /^[ \t]*\/\/sys(nb)?[ \t]+/;
const MKWINSYSCALL_PREFIX = /^[ \t]*\/\/sys()[ \t]+/;
const NEAR_MISS = /^[ \t]*\/\/[ \t]*sys(nb)?(?![A-Za-z0-9_])/;

interface RawDeclaration {
  name: string;
  params: Field[];
  results: Field[];
  failRetVal: FailRetVal | null;
  override: Override | null;
}

/** Parses every annotation line of `text`; `file` names it in diagnostics. */
export function parseAnnotations(text: string, file: string, options: ParseOptions = {}): ParsedFile {
  const out: ParsedFile = { declarations: [], warnings: [], errors: [] };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (!line.includes('sys')) continue;
    const loc: Location = { file, line: i + 1, column: 0, text: line };
    const prefix = options.mkwinsyscall
      ? MKWINSYSCALL_PREFIX.exec(line)
      : (STRICT_PREFIX.exec(line) ?? (options.lenient ? LENIENT_PREFIX.exec(line) : null));
    if (prefix === null) {
      if (NEAR_MISS.test(line)) {
        out.warnings.push(
          warningAt(loc, 'ignored: not an annotation (Go reads only lines starting with //sys or //sysnb and one TAB; use --lenient to accept this form)'),
        );
      }
      continue;
    }
    const offset = prefix[0].length;
    try {
      const raw = parseDeclaration(line.slice(offset), { lenient: options.lenient === true }) as RawDeclaration;
      const shift = (f: Field): Field => ({ ...f, column: f.column + offset });
      out.declarations.push({
        name: raw.name,
        nb: prefix[1] === 'nb',
        params: raw.params.map(shift),
        results: raw.results.map(shift),
        failRetVal: raw.failRetVal && { ...raw.failRetVal, column: raw.failRetVal.column + offset },
        override: raw.override && { ...raw.override, column: raw.override.column + offset },
        source: loc,
      });
    } catch (e) {
      if (!(e instanceof PeggySyntaxError)) throw e;
      out.errors.push(errorAt({ ...loc, column: e.location.start.column + offset }, describeSyntaxError(e)));
    }
  }
  return out;
}

function describeSyntaxError(e: PeggySyntaxError): string {
  const wanted = [...new Set((e.expected ?? []).map(describeExpectation).filter((x) => x !== null))].sort();
  if (wanted.length === 0) return e.message.replace(/\.$/, '');
  const list = wanted.length <= 2 ? wanted.join(' or ') : `${wanted.slice(0, -1).join(', ')} or ${wanted.at(-1)}`;
  const found = e.found === null ? 'end of line' : JSON.stringify(e.found);
  return `malformed //sys declaration: expected ${list}, found ${found}`;
}

/** Literals quoted, named rules by name; character classes are whitespace here and go unsaid. */
function describeExpectation(x: { type: string; description?: string; text?: string }): string | null {
  if (x.type === 'literal') return JSON.stringify(x.text);
  if (x.type === 'end') return 'end of line';
  if (x.type === 'other') return x.description ?? null;
  return null;
}
