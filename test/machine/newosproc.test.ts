// Every M's thread is made by the OS's own thread-creation call, as Go's newosproc makes it
// there, and shows in that OS's tracer: clone on linux (strace), thr_new on freebsd
// (truss), bsdthread_create through libSystem's pthread_create on darwin (dtruss),
// CreateThread on windows (the API monitor). M0 makes sysmon's thread before main runs;
// when main blocks in a read, sysmon retakes the P and makes the thread of the M that runs
// the writer. The tracers with thread ids (the machine's strace: { threadIds: true }: truss
// -H, dtruss's pid/thread, the API monitor's [tid]) show who made which thread; the new
// thread works: its calls succeed and its errors come back through its own TSD (darwin)
// or TEB (windows).
import { describe, expect, it } from 'vitest';
import { darwin_amd64 } from '../../defs/syscall_darwin.ts';
import { freebsd_amd64 } from '../../defs/syscall_freebsd.ts';
import { windows_amd64 } from '../../defs/syscall_windows.ts';
import type { Portable } from '../../defs/portable.ts';
import * as darwin from '../../generated/target_darwin_amd64.ts';
import * as freebsd from '../../generated/target_freebsd_amd64.ts';
import * as linux from '../../generated/target_linux_amd64.ts';
import * as windows from '../../generated/target_windows_amd64.ts';
import { go, Machine, type Go, type RunResult } from '../../runtime/index.ts';
import { PTHREAD_TSD_OFFSET } from '../../runtime/kernel/darwin/index.ts';
import type { WindowsMachine } from '../../runtime/machine/personality/windows.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** main blocks reading a pipe; a goroutine fails a read of a closed descriptor, then writes the pipe. */
function program(p: Portable, got: string[]): () => Go<void> {
  return function* () {
    const [[r, w], err] = yield* p.Pipe();
    if (err !== null) throw new Error(`pipe: ${String(err)}`);
    go(function* () {
      const [, bad] = yield* p.Read(99, new Uint8Array(1));
      got.push(`B read(99): ${bad?.code ?? 'ok'}`);
      const [n] = yield* p.Write(w, bytes('ping'));
      got.push(`B wrote ${n}`);
    });
    const b = new Uint8Array(16);
    const [n, rerr] = yield* p.Read(r, b);
    got.push(`A read ${rerr === null ? text(b.subarray(0, n)) : rerr.code}`);
  };
}

function run(os: 'freebsd' | 'darwin'): { m: Machine; result: RunResult; lines: string[]; got: string[] } {
  const lines: string[] = [];
  // truss -H and dtruss's pid/thread prefix: each line names the thread that made the call.
  const m = new Machine({ target: os === 'freebsd' ? freebsd.target : darwin.target, gomaxprocs: 1, strace: { threadIds: true, write: (l) => lines.push(l) } });
  const got: string[] = [];
  const result = m.run(program(os === 'freebsd' ? freebsd_amd64 : darwin_amd64, got));
  return { m, result, lines, got };
}

describe('each OS makes its Ms with its own call', () => {
  it('freebsd: thr_new(&param, 104) from M0 for sysmon\'s thread, then from sysmon for the next M; truss shows both; the new thread\'s FS base is its m.tls', () => {
    const { m, result, lines, got } = run('freebsd');
    expect(result.status).toBe(0);
    expect(got).toEqual(['B read(99): EBADF', 'B wrote 4', 'A read ping']);
    const made = lines.filter((l) => l.includes('thr_new('));
    expect(made).toEqual([
      expect.stringMatching(/^ {3}100: thr_new\(0x201010000,0x68\)\t+ = 0 \(0x0\)$/),
      expect.stringMatching(/^ {3}101: thr_new\(0x202010000,0x68\)\t+ = 0 \(0x0\)$/),
    ]);
    expect(lines[0]).toBe(made[0]);
    expect(lines.findIndex((l) => l.includes('thr_new(0x202010000'))).toBeLessThan(lines.findIndex((l) => /^ {3}102: write\(4,"ping",4\)/.test(l)));
    expect(m.threads.map((t) => t.tid)).toEqual([100, 101, 102]);
    // thr_param.tls_base: the word block standing for the new M's m (its tls words first).
    expect(m.threads[2]!.kthread.fsBase).toBe(0x202010800n);
    expect(m.threads[2]!.cpu.fsBase).toBe(0x202010800);
  });

  it('darwin: pthread_create → bsdthread_create(start, mp, stack, pthread, PTHREAD_START_CUSTOM) from M0, then from sysmon; dtruss shows both; the new thread\'s errno lives in the TSD block XNU made its GS base', () => {
    const { m, result, lines, got } = run('darwin');
    expect(result.status).toBe(0);
    expect(got).toEqual(['B read(99): EBADF', 'B wrote 4', 'A read ping']);
    const made = lines.filter((l) => l.includes('bsdthread_create('));
    expect(made).toEqual([
      expect.stringMatching(/^ {2}100\/0x64: {2}bsdthread_create\(0x[0-9A-F]+, 0x201010800, 0x201010000\)\t\t = 16842752 0$/),
      expect.stringMatching(/^ {2}100\/0x65: {2}bsdthread_create\(0x[0-9A-F]+, 0x202010800, 0x202010000\)\t\t = 33619968 0$/),
    ]);
    expect(lines[1]).toBe(made[0]);
    // The failed read on the new M (tid 102 = 0x66) came back through its own TSD block.
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}100\/0x66: {2}read\(0x63, "\\0", 0x1\)\t\t = -1 Err#9$/));
    const tsd = 0x202010000 + PTHREAD_TSD_OFFSET;
    expect(m.threads[2]!.kthread.gsBase).toBe(BigInt(tsd));
    expect(m.mem.readU64(tsd)).toBe(BigInt(tsd));
    expect(m.mem.readU32(tsd + 8)).toBe(9);
  });

  it('windows: CreateThread(NULL, 0, tstart_stdcall, mp, 0, NULL) and CloseHandle of its handle, from M0 for sysmon\'s thread, then from sysmon for the next M; the API monitor shows them; the new thread\'s last error is in its own TEB', () => {
    const lines: string[] = [];
    const m = new Machine({ target: windows.target, gomaxprocs: 1, strace: { threadIds: true, write: (l) => lines.push(l) } }) as unknown as WindowsMachine;
    const got: string[] = [];
    const result = m.run(program(windows_amd64, got));
    expect(result.status).toBe(0);
    expect(got).toEqual(['B read(99): ERROR_INVALID_HANDLE', 'B wrote 4', 'A read ping']);
    expect(m.threads.map((t) => t.tid)).toEqual([104, 108, 112]);
    const start = m.image.addressOf('runtime.tstart_stdcall').toString(16);
    expect(lines.slice(0, 2)).toEqual([`[104] CreateThread(NULL, 0, 0x${start}, 0x201011000, 0, NULL) = 0x00000004`, '[104] CloseHandle(0x00000004) = TRUE']);
    const second = lines.findIndex((l) => l.startsWith('[108] CreateThread('));
    expect(lines[second]).toBe(`[108] CreateThread(NULL, 0, 0x${start}, 0x202011000, 0, NULL) = 0x0000000c`);
    expect(lines[second + 1]).toBe('[108] CloseHandle(0x0000000c) = TRUE');
    expect(lines).toContainEqual(expect.stringMatching(/^\[112\] ReadFile\(0x00000063, 0x[0-9a-f]+, 1, \[0\], NULL\) = FALSE {2}\[6 ERROR_INVALID_HANDLE: The handle is invalid\.\]$/));
    expect(m.kernel.threadOf(4)).toBeUndefined();
  });

  it('linux refuses thread ids for its strace, which names every thread but the first with [pid N] already', () => {
    expect(() => new Machine({ target: linux.target, strace: { threadIds: true } })).toThrow(/\[pid N\] already/);
  });
});
