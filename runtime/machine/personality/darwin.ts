// darwin/amd64, as modern Go does it: no system call from Go code; each wrapper calls
// runtime·syscall_syscall(fn = &libc_<name>_trampoline, …), which brackets the libc call
// with entersyscall/exitsyscall; the trampolines (generated from the target's libc
// imports) jump into the emulated libSystem, which loads 0x2000000 | number into RAX and
// executes SYSCALL; the XNU kernel answers with a positive errno and CF, and libSystem's
// cerror stores it in the thread's TSD block, where __error() finds it. Each thread gets
// its TSD block (self pointer at +0) as its user GS base through MSR_KERNEL_GS_BASE before
// it boots. dtruss output; exit(3) through its trampoline when main returns.
import type { Cpu, Memory } from '../../cpu/index.ts';
import { PROT_READ, PROT_WRITE } from '../../cpu/index.ts';
import { DARWIN_TSD, darwinAmd64Objects, MSR_KERNEL_GS_BASE, trampolinesObject, trampolineSymbol } from '../../asm/darwin_amd64.ts';
import { darwinFrame, darwinKernel } from '../../kernel/darwin/index.ts';
import { Dtruss } from '../../trace/dtruss.ts';
import { linesOnly, ringZeroWords, type UnixPersonality } from './index.ts';

const LIBC_STUBS = ['runtime·syscall_syscall', 'runtime·syscall_syscall6', 'runtime·syscall_rawSyscall', 'runtime·syscall_rawSyscall6'] as const;

export const darwinPersonality: UnixPersonality = {
  os: 'darwin',
  kernel: darwinKernel,
  userObjects: (target) => {
    const { stubs, libsystem } = darwinAmd64Objects();
    return [stubs, libsystem, trampolinesObject(target.imports.libc ?? [])];
  },
  entryObject: () => darwinAmd64Objects().entry,
  frame: (cpu) => darwinFrame(ringZeroWords(cpu)),
  prepareThread: (mem: Memory, cpu: Cpu, area: number) => {
    mem.map(area, 4096, PROT_READ | PROT_WRITE);
    const self = new Uint8Array(DARWIN_TSD.size);
    new DataView(self.buffer).setBigUint64(DARWIN_TSD.self, BigInt(area), true);
    mem.write(area, self);
    cpu.writeMsr(MSR_KERNEL_GS_BASE, BigInt(area));
  },
  syscallStubs: null,
  libcStubs: LIBC_STUBS,
  trampoline: trampolineSymbol,
  exitCall: (_kernel, addressOf) => ({ stub: 'runtime·syscall_rawSyscall', first: addressOf(trampolineSymbol('exit')) }),
  tracer: (kernel, s) => {
    linesOnly('dtruss', s);
    new Dtruss(kernel, { write: s.write });
    return { summary: null };
  },
};
