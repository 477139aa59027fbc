// `usage` at scale. A benchmark, not a test.
// `k8s-storage usage -A -o json` against the fake API server holding 200 nodes, 5,000 claims
// (Longhorn CSI volumes) and 5,000 running pods, each node's kubelet summary served through
// the node proxy with 100 ms of kubelet latency (a real kubelet takes 50-200 ms). Figures: API requests per run (one stats
// request per node, all in flight together) and wall time, next to the loop a user would
// write with client-node (list the nodes, GET each node's summary in turn), interleaved rounds.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { startFakeApiServer } from '../test/fakes/apiserver.mjs';
import { serveKubeletStats } from '../test/fakes/lib/kubelet-stats.mjs';

const bin = fileURLToPath(new URL('../bin/k8s-storage.cjs', import.meta.url));
const NODES = Number(process.env.BENCH_NODES ?? 200);
const CLAIMS = Number(process.env.BENCH_OBJECTS ?? 5000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const KUBELET_MS = Number(process.env.BENCH_KUBELET_MS ?? 100);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const api = await startFakeApiServer({ nodes: NODES });
serveKubeletStats(api);
api.faults.add({ match: { path: /\/proxy$/ }, times: Number.MAX_SAFE_INTEGER, action: { delayMs: KUBELET_MS } });
const home = mkdtempSync(join(tmpdir(), 'k8s-storage-bench-'));
mkdirSync(join(home, '.kube'));
writeFileSync(join(home, '.kube', 'config'), api.kubeconfig());
// A clean environment for both sides: no NODE_EXTRA_CA_CERTS, no NODE_OPTIONS.
const env = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1' };
delete process.env.NODE_EXTRA_CA_CERTS;
delete process.env.NODE_OPTIONS;

api.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'longhorn', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'driver.longhorn.io', volumeBindingMode: 'Immediate' });
const objects = [];
for (let i = 0; i < CLAIMS; i++) {
  const ns = `team-${i % 20}`;
  objects.push({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `claim-${i}`, namespace: ns }, spec: { storageClassName: 'longhorn', volumeName: `pv-${i}`, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Bound', capacity: { storage: '1Gi' } } });
  objects.push({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `pv-${i}` }, spec: { storageClassName: 'longhorn', claimRef: { namespace: ns, name: `claim-${i}` }, capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], csi: { driver: 'driver.longhorn.io', volumeHandle: `pv-${i}` } }, status: { phase: 'Bound' } });
  objects.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `app-${i}`, namespace: ns }, spec: { nodeName: `node-${(i % NODES) + 1}`, containers: [{ name: 'app', image: 'x' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `claim-${i}` } }] }, status: { phase: 'Running' } });
}
api.store.seed(objects);

function run(args) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => (code === 0 ? resolve({ ms: performance.now() - start, stdout }) : reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`))));
  });
}

const kc = new k8s.KubeConfig();
kc.loadFromString(api.kubeconfig());
const core = kc.makeApiClient(k8s.CoreV1Api);
async function directLoop() {
  const start = performance.now();
  const nodes = await core.listNode();
  let volumes = 0;
  for (const n of nodes.items) {
    const s = await core.connectGetNodeProxy({ name: n.metadata.name, path: 'stats/summary' });
    const summary = typeof s === 'string' ? JSON.parse(s) : s;
    for (const p of summary.pods ?? []) volumes += (p.volume ?? []).filter((v) => v.pvcRef).length;
  }
  if (volumes !== CLAIMS) throw new Error(`the direct loop saw ${volumes} volumes`);
  return performance.now() - start;
}

const ours = [];
const direct = [];
let requests = 0;
let stats = 0;
let spread = 0;
for (let i = 0; i < RUNS; i++) {
  api.clearRequests();
  const { ms, stdout } = await run(['usage', '-A', '-o', 'json', '--no-du']);
  const report = JSON.parse(stdout);
  if (report.summary.measured !== CLAIMS) throw new Error(`usage measured ${report.summary.measured} of ${CLAIMS} claims: ${JSON.stringify(report.unreadNodes)}`);
  requests = api.requests.length;
  const proxied = api.requests.filter((q) => q.subresource === 'proxy');
  stats = proxied.length;
  spread = Math.max(...proxied.map((q) => q.time)) - Math.min(...proxied.map((q) => q.time));
  ours.push(ms);
  direct.push(await directLoop());
}
console.log(`usage with ${NODES} nodes, ${CLAIMS} claims and pods, ${KUBELET_MS} ms per kubelet summary (median of ${RUNS}, interleaved)`);
console.log(`  API requests per usage run: ${requests} (${stats} stats requests, one per node, all sent within ${spread} ms; the rest are list pages of 500)`);
console.log(`  k8s-storage usage -A -o json:              ${median(ours).toFixed(0)} ms (whole process)`);
console.log(`  client-node loop, one node after another:  ${median(direct).toFixed(0)} ms (in-process, same endpoints)`);
await api.close();
