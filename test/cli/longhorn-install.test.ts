/**
 * install longhorn end to end: the real CLI against the fake helm (Helm 3 and 4, its traps),
 * the fake microk8s (and its bundled `microk8s helm3`), and the fake API server the fake helm
 * deploys the chart's objects to; a small controller plays longhorn-driver-deployer.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { verifyHtpasswd } from '../../src/backends/longhorn/ui-auth.js';
import { unknownValueKeys } from '../../src/backends/longhorn/values.js';
import { longhornDriverDeployer } from '../fakes/lib/longhorn-controller.mjs';
import { writeState } from '../fakes/lib/state-file.mjs';
import { defaultHelmState } from '../fakes/lib/helm-state.mjs';
import { execa } from 'execa';
import { agentLog, agentReport, checksWith, type Finding } from '../helpers/agent-report.js';
import { cliInvocation, TEST_BINARY } from '../helpers/sandbox.mjs';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';
import { sharedChart } from '../helpers/real-tools.mjs';
import { REPO, runCli } from '../helpers/run-cli.js';
import { expectOutputSchema } from '../helpers/output-schema.js';

const perTest = sandboxPerTest();
const stops = perTest.stops;
let sb: Sandbox | undefined;

const KUBELET = '/var/snap/microk8s/common/var/lib/kubelet';
// The real chart's values (../shared/charts); without ../shared the key checks below are skipped
// (the fake helm, which then renders nothing, is the one that enforces them when it is there).
const LONGHORN_CHART_DIR = sharedChart('longhorn-1.12.1');
const chartValues = LONGHORN_CHART_DIR ? parse(readFileSync(join(LONGHORN_CHART_DIR, 'values.yaml'), 'utf8')) : undefined;
const defaultFlag = (sc: any) => sc?.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'];
const defaults = (s: Sandbox) => s.api!.store.list('storageclasses').filter((c: any) => defaultFlag(c) === 'true').map((c: any) => c.metadata.name).sort();

/** What the node agent prints on a node: all checks ok unless `findings` says otherwise. */
const preflightLog = (node: string, findings: Record<string, Finding> = {}) =>
  agentLog(agentReport(node, { checks: checksWith(['package:open-iscsi', 'package:nfs-common', 'service:iscsid', 'module:iscsi_tcp', 'disk', 'memory'], findings) }));

interface ClusterOptions {
  /** false: no kubeconfig file anywhere (the CLI falls back to `microk8s config`). */
  kubeconfig?: false;
  /** Node-agent findings per node name (default: every node passes the preflight). */
  preflight?: Record<string, Record<string, Finding>>;
  nodes?: number;
  /** false: no microk8s binary and nodes without MicroK8s labels. */
  microk8s?: boolean;
  helm?: false | Record<string, unknown>;
  /** Make workloads ready and play the driver deployer (default true). */
  ready?: boolean;
  hostpathDefault?: boolean;
  /** API groups the cluster does not serve, besides longhorn.io until the chart's CRDs come. */
  hiddenGroups?: string[];
}

async function cluster(o: ClusterOptions = {}): Promise<Sandbox> {
  const s = await perTest.create({
    ...(o.microk8s === false ? {} : { microk8s: true }),
    ...(o.helm === false ? {} : { helm: o.helm ?? true }),
    api: { nodes: o.nodes ?? 3, hiddenGroups: ['longhorn.io', ...(o.hiddenGroups ?? [])] },
    ...(o.kubeconfig === false ? { kubeconfig: false } : {}),
  });
  sb = s;
  if (o.microk8s === false) {
    for (const n of s.api!.store.list('nodes')) {
      s.api!.store.update('nodes', n.metadata.name, undefined, (x: any) => {
        delete x.metadata.labels['node.kubernetes.io/microk8s-controlplane'];
        delete x.metadata.labels['microk8s.io/cluster'];
      });
    }
  }
  if (o.hostpathDefault) {
    s.api!.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'microk8s-hostpath', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'microk8s.io/hostpath', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' });
  }
  // The preflight's node agent: its pods "run" and log a report (Longhorn's own DaemonSets are left alone).
  const agent = s.api!.controllers.runDaemonSets({ filter: (ds: any) => ds.metadata.namespace === 'k8s-storage-system', run: (node: string) => ({ logs: preflightLog(node, o.preflight?.[node]) }) });
  stops.push(() => agent.stop());
  if (o.ready !== false) {
    stops.push(s.api!.controllers.autoReadyWorkloads({ delayMs: 20 }));
    stops.push(longhornDriverDeployer(s.api!, { delayMs: 40 }));
  }
  return s;
}

const helmCalls = (s: Sandbox): any[] => s.readHelmState().calls;
const upgradeCalls = (s: Sandbox): any[] => helmCalls(s).filter((c: any) => c.argv.includes('upgrade'));
/** The argv with the temporary values file replaced by a marker. */
const releaseOf = (s: Sandbox): any => s.readHelmState().releases['longhorn-system/longhorn'];
const argvOf = (call: any) => call.argv.map((a: string, i: number) => (call.argv[i - 1] === '-f' && /k8s-storage-[^/]+\/longhorn-values\.yaml$/.test(a) ? '<ours>' : a));
const oursOf = (call: any) => parse(call.valuesFiles.find((f: any) => /longhorn-values\.yaml$/.test(f.path)).content);

describe('install longhorn: the Helm command and our values', () => {
  it('MicroK8s, 3 nodes: repo add/update, upgrade --install with the kubelet root dir and 3 replicas; waits for the CSI driver', async () => {
    const s = await cluster({ nodes: 3 });
    const r = await s.run(['install', 'longhorn']);
    expect(r.stderr).toContain('Longhorn 1.12.1 is ready');
    expect(r.exitCode).toBe(0);
    // The preflight ran the node agent on the 3 nodes first.
    expect(r.stderr).toMatch(/Checking 3 node\(s\) for longhorn: 3 of 3 node\(s\) reported/);
    const argvs = helmCalls(s).map((c: any) => c.argv.join(' '));
    expect(argvs).toContain('repo add longhorn https://charts.longhorn.io --force-update');
    expect(argvs).toContain('repo update longhorn');
    const calls = upgradeCalls(s);
    expect(calls).toHaveLength(1);
    expect(argvOf(calls[0])).toEqual(['upgrade', '--install', 'longhorn', 'longhorn/longhorn', '-n', 'longhorn-system', '--create-namespace', '--version', '1.12.1', '-f', '<ours>', '--timeout', '10m']);
    const ours = oursOf(calls[0]);
    expect(ours.csi).toEqual({ kubeletRootDir: KUBELET });
    expect(ours.persistence).toMatchObject({ defaultClass: true, defaultClassReplicaCount: 3 });
    expect(ours.defaultSettings.defaultReplicaCount).toBe('3');
    // Every key we write is a key of the chart.
    if (chartValues) expect(unknownValueKeys(ours, chartValues)).toEqual([]);
    // It waited for what the driver deployer makes, not only for what Helm made.
    expect(r.stderr).toMatch(/Wait for DaemonSet longhorn-csi-plugin/);
    expect(r.stderr).toMatch(/Wait for Deployment csi-provisioner/);
    expect(s.api!.store.get('storageclasses', 'longhorn')).toMatchObject({ provisioner: 'driver.longhorn.io', parameters: { numberOfReplicas: '3' } });
    expect(releaseOf(s).status).toBe('deployed');
    // The temporary values file is gone.
    expect(() => readFileSync(calls[0].valuesFiles[0].path)).toThrow();
  });

  it('--monitoring: the ServiceMonitor values with the observability label, and a NetworkPolicy for its Prometheus, read back', async () => {
    const s = await cluster({ nodes: 3 });
    const r = await s.run(['install', 'longhorn', '--monitoring']);
    expect(r.stderr).toContain('Longhorn 1.12.1 is ready');
    expect(r.exitCode).toBe(0);
    const ours = oursOf(upgradeCalls(s)[0]);
    expect(ours.metrics).toEqual({ serviceMonitor: { enabled: true, additionalLabels: { release: 'kube-prom-stack' } } });
    if (chartValues) expect(unknownValueKeys(ours, chartValues)).toEqual([]);
    expect(s.api!.store.get('servicemonitors.monitoring.coreos.com', 'longhorn-prometheus-servicemonitor', 'longhorn-system').metadata.labels.release).toBe('kube-prom-stack');
    const policy = s.api!.store.get('networkpolicies', 'longhorn-manager-prometheus', 'longhorn-system');
    expect(policy.spec.podSelector).toEqual({ matchLabels: { app: 'longhorn-manager' } });
    expect(policy.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }],
        ports: [{ protocol: 'TCP', port: 9500 }],
      },
    ]);
    expect(r.stderr).toMatch(/Check NetworkPolicy longhorn-system\/longhorn-manager-prometheus/);
    // Without the flag: neither.
    const again = await s.run(['install', 'longhorn', '--dry-run', '-o', 'json']);
    expect(JSON.parse(again.stdout).values).not.toHaveProperty('metrics');
  });

  it('--monitoring on a cluster that serves no ServiceMonitors: refused before Helm runs, naming the addon', async () => {
    const s = await cluster({ nodes: 3, hiddenGroups: ['monitoring.coreos.com'] });
    const r = await s.run(['install', 'longhorn', '--monitoring', '--skip-preflight']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/--monitoring: the cluster does not serve ServiceMonitors \(monitoring.coreos.com\/v1\)/);
    expect(r.stderr).toMatch(/hint: enable the observability addon first \(microk8s enable observability\)/);
    expect(upgradeCalls(s)).toEqual([]);
  });

  it('a cluster that is not MicroK8s gets no kubelet root dir', async () => {
    const s = await cluster({ nodes: 3, microk8s: false });
    const r = await s.run(['install', 'longhorn']);
    expect(r.exitCode).toBe(0);
    const ours = oursOf(upgradeCalls(s)[0]);
    expect(ours).not.toHaveProperty('csi');
    expect(ours.persistence.defaultClassReplicaCount).toBe(3);
  });

  it('a 1-node cluster gets 1 replica, with a warning on stderr', async () => {
    const s = await cluster({ nodes: 1 });
    const r = await s.run(['install', 'longhorn']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/warning: The cluster has 1 node, so volumes get 1 replica instead of Longhorn's 3/);
    const ours = oursOf(upgradeCalls(s)[0]);
    expect(ours.persistence.defaultClassReplicaCount).toBe(1);
    expect(s.api!.store.get('storageclasses', 'longhorn').parameters.numberOfReplicas).toBe('1');
  });

  it('the user\'s -f files and --set flags come after ours, so theirs win', async () => {
    const s = await cluster({ nodes: 3 });
    const mine = join(s.home, 'mine.yaml');
    writeFileSync(mine, 'persistence:\n  defaultClassReplicaCount: 2\n  reclaimPolicy: Retain\nlonghornUI:\n  replicas: 1\n');
    const r = await s.run(['install', 'longhorn', '-f', mine, '--set', 'persistence.defaultFsType=xfs', '--set', 'defaultSettings.storageOverProvisioningPercentage=150']);
    expect(r.exitCode).toBe(0);
    const call = upgradeCalls(s)[0];
    expect(argvOf(call)).toEqual(['upgrade', '--install', 'longhorn', 'longhorn/longhorn', '-n', 'longhorn-system', '--create-namespace', '--version', '1.12.1', '-f', '<ours>', '-f', mine, '--set', 'persistence.defaultFsType=xfs', '--set', 'defaultSettings.storageOverProvisioningPercentage=150', '--timeout', '10m']);
    // Helm merged them in that order: the user's values replaced ours.
    const merged = releaseOf(s).values;
    expect(merged.persistence).toMatchObject({ defaultClassReplicaCount: 2, reclaimPolicy: 'Retain', defaultFsType: 'xfs' });
    expect(merged.csi.kubeletRootDir).toBe(KUBELET);
    // ...and the readiness checks expected the user's values, not ours.
    expect(s.api!.store.get('storageclasses', 'longhorn')).toMatchObject({ reclaimPolicy: 'Retain', parameters: { numberOfReplicas: '2', fsType: 'xfs' } });
  });

  it('warns, with the fix, when the user\'s values take the MicroK8s kubelet root dir away', async () => {
    const s = await cluster({ nodes: 3 });
    const r = await s.run(['install', 'longhorn', '--set', 'csi.kubeletRootDir=/var/lib/kubelet']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/warning: your values set csi.kubeletRootDir to "\/var\/lib\/kubelet", but on MicroK8s it must be \/var\/snap\/microk8s\/common\/var\/lib\/kubelet/);
    expect(r.stderr).toContain(`--set csi.kubeletRootDir=${KUBELET}`);
  });

  it('--chart with a local tarball: no repo add or update, no --version', async () => {
    const s = await cluster({ nodes: 3 });
    const tgz = join(s.home, 'longhorn-1.12.1.tgz');
    writeFileSync(tgz, 'not really gzip; the fake reads the name');
    const r = await s.run(['install', 'longhorn', '--chart', tgz]);
    expect(r.exitCode).toBe(0);
    const calls = helmCalls(s);
    expect(calls.some((c: any) => c.argv[0] === 'repo')).toBe(false);
    expect(argvOf(upgradeCalls(s)[0])).toEqual(['upgrade', '--install', 'longhorn', tgz, '-n', 'longhorn-system', '--create-namespace', '-f', '<ours>', '--timeout', '10m']);
  });

  it('every input problem is reported at once, before the cluster is touched (exit 2)', async () => {
    const s = await cluster({ nodes: 3 });
    const r = await s.run(['install', 'longhorn', '--replicas', '0', '--reclaim-policy', 'Keep', '--ui', 'ingress', '-f', 'missing.yaml', '--set', 'a[x]=1', '--timeout', 'soon']);
    expect(r.exitCode).toBe(2);
    for (const p of [/--replicas: 0/, /--reclaim-policy: "Keep"/, /--host: required with --ui ingress/, /-f missing.yaml: no such file/, /--set "a\[x\]=1"/, /--timeout: "soon"/]) expect(r.stderr).toMatch(p);
    expect(helmCalls(s)).toEqual([]);
  });
});

describe('install longhorn: preflight', () => {
  const MISSING_ISCSI: Record<string, Finding> = {
    'package:open-iscsi': ['error', 'open-iscsi is not installed', 'apt-get install -y open-iscsi'],
    'service:iscsid': ['error', 'iscsid is not active: Longhorn attaches volumes over iSCSI', 'systemctl enable --now iscsid'],
  };

  it('checks every node first; a node missing open-iscsi stops the install (exit 3) with the fix, before Helm', async () => {
    const s = await cluster({ nodes: 3, preflight: { 'node-2': MISSING_ISCSI } });
    const r = await s.run(['install', 'longhorn']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/preflight: 1 of 3 node\(s\) not ready for longhorn: node-2 \(2 errors\)/);
    expect(r.stderr).toContain('node-2: open-iscsi is not installed (fix: apt-get install -y open-iscsi)');
    expect(r.stderr).toContain('Nothing was installed.');
    expect(r.stderr).toMatch(/hint: k8s-storage nodes prepare --for longhorn --node node-2; or install anyway with --skip-preflight/);
    expect(helmCalls(s).filter((c: any) => c.argv[0] === 'repo' || c.argv[0] === 'upgrade')).toEqual([]);
    expect(s.api!.store.get('namespaces', 'longhorn-system')).toBeUndefined();
  });

  it('the agent checks the data path given with --data-path', async () => {
    const s = await cluster({ nodes: 1 });
    const seen: any[] = [];
    s.api!.onChange((ev: any) => {
      if (ev.type === 'ADDED' && ev.resource.resource === 'daemonsets' && ev.object.metadata.namespace === 'k8s-storage-system') seen.push(ev.object);
    });
    expect((await s.run(['install', 'longhorn', '--data-path', '/mnt/longhorn/'])).exitCode).toBe(0);
    expect(seen).toHaveLength(1);
    const init = seen[0].spec.template.spec.initContainers[0];
    expect([...init.command, ...(init.args ?? [])].join(' ')).toContain('check --for longhorn --data-path /mnt/longhorn/');
    expect(s.api!.store.list('daemonsets', 'k8s-storage-system')).toEqual([]);
  });

  it('--skip-preflight runs no node agent', async () => {
    const s = await cluster({ nodes: 3, preflight: { 'node-2': MISSING_ISCSI } });
    const r = await s.run(['install', 'longhorn', '--skip-preflight']);
    expect(r.exitCode).toBe(0);
    expect(s.api!.requestsMatching({ resource: 'daemonsets', namespace: 'k8s-storage-system' })).toEqual([]);
    expect(r.stderr).not.toMatch(/Checking \d+ node/);
  });
});

describe('install longhorn: which Helm', () => {
  it('Helm 3 rolls a failed upgrade back with --atomic', async () => {
    const s = await cluster({ nodes: 3, helm: { version: 'v3.16.4' } });
    expect((await s.run(['install', 'longhorn'])).exitCode).toBe(0);
    const r = await s.run(['install', 'longhorn']);
    expect(r.exitCode).toBe(0);
    const [first, second] = upgradeCalls(s);
    expect(first.argv).not.toContain('--atomic');
    expect(second.argv).toContain('--atomic');
    expect(second.argv).not.toContain('--rollback-on-failure');
  });

  it('Helm 4 gets --rollback-on-failure instead (it rejects --atomic)', async () => {
    const s = await cluster({ nodes: 3, helm: { version: 'v4.0.1' } });
    expect((await s.run(['install', 'longhorn'])).exitCode).toBe(0);
    const r = await s.run(['install', 'longhorn']);
    expect(r.stderr).toContain('is ready');
    expect(r.exitCode).toBe(0);
    const second = upgradeCalls(s)[1];
    expect(second.argv).toContain('--rollback-on-failure');
    expect(second.argv).not.toContain('--atomic');
    expect(helmCalls(s).some((c: any) => c.argv.join(' ') === 'version --template {{.Version}}')).toBe(true);
  });

  it('without helm on PATH it uses the Helm 3 inside MicroK8s (microk8s helm3)', async () => {
    const s = await cluster({ nodes: 3, helm: false });
    writeState(s.helmStatePath, { ...defaultHelmState(), apiServer: s.api!.url });
    // A local chart: the fake `microk8s helm3` mangles `repo` subcommands (it puts --kubeconfig before them).
    const tgz = join(s.home, 'longhorn-1.12.1.tgz');
    writeFileSync(tgz, 'chart');
    const r = await s.run(['install', 'longhorn', '--chart', tgz], { env: { FAKE_HELM_STATE: s.helmStatePath } });
    expect(r.stderr).toContain('with microk8s helm3');
    expect(r.exitCode).toBe(0);
    const m8s = s.readMicrok8sState().calls.map((c: any) => c.argv);
    expect(m8s).toContainEqual(['helm3', 'version', '--template', '{{.Version}}']);
    expect(m8s.some((a: string[]) => a[0] === 'helm3' && a[1] === 'upgrade' && a.includes(tgz))).toBe(true);
    expect(releaseOf(s).status).toBe('deployed');
  });

  it('a cluster known only from `microk8s config` is handed to a standalone helm as a private kubeconfig', async () => {
    const s = await cluster({ nodes: 3, kubeconfig: false });
    const r = await s.run(['install', 'longhorn', '--skip-preflight']);
    expect(r.exitCode).toBe(0);
    const call = upgradeCalls(s)[0];
    const at = call.argv.indexOf('--kubeconfig');
    expect(at).toBeGreaterThan(0);
    expect(call.argv[at + 1]).toMatch(/k8s-storage-[^/]+\/kubeconfig$/);
    expect(() => readFileSync(call.argv[at + 1])).toThrow();
    // repo commands do not talk to the cluster and get no kubeconfig.
    expect(helmCalls(s).filter((c: any) => c.argv[0] === 'repo').every((c: any) => !c.argv.includes('--kubeconfig'))).toBe(true);
  });

  it('--kubeconfig and --context given to k8s-storage are given to Helm', async () => {
    const s = await cluster({ nodes: 3 });
    const r = await s.run(['install', 'longhorn', '--skip-preflight', '--kubeconfig', s.kubeconfigPath!, '--context', 'microk8s']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(upgradeCalls(s)[0].argv.slice(-4)).toEqual(['--kubeconfig', s.kubeconfigPath, '--kube-context', 'microk8s']);
  });

  it('neither helm nor microk8s: a clear error with how to get Helm', async () => {
    const s = await cluster({ nodes: 3, helm: false, microk8s: false });
    const r = await s.run(['install', 'longhorn']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/Helm is not installed: neither helm nor microk8s/);
    expect(r.stderr).toMatch(/hint: install Helm/);
  });
});

describe('install longhorn: Helm\'s traps', () => {
  it('a failed release reported with exit 0 is a failure (exit 1), read from helm status', async () => {
    const s = await cluster({ nodes: 3, helm: { quirks: { installFails: { exitCode: 0, stderr: 'Error: INSTALLATION FAILED: context deadline exceeded', leaveStatus: 'failed', times: 1 } } } });
    const r = await s.run(['install', 'longhorn']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/Helm marked the release longhorn failed \(revision 1.*\), although it exited 0/);
    expect(r.stderr).toMatch(/hint: .*rerun k8s-storage install longhorn/);
    expect(helmCalls(s).some((c: any) => c.argv.join(' ').startsWith('status longhorn -n longhorn-system -o json'))).toBe(true);
    // The rerun upgrades the failed release in place.
    const again = await s.run(['install', 'longhorn']);
    expect(again.stderr).toMatch(/The last Helm operation on longhorn failed/);
    expect(again.exitCode).toBe(0);
    expect(releaseOf(s)).toMatchObject({ status: 'deployed', revision: 2 });
  });

  it('a release stuck in pending-install is refused before anything runs, with the recovery command', async () => {
    const s = await cluster({ nodes: 3 });
    s.writeHelmState({ releases: { 'longhorn-system/longhorn': { name: 'longhorn', namespace: 'longhorn-system', revision: 1, status: 'pending-install', chart: 'longhorn-1.12.1', app_version: 'v1.12.1', updated: new Date().toISOString(), values: {} } } });
    const r = await s.run(['install', 'longhorn']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/stuck in pending-install/);
    expect(r.stderr).toMatch(/hint: .*k8s-storage uninstall longhorn --yes \(or helm uninstall longhorn -n longhorn-system\)/);
    expect(upgradeCalls(s)).toEqual([]);
  });

  it('a release stuck in pending-upgrade points at helm rollback', async () => {
    const s = await cluster({ nodes: 3 });
    s.writeHelmState({ releases: { 'longhorn-system/longhorn': { name: 'longhorn', namespace: 'longhorn-system', revision: 2, status: 'pending-upgrade', chart: 'longhorn-1.12.1', app_version: 'v1.12.1', updated: new Date().toISOString(), values: {} } } });
    const r = await s.run(['install', 'longhorn']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/hint: go back to the last working revision, then rerun: helm rollback longhorn -n longhorn-system && k8s-storage install longhorn/);
    expect(upgradeCalls(s)).toEqual([]);
  });

  it('Ctrl-C while Helm runs: exit 130, and the message says the release is left pending and how to recover', async () => {
    const s = await cluster({ nodes: 3, helm: { quirks: { hangAfterStart: true } } });
    // Ctrl-C in a terminal signals the whole process group, once Helm has recorded the release.
    const cli = cliInvocation(['install', 'longhorn', '--skip-preflight']);
    const proc = execa(cli.file, cli.args, { env: s.env, extendEnv: false, cwd: s.home, reject: false, detached: true });
    const deadline = Date.now() + 15_000;
    while (releaseOf(s)?.status !== 'pending-install' && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    process.kill(-proc.pid!, 'SIGINT');
    const r = await proc;
    expect(r.exitCode).toBe(130);
    expect(releaseOf(s).status).toBe('pending-install');
    expect(r.stderr).toMatch(/interrupted during "Install Longhorn 1.12.1 with helm".*stuck in pending-install/);
    expect(r.stderr).toMatch(/hint: remove the half-made install, then rerun: k8s-storage uninstall longhorn --yes/);
  });

  it('a rerun upgrades in place: same version, revision 2, exit 0, nothing duplicated', async () => {
    const s = await cluster({ nodes: 3 });
    expect((await s.run(['install', 'longhorn'])).exitCode).toBe(0);
    const objects = s.api!.store.count();
    const r = await s.run(['install', 'longhorn']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/Upgrade Longhorn .*in place/);
    expect(releaseOf(s)).toMatchObject({ status: 'deployed', revision: 2, chart: 'longhorn-1.12.1' });
    expect(s.api!.store.count()).toBe(objects);
  });

  it('a failed upgrade that Helm rolls back is still a failure', async () => {
    const s = await cluster({ nodes: 3 });
    expect((await s.run(['install', 'longhorn'])).exitCode).toBe(0);
    s.writeHelmState({ quirks: { installFails: { exitCode: 1, stderr: 'Error: UPGRADE FAILED: timed out waiting for the condition', times: 1 } } });
    const r = await s.run(['install', 'longhorn', '--replicas', '2']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/the Longhorn upgrade failed, and Helm rolled back to the previous version/);
  });

  it('--version older than the installed chart is refused: Longhorn cannot downgrade', async () => {
    const s = await cluster({ nodes: 3 });
    expect((await s.run(['install', 'longhorn'])).exitCode).toBe(0);
    const r = await s.run(['install', 'longhorn', '--version', '1.11.2']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--version 1.11.2 is older than the installed Longhorn 1.12.1/);
    expect(upgradeCalls(s)).toHaveLength(1);
  });

  it('--version is the chart version (not k8s-storage\'s own)', async () => {
    const s = await cluster({ nodes: 3 });
    const r = await s.run(['install', 'longhorn', '--version', '1.11.2']);
    expect(r.exitCode).toBe(0);
    expect(upgradeCalls(s)[0].argv).toEqual(expect.arrayContaining(['--version', '1.11.2']));
    expect(releaseOf(s).chart).toBe('longhorn-1.11.2');
  });
});

describe('install longhorn: exactly one default StorageClass', () => {
  it('--default-class when hostpath is the default: longhorn becomes the only default', async () => {
    const s = await cluster({ nodes: 3, hostpathDefault: true });
    const r = await s.run(['install', 'longhorn', '--default-class']);
    expect(r.exitCode).toBe(0);
    expect(defaults(s)).toEqual(['longhorn']);
    expect(defaultFlag(s.api!.store.get('storageclasses', 'microk8s-hostpath'))).toBe('false');
    expect(oursOf(upgradeCalls(s)[0]).persistence.defaultClass).toBe(true);
  });

  it('no flag while hostpath is the default: hostpath stays the only default, and the output says how to switch', async () => {
    const s = await cluster({ nodes: 3, hostpathDefault: true });
    const r = await s.run(['install', 'longhorn']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/Keeping microk8s-hostpath as the default StorageClass; pass --default-class/);
    expect(defaults(s)).toEqual(['microk8s-hostpath']);
    expect(oursOf(upgradeCalls(s)[0]).persistence.defaultClass).toBe(false);
  });

  it('no flag and no default class: longhorn becomes the default', async () => {
    const s = await cluster({ nodes: 3 });
    expect((await s.run(['install', 'longhorn'])).exitCode).toBe(0);
    expect(defaults(s)).toEqual(['longhorn']);
  });

  it('--no-default-class on a cluster without a default leaves none, and touches no other class', async () => {
    const s = await cluster({ nodes: 3 });
    s.api!.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'nfs' }, provisioner: 'nfs.csi.k8s.io' });
    const rv = s.api!.store.get('storageclasses', 'nfs').metadata.resourceVersion;
    expect((await s.run(['install', 'longhorn', '--no-default-class'])).exitCode).toBe(0);
    expect(defaults(s)).toEqual([]);
    expect(s.api!.store.get('storageclasses', 'nfs').metadata.resourceVersion).toBe(rv);
  });
});

describe('install longhorn --dry-run', () => {
  it('prints the Helm argv and the values, and runs no helm upgrade', async () => {
    const s = await cluster({ nodes: 1 });
    const r = await s.run(['install', 'longhorn', '--dry-run', '--set', 'longhornUI.replicas=1']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Plan: install Longhorn 1.12.1 (dry run: nothing is changed)');
    expect(r.stdout).toContain('run: helm upgrade --install longhorn longhorn/longhorn -n longhorn-system --create-namespace --version 1.12.1 -f k8s-storage-longhorn-values.yaml --set longhornUI.replicas=1 --timeout 10m');
    expect(r.stdout).toContain(`kubeletRootDir: ${KUBELET}`);
    expect(r.stdout).toMatch(/Values Helm ends up with[\s\S]*longhornUI:\n  replicas: 1/);
    expect(upgradeCalls(s)).toEqual([]);
    expect(helmCalls(s).some((c: any) => c.argv[0] === 'repo')).toBe(false);
    expect(s.api!.store.get('namespaces', 'longhorn-system')).toBeUndefined();
  });

  it('-o json gives the argv and both values documents to machines', async () => {
    const s = await cluster({ nodes: 3 });
    const r = await s.run(['install', 'longhorn', '--dry-run', '-o', 'json', '--replicas', '2']);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expectOutputSchema('plan', doc);
    expect(doc.dryRun).toBe(true);
    expect(doc.helm.argv).toEqual(['helm', 'upgrade', '--install', 'longhorn', 'longhorn/longhorn', '-n', 'longhorn-system', '--create-namespace', '--version', '1.12.1', '-f', 'k8s-storage-longhorn-values.yaml', '--timeout', '10m']);
    expect(doc.values.persistence.defaultClassReplicaCount).toBe(2);
    expect(doc.mergedValues.csi.kubeletRootDir).toBe(KUBELET);
    expect(doc.steps.map((st: any) => st.kind)).toContain('wait');
    expect(upgradeCalls(s)).toEqual([]);
  });
});

describe('install longhorn: the UI', () => {
  const secretLine = (s: Sandbox) => Buffer.from(s.api!.store.get('secrets', 'longhorn-ui-auth', 'longhorn-system').data.auth, 'base64').toString('utf8');

  it('--ui ingress --password-stdin: a bcrypt htpasswd Secret made before Helm, and an Ingress that requires it', async () => {
    const s = await cluster({ nodes: 3 });
    const r = await s.run(['install', 'longhorn', '--ui', 'ingress', '--host', 'longhorn.example.com', '--password-stdin'], { input: 's3cret-Passw0rd\n' });
    expect(r.exitCode).toBe(0);
    const line = secretLine(s);
    expect(line).toMatch(/^admin:\$2y\$10\$/);
    expect(verifyHtpasswd(line, 's3cret-Passw0rd')).toBe(true);
    expect(verifyHtpasswd(line, 'wrong')).toBe(false);
    expect(r.stderr).not.toContain('s3cret-Passw0rd');
    // Created before Helm ran.
    const created = s.api!.requestsMatching({ verb: 'patch', resource: 'secrets' })[0]!;
    const helmUpgrade = upgradeCalls(s)[0];
    expect(created.time).toBeLessThan(Date.parse(helmUpgrade.time));
    const ours = oursOf(helmUpgrade);
    expect(ours.ingress).toEqual({
      enabled: true,
      host: 'longhorn.example.com',
      ingressClassName: 'nginx',
      annotations: { 'nginx.ingress.kubernetes.io/auth-type': 'basic', 'nginx.ingress.kubernetes.io/auth-secret': 'longhorn-ui-auth', 'nginx.ingress.kubernetes.io/auth-realm': 'Longhorn UI' },
    });
    expect(ours.service.ui.type).toBe('ClusterIP');
    expect(r.stderr).toContain('UI: http://longhorn.example.com/');
  });

  it('without --password-stdin the password is generated, printed once on stderr, and a rerun keeps it', async () => {
    const s = await cluster({ nodes: 3 });
    const r = await s.run(['install', 'longhorn', '--ui', 'ingress', '--host', 'longhorn.example.com']);
    expect(r.exitCode).toBe(0);
    const m = /Longhorn UI login: user admin, password (\S+)/.exec(r.stderr);
    expect(m).not.toBeNull();
    expect(r.stderr.split(m![1]!).length - 1).toBe(1);
    expect(r.stdout).not.toContain(m![1]!);
    const line = secretLine(s);
    expect(verifyHtpasswd(line, m![1]!)).toBe(true);

    const again = await s.run(['install', 'longhorn', '--ui', 'ingress', '--host', 'longhorn.example.com']);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toMatch(/Keeping the existing UI login in Secret longhorn-system\/longhorn-ui-auth; its password is unchanged/);
    expect(again.stderr).not.toMatch(/password \S+\n/);
    expect(secretLine(s)).toBe(line);
  });

  it.each([
    ['nodeport', 'NodePort', /with --ui nodeport anyone who can reach a node can delete volumes/],
    ['loadbalancer', 'LoadBalancer', /with --ui loadbalancer anyone who can reach the load balancer address/],
  ])('--ui %s warns that the UI has no authentication of its own', async (ui, type, warning) => {
    const s = await cluster({ nodes: 3 });
    const r = await s.run(['install', 'longhorn', '--ui', ui]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/warning: The Longhorn UI has no authentication of its own/);
    expect(r.stderr).toMatch(warning);
    expect(oursOf(upgradeCalls(s)[0]).service.ui.type).toBe(type);
    expect(s.api!.store.get('services', 'longhorn-frontend', 'longhorn-system').spec.type).toBe(type);
  });
});

describe('install longhorn: waiting', () => {
  it('times out on the CSI workloads when the driver deployer never makes them, naming what to look at', async () => {
    const s = await cluster({ nodes: 3, ready: false });
    stops.push(s.api!.controllers.autoReadyWorkloads({ delayMs: 20 }));
    const r = await s.run(['install', 'longhorn', '--timeout', '2s']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/timed out waiting for (wait for )?deployment csi-attacher/i);
    expect(r.stderr).toMatch(/hint: longhorn-driver-deployer creates the CSI workloads/);
  });

  it('--no-wait returns after Helm without waiting for the workloads', async () => {
    const s = await cluster({ nodes: 3, ready: false });
    const r = await s.run(['install', 'longhorn', '--no-wait']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).not.toMatch(/Wait for/);
    expect(r.stderr).toMatch(/installed \(not waited for\)/);
  });
});

describe('render longhorn-values', () => {
  it('prints valid YAML offline whose keys all exist in the chart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lh-values-'));
    const mine = join(dir, 'mine.yaml');
    writeFileSync(mine, 'defaultSettings:\n  storageMinimalAvailablePercentage: "15"\n');
    const r = await runCli(['render', 'longhorn-values', '--version', '1.12.0', '--nodes', '2', '--default-class', '--gitops', '--ui', 'ingress', '--host', 'longhorn.example.com', '--backup-target', 'nfs://nas:/backups', '-f', mine, '--set', 'longhornUI.replicas=1']);
    expect(r.exitCode).toBe(0);
    const values = parse(r.stdout);
    expect(values.csi.kubeletRootDir).toBe(KUBELET);
    expect(values.persistence.defaultClassReplicaCount).toBe(2);
    expect(values.preUpgradeChecker).toEqual({ jobEnabled: false });
    expect(values.defaultSettings.storageMinimalAvailablePercentage).toBe('15');
    expect(values.longhornUI.replicas).toBe(1);
    if (chartValues) expect(unknownValueKeys(values, chartValues)).toEqual([]);
    // --version is the chart's (named in the header), not k8s-storage's own.
    expect(r.stdout.startsWith('# Helm values for the Longhorn chart longhorn/longhorn 1.12.0')).toBe(true);
  });

  it('--no-microk8s leaves the kubelet root dir to Longhorn; -o json works', async () => {
    const r = await runCli(['render', 'longhorn-values', '--no-microk8s', '-o', 'json']);
    expect(r.exitCode).toBe(0);
    const values = JSON.parse(r.stdout);
    expect(values).not.toHaveProperty('csi');
    expect(values.persistence.defaultClassReplicaCount).toBe(3);
  });

  it('--monitoring renders the ServiceMonitor values install longhorn --monitoring uses, and names the NetworkPolicy the values cannot carry', async () => {
    const [plain, monitored] = await Promise.all([runCli(['render', 'longhorn-values', '-o', 'json']), runCli(['render', 'longhorn-values', '--monitoring', '-o', 'json'])]);
    expect(monitored.exitCode, monitored.stderr).toBe(0);
    expect(JSON.parse(plain.stdout)).not.toHaveProperty('metrics');
    expect(JSON.parse(monitored.stdout).metrics).toEqual({ serviceMonitor: { enabled: true, additionalLabels: { release: 'kube-prom-stack' } } });
    expect(monitored.stderr).toContain('NetworkPolicy longhorn-manager-prometheus in longhorn-system');
  });

  it('reports every bad flag at once (exit 2)', async () => {
    const r = await runCli(['render', 'longhorn-values', '--nodes', 'zero', '--replicas', '30', '--ui', 'web']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--nodes: "zero"/);
    expect(r.stderr).toMatch(/--replicas: 30/);
    expect(r.stderr).toMatch(/--ui: "web"/);
  });

  // The single executable carries every library inside: there is nothing to trace.
  it.skipIf(TEST_BINARY)('loads no cluster code', async () => {
    const trace = join(mkdtempSync(join(tmpdir(), 'trace-')), 'imports.txt');
    writeFileSync(trace, '');
    const r = await runCli(['render', 'longhorn-values', '--nodes', '3'], { env: { NODE_OPTIONS: `--import=${join(REPO, 'test', 'helpers', 'trace-imports.mjs')}`, TRACE_IMPORTS_FILE: trace } });
    expect(r.exitCode).toBe(0);
    const loaded = readFileSync(trace, 'utf8');
    expect(loaded).toContain('require node:vm');
    expect(loaded).not.toMatch(/client-node|execa|\/ora\//);
  });
});

describe('ui', () => {
  it('without Longhorn: says so, with the install command', async () => {
    const s = await cluster({ nodes: 1, ready: false });
    const r = await s.run(['ui']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/there is no Service longhorn-frontend in longhorn-system: Longhorn is not installed/);
    expect(r.stderr).toMatch(/hint: k8s-storage install longhorn/);
    expect(r.stdout).toBe('');
  });

  it('the Service exists but no UI pod is ready: says so', async () => {
    const s = await cluster({ nodes: 1, ready: false });
    expect((await s.run(['install', 'longhorn', '--no-wait'])).exitCode).toBe(0);
    const r = await s.run(['ui']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/no ready pod behind Service longhorn-system\/longhorn-frontend \(no pod with app=longhorn-ui\)/);
  });

  it('with a ready UI pod: prints the URL on stdout, listens, and stops on Ctrl-C with exit 0', async () => {
    const s = await cluster({ nodes: 1 });
    expect((await s.run(['install', 'longhorn', '--no-wait'])).exitCode).toBe(0);
    s.api!.store.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'longhorn-ui-abc', namespace: 'longhorn-system', labels: { app: 'longhorn-ui' } },
      spec: { containers: [{ name: 'longhorn-ui', image: 'longhornio/longhorn-ui:v1.12.1', ports: [{ name: 'http', containerPort: 8000 }] }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    const r = await s.runWithSignal(['ui', '--port', '0'], { afterStdoutMatch: /http:\/\/127\.0\.0\.1:\d+\//, signal: 'SIGINT', target: 'process' });
    expect(r.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\n$/);
    expect(r.stderr).toMatch(/Forwarding to pod longhorn-ui-abc port 8000 in longhorn-system/);
    expect(r.exitCode).toBe(0);
  });
});
