/**
 * The cluster path's request layer (src/cluster/http.ts, discovery.ts, kube.ts) as a user
 * meets it: every kubeconfig form against the fake API server over TLS, and how many
 * requests a command makes (counts, never times): each GET once, discovery read once and
 * then from the disk cache, a stale cache dropped on a 404, waits that watch.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePki } from '../fakes/lib/tls.mjs';
import { AGENT_EXIT_MARKER } from '../../src/nodes/daemonset.js';
import { agentLog, agentReport, agentRun, checksWith } from '../helpers/agent-report.js';
import { REPO } from '../helpers/run-cli.js';
import { TEST_BINARY, type Sandbox } from '../helpers/sandbox.mjs';
import { sandboxPerTest } from '../helpers/per-test.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

let pkiDir: string;
let pki: ReturnType<typeof makePki>;
beforeAll(() => {
  pkiDir = mkdtempSync(join(tmpdir(), 'k8s-storage-pki-'));
  pki = makePki(pkiDir);
});
afterAll(() => rmSync(pkiDir, { recursive: true, force: true }));

const ours = (s: Sandbox) => s.api!.requests.filter((q: any) => q.userAgent.startsWith('k8s-storage'));

/** A TLS sandbox without a kubeconfig: each test writes the form it tests. */
async function tlsSandbox(auth: { token?: string } = {}) {
  sb = await perTest.create({
    api: { tls: pki.serverOptions(), authenticate: pki.clientCertAuth(auth.token ? { orToken: auth.token } : {}) },
    kubeconfig: false,
  });
  return sb;
}

function write(s: Sandbox, name: string, text: string): string {
  const p = join(s.dir, name);
  writeFileSync(p, text);
  return p;
}

/** A SOCKS5 proxy (no authentication, CONNECT only, RFC 1928) that records where it connects. */
async function socks5Proxy(): Promise<{ server: Server; port: number; connects: string[] }> {
  const connects: string[] = [];
  const server = createServer((client) => {
    client.once('data', (hello) => {
      if (hello[0] !== 5) return client.destroy();
      client.write(Buffer.from([5, 0]));
      client.once('data', (req) => {
        // VER CMD RSV ATYP ADDR PORT: IPv4 (1) or a domain name (3).
        const atyp = req[3];
        const [host, at] = atyp === 1 ? [[...req.subarray(4, 8)].join('.'), 8] : [req.subarray(5, 5 + req[4]!).toString(), 5 + req[4]!];
        const port = req.readUInt16BE(at);
        connects.push(`${host}:${port}`);
        const upstream = connect(port, host, () => {
          client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
          upstream.pipe(client).pipe(upstream);
        });
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, connects };
}

describe('kubeconfig forms over TLS', () => {
  it('client certificate and key as data, the CA as data', async () => {
    const s = await tlsSandbox();
    const kc = write(s, 'kc', pki.kubeconfig(s.api!.url, { clientCert: 'data' }));
    const r = await s.run(['status', '-o', 'json', '--kubeconfig', kc]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).cluster.server).toBe(s.api!.url);
  });

  it('client certificate, key and CA as files', async () => {
    const s = await tlsSandbox();
    const kc = write(s, 'kc', pki.kubeconfig(s.api!.url, { clientCert: 'files', caFile: true }));
    const r = await s.run(['status', '-o', 'json', '--kubeconfig', kc]);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('a bearer token', async () => {
    const s = await tlsSandbox({ token: 'tok-123' });
    const kc = write(s, 'kc', pki.kubeconfig(s.api!.url, { token: 'tok-123' }));
    const r = await s.run(['status', '-o', 'json', '--kubeconfig', kc]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(ours(s).filter((q: any) => q.status === 401)).toEqual([]);
  });

  it('a wrong token is refused with the fix, exit 1', async () => {
    const s = await tlsSandbox({ token: 'tok-123' });
    const kc = write(s, 'kc', pki.kubeconfig(s.api!.url, { token: 'wrong' }));
    const r = await s.run(['status', '--kubeconfig', kc]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('refused our credentials');
  });

  it('an exec credential plugin (client.authentication.k8s.io/v1beta1), run once per command', async () => {
    const s = await tlsSandbox({ token: 'from-exec' });
    const calls = join(s.dir, 'exec-calls');
    const plugin = write(
      s,
      'cred-plugin',
      `#!/bin/sh\necho run >> ${calls}\necho '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"from-exec"}}'\n`,
    );
    chmodSync(plugin, 0o755);
    const kc = write(s, 'kc', pki.kubeconfig(s.api!.url, { exec: { command: plugin } }));
    const r = await s.run(['status', '-o', 'json', '--kubeconfig', kc]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(ours(s).length).toBeGreaterThan(3);
    expect(ours(s).filter((q: any) => q.status === 401)).toEqual([]);
    // The plugin's token (no expiry) is cached by client-node for the whole run.
    expect(existsSync(calls)).toBe(true);
  });

  it('insecure-skip-tls-verify: a server certificate from an unknown CA is accepted', async () => {
    const s = await tlsSandbox({ token: 't' });
    const kc = write(s, 'kc', pki.kubeconfig(s.api!.url, { insecure: true, token: 't' }));
    const r = await s.run(['status', '-o', 'json', '--kubeconfig', kc]);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('without the CA (and without insecure-skip-tls-verify) the server is not trusted: exit 1, says why', async () => {
    const s = await tlsSandbox({ token: 't' });
    const r = await s.run(['status', '--kubeconfig', write(s, 'kc', pki.kubeconfig(s.api!.url, { token: 't', noCa: true }))]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/certificate/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  // client-node loads socks-proxy-agent only when a kubeconfig names a socks proxy (a shim
  // in dist/kube.cjs, scripts/shims/lazy-socks-proxy-agent.mjs): this proves it still loads then.
  it('proxy-url socks5://: every request goes through the SOCKS proxy', async () => {
    const s = await tlsSandbox({ token: 't' });
    const proxy = await socks5Proxy();
    try {
      const kc = write(s, 'kc', pki.kubeconfig(s.api!.url, { token: 't', proxyUrl: `socks5://127.0.0.1:${proxy.port}` }));
      const r = await s.run(['status', '-o', 'json', '--kubeconfig', kc]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(proxy.connects.length).toBeGreaterThan(0);
      expect(new Set(proxy.connects)).toEqual(new Set([`127.0.0.1:${new URL(s.api!.url).port}`]));
    } finally {
      proxy.server.close();
    }
  });

  it('a KUBECONFIG list: the cluster in one file, the user and context in another', async () => {
    const s = await tlsSandbox();
    const doc = pki.kubeconfig(s.api!.url, { clientCert: 'data' });
    const { parse, stringify } = await import('yaml');
    const full = parse(doc);
    const a = write(s, 'a.yaml', stringify({ apiVersion: 'v1', kind: 'Config', clusters: full.clusters, 'current-context': 'tls' }));
    const b = write(s, 'b.yaml', stringify({ apiVersion: 'v1', kind: 'Config', users: full.users, contexts: full.contexts }));
    const r = await s.run(['status', '-o', 'json'], { env: { KUBECONFIG: `${a}:${b}` } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).cluster.server).toBe(s.api!.url);
  });

  it('a KUBECONFIG list skips files that do not exist, as kubectl does; a missing --kubeconfig stays an error', async () => {
    const s = await tlsSandbox();
    const kc = write(s, 'kc', pki.kubeconfig(s.api!.url, { clientCert: 'data' }));
    const missing = `${kc}.nope`;
    const r = await s.run(['status', '-o', 'json'], { env: { KUBECONFIG: `${missing}:${kc}:/nonexistent/config` } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).cluster.server).toBe(s.api!.url);
    const none = await s.run(['status'], { env: { KUBECONFIG: `${missing}:/nonexistent/config` } });
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain(`$KUBECONFIG names no file that exists (${missing}, /nonexistent/config)`);
    const flag = await s.run(['status', '--kubeconfig', missing], { env: { KUBECONFIG: kc } });
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr).toContain(`--kubeconfig: ${missing} does not exist`);
  });

  it('connections are kept alive: far fewer TLS handshakes than requests', async () => {
    const s = await tlsSandbox();
    const kc = write(s, 'kc', pki.kubeconfig(s.api!.url, { clientCert: 'data' }));
    const before = s.api!.connectionCount;
    const r = await s.run(['status', '-o', 'json', '--kubeconfig', kc]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(ours(s).length).toBeGreaterThan(10);
    // status sends its reads concurrently: a few sockets, reused, not one per request.
    expect(s.api!.connectionCount - before).toBeLessThan(ours(s).length / 2);
  });
});

describe('start-up of a cluster command', () => {
  // ora's restore-cursor builds process.stderr and process.stdout when it loads; ora now loads
  // only for a spinner (a terminal), so a piped status writes its JSON with fs.writeSync alone.
  it.skipIf(TEST_BINARY)('status -o json builds neither process.stdout nor process.stderr, and runs no program', async () => {
    sb = await perTest.create({ api: { nodes: 1 } });
    const trace = join(mkdtempSync(join(tmpdir(), 'trace-')), 'imports.txt');
    writeFileSync(trace, '');
    const r = await sb.run(['status', '-o', 'json'], { env: { NODE_OPTIONS: `--import=${join(REPO, 'test', 'helpers', 'trace-imports.mjs')}`, TRACE_IMPORTS_FILE: trace } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).cluster).toBeDefined();
    const loaded = readFileSync(trace, 'utf8');
    expect(loaded).toMatch(/^read .*dist\/kube\.cjs$/m);
    expect(loaded.match(/^(stdio|spawn) .*$/gm) ?? []).toEqual([]);
  });
});

describe('requests per run', () => {
  const longhornCrds = (s: Sandbox) => {
    for (const kind of ['Volume', 'Node', 'Setting', 'BackupTarget']) {
      s.api!.registerResource({ group: 'longhorn.io', version: 'v1beta2', resource: `${kind.toLowerCase()}s`, kind, namespaced: true });
    }
  };

  it('status: every GET once, discovery once; a second run within the TTL reads discovery from disk', async () => {
    sb = await perTest.create({ api: { nodes: 2 } });
    longhornCrds(sb);
    const first = await sb.run(['status', '-o', 'json']);
    expect(first.exitCode, first.stderr).toBe(0);
    const gets = ours(sb).filter((q: any) => q.method === 'GET').map((q: any) => `${q.path}?${new URLSearchParams(q.query)}`);
    expect(gets.length).toBeGreaterThan(10);
    expect(new Set(gets).size).toBe(gets.length);
    const discovery = (s: Sandbox) => ours(s).filter((q: any) => /^\/apis?(\/[^/]+){0,2}$/.test(q.path) && !q.resource);
    // The group list once (it answers for every absent group: Ceph, OpenEBS, snapshots), then
    // each served group version the backends collect once; only those are cached.
    const paths: string[] = discovery(sb).map((q: any) => q.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths.filter((p) => p === '/apis')).toEqual(['/apis']);
    const served = discovery(sb).filter((q: any) => q.path !== '/apis' && q.status === 200).map((q: any) => q.path);
    expect(served).toContain('/apis/longhorn.io/v1beta2');
    expect(discovery(sb).filter((q: any) => q.status !== 200)).toEqual([]);
    expect(served.length + 1).toBe(paths.length);
    // One directory per server, one file per served group version.
    const cache = join(sb.home, '.kube', 'cache', 'k8s-storage', 'discovery');
    const [host, ...others] = readdirSync(cache);
    expect(others).toEqual([]);
    expect(readdirSync(join(cache, host!)).sort()).toEqual(served.map((p) => `${p.replace(/^\/apis\//, '').replace('/', '_')}.json`).sort());

    sb.api!.clearRequests();
    const second = await sb.run(['status', '-o', 'json']);
    expect(second.exitCode, second.stderr).toBe(0);
    // Not served is asked again, in the group list (it may have been installed since); Longhorn's comes from disk.
    expect(discovery(sb).map((q: any) => q.path)).toEqual(['/apis']);
    expect(JSON.parse(second.stdout).longhorn).toBeDefined();
    expect(ours(sb).length).toBe(gets.length - served.length);
  });

  it('a 404 for a kind the disk cache promised drops the cache: status then sees Longhorn gone', async () => {
    sb = await perTest.create({ api: { nodes: 1 } });
    longhornCrds(sb);
    expect((await sb.run(['status', '-o', 'json'])).exitCode).toBe(0);
    sb.api!.hideGroup('longhorn.io');
    sb.api!.clearRequests();
    const r = await sb.run(['status', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).longhorn).toBeUndefined();
    // The cached answer was used, a list answered 404, discovery was asked again: the group
    // list, which no longer has longhorn.io.
    const lh = ours(sb).filter((q: any) => q.path.startsWith('/apis/longhorn.io'));
    expect(lh.filter((q: any) => q.path.includes('/namespaces/longhorn-system/') && q.status === 404).length).toBeGreaterThan(0);
    expect(lh.filter((q: any) => q.path === '/apis/longhorn.io/v1beta2')).toEqual([]);
    const firstMiss = ours(sb).findIndex((q: any) => q.path.startsWith('/apis/longhorn.io/') && q.status === 404);
    expect(ours(sb).slice(firstMiss).some((q: any) => q.path === '/apis' && q.status === 200)).toBe(true);
    const cacheDir = join(sb.home, '.kube', 'cache', 'k8s-storage', 'discovery');
    const files = readdirSync(cacheDir).flatMap((d) => readdirSync(join(cacheDir, d)));
    expect(files).not.toContain('longhorn.io_v1beta2.json');
  });

  it('install hostpath (already enabled): each distinct GET once', async () => {
    sb = await perTest.create({ microk8s: { addons: { 'hostpath-storage': { status: 'disabled' } } }, api: { nodes: 1 } });
    sb.api!.controllers.autoReadyWorkloads();
    expect((await sb.run(['install', 'hostpath'])).exitCode).toBe(0);
    sb.api!.clearRequests();
    const r = await sb.run(['install', 'hostpath']);
    expect(r.exitCode, r.stderr).toBe(0);
    const gets = ours(sb).filter((q: any) => q.method === 'GET').map((q: any) => `${q.path}?${new URLSearchParams(q.query)}`);
    expect(gets.length).toBeGreaterThan(3);
    expect(new Set(gets).size).toBe(gets.length);
  });

  it('nodes check watches the agent pods: one list, then a watch, no polling', async () => {
    sb = await perTest.create({ api: { nodes: ['node-1', 'node-2', 'node-3'] } });
    sb.api!.controllers.runDaemonSets({ delayMs: 1500, run: (node: string) => ({ logs: agentLog(agentReport(node)) }) });
    const r = await sb.run(['nodes', 'check', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).summary.nodes).toBe(3);
    const pods = ours(sb).filter((q: any) => q.resource === 'pods' && !q.subresource);
    // A poller would have listed about four times in 1.5 s.
    expect(pods.filter((q: any) => q.verb === 'list')).toHaveLength(1);
    expect(pods.filter((q: any) => q.verb === 'watch').length).toBeGreaterThanOrEqual(1);
    expect(ours(sb).filter((q: any) => q.subresource === 'log')).toHaveLength(3);
  });

  it('nodes check takes each report from the pod status (the termination message): no log is read', async () => {
    sb = await perTest.create({ api: { nodes: ['node-1', 'node-2', 'node-3'] } });
    sb.api!.controllers.runDaemonSets({ run: (node: string) => agentRun(agentReport(node, { checks: checksWith(['os'], { disk: ['warning', 'little space', 'free some'] }) })) });
    const r = await sb.run(['nodes', 'check', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.nodes.map((n: any) => n.name).sort()).toEqual(['node-1', 'node-2', 'node-3']);
    expect(report.nodes.every((n: any) => n.checks.some((c: any) => c.id === 'disk' && c.status === 'warning'))).toBe(true);
    expect(ours(sb).filter((q: any) => q.subresource === 'log')).toEqual([]);
  });

  it('a termination message without a usable report (cut, or only the exit line) sends nodes check to the log', async () => {
    sb = await perTest.create({ api: { nodes: ['node-1', 'node-2'] } });
    const messages: Record<string, string> = { 'node-1': '{"schemaVersion":1,"node":"no', 'node-2': `\n${AGENT_EXIT_MARKER}0\n` };
    sb.api!.controllers.runDaemonSets({ run: (node: string) => ({ logs: agentLog(agentReport(node)), message: messages[node] }) });
    const r = await sb.run(['nodes', 'check', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).summary.nodes).toBe(2);
    expect(ours(sb).filter((q: any) => q.subresource === 'log')).toHaveLength(2);
  });
});
