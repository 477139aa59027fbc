// `backup data` throughput through the API stream (pods/exec over WebSocket to the fake API
// server, whose "container" runs the real tar on a directory), beside a plain local
// `tar -czf - | gzip`-equivalent of the same tree (`tar -czf -` to a file), in interleaved
// rounds, clean environment (no NODE_EXTRA_CA_CERTS / NODE_OPTIONS). A benchmark, not a test.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { startFakeApiServer } from '../test/fakes/apiserver.mjs';

const bin = fileURLToPath(new URL('../bin/k8s-storage.cjs', import.meta.url));
const MB = Number(process.env.BENCH_DATA_MB ?? 200);
const ROUNDS = Number(process.env.BENCH_RUNS ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = mkdtempSync(join(tmpdir(), 'k8s-storage-bench-data-'));
const api = await startFakeApiServer({ nodes: 1 });
const pods = api.controllers.runPods({ volumesDir: join(dir, 'volumes') });
const ns = 'default';
api.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'longhorn' }, provisioner: 'driver.longhorn.io' });
api.store.put({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: ns }, spec: { storageClassName: 'longhorn', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } }, volumeName: 'pv-data' }, status: { phase: 'Bound', capacity: { storage: '10Gi' } } });
api.store.put({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-data' }, spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'longhorn', csi: { driver: 'driver.longhorn.io', volumeHandle: 'pv-data' }, claimRef: { namespace: ns, name: 'data' } }, status: { phase: 'Bound' } });
// Half incompressible (random), half compressible (text), in files of 1 MiB to 16 MiB and many small ones.
const tree = pods.volumeDir('pv-data');
let written = 0;
for (let i = 0; written < MB * 2 ** 20 * 0.5; i++) {
  const size = 2 ** (20 + (i % 5));
  writeFileSync(join(tree, `random-${i}.bin`), randomBytes(size));
  written += size;
}
mkdirSync(join(tree, 'text'));
for (let i = 0; written < MB * 2 ** 20; i++) {
  const line = `line ${i} of a log file that compresses well, with some numbers ${i * 7919}\n`;
  const body = line.repeat(Math.ceil(2 ** 20 / line.length));
  writeFileSync(join(tree, 'text', `log-${i}.txt`), body);
  written += body.length;
}
const home = join(dir, 'home');
mkdirSync(join(home, '.kube'), { recursive: true });
writeFileSync(join(home, '.kube', 'config'), api.kubeconfig());
const env = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1' }; // no NODE_EXTRA_CA_CERTS, no NODE_OPTIONS

const viaApi = [];
const local = [];
for (let r = 0; r < ROUNDS; r++) {
  const out = join(dir, 'api.tar.gz');
  let t = performance.now();
  await execa(process.execPath, [bin, 'backup', 'data', 'data', '-o', out], { env, extendEnv: false });
  viaApi.push({ ms: performance.now() - t, bytes: statSync(out).size });
  const out2 = join(dir, 'local.tar.gz');
  t = performance.now();
  await execa('tar', ['-czf', out2, '-C', tree, '.'], { env, extendEnv: false });
  local.push({ ms: performance.now() - t, bytes: statSync(out2).size });
}
const mbps = (xs) => (written / 2 ** 20 / (median(xs.map((x) => x.ms)) / 1000)).toFixed(1);
console.log(`backup data: ${(written / 2 ** 20).toFixed(0)} MiB tree (half random, half text), ${ROUNDS} interleaved rounds, medians`);
console.log(`  k8s-storage backup data (exec over WebSocket, fake API server): ${median(viaApi.map((x) => x.ms)).toFixed(0)} ms, ${mbps(viaApi)} MiB/s of tree, archive ${(viaApi[0].bytes / 2 ** 20).toFixed(1)} MiB`);
console.log(`  local tar -czf (same tree):                                    ${median(local.map((x) => x.ms)).toFixed(0)} ms, ${mbps(local)} MiB/s of tree, archive ${(local[0].bytes / 2 ** 20).toFixed(1)} MiB`);
await api.close();
rmSync(dir, { recursive: true, force: true });
