/**
 * What status and doctor say about Ceph and OpenEBS (each backend's pure `analyze`): Ceph
 * health with its checks, OSDs running, near-full capacity; OpenEBS engine readiness and
 * HugePages on Mayastor nodes.
 */
import { describe, expect, it } from 'vitest';
import { backendById } from '../../src/backends/index.js';
import type { Backend, ClusterFacts, Obj } from '../../src/backends/types.js';

// Through the registry, as the commands reach them.
const [ceph, openebs, glusterfs] = (['ceph', 'openebs', 'glusterfs'] as const).map((id) => backendById(id) as Backend) as [Backend, Backend, Backend];

const ready = (kind: 'Deployment' | 'DaemonSet', name: string, namespace: string, ok = true): Obj =>
  ({
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace, generation: 1 },
    spec: { replicas: 1 },
    status: kind === 'Deployment' ? { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: ok ? 1 : 0, availableReplicas: ok ? 1 : 0 } : { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberReady: ok ? 3 : 1 },
  }) as Obj;

function facts(o: { workloads?: Obj[]; classes?: Obj[]; extra?: Record<string, unknown> }): ClusterFacts {
  return {
    server: 'https://x',
    version: 'v1.32.3',
    nodes: [],
    classes: o.classes ?? [],
    claims: [],
    volumes: [],
    workloads: new Map((o.workloads ?? []).map((w) => [`${w.kind}/${w.metadata.namespace}/${w.metadata.name}`, w])),
    extra: o.extra ?? {},
  };
}

const cephWorkloads = [ready('Deployment', 'rook-ceph-operator', 'rook-ceph'), ready('DaemonSet', 'csi-rbdplugin', 'rook-ceph'), ready('Deployment', 'csi-rbdplugin-provisioner', 'rook-ceph')];
const cluster = (ceph: Record<string, unknown>): Obj => ({ apiVersion: 'ceph.rook.io/v1', kind: 'CephCluster', metadata: { name: 'rook-ceph', namespace: 'rook-ceph' }, status: { phase: 'Ready', ceph } }) as Obj;
const rbdClass = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'ceph-rbd' }, provisioner: 'rook-ceph.rbd.csi.ceph.com' } as Obj;

describe('Ceph analyze', () => {
  it('nothing installed: no status line, no findings', () => {
    expect(ceph.analyze(facts({}))).toEqual({ findings: [] });
  });

  it.each([
    ['HEALTH_OK, 10% used', { health: 'HEALTH_OK', capacity: { bytesTotal: 100, bytesUsed: 10 } }, true, []],
    ['HEALTH_WARN names its checks', { health: 'HEALTH_WARN', details: { OSD_NEARFULL: { message: '1 nearfull osd(s)', severity: 'HEALTH_WARN' } } }, false, [['warning', 'CephCluster rook-ceph in rook-ceph is HEALTH_WARN: OSD_NEARFULL: 1 nearfull osd(s)']]],
    ['HEALTH_ERR', { health: 'HEALTH_ERR', details: { MON_DOWN: { message: '2/3 mons down' } } }, false, [['error', 'CephCluster rook-ceph in rook-ceph is HEALTH_ERR: MON_DOWN: 2/3 mons down']]],
    ['near full at 87%', { health: 'HEALTH_OK', capacity: { bytesTotal: 100 * 2 ** 30, bytesUsed: 87 * 2 ** 30 } }, true, [['warning', 'CephCluster rook-ceph in rook-ceph is near full: 87% used (87 of 100 GiB); Ceph warns at 85% and stops writes at 95%']]],
    ['full at 96%', { health: 'HEALTH_OK', capacity: { bytesTotal: 100 * 2 ** 30, bytesUsed: 96 * 2 ** 30 } }, false, [['error', 'CephCluster rook-ceph in rook-ceph is full: 96% used (96 of 100 GiB); Ceph stops writes at 95%']]],
  ])('%s', (_name, health, healthy, findings) => {
    const a = ceph.analyze(facts({ workloads: cephWorkloads, classes: [rbdClass], extra: { ceph: { clusters: [cluster(health)], osds: [] } } }));
    expect(a.status).toMatchObject({ installed: true, healthy, classes: ['ceph-rbd'] });
    expect(a.findings.map((f) => [f.severity, f.message])).toEqual(findings);
  });

  it('OSDs not running are named; a missing CSI DaemonSet is an error', () => {
    const osds = [ready('Deployment', 'rook-ceph-osd-0', 'rook-ceph'), ready('Deployment', 'rook-ceph-osd-1', 'rook-ceph', false)];
    const a = ceph.analyze(facts({ workloads: cephWorkloads.slice(0, 1), classes: [rbdClass], extra: { ceph: { clusters: [cluster({ health: 'HEALTH_OK' })], osds } } }));
    expect(a.findings.map((f) => f.message)).toEqual(['DaemonSet csi-rbdplugin in rook-ceph: it does not exist yet', 'Deployment csi-rbdplugin-provisioner in rook-ceph: it does not exist yet', '1 of 2 OSDs are not running: rook-ceph-osd-1']);
    expect(a.details).toMatchObject({ osds: { total: 2, up: 1 } });
  });

  it('Ceph classes without any CephCluster', () => {
    expect(ceph.analyze(facts({ classes: [rbdClass] })).findings.map((f) => f.message)).toContain('Ceph classes exist but no CephCluster: nothing serves their volumes');
  });
});

describe('OpenEBS analyze', () => {
  const hostpathClass = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'openebs-hostpath' }, provisioner: 'openebs.io/local' } as Obj;
  const mayastor = ['openebs-agent-core', 'openebs-csi-controller'].map((n) => ready('Deployment', n, 'openebs')).concat(['openebs-io-engine', 'openebs-csi-node'].map((n) => ready('DaemonSet', n, 'openebs')));

  it('LocalPV hostpath only: ready, Mayastor workloads not expected', () => {
    const a = openebs.analyze(facts({ workloads: [ready('Deployment', 'openebs-localpv-provisioner', 'openebs')], classes: [hostpathClass] }));
    expect(a.status).toMatchObject({ name: 'OpenEBS (LocalPV hostpath)', healthy: true, classes: ['openebs-hostpath'] });
    expect(a.findings).toEqual([]);
  });

  it('Mayastor: an io-engine not ready, and a node without HugePages the kubelet sees', () => {
    const workloads = [ready('Deployment', 'openebs-localpv-provisioner', 'openebs'), ...mayastor.slice(0, 2), ready('DaemonSet', 'openebs-io-engine', 'openebs', false), mayastor[3]!];
    const a = openebs.analyze(facts({ workloads, classes: [hostpathClass], extra: { openebs: { mayastorNodes: [{ name: 'node-1', hugepages2Mi: '2Gi' }, { name: 'node-2', hugepages2Mi: '0' }], diskPools: [] } } }));
    expect(a.status?.healthy).toBe(false);
    expect(a.findings.map((f) => f.message)).toEqual([
      'OpenEBS DaemonSet openebs-io-engine: 1/3 pods ready',
      "node node-2 (openebs.io/engine=mayastor) has 0 of 2 MiB HugePages allocatable; Mayastor's io-engine needs 2Gi (1024 pages)",
    ]);
    expect(a.findings[1]!.fix).toContain('nodes prepare --for openebs-mayastor');
  });
});

describe('GlusterFS analyze', () => {
  it('a leftover in-tree class is an error', () => {
    const a = glusterfs.analyze(facts({ classes: [{ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'gluster' }, provisioner: 'kubernetes.io/glusterfs' } as Obj] }));
    expect(a.findings[0]).toMatchObject({ severity: 'error' });
  });
});
