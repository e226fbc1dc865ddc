// Reads the named sections of an ELF64 relocatable object (what `as` writes), enough for
// the differential tests to compare bytes section by section.
export function elfSections(file: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (view.getUint32(0) !== 0x7f454c46 || file[4] !== 2) throw new Error('not an ELF64 file');
  const shoff = Number(view.getBigUint64(0x28, true));
  const shentsize = view.getUint16(0x3a, true);
  const shnum = view.getUint16(0x3c, true);
  const shstrndx = view.getUint16(0x3e, true);
  const header = (i: number) => {
    const at = shoff + i * shentsize;
    return { name: view.getUint32(at, true), offset: Number(view.getBigUint64(at + 0x18, true)), size: Number(view.getBigUint64(at + 0x20, true)) };
  };
  const strtab = header(shstrndx);
  const nameAt = (off: number) => {
    let end = strtab.offset + off;
    while (file[end] !== 0) end++;
    return Buffer.from(file.subarray(strtab.offset + off, end)).toString('latin1');
  };
  const out = new Map<string, Uint8Array>();
  for (let i = 1; i < shnum; i++) {
    const h = header(i);
    out.set(nameAt(h.name), file.subarray(h.offset, h.offset + h.size));
  }
  return out;
}
