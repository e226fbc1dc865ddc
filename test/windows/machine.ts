// A bare windows/amd64 machine for exercising asmstdcall and the emulated kernel32: the
// runtime stubs and kernel32.dll linked with recorded entersyscall/exitsyscall, kernelbase
// procedures served by a WindowsKernel, threads each on its own CPU with its TEB at the GS
// base (the main one, and more from `spawn()`), and per thread `callProc(fn, args)`,
// which builds a libcall record and runs runtime·syscall_SyscallN on the CPU until it
// returns (or a procedure blocks: then `resume()` goes on once the thread is woken).
// `backend` is a SyscallBackend over the main thread, so the generated wrappers run on it.
import { Cpu, RSP } from '../../runtime/cpu/cpu.ts';
import { Memory, PROT_READ, PROT_WRITE } from '../../runtime/cpu/memory.ts';
import { Linker, loadImage, type HostFunction, type Image } from '../../runtime/asm/linker.ts';
import {
  kernelbaseProcedure, kernelbaseSymbols, LIBCALL, serveKernelbase, SystemDlls, windowsAmd64Objects,
} from '../../runtime/asm/windows_amd64.ts';
import { ManualClock } from '../../runtime/kernel/clock.ts';
import type { SeedFile } from '../../runtime/kernel/vfs.ts';
import { TEB, WindowsKernel, type ApiObserver, type ApiOutcome } from '../../runtime/kernel/windows/index.ts';
import type { SyscallBackend, SyscallResult, Word } from '../../runtime/syscall.ts';
import { word } from '../../runtime/syscall.ts';
import { errors } from '../../generated/zerrors_windows.ts';

export const STACK_TOP = 0x7fff0000;
const STACK_SIZE = 0x10000;
export const TEB_ADDR = 0x7ffd0000;
/** Scratch memory: the libcall record, the argument array, then pinned bytes. */
export const SCRATCH = 0x10000000;
const SCRATCH_SIZE = 0x20000;
const LIBCALL_BASE = SCRATCH;
const PIN_BASE = SCRATCH + 0x1000;
const MAX_THREADS = 8;

export interface WinMachineOptions {
  files?: SeedFile[];
  /** A tracer over the machine's memory (the API monitor needs it to read arguments). */
  observe?: (mem: Memory) => ApiObserver;
  /** Extra host-bound symbols (probes standing in for DLL procedures). */
  hosts?: Record<string, HostFunction>;
  imports?: Record<string, readonly string[]>;
}

export type CallOutcome = { kind: 'done'; r1: bigint; r2: bigint; err: bigint } | Exclude<ApiOutcome, bigint>;

export function winMachine(opts: WinMachineOptions = {}) {
  const mem = new Memory();
  const events: string[] = [];
  const { stubs, kernel32 } = windowsAmd64Objects();
  const unreachable = (name: string) => () => {
    throw new Error(`${name} is served by the run loop`);
  };
  const linker = new Linker()
    .add(stubs)
    .add(kernel32)
    .bindHost('runtime·entersyscall', () => events.push('entersyscall'))
    .bindHost('runtime·exitsyscall', () => events.push('exitsyscall'))
    .bindHost('test·done', unreachable('test·done'));
  for (const s of kernelbaseSymbols()) linker.bindHost(s, unreachable(s));
  for (const [name, fn] of Object.entries(opts.hosts ?? {})) linker.bindHost(name, fn);
  const image: Image = linker.link();
  loadImage(mem, image);
  mem.map(SCRATCH, SCRATCH_SIZE, PROT_READ | PROT_WRITE);
  const dlls = new SystemDlls(image, opts.imports ?? { kernel32: ['CreateFileW', 'GetLastError'] });
  const kernel = new WindowsKernel({ mem, clock: new ManualClock(), files: opts.files, errors, observer: opts.observe?.(mem) });
  const done = image.addressOf('test.done');
  let threads = 0;

  /** A thread on its own CPU, stack, TEB (at the GS base) and libcall record. */
  const spawn = () => {
    const index = threads++;
    if (index >= MAX_THREADS) throw new Error(`at most ${MAX_THREADS} threads`);
    const stackTop = STACK_TOP - index * 2 * STACK_SIZE;
    const teb = TEB_ADDR + index * TEB.size;
    const libcall = LIBCALL_BASE + index * 0x200;
    const argv = libcall + 0x40;
    mem.map(stackTop - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE);
    mem.map(teb, TEB.size, PROT_READ | PROT_WRITE);
    const thread = kernel.newThread();
    thread.bindTeb(mem, teb);
    const cpu = new Cpu(mem, { mode: 'user' });
    cpu.gsBase = teb;
    let sp = 0;

    const finish = (): CallOutcome => {
      for (;;) {
        const stop = cpu.run(1_000_000);
        if (stop.kind === 'limit') continue;
        if (stop.kind !== 'host') {
          const why = stop.kind === 'fault' ? `${stop.fault.mnemonic} ${stop.fault.message}` : stop.kind === 'interrupt' ? `INT ${stop.vector}` : stop.kind;
          throw new Error(`stopped: ${why} at 0x${cpu.rip.toString(16)} (${image.symbolAt(cpu.rip)?.name ?? '?'})`);
        }
        if (stop.addr === done) break;
        const proc = kernelbaseProcedure(image.symbolAt(stop.addr)!.name);
        if (proc === null) {
          image.callHost(cpu, stop.addr);
          continue;
        }
        events.push(proc);
        const out = serveKernelbase(kernel, thread, cpu, proc);
        if (typeof out !== 'bigint') return out;
      }
      if (cpu.regAddr(RSP) !== sp + 8) throw new Error(`syscall_SyscallN returned with RSP 0x${cpu.regAddr(RSP).toString(16)}, expected 0x${(sp + 8).toString(16)}`);
      const at = (off: number) => BigInt.asIntN(64, mem.readU64(libcall + off));
      return { kind: 'done', r1: at(LIBCALL.r1), r2: at(LIBCALL.r2), err: at(LIBCALL.err) };
    };

    /** Calls the procedure at fn through runtime·syscall_SyscallN; the caller's SP is `top` minus a frame. */
    const callProc = (fn: number, args: readonly bigint[], top = stackTop - 256): CallOutcome => {
      args.forEach((a, i) => mem.writeU64(argv + 8 * i, BigInt.asUintN(64, a)));
      mem.writeU64(libcall + LIBCALL.fn, BigInt(fn));
      mem.writeU64(libcall + LIBCALL.n, BigInt(args.length));
      mem.writeU64(libcall + LIBCALL.args, BigInt(argv));
      for (const f of [LIBCALL.r1, LIBCALL.r2, LIBCALL.err]) mem.writeU64(libcall + f, 0x5a5a5a5an);
      sp = top - 16;
      mem.writeU64(sp, BigInt(done));
      mem.writeU64(sp + 8, BigInt(libcall));
      cpu.setReg(RSP, sp);
      cpu.rip = image.addressOf('runtime.syscall_SyscallN');
      events.length = 0;
      return finish();
    };
    return { cpu, thread, teb, callProc, resume: finish };
  };

  /** A kernel32 export's address (throws when missing). */
  const proc = (name: string): number => {
    const a = dlls.findProc('kernel32.dll', name);
    if (a === null) throw new Error(`kernel32.dll has no ${name}`);
    return a;
  };

  let pinned: Array<{ addr: number; bytes: Uint8Array }> = [];
  let pinAt = PIN_BASE;
  const pin = (bytes: Uint8Array): number => {
    const addr = pinAt;
    mem.write(addr, bytes);
    pinned.push({ addr, bytes });
    pinAt += (bytes.length + 15) & ~15;
    return addr;
  };

  const main = spawn();

  /** The wrappers' backend on the main thread: SyscallN runs on the CPU without parking; pinned bytes are copied back. */
  const backend: SyscallBackend = {
    os: 'windows',
    syscall: () => {
      throw new Error('windows has no trap-number system calls');
    },
    libcCall: () => {
      throw new Error('windows has no libc trampolines');
    },
    *procCall(addr: Word, args: readonly Word[]) {
      const out = main.callProc(Number(addr), args.map((a) => BigInt(a)));
      for (const p of pinned) p.bytes.set(mem.read(p.addr, p.bytes.length));
      pinned = [];
      pinAt = PIN_BASE;
      if (out.kind !== 'done') throw new Error(`procedure did not return: ${JSON.stringify(out)}`);
      return [word(out.r1), word(out.r2), Number(out.err)] as SyscallResult;
    },
    findProc: (dll, name) => dlls.findProc(dll, name),
    pin,
    zeroAddress: () => PIN_BASE,
  };

  return { mem, image, kernel, dlls, events, ...main, spawn, proc, pin, backend };
}

/** NUL-terminated UTF-16LE bytes of s. */
export function utf16z(s: string): Uint8Array {
  const b = new Uint8Array((s.length + 1) * 2);
  for (let i = 0; i < s.length; i++) {
    b[2 * i] = s.charCodeAt(i) & 0xff;
    b[2 * i + 1] = s.charCodeAt(i) >> 8;
  }
  return b;
}

/** Runs a goroutine step that must not park (the test backend never parks) and returns its result. */
export function runToEnd<T>(g: Generator<unknown, T, unknown>): T {
  const r = g.next();
  if (!r.done) throw new Error('the goroutine parked');
  return r.value;
}
