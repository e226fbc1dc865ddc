// linux/amd64: the stubs of asm_linux_amd64.s, the Linux kernel core, -errno in RAX, the
// pt_regs frame as entry_SYSCALL_64 saves it (the number from orig_ax), strace output,
// clone(2) for a new M's thread as Go's newosproc makes it, and exit_group when main
// returns.
import { WordsView, type Cpu } from '../../cpu/index.ts';
import { linuxAmd64Objects } from '../../asm/index.ts';
import { Kernel, PT_REGS_OFFSET, PT_REGS_ORIG_RAX, PT_REGS_SIZE } from '../../kernel/index.ts';
import { Strace } from '../../trace/index.ts';
import type { SyscallFrame, UnixPersonality } from './index.ts';

/**
 * The flags of Go's newosproc on linux (runtime/os_linux.go's cloneFlags): a thread sharing
 * memory, filesystem, descriptors, signal handlers and SysV semaphores.
 */
export const CLONE_FLAGS = 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000;

/** The syscall package's stubs for calls by trap number (linux/amd64 and freebsd/amd64 share the names). */
export const TRAP_STUBS = ['syscall·Syscall', 'syscall·Syscall6', 'syscall·RawSyscall', 'syscall·RawSyscall6'] as const;

/** Each register's 32-bit word index in pt_regs (RAX: orig_ax, the number), -1 where the entry saves none. */
const FRAME_WORD = new Int32Array(16).fill(-1);
for (const [reg, off] of Object.entries(PT_REGS_OFFSET)) FRAME_WORD[Number(reg)] = off / 4;
FRAME_WORD[0] = PT_REGS_ORIG_RAX / 4;
const RESULT_WORD = PT_REGS_OFFSET[0]! / 4;

/**
 * The pt_regs frame of the call in progress on one CPU (base = DI at do_syscall_64), read
 * and written with the CPU's own ring-0 accesses: the frame lives on the supervisor-only
 * kernel stack. Setting base (in ring 0) takes the frame's words from the supervisor write
 * TLB, where the entry code's pushes left them (a WordsView: a thread's frame is at the same
 * place call after call, so the view usually holds); while the view is current the frame is
 * read and written through it, otherwise through cpu.load and cpu.store.
 */
class PtRegsView implements SyscallFrame {
  private at = 0;
  private readonly frame: WordsView;

  constructor(private readonly cpu: Cpu) {
    this.frame = new WordsView(cpu.mem, PT_REGS_SIZE);
  }

  get base(): number {
    return this.at;
  }

  set base(at: number) {
    this.at = at;
    this.frame.take(at);
  }

  private word(i: number): number {
    const w = FRAME_WORD[i] ?? -1;
    if (w < 0) notSaved(i);
    return w;
  }

  /** The frame's words, when the view taken at base is still the page's. */
  private view(): Int32Array | null {
    return this.frame.current();
  }

  /** The frame's word index in view(). */
  private get x(): number {
    return this.frame.x;
  }

  lo(i: number): number {
    const w = this.word(i);
    const v = this.view();
    return v !== null ? v[this.x + w]! >>> 0 : this.cpu.load(this.at + 4 * w, 4) >>> 0;
  }

  hi(i: number): number {
    const w = this.word(i) + 1;
    const v = this.view();
    return v !== null ? v[this.x + w]! >>> 0 : this.cpu.load(this.at + 4 * w, 4) >>> 0;
  }

  result(): number {
    const v = this.view();
    if (v !== null) return v[this.x + RESULT_WORD + 1]! * 2 ** 32 + (v[this.x + RESULT_WORD]! >>> 0);
    const at = this.at + 4 * RESULT_WORD;
    const lo = this.cpu.load(at, 4) >>> 0;
    return (this.cpu.load(at + 4, 4) | 0) * 2 ** 32 + lo;
  }

  setResult(value: number): void {
    const lo = value | 0;
    const hi = Math.floor(value / 2 ** 32) | 0;
    const v = this.view();
    if (v !== null) {
      v[this.x + RESULT_WORD] = lo;
      v[this.x + RESULT_WORD + 1] = hi;
    } else this.cpu.store(this.at + 4 * RESULT_WORD, 8, lo, hi);
  }
}

function notSaved(i: number): never {
  throw new RangeError(`pt_regs: register ${i} is not saved by the syscall entry`);
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
  tracer: (kernel, s) => {
    if (s.threadIds) throw new Error('strace names every thread but the first with [pid N] already (as strace -f); thread ids are a setting of truss, dtruss and the API monitor');
    return { summary: new Strace(kernel, { write: s.write, timing: s.timing, summaryOnly: s.summaryOnly }).summary };
  },
};
