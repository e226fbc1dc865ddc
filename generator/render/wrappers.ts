// Turns lowered functions into the TypeScript of generated wrappers, one function at a
// time, recording which runtime helpers, trap numbers and libc trampolines each file
// must import or declare. The file skeleton is the handlebars template
// generator/templates/zsyscall.hbs; this module lays out the lines inside it (see
// layout.ts for the formatting rule).
//
// Typed API: Go int-like types → number, int64/uint64 → bigint, bool → boolean,
// string → string, []T → a typed array of T's width (Uint8Array when unknown, its
// length counted in bytes), *T and unsafe.Pointer → Ptr, pointer results → Word, the
// error result → Errno | null. A wrapper returns its results as a tuple in declared order.
// On windows, *bool is a Uint8Array holding one Go bool: as mkwinsyscall does, the wrapper
// passes the procedure a 4-byte BOOL made from it and copies the answer back after the call.
import type { Field } from '../model/declarations.ts';
import { goKind, knownKind, type GoKind } from '../model/declarations.ts';
import type { LoweredFunction, Register, WordSource } from '../lower/lower.ts';
import { FAILRETVAL_CONSTANTS } from '../lower/lower.ts';
import type { Target } from '../targets.ts';
import { bracketed, constCall, PRINT_WIDTH, stringLiteral, tsName } from './layout.ts';

/** What one zsyscall file needs besides its functions. */
export interface FileNeeds {
  runtime: Set<string>;
  runtimeTypes: Set<string>;
  traps: Set<string>;
  errnoErr: boolean;
}

export interface RenderedFunction {
  signature: string;
  body: string[];
  /** Declarations that follow the function (a darwin trampoline, first use only). */
  after: string[];
}

const SLICE_ARRAYS: Partial<Record<GoKind, string>> = {
  uint8: 'Uint8Array',
  int8: 'Int8Array',
  int16: 'Int16Array',
  uint16: 'Uint16Array',
  int32: 'Int32Array',
  uint32: 'Uint32Array',
  int64: 'BigInt64Array',
  uint64: 'BigUint64Array',
};

function sliceArray(elem: string, t: Target): string {
  const kind = knownKind(elem);
  if (kind === 'int') return t.wordBits === 64 ? 'BigInt64Array' : 'Int32Array';
  if (kind === 'uint' || kind === 'uintptr') return t.wordBits === 64 ? 'BigUint64Array' : 'Uint32Array';
  return (kind && SLICE_ARRAYS[kind]) ?? 'Uint8Array';
}

/** A windows *bool parameter, passed as a 4-byte BOOL (mkwinsyscall's rule). */
function isDllBoolPointer(fn: LoweredFunction, f: Field): boolean {
  return fn.dll !== null && f.type === '*bool';
}

function paramType(fn: LoweredFunction, f: Field, t: Target, needs: FileNeeds): string {
  if (isDllBoolPointer(fn, f)) return 'Uint8Array';
  switch (goKind(f.type)) {
    case 'pointer':
      needs.runtimeTypes.add('Ptr');
      return 'Ptr';
    case 'slice':
      return sliceArray(f.type.slice(2), t);
    case 'string':
      return 'string';
    case 'bool':
      return 'boolean';
    case 'int64':
    case 'uint64':
      return 'bigint';
    default:
      return 'number';
  }
}

function resultType(f: Field, needs: FileNeeds): string {
  switch (goKind(f.type)) {
    case 'error':
      needs.runtimeTypes.add('Errno');
      return 'Errno | null';
    case 'pointer':
      needs.runtimeTypes.add('Word');
      return 'Word';
    case 'bool':
      return 'boolean';
    case 'int64':
    case 'uint64':
      return 'bigint';
    default:
      return 'number';
  }
}

function zeroValue(f: Field): string {
  const kind = goKind(f.type);
  return kind === 'bool' ? 'false' : kind === 'int64' || kind === 'uint64' ? '0n' : '0';
}

/** The runtime helper that decodes a result of `kind` from one word on `t`. */
function decoder(kind: GoKind, t: Target): string | null {
  const wide = t.wordBits === 64;
  switch (kind) {
    case 'int':
      return wide ? 'toInt' : 'toInt32';
    case 'uint':
    case 'uintptr':
      return wide ? 'toUint' : 'toUint32';
    case 'int64':
      return 'toInt64';
    case 'uint64':
      return 'toUint64';
    case 'bool':
      return 'toBool';
    case 'pointer':
      return null;
    default:
      return 'to' + kind[0]!.toUpperCase() + kind.slice(1);
  }
}

function decode(f: Field, reg: Register, t: Target, needs: FileNeeds): string {
  const kind = goKind(f.type);
  if (reg.includes(':')) {
    const [hi, lo] = reg.split(':');
    const join = kind === 'uint64' ? 'joinUint64' : 'joinInt64';
    needs.runtime.add(join);
    return `${join}(${hi}, ${lo})`;
  }
  const fn = decoder(kind, t);
  if (fn === null) return reg;
  needs.runtime.add(fn);
  return `${fn}(${reg})`;
}

/** Renders one wrapper; `trampolines` holds the libc functions already declared in the file. */
export function renderFunction(fn: LoweredFunction, t: Target, needs: FileNeeds, trampolines: Set<string>): RenderedFunction {
  const d = fn.decl;
  const name = tsName(d.name);
  const params = d.params.map((p) => `${tsName(p.name)}: ${paramType(fn, p, t, needs)}`);
  needs.runtimeTypes.add('Go');
  const tuple = d.results.map((r) => `${tsName(r.name)}: ${resultType(r, needs)}`).join(', ');
  const open = `export function* ${name}(`;
  const close = `): Go<[${tuple}]> {`;
  // With no parameters to break, prettier breaks the type argument list instead.
  const signature = params.length === 0 && open.length + close.length > PRINT_WIDTH ? `${open}): Go<\n  [${tuple}]\n> {` : bracketed('', open, params, close);

  const body: string[] = [];
  const errorSlot = d.results.findIndex((r) => r.name === fn.errorResult);
  const earlyReturn = (err: string) =>
    bracketed('  ', `if (${err} !== null) return [`, d.results.map((r, i) => (i === errorSlot ? err : zeroValue(r))), '];');

  // Strings become NUL-terminated copies in guest memory (UTF-16 for W procedures);
  // stringWords maps such a parameter (and a windows *bool) to the local passed instead.
  const stringWords = new Map<string, string>();
  const converter = fn.dll && !fn.dll.proc.endsWith('A') ? 'UTF16PtrFromString' : 'BytePtrFromString';
  if (fn.dll?.optional && fn.errorResult !== null) {
    body.push(`  const errFind = proc${fn.dll.proc}.Find();`, earlyReturn('errFind'));
  }
  for (const p of d.params) {
    if (goKind(p.type) !== 'string') continue;
    const n = stringWords.size;
    needs.runtime.add(converter);
    if (fn.errorResult !== null) {
      body.push(`  const [_p${n}, err${n}] = ${converter}(${tsName(p.name)});`, earlyReturn(`err${n}`));
    } else {
      body.push(`  const [_p${n}] = ${converter}(${tsName(p.name)});`);
    }
    stringWords.set(p.name, `_p${n}`);
  }
  // Windows *bool: the BOOL the procedure reads and writes, and the copy back after it.
  const copyBack: string[] = [];
  for (const p of d.params) {
    if (!isDllBoolPointer(fn, p)) continue;
    const b = `_b${copyBack.length}`;
    const name = tsName(p.name);
    body.push(`  const ${b} = new Uint8Array([${name}[0] ? 1 : 0, 0, 0, 0]);`);
    copyBack.push(`  ${name}[0] = ${b}.some((x) => x !== 0) ? 1 : 0;`);
    stringWords.set(p.name, b);
  }

  const args = fn.words.map((w) => wordExpr(w, fn, stringWords, needs));
  let callee: string;
  if (fn.dll) {
    callee = `proc${fn.dll.proc}.Addr()`;
  } else if (fn.libc !== null) {
    callee = `libc_${fn.libc}_trampoline_addr`;
    if (!trampolines.has(fn.libc)) needs.runtime.add('libcTrampoline');
  } else {
    callee = fn.trap;
    needs.traps.add(fn.trap);
  }
  needs.runtime.add(fn.call);

  const regs = Object.values(fn.assign).join(':');
  const uses = { r0: regs.includes('r0'), r1: regs.includes('r1'), e1: fn.errorResult !== null && !fn.dll?.errorIsValue };
  if (fn.dll) uses.r0 ||= fn.errorResult !== null;
  const pattern = [uses.r0 ? 'r0' : '', uses.r1 ? 'r1' : '', uses.e1 ? 'e1' : ''];
  while (pattern.length && pattern.at(-1) === '') pattern.pop();
  const head = pattern.length ? `const [${pattern.join(', ')}] = yield* ${fn.call}(` : `yield* ${fn.call}(`;
  body.push(bracketed('  ', head, [callee, ...args], ');'));
  body.push(...copyBack);

  if (fn.dll) body.push(...dllResults(fn, t, needs));
  else {
    const items = d.results.map((r) => {
      if (r.name === fn.errorResult) {
        needs.errnoErr = true;
        return 'e1 !== 0 ? errnoErr(e1) : null';
      }
      return decode(r, fn.assign[r.name]!, t, needs);
    });
    body.push(bracketed('  ', 'return [', items, '];'));
  }

  const after: string[] = [];
  if (fn.libc !== null && !trampolines.has(fn.libc)) {
    trampolines.add(fn.libc);
    after.push(constCall(`libc_${fn.libc}_trampoline_addr`, 'libcTrampoline', stringLiteral(fn.libc)));
  }
  return { signature, body, after };
}

function wordExpr(w: WordSource, fn: LoweredFunction, strings: Map<string, string>, needs: FileNeeds): string {
  if (w.kind === 'zero') return '0';
  const p = fn.decl.params.find((x) => x.name === w.param)!;
  const name = tsName(p.name);
  const kind = goKind(p.type);
  switch (w.kind) {
    case 'ptr':
      if (kind === 'string') return strings.get(p.name)!;
      if (isDllBoolPointer(fn, p)) {
        needs.runtime.add('Pointer');
        return `Pointer(${strings.get(p.name)!})`;
      }
      if (kind === 'slice') {
        const helper = fn.dll ? 'SlicePtrOrNil' : 'SlicePtr';
        needs.runtime.add(helper);
        return `${helper}(${name})`;
      }
      needs.runtime.add('Pointer');
      return `Pointer(${name})`;
    case 'len':
      return `${name}.length`;
    case 'lo':
    case 'hi':
      needs.runtime.add(`${w.kind}32`);
      return `${w.kind}32(${name})`;
    case 'value':
      return kind === 'bool' ? `${name} ? 1 : 0` : name;
  }
}

/** mkwinsyscall's result rules: the value from r0, err from GetLastError when the failure condition holds. */
function dllResults(fn: LoweredFunction, t: Target, needs: FileNeeds): string[] {
  const d = fn.decl;
  const dll = fn.dll!;
  needs.errnoErr ||= fn.errorResult !== null;
  if (d.results.length === 0) return ['  return [];'];
  if (fn.errorResult !== null && dll.errorIsValue) {
    needs.runtime.add('toInt');
    return ['  return [r0 !== 0 ? errnoErr(toInt(r0)) : null];'];
  }
  const value = d.results.find((r) => r.name !== fn.errorResult);
  const lines: string[] = [];
  // The failure condition is about the value result, or the raw r0 when there is none.
  let subject = 'r0';
  if (value) {
    subject = tsName(value.name);
    lines.push(`  const ${subject} = ${decode(value, 'r0', t, needs)};`);
    if (fn.errorResult === null) return [...lines, `  return [${subject}];`];
  }
  const big = value !== undefined && (goKind(value.type) === 'int64' || goKind(value.type) === 'uint64');
  const literal = (x: string) => (FAILRETVAL_CONSTANTS[x] ?? x).toLowerCase() + (big ? 'n' : '');
  let cond: string;
  if (dll.failRetVal) {
    const { mask, op, value: against } = dll.failRetVal;
    const lhs = mask === null ? subject : `(${subject} & ${literal(mask)})`;
    cond = `${lhs} ${op === '==' ? '===' : op === '!=' ? '!==' : op} ${literal(against)}`;
  } else {
    cond = value && goKind(value.type) === 'bool' ? `!${subject}` : `${subject} === ${big ? '0n' : '0'}`;
  }
  if (!value) return [...lines, bracketed('  ', 'return [', [`${cond} ? errnoErr(e1) : null`], '];')];
  const v = subject;
  const items = [v, `${cond} ? errnoErr(e1) : null`];
  if (fn.errorResult === d.results[0]?.name) items.reverse();
  return [...lines, bracketed('  ', 'return [', items, '];')];
}
