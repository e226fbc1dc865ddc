// The ELF reader and the static loader: located errors for bad files, segments mapped with
// their permissions, .bss zeroed, and the initial stack laid out as Linux does
// (argc, argv, envp, auxv with AT_PHDR/AT_ENTRY/AT_RANDOM…, strings above).
import { describe, expect, it } from 'vitest';
import { cpuidLeaf, Memory } from '../../runtime/cpu/index.ts';
import { bytesAt, ElfError, parseElf } from '../../runtime/loader/elf.ts';
import { AT_ENTRY, AT_EXECFN, AT_HWCAP, AT_NULL, AT_PAGESZ, AT_PHDR, AT_PHENT, AT_PHNUM, AT_PLATFORM, AT_RANDOM, loadElf, STACK_TOP } from '../../runtime/loader/load.ts';
import { buildElf, CODE_ADDR, DATA_ADDR, HEADERS_ADDR, hex } from './harness/elf-builder.ts';

const code = hex('b8 3c 00 00 00 31 ff 0f 05'); // mov $60,%eax; xor %edi,%edi; syscall
const random = Uint8Array.from({ length: 16 }, (_, i) => i * 7 + 1);

function readCString(mem: Memory, addr: number): string {
  const bytes: number[] = [];
  for (let a = addr; ; a++) {
    const b = mem.readU8(a);
    if (b === 0) break;
    bytes.push(b);
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

describe('parseElf', () => {
  it('reads entry, program headers and file bytes of segments', () => {
    const elf = parseElf(buildElf({ code, data: hex('11 22 33') }), 'prog');
    expect(elf.entry).toBe(CODE_ADDR);
    expect(elf.programHeaders.map((p) => [p.type, p.flags, p.vaddr])).toEqual([
      [1, 4, HEADERS_ADDR],
      [1, 5, CODE_ADDR],
      [1, 6, DATA_ADDR],
    ]);
    expect(Array.from(bytesAt(elf, DATA_ADDR + 1, 2)!)).toEqual([0x22, 0x33]);
    expect(bytesAt(elf, DATA_ADDR + 2, 2)).toBeNull();
  });

  it.each([
    ['a short file', new Uint8Array(10), /prog: not an ELF file \(10 bytes/],
    ['bad magic', new Uint8Array(64), /prog: not an ELF file \(bad magic/],
    ['a 32-bit file', (() => { const b = buildElf({ code }); b[4] = 1; return b; })(), /prog: ELF class 1: expected ELFCLASS64/],
    ['another machine', (() => { const b = buildElf({ code }); b[18] = 40; return b; })(), /prog: machine 40: expected EM_X86_64/],
    ['a segment past the end', buildElf({ code }).subarray(0, 0x1004), /prog: segment 1 at offset 4096 size 9 runs past the end/],
  ])('rejects %s with a located error', (_what, bytes, message) => {
    expect(() => parseElf(bytes, 'prog')).toThrow(ElfError);
    expect(() => parseElf(bytes, 'prog')).toThrow(message);
  });
});

describe('loadElf', () => {
  const load = (argv: string[], envp: string[]) => {
    const mem = new Memory();
    const elf = parseElf(buildElf({ code, data: hex('aa bb'), bss: 0x1800 }), 'prog');
    return { mem, elf, loaded: loadElf(mem, elf, { argv, envp, random }) };
  };

  it('maps each segment with its permissions and zeroes .bss', () => {
    const { mem, loaded } = load(['prog'], []);
    expect(mem.check(CODE_ADDR, code.length, 'x', true)).toBe(true);
    expect(mem.check(CODE_ADDR, 1, 'w', true)).toBe(false);
    expect(mem.check(HEADERS_ADDR, 64, 'r', true)).toBe(true);
    expect(mem.check(HEADERS_ADDR, 1, 'x', true)).toBe(false);
    expect(mem.check(DATA_ADDR, 0x1802, 'w', true)).toBe(true);
    expect(mem.check(DATA_ADDR, 1, 'x', true)).toBe(false);
    expect(Array.from(mem.read(CODE_ADDR, code.length))).toEqual(Array.from(code));
    expect(Array.from(mem.read(DATA_ADDR, 4))).toEqual([0xaa, 0xbb, 0, 0]);
    expect(mem.readU8(DATA_ADDR + 0x1801)).toBe(0);
    expect(loaded.entry).toBe(CODE_ADDR);
    expect(loaded.brk).toBe(DATA_ADDR + 0x2000);
  });

  it('lays out argc, argv, envp and auxv on a 16-byte aligned stack', () => {
    const { mem, elf, loaded } = load(['prog', 'one', 'two words'], ['A=1', 'HOME=/h']);
    const sp = loaded.stackPointer;
    expect(sp % 16).toBe(0);
    expect(sp).toBeLessThan(STACK_TOP);
    const word = (i: number) => Number(mem.readU64(sp + 8 * i));
    expect(word(0)).toBe(3);
    expect([1, 2, 3].map((i) => readCString(mem, word(i)))).toEqual(['prog', 'one', 'two words']);
    expect(word(4)).toBe(0);
    expect([5, 6].map((i) => readCString(mem, word(i)))).toEqual(['A=1', 'HOME=/h']);
    expect(word(7)).toBe(0);
    // Strings ascend in memory: argv[0] … argv[n-1], envp[0] … , as Linux copies them.
    expect(word(1) < word(2) && word(2) < word(3) && word(3) < word(5) && word(5) < word(6)).toBe(true);
    const aux = new Map<number, number>();
    for (let i = 8; ; i += 2) {
      aux.set(word(i), word(i + 1));
      if (word(i) === AT_NULL) break;
    }
    expect(aux.get(AT_PAGESZ)).toBe(4096);
    expect(aux.get(AT_HWCAP)).toBe(cpuidLeaf(1)[3] >>> 0);
    expect(aux.get(AT_ENTRY)).toBe(CODE_ADDR);
    expect(aux.get(AT_PHENT)).toBe(56);
    expect(aux.get(AT_PHNUM)).toBe(3);
    expect(aux.get(AT_PHDR)).toBe(HEADERS_ADDR + 64);
    expect(Array.from(mem.read(aux.get(AT_PHDR)!, 56 * 3))).toEqual(Array.from(elf.bytes.subarray(64, 64 + 56 * 3)));
    expect(Array.from(mem.read(aux.get(AT_RANDOM)!, 16))).toEqual(Array.from(random));
    expect(readCString(mem, aux.get(AT_PLATFORM)!)).toBe('x86_64');
    expect(readCString(mem, aux.get(AT_EXECFN)!)).toBe('prog');
    expect(loaded.auxv.at(-1)).toEqual([AT_NULL, 0]);
  });

  it('refuses dynamically linked executables', () => {
    const elf = parseElf(buildElf({ code, interp: true }), 'dyn');
    expect(() => loadElf(new Memory(), elf, { argv: ['dyn'], envp: [], random })).toThrow(/dyn: dynamically linked \(has PT_INTERP\)/);
  });
});
