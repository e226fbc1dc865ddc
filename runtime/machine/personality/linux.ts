// linux/amd64: the stubs of asm_linux_amd64.s, the Linux kernel core, -errno in RAX, the
// pt_regs frame as entry_SYSCALL_64 saves it (the number from orig_ax), strace output,
// clone(2) for a new M's thread as Go's newosproc makes it, and exit_group when main
// returns.
import type { Cpu } from '../../cpu/index.ts';
import { linuxAmd64Objects } from '../../asm/index.ts';
import { Kernel, PT_REGS_OFFSET, PT_REGS_ORIG_RAX } from '../../kernel/index.ts';
import { Strace } from '../../trace/index.ts';
import type { SyscallFrame, UnixPersonality } from './index.ts';

/**
 * The flags of Go's newosproc on linux (runtime/os_linux.go's cloneFlags): a thread sharing
 * memory, filesystem, descriptors, signal handlers and SysV semaphores.
 */
export const CLONE_FLAGS = 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000;

/** The syscall package's stubs for calls by trap number (linux/amd64 and freebsd/amd64 share the names). */
export const TRAP_STUBS = ['syscall·Syscall', 'syscall·Syscall6', 'syscall·RawSyscall', 'syscall·RawSyscall6'] as const;

/**
 * The pt_regs frame of the call in progress on one CPU (base = DI at do_syscall_64), read
 * and written with the CPU's own ring-0 accesses: the frame lives on the supervisor-only
 * kernel stack.
 */
class PtRegsView implements SyscallFrame {
  base = 0;

  constructor(private readonly cpu: Cpu) {}

  private offset(i: number): number {
    if (i === 0) return PT_REGS_ORIG_RAX;
    const off = PT_REGS_OFFSET[i];
    if (off === undefined) throw new RangeError(`pt_regs: register ${i} is not saved by the syscall entry`);
    return off;
  }

  lo(i: number): number {
    return this.cpu.load(this.base + this.offset(i), 4) >>> 0;
  }

  hi(i: number): number {
    return this.cpu.load(this.base + this.offset(i) + 4, 4) >>> 0;
  }

  result(): number {
    const at = this.base + PT_REGS_OFFSET[0]!;
    const lo = this.cpu.load(at, 4) >>> 0;
    return (this.cpu.load(at + 4, 4) | 0) * 2 ** 32 + lo;
  }

  setResult(value: number): void {
    this.cpu.store(this.base + PT_REGS_OFFSET[0]!, 8, value | 0, Math.floor(value / 2 ** 32) | 0);
  }
}

export const linuxPersonality: UnixPersonality = {
  os: 'linux',
  kernel: (opts) => new Kernel(opts),
  userObjects: () => [linuxAmd64Objects().stubs],
  entryObject: () => linuxAmd64Objects().entry,
  frame: (cpu) => new PtRegsView(cpu),
  // clone(cloneFlags, stk, nil, nil, nil): Go's runtime·clone passes the mp, gp and fn it
  // needs in the child in registers the kernel does not read.
  threadCreate: (_mem, m) => ({ name: 'clone', args: [CLONE_FLAGS, m.stackHi, 0, 0, 0] }),
  prepareThread: () => {},
  syscallStubs: TRAP_STUBS,
  libcStubs: null,
  trampoline: (name) => {
    throw new Error(`linux/amd64 makes no libc calls (${name})`);
  },
  exitCall: (kernel) => {
    const nr = kernel.numbers.number('exit_group');
    return nr === undefined ? null : { stub: 'syscall·RawSyscall', first: nr };
  },
  tracer: (kernel, s) => ({ summary: new Strace(kernel, { write: s.write, timing: s.timing, summaryOnly: s.summaryOnly }).summary }),
};
