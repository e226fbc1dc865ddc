// Listings of a linked image, objdump style with the Plan 9 source beside each
// instruction: address, bytes, the CPU's own disassembly (AT&T), then `file:line  source`.
// Branch and RIP-relative targets are annotated with the symbol they land in. Text that is
// data (BYTE/WORD/LONG/QUAD) is shown as bytes; data symbols as a hex dump.
import { disassemble } from '../cpu/disasm.ts';
import type { Image, LinkedSymbol } from './linker.ts';

const hex = (n: number, width = 0) => n.toString(16).padStart(width, '0');
const byteText = (b: Uint8Array) => [...b].map((x) => hex(x, 2)).join(' ');

function annotate(text: string, image: Image): string {
  const at = (addr: number) => {
    const s = image.symbolAt(addr);
    return s ? ` <${s.name}${addr === s.addr ? '' : `+0x${hex(addr - s.addr)}`}>` : '';
  };
  const comment = /# 0x([0-9a-f]+)$/.exec(text);
  if (comment) return text + at(parseInt(comment[1]!, 16));
  const branch = /^(j\w+|call|jmp)\s+0x([0-9a-f]+)$/.exec(text);
  if (branch) return text + at(parseInt(branch[2]!, 16));
  return text;
}

function textLines(image: Image, s: LinkedSymbol): string[] {
  const out: string[] = [];
  const obj = s.object!;
  const lines = obj.source.split('\n');
  const bytes = s.symbol!.bytes;
  const seg = image.segments.find((g) => s.addr >= g.addr && s.addr < g.addr + g.size)!;
  const linked = seg.bytes.subarray(s.addr - seg.addr, s.addr - seg.addr + bytes.length);
  const labels = s.symbol!.labels;
  for (const span of s.symbol!.spans) {
    for (const l of labels) if (l.offset === span.offset) out.push(`${l.name}:`);
    const source = `${obj.file}:${span.line}  ${(lines[span.line - 1] ?? '').trim()}`;
    let first = true;
    const row = (addr: number, b: Uint8Array, text: string) => {
      out.push(`  ${hex(addr, 16)}  ${byteText(b).padEnd(30)} ${text.padEnd(48)}${first ? ` ; ${source}` : ''}`.trimEnd());
      first = false;
    };
    for (let off = span.offset; off < span.offset + span.length; ) {
      const addr = s.addr + off;
      const rest = linked.subarray(off, span.offset + span.length);
      const d = span.forms.length ? disassemble(rest, addr) : null;
      if (!d) {
        row(addr, rest, `.byte ${[...rest].map((x) => `0x${hex(x, 2)}`).join(',')}`);
        break;
      }
      row(addr, rest.subarray(0, d.length), annotate(d.text, image));
      off += d.length;
    }
  }
  return out;
}

function dataLines(image: Image, s: LinkedSymbol): string[] {
  const seg = image.segments.find((g) => s.addr >= g.addr && s.addr < g.addr + g.size)!;
  const bytes = seg.bytes.subarray(s.addr - seg.addr, s.addr - seg.addr + s.size);
  const out: string[] = [];
  for (let off = 0; off < bytes.length; off += 16) out.push(`  ${hex(s.addr + off, 16)}  ${byteText(bytes.subarray(off, off + 16))}`);
  return out;
}

/** The listing of every symbol of the image that came from an assembled object. */
export function listing(image: Image): string {
  const out: string[] = [];
  for (const s of image.all) {
    const where = `${s.supervisor ? 'ring 0 ' : ''}${s.kind}`;
    out.push(`${hex(s.addr, 16)} <${s.name}> (${where}, ${s.size} bytes${s.kind === 'host' ? ', bound to the host' : ''}):`);
    if (s.kind === 'text') out.push(...textLines(image, s));
    else if (s.kind === 'data' && s.size <= 256) out.push(...dataLines(image, s));
    out.push('');
  }
  return out.join('\n');
}
