// Builds the single executable (Node's single executable applications): one binary per
// platform that needs no Node.js, no node_modules and no file beside it.
//
//   node scripts/sea.mjs [--arch amd64|arm64] [--node PATH] [--out PATH]
//
// 1. bundle src/cli.ts with every library inside (dist/sea/cli.cjs: no externals, so the
//    binary never require()s from disk and Node prints no warning about it);
// 2. warm its V8 code cache by running `render pvc` and `--help` in this process, as
//    build.mjs does for the npm bundle (a cache is valid only for the Node build and CPU
//    that made it, so a binary for another architecture gets none and compiles at start);
// 3. write the SEA blob: scripts/sea/main.cjs as the entry, and as assets the bundle, its
//    cache, templates/, agent/ and an index of them (src/assets.ts reads them);
// 4. copy a Node binary of the same version and inject the blob with postject.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { cliBundleOptions } from './bundle-options.mjs';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SEA_DIR = join(ROOT, 'dist', 'sea');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
/** Node's process.arch in release names. */
const nodeRequire = createRequire(import.meta.url);
export const HOST_ARCH = { x64: 'amd64', arm64: 'arm64' }[process.arch] ?? process.arch;

function filesUnder(dir) {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    return e.isDirectory() ? filesUnder(rel) : [rel];
  });
}

/** The bundle with every library inside; returns its path. */
export async function bundleForSea() {
  const result = await build({ ...cliBundleOptions(), outfile: join(SEA_DIR, 'cli.cjs') });
  const text = result.outputFiles[0].text;
  const left = text.match(/\bimport\(["'][^"']+["']\)/g);
  if (left) throw new Error(`the single executable's bundle still imports ${left.join(', ')} at run time: a vm.Script cannot`);
  mkdirSync(SEA_DIR, { recursive: true });
  const file = join(SEA_DIR, 'cli.cjs');
  writeFileSync(file, text);
  return file;
}

/** Runs the bundle's fast commands once and returns V8's code cache for it. */
export async function warmCodeCache(bundle) {
  const source = readFileSync(bundle, 'utf8');
  const script = new vm.Script(Module.wrap(source), { filename: bundle });
  const mod = { exports: {} };
  const requireBuiltin = (id) => {
    if (!isBuiltin(id)) throw new Error(`the single executable's bundle requires ${id} at run time: it must be bundled`);
    return nodeRequire(id);
  };
  script.runInThisContext()(mod.exports, requireBuiltin, mod, bundle, dirname(bundle));
  const write = process.stdout.write;
  const writeErr = process.stderr.write;
  process.stdout.write = process.stderr.write = () => true;
  try {
    for (const argv of [['render', 'pvc', 'data', '--size', '1Gi'], ['--help']]) await mod.exports.main(['node', 'k8s-storage', ...argv]);
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
  return script.createCachedData();
}

/**
 * Builds one executable. `node` is the Node binary to inject into (of this process's version,
 * since the blob is made by this Node); `codeCache` only when it runs on this machine's CPU.
 */
export async function buildSea({ node = process.execPath, out = join(SEA_DIR, 'k8s-storage'), codeCache = true } = {}) {
  const bundle = await bundleForSea();
  const assets = { 'cli.cjs': bundle };
  if (codeCache) {
    const cacheFile = `${bundle}.cache`;
    writeFileSync(cacheFile, await warmCodeCache(bundle));
    assets['cli.cjs.cache'] = cacheFile;
  }
  const shipped = [...filesUnder('templates'), ...filesUnder('agent')].sort();
  for (const rel of shipped) assets[rel] = join(ROOT, rel);
  const index = join(SEA_DIR, 'assets.json');
  writeFileSync(index, `${JSON.stringify(shipped)}\n`);
  assets['assets.json'] = index;

  const blob = join(SEA_DIR, 'sea-prep.blob');
  const config = join(SEA_DIR, 'sea-config.json');
  writeFileSync(config, JSON.stringify({ main: join(ROOT, 'scripts', 'sea', 'main.cjs'), output: blob, disableExperimentalSEAWarning: true, useCodeCache: false, useSnapshot: false, assets }, null, 2));
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'inherit'] });

  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  copyFileSync(node, tmp);
  chmodSync(tmp, 0o755);
  execFileSync(postjectBin(), [tmp, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE], { stdio: ['ignore', 'ignore', 'pipe'] });
  renameSync(tmp, out);
  return { out, size: statSync(out).size, assets: Object.keys(assets).length };
}

/** postject from node_modules (a devDependency), or $POSTJECT. */
function postjectBin() {
  const bin = process.env.POSTJECT ?? join(ROOT, 'node_modules', '.bin', 'postject');
  try {
    statSync(bin);
    return bin;
  } catch {
    throw new Error(`postject is not installed (${relative(ROOT, bin)}): run npm ci`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { out, size } = await buildSea();
  console.error(`wrote ${relative(process.cwd(), out)} (${(size / 1e6).toFixed(1)} MB)`);
}
