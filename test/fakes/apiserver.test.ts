// The fake API server, driven by the real @kubernetes/client-node 1.4. Each test proves one
// behaviour of the real server that code under test relies on.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { startFakeApiServer } from './apiserver.mjs';

type FakeApiServer = Awaited<ReturnType<typeof startFakeApiServer>>;

let api: FakeApiServer;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;

beforeEach(async () => {
  api = await startFakeApiServer();
  kc = new k8s.KubeConfig();
  kc.loadFromString(api.kubeconfig());
  core = kc.makeApiClient(k8s.CoreV1Api);
});
afterEach(async () => {
  await api.close();
});

/** The Status body of a failed client-node call (client-node hands it over as a string). */
function statusOf(err: unknown): { code: number; reason: string; message: string; details?: any } {
  expect(err).toBeInstanceOf(k8s.ApiException);
  const e = err as k8s.ApiException<unknown>;
  const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
  expect(body.kind).toBe('Status');
  expect(body.code).toBe(e.code);
  return body;
}

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    return statusOf(err);
  }
  throw new Error('expected the call to fail');
}

const pvc = (name: string, namespace = 'default', extra: Record<string, any> = {}) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace, labels: { app: 'db' } },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  ...extra,
});

describe('discovery', () => {
  it('answers /version, /api and /apis with the configured groups', async () => {
    const version = await kc.makeApiClient(k8s.VersionApi).getCode();
    expect(version.gitVersion).toBe('v1.32.3');
    const groups = await kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    const names = groups.groups.map((g) => g.name);
    expect(names).toEqual(expect.arrayContaining(['apps', 'storage.k8s.io', 'longhorn.io', 'snapshot.storage.k8s.io', 'apiextensions.k8s.io']));
    const res = await fetch(`${api.url}/apis/longhorn.io/v1beta2`).then((r) => r.json() as Promise<any>);
    const volumes = res.resources.find((r: any) => r.name === 'volumes');
    expect(volumes).toMatchObject({ kind: 'Volume', namespaced: true });
    const core1 = await fetch(`${api.url}/api/v1`).then((r) => r.json() as Promise<any>);
    expect(core1.resources.find((r: any) => r.name === 'persistentvolumes')).toMatchObject({ kind: 'PersistentVolume', namespaced: false });
  });

  it('can hide a group until its CRDs are installed', async () => {
    api.hideGroup('longhorn.io');
    const groups = await kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    expect(groups.groups.map((g) => g.name)).not.toContain('longhorn.io');
    const r = await fetch(`${api.url}/apis/longhorn.io/v1beta2/namespaces/longhorn-system/settings`);
    expect(r.status).toBe(404);
    // Creating the CRD brings the resource back, as on a real cluster.
    const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
    await ext.createCustomResourceDefinition({
      body: {
        metadata: { name: 'settings.longhorn.io' },
        spec: {
          group: 'longhorn.io',
          scope: 'Namespaced',
          names: { plural: 'settings', singular: 'setting', kind: 'Setting', listKind: 'SettingList' },
          versions: [{ name: 'v1beta2', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } }],
        },
      },
    });
    const after = await fetch(`${api.url}/apis/longhorn.io/v1beta2/namespaces/longhorn-system/settings`);
    expect(after.status).toBe(200);
  });

  it('answers an unknown path with a NotFound Status', async () => {
    const r = await fetch(`${api.url}/apis/example.com/v1/widgets`);
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
  });
});

describe('lists', () => {
  it('pages 2,500 PVCs across namespaces with limit and continue', async () => {
    const objects = Array.from({ length: 2500 }, (_, i) => pvc(`data-${String(i).padStart(4, '0')}`, `ns-${i % 5}`));
    api.store.seed(objects);
    api.clearRequests();
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    let firstRemaining: number | undefined;
    do {
      const page = await core.listPersistentVolumeClaimForAllNamespaces({ limit: 400, _continue: token });
      pages++;
      if (pages === 1) firstRemaining = page.metadata?.remainingItemCount;
      expect(page.items.length).toBeLessThanOrEqual(400);
      for (const item of page.items) seen.push(`${item.metadata?.namespace}/${item.metadata?.name}`);
      token = page.metadata?._continue;
    } while (token);
    expect(pages).toBe(7);
    expect(firstRemaining).toBe(2100);
    expect(new Set(seen).size).toBe(2500);
    expect(seen).toEqual([...seen].sort());
    expect(api.requestsMatching({ verb: 'list', resource: 'persistentvolumeclaims' })).toHaveLength(7);
  });

  it('returns a typed List whose items carry no kind, like the real server', async () => {
    api.store.put(pvc('one'));
    const raw = await fetch(`${api.url}/api/v1/namespaces/default/persistentvolumeclaims`).then((r) => r.json() as Promise<any>);
    expect(raw.kind).toBe('PersistentVolumeClaimList');
    expect(raw.apiVersion).toBe('v1');
    expect(Number(raw.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(raw.items[0].kind).toBeUndefined();
    expect(raw.items[0].metadata.name).toBe('one');
  });

  it('seeds 10,000 objects in well under a second', () => {
    const objects = Array.from({ length: 10_000 }, (_, i) => pvc(`p-${i}`, `ns-${i % 20}`));
    const t0 = performance.now();
    api.store.seed(objects);
    const ms = performance.now() - t0;
    expect(api.store.count('persistentvolumeclaims')).toBe(10_000);
    expect(ms).toBeLessThan(700);
  });

  it('filters with label selectors (=, !=, in, notin, exists, !exists) and field selectors', async () => {
    api.store.seed([
      pvc('a', 'default', { metadata: { name: 'a', namespace: 'default', labels: { tier: 'db', env: 'prod' } } }),
      pvc('b', 'default', { metadata: { name: 'b', namespace: 'default', labels: { tier: 'cache', env: 'dev' } } }),
      pvc('c', 'default', { metadata: { name: 'c', namespace: 'default', labels: { tier: 'web' } } }),
    ]);
    api.store.update('pvc', 'b', 'default', (o) => {
      o.status = { phase: 'Bound' };
    });
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await core.listNamespacedPersistentVolumeClaim({ namespace: 'default', labelSelector, fieldSelector })).items.map((i) => i.metadata?.name);
    expect(await names('tier=db')).toEqual(['a']);
    expect(await names('tier!=db')).toEqual(['b', 'c']);
    expect(await names('tier in (db,cache)')).toEqual(['a', 'b']);
    expect(await names('tier notin (db,cache)')).toEqual(['c']);
    expect(await names('env')).toEqual(['a', 'b']);
    expect(await names('!env')).toEqual(['c']);
    expect(await names('env,tier=cache')).toEqual(['b']);
    expect(await names(undefined, 'status.phase=Bound')).toEqual(['b']);
    expect(await names(undefined, 'metadata.name!=a')).toEqual(['b', 'c']);
    const bad = await failure(core.listNamespacedPersistentVolumeClaim({ namespace: 'default', fieldSelector: 'spec.bogus=x' }));
    expect(bad).toMatchObject({ code: 400, reason: 'BadRequest', message: 'field label not supported: spec.bogus' });
  });
});

describe('writes', () => {
  it('creates, reads, conflicts and deletes with real Status errors', async () => {
    api.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'driver.longhorn.io' });
    const created = await core.createNamespacedPersistentVolumeClaim({ namespace: 'default', body: pvc('data') as k8s.V1PersistentVolumeClaim });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.status?.phase).toBe('Pending');
    // DefaultStorageClass admission filled the class in.
    expect(created.spec?.storageClassName).toBe('fast');

    const dup = await failure(core.createNamespacedPersistentVolumeClaim({ namespace: 'default', body: pvc('data') as k8s.V1PersistentVolumeClaim }));
    expect(dup).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'persistentvolumeclaims "data" already exists', details: { name: 'data', kind: 'persistentvolumeclaims' } });

    const stale = { ...created, metadata: { ...created.metadata, resourceVersion: '1', labels: { app: 'other' } } };
    const conflict = await failure(core.replaceNamespacedPersistentVolumeClaim({ name: 'data', namespace: 'default', body: stale }));
    expect(conflict.reason).toBe('Conflict');
    expect(conflict.message).toContain('the object has been modified; please apply your changes to the latest version and try again');

    await core.deleteNamespacedPersistentVolumeClaim({ name: 'data', namespace: 'default' });
    const gone = await failure(core.readNamespacedPersistentVolumeClaim({ name: 'data', namespace: 'default' }));
    expect(gone).toMatchObject({ code: 404, reason: 'NotFound', message: 'persistentvolumeclaims "data" not found' });

    const noNs = await failure(core.createNamespacedPersistentVolumeClaim({ namespace: 'nope', body: pvc('x', 'nope') as k8s.V1PersistentVolumeClaim }));
    expect(noNs).toMatchObject({ code: 404, message: 'namespaces "nope" not found' });
  });

  it('refuses to re-create an object that still carries a resourceVersion', async () => {
    const err = await failure(core.createNamespace({ body: { metadata: { name: 'again', resourceVersion: '42' } } }));
    expect(err).toMatchObject({ code: 500, message: 'resourceVersion should not be set on objects to be created' });
  });

  it('patches with merge, JSON and strategic patches via setHeaderOptions', async () => {
    api.store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default', finalizers: ['a/keep'] }, data: { a: '1', b: '2' } });
    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    const merged = await core.patchNamespacedConfigMap({ name: 'cfg', namespace: 'default', body: { data: { a: null, c: '3' } } }, merge);
    expect(merged.data).toEqual({ b: '2', c: '3' });
    // The generated patch methods default to JSON patch.
    const jsonPatched = await core.patchNamespacedConfigMap({ name: 'cfg', namespace: 'default', body: [{ op: 'replace', path: '/data/b', value: '20' }] });
    expect(jsonPatched.data?.b).toBe('20');
    // Strategic merge treats finalizers as a set: sending one adds, it does not replace.
    const smp = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
    const s = await core.patchNamespacedConfigMap({ name: 'cfg', namespace: 'default', body: { metadata: { finalizers: ['b/other'] } } }, smp);
    expect(s.metadata?.finalizers).toEqual(['a/keep', 'b/other']);
    const failed = await failure(core.patchNamespacedConfigMap({ name: 'cfg', namespace: 'default', body: [{ op: 'test', path: '/data/b', value: 'nope' }] }));
    expect(failed.code).toBe(422);
  });

  it('refuses a strategic merge patch on a custom resource with 415, like the real server', async () => {
    api.store.put({ apiVersion: 'longhorn.io/v1beta2', kind: 'Setting', metadata: { name: 'deleting-confirmation-flag', namespace: 'longhorn-system' }, value: 'false' });
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const spec = { apiVersion: 'longhorn.io/v1beta2', kind: 'Setting', metadata: { name: 'deleting-confirmation-flag', namespace: 'longhorn-system' }, value: 'true' };
    // KubernetesObjectApi.patch defaults to strategic merge: fine for built-ins, refused for CRs.
    const err = await failure(objects.patch(spec));
    expect(err).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
    const ok = await objects.patch(spec, undefined, undefined, undefined, undefined, k8s.PatchStrategy.MergePatch);
    expect((ok as any).value).toBe('true');
  });

  it('refuses an unconditional PUT of a custom resource (no resourceVersion), like the real server', async () => {
    api.store.put({ apiVersion: 'longhorn.io/v1beta2', kind: 'Setting', metadata: { name: 'backup-target', namespace: 'longhorn-system' }, value: '' });
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const spec = { apiVersion: 'longhorn.io/v1beta2', kind: 'Setting', metadata: { name: 'backup-target', namespace: 'longhorn-system' }, value: 's3://b@r/' };
    const err = await failure(objects.replace(spec));
    expect(err).toMatchObject({ code: 422, reason: 'Invalid', message: 'Setting.longhorn.io "backup-target" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update' });
    const current = await objects.read(spec);
    const ok = await objects.replace({ ...spec, metadata: { ...spec.metadata, resourceVersion: current.metadata?.resourceVersion } });
    expect((ok as any).value).toBe('s3://b@r/');
  });

  it('keeps status out of main-resource writes and serves the /status subresource', async () => {
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const dep = await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
        status: { readyReplicas: 5 },
      },
    });
    expect(dep.status?.readyReplicas).toBeUndefined();
    expect(dep.metadata?.generation).toBe(1);
    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    const st = await apps.patchNamespacedDeploymentStatus({ name: 'web', namespace: 'default', body: { status: { readyReplicas: 1 } } }, merge);
    expect(st.status?.readyReplicas).toBe(1);
    expect(st.metadata?.generation).toBe(1);
    const put = await apps.replaceNamespacedDeploymentStatus({ name: 'web', namespace: 'default', body: { ...st, spec: { ...st.spec!, replicas: 9 }, status: { readyReplicas: 2 } } });
    expect(put.status?.readyReplicas).toBe(2);
    expect(put.spec?.replicas).toBe(1);
    const scaled = await apps.patchNamespacedDeployment({ name: 'web', namespace: 'default', body: { spec: { replicas: 3 } } }, merge);
    expect(scaled.metadata?.generation).toBe(2);
    const immutable = await failure(apps.patchNamespacedDeployment({ name: 'web', namespace: 'default', body: { spec: { selector: { matchLabels: { app: 'x' } } } } }, merge));
    expect(immutable).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(immutable.message).toContain('field is immutable');
  });

  it('enforces the storage rules that bite: immutable StorageClass, no resize without allowVolumeExpansion', async () => {
    const storage = kc.makeApiClient(k8s.StorageV1Api);
    await storage.createStorageClass({ body: { metadata: { name: 'microk8s-hostpath' }, provisioner: 'microk8s.io/hostpath', volumeBindingMode: 'WaitForFirstConsumer' } });
    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    const sc = await failure(storage.patchStorageClass({ name: 'microk8s-hostpath', body: { parameters: { pvDir: '/data' } } }, merge));
    expect(sc.message).toBe('StorageClass.storage.k8s.io "microk8s-hostpath" is invalid: parameters: Forbidden: updates to parameters are forbidden.');
    api.store.put({ ...pvc('grow'), spec: { ...pvc('grow').spec, storageClassName: 'microk8s-hostpath' }, status: { phase: 'Bound' } });
    const resize = await failure(core.patchNamespacedPersistentVolumeClaim({ name: 'grow', namespace: 'default', body: { spec: { resources: { requests: { storage: '5Gi' } } } } }, merge));
    expect(resize).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect(resize.message).toContain('only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
  });

  it('keeps objects with finalizers until the finalizers are removed', async () => {
    api.store.put({ ...pvc('held'), metadata: { name: 'held', namespace: 'default', finalizers: ['kubernetes.io/pvc-protection'] } });
    await core.deleteNamespacedPersistentVolumeClaim({ name: 'held', namespace: 'default', propagationPolicy: 'Background' });
    const held = await core.readNamespacedPersistentVolumeClaim({ name: 'held', namespace: 'default' });
    expect(held.metadata?.deletionTimestamp).toBeDefined();
    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    await core.patchNamespacedPersistentVolumeClaim({ name: 'held', namespace: 'default', body: { metadata: { finalizers: null } } }, merge);
    await failure(core.readNamespacedPersistentVolumeClaim({ name: 'held', namespace: 'default' }));
    expect(api.requests.find((r) => r.verb === 'delete')?.query.propagationPolicy).toBe('Background');
  });

  it('shows a deleted namespace as Terminating, then removes it and its content', async () => {
    api.store.put(pvc('x', 'scratch'));
    await core.deleteNamespace({ name: 'scratch' });
    const ns = await core.readNamespace({ name: 'scratch' });
    expect(ns.status?.phase).toBe('Terminating');
    const refused = await failure(core.createNamespacedConfigMap({ namespace: 'scratch', body: { metadata: { name: 'late' } } }));
    expect(refused).toMatchObject({ code: 403, reason: 'Forbidden' });
    await api.waitFor(() => !api.store.get('namespaces', 'scratch'));
    expect(api.store.get('pvc', 'x', 'scratch')).toBeUndefined();
  });
});

describe('server-side apply', () => {
  const cm = (data: Record<string, string>): k8s.V1ConfigMap & k8s.KubernetesObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data });

  it('an apply body is YAML or JSON (JSON is YAML); a flow mapping is YAML, not broken JSON', async () => {
    const apply = (name: string, body: string) =>
      fetch(`${api.url}/api/v1/namespaces/default/configmaps/${name}?fieldManager=t`, { method: 'PATCH', body, headers: { 'Content-Type': 'application/apply-patch+yaml' } });
    const yaml = await apply('y', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  a: "1"\n');
    expect(yaml.status).toBe(201);
    const json = await apply('j', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'j' }, data: { a: '2' } }));
    expect(json.status).toBe(201);
    const flow = await apply('f', '{apiVersion: v1, kind: ConfigMap, metadata: {name: f}, data: {a: "3"}}');
    expect(flow.status).toBe(201);
    expect(['y', 'j', 'f'].map((n) => api.store.get('configmaps', n).data.a)).toEqual(['1', '2', '3']);
    const broken = await apply('b', '{"apiVersion": "v1", "kind": ');
    expect(broken.status).toBe(400);
  });

  it('applies through KubernetesObjectApi.patch with PatchStrategy.ServerSideApply, records managedFields, and conflicts like the real server', async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    // patch(spec, pretty, dryRun, fieldManager, force, patchStrategy)
    const created = await objects.patch(cm({ a: '1' }), undefined, undefined, 'k8s-storage', undefined, k8s.PatchStrategy.ServerSideApply);
    expect((created as any).data).toEqual({ a: '1' });
    expect(created.metadata?.managedFields?.[0]).toMatchObject({ manager: 'k8s-storage', operation: 'Apply', fieldsV1: { 'f:data': { 'f:a': {} } } });
    expect(api.requests.at(-1)).toMatchObject({ verb: 'patch', contentType: 'application/apply-patch+yaml', fieldManager: 'k8s-storage' });

    const err = await failure(objects.patch(cm({ a: '2' }), undefined, undefined, 'someone-else', undefined, k8s.PatchStrategy.ServerSideApply));
    expect(err).toMatchObject({ code: 409, reason: 'Conflict', message: 'Apply failed with 1 conflict: conflict with "k8s-storage" using v1: .data.a' });
    expect(err.details.causes[0]).toMatchObject({ reason: 'FieldManagerConflict', field: '.data.a' });

    const forced = await objects.patch(cm({ a: '2' }), undefined, undefined, 'someone-else', true, k8s.PatchStrategy.ServerSideApply);
    expect((forced as any).data.a).toBe('2');
    expect(forced.metadata?.managedFields?.map((m: k8s.V1ManagedFieldsEntry) => m.manager)).toEqual(['someone-else']);
  });

  it('removes fields the manager stops applying, and keeps fields of other managers', async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    await objects.patch(cm({ a: '1', b: '2' }), undefined, undefined, 'me', undefined, k8s.PatchStrategy.ServerSideApply);
    await objects.patch(cm({ c: '3' }), undefined, undefined, 'other', undefined, k8s.PatchStrategy.ServerSideApply);
    const after = await objects.patch(cm({ a: '1' }), undefined, undefined, 'me', undefined, k8s.PatchStrategy.ServerSideApply);
    expect((after as any).data).toEqual({ a: '1', c: '3' });
  });

  it('conflicts with fields another client set with a plain update, as the real server does', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'settings' }, data: { a: '1' } } }, k8s.setHeaderOptions('User-Agent', 'kubectl-client-side-apply/v1.32.3'));
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const err = await failure(objects.patch(cm({ a: '9' }), undefined, undefined, 'k8s-storage', undefined, k8s.PatchStrategy.ServerSideApply));
    expect(err.message).toContain('conflict with "kubectl-client-side-apply"');
  });

  it('works through the generated API with setHeaderOptions and requires a fieldManager (422)', async () => {
    const ssa = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply);
    const applied = await core.patchNamespacedConfigMap({ name: 'settings', namespace: 'default', body: cm({ x: 'y' }), fieldManager: 'k8s-storage' }, ssa);
    expect(applied.data).toEqual({ x: 'y' });
    const err = await failure(core.patchNamespacedConfigMap({ name: 'settings', namespace: 'default', body: cm({ x: 'z' }) }, ssa));
    expect(err).toMatchObject({ code: 422, reason: 'Invalid', message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch' });
    const once = api.faults.conflictOnApply({ resource: 'configmaps' });
    const injected = await failure(core.patchNamespacedConfigMap({ name: 'settings', namespace: 'default', body: cm({ x: 'z' }), fieldManager: 'k8s-storage' }, ssa));
    expect(injected.code).toBe(409);
    expect(once.hits).toBe(1);
    const retried = await core.patchNamespacedConfigMap({ name: 'settings', namespace: 'default', body: cm({ x: 'z' }), fieldManager: 'k8s-storage' }, ssa);
    expect(retried.data?.x).toBe('z');
  });

  it('merges lists of named items (containers) instead of replacing them', async () => {
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const deploy = (containers: any[]) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'app', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers } } },
    });
    await objects.patch(deploy([{ name: 'main', image: 'app:1' }]), undefined, undefined, 'me', undefined, k8s.PatchStrategy.ServerSideApply);
    await objects.patch(deploy([{ name: 'sidecar', image: 'proxy:1' }]), undefined, undefined, 'mesh', undefined, k8s.PatchStrategy.ServerSideApply);
    const live = api.store.get('deployments', 'app', 'default');
    expect(live.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['main', 'sidecar']);
    const err = await failure(objects.patch(deploy([{ name: 'main', image: 'app:2' }, { name: 'sidecar', image: 'proxy:2' }]), undefined, undefined, 'me', undefined, k8s.PatchStrategy.ServerSideApply));
    expect(err.message).toContain('.spec.template.spec.containers[name="sidecar"].image');
  });
});

describe('watch', () => {
  it('streams ADDED, MODIFIED and DELETED to client-node Watch, resuming from a list resourceVersion', async () => {
    api.store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'before', namespace: 'default' } });
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    const events: string[] = [];
    const watch = new k8s.Watch(kc);
    let done: unknown = 'open';
    const ctl = await watch.watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
      (type, obj) => events.push(`${type} ${obj.metadata?.name ?? ''}`),
      (err) => {
        done = err;
      },
    );
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'new' }, data: { a: '1' } } });
    await core.patchNamespacedConfigMap({ name: 'new', namespace: 'default', body: { data: { a: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await core.deleteNamespacedConfigMap({ name: 'new', namespace: 'default' });
    await api.waitFor(() => events.length >= 3);
    expect(events).toEqual(['ADDED new', 'MODIFIED new', 'DELETED new']);
    ctl.abort();
    await api.waitFor(() => api.watchCount === 0 || undefined, { timeoutMs: 2000 }).catch(() => undefined);
    expect(done).not.toBe('open');
  });

  it('sends the current objects as ADDED when no resourceVersion is given, and honours label selectors', async () => {
    api.store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mine', namespace: 'default', labels: { app: 'x' } } });
    api.store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other', namespace: 'default', labels: { app: 'y' } } });
    const events: string[] = [];
    const ctl = await new k8s.Watch(kc).watch('/api/v1/namespaces/default/configmaps', { labelSelector: 'app=x' }, (t, o) => events.push(`${t} ${o.metadata.name}`), () => {});
    await api.waitFor(() => events.length >= 1);
    // Relabelling an object out of the selection is a DELETED for this watcher.
    api.store.update('configmaps', 'mine', 'default', (o) => {
      o.metadata.labels.app = 'z';
    });
    await api.waitFor(() => events.length >= 2);
    expect(events).toEqual(['ADDED mine', 'DELETED mine']);
    ctl.abort();
  });

  it('answers an expired resourceVersion with a 410 ERROR event', async () => {
    await api.close();
    api = await startFakeApiServer({ watchCacheSize: 5 });
    kc.loadFromString(api.kubeconfig());
    for (let i = 0; i < 20; i++) api.store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, namespace: 'default' } });
    const events: any[] = [];
    await new k8s.Watch(kc).watch('/api/v1/namespaces/default/configmaps', { resourceVersion: '3' }, (t, o) => events.push({ t, o }), () => {});
    await api.waitFor(() => events.length >= 1);
    expect(events[0].t).toBe('ERROR');
    expect(events[0].o).toMatchObject({ code: 410, reason: 'Expired' });
  });

  it('streams chunked JSON lines, sends bookmarks when allowed, and ends after timeoutSeconds', async () => {
    await api.close();
    api = await startFakeApiServer({ bookmarkIntervalMs: 100 });
    const t0 = Date.now();
    const res = await fetch(`${api.url}/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1&allowWatchBookmarks=true&resourceVersion=${api.store.resourceVersion}`);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    setTimeout(() => api.store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mid', namespace: 'default' } }), 150);
    const events = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(events.filter((e) => e.type === 'BOOKMARK').length).toBeGreaterThanOrEqual(3);
    expect(events.find((e) => e.type === 'BOOKMARK').object).toEqual({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: expect.any(String) } });
    expect(events.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata.name)).toEqual(['mid']);
  });

  it('feeds a client-node informer (makeInformer) with adds, updates and deletes', async () => {
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/persistentvolumeclaims', () => core.listNamespacedPersistentVolumeClaim({ namespace: 'default' }));
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    api.store.put(pvc('existing'));
    await informer.start();
    api.store.put(pvc('later'));
    api.store.update('pvc', 'later', 'default', (o) => {
      o.status = { phase: 'Bound' };
    });
    api.store.delete('pvc', 'existing', 'default');
    await api.waitFor(() => seen.length >= 4);
    expect(seen).toEqual(['add existing', 'add later', 'update later', 'delete existing']);
    expect(informer.list().map((o) => o.metadata?.name)).toEqual(['later']);
    await informer.stop();
  });
});

describe('RBAC and faults', () => {
  it('denies with the real Forbidden message and can answer SelfSubjectAccessReview', async () => {
    api.faults.forbid({ verb: 'list', resource: 'persistentvolumes' });
    const err = await failure(core.listPersistentVolume());
    expect(err).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: 'persistentvolumes is forbidden: User "admin" cannot list resource "persistentvolumes" in API group "" at the cluster scope',
      details: { kind: 'persistentvolumes' },
    });
    const authz = kc.makeApiClient(k8s.AuthorizationV1Api);
    const review = await authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { verb: 'list', resource: 'persistentvolumes' } } } });
    expect(review.status?.allowed).toBe(false);
    const ok = await authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { verb: 'get', resource: 'persistentvolumes' } } } });
    expect(ok.status?.allowed).toBe(true);
  });

  it('names the namespace in namespaced denials', async () => {
    api.faults.forbid({ verb: 'create', resource: 'deployments', group: 'apps', namespace: 'longhorn-system' });
    api.store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'longhorn-system' } });
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const err = await failure(apps.createNamespacedDeployment({ namespace: 'longhorn-system', body: { metadata: { name: 'x' }, spec: { selector: {}, template: {} } } as any }));
    expect(err.message).toBe('deployments.apps is forbidden: User "admin" cannot create resource "deployments" in API group "apps" in the namespace "longhorn-system"');
  });

  it('fails the next N matching requests, then recovers', async () => {
    const fault = api.faults.failNext({ verb: 'list', resource: 'nodes' }, 503, { times: 2 });
    expect((await failure(core.listNode())).code).toBe(503);
    expect((await failure(core.listNode())).code).toBe(503);
    const nodes = await core.listNode();
    expect(nodes.items.map((n) => n.metadata?.name)).toEqual(['node-1']);
    expect(fault.hits).toBe(2);
  });

  it('resets connections and delays responses', async () => {
    api.faults.reset({ path: '/api/v1/namespaces' });
    await expect(core.listNamespace()).rejects.toThrow();
    api.faults.delay({ verb: 'get', resource: 'namespaces' }, 150, 1);
    const t0 = Date.now();
    await core.readNamespace({ name: 'default' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('can leave a request hanging (for client timeouts)', async () => {
    const hang = api.faults.hang({ verb: 'get', resource: 'namespaces' });
    await expect(fetch(`${api.url}/api/v1/namespaces/default`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect(hang.hits).toBe(1);
    expect((await core.readNamespace({ name: 'default' })).metadata?.name).toBe('default');
    expect(api.requestsMatching({ verb: 'get', resource: 'namespaces' })).toHaveLength(2);
  });

  it('goes down and comes back on the same port', async () => {
    await api.down();
    await expect(core.listNamespace()).rejects.toThrow(/ECONNREFUSED|connect/);
    await api.up();
    const list = await core.listNamespace();
    expect(list.items.length).toBeGreaterThan(0);
  });
});

describe('controllers', () => {
  it('makes Deployments and DaemonSets ready some time after creation', async () => {
    api.controllers.autoReadyWorkloads({ delayMs: 30 });
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const tpl = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'x' }] } };
    await apps.createNamespacedDeployment({ namespace: 'default', body: { metadata: { name: 'd' }, spec: { replicas: 2, selector: { matchLabels: { app: 'x' } }, template: tpl } } });
    await apps.createNamespacedDaemonSet({ namespace: 'default', body: { metadata: { name: 'ds' }, spec: { selector: { matchLabels: { app: 'x' } }, template: tpl } } });
    expect((await apps.readNamespacedDeployment({ name: 'd', namespace: 'default' })).status?.readyReplicas).toBeUndefined();
    await api.waitFor(() => api.store.get('daemonsets', 'ds', 'default')?.status?.numberReady === 1 && api.store.get('deployments', 'd', 'default')?.status?.readyReplicas === 2);
    const d = await apps.readNamespacedDeployment({ name: 'd', namespace: 'default' });
    expect(d.status).toMatchObject({ observedGeneration: 1, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2 });
    const ds = await apps.readNamespacedDaemonSet({ name: 'ds', namespace: 'default' });
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 1, numberReady: 1, updatedNumberScheduled: 1, numberAvailable: 1, observedGeneration: 1 });
  });

  it('binds Immediate claims at once and WaitForFirstConsumer claims only once a pod uses them', async () => {
    api.controllers.autoBindPvcs({ delayMs: 5 });
    api.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'longhorn' }, provisioner: 'driver.longhorn.io', volumeBindingMode: 'Immediate', reclaimPolicy: 'Delete' });
    api.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'microk8s-hostpath' }, provisioner: 'microk8s.io/hostpath', volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Retain' });
    await core.createNamespacedPersistentVolumeClaim({ namespace: 'default', body: { ...(pvc('lh') as any), spec: { ...pvc('lh').spec, storageClassName: 'longhorn' } } });
    await core.createNamespacedPersistentVolumeClaim({ namespace: 'default', body: { ...(pvc('hp') as any), spec: { ...pvc('hp').spec, storageClassName: 'microk8s-hostpath' } } });
    const lh = await api.waitFor(() => (api.store.get('pvc', 'lh', 'default')?.status?.phase === 'Bound' ? api.store.get('pvc', 'lh', 'default') : undefined));
    const pv = api.store.get('persistentvolumes', lh.spec.volumeName);
    expect(pv.spec.csi.driver).toBe('driver.longhorn.io');
    await new Promise((r) => setTimeout(r, 50));
    expect(api.store.get('pvc', 'hp', 'default').status.phase).toBe('Pending');
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'user' }, spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'hp' } }] } } });
    const hp = await api.waitFor(() => (api.store.get('pvc', 'hp', 'default')?.status?.phase === 'Bound' ? api.store.get('pvc', 'hp', 'default') : undefined));
    const hostPv = api.store.get('persistentvolumes', hp.spec.volumeName);
    expect(hostPv.spec.hostPath.path).toBe(`/var/snap/microk8s/common/default-storage/default-hp-${hp.spec.volumeName}`);
    expect(hostPv.spec.persistentVolumeReclaimPolicy).toBe('Retain');
    expect(hp.metadata.annotations['volume.kubernetes.io/selected-node']).toBe('node-1');
  });
});

describe('controllers: a failing provisioner', () => {
  it('leaves the claim Pending with a ProvisioningFailed event that client-node can list', async () => {
    api.controllers.autoBindPvcs({ delayMs: 5, failProvisioning: (_pvc, sc) => (sc.provisioner === 'nfs.csi.k8s.io' ? 'rpc error: code = Internal desc = mount failed: exit status 32' : undefined) });
    api.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'nfs' }, provisioner: 'nfs.csi.k8s.io', volumeBindingMode: 'Immediate', reclaimPolicy: 'Delete' });
    await core.createNamespacedPersistentVolumeClaim({ namespace: 'default', body: { ...(pvc('data') as any), spec: { ...pvc('data').spec, storageClassName: 'nfs' } } });
    await api.waitFor(() => api.store.list('events', 'default').length > 0);
    const events = await core.listNamespacedEvent({ namespace: 'default', fieldSelector: 'involvedObject.name=data' });
    expect(events.items).toHaveLength(1);
    expect(events.items[0]).toMatchObject({ reason: 'ProvisioningFailed', type: 'Warning', message: 'failed to provision volume with StorageClass "nfs": rpc error: code = Internal desc = mount failed: exit status 32' });
    expect(events.items[0]!.source?.component).toMatch(/^nfs\.csi\.k8s\.io_/);
    expect(api.store.get('pvc', 'data', 'default').status?.phase ?? 'Pending').toBe('Pending');
    expect(api.store.list('persistentvolumes')).toEqual([]);
  });
});

describe('apiserver-cli', () => {
  it('prints its URL as a JSON line and serves seeded objects', async () => {
    const cli = fileURLToPath(new URL('./apiserver-cli.mjs', import.meta.url));
    const seed = fileURLToPath(new URL('./fixtures/seed-example.yaml', import.meta.url));
    const proc = execa(process.execPath, [cli, seed], { reject: false });
    try {
      const url: string = await new Promise((resolve, reject) => {
        proc.stdout?.on('data', (chunk: Buffer) => {
          const line = chunk.toString().split('\n')[0] ?? '';
          try {
            resolve(JSON.parse(line).url);
          } catch (err) {
            reject(err);
          }
        });
        proc.catch(reject);
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const sc = await fetch(`${url}/apis/storage.k8s.io/v1/storageclasses/microk8s-hostpath`).then((r) => r.json() as Promise<any>);
      expect(sc.provisioner).toBe('microk8s.io/hostpath');
    } finally {
      proc.kill('SIGTERM');
      await proc;
    }
  });
});
