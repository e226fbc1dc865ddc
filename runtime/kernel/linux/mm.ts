// The Linux personality's memory calls: mmap, munmap, mprotect, brk.
//
// The process keeps the list of its mappings (process.ts) because Memory answers "is this
// byte accessible" but not "where is a free range". mmap without MAP_FIXED places
// mappings top-down below MMAP_BASE, as Linux's default layout does; file mappings copy
// the file's bytes in (private semantics: writes through a shared mapping do not reach
// the file).
import { PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../cpu/index.ts';
import { copyCost } from '../clock.ts';
import type { Kernel } from '../kernel.ts';
import type { Process, Thread } from '../process.ts';
import { argInt, argLong, argPtr, argUint, argUlong, NOT_USER, type SyscallRegs } from '../regs.ts';
import { TASK_SIZE_MAX } from '../uaccess.ts';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_PRIVATE, MAP_SHARED, MAP_SHARED_VALIDATE, MAP_TYPE } from './abi.ts';
import type { HandlerResult } from './handlers.ts';

/** mmap places mappings below this address, top-down. */
export const MMAP_BASE = 0x7fff_f7ff_f000;
/** Lowest address mmap hands out (vm.mmap_min_addr). */
export const MMAP_MIN_ADDR = 0x10000;
const PROT_VALID = PROT_READ | PROT_WRITE | PROT_EXEC;
const PROT_GROWS = 0x03000000;
/** Accepted and ignored on x86 (arch_validate_prot). */
const PROT_SEM = 0x8;

function pageUp(n: number): number {
  return Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
}

/** Would making [start, end) accessible (replacing what is there) exceed the memory limit? */
function overLimit(k: Kernel, p: Process, start: number, end: number, prot: number): boolean {
  if (prot === 0) return false;
  return p.accessibleBytes - p.accessibleBytesIn(start, end) + (end - start) > k.memoryLimit;
}

export function sysMmap(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const p = t.process;
  const hint = argPtr(r, 0);
  const length = argUlong(r, 1);
  const prot = argUint(r, 2) & PROT_VALID;
  const flags = argUint(r, 3);
  const fd = argInt(r, 4);
  const offset = argLong(r, 5);
  if (length === 0 || offset % PAGE_SIZE !== 0 || offset < 0) return 'EINVAL';
  const type = flags & MAP_TYPE;
  if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) return 'EINVAL';
  const len = pageUp(length);
  if (len > TASK_SIZE_MAX) return 'ENOMEM';
  let contents: Uint8Array | null = null;
  if ((flags & MAP_ANONYMOUS) === 0) {
    const f = p.fds.file(fd);
    if (!f) return 'EBADF';
    if (f.inode.kind !== 'reg') return 'ENODEV';
    if (!f.readable || (type !== MAP_PRIVATE && (prot & PROT_WRITE) !== 0 && !f.writable)) return 'EACCES';
    contents = f.inode.data().slice(offset, offset + len);
  }
  let addr: number;
  if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0) {
    if (hint === -1 || hint % PAGE_SIZE !== 0 || hint + len > TASK_SIZE_MAX) return 'EINVAL';
    if ((flags & MAP_FIXED) === 0 && p.overlapsMapping(hint, hint + len)) return 'EEXIST';
    addr = hint;
  } else {
    const wanted = hint > 0 ? pageUp(hint) : 0;
    const free = wanted >= MMAP_MIN_ADDR && wanted + len <= TASK_SIZE_MAX && !p.overlapsMapping(wanted, wanted + len);
    const found = free ? wanted : p.findFreeRange(len, MMAP_MIN_ADDR, MMAP_BASE);
    if (found === null) return 'ENOMEM';
    addr = found;
  }
  if (overLimit(k, p, addr, addr + len, prot)) return 'ENOMEM';
  p.mem.map(addr, len, prot);
  p.addMapping(addr, addr + len, prot);
  if (contents && contents.length > 0) {
    p.mem.write(addr, contents, { force: true });
    k.clock.advance(copyCost(contents.length));
  }
  return addr;
}

export function sysMunmap(_k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const addr = argPtr(r, 0);
  const length = argUlong(r, 1);
  if (addr === -1 || addr % PAGE_SIZE !== 0 || length === 0) return 'EINVAL';
  const len = pageUp(length);
  if (addr + len > TASK_SIZE_MAX) return 'EINVAL';
  t.process.mem.unmap(addr, len);
  t.process.removeMappings(addr, addr + len);
  return 0;
}

/**
 * mprotect, checking in Linux's order: both GROWS bits, an unaligned start → EINVAL; a zero
 * length → 0; a range that wraps → ENOMEM; prot bits x86 does not know → EINVAL; a range
 * not wholly mapped (kernel-half addresses included) → ENOMEM.
 */
export function sysMprotect(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const p = t.process;
  const addr = argPtr(r, 0);
  const length = argUlong(r, 1);
  const rawProt = argUint(r, 2);
  if ((rawProt & PROT_GROWS) === PROT_GROWS || argUint(r, 0) % PAGE_SIZE !== 0) return 'EINVAL';
  if (length === 0) return 0;
  const len = pageUp(length);
  if (len >= 2 ** 64 - argUlong(r, 0)) return 'ENOMEM';
  if ((rawProt & ~(PROT_VALID | PROT_SEM | PROT_GROWS)) !== 0) return 'EINVAL';
  if (addr === NOT_USER || addr + len > TASK_SIZE_MAX || !p.isFullyMapped(addr, addr + len)) return 'ENOMEM';
  const prot = rawProt & PROT_VALID;
  if (overLimit(k, p, addr, addr + len, prot)) return 'ENOMEM';
  p.mem.protect(addr, len, prot);
  p.addMapping(addr, addr + len, prot);
  return 0;
}

export function sysBrk(k: Kernel, t: Thread, r: SyscallRegs): HandlerResult {
  const p = t.process;
  const want = argPtr(r, 0);
  if (want < p.brkStart || want > TASK_SIZE_MAX) return p.brk;
  const oldEnd = pageUp(p.brk);
  const newEnd = pageUp(want);
  if (newEnd > oldEnd) {
    if (p.overlapsMapping(oldEnd, newEnd) || overLimit(k, p, oldEnd, newEnd, PROT_READ | PROT_WRITE)) return p.brk;
    p.mem.map(oldEnd, newEnd - oldEnd, PROT_READ | PROT_WRITE);
    p.addMapping(oldEnd, newEnd, PROT_READ | PROT_WRITE);
  } else if (newEnd < oldEnd) {
    p.mem.unmap(newEnd, oldEnd - newEnd);
    p.removeMappings(newEnd, oldEnd);
  }
  p.brk = want;
  return want;
}
