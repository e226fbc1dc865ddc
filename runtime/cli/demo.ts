// `mksyscall demo [--seed N] [--scheduler go|round-robin]`: the bundled demo (demo/main.ts): one program through the
// portable API on linux/amd64, freebsd/amd64, darwin/amd64 and windows/amd64 (under Go's
// G/M/P scheduler, as every machine runs goroutines; --scheduler round-robin runs them on
// the one-thread-per-goroutine stand-in instead, for comparison); prints the
// stdout they share, each OS's trace in its own format and the cross-OS table. Exit 1 when
// the four do not print the same or one fails.
//
// The demo imports the portable wrappers, hence generated code: it is loaded by path at
// run time, as `run` loads target descriptors, so the runtime's modules never import it.
const demoModule = new URL('../../demo/main.ts', import.meta.url);

interface DemoModule {
  runDemo(seed?: number, scheduling?: { scheduler?: string }): unknown[];
  demoTables(): string;
  renderDemo(runs: unknown[], tables: string): { text: string; ok: boolean };
}

const SCHEDULERS = ['go', 'round-robin'];

export async function runDemoCommand(opts: { seed?: string; scheduler?: string }, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const seed = opts.seed === undefined ? 1 : Number(opts.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) {
    err(`mksyscall demo: --seed ${opts.seed}: expected a non-negative integer\n`);
    return 2;
  }
  const scheduler = opts.scheduler ?? 'go';
  if (!SCHEDULERS.includes(scheduler)) {
    err(`mksyscall demo: --scheduler ${scheduler}: expected one of ${SCHEDULERS.join(', ')}\n`);
    return 2;
  }
  const demo = (await import(demoModule.href)) as DemoModule;
  const { text, ok } = demo.renderDemo(demo.runDemo(seed, { scheduler }), demo.demoTables());
  out(text);
  if (!ok) err('mksyscall demo: the four machines did not print the same, or one failed\n');
  return ok ? 0 : 1;
}
