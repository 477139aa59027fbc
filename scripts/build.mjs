// Bundles src/ into dist/ with esbuild. One bundle with code splitting: `render` and
// `--help` load a few small chunks instead of hundreds of files, which is most of what
// makes the CLI start fast. Cluster libraries stay external and load only when used.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const shim = (name) => fileURLToPath(new URL(`./shims/${name}`, import.meta.url));

/** Swaps two heavy dependencies of kubernetes-models for what it really uses (see shims/). */
const slimValidation = {
  name: 'slim-validation',
  setup(b) {
    b.onResolve({ filter: /^ajv-i18n$/ }, () => ({ path: shim('ajv-i18n-en.mjs') }));
    b.onResolve({ filter: /^ajv-formats-draft2019\/formats/ }, () => ({ path: shim('empty-formats.mjs') }));
  },
};

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  minify: true,
  keepNames: false,
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  define: { __VERSION__: JSON.stringify(pkg.version) },
  // Loaded only by cluster commands; bundling them would gain nothing and risk their
  // dynamic requires.
  external: ['@kubernetes/client-node', 'execa', 'ora'],
  // Bundled CommonJS dependencies call require(); give ESM chunks one.
  banner: { js: "import { createRequire as __k8sCreateRequire } from 'node:module'; const require = __k8sCreateRequire(import.meta.url);" },
  plugins: [slimValidation],
  logLevel: 'warning',
});
