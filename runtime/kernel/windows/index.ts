// The emulated Windows kernel behind kernel32.dll: one process with a handle table, its
// threads with their last-error values, and the kernel32 procedures the windows target
// calls, implemented on the shared VFS and pipe objects of runtime/kernel.
//
// How it is called. The guest's kernel32 procedures (runtime/asm/kernel32_windows_amd64.s)
// reach `call(thread, name, args)` with the procedure's argument words (RCX, RDX, R8, R9,
// then the stack slots above the shadow space); the result word goes back in RAX. A
// procedure that must wait (ReadFile on an empty pipe, WriteFile to a full one, Sleep)
// returns a Block instead; the caller parks the thread and calls again once it is woken,
// with the same arguments (a wait has already put the thread on its queue, whose wakeAll
// calls the thread's onWake), and the procedure starts over (progress that must not repeat,
// bytes already written and a sleep's deadline, lives in the thread's pending call).
// ExitProcess returns { kind: 'exit', code } and never returns to the guest.
//
// Threads. CreateThread makes a thread of the process through the kernel's threadProvider
// (the machine, which gives it a CPU; without one, ERROR_NOT_SUPPORTED) and returns a
// handle to it, which CloseHandle closes like any other (the thread goes on).
//
// Handles. Values are multiples of 4 from 4 up, the lowest free one first, as the NT
// handle table hands them out; the three console handles are the pseudo-handles 3, 7 and
// 11 (low two bits set) that GetStdHandle returns. A file handle owns an OpenFile of
// runtime/kernel/file.ts (a VFS file, a pipe end, a console stream) plus the access and
// share mode it was opened with; CloseHandle releases the file (a pipe end's reader or
// writer count) when its last handle goes. A thread handle names a WinThread; the file
// procedures do not take one (ERROR_INVALID_HANDLE).
//
// Paths. `C:\dir\file`, `C:/dir/file`, `\dir\file` and relative names (from C:\) map onto
// the VFS with C:\ as its root; `\\?\` prefixes are accepted; other drives do not exist
// (ERROR_PATH_NOT_FOUND). Names are UTF-16 in guest memory and UTF-8 bytes in the VFS.
// Names compare case-sensitively (the VFS's rule), unlike NTFS.
//
// Errors. Every procedure sets the calling thread's last error as the real one does:
// failure sets it; CreateFileW with OPEN_ALWAYS or CREATE_ALWAYS sets ERROR_ALREADY_EXISTS
// or 0; SetFilePointer sets 0 on success (so (DWORD)-1 can be told apart); the rest leave
// it alone on success. A thread's last error lives in its TEB when the machine gives it
// one (bindTeb), where asmstdcall reads it through GS after every call, as on Windows.
//
// Invariants: no argument words make a procedure throw (bad pointers are
// ERROR_NOACCESS, unknown handles ERROR_INVALID_HANDLE); virtual time advances by
// SYSCALL_COST per call plus copy and path costs (clock.ts).
import type { Memory } from '../../cpu/index.ts';
import { copyCost, PATH_COST, SYSCALL_COST, type VirtualClock } from '../clock.ts';
import { InputStream, MAX_OFFSET, OutputStream, Pipe, PipeEnd, RegularFile, type OpenFile, type WriteProgress } from '../file.ts';
import { O_RDONLY, O_RDWR, O_WRONLY } from '../linux/abi.ts';
import { copyFromUser, copyToUser } from '../uaccess.ts';
import { Vfs, type HostMount, type Inode, type SeedFile } from '../vfs.ts';
import type { Block, Waiter } from '../waitqueue.ts';
import {
  checkErrorTable, CREATE_ALWAYS, CREATE_NEW, CREATE_SUSPENDED, FILE_BEGIN, FILE_CURRENT, FILE_END, FILE_SHARE_READ, FILE_SHARE_WRITE,
  GENERIC_ALL, GENERIC_READ, GENERIC_WRITE, INVALID_HANDLE_VALUE, INVALID_SET_FILE_POINTER, OPEN_ALWAYS, OPEN_EXISTING,
  STD_ERROR_HANDLE, STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, TRUNCATE_EXISTING, WIN32_ERRORS, type Win32ErrorName,
} from './abi.ts';

export * from './abi.ts';

/** The TEB fields asmstdcall and GetLastError read through GS (x64 layout). */
export const TEB = { self: 0x30, lastErrorValue: 0x68, size: 0x1000 } as const;

/** The pseudo-handle GetCurrentProcess returns: (HANDLE)-1, valid only in the process itself. */
export const CURRENT_PROCESS = 0xffffffffffffffffn;

/** The console pseudo-handles GetStdHandle returns for input, output and error. */
export const CONSOLE_HANDLES = { input: 3, output: 7, error: 11 } as const;

/** How many argument words each procedure takes (its C prototype's parameter count). */
export const PROCEDURE_ARITY: Readonly<Record<string, number>> = {
  CloseHandle: 1, CreateFileW: 7, CreatePipe: 4, CreateThread: 6, ExitProcess: 1, GetCurrentProcess: 0, GetCurrentProcessId: 0, GetLastError: 0,
  GetStdHandle: 1, IsWow64Process: 2, ReadFile: 5, SetFilePointer: 4, SetFilePointerEx: 4, SetLastError: 1, Sleep: 1, WriteFile: 5,
};

/** sizeof(SECURITY_ATTRIBUTES) on x64: nLength, lpSecurityDescriptor, bInheritHandle. */
const SECURITY_ATTRIBUTES_SIZE = 24;

/** Longest name CreateFileW reads (UTF-16 units, the NUL included), as for `\\?\` paths. */
const MAX_NAME_UNITS = 32767;

export interface WindowsKernelOptions {
  /** The process's address space: where names, buffers and out-parameters live. */
  mem: Memory;
  clock: VirtualClock;
  /** Files and directories of the tree C:\ shows (absolute VFS paths: /data.txt is C:\data.txt). */
  files?: ReadonlyArray<SeedFile>;
  mounts?: ReadonlyArray<HostMount>;
  /** What the process reads from the console input handle. */
  stdin?: string | Uint8Array;
  /** GetCurrentProcessId (default 100). */
  pid?: number;
  /** The target's error table (number, name, message); checked against winerror.h's numbers. */
  errors?: ReadonlyArray<readonly [number, string, string]>;
  observer?: ApiObserver;
}

/** What the tracer sees of one call: the procedure name and its argument words, exact. */
export interface ApiEvent {
  thread: WinThread;
  name: string;
  args: readonly bigint[];
  startNs: number;
}

/** The tracer's hooks (runtime/trace/apimon.ts implements them). */
export interface ApiObserver {
  /** A call starts (once per call, not per restart); the returned state comes back at exit. */
  enter(ev: ApiEvent): unknown;
  /** The call returned `result` with the thread's last error (null for ExitProcess). */
  exit(ev: ApiEvent, state: unknown, result: bigint | null, lastError: number, endNs: number): void;
}

/** ExitProcess: the process is gone; the caller stops all its threads. */
export interface ProcessExit {
  readonly kind: 'exit';
  readonly code: number;
}

/** What a procedure returns: the RAX word, a wait, or the end of the process. */
export type ApiOutcome = bigint | Block | ProcessExit;

interface PendingApiCall {
  event: ApiEvent;
  state: unknown;
  progress: WriteProgress;
  deadline: number | null;
}

/** A thread: its id, last error (in its TEB once bound) and the call in progress. */
export class WinThread implements Waiter {
  state: 'running' | 'blocked' | 'dead' = 'running';
  pending: PendingApiCall | null = null;
  private lastErrorField = 0;
  private teb: { mem: Memory; addr: number } | null = null;
  /** Called when a wait ends (the scheduler or test driver runs the thread again). */
  onWake: (t: WinThread) => void = () => {};

  constructor(readonly tid: number) {}

  /** Keeps the last error in the TEB at addr (supervisor-written, user-readable through GS). */
  bindTeb(mem: Memory, addr: number): void {
    this.teb = { mem, addr };
    mem.writeU64(addr + TEB.self, BigInt(addr));
    mem.writeU32(addr + TEB.lastErrorValue, this.lastErrorField);
  }

  get lastError(): number {
    return this.teb ? this.teb.mem.readU32(this.teb.addr + TEB.lastErrorValue) : this.lastErrorField;
  }

  set lastError(code: number) {
    this.lastErrorField = code >>> 0;
    if (this.teb) this.teb.mem.writeU32(this.teb.addr + TEB.lastErrorValue, this.lastErrorField);
  }

  wake(): void {
    if (this.state !== 'blocked') return;
    this.state = 'running';
    this.onWake(this);
  }
}

/** One open handle: the file object and what CreateFileW granted. */
interface HandleEntry {
  file: OpenFile;
  access: number;
  share: number;
}

type Procedure = (t: WinThread, a: readonly bigint[]) => bigint | Block | ProcessExit;

/** The largest file position this kernel represents exactly (file.ts's MAX_OFFSET). */
const MAX_POSITION = BigInt(MAX_OFFSET);
const FAIL = 0n;
const OK = 1n;

function dword(w: bigint | undefined): number {
  return Number(BigInt.asUintN(32, w ?? 0n));
}

function pointer(w: bigint | undefined): number {
  return Number(BigInt.asUintN(64, w ?? 0n));
}

export class WindowsKernel {
  readonly mem: Memory;
  readonly clock: VirtualClock;
  readonly vfs: Vfs;
  readonly pid: number;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Set by ExitProcess. */
  exitCode: number | null = null;
  /** The tracer (the API monitor), or null. */
  observer: ApiObserver | null;
  /**
   * Who runs the threads CreateThread makes: given the calling thread, the start address,
   * its parameter and the stack size, it makes the thread (newThread) and readies a CPU for
   * it, or refuses with a Win32 error name. Without one, CreateThread fails with
   * ERROR_NOT_SUPPORTED.
   */
  threadProvider: ((parent: WinThread, start: bigint, parameter: bigint, stackSize: bigint) => WinThread | Win32ErrorName) | undefined;
  private readonly handles = new Map<number, HandleEntry>();
  /** Thread handles (the same value space as file handles). */
  private readonly threadHandles = new Map<number, WinThread>();
  private nextTid: number;
  private readonly procedures: ReadonlyMap<string, Procedure>;

  constructor(opts: WindowsKernelOptions) {
    if (opts.errors) checkErrorTable(opts.errors);
    this.mem = opts.mem;
    this.clock = opts.clock;
    this.pid = opts.pid ?? 100;
    this.nextTid = this.pid + 4;
    this.observer = opts.observer ?? null;
    this.vfs = new Vfs(() => this.clock.now(), opts.files ?? [], opts.mounts ?? []);
    const stdin = typeof opts.stdin === 'string' ? new TextEncoder().encode(opts.stdin) : (opts.stdin ?? new Uint8Array(0));
    const console = () => this.vfs.newInode('chr', 0o620, false, null);
    this.stdout = new OutputStream(console());
    this.stderr = new OutputStream(console());
    this.install(CONSOLE_HANDLES.input, { file: new InputStream(console(), stdin), access: GENERIC_READ, share: FILE_SHARE_READ | FILE_SHARE_WRITE });
    this.install(CONSOLE_HANDLES.output, { file: this.stdout, access: GENERIC_WRITE, share: FILE_SHARE_READ | FILE_SHARE_WRITE });
    this.install(CONSOLE_HANDLES.error, { file: this.stderr, access: GENERIC_WRITE, share: FILE_SHARE_READ | FILE_SHARE_WRITE });
    this.procedures = new Map<string, Procedure>([
      ['CloseHandle', (t, a) => this.closeHandle(t, a)],
      ['CreateFileW', (t, a) => this.createFileW(t, a)],
      ['CreatePipe', (t, a) => this.createPipe(t, a)],
      ['CreateThread', (t, a) => this.createThread(t, a)],
      ['ExitProcess', (_t, a) => this.exitProcess(a)],
      ['GetCurrentProcess', () => CURRENT_PROCESS],
      ['GetCurrentProcessId', () => BigInt(this.pid)],
      ['GetLastError', (t) => BigInt(t.lastError)],
      ['GetStdHandle', (t, a) => this.getStdHandle(t, a)],
      ['IsWow64Process', (t, a) => this.isWow64Process(t, a)],
      ['ReadFile', (t, a) => this.readFile(t, a)],
      ['SetFilePointer', (t, a) => this.setFilePointer(t, a)],
      ['SetFilePointerEx', (t, a) => this.setFilePointerEx(t, a)],
      ['SetLastError', (t, a) => ((t.lastError = dword(a[0])), 0n)],
      ['Sleep', (t, a) => this.sleep(t, a)],
      ['WriteFile', (t, a) => this.writeFile(t, a)],
    ]);
    for (const name of this.procedures.keys()) if (PROCEDURE_ARITY[name] === undefined) throw new Error(`windows kernel: no arity for ${name}`);
  }

  /** The procedures this kernel implements, sorted: what the emulated kernel32.dll exports. */
  get exports(): string[] {
    return [...this.procedures.keys()].sort();
  }

  newThread(): WinThread {
    const t = new WinThread(this.nextTid);
    this.nextTid += 4;
    return t;
  }

  /**
   * Runs procedure `name` for thread t with its argument words (at least as many as it
   * takes; missing ones read as 0). Throws only for a name this kernel does not export.
   */
  call(t: WinThread, name: string, args: readonly bigint[]): ApiOutcome {
    const proc = this.procedures.get(name);
    if (!proc) throw new Error(`kernel32.dll: no procedure ${name} (exported: ${this.exports.join(', ')})`);
    if (t.state === 'dead') throw new Error(`kernel32.dll: thread ${t.tid} is dead and cannot call ${name}`);
    if (t.pending === null) {
      const event: ApiEvent = { thread: t, name, args, startNs: this.clock.now() };
      t.pending = { event, state: this.observer?.enter(event), progress: { done: 0 }, deadline: null };
    }
    this.clock.advance(SYSCALL_COST);
    const out = proc(t, args);
    if (typeof out === 'bigint' || out.kind === 'exit') {
      const p = t.pending;
      t.pending = null;
      this.observer?.exit(p.event, p.state, typeof out === 'bigint' ? out : null, t.lastError, this.clock.now());
      if (typeof out !== 'bigint') t.state = 'dead';
      return out;
    }
    t.state = 'blocked';
    if (out.kind === 'wait') out.queue.add(t);
    return out;
  }

  /** The file behind a handle value, for hosts and tests (undefined when not open). */
  fileOf(handle: number): OpenFile | undefined {
    return this.handles.get(handle)?.file;
  }

  /** The thread behind a thread handle value, for hosts and tests (undefined when not one). */
  threadOf(handle: number): WinThread | undefined {
    return this.threadHandles.get(handle);
  }

  /** Open handle values (files and threads), ascending. */
  openHandles(): number[] {
    return [...this.handles.keys(), ...this.threadHandles.keys()].sort((x, y) => x - y);
  }

  // ---------------------------------------------------------------------------------
  // Helpers

  private fail(t: WinThread, error: Win32ErrorName, value = FAIL): bigint {
    t.lastError = WIN32_ERRORS[error];
    return value;
  }

  private install(handle: number, entry: HandleEntry): void {
    entry.file.refs++;
    this.handles.set(handle, entry);
  }

  private allocHandle(entry: HandleEntry): number {
    const h = this.freeHandle();
    this.install(h, entry);
    return h;
  }

  /** The lowest free handle value (a multiple of 4 from 4). */
  private freeHandle(): number {
    let h = 4;
    while (this.handles.has(h) || this.threadHandles.has(h)) h += 4;
    return h;
  }

  private lookupHandle(w: bigint | undefined): HandleEntry | undefined {
    const h = BigInt.asIntN(64, w ?? 0n);
    return h > 0n && h < 0x1000000n ? this.handles.get(Number(h)) : undefined;
  }

  /** Stores a DWORD at p (p = 0: not asked for). False when p is not writable. */
  private putDword(p: number, v: number): boolean {
    if (p === 0) return true;
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    return copyToUser(this.mem, p, b);
  }

  /** A NUL-terminated UTF-16 string from guest memory, or null when unreadable or unterminated. */
  private utf16FromUser(p: number): string | null {
    const units: number[] = [];
    for (let at = p; units.length < MAX_NAME_UNITS; at += 2) {
      const b = copyFromUser(this.mem, at, 2);
      if (b === null) return null;
      const u = b[0]! | (b[1]! << 8);
      if (u === 0) return String.fromCharCode(...units);
      units.push(u);
    }
    return null;
  }

  /** A Win32 path as a VFS byte-string path, or the error for a drive that does not exist. */
  static vfsPath(name: string): string | 'ERROR_PATH_NOT_FOUND' {
    let rest = name.startsWith('\\\\?\\') ? name.slice(4) : name;
    const drive = /^([A-Za-z]):/.exec(rest);
    if (drive) {
      if (drive[1]!.toUpperCase() !== 'C') return 'ERROR_PATH_NOT_FOUND';
      rest = rest.slice(2);
    }
    const path = '/' + rest.replace(/\\/g, '/').replace(/^\/+/, '');
    return Buffer.from(path, 'utf8').toString('latin1');
  }

  // ---------------------------------------------------------------------------------
  // Procedures

  /** HANDLE CreateFileW(LPCWSTR name, DWORD access, DWORD share, LPSECURITY_ATTRIBUTES sa, DWORD disposition, DWORD flags, HANDLE template) */
  private createFileW(t: WinThread, a: readonly bigint[]): bigint {
    const bad = (e: Win32ErrorName) => this.fail(t, e, INVALID_HANDLE_VALUE);
    const name = this.utf16FromUser(pointer(a[0]));
    if (name === null) return bad('ERROR_NOACCESS');
    let access = dword(a[1]);
    const share = dword(a[2]);
    const disposition = dword(a[4]);
    if (disposition < CREATE_NEW || disposition > TRUNCATE_EXISTING) return bad('ERROR_INVALID_PARAMETER');
    if (access & GENERIC_ALL) access |= GENERIC_READ | GENERIC_WRITE;
    if (disposition === TRUNCATE_EXISTING && !(access & GENERIC_WRITE)) return bad('ERROR_INVALID_PARAMETER');
    this.clock.advance(PATH_COST);
    const path = WindowsKernel.vfsPath(name);
    if (path === 'ERROR_PATH_NOT_FOUND') return bad(path);
    const found = this.vfs.resolve(this.vfs.root, path);
    if (typeof found === 'string') return bad(found === 'ENAMETOOLONG' ? 'ERROR_FILENAME_EXCED_RANGE' : 'ERROR_PATH_NOT_FOUND');
    let inode: Inode | undefined = found.inode;
    if (inode && inode.kind === 'dir') return bad('ERROR_ACCESS_DENIED');
    if (found.trailingSlash) return bad(inode ? 'ERROR_ACCESS_DENIED' : 'ERROR_PATH_NOT_FOUND');
    const existed = inode !== undefined;
    if (existed && disposition === CREATE_NEW) return bad('ERROR_FILE_EXISTS');
    if (!existed && (disposition === OPEN_EXISTING || disposition === TRUNCATE_EXISTING)) return bad('ERROR_FILE_NOT_FOUND');
    if ((access & GENERIC_WRITE || !existed) && (inode ?? found.dir).readOnly) return bad('ERROR_ACCESS_DENIED');
    if (inode && this.sharingConflict(inode, access, share)) return bad('ERROR_SHARING_VIOLATION');
    if (!inode) {
      inode = this.vfs.newInode('reg', 0o644, false, null);
      this.vfs.link(found.dir, found.name, inode);
    } else if (disposition === CREATE_ALWAYS || disposition === TRUNCATE_EXISTING) {
      inode.truncate(0);
      inode.mtimeNs = this.clock.now();
    }
    const mode = access & GENERIC_WRITE ? (access & GENERIC_READ ? O_RDWR : O_WRONLY) : O_RDONLY;
    const h = this.allocHandle({ file: new RegularFile(inode, mode), access, share });
    t.lastError = existed && (disposition === OPEN_ALWAYS || disposition === CREATE_ALWAYS) ? WIN32_ERRORS.ERROR_ALREADY_EXISTS : 0;
    return BigInt(h);
  }

  /** An open of inode with (access, share) conflicts with a handle already open on it. */
  private sharingConflict(inode: Inode, access: number, share: number): boolean {
    const reads = (x: number) => (x & GENERIC_READ) !== 0;
    const writes = (x: number) => (x & GENERIC_WRITE) !== 0;
    for (const h of this.handles.values()) {
      if (h.file.inode !== inode) continue;
      if ((reads(h.access) && !(share & FILE_SHARE_READ)) || (writes(h.access) && !(share & FILE_SHARE_WRITE))) return true;
      if ((reads(access) && !(h.share & FILE_SHARE_READ)) || (writes(access) && !(h.share & FILE_SHARE_WRITE))) return true;
    }
    return false;
  }

  /** BOOL CloseHandle(HANDLE h): a file handle (its file released with its last handle) or a thread handle (the thread goes on). */
  private closeHandle(t: WinThread, a: readonly bigint[]): bigint {
    const h = BigInt.asIntN(64, a[0] ?? 0n);
    if (h > 0n && h < 0x1000000n && this.threadHandles.delete(Number(h))) return OK;
    const entry = this.lookupHandle(a[0]);
    if (!entry) return this.fail(t, 'ERROR_INVALID_HANDLE');
    this.handles.delete(Number(a[0]));
    entry.file.refs--;
    if (entry.file.refs === 0) entry.file.release();
    return OK;
  }

  /** BOOL ReadFile(HANDLE h, LPVOID buf, DWORD n, LPDWORD read, LPOVERLAPPED ov) */
  private readFile(t: WinThread, a: readonly bigint[]): bigint | Block {
    const entry = this.lookupHandle(a[0]);
    if (!entry) return this.fail(t, 'ERROR_INVALID_HANDLE');
    if (pointer(a[4]) !== 0) return this.fail(t, 'ERROR_NOT_SUPPORTED');
    if (!(entry.access & GENERIC_READ)) return this.fail(t, 'ERROR_ACCESS_DENIED');
    const buf = pointer(a[1]);
    const count = dword(a[2]);
    const donePtr = pointer(a[3]);
    if (!this.putDword(donePtr, 0)) return this.fail(t, 'ERROR_NOACCESS');
    const r = entry.file.read(count, null, (chunk) => copyToUser(this.mem, buf, chunk));
    if (typeof r === 'object') return r;
    if (typeof r === 'string') return this.fail(t, r === 'EFAULT' ? 'ERROR_NOACCESS' : 'ERROR_ACCESS_DENIED');
    this.clock.advance(copyCost(r));
    // A pipe at end of data with no writer left is an error on Windows; a file's end is not.
    if (r === 0 && count > 0 && entry.file instanceof PipeEnd) return this.fail(t, 'ERROR_BROKEN_PIPE');
    this.putDword(donePtr, r);
    return OK;
  }

  /** BOOL WriteFile(HANDLE h, LPCVOID buf, DWORD n, LPDWORD written, LPOVERLAPPED ov) */
  private writeFile(t: WinThread, a: readonly bigint[]): bigint | Block {
    const entry = this.lookupHandle(a[0]);
    if (!entry) return this.fail(t, 'ERROR_INVALID_HANDLE');
    if (pointer(a[4]) !== 0) return this.fail(t, 'ERROR_NOT_SUPPORTED');
    if (!(entry.access & GENERIC_WRITE)) return this.fail(t, 'ERROR_ACCESS_DENIED');
    const src = copyFromUser(this.mem, pointer(a[1]), dword(a[2]));
    const donePtr = pointer(a[3]);
    if (src === null || !this.putDword(donePtr, 0)) return this.fail(t, 'ERROR_NOACCESS');
    const r = entry.file.write(src, null, t.pending!.progress);
    if (typeof r === 'object') return r;
    if (typeof r === 'string') return this.fail(t, r === 'EPIPE' ? 'ERROR_NO_DATA' : 'ERROR_ACCESS_DENIED');
    this.clock.advance(copyCost(r));
    this.putDword(donePtr, r);
    return OK;
  }

  /** DWORD SetFilePointer(HANDLE h, LONG low, PLONG high, DWORD method) */
  private setFilePointer(t: WinThread, a: readonly bigint[]): bigint {
    const bad = (e: Win32ErrorName) => this.fail(t, e, BigInt(INVALID_SET_FILE_POINTER));
    const highPtr = pointer(a[2]);
    let distance = BigInt.asIntN(32, a[1] ?? 0n);
    if (highPtr !== 0) {
      const high = copyFromUser(this.mem, highPtr, 4);
      if (high === null) return bad('ERROR_NOACCESS');
      distance = (BigInt(new DataView(high.buffer).getInt32(0, true)) << 32n) | BigInt.asUintN(32, distance);
    }
    // Without a high word the new position must fit the DWORD result (less the failure value).
    const pos = this.seek(t, a[0], distance, dword(a[3]), highPtr === 0 ? 0xfffffffen : MAX_POSITION);
    if (pos === null) return BigInt(INVALID_SET_FILE_POINTER);
    if (highPtr !== 0) this.putDword(highPtr, Number(BigInt.asUintN(32, pos >> 32n)));
    t.lastError = 0;
    return BigInt.asUintN(32, pos);
  }

  /** BOOL SetFilePointerEx(HANDLE h, LARGE_INTEGER distance, PLARGE_INTEGER newPos, DWORD method) */
  private setFilePointerEx(t: WinThread, a: readonly bigint[]): bigint {
    const pos = this.seek(t, a[0], BigInt.asIntN(64, a[1] ?? 0n), dword(a[3]));
    if (pos === null) return FAIL;
    const out = pointer(a[2]);
    if (out !== 0) {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigInt64(0, pos, true);
      if (!copyToUser(this.mem, out, b)) return this.fail(t, 'ERROR_NOACCESS');
    }
    return OK;
  }

  /** Moves a handle's file pointer to at most max; null (last error set, pointer unmoved) when it cannot. */
  private seek(t: WinThread, handle: bigint | undefined, distance: bigint, method: number, max = MAX_POSITION): bigint | null {
    const entry = this.lookupHandle(handle);
    if (!entry) return (this.fail(t, 'ERROR_INVALID_HANDLE'), null);
    if (!entry.file.seekable) return (this.fail(t, 'ERROR_INVALID_FUNCTION'), null);
    const base = method === FILE_BEGIN ? 0 : method === FILE_CURRENT ? entry.file.offset : method === FILE_END ? entry.file.inode.size : null;
    if (base === null) return (this.fail(t, 'ERROR_INVALID_PARAMETER'), null);
    const pos = BigInt(base) + distance;
    if (pos < 0n) return (this.fail(t, 'ERROR_NEGATIVE_SEEK'), null);
    if (pos > max) return (this.fail(t, 'ERROR_INVALID_PARAMETER'), null);
    entry.file.offset = Number(pos);
    return pos;
  }

  /** BOOL CreatePipe(PHANDLE read, PHANDLE write, LPSECURITY_ATTRIBUTES sa, DWORD size) */
  private createPipe(t: WinThread, a: readonly bigint[]): bigint {
    const readPtr = pointer(a[0]);
    const writePtr = pointer(a[1]);
    const probe = new Uint8Array(8);
    if (!copyToUser(this.mem, readPtr, probe) || !copyToUser(this.mem, writePtr, probe)) return this.fail(t, 'ERROR_NOACCESS');
    const pipe = new Pipe();
    const inode = this.vfs.newInode('fifo', 0o600, false, null);
    const r = this.allocHandle({ file: new PipeEnd(inode, O_RDONLY, pipe), access: GENERIC_READ, share: FILE_SHARE_READ | FILE_SHARE_WRITE });
    const w = this.allocHandle({ file: new PipeEnd(inode, O_WRONLY, pipe), access: GENERIC_WRITE, share: FILE_SHARE_READ | FILE_SHARE_WRITE });
    const word = (v: number) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
      return b;
    };
    copyToUser(this.mem, readPtr, word(r));
    copyToUser(this.mem, writePtr, word(w));
    return OK;
  }

  /**
   * HANDLE CreateThread(LPSECURITY_ATTRIBUTES sa, SIZE_T stackSize, LPTHREAD_START_ROUTINE
   * start, LPVOID parameter, DWORD flags, LPDWORD threadId): a thread of this process, made
   * by the threadProvider (which runs it); returns a new handle to it and stores its id at
   * threadId (when not NULL). Failures return NULL: an unreadable SECURITY_ATTRIBUTES or an
   * unwritable threadId is ERROR_NOACCESS (checked before the thread is made);
   * CREATE_SUSPENDED is ERROR_NOT_SUPPORTED here (nothing here resumes a thread); without a
   * provider, ERROR_NOT_SUPPORTED; a provider's refusal is its error. The other flag bits,
   * the stack size and the start address are the provider's business.
   */
  private createThread(t: WinThread, a: readonly bigint[]): bigint {
    const sa = pointer(a[0]);
    if (sa !== 0 && copyFromUser(this.mem, sa, SECURITY_ATTRIBUTES_SIZE) === null) return this.fail(t, 'ERROR_NOACCESS');
    const idPtr = pointer(a[5]);
    if (idPtr !== 0 && !this.mem.check(idPtr, 4, 'w', true)) return this.fail(t, 'ERROR_NOACCESS');
    if (dword(a[4]) & CREATE_SUSPENDED) return this.fail(t, 'ERROR_NOT_SUPPORTED');
    if (this.threadProvider === undefined) return this.fail(t, 'ERROR_NOT_SUPPORTED');
    const child = this.threadProvider(t, BigInt.asUintN(64, a[2] ?? 0n), BigInt.asUintN(64, a[3] ?? 0n), BigInt.asUintN(64, a[1] ?? 0n));
    if (typeof child === 'string') return this.fail(t, child);
    const h = this.freeHandle();
    this.threadHandles.set(h, child);
    this.putDword(idPtr, child.tid);
    return BigInt(h);
  }

  /** HANDLE GetStdHandle(DWORD which) */
  private getStdHandle(t: WinThread, a: readonly bigint[]): bigint {
    const which = dword(a[0]);
    const h = which === STD_INPUT_HANDLE ? CONSOLE_HANDLES.input : which === STD_OUTPUT_HANDLE ? CONSOLE_HANDLES.output
      : which === STD_ERROR_HANDLE ? CONSOLE_HANDLES.error : null;
    if (h === null) return this.fail(t, 'ERROR_INVALID_HANDLE', INVALID_HANDLE_VALUE);
    // A closed standard handle reads back as NULL, as after CloseHandle(GetStdHandle(…)).
    return this.handles.has(h) ? BigInt(h) : 0n;
  }

  /**
   * BOOL IsWow64Process(HANDLE process, PBOOL wow64): FALSE into *wow64, since this is a
   * 64-bit process on a 64-bit system. Only the process's own pseudo-handle names a process.
   */
  private isWow64Process(t: WinThread, a: readonly bigint[]): bigint {
    if (BigInt.asUintN(64, a[0] ?? 0n) !== CURRENT_PROCESS) return this.fail(t, 'ERROR_INVALID_HANDLE');
    if (!copyToUser(this.mem, pointer(a[1]), new Uint8Array(4))) return this.fail(t, 'ERROR_NOACCESS');
    return OK;
  }

  /** VOID Sleep(DWORD ms): virtual time; Sleep(0) only yields. */
  private sleep(t: WinThread, a: readonly bigint[]): bigint | Block {
    const p = t.pending!;
    p.deadline ??= this.clock.now() + dword(a[0]) * 1_000_000;
    return this.clock.now() >= p.deadline ? 0n : { kind: 'sleep', until: p.deadline };
  }

  /** VOID ExitProcess(UINT code): closes every handle. */
  private exitProcess(a: readonly bigint[]): ProcessExit {
    const code = dword(a[0]);
    this.exitCode = code;
    this.threadHandles.clear();
    for (const h of this.openHandles()) {
      const entry = this.handles.get(h)!;
      this.handles.delete(h);
      entry.file.refs--;
      if (entry.file.refs === 0) entry.file.release();
    }
    return { kind: 'exit', code };
  }
}
