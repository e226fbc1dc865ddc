// asmstdcall and the emulated kernel32.dll on the CPU: the Windows x64 convention
// (RCX, RDX, R8, R9, stack arguments above 32 bytes of shadow space, 16-byte alignment at
// the call), r1 and the last error back in the libcall record, entersyscall/exitsyscall
// around the call, CreateFileW success and failure, the TEB-based GetLastError and
// SetLastError, a ReadFile that blocks and restarts, DLL loading, and the generated
// wrappers running on top.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { windowsAmd64Objects, MAX_ARGS, SystemDlls } from '../../runtime/asm/windows_amd64.ts';
import { RCX, RDX, R8, R9, RSP, RAX, type Cpu } from '../../runtime/cpu/cpu.ts';
import { NewLazySystemDLL, setSyscallBackend } from '../../runtime/syscall.ts';
import { CONSOLE_HANDLES, FILE_SHARE_READ, GENERIC_READ, OPEN_EXISTING, TEB } from '../../runtime/kernel/windows/index.ts';
import { ERROR_FILE_NOT_FOUND, ERROR_HANDLE_EOF, ERROR_INVALID_HANDLE } from '../../generated/zerrors_windows.ts';
import * as win from '../../generated/zsyscall_windows_amd64.ts';
import { target } from '../../generated/target_windows_amd64.ts';
import { runToEnd, STACK_TOP, TEB_ADDR, utf16z, winMachine } from './machine.ts';

interface ProbeSeen {
  regs: bigint[];
  stack: bigint[];
  spMod16: number;
  lastErrorAtEntry: number;
}

/** A host-bound stand-in for a DLL procedure: records what it was called with and returns 0x1234. */
function probe(seen: ProbeSeen[], stackWords = 3) {
  return {
    'probe·proc': (cpu: Cpu) => {
      const sp = cpu.regAddr(RSP);
      seen.push({
        regs: [RCX, RDX, R8, R9].map((r) => cpu.getReg(r)),
        stack: Array.from({ length: stackWords }, (_, i) => BigInt.asIntN(64, cpu.mem.readU64(sp + 40 + 8 * i))),
        spMod16: sp % 16,
        lastErrorAtEntry: cpu.mem.readU32(TEB_ADDR + TEB.lastErrorValue),
      });
      cpu.setReg(RAX, 0x1234n);
    },
  };
}

describe('asmstdcall: the Windows x64 calling convention', () => {
  it('passes seven arguments in RCX, RDX, R8, R9 and above the shadow space, aligned, with entersyscall/exitsyscall around', () => {
    const seen: ProbeSeen[] = [];
    const m = winMachine({ hosts: probe(seen) });
    const fn = m.image.addressOf('probe.proc');
    const args = [11n, 22n, 33n, 44n, 55n, -66n, 0x7fff_ffff_ffffn];
    for (const top of [STACK_TOP - 256, STACK_TOP - 256 - 8, STACK_TOP - 256 - 4]) {
      m.mem.writeU32(TEB_ADDR + TEB.lastErrorValue, 99); // stale: asmstdcall clears it before the call
      expect(m.callProc(fn, args, top)).toEqual({ kind: 'done', r1: 0x1234n, r2: 0n, err: 0n });
      expect(m.events).toEqual(['entersyscall', 'exitsyscall']);
    }
    for (const s of seen) {
      expect(s.regs).toEqual(args.slice(0, 4));
      expect(s.stack).toEqual(args.slice(4));
      expect(s.spMod16).toBe(8); // 16-byte aligned at the CALL, the return address pushed
      expect(s.lastErrorAtEntry).toBe(0);
    }
  });

  it('handles 0, 1 and MAX_ARGS arguments; more stops the program with INT 3', () => {
    const seen: ProbeSeen[] = [];
    const m = winMachine({ hosts: probe(seen, MAX_ARGS - 4) });
    const fn = m.image.addressOf('probe.proc');
    expect(m.callProc(fn, [])).toMatchObject({ r1: 0x1234n });
    expect(m.callProc(fn, [7n])).toMatchObject({ r1: 0x1234n });
    expect(seen[1]!.regs[0]).toBe(7n);
    const many = Array.from({ length: MAX_ARGS }, (_, i) => BigInt(1000 + i));
    m.callProc(fn, many);
    expect([...seen[2]!.regs, ...seen[2]!.stack]).toEqual(many);
    expect(() => m.callProc(fn, [...many, 1n])).toThrow(/#BP .* at 0x[0-9a-f]+ \(runtime\.asmstdcall\)/);
  });
});

describe('emulated kernel32.dll on the CPU', () => {
  const files = [{ path: '/data.txt', contents: 'hello from C:' }];

  it('CreateFileW (7 arguments) returns a handle with last error 0; a missing file INVALID_HANDLE_VALUE and ERROR_FILE_NOT_FOUND', () => {
    const m = winMachine({ files });
    const open = (name: string) => m.callProc(m.proc('CreateFileW'), [BigInt(m.pin(utf16z(name))), BigInt(GENERIC_READ), BigInt(FILE_SHARE_READ), 0n, BigInt(OPEN_EXISTING), 0x80n, 0n]);
    expect(open('C:\\data.txt')).toEqual({ kind: 'done', r1: 4n, r2: 0n, err: 0n });
    expect(m.events).toEqual(['entersyscall', 'CreateFileW', 'exitsyscall']);
    expect(open('C:\\missing.txt')).toEqual({ kind: 'done', r1: -1n, r2: 0n, err: 2n });
    expect(m.thread.lastError).toBe(2);
  });

  it('the last error lives in the TEB: asmstdcall reports what SetLastError left there', () => {
    const m = winMachine();
    expect(m.callProc(m.proc('SetLastError'), [87n])).toMatchObject({ err: 87n });
    expect(m.mem.readU32(TEB_ADDR + TEB.lastErrorValue)).toBe(87);
    expect(m.events).toEqual(['entersyscall', 'SetLastError', 'exitsyscall']);
    // Through asmstdcall, GetLastError always sees the 0 stored before the call (as in Go).
    expect(m.callProc(m.proc('GetLastError'), [])).toMatchObject({ r1: 0n, err: 0n });
  });

  it('a ReadFile on an empty pipe blocks inside the procedure and restarts once data arrives', () => {
    const m = winMachine();
    const handles = m.pin(new Uint8Array(16));
    expect(m.callProc(m.proc('CreatePipe'), [BigInt(handles), BigInt(handles + 8), 0n, 0n])).toMatchObject({ r1: 1n });
    const [r, w] = [m.mem.readU64(handles), m.mem.readU64(handles + 8)];
    const buf = m.pin(new Uint8Array(16));
    const done = m.pin(new Uint8Array(4));
    let woken = false;
    m.thread.onWake = () => (woken = true);
    expect(m.callProc(m.proc('ReadFile'), [r, BigInt(buf), 16n, BigInt(done), 0n])).toMatchObject({ kind: 'wait' });
    const writer = m.kernel.newThread();
    const msg = m.pin(new TextEncoder().encode('pong'));
    expect(m.kernel.call(writer, 'WriteFile', [w, BigInt(msg), 4n, 0n, 0n])).toBe(1n);
    expect(woken).toBe(true);
    expect(m.resume()).toEqual({ kind: 'done', r1: 1n, r2: 0n, err: 0n });
    expect(m.events).toEqual(['entersyscall', 'ReadFile', 'ReadFile', 'exitsyscall']);
    expect(new TextDecoder().decode(m.mem.read(buf, m.mem.readU32(done)))).toBe('pong');
  });

  it('two threads on two CPUs ping-pong through pipes; each keeps its own last error in its own TEB', () => {
    const m = winMachine();
    const other = m.spawn();
    expect(other.teb).not.toBe(m.teb);
    const pipe = () => {
      const at = m.pin(new Uint8Array(16));
      expect(m.callProc(m.proc('CreatePipe'), [BigInt(at), BigInt(at + 8), 0n, 0n])).toMatchObject({ r1: 1n });
      return { r: m.mem.readU64(at), w: m.mem.readU64(at + 8) };
    };
    const [toOther, toMain] = [pipe(), pipe()];
    const done = m.pin(new Uint8Array(4));
    const buf = m.pin(new Uint8Array(16));
    const read = (t: typeof other, h: bigint) => t.callProc(m.proc('ReadFile'), [h, BigInt(buf), 16n, BigInt(done), 0n]);
    const write = (t: typeof other, h: bigint, s: string) => t.callProc(m.proc('WriteFile'), [h, BigInt(m.pin(new TextEncoder().encode(s))), BigInt(s.length), 0n, 0n]);
    const received = () => new TextDecoder().decode(m.mem.read(buf, m.mem.readU32(done)));

    expect(read(other, toOther.r)).toMatchObject({ kind: 'wait' });
    expect(m.callProc(m.proc('CreateFileW'), [BigInt(m.pin(utf16z('C:\\none'))), BigInt(GENERIC_READ), 0n, 0n, BigInt(OPEN_EXISTING), 0n, 0n])).toMatchObject({ r1: -1n, err: 2n });
    expect([m.mem.readU32(m.teb + TEB.lastErrorValue), m.mem.readU32(other.teb + TEB.lastErrorValue)]).toEqual([2, 0]);
    expect(other.thread.state).toBe('blocked');
    expect(write(m, toOther.w, 'ping')).toMatchObject({ r1: 1n });
    expect(other.thread.state).toBe('running');
    expect(other.resume()).toMatchObject({ kind: 'done', r1: 1n, err: 0n });
    expect(received()).toBe('ping');
    expect(write(other, toMain.w, 'pong')).toMatchObject({ r1: 1n });
    expect(read(m, toMain.r)).toMatchObject({ r1: 1n });
    expect(received()).toBe('pong');
  });

  it('ExitProcess ends the call without returning', () => {
    const m = winMachine();
    expect(m.callProc(m.proc('ExitProcess'), [3n])).toEqual({ kind: 'exit', code: 3 });
    expect(m.kernel.exitCode).toBe(3);
  });
});

describe('system DLL loading', () => {
  it('kernel32.dll exports exactly the procedures the kernel implements, found by name', () => {
    const m = winMachine();
    expect(m.dlls.exportsOf('KERNEL32.DLL')).toEqual(m.kernel.exports);
    expect(m.dlls.findProc('kernel32.dll', 'CreateFileW')).toBe(m.image.addressOf('kernel32.CreateFileW'));
    expect(m.dlls.findProc('kernel32.dll', 'asmstdcall')).toBeNull();
    expect(m.dlls.findProc('user32.dll', 'MessageBoxW')).toBeNull();
    expect(windowsAmd64Objects().kernel32.symbols.every((s) => s.name.startsWith('kernel32.'))).toBe(true);
  });

  it('every export is declared in defs/tables/kernel32.def', () => {
    const def = readFileSync(new URL('../../defs/tables/kernel32.def', import.meta.url), 'utf8');
    const declared = new Set(def.split('\n').slice(def.split('\n').findIndex((l) => l.trim() === 'EXPORTS') + 1).map((l) => l.trim()).filter((l) => l && !l.startsWith(';')));
    expect(declared.size).toBeGreaterThan(100);
    expect(winMachine().kernel.exports.filter((p) => !declared.has(p))).toEqual([]);
  });

  it('every import of the generated windows target resolves at load time', () => {
    const m = winMachine({ imports: target.imports });
    for (const p of target.imports.kernel32!) expect(m.dlls.findProc('kernel32', p)).not.toBeNull();
  });

  it('a missing import is a load-time error unless optional, then a call-time one', () => {
    const m = winMachine();
    expect(() => new SystemDlls(m.image, { 'kernel32.dll': ['CreateFileW', 'FormatMessageW'] })).toThrow(
      'program load: unresolved DLL imports: kernel32.dll!FormatMessageW (not exported by the emulated system DLLs)',
    );
    const dlls = new SystemDlls(m.image, { kernel32: ['FormatMessageW'] }, { optional: ['FormatMessageW'] });
    expect(dlls.findProc('kernel32', 'FormatMessageW')).toBeNull();
    setSyscallBackend({ ...m.backend, findProc: (d, p) => dlls.findProc(d, p) });
    try {
      const proc = NewLazySystemDLL('kernel32.dll').NewProc('FormatMessageW');
      expect(proc.Find()?.errno).toBe(127); // ERROR_PROC_NOT_FOUND
      expect(() => proc.Addr()).toThrow('failed to find FormatMessageW procedure in kernel32.dll');
    } finally {
      setSyscallBackend(null);
    }
  });
});

describe('generated windows wrappers on the CPU', () => {
  it('CreateFile, WriteFile, SetFilePointer, ReadFile, CloseHandle; errors are the zerrors Errno values', () => {
    const m = winMachine({ files: [{ path: '/data.txt', contents: 'abcdef' }] });
    setSyscallBackend(m.backend);
    try {
      const [h, err] = runToEnd(win.CreateFile('C:\\data.txt', GENERIC_READ, FILE_SHARE_READ, 0, OPEN_EXISTING, 0x80, 0));
      expect([h, err]).toEqual([4, null]);
      expect(runToEnd(win.SetFilePointer(h, 2, 0, 0))).toEqual([2, null]);
      const buf = new Uint8Array(8);
      const done = new Uint8Array(4);
      expect(runToEnd(win.ReadFile(h, buf, done, 0))).toEqual([null]);
      expect(new TextDecoder().decode(buf.subarray(0, done[0]))).toBe('cdef');
      expect(runToEnd(win.CloseHandle(h))).toEqual([null]);
      const [bad, missing] = runToEnd(win.CreateFile('C:\\nope.txt', GENERIC_READ, 0, 0, OPEN_EXISTING, 0, 0));
      expect(bad).toBe(-1);
      expect(missing).toBe(ERROR_FILE_NOT_FOUND);
      expect(missing!.message).toBe('The system cannot find the file specified.');
      const [stdout] = runToEnd(win.GetStdHandle(-11));
      expect(stdout).toBe(CONSOLE_HANDLES.output);
      runToEnd(win.WriteFile(stdout, new TextEncoder().encode('out\n'), 0, 0));
      expect(new TextDecoder().decode(m.kernel.stdout.bytes())).toBe('out\n');
      expect(ERROR_HANDLE_EOF.errno).toBe(38);
    } finally {
      setSyscallBackend(null);
    }
  });

  it('a *bool parameter travels as a 4-byte BOOL and is copied back (IsWow64Process)', () => {
    const m = winMachine({ imports: { kernel32: ['GetCurrentProcess', 'IsWow64Process'] } });
    setSyscallBackend(m.backend);
    try {
      const [self, err] = runToEnd(win.GetCurrentProcess());
      expect([self, err]).toEqual([-1, null]);
      const wow64 = new Uint8Array([1]); // true going in: the procedure must overwrite it
      expect(runToEnd(win.IsWow64Process(self, wow64))).toEqual([null]);
      expect(wow64[0]).toBe(0);
      expect(runToEnd(win.IsWow64Process(4711, wow64))).toEqual([ERROR_INVALID_HANDLE]);
    } finally {
      setSyscallBackend(null);
    }
  });
});
