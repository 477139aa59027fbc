/**
 * `bench` against the fake API server: the Job's pod "runs" fio by printing real fio 3.33
 * JSON (test/fixtures/fio); cleanup is checked after success, failure and Ctrl-C.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { serveKubeletStats } from '../fakes/lib/kubelet-stats.mjs';
import { runPods } from '../fakes/lib/pod-runtime.mjs';
import { createSandbox, type Sandbox } from '../helpers/sandbox.mjs';
import { hostpathClass, HOSTPATH_RUNNING, longhornClass, longhornNode, LONGHORN_RUNNING } from '../helpers/storage-objects.js';
import { expectOutputSchema } from '../helpers/output-schema.js';

const FIO = readFileSync(new URL('../fixtures/fio/default-4jobs.json', import.meta.url), 'utf8');
const GTOD = readFileSync(new URL('../fixtures/fio/gtod-reduce.json', import.meta.url), 'utf8');

let sb: Sandbox | undefined;
let runtime: ReturnType<typeof runPods> | undefined;
afterEach(async () => {
  runtime?.stop();
  runtime = undefined;
  await sb?.cleanup();
  sb = undefined;
});

const isBench = (o: any) => o?.metadata?.labels?.['app.kubernetes.io/name'] === 'k8s-storage-bench';
const NODES = ['node-1', 'node-2', 'node-3'];
const LH = [longhornClass(true), ...LONGHORN_RUNNING(3), ...NODES.map((n) => longhornNode(n, { availableGi: 50 }))];

async function start(seed: unknown[], run: (pod: any) => { logs: string; exitCode?: number } | 'never') {
  sb = await createSandbox({ api: { nodes: NODES, seed: seed as never[] } });
  sb.api!.controllers.autoBindPvcs({ workloadsCountAsConsumers: true });
  runtime = runPods(sb.api!, { filter: isBench, run });
  return sb.api!;
}
const leftovers = (api: NonNullable<Sandbox['api']>) =>
  [...api.store.list('batch/jobs', 'default'), ...api.store.list('pods', 'default'), ...api.store.list('pvc', 'default'), ...api.store.list('configmaps', 'default')].filter(isBench).map((o: any) => `${o.kind}/${o.metadata.name}`);

describe('bench', () => {
  it('runs fio in a Job on a fresh claim, reports p50/p99 from its JSON, includes the job text, deletes everything', async () => {
    const api = await start(LH, () => ({ logs: FIO }));
    const r = await sb!.run(['bench', 'longhorn', '--size', '2Gi', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expectOutputSchema('bench-report', report);
    expect(report.kind).toBe('BenchReport');
    const [run] = report.runs;
    expect(run).toMatchObject({ storageClass: 'longhorn', size: '2Gi', profile: 'default' });
    expect(run.fioJob).toContain('[read_iops]\nbs=4K\nreadwrite=randread');
    expect(run.fioJob).not.toContain('gtod_reduce');
    expect(run.result.jobs[0]).toMatchObject({ name: 'read_iops', clatP50Ns: 536576, clatP99Ns: 23724032 });
    // What the cluster was given: the job text in a ConfigMap, fio with JSON output.
    const job = api.requests.find((q) => q.resource === 'jobs' && q.verb === 'patch');
    expect(job).toBeDefined();
    expect(runtime!.runs).toHaveLength(1);
    expect(leftovers(api)).toEqual([]);
    expect(r.stderr).toMatch(/fio on longhorn done in [\d.]+s/);
  });

  it('--compare prints both tables and the ratios; a latency-less fio shows "-"', async () => {
    let n = 0;
    const api = await start([...LH, hostpathClass(false), ...HOSTPATH_RUNNING], () => ({ logs: ++n === 1 ? FIO : GTOD }));
    serveKubeletStats(api);
    const r = await sb!.run(['bench', 'microk8s-hostpath', '--compare', 'longhorn', '--size', '1Gi', '--profile', 'quick', '--runtime', '5s']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^microk8s-hostpath \(quick, 1Gi, fio-3\.33, [\d.]+s\)\nJOB\s+DIR\s+BS\s+IOPS\s+BANDWIDTH\s+LAT P50\s+LAT P99\nread_iops\s+read\s+4K\s+64462\s+251\.9Mi\/s\s+536\.6µs\s+23\.7ms\n/m);
    expect(r.stdout).toMatch(/\nlonghorn \(quick.*\n.*\nread_iops\s+read\s+4K\s+\d+\s+\S+\s+-\s+-\n/);
    expect(r.stdout).toContain('longhorn / microk8s-hostpath (iops and bandwidth: higher is faster; latency: lower is faster)');
    expect(r.stdout).toMatch(/\nread_iops\s+read\s+[\d.]+x\s+[\d.]+x\s+-\n/);
    // -o json: both runs and the ratios, as the schema has them.
    const json = await sb!.run(['bench', 'microk8s-hostpath', '--compare', 'longhorn', '--size', '1Gi', '--profile', 'quick', '--runtime', '5s', '-o', 'json']);
    expect(json.exitCode, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout);
    expectOutputSchema('bench-report', doc);
    expect(doc.compare).toMatchObject({ first: 'microk8s-hostpath', second: 'longhorn' });
    expect(leftovers(api)).toEqual([]);
  });

  it('refuses before making anything when the class cannot hold --size', async () => {
    const api = await start([longhornClass(true), ...LONGHORN_RUNNING(3), ...NODES.map((n, i) => longhornNode(n, { availableGi: i === 2 ? 3 : 50 })), hostpathClass(false)], () => ({ logs: FIO }));
    const stats = serveKubeletStats(api);
    for (const n of NODES) stats.setNodeFs(n, { availableBytes: 2 * 2 ** 30 });
    const lh = await sb!.run(['bench', 'longhorn', '--size', '10Gi']);
    expect(lh.exitCode).toBe(2);
    expect(lh.stderr).toContain('--size 10Gi: class longhorn needs 3 replica(s) of 10Gi, on different nodes, but only 2 Longhorn node(s) have that much schedulable space (node-1 50Gi, node-2 50Gi, node-3 3Gi)');
    const hp = await sb!.run(['bench', 'microk8s-hostpath']);
    expect(hp.exitCode).toBe(2);
    expect(hp.stderr).toContain('--size 4Gi: no node has 4Gi free for a microk8s-hostpath volume (node-1 2Gi, node-2 2Gi, node-3 2Gi)');
    expect([...api.requestsMatching({ verb: 'create' }), ...api.requestsMatching({ verb: 'patch' })]).toEqual([]);
  });

  it('fio failing: exit 1 with its own words, everything deleted', async () => {
    const api = await start(LH, () => ({ logs: 'fio: pid=12, err=28/file:io_u.c:1889, func=io_u error, error=No space left on device\n', exitCode: 1 }));
    const r = await sb!.run(['bench', 'longhorn', '--size', '1Gi']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('fio failed on class longhorn (exit 1): fio: pid=12, err=28/file:io_u.c:1889, func=io_u error, error=No space left on device');
    await api.waitFor(() => leftovers(api).length === 0);
    expect(leftovers(api)).toEqual([]);
  });

  it('Ctrl-C while fio runs: exit 130, everything deleted; a rerun works', async () => {
    const api = await start(LH, () => 'never');
    const r = await sb!.runWithSignal(['bench', 'longhorn', '--size', '1Gi'], { afterStderrMatch: /… fio on longhorn/, afterMs: 1500, signal: 'SIGINT' });
    expect(r.exitCode, r.stderr).toBe(130);
    await api.waitFor(() => leftovers(api).length === 0);
    expect(leftovers(api)).toEqual([]);
    runtime!.stop();
    runtime = runPods(api, { filter: isBench, run: () => ({ logs: FIO }) });
    const again = await sb!.run(['bench', 'longhorn', '--size', '1Gi', '-o', 'json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(leftovers(api)).toEqual([]);
  });

  it('bad flags, all at once', async () => {
    await start([], () => ({ logs: FIO }));
    const r = await sb!.run(['bench', 'longhorn', '--size', '4GB', '--profile', 'fast', '--runtime', '1.5s']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('3 problems');
  });
});
