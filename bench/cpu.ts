// CPU benchmark: guest instructions per second on the 5-instruction integer loop
// (add, xor, add, dec, jnz) written as raw machine code, run with compiled blocks and with
// the plain interpreter, beside the same loop run natively on the host CPU (assembled by
// GNU as and linked by ld, when present); then a gcc -O2 C loop, and a loop of three blocks
// (call, ret, load) with traces, with compiled blocks alone and interpreted.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Cpu, Memory, PROT_EXEC, PROT_READ, PROT_WRITE, RBX, RCX, RDX } from '../runtime/cpu/index.ts';
import { parseElf } from '../runtime/loader/elf.ts';
import { loadElf } from '../runtime/loader/load.ts';

const ITERATIONS = 20_000_000; // 5 instructions each
const NATIVE_ITERATIONS = ITERATIONS * 20; // long enough that process start-up does not matter

// loop: add %rbx,%rax; xor %rdx,%rax; add $3,%rax; dec %rcx; jnz loop; hlt-free end: syscall
const LOOP = [0x48, 0x01, 0xd8, 0x48, 0x31, 0xd0, 0x48, 0x83, 0xc0, 0x03, 0x48, 0xff, 0xc9, 0x75, 0xf2, 0x0f, 0x05];

function emulated(compileBlocks: boolean): { mips: number; seconds: number } {
  const mem = new Memory();
  mem.map(0x400000, 0x1000, PROT_READ | PROT_EXEC);
  mem.map(0x7f0000, 0x10000, PROT_READ | PROT_WRITE);
  mem.write(0x400000, Uint8Array.from(LOOP), { force: true });
  const cpu = new Cpu(mem, { mode: 'user', compileBlocks });
  const runOnce = (iters: number) => {
    cpu.rip = 0x400000;
    cpu.setReg(RCX, iters);
    cpu.setReg(RBX, 7);
    cpu.setReg(RDX, 0x55);
    const before = cpu.icount;
    const stop = cpu.run(Number.MAX_SAFE_INTEGER);
    if (stop.kind !== 'syscall') throw new Error(`bench: unexpected stop ${stop.kind}`);
    return cpu.icount - before;
  };
  runOnce(1_000_000); // warm up
  // Best of three: the machine is shared, so the fastest run is the least disturbed one.
  let best = { mips: 0, seconds: 0 };
  for (let rep = 0; rep < 3; rep++) {
    const t0 = process.hrtime.bigint();
    const n = runOnce(ITERATIONS);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (n / seconds / 1e6 > best.mips) best = { mips: n / seconds / 1e6, seconds };
  }
  return best;
}

function native(): { mips: number; seconds: number } | null {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cpu-'));
  try {
    const src = join(dir, 'loop.s');
    writeFileSync(
      src,
      `.globl _start\n_start:\n mov $${NATIVE_ITERATIONS}, %rcx\n mov $7, %rbx\n mov $0x55, %rdx\n1: add %rbx,%rax\n xor %rdx,%rax\n add $3,%rax\n dec %rcx\n jnz 1b\n mov $60,%eax\n xor %edi,%edi\n syscall\n`,
    );
    execFileSync('as', [src, '-o', join(dir, 'loop.o')]);
    execFileSync('ld', ['-static', join(dir, 'loop.o'), '-o', join(dir, 'loop')]);
    const t0 = process.hrtime.bigint();
    const r = spawnSync(join(dir, 'loop'));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) return null;
    return { mips: (NATIVE_ITERATIONS * 5) / seconds / 1e6, seconds };
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// A C loop compiled by gcc -O2 (general registers only: the emulator has no SSE), started
// without libc; it exits with the hash's low bit so the work cannot be optimised away.
const C_LOOP = `
static unsigned long work(unsigned long n) {
  unsigned long h = 1469598103934665603UL;
  for (unsigned long i = 0; i < n; i++) {
    h ^= i;
    h *= 1099511628211UL;
    h += h >> 7;
  }
  return h;
}
void _start(void) {
  volatile unsigned long n = ${ITERATIONS};
  unsigned long r = work(n);
  __asm__ volatile("syscall" :: "a"(60), "D"((int)(r & 1)));
  for (;;) {}
}
`;

/** Runs a static ELF on the emulated CPU until its first SYSCALL (its exit): seconds and instructions. */
function timeElf(exe: string, cpuOpts: { compileBlocks?: boolean; traces?: boolean }): { seconds: number; instructions: number } {
  const elf = parseElf(readFileSync(exe), exe);
  const mem = new Memory();
  const loaded = loadElf(mem, elf, { argv: [exe], envp: [], random: new Uint8Array(16) });
  const cpu = new Cpu(mem, { mode: 'user', ...cpuOpts });
  cpu.rip = loaded.entry;
  cpu.setReg(4, loaded.stackPointer);
  const t0 = process.hrtime.bigint();
  const stop = cpu.run(Number.MAX_SAFE_INTEGER);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (stop.kind !== 'syscall') throw new Error(`bench: ${exe} stopped with ${stop.kind}`);
  return { seconds, instructions: cpu.icount };
}

/** Wall time of a native run of exe, process start included. */
function timeNative(exe: string): number {
  const t0 = process.hrtime.bigint();
  spawnSync(exe);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function gccLoop(): { emulated: number; interpreter: number; native: number; instructions: number } | null {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cpu-c-'));
  try {
    const src = join(dir, 'loop.c');
    const exe = join(dir, 'loop');
    writeFileSync(src, C_LOOP);
    execFileSync('gcc', ['-O2', '-static', '-nostdlib', '-fno-pie', '-no-pie', '-mgeneral-regs-only', '-fno-stack-protector', '-o', exe, src]);
    // The program's only system call is exit, so the first SYSCALL stop ends the run.
    const compiled = timeElf(exe, {});
    const plain = timeElf(exe, { compileBlocks: false });
    const native = timeNative(exe);
    const n = compiled.instructions;
    return { emulated: n / compiled.seconds / 1e6, interpreter: n / plain.seconds / 1e6, native: n / native / 1e6, instructions: n };
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// A loop of three blocks: a CALL to a small function, its RET, a load: 12 instructions an
// iteration, the shape traces (runtime/cpu/trace.ts) join into one function.
const CALL_LOOP_ITERATIONS = 4_000_000;
const CALL_LOOP = `.globl _start
_start:
  mov $${CALL_LOOP_ITERATIONS}, %r8
  lea buf(%rip), %rbx
1: add %rsi, %rdx
  call f
  xor %rcx, %rdx
  mov (%rbx), %rax
  add %rax, %rdx
  dec %r8
  jnz 1b
  mov $60, %eax
  xor %edi, %edi
  syscall
f: push %rdx
  imul %rdx, %rcx
  pop %rdx
  inc %rcx
  ret
.bss
buf: .skip 64
`;

function callLoop(): { traces: number; compiled: number; interpreter: number; native: number; instructions: number } | null {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cpu-call-'));
  try {
    const exe = join(dir, 'loop');
    writeFileSync(join(dir, 'loop.s'), CALL_LOOP);
    execFileSync('as', [join(dir, 'loop.s'), '-o', join(dir, 'loop.o')]);
    execFileSync('ld', ['-static', join(dir, 'loop.o'), '-o', exe]);
    const best = (opts: { compileBlocks?: boolean; traces?: boolean }) => {
      let r = timeElf(exe, opts);
      for (let i = 0; i < 2; i++) {
        const again = timeElf(exe, opts);
        if (again.seconds < r.seconds) r = again;
      }
      return r;
    };
    const traced = best({});
    const compiled = best({ traces: false });
    const plain = timeElf(exe, { compileBlocks: false });
    const native = timeNative(exe);
    const n = traced.instructions;
    return { traces: n / traced.seconds / 1e6, compiled: n / compiled.seconds / 1e6, interpreter: n / plain.seconds / 1e6, native: n / native / 1e6, instructions: n };
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const emu = emulated(true);
  const interp = emulated(false);
  console.log(`integer loop (add/xor/add/dec/jnz), ${ITERATIONS * 5} instructions`);
  console.log(`  emulated, compiled blocks: ${emu.mips.toFixed(1)} MIPS (${emu.seconds.toFixed(2)} s)`);
  console.log(`  emulated, interpreter:     ${interp.mips.toFixed(1)} MIPS (${interp.seconds.toFixed(2)} s)`);
  const nat = native();
  if (nat === null) console.log('  native:   skipped (GNU as/ld not found)');
  else {
    console.log(`  native:   ${nat.mips.toFixed(0)} MIPS (${nat.seconds.toFixed(2)} s for ${NATIVE_ITERATIONS * 5} instructions)`);
    console.log(`  slowdown: ${(nat.mips / emu.mips).toFixed(1)}x`);
  }
  const c = gccLoop();
  if (c === null) console.log('gcc -O2 C loop: skipped (gcc not found or the program failed)');
  else {
    console.log(`gcc -O2 C loop (xor/multiply/shift hash), ${c.instructions} instructions`);
    console.log(`  emulated, compiled blocks: ${c.emulated.toFixed(1)} MIPS`);
    console.log(`  emulated, interpreter:     ${c.interpreter.toFixed(1)} MIPS`);
    console.log(`  native:   ${c.native.toFixed(0)} MIPS (includes process start)`);
    console.log(`  slowdown: ${(c.native / c.emulated).toFixed(1)}x`);
  }
  const l = callLoop();
  if (l === null) console.log('call loop: skipped (GNU as/ld not found)');
  else {
    console.log(`call loop (three blocks: call, ret, load), ${l.instructions} instructions, best of three`);
    console.log(`  emulated, traces (default):  ${l.traces.toFixed(1)} MIPS`);
    console.log(`  emulated, compiled blocks:   ${l.compiled.toFixed(1)} MIPS`);
    console.log(`  emulated, interpreter:       ${l.interpreter.toFixed(1)} MIPS`);
    console.log(`  native:   ${l.native.toFixed(0)} MIPS (includes process start)`);
    console.log(`  slowdown: ${(l.native / l.traces).toFixed(1)}x`);
  }
}
