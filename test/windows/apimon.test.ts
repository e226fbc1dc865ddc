// The API-monitor tracer: exact lines for the calls of the emulated kernel32 (symbolic
// flags, wide strings, out-parameters, failures with the last error), and a golden trace
// of a whole program run through the generated wrappers on the CPU (UPDATE_GOLDEN=1
// rewrites it).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiMonitor, flagNames } from '../../runtime/trace/apimon.ts';
import {
  ACCESS_FLAGS, CREATE_ALWAYS, FILE_BEGIN, FILE_SHARE_READ, FILE_SHARE_WRITE, GENERIC_READ, GENERIC_WRITE, OPEN_EXISTING, SHARE_FLAGS,
} from '../../runtime/kernel/windows/index.ts';
import { setSyscallBackend } from '../../runtime/syscall.ts';
import { errors } from '../../generated/zerrors_windows.ts';
import * as win from '../../generated/zsyscall_windows_amd64.ts';
import { runToEnd, winMachine } from './machine.ts';

function golden(name: string, actual: string): void {
  const path = new URL(`./golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  if (!existsSync(path)) throw new Error(`missing golden file ${path.pathname}: run with UPDATE_GOLDEN=1 and review it`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

/** A machine traced into `lines`, with the generated wrappers' backend installed while `body` runs. */
function traced(body: (m: ReturnType<typeof winMachine>) => void, threads = false): string[] {
  const lines: string[] = [];
  const m = winMachine({
    files: [{ path: '/data.txt', contents: 'hello, windows\n' }],
    observe: (mem) => new ApiMonitor({ mem, write: (l) => lines.push(l), errors, threads }),
  });
  setSyscallBackend(m.backend);
  try {
    body(m);
  } finally {
    setSyscallBackend(null);
  }
  return lines;
}

describe('API monitor format', () => {
  it('decodes flag words by name', () => {
    expect(flagNames(GENERIC_READ | GENERIC_WRITE, ACCESS_FLAGS)).toBe('GENERIC_READ | GENERIC_WRITE');
    expect(flagNames(FILE_SHARE_READ | 0x100, SHARE_FLAGS)).toBe('FILE_SHARE_READ | 0x100');
    expect(flagNames(0, SHARE_FLAGS)).toBe('0');
  });

  it('prints CreateFileW as API Monitor does, and a failure with its last error', () => {
    const lines = traced(() => {
      runToEnd(win.CreateFile('C:\\data.txt', GENERIC_READ, FILE_SHARE_READ, 0, OPEN_EXISTING, 0, 0));
      runToEnd(win.CreateFile('C:\\missing.txt', GENERIC_READ, 0, 0, OPEN_EXISTING, 0, 0));
    });
    expect(lines).toEqual([
      'CreateFileW("C:\\\\data.txt", GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL) = 0x00000004',
      'CreateFileW("C:\\\\missing.txt", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL) = INVALID_HANDLE_VALUE  [2 ERROR_FILE_NOT_FOUND: The system cannot find the file specified.]',
    ]);
  });

  it('shows buffers and out-parameters after the call, and thread ids on request', () => {
    const lines = traced((m) => {
      const [h] = runToEnd(win.CreateFile('C:\\data.txt', GENERIC_READ, FILE_SHARE_READ, 0, OPEN_EXISTING, 0x80, 0));
      runToEnd(win.ReadFile(h, new Uint8Array(5), new Uint8Array(4), 0));
      runToEnd(win.CloseHandle(h));
      runToEnd(win.CloseHandle(h));
      expect(m.thread.tid).toBe(104);
    }, true);
    expect(lines).toEqual([
      '[104] CreateFileW("C:\\\\data.txt", GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL) = 0x00000004',
      '[104] ReadFile(0x00000004, "hello", 5, [5], NULL) = TRUE',
      '[104] CloseHandle(0x00000004) = TRUE',
      '[104] CloseHandle(0x00000004) = FALSE  [6 ERROR_INVALID_HANDLE: The handle is invalid.]',
    ]);
  });

  it('CreateThread: its six arguments (SIZE_T in decimal, flags by name, the id at exit), the handle; a failure is NULL with its last error', () => {
    const lines: string[] = [];
    const m = winMachine({ observe: (mem) => new ApiMonitor({ mem, write: (l) => lines.push(l), errors }), imports: { kernel32: ['CreateThread'] } });
    m.kernel.threadProvider = () => m.kernel.newThread();
    const id = m.pin(new Uint8Array(4));
    const fn = m.proc('CreateThread');
    expect(m.callProc(fn, [0n, 0n, 0x401000n, 0x5000n, 0n, 0n])).toMatchObject({ kind: 'done', r1: 4n });
    expect(m.callProc(fn, [0n, 65536n, 0x401000n, 0n, 0x10000n, BigInt(id)])).toMatchObject({ kind: 'done', r1: 8n });
    expect(m.callProc(fn, [0n, 0n, 0x401000n, 0n, 0x4n, 0n])).toMatchObject({ kind: 'done', r1: 0n, err: 50n });
    expect(lines).toEqual([
      'CreateThread(NULL, 0, 0x401000, 0x5000, 0, NULL) = 0x00000004',
      'CreateThread(NULL, 65536, 0x401000, NULL, STACK_SIZE_PARAM_IS_A_RESERVATION, [112]) = 0x00000008',
      'CreateThread(NULL, 0, 0x401000, NULL, CREATE_SUSPENDED, NULL) = NULL  [50 ERROR_NOT_SUPPORTED: The request is not supported.]',
    ]);
  });

  it('the process pseudo-handle is no failure; a BOOL out-parameter shows its value', () => {
    const lines = traced(() => {
      const [self] = runToEnd(win.GetCurrentProcess());
      runToEnd(win.IsWow64Process(self, new Uint8Array(1)));
    });
    expect(lines).toEqual(['GetCurrentProcess() = 0xffffffffffffffff', 'IsWow64Process(0xffffffffffffffff, [FALSE]) = TRUE']);
  });
});

describe('API monitor golden trace', () => {
  it('a program that writes, seeks, reads, fails an open and uses a pipe and the console', () => {
    const lines = traced((m) => {
      const enc = (s: string) => new TextEncoder().encode(s);
      const done = new Uint8Array(4);
      const [h] = runToEnd(win.CreateFile('C:\\out.txt', GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, 0, CREATE_ALWAYS, 0x80, 0));
      runToEnd(win.WriteFile(h, enc('line one\nline two, which is longer than thirty-two bytes\n'), done, 0));
      runToEnd(win.SetFilePointer(h, 5, 0, FILE_BEGIN));
      runToEnd(win.ReadFile(h, new Uint8Array(3), done, 0));
      runToEnd(win.SetFilePointer(h, -100, 0, FILE_BEGIN));
      runToEnd(win.CloseHandle(h));
      runToEnd(win.CreateFile('D:\\elsewhere.txt', GENERIC_READ, 0, 0, OPEN_EXISTING, 0, 0));
      const rw = new Uint8Array(16);
      runToEnd(win.CreatePipe(rw.subarray(0, 8), rw.subarray(8), 0, 0));
      const view = new DataView(rw.buffer);
      const [r, w] = [Number(view.getBigUint64(0, true)), Number(view.getBigUint64(8, true))];
      runToEnd(win.WriteFile(w, enc('ping'), done, 0));
      runToEnd(win.ReadFile(r, new Uint8Array(16), done, 0));
      runToEnd(win.CloseHandle(w));
      runToEnd(win.ReadFile(r, new Uint8Array(16), done, 0));
      const [out] = runToEnd(win.GetStdHandle(-11));
      runToEnd(win.WriteFile(out, enc('done\n'), done, 0));
      runToEnd(win.Sleep(0));
      runToEnd(win.GetLastError());
      expect(new TextDecoder().decode(m.kernel.stdout.bytes())).toBe('done\n');
    });
    golden('apimon.trace', lines.join('\n') + '\n');
  });
});
