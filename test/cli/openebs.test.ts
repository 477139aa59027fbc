/**
 * install|uninstall openebs end to end: the real CLI against the fake helm (the openebs/openebs
 * 4.x chart, test/fakes/lib/openebs-chart.mjs), the fake microk8s and the fake API server.
 */
import { describe, expect, it, vi } from 'vitest';
import type { AgentReport } from '../../src/nodes/types.js';
import { agentLog, agentReport, checksWith, type Finding } from '../helpers/agent-report.js';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';

vi.setConfig({ testTimeout: 120_000 });

/** A CLI run of a dozen verified steps, on a busy machine. */
const SLOW = { timeoutMs: 90_000 };
const perTest = sandboxPerTest();
const stops = perTest.stops;
let sb: Sandbox | undefined;

const KUBELET = '/var/snap/microk8s/common/var/lib/kubelet/';
const mayastorReport = (node: string, findings: Record<string, Finding> = {}): AgentReport =>
  agentReport(node, { target: 'openebs-mayastor', checks: checksWith(['os', 'cpu', 'module:nvme_tcp', 'kernel', 'hugepages', 'raw-disks', 'memory', 'kubelet-root-dir'], findings) });

async function cluster(o: { nodes?: number; preflight?: Record<string, Record<string, Finding>> } = {}): Promise<Sandbox> {
  const s = await perTest.create({ microk8s: true, helm: true, api: { nodes: o.nodes ?? 3 } });
  sb = s;
  stops.push(s.api!.controllers.autoReadyWorkloads({ delayMs: 10 }));
  stops.push(s.api!.controllers.autoBindPvcs({ delayMs: 10, provisioners: ['openebs.io/local', 'io.openebs.csi-mayastor'] }));
  const agent = s.api!.controllers.runDaemonSets({ filter: (ds: any) => ds.metadata.namespace === 'k8s-storage-system', run: (node: string) => ({ logs: agentLog(mayastorReport(node, o.preflight?.[node])) }) });
  stops.push(() => agent.stop());
  return s;
}

const helmInstall = (s: Sandbox) => s.readHelmState().calls.map((c: any) => c.argv).find((a: string[]) => a[0] === 'upgrade');
const sets = (argv: string[]) => argv.flatMap((a, i) => (argv[i - 1] === '--set' ? [a] : []));

describe('install openebs', () => {
  it('hostpath (default): the 4.x chart pinned to 4.5.1 with every other engine off, class openebs-hostpath proven by a claim and a pod', async () => {
    const s = await cluster();
    const r = await s.run(['install', 'openebs'], SLOW);
    expect(r.exitCode, r.stderr).toBe(0);
    const argv = helmInstall(s)!;
    expect(argv.slice(0, 4)).toEqual(['upgrade', '--install', 'openebs', 'openebs/openebs']);
    expect(argv).toEqual(expect.arrayContaining(['-n', 'openebs', '--version', '4.5.1', '--create-namespace']));
    expect(sets(argv)).toEqual([
      'engines.local.lvm.enabled=false',
      'engines.local.zfs.enabled=false',
      'engines.replicated.mayastor.enabled=false',
      'localpv-provisioner.localpv.basePath=/var/openebs/local',
      'localpv-provisioner.hostpathClass.isDefaultClass=false',
    ]);
    expect(s.readHelmState().repos.openebs).toBe('https://openebs.github.io/openebs');
    expect(s.api!.store.get('storageclasses', 'openebs-hostpath').provisioner).toBe('openebs.io/local');
    expect(r.stderr).toContain('Wait for the probe claim of openebs-hostpath to bind');
    expect(s.api!.store.list('persistentvolumeclaims')).toEqual([]);
    expect(s.api!.store.list('pods', 'default')).toEqual([]);
    expect(r.stderr).toContain("LocalPV hostpath keeps each volume on one node's disk");
    // A rerun converges (helm upgrade in place).
    const again = await s.run(['install', 'openebs'], SLOW);
    expect(again.exitCode, again.stderr).toBe(0);
  });

  it('snapshot CRDs that exist already: openebs-crds.csi.volumeSnapshots.enabled=false, so Helm need not adopt them', async () => {
    const s = await cluster({ nodes: 1 });
    s.api!.store.put({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'volumesnapshots.snapshot.storage.k8s.io' }, spec: { group: 'snapshot.storage.k8s.io', scope: 'Namespaced', names: { plural: 'volumesnapshots', singular: 'volumesnapshot', kind: 'VolumeSnapshot', listKind: 'VolumeSnapshotList' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] } });
    const r = await s.run(['install', 'openebs', '--base-path', '/mnt/ssd/openebs'], SLOW);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(sets(helmInstall(s)!)).toEqual(expect.arrayContaining(['openebs-crds.csi.volumeSnapshots.enabled=false', 'localpv-provisioner.localpv.basePath=/mnt/ssd/openebs']));
    expect(r.stderr).toContain('Helm would refuse to adopt them');
  });

  it('mayastor: preflight on every node, exit 3 with the per-node report when HugePages or SSE4.2 are missing', async () => {
    const s = await cluster({
      preflight: {
        'node-2': { hugepages: ['error', "0 x 2 MiB HugePages reserved; Mayastor's io-engine needs 1024", 'k8s-storage nodes prepare --for openebs-mayastor'] },
        'node-3': { cpu: ['error', "the CPU has no SSE4.2 (no sse4_2 flag in /proc/cpuinfo): Mayastor's io-engine needs it", 'use a CPU with SSE4.2'] },
      },
    });
    const r = await s.run(['install', 'openebs', '--engine', 'mayastor'], SLOW);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('node-2: 0 x 2 MiB HugePages reserved');
    expect(r.stderr).toContain('node-3: the CPU has no SSE4.2');
    expect(JSON.parse(r.stdout).target).toBe('openebs-mayastor');
    expect(s.readHelmState().calls.filter((c: any) => c.argv[0] === 'upgrade')).toEqual([]);
  });

  it('mayastor with --disk: nodes labelled, kubelet dir set, DiskPools made, class openebs-single-replica proven', async () => {
    const s = await cluster();
    // The stand-in DiskPool operator: pools come Online.
    const stop = s.api!.onChange((ev: any) => {
      if (ev.type === 'ADDED' && ev.resource.resource === 'diskpools') {
        setTimeout(() => s.api!.store.update('diskpools.openebs.io', ev.object.metadata.name, 'openebs', (o: any) => void (o.status = { cr_state: 'Created', pool_status: 'Online', used: 0 })), 10);
      }
    });
    stops.push(stop);
    const disks = ['node-1', 'node-2', 'node-3'].flatMap((n) => ['--disk', `${n}=/dev/disk/by-id/nvme-${n}`]);
    const r = await s.run(['install', 'openebs', '--engine', 'mayastor', ...disks], SLOW);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(sets(helmInstall(s)!)).toEqual(expect.arrayContaining(['engines.replicated.mayastor.enabled=true', `mayastor.csi.node.kubeletDir=${KUBELET}`]));
    for (const n of ['node-1', 'node-2', 'node-3']) expect(s.api!.store.get('nodes', n).metadata.labels['openebs.io/engine']).toBe('mayastor');
    expect(s.api!.store.get('diskpools.openebs.io', 'pool-node-2', 'openebs').spec).toEqual({ node: 'node-2', disks: ['aio:///dev/disk/by-id/nvme-node-2'] });
    expect(r.stderr).toContain('Wait for the probe claim of openebs-single-replica to bind');
  });

  it('Calico checksum-offload: applied only when Mayastor pods are stuck in Init', async () => {
    const s = await cluster({ nodes: 1 });
    s.api!.store.put({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'felixconfigurations.crd.projectcalico.org' }, spec: { group: 'crd.projectcalico.org', scope: 'Cluster', names: { plural: 'felixconfigurations', singular: 'felixconfiguration', kind: 'FelixConfiguration', listKind: 'FelixConfigurationList' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] } });
    s.api!.store.put({ apiVersion: 'crd.projectcalico.org/v1', kind: 'FelixConfiguration', metadata: { name: 'default' }, spec: { vxlanEnabled: true } });
    const first = await s.run(['install', 'openebs', '--engine', 'mayastor', '--dry-run'], SLOW);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).not.toContain('featureDetectOverride');
    expect(first.stdout).toContain('if Mayastor pods stay in Init');
    s.api!.store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'openebs' } });
    s.api!.store.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'openebs-csi-controller-abc', namespace: 'openebs', creationTimestamp: new Date(Date.now() - 10 * 60_000).toISOString() }, spec: { containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Pending', initContainerStatuses: [{ name: 'agent-core-grpc-probe', state: { running: {} } }] } });
    const r = await s.run(['install', 'openebs', '--engine', 'mayastor', '--skip-preflight'], SLOW);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(s.api!.store.get('felixconfigurations.crd.projectcalico.org', 'default').spec.featureDetectOverride).toBe('ChecksumOffloadBroken=true');
  });

  it('bad input: every problem at once (exit 2)', async () => {
    const s = await cluster({ nodes: 1 });
    const engine = await s.run(['install', 'openebs', '--engine', 'jiva'], SLOW);
    expect(engine.exitCode).toBe(2);
    expect(engine.stderr).toContain("argument 'jiva' is invalid. Allowed choices are hostpath, mayastor");
    const r = await s.run(['install', 'openebs', '--disk', 'node-1:/dev/sdb', '--base-path', 'relative'], SLOW);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--disk: DiskPools are for --engine mayastor');
    expect(r.stderr).toContain('--disk: "node-1:/dev/sdb" is not NODE=/dev/disk/by-id/ID');
    expect(r.stderr).toContain('--base-path: "relative" must be an absolute path');
  });
});

describe('uninstall openebs', () => {
  it('refuses while claims of its classes exist; then removes the release and the namespace', async () => {
    const s = await cluster({ nodes: 1 });
    expect((await s.run(['install', 'openebs'], SLOW)).exitCode).toBe(0);
    s.api!.store.put({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'cache', namespace: 'web' }, spec: { storageClassName: 'openebs-hostpath', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    const refused = await s.run(['uninstall', 'openebs'], SLOW);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('refusing to uninstall OpenEBS while claims web/cache of its classes exist');
    s.api!.store.delete('persistentvolumeclaims', 'cache', 'web');
    const r = await s.run(['uninstall', 'openebs'], SLOW);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(s.readHelmState().releases['openebs/openebs']).toBeUndefined();
    expect(s.api!.store.get('namespaces', 'openebs')).toBeUndefined();
  });
});
