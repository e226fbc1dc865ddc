// Types of compiled.js (precompiled handlebars templates, by template name).
declare const specs: Record<string, unknown>;
export default specs;
