// A static x86-64 Linux executable under this kernel (`mksyscall exec --kernel linux`):
// the same machine that runs generated wrappers, with the program's own code in ring 3.
// The ELF loader maps the segments and builds the initial stack; the process's main
// thread boots through syscall_init like every thread, then starts at the ELF entry with
// every general register zero (as Linux starts a process) and RSP at argc. Each SYSCALL
// the program makes goes through entry_SYSCALL_64 and do_syscall_64 to the kernel's
// handler; the run ends when the process does. With strace on, the log opens with the
// execve line strace shows for the exec that started the program.
//
// The program brings no Go runtime: build its machine with scheduler: 'round-robin', so no
// G/M/P scheduler and no sysmon thread run beside it.
//
// Invariants: the kernel's view of the address space (Process mappings, brk) matches what
// the loader mapped, so mmap and brk never hand out a range already in use; AT_RANDOM's
// bytes come from the seeded kernel generator, so a run is a function of its inputs.
import type { ElfFile } from '../loader/elf.ts';
import { loadElf, STACK_TOP } from '../loader/load.ts';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from '../cpu/index.ts';
import { quoteBytes } from '../trace/index.ts';
import { Machine, type MachineThread, type RunResult } from './machine.ts';

const PAGE = 4096;
const PT_LOAD = 1;
const PF_X = 1;
const PF_W = 2;
const PF_R = 4;
const FLAGS_IF = 0x202;

export interface KernelExecOptions {
  argv: string[];
  envp?: string[];
}

/** Runs `elf` as the machine's process until it exits or is killed. */
export function execOnKernel(machine: Machine, elf: ElfFile, opts: KernelExecOptions): RunResult {
  return machine.run(
    function* () {
      const th = machine.runner.current().thread as MachineThread;
      start(machine, th, elf, opts);
      yield* machine.runThread(th, null);
    },
    { exitWhenMainReturns: false },
  );
}

function start(machine: Machine, th: MachineThread, elf: ElfFile, opts: KernelExecOptions): void {
  const random = new Uint8Array(16);
  const view = new DataView(random.buffer);
  for (let i = 0; i < 4; i++) view.setUint32(4 * i, machine.kernel.random32(), true);
  const loaded = loadElf(machine.mem, elf, { argv: opts.argv, envp: opts.envp ?? [], random });
  const p = th.kthread.process;
  const bias = loaded.entry - elf.entry;
  for (const ph of elf.programHeaders) {
    if (ph.type !== PT_LOAD || ph.memsz === 0) continue;
    const start = Math.floor((bias + ph.vaddr) / PAGE) * PAGE;
    const end = Math.ceil((bias + ph.vaddr + ph.memsz) / PAGE) * PAGE;
    const prot = (ph.flags & PF_R ? PROT_READ : 0) | (ph.flags & PF_W ? PROT_WRITE : 0) | (ph.flags & PF_X ? PROT_EXEC : 0);
    p.addMapping(start, end, prot);
  }
  p.addMapping(loaded.stackLimit, STACK_TOP, PROT_READ | PROT_WRITE);
  const quote = (s: string) => quoteBytes(new TextEncoder().encode(s));
  const envc = opts.envp?.length ?? 0;
  const envpAt = loaded.stackPointer + 8 * (opts.argv.length + 2);
  machine.straceNote(`${`execve(${quote(opts.argv[0] ?? '')}, [${opts.argv.map(quote).join(', ')}], 0x${envpAt.toString(16)} /* ${envc} var${envc === 1 ? '' : 's'} */)`.padEnd(39)} = 0`);
  p.brkStart = loaded.brk;
  p.brk = loaded.brk;
  const cpu = th.cpu;
  for (let r = 0; r < 16; r++) cpu.setReg(r, 0);
  cpu.setFlags(FLAGS_IF);
  cpu.setRegAddr(4, loaded.stackPointer);
  cpu.rip = loaded.entry;
}
