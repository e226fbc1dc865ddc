// freebsd/amd64: the carry-flag stubs of asm_freebsd_amd64.s (same names and frames as
// Linux's), the kernel core with the FreeBSD handlers, a positive errno with CF set in the
// saved RFLAGS, truss output, and exit(2) (FreeBSD has no exit_group) when main returns.
import { freebsdAmd64Objects } from '../../asm/freebsd_amd64.ts';
import { freebsdFrame, freebsdKernel } from '../../kernel/freebsd/index.ts';
import { Truss } from '../../trace/truss.ts';
import { linesOnly, ringZeroWords, type UnixPersonality } from './index.ts';
import { TRAP_STUBS } from './linux.ts';

export const freebsdPersonality: UnixPersonality = {
  os: 'freebsd',
  kernel: freebsdKernel,
  userObjects: () => [freebsdAmd64Objects().stubs],
  entryObject: () => freebsdAmd64Objects().entry,
  frame: (cpu) => freebsdFrame(ringZeroWords(cpu)),
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
    new Truss(kernel, { write: s.write });
    return { summary: null };
  },
};
