// Startup benchmark: median wall time of `k8s-storage render pvc data --size 1Gi` (and of
// --help/--version) against a bare `node -e 0` measured in the same run, interleaved so
// machine noise hits every case alike. A benchmark, not a test: it reports, never fails.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/k8s-storage.cjs', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 31);
const cases = {
  'node -e 0': ['-e', '0'],
  'render pvc data --size 1Gi': [bin, 'render', 'pvc', 'data', '--size', '1Gi'],
  'render app postgres': [bin, 'render', 'app', 'postgres'],
  '--help': [bin, '--help'],
  '--version': [bin, '--version'],
};

const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, args] of Object.entries(cases)) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
    times[name].push(Number(process.hrtime.bigint() - start) / 1e6);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times['node -e 0']);
console.log(`startup (median of ${runs} runs, Node ${process.version})`);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  console.log(`  ${name.padEnd(30)} ${m.toFixed(1).padStart(7)} ms   ${(m / base).toFixed(2)}x node -e 0`);
}
const ratio = median(times['render pvc data --size 1Gi']) / base;
// A bare Node start is the floor, not a target: the target (render pvc at most 1.0x kubectl's
// client-side render) is measured side by side in bench/kubectl.mjs.
console.log(`render pvc / node -e 0 = ${ratio.toFixed(2)}x (the floor is 1.0x; the target against kubectl is in the kubectl part above)`);
