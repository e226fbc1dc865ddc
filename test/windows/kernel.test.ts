// The emulated kernel32's host side, called directly with argument words: handles,
// dispositions, share modes, reads at EOF and on pipes, seeks, last errors, sleeps.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Memory, PROT_READ, PROT_WRITE } from '../../runtime/cpu/memory.ts';
import { ManualClock } from '../../runtime/kernel/clock.ts';
import {
  CONSOLE_HANDLES, CREATE_ALWAYS, CREATE_NEW, FILE_BEGIN, FILE_CURRENT, FILE_END, FILE_SHARE_READ, GENERIC_READ,
  GENERIC_WRITE, OPEN_ALWAYS, OPEN_EXISTING, STD_OUTPUT_HANDLE, TRUNCATE_EXISTING, WIN32_ERRORS as E, WindowsKernel,
} from '../../runtime/kernel/windows/index.ts';
import { errors } from '../../generated/zerrors_windows.ts';

const SCRATCH = 0x10000;

function setup(files = [{ path: '/data.txt', contents: 'hello, windows' }]) {
  const mem = new Memory();
  mem.map(SCRATCH, 0x10000, PROT_READ | PROT_WRITE);
  const clock = new ManualClock();
  const k = new WindowsKernel({ mem, clock, files, errors, stdin: 'typed' });
  const t = k.newThread();
  let at = SCRATCH;
  /** Places a UTF-16 string (NUL-terminated) or raw bytes in guest memory. */
  const put = (x: string | Uint8Array | number): bigint => {
    const bytes = typeof x === 'number' ? new Uint8Array(x) : typeof x === 'string' ? utf16(x) : x;
    const addr = at;
    mem.write(addr, bytes);
    at += (bytes.length + 15) & ~15;
    return BigInt(addr);
  };
  const call = (name: string, ...args: Array<bigint | number>) => {
    const r = k.call(t, name, args.map((x) => BigInt(x)));
    if (typeof r !== 'bigint') throw new Error(`${name} did not return: ${JSON.stringify(r)}`);
    return r;
  };
  const open = (name: string, access: number, share: number, disposition: number) => call('CreateFileW', put(name), access, share, 0, disposition, 0x80, 0);
  const dword = (p: bigint) => mem.readU32(Number(p));
  const text = (p: bigint, n: number) => new TextDecoder().decode(mem.read(Number(p), n));
  return { k, t, mem, clock, put, call, open, dword, text };
}

function utf16(s: string): Uint8Array {
  const b = new Uint8Array((s.length + 1) * 2);
  for (let i = 0; i < s.length; i++) {
    b[2 * i] = s.charCodeAt(i) & 0xff;
    b[2 * i + 1] = s.charCodeAt(i) >> 8;
  }
  return b;
}

describe('emulated kernel32: CreateFileW', () => {
  it('opens an existing file by drive path and hands out handles from 4 up', () => {
    const { open, t } = setup();
    expect(open('C:\\data.txt', GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING)).toBe(4n);
    expect(t.lastError).toBe(0);
    expect(open('c:/data.txt', GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING)).toBe(8n);
    expect(open('\\data.txt', GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING)).toBe(12n);
  });

  it('a missing file is INVALID_HANDLE_VALUE with ERROR_FILE_NOT_FOUND; a missing directory ERROR_PATH_NOT_FOUND; another drive too', () => {
    const { open, t } = setup();
    expect(open('C:\\missing.txt', GENERIC_READ, 0, OPEN_EXISTING)).toBe(-1n);
    expect(t.lastError).toBe(E.ERROR_FILE_NOT_FOUND);
    expect(open('C:\\nodir\\x.txt', GENERIC_READ, 0, OPEN_ALWAYS)).toBe(-1n);
    expect(t.lastError).toBe(E.ERROR_PATH_NOT_FOUND);
    expect(open('D:\\data.txt', GENERIC_READ, 0, OPEN_EXISTING)).toBe(-1n);
    expect(t.lastError).toBe(E.ERROR_PATH_NOT_FOUND);
    expect(open('C:\\missing.txt', GENERIC_READ, 0, TRUNCATE_EXISTING)).toBe(-1n);
    expect(t.lastError).toBe(E.ERROR_INVALID_PARAMETER); // TRUNCATE_EXISTING needs GENERIC_WRITE
    expect(open('C:\\data.txt', GENERIC_READ, 0, 9)).toBe(-1n);
    expect(t.lastError).toBe(E.ERROR_INVALID_PARAMETER);
  });

  it('follows each disposition on existing and missing files', () => {
    const { k, open, t } = setup();
    const size = () => k.vfs.resolve(k.vfs.root, '/data.txt');
    expect(open('C:\\data.txt', GENERIC_WRITE, 0, CREATE_NEW)).toBe(-1n);
    expect(t.lastError).toBe(E.ERROR_FILE_EXISTS);
    const h1 = open('C:\\new.txt', GENERIC_WRITE, FILE_SHARE_READ, CREATE_NEW);
    expect(h1).toBe(4n);
    expect(t.lastError).toBe(0);
    k.call(t, 'CloseHandle', [h1]);
    t.lastError = 99;
    expect(open('C:\\data.txt', GENERIC_READ, FILE_SHARE_READ, OPEN_ALWAYS)).toBe(4n);
    expect(t.lastError).toBe(E.ERROR_ALREADY_EXISTS); // success, but it existed
    expect(open('C:\\fresh.txt', GENERIC_WRITE, FILE_SHARE_READ, OPEN_ALWAYS)).toBe(8n);
    expect(t.lastError).toBe(0);
    k.call(t, 'CloseHandle', [4n]);
    expect(open('C:\\data.txt', GENERIC_WRITE, 0, CREATE_ALWAYS)).toBe(4n);
    expect(t.lastError).toBe(E.ERROR_ALREADY_EXISTS);
    const found = size();
    expect(typeof found !== 'string' && found.inode!.size).toBe(0); // truncated
  });

  it('enforces share modes against handles already open', () => {
    const { open, t, call } = setup();
    const h = open('C:\\data.txt', GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING);
    expect(open('C:\\data.txt', GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING)).toBe(8n);
    expect(open('C:\\data.txt', GENERIC_WRITE, FILE_SHARE_READ, OPEN_EXISTING)).toBe(-1n); // they did not share write
    expect(t.lastError).toBe(E.ERROR_SHARING_VIOLATION);
    expect(open('C:\\data.txt', GENERIC_READ, 0, OPEN_EXISTING)).toBe(-1n); // we would not share read
    expect(t.lastError).toBe(E.ERROR_SHARING_VIOLATION);
    call('CloseHandle', h);
    call('CloseHandle', 8n);
    expect(open('C:\\data.txt', GENERIC_WRITE, 0, OPEN_EXISTING)).toBe(4n);
  });

  it('a directory cannot be opened as a file; a bad name pointer is ERROR_NOACCESS', () => {
    const { k, t, open } = setup([{ path: '/dir/a.txt', contents: 'a' }]);
    expect(open('C:\\dir', GENERIC_READ, 0, OPEN_EXISTING)).toBe(-1n);
    expect(t.lastError).toBe(E.ERROR_ACCESS_DENIED);
    expect(k.call(t, 'CreateFileW', [0x900000n, 0n, 0n, 0n, 3n, 0n, 0n])).toBe(-1n);
    expect(t.lastError).toBe(E.ERROR_NOACCESS);
  });
});

describe('emulated kernel32: ReadFile, WriteFile, SetFilePointer', () => {
  it('reads a file, reports the count, and at EOF succeeds with 0 bytes', () => {
    const { open, call, put, dword, text, t } = setup();
    const h = open('C:\\data.txt', GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING);
    const buf = put(64);
    const done = put(4);
    expect(call('ReadFile', h, buf, 5, done, 0)).toBe(1n);
    expect([dword(done), text(buf, 5)]).toEqual([5, 'hello']);
    expect(call('ReadFile', h, buf, 64, done, 0)).toBe(1n);
    expect([dword(done), text(buf, 9)]).toEqual([9, ', windows']);
    t.lastError = 0;
    expect(call('ReadFile', h, buf, 64, done, 0)).toBe(1n);
    expect(dword(done)).toBe(0);
    expect(t.lastError).toBe(0);
  });

  it('writes, seeks with both SetFilePointer forms, and reads back', () => {
    const { open, call, put, dword, text, mem, t } = setup();
    const h = open('C:\\out.txt', GENERIC_READ | GENERIC_WRITE, 0, CREATE_ALWAYS);
    const done = put(4);
    expect(call('WriteFile', h, put(new TextEncoder().encode('0123456789')), 10, done, 0)).toBe(1n);
    expect(dword(done)).toBe(10);
    expect(call('SetFilePointer', h, 2, 0, FILE_BEGIN)).toBe(2n);
    expect(call('SetFilePointer', h, 3, 0, FILE_CURRENT)).toBe(5n);
    expect(call('SetFilePointer', h, -4, 0, FILE_END)).toBe(6n);
    const buf = put(16);
    call('ReadFile', h, buf, 16, done, 0);
    expect(text(buf, dword(done))).toBe('6789');
    expect(call('SetFilePointer', h, -1, 0, FILE_BEGIN)).toBe(0xffffffffn);
    expect(t.lastError).toBe(E.ERROR_NEGATIVE_SEEK);
    const newPos = put(8);
    expect(call('SetFilePointerEx', h, -3, newPos, FILE_END)).toBe(1n);
    expect(mem.readU64(Number(newPos))).toBe(7n);
    const high = put(4);
    mem.writeU32(Number(high), 1);
    expect(call('SetFilePointer', h, 5, high, FILE_BEGIN)).toBe(5n); // 2^32 + 5: low DWORD back, high in *high
    expect(dword(high)).toBe(1);
    expect(t.lastError).toBe(0);
    // Past 4 GiB without a high word: the DWORD result cannot say it, so it fails and the pointer stays.
    expect(call('SetFilePointerEx', h, 0x1_0000_0000n, 0, FILE_BEGIN)).toBe(1n);
    expect(call('SetFilePointer', h, 0, 0, FILE_CURRENT)).toBe(0xffffffffn);
    expect(t.lastError).toBe(E.ERROR_INVALID_PARAMETER);
    expect(call('SetFilePointerEx', h, 0, newPos, FILE_CURRENT)).toBe(1n);
    expect(mem.readU64(Number(newPos))).toBe(0x1_0000_0000n);
  });

  it('checks handles and access rights', () => {
    const { open, call, put, t } = setup();
    const done = put(4);
    expect(call('ReadFile', 0x40, put(8), 8, done, 0)).toBe(0n);
    expect(t.lastError).toBe(E.ERROR_INVALID_HANDLE);
    expect(call('CloseHandle', -1)).toBe(0n);
    expect(t.lastError).toBe(E.ERROR_INVALID_HANDLE);
    const h = open('C:\\data.txt', GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING);
    expect(call('WriteFile', h, put(4), 4, done, 0)).toBe(0n);
    expect(t.lastError).toBe(E.ERROR_ACCESS_DENIED);
    expect(call('CloseHandle', h)).toBe(1n);
    expect(call('CloseHandle', h)).toBe(0n);
    expect(t.lastError).toBe(E.ERROR_INVALID_HANDLE);
  });

  it('console handles: GetStdHandle, output captured, input served', () => {
    const { k, call, put, dword, text } = setup();
    expect(call('GetStdHandle', STD_OUTPUT_HANDLE)).toBe(BigInt(CONSOLE_HANDLES.output));
    expect(call('GetStdHandle', -10)).toBe(BigInt(CONSOLE_HANDLES.input)); // (DWORD)-10 passed as a sign-extended int
    expect(call('GetStdHandle', 5)).toBe(-1n);
    const done = put(4);
    call('WriteFile', CONSOLE_HANDLES.output, put(new TextEncoder().encode('hi\n')), 3, done, 0);
    expect(new TextDecoder().decode(k.stdout.bytes())).toBe('hi\n');
    const buf = put(16);
    call('ReadFile', CONSOLE_HANDLES.input, buf, 16, done, 0);
    expect(text(buf, dword(done))).toBe('typed');
  });
});

describe('emulated kernel32: pipes, last error, Sleep, ExitProcess', () => {
  it('CreatePipe: data flows, an empty pipe blocks, EOF is ERROR_BROKEN_PIPE, a pipe without reader ERROR_NO_DATA', () => {
    const { k, t, call, put, mem, dword, text } = setup();
    const rp = put(8);
    const wp = put(8);
    expect(call('CreatePipe', rp, wp, 0, 0)).toBe(1n);
    const [r, w] = [mem.readU64(Number(rp)), mem.readU64(Number(wp))];
    expect([r, w]).toEqual([4n, 8n]);
    const done = put(4);
    const buf = put(16);
    const blocked = k.call(t, 'ReadFile', [r, buf, 16n, done, 0n]);
    expect(blocked).toMatchObject({ kind: 'wait' });
    expect(t.state).toBe('blocked');
    const writer = k.newThread();
    let woken = 0;
    t.onWake = () => woken++;
    expect(k.call(writer, 'WriteFile', [w, put(new TextEncoder().encode('ping')), 4n, put(4), 0n])).toBe(1n);
    expect(woken).toBe(1);
    expect(k.call(t, 'ReadFile', [r, buf, 16n, done, 0n])).toBe(1n); // the restarted call
    expect(text(buf, dword(done))).toBe('ping');
    expect(call('CloseHandle', w)).toBe(1n);
    expect(call('ReadFile', r, buf, 16, done, 0)).toBe(0n);
    expect(t.lastError).toBe(E.ERROR_BROKEN_PIPE);
    expect(call('CreatePipe', rp, wp, 0, 0)).toBe(1n);
    call('CloseHandle', mem.readU64(Number(rp)));
    expect(call('WriteFile', mem.readU64(Number(wp)), buf, 1, done, 0)).toBe(0n);
    expect(t.lastError).toBe(E.ERROR_NO_DATA);
  });

  it('the last error is per thread; SetLastError and GetLastError round-trip', () => {
    const { k, call, open } = setup();
    const other = k.newThread();
    open('C:\\missing', GENERIC_READ, 0, OPEN_EXISTING);
    expect(k.call(other, 'GetLastError', [])).toBe(0n);
    expect(call('GetLastError')).toBe(2n);
    k.call(other, 'SetLastError', [0x1234n]);
    expect(k.call(other, 'GetLastError', [])).toBe(0x1234n);
    expect(call('GetLastError')).toBe(2n);
    expect(call('GetCurrentProcessId')).toBe(100n);
  });

  it('GetCurrentProcess is the pseudo-handle -1; IsWow64Process writes a 4-byte FALSE for it and fails otherwise', () => {
    const { t, call, put, dword } = setup();
    const self = call('GetCurrentProcess');
    expect(self).toBe(0xffffffffffffffffn);
    const out = put(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xee]));
    expect(call('IsWow64Process', self, out)).toBe(1n);
    expect(dword(out)).toBe(0);
    expect(dword(out + 4n) & 0xff).toBe(0xee); // a BOOL is 4 bytes, no more
    expect(call('IsWow64Process', 4, out)).toBe(0n);
    expect(t.lastError).toBe(E.ERROR_INVALID_HANDLE);
    expect(call('IsWow64Process', self, 0x10)).toBe(0n);
    expect(t.lastError).toBe(E.ERROR_NOACCESS);
  });

  it('Sleep waits in virtual time and survives restarts with its first deadline', () => {
    const { k, t, clock } = setup();
    const first = k.call(t, 'Sleep', [20n]);
    expect(first).toEqual({ kind: 'sleep', until: 150 + 20_000_000 });
    clock.advance(5_000_000);
    expect(k.call(t, 'Sleep', [20n])).toEqual({ kind: 'sleep', until: 150 + 20_000_000 });
    clock.advanceTo(20_000_150);
    expect(k.call(t, 'Sleep', [20n])).toBe(0n);
  });

  it('ExitProcess ends the process and closes its handles; unknown procedures are a clear error', () => {
    const { k, t, open } = setup();
    open('C:\\data.txt', GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING);
    expect(k.call(t, 'ExitProcess', [3n])).toEqual({ kind: 'exit', code: 3 });
    expect(k.exitCode).toBe(3);
    expect(k.openHandles()).toEqual([]);
    expect(() => k.call(k.newThread(), 'FormatMessageW', [])).toThrow(/no procedure FormatMessageW/);
  });

  it('the target error table must agree with winerror.h', () => {
    expect(() => new WindowsKernel({ mem: new Memory(), clock: new ManualClock(), errors: [[3, 'ERROR_FILE_NOT_FOUND', 'x']] })).toThrow(
      /ERROR_FILE_NOT_FOUND is 3 in the target's table but 2/,
    );
  });
});

describe('emulated kernel32: CreateThread', () => {
  /** A kernel whose threadProvider makes the thread (as the machine's does); what it was asked. */
  function withProvider() {
    const env = setup();
    const asked: Array<{ parent: number; tid: number; start: bigint; parameter: bigint; stack: bigint }> = [];
    env.k.threadProvider = (parent, start, parameter, stack) => {
      const child = env.k.newThread();
      asked.push({ parent: parent.tid, tid: child.tid, start, parameter, stack });
      return child;
    };
    return { ...env, asked };
  }

  it('makes a thread through the provider and returns a new handle to it; the id goes to *threadId; CloseHandle closes the handle, not the thread', () => {
    const { k, t, call, put, dword, asked } = withProvider();
    const id = put(4);
    const h = call('CreateThread', 0, 0x10000, 0x401000, 0x5000, 0, id);
    expect(h).toBe(4n);
    expect(asked).toEqual([{ parent: t.tid, tid: asked[0]!.tid, start: 0x401000n, parameter: 0x5000n, stack: 0x10000n }]);
    expect(dword(id)).toBe(asked[0]!.tid);
    const child = k.threadOf(4)!;
    expect(child.tid).toBe(asked[0]!.tid);
    expect(child.tid).not.toBe(t.tid);
    // Handles share one value space: the next file handle is 8, the thread's stays 4.
    expect(call('CreatePipe', put(8), put(8), 0, 0)).toBe(1n);
    expect(k.openHandles()).toEqual([3, 4, 7, 8, 11, 12]);
    // A thread handle is not a file.
    expect(call('ReadFile', 4, put(4), 4, put(4), 0)).toBe(0n);
    expect(t.lastError).toBe(E.ERROR_INVALID_HANDLE);
    expect(call('CloseHandle', 4)).toBe(1n);
    expect(k.threadOf(4)).toBeUndefined();
    expect(child.state).toBe('running');
    expect(call('CloseHandle', 4)).toBe(0n);
    // NULL threadId: not written; STACK_SIZE_PARAM_IS_A_RESERVATION is accepted.
    expect(call('CreateThread', 0, 0, 0x401000, 0, 0x10000, 0)).toBe(4n);
  });

  it('fails with NULL and a last error: ERROR_NOACCESS for unreadable SECURITY_ATTRIBUTES or an unwritable threadId, ERROR_NOT_SUPPORTED for CREATE_SUSPENDED; no thread is made', () => {
    const { k, t, call, put, asked } = withProvider();
    const before = k.openHandles();
    expect(call('CreateThread', 0x20, 0, 0x401000, 0, 0, 0)).toBe(0n);
    expect(t.lastError).toBe(E.ERROR_NOACCESS);
    expect(call('CreateThread', SCRATCH + 0x10000 - 8, 0, 0x401000, 0, 0, 0)).toBe(0n);
    expect(t.lastError).toBe(E.ERROR_NOACCESS);
    expect(call('CreateThread', 0, 0, 0x401000, 0, 0, 0x30)).toBe(0n);
    expect(t.lastError).toBe(E.ERROR_NOACCESS);
    expect(call('CreateThread', 0, 0, 0x401000, 0, 0x4, 0)).toBe(0n);
    expect(t.lastError).toBe(E.ERROR_NOT_SUPPORTED);
    expect(asked).toEqual([]);
    expect(k.openHandles()).toEqual(before);
    // Readable SECURITY_ATTRIBUTES (24 bytes) are fine.
    expect(call('CreateThread', put(24), 0, 0x401000, 0, 0, 0)).toBe(4n);
  });

  it('without a provider, ERROR_NOT_SUPPORTED; a provider\'s refusal is its error', () => {
    const { k, t, call } = setup();
    expect(call('CreateThread', 0, 0, 0x401000, 0, 0, 0)).toBe(0n);
    expect(t.lastError).toBe(E.ERROR_NOT_SUPPORTED);
    k.threadProvider = () => 'ERROR_NOT_ENOUGH_MEMORY';
    expect(call('CreateThread', 0, 0, 0x401000, 0, 0, 0)).toBe(0n);
    expect(t.lastError).toBe(E.ERROR_NOT_ENOUGH_MEMORY);
    expect(E.ERROR_NOT_ENOUGH_MEMORY).toBe(8);
  });

  it('ExitProcess closes thread handles with the rest', () => {
    const { k, call } = withProvider();
    expect(call('CreateThread', 0, 0, 0x401000, 0, 0, 0)).toBe(4n);
    expect(k.call(k.newThread(), 'ExitProcess', [0n])).toEqual({ kind: 'exit', code: 0 });
    expect(k.openHandles()).toEqual([]);
  });
});

describe('emulated kernel32: robustness', () => {
  it('no argument words make a procedure throw; failures always set a last error', () => {
    const word = fc.oneof(
      fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }),
      fc.constantFrom(0n, 3n, 4n, 7n, 8n, 11n, -1n, BigInt(SCRATCH), BigInt(SCRATCH + 0xfffe), 0x7fffffffn),
    );
    const { k } = setup();
    const procs = k.exports.filter((p) => p !== 'ExitProcess');
    fc.assert(
      fc.property(fc.constantFrom(...procs), fc.array(word, { minLength: 7, maxLength: 7 }), (name, args) => {
        const t = k.newThread();
        t.lastError = 0;
        const r = k.call(t, name, args);
        if (typeof r !== 'bigint') return;
        const boolFailed = ['CloseHandle', 'CreatePipe', 'CreateThread', 'ReadFile', 'WriteFile', 'SetFilePointerEx'].includes(name) && r === 0n;
        const handleFailed = ['CreateFileW', 'GetStdHandle'].includes(name) && r === -1n;
        if (boolFailed || handleFailed) expect(t.lastError).not.toBe(0);
      }),
      { numRuns: 2000, seed: 6 },
    );
  });
});
