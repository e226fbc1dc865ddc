// `mksyscall asm FILE.s [--pkg NAME] [--base ADDR]`: assembles and links one Plan 9 file
// and prints its listing. Symbols the file calls but does not define (runtime·entersyscall
// in the stubs, do_syscall_64 in the entry code) are bound to host slots, as the machine
// binds them, so the listing shows where their calls land.
import { readFileSync } from 'node:fs';
import { assemble } from '../asm/assembler.ts';
import { AsmError } from '../asm/errors.ts';
import { Linker } from '../asm/linker.ts';
import { listing } from '../asm/listing.ts';

export interface AsmCommandOptions {
  pkg?: string;
  base?: string;
}

/** Returns the exit status: 0, or 2 after printing located errors. */
export function runAsm(file: string, opts: AsmCommandOptions, out: (s: string) => void, err: (s: string) => void): number {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    err(`${file}: ${(e as Error).message}`);
    return 2;
  }
  const base = opts.base === undefined ? 0x400000 : Number(opts.base);
  if (!Number.isSafeInteger(base) || base <= 0 || base % 4096 !== 0 || base >= 2 ** 47) {
    err(`--base ${opts.base}: expected a page-aligned address below 2^47, e.g. 0x400000`);
    return 2;
  }
  try {
    const obj = assemble(source, { file, pkg: opts.pkg ?? 'main' });
    const defined = new Set(obj.symbols.map((s) => s.name));
    const linker = new Linker({ base }).add(obj);
    const unbound = new Set(obj.symbols.flatMap((s) => s.relocs.map((r) => r.sym)).filter((n) => !defined.has(n)));
    for (const name of [...unbound].sort()) linker.bindHost(name, () => {});
    out(listing(linker.link()));
    return 0;
  } catch (e) {
    if (!(e instanceof AsmError)) throw e;
    err(e.message);
    return 2;
  }
}
