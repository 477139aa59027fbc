// socks-proxy-agent as client-node's config.js sees it in dist/kube.cjs: the real one (with
// socks, ip-address and debug) is loaded when a kubeconfig's proxy-url is socks://, not at
// start-up, where it cost every cluster command ~8 ms. The require() below resolves to the
// real package (the slim-client-node plugin swaps only config.js's import).
export class SocksProxyAgent {
  constructor(...args) {
    // eslint-disable-next-line no-undef
    const { SocksProxyAgent: Agent } = require('socks-proxy-agent');
    return new Agent(...args);
  }
}
