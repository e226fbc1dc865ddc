// A dtruss-format tracer for the XNU personality: a SyscallObserver writing the lines
// macOS's dtruss(1m) prints from its DTrace return probes.
//
//   SYSCALL(args) 		 = return
//   open("/etc/hosts\0", 0x0, 0x0)		 = -1 Err#2
//   open("/data.txt\0", 0x601, 0x1A4)		 = 3 0
//   write(0x3, "hello\n\0", 0x6)		 = 6 0
//   getpid(0x0, 0x0, 0x0)		 = 100 0
//
// Layout rules, as dtruss's D script prints them: every call shows exactly three argument
// words, as 0x%X (uppercase, the full 64-bit word); calls whose first argument is a path
// print it as a string with the NUL it ends in (`\0`); read and write print their buffer
// as a string of the bytes transferred (nothing when the call failed) followed by `\0`;
// then two tabs and ` = <(int)return> <errno>`, where a failure shows -1 and `Err#<errno>`
// and a success errno 0. Strings use DTrace's %S escapes (\n, \t, \0, \", \\, octal for the
// rest). Calls that never return (exit) have no return probe and print nothing. The first
// line written is the column header; under -l each line starts with `pid/0xtid:  `.
import type { Memory } from '../cpu/index.ts';
import type { Kernel, SyscallEvent, SyscallObserver } from '../kernel/index.ts';
import { userBytes, userString } from './truss.ts';

export interface DtrussOptions {
  /** Receives each finished line (no trailing newline). */
  write: (line: string) => void;
  /** dtruss -l: prefix each line with `pid/0xtid:  ` (pid in 5 columns, tid in lowercase hex). */
  threadIds?: boolean;
}

export const DTRUSS_HEADER = 'SYSCALL(args) \t\t = return';

/** Calls dtruss prints with arg0 as a string. */
const PATH_FIRST: ReadonlySet<string> = new Set(['open', 'open_nocancel', 'unlink', 'mkdir', 'rmdir', 'chdir', 'access', 'stat64', 'lstat64']);
/** Calls dtruss prints with arg1 as the transferred bytes. */
const BUFFER_SECOND: ReadonlySet<string> = new Set(['read', 'read_nocancel', 'write', 'write_nocancel']);
const MAX_ERRNO = 4095;

export class Dtruss implements SyscallObserver {
  constructor(
    kernel: Kernel,
    private readonly opts: DtrussOptions,
  ) {
    kernel.observer = this;
    opts.write(DTRUSS_HEADER);
  }

  enter(): null {
    return null;
  }

  exit(ev: SyscallEvent, _state: unknown, result: number | null): void {
    if (result === null) return;
    const failed = result < 0 && result >= -MAX_ERRNO;
    const name = ev.name ?? 'nosys';
    const mem = ev.thread.process.mem;
    const words = ev.args.slice(0, 3).map(hexUpper);
    if (PATH_FIRST.has(name)) {
      const s = userString(mem, ev.args[0]!);
      if (s !== null) words[0] = `"${percentS(s)}\\0"`;
    } else if (BUFFER_SECOND.has(name)) {
      words[1] = `"${failed ? '' : transferred(mem, ev.args[1]!, result)}\\0"`;
    }
    const ret = failed ? `-1 Err#${-result}` : `${Number(BigInt.asIntN(32, BigInt(result)))} 0`;
    const prefix = this.opts.threadIds ? `${String(ev.thread.process.pid).padStart(5)}/0x${ev.thread.tid.toString(16)}:  ` : '';
    this.opts.write(`${prefix}${name}(${words.join(', ')})\t\t = ${ret}`);
  }

  signal(): void {}

  threadExit(): void {}
}

function hexUpper(w: bigint): string {
  return `0x${w.toString(16).toUpperCase()}`;
}

function transferred(mem: Memory, w: bigint, count: number): string {
  const bytes = userBytes(mem, w, count);
  return bytes === null ? '' : percentS(bytes);
}

const ESCAPES: Record<number, string> = { 0: '\\0', 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 34: '\\"', 92: '\\\\' };

/** DTrace's %S: printable ASCII as is, C escapes, three-digit octal for other bytes. */
export function percentS(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (ESCAPES[b] !== undefined) out += ESCAPES[b];
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += '\\' + b.toString(8).padStart(3, '0');
  }
  return out;
}
