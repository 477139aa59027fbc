/**
 * apply, status and default-class against the fake API server, plus the faults an
 * operator meets: API down, a connection reset mid-step, a 409, RBAC forbidden.
 */
import { describe, expect, it } from 'vitest';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';
import { expectOutputSchema } from '../helpers/output-schema.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

const sc = (name: string, provisioner: string, opts: { default?: boolean; binding?: string } = {}) => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name, annotations: { 'storageclass.kubernetes.io/is-default-class': String(opts.default ?? false) } },
  provisioner,
  volumeBindingMode: opts.binding ?? 'Immediate',
});

async function cluster(classes = [sc('longhorn', 'driver.longhorn.io', { default: true }), sc('microk8s-hostpath', 'microk8s.io/hostpath', { binding: 'WaitForFirstConsumer' })]) {
  sb = await perTest.create({ api: { nodes: 1 } });
  for (const c of classes) sb.api!.store.put(c);
  return sb;
}

describe('apply pvc', () => {
  it('server-side applies into the namespace with field manager k8s-storage, then waits until Bound', async () => {
    const s = await cluster();
    s.api!.controllers.autoBindPvcs({ delayMs: 200 });
    const r = await s.run(['apply', 'pvc', 'data', '--size', '2Gi', '--storage-class', 'longhorn', '-n', 'shop', '--wait']);
    expect(r.stderr).toContain('Wait for PVC data to be Bound');
    expect(r.exitCode).toBe(0);
    expect(s.api!.store.get('persistentvolumeclaims', 'data', 'shop')).toMatchObject({ status: { phase: 'Bound' }, spec: { storageClassName: 'longhorn' } });
    const applies = s.api!.requestsMatching({ verb: 'patch', resource: 'persistentvolumeclaims' });
    expect(applies.map((a: any) => [a.contentType, a.fieldManager])).toEqual([['application/apply-patch+yaml', 'k8s-storage']]);
  });

  it('rerunning changes nothing and does not fail', async () => {
    const s = await cluster();
    expect((await s.run(['apply', 'pvc', 'data', '--size', '2Gi', '-n', 'shop'])).exitCode).toBe(0);
    const rv = s.api!.store.get('persistentvolumeclaims', 'data', 'shop').metadata.resourceVersion;
    expect((await s.run(['apply', 'pvc', 'data', '--size', '2Gi', '-n', 'shop'])).exitCode).toBe(0);
    expect(s.api!.store.get('persistentvolumeclaims', 'data', 'shop').metadata.resourceVersion).toBe(rv);
  });

  it('says a WaitForFirstConsumer claim stays Pending until a pod uses it, instead of waiting forever', async () => {
    const s = await cluster();
    const r = await s.run(['apply', 'pvc', 'data', '--size', '1Gi', '--storage-class', 'microk8s-hostpath', '--wait']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/binds only when a pod uses the claim \(WaitForFirstConsumer\).*Not waiting/);
  });

  it('checks the flags against the class the cluster really has', async () => {
    const s = await cluster([sc('fast', 'microk8s.io/hostpath')]);
    const r = await s.run(['apply', 'pvc', 'data', '--size', '1Gi', '--storage-class', 'fast', '--access-mode', 'RWX']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('class "fast" cannot serve it: hostpath data lives in a directory on one node');
    const missing = await s.run(['apply', 'pvc', 'data', '--size', '1Gi', '--storage-class', 'nope']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('StorageClass "nope" does not exist; the cluster has: fast');
    expect(s.api!.store.count('persistentvolumeclaims')).toBe(0);
  });

  it('a wait that times out says what it waited for and how to look', async () => {
    const s = await cluster();
    const r = await s.run(['apply', 'pvc', 'data', '--size', '1Gi', '--wait', '--timeout', '1s']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/timed out waiting for PVC data to be Bound: it is Pending/);
    expect(r.stderr).toContain('hint: kubectl -n default describe pvc data');
  });
});

describe("apply: kubectl's -o, --dry-run=client|server and --field-manager", () => {
  it('-o json|yaml|name prints what the server returned, on stdout only', async () => {
    const s = await cluster();
    const json = await s.run(['apply', 'pvc', 'data', '--size', '2Gi', '-n', 'shop', '-o', 'json']);
    expect(json.exitCode).toBe(0);
    const list = JSON.parse(json.stdout);
    expect(list.kind).toBe('List');
    const stored = s.api!.store.get('persistentvolumeclaims', 'data', 'shop');
    expect(list.items).toHaveLength(1);
    // The server's answer: its uid and resourceVersion, not the object we sent.
    expect(list.items[0].metadata).toMatchObject({ name: 'data', namespace: 'shop', uid: stored.metadata.uid, resourceVersion: stored.metadata.resourceVersion });
    const name = await s.run(['apply', 'app', 'redis', '-n', 'shop', '-o', 'name']);
    expect(name.exitCode).toBe(0);
    expect(name.stdout.split('\n').filter(Boolean)).toEqual(['secret/redis-credentials', 'persistentvolumeclaim/redis-pvc', 'deployment/redis', 'service/redis']);
    expect(name.stdout).not.toContain('namespace/');
    const yaml = await s.run(['apply', 'storageclass', 'longhorn', '--name', 'two', '--replicas', '2', '-o', 'yaml']);
    expect(yaml.exitCode).toBe(0);
    expect(yaml.stdout).toContain(`uid: ${s.api!.store.get('storageclasses', 'two').metadata.uid}`);
    const quiet = await s.run(['apply', 'pvc', 'data', '--size', '2Gi', '-n', 'shop']);
    expect(quiet.stdout).toBe('');
    const table = await s.run(['apply', 'pvc', 'data', '--size', '2Gi', '-o', 'table']);
    expect(table.exitCode).toBe(2);
    expect(table.stderr).toContain('-o table: this command prints yaml, json, name');
  });

  it('--dry-run and --dry-run=client print the plan; =server sends dryRun=All and stores nothing', async () => {
    const s = await cluster();
    for (const flag of ['--dry-run', '--dry-run=client']) {
      const r = await s.run(['apply', 'pvc', 'data', '--size', '2Gi', flag, '-o', 'json']);
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.stdout).steps).toBeDefined();
      expectOutputSchema('plan', JSON.parse(r.stdout));
    }
    expect(s.api!.requestsMatching({ verb: 'patch' })).toHaveLength(0);
    const server = await s.run(['apply', 'pvc', 'data', '--size', '2Gi', '--storage-class', 'longhorn', '--wait', '--dry-run=server', '-o', 'name']);
    expect(server.exitCode).toBe(0);
    expect(server.stdout).toBe('persistentvolumeclaim/data\n');
    expect(server.stderr).toContain('server dry run: would apply persistentvolumeclaim/data');
    expect(s.api!.requestsMatching({ verb: 'patch' }).map((r: any) => r.query.dryRun)).toEqual(['All']);
    expect(s.api!.store.count('persistentvolumeclaims')).toBe(0);
    const newNs = await s.run(['apply', 'pvc', 'data', '--size', '2Gi', '-n', 'fresh', '--dry-run=server']);
    expect(newNs.exitCode).toBe(1);
    expect(newNs.stderr).toContain('namespaces "fresh" not found');
    expect(s.api!.store.count('persistentvolumeclaims')).toBe(0);
    const bad = await s.run(['apply', 'pvc', 'data', '--size', '2Gi', '--dry-run=sever']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/Allowed choices are client, server/);
  });

  it('--field-manager names who owns the fields (default k8s-storage)', async () => {
    const s = await cluster();
    expect((await s.run(['apply', 'pvc', 'data', '--size', '2Gi', '--field-manager', 'argocd'])).exitCode).toBe(0);
    expect(s.api!.requestsMatching({ verb: 'patch', resource: 'persistentvolumeclaims' }).map((a: any) => a.fieldManager)).toEqual(['argocd']);
    expect(s.api!.store.get('persistentvolumeclaims', 'data', 'default').metadata.managedFields.map((m: any) => m.manager)).toContain('argocd');
  });
});

describe('apply app and storageclass', () => {
  it('an app kit lands wired; a rerun keeps the Secret (and so the database password)', async () => {
    const s = await cluster();
    s.api!.controllers.autoBindPvcs({ delayMs: 50 });
    const r = await s.run(['apply', 'app', 'postgres', '-n', 'shop', '--wait']);
    expect(r.exitCode).toBe(0);
    const secret = s.api!.store.get('secrets', 'postgres-credentials', 'shop');
    const password = secret.data?.password ?? secret.stringData?.password;
    expect(password).toBeTruthy();
    expect(s.api!.store.get('deployments.apps', 'postgres', 'shop')).toBeDefined();
    const again = await s.run(['apply', 'app', 'postgres', '-n', 'shop']);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('Secret postgres-credentials already exists: keeping its password');
    const after = s.api!.store.get('secrets', 'postgres-credentials', 'shop');
    expect(after.data?.password ?? after.stringData?.password).toBe(password);
  });

  it('apply storageclass --default leaves exactly one default', async () => {
    const s = await cluster();
    const r = await s.run(['apply', 'storageclass', 'longhorn', '--name', 'longhorn-2replicas', '--replicas', '2', '--default']);
    expect(r.exitCode).toBe(0);
    const defaults = s.api!.store.list('storageclasses').filter((c: any) => c.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true').map((c: any) => c.metadata.name);
    expect(defaults).toEqual(['longhorn-2replicas']);
    expect(s.api!.store.get('storageclasses', 'longhorn-2replicas').parameters.numberOfReplicas).toBe('2');
  });

  it('changing an immutable field replaces the class instead of failing', async () => {
    const s = await cluster();
    expect((await s.run(['apply', 'storageclass', 'longhorn', '--name', 'replicated', '--replicas', '2'])).exitCode).toBe(0);
    const r = await s.run(['apply', 'storageclass', 'longhorn', '--name', 'replicated', '--replicas', '3']);
    expect(r.exitCode).toBe(0);
    expect(s.api!.store.get('storageclasses', 'replicated').parameters.numberOfReplicas).toBe('3');
  });
});

describe('default-class', () => {
  it('makes exactly one class the default; a rerun has nothing to do', async () => {
    const s = await cluster([sc('a', 'x', { default: true }), sc('b', 'y', { default: true }), sc('c', 'z')]);
    const r = await s.run(['default-class', 'c']);
    expect(r.exitCode).toBe(0);
    const flags = Object.fromEntries(s.api!.store.list('storageclasses').map((c: any) => [c.metadata.name, c.metadata.annotations['storageclass.kubernetes.io/is-default-class']]));
    expect(flags).toEqual({ a: 'false', b: 'false', c: 'true' });
    const again = await s.run(['default-class', 'c']);
    expect(again.stderr).toContain('already the only default');
  });

  it('an unknown class is a usage error listing the classes', async () => {
    const s = await cluster([sc('a', 'x')]);
    const r = await s.run(['default-class', 'zzz']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('the cluster has: a');
  });
});

describe('status', () => {
  it('-o json: classes with the default marked, claims by class and phase, pending reasons, warnings', async () => {
    const s = await cluster([sc('a', 'x', { default: true }), sc('b', 'microk8s.io/hostpath', { default: true })]);
    s.api!.store.put({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'p', namespace: 'n' }, spec: { storageClassName: 'missing', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } });
    const r = await s.run(['status', '-o', 'json']);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    expectOutputSchema('status-report', report);
    expect(report.defaultClasses).toEqual(['a', 'b']);
    expect(report.pendingClaims).toEqual([{ namespace: 'n', name: 'p', storageClass: 'missing', reason: 'StorageClass missing does not exist' }]);
    expect(report.warnings.join('\n')).toContain('2 StorageClasses are the default');
    expect(report.backends.find((b: any) => b.name === 'hostpath')).toMatchObject({ installed: false, healthy: false });
  });

  it('the table goes to stdout, warnings to stderr', async () => {
    const s = await cluster([sc('a', 'x', { default: true }), sc('b', 'y', { default: true })]);
    const r = await s.run(['status']);
    expect(r.stdout).toMatch(/STORAGECLASSES\nNAME\s+PROVISIONER/);
    expect(r.stdout).toContain('a (default)');
    expect(r.stdout).not.toContain('warning:');
    expect(r.stderr).toContain('warning: 2 StorageClasses are the default');
  });

  it('-n narrows claims, pending claims and volumes to one namespace; -A (the default) is every namespace', async () => {
    const s = await cluster();
    const pvc = (name: string, namespace: string, phase: string) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace }, spec: { storageClassName: 'longhorn', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }, status: { phase } });
    const pv = (name: string, namespace: string, claim: string) => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { storageClassName: 'longhorn', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], claimRef: { namespace, name: claim }, persistentVolumeReclaimPolicy: 'Delete', csi: { driver: 'driver.longhorn.io', volumeHandle: name } }, status: { phase: 'Bound' } });
    s.api!.store.seed([pvc('a', 'shop', 'Bound'), pvc('b', 'shop', 'Pending'), pvc('c', 'blog', 'Pending'), pv('pv-a', 'shop', 'a'), pv('pv-x', 'blog', 'x')]);
    const shop = JSON.parse((await s.run(['status', '-n', 'shop', '-o', 'json'])).stdout);
    expect(shop.namespace).toBe('shop');
    expect(shop.claims.total).toBe(2);
    expect(shop.pendingClaims.map((p: any) => `${p.namespace}/${p.name}`)).toEqual(['shop/b']);
    expect(shop.volumes.total).toBe(1);
    expect(shop.volumesDeletedWithClaim.map((v: any) => v.name)).toEqual(['pv-a']);
    // The cluster-wide parts stay whole.
    expect(shop.storageClasses.map((c: any) => c.name)).toEqual(['longhorn', 'microk8s-hostpath']);
    for (const args of [['status', '-o', 'json'], ['status', '-A', '-o', 'json'], ['status', '--all-namespaces', '-o', 'json']]) {
      const all = JSON.parse((await s.run(args)).stdout);
      expect(all.namespace).toBeUndefined();
      expect([all.claims.total, all.volumes.total, all.pendingClaims.length]).toEqual([3, 2, 2]);
    }
    const table = await s.run(['status', '-n', 'blog']);
    expect(table.stdout).toContain('CLAIMS (1 in namespace blog)');
    const both = await s.run(['status', '-A', '-n', 'shop']);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('-A and -n cannot be given together');
  });

  it('-o wide adds the class of each Pending claim and lists them all; --no-headers drops the column headers', async () => {
    const s = await cluster();
    s.api!.store.seed(Array.from({ length: 25 }, (_, i) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `p${i}`, namespace: 'shop' }, spec: { storageClassName: 'missing', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } })));
    const table = await s.run(['status']);
    expect(table.stdout).toMatch(/PENDING CLAIMS \(25\)\nNAMESPACE\s+NAME\s+REASON\n/);
    expect(table.stdout).toContain('... and 5 more (-o wide or -o json lists them all)');
    const wide = await s.run(['status', '-o', 'wide']);
    expect(wide.exitCode, wide.stderr).toBe(0);
    expect(wide.stdout).toMatch(/PENDING CLAIMS \(25\)\nNAMESPACE\s+NAME\s+STORAGECLASS\s+REASON\n/);
    expect(wide.stdout).toMatch(/shop\s+p24\s+missing\s+StorageClass missing does not exist/);
    expect(wide.stdout).toMatch(/BACKENDS\nBACKEND\s+PROVISIONER\s+INSTALLED\s+HEALTHY\s+CLASSES\s+WORKLOADS\s+PROBLEM\n/);
    const bare = await s.run(['status', '--no-headers']);
    expect(bare.exitCode).toBe(0);
    expect(bare.stdout).toMatch(/STORAGECLASSES\nlonghorn \(default\)\s+driver\.longhorn\.io/);
    expect(bare.stdout).not.toMatch(/NAME\s+PROVISIONER/);
    expect(bare.stdout).not.toContain('NAMESPACE');
    const json = await s.run(['status', '--no-headers', '-o', 'json']);
    expect(json.exitCode).toBe(2);
    expect(json.stderr).toContain('--no-headers: -o json has no headers');
  });

  it('lists thousands of claims page by page: requests grow with pages, not objects', async () => {
    const s = await cluster();
    const claims = Array.from({ length: 1200 }, (_, i) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `c${i}`, namespace: `ns${i % 7}` }, spec: { storageClassName: 'longhorn', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Bound' } }));
    s.api!.store.seed(claims);
    s.api!.clearRequests();
    const r = await s.run(['status', '-o', 'json']);
    expect(JSON.parse(r.stdout).claims.total).toBe(1200);
    expect(s.api!.requestsMatching({ verb: 'list', resource: 'persistentvolumeclaims' })).toHaveLength(3); // 500 + 500 + 200
  });
});

describe('status requests', () => {
  const distinct = (reqs: any[]) => reqs.map((q) => `${q.method} ${q.path}?${new URLSearchParams(q.query ?? {})}`);

  it('makes each distinct GET once, asks nothing of workloads in namespaces that do not exist, and warns of nothing', async () => {
    const s = await cluster();
    s.api!.clearRequests();
    const r = await s.run(['status', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    // Dozens of concurrent requests on one abort signal once printed MaxListenersExceededWarning.
    expect(r.stderr).not.toMatch(/Warning/);
    const sent = distinct(s.api!.requests);
    expect(sent.length).toBeGreaterThan(5);
    expect(new Set(sent).size).toBe(sent.length);
    const existing = new Set(s.api!.store.list('namespaces').map((n: any) => n.metadata.name));
    expect(existing.has('longhorn-system')).toBe(false);
    const workloadGets = s.api!.requestsMatching({ verb: 'get', group: 'apps' });
    expect(workloadGets.map((q: any) => q.name)).toContain('hostpath-provisioner');
    expect(workloadGets.filter((q: any) => !existing.has(q.namespace))).toEqual([]);
    expect(s.api!.requestsMatching({ verb: 'list', resource: 'nodes' }).filter((q: any) => !q.group)).toHaveLength(1);
  });

  it('reads the workloads of a namespace once it exists', async () => {
    const s = await cluster();
    s.api!.store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'longhorn-system' } });
    s.api!.clearRequests();
    const r = await s.run(['status', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(s.api!.requestsMatching({ verb: 'get', group: 'apps', namespace: 'longhorn-system' }).map((q: any) => q.name)).toContain('longhorn-manager');
  });

  it('namespaces it may not list: every workload is asked for, as before', async () => {
    const s = await cluster();
    s.api!.faults.forbid({ verb: 'list', resource: 'namespaces' });
    s.api!.clearRequests();
    const r = await s.run(['status', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(s.api!.requestsMatching({ verb: 'get', group: 'apps', namespace: 'longhorn-system' }).length).toBeGreaterThan(0);
  });
});

describe('faults', () => {
  it('API down: a short error naming the server and the fix, exit 1', async () => {
    const s = await cluster();
    await s.api!.down();
    const r = await s.run(['status']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/cannot reach the Kubernetes API at http:\/\/127\.0\.0\.1:\d+/);
    expect(r.stderr).toContain('hint: check the cluster is up');
    expect(r.stdout).toBe('');
  });

  it('a connection reset mid-apply is retried and the apply lands', async () => {
    const s = await cluster();
    s.api!.faults.reset({ verb: 'patch', resource: 'persistentvolumeclaims' }, 1);
    const r = await s.run(['apply', 'pvc', 'data', '--size', '1Gi']);
    expect(r.exitCode).toBe(0);
    expect(s.api!.store.get('persistentvolumeclaims', 'data', 'default')).toBeDefined();
  });

  it('409 on apply: says so with --force-conflicts; rerunning with it converges', async () => {
    const s = await cluster();
    s.api!.faults.conflictOnApply({ resource: 'persistentvolumeclaims', times: 1 });
    const r = await s.run(['apply', 'pvc', 'data', '--size', '1Gi']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('conflict while applying PersistentVolumeClaim/data');
    expect(r.stderr).toContain('--force-conflicts');
    const again = await s.run(['apply', 'pvc', 'data', '--size', '1Gi', '--force-conflicts']);
    expect(again.exitCode).toBe(0);
  });

  it('RBAC forbidden: names what was refused and how to get rights', async () => {
    const s = await cluster();
    s.api!.faults.forbid({ verb: 'list', resource: 'persistentvolumes' });
    const r = await s.run(['status']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/not allowed while listing PersistentVolume: persistentvolumes is forbidden/);
    expect(r.stderr).toContain('microk8s config gives the admin user');
  });

  it.each([
    [503, 'ServiceUnavailable', 'hint: the API server is not ready or is overloaded: wait for it (on MicroK8s: microk8s status --wait-ready), then rerun the same command'],
    [500, 'InternalError', 'hint: the API server or an admission webhook failed: run k8s-storage doctor (on a MicroK8s node, microk8s inspect collects the logs), then rerun the same command'],
    [504, 'Timeout', 'hint: the API server timed out: rerun the same command (reruns are safe); if it keeps failing, run k8s-storage doctor'],
  ])('API %d on a read and on an apply: says what failed and what to run next, exit 1', async (status, reason, hint) => {
    const s = await cluster();
    s.api!.faults.add({ match: { verb: 'list', resource: 'storageclasses' }, times: 10, action: { status, reason, message: 'etcdserver: leader changed' } });
    const r = await s.run(['status']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`error: the Kubernetes API failed with ${status} (${reason}) while listing StorageClass: etcdserver: leader changed.`);
    expect(r.stderr).toContain(hint);
    s.api!.faults.add({ match: { verb: 'patch', resource: 'persistentvolumeclaims' }, times: 10, action: { status, reason, message: 'admission webhook "x" failed' } });
    const apply = await s.run(['apply', 'pvc', 'data', '--size', '1Gi']);
    expect(apply.exitCode).toBe(1);
    expect(apply.stderr).toContain(hint);
  });

  it('no kubeconfig anywhere and no microk8s: says where it looked', async () => {
    sb = await perTest.create({});
    const r = await sb.run(['status']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('no kubeconfig found: not in --kubeconfig, $KUBECONFIG or ~/.kube/config, and microk8s is not installed.');
  });

  it('falls back to `microk8s config` when there is no kubeconfig file', async () => {
    sb = await perTest.create({ microk8s: true, api: { nodes: 1 }, kubeconfig: false });
    const r = await sb.run(['status', '-o', 'json']);
    expect(r.exitCode).toBe(0);
    expect(sb.readMicrok8sState().calls.map((c: any) => c.argv[0])).toContain('config');
  });

  it('--context picks a context, and an unknown one is refused with the list', async () => {
    const s = await cluster();
    const r = await s.run(['status', '--context', 'nope']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--context: "nope" is not in .*; its contexts are: /);
  });
});
