// A program for `mksyscall run`: writes to stdout, makes a file, reads it back, exits 3.
import * as linux from '../../generated/target_linux_amd64.ts';
import type { Machine } from '../../runtime/index.ts';

const O_RDWR = 2;
const O_CREAT = 0o100;

export function* main(_machine: Machine) {
  yield* linux.write(1, new TextEncoder().encode('hello from the guest\n'));
  const [fd] = yield* linux.open('/hello.txt', O_RDWR | O_CREAT, 0o644);
  yield* linux.write(fd, new TextEncoder().encode('kept'));
  yield* linux.Seek(fd, 0n, 0);
  const b = new Uint8Array(8);
  const [n] = yield* linux.read(fd, b);
  yield* linux.write(2, b.subarray(0, n));
  yield* linux.Close(fd);
  yield* linux.Exit(3);
}
