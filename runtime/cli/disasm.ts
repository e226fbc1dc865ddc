// `mksyscall disasm FILE` and `mksyscall disasm --hex "…"`: an objdump -d style listing
// (address, up to 7 bytes per line, AT&T text) of an ELF's executable sections (or of its
// executable segments when it has no section headers), or of raw bytes given in hex.
// Bytes that do not decode print as `(bad)` and the listing resumes at the next byte, as
// objdump does.
import { readFileSync } from 'node:fs';
import { disassemble } from '../cpu/index.ts';
import { ElfError, parseElf, PF_X, PT_LOAD, type ElfFile, type ElfSymbol } from '../loader/elf.ts';

const BYTES_PER_LINE = 7;

export class HexError extends Error {}

/** Parses "48 01 d8", "4801d8" or "0x48,0x01,0xd8" into bytes; throws HexError naming the bad position. */
export function parseHex(text: string, option = '--hex'): Uint8Array {
  const cleaned = text.replace(/0x/gi, ' ').replace(/[\s,]+/g, ' ').trim();
  const out: number[] = [];
  for (const group of cleaned.split(' ')) {
    if (!group) continue;
    if (!/^[0-9a-fA-F]+$/.test(group) || group.length % 2 !== 0) {
      throw new HexError(`${option}: expected pairs of hex digits (e.g. "48 01 d8"), got "${group}" at column ${text.indexOf(group) + 1}`);
    }
    for (let i = 0; i < group.length; i += 2) out.push(parseInt(group.slice(i, i + 2), 16));
  }
  if (out.length === 0) throw new HexError(`${option}: expected at least one byte`);
  return Uint8Array.from(out);
}

/** Names an address as objdump does: `<symbol>` or `<symbol+0xoff>`, or null when nothing covers it. */
export type Symbolizer = (addr: number) => string | null;

const BRANCH = /^(?:(?:bnd|notrack) )?(?:j[a-z]+|call|loop[a-z]*)$/;

/** Adds objdump's symbolic names to branch targets and `# address` comments. */
function symbolize(text: string, name: Symbolizer): string {
  const comment = /# 0x([0-9a-f]+)$/.exec(text);
  if (comment) {
    const sym = name(parseInt(comment[1]!, 16));
    return sym ? `${text.slice(0, comment.index)}# ${comment[1]} ${sym}` : text;
  }
  const target = /^(\S+)(\s+)0x([0-9a-f]+)$/.exec(text);
  if (target && BRANCH.test(target[1]!)) {
    const sym = name(parseInt(target[3]!, 16));
    return sym ? `${target[1]}${target[2]}${target[3]} ${sym}` : text;
  }
  return text;
}

/** objdump's listing lines for one block of code starting at `addr`. */
export function listing(bytes: Uint8Array, addr: number, labels: ReadonlyMap<number, string> = new Map(), name?: Symbolizer): string[] {
  const lines: string[] = [];
  for (let off = 0; off < bytes.length; ) {
    const at = addr + off;
    const label = labels.get(at);
    if (label !== undefined) lines.push('', `${at.toString(16).padStart(16, '0')} <${label}>:`);
    const d = disassemble(bytes.subarray(off, Math.min(bytes.length, off + 15)), at);
    const length = d ? d.length : 1;
    const text = d ? (name ? symbolize(d.text, name) : d.text) : '(bad)';
    const code = Array.from(bytes.subarray(off, off + length), (b) => b.toString(16).padStart(2, '0'));
    for (let i = 0; i < code.length; i += BYTES_PER_LINE) {
      const chunk = code.slice(i, i + BYTES_PER_LINE).join(' ');
      const where = (at + i).toString(16).padStart(8, ' ');
      lines.push(i === 0 ? `${where}:\t${chunk.padEnd(BYTES_PER_LINE * 3 - 1)} \t${text}` : `${where}:\t${chunk} `);
    }
    off += length;
  }
  return lines;
}

function symbolLabels(symbols: readonly ElfSymbol[]): Map<number, string> {
  const labels = new Map<number, string>();
  for (const s of preferred(symbols)) if (s.code) labels.set(s.value, s.name);
  return labels;
}

/** One symbol per address, globals first (objdump's choice), sorted by address. */
function preferred(symbols: readonly ElfSymbol[]): ElfSymbol[] {
  const byAddress = new Map<number, ElfSymbol>();
  for (const s of symbols) {
    const seen = byAddress.get(s.value);
    if (!seen || (s.global && !seen.global)) byAddress.set(s.value, s);
  }
  return [...byAddress.values()].sort((a, b) => a.value - b.value);
}

/**
 * The nearest symbol at or below an address (objdump takes it even from an earlier section
 * when the address's own section has none), else the section itself; null outside sections.
 */
function symbolizer(elf: ElfFile): Symbolizer {
  const symbols = preferred(elf.symbols);
  const sections = elf.sections.filter((s) => s.addr > 0 && s.size > 0);
  return (addr) => {
    const section = sections.find((s) => addr >= s.addr && addr < s.addr + s.size);
    if (!section) return null;
    let best: ElfSymbol | null = null;
    for (const s of symbols) {
      if (s.value > addr) break;
      best = s;
    }
    const [label, base] = best ? [best.name, best.value] : [section.name, section.addr];
    return `<${label}${addr === base ? '' : `+0x${(addr - base).toString(16)}`}>`;
  };
}

export function disasmFile(file: string): string {
  const elf = parseElf(new Uint8Array(readFileSync(file)), file);
  const labels = symbolLabels(elf.symbols);
  const name = symbolizer(elf);
  const out = ['', `${file}:     file format elf64-x86-64`, ''];
  const sections = elf.sections.filter((s) => s.executable && s.type !== 8 && s.size > 0);
  if (sections.length > 0) {
    for (const s of sections) {
      out.push('', `Disassembly of section ${s.name}:`);
      const block = listing(elf.bytes.subarray(s.offset, s.offset + s.size), s.addr, labels, name);
      if (!labels.has(s.addr)) out.push('', `${s.addr.toString(16).padStart(16, '0')} <${s.name}>:`);
      out.push(...block);
    }
  } else {
    elf.programHeaders.forEach((ph, i) => {
      if (ph.type !== PT_LOAD || !(ph.flags & PF_X)) return;
      out.push('', `Disassembly of segment ${i}:`, '', `${ph.vaddr.toString(16).padStart(16, '0')} <segment${i}>:`);
      out.push(...listing(elf.bytes.subarray(ph.offset, ph.offset + ph.filesz), ph.vaddr, labels, name));
    });
  }
  return out.join('\n') + '\n';
}

export function runDisasm(file: string | undefined, opts: { hex?: string; addr?: string }): number {
  try {
    if (opts.hex !== undefined) {
      const addr = opts.addr ? Number(opts.addr) : 0;
      if (!Number.isSafeInteger(addr) || addr < 0) throw new HexError(`--addr: expected a non-negative address, got "${opts.addr}"`);
      process.stdout.write(listing(parseHex(opts.hex), addr).join('\n') + '\n');
      return 0;
    }
    if (!file) {
      process.stderr.write('mksyscall disasm: expected FILE or --hex "BYTES"\n');
      return 2;
    }
    process.stdout.write(disasmFile(file));
    return 0;
  } catch (e) {
    if (e instanceof HexError || e instanceof ElfError) {
      process.stderr.write(`mksyscall disasm: ${e.message}\n`);
      return 2;
    }
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR') {
      process.stderr.write(`mksyscall disasm: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}
