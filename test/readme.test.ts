// The README's "Running generated code in a test" example, kept runnable here.
import { it, expect } from 'vitest';
import { Machine } from '../runtime/index.ts';
import * as linux from '../generated/target_linux_amd64.ts';

it('reads back what it wrote', () => {
  const m = new Machine({ target: linux.target, seed: 1 });
  const result = m.run(function* () {
    const [fd, err] = yield* linux.open('/tmp.txt', 0o102 /* O_RDWR|O_CREAT */, 0o644);
    expect(err).toBeNull();
    yield* linux.write(fd, new TextEncoder().encode('hi'));
    yield* linux.Seek(fd, 0n, 0 /* SEEK_SET */);
    const buf = new Uint8Array(8);
    const [n] = yield* linux.read(fd, buf);
    expect(new TextDecoder().decode(buf.subarray(0, n))).toBe('hi');
  });
  expect(result.status).toBe(0);
});
