// Loads dist/cli.cjs through a V8 code cache (dist/cli.cjs.cache). Node 20 has no
// module.enableCompileCache, and compiling the bundle is most of the CLI's start-up time;
// with the cache, `render` starts in about 1.3x the time of a bare `node -e 0`.
// Used by bin/k8s-storage.js at run time and by scripts/build.mjs to write the cache.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const bundle = path.join(__dirname, '..', 'dist', 'cli.cjs');
const cacheFile = `${bundle}.cache`;

// On Node 20 a vm.Script cannot import(): a callback needs --experimental-vm-modules and is
// lost when the script comes from the code cache. The build rewrites the bundle's imports
// of its ESM-only dependencies (client-node, execa, ora) to call this instead, and
// import() works here, in an ordinary CommonJS module.
globalThis.__k8sImport ??= (specifier) => import(specifier);

function loadBundle({ useCache = true } = {}) {
  const source = fs.readFileSync(bundle, 'utf8');
  let cachedData;
  if (useCache) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      // No cache yet (or not readable): compile normally.
    }
  }
  const script = new vm.Script(Module.wrap(source), {
    filename: bundle,
    cachedData,
  });
  const mod = { exports: {} };
  const localRequire = Module.createRequire(bundle);
  script.runInThisContext()(mod.exports, localRequire, mod, bundle, path.dirname(bundle));
  return {
    cli: mod.exports,
    /** True when the cache was missing or made by another Node/V8: worth rewriting. */
    cacheStale: !cachedData || script.cachedDataRejected === true,
    writeCache() {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, cacheFile);
    },
  };
}

module.exports = { loadBundle, bundle, cacheFile };
