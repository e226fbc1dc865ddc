// The linux/amd64 stubs on the emulated CPU, end to end: boot through syscall_init in
// ring 0 (MSRs, EFER.SCE, SYSRET to ring 3), call a stub with an ABI0 frame on the guest
// stack, take SYSCALL through entry_SYSCALL_64 to a host-bound do_syscall_64 (a small fake
// here), come back with SYSRET, and read r1, r2 and err from the frame. entersyscall and
// exitsyscall must be reached, in order, by the Syscall family and never by the Raw one.
import { describe, expect, it } from 'vitest';
import { PERCPU, PT_REGS_SIZE } from '../../runtime/asm/linux_amd64.ts';
import { Cpu, RDI, RDX, RSI } from '../../runtime/cpu/cpu.ts';
import { PROT_READ, PROT_WRITE } from '../../runtime/cpu/memory.ts';
import { STACK_TOP, stubMachine } from './machine.ts';

const ENOSYS = 38;

/** A fake kernel: getpid (39) is 4242, write (1) returns its count with r2 = 77, read (0) on fd -1 fails with EBADF, 500 returns -4096 (not an error), the rest ENOSYS. */
function fakeSyscall(nr: number, args: bigint[]): { ax: bigint; dx?: bigint } {
  switch (nr) {
    case 39:
      return { ax: 4242n };
    case 1:
      return { ax: args[2]!, dx: 77n };
    case 0:
      return { ax: args[0] === -1n ? -9n : 0n };
    case 500:
      return { ax: -4096n };
    default:
      return { ax: BigInt(-ENOSYS) };
  }
}

const machine = () => stubMachine(fakeSyscall);

describe('linux/amd64 stubs on the emulated CPU', () => {
  it('boots: syscall_init programs LSTAR, STAR, FMASK, EFER.SCE and the per-CPU GS base, then enters ring 3', () => {
    const m = machine();
    const [r1, r2, err] = m.call('syscall·Syscall', 39, [0n, 0n, 0n]);
    expect(m.cpu.readMsr(0xc0000082)).toBe(BigInt(m.image.addressOf('entry_SYSCALL_64')));
    expect(m.cpu.readMsr(0xc0000081)).toBe(0x0023001000000000n);
    expect(m.cpu.readMsr(0xc0000084)).toBe(0x47700n);
    expect(m.cpu.readMsr(0xc0000080) & 1n).toBe(1n);
    // In ring 3 the per-CPU pointer waits in KERNEL_GS_BASE for the next SWAPGS.
    expect(m.cpu.readMsr(0xc0000102)).toBe(BigInt(m.image.addressOf('entry_percpu')));
    expect(m.read64(m.image.addressOf('entry_percpu') + PERCPU.userSp)).toBe(BigInt(STACK_TOP - 256));
    expect([r1, r2, err]).toEqual([4242n, 0n, 0n]);
    expect(m.seen[0]).toMatchObject({ nr: 39, cpl: 0, gsIsPercpu: true, nrInSi: true });
  });

  it('Syscall brackets the call with entersyscall and exitsyscall and passes DI SI DX', () => {
    const m = machine();
    m.call('syscall·Syscall', 39, [0n, 0n, 0n]);
    const [r1, r2, err] = m.call('syscall·Syscall', 1, [1n, 0x1000n, 12n]);
    expect(m.events).toEqual(['entersyscall', 'syscall 1', 'exitsyscall', 'done']);
    expect(m.seen[0]!.args.slice(0, 3)).toEqual([1n, 0x1000n, 12n]);
    expect([r1, r2, err]).toEqual([12n, 77n, 0n]);
  });

  it('Syscall turns -errno into r1 = -1, r2 = 0, err = errno', () => {
    const m = machine();
    expect(m.call('syscall·Syscall', 0, [-1n, 0n, 10n])).toEqual([-1n, 0n, 9n]);
    expect(m.call('syscall·Syscall', 999, [0n, 0n, 0n])).toEqual([-1n, 0n, BigInt(ENOSYS)]);
    // -4096 is below the error range [-4095, -1]: a result, not an errno (the unsigned JLS).
    expect(m.call('syscall·Syscall', 500, [0n, 0n, 0n])).toEqual([-4096n, 0n, 0n]);
  });

  it('Syscall6 passes six arguments in DI SI DX R10 R8 R9', () => {
    const m = machine();
    const args = [11n, 22n, 33n, 44n, 55n, -66n];
    expect(m.call('syscall·Syscall6', 39, args)).toEqual([4242n, 33n, 0n]);
    expect(m.seen[0]!.args).toEqual(args);
    expect(m.events).toEqual(['entersyscall', 'syscall 39', 'exitsyscall', 'done']);
  });

  it('RawSyscall and RawSyscall6 never reach the scheduler hooks', () => {
    const m = machine();
    expect(m.call('syscall·RawSyscall', 39, [0n, 0n, 0n])).toEqual([4242n, 0n, 0n]);
    expect(m.events).toEqual(['syscall 39', 'done']);
    expect(m.call('syscall·RawSyscall6', 0, [-1n, 2n, 3n, 4n, 5n, 6n])).toEqual([-1n, 0n, 9n]);
    expect(m.events).toEqual(['syscall 0', 'done']);
    expect(m.seen[0]!.args).toEqual([-1n, 2n, 3n, 4n, 5n, 6n]);
  });

  it('the NoError variants store r1 and r2 only', () => {
    const m = machine();
    expect(m.call('syscall·SyscallNoError', 1, [1n, 2n, 3n], 2)).toEqual([3n, 77n]);
    expect(m.events).toEqual(['entersyscall', 'syscall 1', 'exitsyscall', 'done']);
    expect(m.call('syscall·RawSyscallNoError', 0, [-1n, 0n, 0n], 2)).toEqual([-9n, 0n]);
    expect(m.events).toEqual(['syscall 0', 'done']);
  });

  it('the entry path saves the user state in pt_regs and preserves callee-saved registers across SYSCALL', () => {
    const m = machine();
    m.call('syscall·RawSyscall', 39, [0n, 0n, 0n]);
    const preserved = [3, 5, 12, 13, 14, 15]; // BX BP R12..R15
    preserved.forEach((r, i) => m.cpu.setReg(r, 0x1111_0000_0000n * BigInt(i + 1) + BigInt(r)));
    m.cpu.setFlags(0x202 | 0x1); // IF and CF
    m.call('syscall·RawSyscall', 39, [0n, 0n, 0n]);
    expect(preserved.map((r) => m.cpu.getReg(r))).toEqual(preserved.map((r, i) => 0x1111_0000_0000n * BigInt(i + 1) + BigInt(r)));
    const s = m.seen[0]!;
    expect(s.kernelFlags & 0x200).toBe(0); // FMASK cleared IF in the kernel
    expect(s.saved.sp).toBe(BigInt(STACK_TOP - 256));
    expect(s.saved.ip).toBe(BigInt(m.image.addressOf('syscall.RawSyscall') + 0x16)); // after the SYSCALL
    expect(Number(s.saved.flags) & 0x200).toBe(0x200);
    expect(m.cpu.getFlags() & 0x200).toBe(0x200); // SYSRET restored the user RFLAGS
  });

  it('a second CPU boots with its own per-CPU area and enters the kernel on its own stack', () => {
    const m = machine();
    m.call('syscall·RawSyscall', 39, [0n, 0n, 0n]); // the boot CPU
    const area = 0x6000_0000;
    const kernelStackTop = 0x6000_3000;
    m.mem.map(area, 0x3000, PROT_READ | PROT_WRITE, { user: false });
    m.write64(area + PERCPU.topOfStack, BigInt(kernelStackTop));
    const cpu = new Cpu(m.mem, { mode: 'system' });
    const sp = m.frame(39, [0n, 0n, 0n], 3, STACK_TOP - 0x1000);
    cpu.cpl = 0;
    cpu.rip = m.image.addressOf('syscall_init');
    cpu.setReg(RDI, m.image.addressOf('syscall.RawSyscall'));
    cpu.setReg(RSI, sp);
    cpu.setReg(RDX, area);
    m.seen.length = 0;
    m.runToDone(cpu);
    expect(m.results(sp, 3, 3)).toEqual([4242n, 0n, 0n]);
    expect(cpu.readMsr(0xc0000102)).toBe(BigInt(area));
    expect(m.seen[0]).toMatchObject({ cpl: 0, gsIsPercpu: false, regs: kernelStackTop - PT_REGS_SIZE });
    expect(m.read64(area + PERCPU.userSp)).toBe(BigInt(sp));
    // The boot CPU's area is untouched.
    expect(m.read64(m.image.addressOf('entry_percpu') + PERCPU.userSp)).toBe(BigInt(STACK_TOP - 256));
  });

  it('ring 3 cannot touch the kernel entry code or the per-CPU area', () => {
    const m = machine();
    m.call('syscall·RawSyscall', 39, [0n, 0n, 0n]);
    expect(m.mem.check(m.image.addressOf('entry_SYSCALL_64'), 1, 'x', true)).toBe(false);
    expect(m.mem.check(m.image.addressOf('entry_percpu'), 8, 'r', true)).toBe(false);
    expect(m.mem.check(m.image.addressOf('syscall·Syscall'), 1, 'x', true)).toBe(true);
  });
});
