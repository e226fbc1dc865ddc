// A program for `mksyscall run --gomaxprocs`: main blocks reading a pipe while a second
// goroutine, already runnable, writes it (sysmon retakes main's P to let it run).
import * as linux from '../../generated/target_linux_amd64.ts';
import { go, work, type Machine } from '../../runtime/index.ts';

export function* main(_machine: Machine) {
  const p = new Uint8Array(8);
  yield* linux.pipe2(p, 0);
  const v = new DataView(p.buffer);
  const [r, w] = [v.getInt32(0, true), v.getInt32(4, true)];
  go(function* () {
    yield* linux.write(w, new TextEncoder().encode('ping'));
    yield* work(3_000_000);
  });
  const b = new Uint8Array(16);
  const [n] = yield* linux.read(r, b);
  yield* linux.write(1, b.subarray(0, n));
}
