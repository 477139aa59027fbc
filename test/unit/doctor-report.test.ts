import { describe, expect, it } from 'vitest';
import type { Microk8sState } from '../../src/cluster/microk8s.js';
import { buildDoctorReport, chooseNodeTarget, type DoctorFacts, type NodeFacts } from '../../src/doctor/report.js';
import { buildNodeCheckReport } from '../../src/nodes/report.js';
import type { AgentReport } from '../../src/nodes/types.js';
import type { BackendStatus, StatusReport } from '../../src/status/report.js';
import { agentReport } from '../helpers/agent-report.js';

const running = (addons: Record<string, 'enabled' | 'disabled'> = { dns: 'enabled' }): Microk8sState => ({
  kind: 'running',
  highAvailability: false,
  datastoreNodes: [],
  addons: Object.fromEntries(Object.entries(addons).map(([name, status]) => [name, { name, status }])),
});

const backend = (name: string, over: Partial<BackendStatus> = {}): BackendStatus => ({ name, provisioner: `${name}.example`, installed: true, healthy: true, classes: [name], workloads: [], ...over });

function status(over: Partial<StatusReport> = {}): StatusReport {
  return {
    apiVersion: 'k8s-storage.io/v1',
    kind: 'StatusReport',
    cluster: { server: 'https://x:16443', version: 'v1.32.3', nodes: 1, readyNodes: 1, microk8s: true },
    backends: [backend('hostpath')],
    storageClasses: [{ name: 'microk8s-hostpath', provisioner: 'microk8s.io/hostpath', default: true, reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: false }],
    defaultClasses: ['microk8s-hostpath'],
    claims: { total: 0, byClass: [] },
    volumes: { total: 0, byClass: [] },
    volumesDeletedWithClaim: [],
    pendingClaims: [],
    warnings: [],
    ...over,
  };
}

const sc = (name: string) => ({ name, provisioner: 'p', default: false, reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate', allowVolumeExpansion: false });
const skipped: NodeFacts = { state: 'skipped', reason: '--skip-nodes' };
const facts = (over: Partial<DoctorFacts> = {}): DoctorFacts => ({ microk8s: running(), storage: { ok: true, report: status() }, nodes: skipped, ...over });
const problems = (f: DoctorFacts) => buildDoctorReport(f).findings.filter((x) => x.severity !== 'info').map((x) => [x.severity, x.area, x.message, x.fix]);

describe('doctor report', () => {
  it('a healthy single-node hostpath cluster has nothing to fix', () => {
    const r = buildDoctorReport(facts());
    expect(r.findings).toEqual([{ severity: 'info', area: 'nodes', message: 'node checks skipped: --skip-nodes' }]);
    expect(r.summary).toEqual({ error: 0, warning: 0, info: 1, status: 'ok' });
    expect(r.microk8s).toEqual({ state: 'running', enabledAddons: ['dns'] });
    expect(r.nodesNote).toBe('skipped: --skip-nodes');
  });

  it.each([
    [running({ dns: 'disabled' }), [['warning', 'microk8s', 'the dns addon is disabled: Longhorn and most apps need cluster DNS', 'microk8s enable dns']]],
    [{ kind: 'stopped', message: 'microk8s is not running, try microk8s start' }, [['error', 'microk8s', 'MicroK8s is stopped: no volume can be attached or provisioned', 'microk8s start']]],
    [{ kind: 'not-ready', message: '' }, [['error', 'microk8s', 'MicroK8s is not ready', expect.stringContaining('microk8s status --wait-ready')]]],
    [{ kind: 'no-permission', message: '' }, [['warning', 'microk8s', 'your user cannot use MicroK8s', expect.stringContaining('usermod -a -G microk8s')]]],
    [{ kind: 'not-installed', message: '' }, []],
    [{ kind: 'worker', message: '' }, []],
  ] as [Microk8sState, unknown[]][])('MicroK8s %j', (m, expected) => {
    expect(problems(facts({ microk8s: m }))).toEqual(expected);
  });

  it('the API unreachable: skipped while MicroK8s is down, an error otherwise', () => {
    const down = buildDoctorReport(facts({ microk8s: { kind: 'stopped', message: '' }, storage: { ok: false, message: 'no' } }));
    expect(down.findings.map((f) => [f.severity, f.area])).toEqual([['error', 'microk8s'], ['info', 'cluster'], ['info', 'nodes']]);
    expect(down.storage).toBeNull();
    expect(problems(facts({ storage: { ok: false, message: 'cannot reach the Kubernetes API', hint: 'check the cluster is up' } }))).toEqual([['error', 'cluster', 'cannot read the cluster: cannot reach the Kubernetes API', 'check the cluster is up']]);
  });

  it.each([
    ['hostpath and Longhorn both default', { storageClasses: [sc('longhorn'), sc('microk8s-hostpath')], defaultClasses: ['longhorn', 'microk8s-hostpath'] }, [['error', 'storageclasses', '2 StorageClasses are the default (longhorn, microk8s-hostpath): a claim without storageClassName lands on either', 'k8s-storage default-class longhorn']]],
    ['two defaults without Longhorn', { storageClasses: [sc('a'), sc('microk8s-hostpath')], defaultClasses: ['a', 'microk8s-hostpath'] }, [['error', 'storageclasses', expect.stringContaining('2 StorageClasses'), 'k8s-storage default-class microk8s-hostpath']]],
    ['no default', { storageClasses: [sc('fast'), sc('longhorn')], defaultClasses: [] }, [['warning', 'storageclasses', expect.stringContaining('no StorageClass is the default'), 'k8s-storage default-class longhorn']]],
    ['no class on 3 nodes', { storageClasses: [], defaultClasses: [], backends: [], cluster: { ...status().cluster, nodes: 3, readyNodes: 3 } }, [['warning', 'storageclasses', 'no StorageClass exists: claims cannot be provisioned', 'k8s-storage install longhorn']]],
    ['a node not ready', { cluster: { ...status().cluster, nodes: 2, readyNodes: 1 } }, [['warning', 'cluster', '1 of 2 node(s) are not Ready: volumes on them cannot be used', expect.any(String)]]],
    [
      'two defaults, Longhorn not running: the fix names the class that works',
      {
        storageClasses: [{ ...sc('longhorn'), provisioner: 'driver.longhorn.io' }, { ...sc('microk8s-hostpath'), provisioner: 'microk8s.io/hostpath' }],
        defaultClasses: ['longhorn', 'microk8s-hostpath'],
        backends: [backend('hostpath', { provisioner: 'microk8s.io/hostpath' }), backend('longhorn', { provisioner: 'driver.longhorn.io', installed: false, healthy: false, problem: 'its provisioner is not running' })],
      },
      [
        ['error', 'storageclasses', expect.stringContaining('2 StorageClasses are the default'), 'k8s-storage default-class microk8s-hostpath'],
        ['error', 'backends', 'longhorn: its provisioner is not running', 'k8s-storage install longhorn'],
      ],
    ],
    [
      'a backend class without its provisioner',
      { backends: [backend('longhorn', { installed: false, healthy: false, problem: 'StorageClass longhorn uses driver.longhorn.io, but its provisioner is not running' })], warnings: ['longhorn: StorageClass longhorn uses driver.longhorn.io, but its provisioner is not running'] },
      [['error', 'backends', 'longhorn: StorageClass longhorn uses driver.longhorn.io, but its provisioner is not running', 'k8s-storage install longhorn']],
    ],
    [
      'an installed backend not ready',
      { backends: [backend('hostpath', { healthy: false, workloads: [{ ref: 'deployment/hostpath-provisioner (kube-system)', ready: '0/1 replicas ready' }], problem: 'deployment/hostpath-provisioner (kube-system): 0/1 replicas ready' })] },
      [['error', 'backends', 'hostpath: deployment/hostpath-provisioner (kube-system): 0/1 replicas ready', 'kubectl -n kube-system describe deployment hostpath-provisioner']],
    ],
    [
      'Pending claims: the normal WaitForFirstConsumer kind is not a problem',
      { pendingClaims: [{ namespace: 'a', name: 'wffc', storageClass: 'x', reason: 'normal until a pod uses it: x binds on first use (WaitForFirstConsumer)' }, { namespace: 'a', name: 'lost', storageClass: 'gone', reason: 'StorageClass gone does not exist' }] },
      [['warning', 'claims', 'claim a/lost is Pending: StorageClass gone does not exist', 'kubectl -n a describe pvc lost']],
    ],
    [
      'other status warnings pass through, with their fix',
      { warnings: ['2 hostpath volume(s) on a 3-node cluster: each lives on one node and is lost to pods moved elsewhere. Consider: k8s-storage install longhorn', 'longhorn: 1 volume is degraded'] },
      [
        ['warning', 'backends', '2 hostpath volume(s) on a 3-node cluster: each lives on one node and is lost to pods moved elsewhere', 'k8s-storage install longhorn'],
        ['warning', 'backends', 'longhorn: 1 volume is degraded', undefined],
      ],
    ],
  ] as [string, Partial<StatusReport>, unknown[]][])('%s', (_name, over, expected) => {
    expect(problems(facts({ storage: { ok: true, report: status(over) } }))).toEqual(expected);
  });

  it('more than five stuck claims are summed up', () => {
    const pendingClaims = Array.from({ length: 8 }, (_, i) => ({ namespace: 'a', name: `c${i}`, storageClass: 'gone', reason: 'StorageClass gone does not exist' }));
    const f = problems(facts({ storage: { ok: true, report: status({ pendingClaims }) } }));
    expect(f).toHaveLength(6);
    expect(f[5]).toEqual(['warning', 'claims', '3 more claims are Pending', expect.any(String)]);
  });

  it('node findings: errors with their prepare command, warnings with their remedy, silent nodes, duplicate hostnames', () => {
    const agent = (node: string, checks: AgentReport['checks']): AgentReport => agentReport(node, { checks });
    const report = buildNodeCheckReport({
      mode: 'check', target: 'longhorn', via: 'daemonset',
      outcomes: [
        { name: 'n1', reported: true, report: agent('same', [{ id: 'package:open-iscsi', status: 'error', message: 'open-iscsi is not installed', remedy: 'apt-get install open-iscsi' }, { id: 'service:iscsid', status: 'error', message: 'iscsid is not active', remedy: 'systemctl enable --now iscsid' }]) },
        { name: 'n2', reported: true, report: agent('SAME', [{ id: 'service:multipathd', status: 'warning', message: 'multipathd may grab devices', remedy: 'blacklist it' }]) },
        { name: 'n3', reported: false, reason: 'did not report within 2m: the agent is still running' },
      ],
    });
    const r = buildDoctorReport(facts({ nodes: { state: 'done', target: 'longhorn', why: 'Longhorn is installed', report } }));
    expect(r.findings.filter((f) => f.area === 'nodes').map((f) => [f.severity, f.message, f.fix])).toEqual([
      ['error', 'node n1 is not ready for longhorn: open-iscsi is not installed; iscsid is not active', 'k8s-storage nodes prepare --for longhorn --node n1'],
      ['warning', 'node n2: multipathd may grab devices', 'blacklist it'],
      ['error', 'node n3 did not report: did not report within 2m: the agent is still running', expect.stringContaining('--node n3')],
      ['error', expect.stringContaining('hostnames are not unique'), expect.stringContaining('hostnamectl')],
    ]);
    expect(r.nodes).toBe(report);
    expect(r.nodesNote).toBe('checked for longhorn: Longhorn is installed');
    expect(r.summary).toMatchObject({ error: 3, warning: 1, status: 'error' });
  });

  it('a node check that could not run is a warning with its hint', () => {
    const r = buildDoctorReport(facts({ nodes: { state: 'failed', target: 'hostpath', message: 'not allowed while applying DaemonSet', hint: 'use a kubeconfig with more rights' } }));
    expect(r.findings).toEqual([{ severity: 'warning', area: 'nodes', message: 'the node check for hostpath could not run: not allowed while applying DaemonSet', fix: 'use a kubeconfig with more rights' }]);
    expect(r.summary.status).toBe('warning');
  });

  it.each([
    [[backend('hostpath'), backend('longhorn')], 1, 'longhorn', 'Longhorn is installed'],
    [[backend('longhorn', { installed: false })], 1, 'longhorn', 'a StorageClass for Longhorn exists'],
    [[backend('hostpath'), backend('nfs')], 1, 'nfs', 'NFS CSI is installed'],
    [[backend('hostpath')], 3, 'hostpath', 'hostpath storage is installed'],
    [[backend('ceph-rbd')], 3, 'longhorn', expect.stringContaining('no backend')],
    [[], 1, 'hostpath', expect.stringContaining('no backend')],
  ] as [BackendStatus[], number, string, string][])('node target for %j on %d node(s)', (backends, nodes, target, why) => {
    expect(chooseNodeTarget(status({ backends, cluster: { ...status().cluster, nodes } }))).toEqual({ target, why });
  });
});
