// The handlebars templates of generated files (generator/templates/*.hbs). They are
// precompiled into generator/templates/compiled.js (see precompile.ts), so generation
// loads only handlebars' runtime. Templates only place pre-laid-out lines (see
// layout.ts) and never escape anything: the output is TypeScript, not HTML.
import type HandlebarsNamespace from 'handlebars';
// The runtime's single-file build: one small module instead of the compiler's ~40 files.
import runtimeBuild from 'handlebars/dist/handlebars.runtime.min.js';
import specs from '../templates/compiled.js';

const runtime = runtimeBuild as typeof HandlebarsNamespace;

export type TemplateName = 'zsyscall' | 'zsysnum' | 'zerrors' | 'target' | 'index';

const templates = new Map<TemplateName, HandlebarsNamespace.TemplateDelegate>();

export function renderTemplate(name: TemplateName, context: object): string {
  let t = templates.get(name);
  if (t === undefined) {
    const spec = specs[name];
    if (spec === undefined) throw new Error(`template ${name} is missing from generator/templates/compiled.js: run npx tsx generator/render/precompile.ts`);
    t = runtime.template(spec as Parameters<typeof runtime.template>[0]);
    templates.set(name, t);
  }
  // Exactly one newline at the end, whatever the blocks left out (prettier's rule).
  return t(context).replace(/\n+$/, '\n');
}
