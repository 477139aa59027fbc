// The single executable's start-up beside the npm bundle's: median wall time of
// `render pvc data --size 1Gi` run by dist/sea/k8s-storage and by `node bin/k8s-storage.cjs`,
// with a bare `node -e 0` as the yardstick, in interleaved rounds, in a clean environment
// (no NODE_EXTRA_CA_CERTS or NODE_OPTIONS for either side: a CA bundle in the environment
// makes every Node start about 3x slower). A benchmark, not a test: it reports, never fails.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSea, ROOT } from '../scripts/sea.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 31);
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
delete env.NODE_OPTIONS;

const postject = process.env.POSTJECT ?? join(ROOT, 'node_modules', '.bin', 'postject');
if (!existsSync(postject)) {
  console.log('single executable: skipped, postject is not installed (npm ci installs it)');
} else {
  const { out: sea } = await buildSea({ out: join(ROOT, 'dist', 'sea', 'k8s-storage') });
  const bin = fileURLToPath(new URL('../bin/k8s-storage.cjs', import.meta.url));
  const pvc = ['render', 'pvc', 'data', '--size', '1Gi'];
  const cases = {
    'node -e 0': [process.execPath, ['-e', '0']],
    'bundle: render pvc': [process.execPath, [bin, ...pvc]],
    'executable: render pvc': [sea, pvc],
    'bundle: --version': [process.execPath, [bin, '--version']],
    'executable: --version': [sea, ['--version']],
  };
  const cache = spawnSync(sea, pvc, { env: { ...env, K8S_STORAGE_SEA_DEBUG: '1' }, encoding: 'utf8' }).stderr.trim().split('\n')[0];
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, [file, args]] of Object.entries(cases)) {
      const start = process.hrtime.bigint();
      const r = spawnSync(file, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
      if (r.status !== 0) throw new Error(`${name} exited ${r.status}: ${r.stderr}`);
      times[name].push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = median(times['node -e 0']);
  console.log(`single executable vs bundle (median of ${runs} interleaved runs, Node ${process.version}, clean environment, ${cache})`);
  for (const [name, xs] of Object.entries(times)) {
    const m = median(xs);
    console.log(`  ${name.padEnd(26)} ${m.toFixed(1).padStart(7)} ms   ${(m / base).toFixed(2)}x node -e 0`);
  }
  const ratio = median(times['executable: render pvc']) / median(times['bundle: render pvc']);
  console.log(`executable render pvc / bundle render pvc = ${ratio.toFixed(2)}x`);
}
