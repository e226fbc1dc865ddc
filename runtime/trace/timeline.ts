// The runtime trace as lanes, and the self-contained HTML timeline drawn from them.
//
// buildLanes turns the scheduler's event list into one lane per P, per M and per G, each
// holding slices: `run` (a goroutine running), `syscall` (a system call; `blocked` says
// whether its thread slept in the kernel, `raw` whether it bypassed entersyscall) and
// `wait` (a goroutine parked), and on a P `psyscall` (held by a goroutine's syscall:
// _Psyscall before Go 1.26). Arrows mark sysmon's retakes (sysmon → the P) and
// handoffs (the M that lost the P → the M that got it). Slices still open at the end of
// the run end there. The Perfetto exporter (perfetto.ts) reads the same lanes.
//
// renderTimeline writes one HTML file with an inline SVG: no script, no network access,
// one lane per P and per M (up to MAX_M_LANES Ms; Gs are in the Perfetto trace), syscall slices coloured by
// blocking, arrows for retake and handoff, a tooltip (<title>) on everything.
import type { RuntimeTrace, TraceEvent } from '../sched/events.ts';

export type SliceKind = 'run' | 'syscall' | 'wait' | 'psyscall';

export interface Slice {
  readonly kind: SliceKind;
  readonly start: number;
  end: number;
  readonly name: string;
  /** Row inside the lane: 0 for running goroutines, 1 for system calls and waits. */
  readonly row: 0 | 1;
  readonly g: number;
  blocked: boolean;
  readonly raw: boolean;
  readonly args: Record<string, string | number | boolean>;
}

export interface Lane {
  readonly id: string;
  readonly kind: 'P' | 'M' | 'G';
  readonly num: number;
  readonly label: string;
  readonly slices: Slice[];
}

export interface Arrow {
  readonly kind: 'retake' | 'handoff';
  readonly ts: number;
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

export interface Mark {
  readonly lane: string;
  readonly ts: number;
  readonly label: string;
}

export interface Lanes {
  readonly lanes: Lane[];
  readonly arrows: Arrow[];
  readonly marks: Mark[];
  readonly endNs: number;
}

const laneId = (kind: 'P' | 'M' | 'G', n: number): string => `${kind}${n}`;

export function buildLanes(trace: RuntimeTrace): Lanes {
  const lanes = new Map<string, Lane>();
  const lane = (kind: 'P' | 'M' | 'G', n: number): Lane => {
    const id = laneId(kind, n);
    let l = lanes.get(id);
    if (!l) {
      const label = kind === 'M' && n === trace.sysmonM ? `M${n} (sysmon)` : kind === 'G' ? `G${n}` : id;
      l = { id, kind, num: n, label, slices: [] };
      lanes.set(id, l);
    }
    return l;
  };
  for (let p = 0; p < trace.gomaxprocs; p++) lane('P', p);
  const arrows: Arrow[] = [];
  const marks: Mark[] = [];
  /** Open slices by key: run:g, sys:g, wait:g, psys:p. */
  const open = new Map<string, Slice[]>();
  const begin = (key: string, targets: Lane[], s: Omit<Slice, 'end'>): void => {
    const made = targets.map((l) => {
      const slice: Slice = { ...s, args: { ...s.args }, end: s.start };
      l.slices.push(slice);
      return slice;
    });
    open.set(key, made);
  };
  const end = (key: string, ts: number, update?: (s: Slice) => void): void => {
    for (const s of open.get(key) ?? []) {
      s.end = ts;
      update?.(s);
    }
    open.delete(key);
  };
  const num = (e: TraceEvent, k: string): number => Number(e.args?.[k] ?? -1);

  for (const e of trace.events) {
    const g = e.g ?? 0;
    switch (e.kind) {
      case 'MCreate':
        lane('M', e.m!);
        marks.push({ lane: laneId('M', e.m!), ts: e.ts, label: `M${e.m} created (tid ${num(e, 'tid')})` });
        break;
      case 'GoCreate':
        lane('G', g);
        break;
      case 'GoStart':
        end(`wait:${g}`, e.ts);
        begin(`run:${g}`, [lane('P', e.p!), lane('M', e.m!), lane('G', g)], { kind: 'run', start: e.ts, name: `G${g}`, row: 0, g, blocked: false, raw: false, args: { g, m: e.m!, p: e.p! } });
        break;
      case 'GoBlock':
        end(`run:${g}`, e.ts);
        begin(`wait:${g}`, [lane('G', g)], { kind: 'wait', start: e.ts, name: String(e.args?.['reason'] ?? 'wait'), row: 1, g, blocked: false, raw: false, args: {} });
        break;
      case 'GoSched':
      case 'GoPreempt':
      case 'GoEnd':
        end(`run:${g}`, e.ts);
        break;
      case 'GoUnblock':
        end(`wait:${g}`, e.ts);
        break;
      case 'GoSysCall':
        end(`run:${g}`, e.ts);
        begin(`psys:${e.p}`, [lane('P', e.p!)], { kind: 'psyscall', start: e.ts, name: `held by a syscall of G${g}`, row: 1, g, blocked: false, raw: false, args: { g } });
        break;
      case 'GoSysExit':
      case 'ProcSteal':
        if (e.p !== undefined) end(`psys:${e.p}`, e.ts);
        break;
      case 'SyscallEnter': {
        const name = String(e.args?.['name'] ?? '?');
        const raw = e.args?.['raw'] === true;
        begin(`sys:${g}`, [lane('M', e.m!), lane('G', g)], {
          kind: 'syscall', start: e.ts, name: raw ? `${name} (raw)` : name, row: 1, g, blocked: false, raw,
          args: { nr: num(e, 'nr'), name, raw },
        });
        break;
      }
      case 'SyscallBlock':
        for (const s of open.get(`sys:${g}`) ?? []) s.blocked = true;
        break;
      case 'SyscallExit':
        end(`sys:${g}`, e.ts, (s) => {
          s.args['result'] = num(e, 'result');
          s.args['blocked'] = s.blocked;
        });
        break;
      case 'SysmonRetake':
        arrows.push({ kind: 'retake', ts: e.ts, from: laneId('M', e.m!), to: laneId('P', e.p!), label: `sysmon retakes P${e.p} from M${num(e, 'victim')}` });
        break;
      case 'Handoff': {
        const to = num(e, 'to');
        if (e.m !== undefined && to >= 0) arrows.push({ kind: 'handoff', ts: e.ts, from: laneId('M', e.m), to: laneId('M', to), label: `handoff P${e.p}: M${e.m} → M${to}` });
        else marks.push({ lane: laneId('P', e.p!), ts: e.ts, label: `P${e.p} handed off: idle` });
        break;
      }
      default:
        break;
    }
  }
  for (const key of [...open.keys()]) end(key, trace.endNs);
  const order = { P: 0, M: 1, G: 2 } as const;
  const sorted = [...lanes.values()].sort((a, b) => order[a.kind] - order[b.kind] || a.num - b.num);
  return { lanes: sorted, arrows, marks, endNs: trace.endNs };
}

/** A virtual time for people: ns, µs or ms. */
export function formatNs(ns: number): string {
  if (ns < 1000) return `${ns} ns`;
  if (ns < 1e6) return `${+(ns / 1000).toFixed(3)} µs`;
  return `${+(ns / 1e6).toFixed(3)} ms`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export const TIMELINE_COLORS = {
  syscall: '#2e9e44',
  blocked: '#d62728',
  rawBlocked: '#ff7f0e',
  psyscall: '#bbbbbb',
  retake: '#d62728',
  handoff: '#1f5fbf',
} as const;

function runColor(g: number): string {
  return `hsl(${(g * 47) % 360} 45% 62%)`;
}

const LABEL_W = 150;
const PLOT_W = 1080;
const LANE_H = 34;
const TOP = 70;
/** Ms beyond this many are left out of the drawing (the Perfetto trace has them all). */
export const MAX_M_LANES = 200;

/** The HTML timeline: lanes for every P and M, syscall slices coloured by blocking, retake/handoff arrows. */
export function renderTimeline(trace: RuntimeTrace, title = 'runtime trace'): string {
  const { lanes, arrows, marks, endNs } = buildLanes(trace);
  const mLanes = lanes.filter((l) => l.kind === 'M');
  const shown = [...lanes.filter((l) => l.kind === 'P'), ...mLanes.slice(0, MAX_M_LANES)];
  const hidden = mLanes.length - Math.min(mLanes.length, MAX_M_LANES);
  const y = new Map(shown.map((l, i) => [l.id, TOP + i * LANE_H]));
  const span = Math.max(endNs, 1);
  const x = (ts: number): number => LABEL_W + (ts / span) * PLOT_W;
  const width = LABEL_W + PLOT_W + 50;
  const height = TOP + shown.length * LANE_H + 30;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`);
  out.push(`<defs>${(['retake', 'handoff'] as const).map((k) => `<marker id="arrow-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${TIMELINE_COLORS[k]}"/></marker>`).join('')}</defs>`);
  // Legend.
  const legend: Array<[string, string]> = [
    ['goroutine running', runColor(1)], ['syscall (returned without blocking)', TIMELINE_COLORS.syscall], ['syscall blocked in the kernel', TIMELINE_COLORS.blocked],
    ['raw syscall blocked (P kept)', TIMELINE_COLORS.rawBlocked], ['P held by a syscall', TIMELINE_COLORS.psyscall],
  ];
  legend.forEach(([text, color], i) => {
    const lx = 10 + i * 230;
    out.push(`<rect x="${lx}" y="10" width="14" height="10" fill="${color}"/><text x="${lx + 18}" y="19">${esc(text)}</text>`);
  });
  out.push(`<line x1="10" y1="36" x2="34" y2="36" stroke="${TIMELINE_COLORS.retake}" stroke-width="2" stroke-dasharray="4 2" marker-end="url(#arrow-retake)"/><text x="40" y="40">sysmon retake</text>`);
  out.push(`<line x1="140" y1="36" x2="164" y2="36" stroke="${TIMELINE_COLORS.handoff}" stroke-width="2" marker-end="url(#arrow-handoff)"/><text x="170" y="40">handoff</text>`);
  // Time axis.
  for (let i = 0; i <= 10; i++) {
    const ts = (span * i) / 10;
    out.push(`<line x1="${x(ts)}" y1="${TOP - 8}" x2="${x(ts)}" y2="${height - 25}" stroke="#eee"/><text x="${x(ts)}" y="${TOP - 12}" text-anchor="middle" fill="#555">${esc(formatNs(Math.round(ts)))}</text>`);
  }
  for (const l of shown) {
    const ly = y.get(l.id)!;
    out.push(`<g class="lane" data-lane="${l.id}"><rect x="0" y="${ly}" width="${width}" height="${LANE_H}" fill="${l.kind === 'P' ? '#f7f9fc' : '#fcfcf7'}" stroke="#e4e4e4"/><text x="8" y="${ly + 20}" font-weight="bold">${esc(l.label)}</text>`);
    for (const s of l.slices) {
      const sx = x(s.start);
      const w = Math.max(x(s.end) - sx, 1.5);
      const color = s.kind === 'run' ? runColor(s.g) : s.kind === 'psyscall' ? TIMELINE_COLORS.psyscall : s.blocked ? (s.raw ? TIMELINE_COLORS.rawBlocked : TIMELINE_COLORS.blocked) : TIMELINE_COLORS.syscall;
      const sy = s.row === 0 ? ly + 4 : ly + 21;
      const h = s.row === 0 ? 15 : 9;
      const info = `${s.name} ${formatNs(s.start)} – ${formatNs(s.end)} (${formatNs(s.end - s.start)})${Object.keys(s.args).length ? ' ' + JSON.stringify(s.args) : ''}`;
      out.push(`<rect class="slice ${s.kind}${s.blocked ? ' blocked' : ''}" x="${sx.toFixed(2)}" y="${sy}" width="${w.toFixed(2)}" height="${h}" fill="${color}"><title>${esc(info)}</title></rect>`);
      if (s.kind === 'run' && w > 24) out.push(`<text x="${(sx + 3).toFixed(2)}" y="${ly + 15}" font-size="10">${esc(s.name)}</text>`);
    }
    out.push('</g>');
  }
  for (const m of marks) {
    const ly = y.get(m.lane);
    if (ly === undefined) continue;
    out.push(`<circle cx="${x(m.ts).toFixed(2)}" cy="${ly + 3}" r="2.5" fill="#555"><title>${esc(`${m.label} at ${formatNs(m.ts)}`)}</title></circle>`);
  }
  for (const a of arrows) {
    const y1 = y.get(a.from);
    const y2 = y.get(a.to);
    if (y1 === undefined || y2 === undefined) continue;
    const ax = x(a.ts).toFixed(2);
    const dash = a.kind === 'retake' ? ' stroke-dasharray="4 2"' : '';
    out.push(`<line class="arrow ${a.kind}" x1="${ax}" y1="${y1 + LANE_H / 2}" x2="${ax}" y2="${y2 + LANE_H / 2}" stroke="${TIMELINE_COLORS[a.kind]}" stroke-width="2"${dash} marker-end="url(#arrow-${a.kind})"><title>${esc(`${a.label} at ${formatNs(a.ts)}`)}</title></line>`);
  }
  out.push('</svg>');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${esc(title)}</title>`,
    '<style>body{margin:12px;font-family:sans-serif;background:#fff}h1{font-size:15px;margin:0 0 6px}p{margin:0 0 8px;color:#444;font-size:12px}.slice:hover{stroke:#000;stroke-width:1}</style>',
    '</head><body>',
    `<h1>${esc(title)}</h1>`,
    `<p>GOMAXPROCS=${trace.gomaxprocs}; ${mLanes.length} Ms${hidden ? ` (the last ${hidden} are not drawn: see the Perfetto trace)` : ''}; virtual time 0 – ${esc(formatNs(endNs))}. Hover a slice for details.</p>`,
    out.join('\n'),
    '</body></html>',
    '',
  ].join('\n');
}
