// Builds the single executable (Node's single executable applications): one binary per
// platform that needs no Node.js, no node_modules and no file beside it.
//
//   node scripts/sea.mjs [--arch amd64|arm64] [--node PATH] [--out PATH]
//
// 1. bundle src/cli.ts as for npm (dist/sea/cli.cjs), and each library the npm bundle
//    leaves outside into a CommonJS file of its own (dist/sea/lib/): the core stays as
//    small as the npm one, a cluster command loads its library from the binary, and
//    nothing is require()d from disk, so Node prints no warning about it;
// 2. warm their V8 code caches by running `render pvc` and `--help` and loading each
//    library in this process, as build.mjs does for the npm bundle (a cache is valid only
//    for the Node build and CPU that made it, so a binary for another architecture gets
//    none and compiles at start);
// 3. write the SEA blob: scripts/sea/main.cjs as the entry, and as assets the bundles,
//    their caches, templates/, agent/ and an index of them (src/assets.ts reads them);
// 4. copy a Node binary of the same version and inject the blob with postject.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { checkBundleText, cliBundleOptions, WARM_UP_RUNS, RUNTIME_EXTERNALS, TOOLS, VENDOR, vendorBundleOptions } from './bundle-options.mjs';

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

const libFile = (spec) => join(SEA_DIR, 'lib', `${spec.replace(/\//g, '+')}.cjs`);
/** Asset key of an embedded library (scripts/sea/main.cjs loads it). */
const libKey = (spec) => `lib/${spec}.cjs`;

/** Dynamic imports of a library the core leaves outside, rewritten to the loader's hook. */
const EXTERNAL_IMPORT = /\bimport\((["'])([^"'./][^"']*)\1\)/g;

/**
 * The core bundle (as small as the npm one: the cluster libraries stay outside and load only
 * when a cluster command imports them) and one CommonJS bundle per such library, all to be
 * embedded. Returns their paths: { core, libs: { spec: path } }.
 */
export async function bundleForSea() {
  mkdirSync(join(SEA_DIR, 'lib'), { recursive: true });
  const core = await build({ ...cliBundleOptions(), outfile: join(SEA_DIR, 'cli.cjs'), external: RUNTIME_EXTERNALS });
  const text = core.outputFiles[0].text.replace(EXTERNAL_IMPORT, '__k8sImport("$2")');
  checkBundleText("the single executable's bundle", text);
  writeFileSync(join(SEA_DIR, 'cli.cjs'), text);
  const libs = {};
  for (const spec of RUNTIME_EXTERNALS) {
    const { entryPoints, external, ...options } = cliBundleOptions();
    const r = await build({ ...options, entryPoints: [spec], outfile: libFile(spec), logLevel: 'error' });
    checkBundleText(`the embedded ${spec}`, r.outputFiles[0].text);
    writeFileSync(libFile(spec), r.outputFiles[0].text);
    libs[spec] = libFile(spec);
  }
  // The cluster path's own bundles (client-node's KubeConfig and ora; execa), as dist/kube.cjs and dist/tools.cjs are for npm.
  for (const [spec, entry] of [[VENDOR, 'vendor.ts'], [TOOLS, 'tools-vendor.ts']]) {
    const vendor = await build({ ...vendorBundleOptions(entry), outfile: libFile(spec) });
    const vendorText = vendor.outputFiles[0].text.replace(EXTERNAL_IMPORT, '__k8sImport("$2")');
    checkBundleText(`the embedded ${entry} bundle`, vendorText);
    writeFileSync(libFile(spec), vendorText);
    libs[spec] = libFile(spec);
  }
  return { core: join(SEA_DIR, 'cli.cjs'), libs };
}

function requireBuiltin(id) {
  if (!isBuiltin(id)) throw new Error(`the single executable's bundle requires ${id} at run time: it must be bundled`);
  return nodeRequire(id);
}

/** Compiles and runs a CommonJS file as scripts/sea/main.cjs does; returns its exports and its Script. */
function runScript(file) {
  const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, requireBuiltin, mod, file, dirname(file));
  return { exports: mod.exports, script };
}

/**
 * Runs the core's fast commands once and loads each library, then returns V8's code cache
 * for every file: { [path]: Buffer }.
 */
export async function warmCodeCache({ core, libs }) {
  const previous = globalThis.__k8sImport;
  const loaded = {};
  globalThis.__k8sImport = async (spec) => (isBuiltin(spec) ? nodeRequire(spec) : (loaded[spec] ??= runScript(libs[spec])).exports);
  const cli = runScript(core);
  // Through the streams option: the CLI writes fds 1 and 2 itself (src/output/stdio.ts).
  const discard = { write: () => true };
  try {
    for (const argv of WARM_UP_RUNS) await cli.exports.main(['node', 'k8s-storage', ...argv], { streams: { out: discard, err: discard } });
    for (const spec of Object.keys(libs)) await globalThis.__k8sImport(spec);
    // ora initialises on first use (see src/cluster/vendor.ts): compile it into the cache too.
    await (await globalThis.__k8sImport(VENDOR)).loadOra();
  } finally {
    globalThis.__k8sImport = previous;
  }
  return Object.fromEntries([[core, cli.script.createCachedData()], ...Object.entries(libs).map(([spec, file]) => [file, loaded[spec].script.createCachedData()])]);
}

/**
 * Builds one executable. `node` is the Node binary to inject into (of this process's version,
 * since the blob is made by this Node); `codeCache` only when it runs on this machine's CPU.
 */
export async function buildSea({ node = process.execPath, out = join(SEA_DIR, 'k8s-storage'), codeCache = true } = {}) {
  const bundles = await bundleForSea();
  const assets = { 'cli.cjs': bundles.core, ...Object.fromEntries(Object.entries(bundles.libs).map(([spec, file]) => [libKey(spec), file])) };
  if (codeCache) {
    const caches = await warmCodeCache(bundles);
    for (const [key, file] of Object.entries({ ...assets })) {
      writeFileSync(`${file}.cache`, caches[file]);
      assets[`${key}.cache`] = `${file}.cache`;
    }
  }
  // The templates parsed now, as dist/templates.json is for npm (src/presets/registry.ts).
  const templateIndex = join(SEA_DIR, 'templates.json');
  writeFileSync(templateIndex, JSON.stringify(runScript(bundles.core).exports.templateIndex()));
  const shipped = [...filesUnder('templates'), ...filesUnder('agent'), 'dist/templates.json'].sort();
  for (const rel of shipped) assets[rel] = rel === 'dist/templates.json' ? templateIndex : join(ROOT, rel);
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
