// The runtime's public syscall surface: the only module generated code imports.
//
// Generated wrappers (generated/zsyscall_<os>_<arch>.ts) are typed generator functions
// that lower their parameters to machine words, `yield*` one of the call entry points
// below and decode the result words. This module fixes that contract so the generated
// code never changes shape; the work itself is delegated to a pluggable backend, which
// the machine installs while it runs goroutines (setSyscallBackend). With no backend
// installed every call throws a plain Error that says so.
//
// Invariants:
// - A Word is a 64-bit machine word with two's complement meaning, held as a number when
//   the signed value is a safe integer and as a bigint otherwise (AT_FDCWD is -100;
//   ^uintptr(0) is -1). `word()` canonicalises; every Word the backend returns must be
//   canonical, and every Word generated code passes is.
// - Result helpers convert Words exactly, as Go's conversions do: toInt32 and narrower
//   truncate; toInt/toUint/toUintptr throw a RangeError rather than lose precision
//   (toUint keeps the Word's two's complement view of huge values: ^uintptr(0) is -1).
// - Errno values are cached per OS and number (errnoTable), like Go's errnoErr, so a
//   wrapper's error compares with `===` to the exported constants of zerrors_<os>.ts.
// - The call entry points (Syscall, RawSyscall, syscall_syscall, SyscallN, …) make the
//   call when invoked, as the wrappers `yield*` them at once: the step they return has
//   either completed (a Completed step) or is the backend's step that parks.
// - This module imports nothing else of the project.

/** A 64-bit machine word: a safe-integer number, or a bigint when it does not fit. */
export type Word = number | bigint;

/** A pointer argument: a word (an address in guest memory) or bytes the backend places in guest memory for the call and copies back afterwards. */
export type Ptr = Word | Uint8Array;

/**
 * What a goroutine yields when it parks: a request the scheduler interprets (enter a
 * system call, sleep, wait on a channel, …). `reason` names the request; `detail`
 * carries whatever the scheduler attached. Generated code never builds one.
 */
export interface Park {
  readonly reason: string;
  readonly detail?: unknown;
}

/** A goroutine step: a generator that parks with Park requests and returns T. */
export type Go<T> = Generator<Park, T, unknown>;

/** The three words a system call returns: r1, r2 and the raw error number (0 for none). */
export type SyscallResult = [r1: Word, r2: Word, err: number];

// ---------------------------------------------------------------------------------------
// Words

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Canonical Word for any integer: wrapped to 64 bits two's complement, a number when safe. */
export function word(x: number | bigint | boolean): Word {
  // Kept small so that every call inlines: most words are safe integers already.
  return typeof x === 'number' && Number.isSafeInteger(x) ? x : wordOfOther(x);
}

function wordOfOther(x: number | bigint | boolean): Word {
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (typeof x === 'number') {
    if (!Number.isInteger(x)) throw new RangeError(`not an integer machine word: ${x}`);
    if (Number.isSafeInteger(x)) return x;
    x = BigInt(x);
  }
  const v = BigInt.asIntN(64, x);
  return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

/** The Word as a signed 64-bit bigint. */
function big(w: Word): bigint {
  return typeof w === 'bigint' ? BigInt.asIntN(64, w) : BigInt(w);
}

function exactNumber(v: bigint, what: string): number {
  if (v < MIN_SAFE || v > MAX_SAFE) throw new RangeError(`${what} result ${v} does not fit a number exactly`);
  return Number(v);
}

/** Go int (64-bit): the signed value. */
export function toInt(w: Word): number {
  return typeof w === 'number' ? w : exactNumber(big(w), 'int');
}

/**
 * Go uint / uintptr (64-bit): the unsigned value. A word too large for that (^uintptr(0)
 * from a failed call, say) comes back in its two's complement view, as Words hold it:
 * -1 for all ones. Only values no number holds exactly either way throw.
 */
export function toUint(w: Word): number {
  if (typeof w === 'number') return w;
  const v = BigInt.asUintN(64, big(w));
  return v <= MAX_SAFE ? Number(v) : exactNumber(big(w), 'uint');
}

/** Go uintptr on 64-bit targets. */
export const toUintptr = toUint;

/** Go int64: the signed value as a bigint. */
export function toInt64(w: Word): bigint {
  return big(w);
}

/** Go uint64: the unsigned value as a bigint. */
export function toUint64(w: Word): bigint {
  return BigInt.asUintN(64, big(w));
}

function truncate(w: Word, bits: number, signed: boolean): number {
  if (typeof w === 'number' && bits === 32) return signed ? w | 0 : w >>> 0;
  const v = signed ? BigInt.asIntN(bits, big(w)) : BigInt.asUintN(bits, big(w));
  return Number(v);
}

export const toInt32 = (w: Word): number => truncate(w, 32, true);
export const toUint32 = (w: Word): number => truncate(w, 32, false);
export const toInt16 = (w: Word): number => truncate(w, 16, true);
export const toUint16 = (w: Word): number => truncate(w, 16, false);
export const toInt8 = (w: Word): number => truncate(w, 8, true);
export const toUint8 = (w: Word): number => truncate(w, 8, false);

/** Go `r != 0`. */
export function toBool(w: Word): boolean {
  return w !== 0 && w !== 0n;
}

/** A 64-bit result returned in two 32-bit registers (high, low), as signed int64. */
export function joinInt64(hi: Word, lo: Word): bigint {
  return BigInt.asIntN(64, (BigInt(truncate(hi, 32, false)) << 32n) | BigInt(truncate(lo, 32, false)));
}

/** The same pair as unsigned uint64. */
export function joinUint64(hi: Word, lo: Word): bigint {
  return BigInt.asUintN(64, joinInt64(hi, lo));
}

/** Low 32 bits of a 64-bit argument, as Go's `uintptr(x)` on a 32-bit target. */
export function lo32(x: bigint): Word {
  return Number(BigInt.asUintN(32, x));
}

/** High 32 bits of a 64-bit argument, as Go's `uintptr(x >> 32)` on a 32-bit target. */
export function hi32(x: bigint): Word {
  return Number(BigInt.asUintN(32, x >> 32n));
}

// ---------------------------------------------------------------------------------------
// Errno

/** A system error number of one OS, with its name and message (Go's syscall.Errno). */
export class Errno extends Error {
  /** The OS whose table this number belongs to (linux, freebsd, darwin, windows). */
  readonly os: string;
  /** The raw error number (for windows, a Win32 error code). */
  readonly errno: number;
  /** The symbolic name (ENOENT, ERROR_FILE_NOT_FOUND), or `errno N` when unknown. */
  readonly code: string;

  constructor(os: string, errno: number, code: string, message: string) {
    super(message);
    this.name = 'Errno';
    this.os = os;
    this.errno = errno;
    this.code = code;
  }

  /** Go's Errno.Error(): the message alone. */
  override toString(): string {
    return this.message;
  }

  /** A Node-style error (`code`, `errno` negative as libuv reports it, `syscall`, `path`). */
  toNodeError(syscall: string, path?: string): NodeJS.ErrnoException {
    const e: NodeJS.ErrnoException = new Error(`${this.code}: ${this.message}, ${syscall}${path === undefined ? '' : ` '${path}'`}`);
    e.code = this.code;
    e.errno = -this.errno;
    e.syscall = syscall;
    if (path !== undefined) e.path = path;
    return e;
  }
}

/** One row of an OS error table: number, name, message. */
export type ErrnoEntry = readonly [errno: number, name: string, message: string];

/** An OS error table as generated code uses it: `errnoErr(n)` returns the cached Errno. */
export type ErrnoErr = (errno: number) => Errno;

const errnoTables = new Map<string, ErrnoErr>();

/**
 * Registers the error table of `os` and returns its errnoErr: the same Errno object for
 * the same number every time; numbers not in the table get `errno N` names.
 */
export function errnoTable(os: string, entries: readonly ErrnoEntry[]): ErrnoErr {
  const known = new Map<number, ErrnoEntry>();
  for (const e of entries) if (!known.has(e[0])) known.set(e[0], e);
  const cache = new Map<number, Errno>();
  const errnoErr: ErrnoErr = (n) => {
    let e = cache.get(n);
    if (e === undefined) {
      const entry = known.get(n);
      e = entry ? new Errno(os, n, entry[1], entry[2]) : new Errno(os, n, `errno ${n}`, `errno ${n}`);
      cache.set(n, e);
    }
    return e;
  };
  errnoTables.set(os, errnoErr);
  return errnoErr;
}

/** The invalid-argument error of the running OS (EINVAL; ERROR_INVALID_PARAMETER on windows). */
function invalidArgument(): Errno {
  const os = backend().os;
  const table = errnoTables.get(os);
  if (!table) throw new Error(`no error table registered for ${os}: import its generated zerrors_${os}.ts`);
  return table(os === 'windows' ? 87 : 22);
}

// ---------------------------------------------------------------------------------------
// Backend

/** How a call enters the kernel: blocking (Syscall) or not (RawSyscall). */
export type CallKind = 'syscall' | 'raw';

/** A libc function the darwin wrappers call through (one trampoline per function). */
export interface LibcFunction {
  readonly name: string;
}

/**
 * What the machine provides while it runs goroutines. Every call entry point below
 * delegates here; arguments are always canonical Words.
 */
export interface SyscallBackend {
  /** The OS of the running target (picks the EINVAL of BytePtrFromString). */
  readonly os: string;
  /**
   * A direct system call with trap number `trap` (linux, freebsd). Returns the result
   * words when the call completed without parking, or a goroutine step that parks and
   * then returns them (a backend may always return the step; the entry points accept both).
   */
  syscall(kind: CallKind, trap: Word, args: readonly Word[]): SyscallResult | Go<SyscallResult>;
  /** A call through a libc trampoline (darwin); `x` asks for a 64-bit r1 (syscall6X). Returns as syscall does. */
  libcCall(kind: CallKind, fn: LibcFunction, args: readonly Word[], x: boolean): SyscallResult | Go<SyscallResult>;
  /** A call to a DLL procedure address (windows SyscallN); err is GetLastError. Returns as syscall does. */
  procCall(addr: Word, args: readonly Word[]): SyscallResult | Go<SyscallResult>;
  /** Address of `proc` exported by `dll` (as named to NewLazySystemDLL, e.g. "kernel32.dll"), or null when either is missing. */
  findProc(dll: string, proc: string): Word | null;
  /** Places bytes in guest memory for the current call and copies them back after it returns. */
  pin(bytes: Uint8Array): Word;
  /** A valid, non-nil address standing for an empty slice (Go's &_zero). */
  zeroAddress(): Word;
}

let current: SyscallBackend | null = null;

/** Installs the backend (the machine does, while it runs goroutines), or removes it with null. */
export function setSyscallBackend(b: SyscallBackend | null): void {
  current = b;
}

function backend(): SyscallBackend {
  if (current === null) throw new Error('no machine is running: call generated wrappers from a goroutine run by a Machine');
  return current;
}

// ---------------------------------------------------------------------------------------
// Argument helpers

/** A pointer parameter as a word: bytes are placed in guest memory for the call. */
export function Pointer(p: Ptr): Word {
  return p instanceof Uint8Array ? backend().pin(p) : p;
}

function bytesOf(p: ArrayBufferView): Uint8Array {
  return p instanceof Uint8Array ? p : new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
}

/** A slice's data pointer; a dummy non-nil pointer for an empty slice (unix wrappers). */
export function SlicePtr(p: ArrayBufferView): Word {
  return p.byteLength === 0 ? backend().zeroAddress() : backend().pin(bytesOf(p));
}

/** A slice's data pointer; nil for an empty slice (windows wrappers, as mkwinsyscall does). */
export function SlicePtrOrNil(p: ArrayBufferView): Word {
  return p.byteLength === 0 ? 0 : backend().pin(bytesOf(p));
}

const utf8 = new TextEncoder();

/** A NUL-terminated copy of `s` in guest memory; EINVAL when `s` contains a NUL byte. */
export function BytePtrFromString(s: string): [Word, Errno | null] {
  if (s.includes('\0')) return [0, invalidArgument()];
  const bytes = utf8.encode(s + '\0');
  return [backend().pin(bytes), null];
}

/** A NUL-terminated UTF-16LE copy of `s` in guest memory; EINVAL when `s` contains a NUL. */
export function UTF16PtrFromString(s: string): [Word, Errno | null] {
  if (s.includes('\0')) return [0, invalidArgument()];
  const bytes = new Uint8Array((s.length + 1) * 2);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    bytes[2 * i] = c & 0xff;
    bytes[2 * i + 1] = c >>> 8;
  }
  return [backend().pin(bytes), null];
}

// ---------------------------------------------------------------------------------------
// Call entry points (Go's syscall.Syscall family). Each canonicalises its words, parks
// the goroutine as the backend decides and returns the raw result words. A call that
// completes without parking (most do) goes through no generator but the entry point's own.

function words(args: readonly Word[]): Word[] {
  return args.map(word);
}

/** True when the backend answered with the result itself rather than a step that parks. */
function completed(r: SyscallResult | Go<SyscallResult>): r is SyscallResult {
  return Array.isArray(r);
}

/**
 * A call that completed without parking, as a goroutine step: it yields nothing and returns
 * the result. It is its own iterator and its own final iterator result, so a completed
 * call costs this one object (a generator would add a result object and a resumption).
 */
class Completed<T> implements Go<T> {
  readonly done = true;
  constructor(readonly value: T) {}

  next(): IteratorReturnResult<T> {
    return this;
  }

  return(value: T): IteratorReturnResult<T> {
    return { done: true, value };
  }

  throw(e: unknown): never {
    throw e;
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/** The backend's answer as a goroutine step: Completed, or the step that parks. */
function step(r: SyscallResult | Go<SyscallResult>): Go<SyscallResult> {
  return completed(r) ? new Completed(r) : r;
}

/** The same without the error word (Linux calls that cannot fail). */
function noError(r: SyscallResult | Go<SyscallResult>): Go<[r1: Word, r2: Word]> {
  return completed(r) ? new Completed<[Word, Word]>([r[0], r[1]]) : dropError(r);
}

function* dropError(g: Go<SyscallResult>): Go<[r1: Word, r2: Word]> {
  const [r1, r2] = yield* g;
  return [r1, r2];
}

export function Syscall(trap: Word, a1: Word, a2: Word, a3: Word): Go<SyscallResult> {
  const r = backend().syscall('syscall', word(trap), [word(a1), word(a2), word(a3)]);
  return step(r);
}

export function Syscall6(trap: Word, a1: Word, a2: Word, a3: Word, a4: Word, a5: Word, a6: Word): Go<SyscallResult> {
  const r = backend().syscall('syscall', word(trap), [word(a1), word(a2), word(a3), word(a4), word(a5), word(a6)]);
  return step(r);
}

export function Syscall9(
  trap: Word, a1: Word, a2: Word, a3: Word, a4: Word, a5: Word, a6: Word, a7: Word, a8: Word, a9: Word,
): Go<SyscallResult> {
  const r = backend().syscall('syscall', word(trap), words([a1, a2, a3, a4, a5, a6, a7, a8, a9]));
  return step(r);
}

export function RawSyscall(trap: Word, a1: Word, a2: Word, a3: Word): Go<SyscallResult> {
  const r = backend().syscall('raw', word(trap), [word(a1), word(a2), word(a3)]);
  return step(r);
}

export function RawSyscall6(trap: Word, a1: Word, a2: Word, a3: Word, a4: Word, a5: Word, a6: Word): Go<SyscallResult> {
  const r = backend().syscall('raw', word(trap), [word(a1), word(a2), word(a3), word(a4), word(a5), word(a6)]);
  return step(r);
}

export function RawSyscall9(
  trap: Word, a1: Word, a2: Word, a3: Word, a4: Word, a5: Word, a6: Word, a7: Word, a8: Word, a9: Word,
): Go<SyscallResult> {
  const r = backend().syscall('raw', word(trap), words([a1, a2, a3, a4, a5, a6, a7, a8, a9]));
  return step(r);
}

/** Linux calls that cannot fail (getpid): the error word is not looked at. */
export function SyscallNoError(trap: Word, a1: Word, a2: Word, a3: Word): Go<[r1: Word, r2: Word]> {
  return noError(backend().syscall('syscall', word(trap), [word(a1), word(a2), word(a3)]));
}

export function RawSyscallNoError(trap: Word, a1: Word, a2: Word, a3: Word): Go<[r1: Word, r2: Word]> {
  return noError(backend().syscall('raw', word(trap), [word(a1), word(a2), word(a3)]));
}

// darwin libc mode: the first argument is the libc function (its trampoline).

const trampolines = new Map<string, LibcFunction>();

/** The libc function `name`, one shared object per name (Go's libc_<name>_trampoline_addr). */
export function libcTrampoline(name: string): LibcFunction {
  let fn = trampolines.get(name);
  if (fn === undefined) {
    fn = Object.freeze({ name });
    trampolines.set(name, fn);
  }
  return fn;
}

export function syscall_syscall(fn: LibcFunction, a1: Word, a2: Word, a3: Word): Go<SyscallResult> {
  const r = backend().libcCall('syscall', fn, [word(a1), word(a2), word(a3)], false);
  return step(r);
}

export function syscall_syscall6(fn: LibcFunction, a1: Word, a2: Word, a3: Word, a4: Word, a5: Word, a6: Word): Go<SyscallResult> {
  const r = backend().libcCall('syscall', fn, [word(a1), word(a2), word(a3), word(a4), word(a5), word(a6)], false);
  return step(r);
}

export function syscall_syscall6X(fn: LibcFunction, a1: Word, a2: Word, a3: Word, a4: Word, a5: Word, a6: Word): Go<SyscallResult> {
  const r = backend().libcCall('syscall', fn, [word(a1), word(a2), word(a3), word(a4), word(a5), word(a6)], true);
  return step(r);
}

export function syscall_syscall9(
  fn: LibcFunction, a1: Word, a2: Word, a3: Word, a4: Word, a5: Word, a6: Word, a7: Word, a8: Word, a9: Word,
): Go<SyscallResult> {
  const r = backend().libcCall('syscall', fn, words([a1, a2, a3, a4, a5, a6, a7, a8, a9]), false);
  return step(r);
}

export function syscall_rawSyscall(fn: LibcFunction, a1: Word, a2: Word, a3: Word): Go<SyscallResult> {
  const r = backend().libcCall('raw', fn, [word(a1), word(a2), word(a3)], false);
  return step(r);
}

export function syscall_rawSyscall6(fn: LibcFunction, a1: Word, a2: Word, a3: Word, a4: Word, a5: Word, a6: Word): Go<SyscallResult> {
  const r = backend().libcCall('raw', fn, [word(a1), word(a2), word(a3), word(a4), word(a5), word(a6)], false);
  return step(r);
}

// windows: DLL procedures called by address (mkwinsyscall).

/** Calls the procedure at `addr` with any number of word arguments. */
export function SyscallN(addr: Word, ...args: Word[]): Go<SyscallResult> {
  const r = backend().procCall(word(addr), words(args));
  return step(r);
}

/** A procedure of a lazily loaded DLL; its address is looked up on first use. */
export class LazyProc {
  readonly dll: LazyDLL;
  readonly name: string;

  constructor(dll: LazyDLL, name: string) {
    this.dll = dll;
    this.name = name;
  }

  /** Looks the procedure up: null, or ERROR_PROC_NOT_FOUND when it is missing. */
  Find(): Errno | null {
    if (backend().findProc(this.dll.name, this.name) !== null) return null;
    const table = errnoTables.get('windows');
    if (!table) throw new Error('no error table registered for windows: import generated/zerrors_windows.ts');
    return table(127);
  }

  /** The procedure's address; throws when it is missing (Go panics). */
  Addr(): Word {
    const addr = backend().findProc(this.dll.name, this.name);
    if (addr === null) throw new Error(`failed to find ${this.name} procedure in ${this.dll.name}`);
    return addr;
  }
}

/** A DLL loaded on first use of one of its procedures (a system DLL: no search path). */
export class LazyDLL {
  readonly name: string;

  constructor(name: string) {
    this.name = name;
  }

  NewProc(name: string): LazyProc {
    return new LazyProc(this, name);
  }
}

export function NewLazySystemDLL(name: string): LazyDLL {
  return new LazyDLL(name);
}

// ---------------------------------------------------------------------------------------
// Target descriptors

/** What a generated target index (generated/target_<os>_<arch>.ts) describes: all the machine needs of one target. */
export interface TargetDescriptor {
  readonly os: string;
  readonly arch: string;
  /** Bytes per machine word. */
  readonly wordSize: 4 | 8;
  readonly endianness: 'little' | 'big';
  /** syscall (trap numbers), libc (darwin trampolines) or dll (windows procedures). */
  readonly syscallConvention: 'syscall' | 'libc' | 'dll';
  readonly syscallInstruction: string;
  readonly errorConvention: string;
  /** Trap name → number (empty for windows). */
  readonly numbers: Readonly<Record<string, number>>;
  /** The OS error table. */
  readonly errors: readonly ErrnoEntry[];
  readonly errnoErr: ErrnoErr;
  /** DLL → procedures the wrappers call (windows), libc → functions (darwin); empty otherwise. */
  readonly imports: Readonly<Record<string, readonly string[]>>;
  /** The generated wrappers, by name. */
  readonly wrappers: Readonly<Record<string, unknown>>;
}
