// The demo program: one Go-style program written once against the portable API
// (defs/portable.ts) and run unchanged on linux/amd64, freebsd/amd64, darwin/amd64 and
// windows/amd64. It creates and writes a file, opens it again, reads it back, seeks,
// closes it, tries a file that does not exist, and ping-pongs a message through two pipes
// between two goroutines. Everything it prints is OS-neutral, so its stdout is the same
// on every kernel; how each OS got there shows in that OS's trace.
//
// Invariants: the program never throws for a failed call (it reports it and exits 1);
// it prints nothing that depends on the OS (no descriptor numbers, no error messages).
import { go, type Errno, type Go } from '../runtime/index.ts';
import { SEEK_SET, type Portable } from '../defs/portable.ts';
import { darwin_amd64 } from '../defs/syscall_darwin.ts';
import { freebsd_amd64 } from '../defs/syscall_freebsd.ts';
import { linux_amd64 } from '../defs/syscall_linux.ts';
import { windows_amd64 } from '../defs/syscall_windows.ts';
import { GetStdHandle } from '../generated/zsyscall_windows_amd64.ts';

/** One OS as the program sees it: its portable wrappers, where it keeps the file, and how it finds stdout. */
export interface DemoOs {
  readonly portable: Portable;
  /** The path of `name` in the root directory, in the OS's own syntax. */
  path(name: string): string;
  stdout(): Go<number>;
}

const STD_OUTPUT_HANDLE = -11;

function unix(portable: Portable): DemoOs {
  return {
    portable,
    path: (name) => `/${name}`,
    *stdout() {
      return 1;
    },
  };
}

/** The OS of a target ("freebsd/amd64"), or undefined when the demo does not run there. */
export function demoOs(target: string): DemoOs | undefined {
  return DEMO_OSES.find((os) => os.portable.target === target);
}

/** The four targets the demo runs on, in the order it prints them. */
export const DEMO_OSES: ReadonlyArray<DemoOs> = [
  unix(linux_amd64),
  unix(freebsd_amd64),
  unix(darwin_amd64),
  {
    portable: windows_amd64,
    path: (name) => `C:\\${name}`,
    *stdout() {
      const [handle] = yield* GetStdHandle(STD_OUTPUT_HANDLE);
      return handle;
    },
  },
];

export const GREETING = 'hello from four kernels\n';
const encode = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

/** The program for one OS: main's body (the machine runs it as goroutine 1). */
export function demoProgram(os: DemoOs): () => Go<void> {
  const p = os.portable;
  return function* main() {
    const out = yield* os.stdout();
    const say = function* (line: string) {
      yield* p.Write(out, encode(line + '\n'));
    };
    const check = function* (what: string, err: Errno | null) {
      if (err === null) return;
      yield* say(`${what} failed`);
      yield* p.Exit(1);
    };
    const path = os.path('demo.txt');

    let [fd, err] = yield* p.Open(path, p.O.O_RDWR | p.O.O_CREAT | p.O.O_TRUNC, 0o644);
    yield* check('create', err);
    const [written, writeErr] = yield* p.Write(fd, encode(GREETING));
    yield* check('write', writeErr);
    yield* check('close', (yield* p.Close(fd))[0]);
    yield* say(`wrote ${written} bytes`);

    [fd, err] = yield* p.Open(path, p.O.O_RDONLY, 0);
    yield* check('open', err);
    const buf = new Uint8Array(64);
    const [n, readErr] = yield* p.Read(fd, buf);
    yield* check('read', readErr);
    yield* say(`read back: ${decode(buf.subarray(0, n)).trimEnd()}`);
    const [at, seekErr] = yield* p.Seek(fd, 6n, SEEK_SET);
    yield* check('seek', seekErr);
    const word = new Uint8Array(4);
    const [m] = yield* p.Read(fd, word);
    yield* say(`at offset ${at}: ${decode(word.subarray(0, m))}`);
    yield* check('close', (yield* p.Close(fd))[0]);

    const [, missingErr] = yield* p.Open(os.path('missing.txt'), p.O.O_RDONLY, 0);
    yield* say(missingErr === null ? 'a missing file opened?' : 'a missing file: open failed, as it should');

    const [[pingR, pingW], pipeErr] = yield* p.Pipe();
    yield* check('pipe', pipeErr);
    const [[pongR, pongW], pipe2Err] = yield* p.Pipe();
    yield* check('pipe', pipe2Err);
    go(function* ponger() {
      const msg = new Uint8Array(16);
      const [k] = yield* p.Read(pingR, msg);
      yield* p.Write(pongW, encode(`pong to ${decode(msg.subarray(0, k))}`));
    });
    yield* p.Write(pingW, encode('ping'));
    const reply = new Uint8Array(32);
    const [k] = yield* p.Read(pongR, reply);
    yield* say(`goroutine replied: ${decode(reply.subarray(0, k))}`);
    for (const h of [pingR, pingW, pongR, pongW]) yield* p.Close(h);
  };
}
