/**
 * install/uninstall snapshot-controller (vendored external-snapshotter v8.6.0), status's CSI
 * snapshot line, and snapshot create --csi: refusals before any change, the backend's
 * VolumeSnapshotClass applied when missing, a wait until readyToUse (the fake's
 * snapshotVolumes() stands in for snapshot-controller and the CSI snapshotter sidecar).
 * Custom resources are validated against the vendored CRDs' own schemas, the rest against
 * kubernetes-models.
 */
import ajvModule from 'ajv';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';
import { seedClaim } from '../helpers/data-tree.js';
import { expectAllSchemaValid } from '../helpers/schema.js';
import { expectOutputSchema } from '../helpers/output-schema.js';
import { csiSnapshotStatus, planSnapshotControllerInstall, snapshotControllerObjects } from '../../src/snapshots/controller.js';
import { volumeSnapshotClassObject } from '../../src/snapshots/csi.js';
import { BACKENDS } from '../../src/backends/index.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

const NS = 'shop';
const SNAP_GROUPS = ['snapshot.storage.k8s.io', 'groupsnapshot.storage.k8s.io'];
// ajv is CommonJS: under NodeNext its default import is the module, whose default is the class.
const Ajv = (ajvModule as unknown as { default: new (o: object) => { compile(schema: unknown): ((doc: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] } } }).default;
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });

/** Errors of a custom resource against the v1 schema of the vendored CRD for its kind. */
function crdErrors(obj: { apiVersion: string; kind: string }): string[] {
  const [group, version] = obj.apiVersion.split('/');
  const crd = snapshotControllerObjects().find((o: any) => o.kind === 'CustomResourceDefinition' && o.spec.group === group && o.spec.names.kind === obj.kind) as any;
  if (!crd) return [`no vendored CRD for ${obj.apiVersion} ${obj.kind}`];
  const schema = crd.spec.versions.find((v: any) => v.name === version).schema.openAPIV3Schema;
  const validate = ajv.compile(schema);
  return validate(obj) ? [] : validate.errors!.map((e) => `${e.instancePath || '/'} ${e.message}`);
}

async function cluster(o: { installed?: boolean } = {}) {
  sb = await perTest.create({ api: { nodes: ['node-1'], hiddenGroups: SNAP_GROUPS } });
  sb.api!.controllers.autoReadyWorkloads();
  sb.api!.controllers.snapshotVolumes();
  seedClaim(sb.api!, { namespace: NS, name: 'db', pv: 'pvc-db', provisioner: 'driver.longhorn.io', size: '2Gi' });
  seedClaim(sb.api!, { namespace: NS, name: 'files', pv: 'pvc-files' });
  if (o.installed) expect((await sb.run(['install', 'snapshot-controller'])).exitCode).toBe(0);
  return sb;
}

const writes = (s: Sandbox) => s.api!.requests.filter((r: any) => ['create', 'patch', 'update', 'delete'].includes(r.verb));

describe('install snapshot-controller', () => {
  it('ships the vendored manifests: source and tag in every header, valid objects, the pinned image', async () => {
    for (const f of readdirSync('templates/snapshot-controller')) expect((await import('node:fs')).readFileSync(`templates/snapshot-controller/${f}`, 'utf8')).toMatch(/^# Vendored .*github\.com\/kubernetes-csi\/external-snapshotter/);
    const objects = snapshotControllerObjects();
    expect(objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name).sort()).toEqual([
      'volumegroupsnapshotclasses.groupsnapshot.storage.k8s.io',
      'volumegroupsnapshotcontents.groupsnapshot.storage.k8s.io',
      'volumegroupsnapshots.groupsnapshot.storage.k8s.io',
      'volumesnapshotclasses.snapshot.storage.k8s.io',
      'volumesnapshotcontents.snapshot.storage.k8s.io',
      'volumesnapshots.snapshot.storage.k8s.io',
    ]);
    expect(JSON.stringify(objects.find((o) => o.kind === 'Deployment'))).toContain('registry.k8s.io/sig-storage/snapshot-controller:v8.6.0');
    await expectAllSchemaValid(objects);
  });

  it('applies the CRDs and the controller, waits until Established and available; a rerun changes nothing', async () => {
    const s = await cluster();
    // First the plan for machines: its waits for Established CRDs, as schemas/plan.schema.json describes them.
    const dry = await s.run(['install', 'snapshot-controller', '--dry-run', '-o', 'json']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(JSON.stringify(plan)).toContain('crd-established');
    expectOutputSchema('plan', plan);
    const r = await s.run(['install', 'snapshot-controller']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('snapshot-controller v8.6.0 is running');
    for (const name of ['volumesnapshots.snapshot.storage.k8s.io', 'volumegroupsnapshots.groupsnapshot.storage.k8s.io']) {
      expect(s.api!.store.get('customresourcedefinitions', name)?.status.conditions.find((c: any) => c.type === 'Established').status).toBe('True');
    }
    expect(s.api!.store.get('apps/deployments', 'snapshot-controller', 'kube-system').spec.template.spec.containers[0].image).toBe('registry.k8s.io/sig-storage/snapshot-controller:v8.6.0');
    expect(s.api!.store.get('clusterroles', 'snapshot-controller-runner')).toBeDefined();
    const before = writes(s).length;
    const again = await s.run(['install', 'snapshot-controller']);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('are installed and ready');
    expect(writes(s).length).toBe(before);
  }, 60_000);

  it('status says whether CSI snapshots are available', async () => {
    const s = await cluster();
    const before = await s.run(['status']);
    expect(before.stdout).toContain('CSI snapshots: not available (no snapshot CRDs; k8s-storage install snapshot-controller)');
    expect(JSON.parse((await s.run(['status', '-o', 'json'])).stdout).csiSnapshots).toEqual({ available: false, crds: false, controller: 'absent', fix: 'k8s-storage install snapshot-controller' });
    expect((await s.run(['install', 'snapshot-controller'])).exitCode).toBe(0);
    expect((await s.run(['status'])).stdout).toContain('CSI snapshots: available (snapshot-controller v8.6.0)');
    const after = JSON.parse((await s.run(['status', '-o', 'json'])).stdout);
    expect(after.csiSnapshots).toMatchObject({ available: true, crds: true, controller: 'ready', version: 'v8.6.0' });
    expectOutputSchema('status-report', after);
  }, 60_000);

  it('uninstall refuses while VolumeSnapshots exist; --delete-snapshots --yes removes controller and CRDs', async () => {
    const s = await cluster({ installed: true });
    expect((await s.run(['snapshot', 'create', 'db', '-n', NS, '--csi', '--name', 'keep'])).exitCode).toBe(0);
    const refused = await s.run(['uninstall', 'snapshot-controller']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('1 VolumeSnapshot(s) exist (shop/keep)');
    expect(refused.stderr).toContain('--delete-snapshots');
    expect(s.api!.store.get('apps/deployments', 'snapshot-controller', 'kube-system')).toBeDefined();
    const r = await s.run(['uninstall', 'snapshot-controller', '--delete-snapshots', '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(s.api!.store.get('apps/deployments', 'snapshot-controller', 'kube-system')).toBeUndefined();
    expect(s.api!.store.get('customresourcedefinitions', 'volumesnapshots.snapshot.storage.k8s.io')).toBeUndefined();
    const after = await s.run(['snapshot', 'create', 'db', '-n', NS, '--csi']);
    expect(after.exitCode, after.stderr).toBe(2);
    expect((await s.run(['uninstall', 'snapshot-controller'])).stderr).toContain('not installed');
  }, 60_000);
});

describe('snapshot create --csi', () => {
  it('refuses before any change without the snapshot CRDs, naming the install command', async () => {
    const s = await cluster();
    const before = writes(s).length;
    const r = await s.run(['snapshot', 'create', 'db', '-n', NS, '--csi']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('does not serve snapshot.storage.k8s.io/v1 VolumeSnapshot');
    expect(r.stderr).toContain('k8s-storage install snapshot-controller');
    expect(writes(s).length).toBe(before);
  });

  it("takes a Longhorn VolumeSnapshot with the backend's class (created when missing) and waits until it is ready", async () => {
    const s = await cluster({ installed: true });
    const r = await s.run(['snapshot', 'create', 'db', '-n', NS, '--csi', '--name', 'before-upgrade', '--label', 'reason=upgrade']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('VolumeSnapshot shop/before-upgrade of shop/db is ready to use (content snapcontent-');
    const cls = s.api!.store.get('volumesnapshotclasses', 'longhorn-snapshot');
    expect(cls).toMatchObject({ driver: 'driver.longhorn.io', deletionPolicy: 'Delete', parameters: { type: 'snap' } });
    const vs = s.api!.store.get('volumesnapshots', 'before-upgrade', NS);
    expect(vs).toMatchObject({ metadata: { labels: { reason: 'upgrade' } }, spec: { volumeSnapshotClassName: 'longhorn-snapshot', source: { persistentVolumeClaimName: 'db' } }, status: { readyToUse: true, restoreSize: '2Gi' } });
    for (const o of [cls, vs]) expect(crdErrors(o), o.kind).toEqual([]);
    // --snapshot-class longhorn-backup: a Longhorn backup (type bak); a rerun of a name changes nothing.
    expect((await s.run(['snapshot', 'create', 'db', '-n', NS, '--csi', '--name', 'nightly', '--snapshot-class', 'longhorn-backup'])).exitCode).toBe(0);
    expect(s.api!.store.get('volumesnapshotclasses', 'longhorn-backup').parameters).toEqual({ type: 'bak' });
    const before = writes(s).length;
    const again = await s.run(['snapshot', 'create', 'db', '-n', NS, '--csi', '--name', 'before-upgrade']);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('exists already and is ready to use');
    expect(writes(s).length).toBe(before);
  }, 60_000);

  it('refuses a backend without CSI snapshots, an unknown class and a name taken by another claim, all at once, before any change', async () => {
    const s = await cluster({ installed: true });
    expect((await s.run(['snapshot', 'create', 'db', '-n', NS, '--csi', '--name', 'taken'])).exitCode).toBe(0);
    const before = writes(s).length;
    const r = await s.run(['snapshot', 'create', 'files', '-n', NS, '--csi', '--name', 'taken', '--snapshot-class', 'nope']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('shop/files: MicroK8s hostpath storage (microk8s.io/hostpath) has no CSI snapshots');
    expect(r.stderr).toContain('--snapshot-class nope: no such VolumeSnapshotClass');
    expect(r.stderr).toContain('VolumeSnapshot shop/taken exists and is of claim db');
    expect(writes(s).length).toBe(before);
  }, 60_000);

  it('says why a snapshot does not get ready (the wait quotes status.error)', async () => {
    const s = await cluster({ installed: true });
    s.api!.store.put({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotClass', metadata: { name: 'other' }, driver: 'driver.longhorn.io', deletionPolicy: 'Delete' });
    // Still Longhorn's by its provisioned-by annotation, but no CSI volume: the controller cannot snapshot it.
    s.api!.store.update('persistentvolumes', 'pvc-db', undefined, (o: any) => {
      delete o.spec.csi;
      o.spec.local = { path: '/mnt/x' };
    });
    const r = await s.run(['snapshot', 'create', 'db', '-n', NS, '--csi', '--name', 'x', '--snapshot-class', 'other', '--timeout', '2s']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('status.error.message');
  }, 60_000);

  it("every backend's VolumeSnapshotClass is valid against the vendored CRD, and names one of its provisioners", () => {
    const specs = BACKENDS.flatMap((b) => (b.volumeSnapshotClasses ?? []).map((c) => ({ b, c })));
    expect(specs.length).toBeGreaterThanOrEqual(5);
    for (const { b, c } of specs) {
      expect(b.provisioners).toContain(c.driver);
      expect(crdErrors(volumeSnapshotClassObject(c)), c.name).toEqual([]);
    }
  });
});

describe('snapshot-controller planners (pure)', () => {
  const objects = snapshotControllerObjects();
  const allCrds = Object.fromEntries(objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => [o.metadata.name, true]));
  const deployment = (image: string, ready: boolean) => ({ ...objects.find((o) => o.kind === 'Deployment')!, spec: { replicas: 2, template: { spec: { containers: [{ name: 'snapshot-controller', image }] } } }, status: ready ? { observedGeneration: 1, readyReplicas: 2, availableReplicas: 2 } : {} }) as any;
  it.each([
    ['nothing installed', {}, undefined, 9],
    ['all there and ready', allCrds, deployment('registry.k8s.io/sig-storage/snapshot-controller:v8.6.0', true), 0],
    ['an older controller', allCrds, deployment('registry.k8s.io/sig-storage/snapshot-controller:v8.2.0', true), 9],
    ['one CRD not Established', { ...allCrds, 'volumesnapshots.snapshot.storage.k8s.io': false }, deployment('registry.k8s.io/sig-storage/snapshot-controller:v8.6.0', true), 9],
    ['not ready yet', allCrds, deployment('registry.k8s.io/sig-storage/snapshot-controller:v8.6.0', false), 9],
  ])('install: %s -> %i steps', (_what, crds, dep, steps) => {
    const plan = planSnapshotControllerInstall({ crds, ...(dep ? { deployment: dep } : {}) }, objects);
    expect(plan.steps).toHaveLength(steps);
  });
  it.each([
    [false, undefined, { available: false, controller: 'absent', fix: 'k8s-storage install snapshot-controller' }],
    [true, deployment('x:v8.6.0', false), { available: false, controller: 'not ready', fix: 'kubectl -n kube-system describe deployment snapshot-controller' }],
    [true, deployment('x:v8.6.0', true), { available: true, controller: 'ready', version: 'v8.6.0' }],
  ])('status: served %s', (served, dep, expected) => {
    expect(csiSnapshotStatus(served, dep)).toMatchObject(expected);
  });
});
