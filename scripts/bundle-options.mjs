// What every bundle of src/cli.ts shares (dist/cli.cjs from build.mjs, the single
// executable's from sea.mjs): the entry point, the build facts, and the validation shims.
import { readFileSync } from 'node:fs';
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
 * What every bundle that runs in a vm.Script must be (dist/*.cjs, the single executable's
 * assets): free of import() (a vm.Script cannot import on Node 20: the build rewrites the
 * external ones to __k8sImport), and ASCII, because the loaders read them as latin1, ~5 ms
 * faster than UTF-8 for 1 MB (esbuild escapes strings, not regular expressions).
 */
export function checkBundleText(what, text) {
  const left = text.match(/\bimport\(["'][^"']+["']\)/g);
  if (left) throw new Error(`${what} still imports ${left.join(', ')} at run time: relative imports must be bundled, a vm.Script cannot import()`);
  const wide = text.match(/.{0,40}[^\x00-\x7f].{0,20}/);
  if (wide) throw new Error(`${what} is not ASCII near \`${wide[0]}\`: write the character as an escape (\\u00b5) in src/`);
}

/**
 * The runs whose code goes into the core bundle's code cache (dist/cli.cjs.cache, and the
 * single executable's). A function not run here is compiled on first use, but every byte of
 * cache is read and deserialised on every start-up: warming `render app` and `render
 * storageclass` too (their YAML template parsing, four more validators) made them 30 and
 * 5 ms faster and the cache 40% bigger, which cost `render pvc` (the start-up that is
 * measured against kubectl) 1.5 ms. So only these two.
 */
export const WARM_UP_RUNS = [
  ['render', 'pvc', 'data', '--size', '1Gi'],
  ['--help'],
];

/** chalk without its own colour detection (see shims/no-color-detection.mjs). */
export const noColorDetection = {
  name: 'no-color-detection',
  setup(b) {
    b.onResolve({ filter: /^#supports-color$/ }, (args) => (/[\\/]chalk[\\/]/.test(args.importer) ? { path: shim('no-color-detection.mjs') } : undefined));
  },
};

/**
 * commander requires node:child_process when it loads, for executable subcommands, which
 * k8s-storage never uses; that require pulls in net, stream and dgram, ~3 ms of every
 * start-up. It is made lazy: spawn() loads child_process on first use.
 */
export const lazyCommanderSpawn = {
  name: 'lazy-commander-spawn',
  setup(b) {
    b.onLoad({ filter: /commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const eager = "const childProcess = require('node:child_process');";
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes(eager)) throw new Error(`${args.path} no longer has \`${eager}\`: update lazyCommanderSpawn in scripts/bundle-options.mjs`);
      return { contents: source.replace(eager, "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };"), loader: 'js' };
    });
  },
};

/**
 * The libraries dist/cli.cjs leaves outside the bundle, loaded from node_modules at run
 * time: exactly package.json's `dependencies` (a test checks it); the rest is bundled.
 */
export const RUNTIME_EXTERNALS = ['@kubernetes/client-node'];

/**
 * src/cluster/vendor.ts (client-node's KubeConfig, ora) is a bundle of its own,
 * loaded on first use through its own code cache (dist/kube.cjs; in the single executable,
 * an embedded asset): the render path never reads it, the cluster path skips client-node's
 * 967 ESM files. The core bundle imports it under this name.
 */
export const VENDOR = 'k8s-storage:kube-vendor';
/** src/cluster/tools-vendor.ts (execa) likewise: dist/tools.cjs, so `microk8s` starts while client-node loads. */
export const TOOLS = 'k8s-storage:tools-vendor';
export const splitVendor = {
  name: 'split-vendor',
  setup(b) {
    b.onResolve({ filter: /^\.\/(tools-)?vendor\.js$/ }, (args) => (args.importer.endsWith('load-vendor.ts') ? { path: args.path.includes('tools') ? TOOLS : VENDOR, external: true } : undefined));
  },
};
/** What the vendor bundle leaves out of client-node (see the shims). */
export const slimClientNode = {
  name: 'slim-client-node',
  setup(b) {
    b.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (args) => (/client-node[\\/]dist[\\/]config\.js$/.test(args.importer) ? { path: shim('client-node-gen.mjs') } : undefined));
    b.onResolve({ filter: /^node-fetch$/ }, (args) => (/client-node[\\/]dist[\\/]config\.js$/.test(args.importer) ? { path: shim('node-fetch-headers.mjs') } : undefined));
    b.onResolve({ filter: /^socks-proxy-agent$/ }, (args) => (/client-node[\\/]dist[\\/]config\.js$/.test(args.importer) ? { path: shim('lazy-socks-proxy-agent.mjs') } : undefined));
  },
};

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
    plugins: [slimValidation, splitVendor, lazyCommanderSpawn, noColorDetection],
    logLevel: 'warning',
  };
}

/**
 * esbuild options for dist/kube.cjs: src/cluster/vendor.ts (client-node's KubeConfig, ora) as
 * one CommonJS bundle with a code cache of its own, or with entry 'tools-vendor.ts' for
 * dist/tools.cjs (execa); the caller adds outfile and plugins.
 */
export function vendorBundleOptions(entry = 'vendor.ts') {
  return {
    write: false,
    entryPoints: [fileURLToPath(new URL(`../src/cluster/${entry}`, import.meta.url))],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20.19',
    minify: true,
    plugins: [slimClientNode],
    logLevel: 'warning',
  };
}
