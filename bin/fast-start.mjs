// Fast start for the generation commands. Node cannot run TypeScript by itself, and
// loading tsx costs more than generating all six targets, so the commands that never touch
// the machine (GENERATOR_COMMANDS) run from a bundle of bin/generator-cli.ts that esbuild
// writes into node_modules/.cache/mksyscall-ts/ the first time it is needed.
//
// Invariants:
// - The bundle is used only while it is fresh: every project file that went into it still
//   has the size and mtime recorded in its manifest, and the Node version matches.
//   Any edit makes the next run rebuild it (a few hundred ms, once). The bundle is split
//   (esbuild's code splitting), so each command parses only the chunks it uses.
// - A bundled module sees its own source location in import.meta.url (the build rewrites
//   it per file), so paths such as defs/ resolve exactly as they do under tsx. The npm
//   packages it imports are bundled too (and count as inputs), except those in
//   EXTERNAL_PACKAGES, which load from node_modules only when a command needs them.
// - Each build goes to a folder of its own, and the manifest that names it is written
//   atomically after it (temporary file, then rename), so concurrent runs never read half a
//   build. Folders of older builds are removed once they are ten minutes old.
// - Any failure (no esbuild, read-only node_modules) returns null and the caller falls back
//   to tsx: the bundle is a cache, never a requirement.
// - MKSYSCALL_NO_BUNDLE=1 skips it (tests use it to compare both ways in).
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The commands bin/generator-cli.ts registers; bin/mksyscall.mjs routes exactly these to the bundle. */
export const GENERATOR_COMMANDS = ['generate', 'inspect', 'import-table', 'table', 'diff'];

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Packages left out of the bundle: loaded late and rarely (diff only when --check finds drift). */
const EXTERNAL_PACKAGES = ['diff'];

/** CommonJS packages in an ES module bundle still call require() for Node's built-ins. */
const REQUIRE_SHIM = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

function stamp(file) {
  const st = statSync(file);
  return [st.size, st.mtimeMs];
}

function isFresh(root, manifest) {
  if (manifest.node !== process.version) return false;
  try {
    for (const [file, [size, mtime]] of Object.entries(manifest.inputs)) {
      const [s, m] = stamp(join(root, file));
      if (s !== size || m !== mtime) return false;
    }
    return true;
  } catch {
    return false; // an input is gone
  }
}

function writeAtomically(file, text) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Rewrites import.meta.url in each project module to that module's own file URL. */
const sourceLocation = {
  name: 'source-location',
  setup(build) {
    build.onLoad({ filter: /\.(ts|js|mjs)$/ }, (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined; // packages as they are
      const text = readFileSync(args.path, 'utf8');
      const contents = text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
      return { contents, loader: args.path.endsWith('.ts') ? 'ts' : 'js' };
    });
  },
};

/** Builds `entry` into a new folder beside the manifest; returns the manifest, or null if inputs moved during the build. */
async function build(root, entry, stem) {
  const esbuild = await import('esbuild');
  const started = Date.now();
  const dir = `${stem}-${started.toString(36)}-${process.pid}`;
  const result = await esbuild.build({
    entryPoints: [join(root, entry)],
    bundle: true,
    splitting: true,
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    external: EXTERNAL_PACKAGES,
    banner: { js: REQUIRE_SHIM },
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: root,
    plugins: [sourceLocation],
  });
  const inputs = {};
  let settled = true;
  for (const file of Object.keys(result.metafile.inputs)) {
    inputs[file] = stamp(join(root, file));
    // An input edited while esbuild read it may not be what the bundle holds: use the
    // bundle for this run, but record no manifest, so the next run builds again.
    if (inputs[file][1] >= started) settled = false;
  }
  const manifest = { entry, node: process.version, dir: basename(dir), inputs };
  if (settled) {
    writeAtomically(`${stem}.json`, JSON.stringify(manifest));
    removeOldBuilds(stem, basename(dir), started);
  }
  return manifest;
}

/**
 * Removes earlier build folders of `stem` but `keep`. A run that started from one of them
 * may still load its chunks lazily, so only folders over ten minutes old go.
 */
function removeOldBuilds(stem, keep, now) {
  const prefix = `${basename(stem)}-`;
  for (const name of readdirSync(dirname(stem))) {
    if (!name.startsWith(prefix) || name === keep) continue;
    const path = join(dirname(stem), name);
    if (now - statSync(path).mtimeMs > 10 * 60 * 1000) rmSync(path, { recursive: true, force: true });
  }
}

/**
 * The module `entry` (a path relative to `root`) bundled, rebuilt first if stale, from
 * `cacheDir` (default root/node_modules/.cache/mksyscall-ts); null when no bundle can be had.
 * The bundle is split: commands load their own chunks only when they run.
 */
export async function loadBundle(root, entry, cacheDir = join(root, 'node_modules', '.cache', 'mksyscall-ts')) {
  if (process.env.MKSYSCALL_NO_BUNDLE) return null;
  const stem = join(cacheDir, basename(entry).replace(/\.[^.]*$/, ''));
  try {
    let manifest = null;
    try {
      manifest = JSON.parse(readFileSync(`${stem}.json`, 'utf8'));
    } catch {
      // no bundle yet
    }
    if (!manifest || manifest.entry !== entry || !isFresh(root, manifest)) {
      mkdirSync(cacheDir, { recursive: true });
      manifest = await build(root, entry, stem);
    }
    const main = join(cacheDir, manifest.dir, basename(entry).replace(/\.[^.]*$/, '.mjs'));
    return await import(pathToFileURL(main).href);
  } catch {
    return null;
  }
}

/** main(argv) of bin/generator-cli.ts from its bundle; null when tsx must serve it. */
export async function loadGeneratorCli() {
  const mod = await loadBundle(projectRoot, 'bin/generator-cli.ts');
  return mod ? mod.main : null;
}
