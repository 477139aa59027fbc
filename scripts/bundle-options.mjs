// What every bundle of src/cli.ts shares (dist/cli.cjs from build.mjs, the single
// executable's from sea.mjs): the entry point, the build facts, and the validation shims.
import { fileURLToPath } from 'node:url';
import { buildDefines } from './build-info.mjs';

const shim = (name) => fileURLToPath(new URL(`shims/${name}`, import.meta.url));

/** Swaps two heavy dependencies of kubernetes-models for what it really uses (see shims/). */
export const slimValidation = {
  name: 'slim-validation',
  setup(b) {
    b.onResolve({ filter: /^ajv-i18n$/ }, () => ({ path: shim('ajv-i18n-en.mjs') }));
    b.onResolve({ filter: /^ajv-formats-draft2019\/formats/ }, () => ({ path: shim('empty-formats.mjs') }));
  },
};

/**
 * The libraries dist/cli.cjs leaves outside the bundle, loaded from node_modules at run
 * time: exactly package.json's `dependencies` (a test checks it); the rest is bundled.
 */
export const RUNTIME_EXTERNALS = ['@kubernetes/client-node', 'execa', 'ora'];

/** esbuild options for a CommonJS bundle of the CLI; the caller adds outfile and externals. */
export function cliBundleOptions() {
  return {
    write: false,
    entryPoints: [fileURLToPath(new URL('../src/cli.ts', import.meta.url))],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20.19',
    minify: true,
    define: { ...buildDefines(), 'import.meta.url': '__k8sModuleUrl' },
    banner: { js: "const __k8sModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [slimValidation],
    logLevel: 'warning',
  };
}
