#!/usr/bin/env node
// Tiny shim: load the bundled CLI through its compile cache, run it, and exit only once
// stdout has drained so piped output is never cut short. CommonJS on purpose: an ESM
// entry point costs Node about 6 ms more to start, and `render` start-up is measured.
'use strict';
const { loadBundle, bundle } = require('../scripts/load-bundle.cjs');

let loaded;
try {
  loaded = loadBundle();
} catch (err) {
  // A source checkout that was never built (npm ci --omit=dev runs no build): say how.
  if (err && err.code === 'ENOENT' && err.path === bundle) {
    process.stderr.write(`error: ${bundle} is missing: build it with \`npm run build\` (in ${require('node:path').join(__dirname, '..')})\n`);
    process.exit(1);
  }
  throw err;
}
const { cli, cacheStale, writeCache } = loaded;
cli.main(process.argv).then((code) => {
  if (cacheStale) {
    // Another Node version made the cache (or there is none): refresh it for next time.
    try {
      writeCache();
    } catch {
      // A read-only install keeps working, just without the cache.
    }
  }
  // Once stdout has drained (src/cli.ts), so piped output is never cut short.
  cli.exitWhenWritten(code);
});
