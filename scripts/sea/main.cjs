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

let cachedData;
try {
  cachedData = Buffer.from(getRawAsset('cli.cjs.cache'));
} catch {
  // Built without a cache (another architecture than the build machine's): compile normally.
}
const filename = path.join(path.dirname(process.execPath), 'k8s-storage.cjs');
const script = new vm.Script(wrap(getAsset('cli.cjs', 'utf8')), { filename, cachedData });
const mod = { exports: {} };
script.runInThisContext()(mod.exports, builtinOnly, mod, filename, path.dirname(filename));
// Whether start-up used the cache (tests and the benchmark check it; nothing else prints it).
if (process.env.K8S_STORAGE_SEA_DEBUG) process.stderr.write(`code cache: ${cachedData ? (script.cachedDataRejected ? 'rejected' : 'accepted') : 'none'}\n`);

mod.exports.main(process.argv).then((code) => {
  // Exit only once stdout has drained, so piped output is never cut short.
  process.stdout.on('error', () => process.exit(code));
  if (process.stdout.writableLength === 0) process.exit(code);
  process.stdout.write('', () => process.exit(code));
});
