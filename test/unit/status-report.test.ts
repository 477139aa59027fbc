import { describe, expect, it } from 'vitest';
import { buildStatusReport, workloadKey, type ClusterObjects } from '../../src/status/report.js';

const sc = (name: string, provisioner: string, opts: { default?: boolean; binding?: string; reclaim?: string } = {}) => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name, ...(opts.default ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}) },
  provisioner,
  ...(opts.binding ? { volumeBindingMode: opts.binding } : {}),
  ...(opts.reclaim ? { reclaimPolicy: opts.reclaim } : {}),
});
const pvc = (ns: string, name: string, className: string | undefined, phase: string) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: ns }, spec: className === undefined ? {} : { storageClassName: className }, status: { phase } });
const pv = (name: string, className: string, reclaim: string, claim?: string) => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { storageClassName: className, persistentVolumeReclaimPolicy: reclaim, ...(claim ? { claimRef: { namespace: claim.split('/')[0], name: claim.split('/')[1] } } : {}) }, status: { phase: 'Bound' } });
const hostpathDeployment = (ready: boolean) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'hostpath-provisioner', namespace: 'kube-system', generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, replicas: 1, readyReplicas: ready ? 1 : 0, updatedReplicas: 1, availableReplicas: ready ? 1 : 0 } });

function objects(over: Partial<ClusterObjects>): ClusterObjects {
  return { server: 'https://127.0.0.1:16443', version: 'v1.32.3', nodes: [{ name: 'n1', ready: true, microk8s: true }], classes: [], claims: [], volumes: [], workloads: new Map(), ...over } as ClusterObjects;
}

describe('status report', () => {
  it('a healthy hostpath setup', () => {
    const r = buildStatusReport(objects({
      classes: [sc('microk8s-hostpath', 'microk8s.io/hostpath', { default: true, binding: 'WaitForFirstConsumer' })],
      claims: [pvc('shop', 'db', 'microk8s-hostpath', 'Bound'), pvc('shop', 'cache', 'microk8s-hostpath', 'Pending')],
      volumes: [pv('pvc-1', 'microk8s-hostpath', 'Delete', 'shop/db')],
      workloads: new Map([[workloadKey({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'kube-system', name: 'hostpath-provisioner' }), hostpathDeployment(true)]]) as never,
    }));
    expect(r.backends).toEqual([{ name: 'hostpath', provisioner: 'microk8s.io/hostpath', installed: true, healthy: true, classes: ['microk8s-hostpath'], workloads: [{ ref: 'deployment/hostpath-provisioner (kube-system)', ready: 'ready' }] }]);
    expect(r.defaultClasses).toEqual(['microk8s-hostpath']);
    expect(r.claims.byClass).toEqual([{ storageClass: 'microk8s-hostpath', phase: 'Bound', count: 1 }, { storageClass: 'microk8s-hostpath', phase: 'Pending', count: 1 }]);
    expect(r.volumesDeletedWithClaim).toEqual([{ name: 'pvc-1', claim: 'shop/db', storageClass: 'microk8s-hostpath' }]);
    expect(r.pendingClaims[0]!.reason).toMatch(/normal until a pod uses it/);
    expect(r.warnings).toEqual([]);
    expect(r.cluster).toMatchObject({ nodes: 1, readyNodes: 1, microk8s: true });
  });

  it('warns about two defaults and about none', () => {
    expect(buildStatusReport(objects({ classes: [sc('a', 'x', { default: true }), sc('b', 'y', { default: true })] })).warnings[0]).toMatch(/2 StorageClasses are the default \(a, b\).*k8s-storage default-class NAME/);
    expect(buildStatusReport(objects({ classes: [sc('a', 'x')] })).warnings[0]).toMatch(/no StorageClass is the default/);
  });

  it('a class whose provisioner is not running makes its backend unhealthy and explains Pending claims', () => {
    const r = buildStatusReport(objects({ classes: [sc('longhorn', 'driver.longhorn.io', { default: true })], claims: [pvc('a', 'data', 'longhorn', 'Pending')] }));
    expect(r.backends[0]).toMatchObject({ name: 'longhorn', installed: false, healthy: false });
    expect(r.pendingClaims[0]!.reason).toMatch(/its provisioner driver.longhorn.io is not healthy/);
    expect(r.warnings.join(' ')).toContain('provisioner is not running');
  });

  it('explains each kind of Pending claim', () => {
    const r = buildStatusReport(objects({
      classes: [sc('fast', 'x.example.com')],
      claims: [pvc('a', 'no-class', undefined, 'Pending'), pvc('a', 'missing', 'gone', 'Pending'), pvc('a', 'static', '', 'Pending'), pvc('a', 'slow', 'fast', 'Pending')],
    }));
    expect(r.pendingClaims.map((p) => p.reason)).toEqual([
      'it names no StorageClass and the cluster has no default class (k8s-storage default-class NAME)',
      'StorageClass gone does not exist',
      'it asks for no dynamic provisioning (storageClassName ""): it needs a matching PV made by hand',
      'waiting for x.example.com; see kubectl -n a describe pvc slow',
    ]);
  });

  it('hostpath volumes on a multi-node cluster are a warning', () => {
    const r = buildStatusReport(objects({
      nodes: [{ name: 'a', ready: true, microk8s: true }, { name: 'b', ready: true, microk8s: true }],
      classes: [sc('microk8s-hostpath', 'microk8s.io/hostpath', { default: true })],
      volumes: [pv('pvc-1', 'microk8s-hostpath', 'Retain', 'x/y')],
      workloads: new Map([[workloadKey({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'kube-system', name: 'hostpath-provisioner' }), hostpathDeployment(true)]]) as never,
    }));
    expect(r.warnings).toEqual([expect.stringMatching(/1 hostpath volume\(s\) on a 2-node cluster.*k8s-storage install longhorn/)]);
    expect(r.volumesDeletedWithClaim).toEqual([]);
  });
});
