// The runtime trace as Chrome/Perfetto trace-event JSON (ui.perfetto.dev, chrome://tracing).
//
// Three processes group the tracks: "Ps" (one thread track per P), "Ms" (one per M, sysmon
// named as such) and "Goroutines" (one per G). Every lane slice of timeline.ts becomes a
// complete ("X") event; system calls carry their number, name, result and whether they
// blocked; retakes and handoffs are flow arrows ("s"/"f") between tracks plus instant
// events, so they show even where no slice encloses them. Timestamps are microseconds
// (fractions keep the virtual nanoseconds exact). Output order is fixed by the trace, so
// the same run gives the same bytes.
import type { RuntimeTrace } from '../sched/events.ts';
import { buildLanes, type Lane } from './timeline.ts';

const PID = { P: 1, M: 2, G: 3 } as const;
const PROCESS_NAMES = { P: 'Ps', M: 'Ms', G: 'Goroutines' } as const;

type ChromeEvent = Record<string, unknown>;

const us = (ns: number): number => ns / 1000;

function track(id: string, lanes: Map<string, Lane>): { pid: number; tid: number } | null {
  const l = lanes.get(id);
  return l ? { pid: PID[l.kind], tid: l.num + 1 } : null;
}

export function toPerfetto(trace: RuntimeTrace): { traceEvents: ChromeEvent[]; displayTimeUnit: 'ns'; otherData: Record<string, string | number> } {
  const { lanes, arrows, marks } = buildLanes(trace);
  const byId = new Map(lanes.map((l) => [l.id, l]));
  const events: ChromeEvent[] = [];
  for (const kind of ['P', 'M', 'G'] as const) {
    events.push({ ph: 'M', name: 'process_name', pid: PID[kind], tid: 0, args: { name: PROCESS_NAMES[kind] } });
    events.push({ ph: 'M', name: 'process_sort_index', pid: PID[kind], tid: 0, args: { sort_index: PID[kind] } });
  }
  for (const l of lanes) {
    const t = track(l.id, byId)!;
    events.push({ ph: 'M', name: 'thread_name', ...t, args: { name: l.label } });
    events.push({ ph: 'M', name: 'thread_sort_index', ...t, args: { sort_index: l.num } });
    for (const s of l.slices) {
      const cat = s.kind === 'syscall' ? (s.blocked ? 'syscall,blocked' : 'syscall') : s.kind;
      events.push({ ph: 'X', name: s.name, cat, ts: us(s.start), dur: us(s.end - s.start), ...t, args: s.kind === 'syscall' ? { ...s.args, blocked: s.blocked } : s.args });
    }
  }
  arrows.forEach((a, i) => {
    const from = track(a.from, byId);
    const to = track(a.to, byId);
    if (!from || !to) return;
    events.push({ ph: 'i', s: 't', name: a.label, cat: a.kind, ts: us(a.ts), ...from });
    events.push({ ph: 's', id: i + 1, name: a.kind, cat: a.kind, ts: us(a.ts), ...from });
    events.push({ ph: 'f', bp: 'e', id: i + 1, name: a.kind, cat: a.kind, ts: us(a.ts), ...to });
  });
  for (const m of marks) {
    const t = track(m.lane, byId);
    if (t) events.push({ ph: 'i', s: 't', name: m.label, cat: 'runtime', ts: us(m.ts), ...t });
  }
  for (const e of trace.events) {
    if (e.kind === 'SysmonWake' && e.m !== undefined) events.push({ ph: 'i', s: 't', name: 'sysmon wake', cat: 'sysmon', ts: us(e.ts), ...track(`M${e.m}`, byId)! });
  }
  return { traceEvents: events, displayTimeUnit: 'ns', otherData: { gomaxprocs: trace.gomaxprocs, endNs: trace.endNs } };
}

/** The JSON text of toPerfetto, one event per line. */
export function renderPerfetto(trace: RuntimeTrace): string {
  const { traceEvents, displayTimeUnit, otherData } = toPerfetto(trace);
  return `{"displayTimeUnit":${JSON.stringify(displayTimeUnit)},"otherData":${JSON.stringify(otherData)},"traceEvents":[\n${traceEvents.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`;
}
