// freebsd/amd64: the carry-flag stubs of asm_freebsd_amd64.s (same names and frames as
// Linux's), the kernel core with the FreeBSD handlers, a positive errno with CF set in the
// saved RFLAGS, truss output, thr_new(2) for a new M's thread as Go's newosproc makes it,
// and exit(2) (FreeBSD has no exit_group) when main returns.
import { freebsdAmd64Objects } from '../../asm/freebsd_amd64.ts';
import { freebsdFrame, freebsdKernel, THR_PARAM } from '../../kernel/freebsd/index.ts';
import { Truss } from '../../trace/truss.ts';
import { linesOnly, NEW_THREAD_AREA, ringZeroWords, type UnixPersonality } from './index.ts';
import { TRAP_STUBS } from './linux.ts';

export const freebsdPersonality: UnixPersonality = {
  os: 'freebsd',
  kernel: freebsdKernel,
  userObjects: () => [freebsdAmd64Objects().stubs],
  entryObject: () => freebsdAmd64Objects().entry,
  frame: (cpu) => freebsdFrame(ringZeroWords(cpu)),
  // runtime/os_freebsd.go's newosproc: a struct thr_param with thr_start and mp, the g0
  // stack, m.tls as the TLS base, no tid pointers (minit asks thr_self) and no rtprio, then
  // thr_new(&param, sizeof param).
  threadCreate: (mem, m) => {
    const param = new Uint8Array(THR_PARAM.size);
    const v = new DataView(param.buffer);
    const mrec = BigInt(m.area + NEW_THREAD_AREA.m);
    v.setBigUint64(THR_PARAM.start_func, BigInt.asUintN(64, BigInt(m.start)), true);
    v.setBigUint64(THR_PARAM.arg, mrec, true);
    v.setBigUint64(THR_PARAM.stack_base, BigInt(m.stackLo), true);
    v.setBigUint64(THR_PARAM.stack_size, BigInt(m.stackHi - m.stackLo), true);
    v.setBigUint64(THR_PARAM.tls_base, mrec, true);
    v.setBigUint64(THR_PARAM.tls_size, BigInt(NEW_THREAD_AREA.tlsSize), true);
    const at = m.area + NEW_THREAD_AREA.os;
    mem.write(at, param);
    return { name: 'thr_new', args: [at, THR_PARAM.size] };
  },
  prepareThread: () => {},
  syscallStubs: TRAP_STUBS,
  libcStubs: null,
  trampoline: (name) => {
    throw new Error(`freebsd/amd64 makes no libc calls (${name})`);
  },
  exitCall: (kernel) => {
    const nr = kernel.numbers.number('exit');
    return nr === undefined ? null : { stub: 'syscall·RawSyscall', first: nr };
  },
  tracer: (kernel, s) => {
    linesOnly('truss', s);
    new Truss(kernel, { write: s.write, threadIds: s.threadIds });
    return { summary: null };
  },
};
