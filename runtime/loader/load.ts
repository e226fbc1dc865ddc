// The static ELF64 loader: maps an executable's PT_LOAD segments into guest memory with
// their permissions and builds the initial process stack exactly as Linux's binfmt_elf
// lays it out for a new process:
//
//   high   [ 8 zero bytes ]                                end marker
//          [ execfn string ][ envp strings ][ argv strings ]
//          [ "x86_64" ]                                     AT_PLATFORM
//          [ 16 random bytes ]                              AT_RANDOM (seeded by the caller)
//          ( padding so the final RSP is 16-byte aligned )
//          [ auxv pairs ... AT_NULL, 0 ]
//          [ envp[0] ... NULL ]
//          [ argv[0] ... NULL ]
//   RSP -> [ argc ]
//
// Invariants: segments may share a page (its permission is then the union, as the pages
// Linux maps overlap); bytes between p_filesz and p_memsz are zero; the initial program
// break is the page-aligned end of the highest segment; nothing here reads host state.
// Position-independent static executables (ET_DYN without PT_INTERP) load at a fixed bias;
// dynamically linked ones are refused with a clear error.
import { cpuidLeaf, Memory, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from '../cpu/index.ts';
import { ElfError, ET_DYN, ET_EXEC, PF_R, PF_W, PF_X, PHDR_SIZE, PT_INTERP, PT_LOAD, PT_PHDR, type ElfFile } from './elf.ts';

/** Top of the user stack (the first byte above it), as Linux x86-64 without randomisation. */
export const STACK_TOP = 0x7fff_ffff_f000;
export const STACK_SIZE = 8 * 1024 * 1024;
/** Where position-independent static executables are placed (Linux's ELF_ET_DYN_BASE). */
export const PIE_BASE = 0x5555_5555_4000;
/** The guest's user and group ids, reported in the auxiliary vector. */
export const GUEST_UID = 1000;
export const GUEST_GID = 1000;

export const AT_NULL = 0;
export const AT_PHDR = 3;
export const AT_PHENT = 4;
export const AT_PHNUM = 5;
export const AT_PAGESZ = 6;
export const AT_BASE = 7;
export const AT_FLAGS = 8;
export const AT_ENTRY = 9;
export const AT_UID = 11;
export const AT_EUID = 12;
export const AT_GID = 13;
export const AT_EGID = 14;
export const AT_PLATFORM = 15;
export const AT_HWCAP = 16;
export const AT_CLKTCK = 17;
export const AT_SECURE = 23;
export const AT_RANDOM = 25;
export const AT_HWCAP2 = 26;
export const AT_EXECFN = 31;

export interface LoadOptions {
  argv: string[];
  envp: string[];
  /** The 16 bytes AT_RANDOM points at (a seeded value keeps runs reproducible). */
  random: Uint8Array;
  /** The path reported as AT_EXECFN; defaults to argv[0]. */
  execfn?: string;
}

export interface LoadedProgram {
  entry: number;
  /** RSP for the first instruction: it points at argc. */
  stackPointer: number;
  /** The initial program break (brk), page aligned. */
  brk: number;
  /** Lowest stack address that is mapped. */
  stackLimit: number;
  /** The page-aligned [start, end) ranges the loader mapped: segments and stack. */
  mapped: Array<[number, number]>;
  auxv: Array<[number, number]>;
}

const page = (a: number) => Math.floor(a / PAGE_SIZE) * PAGE_SIZE;
const pageUp = (a: number) => Math.ceil(a / PAGE_SIZE) * PAGE_SIZE;

export function loadElf(mem: Memory, elf: ElfFile, opts: LoadOptions): LoadedProgram {
  if (elf.type !== ET_EXEC && elf.type !== ET_DYN) throw new ElfError(elf.name, `ELF type ${elf.type}: expected an executable (ET_EXEC or static ET_DYN)`);
  if (elf.programHeaders.some((ph) => ph.type === PT_INTERP)) {
    throw new ElfError(elf.name, 'dynamically linked (has PT_INTERP); only static executables can run (link with -static)');
  }
  const segments = elf.programHeaders.filter((ph) => ph.type === PT_LOAD && ph.memsz > 0);
  if (segments.length === 0) throw new ElfError(elf.name, 'no loadable (PT_LOAD) segment');
  const bias = elf.type === ET_DYN ? PIE_BASE : 0;

  // Permissions per page: the union over the segments that touch it.
  const pageProt = new Map<number, number>();
  for (const ph of segments) {
    const prot = (ph.flags & PF_R ? PROT_READ : 0) | (ph.flags & PF_W ? PROT_WRITE : 0) | (ph.flags & PF_X ? PROT_EXEC : 0);
    const start = bias + ph.vaddr;
    if (start < PAGE_SIZE) throw new ElfError(elf.name, `segment at 0x${start.toString(16)} lies in the first page, which stays unmapped`);
    if (start + ph.memsz > STACK_TOP - STACK_SIZE) throw new ElfError(elf.name, `segment at 0x${start.toString(16)} overlaps the stack`);
    for (let p = page(start); p < start + ph.memsz; p += PAGE_SIZE) pageProt.set(p, (pageProt.get(p) ?? 0) | prot);
  }
  for (const [p, prot] of [...pageProt].sort((a, b) => a[0] - b[0])) mem.map(p, PAGE_SIZE, prot);
  let end = 0;
  for (const ph of segments) {
    mem.write(bias + ph.vaddr, elf.bytes.subarray(ph.offset, ph.offset + ph.filesz), { force: true });
    end = Math.max(end, bias + ph.vaddr + ph.memsz);
  }

  const phdr = programHeaderAddress(elf, bias);
  const entry = bias + elf.entry;
  const stack = buildStack(mem, opts, [
    [AT_PHDR, phdr],
    [AT_PHENT, PHDR_SIZE],
    [AT_PHNUM, elf.phnum],
    [AT_PAGESZ, PAGE_SIZE],
    [AT_BASE, 0],
    [AT_FLAGS, 0],
    [AT_ENTRY, entry],
    [AT_UID, GUEST_UID],
    [AT_EUID, GUEST_UID],
    [AT_GID, GUEST_GID],
    [AT_EGID, GUEST_GID],
    [AT_SECURE, 0],
    // As Linux: AT_HWCAP is CPUID.1:EDX of the CPU the program runs on.
    [AT_HWCAP, cpuidLeaf(1)[3] >>> 0],
    [AT_HWCAP2, 0],
    [AT_CLKTCK, 100],
  ]);
  const mapped: Array<[number, number]> = [...pageProt.keys()].map((p) => [p, p + PAGE_SIZE]);
  mapped.push([stack.stackLimit, STACK_TOP]);
  return { entry, brk: pageUp(end), mapped, ...stack };
}

/** The guest address of the program header table: PT_PHDR if present, else inside the segment holding e_phoff. */
function programHeaderAddress(elf: ElfFile, bias: number): number {
  const own = elf.programHeaders.find((ph) => ph.type === PT_PHDR);
  if (own) return bias + own.vaddr;
  for (const ph of elf.programHeaders) {
    if (ph.type === PT_LOAD && elf.phoff >= ph.offset && elf.phoff + elf.phnum * PHDR_SIZE <= ph.offset + ph.filesz) {
      return bias + ph.vaddr + (elf.phoff - ph.offset);
    }
  }
  return 0;
}

function buildStack(mem: Memory, opts: LoadOptions, aux: Array<[number, number]>): Omit<LoadedProgram, 'entry' | 'brk' | 'mapped'> {
  const stackLimit = STACK_TOP - STACK_SIZE;
  mem.map(stackLimit, STACK_SIZE, PROT_READ | PROT_WRITE);
  const encoder = new TextEncoder();
  let sp = STACK_TOP - 8; // the end marker: 8 zero bytes
  const pushString = (s: string): number => {
    const bytes = encoder.encode(s + '\0');
    sp -= bytes.length;
    mem.write(sp, bytes);
    return sp;
  };
  // Pushed last-first, so that in ascending memory order come argv[0..], envp[0..], execfn.
  const pushAll = (list: string[]): number[] => {
    const addrs = new Array<number>(list.length);
    for (let i = list.length - 1; i >= 0; i--) addrs[i] = pushString(list[i]!);
    return addrs;
  };
  const execfn = pushString(opts.execfn ?? opts.argv[0] ?? '');
  const envAddrs = pushAll(opts.envp);
  const argAddrs = pushAll(opts.argv);
  sp = Math.floor(sp / 16) * 16;
  const platform = pushString('x86_64');
  sp -= opts.random.length;
  const random = sp;
  mem.write(random, opts.random);

  const auxv: Array<[number, number]> = [...aux, [AT_RANDOM, random], [AT_EXECFN, execfn], [AT_PLATFORM, platform], [AT_NULL, 0]];
  const words = 1 + argAddrs.length + 1 + envAddrs.length + 1 + auxv.length * 2;
  sp = Math.floor((sp - words * 8) / 16) * 16;
  const table = new DataView(new ArrayBuffer(words * 8));
  let at = 0;
  const put = (v: number) => {
    table.setBigUint64(at, BigInt(v), true);
    at += 8;
  };
  put(argAddrs.length);
  for (const a of argAddrs) put(a);
  put(0);
  for (const e of envAddrs) put(e);
  put(0);
  for (const [k, v] of auxv) {
    put(k);
    put(v);
  }
  mem.write(sp, new Uint8Array(table.buffer));
  return { stackPointer: sp, stackLimit, auxv };
}
