// A bare linux/amd64 machine for exercising the stubs: the stubs and kernel entry code
// linked with host-bound entersyscall/exitsyscall (recorded), a host-bound do_syscall_64
// that hands the call to a given fake kernel, a user stack, and `call(stub, trap, args)`,
// which runs the stub with an ABI0 frame on the guest stack until it returns. The first
// call boots through syscall_init in ring 0. Shared by the stub tests and bench/stubs.ts.
import { Cpu, RDI, RSI, RSP } from '../../runtime/cpu/cpu.ts';
import { Memory, PROT_READ, PROT_WRITE } from '../../runtime/cpu/memory.ts';
import { Linker, loadImage, type Image } from '../../runtime/asm/linker.ts';
import type { AsmObject } from '../../runtime/asm/assembler.ts';
import { linuxAmd64Objects, PT_REGS } from '../../runtime/asm/linux_amd64.ts';

export const STACK_TOP = 0x7fff0000;
const STACK_SIZE = 0x10000;

export interface Seen {
  nr: number;
  args: bigint[];
  cpl: number;
  gsIsPercpu: boolean;
  /** do_syscall_64(regs, nr): SI held the number. */
  nrInSi: boolean;
  /** The pt_regs frame's address (DI). */
  regs: number;
  /** RFLAGS in the kernel (FMASK applied). */
  kernelFlags: number;
  /** The pt_regs frame's saved user RSP, RIP (= RCX) and RFLAGS (= R11). */
  saved: { sp: bigint; ip: bigint; flags: bigint };
}

export type FakeKernel = (nr: number, args: bigint[]) => { ax: bigint; dx?: bigint };

export interface StubMachineOptions {
  /** More objects to link into user pages (bench drivers). */
  extra?: AsmObject[];
  /** Record events and what do_syscall_64 saw (default true; benches turn it off). */
  record?: boolean;
}

export function stubMachine(fakeSyscall: FakeKernel, opts: StubMachineOptions = {}) {
  const record = opts.record ?? true;
  const mem = new Memory();
  const events: string[] = [];
  const seen: Seen[] = [];
  const { stubs, entry } = linuxAmd64Objects();
  const read64 = (a: number) => new DataView(mem.read(a, 8, { force: true }).buffer).getBigInt64(0, true);
  const write64 = (a: number, v: bigint) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, v, true);
    mem.write(a, b, { force: true });
  };
  const linker = new Linker().add(stubs);
  for (const o of opts.extra ?? []) linker.add(o);
  const image: Image = linker
    .add(entry, { supervisor: true })
    .bindHost('runtime·entersyscall', () => record && events.push('entersyscall'))
    .bindHost('runtime·exitsyscall', () => record && events.push('exitsyscall'))
    // The stubs RET here: reaching it ends the call (it is never run as a function).
    .bindHost('test·done', () => {
      throw new Error('test·done is a return target, not a function');
    })
    .bindHost(
      'do_syscall_64',
      (cpu) => {
        const regs = Number(cpu.getReg(RDI));
        const nr = Number(read64(regs + PT_REGS.orig_ax));
        const args = (['di', 'si', 'dx', 'r10', 'r8', 'r9'] as const).map((r) => read64(regs + PT_REGS[r]));
        if (record) seen.push({ nr, args, cpl: cpu.cpl, gsIsPercpu: cpu.gsBase === image.addressOf('entry_percpu'), nrInSi: Number(cpu.getReg(RSI)) === nr,
          regs,
          kernelFlags: cpu.getFlags(),
          saved: { sp: read64(regs + PT_REGS.sp), ip: read64(regs + PT_REGS.ip), flags: read64(regs + PT_REGS.flags) },
        });
        if (record) events.push(`syscall ${nr}`);
        const r = fakeSyscall(nr, args);
        write64(regs + PT_REGS.ax, r.ax);
        if (r.dx !== undefined) write64(regs + PT_REGS.dx, r.dx);
      },
      { supervisor: true },
    )
    .link();
  loadImage(mem, image);
  mem.map(STACK_TOP - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE);
  const cpu = new Cpu(mem, { mode: 'system' });

  /** Runs `cpu` until the stub returns to test·done; host calls in between are served. */
  const runToDone = (cpu: Cpu) => {
    for (;;) {
      const stop = cpu.run(1_000_000);
      if (stop.kind !== 'host') throw new Error(`unexpected stop ${JSON.stringify(stop)} at 0x${cpu.rip.toString(16)}`);
      if (stop.addr === image.addressOf('test.done')) {
        events.push('done');
        return;
      }
      image.callHost(cpu, stop.addr);
    }
  };

  /** Builds [ret][trap][args…][results…] at sp (default: near the top of the user stack). */
  const frame = (trap: number, args: bigint[], resultWords: number, sp = STACK_TOP - 256) => {
    write64(sp, BigInt(image.addressOf('test.done')));
    [BigInt(trap), ...args].forEach((w, i) => write64(sp + 8 + 8 * i, w));
    for (let i = 0; i < resultWords; i++) write64(sp + 8 + 8 * (1 + args.length + i), 0x5a5a5a5an);
    return sp;
  };
  const results = (sp: number, nargs: number, n: number) => Array.from({ length: n }, (_, i) => read64(sp + 8 + 8 * (1 + nargs + i)));

  let booted = false;
  /** Calls `name` with the ABI0 frame [trap][args…][results…] (trap is just the first word); the first call boots through syscall_init. */
  const call = (name: string, trap: number, args: bigint[], resultWords = 3) => {
    const sp = frame(trap, args, resultWords);
    if (!booted) {
      cpu.cpl = 0;
      cpu.rip = image.addressOf('syscall_init');
      cpu.setReg(RDI, image.addressOf(name));
      cpu.setReg(RSI, sp);
      booted = true;
    } else {
      cpu.rip = image.addressOf(name);
      cpu.setReg(RSP, sp);
    }
    events.length = 0;
    seen.length = 0;
    runToDone(cpu);
    if (cpu.cpl !== 3 || Number(cpu.getReg(RSP)) !== sp + 8) throw new Error(`${name} returned in ring ${cpu.cpl} with RSP 0x${cpu.getReg(RSP).toString(16)}`);
    return results(sp, args.length, resultWords);
  };
  return { cpu, image, mem, events, seen, call, read64, write64, frame, results, runToDone };
}

