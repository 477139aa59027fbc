/**
 * migrate pvc end to end: a hostpath claim used by a Deployment moves to Longhorn. The copy
 * and the verification run real tar/sha256sum in the fake pods (test/fakes/lib/pod-exec.mjs);
 * a Deployment controller stand-in (test/helpers/app-controllers.ts) turns replicas into pods and back.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';
import { makeTree, seedClaim, treeManifest } from '../helpers/data-tree.js';
import { startDeploymentController } from '../helpers/app-controllers.js';
import { planMigrate, templateOwner, workloadsOf } from '../../src/plan/migrate.js';
import { claimFacts } from '../../src/cluster/claims.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

const NS = 'shop';

async function cluster(o: { workload?: boolean } = {}) {
  sb = await perTest.create({ api: { nodes: ['node-1', 'node-2'] } });
  const s = sb;
  const pods = s.api!.controllers.runPods({ volumesDir: join(s.dir, 'volumes') });
  s.api!.controllers.autoBindPvcs({ provisioners: ['driver.longhorn.io'] });
  s.api!.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'longhorn' }, provisioner: 'driver.longhorn.io', volumeBindingMode: 'Immediate', allowVolumeExpansion: true, reclaimPolicy: 'Delete' });
  seedClaim(s.api!, { namespace: NS, name: 'data', pv: 'pv-old', node: 'node-2', size: '2Gi' });
  makeTree(pods.volumeDir('pv-old'), 2 * 1024 * 1024);
  startDeploymentController(s, NS);
  if (o.workload !== false) {
    s.api!.store.put({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: NS, generation: 1 },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }], volumes: [{ name: 'cache', emptyDir: {} }, { name: 'd', persistentVolumeClaim: { claimName: 'data' } }] } } },
    });
    await s.api!.waitFor(() => (s.api!.store.list('pods', NS) as any[]).filter((p) => p.status?.phase === 'Running').length === 2);
  }
  return { s, pods };
}

/** Everything a finished migration leaves, to compare runs. */
function finalState(s: Sandbox, pods: { volumeDir(pv: string): string }) {
  const target = s.api!.store.get('persistentvolumeclaims', 'data-longhorn', NS);
  const old = s.api!.store.get('persistentvolumeclaims', 'data', NS);
  const web = s.api!.store.get('apps/deployments', 'web', NS);
  return {
    target: { phase: target?.status?.phase, class: target?.spec?.storageClassName, size: target?.spec?.resources?.requests?.storage },
    data: target ? treeManifest(pods.volumeDir(target.spec.volumeName)) : [],
    old: { annotations: old?.metadata.annotations, pvPolicy: s.api!.store.get('persistentvolumes', 'pv-old')?.spec.persistentVolumeReclaimPolicy },
    web: web && { replicas: web.spec.replicas, volumes: web.spec.template.spec.volumes },
    dataPods: (s.api!.store.list('pods', NS) as any[]).filter((p) => p.metadata.labels?.['app.kubernetes.io/name'] === 'k8s-storage-data').length,
  };
}

const MIGRATE = ['migrate', 'pvc', 'data', '-n', NS, '--to-class', 'longhorn'];

describe('migrate pvc', () => {
  it('moves a hostpath claim used by a Deployment to Longhorn, copying on the source node, with equal data', async () => {
    const { s, pods } = await cluster();
    const r = await s.run(MIGRATE);
    expect(r.stderr).toContain('migrated shop/data to class longhorn as shop/data-longhorn');
    expect(r.exitCode).toBe(0);
    const state = finalState(s, pods);
    expect(state.data).toEqual(treeManifest(pods.volumeDir('pv-old')));
    expect(state).toMatchObject({
      target: { phase: 'Bound', class: 'longhorn', size: '2Gi' },
      old: { annotations: { 'k8s-storage.io/migrated-to': 'data-longhorn' }, pvPolicy: 'Retain' },
      web: { replicas: 2, volumes: [{ name: 'cache', emptyDir: {} }, { name: 'd', persistentVolumeClaim: { claimName: 'data-longhorn' } }] },
      dataPods: 0,
    });
    expect(state.old.annotations?.['k8s-storage.io/migration']).toBeUndefined();
    // The copy ran on the node the hostpath PV lives on, with both claims mounted.
    const copy = pods.execs.find((e: any) => e.command.join(' ').includes('rsync'));
    expect(copy).toMatchObject({ node: 'node-2' });
    // The app's pods now mount the new claim.
    const appPods = (s.api!.store.list('pods', NS) as any[]).filter((p) => p.metadata.labels?.app === 'web');
    expect(appPods.map((p) => p.spec.volumes[1].persistentVolumeClaim.claimName)).toEqual(['data-longhorn', 'data-longhorn']);
    // A rerun changes nothing.
    const again = await s.run(MIGRATE);
    expect(again.stderr).toContain('was migrated to shop/data-longhorn already');
    expect(again.exitCode).toBe(0);
  }, 60_000);

  it('interrupted after every step, then rerun: ends like an uninterrupted run', async () => {
    const reference = await cluster();
    expect((await reference.s.run(MIGRATE)).exitCode).toBe(0);
    // The tree is random per cluster: data is compared with each run's own source.
    const { data: _data, ...expected } = finalState(reference.s, reference.pods);
    await reference.s.cleanup();
    sb = undefined;
    // 2 workloads steps + records + create + wait + copy + verify + point + scale back + wait + retain + finish
    for (let k = 1; k <= 14; k++) {
      const { s, pods } = await cluster();
      let seen = 0;
      const r = await s.runWithSignal(MIGRATE, { afterStderrMatch: { test: (text: string) => (seen = (text.match(/✓/g) ?? []).length) >= k } as unknown as RegExp, signal: 'SIGINT' });
      expect([0, 130]).toContain(r.exitCode);
      if (r.exitCode === 130) expect(r.stderr).toContain('rerun the same command to finish');
      const again = await s.run(MIGRATE);
      expect(again.exitCode, `interrupted after step ${k} (${seen} done): ${again.stderr}`).toBe(0);
      const { data, ...state } = finalState(s, pods);
      expect(state, `interrupted after step ${k}`).toEqual(expected);
      expect(data, `data after an interruption at step ${k}`).toEqual(treeManifest(pods.volumeDir('pv-old')));
      await s.cleanup();
      sb = undefined;
    }
  }, 600_000);

  it('moves a claim no workload uses, with a new size, and --delete-old deletes the old claim and volume', async () => {
    const { s, pods } = await cluster({ workload: false });
    const r = await s.run([...MIGRATE, '--size', '5Gi', '--delete-old', '--yes']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('(no workload uses it)');
    const target = s.api!.store.get('persistentvolumeclaims', 'data-longhorn', NS);
    expect(target.spec.resources.requests.storage).toBe('5Gi');
    expect(treeManifest(pods.volumeDir(target.spec.volumeName)).length).toBeGreaterThan(5);
    expect(s.api!.store.get('persistentvolumeclaims', 'data', NS)).toBeUndefined();
    expect(s.api!.store.get('persistentvolumes', 'pv-old')).toBeUndefined();
  }, 60_000);

  it('prints every step with --dry-run and changes nothing', async () => {
    const { s } = await cluster();
    const r = await s.run([...MIGRATE, '--dry-run']);
    expect(r.exitCode).toBe(0);
    for (const text of ['Scale Deployment web to 0 (was 2)', 'Create claim shop/data-longhorn (2Gi, class longhorn)', 'Copy shop/data to shop/data-longhorn', 'on node node-2', 'Verify the copy', 'Point Deployment web at data-longhorn', 'Scale Deployment web back to 2', 'reclaim policy Retain']) expect(r.stdout).toContain(text);
    expect(s.api!.store.get('persistentvolumeclaims', 'data-longhorn', NS)).toBeUndefined();
    expect(s.api!.store.get('apps/deployments', 'web', NS).spec.replicas).toBe(2);
  });

  it('refuses a StatefulSet claim from volumeClaimTemplates, a missing class and a pod without controller', async () => {
    const { s } = await cluster({ workload: false });
    seedClaim(s.api!, { namespace: NS, name: 'data-db-0', pv: 'pv-db0' });
    s.api!.store.put({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: NS }, spec: { replicas: 1, selector: { matchLabels: { app: 'db' } }, serviceName: 'db', template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres' }] } }, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } });
    const r = await s.run(['migrate', 'pvc', 'data-db-0', '-n', NS, '--to-class', 'nope']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--to-class nope: no such StorageClass');
    expect(r.stderr).toContain('volumeClaimTemplates of StatefulSet db, which cannot change');
    expect(r.stderr).toContain('one by one with --swap-names');
    s.api!.store.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'loner', namespace: NS }, spec: { nodeName: 'node-2', containers: [{ name: 'a', image: 'busybox' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] } });
    const p = await s.run(MIGRATE);
    expect(p.stderr).toContain('without a controller (loner)');
    expect(p.exitCode).toBe(2);
  });
});

describe('migrate planner', () => {
  const pvc = (name: string) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'ns' }, spec: { storageClassName: 'microk8s-hostpath', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Bound', capacity: { storage: '1Gi' } } }) as any;
  const deploy = (name: string, claim: string, replicas = 1) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { replicas, template: { spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: claim } }] } } } }) as any;
  it.each([
    [[deploy('a', 'data', 3), deploy('b', 'other')], [{ kind: 'Deployment', name: 'a', replicas: 3 }]],
    [[deploy('a', 'other')], []],
  ])('workloadsOf(%#)', (workloads, expected) => {
    expect(workloadsOf(workloads, 'data')).toEqual(expected);
  });
  it('templateOwner matches <template>-<sts>-<ordinal> only', () => {
    const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: { volumeClaimTemplates: [{ metadata: { name: 'data' } }] } } as any;
    expect(templateOwner([sts], 'data-db-0')?.metadata.name).toBe('db');
    expect(templateOwner([sts], 'data-db-x')).toBeUndefined();
    expect(templateOwner([sts], 'data')).toBeUndefined();
  });
  it.each([
    [undefined, 'Record the migration'],
    ['scaled-down', 'Create claim'],
    ['created', 'Copy'],
    ['copied', 'Verify'],
    ['verified', 'Point'],
    ['pointed', 'Scale Deployment a back'],
  ])('resumes after %s with "%s"', (done, first) => {
    const source = claimFacts({ namespace: 'ns', pvc: pvc('data'), pods: [] });
    const record = done ? { to: 'data-longhorn', class: 'longhorn', size: '1Gi', workloads: [{ kind: 'Deployment' as const, name: 'a', replicas: 1 }], done: done as any } : undefined;
    const plan = planMigrate({ source, claim: { namespace: 'ns', name: 'data' }, workloads: [deploy('a', 'data')], targetClass: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'longhorn' } }, ...(record ? { record } : {}) }, { toClass: 'longhorn', deleteOld: false, swapNames: false, image: 'busybox', timeoutMs: 1000 });
    expect(plan.steps[0]!.title.startsWith(first)).toBe(true);
  });
});
