// The SyscallBackend the machine installs while goroutines run: runtime/syscall.ts's
// Syscall family (by trap number) and libc calls (darwin: syscall_syscall with the
// trampoline's address as fn) execute the personality's stubs on the current goroutine's
// thread; both build the same frame.
//
// A call: the arguments pinned since the last call (BytePtrFromString, SlicePtr, Pointer
// on a Uint8Array) were copied into the thread's pin arena; the stub (Syscall or
// Syscall6, Raw or not, by kind and argument count) runs with the ABI0 frame
// [return][trap][a1..aN][r1 r2 err] on the thread's guest stack (Machine.beginStub); then
// every pinned buffer is copied back (the kernel may have written it) and the arena is
// reset. r1 and r2 come back as canonical Words, err as a number. A call that never parks
// returns its result directly (no generator); one that parks returns the generator that
// yields its Parks and finishes it.
//
// Invariants: pinned bytes live in guest memory exactly from the pin to the end of the
// next call of the same thread (a call that never returns ends its thread or the run); a pin outside a running goroutine is an Error, as is an
// argument list no stub takes (more than six words) or a call family the OS lacks.
import type { CallKind, Go, LibcFunction, Park, SyscallBackend, SyscallResult, Word } from '../syscall.ts';
import type { StubFamily } from './personality/index.ts';
import { PIN_ARENA_SIZE, ZERO_PAGE, type Machine, type MachineThread } from './machine.ts';

const PIN_ALIGN = 16;

export class MachineBackend implements SyscallBackend {
  readonly os: string;

  /** Syscall, Syscall6, RawSyscall, RawSyscall6 by trap number, or null. */
  private readonly stubs: number[] | null;
  /** The same four for libc calls, or null. */
  private readonly libcStubs: number[] | null;
  /** Each libc function's trampoline address, by name (looked up on first use). */
  private readonly trampolines = new Map<string, number>();

  constructor(private readonly machine: Machine) {
    const p = machine.personality;
    this.os = p.os;
    const addresses = (family: StubFamily | null) => family && family.map((n) => machine.addressOf(n));
    this.stubs = addresses(p.syscallStubs);
    this.libcStubs = addresses(p.libcStubs);
  }

  syscall(kind: CallKind, trap: Word, args: readonly Word[]): SyscallResult | Go<SyscallResult> {
    if (this.stubs === null) throw new Error(`${this.os}/amd64 makes no system calls by number from Go code; its wrappers go through libc`);
    return this.call(this.stubs, kind, trap, args);
  }

  libcCall(kind: CallKind, fn: LibcFunction, args: readonly Word[]): SyscallResult | Go<SyscallResult> {
    if (this.libcStubs === null) throw new Error(`${this.os}/amd64 makes no libc calls (${fn.name})`);
    let at = this.trampolines.get(fn.name);
    if (at === undefined) {
      at = this.machine.addressOf(this.machine.personality.trampoline(fn.name));
      this.trampolines.set(fn.name, at);
    }
    return this.call(this.libcStubs, kind, at, args);
  }

  /**
   * Runs one stub of `family` with the frame [return][first][a1..aN][r1 r2 err]: the result
   * when it returns without parking, else the goroutine step that parks and finishes it.
   */
  private call(family: number[], kind: CallKind, first: Word, args: readonly Word[]): SyscallResult | Go<SyscallResult> {
    if (args.length > 6) throw new Error(`${this.os}/amd64 has no stub for ${args.length} arguments (at most 6)`);
    const m = this.machine;
    const th = this.thread();
    const pins = th.pins;
    if (pins.length > 0) th.pins = [];
    const six = args.length > 3;
    const n = six ? 6 : 3;
    const sp = m.beginStub(th, family[(kind === 'raw' ? 2 : 0) + (six ? 1 : 0)]!, first, args, n);
    const park = m.advance(th, m.callReturn);
    if (park === null) return this.finish(th, pins, sp + 8 + 8 * (n + 1));
    return this.parked(th, pins, sp + 8 + 8 * (n + 1), park);
  }

  /**
   * The rest of a call that parked: yields each Park until the stub returns. After waiting
   * for a P the goroutine may go on on another M, so its thread is read again after each
   * park (the stack slot with the frame and pins came with it; the old thread may be
   * running another goroutine's call).
   */
  private *parked(th: MachineThread, pins: MachineThread['pins'], results: number, park: Park): Go<SyscallResult> {
    const m = this.machine;
    for (let p: Park | null = park; p !== null; p = m.advance(th, m.callReturn)) {
      yield p;
      th = this.thread();
    }
    return this.finish(th, pins, results);
  }

  /** After the stub returned: pinned buffers copied back, the arena reset, [r1, r2, err] read from `results`. */
  private finish(th: MachineThread, pins: MachineThread['pins'], results: number): SyscallResult {
    if (pins.length > 0) this.copyBack(th, pins);
    th.pinNext = th.pinBase;
    return this.machine.stubResult(th, results);
  }

  /** Copies each pinned buffer back from guest memory (the kernel may have written it). */
  private copyBack(th: MachineThread, pins: MachineThread['pins']): void {
    const m = this.machine;
    m.userAccess(th, () => {
      for (const p of pins) p.bytes.set(m.mem.read(p.addr, p.bytes.length));
    });
  }

  procCall(): Go<SyscallResult> {
    throw new Error(`${this.os}/amd64 has no DLL procedures`);
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
