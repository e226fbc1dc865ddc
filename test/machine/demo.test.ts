// The bundled demo: one program through the portable API on linux/amd64, freebsd/amd64,
// darwin/amd64 and windows/amd64 machines. Its stdout is the same on all four; each OS's
// trace (strace, truss, dtruss, API monitor) matches its golden file (UPDATE_GOLDEN=1
// rewrites them); every blocking call is bracketed by entersyscall/exitsyscall; the same
// seed gives the same bytes; `mksyscall demo` prints the report and `npm start` runs it.
// The machines run the goroutines under Go's G/M/P scheduler (their default): each trace
// opens with M0 making sysmon's thread with the OS's own call (clone, thr_new,
// bsdthread_create, CreateThread and CloseHandle), and the goroutine's reply comes from the
// M sysmon made the same way after retaking the P from main's blocked read.
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoTables, renderDemo, runDemo, type DemoRun } from '../../demo/main.ts';
import { runDemoCommand } from '../../runtime/cli/demo.ts';

const golden = (name: string) => new URL(`golden/${name}`, import.meta.url);

function checkGolden(name: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN) writeFileSync(golden(name), actual);
  expect(actual).toBe(readFileSync(golden(name), 'utf8'));
}

const TARGETS = ['linux/amd64', 'freebsd/amd64', 'darwin/amd64', 'windows/amd64'];
const STDOUT = [
  'wrote 24 bytes',
  'read back: hello from four kernels',
  'at offset 6: from',
  'a missing file: open failed, as it should',
  'goroutine replied: pong to ping',
  '',
].join('\n');

let runs: DemoRun[];
beforeAll(() => {
  runs = runDemo();
});

describe('the demo on four kernels', () => {
  it('prints the same stdout on linux, freebsd, darwin and windows, and each exits 0', () => {
    expect(runs.map((r) => r.target)).toEqual(TARGETS);
    for (const r of runs) {
      expect({ target: r.target, stdout: r.result.stdout, status: r.result.status, fault: r.result.fault }).toEqual({ target: r.target, stdout: STDOUT, status: 0, fault: null });
    }
  });

  it('brackets every blocking call with entersyscall and exitsyscall on all four', () => {
    for (const r of runs) {
      expect(r.result.entersyscall, r.target).toBeGreaterThan(20);
      // The unix machines end with a raw exit (no bracket); windows ends in ExitProcess
      // through SyscallN, which enters the syscall state and never returns.
      const unreturned = r.target === 'windows/amd64' ? 1 : 0;
      expect(r.result.entersyscall - r.result.exitsyscall, r.target).toBe(unreturned);
    }
  });

  for (const [target, file] of [
    ['linux/amd64', 'demo-linux.strace'],
    ['freebsd/amd64', 'demo-freebsd.truss'],
    ['darwin/amd64', 'demo-darwin.dtruss'],
    ['windows/amd64', 'demo-windows.apimon'],
  ] as const) {
    it(`${target}: the trace in its own format matches ${file}`, () => {
      checkGolden(file, runs.find((r) => r.target === target)!.result.strace);
    });
  }

  it('runs under Go\'s G/M/P scheduler (one P, then two): the stdout is the same on all four, and syscalls go through it', () => {
    for (const r of runs) expect(r.result.sched, r.target).toBeDefined();
    for (const gomaxprocs of [1, 2]) {
      for (const r of runDemo(1, { gomaxprocs, trace: true })) {
        expect({ target: r.target, gomaxprocs, stdout: r.result.stdout, status: r.result.status }).toEqual({ target: r.target, gomaxprocs, stdout: STDOUT, status: 0 });
        expect(r.result.sched, r.target).toBeDefined();
        expect(r.result.sched!.trace.events.some((e) => e.kind === 'SyscallEnter'), r.target).toBe(true);
      }
    }
  });

  it('same seed, same bytes: stdout, traces, virtual time and instruction counts', () => {
    const again = runDemo();
    const fingerprint = (rs: DemoRun[]) => rs.map((r) => [r.target, r.result.stdout, r.result.strace, r.result.virtualNs, r.result.instructions]);
    expect(fingerprint(again)).toEqual(fingerprint(runs));
  });

  it('the report: the shared stdout once, each trace under its tracer, then the table', () => {
    const { text, ok } = renderDemo(runs, demoTables());
    expect(ok).toBe(true);
    const headings = text.split('\n').filter((l) => l.startsWith('== '));
    expect(headings).toEqual([
      '== stdout, the same on linux/amd64, freebsd/amd64, darwin/amd64, windows/amd64 ==',
      '== linux/amd64: strace ==',
      '== freebsd/amd64: truss ==',
      '== darwin/amd64: dtruss ==',
      '== windows/amd64: API monitor ==',
      '== how each OS implements them (mksyscall table) ==',
    ]);
    expect(text).toMatch(/^open +5 +2 +- +5 +5 +CreateFileW$/m);
    expect(text).toMatch(/^Open +openat \(295\) +openat \(257\) +openat \(56\) +open \(5\) +open \(5\) +CreateFileW$/m);
  });

  it('the report flags an OS whose stdout differs, and fails', () => {
    const odd = runs.map((r, i) => (i === 2 ? { ...r, result: { ...r.result, stdout: 'something else\n' } } : r));
    const { text, ok } = renderDemo(odd, '');
    expect(ok).toBe(false);
    expect(text).toContain('== stdout on darwin/amd64 (differs!) ==\nsomething else\n');
  });

  it('mksyscall demo prints the report (exit 0); a bad seed is exit 2', async () => {
    let out = '';
    let err = '';
    expect(await runDemoCommand({}, (s) => (out += s), (s) => (err += s))).toBe(0);
    expect(err).toBe('');
    expect(out).toBe(renderDemo(runs, demoTables()).text);
    expect(await runDemoCommand({ seed: 'x' }, () => {}, (s) => (err += s))).toBe(2);
    expect(err).toBe('mksyscall demo: --seed x: expected a non-negative integer\n');
    err = '';
    expect(await runDemoCommand({ scheduler: 'fifo' }, () => {}, (s) => (err += s))).toBe(2);
    expect(err).toBe('mksyscall demo: --scheduler fifo: expected one of go, round-robin\n');
    // The round-robin stand-in prints the same stdout, with a trace of its own: no sysmon, so
    // one clone (the goroutine's thread) where Go's scheduler has two (sysmon's, then the M).
    let roundRobin = '';
    expect(await runDemoCommand({ scheduler: 'round-robin' }, (s) => (roundRobin += s), () => {})).toBe(0);
    expect(roundRobin.slice(0, roundRobin.indexOf('\n== linux'))).toBe(out.slice(0, out.indexOf('\n== linux')));
    const clones = (report: string) => report.slice(report.indexOf('== linux'), report.indexOf('== freebsd')).match(/clone\(/g)?.length;
    expect(clones(roundRobin)).toBe(1);
    expect(clones(out)).toBe(2);
  });

  it('npm start regenerates everything, then runs the demo', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe('node bin/mksyscall.mjs generate && node bin/mksyscall.mjs demo');
  });
});
