// Trace exports: Perfetto JSON tracks and slices, the self-contained HTML timeline, and a
// screenshot of it in headless Chromium showing its lanes, blocked syscalls and arrows.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { go, runSimulated, sleep, SYS_GETPID, SYS_NANOSLEEP, SYS_READ, SYS_WRITE, WaitGroup, work } from '../../runtime/sched/index.ts';
import { renderPerfetto, toPerfetto } from '../../runtime/trace/perfetto.ts';
import { buildLanes, MAX_M_LANES, renderTimeline, TIMELINE_COLORS } from '../../runtime/trace/timeline.ts';
import { RawSyscall, Syscall, type Go } from '../../runtime/syscall.ts';
import { bandsInColumn, countColor, readPng } from './png.ts';

/** Two Ps: a reader blocks and is retaken, a writer runs on a new M, a raw getpid, some work. */
function program(seed = 1) {
  let r = 0;
  let w = 0;
  return runSimulated(
    function* () {
      const wg = new WaitGroup();
      wg.add(3);
      for (let i = 0; i < 2; i++)
        go(function* (): Go<void> {
          yield* work(60_000);
          yield* RawSyscall(SYS_GETPID, 0, 0, 0);
          yield* work(40_000);
          wg.done();
        });
      go(function* (): Go<void> {
        yield* Syscall(SYS_READ, r, 0, 16);
        yield* work(20_000);
        wg.done();
      });
      yield* sleep(1000);
      yield* work(150_000);
      yield* Syscall(SYS_WRITE, w, 0, 16);
      yield* wg.wait();
    },
    { gomaxprocs: 2, seed },
    (os) => ([r, w] = os.pipe()),
  );
}

describe('Perfetto trace', () => {
  it('has one named track per P, M and G, syscall slices with number, name, result and blocking, and retake/handoff flows', () => {
    const res = program();
    expect(res.status).toBe(0);
    const { traceEvents } = toPerfetto(res.trace);
    const names = traceEvents.filter((e) => e['name'] === 'thread_name').map((e) => [e['pid'], (e['args'] as { name: string }).name]);
    expect(names).toEqual(expect.arrayContaining([[1, 'P0'], [1, 'P1'], [2, 'M0'], [2, 'M1 (sysmon)'], [3, 'G1'], [3, 'G4']]));
    const syscalls = traceEvents.filter((e) => e['ph'] === 'X' && String(e['cat']).startsWith('syscall') && e['pid'] === 2);
    const read = syscalls.find((e) => (e['args'] as Record<string, unknown>)['name'] === 'read')!;
    expect(read['args']).toMatchObject({ nr: 0, name: 'read', result: 16, blocked: true, raw: false });
    expect(read['cat']).toBe('syscall,blocked');
    const getpids = syscalls.filter((e) => (e['args'] as Record<string, unknown>)['name'] === 'getpid');
    expect(getpids).toHaveLength(2);
    for (const g of getpids) expect(g['args']).toMatchObject({ nr: 39, result: 100, blocked: false, raw: true });
    const flows = traceEvents.filter((e) => e['ph'] === 's').map((e) => e['cat']);
    expect(flows).toContain('retake');
    expect(flows).toContain('handoff');
    // Slices on one track never overlap within a row kind (run slices of a P are disjoint).
    const p0runs = traceEvents.filter((e) => e['ph'] === 'X' && e['pid'] === 1 && e['tid'] === 1 && e['cat'] === 'run') as Array<{ ts: number; dur: number }>;
    for (let i = 1; i < p0runs.length; i++) expect(p0runs[i]!.ts).toBeGreaterThanOrEqual(p0runs[i - 1]!.ts + p0runs[i - 1]!.dur);
  });

  it('is byte-identical for the same seed', () => {
    expect(renderPerfetto(program(9).trace)).toBe(renderPerfetto(program(9).trace));
    expect(() => JSON.parse(renderPerfetto(program(9).trace))).not.toThrow();
  });
});

describe('HTML timeline', () => {
  it('is self-contained and has a lane per P and per M, blocked syscalls and both kinds of arrows', () => {
    const res = program();
    const html = renderTimeline(res.trace, 'scenario');
    expect(html).not.toMatch(/<script|<link|<img|src=|url\((?!#)/i);
    expect(html.match(/https?:\/\/[^"]*/g)).toEqual(['http://www.w3.org/2000/svg']); // the SVG namespace, not a fetch
    const lanes = [...html.matchAll(/data-lane="([PM]\d+)"/g)].map((m) => m[1]);
    expect(lanes).toEqual(buildLanes(res.trace).lanes.filter((l) => l.kind !== 'G').map((l) => l.id));
    expect(lanes.filter((l) => l!.startsWith('P'))).toEqual(['P0', 'P1']);
    expect(html).toContain('class="slice syscall blocked"');
    expect(html).toContain('class="arrow retake"');
    expect(html).toContain('class="arrow handoff"');
  });
});

describe('HTML timeline of many threads', () => {
  it('draws every P but at most MAX_M_LANES Ms, and says how many it left out', () => {
    const res = runSimulated(
      function* () {
        const wg = new WaitGroup();
        wg.add(300);
        for (let i = 0; i < 300; i++)
          go(function* (): Go<void> {
            yield* Syscall(SYS_NANOSLEEP, 50e6, 0, 0);
            wg.done();
          });
        yield* wg.wait();
      },
      { gomaxprocs: 2 },
    );
    const ms = buildLanes(res.trace).lanes.filter((l) => l.kind === 'M').length;
    expect(ms).toBeGreaterThan(MAX_M_LANES);
    const html = renderTimeline(res.trace);
    expect([...html.matchAll(/data-lane="M\d+"/g)]).toHaveLength(MAX_M_LANES);
    expect([...html.matchAll(/data-lane="P\d+"/g)]).toHaveLength(2);
    expect(html).toContain(`${ms} Ms (the last ${ms - MAX_M_LANES} are not drawn: see the Perfetto trace)`);
  });
});

const chromium = ['chromium', 'chromium-browser'].find((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.skipIf(!chromium)(`HTML timeline in headless Chromium${chromium ? '' : ' (skipped: chromium not found; apt-get install chromium)'}`, () => {
  it('renders lanes for every P and M, red blocked syscalls, green quick ones and arrows', () => {
    const res = program();
    const dir = mkdtempSync(join(tmpdir(), 'timeline-'));
    dirs.push(dir);
    const html = join(dir, 'timeline.html');
    writeFileSync(html, renderTimeline(res.trace, 'scenario'));
    const shot = join(dir, 'shot.png');
    const run = spawnSync(
      chromium!,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
        '--hide-scrollbars', '--force-device-scale-factor=1', `--user-data-dir=${join(dir, 'profile')}`, '--window-size=1320,500', `--screenshot=${shot}`, `file://${html}`],
      { timeout: 90_000, encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    // TIMELINE_SCREENSHOT=path keeps a copy of the screenshot to look at.
    if (process.env['TIMELINE_SCREENSHOT']) writeFileSync(process.env['TIMELINE_SCREENSHOT'], readFileSync(shot));
    const img = readPng(readFileSync(shot));
    expect(img.width).toBe(1320);
    // Down the label column, right of the names: one band of lane background per lane.
    const mLanes = buildLanes(res.trace).lanes.filter((l) => l.kind === 'M').length;
    expect(bandsInColumn(img, 130, '#f7f9fc')).toBe(2);
    expect(bandsInColumn(img, 130, '#fcfcf7')).toBe(mLanes);
    expect(countColor(img, TIMELINE_COLORS.blocked)).toBeGreaterThan(50);
    expect(countColor(img, TIMELINE_COLORS.syscall)).toBeGreaterThan(20);
    expect(countColor(img, TIMELINE_COLORS.handoff)).toBeGreaterThan(20);
  });
});
