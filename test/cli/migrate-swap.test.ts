/**
 * migrate pvc --swap-names end to end: the claim keeps its name. The copy goes to a temporary
 * claim; both volumes are retained; both claims are deleted; the claim is re-created under its
 * name, bound to the new volume (whose claimRef uid must be cleared first: the fake PV
 * controller, like the real one, never rebinds a Released volume that names a deleted claim).
 * On a Deployment's claim and on a StatefulSet's volumeClaimTemplates claim (whose controller
 * re-creates a missing claim, empty, when it starts a pod), each interrupted after every step
 * and rerun.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';
import { makeTree, seedClaim, treeManifest } from '../helpers/data-tree.js';
import { startDeploymentController, startStatefulSetController } from '../helpers/app-controllers.js';
import { schemaErrors } from '../helpers/schema.js';
import { planMigrate } from '../../src/plan/migrate.js';
import { claimFacts } from '../../src/cluster/claims.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

const NS = 'shop';
type Kind = 'Deployment' | 'StatefulSet';
const CLAIM: Record<Kind, string> = { Deployment: 'data', StatefulSet: 'data-web-0' };
const swapArgs = (kind: Kind) => ['migrate', 'pvc', CLAIM[kind], '-n', NS, '--to-class', 'longhorn', '--swap-names'];

async function cluster(kind: Kind) {
  sb = await perTest.create({ api: { nodes: ['node-1', 'node-2'] } });
  const s = sb;
  const pods = s.api!.controllers.runPods({ volumesDir: join(s.dir, 'volumes') });
  s.api!.controllers.autoBindPvcs({ provisioners: ['driver.longhorn.io'] });
  s.api!.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'longhorn' }, provisioner: 'driver.longhorn.io', volumeBindingMode: 'Immediate', allowVolumeExpansion: true, reclaimPolicy: 'Delete' });
  seedClaim(s.api!, { namespace: NS, name: CLAIM[kind], pv: 'pv-old', node: 'node-2', size: '2Gi' });
  s.api!.store.update('persistentvolumeclaims', CLAIM[kind], NS, (o: any) => {
    o.metadata.labels = { app: 'web' };
  });
  makeTree(pods.volumeDir('pv-old'), 1024 * 1024);
  const container = { name: 'web', image: 'nginx' };
  if (kind === 'Deployment') {
    startDeploymentController(s, NS);
    s.api!.store.put({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: NS, generation: 1 },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] } } },
    });
  } else {
    startStatefulSetController(s, NS);
    s.api!.store.put({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web', namespace: NS, generation: 1 },
      spec: {
        replicas: 1,
        serviceName: 'web',
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { storageClassName: 'microk8s-hostpath', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } } }],
      },
    });
  }
  const want = kind === 'Deployment' ? 2 : 1;
  await s.api!.waitFor(() => (s.api!.store.list('pods', NS) as any[]).filter((p) => p.metadata.labels?.app === 'web' && p.status?.phase === 'Running').length === want);
  return { s, pods };
}

/** Everything a finished swap leaves, to compare runs (the new volume's name is random per run: its facts are compared instead). */
function finalState(s: Sandbox, pods: { volumeDir(pv: string): string }, kind: Kind) {
  const claim = s.api!.store.get('persistentvolumeclaims', CLAIM[kind], NS);
  const newPv = claim?.spec?.volumeName ? s.api!.store.get('persistentvolumes', claim.spec.volumeName) : undefined;
  const oldPv = s.api!.store.get('persistentvolumes', 'pv-old');
  const workload = s.api!.store.get(kind === 'Deployment' ? 'apps/deployments' : 'apps/statefulsets', 'web', NS);
  return {
    claim: { phase: claim?.status?.phase, class: claim?.spec?.storageClassName, size: claim?.spec?.resources?.requests?.storage, labels: claim?.metadata.labels, annotations: claim?.metadata.annotations?.['k8s-storage.io/migrated-from-volume'], record: claim?.metadata.annotations?.['k8s-storage.io/migration'] },
    newPv: newPv && { notOld: newPv.metadata.name !== 'pv-old', policy: newPv.spec.persistentVolumeReclaimPolicy, claimRef: { name: newPv.spec.claimRef?.name, uidIsClaims: newPv.spec.claimRef?.uid === claim.metadata.uid }, record: newPv.metadata.annotations?.['k8s-storage.io/migration'], phase: newPv.status?.phase },
    oldPv: oldPv && { policy: oldPv.spec.persistentVolumeReclaimPolicy, phase: oldPv.status?.phase },
    temporary: s.api!.store.get('persistentvolumeclaims', `${CLAIM[kind]}-longhorn`, NS) ?? null,
    data: newPv ? treeManifest(pods.volumeDir(newPv.metadata.name)) : [],
    workload: workload && { replicas: workload.spec.replicas, volumes: workload.spec.template.spec.volumes ?? null },
    appClaims: (s.api!.store.list('pods', NS) as any[]).filter((p) => p.metadata.labels?.app === 'web').map((p) => p.spec.volumes.find((v: any) => v.persistentVolumeClaim)?.persistentVolumeClaim.claimName),
    dataPods: (s.api!.store.list('pods', NS) as any[]).filter((p) => p.metadata.labels?.['app.kubernetes.io/name'] === 'k8s-storage-data').length,
  };
}

const EXPECTED = (kind: Kind) => ({
  claim: { phase: 'Bound', class: 'longhorn', size: '2Gi', labels: { app: 'web' }, annotations: 'pv-old', record: undefined },
  newPv: { notOld: true, policy: 'Retain', claimRef: { name: CLAIM[kind], uidIsClaims: true }, record: undefined, phase: 'Bound' },
  oldPv: { policy: 'Retain', phase: 'Released' },
  temporary: null,
  workload: kind === 'Deployment' ? { replicas: 2, volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] } : { replicas: 1, volumes: null },
  appClaims: kind === 'Deployment' ? ['data', 'data'] : ['data-web-0'],
  dataPods: 0,
});

describe.each(['Deployment', 'StatefulSet'] as const)('migrate pvc --swap-names, %s', (kind) => {
  it('keeps the claim name, on the new class and volume, with equal data; the old volume stays until --delete-old', async () => {
    const { s, pods } = await cluster(kind);
    const source = treeManifest(pods.volumeDir('pv-old'));
    const r = await s.run(swapArgs(kind));
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(`migrated ${NS}/${CLAIM[kind]} to class longhorn, keeping its name`);
    const { data, ...state } = finalState(s, pods, kind);
    expect(state).toEqual(EXPECTED(kind));
    expect(data).toEqual(source);
    expect(data.length).toBeGreaterThan(3);
    // The re-created claim is a valid PersistentVolumeClaim.
    const claim = s.api!.store.get('persistentvolumeclaims', CLAIM[kind], NS);
    expect(await schemaErrors({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: claim.metadata.name, namespace: NS, labels: claim.metadata.labels }, spec: claim.spec } as any)).toBeUndefined();
    // A rerun changes nothing and says where the old data is; --delete-old then deletes only the old volume.
    const again = await s.run(swapArgs(kind));
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('its old volume pv-old is kept (Retain); --delete-old deletes it');
    const del = await s.run([...swapArgs(kind), '--delete-old', '--yes']);
    expect(del.exitCode, del.stderr).toBe(0);
    expect(s.api!.store.get('persistentvolumes', 'pv-old')).toBeUndefined();
    expect(s.api!.store.get('persistentvolumeclaims', CLAIM[kind], NS)?.status.phase).toBe('Bound');
  }, 60_000);

  it('interrupted after every step, then rerun: ends like an uninterrupted run', async () => {
    const reference = await cluster(kind);
    const first = await reference.s.run(swapArgs(kind));
    expect(first.exitCode).toBe(0);
    const steps = (first.stderr.match(/✓/g) ?? []).length;
    expect(steps).toBeGreaterThan(20);
    await reference.s.cleanup();
    sb = undefined;
    for (let k = 1; k < steps; k++) {
      const { s, pods } = await cluster(kind);
      const source = treeManifest(pods.volumeDir('pv-old'));
      let seen = 0;
      const r = await s.runWithSignal(swapArgs(kind), { afterStderrMatch: { test: (text: string) => (seen = (text.match(/✓/g) ?? []).length) >= k } as unknown as RegExp, signal: 'SIGINT' });
      // A signal that lands after the last step, while the process exits (its handler gone), ends it by SIGINT: the rerun below is the check.
      expect([0, 130, 'SIGINT'], `interrupted after step ${k}: ${r.stderr}`).toContain(r.exitCode ?? r.signal);
      const again = await s.run(swapArgs(kind));
      expect(again.exitCode, `interrupted after step ${k} (${seen} done): ${again.stderr}`).toBe(0);
      const { data, ...state } = finalState(s, pods, kind);
      expect(state, `interrupted after step ${k}`).toEqual(EXPECTED(kind));
      expect(data, `data after an interruption at step ${k}`).toEqual(source);
      await s.cleanup();
      sb = undefined;
    }
  }, 900_000);
});

describe('migrate pvc --swap-names, refusals and plans', () => {
  it('a dry run lists the first half and says the rest is planned once the new volume exists; nothing changes', async () => {
    const { s } = await cluster('StatefulSet');
    const r = await s.run([...swapArgs('StatefulSet'), '--dry-run']);
    expect(r.exitCode).toBe(0);
    for (const text of ['Scale StatefulSet web to 0 (was 1)', 'Create temporary claim shop/data-web-0-longhorn', 'Verify the copy', 'both claims deleted', 'planned when its name is known']) expect(r.stdout).toContain(text);
    expect(s.api!.store.get('persistentvolumeclaims', 'data-web-0-longhorn', NS)).toBeUndefined();
    expect(s.api!.store.get('apps/statefulsets', 'web', NS).spec.replicas).toBe(1);
  });

  it('a migration started without --swap-names is not finished with it', async () => {
    const { s } = await cluster('Deployment');
    s.api!.store.update('persistentvolumeclaims', 'data', NS, (o: any) => {
      o.metadata.annotations['k8s-storage.io/migration'] = JSON.stringify({ to: 'data-longhorn', class: 'longhorn', size: '2Gi', workloads: [], done: 'scaled-down' });
    });
    const r = await s.run(swapArgs('Deployment'));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('without --swap-names is under way: rerun it without --swap-names');
  });

  it('past the copy, plans from what exists: a claim already re-created is not deleted again', () => {
    const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'ns', annotations: {} }, spec: { storageClassName: 'longhorn', volumeName: 'pv-new', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } } as any;
    const record = { to: 'data-longhorn', class: 'longhorn', size: '1Gi', workloads: [], done: 'retained' as const, swap: { namespace: 'ns', claim: 'data', accessModes: ['ReadWriteOnce'], labels: {}, oldVolume: 'pv-old', newVolume: 'pv-new' } };
    const opts = { toClass: 'longhorn', deleteOld: false, swapNames: true, image: 'busybox', timeoutMs: 1000 };
    const facts = { claim: { namespace: 'ns', name: 'data' }, workloads: [], targetClass: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'longhorn' } }, record };
    const titles = (p: { steps: { title: string }[] }) => p.steps.map((x) => x.title);
    const withNew = titles(planMigrate({ ...facts, source: claimFacts({ namespace: 'ns', pvc, pods: [] }) }, opts));
    expect(withNew.some((t) => t.startsWith('Delete the old claim'))).toBe(false);
    expect(withNew.some((t) => t.startsWith('Re-create claim ns/data'))).toBe(true);
    const gone = titles(planMigrate(facts, opts));
    expect(gone[0]).toMatch(/^Free PersistentVolume pv-new/);
    const withOld = titles(planMigrate({ ...facts, source: claimFacts({ namespace: 'ns', pvc: { ...pvc, spec: { ...pvc.spec, volumeName: 'pv-old' } }, pods: [] }) }, opts));
    expect(withOld[0]).toBe('Delete the old claim ns/data (its volume pv-old stays)');
  });
});
