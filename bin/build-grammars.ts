// Compiles every peggy grammar of the project (generator/grammar/*.peggy,
// runtime/asm/*.peggy) into a sibling `<name>.parser.js` plus `<name>.parser.d.ts`.
// The compiled parsers are committed so that start-up never pays for peggy's compiler;
// test/grammars.test.ts fails when a compiled parser is older than its grammar.
//   npm run build:grammars            rebuild all
//   npm run build:grammars -- --check exit 1 if any compiled parser is stale
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import peggy from 'peggy';

export const GRAMMAR_DIRS = ['generator/grammar', 'runtime/asm'];
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface CompiledGrammar {
  grammar: string;
  js: { path: string; text: string };
  dts: { path: string; text: string };
}

/** Compiles one grammar file to ES module source and a matching declaration file. */
export function compileGrammar(grammarPath: string): CompiledGrammar {
  const text = readFileSync(grammarPath, 'utf8');
  const base = grammarPath.replace(/\.peggy$/, '');
  const name = basename(grammarPath);
  const header = `// Compiled from ${name} by \`npm run build:grammars\`; do not edit.\n`;
  const source = peggy.generate(text, {
    output: 'source',
    format: 'es',
    grammarSource: name,
    allowedStartRules: ['*'],
  }) as string;
  const dts =
    header +
    [
      "import type { LocationRange } from 'peggy';",
      'export interface ParseOptions { startRule?: string; grammarSource?: unknown; [key: string]: unknown }',
      'export declare function parse(input: string, options?: ParseOptions): any;',
      'export declare class SyntaxError extends Error {',
      '  expected: Array<{ type: string; description?: string; text?: string }> | null;',
      '  found: string | null;',
      '  location: LocationRange;',
      '  format(sources: Array<{ source: unknown; text: string }>): string;',
      '}',
      '',
    ].join('\n');
  return { grammar: grammarPath, js: { path: `${base}.parser.js`, text: header + source }, dts: { path: `${base}.parser.d.ts`, text: dts } };
}

export function allGrammars(): string[] {
  const out: string[] = [];
  for (const dir of GRAMMAR_DIRS) {
    const abs = join(root, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs).sort()) if (f.endsWith('.peggy')) out.push(join(abs, f));
  }
  return out;
}

/** Returns the paths of compiled parsers that differ from what their grammar compiles to. */
export function staleParsers(): string[] {
  const stale: string[] = [];
  for (const g of allGrammars()) {
    const c = compileGrammar(g);
    for (const f of [c.js, c.dts]) {
      if (!existsSync(f.path) || readFileSync(f.path, 'utf8') !== f.text) stale.push(f.path);
    }
  }
  return stale;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    const stale = staleParsers();
    for (const s of stale) console.error(`stale compiled parser: ${s} (run npm run build:grammars)`);
    process.exit(stale.length ? 1 : 0);
  }
  for (const g of allGrammars()) {
    const c = compileGrammar(g);
    writeFileSync(c.js.path, c.js.text);
    writeFileSync(c.dts.path, c.dts.text);
    console.log(`compiled ${c.grammar.slice(root.length + 1)}`);
  }
}
