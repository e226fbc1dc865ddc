// The SyscallBackend the machine installs while goroutines run: runtime/syscall.ts's
// Syscall family executes the linux/amd64 stubs on the current goroutine's thread.
//
// A call: the arguments pinned since the last call (BytePtrFromString, SlicePtr, Pointer
// on a Uint8Array) were copied into the thread's pin arena; the stub (Syscall or
// Syscall6, Raw or not, by kind and argument count) runs with the ABI0 frame
// [return][trap][a1..aN][r1 r2 err] on the thread's guest stack (Machine.guestCall); then
// every pinned buffer is copied back (the kernel may have written it) and the arena is
// reset. r1 and r2 come back as canonical Words, err as a number.
//
// Invariants: pinned bytes live in guest memory exactly from the pin to the end of the
// next call of the same thread (a call that never returns ends its thread or the run); a pin outside a running goroutine is an Error, as is an
// argument list no linux/amd64 stub takes (more than six words).
import type { CallKind, Go, LibcFunction, SyscallBackend, SyscallResult, Word } from '../syscall.ts';
import { PIN_ARENA_SIZE, ZERO_PAGE, type Machine, type MachineThread } from './machine.ts';

const PIN_ALIGN = 16;

export class MachineBackend implements SyscallBackend {
  readonly os = 'linux';

  /** Syscall, Syscall6, RawSyscall, RawSyscall6. */
  private readonly stubs: number[];

  constructor(private readonly machine: Machine) {
    this.stubs = ['syscall·Syscall', 'syscall·Syscall6', 'syscall·RawSyscall', 'syscall·RawSyscall6'].map((n) => machine.addressOf(n));
  }

  *syscall(kind: CallKind, trap: Word, args: readonly Word[]): Go<SyscallResult> {
    if (args.length > 6) throw new Error(`linux/amd64 has no stub for ${args.length} arguments (at most 6)`);
    const m = this.machine;
    const th = this.thread();
    const pins = th.pins;
    if (pins.length > 0) th.pins = [];
    const six = args.length > 3;
    const n = six ? 6 : 3;
    const frame: Word[] = new Array<Word>(n + 1);
    frame[0] = trap;
    for (let i = 0; i < n; i++) frame[i + 1] = i < args.length ? args[i]! : 0;
    const sp = m.beginCall(th, this.stubs[(kind === 'raw' ? 2 : 0) + (six ? 1 : 0)]!, frame, 3);
    for (;;) {
      const park = m.advance(th, m.callReturn);
      if (park === null) break;
      yield park;
    }
    if (pins.length > 0) {
      m.userAccess(th, () => {
        for (const p of pins) p.bytes.set(m.mem.read(p.addr, p.bytes.length));
      });
    }
    th.pinNext = th.pinBase;
    return m.stubResult(th, sp + 8 + 8 * (n + 1));
  }

  libcCall(_kind: CallKind, fn: LibcFunction): Go<SyscallResult> {
    throw new Error(`linux/amd64 makes no libc calls (${fn.name})`);
  }

  procCall(): Go<SyscallResult> {
    throw new Error('linux/amd64 has no DLL procedures');
  }

  findProc(): Word | null {
    return null;
  }

  pin(bytes: Uint8Array): Word {
    const th = this.thread();
    const addr = th.pinNext;
    const end = addr + Math.ceil(Math.max(bytes.length, 1) / PIN_ALIGN) * PIN_ALIGN;
    if (end > th.pinBase + PIN_ARENA_SIZE) {
      throw new Error(`pinned arguments of one call exceed ${PIN_ARENA_SIZE} bytes; allocate the buffer in guest memory (Machine.alloc) instead`);
    }
    this.machine.userAccess(th, () => this.machine.mem.write(addr, bytes));
    th.pinNext = end;
    th.pins.push({ addr, bytes });
    return addr;
  }

  zeroAddress(): Word {
    return ZERO_PAGE;
  }

  private thread(): MachineThread {
    return this.machine.runner.current().thread as MachineThread;
  }
}
