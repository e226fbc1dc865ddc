// A minimal static ELF64 writer for tests that must not depend on GNU binutils: a read-only
// segment holding the headers (as ld lays it out, so AT_PHDR points into it), a read+execute
// code segment and an optional read/write data segment with a .bss tail.
//
// Layout: headers at file offset 0 / HEADERS_ADDR, code at 0x1000 / CODE_ADDR, data at
// 0x2000 / DATA_ADDR. `hex()` turns "b8 3c 00 00 00" into bytes for hand-assembled code.
export const HEADERS_ADDR = 0x40_0000;
export const CODE_ADDR = 0x40_1000;
export const DATA_ADDR = 0x60_2000;

export interface ElfSpec {
  code: Uint8Array;
  data?: Uint8Array;
  /** Zero bytes after the data (p_memsz > p_filesz). */
  bss?: number;
  /** Entry point; default CODE_ADDR. */
  entry?: number;
  /** Add a PT_INTERP header, as a dynamically linked executable has. */
  interp?: boolean;
}

export function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, '');
  return Uint8Array.from(digits.match(/../g) ?? [], (b) => parseInt(b, 16));
}

export function le32(v: number): string {
  return Array.from({ length: 4 }, (_, i) => ((v >>> (8 * i)) & 0xff).toString(16).padStart(2, '0')).join(' ');
}

export function buildElf(spec: ElfSpec): Uint8Array {
  const data = spec.data ?? new Uint8Array(0);
  const phdrs: Array<[type: number, flags: number, offset: number, vaddr: number, filesz: number, memsz: number]> = [];
  const headerCount = 2 + (data.length || spec.bss ? 1 : 0) + (spec.interp ? 1 : 0);
  const headersSize = 64 + 56 * headerCount;
  phdrs.push([1, 4, 0, HEADERS_ADDR, headersSize, headersSize]);
  phdrs.push([1, 5, 0x1000, CODE_ADDR, spec.code.length, spec.code.length]);
  if (data.length || spec.bss) phdrs.push([1, 6, 0x2000, DATA_ADDR, data.length, data.length + (spec.bss ?? 0)]);
  if (spec.interp) phdrs.push([3, 4, 0x2000 + data.length, 0, 28, 28]);
  const file = new Uint8Array(0x2000 + data.length + (spec.interp ? 28 : 0));
  const v = new DataView(file.buffer);
  file.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 62, true); // EM_X86_64
  v.setUint32(20, 1, true);
  v.setBigUint64(24, BigInt(spec.entry ?? CODE_ADDR), true);
  v.setBigUint64(32, 64n, true); // e_phoff
  v.setUint16(52, 64, true);
  v.setUint16(54, 56, true);
  v.setUint16(56, phdrs.length, true);
  v.setUint16(58, 64, true);
  phdrs.forEach(([type, flags, offset, vaddr, filesz, memsz], i) => {
    const at = 64 + i * 56;
    v.setUint32(at, type, true);
    v.setUint32(at + 4, flags, true);
    v.setBigUint64(at + 8, BigInt(offset), true);
    v.setBigUint64(at + 16, BigInt(vaddr), true);
    v.setBigUint64(at + 24, BigInt(vaddr), true);
    v.setBigUint64(at + 32, BigInt(filesz), true);
    v.setBigUint64(at + 40, BigInt(memsz), true);
    v.setBigUint64(at + 48, 0x1000n, true);
  });
  file.set(spec.code, 0x1000);
  if (data.length) file.set(data, 0x2000);
  if (spec.interp) file.set(new TextEncoder().encode('/lib64/ld-linux-x86-64.so.2'), 0x2000 + data.length);
  return file;
}
