// Loads dist/cli.cjs through a V8 code cache (dist/cli.cjs.cache). Node 20 has no
// module.enableCompileCache, and compiling the bundle is most of the CLI's start-up time;
// with the cache, `render` starts in about 1.3x the time of a bare `node -e 0`.
// dist/kube.cjs (client-node's KubeConfig, see src/cluster/vendor.ts) and dist/tools.cjs
// (execa) are bundles with caches of their own, loaded only when a cluster command asks.
// Used by bin/k8s-storage.cjs at run time and by scripts/build.mjs to write the caches.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const dist = path.join(__dirname, '..', 'dist');
const bundle = path.join(dist, 'cli.cjs');
const vendorBundle = path.join(dist, 'kube.cjs');
const toolsBundle = path.join(dist, 'tools.cjs');
const cacheFile = `${bundle}.cache`;
const VENDOR = 'k8s-storage:kube-vendor';
const TOOLS = 'k8s-storage:tools-vendor';

/** Runs one CommonJS bundle file from its code cache (when there is one that fits). */
function loadScript(file, { useCache = true } = {}) {
  // latin1: the build makes the bundles ASCII (scripts/build.mjs), and decoding 1 MB of
  // UTF-8 costs ~5 ms more.
  const source = fs.readFileSync(file, 'latin1');
  const cache = `${file}.cache`;
  let cachedData;
  if (useCache) {
    try {
      cachedData = fs.readFileSync(cache);
    } catch {
      // No cache yet (or not readable): compile normally.
    }
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  return {
    exports: mod.exports,
    /** True when the cache was missing or made by another Node/V8: worth rewriting. */
    cacheStale: !cachedData || script.cachedDataRejected === true,
    writeCache() {
      const tmp = `${cache}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, cache);
    },
  };
}

/** The bundles a cluster command loads on first use, by the name the core imports them under. */
const LIBS = { [VENDOR]: vendorBundle, [TOOLS]: toolsBundle };
const loaded = {};
function loadVendorBundle(opts) {
  return loadScript(vendorBundle, opts);
}
function loadToolsBundle(opts) {
  return loadScript(toolsBundle, opts);
}

// On Node 20 a vm.Script cannot import(): a callback needs --experimental-vm-modules and is
// lost when the script comes from the code cache. The build rewrites the bundle's imports
// of its ESM-only dependencies (execa, ora, client-node's PortForward) to call this
// instead, and import() works here, in an ordinary CommonJS module.
globalThis.__k8sImport ??= (specifier) => {
  const file = LIBS[specifier];
  if (!file) return import(specifier);
  let lib = loaded[specifier];
  if (!lib) {
    lib = loaded[specifier] = loadScript(file);
    if (lib.cacheStale) {
      // Written once the command is over, so that it holds the code the command ran.
      process.once('exit', () => {
        try {
          lib.writeCache();
        } catch {
          // A read-only install keeps working, just without the cache.
        }
      });
    }
  }
  return Promise.resolve(lib.exports);
};

function loadBundle(opts) {
  const { exports, cacheStale, writeCache } = loadScript(bundle, opts);
  return { cli: exports, cacheStale, writeCache };
}

module.exports = { loadBundle, loadVendorBundle, loadToolsBundle, bundle, cacheFile };
