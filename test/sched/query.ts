// Looking things up in a runtime trace, for the scheduler tests.
import type { TraceEvent, TraceKind } from '../../runtime/sched/index.ts';

export type Match = Partial<Pick<TraceEvent, 'g' | 'm' | 'p'>> & { args?: Record<string, string | number | boolean> };

function matches(e: TraceEvent, kind: TraceKind, want: Match): boolean {
  if (e.kind !== kind) return false;
  if (want.g !== undefined && e.g !== want.g) return false;
  if (want.m !== undefined && e.m !== want.m) return false;
  if (want.p !== undefined && e.p !== want.p) return false;
  for (const [k, v] of Object.entries(want.args ?? {})) if (e.args?.[k] !== v) return false;
  return true;
}

/** Index of the first event of kind matching want at or after index from, or -1. */
export function indexOf(events: readonly TraceEvent[], kind: TraceKind, want: Match = {}, from = 0): number {
  for (let i = from; i < events.length; i++) if (matches(events[i]!, kind, want)) return i;
  return -1;
}

/** The first matching event; fails loudly when there is none. */
export function find(events: readonly TraceEvent[], kind: TraceKind, want: Match = {}, from = 0): TraceEvent & { index: number } {
  const i = indexOf(events, kind, want, from);
  if (i < 0) throw new Error(`no ${kind} event matching ${JSON.stringify(want)} after #${from}`);
  return { ...events[i]!, index: i };
}

export function all(events: readonly TraceEvent[], kind: TraceKind, want: Match = {}): TraceEvent[] {
  return events.filter((e) => matches(e, kind, want));
}
