// A program for `mksyscall run` whose own code throws after one system call.
import * as linux from '../../generated/target_linux_amd64.ts';

export function* main() {
  yield* linux.write(1, new TextEncoder().encode('before\n'));
  throw new Error('index out of range [3] with length 2');
}
