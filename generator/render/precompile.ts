// Precompiles the handlebars templates (generator/templates/*.hbs) into one committed
// module, generator/templates/compiled.js, so that `generate` loads only handlebars'
// small runtime and never runs its compiler. test/generator/templates.test.ts fails
// when compiled.js is older than a template.
//   npx tsx generator/render/precompile.ts     rewrite compiled.js
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

export const TEMPLATE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'templates');
export const COMPILED_PATH = join(TEMPLATE_DIR, 'compiled.js');

/** Options every template is compiled with: no HTML escaping, unknown fields are errors. */
export const TEMPLATE_OPTIONS = { noEscape: true, strict: true } as const;

/** The text compiled.js must have for the current templates. */
export function compiledTemplates(): string {
  const names = readdirSync(TEMPLATE_DIR)
    .filter((f) => f.endsWith('.hbs'))
    .sort();
  const entries = names.map((f) => `  ${JSON.stringify(f.slice(0, -4))}: ${Handlebars.precompile(readFileSync(join(TEMPLATE_DIR, f), 'utf8'), TEMPLATE_OPTIONS)},`);
  return `// Compiled from generator/templates/*.hbs by \`npx tsx generator/render/precompile.ts\`; do not edit.\nexport default {\n${entries.join('\n')}\n};\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(COMPILED_PATH, compiledTemplates());
  console.log(`wrote ${COMPILED_PATH}`);
}
