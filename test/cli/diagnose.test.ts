/**
 * `diagnose pvc|pod` against the fake API server: each case builds one broken state (objects
 * and the events the real controllers write, ../shared/reference/day2.md) and asserts the
 * cause and the exact fix command.
 */
import { describe, expect, it } from 'vitest';
import { scriptEvent } from '../fakes/lib/events.mjs';
import { type Sandbox } from '../helpers/sandbox.mjs';
import { sandboxPerTest } from '../helpers/per-test.js';
import {
  claim, csiPv, deploymentWithRs, hostpathClass, hostpathPv, HOSTPATH_RUNNING, longhornClass, longhornNode, longhornVolume, LONGHORN_RUNNING, nfsClass, NFS_RUNNING, pod,
} from '../helpers/storage-objects.js';
import { expectOutputSchema } from '../helpers/output-schema.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

type Api = NonNullable<Sandbox['api']>;
interface Case {
  name: string;
  nodes?: string[];
  seed: unknown[];
  /** Events and anything that needs the stored objects. */
  script?: (api: Api) => void;
  args: ['pvc' | 'pod', string];
  cause: string;
  severity?: 'error' | 'warning' | 'info';
  fix?: string | RegExp;
  message?: RegExp;
}

const LH_NODES = ['node-1', 'node-2', 'node-3'];
const ev = (api: Api, kind: string, name: string, reason: string, message: string) =>
  scriptEvent(api, api.store.get(kind, name, 'default'), { reason, message });

const CASES: Case[] = [
  {
    name: 'no class and no default class',
    seed: [longhornClass(false), ...LONGHORN_RUNNING(1), claim('data', { storageClass: null })],
    script: (api) => ev(api, 'pvc', 'data', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set'),
    args: ['pvc', 'data'],
    cause: 'no-default-class',
    fix: 'k8s-storage default-class longhorn',
  },
  {
    name: 'no class at all in the cluster',
    seed: [claim('data', { storageClass: null })],
    args: ['pvc', 'data'],
    cause: 'no-default-class',
    fix: 'k8s-storage install hostpath',
  },
  {
    name: 'class missing (a known backend: install it)',
    seed: [hostpathClass(), ...HOSTPATH_RUNNING, claim('data', { storageClass: 'longhorn' })],
    script: (api) => ev(api, 'pvc', 'data', 'ProvisioningFailed', 'storageclass.storage.k8s.io "longhorn" not found'),
    args: ['pvc', 'data'],
    cause: 'class-missing',
    fix: 'k8s-storage install longhorn',
  },
  {
    name: 'class missing (a typo: recreate the claim on the default class)',
    seed: [hostpathClass(), ...HOSTPATH_RUNNING, claim('data', { storageClass: 'fast-ssd', size: '5Gi' })],
    args: ['pvc', 'data'],
    cause: 'class-missing',
    fix: 'kubectl delete pvc data -n default && k8s-storage apply pvc data -n default --size 5Gi --access-mode RWO --storage-class microk8s-hostpath',
  },
  {
    name: 'provisioner not installed (known backend)',
    seed: [longhornClass(true), claim('data', { storageClass: 'longhorn' })],
    script: (api) => ev(api, 'pvc', 'data', 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner 'driver.longhorn.io' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`),
    args: ['pvc', 'data'],
    cause: 'provisioner-not-ready',
    fix: 'k8s-storage install longhorn',
    message: /DaemonSet longhorn-manager in longhorn-system: it does not exist yet/,
  },
  {
    name: 'provisioner installed but not ready',
    seed: [hostpathClass(), { ...HOSTPATH_RUNNING[0], status: { observedGeneration: 1, replicas: 1, readyReplicas: 0 } }, claim('data'), pod('app', ['data'])],
    args: ['pvc', 'data'],
    cause: 'provisioner-not-ready',
    fix: 'kubectl -n kube-system describe deployment hostpath-provisioner',
  },
  {
    name: 'unknown provisioner that nothing answers for (misspelled)',
    seed: [{ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'driver.longhorm.io', volumeBindingMode: 'Immediate' }, claim('data', { storageClass: 'fast' })],
    script: (api) => ev(api, 'pvc', 'data', 'ExternalProvisioning', 'waiting for a volume to be created, either by external provisioner "driver.longhorm.io" or manually created by system administrator'),
    args: ['pvc', 'data'],
    cause: 'provisioner-not-ready',
    fix: 'kubectl get csidrivers',
  },
  {
    name: 'WaitForFirstConsumer with no pod: normal, exit 0',
    seed: [hostpathClass(), ...HOSTPATH_RUNNING, claim('data')],
    script: (api) => ev(api, 'pvc', 'data', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding'),
    args: ['pvc', 'data'],
    cause: 'waiting-for-first-consumer',
    severity: 'info',
  },
  {
    name: 'an access mode the backend cannot serve (RWX on hostpath)',
    seed: [hostpathClass(), ...HOSTPATH_RUNNING, longhornClass(false), ...LONGHORN_RUNNING(1), claim('shared', { modes: ['ReadWriteMany'], size: '2Gi' })],
    args: ['pvc', 'shared'],
    cause: 'access-mode',
    fix: 'kubectl delete pvc shared -n default && k8s-storage apply pvc shared -n default --size 2Gi --access-mode RWX --storage-class longhorn',
    message: /ReadWriteMany, which class microk8s-hostpath \(microk8s.io\/hostpath\) cannot serve: hostpath data lives in a directory on one node/,
  },
  {
    name: 'hostpath PV pinned to another node (volume node affinity conflict)',
    nodes: ['node-1', 'node-2'],
    seed: [hostpathClass(), ...HOSTPATH_RUNNING, claim('data', { phase: 'Bound', volume: 'pvc-1' }), hostpathPv('pvc-1', 'data', 'node-1'), ...deploymentWithRs('web', 'data'), pod('web-7d9f8b6c5d-x2x4q', ['data'], { owner: 'web-7d9f8b6c5d' })],
    script: (api) => {
      api.store.update('nodes', 'node-1', undefined, (n: any) => { n.spec.taints = [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]; });
      ev(api, 'pods', 'web-7d9f8b6c5d-x2x4q', 'FailedScheduling', '0/2 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unschedulable: }, 1 node(s) had volume node affinity conflict. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.');
    },
    args: ['pod', 'web-7d9f8b6c5d-x2x4q'],
    cause: 'node-affinity-conflict',
    fix: `kubectl -n default patch deployment web -p '{"spec":{"template":{"spec":{"nodeSelector":{"kubernetes.io/hostname":"node-1"}}}}}'`,
  },
  {
    name: 'ProvisioningFailed with the provisioner\'s own message',
    nodes: LH_NODES,
    seed: [longhornClass(true), ...LONGHORN_RUNNING(3), claim('data', { storageClass: 'longhorn' })],
    script: (api) => ev(api, 'pvc', 'data', 'ProvisioningFailed', 'failed to provision volume with StorageClass "longhorn": rpc error: code = InvalidArgument desc = invalid parameter numberOfReplicas: "x"'),
    args: ['pvc', 'data'],
    cause: 'provisioning-failed',
    fix: 'kubectl -n longhorn-system logs deploy/longhorn-driver-deployer',
    message: /invalid parameter numberOfReplicas/,
  },
  {
    name: 'not enough space: Longhorn disks',
    nodes: LH_NODES,
    seed: [longhornClass(true), ...LONGHORN_RUNNING(3), claim('big', { storageClass: 'longhorn', phase: 'Bound', volume: 'pvc-big', size: '500Gi' }), csiPv('pvc-big', 'big', 'driver.longhorn.io', { size: '500Gi' }),
      longhornVolume('pvc-big', { claim: 'big', state: 'detached', robustness: 'unknown', scheduled: { status: 'False', reason: 'ReplicaSchedulingFailure', message: 'insufficient storage' } }), ...LH_NODES.map((n) => longhornNode(n, { availableGi: 40 }))],
    args: ['pvc', 'big'],
    cause: 'not-enough-space',
    fix: 'k8s-storage usage --sort used -A',
    message: /node-1 40Gi free/,
  },
  {
    name: 'not enough space: the hostpath node disk (DiskPressure)',
    seed: [hostpathClass(), ...HOSTPATH_RUNNING, claim('data', { phase: 'Bound', volume: 'pvc-1' }), hostpathPv('pvc-1', 'data', 'node-1')],
    script: (api) => api.store.update('nodes', 'node-1', undefined, (n: any) => { n.status.conditions.push({ type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' }); }),
    args: ['pvc', 'data'],
    cause: 'not-enough-space',
    fix: 'k8s-storage usage --sort used -A',
  },
  {
    name: 'Multi-Attach from a RollingUpdate Deployment on RWO: suggest Recreate',
    nodes: LH_NODES,
    seed: [longhornClass(true), ...LONGHORN_RUNNING(3), claim('data', { storageClass: 'longhorn', phase: 'Bound', volume: 'pvc-1' }), csiPv('pvc-1', 'data', 'driver.longhorn.io'), ...deploymentWithRs('web', 'data'), pod('web-7d9f8b6c5d-new01', ['data'], { owner: 'web-7d9f8b6c5d', node: 'node-2', waiting: 'ContainerCreating' })],
    script: (api) => ev(api, 'pods', 'web-7d9f8b6c5d-new01', 'FailedAttachVolume', 'Multi-Attach error for volume "pvc-1" Volume is already used by pod(s) web-5c8d7f9b4-old01'),
    args: ['pod', 'web-7d9f8b6c5d-new01'],
    cause: 'multi-attach',
    fix: `kubectl -n default patch deployment web -p '{"spec":{"strategy":{"type":"Recreate","rollingUpdate":null}}}'`,
  },
  ...[
    ['iscsiadm missing', 'MountVolume.MountDevice failed for volume "pvc-1" : rpc error: code = Internal desc = nsenter: failed to execute iscsiadm: No such file or directory', 'iscsi', 'k8s-storage nodes prepare --for longhorn --node node-2'],
    ['iscsid down', 'MountVolume.MountDevice failed for volume "pvc-1" : rpc error: code = Internal desc = iscsiadm: can not connect to iSCSI daemon (111)!', 'iscsi', 'k8s-storage nodes prepare --for longhorn --node node-2'],
    ['multipathd holding the device', 'MountVolume.SetUp failed for volume "pvc-1" : rpc error: code = Internal desc = mount failed: exit status 32 Mounting command: mount Output: mount: /var/snap/microk8s/common/var/lib/kubelet/pods/x/volumes/kubernetes.io~csi/pvc-1/mount: /dev/longhorn/pvc-1 already mounted or mount point busy.', 'multipathd', `printf 'blacklist {\\n    devnode "^sd[a-z0-9]+"\\n}\\n' | sudo tee -a /etc/multipath.conf && sudo systemctl restart multipathd.service`],
    ['a wrong kubelet dir on MicroK8s', 'MountVolume.MountDevice failed for volume "pvc-1" : kubernetes.io/csi: attacher.MountDevice failed to create newCsiDriverClient: driver name driver.longhorn.io not found in the list of registered CSI drivers', 'kubelet-dir', 'k8s-storage install longhorn'],
  ].map(([title, message, cause, fix]): Case => ({
    name: `FailedMount: ${title}`,
    nodes: LH_NODES,
    seed: [longhornClass(true), ...LONGHORN_RUNNING(3), claim('data', { storageClass: 'longhorn', phase: 'Bound', volume: 'pvc-1' }), csiPv('pvc-1', 'data', 'driver.longhorn.io'), pod('app', ['data'], { node: 'node-2', waiting: 'ContainerCreating' })],
    script: (api) => ev(api, 'pods', 'app', 'FailedMount', message!),
    args: ['pod', 'app'],
    cause: cause!,
    fix: fix!,
  })),
  {
    name: 'FailedMount: NFS access denied',
    nodes: ['node-1', 'node-2'],
    seed: [nfsClass(), ...NFS_RUNNING(2), claim('media', { storageClass: 'nfs', phase: 'Bound', volume: 'pvc-n' }), csiPv('pvc-n', 'media', 'nfs.csi.k8s.io', { storageClass: 'nfs' }), pod('app', ['media'], { node: 'node-2', waiting: 'ContainerCreating' })],
    script: (api) => ev(api, 'pods', 'app', 'FailedMount', 'MountVolume.SetUp failed for volume "pvc-n" : rpc error: code = Internal desc = mount failed: exit status 32\nMounting command: mount\nMounting arguments: -t nfs -o nfsvers=4.1 192.168.1.100:/exports/k8s/pvc-n /var/snap/microk8s/common/var/lib/kubelet/pods/x/volumes/kubernetes.io~csi/pvc-n/mount\nOutput: mount.nfs: access denied by server while mounting 192.168.1.100:/exports/k8s/pvc-n'),
    args: ['pod', 'app'],
    cause: 'nfs-access-denied',
    fix: `echo '/exports/k8s/pvc-n 10.0.0.10(rw,sync,no_subtree_check,no_root_squash) 10.0.0.11(rw,sync,no_subtree_check,no_root_squash)' | sudo tee -a /etc/exports && sudo exportfs -ra   # on the NFS server`,
  },
  {
    name: 'Longhorn volume degraded: replicas exceed schedulable nodes',
    nodes: LH_NODES,
    seed: [longhornClass(true), ...LONGHORN_RUNNING(3), claim('data', { storageClass: 'longhorn', phase: 'Bound', volume: 'pvc-1' }), csiPv('pvc-1', 'data', 'driver.longhorn.io'), longhornVolume('pvc-1', { claim: 'data', robustness: 'degraded' }),
      longhornNode('node-1'), longhornNode('node-2'), longhornNode('node-3', { schedulable: false })],
    args: ['pvc', 'data'],
    cause: 'longhorn-degraded',
    severity: 'warning',
    fix: `kubectl -n longhorn-system patch volumes.longhorn.io pvc-1 --type merge -p '{"spec":{"numberOfReplicas":2}}'`,
    message: /wants 3 replicas but only 2 node\(s\) can hold one/,
  },
  {
    name: 'Longhorn volume faulted',
    nodes: LH_NODES,
    seed: [longhornClass(true), ...LONGHORN_RUNNING(3), claim('data', { storageClass: 'longhorn', phase: 'Bound', volume: 'pvc-1' }), csiPv('pvc-1', 'data', 'driver.longhorn.io'), longhornVolume('pvc-1', { claim: 'data', robustness: 'faulted', state: 'detached' }), ...LH_NODES.map((n) => longhornNode(n))],
    args: ['pvc', 'data'],
    cause: 'longhorn-faulted',
    fix: 'k8s-storage backup list --pvc data -n default',
  },
  {
    name: 'claim lost its volume',
    seed: [hostpathClass(), ...HOSTPATH_RUNNING, claim('data', { phase: 'Lost', volume: 'pvc-gone' })],
    script: (api) => ev(api, 'pvc', 'data', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!'),
    args: ['pvc', 'data'],
    cause: 'claim-lost',
    fix: 'k8s-storage backup list --pvc data -n default',
  },
];

describe('diagnose: every cause, built in the fake API server', () => {
  it.each(CASES)('$name', async (c) => {
    sb = await perTest.create({ api: { nodes: c.nodes ?? ['node-1'], seed: c.seed as never[] } });
    c.script?.(sb.api!);
    const r = await sb.run(['diagnose', ...c.args, '-o', 'json']);
    const severity = c.severity ?? 'error';
    expect(r.exitCode, r.stderr).toBe(severity === 'info' ? 0 : 3);
    const report = JSON.parse(r.stdout);
    expectOutputSchema('diagnose-report', report);
    expect(report.kind).toBe('DiagnoseReport');
    const finding = report.findings.find((f: { cause: string }) => f.cause === c.cause);
    expect(finding, JSON.stringify(report.findings, null, 2)).toBeDefined();
    expect(finding.severity).toBe(severity);
    if (c.fix !== undefined) expect(finding.fix).toEqual(c.fix);
    if (c.message) expect(finding.message).toMatch(c.message);
    // The first problem is the one the command names on stderr, with its fix as the hint.
    if (severity !== 'info') expect(r.stderr).toContain(`hint: ${report.findings[0].fix}`);
  });
});

describe('diagnose: table, healthy claims, bad input', () => {
  it('a healthy bound claim used by a running pod: exit 0, says healthy', async () => {
    sb = await perTest.create({ api: { seed: [hostpathClass(), ...HOSTPATH_RUNNING, claim('data', { phase: 'Bound', volume: 'pvc-1' }), hostpathPv('pvc-1', 'data', 'node-1'), pod('app', ['data'], { node: 'node-1', phase: 'Running' })] as never[] } });
    const r = await sb.run(['diagnose', 'pvc', 'data']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^CLAIM\s+PHASE\s+CLASS\s+VOLUME\s+ACCESS\ndata\s+Bound\s+microk8s-hostpath\s+pvc-1\s+ReadWriteOnce\n/);
    expect(r.stdout).toContain('healthy: nothing wrong with pvc data');
  });

  it('the table names the cause, the event and the fix', async () => {
    sb = await perTest.create({ api: { seed: [longhornClass(true), claim('data', { storageClass: 'longhorn' })] as never[] } });
    scriptEvent(sb.api!, sb.api!.store.get('pvc', 'data', 'default'), { reason: 'ExternalProvisioning', message: "Waiting for a volume to be created either by the external provisioner 'driver.longhorn.io' or manually by the system administrator." });
    const r = await sb.run(['diagnose', 'pvc', 'data', '-n', 'default']);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain('error    pvc/data  the provisioner of class longhorn (driver.longhorn.io) is not running');
    expect(r.stdout).toContain("         event: Waiting for a volume to be created either by the external provisioner 'driver.longhorn.io'");
    expect(r.stdout).toContain('         fix: k8s-storage install longhorn\n');
  });

  it('a claim that does not exist, a bad name, an unsupported -o', async () => {
    sb = await perTest.create({ api: {} });
    const missing = await sb.run(['diagnose', 'pvc', 'nope', '-o', 'json']);
    expect(missing.exitCode).toBe(3);
    expect(JSON.parse(missing.stdout).findings[0]).toMatchObject({ cause: 'not-found', fix: 'kubectl get pvc -n default' });
    const bad = await sb.run(['diagnose', 'pvc', 'Bad_Name']);
    expect(bad.exitCode).toBe(2);
    const xml = await sb.run(['diagnose', 'pod', 'x', '-o', 'xml']);
    expect(xml.exitCode).toBe(2);
    expect(xml.stderr).toContain('-o xml: this command prints table, json, yaml');
  });
});
