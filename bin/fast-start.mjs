// Fast start for the generation commands. Node cannot run TypeScript by itself, and
// loading tsx costs more than generating all six targets, so the commands that never touch
// the machine (GENERATOR_COMMANDS) run from a bundle of bin/generator-cli.ts that esbuild
// writes into node_modules/.cache/mksyscall-ts/ the first time it is needed.
//
// Invariants:
// - The bundle is used only while it is fresh: every project file that went into it still
//   has the size and mtime recorded in its manifest, and the Node version matches.
//   Any edit makes the next run rebuild it (a few hundred ms, once).
// - A bundled module sees its own source location in import.meta.url (the build rewrites
//   it per file), so paths such as defs/ resolve exactly as they do under tsx. The npm
//   packages it imports are bundled too (and count as inputs), except those in
//   EXTERNAL_PACKAGES, which load from node_modules only when a command needs them.
// - Writes are atomic (temporary file, then rename; bundle before manifest), so concurrent
//   runs never read half a file. Any failure (no esbuild, read-only node_modules) returns
//   null and the caller falls back to tsx: the bundle is a cache, never a requirement.
// - MKSYSCALL_NO_BUNDLE=1 skips it (tests use it to compare both ways in).
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
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

async function build(root, entry, bundleFile, manifestFile) {
  const esbuild = await import('esbuild');
  const started = Date.now();
  const result = await esbuild.build({
    entryPoints: [join(root, entry)],
    bundle: true,
    external: EXTERNAL_PACKAGES,
    banner: { js: REQUIRE_SHIM },
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: root,
    plugins: [sourceLocation],
  });
  const inputs = {};
  let settled = true;
  for (const file of Object.keys(result.metafile.inputs)) {
    inputs[file] = stamp(join(root, file));
    // An input edited while esbuild read it may not be what the bundle holds: write the
    // bundle for this run, but no manifest, so the next run builds again.
    if (inputs[file][1] >= started) settled = false;
  }
  mkdirSync(dirname(bundleFile), { recursive: true });
  writeAtomically(bundleFile, result.outputFiles[0].contents);
  if (settled) writeAtomically(manifestFile, JSON.stringify({ entry, node: process.version, inputs }));
}

/**
 * The module `entry` (a path relative to `root`) bundled, rebuilt first if stale, from
 * `cacheDir` (default root/node_modules/.cache/mksyscall-ts); null when no bundle can be had.
 */
export async function loadBundle(root, entry, cacheDir = join(root, 'node_modules', '.cache', 'mksyscall-ts')) {
  if (process.env.MKSYSCALL_NO_BUNDLE) return null;
  const stem = join(cacheDir, basename(entry).replace(/\.[^.]*$/, ''));
  const bundleFile = `${stem}.mjs`;
  const manifestFile = `${stem}.json`;
  try {
    let manifest = null;
    try {
      manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    } catch {
      // no bundle yet
    }
    if (!manifest || manifest.entry !== entry || !isFresh(root, manifest)) await build(root, entry, bundleFile, manifestFile);
    return await import(pathToFileURL(bundleFile).href);
  } catch {
    return null;
  }
}

/** main(argv) of bin/generator-cli.ts from its bundle; null when tsx must serve it. */
export async function loadGeneratorCli() {
  const mod = await loadBundle(projectRoot, 'bin/generator-cli.ts');
  return mod ? mod.main : null;
}
