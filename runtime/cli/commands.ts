// Declares the machine commands (demo, exec, cpu, disasm, asm, run) and loads each
// implementation lazily.
import type { Command } from 'commander';

export function registerRuntimeCommands(program: Command, setStatus: (code: number) => void): void {
  // Options after FILE belong to the guest (as with qemu-user): `exec` passes them through,
  // which commander allows only when the parent parses its own options positionally.
  program.enablePositionalOptions();
  program
    .command('demo')
    .description('run one program through the portable API on linux, freebsd, darwin and windows (amd64): the stdout they share, each OS\'s trace, the cross-OS table')
    .option('--seed <n>', 'seed for the scheduler\'s tie-breaks', '1')
    .option('--scheduler <name>', 'who runs the goroutines: go (Go\'s G/M/P scheduler), or round-robin (one thread per goroutine, for comparison)', 'go')
    .action(async (opts: { seed: string; scheduler: string }) => {
      const { runDemoCommand } = await import('./demo.ts');
      setStatus(await runDemoCommand(opts, (s) => process.stdout.write(s), (s) => process.stderr.write(s)));
    });

  program
    .command('exec')
    .description('run a static x86-64 Linux executable in user-mode emulation (exit status is the guest\'s; a fault exits 128+signal)')
    .option('--strace', 'print each system call and its result on stderr, as strace does')
    .option('--kernel <os>', "run under the project's kernel (linux: SYSCALL through entry_SYSCALL_64) instead of user-mode emulation")
    .argument('<file>', 'the static ELF executable')
    .argument('[args...]', 'arguments passed to the guest')
    .passThroughOptions()
    .action(async (file: string, args: string[], opts: { strace?: boolean; kernel?: string }) => {
      if (opts.kernel !== undefined) {
        const { runKernelExec } = await import('./run.ts');
        const out = (b: Uint8Array) => process.stdout.write(b);
        setStatus(await runKernelExec(file, args, { kernel: opts.kernel, strace: opts.strace }, out, (s) => process.stderr.write(s)));
        return;
      }
      const { runExec } = await import('./exec.ts');
      setStatus(runExec(file, args, opts));
    });

  program
    .command('cpu')
    .description('decode and execute instruction bytes from a given register state; print each instruction and the final state')
    .requiredOption('--hex <bytes>', 'the code, e.g. "48 01 d8"')
    .option('--regs <list>', 'initial registers, e.g. rax=1,rbx=2,rflags=0x202')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { hex: string; regs?: string; json?: boolean }) => {
      const { runCpu } = await import('./cpu.ts');
      setStatus(runCpu(opts));
    });

  program
    .command('disasm')
    .description("objdump-style listing of an ELF's executable sections, or of bytes given with --hex")
    .argument('[file]', 'an x86-64 ELF file')
    .option('--hex <bytes>', 'disassemble these bytes instead of a file')
    .option('--addr <address>', 'with --hex: the address of the first byte (default 0)')
    .action(async (file: string | undefined, opts: { hex?: string; addr?: string }) => {
      const { runDisasm } = await import('./disasm.ts');
      setStatus(runDisasm(file, opts));
    });

  program
    .command('asm')
    .description('assemble and link a Plan 9 assembly file and print its listing: address, bytes, instruction, source line')
    .argument('<file>', 'the .s file')
    .option('--pkg <name>', 'the package ·name symbols belong to', 'main')
    .option('--base <address>', 'address of the first segment', '0x400000')
    .action(async (file: string, opts: { pkg: string; base: string }) => {
      const { runAsm } = await import('./asm.ts');
      setStatus(runAsm(file, opts, (s) => process.stdout.write(`${s}\n`), (s) => process.stderr.write(`${s}\n`)));
    });

  program
    .command('run')
    .description('run a program (a module exporting `function* main(machine)` that calls generated wrappers) on the emulated machine of its target; the exit status is the guest\'s')
    .argument('<file>', 'the program, a .ts module')
    .requiredOption('--target <os/arch>', 'the generated target to run on (linux/amd64, freebsd/amd64, darwin/amd64, windows/amd64)')
    .option('--strace', 'trace system calls to stderr in the target OS\'s format (strace, truss, dtruss, API monitor)')
    .option('--strace-file <file>', 'write the trace to this file instead')
    .option('-T', 'with the trace: each call\'s duration in virtual time')
    .option('-c', 'with the trace: a summary table (calls, errors, time) instead of lines')
    .option('--strace-threads', 'with the trace: each line names its thread (truss -H, dtruss\'s pid/thread, the API monitor\'s [tid]; linux\'s strace shows [pid N] already)')
    .option('--seed <n>', 'seed for getrandom and the scheduler\'s tie-breaks', '1')
    .option('--gomaxprocs <n>', 'Ps of Go\'s G/M/P scheduler, which runs the goroutines (GOMAXPROCS)', '1')
    .option('--trace <file>', 'write the runtime trace (Ps, Ms, goroutines, syscalls) as Chrome/Perfetto trace JSON')
    .option('--timeline <file>', 'write the runtime trace as a self-contained HTML timeline')
    .option('--schedtrace <ms>', 'a scheduler summary line on stderr every this many virtual ms (GODEBUG=schedtrace)')
    .action(async (file: string, opts: { target: string; strace?: boolean; straceFile?: string; T?: boolean; c?: boolean; straceThreads?: boolean; seed: string; gomaxprocs: string; trace?: string; timeline?: string; schedtrace?: string }) => {
      const { runProgram } = await import('./run.ts');
      const status = await runProgram(
        file,
        {
          target: opts.target, strace: opts.strace, straceFile: opts.straceFile, timing: opts.T, summary: opts.c, threadIds: opts.straceThreads, seed: opts.seed,
          gomaxprocs: opts.gomaxprocs, trace: opts.trace, timeline: opts.timeline, schedtrace: opts.schedtrace,
        },
        (s) => process.stdout.write(s),
        (s) => process.stderr.write(s),
      );
      setStatus(status);
    });
}
