// Go's G/M/P scheduler on the windows machine: goroutines that call kernel32 through the
// generated wrappers (SyscallN → asmstdcall → kernel32!Name), block in ReadFile on empty
// pipes and in Sleep, lose their P to sysmon's retake, wait for a P after their call and
// resume on another M. A goroutine waiting for a P keeps its stack slot (the call's frame,
// its libcall record and argument words, its pinned buffers) while the M it left runs other
// goroutines' calls; the M that resumes it takes the slot over. Every result is checked.
import { describe, expect, it } from 'vitest';
import * as win from '../../generated/target_windows_amd64.ts';
import { go, Machine, type Go, type MachineOptions } from '../../runtime/index.ts';
import { find } from '../sched/query.ts';

const { target } = win;
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const dword = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint32(0, true);
const STD_OUTPUT_HANDLE = -11;

function machine(opts: Partial<MachineOptions> = {}): Machine {
  return new Machine({ target, strace: true, trace: true, ...opts });
}

function* pipe(): Go<[number, number]> {
  const r = new Uint8Array(8);
  const w = new Uint8Array(8);
  const [err] = yield* win.CreatePipe(r, w, 0, 0);
  if (err !== null) throw new Error(`CreatePipe: ${String(err)}`);
  return [Number(new DataView(r.buffer).getBigUint64(0, true)), Number(new DataView(w.buffer).getBigUint64(0, true))];
}

/** ReadFile into a fresh buffer: what it read, or the error's name. */
function* read(h: number, n: number): Go<string> {
  const b = new Uint8Array(n);
  const done = new Uint8Array(4);
  const [err] = yield* win.ReadFile(h, b, done, 0);
  return err !== null ? `error ${String(err)}` : text(b.subarray(0, dword(done)));
}

function* write(h: number, s: string): Go<string> {
  const done = new Uint8Array(4);
  const [err] = yield* win.WriteFile(h, bytes(s), done, 0);
  return err !== null ? `error ${String(err)}` : String(dword(done));
}

describe.each(['go1.25', 'go1.26'] as const)('the G/M/P scheduler on the windows machine (%s model)', (model) => {
  it('while a goroutine waits for a P, the M it left runs another goroutine: the waiting ReadFile\'s record, buffer and byte count survive', () => {
    const m = machine({ gomaxprocs: 1, model });
    const got: string[] = [];
    const result = m.run(function* () {
      const [out] = yield* win.GetStdHandle(STD_OUTPUT_HANDLE);
      const [r, w] = yield* pipe();
      go(function* () {
        // B starts C (runnext), wakes A, then sleeps: the P goes to C, on A's old M.
        go(function* () {
          got.push(`C wrote ${yield* write(out, 'C ')}`);
          yield* win.Sleep(1);
        });
        got.push(`B wrote ${yield* write(w, 'ping')}`);
        yield* win.Sleep(5);
      });
      got.push(`A read ${yield* read(r, 16)}`);
      got.push(`A wrote ${yield* write(out, 'A')}`);
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(got).toEqual(['B wrote 4', 'C wrote 2', 'A read ping', 'A wrote 1']);
    expect(result.stdout).toBe('C A');
    const ev = result.sched!.trace.events;
    const aSlow = find(ev, 'GoSysExit', { g: 1, args: { fast: false } });
    const cStart = find(ev, 'GoStart', { g: 3 }, aSlow.index);
    const aResume = find(ev, 'GoStart', { g: 1 }, aSlow.index);
    expect(cStart.m).toBe(aSlow.m);
    expect(cStart.index).toBeLessThan(aResume.index);
    expect(aResume.m).not.toBe(aSlow.m);
  });

  for (const gomaxprocs of [1, 2]) {
    it(`GOMAXPROCS=${gomaxprocs}: readers blocked in ReadFile on their pipes, writers that sleep first: every goroutine gets its own message, through handoffs and resumptions on other Ms`, () => {
      const m = machine({ gomaxprocs, model });
      const n = 6;
      const got = new Map<string, string>();
      const result = m.run(function* () {
        const [out] = yield* win.GetStdHandle(STD_OUTPUT_HANDLE);
        for (let i = 0; i < n; i++) {
          const [r, w] = yield* pipe();
          go(function* () {
            const msg = yield* read(r, 32);
            got.set(`reader ${i}`, msg);
            // Another call right after the wait for a P: on whichever M resumed the reader.
            got.set(`reader ${i} wrote`, yield* write(out, `${i}`));
            const again = yield* read(r, 32);
            got.set(`reader ${i} again`, again);
          });
          go(function* () {
            yield* win.Sleep(i % 3);
            got.set(`writer ${i}`, yield* write(w, `message ${i} for reader ${i}`));
            yield* win.Sleep(1);
            got.set(`writer ${i} again`, yield* write(w, `second ${i}`));
          });
        }
        yield* win.Sleep(20);
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      for (let i = 0; i < n; i++) {
        expect(got.get(`reader ${i}`)).toBe(`message ${i} for reader ${i}`);
        expect(got.get(`reader ${i} wrote`)).toBe('1');
        expect(got.get(`reader ${i} again`)).toBe(`second ${i}`);
        expect(got.get(`writer ${i}`)).toBe(String(`message ${i} for reader ${i}`.length));
        expect(got.get(`writer ${i} again`)).toBe(String(`second ${i}`.length));
      }
      expect([...result.stdout].sort().join('')).toBe('012345');
      // The scenario needs goroutines that waited for a P and went on on another M.
      const ev = result.sched!.trace.events;
      const slow = ev.filter((e) => e.kind === 'GoSysExit' && e.args?.fast === false);
      expect(slow.length).toBeGreaterThan(0);
    });
  }
});
