// Lowers declarations for one target's ABI, mirroring golang.org/x/sys unix/mksyscall.go
// (and windows/mkwinsyscall for the dll convention). The result is plain data: which
// call entry point, which trap, which argument words in order, which registers feed
// which results. Rendering (generator/render) and `inspect --json` both read it; no
// target knowledge is needed after this step.
//
// Rules (unix):
// - trap: `= SYS_X` or SYS_ + name with `_` at each lower→upper boundary, uppercased;
//   checked against the target's table when one is given (error or warning).
// - words: *T and unsafe.Pointer → ptr(x); string → ptr(x) through BytePtrFromString;
//   []T → ptr(x), len(x); int64/uint64 on 32-bit ABIs → lo/hi in the ABI's byte order,
//   after a zero word when the pair would start at an odd index on arm-pair ABIs;
//   everything else (bool as 0/1) → one word.
// - call: Syscall (//sys) or RawSyscall (//sysnb); SyscallNoError/RawSyscallNoError on
//   linux without an error result; suffix 6 or 9 past 3 or 6 words, padded with zeros.
//   libc mode (darwin): syscall_syscall*, the libc function being the trap lowercased.
// - results: the i-th result reads r<i>; err reads the error word; a 64-bit result on a
//   32-bit ABI reads the pair r1:r0 (little-endian) or r0:r1 (big-endian).
import type { Declaration, FailRetVal, Field } from '../model/declarations.ts';
import { goKind } from '../model/declarations.ts';
import { errorAt, warningAt, type Diagnostic } from '../model/diagnostics.ts';
import type { Target } from '../targets.ts';

/** One argument word: a parameter's value, its pointer/length/halves, or a zero pad. */
export type WordSource =
  | { kind: 'value' | 'ptr' | 'len' | 'lo' | 'hi'; param: string }
  | { kind: 'zero' };

export type Register = 'r0' | 'r1' | 'r1:r0' | 'r0:r1';

export interface LoweredFunction {
  decl: Declaration;
  /** Go name of the call entry point (Syscall6, RawSyscallNoError, syscall_syscall, SyscallN). */
  call: string;
  /** SYS_X; for the dll convention `dll.Proc`. */
  trap: string;
  /** The libc function name in libc mode. */
  libc: string | null;
  words: WordSource[];
  /** Register(s) feeding each non-error result. */
  assign: Record<string, Register>;
  /** Name of the `error` result, if any. */
  errorResult: string | null;
  /** dll convention only. */
  dll: { name: string; proc: string; optional: boolean; failRetVal: FailRetVal | null; errorIsValue: boolean } | null;
}

/** Names the target's table knows (SYS_X; or dll.Proc), and the file that would list a trap. */
export interface TrapTable {
  has(trap: string): boolean;
  source(trap: string): string;
}

export interface LowerOptions {
  /** When given, a trap not in the table is an error, or a warning with `warnOnly`. */
  traps?: TrapTable;
  warnOnly?: boolean;
}

export interface LowerResult {
  functions: LoweredFunction[];
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

/** Constants that may appear in `[failretval==X]`, as the Word values they stand for. */
export const FAILRETVAL_CONSTANTS: Readonly<Record<string, string>> = {
  nil: '0',
  InvalidHandle: '-1',
  INVALID_FILE_SIZE: '0xffffffff',
  INVALID_SET_FILE_POINTER: '0xffffffff',
  INVALID_FILE_ATTRIBUTES: '0xffffffff',
  socket_error: '0xffffffff', // uintptr(^uint32(0)), what the winsock calls return on failure
};

/** mksyscall's default trap name: SYS_ + name, `_` at lower→upper boundaries, uppercased. */
export function defaultTrap(name: string): string {
  return ('SYS_' + name).replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

export function lowerDeclarations(decls: readonly Declaration[], target: Target, options: LowerOptions = {}): LowerResult {
  const out: LowerResult = { functions: [], errors: [], warnings: [] };
  for (const decl of decls) {
    const problems: Diagnostic[] = [];
    const fn = target.convention === 'dll' ? lowerDll(decl, target, problems, out.warnings) : lowerUnix(decl, target, problems, out.warnings);
    if (fn && options.traps && !options.traps.has(fn.trap)) {
      const at = { ...decl.source, column: decl.override?.column ?? 0 };
      const what = target.convention === 'dll' ? `procedure ${fn.trap}` : `trap ${fn.trap}`;
      const msg = `${what} is not in ${options.traps.source(fn.trap)} (the ${target.name} table)`;
      (options.warnOnly ? out.warnings : problems).push(options.warnOnly ? warningAt(at, msg) : errorAt(at, msg));
    }
    if (problems.length) out.errors.push(...problems);
    else if (fn) out.functions.push(fn);
  }
  return out;
}

function at(decl: Declaration, column: number) {
  return { ...decl.source, column };
}

/** Argument words of the parameters, shared by both conventions. */
function lowerParams(decl: Declaration, target: Target, hasError: boolean, errors: Diagnostic[], warnings: Diagnostic[]): WordSource[] {
  const words: WordSource[] = [];
  let warnedString = false;
  for (const p of decl.params) {
    const kind = goKind(p.type);
    switch (kind) {
      case 'pointer':
        words.push({ kind: 'ptr', param: p.name });
        break;
      case 'string':
        if (!hasError && !warnedString) {
          warnings.push(warningAt(at(decl, p.column), `${decl.name} uses string arguments, but has no error return (an embedded NUL cannot be reported)`));
          warnedString = true;
        }
        words.push({ kind: 'ptr', param: p.name });
        break;
      case 'slice':
        words.push({ kind: 'ptr', param: p.name }, { kind: 'len', param: p.name });
        break;
      case 'int64':
      case 'uint64':
        if (target.wordBits === 32) {
          if (target.armPairs && words.length % 2 === 1) words.push({ kind: 'zero' });
          const halves: WordSource[] = [
            { kind: 'lo', param: p.name },
            { kind: 'hi', param: p.name },
          ];
          words.push(...(target.endian === 'big' ? halves.reverse() : halves));
        } else {
          words.push({ kind: 'value', param: p.name });
        }
        break;
      case 'array':
        errors.push(errorAt(at(decl, p.column), `parameter ${p.name}: an array (${p.type}) cannot be passed by value; use *${p.type}`));
        break;
      case 'error':
        errors.push(errorAt(at(decl, p.column), `parameter ${p.name}: error is a result type, not a parameter type`));
        break;
      default:
        words.push({ kind: 'value', param: p.name });
    }
  }
  return words;
}

function checkResultType(decl: Declaration, r: Field, errors: Diagnostic[]): boolean {
  const kind = goKind(r.type);
  if (kind === 'string' || kind === 'slice' || kind === 'array') {
    errors.push(errorAt(at(decl, r.column), `result ${r.name}: a ${r.type} cannot come back in a register`));
    return false;
  }
  return true;
}

function lowerUnix(decl: Declaration, target: Target, errors: Diagnostic[], warnings: Diagnostic[]): LoweredFunction | null {
  if (decl.failRetVal) errors.push(errorAt(at(decl, decl.failRetVal.column), '[failretval…] is windows syntax (mkwinsyscall); unix declarations report errors through errno'));
  const ov = decl.override;
  let trap = defaultTrap(decl.name);
  if (ov) {
    if (ov.dll !== null || ov.optional || !/^_?SYS_\w+$/i.test(ov.name)) {
      errors.push(errorAt(at(decl, ov.column), `expected a trap name such as SYS_READ after "=", found ${JSON.stringify((ov.dll ? ov.dll + '.' : '') + ov.name + (ov.optional ? '?' : ''))}`));
    }
    trap = ov.name.replace(/^_/, '').toUpperCase();
  }
  const errorResult = decl.results.find((r) => goKind(r.type) === 'error')?.name ?? null;
  const words = lowerParams(decl, target, errorResult !== null, errors, warnings);

  const assign: Record<string, Register> = {};
  decl.results.forEach((r, i) => {
    if (r.name === errorResult || !checkResultType(decl, r, errors)) return;
    const kind = goKind(r.type);
    if ((kind === 'int64' || kind === 'uint64') && target.wordBits === 32) {
      if (i !== 0) errors.push(errorAt(at(decl, r.column), `result ${r.name}: not enough registers for a 64-bit result (it needs r0 and r1)`));
      assign[r.name] = target.endian === 'big' ? 'r0:r1' : 'r1:r0';
    } else if (i > 1) {
      errors.push(errorAt(at(decl, r.column), `result ${r.name}: only r0 and r1 carry results`));
    } else {
      assign[r.name] = i === 0 ? 'r0' : 'r1';
    }
  });

  let call = decl.nb ? 'RawSyscall' : 'Syscall';
  if (errorResult === null && target.noErrorVariants) call += 'NoError';
  if (words.length > 9) {
    errors.push(errorAt(decl.source, `too many arguments to system call: ${words.length} words, at most 9`));
  } else {
    const size = words.length <= 3 ? 3 : words.length <= 6 ? 6 : 9;
    if (call.endsWith('NoError') && size > 3) {
      errors.push(errorAt(decl.source, `${call} takes at most 3 words; give ${decl.name} an err result`));
    }
    if (size > 3) call += String(size);
    while (words.length < size) words.push({ kind: 'zero' });
  }
  let libc: string | null = null;
  if (target.convention === 'libc') {
    if (call === 'RawSyscall9') errors.push(errorAt(decl.source, 'libc mode has no raw call with more than 6 words (syscall_rawSyscall9 does not exist); use //sys'));
    call = 'syscall_' + call[0]!.toLowerCase() + call.slice(1);
    libc = trap.replace(/^SYS_/, '').toLowerCase();
  }
  return { decl, call, trap, libc, words, assign, errorResult, dll: null };
}

function lowerDll(decl: Declaration, target: Target, errors: Diagnostic[], warnings: Diagnostic[]): LoweredFunction | null {
  const ov = decl.override;
  const dll = ov?.dll ?? 'kernel32';
  const proc = ov?.name ?? decl.name;
  const results = decl.results;
  let errorResult: string | null = null;
  let errorIsValue = false;
  const assign: Record<string, Register> = {};
  if (results.length > 2) errors.push(errorAt(at(decl, results[2]!.column), 'too many results: at most a value and err'));
  const [first, second] = results;
  if (second && goKind(second.type) !== 'error') errors.push(errorAt(at(decl, second.column), `the second result must be of type error, found ${second.type}`));
  if (first && goKind(first.type) === 'error') {
    errorResult = first.name;
    // `(err error)` reports GetLastError; any other name returns the value itself as the error.
    errorIsValue = first.name !== 'err';
  } else if (first && checkResultType(decl, first, errors)) {
    assign[first.name] = 'r0';
    if (second) errorResult = second.name;
  }
  const fail = decl.failRetVal;
  for (const v of fail ? [fail.value, ...(fail.mask === null ? [] : [fail.mask])] : []) {
    if (!/^-?(0x[0-9a-f]+|\d+)$/i.test(v) && !(v in FAILRETVAL_CONSTANTS)) {
      errors.push(errorAt(at(decl, fail!.column), `unknown failretval constant ${v}; known: ${Object.keys(FAILRETVAL_CONSTANTS).join(', ')}, or a number`));
    }
  }
  const words = lowerParams(decl, target, errorResult !== null, errors, warnings);
  return {
    decl,
    call: 'SyscallN',
    trap: `${dll}.${proc}`,
    libc: null,
    words,
    assign,
    errorResult,
    dll: { name: dll, proc, optional: ov?.optional ?? false, failRetVal: fail, errorIsValue },
  };
}

/** The `inspect --json` view of a lowered function (shape fixed by the CLI contract). */
export function describeFunction(fn: LoweredFunction) {
  const field = (f: Field) => ({ name: f.name, type: f.type });
  return {
    name: fn.decl.name,
    nb: fn.decl.nb,
    call: fn.call,
    trap: fn.trap,
    libc: fn.libc,
    params: fn.decl.params.map(field),
    results: fn.decl.results.map(field),
    words: fn.words.map((w) => (w.kind === 'zero' ? '0' : w.kind === 'value' ? w.param : `${w.kind}(${w.param})`)),
    assign: fn.assign,
  };
}
