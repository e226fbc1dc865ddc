// The handlebars templates of generated files (generator/templates/*.hbs), compiled on
// first use. Templates only place pre-laid-out lines (see layout.ts); they never
// escape anything, since the output is TypeScript, not HTML.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

const TEMPLATE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'templates');

export type TemplateName = 'zsyscall' | 'zsysnum' | 'zerrors' | 'target' | 'index';

const compiled = new Map<TemplateName, Handlebars.TemplateDelegate>();

export function renderTemplate(name: TemplateName, context: object): string {
  let t = compiled.get(name);
  if (t === undefined) {
    t = Handlebars.compile(readFileSync(join(TEMPLATE_DIR, `${name}.hbs`), 'utf8'), { noEscape: true, strict: true });
    compiled.set(name, t);
  }
  return t(context);
}
