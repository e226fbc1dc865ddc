// A SyscallBackend over a BSD CPU machine, so the generated freebsd/amd64 and darwin/amd64
// wrappers run end to end on the emulated CPU: Syscall/RawSyscall(6) go to the FreeBSD
// stubs, syscall_syscall/rawSyscall(6) to the darwin runtime stubs with the trampoline's
// address as fn. Pinned bytes are copied into user memory for the call and back after it.
// Nothing blocks here (no scheduler), so the wrappers' generators never yield.
import type { CallKind, Go, LibcFunction, SyscallBackend, SyscallResult, Word } from '../../runtime/syscall.ts';
import { trampolineSymbol } from '../../runtime/asm/darwin_amd64.ts';
import type { bsdCpuMachine } from './cpu.ts';

type CpuMachine = ReturnType<typeof bsdCpuMachine>;

export class StubBackend implements SyscallBackend {
  private pinned: Array<{ addr: number; bytes: Uint8Array }> = [];

  constructor(
    readonly os: 'freebsd' | 'darwin',
    private readonly m: CpuMachine,
  ) {}

  *syscall(kind: CallKind, trap: Word, args: readonly Word[]): Go<SyscallResult> {
    const six = args.length > 3;
    const stub = `syscall·${kind === 'raw' ? 'RawSyscall' : 'Syscall'}${six ? '6' : ''}`;
    return this.run(stub, BigInt(trap), args, six ? 6 : 3);
  }

  *libcCall(kind: CallKind, fn: LibcFunction, args: readonly Word[]): Go<SyscallResult> {
    const six = args.length > 3;
    const stub = `runtime·syscall_${kind === 'raw' ? 'rawSyscall' : 'syscall'}${six ? '6' : ''}`;
    return this.run(stub, BigInt(this.m.image.addressOf(trampolineSymbol(fn.name))), args, six ? 6 : 3);
  }

  private run(stub: string, first: bigint, args: readonly Word[], width: number): SyscallResult {
    if (args.length > width) throw new Error(`${stub}: ${args.length} arguments`);
    const words = Array.from({ length: width }, (_, i) => BigInt(args[i] ?? 0));
    const [r1, r2, err] = this.m.call(stub, first, words);
    for (const p of this.pinned) p.bytes.set(this.m.mem.read(p.addr, p.bytes.length));
    this.pinned = [];
    return [r1!, r2!, Number(err)];
  }

  procCall(): Go<SyscallResult> {
    throw new Error('no DLL procedures on a BSD machine');
  }

  findProc(): null {
    return null;
  }

  pin(bytes: Uint8Array): Word {
    const addr = Number(this.m.alloc(Math.max(bytes.length, 1)));
    this.m.mem.write(addr, bytes);
    this.pinned.push({ addr, bytes });
    return addr;
  }

  zeroAddress(): Word {
    return Number(this.m.alloc(16));
  }
}
