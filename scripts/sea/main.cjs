// The single executable's entry point (see scripts/sea.mjs). Node runs this file; the CLI
// itself is the embedded asset cli.cjs, compiled with the embedded V8 code cache, as
// scripts/load-bundle.cjs does for the npm package. Everything is inside the binary: the
// bundle may require Node's builtins only, and nothing is read from beside the executable.
'use strict';
const { getAsset, getRawAsset } = require('node:sea');
const { isBuiltin, wrap } = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

function builtinOnly(id) {
  if (isBuiltin(id)) return require(id);
  const err = new Error(`Cannot find module '${id}' (the single executable carries its libraries inside)`);
  err.code = 'MODULE_NOT_FOUND';
  throw err;
}

const dir = path.dirname(process.execPath);
const cacheState = {};

/** Runs an embedded CommonJS asset, with its embedded code cache when there is one. */
function load(key) {
  let cachedData;
  try {
    cachedData = Buffer.from(getRawAsset(`${key}.cache`));
  } catch {
    // Built without a cache (another architecture than the build machine's): compile normally.
  }
  const filename = path.join(dir, key);
  // latin1 of the raw bytes, not UTF-8: the bundles are ASCII (scripts/build.mjs checks), and
  // decoding 1 MB of UTF-8 costs ~5 ms more.
  const raw = getRawAsset(key);
  const script = new vm.Script(wrap(Buffer.from(raw, 0, raw.byteLength).latin1Slice()), { filename, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, builtinOnly, mod, filename, path.dirname(filename));
  cacheState[key] = cachedData ? (script.cachedDataRejected ? 'rejected' : 'accepted') : 'none';
  return mod.exports;
}

// The core imports the cluster libraries (client-node, execa, ora) through this hook, as the
// npm bundle does through scripts/load-bundle.cjs; here they come from the binary.
const libs = {};
globalThis.__k8sImport = async (specifier) => (isBuiltin(specifier) ? require(specifier) : (libs[specifier] ??= load(`lib/${specifier}.cjs`)));

const mod = { exports: load('cli.cjs') };
// Whether start-up used the cache (tests and the benchmark check it; nothing else prints it).
if (process.env.K8S_STORAGE_SEA_DEBUG) process.stderr.write(`code cache: ${cacheState['cli.cjs']}\n`);

mod.exports.main(process.argv).then((code) => {
  // Exit only once stdout has drained, so piped output is never cut short.
  mod.exports.exitWhenWritten(code);
});
if (process.env.K8S_STORAGE_SEA_DEBUG) process.on('exit', () => process.stderr.write(`code caches: ${JSON.stringify(cacheState)}\n`));
