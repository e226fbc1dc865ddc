// An strace-format tracer: a SyscallObserver that writes one line per call in strace's
// exact layout, and counts calls for the `-c` summary.
//
//   openat(AT_FDCWD, "/etc/hosts", O_RDONLY|O_CLOEXEC) = 3
//   read(3, "127.0.0.1 localhost\n", 64)    = 20
//   openat(AT_FDCWD, "/nope", O_RDONLY)     = -1 ENOENT (No such file or directory)
//
// Layout rules, as strace applies them: the text before " = " is padded to column 39;
// `[pid N] ` (pid right-aligned in 5) prefixes every line while more than one thread is
// traced (a thread counts from its first event on, so the clone that makes the second
// thread is not prefixed yet; strace's "Process N attached" goes to its stderr, not here); a call interrupted by another thread's output is closed with ` <unfinished ...>`
// and finished later as `<... name resumed>rest) = result`; -T appends ` <s.micros>` (the
// call's virtual duration); exit and exit_group end in `= ?`; signals print as
// `--- SIGPIPE {...} ---` and deaths as `+++ exited with N +++` / `+++ killed by SIG +++`.
//
// Time is the machine's virtual time, so the same run gives the same trace byte for byte.
import type { Kernel, SyscallEvent, SyscallObserver } from '../kernel/index.ts';
import type { Process, Thread } from '../kernel/index.ts';
import { signalName } from '../kernel/linux/abi.ts';
import { CALL_SPECS, fcntlResult, formatPhase, hexWord, type CallSpec } from './decode.ts';
import { LINUX_STRERROR } from './strerror.ts';
import { Summary } from './summary.ts';

export interface StraceOptions {
  /** Receives each finished line (no trailing newline). */
  write: (line: string) => void;
  /** -T: append each call's duration. */
  timing?: boolean;
  /** -c: count calls for summary() and print no lines. */
  summaryOnly?: boolean;
}

interface CallState {
  ev: SyscallEvent;
  name: string;
  spec: CallSpec | undefined;
  entry: string;
  /** The entry was already printed with <unfinished ...>. */
  unfinished: boolean;
}

const RESULT_COLUMN = 39;

export class Strace implements SyscallObserver {
  readonly summary: Summary;
  /** The call whose line is started but not yet written (strace's "current line"). */
  private open: CallState | null = null;

  constructor(
    private readonly kernel: Kernel,
    private readonly opts: StraceOptions,
  ) {
    this.summary = new Summary();
    kernel.observer = this;
  }

  /** `[pid N] ` while more than one thread is traced (`born`, a thread this line's clone made, not yet). */
  private prefix(t: Thread, born = -1): string {
    let live = 0;
    for (const th of this.kernel.threads.values()) if ((th.state !== 'dead' || th === t) && th.tid !== born) live++;
    return live > 1 ? `[pid ${String(t.tid).padStart(5)}] ` : '';
  }

  private emit(line: string): void {
    if (!this.opts.summaryOnly) this.opts.write(line);
  }

  /** Closes a started line of another call with <unfinished ...> before other output. */
  private interrupt(): void {
    const st = this.open;
    if (!st) return;
    this.open = null;
    st.unfinished = true;
    this.emit(`${this.prefix(st.ev.thread)}${st.name}(${st.entry} <unfinished ...>`);
  }

  enter(ev: SyscallEvent): CallState {
    this.interrupt();
    const name = ev.name ?? `syscall_${hexWord(BigInt(ev.nr))}`;
    const spec = ev.name !== undefined ? CALL_SPECS.get(ev.name) : undefined;
    let entry: string;
    if (spec) {
      const ctx = { mem: ev.thread.process.mem, args: ev.args, result: null };
      const ins = formatPhase(name, spec, 'in', ctx);
      const hasOut = spec.args.some((a) => a.phase === 'out');
      entry = ins.join(', ') + (hasOut && ins.length > 0 ? ', ' : '');
    } else {
      entry = ev.args.map((a) => hexWord(a)).join(', ');
    }
    const st: CallState = { ev, name, spec, entry, unfinished: false };
    this.open = st;
    return st;
  }

  exit(ev: SyscallEvent, state: unknown, result: number | null, endNs: number): void {
    const st = state as CallState;
    if (this.open !== st) this.interrupt();
    this.open = null;
    const outs = st.spec ? formatPhase(st.name, st.spec, 'out', { mem: ev.thread.process.mem, args: ev.args, result }) : [];
    const rest = outs.join(', ') + ')';
    const head = st.unfinished ? `<... ${st.name} resumed>${rest}` : `${st.name}(${st.entry}${rest}`;
    // The child of a clone is traced from its first event on: its parent's line is not prefixed for it.
    const left = this.prefix(ev.thread, st.name === 'clone' && result !== null && result > 0 ? result : -1) + head;
    const duration = endNs - ev.startNs;
    if (result === null) {
      this.emit(`${left.padEnd(RESULT_COLUMN)} = ?`);
      return;
    }
    this.summary.record(ev.nr, st.name, result, duration);
    const timing = this.opts.timing ? ` <${seconds(duration)}>` : '';
    this.emit(`${left.padEnd(RESULT_COLUMN)} = ${this.resultText(st, result)}${timing}`);
  }

  private resultText(st: CallState, result: number): string {
    if (result < 0 && result > -4096) {
      const e = this.kernel.errnos.lookup(-result);
      const message = LINUX_STRERROR.get(-result) ?? e?.message ?? `Unknown error ${-result}`;
      return `-1 ${e?.name ?? 'E???'} (${message})`;
    }
    if (st.spec?.ret === 'hex') return hexWord(BigInt(result));
    if (st.spec?.ret === 'fcntl') return fcntlResult(st.ev.args, result);
    return String(result);
  }

  signal(p: Process, sig: number, sender: number): void {
    this.interrupt();
    const t = p.threads.find((th) => th.state !== 'dead') ?? p.threads[0]!;
    const name = signalName(sig);
    const info = sender !== 0 ? `si_code=SI_USER, si_pid=${sender}, si_uid=${this.kernel.uid}` : 'si_code=SI_KERNEL';
    this.emit(`${this.prefix(t)}--- ${name} {si_signo=${name}, ${info}} ---`);
  }

  threadExit(t: Thread, status: number | null, sig: number | null): void {
    this.interrupt();
    this.emit(`${this.prefix(t)}+++ ${sig !== null ? `killed by ${signalName(sig)}` : `exited with ${status}`} +++`);
  }
}

/** Virtual nanoseconds as strace prints a duration: seconds with six decimals, truncated. */
export function seconds(ns: number): string {
  const us = Math.floor(ns / 1000);
  return `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
}
