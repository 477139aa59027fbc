// client-node's config.js imports node-fetch for Headers, used only by applyToFetchOptions,
// which k8s-storage never calls. Node's own Headers keeps the API; node-fetch (and the
// 260 KB Unicode table of its URL parser) stays out of dist/kube.cjs. Looked up on use
// only: reading globalThis.Headers loads Node's fetch (undici), ~60 ms.
export class Headers {
  constructor(init) {
    return new globalThis.Headers(init);
  }
}
export default (...args) => globalThis.fetch(...args);
