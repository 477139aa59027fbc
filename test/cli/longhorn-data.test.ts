/**
 * snapshot, backup and schedule end to end: the real CLI against the fake API server with
 * Longhorn's CRDs, and a small stand-in for longhorn-manager (test/fakes/lib/longhorn-data-controller.mjs)
 * that takes snapshots, runs backups and checks backup targets the way Longhorn does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createSandbox } from '../helpers/sandbox.mjs';
import { longhornVolume, startLonghornDataController } from '../fakes/lib/longhorn-data-controller.mjs';
import { BACKUP_COMPLETED, checkedSince, credentialSecretCommand, syncRequestTime, planBackupCreate, planScheduleAttach, planScheduleDetach, planSnapshotCreate, planSnapshotDelete } from '../../src/backends/longhorn/data-plan.js';
import { judge } from '../../src/plan/expectations.js';
import { longhornVolumeOfClaim } from '../../src/backends/longhorn/commands/volumes.js';
import { buildBackup, goDurationSeconds, type LonghornVolume } from '../../src/backends/longhorn/resources.js';
import { expectOutputSchema } from '../helpers/output-schema.js';

type Sandbox = Awaited<ReturnType<typeof createSandbox>>;
let sb: Sandbox | undefined;
let stopController: (() => void) | undefined;
afterEach(async () => {
  stopController?.();
  stopController = undefined;
  await sb?.cleanup();
  sb = undefined;
});

const NS = 'longhorn-system';
const lh = (kind: string) => ({ apiVersion: 'longhorn.io/v1beta2', kind });
const get = (kind: string, name: string) => sb!.api!.store.get(lh(kind), name, NS);
const all = (kind: string) => sb!.api!.store.list(lh(kind), NS) as any[];

/** A bound claim with its PV; Longhorn claims also get their Longhorn Volume. */
function claim(s: Sandbox, namespace: string, name: string, o: { provisioner?: string; pv?: string; bound?: boolean; volume?: boolean; labels?: Record<string, string> } = {}) {
  const provisioner = o.provisioner ?? 'driver.longhorn.io';
  const pv = o.pv ?? `pvc-${name}-0001`;
  const bound = o.bound ?? true;
  const className = provisioner === 'driver.longhorn.io' ? 'longhorn' : 'microk8s-hostpath';
  s.api!.store.put({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace, annotations: bound ? { 'volume.kubernetes.io/storage-provisioner': provisioner } : {} },
    spec: { storageClassName: className, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...(bound ? { volumeName: pv } : {}) },
    status: { phase: bound ? 'Bound' : 'Pending' },
  });
  if (!bound) return;
  const csi = provisioner === 'driver.longhorn.io' ? { csi: { driver: provisioner, volumeHandle: pv, fsType: 'ext4' } } : { hostPath: { path: `/var/snap/microk8s/common/default-storage/${namespace}-${name}-${pv}` } };
  s.api!.store.put({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: pv, annotations: { 'pv.kubernetes.io/provisioned-by': provisioner } },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: className, claimRef: { namespace, name }, ...csi },
    status: { phase: 'Bound' },
  });
  if (provisioner === 'driver.longhorn.io' && o.volume !== false) s.api!.store.put(longhornVolume(pv, { namespace, pvc: name, ...(o.labels ? { labels: o.labels } : {}) }));
}

/** The cluster most tests use: Longhorn with claims shop/data and shop/logs, Longhorn's empty `default` target. */
async function longhornCluster(o: { controller?: boolean | Parameters<typeof startLonghornDataController>[1]; target?: string; namespace?: string } = {}) {
  sb = await createSandbox({ api: true, ...(o.namespace ? { kubeconfig: { namespace: o.namespace } } : {}) });
  const s = sb;
  s.api!.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'longhorn' }, provisioner: 'driver.longhorn.io', parameters: { numberOfReplicas: '3' } });
  claim(s, 'shop', 'data', { pv: 'pvc-1111' });
  claim(s, 'shop', 'logs', { pv: 'pvc-2222' });
  // Longhorn (>= 1.8) creates the `default` target itself, with an empty URL.
  s.api!.store.put({ ...lh('BackupTarget'), metadata: { name: 'default', namespace: NS }, spec: { backupTargetURL: o.target ?? '', credentialSecret: '', pollInterval: '5m0s' }, status: o.target ? { available: true, lastSyncedAt: '2026-01-01T00:00:00Z' } : {} });
  if (o.controller !== false) stopController = startLonghornDataController(s.api!, o.controller === true || o.controller === undefined ? {} : o.controller);
  return s;
}

const writes = (s: Sandbox) => s.api!.requests.filter((r: any) => ['create', 'update', 'patch', 'delete'].includes(r.verb) && r.group === 'longhorn.io');

describe('PVC -> Longhorn volume', () => {
  it('finds the volume through the claim and its PV; the namespace comes from -n', async () => {
    const s = await longhornCluster();
    const r = await s.run(['snapshot', 'create', 'data', '-n', 'shop', '--name', 'first']);
    expect(r.stderr).toContain('snapshot first of shop/data is ready');
    expect(r.exitCode).toBe(0);
    expect(get('Snapshot', 'first').spec.volume).toBe('pvc-1111');
  });

  it('without -n, the kubeconfig context namespace is used', async () => {
    const s = await longhornCluster({ namespace: 'shop' });
    const r = await s.run(['snapshot', 'create', 'logs', '--name', 'ctx']);
    expect(r.exitCode).toBe(0);
    expect(get('Snapshot', 'ctx').spec.volume).toBe('pvc-2222');
  });

  it('a claim that does not exist: exit 2, the namespace searched and the claims there', async () => {
    const s = await longhornCluster();
    const r = await s.run(['snapshot', 'create', 'dta', '-n', 'shop']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('PersistentVolumeClaim "dta" not found in namespace shop; claims there: data, logs.');
    const other = await s.run(['snapshot', 'create', 'data']);
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toContain('not found in namespace default; it has no claims');
  });

  it('a claim that is not Bound yet: exit 1, says so', async () => {
    const s = await longhornCluster();
    claim(s, 'shop', 'new', { bound: false });
    const r = await s.run(['snapshot', 'create', 'new', '-n', 'shop']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('PersistentVolumeClaim shop/new is Pending, not Bound yet');
  });

  it("a claim on another backend: exit 2, snapshots here are Longhorn's", async () => {
    const s = await longhornCluster();
    claim(s, 'shop', 'local', { provisioner: 'microk8s.io/hostpath', pv: 'pvc-9999' });
    const r = await s.run(['backup', 'create', 'local', '-n', 'shop']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("snapshots, backups and schedules here are Longhorn's; this claim uses microk8s.io/hostpath");
    expect(all('Snapshot')).toEqual([]);
  });

  it('Longhorn not installed: exit 1 with the install command', async () => {
    sb = await createSandbox({ api: { hiddenGroups: ['longhorn.io'] } });
    claim(sb, 'shop', 'data', { pv: 'pvc-1111', volume: false });
    for (const args of [['snapshot', 'create', 'data', '-n', 'shop'], ['snapshot', 'list'], ['schedule', 'list'], ['backup', 'target', 'show']]) {
      const r = await sb.run(args);
      expect(r.exitCode, args.join(' ')).toBe(1);
      expect(r.stderr).toContain('Longhorn is not installed on this cluster');
      expect(r.stderr).toContain('hint: k8s-storage install longhorn');
    }
  });

  it('a Longhorn PV whose Longhorn volume is gone: exit 1 naming it', async () => {
    const s = await longhornCluster();
    claim(s, 'shop', 'orphan', { pv: 'pvc-3333', volume: false });
    const r = await s.run(['snapshot', 'list', 'orphan', '-n', 'shop']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Longhorn has no volume pvc-3333 for PersistentVolumeClaim shop/orphan');
  });
});

describe('snapshot', () => {
  it('create: the Snapshot CR Longhorn expects, a generated name, waits until readyToUse', async () => {
    const s = await longhornCluster();
    const r = await s.run(['snapshot', 'create', 'data', '-n', 'shop', '--label', 'reason=upgrade']);
    expect(r.exitCode).toBe(0);
    const [snap] = all('Snapshot');
    expect(snap.metadata.name).toMatch(/^data-\d{14}$/);
    expect(snap).toMatchObject({ apiVersion: 'longhorn.io/v1beta2', kind: 'Snapshot', metadata: { namespace: 'longhorn-system' }, spec: { volume: 'pvc-1111', createSnapshot: true, labels: { reason: 'upgrade' } } });
    expect(Object.keys(snap.spec).sort()).toEqual(['createSnapshot', 'labels', 'volume']);
    expect(snap.status.readyToUse).toBe(true);
    expect(r.stderr).toContain(`snapshot ${snap.metadata.name} of shop/data is ready`);
    // Server-side apply, field manager k8s-storage (a plain create would not be idempotent).
    expect(writes(s).map((w: any) => [w.verb, w.fieldManager, w.contentType])).toEqual([['patch', 'k8s-storage', 'application/apply-patch+yaml']]);
  });

  it('create waits through the watch: the CLI only returns once Longhorn reported the snapshot ready', async () => {
    const s = await longhornCluster({ controller: { delayMs: 600 } });
    const started = Date.now();
    const r = await s.run(['snapshot', 'create', 'data', '-n', 'shop', '--name', 'slow']);
    expect(r.exitCode).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(get('Snapshot', 'slow').status.readyToUse).toBe(true);
    expect(s.api!.requestsMatching({ verb: 'watch', resource: 'snapshots' }).length).toBeGreaterThanOrEqual(1);
  });

  it('--no-wait returns at once; a Longhorn that never answers makes --timeout fail with the reason', async () => {
    const s = await longhornCluster({ controller: false });
    const r = await s.run(['snapshot', 'create', 'data', '-n', 'shop', '--name', 'nowait', '--no-wait']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('requested (not waiting for it)');
    expect(get('Snapshot', 'nowait').status).toBeUndefined();
    const t = await s.run(['snapshot', 'create', 'data', '-n', 'shop', '--name', 'stuck', '--timeout', '1s']);
    expect(t.exitCode).toBe(1);
    expect(t.stderr).toMatch(/timed out waiting for .*longhorn to take snapshot stuck: status\.readyToUse is undefined, not true/i);
    expect(t.stderr).toContain('hint: Longhorn takes snapshots only of volumes it can reach');
  });

  it('a rerun with the same --name changes nothing', async () => {
    const s = await longhornCluster();
    expect((await s.run(['snapshot', 'create', 'data', '-n', 'shop', '--name', 'once'])).exitCode).toBe(0);
    const before = writes(s).length;
    const r = await s.run(['snapshot', 'create', 'data', '-n', 'shop', '--name', 'once']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('Snapshot once of shop/data already exists and is ready.');
    expect(writes(s).length).toBe(before);
    expect(all('Snapshot')).toHaveLength(1);
  });

  it("--name taken by another claim's snapshot: refused, exit 2", async () => {
    const s = await longhornCluster();
    expect((await s.run(['snapshot', 'create', 'logs', '-n', 'shop', '--name', 'taken'])).exitCode).toBe(0);
    const r = await s.run(['snapshot', 'create', 'data', '-n', 'shop', '--name', 'taken']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('snapshot taken belongs to Longhorn volume pvc-2222 (PVC shop/logs), not to shop/data');
  });

  it('bad flags: every problem at once, exit 2, nothing read from the cluster', async () => {
    const s = await longhornCluster();
    s.api!.clearRequests();
    const r = await s.run(['snapshot', 'create', 'data', '--name', 'Bad_Name', '--label', 'novalue', '--timeout', 'soon']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('3 problems');
    expect(r.stderr).toContain('--label: "novalue" must be KEY=VALUE');
    expect(r.stderr).toContain('--name: "Bad_Name"');
    expect(s.api!.requests).toHaveLength(0);
  });

  it('--dry-run prints the Snapshot and creates nothing', async () => {
    const s = await longhornCluster();
    const r = await s.run(['snapshot', 'create', 'data', '-n', 'shop', '--name', 'dry', '--dry-run', '-o', 'yaml']);
    expect(r.exitCode).toBe(0);
    const plan = parse(r.stdout);
    expect(plan.dryRun).toBe(true);
    expect(plan.steps[0].objects[0]).toEqual({ apiVersion: 'longhorn.io/v1beta2', kind: 'Snapshot', metadata: { name: 'dry', namespace: 'longhorn-system' }, spec: { volume: 'pvc-1111', createSnapshot: true, labels: {} } });
    expect(all('Snapshot')).toEqual([]);
    expect(writes(s)).toEqual([]);
  });

  it('list: every snapshot with its claim, or one claim\'s; table and JSON', async () => {
    const s = await longhornCluster();
    await s.run(['snapshot', 'create', 'data', '-n', 'shop', '--name', 'd1']);
    await s.run(['snapshot', 'create', 'logs', '-n', 'shop', '--name', 'l1']);
    const table = await s.run(['snapshot', 'list']);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/^PVC\s+SNAPSHOT\s+CREATED\s+READY\s+SIZE\s+BY\n/);
    expect(table.stdout).toMatch(/shop\/data\s+d1\s+\S+Z\s+yes\s+1Mi\s+user/);
    expect(table.stdout).toContain('shop/logs');
    // -o wide adds the Longhorn volume; --no-headers leaves the rows only.
    const wide = await s.run(['snapshot', 'list', '-o', 'wide', '--no-headers']);
    expect(wide.stdout).toMatch(/^shop\/data\s+d1\s+\S+Z\s+yes\s+1Mi\s+user\s+pvc-1111\n/);
    const one = await s.run(['snapshot', 'list', 'data', '-n', 'shop', '-o', 'json']);
    const doc = JSON.parse(one.stdout);
    expectOutputSchema('snapshot-list', doc);
    expect(doc).toMatchObject({ apiVersion: 'k8s-storage.io/v1', kind: 'SnapshotList' });
    const rows = doc.items;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: 'd1', claim: 'shop/data', volume: 'pvc-1111', ready: true, size: '1Mi' });
    expect(rows[0].created).toMatch(/^\d{4}-\d\d-\d\dT/);
    const none = await s.run(['snapshot', 'list', 'data', '-n', 'shop', '-o', 'yaml']);
    expect(parse(none.stdout).items).toHaveLength(1);
  });

  it('list -n narrows to that namespace\'s claims; -A (the default without -n) is every namespace', async () => {
    const s = await longhornCluster();
    await s.run(['snapshot', 'create', 'data', '-n', 'shop', '--name', 'd1']);
    await s.run(['snapshot', 'create', 'logs', '-n', 'shop', '--name', 'l1']);
    const claims = async (args: string[]) => JSON.parse((await s.run([...args, '-o', 'json'])).stdout).items.map((r: any) => r.claim).sort();
    for (const cmd of ['snapshot', 'backup']) expect(await claims([cmd, 'list', '-n', 'blog'])).toEqual([]);
    expect(await claims(['snapshot', 'list', '-n', 'shop'])).toEqual(['shop/data', 'shop/logs']);
    expect(await claims(['snapshot', 'list', '-A'])).toEqual(['shop/data', 'shop/logs']);
    for (const args of [['snapshot', 'list', '-A', '-n', 'shop'], ['backup', 'list', '--all-namespaces', '-n', 'shop'], ['snapshot', 'list', 'data', '-A']]) {
      const r = await s.run(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/-A cannot be given with (-n|a PVC)/);
    }
  });

  it('delete: only a snapshot of that claim; gone afterwards; a rerun is a no-op', async () => {
    const s = await longhornCluster();
    await s.run(['snapshot', 'create', 'data', '-n', 'shop', '--name', 'keep']);
    await s.run(['snapshot', 'create', 'logs', '-n', 'shop', '--name', 'other']);
    const wrong = await s.run(['snapshot', 'delete', 'data', 'other', '-n', 'shop']);
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toContain('refusing to delete: snapshot other belongs to Longhorn volume pvc-2222 (PVC shop/logs)');
    expect(get('Snapshot', 'other')).toBeDefined();
    const dry = await s.run(['snapshot', 'delete', 'data', 'keep', '-n', 'shop', '--dry-run']);
    expect(dry.stdout).toContain('delete Snapshot/keep in longhorn-system');
    expect(get('Snapshot', 'keep')).toBeDefined();
    const r = await s.run(['snapshot', 'delete', 'data', 'keep', '-n', 'shop']);
    expect(r.exitCode).toBe(0);
    expect(get('Snapshot', 'keep')).toBeUndefined();
    const again = await s.run(['snapshot', 'delete', 'data', 'keep', '-n', 'shop']);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('Snapshot keep does not exist');
  });
});

describe('backup target', () => {
  it('set nfs: patches the BackupTarget `default` Longhorn made, then reports it reachable', async () => {
    const s = await longhornCluster();
    const r = await s.run(['backup', 'target', 'set', 'nfs://192.168.1.100:/exports/backups']);
    expect(r.stderr).toContain('Longhorn reaches the backup target nfs://192.168.1.100:/exports/backups');
    expect(r.exitCode).toBe(0);
    const t = get('BackupTarget', 'default');
    expect(t.spec).toMatchObject({ backupTargetURL: 'nfs://192.168.1.100:/exports/backups', credentialSecret: '', pollInterval: '300s' });
    expect(Date.parse(t.spec.syncRequestedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(t.status.available).toBe(true);
    // A merge patch: Longhorn owns this object, so server-side apply would conflict with it.
    expect(writes(s).map((w: any) => [w.verb, w.contentType])).toEqual([['patch', 'application/merge-patch+json']]);
  });

  it('a rerun with the same settings changes nothing', async () => {
    const s = await longhornCluster();
    expect((await s.run(['backup', 'target', 'set', 'nfs://nas:/backups'])).exitCode).toBe(0);
    const before = writes(s).length;
    const r = await s.run(['backup', 'target', 'set', 'nfs://nas:/backups']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('already points at nfs://nas:/backups');
    expect(r.stderr).toContain('Longhorn reaches the backup target');
    expect(writes(s).length).toBe(before);
  });

  it('unreachable: exit 1 with Longhorn\'s reason', async () => {
    const s = await longhornCluster({ controller: { reachable: () => 'error mounting nas:/backups: connection timed out' } });
    const r = await s.run(['backup', 'target', 'set', 'nfs://nas:/backups']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Longhorn cannot reach the backup target nfs://nas:/backups: error mounting nas:/backups: connection timed out');
  });

  it('--no-wait and --poll-interval', async () => {
    const s = await longhornCluster({ controller: false });
    const r = await s.run(['backup', 'target', 'set', 'nfs://nas:/backups', '--poll-interval', '10m', '--no-wait']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('Not waiting for Longhorn to check it');
    expect(get('BackupTarget', 'default').spec.pollInterval).toBe('600s');
  });

  it('bad URL: exit 2 with every problem, nothing written', async () => {
    const s = await longhornCluster();
    const r = await s.run(['backup', 'target', 'set', 's3://backups/longhorn']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('is missing @region');
    expect(r.stderr).toContain("must end with '/'");
    expect(r.stderr).toContain('hint: create a Secret and pass --credentials-secret NAME: kubectl -n longhorn-system create secret generic NAME');
    const nfs = await s.run(['backup', 'target', 'set', 'nfs://nas/backups']);
    expect(nfs.exitCode).toBe(2);
    expect(nfs.stderr).toContain("needs a ':' between the NFS server and the export path: nfs://nas:/backups");
    expect(writes(s)).toEqual([]);
  });

  it('s3 without --credentials-secret: exit 2 with the kubectl command that makes one', async () => {
    const s = await longhornCluster();
    const r = await s.run(['backup', 'target', 'set', 's3://backups@us-east-1/longhorn/']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('hint: create a Secret and pass --credentials-secret NAME: kubectl -n longhorn-system create secret generic NAME --from-literal=AWS_ACCESS_KEY_ID=... --from-literal=AWS_SECRET_ACCESS_KEY=...');
  });

  it('s3 with a Secret that does not exist, or lacks a key: exit 2 and how to create it', async () => {
    const s = await longhornCluster();
    const missing = await s.run(['backup', 'target', 'set', 's3://backups@us-east-1/longhorn/', '--credentials-secret', 's3-creds']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('Secret s3-creds does not exist in longhorn-system');
    expect(missing.stderr).toContain('kubectl -n longhorn-system create secret generic s3-creds --from-literal=AWS_ACCESS_KEY_ID=... --from-literal=AWS_SECRET_ACCESS_KEY=...');
    s.api!.store.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's3-creds', namespace: NS }, data: { AWS_ACCESS_KEY_ID: 'YQ==' } });
    const partial = await s.run(['backup', 'target', 'set', 's3://backups@us-east-1/longhorn/', '--credentials-secret', 's3-creds']);
    expect(partial.exitCode).toBe(2);
    expect(partial.stderr).toContain('Secret s3-creds in longhorn-system has no key AWS_SECRET_ACCESS_KEY');
    expect(get('BackupTarget', 'default').spec.backupTargetURL).toBe('');
  });

  it('s3 with a complete Secret: sets URL and credentialSecret', async () => {
    const s = await longhornCluster();
    s.api!.store.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's3-creds', namespace: NS }, data: { AWS_ACCESS_KEY_ID: 'YQ==', AWS_SECRET_ACCESS_KEY: 'Yg==' } });
    const r = await s.run(['backup', 'target', 'set', 's3://backups@us-east-1/longhorn/', '--credentials-secret', 's3-creds']);
    expect(r.exitCode).toBe(0);
    expect(get('BackupTarget', 'default').spec).toMatchObject({ backupTargetURL: 's3://backups@us-east-1/longhorn/', credentialSecret: 's3-creds' });
  });

  it('--dry-run changes nothing; show reports the target', async () => {
    const s = await longhornCluster();
    const dry = await s.run(['backup', 'target', 'set', 'nfs://nas:/backups', '--dry-run']);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain('merge-patch BackupTarget/default in longhorn-system');
    expect(get('BackupTarget', 'default').spec.backupTargetURL).toBe('');
    const unset = await s.run(['backup', 'target', 'show']);
    expect(unset.stdout).toContain('No backup target is set');
    await s.run(['backup', 'target', 'set', 'nfs://nas:/backups']);
    const shown = JSON.parse((await s.run(['backup', 'target', 'show', '-o', 'json'])).stdout);
    expectOutputSchema('backup-target-summary', shown);
    expect(shown).toMatchObject({ name: 'default', url: 'nfs://nas:/backups', reachability: 'available', pollInterval: '300s' });
  });
});

describe('backup create', () => {
  it('no backup target configured: refused with the command that sets one', async () => {
    const s = await longhornCluster();
    const r = await s.run(['backup', 'create', 'data', '-n', 'shop']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('no backup target is configured');
    expect(r.stderr).toContain('hint: k8s-storage backup target set nfs://');
    expect(all('Snapshot')).toEqual([]);
    expect(all('Backup')).toEqual([]);
  });

  it('without --snapshot: takes a snapshot, waits for it, then backs it up and waits for Completed', async () => {
    const s = await longhornCluster({ target: 'nfs://nas:/backups' });
    const r = await s.run(['backup', 'create', 'data', '-n', 'shop', '--label', 'reason=nightly']);
    expect(r.exitCode).toBe(0);
    const [snap] = all('Snapshot');
    expect(snap.spec.volume).toBe('pvc-1111');
    const [backup] = all('Backup');
    expect(backup.metadata.name).toBe(`backup-${snap.metadata.name}`);
    expect(backup).toMatchObject({ apiVersion: 'longhorn.io/v1beta2', kind: 'Backup', metadata: { namespace: 'longhorn-system', labels: { 'backup-volume': 'pvc-1111' } }, spec: { snapshotName: snap.metadata.name, labels: { reason: 'nightly' } } });
    expect(backup.status.state).toBe('Completed');
    expect(r.stderr).toContain(`backup ${backup.metadata.name} of shop/data completed: nfs://nas:/backups?backup=`);
    // The snapshot came first, and the backup only after it was ready.
    const order = writes(s).map((w: any) => w.resource);
    expect(order).toEqual(['snapshots', 'backups']);
  });

  it('--snapshot NAME --mode full: backs up that snapshot; a rerun finds the same backup', async () => {
    const s = await longhornCluster({ target: 'nfs://nas:/backups' });
    await s.run(['snapshot', 'create', 'data', '-n', 'shop', '--name', 'before-upgrade']);
    const r = await s.run(['backup', 'create', 'data', '-n', 'shop', '--snapshot', 'before-upgrade', '--mode', 'full']);
    expect(r.exitCode).toBe(0);
    expect(get('Backup', 'backup-before-upgrade')).toMatchObject({ spec: { snapshotName: 'before-upgrade', backupMode: 'full' }, status: { state: 'Completed' } });
    const before = writes(s).length;
    const again = await s.run(['backup', 'create', 'data', '-n', 'shop', '--snapshot', 'before-upgrade', '--mode', 'full']);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('Backup backup-before-upgrade of snapshot before-upgrade already exists (Completed).');
    expect(writes(s).length).toBe(before);
    expect(all('Snapshot')).toHaveLength(1);
  });

  it('--snapshot that does not exist or is another claim\'s: exit 2', async () => {
    const s = await longhornCluster({ target: 'nfs://nas:/backups' });
    const r = await s.run(['backup', 'create', 'data', '-n', 'shop', '--snapshot', 'nope']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('snapshot nope does not exist');
    await s.run(['snapshot', 'create', 'logs', '-n', 'shop', '--name', 'of-logs']);
    const other = await s.run(['backup', 'create', 'data', '-n', 'shop', '--snapshot', 'of-logs']);
    expect(other.exitCode).toBe(2);
    expect(other.stderr).toContain('belongs to Longhorn volume pvc-2222 (PVC shop/logs)');
    const mode = await s.run(['backup', 'create', 'data', '--mode', 'differential']);
    expect(mode.exitCode).toBe(2);
    expect(mode.stderr).toContain('--mode: "differential" is not one of full, incremental');
  });

  it('a backup Longhorn fails: the wait ends at once and the error is Longhorn\'s', async () => {
    const s = await longhornCluster({ target: 'nfs://nas:/backups', controller: { reachable: () => 'mount failed' } });
    await s.api!.waitFor(() => get('BackupTarget', 'default').status?.available === false);
    const started = Date.now();
    const r = await s.run(['backup', 'create', 'data', '-n', 'shop', '--timeout', '20s']);
    expect(r.exitCode).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.stderr).toContain('warning: Longhorn reports the backup target nfs://nas:/backups unavailable: mount failed');
    expect(r.stderr).toMatch(/status\.state is "Error", not "Completed" \(status\.error: "backup target nfs:\/\/nas:\/backups is unavailable"\)/);
  });

  it('--no-wait: the backup is created and left to Longhorn', async () => {
    const s = await longhornCluster({ target: 'nfs://nas:/backups', controller: { backups: false } });
    const r = await s.run(['backup', 'create', 'data', '-n', 'shop', '--no-wait']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('started (not waiting)');
    expect(all('Backup')).toHaveLength(1);
  });

  it('--dry-run: the plan has the snapshot, its wait, the backup; nothing is created', async () => {
    const s = await longhornCluster({ target: 'nfs://nas:/backups' });
    const r = await s.run(['backup', 'create', 'data', '-n', 'shop', '--dry-run']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/server-side apply Snapshot\/data-\d{14} in longhorn-system/);
    expect(r.stdout).toMatch(/server-side apply Backup\/backup-data-\d{14} in longhorn-system/);
    expect(r.stdout).toContain('{"status":{"state":"Completed"}}');
    expect(all('Snapshot')).toEqual([]);
    expect(all('Backup')).toEqual([]);
  });

  it('list: backups with claim, snapshot and state', async () => {
    const s = await longhornCluster({ target: 'nfs://nas:/backups' });
    await s.run(['backup', 'create', 'data', '-n', 'shop']);
    await s.run(['backup', 'create', 'logs', '-n', 'shop']);
    const backups = JSON.parse((await s.run(['backup', 'list', 'data', '-n', 'shop', '-o', 'json'])).stdout);
    expectOutputSchema('backup-list', backups);
    const rows = backups.items;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ claim: 'shop/data', volume: 'pvc-1111', state: 'Completed', progress: 100 });
    const table = await s.run(['backup', 'list']);
    expect(table.stdout).toMatch(/^PVC\s+BACKUP\s+SNAPSHOT\s+STATE\s+CREATED\s+SIZE\n/);
    expect(table.stdout.trim().split('\n')).toHaveLength(3);
    const wide = await s.run(['backup', 'list', 'data', '-n', 'shop', '-o', 'wide']);
    expect(wide.stdout).toMatch(/^PVC\s+BACKUP\s+SNAPSHOT\s+STATE\s+CREATED\s+SIZE\s+VOLUME\s+URL\n/);
    expect(wide.stdout).toContain(`pvc-1111   ${rows[0].url ?? '-'}`);
    const bare = await s.run(['backup', 'list', '--no-headers']);
    expect(bare.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0])).toEqual(['shop/data', 'shop/logs']);
  });
});

describe('schedule', () => {
  it('create: every problem at once (name, cron, retain), exit 2', async () => {
    const s = await longhornCluster();
    const r = await s.run(['schedule', 'create', 'Nightly_Backup', '--task', 'backup', '--cron', '0 25 * *', '--retain', '500']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('3 problems');
    expect(r.stderr).toContain('NAME: "Nightly_Backup"');
    expect(r.stderr).toContain('--cron: "0 25 * *" has 4 fields; expected 5');
    expect(r.stderr).toContain('--retain: 500 is out of range 1-100 for task backup');
    const more = await s.run(['schedule', 'create', 'n', '--task', 'backup', '--cron', '0 2 * * 7', '--retain', 'x']);
    expect(more.stderr).toContain('--retain: "x" is not a whole number');
    expect(more.stderr).toContain('day of week 7 is out of range 0-6; use 0 for Sunday');
    expect(all('RecurringJob')).toEqual([]);
  });

  it('create: the RecurringJob Longhorn expects; a rerun changes nothing; a change updates it', async () => {
    const s = await longhornCluster();
    const r = await s.run(['schedule', 'create', 'nightly', '--task', 'backup', '--cron', '0 2 * * *', '--retain', '7', '--group', 'db', '--concurrency', '2']);
    expect(r.exitCode).toBe(0);
    expect(get('RecurringJob', 'nightly')).toMatchObject({
      apiVersion: 'longhorn.io/v1beta2',
      kind: 'RecurringJob',
      metadata: { namespace: 'longhorn-system' },
      spec: { name: 'nightly', task: 'backup', cron: '0 2 * * *', retain: 7, concurrency: 2, groups: ['db'], labels: {} },
    });
    const before = writes(s).length;
    const again = await s.run(['schedule', 'create', 'nightly', '--task', 'backup', '--cron', '0 2 * * *', '--retain', '7', '--group', 'db', '--concurrency', '2']);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('already exists with these settings');
    expect(writes(s).length).toBe(before);
    const changed = await s.run(['schedule', 'create', 'nightly', '--task', 'backup', '--cron', '0 3 * * *', '--retain', '7', '--group', 'db', '--concurrency', '2']);
    expect(changed.stderr).toContain('recurring job nightly updated');
    expect(get('RecurringJob', 'nightly').spec.cron).toBe('0 3 * * *');
  });

  it('attach labels the Longhorn volume; detach removes the label; both rerun cleanly', async () => {
    const s = await longhornCluster();
    const missing = await s.run(['schedule', 'attach', 'nightly', 'data', '-n', 'shop']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('recurring job nightly does not exist');
    await s.run(['schedule', 'create', 'nightly', '--task', 'snapshot', '--cron', '@daily', '--retain', '3']);
    const dry = await s.run(['schedule', 'attach', 'nightly', 'data', '-n', 'shop', '--dry-run']);
    expect(dry.stdout).toContain('merge-patch Volume/pvc-1111 in longhorn-system: {"metadata":{"labels":{"recurring-job.longhorn.io/nightly":"enabled"}}}');
    expect(get('Volume', 'pvc-1111').metadata.labels).toBeUndefined();
    const r = await s.run(['schedule', 'attach', 'nightly', 'data', '-n', 'shop']);
    expect(r.exitCode).toBe(0);
    expect(get('Volume', 'pvc-1111').metadata.labels).toEqual({ 'recurring-job.longhorn.io/nightly': 'enabled' });
    expect(get('Volume', 'pvc-2222').metadata.labels).toBeUndefined();
    expect((await s.run(['schedule', 'attach', 'nightly', 'data', '-n', 'shop'])).stderr).toContain('already attached');
    const list = JSON.parse((await s.run(['schedule', 'list', '-o', 'json'])).stdout);
    expectOutputSchema('schedule-list', list);
    expect(list).toEqual({ apiVersion: 'k8s-storage.io/v1', kind: 'ScheduleList', items: [{ name: 'nightly', task: 'snapshot', cron: '@daily', retain: 3, concurrency: 1, groups: [], volumes: [{ volume: 'pvc-1111', claim: 'shop/data', via: 'label' }] }] });
    const d = await s.run(['schedule', 'detach', 'nightly', 'data', '-n', 'shop']);
    expect(d.exitCode).toBe(0);
    expect(get('Volume', 'pvc-1111').metadata.labels ?? {}).toEqual({});
    expect((await s.run(['schedule', 'detach', 'nightly', 'data', '-n', 'shop'])).stderr).toContain('is not attached to shop/data by its own label');
  });

  it('attaching to a volume that followed the "default" group says those jobs stop applying', async () => {
    const s = await longhornCluster();
    await s.run(['schedule', 'create', 'everyone', '--task', 'snapshot', '--cron', '@hourly', '--retain', '5', '--group', 'default']);
    await s.run(['schedule', 'create', 'nightly', '--task', 'backup', '--cron', '@daily', '--retain', '3']);
    const table = await s.run(['schedule', 'list']);
    expect(table.stdout).toMatch(/everyone\s+snapshot\s+@hourly\s+5\s+default\s+shop\/data, shop\/logs/);
    const wide = await s.run(['schedule', 'list', '-o', 'wide', '--no-headers']);
    expect(wide.stdout).toMatch(/^everyone\s+snapshot\s+@hourly\s+5\s+1\s+default\s+shop\/data, shop\/logs\n/);
    const r = await s.run(['schedule', 'attach', 'nightly', 'data', '-n', 'shop']);
    expect(r.stderr).toContain('the jobs of group "default" (everyone) stop applying to it');
  });

  it('delete removes the job; a rerun is a no-op', async () => {
    const s = await longhornCluster();
    await s.run(['schedule', 'create', 'nightly', '--task', 'snapshot', '--cron', '@daily', '--retain', '3']);
    expect((await s.run(['schedule', 'delete', 'nightly'])).exitCode).toBe(0);
    expect(get('RecurringJob', 'nightly')).toBeUndefined();
    expect((await s.run(['schedule', 'delete', 'nightly'])).stderr).toContain('does not exist');
  });

  it("help says it replaces the seed's CronJob", async () => {
    const s = await longhornCluster({ controller: false });
    const r = await s.run(['schedule', '--help']);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('instead of a CronJob: `longhorn-manager backup create` does not exist');
  });
});

// Pure pieces the CLI tests above rely on, checked without a cluster.
describe('planners and helpers', () => {
  const c = { namespace: 'shop', name: 'data', volume: 'pvc-1' };
  const snap = (name: string, volume: string, ready = true) => ({ apiVersion: 'longhorn.io/v1beta2' as const, kind: 'Snapshot' as const, metadata: { name, namespace: NS }, spec: { volume, createSnapshot: true, labels: {} }, status: { readyToUse: ready } });
  const volume = (labels?: Record<string, string>): LonghornVolume => ({ apiVersion: 'longhorn.io/v1beta2', kind: 'Volume', metadata: { name: 'pvc-1', ...(labels ? { labels } : {}) }, spec: {} });
  const job = (name: string, groups: string[] = []) => ({ apiVersion: 'longhorn.io/v1beta2' as const, kind: 'RecurringJob' as const, metadata: { name, namespace: NS }, spec: { name, groups, task: 'backup' as const, cron: '@daily', retain: 1, concurrency: 1, labels: {} } });

  it.each([
    ['bound Longhorn claim', { status: { phase: 'Bound' }, spec: { volumeName: 'pv-a' } }, { spec: { csi: { driver: 'driver.longhorn.io', volumeHandle: 'vol-a' } } }, 'vol-a'],
    ['no volume handle: the PV name', { status: { phase: 'Bound' }, spec: { volumeName: 'pv-a' } }, { spec: { csi: { driver: 'driver.longhorn.io' } } }, 'pv-a'],
    ['pending', { status: { phase: 'Pending' }, spec: {} }, undefined, /is Pending, not Bound yet/],
    ['pending on hostpath', { metadata: { annotations: { 'volume.kubernetes.io/storage-provisioner': 'microk8s.io/hostpath' } }, status: { phase: 'Pending' }, spec: {} }, undefined, /this claim uses microk8s.io\/hostpath/],
    ['nfs csi', { status: { phase: 'Bound' }, spec: { volumeName: 'pv-a' } }, { spec: { csi: { driver: 'nfs.csi.k8s.io' } } }, /this claim uses nfs.csi.k8s.io/],
    ['PV gone', { status: { phase: 'Bound' }, spec: { volumeName: 'pv-a' } }, undefined, /PersistentVolume pv-a, which does not exist/],
  ])('longhornVolumeOfClaim: %s', (_name, pvc, pv, expected) => {
    const p = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...pvc, metadata: { name: 'data', namespace: 'shop', ...((pvc as any).metadata ?? {}) } } as any;
    const v = pv ? ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-a' }, ...pv } as any) : undefined;
    if (typeof expected === 'string') expect(longhornVolumeOfClaim(p, v)).toBe(expected);
    else expect(() => longhornVolumeOfClaim(p, v)).toThrow(expected);
  });

  it('snapshot plans: create, already there, owned by another volume, delete', () => {
    expect(planSnapshotCreate(c, { name: 's', wait: true, timeoutMs: 1000 }).steps.map((s) => s.kind)).toEqual(['apply', 'wait']);
    expect(planSnapshotCreate(c, { name: 's', wait: false, timeoutMs: 1000 }).steps.map((s) => s.kind)).toEqual(['apply']);
    expect(planSnapshotCreate(c, { name: 's', wait: true, timeoutMs: 1000 }, { existing: snap('s', 'pvc-1') }).steps).toEqual([]);
    expect(planSnapshotCreate(c, { name: 's', wait: true, timeoutMs: 1000 }, { existing: snap('s', 'pvc-1', false) }).steps.map((s) => s.kind)).toEqual(['wait']);
    expect(() => planSnapshotCreate(c, { name: 's', wait: true, timeoutMs: 1000 }, { existing: snap('s', 'pvc-2') })).toThrow(/belongs to Longhorn volume pvc-2/);
    expect(planSnapshotDelete(c, 's', { wait: true, timeoutMs: 1000 }, { existing: snap('s', 'pvc-1') }).steps.map((s) => s.kind)).toEqual(['delete', 'wait']);
    expect(() => planSnapshotDelete(c, 's', { wait: true, timeoutMs: 1000 }, { existing: snap('s', 'pvc-9') })).toThrow(/refusing to delete/);
  });

  it('backup plan: the wait stops on Error and the verify reports it with status.error', () => {
    const target = { apiVersion: 'longhorn.io/v1beta2' as const, kind: 'BackupTarget' as const, metadata: { name: 'default', namespace: NS }, spec: { backupTargetURL: 'nfs://a:/b', credentialSecret: '', pollInterval: '300s' }, status: { available: true } };
    const plan = planBackupCreate(c, { snapshot: 's', takeSnapshot: true, wait: true, timeoutMs: 1000, snapshotTimeoutMs: 1000 }, { targetName: 'default', target });
    expect(plan.steps.map((s) => s.kind)).toEqual(['apply', 'wait', 'apply', 'wait', 'verify']);
    const wait = plan.steps[3] as any;
    const verify = (plan.steps[4] as any).expect[0];
    const failed = { apiVersion: 'longhorn.io/v1beta2', kind: 'Backup', metadata: { name: 'backup-s' }, status: { state: 'Error', error: 'no route to host' } } as any;
    expect(judge(wait.until, failed)).toBe(true);
    expect(judge(verify, failed)).toBe('status.state is "Error", not "Completed" (status.error: "no route to host")');
    expect(judge(verify, { ...failed, status: { state: 'Completed' } })).toBe(true);
    expect(judge(wait.until, { ...failed, status: { state: 'InProgress' } })).toBe('status.state is "InProgress", not "Completed"');
    expect(BACKUP_COMPLETED).toEqual({ status: { state: 'Completed' } });
    expect(() => planBackupCreate(c, { snapshot: 's', takeSnapshot: true, wait: true, timeoutMs: 1, snapshotTimeoutMs: 1 }, { targetName: 'default' })).toThrow(/no backup target is configured/);
  });

  it('buildBackup sets the backup-volume label only when the volume is given', () => {
    expect(buildBackup({ snapshotName: 's', volume: 'pvc-1' }).metadata.labels).toEqual({ 'backup-volume': 'pvc-1' });
    expect(buildBackup({ snapshotName: 's' }).metadata.labels).toBeUndefined();
  });

  it.each([
    ['5m0s', 300],
    ['300s', 300],
    ['1h0m0s', 3600],
    ['0', 0],
    ['0s', 0],
    ['soon', undefined],
  ])('goDurationSeconds(%s) = %s', (text, seconds) => {
    expect(goDurationSeconds(text)).toBe(seconds);
  });

  it('checkedSince: fresh success, a changed failure, a stale status', () => {
    const t = (status: any) => ({ apiVersion: 'longhorn.io/v1beta2' as const, kind: 'BackupTarget' as const, metadata: { name: 'default', namespace: NS }, spec: { backupTargetURL: 'nfs://a:/b', credentialSecret: '', pollInterval: '300s' }, status });
    const at = '2026-05-01T10:00:00Z';
    const down = (m: string) => ({ available: false, conditions: [{ type: 'Unavailable', status: 'True', message: m }] });
    expect(checkedSince(t({}), t({ available: true, lastSyncedAt: '2026-05-01T10:00:02Z' }), at)).toBe(true);
    expect(checkedSince(t({}), t({ available: true, lastSyncedAt: '2026-04-01T10:00:00Z' }), at)).toBe(false);
    expect(checkedSince(t(down('URL is empty')), t(down('mount failed')), at)).toBe(true);
    expect(checkedSince(t(down('mount failed')), t(down('mount failed')), at)).toBe(false);
    // The target being replaced had no URL: its old complaint is not an answer about the new one.
    const empty = { ...t(down('backup target URL is empty')), spec: { backupTargetURL: '', credentialSecret: '', pollInterval: '300s' } };
    expect(checkedSince(empty, t(down('backup target URL is empty')), at)).toBe(false);
    // A sync a moment before the request (within the clock skew allowed) is not the answer to it.
    const synced = t({ available: true, lastSyncedAt: '2026-05-01T09:59:59Z' });
    expect(checkedSince(synced, synced, at)).toBe(false);
    expect(checkedSince(synced, t({ available: true, lastSyncedAt: '2026-05-01T10:00:01Z' }), at)).toBe(true);
  });

  it('syncRequestTime: now in whole seconds, but always after the last sync (Longhorn ignores a request in the same second)', () => {
    const t = (lastSyncedAt?: string) => ({ apiVersion: 'longhorn.io/v1beta2' as const, kind: 'BackupTarget' as const, metadata: { name: 'default', namespace: NS }, spec: { backupTargetURL: 'nfs://a:/b', credentialSecret: '', pollInterval: '300s' }, status: lastSyncedAt ? { available: true, lastSyncedAt } : {} });
    const now = Date.parse('2026-05-01T10:00:00.700Z');
    expect(syncRequestTime(undefined, now)).toBe('2026-05-01T10:00:00Z');
    expect(syncRequestTime(t('2026-05-01T09:00:00Z'), now)).toBe('2026-05-01T10:00:00Z');
    expect(syncRequestTime(t('2026-05-01T10:00:00Z'), now)).toBe('2026-05-01T10:00:01Z');
  });

  it('attach/detach plans: the label, default-group notice, group still attaching', () => {
    expect(() => planScheduleAttach('nightly', c, { volume: volume() })).toThrow(/does not exist/);
    const p = planScheduleAttach('nightly', c, { job: job('nightly'), volume: volume(), jobs: [job('nightly'), job('hourly', ['default'])] });
    expect(p.steps[0]).toMatchObject({ kind: 'patch', patch: { metadata: { labels: { 'recurring-job.longhorn.io/nightly': 'enabled' } } } });
    expect(p.warnings[0]).toContain('(hourly) stop applying');
    const d = planScheduleDetach('nightly', c, { job: job('nightly', ['db']), volume: volume({ 'recurring-job.longhorn.io/nightly': 'enabled', 'recurring-job-group.longhorn.io/db': 'enabled' }) });
    expect(d.steps[0]).toMatchObject({ patch: { metadata: { labels: { 'recurring-job.longhorn.io/nightly': null } } } });
    expect(d.warnings[0]).toContain('still runs on shop/data through a group label');
  });

  it('credentialSecretCommand names the keys for each kind', () => {
    expect(credentialSecretCommand('azblob', 'az')).toBe('kubectl -n longhorn-system create secret generic az --from-literal=AZBLOB_ACCOUNT_NAME=... --from-literal=AZBLOB_ACCOUNT_KEY=...');
    expect(credentialSecretCommand('s3', 'x')).toContain('--from-literal=AWS_ENDPOINTS=https://minio.example.com:9000');
  });
});
