// TLS for the fake API server: a CA, a server certificate for 127.0.0.1 and a client
// certificate (CN=admin, O=system:masters, as MicroK8s' admin), made with the openssl CLI,
// plus the server options and the authenticate hook that accepts that client certificate.
//
//   const pki = makePki(dir);
//   const api = await startFakeApiServer({ tls: pki.serverOptions(), authenticate: pki.clientCertAuth({ orToken: 'x' }) });
//   pki.kubeconfig(api.url, { clientCert: true })  // certificate-authority-data, client-certificate-data...

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';

/** @param {string} dir an empty directory for the key and certificate files */
export function makePki(dir) {
  const ssl = (/** @type {string[]} */ ...args) => execFileSync('openssl', args, { stdio: 'pipe' });
  const f = (/** @type {string} */ n) => join(dir, n);
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=fake-apiserver-ca', '-keyout', f('ca.key'), '-out', f('ca.crt'));
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const [name, subj, ext] of /** @type {const} */ ([['server', '/CN=kube-apiserver', f('server.ext')], ['client', '/O=system:masters/CN=admin', undefined]])) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', subj, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`));
    ssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-out', f(`${name}.crt`), ...(ext ? ['-extfile', ext] : []));
  }
  const read = (/** @type {string} */ n) => readFileSync(f(n));
  const b64 = (/** @type {string} */ n) => read(n).toString('base64');
  return {
    files: { ca: f('ca.crt'), clientCert: f('client.crt'), clientKey: f('client.key') },
    /** https.createServer options: asks for (does not require) a client certificate signed by the CA. */
    serverOptions() {
      return { key: read('server.key'), cert: read('server.crt'), ca: read('ca.crt'), requestCert: true, rejectUnauthorized: false };
    },
    /**
     * An authenticate hook: a verified client certificate, or (when given) a bearer token.
     * @param {{orToken?: string}} [o]
     */
    clientCertAuth(o = {}) {
      return (/** @type {import('node:http').IncomingMessage} */ req) => {
        const socket = /** @type {import('node:tls').TLSSocket} */ (req.socket);
        if (socket.authorized && socket.getPeerCertificate()?.subject?.CN === 'admin') return true;
        return o.orToken !== undefined && req.headers.authorization === `Bearer ${o.orToken}`;
      };
    },
    /**
     * A kubeconfig for `url` in one of the forms kubeconfigs come in.
     * @param {string} url
     * @param {{clientCert?: 'data' | 'files', token?: string, exec?: {command: string, args?: string[]}, insecure?: boolean, caFile?: boolean, noCa?: boolean, proxyUrl?: string}} user
     */
    kubeconfig(url, user) {
      /** @type {Record<string, unknown>} */
      const cluster = { server: url };
      if (user.proxyUrl) cluster['proxy-url'] = user.proxyUrl;
      if (user.insecure) cluster['insecure-skip-tls-verify'] = true;
      else if (user.noCa) {
        // Only the system's CAs: the fake server's certificate is not trusted.
      } else if (user.caFile) cluster['certificate-authority'] = f('ca.crt');
      else cluster['certificate-authority-data'] = b64('ca.crt');
      /** @type {Record<string, unknown>} */
      const u = {};
      if (user.clientCert === 'data') Object.assign(u, { 'client-certificate-data': b64('client.crt'), 'client-key-data': b64('client.key') });
      if (user.clientCert === 'files') Object.assign(u, { 'client-certificate': f('client.crt'), 'client-key': f('client.key') });
      if (user.token) u.token = user.token;
      if (user.exec) u.exec = { apiVersion: 'client.authentication.k8s.io/v1beta1', command: user.exec.command, args: user.exec.args ?? [], interactiveMode: 'Never' };
      return YAML.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'tls-cluster', cluster }],
        users: [{ name: 'tls-user', user: u }],
        contexts: [{ name: 'tls', context: { cluster: 'tls-cluster', user: 'tls-user' } }],
        'current-context': 'tls',
      }, { lineWidth: 0 });
    },
  };
}
