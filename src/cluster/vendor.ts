/**
 * The third-party code of the cluster path. scripts/build.mjs bundles this module on its
 * own (dist/kube.cjs, with a V8 code cache of its own): the render path never reads it,
 * and the cluster path never compiles an ESM module graph. Load it with loadVendor(),
 * never with a static import.
 *
 * From @kubernetes/client-node only KubeConfig, which reads every kubeconfig form (client
 * certificates, tokens, exec and auth-provider plugins, insecure-skip-tls-verify, proxies)
 * and turns it into Node TLS options, an agent and headers; the generated API classes stay
 * out, requests go through ./http.ts.
 */
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
// ora (progress spinners on a terminal) too: imported as ESM it costs ~150 ms on an idle
// machine; from the code cache, a few milliseconds. It is initialised when first asked for,
// not when this bundle loads: its restore-cursor builds process.stderr and process.stdout
// at import (~7 ms for pipes), and a spinner is only ever shown on a terminal. execa is in
// ./tools-vendor.ts.
export const loadOra = async () => (await import('ora')).default;
