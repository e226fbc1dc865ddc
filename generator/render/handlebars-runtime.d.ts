// Types for handlebars' single-file runtime build (CommonJS; its default export is the
// runtime namespace, typed where it is used as the 'handlebars' namespace).
declare module 'handlebars/dist/handlebars.runtime.min.js' {
  const runtime: unknown;
  export default runtime;
}
