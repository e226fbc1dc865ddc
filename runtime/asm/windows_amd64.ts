// The windows/amd64 guest code this project ships and the protocol its host side follows:
// the runtime's asmstdcall and syscall_SyscallN (asm_windows_amd64.s, package runtime),
// the emulated kernel32.dll (kernel32_windows_amd64.s, package kernel32), the libcall
// record they share, how a host-bound kernelbase procedure reads its arguments and
// returns, and the system DLL table that NewLazySystemDLL/NewProc resolve against.
//
// How a machine uses them (test/windows/machine.ts does exactly this):
//   const { stubs, kernel32 } = windowsAmd64Objects();
//   linker.add(stubs).add(kernel32).bindHost('runtime·entersyscall', …).bindHost('runtime·exitsyscall', …);
//   for (const s of kernelbaseSymbols()) linker.bindHost(s, …);   // served by the run loop
//   const dlls = new SystemDlls(image, target.imports);             // load time: every import must exist
// Each thread gets a TEB page (user read/write, TEB layout of runtime/kernel/windows): the
// CPU's GS base points at it and WinThread.bindTeb keeps the last error there.
// A SyscallN(addr, args…): write the args array and a LIBCALL record {fn: addr, n, args}
// to guest memory, push the record's address as the one ABI0 argument of
// runtime·syscall_SyscallN under a return address the machine recognises, run; when the
// CPU stops at a kernelbase·Name host slot, `serveKernelbase` runs the procedure: on a
// result it sets RAX and returns to the caller; on a Block it leaves RIP at the slot, so
// running the thread again after the wake-up re-enters the procedure (a restart). When the
// call returns, r1, r2 and err are in the record.
import { readFileSync } from 'node:fs';
import type { Cpu } from '../cpu/cpu.ts';
import type { ApiOutcome, WindowsKernel, WinThread } from '../kernel/windows/index.ts';
import { PROCEDURE_ARITY } from '../kernel/windows/index.ts';
import { assemble, type AsmObject } from './assembler.ts';
import type { Image } from './linker.ts';

/** Offsets of Go's libcall record (bytes); all fields are 64-bit words. */
export const LIBCALL = { fn: 0, n: 8, args: 16, r1: 24, r2: 32, err: 40 } as const;
export const LIBCALL_SIZE = 48;
/** Most arguments asmstdcall passes (Go's const_maxArgs on windows). */
export const MAX_ARGS = 42;
/** The callee's home area for RCX, RDX, R8, R9, below the fifth argument. */
export const SHADOW_SPACE = 32;
/** Frame size (the libcall pointer) of runtime·syscall_SyscallN. */
export const SYSCALLN_FRAME = 8;
/** The package of the host-bound procedures kernel32 forwards to. */
export const KERNELBASE = 'kernelbase';

const ARG_REGS = [1, 2, 8, 9] as const; // RCX, RDX, R8, R9
const RAX = 0;
const RSP = 4;

let cached: { stubs: AsmObject; kernel32: AsmObject } | null = null;

/** The assembled runtime stubs and the emulated kernel32.dll. */
export function windowsAmd64Objects(): { stubs: AsmObject; kernel32: AsmObject } {
  if (!cached) {
    const load = (name: string, pkg: string) => assemble(readFileSync(new URL(name, import.meta.url), 'utf8'), { file: `runtime/asm/${name}`, pkg });
    cached = { stubs: load('asm_windows_amd64.s', 'runtime'), kernel32: load('kernel32_windows_amd64.s', 'kernel32') };
  }
  return cached;
}

/** The kernelbase.Name symbols kernel32 jumps to: a machine binds each one to the host. */
export function kernelbaseSymbols(): string[] {
  const names = new Set<string>();
  for (const s of windowsAmd64Objects().kernel32.symbols) for (const r of s.relocs) if (r.sym.startsWith(`${KERNELBASE}.`)) names.add(r.sym);
  return [...names].sort();
}

/** The procedure name of a kernelbase host slot, or null when sym is something else. */
export function kernelbaseProcedure(sym: string): string | null {
  return sym.startsWith(`${KERNELBASE}.`) ? sym.slice(KERNELBASE.length + 1) : null;
}

/**
 * The argument words of a procedure entered with the Windows x64 convention, read at its
 * first instruction (0(SP) is the return address): RCX, RDX, R8, R9, then 40(SP), 48(SP), …
 */
export function procedureArgs(cpu: Cpu, n: number): bigint[] {
  const args: bigint[] = [];
  const sp = cpu.regAddr(RSP);
  for (let i = 0; i < n; i++) args.push(i < 4 ? cpu.getReg(ARG_REGS[i]!) : cpu.mem.readU64(sp + 8 + SHADOW_SPACE + 8 * (i - 4)));
  return args;
}

/**
 * Serves the CPU stopped at the host slot of kernelbase procedure `name` for thread t:
 * runs it; a result goes to RAX and the procedure returns to its caller; a Block leaves
 * the CPU where it is (serve again once woken); an exit ends the process.
 */
export function serveKernelbase(kernel: WindowsKernel, t: WinThread, cpu: Cpu, name: string): ApiOutcome {
  const arity = PROCEDURE_ARITY[name];
  if (arity === undefined) throw new Error(`kernelbase: no procedure ${name}`);
  const out = kernel.call(t, name, procedureArgs(cpu, arity));
  if (typeof out === 'bigint') {
    cpu.setReg(RAX, out);
    cpu.hostReturn();
  }
  return out;
}

/** The system DLLs this project emulates, by package name. */
export const SYSTEM_DLLS: readonly string[] = ['kernel32'];

/** A DLL name as a package: "KERNEL32.DLL" → "kernel32". */
function dllPackage(dll: string): string {
  return dll.toLowerCase().replace(/\.dll$/, '');
}

/**
 * The system DLLs linked into an image: a DLL (one of SYSTEM_DLLS) is a package whose
 * text symbols are its exports. Built at program load with the target's imports (DLL → procedures, Go's
 * mkwinsyscall NewProc list): a non-optional import the DLL does not export is a load-time
 * error, as Windows refuses to start a program with an unresolved import; optional ones
 * (mkwinsyscall's `?`) fail at call time instead, when findProc returns null.
 */
export class SystemDlls {
  private readonly exports = new Map<string, Map<string, number>>();

  constructor(image: Image, imports: Readonly<Record<string, readonly string[]>>, opts: { optional?: readonly string[] } = {}) {
    for (const s of image.symbols.values()) {
      const dot = s.name.indexOf('.');
      if (s.kind !== 'text' || dot < 0) continue;
      const pkg = s.name.slice(0, dot);
      if (!SYSTEM_DLLS.includes(pkg)) continue;
      if (!this.exports.has(pkg)) this.exports.set(pkg, new Map());
      this.exports.get(pkg)!.set(s.name.slice(dot + 1), s.addr);
    }
    const optional = new Set(opts.optional ?? []);
    const missing: string[] = [];
    for (const [dll, procs] of Object.entries(imports)) {
      for (const p of procs) if (!optional.has(p) && this.findProc(dll, p) === null) missing.push(`${dllPackage(dll)}.dll!${p}`);
    }
    if (missing.length > 0) throw new Error(`program load: unresolved DLL imports: ${missing.join(', ')} (not exported by the emulated system DLLs)`);
  }

  /** Each DLL name findProc was asked about, and its exports (mkwinsyscall's wrappers ask on every call). */
  private readonly byName = new Map<string, Map<string, number> | undefined>();

  /** The address of `proc` exported by `dll` ("kernel32.dll" or "kernel32"), or null. */
  findProc(dll: string, proc: string): number | null {
    let exports = this.byName.get(dll);
    if (exports === undefined && !this.byName.has(dll)) {
      exports = this.exports.get(dllPackage(dll));
      this.byName.set(dll, exports);
    }
    return exports?.get(proc) ?? null;
  }

  /** The procedures `dll` exports, sorted. */
  exportsOf(dll: string): string[] {
    return [...(this.exports.get(dllPackage(dll))?.keys() ?? [])].sort();
  }
}
