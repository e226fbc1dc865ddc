// Copying between user memory and the kernel (Linux's copy_to_user / copy_from_user /
// strncpy_from_user). Every user pointer goes through here and is checked with the user
// bit set, so a bad pointer is an errno (EFAULT) and never a host exception.
import type { Memory } from '../cpu/index.ts';
import { PATH_MAX } from './linux/abi.ts';

/** Top of the user address space (Linux's TASK_SIZE_MAX on x86-64 with 4-level paging). */
export const TASK_SIZE_MAX = 2 ** 47 - 4096;

/** access_ok: the range lies in user space (it may still be unmapped). */
export function accessOk(addr: number, length: number): boolean {
  return addr >= 0 && length >= 0 && addr + length <= TASK_SIZE_MAX;
}

export function copyFromUser(mem: Memory, addr: number, length: number): Uint8Array | null {
  if (length === 0) return new Uint8Array(0);
  if (!accessOk(addr, length) || !mem.check(addr, length, 'r', true)) return null;
  return mem.read(addr, length);
}

export function copyToUser(mem: Memory, addr: number, bytes: Uint8Array): boolean {
  if (bytes.length === 0) return true;
  if (!accessOk(addr, bytes.length) || !mem.check(addr, bytes.length, 'w', true)) return false;
  mem.write(addr, bytes);
  return true;
}

/**
 * A NUL-terminated string of at most max bytes (including the NUL) as a byte string
 * (one char per byte). EFAULT if a byte before the NUL is unreadable, ENAMETOOLONG if
 * there is no NUL within max bytes.
 */
export function stringFromUser(mem: Memory, addr: number, max = PATH_MAX): string | 'EFAULT' | 'ENAMETOOLONG' {
  let out = '';
  let at = addr;
  while (out.length < max) {
    // Within one page, so one check covers the chunk.
    const chunk = Math.min(4096 - (at % 4096), max - out.length);
    if (!accessOk(at, chunk) || !mem.check(at, chunk, 'r', true)) return 'EFAULT';
    const bytes = mem.read(at, chunk);
    const nul = bytes.indexOf(0);
    const take = nul >= 0 ? bytes.subarray(0, nul) : bytes;
    for (const b of take) out += String.fromCharCode(b);
    if (nul >= 0) return out;
    at += chunk;
  }
  return 'ENAMETOOLONG';
}

/** A byte string (one char per byte) as bytes. */
export function byteString(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}
