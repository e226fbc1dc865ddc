// `mksyscall run` with Go's scheduler: --gomaxprocs, --trace (Perfetto JSON), --timeline
// (HTML), --schedtrace (summary lines on stderr); bad values exit 2 with what was expected.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const program = fileURLToPath(new URL('sched-pingpong.program.ts', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'mksyscall-sched-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const cli = (...args: string[]) => spawnSync('node', ['bin/mksyscall.mjs', 'run', program, '--target', 'linux/amd64', ...args], { cwd: root, encoding: 'utf8' });

describe('mksyscall run under the G/M/P scheduler', () => {
  it('--trace and --timeline write the runtime trace; the same seed gives the same bytes', () => {
    const [json, html, json2] = ['a.json', 'a.html', 'b.json'].map((f) => join(scratch, f));
    const r = cli('--gomaxprocs', '1', '--trace', json, '--timeline', html, '--strace');
    expect(r.stdout).toBe('ping');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^\[pid +100\] read\(3, +<unfinished \.\.\.>$/m);
    // sysmon (101) retakes the P and clones the M (102) the writer runs on.
    expect(r.stderr).toMatch(/^\[pid +101\] clone\(child_stack=0x[0-9a-f]+, flags=[A-Z_|]+\) = 102$/m);
    expect(r.stderr).toMatch(/^\[pid +102\] write\(4, "ping", 4\) += 4$/m);
    const trace = JSON.parse(readFileSync(json, 'utf8')) as { traceEvents: Array<{ name?: string; args?: Record<string, unknown> }>; otherData: { gomaxprocs: number } };
    expect(trace.otherData.gomaxprocs).toBe(1);
    expect(trace.traceEvents.some((e) => e.name === 'read')).toBe(true);
    expect(trace.traceEvents.some((e) => /retake/i.test(e.name ?? ''))).toBe(true);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/i);
    expect(page).toContain('GOMAXPROCS=1');
    expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
    expect(cli('--gomaxprocs', '1', '--trace', json2).status).toBe(0);
    expect(readFileSync(json2, 'utf8')).toBe(readFileSync(json, 'utf8'));
  });

  it('--schedtrace prints a SCHED line per period on stderr; --gomaxprocs sets the Ps', () => {
    const r = cli('--gomaxprocs', '1', '--schedtrace', '1');
    expect(r.status).toBe(0);
    // The writer's 3 ms of work holds the only P: the run lasts past 3 ms.
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('SCHED'));
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines[0]).toMatch(/^SCHED 0ms: gomaxprocs=1 idleprocs=\d+ threads=\d+/);
    expect(lines[1]).toMatch(/^SCHED 1ms: gomaxprocs=1 idleprocs=0 threads=3 /);
    const two = cli('--gomaxprocs', '2', '--schedtrace', '1');
    expect(two.status).toBe(0);
    expect(two.stderr).toMatch(/^SCHED 0ms: gomaxprocs=2 idleprocs=1 /m);
  });

  it('bad values exit 2 and say what was expected', () => {
    const a = cli('--gomaxprocs', '0');
    expect(a.status).toBe(2);
    expect(a.stderr).toBe('mksyscall run: --gomaxprocs 0: expected a positive integer\n');
    const b = cli('--schedtrace', 'soon');
    expect(b.status).toBe(2);
    expect(b.stderr).toBe('mksyscall run: --schedtrace soon: expected a positive number of milliseconds\n');
  });
});
