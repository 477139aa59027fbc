/**
 * `install openebs` and `uninstall openebs` as plans: the OpenEBS 4.x chart through the
 * generic Helm release step, then the state it should produce (workloads, class, a claim that
 * binds). Pure: the facts come from runtime.ts.
 */
import type { HelmRelease, HelmTool } from '../../cluster/helm.js';
import { ClusterError } from '../../errors.js';
import { helmReleaseSteps, helmUninstallStep, type ChartSpec } from '../../plan/helm-release.js';
import { emptyPlan, type Plan, type Step } from '../../plan/types.js';
import type { KubeObject } from '../../presets/types.js';
import { probeClaimSteps } from '../probe-claim.js';
import {
  CALICO_FIX,
  DISKPOOL_API,
  ENGINE_LABEL,
  HOSTPATH_CLASS,
  HOSTPATH_PROVISIONER,
  MAYASTOR_CLASS,
  MAYASTOR_PROVISIONER,
  OPENEBS_CHART_VERSION,
  OPENEBS_NAMESPACE,
  OPENEBS_RELEASE,
  OPENEBS_REPO,
  ref,
} from './constants.js';
import { unstableDevices, type OpenebsInstallOptions, type OpenebsUninstallOptions } from './options.js';
import { openebsValues, setFlags } from './values.js';

export const OPENEBS_PROVISIONERS = [HOSTPATH_PROVISIONER, MAYASTOR_PROVISIONER] as const;

export const OPENEBS_CHART: ChartSpec = {
  title: 'OpenEBS',
  repoName: OPENEBS_REPO.name,
  repoUrl: OPENEBS_REPO.url,
  chartRef: 'openebs/openebs',
  chartName: 'openebs',
  version: OPENEBS_CHART_VERSION,
  release: OPENEBS_RELEASE,
  namespace: OPENEBS_NAMESPACE,
  installCommand: 'k8s-storage install openebs',
  uninstallCommand: 'k8s-storage uninstall openebs',
  downgradeRefusal: 'OpenEBS does not support chart downgrades',
  eventsCommand: `kubectl -n ${OPENEBS_NAMESPACE} get events --sort-by=.lastTimestamp`,
};

export interface OpenebsInstallFacts {
  helm: HelmTool;
  release?: HelmRelease;
  microk8s: boolean;
  nodes: { name: string; labels: Record<string, string> }[];
  snapshotCrdsExist: boolean;
  /** Calico's FelixConfiguration default, when Calico is the CNI. */
  felix?: KubeObject & { spec?: { featureDetectOverride?: string } };
  /** OpenEBS pods stuck in their init containers (Calico's checksum-offload symptom with Mayastor). */
  stuckInInit: string[];
  diskPools: string[];
}

export interface OpenebsUninstallFacts {
  helm: HelmTool;
  release?: HelmRelease;
  namespaceExists: boolean;
  classes: string[];
  claims: string[];
  volumes: string[];
  /** DiskPools and whether a volume still has a replica on them. */
  diskPools: { name: string; inUse: boolean }[];
}

const poolName = (node: string) => `pool-${node}`.slice(0, 63);

function diskPool(node: string, device: string): KubeObject {
  return {
    apiVersion: DISKPOOL_API,
    kind: 'DiskPool',
    metadata: { name: poolName(node), namespace: OPENEBS_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'k8s-storage' } },
    spec: { node, disks: [`aio://${device}`] },
  } as KubeObject;
}

function mayastorSteps(facts: OpenebsInstallFacts, opts: OpenebsInstallOptions, plan: Plan): Step[] {
  const steps: Step[] = [];
  const missing = opts.disks.map((d) => d.node).filter((n) => !facts.nodes.some((x) => x.name === n));
  if (missing.length) throw new ClusterError(`--disk names node(s) that do not exist: ${missing.join(', ')}.`, { hint: 'kubectl get nodes' });
  // The io-engine runs where the label is: the nodes given a disk, or every node when none is.
  const engineNodes = opts.disks.length ? opts.disks.map((d) => d.node) : facts.nodes.map((n) => n.name);
  for (const node of engineNodes) {
    const labels = facts.nodes.find((n) => n.name === node)?.labels ?? {};
    if (labels[ENGINE_LABEL.key] !== ENGINE_LABEL.value) {
      steps.push({ kind: 'patch', title: `Label node ${node} ${ENGINE_LABEL.key}=${ENGINE_LABEL.value} (where Mayastor's io-engine runs)`, ref: ref.node(node), patch: { metadata: { labels: { [ENGINE_LABEL.key]: ENGINE_LABEL.value } } } });
    }
  }
  const felixOverride = facts.felix?.spec?.featureDetectOverride ?? '';
  if (facts.felix && facts.stuckInInit.length && !felixOverride.includes(CALICO_FIX.featureDetectOverride)) {
    plan.notes.push(`Pods stuck in Init (${facts.stuckInInit.join(', ')}) with Calico VXLAN: the checksum-offload bug (nc: bad address 'mayastor-agent-core'); applying Calico's fix.`);
    const value = felixOverride ? `${felixOverride},${CALICO_FIX.featureDetectOverride}` : CALICO_FIX.featureDetectOverride;
    steps.push({ kind: 'patch', title: `Work around Calico's broken checksum offload (FelixConfiguration default: featureDetectOverride ${CALICO_FIX.featureDetectOverride})`, ref: ref.felix, patch: { spec: { featureDetectOverride: value } } });
  } else if (facts.felix && !felixOverride.includes(CALICO_FIX.featureDetectOverride)) {
    plan.notes.push(`Calico runs here: if Mayastor pods stay in Init with "nc: bad address 'mayastor-agent-core'", rerun k8s-storage install openebs --engine mayastor (it then applies Calico's checksum-offload fix).`);
  }
  return steps;
}

export function planOpenebsInstall(facts: OpenebsInstallFacts, opts: OpenebsInstallOptions): Plan {
  const mayastor = opts.engine === 'mayastor';
  const plan = emptyPlan(`install OpenEBS ${opts.version ?? facts.release?.chartVersion ?? OPENEBS_CHART_VERSION} (${mayastor ? 'Mayastor replicated volumes and LocalPV hostpath' : 'LocalPV hostpath'})`);
  const unstable = unstableDevices(opts.disks);
  if (unstable.length) plan.warnings.push(`--disk ${unstable.map((d) => `${d.node}=${d.device}`).join(', ')}: device names such as /dev/sdb can change at boot; name disks by /dev/disk/by-id/... so a DiskPool never takes the wrong disk.`);
  if (!mayastor && facts.nodes.length > 1) plan.warnings.push(`LocalPV hostpath keeps each volume on one node's disk: on this ${facts.nodes.length}-node cluster a pod moved to another node cannot reach its data.`);
  if (facts.snapshotCrdsExist) plan.notes.push(`The snapshot CRDs already exist (${ref.snapshotCrd.name}): openebs-crds.csi.volumeSnapshots.enabled=false, or Helm would refuse to adopt them.`);
  const pre = mayastor ? mayastorSteps(facts, opts, plan) : [];
  plan.steps.push(...pre.filter((s) => s.kind === 'patch' && s.ref.kind === 'Node'));

  const values = openebsValues({ engine: opts.engine, basePath: opts.basePath, microk8s: facts.microk8s, snapshotCrdsExist: facts.snapshotCrdsExist });
  const chartVersion = opts.version ?? (facts.release?.chartName === 'openebs' ? facts.release.chartVersion : undefined) ?? OPENEBS_CHART_VERSION;
  const helm = helmReleaseSteps(OPENEBS_CHART, { helm: facts.helm, ...(facts.release ? { release: facts.release } : {}) }, {
    chart: OPENEBS_CHART.chartRef,
    chartSource: { kind: 'official' },
    version: chartVersion,
    valuesFiles: [],
    sets: setFlags(values),
    timeout: opts.timeout,
    timeoutMs: opts.timeoutMs,
    rollbackOnFailure: true,
  });
  // The chart creates the namespace only with --create-namespace.
  const last = helm.steps.at(-1);
  if (last?.kind === 'run' && !last.command.args.includes('--create-namespace')) last.command.args.push('--create-namespace');
  plan.steps.push(...helm.steps);
  plan.steps.push(...pre.filter((s) => !(s.kind === 'patch' && s.ref.kind === 'Node')));

  const wait = (r: typeof ref.localProvisioner, hint: string): Step => ({ kind: 'wait', title: `Wait for ${r.kind} ${r.name}`, until: { type: 'ready', ref: r }, timeoutMs: opts.timeoutMs, hint });
  const events = OPENEBS_CHART.eventsCommand;
  plan.steps.push(wait(ref.localProvisioner, `kubectl -n ${OPENEBS_NAMESPACE} describe deployment openebs-localpv-provisioner; ${events}`));
  plan.steps.push({ kind: 'verify', title: `Check class ${HOSTPATH_CLASS}`, expect: [{ type: 'exists', ref: ref.storageClass(HOSTPATH_CLASS), fields: { provisioner: HOSTPATH_PROVISIONER } }] });
  if (mayastor) {
    const hint = `kubectl -n ${OPENEBS_NAMESPACE} describe daemonset openebs-io-engine: every labelled node needs 1024 x 2 MiB HugePages seen by the kubelet (k8s-storage nodes prepare --for openebs-mayastor, then restart it), nvme_tcp and SSE4.2; pods stuck in Init with "nc: bad address" is Calico's checksum-offload bug (rerun this command)`;
    plan.steps.push(wait(ref.agentCore, hint), wait(ref.csiController, hint), wait(ref.ioEngine, hint), wait(ref.csiNode, hint));
    plan.steps.push({ kind: 'verify', title: `Check class ${MAYASTOR_CLASS}`, expect: [{ type: 'exists', ref: ref.storageClass(MAYASTOR_CLASS), fields: { provisioner: MAYASTOR_PROVISIONER } }] });
    const newPools = opts.disks.filter((d) => !facts.diskPools.includes(poolName(d.node)));
    if (newPools.length) plan.steps.push({ kind: 'apply', title: `Create DiskPools ${newPools.map((d) => `${poolName(d.node)} (${d.node}: ${d.device})`).join(', ')}`, objects: newPools.map((d) => diskPool(d.node, d.device)) });
    for (const d of opts.disks) {
      plan.steps.push({
        kind: 'wait',
        title: `Wait for DiskPool ${poolName(d.node)} to be Online`,
        until: { type: 'exists', ref: ref.diskPool(poolName(d.node)), fields: { status: { pool_status: 'Online' } }, explain: 'status.cr_state' },
        timeoutMs: opts.timeoutMs,
        hint: `kubectl -n ${OPENEBS_NAMESPACE} describe diskpool ${poolName(d.node)}: the disk must be unpartitioned and unformatted, 10 GB or more`,
      });
    }
    if (opts.disks.length) {
      plan.steps.push(...probeClaimSteps({ className: MAYASTOR_CLASS, namespace: 'default', accessMode: 'ReadWriteOnce', waitForFirstConsumer: false, timeoutMs: opts.timeoutMs, hint: `kubectl -n default describe pvc k8s-storage-probe-${MAYASTOR_CLASS}; kubectl -n ${OPENEBS_NAMESPACE} logs deploy/openebs-csi-controller` }));
    } else {
      plan.notes.push(`No --disk: Mayastor has no DiskPool, so class ${MAYASTOR_CLASS} cannot provision yet; rerun with --disk NODE=/dev/disk/by-id/ID (one per node).`);
    }
  }
  plan.steps.push(...probeClaimSteps({ className: HOSTPATH_CLASS, namespace: 'default', accessMode: 'ReadWriteOnce', waitForFirstConsumer: true, timeoutMs: opts.timeoutMs, hint: `kubectl -n default describe pvc k8s-storage-probe-${HOSTPATH_CLASS}; kubectl -n ${OPENEBS_NAMESPACE} logs deploy/openebs-localpv-provisioner` }));
  return plan;
}

export function planOpenebsUninstall(facts: OpenebsUninstallFacts, opts: OpenebsUninstallOptions): Plan {
  const plan = emptyPlan(`uninstall OpenEBS (release ${OPENEBS_RELEASE} and namespace ${OPENEBS_NAMESPACE})`);
  if (!facts.release && !facts.namespaceExists) {
    plan.notes.push(`OpenEBS is not installed: no Helm release ${OPENEBS_RELEASE}, no namespace ${OPENEBS_NAMESPACE}.`);
    return plan;
  }
  if (facts.claims.length || facts.volumes.length) {
    const parts = [facts.claims.length ? `claims ${facts.claims.join(', ')}` : '', facts.volumes.length ? `volumes ${facts.volumes.join(', ')}` : ''].filter(Boolean);
    throw new ClusterError(`refusing to uninstall OpenEBS while ${parts.join(' and ')} of its classes exist.`, { hint: 'back up or move that data and delete the claims first, then rerun' });
  }
  const busy = facts.diskPools.filter((p) => p.inUse).map((p) => p.name);
  if (busy.length) throw new ClusterError(`refusing to uninstall OpenEBS: DiskPools ${busy.join(', ')} still hold volume replicas.`, { hint: `kubectl -n ${OPENEBS_NAMESPACE} get diskpools; delete the volumes first` });
  const free = facts.diskPools.map((p) => p.name);
  if (free.length) {
    plan.steps.push({ kind: 'delete', title: `Delete the unused DiskPools ${free.join(', ')}`, refs: free.map(ref.diskPool) });
    for (const p of free) plan.steps.push({ kind: 'wait', title: `Wait for DiskPool ${p} to be gone`, until: { type: 'absent', ref: ref.diskPool(p) }, timeoutMs: opts.timeoutMs });
  }
  if (facts.release) plan.steps.push(helmUninstallStep(OPENEBS_CHART, facts.helm, { timeout: opts.timeout, timeoutMs: opts.timeoutMs }));
  plan.steps.push({ kind: 'delete', title: `Delete the namespace ${OPENEBS_NAMESPACE}`, refs: [ref.namespace] });
  plan.steps.push({ kind: 'wait', title: `Wait for the namespace ${OPENEBS_NAMESPACE} to be gone`, until: { type: 'absent', ref: ref.namespace }, timeoutMs: opts.timeoutMs });
  plan.notes.push('Node labels openebs.io/engine and the host directory of LocalPV hostpath (/var/openebs/local) are left as they are.');
  return plan;
}
