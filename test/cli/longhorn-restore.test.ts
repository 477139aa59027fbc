/**
 * backup restore, snapshot restore and snapshot revert end to end: the real CLI against the
 * fake API server and the Longhorn stand-in (test/fakes/lib/longhorn-data-controller.mjs),
 * which restores Volumes with fromBackup (restoreRequired true, then false), clones
 * snap:// data sources, attaches through Longhorn VolumeAttachment tickets, and answers
 * longhorn-manager's snapshotRevert only on a volume attached in maintenance mode.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createBackupStore, longhornNode, longhornVolume, startLonghornDataController } from '../fakes/lib/longhorn-data-controller.mjs';
import { createSandbox } from '../helpers/sandbox.mjs';
import { seedClaim } from '../helpers/data-tree.js';
import { startDeploymentController } from '../helpers/app-controllers.js';
import { bytesQuantity, latestBackup, planClaimFromSource, planSnapshotRevert, restoredVolumeName } from '../../src/backends/longhorn/restore-plan.js';
import { expectAllSchemaValid } from '../helpers/schema.js';
import { expectOutputSchema } from '../helpers/output-schema.js';
import { podsNotScaled, workloadsUsing } from '../../src/plan/workloads.js';

type Sandbox = Awaited<ReturnType<typeof createSandbox>>;
let sb: Sandbox | undefined;
const stops: (() => void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  await sb?.cleanup();
  sb = undefined;
});

const LH = 'longhorn-system';
const NS = 'shop';
const TARGET = 'nfs://nas:/backups';
const lh = (kind: string) => ({ apiVersion: 'longhorn.io/v1beta2', kind });
const get = (kind: string, name: string) => sb!.api!.store.get(lh(kind), name, LH);
const pvc = (name: string) => sb!.api!.store.get('persistentvolumeclaims', name, NS);
const longhornWrites = (s: Sandbox) => s.api!.requests.filter((r: any) => ['create', 'update', 'patch', 'delete'].includes(r.verb) && (r.group === 'longhorn.io' || r.resource === 'persistentvolumes' || r.resource === 'persistentvolumeclaims'));

/** Longhorn with the target set, claims shop/data (pvc-1111) and shop/logs (pvc-2222), a backup store outside the cluster. */
async function cluster(o: { store?: ReturnType<typeof createBackupStore>; target?: string; attachments?: boolean } = {}) {
  sb = await createSandbox({ api: true });
  const s = sb;
  const store = o.store ?? createBackupStore();
  seedClaim(s.api!, { namespace: NS, name: 'data', pv: 'pvc-1111', provisioner: 'driver.longhorn.io' });
  seedClaim(s.api!, { namespace: NS, name: 'logs', pv: 'pvc-2222', provisioner: 'driver.longhorn.io' });
  s.api!.store.update('storageclasses', 'longhorn', undefined, (sc: any) => {
    sc.parameters = { numberOfReplicas: '2', staleReplicaTimeout: '30' };
  });
  s.api!.store.put(longhornVolume('pvc-1111', { namespace: NS, pvc: 'data', state: 'detached' }));
  s.api!.store.put(longhornVolume('pvc-2222', { namespace: NS, pvc: 'logs', state: 'detached' }));
  s.api!.store.put(longhornNode('node-1'));
  if (o.attachments) for (const v of ['pvc-1111', 'pvc-2222']) s.api!.store.put({ ...lh('VolumeAttachment'), metadata: { name: v, namespace: LH }, spec: { volume: v, attachmentTickets: {} } });
  s.api!.store.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'longhorn-backend', namespace: LH }, spec: { selector: { app: 'longhorn-manager' }, ports: [{ name: 'manager', port: 9500, targetPort: 'manager' }] } });
  const url = o.target ?? TARGET;
  s.api!.store.put({ ...lh('BackupTarget'), metadata: { name: 'default', namespace: LH }, spec: { backupTargetURL: url, credentialSecret: '', pollInterval: '5m0s' }, status: url ? { available: true, lastSyncedAt: '2026-01-01T00:00:00Z' } : {} });
  stops.push(startLonghornDataController(s.api!, { store, restoreDelayMs: 150 }));
  stops.push(s.api!.controllers.autoBindPvcs({ provisioners: ['none'] }));
  return { s, store };
}

/** A completed backup of shop/<claim> made through the CLI; its name. */
async function backupOf(s: Sandbox, claim: string, snapshot: string): Promise<string> {
  expect((await s.run(['snapshot', 'create', claim, '-n', NS, '--name', snapshot])).exitCode).toBe(0);
  const r = await s.run(['backup', 'create', claim, '-n', NS, '--snapshot', snapshot]);
  expect(r.exitCode, r.stderr).toBe(0);
  return `backup-${snapshot}`;
}

/** What a finished restore leaves, to compare runs. */
function restoredState(s: Sandbox, claim: string) {
  const volume = restoredVolumeName(NS, claim);
  const v = s.api!.store.get(lh('Volume'), volume, LH);
  const pv = s.api!.store.get('persistentvolumes', volume);
  const c = s.api!.store.get('persistentvolumeclaims', claim, NS);
  return {
    volume: v && { spec: { size: v.spec.size, fromBackup: v.spec.fromBackup, dataSource: v.spec.dataSource, numberOfReplicas: v.spec.numberOfReplicas }, restoreRequired: v.status?.restoreRequired, clone: v.status?.cloneStatus?.state },
    pv: pv && { handle: pv.spec.csi?.volumeHandle, claim: pv.spec.claimRef?.name, phase: pv.status?.phase, capacity: pv.spec.capacity?.storage, reclaim: pv.spec.persistentVolumeReclaimPolicy },
    pvc: c && { phase: c.status?.phase, volumeName: c.spec?.volumeName, storage: c.spec?.resources?.requests?.storage, from: c.metadata.annotations?.['k8s-storage.io/restored-from'] },
  };
}

describe('backup restore', () => {
  it('restores into a new claim: Volume from the backup URL, waited until restoreRequired is false, then a PV and a Bound claim', async () => {
    const { s } = await cluster();
    const name = await backupOf(s, 'data', 'before');
    const url = get('Backup', name).status.url;
    // The order Longhorn's and our objects changed in: the PV must wait for the restore.
    const seen: string[] = [];
    s.api!.onChange((ev) => {
      if (ev.resource.resource === 'volumes' && ev.object.metadata.name.startsWith('restored-')) seen.push(`volume restoreRequired=${ev.object.status?.restoreRequired}`);
      if (ev.resource.resource === 'persistentvolumes' && ev.type === 'ADDED') seen.push('pv');
    });
    const r = await s.run(['backup', 'restore', name, '--to', 'data-restored', '-n', NS]);
    // The class asks for 2 replicas; the cluster has one Longhorn node.
    expect(r.stderr).toContain('warning: 2 replicas but 1 Longhorn node(s) take replicas: the volume stays Degraded; --replicas 1 matches the cluster');
    expect(r.stderr).toContain(`shop/data-restored is Bound to Longhorn volume ${restoredVolumeName(NS, 'data-restored')}, restored from backup ${name}`);
    expect(r.exitCode).toBe(0);
    expect(restoredState(s, 'data-restored')).toEqual({
      volume: { spec: { size: '1073741824', fromBackup: url, dataSource: undefined, numberOfReplicas: 2 }, restoreRequired: false, clone: undefined },
      pv: { handle: restoredVolumeName(NS, 'data-restored'), claim: 'data-restored', phase: 'Bound', capacity: '1Gi', reclaim: 'Retain' },
      pvc: { phase: 'Bound', volumeName: restoredVolumeName(NS, 'data-restored'), storage: '1Gi', from: `backup/${name}` },
    });
    const v = get('Volume', restoredVolumeName(NS, 'data-restored'));
    expect(v.spec).toMatchObject({ frontend: 'blockdev', dataEngine: 'v1' });
    expect(seen.indexOf('volume restoreRequired=true')).toBeGreaterThanOrEqual(0);
    expect(seen.indexOf('pv')).toBeGreaterThan(seen.indexOf('volume restoreRequired=false'));
    // The rerun finds it done, writes nothing, and can say what is there.
    const before = longhornWrites(s).length;
    const again = await s.run(['backup', 'restore', name, '--to', 'data-restored', '-n', NS, '-o', 'yaml']);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('was restored from backup');
    expect(longhornWrites(s).length).toBe(before);
    const doc = parse(again.stdout);
    expectOutputSchema('restored-claim', doc);
    expect(doc).toMatchObject({ apiVersion: 'k8s-storage.io/v1', kind: 'RestoredClaim', name: 'data-restored', volume: restoredVolumeName(NS, 'data-restored'), phase: 'Bound', source: { kind: 'Backup', name, url } });
    expect((await s.run(['backup', 'restore', name, '--to', 'data-restored', '-n', NS, '-o', 'name'])).stdout).toBe('persistentvolumeclaim/data-restored\n');
    const table = await s.run(['backup', 'restore', name, '--to', 'data-restored', '-n', NS, '-o', 'table']);
    expect(table.exitCode).toBe(2);
  });

  it('--latest takes the newest completed backup of the claim; --replicas overrides the class', async () => {
    const { s } = await cluster();
    await backupOf(s, 'data', 'first');
    const second = await backupOf(s, 'data', 'second');
    await backupOf(s, 'logs', 'third');
    const r = await s.run(['backup', 'restore', 'data', '--latest', '--to', 'data-latest', '-n', NS, '--replicas', '1']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('Degraded');
    expect(r.stderr).toContain(`The latest backup of shop/data is ${second}`);
    expect(restoredState(s, 'data-latest')).toMatchObject({ volume: { spec: { fromBackup: get('Backup', second).status.url, numberOfReplicas: 1 } }, pvc: { phase: 'Bound', from: `backup/${second}` } });
  });

  it('refuses before any change: the target claim exists, an unknown backup, --latest without a backup, bad flags all at once', async () => {
    const { s } = await cluster();
    const name = await backupOf(s, 'data', 'before');
    const writes = longhornWrites(s).length;
    const taken = await s.run(['backup', 'restore', name, '--to', 'logs', '-n', NS]);
    expect(taken.exitCode).toBe(2);
    expect(taken.stderr).toContain('--to logs: PersistentVolumeClaim shop/logs already exists');
    expect(longhornWrites(s).length).toBe(writes);

    const flags = await s.run(['backup', 'restore', name, '-n', NS, '--replicas', '0', '--class', 'Bad_Class']);
    expect(flags.exitCode).toBe(2);
    expect(flags.stderr).toContain('--to: the name of the new claim is required');
    expect(flags.stderr).toContain('--replicas');
    expect(flags.stderr).toContain('--class');

    const takenUnknown = await s.run(['backup', 'restore', 'backup-nope', '--to', 'logs', '-n', NS]);
    expect(takenUnknown.exitCode).toBe(2);
    expect(takenUnknown.stderr).toContain('--to logs: PersistentVolumeClaim shop/logs already exists');
    expect(longhornWrites(s).length, 'nothing asked of Longhorn for a taken --to').toBe(writes);
    const unknown = await s.run(['backup', 'restore', 'backup-nope', '--to', 'x', '-n', NS]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('backup backup-nope does not exist, even after Longhorn read the backup target again');
    const none = await s.run(['backup', 'restore', 'logs', '--latest', '--to', 'x', '-n', NS]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('no completed backup of shop/logs (Longhorn volume pvc-2222)');
    // Only the target's sync requests were written.
    expect(longhornWrites(s).slice(writes).every((w: any) => w.resource === 'backuptargets')).toBe(true);
    expect(s.api!.store.get('persistentvolumeclaims', 'x', NS)).toBeUndefined();

    const cls = await s.run(['backup', 'restore', name, '--to', 'y', '-n', NS, '--class', 'missing']);
    expect(cls.exitCode).toBe(2);
    expect(cls.stderr).toContain('--class missing: no such StorageClass');
  });

  it('--dry-run prints every step and changes nothing', async () => {
    const { s } = await cluster();
    const name = await backupOf(s, 'data', 'before');
    const writes = longhornWrites(s).length;
    const r = await s.run(['backup', 'restore', name, '--to', 'data-restored', '-n', NS, '--dry-run']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('dry run: nothing is changed');
    for (const step of ['Create Longhorn volume', 'Wait for Longhorn to restore the data', 'Create PersistentVolume', 'Create claim shop/data-restored', 'Wait until shop/data-restored is Bound', 'Check that shop/data-restored is bound']) expect(r.stdout).toContain(step);
    expect(longhornWrites(s).length).toBe(writes);
  });

  it('a backup Longhorn cannot read: the wait ends at once with its reason, exit 1', async () => {
    const { s, store } = await cluster();
    const name = await backupOf(s, 'data', 'before');
    store.backups.clear();
    const r = await s.run(['backup', 'restore', name, '--to', 'data-restored', '-n', NS]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('backup not found in the backup store');
    expect(s.api!.store.get('persistentvolumes', restoredVolumeName(NS, 'data-restored'))).toBeUndefined();
  });

  it('interrupted during the restore or after the PV, then rerun: ends like an uninterrupted run', async () => {
    const reference = await cluster();
    const name = await backupOf(reference.s, 'data', 'before');
    expect((await reference.s.run(['backup', 'restore', name, '--to', 'data-restored', '-n', NS])).exitCode).toBe(0);
    const strip = (st: ReturnType<typeof restoredState>) => ({ ...st, volume: { ...st.volume, spec: { ...st.volume!.spec, fromBackup: 'url' } } });
    const expected = strip(restoredState(reference.s, 'data-restored'));
    for (const stop of stops.splice(0)) stop();
    await reference.s.cleanup();
    const volume = restoredVolumeName(NS, 'data-restored');
    const points: [string, () => boolean][] = [
      ['during the restore', () => sb!.api!.store.get(lh('Volume'), volume, LH)?.status?.restoreRequired === true],
      ['after the PV', () => sb!.api!.store.get('persistentvolumes', volume) !== undefined],
    ];
    const codes: number[] = [];
    for (const [when, cond] of points) {
      const { s } = await cluster();
      const b = await backupOf(s, 'data', 'before');
      const r = await s.runWithSignal(['backup', 'restore', b, '--to', 'data-restored', '-n', NS], { afterCondition: cond, signal: 'SIGINT' });
      codes.push(r.exitCode!);
      expect([0, 130], when).toContain(r.exitCode);
      if (r.exitCode === 130) expect(r.stderr).toContain('rerun the same command to finish');
      const again = await s.run(['backup', 'restore', b, '--to', 'data-restored', '-n', NS]);
      expect(again.exitCode, `${when}: ${again.stderr}`).toBe(0);
      expect(strip(restoredState(s, 'data-restored')), when).toEqual(expected);
      for (const stop of stops.splice(0)) stop();
      await s.cleanup();
      sb = undefined;
    }
    expect(codes, 'at least one run was really interrupted').toContain(130);
  }, 120_000);

  it('after Longhorn was reinstalled: the backup target is read again, the old backup appears and is restored', async () => {
    const store = createBackupStore();
    const first = await cluster({ store });
    const name = await backupOf(first.s, 'data', 'before');
    const url = get('Backup', name).status.url;
    for (const stop of stops.splice(0)) stop();
    await first.s.cleanup();
    // A new cluster: Longhorn installed again with the same backup store in its values; it has
    // checked the target but not listed its backups yet, and knows no volume, backup or claim.
    sb = await createSandbox({ api: true });
    const s = sb;
    s.api!.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'longhorn' }, provisioner: 'driver.longhorn.io', parameters: { numberOfReplicas: '3' } });
    s.api!.store.put({ ...lh('BackupTarget'), metadata: { name: 'default', namespace: LH }, spec: { backupTargetURL: TARGET, credentialSecret: '', pollInterval: '5m0s' }, status: { available: true, lastSyncedAt: '2026-01-01T00:00:00Z' } });
    stops.push(startLonghornDataController(s.api!, { store, restoreDelayMs: 100 }));
    stops.push(s.api!.controllers.autoBindPvcs({ provisioners: ['none'] }));
    expect((await s.run(['backup', 'list'])).stderr).toContain('No Longhorn backups.');
    const nowhere = await s.run(['backup', 'restore', 'backup-nope', '--to', 'data', '-n', NS]);
    expect(nowhere.exitCode).toBe(2);
    expect(nowhere.stderr).toContain('namespace shop does not exist');
    s.api!.store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const dry = await s.run(['backup', 'restore', name, '--to', 'data', '-n', NS, '--dry-run']);
    expect(dry.exitCode).toBe(2);
    expect(dry.stderr).toContain('Longhorn is first asked to read the backup target again');
    const r = await s.run(['backup', 'restore', name, '--to', 'data', '-n', NS]);
    expect(r.stderr).toContain(`Asking Longhorn to read the backup target ${TARGET} again`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(get('BackupTarget', 'default').spec.syncRequestedAt).toBeTruthy();
    expect(restoredState(s, 'data')).toMatchObject({ volume: { spec: { fromBackup: url }, restoreRequired: false }, pvc: { phase: 'Bound' } });
    // --latest finds it by the claim Longhorn recorded with the backup, though no claim or volume is left.
    const latest = await s.run(['backup', 'restore', 'data', '--latest', '--to', 'data-again', '-n', NS]);
    expect(latest.exitCode, latest.stderr).toBe(0);
    expect(restoredState(s, 'data-again')).toMatchObject({ volume: { spec: { fromBackup: url } }, pvc: { phase: 'Bound' } });
  }, 60_000);
});

describe('snapshot restore', () => {
  it('a new claim from a snapshot: a Volume cloning snap://<volume>/<snapshot>, the snapshot size, then PV and Bound claim', async () => {
    const { s } = await cluster();
    expect((await s.run(['snapshot', 'create', 'data', '-n', NS, '--name', 's1'])).exitCode).toBe(0);
    const r = await s.run(['snapshot', 'restore', 'data', 's1', '--to', 'data-s1', '-n', NS, '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expectOutputSchema('restored-claim', doc);
    expect(doc).toMatchObject({ kind: 'RestoredClaim', namespace: NS, name: 'data-s1', phase: 'Bound', size: '1Gi', source: { kind: 'Snapshot', name: 's1', volume: 'pvc-1111' } });
    expect(restoredState(s, 'data-s1')).toEqual({
      volume: { spec: { size: '1073741824', fromBackup: undefined, dataSource: 'snap://pvc-1111/s1', numberOfReplicas: 2 }, restoreRequired: undefined, clone: 'completed' },
      pv: { handle: restoredVolumeName(NS, 'data-s1'), claim: 'data-s1', phase: 'Bound', capacity: '1Gi', reclaim: 'Retain' },
      pvc: { phase: 'Bound', volumeName: restoredVolumeName(NS, 'data-s1'), storage: '1Gi', from: 'snapshot/pvc-1111/s1' },
    });
  });

  it("refuses a snapshot of another claim, a missing one, and --to naming the source", async () => {
    const { s } = await cluster();
    expect((await s.run(['snapshot', 'create', 'logs', '-n', NS, '--name', 'of-logs'])).exitCode).toBe(0);
    const other = await s.run(['snapshot', 'restore', 'data', 'of-logs', '--to', 'x', '-n', NS]);
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toContain('snapshot of-logs belongs to Longhorn volume pvc-2222');
    const missing = await s.run(['snapshot', 'restore', 'data', 'nope', '--to', 'x', '-n', NS]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('snapshot nope does not exist');
    const self = await s.run(['snapshot', 'restore', 'data', 'nope', '--to', 'data', '-n', NS]);
    expect(self.exitCode).toBe(2);
    expect(self.stderr).toContain('that is the claim the snapshot is of');
    expect(s.api!.store.get('persistentvolumeclaims', 'x', NS)).toBeUndefined();
  });
});

describe('snapshot revert', () => {
  /** shop/data used by Deployment web (2 replicas), snapshots s1 then s2 (volume-head on s2). */
  async function withApp() {
    const { s } = await cluster({ attachments: true });
    stops.push(startDeploymentController(s, NS));
    s.api!.store.put({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: NS, generation: 1 },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] } } },
    });
    await s.api!.waitFor(() => get('Volume', 'pvc-1111')?.status?.state === 'attached' && (s.api!.store.list('pods', NS) as any[]).length === 2);
    for (const n of ['s1', 's2']) expect((await s.run(['snapshot', 'create', 'data', '-n', NS, '--name', n])).exitCode).toBe(0);
    await s.api!.waitFor(() => get('Snapshot', 's2')?.status?.children?.['volume-head'] === true);
    return s;
  }
  const endState = (s: Sandbox) => ({
    head: (s.api!.store.list(lh('Snapshot'), LH) as any[]).filter((x) => x.status?.children?.['volume-head']).map((x) => x.metadata.name),
    replicas: s.api!.store.get('apps/deployments', 'web', NS)?.spec.replicas,
    pods: (s.api!.store.list('pods', NS) as any[]).length,
    tickets: Object.keys(get('VolumeAttachment', 'pvc-1111')?.spec?.attachmentTickets ?? {}),
    record: pvc('data')?.metadata.annotations?.['k8s-storage.io/revert'],
    frontendDisabled: get('Volume', 'pvc-1111')?.spec?.disableFrontend ?? false,
  });

  it('scales the workload to 0, attaches in maintenance mode, reverts, detaches, scales back', async () => {
    const s = await withApp();
    const volumeStates: string[] = [];
    s.api!.onChange((ev) => {
      if (ev.resource.resource === 'volumes' && ev.object.metadata.name === 'pvc-1111') volumeStates.push(`${ev.object.status?.state}${ev.object.spec?.disableFrontend ? '/maintenance' : ''}`);
    });
    const r = await s.run(['snapshot', 'revert', 'data', 's1', '-n', NS, '--yes']);
    expect(r.stderr).toContain('warning: everything written to shop/data after snapshot s1 is discarded');
    expect(r.stderr).toContain('shop/data is back at snapshot s1; its workloads are scaled back');
    expect(r.exitCode).toBe(0);
    await s.api!.waitFor(() => (s.api!.store.list('pods', NS) as any[]).length === 2);
    expect(endState(s)).toEqual({ head: ['s1'], replicas: 2, pods: 2, tickets: [], record: undefined, frontendDisabled: false });
    expect(volumeStates).toContain('attached/maintenance');
    // longhorn-manager's action, through the API server's service proxy, with the snapshot name.
    const call = s.api!.requests.find((q: any) => q.subresource === 'proxy' && q.name === 'longhorn-backend');
    expect(call).toMatchObject({ namespace: LH });
    expect(call!.path).toBe('/api/v1/namespaces/longhorn-system/services/longhorn-backend:manager/proxy/v1/volumes/pvc-1111');
  });

  it('refuses while a pod no workload owns uses the volume, and without --yes off a terminal; changes nothing', async () => {
    const s = await withApp();
    s.api!.store.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: NS }, spec: { containers: [{ name: 'sh', image: 'busybox' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] } });
    const writes = longhornWrites(s).length;
    const r = await s.run(['snapshot', 'revert', 'data', 's1', '-n', NS, '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('refusing to revert shop/data while pod(s) debug use it');
    s.api!.store.delete('pods', 'debug', NS);
    const noYes = await s.run(['snapshot', 'revert', 'data', 's1', '-n', NS]);
    expect(noYes.exitCode).toBe(2);
    expect(noYes.stderr).toContain('refusing without confirmation');
    expect(noYes.stderr).toContain('add --yes to snapshot revert');
    const missing = await s.run(['snapshot', 'revert', 'data', 'nope', '-n', NS, '--yes']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('snapshot nope does not exist');
    s.api!.store.delete('services', 'longhorn-backend', LH);
    const noManager = await s.run(['snapshot', 'revert', 'data', 's1', '-n', NS, '--yes']);
    expect(noManager.exitCode).toBe(1);
    expect(noManager.stderr).toContain('there is no Service longhorn-backend in longhorn-system');
    expect(longhornWrites(s).length).toBe(writes);
    expect(s.api!.store.get('apps/deployments', 'web', NS).spec.replicas).toBe(2);
  });

  it('--dry-run prints every step of the maintenance window and changes nothing', async () => {
    const s = await withApp();
    const writes = longhornWrites(s).length;
    const r = await s.run(['snapshot', 'revert', 'data', 's1', '-n', NS, '--dry-run']);
    expect(r.exitCode).toBe(0);
    for (const step of ['Scale Deployment web to 0 (was 2)', 'Attach volume pvc-1111 on node-1 in maintenance mode', 'Revert volume pvc-1111 to snapshot s1', 'POST /v1/volumes/pvc-1111?action=snapshotRevert', 'Detach volume pvc-1111', 'Scale Deployment web back to 2']) expect(r.stdout).toContain(step);
    // The plan for machines, with its service-call step, as schemas/plan.schema.json describes it.
    const json = await s.run(['snapshot', 'revert', 'data', 's1', '-n', NS, '--dry-run', '-o', 'json']);
    expect(json.exitCode, json.stderr).toBe(0);
    const plan = JSON.parse(json.stdout);
    expect(plan.steps.map((x: any) => x.kind)).toContain('service-call');
    expectOutputSchema('plan', plan);
    expect(longhornWrites(s).length).toBe(writes);
  });

  it('interrupted after the scale-down, in maintenance mode, after the revert; each rerun continues and ends like an uninterrupted run', async () => {
    const recorded = (step: string) => () => JSON.parse(pvc('data')?.metadata.annotations?.['k8s-storage.io/revert'] ?? '{}').done === step;
    const points: [string, () => boolean][] = [
      ['after the scale-down', recorded('scaled-down')],
      ['in maintenance mode', () => get('VolumeAttachment', 'pvc-1111')?.status?.attachmentTicketStatuses?.['k8s-storage-revert']?.satisfied === true],
      ['after the revert', recorded('reverted')],
    ];
    const codes: number[] = [];
    for (const [when, cond] of points) {
      const s = await withApp();
      const r = await s.runWithSignal(['snapshot', 'revert', 'data', 's1', '-n', NS, '--yes'], { afterCondition: cond, signal: 'SIGINT' });
      codes.push(r.exitCode!);
      expect([0, 130], when).toContain(r.exitCode);
      if (r.exitCode === 130) {
        expect(r.stderr, when).toContain('rerun the same command to finish');
        expect(JSON.parse(pvc('data').metadata.annotations['k8s-storage.io/revert']), when).toMatchObject({ snapshot: 's1', workloads: [{ kind: 'Deployment', name: 'web', replicas: 2 }] });
      }
      // A rerun after the revert itself needs no confirmation: nothing is discarded any more.
      const again = await s.run(['snapshot', 'revert', 'data', 's1', '-n', NS, ...(when === 'after the revert' ? [] : ['--yes'])]);
      expect(again.exitCode, `${when}: ${again.stderr}`).toBe(0);
      if (r.exitCode === 130) expect(again.stderr, when).toContain('resuming: the last finished step was');
      await s.api!.waitFor(() => (s.api!.store.list('pods', NS) as any[]).length === 2);
      expect(endState(s), when).toEqual({ head: ['s1'], replicas: 2, pods: 2, tickets: [], record: undefined, frontendDisabled: false });
      for (const stop of stops.splice(0)) stop();
      await s.cleanup();
      sb = undefined;
    }
    expect(codes, 'the runs were really interrupted').toEqual([130, 130, 130]);
  }, 120_000);
});

describe('the Longhorn stand-in refuses what longhorn-manager refuses', () => {
  it('snapshotRevert only on a volume attached in maintenance mode', async () => {
    const { s } = await cluster({ attachments: true });
    expect((await s.run(['snapshot', 'create', 'data', '-n', NS, '--name', 's1'])).exitCode).toBe(0);
    expect((await s.run(['snapshot', 'create', 'data', '-n', NS, '--name', 's2'])).exitCode).toBe(0);
    const revert = async () => {
      const res = await fetch(`${s.api!.url}/api/v1/namespaces/longhorn-system/services/longhorn-backend:manager/proxy/v1/volumes/pvc-1111?action=snapshotRevert`, { method: 'POST', body: JSON.stringify({ name: 's1' }), headers: { 'Content-Type': 'application/json' } });
      return { status: res.status, message: ((await res.json()) as { message?: string }).message };
    };
    const attach = async (disableFrontend: string) => {
      s.api!.store.update(lh('VolumeAttachment'), 'pvc-1111', LH, (o: any) => {
        o.spec.attachmentTickets = { t: { id: 't', type: 'longhorn-api', nodeID: 'node-1', parameters: { disableFrontend } } };
      });
      await s.api!.waitFor(() => get('Volume', 'pvc-1111')?.status?.state === 'attached' && String(get('Volume', 'pvc-1111').spec.disableFrontend) === disableFrontend);
    };
    expect(await revert()).toMatchObject({ status: 500, message: expect.stringContaining('cannot revert snapshot for volume pvc-1111 with frontend enabled') });
    await attach('false');
    expect(await revert()).toMatchObject({ status: 500, message: expect.stringContaining('with frontend enabled') });
    await attach('true');
    expect((await revert()).status).toBe(200);
    expect(get('Snapshot', 's1').status.children['volume-head']).toBe(true);
    expect(get('Snapshot', 's2').status.children?.['volume-head']).toBeUndefined();
  });
});

describe('pure helpers', () => {
  it.each([
    ['1073741824', '1Gi'],
    ['1610612736', '1536Mi'],
    ['1000', '1000'],
    ['2199023255552', '2Ti'],
  ])('bytesQuantity(%s) = %s', (bytes, q) => expect(bytesQuantity(bytes)).toBe(q));

  it('latestBackup: completed only, by volume, else by the claim recorded with the backup', () => {
    const b = (name: string, at: string, o: { volume?: string; claim?: string; state?: string } = {}) =>
      ({ metadata: { name }, spec: {}, status: { state: o.state ?? 'Completed', backupCreatedAt: at, ...(o.volume ? { volumeName: o.volume } : {}), labels: o.claim ? { KubernetesStatus: JSON.stringify({ pvcName: o.claim, namespace: NS }) } : {} } }) as any;
    const all = [b('a', '2026-01-01T00:00:00Z', { volume: 'pvc-1' }), b('b', '2026-01-02T00:00:00Z', { volume: 'pvc-1' }), b('c', '2026-01-03T00:00:00Z', { volume: 'pvc-1', state: 'Error' }), b('d', '2026-01-04T00:00:00Z', { volume: 'pvc-9', claim: 'data' })];
    expect(latestBackup(all, { namespace: NS, name: 'x', volume: 'pvc-1' })?.metadata.name).toBe('b');
    expect(latestBackup(all, { namespace: NS, name: 'data' })?.metadata.name).toBe('d');
    expect(latestBackup(all, { namespace: 'other', name: 'data' })).toBeUndefined();
  });

  it('the PV and claim a restore creates are valid Kubernetes objects', async () => {
    const plan = planClaimFromSource({ kind: 'backup', backup: 'backup-x', url: 'nfs://nas:/b?backup=backup-x&volume=pvc-1', size: '2147483648' }, { namespace: NS, claim: 'r', className: 'longhorn', classExplicit: false }, { timeoutMs: 1000 });
    const objects = plan.steps.flatMap((st) => (st.kind === 'apply' ? st.objects : [])).filter((o) => o.apiVersion === 'v1');
    expect(objects.map((o) => o.kind)).toEqual(['PersistentVolume', 'PersistentVolumeClaim']);
    await expectAllSchemaValid(objects);
    expect(plan.warnings).toEqual(['StorageClass longhorn does not exist: the claim names it, with defaults (3 replicas, ext4); --class names another']);
  });

  it('a revert under way for another snapshot is finished first', () => {
    const record = { snapshot: 'old', node: 'node-1', workloads: [], done: 'attached' as const };
    expect(() => planSnapshotRevert('new', { claim: { namespace: NS, name: 'data', volume: 'pvc-1' }, workloads: [], blockers: [], attachment: {} as never, record }, { timeoutMs: 1000 })).toThrow('a revert of shop/data to snapshot old is under way');
  });

  it('a revert to a snapshot taken before an expansion warns that the filesystem shrinks back', () => {
    const snapshot = { apiVersion: 'longhorn.io/v1beta2', kind: 'Snapshot', metadata: { name: 's1', namespace: LH }, spec: { volume: 'pvc-1', createSnapshot: true, labels: {} }, status: { readyToUse: true, restoreSize: 1073741824 } } as const;
    const facts = { claim: { namespace: NS, name: 'data', volume: 'pvc-1', size: '2147483648' }, snapshot, workloads: [], blockers: [], attachment: {} as never, node: 'node-1' };
    expect(planSnapshotRevert('s1', facts, { timeoutMs: 1000 }).warnings[1]).toContain('snapshot s1 predates an expansion (1Gi < 2Gi)');
    expect(planSnapshotRevert('s1', { ...facts, claim: { ...facts.claim, size: '1073741824' } }, { timeoutMs: 1000 }).warnings).toHaveLength(1);
  });

  it('the maintenance window covers a StatefulSet whose volumeClaimTemplates made the claim; other pods block it', () => {
    const sts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: { replicas: 3, volumeClaimTemplates: [{ metadata: { name: 'data' } }], template: { spec: {} } } };
    const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2, template: { spec: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data-db-0' } }] } } } };
    const found = workloadsUsing([sts, web], 'data-db-0');
    expect(found).toEqual([
      { kind: 'Deployment', name: 'web', replicas: 2 },
      { kind: 'StatefulSet', name: 'db', replicas: 3 },
    ]);
    const users = [
      { pod: 'db-0', phase: 'Running', owner: { kind: 'StatefulSet', name: 'db' } },
      { pod: 'web-5d8f-abc', phase: 'Running', owner: { kind: 'ReplicaSet', name: 'web-5d8f' } },
      { pod: 'job-x', phase: 'Running', owner: { kind: 'Job', name: 'job' } },
      { pod: 'debug', phase: 'Running' },
      { pod: 'other-1', phase: 'Running', owner: { kind: 'ReplicaSet', name: 'other-77' } },
    ];
    expect(podsNotScaled(users, found).map((u) => u.pod)).toEqual(['job-x', 'debug', 'other-1']);
  });
});
