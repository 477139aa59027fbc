/**
 * `doctor` as a user runs it: the built CLI with the fake microk8s and the fake API server
 * (whose DaemonSet controller runs the node agent: canned output, or the real agent on a
 * fixture host).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cleanupScratch, Fixture, shellVariants, sysbin } from '../agent/fixtures.js';
import type { AgentReport } from '../../src/nodes/types.js';
import { agentLog, agentReport, checksWith, type Finding } from '../helpers/agent-report.js';
import { type Sandbox } from '../helpers/sandbox.mjs';
import { sandboxPerTest } from '../helpers/per-test.js';
import { expectOutputSchema } from '../helpers/output-schema.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;
afterAll(() => cleanupScratch());

const DEFAULT = { 'storageclass.kubernetes.io/is-default-class': 'true' };
const hostpathClass = (isDefault: boolean) => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'microk8s-hostpath', ...(isDefault ? { annotations: DEFAULT } : {}) },
  provisioner: 'microk8s.io/hostpath',
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'WaitForFirstConsumer',
});
const longhornClass = (isDefault: boolean) => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'longhorn', ...(isDefault ? { annotations: DEFAULT } : {}) },
  provisioner: 'driver.longhorn.io',
  allowVolumeExpansion: true,
  parameters: { numberOfReplicas: '3' },
});
const deployment = (namespace: string, name: string) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace }, spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'x' }] } } } });
const daemonSet = (namespace: string, name: string) => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace }, spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'x' }] } } } });
const LONGHORN = [daemonSet('longhorn-system', 'longhorn-manager'), deployment('longhorn-system', 'longhorn-driver-deployer'), deployment('longhorn-system', 'csi-provisioner'), daemonSet('longhorn-system', 'longhorn-csi-plugin')];
const HOSTPATH = [deployment('kube-system', 'hostpath-provisioner')];

const MICROK8S = { addons: { 'hostpath-storage': { status: 'enabled' } } };

/** A canned agent log with all checks ok but `errors`. */
const cannedLog = (node: string, target: string, errors: Record<string, [string, string]> = {}) =>
  agentLog(agentReport(node, {
    target: target as AgentReport['target'],
    checks: checksWith(['os', 'package:open-iscsi', 'service:iscsid', 'module:iscsi_tcp', 'kernel', 'disk', 'memory', 'kubelet-root-dir'], Object.fromEntries(Object.entries(errors).map(([id, [message, remedy]]) => [id, ['error', message, remedy] as Finding]))),
  }));

describe('doctor', () => {
  it('hostpath and Longhorn both default (the classic mistake): exit 3 with the fix command', async () => {
    sb = await perTest.create({ microk8s: MICROK8S, api: { nodes: ['node-1', 'node-2', 'node-3'], seed: [hostpathClass(true), longhornClass(true), ...HOSTPATH, ...LONGHORN] } });
    sb.api!.controllers.autoReadyWorkloads();
    await sb.api!.waitFor(() => sb!.api!.store.get('apps/deployments', 'csi-provisioner', 'longhorn-system')?.status?.readyReplicas === 1);
    const r = await sb.run(['doctor', '--skip-nodes']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toContain('Default:    longhorn, microk8s-hostpath');
    expect(r.stdout).toMatch(/error\s+storageclasses\s+2 StorageClasses are the default \(longhorn, microk8s-hostpath\): a claim without storageClassName lands on either\n\s+fix: k8s-storage default-class longhorn\n/);
    expect(r.stdout).toContain('note: node checks skipped: --skip-nodes');
    expect(r.stderr).toContain('hint: k8s-storage default-class longhorn');
    expect(r.stdout).toMatch(/\nSEVERITY\s+AREA\s+PROBLEM\n/);
    const bare = await sb.run(['doctor', '--skip-nodes', '--no-headers']);
    expect(bare.stdout).not.toContain('SEVERITY');
    expect(bare.stdout).toMatch(/\n\nerror\s+storageclasses\s+2 StorageClasses are the default/);
    // --skip-nodes: no DaemonSet at all.
    expect(sb.api!.requestsMatching({ resource: 'daemonsets', verb: 'patch' })).toEqual([]);

    const json = await sb.run(['doctor', '--skip-nodes', '-o', 'json']);
    expect(json.exitCode).toBe(3);
    const doc = JSON.parse(json.stdout);
    expectOutputSchema('doctor-report', doc);
    expect(doc).toMatchObject({ schemaVersion: 1, kind: 'DoctorReport', microk8s: { state: 'running' }, nodes: null, nodesNote: 'skipped: --skip-nodes' });
    expect(doc.microk8s.enabledAddons).toEqual(expect.arrayContaining(['dns', 'hostpath-storage']));
    expect(doc.storage.defaultClasses).toEqual(['longhorn', 'microk8s-hostpath']);
    expect(doc.findings).toContainEqual({ severity: 'error', area: 'storageclasses', message: expect.stringContaining('2 StorageClasses are the default'), fix: 'k8s-storage default-class longhorn' });
    expect(doc.summary).toMatchObject({ status: 'error', error: expect.any(Number) });
  });

  it('a healthy single-node hostpath cluster: exit 0, the node checked by the real agent', async () => {
    const fx = new Fixture({ osRelease: 'PRETTY_NAME="Ubuntu 24.04 LTS"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n', hostname: 'node-1', microk8s: true });
    sb = await perTest.create({ microk8s: MICROK8S, api: { seed: [hostpathClass(true), ...HOSTPATH] } });
    sb.api!.controllers.autoReadyWorkloads();
    await sb.api!.waitFor(() => sb!.api!.store.get('apps/deployments', 'hostpath-provisioner', 'kube-system')?.status?.readyReplicas === 1);
    const ds = sb.api!.controllers.runDaemonSets({ execute: { env: () => ({ PATH: `${fx.bin}:${sysbin(shellVariants()[0]!)}`, AGENT_ROOT: fx.root, FAKE_STATE: fx.state }) } });
    const r = await sb.run(['doctor']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(ds.executions).toHaveLength(1);
    expect(ds.executions[0]!.nsenter!.slice(-3)).toEqual(['check', '--for', 'hostpath']);
    expect(r.stdout).toContain('Backends:   hostpath (healthy)');
    expect(r.stdout).toContain('Nodes:      checked for hostpath: hostpath storage is installed; 1 ok, 0 with warnings, 0 with errors, 0 did not report');
    expect(r.stdout).toContain('Nothing to fix.');
    expect(r.stderr).toContain('storage looks healthy');
    // The node check cleaned up after itself.
    expect(sb.api!.store.list('daemonsets', 'k8s-storage-system')).toEqual([]);
  });

  it('MicroK8s stopped: reported with "microk8s start", storage checks skipped, exit 3', async () => {
    sb = await perTest.create({ microk8s: { running: 'stopped' } });
    const r = await sb.run(['doctor']);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toContain('MicroK8s:   stopped (microk8s is not running, try microk8s start)');
    expect(r.stdout).toMatch(/error\s+microk8s\s+MicroK8s is stopped: no volume can be attached or provisioned\n\s+fix: microk8s start\n/);
    expect(r.stdout).toContain('note: storage checks skipped: the Kubernetes API cannot be reached while MicroK8s is down');
    expect(r.stderr).toContain('hint: microk8s start');
  });

  it('Longhorn installed: the nodes are checked for Longhorn, and a node without open-iscsi is an error with its prepare command', async () => {
    sb = await perTest.create({ microk8s: MICROK8S, api: { nodes: ['node-1', 'node-2'], seed: [longhornClass(true), ...LONGHORN] } });
    sb.api!.controllers.autoReadyWorkloads();
    const args: string[][] = [];
    sb.api!.controllers.runDaemonSets({
      run: (node: string, pod: any) => {
        args.push(pod.spec.initContainers[0].command.slice(4));
        return { logs: cannedLog(node, 'longhorn', node === 'node-2' ? { 'package:open-iscsi': ['open-iscsi is not installed', 'apt-get install -y open-iscsi'] } : {}) };
      },
    });
    const r = await sb.run(['doctor', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(3);
    expect(args).toEqual([['check', '--for', 'longhorn'], ['check', '--for', 'longhorn']]);
    const doc = JSON.parse(r.stdout);
    expectOutputSchema('doctor-report', doc);
    expect(doc.nodesNote).toBe('checked for longhorn: Longhorn is installed');
    expect(doc.nodes.summary).toMatchObject({ nodes: 2, ok: 1, error: 1 });
    expect(doc.findings).toContainEqual({ severity: 'error', area: 'nodes', message: 'node node-2 is not ready for longhorn: open-iscsi is not installed', fix: 'k8s-storage nodes prepare --for longhorn --node node-2' });
    expect(doc.findings.filter((f: any) => f.area === 'storageclasses')).toEqual([]);
  });

  it('not a MicroK8s machine, a cluster without storage: information and a warning, exit 0', async () => {
    sb = await perTest.create({ api: true });
    const r = await sb.run(['doctor', '--skip-nodes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('note: MicroK8s is not installed on this machine: MicroK8s checks skipped');
    expect(r.stdout).toMatch(/warning\s+storageclasses\s+no StorageClass exists: claims cannot be provisioned\n\s+fix: k8s-storage install hostpath/);
    expect(r.stderr).toContain('no errors; 1 warning(s) worth a look');
  });
});
