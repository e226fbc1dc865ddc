// `npm run bench [-- NAME…]` runs the named benchmarks (all when none are named).
// Each bench/<name>.ts exports `run(): Promise<void>`, prints its own figures beside a
// native baseline measured in the same run, and never asserts anything.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'main.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();
const wanted = process.argv.slice(2).filter((a) => a !== '--');
for (const name of wanted) {
  if (!available.includes(name)) {
    console.error(`unknown benchmark "${name}"; available: ${available.join(', ')}`);
    process.exit(2);
  }
}
for (const name of wanted.length ? wanted : available) {
  const mod = (await import(`./${name}.ts`)) as { run: () => Promise<void> };
  console.log(`== ${name}`);
  await mod.run();
}
