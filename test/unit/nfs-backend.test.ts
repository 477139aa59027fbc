// The NFS backend's pure parts: chart values against the real chart, analyze, and the fixes a
// provisioner's event text points to.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
// The registry first, as the CLI loads it: a backend module imported on its own meets the
// registry's import cycle (manifests -> presets/registry -> backends/index -> the backend).
import '../../src/backends/index.js';
import { MICROK8S_KUBELET_DIR, NFS_CHART, NFS_VALUE_KEYS, nfsChartValues } from '../../src/backends/nfs/chart.js';
import { nfs as nfsBackend } from '../../src/backends/nfs/index.js';
import { provisioningFixes } from '../../src/backends/nfs/plan.js';
import type { ClusterFacts } from '../../src/backends/types.js';
import { unknownValueKeys } from '../../src/backends/longhorn/values.js';
import { sharedChart, whyNoRealChart } from '../helpers/real-tools.mjs';

const skip = whyNoRealChart('csi-driver-nfs-4.13.4');
describe.skipIf(skip)(`csi-driver-nfs values against the real chart${skip ? ` (${skip})` : ''}`, () => {
  const dir = sharedChart('csi-driver-nfs-4.13.4')!;
  it('is the pinned chart, and every key we set is one of its values', () => {
    expect(parse(readFileSync(join(dir, 'Chart.yaml'), 'utf8'))).toMatchObject({ name: NFS_CHART.chartName, version: NFS_CHART.version });
    const values = parse(readFileSync(join(dir, 'values.yaml'), 'utf8'));
    expect(unknownValueKeys(nfsChartValues({ microk8s: true }), values)).toEqual([]);
    for (const key of NFS_VALUE_KEYS) expect(unknownValueKeys({ [key]: 'x' }, values)).toEqual([]);
    // The trap: csi-driver-smb's key does not exist here.
    expect(unknownValueKeys({ linux: { kubelet: 'x' } }, values)).toEqual(['linux']);
  });
});

describe('nfsChartValues', () => {
  it.each([
    [true, { kubeletDir: MICROK8S_KUBELET_DIR }],
    [false, {}],
  ])('microk8s %s -> %j', (microk8s, expected) => {
    expect(nfsChartValues({ microk8s })).toEqual(expected);
  });
});

const facts = (over: Partial<ClusterFacts>): ClusterFacts => ({ server: 'x', version: 'v1.32', nodes: [], classes: [], claims: [], volumes: [], workloads: new Map(), extra: {}, ...over });
const csiClass = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'nfs-csi' }, provisioner: 'nfs.csi.k8s.io', parameters: { server: '192.168.1.100', share: '/srv/nfs' } };
const addonClass = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'nfs' }, provisioner: 'cluster.local/nfs-server-provisioner' };
const readySts = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'nfs-server-provisioner', namespace: 'nfs-server-provisioner', generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, readyReplicas: 1, updatedReplicas: 1 } };

describe('analyze', () => {
  it('nothing NFS: no status line, no finding', () => {
    expect(nfsBackend.analyze(facts({}))).toEqual({ findings: [] });
  });

  it("the seed's mistake: the addon's server plus a class of nfs.csi.k8s.io with no driver", () => {
    const a = nfsBackend.analyze(facts({ classes: [csiClass, addonClass], workloads: new Map([['StatefulSet/nfs-server-provisioner/nfs-server-provisioner', readySts]]) }));
    const error = a.findings.find((f) => f.severity === 'error');
    expect(error?.message).toMatch(/^StorageClass nfs-csi uses provisioner nfs\.csi\.k8s\.io, but csi-driver-nfs is not installed: its claims stay Pending forever\. The MicroK8s nfs addon/);
    expect(error?.fix).toBe('k8s-storage install nfs --name nfs-csi --server 192.168.1.100 --share /srv/nfs   (or use the addon\'s class: storageClassName: nfs)');
    expect(a.status).toMatchObject({ name: 'nfs', installed: false, classes: ['nfs-csi'] });
    expect(a.details).toMatchObject({ inCluster: { installed: true, healthy: true, classes: ['nfs'] } });
  });

  it('a driver that is not ready is a warning with where to look', () => {
    const notReady = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'csi-nfs-controller', namespace: 'kube-system', generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, readyReplicas: 0 } };
    const a = nfsBackend.analyze(facts({ classes: [csiClass], workloads: new Map([['Deployment/kube-system/csi-nfs-controller', notReady]]) }));
    expect(a.status).toMatchObject({ installed: true, healthy: false });
    expect(a.findings).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringContaining('csi-driver-nfs: deployment/csi-nfs-controller (kube-system): 0/1 replicas ready') })]);
  });
});

describe('provisioningFixes: the event text picks the fix', () => {
  const fixes = provisioningFixes({ server: 'nas', share: '/export', nodes: [{ name: 'n1', addresses: ['10.0.0.10'] }] });
  const pick = (event: string) => fixes.filter((f) => event.toLowerCase().includes(f.match)).map((f) => f.fix);
  it.each([
    ['mount.nfs: access denied by server while mounting nas:/export', /export \/export to the node IPs \(10\.0\.0\.10\)/],
    ["chown: changing ownership of '/tmp/x': Operation not permitted", /no_root_squash/],
    ['mount.nfs: mounting nas:/exprt failed, reason given by server: No such file or directory', /showmount -e nas/],
    ["mount.nfs: rpc.statd is not running but is required for remote locking.", /nfsvers=4\.1/],
    ['mount.nfs: Connection timed out', /port 2049/],
  ])('%s', (event, expected) => {
    expect(pick(event).join(' ')).toMatch(expected);
  });
});
