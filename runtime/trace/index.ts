// The tracer's public surface.
export { Strace, seconds, type StraceOptions } from './strace.ts';
export { Summary } from './summary.ts';
export { quoteBytes } from './quote.ts';
export { renderPerfetto, toPerfetto } from './perfetto.ts';
export { buildLanes, renderTimeline } from './timeline.ts';
