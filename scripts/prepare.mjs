// `npm ci` / `npm install` in a checkout (and npm's install from git) run this: build the
// bundles when the build tools are installed. With `--omit=dev` they are not, and this says
// so instead of failing the install; bin/k8s-storage.cjs then names the build command.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

// A packed package (npm's tarball) ships its bundles and no src/: nothing to build.
if (!existsSync(new URL('../src/cli.ts', import.meta.url))) process.exit(0);
const require = createRequire(import.meta.url);
try {
  require.resolve('esbuild');
} catch {
  console.error('k8s-storage: esbuild is not installed (npm ci --omit=dev?), so nothing was built; run `npm ci && npm run build` to build from this checkout.');
  process.exit(0);
}
await import('./build.mjs');
