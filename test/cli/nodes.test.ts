/**
 * `nodes check|prepare` as a user runs them: the built CLI against the fake API server,
 * whose DaemonSet controller creates a pod per node and gives each pod's init container a
 * log: canned agent output for most tests (fast), the real agent on fixture hosts for a few.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { AGENT_EXIT_MARKER } from '../../src/nodes/daemonset.js';
import type { AgentReport } from '../../src/nodes/types.js';
import { AGENT, cleanupScratch, Fixture, shellVariants, sysbin } from '../agent/fixtures.js';
import { agentLog, agentReport as baseReport, checksWith, LONGHORN_CHECK_IDS } from '../helpers/agent-report.js';
import { expectOutputSchema } from '../helpers/output-schema.js';
import { TEST_BINARY, type Sandbox } from '../helpers/sandbox.mjs';
import { sandboxPerTest } from '../helpers/per-test.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;
afterAll(() => cleanupScratch());

const NS = 'k8s-storage-system';
const THREE = ['node-1', 'node-2', 'node-3'];

// ------------------------------------------------------------------------------------------
// Canned agent output
// ------------------------------------------------------------------------------------------


type Status = 'ok' | 'warning' | 'error';
interface CannedOptions {
  hostname?: string;
  mode?: 'check' | 'prepare';
  target?: string;
  findings?: Record<string, [Status, string, string]>;
  actions?: { description: string; command: string[]; exitCode: number; output: string }[];
  rebootRequired?: boolean;
  kubeletRestartRequired?: boolean;
}

/** A report as agent/node-agent.sh prints it for an Ubuntu MicroK8s node. */
function agentReport(node: string, o: CannedOptions = {}): AgentReport {
  return baseReport(o.hostname ?? node, {
    checks: checksWith(LONGHORN_CHECK_IDS, o.findings),
    ...(o.mode ? { mode: o.mode } : {}),
    ...(o.target ? { target: o.target as AgentReport['target'] } : {}),
    ...(o.actions ? { actions: o.actions } : {}),
    ...(o.rebootRequired ? { rebootRequired: true } : {}),
    ...(o.kubeletRestartRequired ? { kubeletRestartRequired: true } : {}),
  });
}

const MISSING_ISCSI: CannedOptions['findings'] = {
  'package:open-iscsi': ['error', 'open-iscsi is not installed', 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends open-iscsi'],
  'service:iscsid': ['error', 'iscsid is not active: Longhorn attaches volumes over iSCSI', 'systemctl enable --now iscsid'],
};

/** Agent argv from an agent pod: `sh -c WRAPPER node-agent ARGS...`. */
const agentArgsOf = (pod: any): string[] => [...pod.spec.initContainers[0].command, ...(pod.spec.initContainers[0].args ?? [])].slice(4);

async function threeNodes(perNode: (node: string, pod: any) => CannedOptions | 'never' | { waiting: { reason: string; message?: string } } = () => ({})) {
  sb = await perTest.create({ api: { nodes: THREE } });
  const pods: Record<string, any> = {};
  const ds = sb.api!.controllers.runDaemonSets({
    run: (node: string, pod: any) => {
      pods[node] = pod;
      const o = perNode(node, pod);
      if (o === 'never' || 'waiting' in o) return o;
      return { logs: agentLog(agentReport(node, { mode: agentArgsOf(pod)[0] as 'check', ...o })) };
    },
  });
  return { sb, ds, pods };
}

/** Nothing of ours is left in the cluster. */
function expectCleanedUp(s: Sandbox) {
  expect(s.api!.store.list('daemonsets', NS)).toEqual([]);
  expect(s.api!.store.list('configmaps', NS)).toEqual([]);
  expect(s.api!.store.list('pods', NS)).toEqual([]);
}

/** Every DaemonSet the CLI created, as it was created. */
function recordDaemonSets(s: Sandbox): any[] {
  const seen: any[] = [];
  s.api!.onChange((ev) => {
    if (ev.type === 'ADDED' && ev.resource.resource === 'daemonsets') seen.push(ev.object);
  });
  return seen;
}

// ------------------------------------------------------------------------------------------

describe('nodes check through the DaemonSet', () => {
  it('3 nodes, one without open-iscsi: table, fix commands, exit 3, everything deleted', async () => {
    const { sb, ds, pods } = await threeNodes((node) => (node === 'node-2' ? { findings: MISSING_ISCSI } : {}));
    const r = await sb.run(['nodes', 'check']);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(Object.keys(pods).sort()).toEqual(THREE);
    expect(ds.executions).toHaveLength(3);
    for (const pod of Object.values(pods)) expect(agentArgsOf(pod)).toEqual(['check', '--for', 'longhorn']);
    const rows = r.stdout.split('\n');
    expect(rows.find((l) => l.startsWith('node-1'))).toMatch(/^node-1\s+ok\s+Ubuntu 24\.04\.2 LTS\s+apt\s+6\.8\.0-57-generic\s+16\/16\s+0\s+0$/);
    expect(rows.find((l) => l.startsWith('node-2'))).toMatch(/^node-2\s+error\s+.*14\/16\s+2\s+0$/);
    expect(r.stdout).toMatch(/node-2\s+error\s+package:open-iscsi\s+open-iscsi is not installed\n\s+fix: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends open-iscsi\n/);
    expect(r.stdout).toMatch(/node-2\s+error\s+service:iscsid\s+iscsid is not active.*\n\s+fix: systemctl enable --now iscsid/);
    expect(r.stdout).toContain('3 node(s): 2 ok, 0 with warnings, 1 with errors, 0 did not report.');
    expect(r.stderr).toContain('error: 1 of 3 node(s) not ready for longhorn: node-2 (2 errors).');
    expect(r.stderr).toContain('hint: k8s-storage nodes prepare --for longhorn --node node-2');
    expectCleanedUp(sb);
  });

  it('-o json: the documented schema, with the agent reports inside', async () => {
    const { sb } = await threeNodes((node) => (node === 'node-2' ? { findings: MISSING_ISCSI } : node === 'node-3' ? { findings: { 'service:multipathd': ['warning', 'multipathd is active', "add 'blacklist ...'"] } } : {}));
    const r = await sb.run(['nodes', 'check', '-o', 'json']);
    expect(r.exitCode).toBe(3);
    const doc = JSON.parse(r.stdout);
    expectOutputSchema('node-check-report', doc);
    expect(Object.keys(doc).sort()).toEqual(['apiVersion', 'cluster', 'kind', 'mode', 'nodes', 'schemaVersion', 'summary', 'target', 'via']);
    expect(doc).toMatchObject({ schemaVersion: 1, kind: 'NodeCheckReport', mode: 'check', target: 'longhorn', via: 'daemonset' });
    expect(doc.summary).toEqual({ nodes: 3, ok: 1, warning: 1, error: 1, notReported: 0, status: 'error', rebootRequired: [], kubeletRestartRequired: [] });
    expect(doc.nodes.map((n: any) => [n.name, n.reported, n.status])).toEqual([['node-1', true, 'ok'], ['node-2', true, 'error'], ['node-3', true, 'warning']]);
    const n2 = doc.nodes[1];
    expect(n2).toMatchObject({ node: 'node-2', os: { packageManager: 'apt' }, kernel: '6.8.0-57-generic', microk8s: true, summary: { ok: 14, warning: 0, error: 2 } });
    expect(n2.checks.find((c: any) => c.id === 'package:open-iscsi')).toEqual({ id: 'package:open-iscsi', status: 'error', message: 'open-iscsi is not installed', remedy: expect.stringContaining('apt-get install') });
    expect(doc.cluster.checks.map((c: any) => [c.id, c.status])).toEqual([['unique-hostnames', 'ok'], ['all-nodes-reported', 'ok']]);
    // Nothing but the document on stdout.
    expect(r.stdout.trim().startsWith('{') && r.stdout.trim().endsWith('}')).toBe(true);
  });

  it('every node ready: exit 0', async () => {
    const { sb } = await threeNodes();
    const r = await sb.run(['nodes', 'check']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('3 node(s): 3 ok, 0 with warnings, 0 with errors, 0 did not report.');
    expect(r.stdout).not.toContain('FINDINGS');
    expect(r.stderr).toContain('3 node(s) ready for longhorn');
    expectCleanedUp(sb);
  });

  it('two nodes with the same hostname (compared lower-cased) are an error', async () => {
    const { sb } = await threeNodes((node) => (node === 'node-3' ? { hostname: 'Node-2' } : {}));
    const r = await sb.run(['nodes', 'check', '-o', 'json']);
    expect(r.exitCode).toBe(3);
    const doc = JSON.parse(r.stdout);
    expect(doc.nodes.every((n: any) => n.status === 'ok')).toBe(true);
    const unique = doc.cluster.checks.find((c: any) => c.id === 'unique-hostnames');
    expect(unique).toMatchObject({ status: 'error', message: expect.stringContaining('"node-2" on node-2, node-3'), remedy: expect.stringContaining('hostnamectl set-hostname') });
    expect(doc.summary.status).toBe('error');
    expect(r.stderr).toMatch(/unique-hostnames failed/);
  });

  it('a node that never reports: partial results, "did not report", exit 3, cleanup done', async () => {
    const { sb } = await threeNodes((node) => (node === 'node-3' ? 'never' : {}));
    sb.api!.store.update('nodes', 'node-3', undefined, (n) => {
      n.status.conditions = [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }];
    });
    const started = Date.now();
    const r = await sb.run(['nodes', 'check', '--timeout', '2s', '-o', 'json']);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.exitCode).toBe(3);
    const doc = JSON.parse(r.stdout);
    expect(doc.nodes.map((n: any) => [n.name, n.reported])).toEqual([['node-1', true], ['node-2', true], ['node-3', false]]);
    expect(doc.nodes[2].reason).toBe('did not report within 2s: the agent is still running (the node is NotReady)');
    expect(doc.nodes[2].checks[0]).toMatchObject({ id: 'reported', status: 'error' });
    expect(doc.summary).toMatchObject({ ok: 2, notReported: 1, status: 'error' });
    expect(doc.cluster.checks.find((c: any) => c.id === 'all-nodes-reported')).toMatchObject({ status: 'error', message: '1 of 3 node(s) did not report: node-3' });
    expect(r.stderr).toContain('node-3 (did not report)');
    expectCleanedUp(sb);
  });

  it('no agent pod at all (admission refused them): said, instead of waiting in silence', async () => {
    sb = await perTest.create({ api: { nodes: ['node-1'] } });
    const r = await sb.run(['nodes', 'check', '--timeout', '1s', '-o', 'json']);
    expect(r.exitCode).toBe(3);
    expect(JSON.parse(r.stdout).nodes[0].reason).toBe(
      'did not report within 1s: no agent pod was created at all: Pod Security admission or a policy engine may reject privileged pods in namespace k8s-storage-system (kubectl -n k8s-storage-system get events)',
    );
    expectCleanedUp(sb);
  });

  it('reading pod logs is forbidden: a runtime error at once, not a wait until the timeout', async () => {
    const { sb } = await threeNodes();
    sb.api!.faults.forbid({ verb: 'get', resource: 'pods', subresource: 'log' });
    const started = Date.now();
    const r = await sb.run(['nodes', 'check']);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('not allowed while reading the log of container agent of pod k8s-storage-node-agent-');
    expect(r.stderr).toContain('pods "k8s-storage-node-agent-');
    expectCleanedUp(sb);
  });

  it('an image that cannot be pulled says so and points at --image', async () => {
    const { sb } = await threeNodes((node): CannedOptions | { waiting: { reason: string; message?: string } } =>
      node === 'node-1' ? { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "busybox:1.36"' } } : {},
    );
    const r = await sb.run(['nodes', 'check', '--timeout', '1s']);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/node-1\s+error\s+reported\s+no report from this node: did not report within 1s: its image cannot be pulled \(ImagePullBackOff: Back-off pulling image "busybox:1.36"\); in an air-gapped cluster pass --image/);
  });

  it('--node limits the DaemonSet through nodeAffinity matchFields; unknown names are usage errors', async () => {
    const { sb, pods } = await threeNodes();
    const created = recordDaemonSets(sb);
    const r = await sb.run(['nodes', 'check', '--node', 'node-1', '--node', 'node-3', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).nodes.map((n: any) => n.name)).toEqual(['node-1', 'node-3']);
    expect(Object.keys(pods).sort()).toEqual(['node-1', 'node-3']);
    expect(created).toHaveLength(1);
    expect(created[0].spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1', 'node-3'] }] },
    ]);

    const bad = await sb.run(['nodes', 'check', '--node', 'node-9', '--node', 'nope']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--node node-9: no such node (the cluster has node-1, node-2, node-3)');
    expect(bad.stderr).toContain('--node nope: no such node');
    expect(created).toHaveLength(1);
  });

  it('--node-selector limits the nodes and lands in the DaemonSet; --image is the pods\' image', async () => {
    const { sb, pods } = await threeNodes();
    sb.api!.store.update('nodes', 'node-2', undefined, (n) => {
      n.metadata.labels['storage'] = 'yes';
    });
    const created = recordDaemonSets(sb);
    const r = await sb.run(['nodes', 'check', '--node-selector', 'storage=yes', '--image', 'registry.local/tools/busybox:1.36']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(Object.keys(pods)).toEqual(['node-2']);
    const spec = created[0].spec.template.spec;
    expect(spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', storage: 'yes' });
    expect(spec.initContainers[0].image).toBe('registry.local/tools/busybox:1.36');
    expect(spec.containers[0].image).toBe('registry.local/tools/busybox:1.36');
    expect(pods['node-2'].spec.initContainers[0].image).toBe('registry.local/tools/busybox:1.36');
    expect(r.stderr).toContain('with image registry.local/tools/busybox:1.36');
  });

  it('runs on tainted control-plane nodes too (tolerates everything), privileged in the host namespaces', async () => {
    const { sb, pods } = await threeNodes();
    sb.api!.store.update('nodes', 'node-1', undefined, (n) => {
      n.spec.taints = [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }];
    });
    const created = recordDaemonSets(sb);
    const r = await sb.run(['nodes', 'check']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(Object.keys(pods).sort()).toEqual(THREE);
    const ds = created[0];
    expect(ds.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'k8s-storage', 'k8s-storage.io/run': expect.any(String) });
    const spec = ds.spec.template.spec;
    expect(spec).toMatchObject({ hostPID: true, hostNetwork: true, tolerations: [{ operator: 'Exists' }] });
    expect(spec.initContainers[0].securityContext).toEqual({ privileged: true });
    expect(spec.initContainers[0].command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(spec.initContainers[0].command[2]).toContain('nsenter --target 1 --mount --uts --ipc --net --pid -- sh -s -- "$@" < /agent/node-agent.sh');
    expect(spec.containers[0].command).toEqual(['sleep', '3600']);
    expect(spec.volumes[0].configMap.name).toBe(ds.metadata.name);
    const ns = sb.api!.store.get('namespaces', NS);
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });
});

describe('cleanup', () => {
  it('after a failure: the DaemonSet apply is refused, the ConfigMap already made is deleted', async () => {
    const { sb } = await threeNodes();
    sb.api!.faults.failNext({ verb: 'patch', resource: 'daemonsets' }, 500, { message: 'etcd is sad' });
    const r = await sb.run(['nodes', 'check']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('etcd is sad');
    expect(sb.api!.requestsMatching({ verb: 'patch', resource: 'configmaps', status: 201 })).toHaveLength(1);
    expect(sb.api!.requestsMatching({ verb: 'delete', resource: 'configmaps', status: 200 })).toHaveLength(1);
    expectCleanedUp(sb);
  });

  it('both objects are deleted at once; a delete that fails is named with the command that removes what is left', async () => {
    const { sb } = await threeNodes();
    sb.api!.faults.delay({ verb: 'delete', resource: 'daemonsets' }, 400, 1);
    sb.api!.faults.failNext({ verb: 'delete', resource: 'daemonsets' }, 403, { reason: 'Forbidden', message: 'daemonsets.apps is forbidden: no delete for you' });
    const r = await sb.run(['nodes', 'check']);
    const ds = sb.api!.store.list('daemonsets', NS)[0].metadata.name;
    const run = sb.api!.store.list('daemonsets', NS)[0].metadata.labels['k8s-storage.io/run'];
    expect(r.stderr).toContain(`warning: the agent's objects were not all deleted: not allowed while deleting DaemonSet/${ds} in ${NS}: daemonsets.apps is forbidden: no delete for you. Remove what is left with: kubectl -n ${NS} delete daemonset,configmap -l k8s-storage.io/run=${run}\n`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(sb.api!.store.list('daemonsets', NS)).toHaveLength(1);
    expect(sb.api!.store.list('configmaps', NS)).toEqual([]);
    // The ConfigMap's delete did not wait for the DaemonSet's answer.
    const [dsDelete] = sb.api!.requestsMatching({ verb: 'delete', resource: 'daemonsets' });
    const [cmDelete] = sb.api!.requestsMatching({ verb: 'delete', resource: 'configmaps' });
    expect(cmDelete!.time - dsDelete!.time).toBeLessThan(400);
  });

  it('after Ctrl-C while waiting: exit 130 and both objects deleted', async () => {
    const { sb } = await threeNodes(() => 'never');
    const r = await sb.runWithSignal(['nodes', 'check'], { afterStderrMatch: /Started DaemonSet/ });
    expect(r.signalSent).toBe(true);
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toContain("error: interrupted while waiting for the nodes' reports; the agent DaemonSet and ConfigMap were deleted.");
    expect(r.stderr).toContain('hint: rerun the same command: check changes nothing');
    expect(sb.api!.requestsMatching({ verb: 'delete', resource: 'daemonsets' })).toHaveLength(1);
    expectCleanedUp(sb);
  });

  it('removes leftovers of an earlier interrupted run, and leaves a run still in progress alone', async () => {
    const { sb } = await threeNodes();
    const labels = { 'app.kubernetes.io/name': 'k8s-storage-node-agent', 'app.kubernetes.io/managed-by': 'k8s-storage' };
    const past = new Date(Date.now() - 3_600_000).toISOString();
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const meta = (name: string, expires?: string) => ({ name, namespace: NS, labels: { ...labels, 'k8s-storage.io/run': name.slice(-5) }, ...(expires ? { annotations: { 'k8s-storage.io/expires-at': expires } } : {}) });
    sb.api!.store.put({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta('k8s-storage-node-agent-old01', past), spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [] } } } });
    sb.api!.store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('k8s-storage-node-agent-old01', past), data: {} });
    sb.api!.store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('k8s-storage-node-agent-old02'), data: {} });
    sb.api!.store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('k8s-storage-node-agent-busy1', future), data: {} });
    sb.api!.store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unrelated', namespace: NS }, data: {} });
    const r = await sb.run(['nodes', 'check']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('Removed leftovers of an earlier run: DaemonSet/k8s-storage-node-agent-old01 in k8s-storage-system, ConfigMap/k8s-storage-node-agent-old01');
    expect(r.stderr).toContain('another k8s-storage nodes run seems to be in progress (ConfigMap/k8s-storage-node-agent-busy1');
    expect(sb.api!.store.list('daemonsets', NS)).toEqual([]);
    expect(sb.api!.store.list('configmaps', NS).map((c: any) => c.metadata.name).sort()).toEqual(['k8s-storage-node-agent-busy1', 'unrelated']);
    // The namespace existed: it is left as it is.
    expect(sb.api!.requestsMatching({ resource: 'namespaces', verb: 'patch' })).toEqual([]);
  });
});

describe('--dry-run', () => {
  it('prints the Namespace, ConfigMap (the agent script) and DaemonSet plus the node command, and calls no API', async () => {
    sb = await perTest.create({ api: { nodes: THREE } });
    const r = await sb.run(['nodes', 'check', '--dry-run', '--for', 'nfs', '--node', 'node-2', '--image', 'reg.local/busybox:1.36']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('#   nsenter --target 1 --mount --uts --ipc --net --pid -- sh -s -- check --for nfs < /agent/node-agent.sh');
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(['Namespace', 'ConfigMap', 'DaemonSet']);
    expect(docs[1].data['node-agent.sh']).toBe(readFileSync(AGENT, 'utf8'));
    const spec = docs[2].spec.template.spec;
    expect(spec.initContainers[0].image).toBe('reg.local/busybox:1.36');
    expect(spec.initContainers[0].command.slice(3)).toEqual(['node-agent', 'check', '--for', 'nfs']);
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values).toEqual(['node-2']);
    expect(sb.api!.requests).toEqual([]);

    const json = await sb.run(['nodes', 'check', '--dry-run', '-o', 'json']);
    const plan = JSON.parse(json.stdout);
    expectOutputSchema('node-check-plan', plan);
    expect(plan).toMatchObject({ dryRun: true, via: 'daemonset', namespace: NS, nodeCommand: expect.stringContaining('sh -s -- check --for longhorn') });
    expect(plan.objects.map((o: any) => o.kind)).toEqual(['Namespace', 'ConfigMap', 'DaemonSet']);
    expect(sb.api!.requests).toEqual([]);
  });
});

describe('nodes prepare through the DaemonSet', () => {
  it('passes prepare to the agent and says who needs a reboot or a kubelet restart', async () => {
    const { sb, pods } = await threeNodes((node) => {
      const action = { description: 'install missing packages: open-iscsi', command: ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '--no-install-recommends', 'open-iscsi'], exitCode: 0, output: '' };
      if (node === 'node-1') return { actions: [action, { description: 'make / a shared mount (bidirectional mount propagation)', command: ['mount', '--make-rshared', '/'], exitCode: 0, output: '' }], kubeletRestartRequired: true };
      if (node === 'node-2') {
        return {
          actions: [{ description: 'load kernel module iscsi_tcp', command: ['modprobe', 'iscsi_tcp'], exitCode: 1, output: 'modprobe: FATAL: Module iscsi_tcp not found' }],
          rebootRequired: true,
          findings: { 'module:iscsi_tcp': ['error', "iscsi_tcp is not loaded and 'modprobe iscsi_tcp' failed", 'install the kernel\'s extra modules (Ubuntu: apt-get install linux-modules-extra-6.8.0-57-generic) or reboot into the installed kernel, then rerun prepare'] },
        };
      }
      return {};
    });
    const r = await sb.run(['nodes', 'prepare']);
    for (const pod of Object.values(pods)) expect(agentArgsOf(pod)).toEqual(['prepare', '--for', 'longhorn']);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/NODE\s+STATUS\s+OS\s+PKG MGR\s+KERNEL\s+CHECKS OK\s+ERRORS\s+WARNINGS\s+CHANGES/);
    expect(r.stdout).toMatch(/^node-1\s+ok\s.*\s2$/m);
    expect(r.stdout).toMatch(/^node-2\s+error\s.*\s1 \(1 failed\)$/m);
    expect(r.stdout).toContain('node-1   done     install missing packages: open-iscsi');
    expect(r.stdout).toContain('node-2   FAILED (exit 1)   load kernel module iscsi_tcp');
    expect(r.stdout).toContain('node-1: restart the kubelet to see the new mount propagation: sudo snap restart microk8s.daemon-kubelite');
    expect(r.stdout).toContain('node-2: reboot needed (a kernel module could not be loaded); k8s-storage never reboots a node');
    expect(r.stderr).toContain('hint: prepare fixed what it could; fix the remaining findings by hand');

    const json = await sb.run(['nodes', 'prepare', '-o', 'json']);
    const doc = JSON.parse(json.stdout);
    expect(doc.mode).toBe('prepare');
    expect(doc.summary).toMatchObject({ rebootRequired: ['node-2'], kubeletRestartRequired: ['node-1'] });
    expect(doc.nodes[0].kubeletRestartCommand).toBe('sudo snap restart microk8s.daemon-kubelite');
    expect(json.stderr).toContain('warning: node-2 needs a reboot');
    expect(json.stderr).toContain('warning: node-1: restart the kubelet: sudo snap restart microk8s.daemon-kubelite');
  });
});

// ------------------------------------------------------------------------------------------
// The real agent
// ------------------------------------------------------------------------------------------

const UBUNTU = 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\n';
const APT = ['nfs-common', 'open-iscsi', 'cryptsetup', 'dmsetup'];
const SH = shellVariants()[0]!;
const fixtureEnv = (fx: Fixture) => ({ PATH: `${fx.bin}:${sysbin(SH)}`, AGENT_ROOT: fx.root, FAKE_STATE: fx.state });

/** node-1 ready for Longhorn, node-2 with nothing of it, both reached through the DaemonSet. */
async function readyAndBareHosts() {
  const hosts: Record<string, Fixture> = {
    'node-1': new Fixture({ osRelease: UBUNTU, hostname: 'node-1', installed: APT, active: ['iscsid'], loaded: ['iscsi_tcp', 'dm_crypt', 'nfs'], modulesLoad: { 'k8s-storage.conf': 'dm_crypt\niscsi_tcp\nnfs\n' }, microk8s: true }),
    'node-2': new Fixture({ osRelease: UBUNTU, hostname: 'node-2', installed: ['cryptsetup', 'dmsetup'], active: [], loaded: [], microk8s: true }),
  };
  const box = await perTest.create({ api: { nodes: ['node-1', 'node-2'] } });
  const ds = box.api!.controllers.runDaemonSets({ execute: { env: (node: string) => fixtureEnv(hosts[node]!) } });
  return { hosts, ds, box };
}

describe('with the real agent on fixture hosts', () => {
  it('prepare --dry-run runs the read-only check, then lists per node exactly what prepare then does', async () => {
    const { hosts, ds, box } = await readyAndBareHosts();
    sb = box;

    const dry = await sb.run(['nodes', 'prepare', '--dry-run', '-o', 'json']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expectOutputSchema('node-prepare-plan', plan);
    expect(plan).toMatchObject({ dryRun: true, mode: 'prepare', target: 'longhorn', via: 'daemonset', check: { kind: 'NodeCheckReport', mode: 'check' } });
    // Only the read-only check ran on the hosts: nothing was installed, loaded or written.
    expect(ds.executions.map((e: any) => e.nsenter.slice(-3))).toEqual([['check', '--for', 'longhorn'], ['check', '--for', 'longhorn']]);
    expect(hosts['node-2']!.log().filter((c) => ['apt-get', 'systemctl', 'modprobe', 'mount'].includes(c.cmd) && !['is-active'].includes(c.args[0]!))).toEqual([]);
    const [n1, n2] = plan.nodes;
    expect(n1).toMatchObject({ name: 'node-1', changes: [], manual: [] });
    expect(n2.changes.map((c: any) => [c.kind, c.items])).toEqual([
      ['package-index', []],
      ['packages', ['nfs-common', 'open-iscsi']],
      ['service', ['iscsid']],
      ['module', ['iscsi_tcp']],
      ['module', ['dm_crypt']],
      ['module', ['nfs']],
      ['modules-load', ['dm_crypt', 'iscsi_tcp', 'nfs']],
    ]);

    const text = await sb.run(['nodes', 'prepare', '--dry-run']);
    expect(text.stdout).toContain('node-1 (apt): nothing to change');
    expect(text.stdout).toContain('  - install missing packages: nfs-common open-iscsi: env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nfs-common open-iscsi');
    expect(text.stdout).toContain('  - load kernel module iscsi_tcp: modprobe iscsi_tcp');

    // The real prepare on the same hosts does what the dry run said, in that order.
    const prepare = await sb.run(['nodes', 'prepare', '-o', 'json']);
    expect(prepare.exitCode, prepare.stderr).toBe(0);
    expectOutputSchema('node-check-report', JSON.parse(prepare.stdout));
    const done = JSON.parse(prepare.stdout).nodes;
    expect(done[0].actions).toEqual([]);
    expect(done[1].actions.map((a: any) => a.description)).toEqual(n2.changes.map((c: any) => c.description));
  });

  it('the init container command runs the agent through nsenter; check finds, prepare fixes, a second prepare changes nothing', async () => {
    const { hosts, ds, box } = await readyAndBareHosts();
    sb = box;

    const check = await sb.run(['nodes', 'check', '-o', 'json']);
    expect(check.exitCode, check.stderr).toBe(3);
    const before = JSON.parse(check.stdout);
    expect(before.nodes.map((n: any) => [n.name, n.node, n.status])).toEqual([['node-1', 'node-1', 'ok'], ['node-2', 'node-2', 'error']]);
    expect(before.nodes[1].checks.filter((c: any) => c.status === 'error').map((c: any) => c.id)).toEqual([
      'package:nfs-common', 'package:open-iscsi', 'service:iscsid', 'module:iscsi_tcp', 'module:dm_crypt', 'module:nfs',
    ]);
    expect(ds.executions.map((e: any) => e.nsenter)).toEqual([
      ['--target', '1', '--mount', '--uts', '--ipc', '--net', '--pid', '--', 'sh', '-s', '--', 'check', '--for', 'longhorn'],
      ['--target', '1', '--mount', '--uts', '--ipc', '--net', '--pid', '--', 'sh', '-s', '--', 'check', '--for', 'longhorn'],
    ]);
    expect(ds.executions.every((e: any) => e.exitCode === 0 && e.logs.trim().endsWith(`${AGENT_EXIT_MARKER}${e.node === 'node-2' ? 3 : 0}`))).toBe(true);

    const prepare = await sb.run(['nodes', 'prepare']);
    expect(prepare.exitCode, prepare.stdout + prepare.stderr).toBe(0);
    expect(prepare.stdout).toMatch(/^node-2\s+ok\s.*\s7$/m);
    expect(hosts['node-2']!.log().filter((c) => c.cmd === 'apt-get').map((c) => c.args)).toEqual([['update'], ['install', '-y', '--no-install-recommends', 'nfs-common', 'open-iscsi']]);
    expect(hosts['node-2']!.readRoot('etc/modules-load.d/k8s-storage.conf')).toContain('dm_crypt\niscsi_tcp\nnfs\n');

    const again = await sb.run(['nodes', 'prepare', '-o', 'json']);
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(again.stdout).nodes.map((n: any) => n.actions)).toEqual([[], []]);
    expectCleanedUp(sb);
  });
});

describe('--local', () => {
  it('runs the agent on this machine, no cluster needed; prepare installs what is missing', async () => {
    const fx = new Fixture({ osRelease: UBUNTU, hostname: 'Laptop', installed: [], active: [], loaded: [], microk8s: true });
    sb = await perTest.create({});
    const env = { PATH: `${fx.bin}:${sb.env.PATH}`, AGENT_ROOT: fx.root, FAKE_STATE: fx.state };
    const check = await sb.run(['nodes', 'check', '--local', '-o', 'json'], { env });
    expect(check.exitCode, check.stderr).toBe(3);
    const doc = JSON.parse(check.stdout);
    expect(doc).toMatchObject({ via: 'local', mode: 'check', summary: { nodes: 1, error: 1, notReported: 0 } });
    expect(doc.nodes[0]).toMatchObject({ name: 'Laptop', node: 'Laptop', reported: true, os: { packageManager: 'apt' } });
    expect(doc.cluster.checks.map((c: any) => c.id)).toEqual(['unique-hostnames']);
    // The single executable runs its embedded agent from a private copy in a fresh temp directory.
    const script = TEST_BINARY ? String.raw`/\S+/k8s-storage-\w+/agent/node-agent\.sh` : AGENT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(check.stderr).toMatch(new RegExp(`Running the node agent on this machine: sh ${script} check --for longhorn`));
    expect(check.stderr).toContain('hint: k8s-storage nodes prepare --for longhorn --local');

    // The tests run as root: no sudo in between (sudo -n for other users is unit-tested).
    const prepare = await sb.run(['nodes', 'prepare', '--local', '--for', 'nfs'], { env });
    expect(prepare.exitCode, prepare.stderr).toBe(0);
    expect(fx.log().filter((c) => c.cmd === 'apt-get').map((c) => c.args)).toEqual([['update'], ['install', '-y', '--no-install-recommends', 'nfs-common']]);
    expect(prepare.stdout).toMatch(/^Laptop\s+ok\s/m);
    expect(prepare.stdout).toContain('Laptop   done     install missing packages: nfs-common');
  });

  it('an agent that prints no report is "did not report", exit 3', async () => {
    sb = await perTest.create({});
    // AGENT_ROOT that is not a directory: the agent exits 1 without JSON.
    const r = await sb.run(['nodes', 'check', '--local'], { env: { AGENT_ROOT: '/nonexistent/root' } });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/did not report/);
    expect(r.stdout).toContain("exited 1 without a report: node-agent: internal error: AGENT_ROOT '/nonexistent/root' is not a directory");
  });
});
