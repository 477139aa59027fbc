/**
 * The part of @kubernetes/client-node the adapters use: KubeConfig, which reads every
 * kubeconfig form (client certificates, tokens, exec and auth-provider plugins,
 * insecure-skip-tls-verify, proxies) and turns it into Node TLS options, an agent and
 * headers. scripts/build.mjs bundles this module on its own (dist/kube.cjs, with its
 * own V8 code cache) and leaves client-node's generated API classes out: requests go
 * through ./http.ts. Load it with loadVendor(), never with a static import.
 */
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
