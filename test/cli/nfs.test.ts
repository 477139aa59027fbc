// `install nfs`, `uninstall nfs`, and what status/doctor say about NFS: the real CLI against the
// fake microk8s, the fake helm (which renders the real csi-driver-nfs 4.13.4 chart when
// ../shared is there) and the fake API server.
import { describe, expect, it, vi } from 'vitest';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';
import { agentLog, agentReport, checksWith, type Finding } from '../helpers/agent-report.js';

// Each test runs several CLI processes in a row (install, rerun, uninstall): room for a busy machine.
vi.setConfig({ testTimeout: 180_000 });

const perTest = sandboxPerTest();
const stops = perTest.stops;
let sb: Sandbox | undefined;

const KUBELET = '/var/snap/microk8s/common/var/lib/kubelet';
const DENIED = 'rpc error: code = Internal desc = failed to mount nfs server: mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs -o nfsvers=4.1 10.0.0.5:/export /tmp/pvc-1\nOutput: mount.nfs: access denied by server while mounting 10.0.0.5:/export';

interface ClusterOptions {
  nodes?: number;
  microk8s?: boolean | Record<string, any>;
  /** false: claims of nfs.csi.k8s.io classes never bind; a string: they fail with that text. */
  provision?: boolean | string;
  preflight?: Record<string, Record<string, Finding>>;
}

async function cluster(o: ClusterOptions = {}): Promise<Sandbox> {
  const s = await perTest.create({
    ...(o.microk8s === false ? {} : { microk8s: o.microk8s === undefined || o.microk8s === true ? true : o.microk8s }),
    helm: true,
    api: { nodes: o.nodes ?? 2 },
  });
  sb = s;
  const run = s.run;
  s.run = (args, ro = {}) => run(args, { timeoutMs: 60_000, ...ro });
  if (o.microk8s === false) {
    for (const n of s.api!.store.list('nodes')) {
      s.api!.store.update('nodes', n.metadata.name, undefined, (x: any) => {
        delete x.metadata.labels['node.kubernetes.io/microk8s-controlplane'];
        delete x.metadata.labels['microk8s.io/cluster'];
      });
    }
  }
  stops.push(s.api!.controllers.autoReadyWorkloads({ delayMs: 10 }));
  if (o.provision !== false) {
    const failure = typeof o.provision === 'string' ? o.provision : undefined;
    stops.push(s.api!.controllers.autoBindPvcs({ delayMs: 10, ...(failure ? { failProvisioning: (_p: any, sc: any) => (sc.provisioner === 'nfs.csi.k8s.io' ? failure : undefined) } : {}) }));
  }
  const agent = s.api!.controllers.runDaemonSets({
    filter: (ds: any) => ds.metadata.namespace === 'k8s-storage-system',
    run: (node: string) => ({ logs: agentLog(agentReport(node, { target: 'nfs', checks: checksWith(['package:nfs-common', 'module:nfs'], o.preflight?.[node]) })) }),
  });
  stops.push(() => agent.stop());
  return s;
}

const helmArgv = (s: Sandbox) => s.readHelmState().calls.map((c: any) => c.argv as string[]);
const upgrades = (s: Sandbox) => helmArgv(s).filter((a) => a[0] === 'upgrade');
const m8sArgv = (s: Sandbox) => s.readMicrok8sState().calls.map((c: any) => (c.argv as string[]).join(' '));
const sc = (s: Sandbox, name: string) => s.api!.store.get('storageclasses', name);
const isDefault = (o: any) => o?.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true';

describe('install nfs --server --share (csi-driver-nfs)', () => {
  it('on MicroK8s: exact Helm argv with kubeletDir, the driver waited for, class nfs applied, the probe claim bound and deleted', async () => {
    const s = await cluster();
    const r = await s.run(['install', 'nfs', '--server', '10.0.0.5', '--share', '/export']);
    expect(r.stderr).toContain('Wait for the probe claim to bind');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
    expect(upgrades(s)).toEqual([
      ['upgrade', '--install', 'csi-driver-nfs', 'csi-driver-nfs/csi-driver-nfs', '-n', 'kube-system', '--create-namespace', '--version', '4.13.4', '--set', `kubeletDir=${KUBELET}`, '--timeout', '5m'],
    ]);
    expect(helmArgv(s)).toContainEqual(['repo', 'add', 'csi-driver-nfs', 'https://kubernetes-csi.github.io/csi-driver-nfs', '--force-update']);
    const release = s.readHelmState().releases['kube-system/csi-driver-nfs']!;
    expect(release).toMatchObject({ status: 'deployed', chart: 'csi-driver-nfs-4.13.4', values: { kubeletDir: KUBELET } });
    // What Helm made (rendered from the real chart when ../shared is there) uses the snap's kubelet dir.
    const node = s.api!.store.get('daemonsets', 'csi-nfs-node', 'kube-system');
    const kubeletPaths = node.spec.template.spec.volumes.map((v: any) => v.hostPath?.path).filter((p?: string) => p?.includes('kubelet'));
    expect(kubeletPaths.length).toBeGreaterThan(0);
    for (const p of kubeletPaths) expect(p.startsWith(KUBELET)).toBe(true);
    expect(sc(s, 'nfs')).toMatchObject({ provisioner: 'nfs.csi.k8s.io', parameters: { server: '10.0.0.5', share: '/export' }, mountOptions: ['nfsvers=4.1'], reclaimPolicy: 'Delete' });
    // No other class was the default, so nfs is.
    expect(isDefault(sc(s, 'nfs'))).toBe(true);
    // The probe bound (a PV was made for it) and is gone again.
    expect(s.api!.store.get('pvc', 'k8s-storage-probe-nfs', 'kube-system')).toBeUndefined();
    expect(r.stderr).toContain('✓ Wait for the probe claim to bind (proves nfs can provision)');
    expect(r.stderr).toContain('✓ Delete the probe claim k8s-storage-probe-nfs');
  });

  it('on a plain cluster: no kubeletDir, and the class options reach the StorageClass', async () => {
    const s = await cluster({ microk8s: false });
    const r = await s.run(['install', 'nfs', '--server', 'nas.lan', '--share', '/k8s', '--sub-dir', '${pvc.metadata.namespace}/${pvc.metadata.name}', '--mount-options', 'nfsvers=4.2,hard', '--on-delete', 'archive', '--reclaim-policy', 'retain', '--no-default-class']);
    expect(r.exitCode).toBe(0);
    expect(upgrades(s)).toEqual([['upgrade', '--install', 'csi-driver-nfs', 'csi-driver-nfs/csi-driver-nfs', '-n', 'kube-system', '--create-namespace', '--version', '4.13.4', '--timeout', '5m']]);
    expect(s.readHelmState().releases['kube-system/csi-driver-nfs']!.values).toEqual({});
    expect(sc(s, 'nfs')).toMatchObject({
      parameters: { server: 'nas.lan', share: '/k8s', subDir: '${pvc.metadata.namespace}/${pvc.metadata.name}', onDelete: 'archive' },
      mountOptions: ['nfsvers=4.2', 'hard'],
      reclaimPolicy: 'Retain',
    });
    expect(isDefault(sc(s, 'nfs'))).toBe(false);
    expect(r.stderr).toContain('its empty directory stays on nas.lan:/k8s');
  });

  it('reruns converge, and a second class on another share reuses the installed driver', async () => {
    const s = await cluster();
    expect((await s.run(['install', 'nfs', '--server', '10.0.0.5', '--share', '/export'])).exitCode).toBe(0);
    const again = await s.run(['install', 'nfs', '--server', '10.0.0.5', '--share', '/export']);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('csi-driver-nfs 4.13.4 is already deployed');
    const media = await s.run(['install', 'nfs', '--name', 'nfs-media', '--server', '10.0.0.6', '--share', '/media']);
    expect(media.exitCode).toBe(0);
    expect(upgrades(s)).toHaveLength(1);
    expect(sc(s, 'nfs-media')).toMatchObject({ provisioner: 'nfs.csi.k8s.io', parameters: { server: '10.0.0.6', share: '/media' } });
    // nfs stays the only default: the second class does not take it without --default-class.
    expect(s.api!.store.list('storageclasses').filter(isDefault).map((c: any) => c.metadata.name)).toEqual(['nfs']);
    expect(media.stderr).toContain('Keeping nfs as the default StorageClass');
  });

  it('-f and --set go to Helm after ours; a value the chart does not have fails the install (real chart)', async () => {
    const s = await cluster();
    const r = await s.run(['install', 'nfs', '--server', '10.0.0.5', '--share', '/export', '--set', 'controller.replica=2']);
    expect(r.exitCode).toBe(1);
    expect(upgrades(s)[0]).toEqual(expect.arrayContaining(['--set', `kubeletDir=${KUBELET}`, '--set', 'controller.replica=2']));
    if (s.readHelmState().realHelm) expect(r.stderr).toContain("values don't meet the specifications of the schema(s)");
    expect(sc(s, 'nfs')).toBeUndefined();
  });

  it('a probe claim that does not bind: exit 1 with the provisioner\'s event text and the fix it points to', async () => {
    const s = await cluster({ provision: DENIED });
    const r = await s.run(['install', 'nfs', '--server', '10.0.0.5', '--share', '/export', '--timeout', '2s']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('ProvisioningFailed: failed to provision volume with StorageClass "nfs": rpc error: code = Internal desc = failed to mount nfs server');
    expect(r.stderr).toContain('mount.nfs: access denied by server while mounting 10.0.0.5:/export');
    // The fix: export to the node IPs (host network), with no_root_squash.
    expect(r.stderr).toContain('must export /export to the node IPs (10.0.0.10, 10.0.0.11), not the pod network: csi-driver-nfs uses the host network');
    expect(r.stderr).toContain('no_root_squash');
    // Left for kubectl describe; the next successful run removes it.
    expect(s.api!.store.get('pvc', 'k8s-storage-probe-nfs', 'kube-system')).toBeDefined();
  });

  it('Ctrl-C while waiting for the probe: exit 130; the rerun finishes and removes the probe', async () => {
    const s = await cluster({ provision: false });
    const r = await s.runWithSignal(['install', 'nfs', '--server', '10.0.0.5', '--share', '/export'], { afterStderrMatch: /Wait for the probe claim/ });
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toContain('rerun the same command to finish');
    stops.push(s.api!.controllers.autoBindPvcs({ delayMs: 10 }));
    const again = await s.run(['install', 'nfs', '--server', '10.0.0.5', '--share', '/export']);
    expect(again.exitCode).toBe(0);
    expect(upgrades(s)).toHaveLength(1);
    expect(s.api!.store.get('pvc', 'k8s-storage-probe-nfs', 'kube-system')).toBeUndefined();
  });

  it('--dry-run -o json prints the plan and changes nothing', async () => {
    const s = await cluster();
    const r = await s.run(['install', 'nfs', '--server', '10.0.0.5', '--share', '/export', '--dry-run', '-o', 'json']);
    expect(r.exitCode).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.steps.map((st: any) => st.kind)).toEqual(['run', 'run', 'run', 'wait', 'wait', 'apply', 'verify', 'apply', 'wait', 'delete']);
    expect(upgrades(s)).toEqual([]);
    expect(sc(s, 'nfs')).toBeUndefined();
  });
});

describe('install nfs: bad input, before anything changes (exit 2)', () => {
  it.each([
    [['--in-cluster', '--server', '10.0.0.5'], ['--server: not used with --in-cluster']],
    [['--share', '/export'], ['--server is required for the nfs preset']],
    [['--server', '10.0.0.5', '--share', 'export', '--sub-dir', '/abs', '--timeout', '5 minutes'], ['--share: "export" must be an absolute path', '--sub-dir: "/abs" must be a relative path', '--timeout: "5 minutes" is not a duration']],
    [['--server', '10.0.0.5', '--share', '/export', '--node', 'node-1'], ['--node: only with --in-cluster']],
    [['--server', '10.0.0.5', '--share', '/export', '--default-class', '--no-default-class'], ['--default-class and --no-default-class contradict each other']],
    [['--server', '10.0.0.5', '--share', '/export', '-o', 'xml'], ['-o xml']],
  ])('%j', async (args, messages) => {
    const s = await cluster();
    const r = await s.run(['install', 'nfs', ...args]);
    expect(r.exitCode).toBe(2);
    for (const m of messages) expect(r.stderr).toContain(m);
    expect(m8sArgv(s).filter((a) => a.startsWith('enable'))).toEqual([]);
    expect(upgrades(s)).toEqual([]);
    expect(s.api!.store.list('storageclasses')).toEqual([]);
  });
});

describe('install nfs --in-cluster (the MicroK8s community addon)', () => {
  it('enables community, then nfs -n NODE, reads back the StatefulSet and class nfs, warns about one node\'s disk, and proves the class', async () => {
    const s = await cluster();
    const r = await s.run(['install', 'nfs', '--in-cluster', '--node', 'node-2']);
    expect(r.stderr).toContain("one node's disk");
    expect(r.stderr).toContain('claim sizes are not enforced');
    expect(r.exitCode).toBe(0);
    const enables = m8sArgv(s).filter((a) => a.startsWith('enable'));
    expect(enables).toEqual(['enable community', 'enable nfs -n node-2']);
    expect(s.api!.store.get('statefulsets', 'nfs-server-provisioner', 'nfs-server-provisioner').spec.template.spec.nodeSelector).toEqual({ 'kubernetes.io/hostname': 'node-2' });
    expect(sc(s, 'nfs')).toMatchObject({ provisioner: 'cluster.local/nfs-server-provisioner' });
    expect(s.api!.store.get('pvc', 'k8s-storage-probe-nfs', 'kube-system')).toBeUndefined();
    // The node preflight ran (nodes check --for nfs) before the addon was enabled.
    expect(r.stderr.indexOf('Enable the community nfs addon')).toBeGreaterThan(-1);
    const rerun = await s.run(['install', 'nfs', '--in-cluster', '--node', 'node-2']);
    expect(rerun.exitCode).toBe(0);
    expect(rerun.stderr).toContain('already enabled (server on node node-2)');
    expect(m8sArgv(s).filter((a) => a.startsWith('enable'))).toHaveLength(2);
  });

  it('the addon exits 0 without doing anything: the missing StatefulSet is reported (exit 1)', async () => {
    const s = await cluster({ microk8s: { addons: { community: { status: 'enabled' } }, quirks: { enableExitsZeroButFails: ['nfs'] } } });
    const r = await s.run(['install', 'nfs', '--in-cluster', '--skip-preflight']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/"microk8s enable nfs" exited 0 but StatefulSet\/nfs-server-provisioner in nfs-server-provisioner does not exist/);
  });

  it('a node without the NFS client stops it before anything is enabled (exit 3)', async () => {
    const s = await cluster({ preflight: { 'node-2': { 'package:nfs-common': ['error', 'nfs-common is not installed', 'sudo apt-get install -y nfs-common'] } } });
    const r = await s.run(['install', 'nfs', '--in-cluster']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('node-2: nfs-common is not installed');
    expect(r.stderr).toContain('Nothing was installed.');
    expect(m8sArgv(s).filter((a) => a.startsWith('enable'))).toEqual([]);
  });

  it('an unknown --node is a usage error', async () => {
    const s = await cluster();
    const r = await s.run(['install', 'nfs', '--in-cluster', '--node', 'node-9', '--skip-preflight']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--node node-9: no such node; the cluster has node-1, node-2');
  });
});

describe('uninstall nfs', () => {
  const pv = (name: string, storageClassName: string) => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { storageClassName, claimRef: { namespace: 'web', name: `claim-${name}` }, capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany'] }, status: { phase: 'Bound' } });

  it('refuses while volumes of its classes exist, listing them; --force --yes removes the driver and classes, not the volumes', async () => {
    const s = await cluster();
    expect((await s.run(['install', 'nfs', '--server', '10.0.0.5', '--share', '/export'])).exitCode).toBe(0);
    s.api!.store.put(pv('pvc-a', 'nfs'));
    const refused = await s.run(['uninstall', 'nfs', '--yes']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('pvc-a (claim web/claim-pvc-a) of class nfs');
    expect(refused.stderr).toContain('--force');
    expect(s.readHelmState().releases['kube-system/csi-driver-nfs']).toBeDefined();

    const forced = await s.run(['uninstall', 'nfs', '--force', '--yes']);
    expect(forced.exitCode).toBe(0);
    expect(helmArgv(s)).toContainEqual(['uninstall', 'csi-driver-nfs', '-n', 'kube-system', '--timeout', '5m']);
    expect(s.readHelmState().releases['kube-system/csi-driver-nfs']).toBeUndefined();
    expect(sc(s, 'nfs')).toBeUndefined();
    expect(s.api!.store.get('daemonsets', 'csi-nfs-node', 'kube-system')).toBeUndefined();
    expect(s.api!.store.get('persistentvolumes', 'pvc-a')).toBeDefined();
    // Converged: a second uninstall has nothing to do.
    const again = await s.run(['uninstall', 'nfs']);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('not installed: nothing to do');
  });

  it('without a terminal and without --yes: refuses (exit 2) and changes nothing', async () => {
    const s = await cluster();
    expect((await s.run(['install', 'nfs', '--server', '10.0.0.5', '--share', '/export'])).exitCode).toBe(0);
    const r = await s.run(['uninstall', 'nfs']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('add --yes');
    expect(sc(s, 'nfs')).toBeDefined();
  });

  it('--name removes one class and keeps the driver for the others', async () => {
    const s = await cluster();
    expect((await s.run(['install', 'nfs', '--server', '10.0.0.5', '--share', '/export'])).exitCode).toBe(0);
    expect((await s.run(['install', 'nfs', '--name', 'nfs-media', '--server', '10.0.0.6', '--share', '/media'])).exitCode).toBe(0);
    const r = await s.run(['uninstall', 'nfs', '--name', 'nfs-media', '--yes']);
    expect(r.exitCode).toBe(0);
    expect(sc(s, 'nfs-media')).toBeUndefined();
    expect(sc(s, 'nfs')).toBeDefined();
    expect(s.readHelmState().releases['kube-system/csi-driver-nfs']).toBeDefined();
  });

  it('--in-cluster: refuses while the addon\'s volumes exist, else disables it and says the node directory stays', async () => {
    const s = await cluster();
    expect((await s.run(['install', 'nfs', '--in-cluster', '--node', 'node-1', '--skip-preflight'])).exitCode).toBe(0);
    s.api!.store.put(pv('pvc-b', 'nfs'));
    const refused = await s.run(['uninstall', 'nfs', '--in-cluster', '--force', '--yes']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('pvc-b (claim web/claim-pvc-b) of class nfs');
    s.api!.store.delete('persistentvolumes', 'pvc-b');
    const r = await s.run(['uninstall', 'nfs', '--in-cluster', '--yes']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('/var/snap/microk8s/common/nfs-storage on node node-1 is left in place');
    expect(m8sArgv(s)).toContain('disable nfs');
    expect(sc(s, 'nfs')).toBeUndefined();
  });
});

describe('status and doctor know NFS', () => {
  it("the seed's mistake: microk8s enable nfs plus a class of nfs.csi.k8s.io with no csi-driver-nfs: doctor names the fix", async () => {
    const s = await cluster();
    expect((await s.run(['install', 'nfs', '--in-cluster', '--skip-preflight', '--no-verify'])).exitCode).toBe(0);
    s.api!.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'nfs-csi' }, provisioner: 'nfs.csi.k8s.io', parameters: { server: '192.168.1.100', share: '/srv/nfs' } });
    const r = await s.run(['doctor', '--skip-nodes', '-o', 'json']);
    expect(r.exitCode).toBe(3);
    const report = JSON.parse(r.stdout);
    const finding = report.findings.find((f: any) => f.message.includes('nfs-csi') && f.message.includes('csi-driver-nfs is not installed'));
    expect(finding).toMatchObject({ severity: 'error', area: 'backends' });
    expect(finding.message).toContain('csi-driver-nfs is not installed: its claims stay Pending forever');
    expect(finding.message).toContain('it does not install csi-driver-nfs');
    expect(finding.fix).toContain('k8s-storage install nfs --name nfs-csi --server 192.168.1.100 --share /srv/nfs');
  });

  it('status shows the driver and its classes', async () => {
    const s = await cluster();
    expect((await s.run(['install', 'nfs', '--server', '10.0.0.5', '--share', '/export'])).exitCode).toBe(0);
    const r = await s.run(['status', '-o', 'json']);
    expect(r.exitCode).toBe(0);
    const nfs = JSON.parse(r.stdout).backends.find((b: any) => b.name === 'nfs');
    expect(nfs).toMatchObject({ provisioner: 'nfs.csi.k8s.io', installed: true, healthy: true, classes: ['nfs'] });
    expect(nfs.workloads.map((w: any) => w.ref)).toEqual(['deployment/csi-nfs-controller (kube-system)', 'daemonset/csi-nfs-node (kube-system)']);
  });
});
