// darwin/amd64, as modern Go does it: no system call from Go code; each wrapper calls
// runtime·syscall_syscall(fn = &libc_<name>_trampoline, …), which brackets the libc call
// with entersyscall/exitsyscall; the trampolines (generated from the target's libc
// imports) jump into the emulated libSystem, which loads 0x2000000 | number into RAX and
// executes SYSCALL; the XNU kernel answers with a positive errno and CF, and libSystem's
// cerror stores it in the thread's TSD block, where __error() finds it. A thread's own page
// holds its struct _pthread (the emulated libSystem's layout: the TSD block, self pointer
// at +0, at PTHREAD_TSD_OFFSET); the block is the thread's user GS base, written to
// MSR_KERNEL_GS_BASE before it boots: for the main thread as libSystem's initializer sets
// it, for every other thread where XNU's bsdthread_create put it. A new M's thread comes
// from pthread_create, which makes bsdthread_create (Go's newosproc on darwin calls
// pthread_create through libc). dtruss output; exit(3) through its trampoline when main
// returns.
import type { Cpu, Memory } from '../../cpu/index.ts';
import { DARWIN_TSD, darwinAmd64Objects, MSR_KERNEL_GS_BASE, trampolinesObject, trampolineSymbol } from '../../asm/darwin_amd64.ts';
import { darwinFrame, darwinKernel, PTHREAD_START_CUSTOM, PTHREAD_TSD_OFFSET } from '../../kernel/darwin/index.ts';
import type { Thread } from '../../kernel/index.ts';
import { Dtruss } from '../../trace/dtruss.ts';
import { linesOnly, NEW_THREAD_AREA, ringZeroWords, type UnixPersonality } from './index.ts';

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
  // pthread_create(&attr, mstart_stub, mp) as libSystem makes it: the struct _pthread
  // (its TSD block included) at the top of the thread's allocation, then
  // bsdthread_create(start, mp, stack top, pthread, PTHREAD_START_CUSTOM).
  threadCreate: (mem, m) => {
    const pthread = m.area + NEW_THREAD_AREA.os;
    writeTsd(mem, pthread);
    return { name: 'bsdthread_create', args: [BigInt.asUintN(64, BigInt(m.start)), m.area + NEW_THREAD_AREA.m, m.stackHi, pthread, PTHREAD_START_CUSTOM] };
  },
  prepareThread: (mem: Memory, cpu: Cpu, area: number, thread: Thread) => {
    const tsd = area + NEW_THREAD_AREA.os + PTHREAD_TSD_OFFSET;
    // A thread bsdthread_create made has its TSD base from XNU; the main thread's is set here.
    if (thread.gsBase !== 0n && thread.gsBase !== BigInt(tsd)) throw new Error(`darwin: thread ${thread.tid}'s TSD base is 0x${thread.gsBase.toString(16)}, not its struct _pthread's block at 0x${tsd.toString(16)}`);
    writeTsd(mem, area + NEW_THREAD_AREA.os);
    cpu.writeMsr(MSR_KERNEL_GS_BASE, BigInt(tsd));
  },
  syscallStubs: null,
  libcStubs: LIBC_STUBS,
  trampoline: trampolineSymbol,
  exitCall: (_kernel, addressOf) => ({ stub: 'runtime·syscall_rawSyscall', first: addressOf(trampolineSymbol('exit')) }),
  tracer: (kernel, s) => {
    linesOnly('dtruss', s);
    new Dtruss(kernel, { write: s.write, threadIds: s.threadIds });
    return { summary: null };
  },
};

/** The TSD block of the struct _pthread at `pthread`: its self pointer (the block's address). */
function writeTsd(mem: Memory, pthread: number): void {
  const tsd = pthread + PTHREAD_TSD_OFFSET;
  const block = new Uint8Array(DARWIN_TSD.size);
  new DataView(block.buffer).setBigUint64(DARWIN_TSD.self, BigInt(tsd), true);
  mem.write(tsd, block);
}
