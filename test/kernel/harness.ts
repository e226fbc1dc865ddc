// Test harness for the kernel: the linux/amd64 tables read from defs/ (the facts the
// generator also reads), a machine with one process and a scratch arena in its user
// memory, and helpers to place strings and buffers there.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Memory, PROT_READ, PROT_WRITE } from '../../runtime/cpu/index.ts';
import { Driver, Kernel, ManualClock, syscallRegs, type KernelOptions, type TargetTables, type Thread } from '../../runtime/kernel/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

function rows(path: string): string[][] {
  return readFileSync(root + path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0 && !l.startsWith('#'))
    .slice(1)
    .map((l) => l.split('\t'));
}

export function linuxAmd64Tables(): TargetTables {
  const syscalls = rows('defs/tables/linux_amd64.tsv')
    .filter((r) => r[1] === 'common' || r[1] === '64')
    .map((r) => ({ number: Number(r[0]), name: r[2]! }));
  const errRows = rows('defs/errors/linux.tsv');
  const byName = new Map<string, { number: number; message: string }>();
  for (const r of errRows) if (r[0] === 'errno') byName.set(r[1]!, { number: Number(r[2]), message: r[3]! });
  const errnos = errRows.map((r) => {
    const e = r[0] === 'errno' ? byName.get(r[1]!)! : byName.get(r[2]!)!;
    return { name: r[1]!, number: e.number, message: e.message };
  });
  return { syscalls, errnos };
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
