// The linker: lays out assembled objects into a loadable image and resolves symbols.
//
// Layout. Sections are grouped into page-aligned segments, in this order from `base`
// (default 0x400000): user text (r-x), user read-only data (r--), user data (rw-), then the
// same three for supervisor objects (pages not accessible from ring 3), then one page of
// host stubs for ring 3 and one for ring 0. Functions are 16-byte aligned, data 8-byte
// aligned; gaps in text are filled with INT3 (CC). Empty segments are omitted.
//
// Host bindings. `bindHost(name, fn)` defines `name` as a 16-byte slot in a page mapped
// { host: true }: when execution reaches it the CPU stops with { kind: 'host', addr } (or
// calls its hostCall hook, which a machine may use to serve the address without stopping)
// and the machine calls `image.callHost(cpu, addr)`, which runs fn and then returns to the
// caller by popping the return address, as the RET of a real function would. This is how
// `CALL runtime·entersyscall(SB)` reaches TypeScript (the same idea as go:linkname).
//
// Relocations. pcrel32 (RIP-relative operands, CALL/JMP/Jcc rel32): S + A - P must fit in
// a signed 32-bit field; abs32 (indexed symbol operands, sign-extended by the CPU) needs
// S + A in [-2^31, 2^31); abs64 (DATA $sym(SB)) takes any address. Branches to symbols are
// always rel32 (only label branches inside a function are relaxed, by the assembler).
// Local symbols (name<>) resolve inside their own object first.
//
// Invariant: `link` returns a complete image or throws an AsmError naming every undefined
// or duplicate symbol and every relocation that does not fit, with file:line:col.
import type { Cpu } from '../cpu/cpu.ts';
import { PROT_EXEC, PROT_READ, PROT_WRITE, type Memory } from '../cpu/memory.ts';
import { symbolName, type AsmObject, type ObjSymbol } from './assembler.ts';
import { AsmError, type Diagnostic } from './errors.ts';

const PAGE = 4096;
const HOST_SLOT = 16;

export type HostFunction = (cpu: Cpu) => void;

export interface Segment {
  name: string;
  addr: number;
  /** Initial contents; the mapped length is `size` rounded up to a page. */
  bytes: Uint8Array;
  size: number;
  prot: number;
  user: boolean;
  host: boolean;
}

export interface LinkedSymbol {
  name: string;
  addr: number;
  size: number;
  kind: 'text' | 'data' | 'host';
  /** Supervisor-only (ring 0) placement. */
  supervisor: boolean;
  /** Where it came from (absent for host bindings). */
  object?: AsmObject;
  symbol?: ObjSymbol;
}

export interface Image {
  segments: Segment[];
  /** Global symbols by Go object-file name (runtime.entersyscall, syscall.Syscall). */
  symbols: Map<string, LinkedSymbol>;
  /** Every placed symbol, local ones included, in address order. */
  all: LinkedSymbol[];
  /** Address of a global symbol; throws when undefined. */
  addressOf(name: string): number;
  /** The symbol containing addr, if any. */
  symbolAt(addr: number): LinkedSymbol | undefined;
  /** Runs the host function bound at addr and returns from it (pops the return address). Returns its name. */
  callHost(cpu: Cpu, addr: number): string;
}

interface Unit {
  object: AsmObject;
  supervisor: boolean;
}

interface Binding {
  name: string;
  fn: HostFunction;
  supervisor: boolean;
}

export interface LinkOptions {
  base?: number;
}

export class Linker {
  private readonly units: Unit[] = [];
  private readonly bindings: Binding[] = [];

  constructor(private readonly opts: LinkOptions = {}) {}

  /** Adds an object; supervisor objects are placed in pages ring 3 cannot touch. */
  add(object: AsmObject, opts: { supervisor?: boolean } = {}): this {
    this.units.push({ object, supervisor: opts.supervisor ?? false });
    return this;
  }

  /**
   * Binds a symbol (Plan 9 or object-file spelling: runtime·entersyscall or
   * runtime.entersyscall) to a host function. Supervisor bindings are reachable from ring 0
   * only (do_syscall_64).
   */
  bindHost(name: string, fn: HostFunction, opts: { supervisor?: boolean } = {}): this {
    this.bindings.push({ name: symbolName(name, 'main'), fn, supervisor: opts.supervisor ?? false });
    return this;
  }

  link(): Image {
    const errors: Diagnostic[] = [];
    const fail = (object: AsmObject | null, loc: { line: number; column: number }, message: string) =>
      errors.push({ file: object?.file ?? '<link>', loc, message, sourceLine: object?.source.split('\n')[loc.line - 1] ?? '' });
    const segments: Segment[] = [];
    const placed: Array<{ unit: Unit; sym: ObjSymbol; addr: number; segment: Segment }> = [];
    let cursor = this.opts.base ?? 0x400000;

    const layout = (name: string, prot: number, supervisor: boolean, pick: (s: ObjSymbol) => boolean, align: number, fill: number) => {
      const members: Array<{ unit: Unit; sym: ObjSymbol; offset: number }> = [];
      let size = 0;
      for (const unit of this.units) {
        if (unit.supervisor !== supervisor) continue;
        for (const sym of unit.object.symbols) {
          if (!pick(sym)) continue;
          size = Math.ceil(size / align) * align;
          members.push({ unit, sym, offset: size });
          size += Math.max(sym.bytes.length, 1);
        }
      }
      if (!members.length) return;
      const bytes = new Uint8Array(size).fill(fill);
      const segment: Segment = { name, addr: cursor, bytes, size, prot, user: !supervisor, host: false };
      for (const m of members) {
        bytes.set(m.sym.bytes, m.offset);
        placed.push({ unit: m.unit, sym: m.sym, addr: cursor + m.offset, segment });
      }
      segments.push(segment);
      cursor += Math.ceil(size / PAGE) * PAGE;
    };
    for (const supervisor of [false, true]) {
      const prefix = supervisor ? 'kernel.' : '';
      layout(`${prefix}text`, PROT_READ | PROT_EXEC, supervisor, (s) => s.kind === 'text', 16, 0xcc);
      layout(`${prefix}rodata`, PROT_READ, supervisor, (s) => s.kind === 'data' && s.readonly, 8, 0);
      layout(`${prefix}data`, PROT_READ | PROT_WRITE, supervisor, (s) => s.kind === 'data' && !s.readonly, 8, 0);
    }

    const all: LinkedSymbol[] = [];
    const globals = new Map<string, LinkedSymbol>();
    const locals = new Map<AsmObject, Map<string, LinkedSymbol>>();
    const define = (ls: LinkedSymbol, object: AsmObject | null, loc: { line: number; column: number }) => {
      all.push(ls);
      if (ls.symbol?.local && object) {
        const table = locals.get(object) ?? new Map<string, LinkedSymbol>();
        locals.set(object, table);
        table.set(ls.name, ls);
        return;
      }
      if (globals.has(ls.name)) fail(object, loc, `${ls.name} is defined more than once`);
      globals.set(ls.name, ls);
    };
    for (const p of placed) {
      define(
        { name: p.sym.name, addr: p.addr, size: p.sym.bytes.length, kind: p.sym.kind, supervisor: p.unit.supervisor, object: p.unit.object, symbol: p.sym },
        p.unit.object,
        p.sym.loc,
      );
    }
    const hosts = new Map<number, Binding>();
    for (const supervisor of [false, true]) {
      const mine = this.bindings.filter((b) => b.supervisor === supervisor);
      if (!mine.length) continue;
      const size = mine.length * HOST_SLOT;
      const segment: Segment = {
        name: supervisor ? 'kernel.host' : 'host', addr: cursor, bytes: new Uint8Array(size).fill(0xcc), size,
        prot: PROT_READ | PROT_EXEC, user: !supervisor, host: true,
      };
      mine.forEach((b, i) => {
        const addr = cursor + i * HOST_SLOT;
        hosts.set(addr, b);
        define({ name: b.name, addr, size: HOST_SLOT, kind: 'host', supervisor }, null, { line: 1, column: 1 });
      });
      segments.push(segment);
      cursor += Math.ceil(size / PAGE) * PAGE;
    }

    for (const p of placed) {
      const view = new DataView(p.segment.bytes.buffer);
      const at = p.addr - p.segment.addr;
      for (const r of p.sym.relocs) {
        const target = locals.get(p.unit.object)?.get(r.sym) ?? globals.get(r.sym);
        if (!target) {
          fail(p.unit.object, r.loc, `undefined symbol ${r.sym}`);
          continue;
        }
        const field = p.addr + r.offset;
        const value = r.kind === 'pcrel' ? target.addr + r.addend - field : target.addr + r.addend;
        if (r.width === 8) {
          view.setBigInt64(at + r.offset, BigInt(value), true);
          continue;
        }
        if (value < -(2 ** 31) || value >= 2 ** 31) {
          fail(p.unit.object, r.loc, `${r.sym} is out of reach of a 32-bit ${r.kind === 'pcrel' ? 'relative' : 'absolute'} reference`);
          continue;
        }
        view.setInt32(at + r.offset, value, true);
      }
    }
    if (errors.length) throw new AsmError(errors);
    all.sort((a, b) => a.addr - b.addr);
    return {
      segments,
      symbols: globals,
      all,
      addressOf(name: string): number {
        const s = globals.get(name) ?? globals.get(symbolName(name, 'main'));
        if (!s) throw new Error(`undefined symbol ${name}`);
        return s.addr;
      },
      symbolAt(addr: number): LinkedSymbol | undefined {
        return all.find((s) => addr >= s.addr && addr < s.addr + Math.max(s.size, 1));
      },
      callHost(cpu: Cpu, addr: number): string {
        const b = hosts.get(addr);
        if (!b) throw new Error(`no host function at 0x${addr.toString(16)}`);
        b.fn(cpu);
        cpu.hostReturn();
        return b.name;
      },
    };
  }
}

/** Maps every segment of the image into memory with its permissions and writes its bytes. */
export function loadImage(mem: Memory, image: Image): void {
  for (const s of image.segments) {
    const length = Math.ceil(s.size / PAGE) * PAGE;
    mem.map(s.addr, length, s.prot, { user: s.user, host: s.host });
    mem.write(s.addr, s.bytes, { force: true });
  }
}
