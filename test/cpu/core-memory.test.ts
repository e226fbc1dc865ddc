import { describe, expect, it } from 'vitest';
import { Memory, PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE } from '../../runtime/cpu/memory.ts';
import { CpuFault, PageFault } from '../../runtime/cpu/faults.ts';

function faultOf(fn: () => unknown): CpuFault {
  try {
    fn();
  } catch (e) {
    if (e instanceof CpuFault) return e;
    throw e;
  }
  throw new Error('expected a CpuFault');
}

describe('Memory', () => {
  it('reads back little-endian values, including across a page boundary', () => {
    const m = new Memory();
    m.map(0x10000, 0x2000, PROT_READ | PROT_WRITE);
    m.writeU32(0x10000, 0xdeadbeef);
    expect(m.readU8(0x10000)).toBe(0xef);
    expect(m.readU16(0x10002)).toBe(0xdead);
    m.writeU64(0x10ffc, 0x0102030405060708n);
    expect(m.readU64(0x10ffc)).toBe(0x0102030405060708n);
    expect(m.readU32(0x11000)).toBe(0x01020304);
    expect(m.read(0x10ffe, 4)).toEqual(Uint8Array.of(6, 5, 4, 3));
    m.writeU64(0x10100, -1n);
    expect(m.readU64(0x10100)).toBe(0xffffffffffffffffn);
  });

  it('is zero-filled and sparse: reserving 512 MiB of PROT_NONE is cheap', () => {
    const m = new Memory();
    m.map(0x4000_0000, 512 * 1024 * 1024, PROT_NONE);
    expect(m.isMapped(0x4000_0000 + 300 * 1024 * 1024)).toBe(true);
    expect(faultOf(() => m.readU8(0x4000_0000)).vector).toBe(14);
    m.protect(0x4000_0000 + 0x1000, 0x1000, PROT_READ);
    expect(m.readU32(0x4000_1000)).toBe(0);
    expect(m.check(0x4000_1000, 0x1000, 'r', true)).toBe(true);
    expect(m.check(0x4000_1000, 0x1001, 'r', true)).toBe(false);
  });

  it('raises #PF with address and access kind, and honours write protection', () => {
    const m = new Memory();
    m.map(0x1000, 0x1000, PROT_READ);
    const f = faultOf(() => m.writeU8(0x1004, 1));
    expect(f).toBeInstanceOf(PageFault);
    expect(f.vector).toBe(14);
    expect(f.mnemonic).toBe('#PF');
    expect(f.addr).toBe(0x1004);
    expect(f.access).toBe('write');
    expect(f.errorCode).toBe(1 | 2 | 4);
    const g = faultOf(() => m.readU8(0x5000));
    expect(g.access).toBe('read');
    expect(g.errorCode! & 1).toBe(0);
    m.write(0x1000, Uint8Array.of(7), { force: true });
    expect(m.readU8(0x1000)).toBe(7);
  });

  it('a faulting multi-page write changes nothing', () => {
    const m = new Memory();
    m.map(0x1000, 0x1000, PROT_READ | PROT_WRITE);
    m.map(0x2000, 0x1000, PROT_READ);
    expect(faultOf(() => m.writeU32(0x1ffe, 0xffffffff)).addr).toBe(0x2000);
    expect(m.readU16(0x1ffe)).toBe(0);
  });

  it('checks the user bit for user accesses, and not for supervisor ones', () => {
    const m = new Memory();
    m.map(0x1000, 0x1000, PROT_READ | PROT_WRITE, { user: false });
    expect(m.check(0x1000, 8, 'r', true)).toBe(false);
    expect(m.check(0x1000, 8, 'r', false)).toBe(true);
    expect(faultOf(() => m.readU8(0x1000)).vector).toBe(14);
    m.setUserMode(false);
    m.st32(0x1000, 0x12345678);
    expect(m.ld32(0x1000)).toBe(0x12345678);
    m.setUserMode(true);
    expect(faultOf(() => m.ld8(0x1000)).errorCode).toBe(1 | 4);
  });

  it('unmap and protect take effect immediately, even on TLB-cached pages', () => {
    const m = new Memory();
    m.map(0x1000, 0x1000, PROT_READ | PROT_WRITE);
    m.st8(0x1000, 5);
    expect(m.ld8(0x1000)).toBe(5);
    m.protect(0x1000, 0x1000, PROT_READ);
    expect(faultOf(() => m.st8(0x1000, 1)).access).toBe('write');
    expect(m.ld8(0x1000)).toBe(5);
    m.unmap(0x1000, 0x1000);
    expect(faultOf(() => m.ld8(0x1000)).errorCode! & 1).toBe(0);
    expect(m.isMapped(0x1000)).toBe(false);
  });

  it('guest accesses straddling pages are all or nothing', () => {
    const m = new Memory();
    m.map(0x1000, 0x1000, PROT_READ | PROT_WRITE);
    m.map(0x2000, 0x1000, PROT_READ);
    expect(faultOf(() => m.st32(0x1ffe, 0xffffffff)).addr).toBe(0x2000);
    expect(m.ld16(0x1ffe)).toBe(0);
    m.protect(0x2000, 0x1000, PROT_READ | PROT_WRITE);
    m.st32(0x1ffe, 0xa1b2c3d4);
    expect(m.ld32(0x1ffe)).toBe(0xa1b2c3d4);
  });

  it('non-canonical addresses raise #GP, upper-half canonical ones are negative numbers', () => {
    const m = new Memory();
    expect(faultOf(() => m.readU8(2 ** 47)).vector).toBe(13);
    expect(faultOf(() => m.ld8(2 ** 47 + 5)).vector).toBe(13);
    m.map(-(2 ** 47), 0x1000, PROT_READ | PROT_WRITE);
    m.writeU32(-(2 ** 47) + 8, 42);
    expect(m.readU32(-(2 ** 47) + 8)).toBe(42);
    expect(m.check(2 ** 47 - 4, 8, 'r', false)).toBe(false);
  });

  it('tells code watchers when a page holding code is written', () => {
    const m = new Memory();
    m.map(0x1000, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC);
    const seen: number[] = [];
    m.watchCode((pn) => seen.push(pn));
    m.st8(0x1000, 1); // fills the write TLB before the page holds code
    m.fetchPage(0x1000);
    m.markCode(1);
    m.st8(0x1001, 2);
    expect(seen).toEqual([1]);
    m.st8(0x1002, 3); // no longer code: no second notification
    expect(seen).toEqual([1]);
    m.markCode(1);
    m.write(0x1010, Uint8Array.of(9));
    expect(seen).toEqual([1, 1]);
  });

  it('rejects bad map arguments with a clear error', () => {
    const m = new Memory();
    expect(() => m.map(0x1001, 0x1000, PROT_READ)).toThrow(/page-aligned/);
    expect(() => m.map(0x1000, 0, PROT_READ)).toThrow(/bad length/);
  });
});
