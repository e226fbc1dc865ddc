// The Plan 9 assembler's public surface for the rest of the runtime: assemble, link (with
// host-bound symbols), load into guest memory, list; and the linux/amd64 guest code with the
// layouts its host side must agree on.
export { assemble, symbolName, type AsmObject, type AssembleOptions, type ObjSymbol, type Reloc } from './assembler.ts';
export { AsmError, type Diagnostic } from './errors.ts';
export { Linker, loadImage, type HostFunction, type Image, type LinkedSymbol, type Segment } from './linker.ts';
export { listing } from './listing.ts';
export { linuxAmd64Objects, PERCPU, PT_REGS, PT_REGS_SIZE, STUB_FRAMES } from './linux_amd64.ts';
