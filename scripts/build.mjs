// Bundles src/ into one CommonJS file, dist/cli.cjs, then writes its V8 code cache by
// running the commands whose start-up matters (render, --help) once in this process.
// src/ stays ESM; the bundle is CommonJS because Node 20 can code-cache only scripts.
// Cluster libraries stay external and load only when a cluster command imports them.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { checkBundleText, cliBundleOptions, RUNTIME_EXTERNALS, vendorBundleOptions, WARM_UP_RUNS } from './bundle-options.mjs';

const root = new URL('..', import.meta.url);
// Files are replaced by rename, never deleted first: a CLI started meanwhile (another
// test run, a developer's shell) sees the old bundle or the new one, not none.
const [result, vendor, tools] = await Promise.all([
  build({ ...cliBundleOptions(), outfile: 'dist/cli.cjs', sourcemap: 'linked', external: RUNTIME_EXTERNALS }),
  build({ ...vendorBundleOptions(), outfile: 'dist/kube.cjs', sourcemap: 'linked' }),
  build({ ...vendorBundleOptions('tools-vendor.ts'), outfile: 'dist/tools.cjs', sourcemap: 'linked' }),
]);
// The bundle runs in a vm.Script, which cannot import() on Node 20 (see load-bundle.cjs):
// every dynamic import left in it (the external ESM-only libraries, or a Node builtin)
// goes through __k8sImport instead. Our own modules are bundled, so none of them is left.
const EXTERNAL_IMPORT = /\bimport\((["'])([^"'./][^"']*)\1\)/g;
mkdirSync(new URL('dist', root), { recursive: true });
for (const file of [...result.outputFiles, ...vendor.outputFiles, ...tools.outputFiles]) {
  let contents = file.contents;
  if (file.path.endsWith('.cjs')) {
    const text = file.text.replace(EXTERNAL_IMPORT, '__k8sImport("$2")');
    checkBundleText(file.path, text);
    contents = Buffer.from(text);
  }
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file.path);
}

// These three are ESM-only: in a CommonJS bundle a static import of them becomes require(),
// which Node 20 refuses at run time. Adapters must load them with `await import(...)`.
const bundled = readFileSync(new URL('dist/cli.cjs', root), 'utf8');
const required = [...bundled.matchAll(/require\("(@kubernetes\/client-node|execa|ora)"\)/g)].map((m) => m[1]);
if (required.length) {
  throw new Error(`static import of ${[...new Set(required)].join(', ')} in src/: use \`await import(...)\` inside the adapter (see scripts/build.mjs)`);
}

// Warm the caches: compile what these commands run, then save V8's code for next time.
const { loadBundle, loadVendorBundle, loadToolsBundle } = createRequire(import.meta.url)('./load-bundle.cjs');
{
  const { exports: kube, writeCache: writeVendorCache } = loadVendorBundle({ useCache: false });
  // What every cluster command does with it: read a kubeconfig, build TLS options and headers.
  const kc = new kube.KubeConfig();
  kc.loadFromString(
    'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:16443", insecure-skip-tls-verify: true}}]\n' +
      'users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u, namespace: default}}]\ncurrent-context: x\n',
  );
  kc.getContextObject(kc.getCurrentContext());
  kc.getCurrentCluster();
  await kc.applyToHTTPSOptions({ headers: {} });
  // ora initialises on first use (a spinner on a terminal): compiled here, run there from the cache.
  await kube.loadOra();
  writeVendorCache();
}
{
  const { exports: tools, writeCache: writeToolsCache } = loadToolsBundle({ useCache: false });
  // Run a program the way src/cluster/runner.ts does.
  await tools.execa(process.execPath, ['-e', ''], { reject: false, input: '', stripFinalNewline: false, timeout: 10_000 });
  writeToolsCache();
}
const { cli, writeCache } = loadBundle({ useCache: false });
// Through the streams option: the CLI writes fds 1 and 2 itself (src/output/stdio.ts).
const discard = { write: () => true };
for (const argv of WARM_UP_RUNS) {
  await cli.main(['node', 'k8s-storage', ...argv], { streams: { out: discard, err: discard } });
}
writeCache();

// The templates parsed once here, not at every `render app` (src/presets/registry.ts); after
// the cache is written, so that the YAML parser this compiles stays out of it.
{
  const tmp = new URL(`dist/templates.json.${process.pid}.tmp`, root);
  writeFileSync(tmp, JSON.stringify(cli.templateIndex()));
  renameSync(tmp, new URL('dist/templates.json', root));
}
