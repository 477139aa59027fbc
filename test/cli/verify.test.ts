/**
 * `verify CLASS` against the fake API server, whose pod runtime (lib/pod-runtime.mjs) runs
 * the test pods' scripts for real with sh, each volume a directory (per node for hostpath),
 * so a reader sees what the writer wrote, or, when the fake loses data, does not.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runPods } from '../fakes/lib/pod-runtime.mjs';
import { createSandbox, type Sandbox } from '../helpers/sandbox.mjs';
import { hostpathClass, HOSTPATH_RUNNING, longhornClass, LONGHORN_RUNNING, nfsClass } from '../helpers/storage-objects.js';
import { expectOutputSchema } from '../helpers/output-schema.js';

let sb: Sandbox | undefined;
let runtime: ReturnType<typeof runPods> | undefined;
afterEach(async () => {
  runtime?.stop();
  runtime = undefined;
  await sb?.cleanup();
  sb = undefined;
});

const NODES = ['node-1', 'node-2', 'node-3'];
const isVerify = (o: any) => o?.metadata?.labels?.['app.kubernetes.io/name'] === 'k8s-storage-verify';

async function start(seed: unknown[], o: { nodes?: string[]; lose?: (pod: any) => boolean; delayMs?: number; bindDelayMs?: number } = {}) {
  sb = await createSandbox({ api: { nodes: o.nodes ?? NODES, seed: seed as never[] } });
  const api = sb.api!;
  api.controllers.autoBindPvcs({ delayMs: o.bindDelayMs ?? 0, workloadsCountAsConsumers: false });
  runtime = runPods(api, { filter: isVerify, ...(o.lose ? { lose: o.lose } : {}), ...(o.delayMs ? { delayMs: o.delayMs } : {}) });
  const created: any[] = [];
  api.onChange((ev: any) => {
    if (ev.type === 'ADDED' && ev.source === 'http') created.push(ev.object);
  });
  return { api, created };
}

const leftovers = (api: NonNullable<Sandbox['api']>) => [...api.store.list('pods', 'default'), ...api.store.list('pvc', 'default')].filter(isVerify).map((o: any) => `${o.kind}/${o.metadata.name}`);

describe('verify', () => {
  it('Longhorn: the data follows the pod to another node; each step timed; everything labelled and deleted', async () => {
    const { api, created } = await start([longhornClass(true), ...LONGHORN_RUNNING(3)]);
    const r = await sb!.run(['verify', 'longhorn', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expectOutputSchema('verify-report', report);
    expect(report).toMatchObject({ kind: 'VerifyReport', storageClass: 'longhorn', mode: 'other-node', writerNode: 'node-1', readerNode: 'node-2', passed: true });
    expect(report.steps.map((s: any) => [s.id, s.status])).toEqual([['claim', 'ok'], ['write', 'ok'], ['delete-writer', 'ok'], ['read', 'ok'], ['rwx', 'ok']]);
    for (const s of report.steps) expect(typeof s.ms).toBe('number');
    expect(report.steps[3].detail).toBe('same sha256 on node-2');
    // The reader really ran on another node and read the writer's bytes.
    expect(runtime!.runs.map((x) => x.node)).toEqual(['node-1', 'node-2', expect.any(String), expect.any(String)]);
    expect(r.stderr).toMatch(/✓ write 4 MiB and its checksum from a pod on node-1 \(\d+\.\ds\): sha256 [0-9a-f]{12}…/);
    expect(created.map((o) => o.kind).sort()).toEqual(['PersistentVolumeClaim', 'PersistentVolumeClaim', 'Pod', 'Pod', 'Pod', 'Pod']);
    expect(created.find((o) => o.metadata.name.endsWith('-rwx')).spec.accessModes).toEqual(['ReadWriteMany']);
    for (const o of created) expect(o.metadata.labels['app.kubernetes.io/managed-by']).toBe('k8s-storage');
    expect(leftovers(api)).toEqual([]);
    expect(report.cleanup.deleted).toHaveLength(5); // the writer went in its own step
  });

  it('hostpath: says the data cannot follow the pod, tests the same node only', async () => {
    const { api } = await start([hostpathClass(), ...HOSTPATH_RUNNING]);
    const r = await sb!.run(['verify', 'microk8s-hostpath']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: class microk8s-hostpath keeps each volume in a directory on one node: the data cannot follow a pod to another node, so this tests the same node only');
    expect(r.stdout).toMatch(/^RESULT\s+TIME\s+STEP\s+DETAIL\nok\s+\d+\.\ds\s+create claim k8s-storage-verify-\w+ \(1Gi, microk8s-hostpath, ReadWriteOnce\)\s+binds when the first pod starts/);
    expect(r.stdout).toContain('passed: data written on node-1 was read back on the same node (node-1)');
    expect(runtime!.runs.map((x) => x.node)).toEqual(['node-1', 'node-1']);
    expect(leftovers(api)).toEqual([]);
  });

  it('data lost: the second pod sees another volume; exit 3 and still cleaned up', async () => {
    const { api } = await start([longhornClass(true), ...LONGHORN_RUNNING(3)], { lose: (pod) => pod.metadata.labels['k8s-storage.io/role'] === 'read' });
    const r = await sb!.run(['verify', 'longhorn', '-o', 'json']);
    expect(r.exitCode).toBe(3);
    const report = JSON.parse(r.stdout);
    expectOutputSchema('verify-report', report);
    expect(report.passed).toBe(false);
    expect(report.steps[3]).toMatchObject({ id: 'read', status: 'failed', detail: 'DATA LOST: the file is gone on node-2' });
    expect(r.stderr).toContain('error: verify longhorn failed at "read the file back from a new pod on node-2 (another node)": DATA LOST');
    expect(leftovers(api)).toEqual([]);
  });

  it('ReadWriteMany: two pods on two nodes see each other\'s writes', async () => {
    const { api } = await start([nfsClass()], { nodes: ['node-1', 'node-2'] });
    const r = await sb!.run(['verify', 'nfs', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.steps.map((s: any) => s.id)).toEqual(['claim', 'write', 'delete-writer', 'read', 'rwx']);
    expect(report.steps[4]).toMatchObject({ status: 'ok', detail: "both pods saw each other's file" });
    expect(runtime!.runs.slice(2).map((x) => x.node).sort()).toEqual(['node-1', 'node-2']);
    expect(leftovers(api)).toEqual([]);
  });

  it('a class that does not exist, a bad size: exit 2 before anything is made', async () => {
    const { api } = await start([]);
    const r = await sb!.run(['verify', 'nope']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('StorageClass nope does not exist');
    const bad = await sb!.run(['verify', 'longhorn', '--size', '1GB', '--timeout', 'x']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('2 problems');
    expect([...api.requestsMatching({ verb: 'create' }), ...api.requestsMatching({ verb: 'patch' })]).toEqual([]);
  });
});

describe('verify: Ctrl-C at each step, then a rerun', () => {
  const STEPS: [string, RegExp, { delayMs?: number; bindDelayMs?: number; slowDelete?: boolean }][] = [
    ['claim', /… create claim/, { bindDelayMs: 4000 }],
    ['write', /… write 4 MiB/, { delayMs: 4000 }],
    ['delete-writer', /… delete the writer pod/, { slowDelete: true }],
    ['read', /… read the file back/, { delayMs: 0 }],
  ];
  it.each(STEPS)('Ctrl-C during %s: exit 130, every object deleted; a rerun passes', async (id, when, o) => {
    const { api } = await start([longhornClass(true), ...LONGHORN_RUNNING(3)], { ...(o.bindDelayMs ? { bindDelayMs: o.bindDelayMs } : {}), ...(o.delayMs ? { delayMs: o.delayMs } : {}) });
    if (o.slowDelete) api.faults.add({ match: { method: 'DELETE', resource: 'pods' }, times: 1, action: { delayMs: 1500 } });
    if (id === 'read') {
      // The reader (the second pod) never finishes.
      runtime!.stop();
      let n = 0;
      runtime = runPods(api, { filter: isVerify, run: () => (++n === 1 ? { logs: 'k8s-storage-verify: wrote 0123456789abcdef\n' } : 'never') });
    }
    const r = await sb!.runWithSignal(['verify', 'longhorn', '-o', 'json'], { afterStderrMatch: when, signal: 'SIGINT' });
    expect(r.exitCode, r.stderr).toBe(130);
    const report = JSON.parse(r.stdout);
    expect(report.steps.find((s: any) => s.status === 'interrupted')?.id).toBe(id);
    expect(r.stderr).toContain('the test objects were deleted');
    await api.waitFor(() => leftovers(api).length === 0);
    expect(leftovers(api)).toEqual([]);

    runtime!.stop();
    runtime = runPods(api, { filter: isVerify });
    const again = await sb!.run(['verify', 'longhorn']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(leftovers(api)).toEqual([]);
  });

  it('a rerun removes the expired leftovers of a run killed too hard to clean up', async () => {
    const expired = new Date(Date.now() - 60_000).toISOString();
    const meta = (name: string) => ({ name, namespace: 'default', labels: { 'app.kubernetes.io/name': 'k8s-storage-verify', 'app.kubernetes.io/managed-by': 'k8s-storage', 'k8s-storage.io/run': 'dead1' }, annotations: { 'k8s-storage.io/expires-at': expired } });
    const { api } = await start([
      longhornClass(true), ...LONGHORN_RUNNING(3),
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('k8s-storage-verify-dead1'), spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'longhorn', resources: { requests: { storage: '1Gi' } } } },
      { apiVersion: 'v1', kind: 'Pod', metadata: meta('k8s-storage-verify-dead1-read'), spec: { containers: [{ name: 'verify', image: 'busybox:1.36' }] }, status: { phase: 'Running' } },
    ]);
    const r = await sb!.run(['verify', 'longhorn']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('removed leftovers of an earlier run: Pod/k8s-storage-verify-dead1-read in default, PersistentVolumeClaim/k8s-storage-verify-dead1 in default');
    expect(leftovers(api)).toEqual([]);
  });
});
