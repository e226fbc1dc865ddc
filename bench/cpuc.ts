// CPU benchmark on compiled code: test/cpu/programs/compute.c built with gcc -O2 (static,
// freestanding) runs natively and under the user-mode emulator (`mksyscall exec`'s engine,
// in process) with the same arguments. Both runs execute the same instructions, so the
// emulator's retired-instruction count gives the native MIPS too. Prints MIPS and the
// slowdown ratio; skips when gcc is missing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseElf } from '../runtime/loader/elf.ts';
import { execStatic } from '../runtime/usermode/index.ts';

const ROUNDS = '20000000';
const source = join(dirname(fileURLToPath(import.meta.url)), '../test/cpu/programs/compute.c');

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cpuc-'));
  try {
    const exe = join(dir, 'compute');
    const cc = spawnSync('gcc', ['-O2', '-static', '-nostdlib', '-ffreestanding', '-mgeneral-regs-only', '-fno-stack-protector', '-o', exe, source], { encoding: 'utf8' });
    if (cc.error || cc.status !== 0) {
      console.log(`gcc -O2 C loop: skipped (${cc.error ? 'gcc not found' : cc.stderr.trim()})`);
      return;
    }
    const elf = parseElf(new Uint8Array(readFileSync(exe)), exe);
    let output = '';
    const emulate = () => {
      output = '';
      const t0 = process.hrtime.bigint();
      const result = execStatic(elf, {
        argv: [exe, ROUNDS],
        envp: [],
        io: { write: (_fd, bytes) => ((output += new TextDecoder().decode(bytes)), bytes.length), read: () => new Uint8Array(0) },
      });
      return { result, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
    };
    emulate(); // warm up
    let best = emulate();
    for (let rep = 0; rep < 2; rep++) {
      const next = emulate();
      if (next.seconds < best.seconds) best = next;
    }
    const t0 = process.hrtime.bigint();
    const native = spawnSync(exe, [ROUNDS], { encoding: 'utf8' });
    const nativeSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const instructions = best.result.instructions;
    const mips = instructions / best.seconds / 1e6;
    const nativeMips = instructions / nativeSeconds / 1e6;
    console.log(`gcc -O2 C loop (compute.c, ${ROUNDS} rounds), ${instructions} instructions`);
    console.log(`  emulated: ${mips.toFixed(1)} MIPS (${best.seconds.toFixed(2)} s, exec in process, best of 3)`);
    console.log(`  native:   ${nativeMips.toFixed(0)} MIPS (${nativeSeconds.toFixed(3)} s, includes process start)`);
    console.log(`  slowdown: ${(nativeMips / mips).toFixed(1)}x`);
    if (native.stdout !== output || native.status !== best.result.status) console.log('  WARNING: emulated output or status differs from the native run');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
