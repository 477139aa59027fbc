// Status at scale, and how fast waits notice a change. A benchmark, not a test.
//  1. `k8s-storage status -o json` against the fake API server holding 5,000 PVCs and 5,000
//     PVs: API requests per run (they must not grow with the object count beyond pages of
//     500) and wall time, next to a direct client-node list of the same objects.
//  2. `apply pvc --wait`: the delay between the claim becoming Bound in the API server and
//     the command reporting it (waits watch; a poller would show its interval here).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { startFakeApiServer } from '../test/fakes/apiserver.mjs';
import { LONGHORN_CLASS, seedClaims } from './fixtures.mjs';

const bin = fileURLToPath(new URL('../bin/k8s-storage.cjs', import.meta.url));
const COUNT = Number(process.env.BENCH_OBJECTS ?? 5000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const api = await startFakeApiServer({ nodes: 3 });
const home = mkdtempSync(join(tmpdir(), 'k8s-storage-bench-'));
mkdirSync(join(home, '.kube'));
writeFileSync(join(home, '.kube', 'config'), api.kubeconfig());
const env = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1' };

function run(args, onStderrLine) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      for (const line of String(d).split('\n')) if (line) onStderrLine?.(line, performance.now());
    });
    child.on('exit', (code) => (code === 0 ? resolve({ ms: performance.now() - start, stdout }) : reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`))));
  });
}

api.store.put(LONGHORN_CLASS);
seedClaims(api, COUNT);

// 1. status
const statusTimes = [];
let requests = 0;
for (let i = 0; i < RUNS; i++) {
  api.clearRequests();
  const { ms, stdout } = await run(['status', '-o', 'json']);
  requests = api.requests.length;
  if (JSON.parse(stdout).claims.total !== COUNT) throw new Error('status did not see every claim');
  statusTimes.push(ms);
}
const kc = new k8s.KubeConfig();
kc.loadFromString(api.kubeconfig());
const core = kc.makeApiClient(k8s.CoreV1Api);
const directTimes = [];
for (let i = 0; i < RUNS; i++) {
  const start = performance.now();
  for (const list of [(o) => core.listPersistentVolumeClaimForAllNamespaces(o), (o) => core.listPersistentVolume(o)]) {
    let token;
    do {
      const page = await list({ limit: 500, ...(token ? { _continue: token } : {}) });
      token = page.metadata?._continue;
    } while (token);
  }
  directTimes.push(performance.now() - start);
}
const pages = 2 * Math.ceil(COUNT / 500);
console.log(`status with ${COUNT} PVCs + ${COUNT} PVs (median of ${RUNS})`);
console.log(`  API requests per status run: ${requests} (of which ${pages} are list pages of 500; the rest is fixed)`);
console.log(`  k8s-storage status -o json:        ${median(statusTimes).toFixed(0)} ms (whole process)`);
console.log(`  client-node list of PVCs and PVs:  ${median(directTimes).toFixed(0)} ms (in-process, same pages)`);

// 2. wait latency
const delays = [];
api.controllers.autoBindPvcs({ delayMs: 700 });
for (let i = 0; i < RUNS; i++) {
  let boundAt;
  const off = api.onChange((ev) => {
    if (ev.resource.resource === 'persistentvolumeclaims' && ev.object.metadata.name === `wait-${i}` && ev.object.status?.phase === 'Bound') boundAt ??= performance.now();
  });
  let noticedAt;
  await run(['apply', 'pvc', `wait-${i}`, '--size', '1Gi', '--wait'], (line, t) => {
    if (line.includes('Wait for PVC') && line.startsWith('✓')) noticedAt ??= t;
  });
  off();
  delays.push(noticedAt - boundAt);
}
console.log(`apply pvc --wait: claim Bound -> command reports it: median ${median(delays).toFixed(1)} ms, max ${Math.max(...delays).toFixed(1)} ms (${RUNS} runs; a watch, no polling interval)`);
await api.close();
