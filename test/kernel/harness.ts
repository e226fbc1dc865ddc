// Test harness for the kernel: the linux/amd64 tables from generated/ (as plain data,
// the form the kernel takes), a machine with one process and a scratch arena in its
// user memory, and helpers to place strings and buffers there.
import { errors } from '../../generated/zerrors_linux.ts';
import { syscallNumbers } from '../../generated/zsysnum_linux_amd64.ts';
import { Memory, PROT_READ, PROT_WRITE } from '../../runtime/cpu/index.ts';
import { Driver, Kernel, ManualClock, syscallRegs, type KernelOptions, type TargetTables, type Thread } from '../../runtime/kernel/index.ts';

/** generated/'s tables as the kernel takes them: SYS_PREAD64 → pread64, [n, name, message] → entries. */
export function linuxAmd64Tables(): TargetTables {
  return {
    syscalls: Object.entries(syscallNumbers).map(([trap, number]) => ({ name: trap.replace(/^SYS_/, '').toLowerCase(), number })),
    errnos: errors.map(([number, name, message]) => ({ name, number, message })),
  };
}

export const TABLES = linuxAmd64Tables();
export const ERRNO = Object.fromEntries(TABLES.errnos.map((e) => [e.name, e.number])) as Record<string, number>;
export const NR = Object.fromEntries(TABLES.syscalls.map((s) => [s.name, s.number])) as Record<string, number>;

export const ARENA = 0x4000_0000;
export const ARENA_SIZE = 1 << 20;

/** A bump allocator in a mapped user region. */
export class Arena {
  private next = ARENA;
  constructor(readonly mem: Memory) {
    mem.map(ARENA, ARENA_SIZE, PROT_READ | PROT_WRITE);
  }
  alloc(n: number): number {
    const at = this.next;
    this.next += Math.ceil(Math.max(n, 1) / 16) * 16;
    return at;
  }
  str(s: string): number {
    const bytes = new TextEncoder().encode(s + '\0');
    const at = this.alloc(bytes.length);
    this.mem.write(at, bytes);
    return at;
  }
  bytes(b: Uint8Array | string): number {
    const bytes = typeof b === 'string' ? new TextEncoder().encode(b) : b;
    const at = this.alloc(bytes.length);
    this.mem.write(at, bytes);
    return at;
  }
  text(addr: number, n: number): string {
    return new TextDecoder().decode(this.mem.read(addr, n));
  }
}

export interface TestMachine {
  clock: ManualClock;
  kernel: Kernel;
  mem: Memory;
  arena: Arena;
  thread: Thread;
  driver: Driver;
}

export function machine(opts: Partial<KernelOptions> = {}): TestMachine {
  const clock = new ManualClock();
  const kernel = new Kernel({ tables: TABLES, clock, ...opts });
  const mem = new Memory();
  const arena = new Arena(mem);
  const thread = kernel.spawnProcess(mem, { brk: 0x1000_0000 });
  thread.process.addMapping(ARENA, ARENA + ARENA_SIZE, PROT_READ | PROT_WRITE);
  return { clock, kernel, mem, arena, thread, driver: new Driver(kernel, clock) };
}

/** Runs one non-blocking call on the machine's main thread and returns RAX. */
export function call(m: TestMachine, name: string, ...args: Array<number | bigint>): number {
  const nr = NR[name];
  if (nr === undefined) throw new Error(`no syscall ${name}`);
  const regs = syscallRegs(nr, args);
  const outcome = m.kernel.do_syscall_64(m.thread, regs);
  if (outcome.kind === 'wait' || outcome.kind === 'sleep') throw new Error(`${name} blocked`);
  return regs.result();
}

export const text = (b: Uint8Array) => new TextDecoder().decode(b);
