// ELF64 reader: the header, program headers, section headers and symbol table of a
// little-endian x86-64 ELF file, as plain data.
//
// Invariants: parseElf either returns a description whose every offset and size lies
// inside the file, or throws ElfError naming the file and what was expected; it never
// reads outside the buffer. It only reads; loading is load.ts's business.

export const ET_EXEC = 2;
export const ET_DYN = 3;
export const EM_X86_64 = 62;
export const PT_LOAD = 1;
export const PT_INTERP = 3;
export const PT_PHDR = 6;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;
const SHT_SYMTAB = 2;
const STT_NOTYPE = 0;
const STT_OBJECT = 1;
const STT_FUNC = 2;
const STB_GLOBAL = 1;
const SHF_EXECINSTR = 4;
export const PHDR_SIZE = 56;
const SHDR_SIZE = 64;

export class ElfError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'ElfError';
  }
}

export interface ProgramHeader {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
}

export interface Section {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  executable: boolean;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  /** Defined in an executable section (objdump prints such symbols as `<name>:` headings). */
  code: boolean;
  global: boolean;
}

export interface ElfFile {
  name: string;
  bytes: Uint8Array;
  type: number;
  entry: number;
  phoff: number;
  phnum: number;
  programHeaders: ProgramHeader[];
  sections: Section[];
  symbols: ElfSymbol[];
}

export function parseElf(bytes: Uint8Array, name: string): ElfFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (detail: string): never => {
    throw new ElfError(name, detail);
  };
  const u64 = (off: number): number => {
    const v = view.getBigUint64(off, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`64-bit field at offset ${off} is too large (${v})`);
    return Number(v);
  };
  if (bytes.length < 64) fail(`not an ELF file (${bytes.length} bytes, expected at least a 64-byte header)`);
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) fail('not an ELF file (bad magic, expected 7f 45 4c 46)');
  if (bytes[4] !== 2) fail(`ELF class ${bytes[4]}: expected ELFCLASS64 (2); only 64-bit x86-64 executables run here`);
  if (bytes[5] !== 1) fail(`ELF data encoding ${bytes[5]}: expected little-endian (1)`);
  const type = view.getUint16(16, true);
  const machine = view.getUint16(18, true);
  if (machine !== EM_X86_64) fail(`machine ${machine}: expected EM_X86_64 (62)`);
  const entry = u64(24);
  const phoff = u64(32);
  const shoff = u64(40);
  const phentsize = view.getUint16(54, true);
  const phnum = view.getUint16(56, true);
  const shentsize = view.getUint16(58, true);
  const shnum = view.getUint16(60, true);
  const shstrndx = view.getUint16(62, true);
  const inFile = (off: number, len: number, what: string) => {
    if (off < 0 || len < 0 || off + len > bytes.length) fail(`${what} at offset ${off} size ${len} runs past the end of the file (${bytes.length} bytes)`);
  };

  const programHeaders: ProgramHeader[] = [];
  if (phnum > 0) {
    if (phentsize !== PHDR_SIZE) fail(`program header size ${phentsize}: expected ${PHDR_SIZE}`);
    inFile(phoff, phnum * PHDR_SIZE, 'program header table');
    for (let i = 0; i < phnum; i++) {
      const at = phoff + i * PHDR_SIZE;
      const ph: ProgramHeader = {
        type: view.getUint32(at, true),
        flags: view.getUint32(at + 4, true),
        offset: u64(at + 8),
        vaddr: u64(at + 16),
        filesz: u64(at + 32),
        memsz: u64(at + 40),
      };
      if (ph.type === PT_LOAD) {
        inFile(ph.offset, ph.filesz, `segment ${i}`);
        if (ph.memsz < ph.filesz) fail(`segment ${i}: memory size ${ph.memsz} is smaller than file size ${ph.filesz}`);
      }
      programHeaders.push(ph);
    }
  }

  const sections: Section[] = [];
  const rawSections: Array<Section & { link: number; entsize: number }> = [];
  if (shoff !== 0 && shnum > 0) {
    if (shentsize !== SHDR_SIZE) fail(`section header size ${shentsize}: expected ${SHDR_SIZE}`);
    inFile(shoff, shnum * SHDR_SIZE, 'section header table');
    for (let i = 0; i < shnum; i++) {
      const at = shoff + i * SHDR_SIZE;
      const flags = u64(at + 8);
      rawSections.push({
        name: '',
        type: view.getUint32(at + 4, true),
        flags,
        addr: u64(at + 16),
        offset: u64(at + 24),
        size: u64(at + 32),
        link: view.getUint32(at + 40, true),
        entsize: u64(at + 56),
        executable: (flags & SHF_EXECINSTR) !== 0,
      });
    }
    const names = rawSections[shstrndx];
    for (let i = 0; i < rawSections.length; i++) {
      const s = rawSections[i]!;
      const nameOff = view.getUint32(shoff + i * SHDR_SIZE, true);
      if (names && names.type !== 8) s.name = cString(bytes, names.offset + nameOff, names.offset + names.size);
      sections.push({ name: s.name, type: s.type, flags: s.flags, addr: s.addr, offset: s.offset, size: s.size, executable: s.executable });
    }
  }

  const symbols: ElfSymbol[] = [];
  for (const s of rawSections) {
    if (s.type !== SHT_SYMTAB) continue;
    const strtab = rawSections[s.link];
    if (!strtab) fail(`symbol table's string table index ${s.link} does not exist`);
    inFile(s.offset, s.size, 'symbol table');
    inFile(strtab!.offset, strtab!.size, 'string table');
    const entsize = s.entsize || 24;
    for (let at = s.offset + entsize; at + 24 <= s.offset + s.size; at += entsize) {
      const info = bytes[at + 4]!;
      const kind = info & 0xf;
      const shndx = view.getUint16(at + 6, true);
      if (shndx === 0 || shndx >= 0xff00 || (kind !== STT_FUNC && kind !== STT_NOTYPE && kind !== STT_OBJECT)) continue;
      const symName = cString(bytes, strtab!.offset + view.getUint32(at, true), strtab!.offset + strtab!.size);
      if (!symName) continue;
      symbols.push({ name: symName, value: u64(at + 8), size: u64(at + 16), code: rawSections[shndx]?.executable ?? false, global: info >> 4 === STB_GLOBAL });
    }
  }
  symbols.sort((a, b) => a.value - b.value || a.name.localeCompare(b.name));

  return { name, bytes, type, entry, phoff, phnum, programHeaders, sections, symbols };
}

function cString(bytes: Uint8Array, start: number, limit: number): string {
  let end = start;
  const stop = Math.min(limit, bytes.length);
  while (end < stop && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(start, end));
}

/** The file bytes of [addr, addr+length) inside the loadable segments, or null if any byte is not file-backed. */
export function bytesAt(elf: ElfFile, addr: number, length: number): Uint8Array | null {
  for (const ph of elf.programHeaders) {
    if (ph.type !== PT_LOAD || addr < ph.vaddr || addr + length > ph.vaddr + ph.filesz) continue;
    const off = ph.offset + (addr - ph.vaddr);
    return elf.bytes.subarray(off, off + length);
  }
  return null;
}
