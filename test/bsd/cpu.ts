// A BSD machine on the emulated CPU, for the stub tests: the given user objects and the
// kernel entry code linked with host-bound entersyscall/exitsyscall (recorded), and
// do_syscall_64 bound to the real FreeBSD or XNU kernel through the personality's pt_regs
// frame (base = DI), as a Machine would wire it. `call(stub, first, args)` runs a stub with
// an ABI0 frame [ret][first][args…][results…] on the user stack until it returns; the
// first call boots through syscall_init in ring 0.
import { Cpu, RDI, RSI, RSP } from '../../runtime/cpu/index.ts';
import { Memory, PROT_READ, PROT_WRITE } from '../../runtime/cpu/index.ts';
import { Linker, loadImage, type AsmObject, type Image } from '../../runtime/asm/index.ts';
import { PT_REGS } from '../../runtime/asm/linux_amd64.ts';
import { DARWIN_TSD, MSR_KERNEL_GS_BASE } from '../../runtime/asm/darwin_amd64.ts';
import { ManualClock, type Kernel, type SeedFile, type Thread } from '../../runtime/kernel/index.ts';
import type { BsdSyscallFrame } from '../../runtime/kernel/freebsd/bsd.ts';
import { freebsdFrame, freebsdKernel } from '../../runtime/kernel/freebsd/index.ts';
import { darwinFrame, darwinKernel } from '../../runtime/kernel/darwin/index.ts';
import { bsdTables, forcedWords, type BsdOs } from './harness.ts';

export const STACK_TOP = 0x7fff0000;
const STACK_SIZE = 0x10000;
export const ARENA = 0x1000_0000;

/** Where the darwin machine keeps its thread's TSD block (user memory). */
export const TSD = 0x1100_0000;

export function bsdCpuMachine(os: BsdOs, user: AsmObject[], entry: AsmObject, opts: { files?: SeedFile[] } = {}) {
  const mem = new Memory();
  const events: string[] = [];
  const words = forcedWords(mem);
  const kopts = { tables: bsdTables(os), clock: new ManualClock(), files: opts.files };
  const kernel: Kernel = os === 'freebsd' ? freebsdKernel(kopts) : darwinKernel(kopts);
  const frame: BsdSyscallFrame = os === 'freebsd' ? freebsdFrame(words) : darwinFrame(words);
  const read64 = (a: number) => new DataView(mem.read(a, 8, { force: true }).buffer).getBigInt64(0, true);
  const write64 = (a: number, v: bigint) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigInt64(0, v, true);
    mem.write(a, b, { force: true });
  };
  let thread: Thread | null = null;
  const linker = new Linker();
  for (const o of user) linker.add(o);
  const image: Image = linker
    .add(entry, { supervisor: true })
    .bindHost('runtime·entersyscall', () => events.push('entersyscall'))
    .bindHost('runtime·exitsyscall', () => events.push('exitsyscall'))
    .bindHost('test·done', () => {
      throw new Error('test·done is a return target, not a function');
    })
    .bindHost(
      'do_syscall_64',
      (cpu) => {
        frame.base = Number(cpu.getReg(RDI));
        events.push(`syscall 0x${read64(frame.base + PT_REGS.orig_ax).toString(16)}`);
        const out = kernel.do_syscall_64(thread!, frame);
        if (out.kind !== 'done' && out.kind !== 'exit') throw new Error(`the call blocked (${out.kind}); this machine has no scheduler`);
      },
      { supervisor: true },
    )
    .link();
  loadImage(mem, image);
  mem.map(STACK_TOP - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE);
  mem.map(ARENA, 0x10000, PROT_READ | PROT_WRITE);
  thread = kernel.spawnProcess(mem);
  const cpu = new Cpu(mem, { mode: 'system' });
  if (os === 'darwin') {
    // The thread's TSD block becomes its user GS base at syscall_init's SWAPGS.
    mem.map(TSD, 4096, PROT_READ | PROT_WRITE);
    write64(TSD + DARWIN_TSD.self, BigInt(TSD));
    cpu.writeMsr(MSR_KERNEL_GS_BASE, BigInt(TSD));
  }
  let next = ARENA;

  const runToDone = () => {
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

  let booted = false;
  /** Runs `name` with the ABI0 frame [first][args…][results…] and returns the result words. */
  const call = (name: string, first: bigint | number, args: bigint[], resultWords = 3): bigint[] => {
    const sp = STACK_TOP - 256;
    write64(sp, BigInt(image.addressOf('test.done')));
    [BigInt(first), ...args].forEach((w, i) => write64(sp + 8 + 8 * i, w));
    const results = sp + 8 + 8 * (1 + args.length);
    for (let i = 0; i < resultWords; i++) write64(results + 8 * i, 0x5a5a5a5an);
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
    runToDone();
    if (cpu.cpl !== 3 || Number(cpu.getReg(RSP)) !== sp + 8) throw new Error(`${name} returned in ring ${cpu.cpl} with RSP 0x${cpu.getReg(RSP).toString(16)}`);
    return Array.from({ length: resultWords }, (_, i) => read64(results + 8 * i));
  };

  return {
    cpu, mem, image, kernel, events, call, read64,
    get thread() {
      return thread!;
    },
    str(s: string): bigint {
      const at = next;
      mem.write(at, new TextEncoder().encode(s + '\0'));
      next += Math.ceil((s.length + 1) / 16) * 16;
      return BigInt(at);
    },
    alloc(n: number): bigint {
      const at = next;
      next += Math.ceil(n / 16) * 16;
      return BigInt(at);
    },
    text(addr: bigint, n: number): string {
      return new TextDecoder().decode(mem.read(Number(addr), n));
    },
  };
}
