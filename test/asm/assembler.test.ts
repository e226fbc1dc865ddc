// The assembler's meaning of Plan 9 syntax: located errors, argument checks against the
// TEXT's $frame-argsize, Go's frame setup and pseudo-registers, branch relaxation, DATA and
// GLOBL, symbol naming; and the linker: layout, relocations, locals, host bindings.
import { describe, expect, it } from 'vitest';
import { assemble, type AsmObject } from '../../runtime/asm/assembler.ts';
import { AsmError } from '../../runtime/asm/errors.ts';
import { Linker, loadImage } from '../../runtime/asm/linker.ts';
import { disassemble } from '../../runtime/cpu/disasm.ts';
import { Cpu, RAX, RSP } from '../../runtime/cpu/cpu.ts';
import { Memory, PROT_READ, PROT_WRITE } from '../../runtime/cpu/memory.ts';

function errorOf(src: string, file = 'f.s'): string {
  try {
    assemble(src, { file });
  } catch (e) {
    if (e instanceof AsmError) return e.message;
    throw e;
  }
  throw new Error('assembled without error');
}

/** Disassembly of a symbol's bytes, one instruction per entry. */
function insns(obj: AsmObject, name: string): string[] {
  const bytes = obj.symbols.find((s) => s.name === name)!.bytes;
  const out: string[] = [];
  for (let off = 0; off < bytes.length; ) {
    const d = disassemble(bytes.subarray(off), off);
    if (!d) throw new Error(`undecodable at ${off}`);
    out.push(d.text.replace(/\s+/g, ' '));
    off += d.length;
  }
  return out;
}

describe('errors', () => {
  it('a syntax error names file:line:col, quotes the line, puts a caret and says what was expected', () => {
    const msg = errorOf('TEXT ·f(SB),$0\n\tMOVQ AX, BX,\n');
    expect(msg.split('\n')[0]).toBe('f.s:2:14: expected operand but found end of line');
    expect(msg.split('\n')[1]).toBe(' MOVQ AX, BX,');
    expect(msg.split('\n')[2]).toBe('             ^');
  });

  it('lists every semantic error with its location and produces nothing', () => {
    const msg = errorOf('TEXT ·f(SB),$0-8\n\tFOOQ AX\n\tMOVQ (AX), (BX)\n\tJEQ nowhere\n\tMOVQ AL, BX\n');
    expect(msg).toContain('f.s:2:2: unknown instruction FOOQ');
    expect(msg).toContain('f.s:3:2: MOVQ: no 64-bit encoding of mov takes (mem, mem)');
    expect(msg).toContain('f.s:4:6: undefined label nowhere');
    expect(msg).toContain('f.s:5:7: MOVQ: AL is a byte register but the operation is 64-bit');
  });

  it('LOCK must prefix a read-modify-write of memory', () => {
    expect(errorOf('TEXT ·f(SB),$0\n\tLOCK\n\tXADDQ AX, BX\n')).toContain('f.s:3:2: XADDQ: LOCK needs a memory destination');
    expect(errorOf('TEXT ·f(SB),$0\n\tLOCK; MOVQ AX, (BX)\n')).toContain('LOCK cannot prefix mov');
    expect(errorOf('TEXT ·f(SB),$0\n\tLOCK\n\tRET\n')).toContain('f.s:2:2: LOCK must prefix a read-modify-write instruction, not RET');
    expect(errorOf('TEXT ·f(SB),$0\n\tRET\n\tLOCK\n')).toContain('f.s:3:2: LOCK at the end of a function prefixes nothing');
  });

  it('checks name+off(FP) against the declared argument size', () => {
    expect(errorOf('TEXT ·f(SB),$0-16\n\tMOVQ a+16(FP), AX\n')).toContain('f.s:2:7: MOVQ: a+16(FP) is outside the 16-byte argument area');
    expect(errorOf('TEXT ·f(SB),$0-16\n\tMOVL a+14(FP), AX\n')).toContain('a+14(FP) is outside the 16-byte argument area');
    expect(errorOf('TEXT ·f(SB),$0-16\n\tMOVQ 8(FP), AX\n')).toContain('an argument reference needs a name: name+8(FP)');
    expect(errorOf('TEXT ·f(SB),$0\n\tMOVQ a+0(FP), AX\n')).toContain('the TEXT declares no argument size');
    expect(errorOf('TEXT ·f(SB),$0-16\n\tMOVQ a+0(FP), AX\n\tMOVQ a+8(FP), AX\n')).toContain('a is at 8(FP) here but at 0(FP) earlier');
    expect(() => assemble('TEXT ·f(SB),$0-16\n\tMOVQ a+0(FP), AX\n\tMOVL b+12(FP), AX\n')).not.toThrow();
  });

  it('checks locals against the frame, flags against textflag.h, includes, DATA against GLOBL', () => {
    expect(errorOf('TEXT ·f(SB),$16-0\n\tMOVQ x-24(SP), AX\n\tRET\n')).toContain('x-24(SP) is outside the 16-byte frame');
    expect(errorOf('TEXT ·f(SB),NOSPLTI,$0\n')).toContain('unknown flag NOSPLTI');
    expect(errorOf('#include "other.h"\n')).toContain('cannot include "other.h"');
    expect(errorOf('DATA x<>+8(SB)/8, $1\nGLOBL x<>(SB), RODATA, $8\n')).toContain('beyond its GLOBL size 8');
    expect(errorOf('DATA y+0(SB)/1, $300\nGLOBL y(SB), $1\n')).toContain('value does not fit in 1 byte');
    expect(errorOf('GLOBL big(SB), $1000000000000\n')).toContain('f.s:1:16: expected $size, at most 268435456');
    expect(errorOf('TEXT ·f(SB),$0\n\tMOVQ $0x10000000000000000, AX\n')).toContain('f.s:2:8: number does not fit in 64 bits');
    expect(errorOf('TEXT ·f(SB),$0\n\tMOVQ $(1/0), AX\n')).toContain('division by zero');
    expect(errorOf('TEXT ·f(SB),$0\n\tRET\nTEXT ·f(SB),$0\n\tRET\n')).toContain('main.f is defined twice');
  });
});

describe('frames and pseudo-registers', () => {
  it('frame 0: x+0(FP) is 8(SP); PUSHQ moves it like Go does; n(SP) is the hardware SP', () => {
    const obj = assemble('TEXT ·f(SB),NOSPLIT,$0-16\n\tMOVQ x+0(FP), AX\n\tPUSHQ AX\n\tMOVQ y+8(FP), BX\n\tPOPQ CX\n\tMOVQ 8(SP), DX\n\tRET\n');
    expect(insns(obj, 'main.f')).toEqual(['mov 0x8(%rsp),%rax', 'push %rax', 'mov 0x18(%rsp),%rbx', 'pop %rcx', 'mov 0x8(%rsp),%rdx', 'ret']);
  });

  it('frame > 0: BP is saved, the frame allocated, and every RET gets the epilogue', () => {
    const obj = assemble('TEXT ·g(SB),$16-8\n\tMOVQ x+0(FP), AX\n\tMOVQ AX, t-8(SP)\n\tJEQ done\n\tRET\ndone:\n\tRET\n');
    expect(insns(obj, 'main.g')).toEqual([
      'push %rbp', 'mov %rsp,%rbp', 'sub $0x10,%rsp',
      'mov 0x20(%rsp),%rax', 'mov %rax,0x8(%rsp)', 'je 0x1a',
      'add $0x10,%rsp', 'pop %rbp', 'ret',
      'add $0x10,%rsp', 'pop %rbp', 'ret',
    ]);
  });

  it('NOFRAME is for frame size 0 only', () => {
    expect(insns(assemble('TEXT ·h(SB),NOSPLIT|NOFRAME,$0-0\n\tRET\n'), 'main.h')).toEqual(['ret']);
    expect(errorOf('TEXT ·h(SB),NOSPLIT|NOFRAME,$16-0\n\tRET\n')).toContain('f.s:1:29: NOFRAME is only valid with a frame size of 0');
  });
});

describe('symbols, branches and data', () => {
  it('names symbols as Go does: ·x in the package, a·b, locals with <>', () => {
    const obj = assemble('TEXT ·f(SB),$0\n\tRET\nTEXT runtime·g(SB),$0\n\tRET\nTEXT h<>(SB),$0\n\tRET\n', { pkg: 'syscall' });
    expect(obj.symbols.map((s) => [s.name, s.local])).toEqual([['syscall.f', false], ['runtime.g', false], ['h<>', true]]);
  });

  it('relaxes label branches to rel8 up to 127 bytes and rel32 beyond, backwards too', () => {
    const pad = (n: number) => Array(n).fill('\tNOP').join('\n');
    const reach = (n: number) => assemble(`TEXT ·f(SB),$0\n\tJMP l\n${pad(n)}\nl:\n\tRET\n`).symbols[0]!.bytes.length - n - 1;
    expect(reach(127)).toBe(2);
    expect(reach(128)).toBe(5);
    const back = (n: number) => assemble(`TEXT ·f(SB),$0\nl:\n${pad(n)}\n\tJNE l\n`).symbols[0]!.bytes.length - n;
    expect(back(126)).toBe(2);
    expect(back(127)).toBe(6);
  });

  it('DATA and GLOBL build data symbols: numbers, strings, addresses, RODATA', () => {
    const obj = assemble(
      'DATA msg<>+0(SB)/8, $"hello"\nDATA msg<>+8(SB)/4, $0x11223344\nGLOBL msg<>(SB), RODATA, $16\n' +
        'DATA ptr+0(SB)/8, $msg<>+2(SB)\nGLOBL ptr(SB), NOPTR, $8\nGLOBL zero(SB), $32\n',
    );
    const msg = obj.symbols.find((s) => s.name === 'msg<>')!;
    expect(Buffer.from(msg.bytes).toString('hex')).toBe('68656c6c6f000000' + '4433221100000000');
    expect(msg.readonly).toBe(true);
    const image = new Linker().add(obj).link();
    const ptr = image.symbols.get('ptr')!;
    const seg = image.segments.find((s) => s.name === 'data')!;
    const value = new DataView(seg.bytes.buffer).getBigUint64(ptr.addr - seg.addr, true);
    expect(Number(value)).toBe(image.all.find((s) => s.name === 'msg<>')!.addr + 2);
    expect(image.symbols.get('zero')!.size).toBe(32);
    expect(image.segments.map((s) => s.name)).toEqual(['rodata', 'data']);
  });
});

describe('linker', () => {
  it('reports undefined symbols at the referencing line', () => {
    const obj = assemble('TEXT ·f(SB),$0\n\tCALL ·missing(SB)\n\tRET\n', { file: 'a.s' });
    expect(() => new Linker().add(obj).link()).toThrow(/a\.s:2:7: undefined symbol main\.missing/);
    const data = assemble('TEXT ·f(SB),$0\n\tRET\n\tMOVQ ·table+8(SB), AX\n', { file: 'b.s' });
    expect(() => new Linker().add(data).link()).toThrow(/b\.s:3:7: undefined symbol main\.table/);
  });

  it('keeps locals per object and refuses duplicate globals', () => {
    const a = assemble('TEXT t<>(SB),$0\n\tMOVQ $1, AX\n\tRET\nTEXT ·a(SB),$0\n\tJMP t<>(SB)\n', { file: 'a.s' });
    const b = assemble('TEXT t<>(SB),$0\n\tMOVQ $2, AX\n\tRET\nTEXT ·b(SB),$0\n\tJMP t<>(SB)\n', { file: 'b.s' });
    const image = new Linker().add(a).add(b).link();
    const mem = new Memory();
    loadImage(mem, image);
    mem.map(0x7000_0000, 0x1000, PROT_READ | PROT_WRITE);
    const results = ['main.a', 'main.b'].map((name) => {
      const cpu = new Cpu(mem);
      cpu.rip = image.addressOf(name);
      cpu.setReg(RSP, 0x7000_0ff8);
      cpu.run(10); // runs off the end of the stack page after RET: only RAX matters
      return cpu.getReg(RAX);
    });
    expect(results).toEqual([1n, 2n]);
    expect(() => new Linker().add(a).add(a).link()).toThrow(/main\.a is defined more than once/);
  });

  it('RIP-relative and absolute symbol references resolve to the symbol', () => {
    const obj = assemble('GLOBL tab(SB), $64\nTEXT ·f(SB),$0\n\tMOVQ tab+8(SB), AX\n\tMOVQ tab(SB)(BX*8), CX\n\tRET\n');
    const image = new Linker().add(obj).link();
    const mem = new Memory();
    loadImage(mem, image);
    const tab = image.addressOf('tab');
    for (let i = 0; i < 8; i++) mem.write(tab + 8 * i, new Uint8Array([i + 1, 0, 0, 0, 0, 0, 0, 0]), { force: true });
    const cpu = new Cpu(mem);
    cpu.rip = image.addressOf('main.f');
    cpu.setReg(3, 5);
    cpu.run(2);
    expect([cpu.getReg(0), cpu.getReg(1)]).toEqual([2n, 6n]);
  });

  it('host bindings stop the CPU at their slot; callHost runs the function and returns to the caller', () => {
    const obj = assemble('TEXT ·f(SB),$0\n\tMOVQ $7, AX\n\tCALL runtime·hook(SB)\n\tADDQ $1, AX\n\tHLT\n');
    const calls: bigint[] = [];
    const image = new Linker()
      .add(obj)
      .bindHost('runtime·hook', (cpu) => {
        calls.push(cpu.getReg(RAX));
        cpu.setReg(RAX, 100);
      })
      .link();
    const mem = new Memory();
    loadImage(mem, image);
    mem.map(0x7000_0000, 0x1000, PROT_READ | PROT_WRITE);
    const cpu = new Cpu(mem, { mode: 'system' });
    cpu.cpl = 0;
    cpu.rip = image.addressOf('main.f');
    cpu.setReg(RSP, 0x7000_1000);
    const stop = cpu.run(100);
    expect(stop).toEqual({ kind: 'host', addr: image.addressOf('runtime.hook') });
    expect(image.callHost(cpu, stop.kind === 'host' ? stop.addr : 0)).toBe('runtime.hook');
    expect(cpu.run(100)).toEqual({ kind: 'halt' });
    expect(calls).toEqual([7n]);
    expect(cpu.getReg(RAX)).toBe(101n);
    expect(Number(cpu.getReg(RSP))).toBe(0x7000_1000);
  });
});

describe('preprocessor', () => {
  it('expands object-like #define (nested, not in comments or strings) and honours #ifdef/#ifndef/#else', () => {
    const obj = assemble(
      [
        '#define SYS_write 1',
        '#define TRAP $SYS_write',
        '#define x10 99',
        '#ifdef SYS_write',
        'TEXT ·f(SB),$0',
        '#else',
        'TEXT ·g(SB),$0',
        '#endif',
        '#ifndef SYS_write',
        '\tHLT',
        '#endif',
        '\tMOVQ TRAP, AX // SYS_write stays in comments',
        '\tMOVQ $0x10, BX',
        '#undef SYS_write',
        '#define SYS_write 2',
        '\tMOVQ $SYS_write, CX',
        '\tRET',
      ].join('\n'),
    );
    expect(obj.symbols.map((s) => s.name)).toEqual(['main.f']);
    expect(insns(obj, 'main.f')).toEqual(['mov $0x1,%rax', 'mov $0x10,%rbx', 'mov $0x2,%rcx', 'ret']);
    expect(obj.symbols[0]!.spans.map((s) => s.line)).toEqual([12, 13, 16, 17]);
  });

  it('refuses what it does not support, with the line', () => {
    expect(errorOf('#define F(a) a\n')).toContain('f.s:1:1: function-like macro F is not supported');
    expect(errorOf('#ifdef X\nRET\n')).toContain('f.s:1:1: this #ifdef/#ifndef has no #endif');
    expect(errorOf('#endif\n')).toContain('#endif without #ifdef or #ifndef');
    expect(errorOf('#define A 1 \\\n')).toContain('line continuations');
  });
});
