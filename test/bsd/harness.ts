// A BSD kernel on the host side, for the personality tests: the kernel core built from a
// generated target's tables with the FreeBSD or XNU personality installed, one process on
// real guest memory (a user arena for paths and buffers), and `sys(rax, args)`, which
// builds a pt_regs frame in supervisor memory exactly where entry_SYSCALL_64 would, runs
// do_syscall_64 through the personality's frame and returns RAX, RDX and the carry flag as
// SYSRET would hand them back.
import { Memory, PROT_READ, PROT_WRITE } from '../../runtime/cpu/index.ts';
import { ManualClock, PT_REGS_OFFSET, PT_REGS_ORIG_RAX, RAX, RDX, ARG_REGS, type Kernel, type TargetTables, type Thread, type SeedFile } from '../../runtime/kernel/index.ts';
import { PT_REGS_FLAGS, RFLAGS_CF, type BsdSyscallFrame, type FrameWords } from '../../runtime/kernel/freebsd/bsd.ts';
import { freebsdFrame, freebsdKernel } from '../../runtime/kernel/freebsd/index.ts';
import { darwinFrame, darwinKernel } from '../../runtime/kernel/darwin/index.ts';
import { errors as freebsdErrors } from '../../generated/zerrors_freebsd.ts';
import { errors as darwinErrors } from '../../generated/zerrors_darwin.ts';
import { syscallNumbers as freebsdNumbers } from '../../generated/zsysnum_freebsd_amd64.ts';
import { syscallNumbers as darwinNumbers } from '../../generated/zsysnum_darwin_amd64.ts';

export type BsdOs = 'freebsd' | 'darwin';

/** A generated target's tables as the kernel takes them (SYS_OPEN → open). */
export function bsdTables(os: BsdOs): TargetTables {
  const numbers = os === 'freebsd' ? freebsdNumbers : darwinNumbers;
  const errors = os === 'freebsd' ? freebsdErrors : darwinErrors;
  return {
    syscalls: Object.entries(numbers).map(([name, number]) => ({ name: name.replace(/^SYS_/, '').toLowerCase(), number })),
    errnos: errors.map(([number, name, message]) => ({ name, number, message })),
  };
}

export const USER_ARENA = 0x1000_0000;
const ARENA_SIZE = 0x10000;
const FRAME_PAGE = 0x6000_0000;

/** Supervisor memory as ring-0 code sees it. */
export function forcedWords(mem: Memory): FrameWords {
  return {
    readU32: (a) => new DataView(mem.read(a, 4, { force: true }).buffer).getUint32(0, true),
    writeU32: (a, v) => {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, v, true);
      mem.write(a, b, { force: true });
    },
  };
}

export interface BsdReturn {
  ax: bigint;
  dx: bigint;
  cf: boolean;
}

export function bsdMachine(os: BsdOs, opts: { files?: SeedFile[]; stdin?: string; uid?: number } = {}) {
  const mem = new Memory();
  mem.map(USER_ARENA, ARENA_SIZE, PROT_READ | PROT_WRITE);
  mem.map(FRAME_PAGE, 4096, PROT_READ | PROT_WRITE, { user: false });
  const kopts = { tables: bsdTables(os), clock: new ManualClock(), files: opts.files, stdin: opts.stdin, uid: opts.uid };
  const kernel: Kernel = os === 'freebsd' ? freebsdKernel(kopts) : darwinKernel(kopts);
  const words = forcedWords(mem);
  const frame: BsdSyscallFrame = os === 'freebsd' ? freebsdFrame(words) : darwinFrame(words);
  frame.base = FRAME_PAGE;
  const thread: Thread = kernel.spawnProcess(mem);
  let next = USER_ARENA;
  const word = (off: number) => BigInt(words.readU32(FRAME_PAGE + off)) | (BigInt(words.readU32(FRAME_PAGE + off + 4)) << 32n);
  const setWord = (off: number, v: bigint | number) => {
    const w = BigInt.asUintN(64, BigInt(v));
    words.writeU32(FRAME_PAGE + off, Number(w & 0xffffffffn));
    words.writeU32(FRAME_PAGE + off + 4, Number(w >> 32n));
  };
  return {
    kernel,
    mem,
    thread,
    frame,
    /** A system call with RAX = rax, arguments in DI SI DX R10 R8 R9, user RFLAGS = rflags (default IF, plus a stale CF to prove it is cleared). */
    sys(rax: number, args: ReadonlyArray<number | bigint> = [], rflags = 0x203): BsdReturn {
      setWord(PT_REGS_ORIG_RAX, rax);
      setWord(PT_REGS_OFFSET[RAX]!, -38);
      ARG_REGS.forEach((r, i) => setWord(PT_REGS_OFFSET[r]!, args[i] ?? 0));
      setWord(PT_REGS_FLAGS, rflags);
      const outcome = kernel.do_syscall_64(thread, frame);
      if (outcome.kind !== 'done' && outcome.kind !== 'exit') throw new Error(`call ${rax} did not complete: ${outcome.kind}`);
      return { ax: word(PT_REGS_OFFSET[RAX]!), dx: word(PT_REGS_OFFSET[RDX]!), cf: (words.readU32(FRAME_PAGE + PT_REGS_FLAGS) & RFLAGS_CF) !== 0 };
    },
    /** A NUL-terminated string in user memory. */
    str(s: string): number {
      const at = next;
      mem.write(at, new TextEncoder().encode(s + '\0'));
      next += Math.ceil((s.length + 1) / 16) * 16;
      return at;
    },
    alloc(n: number): number {
      const at = next;
      next += Math.ceil(n / 16) * 16;
      return at;
    },
    text(addr: number, n: number): string {
      return new TextDecoder().decode(mem.read(addr, n));
    },
    view(addr: number, n: number): DataView {
      return new DataView(mem.read(addr, n).buffer);
    },
    /** The user RFLAGS word the frame holds after the call. */
    flags: () => words.readU32(FRAME_PAGE + PT_REGS_FLAGS),
  };
}
