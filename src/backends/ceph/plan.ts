/**
 * `install ceph` and `uninstall ceph` as plans: pure functions of the gathered facts and the
 * typed options. Every step is checked against the state it should produce, because
 * `microk8s enable rook-ceph` and `connect-external-ceph` exit 0 after Helm failed.
 */
import type { ObjectRef } from '../../cluster/kube.js';
import type { ToolCommand } from '../../cluster/runner.js';
import { ClusterError, UsageError } from '../../errors.js';
import { emptyPlan, type Plan, type Step } from '../../plan/types.js';
import type { Obj } from '../types.js';
import { probeClaimSteps } from '../probe-claim.js';
import {
  ADDON,
  CEPHFS_CLASS,
  CEPHFS_PROVISIONER,
  CLEANUP_CONFIRMATION,
  CLUSTER_NAME,
  EXTERNAL_CLUSTER_NAME,
  EXTERNAL_NAMESPACE,
  MICROK8S_KUBELET_DIR,
  PROBE_NAMESPACE,
  RBD_CLASS,
  RBD_PROVISIONER,
  ref,
  ROOK_NAMESPACE,
  ROOK_REPO,
} from './constants.js';
import { microcephAdvice } from './microceph.js';
import type { CephInstallOptions, CephUninstallOptions } from './options.js';
import { rookVersionProblems } from './options.js';
import { inClusterObjects } from './resources.js';

export const CEPH_PROVISIONERS = [RBD_PROVISIONER, CEPHFS_PROVISIONER] as const;

export interface CephInstallFacts {
  addonEnabled: boolean;
  /** The operator Deployment's Rook version (its image tag), when it exists. */
  operatorVersion?: string;
  operatorExists: boolean;
  externalCluster?: Obj;
  cluster?: Obj;
  classes: Obj[];
  nodes: string[];
  /** MicroCeph's ceph.conf exists on this machine (where connect-external-ceph looks by default). */
  microcephFound: boolean;
  /** Root already: microk8s needs no sudo for connect-external-ceph. */
  root: boolean;
  /** Ceph image for an in-cluster CephCluster. */
  cephImage: string;
}

export interface CephUninstallFacts {
  addonEnabled: boolean;
  operatorExists: boolean;
  externalCluster?: Obj;
  cluster?: Obj;
  /** Classes whose provisioner is Ceph's. */
  classes: string[];
  /** Claims (namespace/name) and volumes of those classes. */
  claims: string[];
  volumes: string[];
  /** Names of the pools, filesystems and object stores in rook-ceph. */
  pools: string[];
  filesystems: string[];
  objectStores: string[];
  nodes: string[];
  root: boolean;
}

const microk8s = (root: boolean, ...args: string[]): ToolCommand => (root ? { file: 'microk8s', args } : { file: 'sudo', args: ['microk8s', ...args] });
const classRef = ref.storageClass;

const OPERATOR_HINT = 'kubectl -n rook-ceph describe deployment rook-ceph-operator; microk8s enable rook-ceph exits 0 when its Helm install failed (microk8s helm3 -n rook-ceph status rook-ceph)';
const CSI_HINT = 'the operator creates the CSI workloads once it runs: kubectl -n rook-ceph logs deploy/rook-ceph-operator';

/** Steps that leave a running rook-ceph operator whose CSI drivers know the MicroK8s kubelet dir. */
function operatorSteps(facts: CephInstallFacts, opts: CephInstallOptions): Step[] {
  const steps: Step[] = [];
  if (!facts.addonEnabled || !facts.operatorExists) {
    steps.push({
      kind: 'run',
      title: `Enable the MicroK8s rook-ceph addon (Rook operator ${opts.rookVersion}, csi.kubeletDirPath=${MICROK8S_KUBELET_DIR})`,
      command: { file: 'microk8s', args: ['enable', ADDON, '--rook-version', opts.rookVersion] },
      verify: [{ type: 'exists', ref: ref.operator }],
      timeoutMs: opts.timeoutMs + 120_000,
    });
  }
  steps.push(
    { kind: 'wait', title: 'Wait for Deployment rook-ceph-operator', until: { type: 'ready', ref: ref.operator }, timeoutMs: opts.timeoutMs, hint: OPERATOR_HINT },
    {
      kind: 'verify',
      title: 'Check that the CSI drivers are given the MicroK8s kubelet dir',
      expect: [{ type: 'exists', ref: ref.operatorConfig, fields: { data: { ROOK_CSI_KUBELET_DIR_PATH: MICROK8S_KUBELET_DIR } } }],
      hint: `without it every Ceph mount fails ("staging path ... does not exist on node"): microk8s disable rook-ceph, then k8s-storage install ceph (it enables Rook ${opts.rookVersion} with the kubelet dir)`,
    },
  );
  return steps;
}

function csiSteps(timeoutMs: number): Step[] {
  return [
    { kind: 'wait', title: 'Wait for DaemonSet csi-rbdplugin (created by the operator)', until: { type: 'ready', ref: ref.rbdPlugin }, timeoutMs, hint: CSI_HINT },
    { kind: 'wait', title: 'Wait for Deployment csi-rbdplugin-provisioner (created by the operator)', until: { type: 'ready', ref: ref.rbdProvisioner }, timeoutMs, hint: CSI_HINT },
  ];
}

const rbdProbe = (timeoutMs: number) =>
  probeClaimSteps({ className: RBD_CLASS, namespace: PROBE_NAMESPACE, accessMode: 'ReadWriteOnce', waitForFirstConsumer: false, timeoutMs, hint: `kubectl -n ${PROBE_NAMESPACE} describe pvc k8s-storage-probe-${RBD_CLASS} shows the provisioner's event; kubectl -n rook-ceph logs deploy/csi-rbdplugin-provisioner -c csi-provisioner` });

/** A rook-ceph operator installed with a Rook that cannot take the kubelet dir: nothing we add fixes it. */
function operatorVersionBlocker(facts: CephInstallFacts): ClusterError | undefined {
  if (!facts.operatorVersion || !rookVersionProblems(facts.operatorVersion).length) return undefined;
  return new ClusterError(`the rook-ceph addon is enabled with Rook ${facts.operatorVersion}, whose chart has no csi.kubeletDirPath: its CSI drivers miss the MicroK8s kubelet dir.`, {
    hint: 'microk8s disable rook-ceph, then k8s-storage install ceph (it enables a v1.18 Rook)',
  });
}

export function planCephInstall(facts: CephInstallFacts, opts: CephInstallOptions): Plan {
  const blocker = operatorVersionBlocker(facts);
  if (blocker) throw blocker;
  return opts.form === 'external' ? planExternal(facts, opts) : planInCluster(facts, opts);
}

function planExternal(facts: CephInstallFacts, opts: CephInstallOptions): Plan {
  const plan = emptyPlan('connect an external Ceph cluster (MicroCeph or another) through Rook');
  if (facts.cluster) plan.warnings.push(`An in-cluster CephCluster ${CLUSTER_NAME} exists in ${ROOK_NAMESPACE}; this connects an external Ceph next to it.`);
  const connected = facts.externalCluster !== undefined && facts.classes.some((c) => c.metadata.name === RBD_CLASS);
  if (!connected && !opts.cephConf && !facts.microcephFound) {
    throw new ClusterError(`no Ceph cluster to connect: MicroCeph's ${'/var/snap/microceph/current/conf/ceph.conf'} does not exist on this machine, and no --ceph-conf was given.\n${microcephAdvice()}`, {
      hint: 'bootstrap MicroCeph as above, then rerun k8s-storage install ceph; or pass --ceph-conf FILE --keyring FILE for another Ceph cluster; or k8s-storage install ceph --in-cluster on raw disks',
    });
  }
  plan.steps.push(...operatorSteps(facts, opts));
  if (connected) {
    plan.notes.push(`The external Ceph cluster is already connected (CephCluster ${EXTERNAL_CLUSTER_NAME} in ${EXTERNAL_NAMESPACE}, class ${RBD_CLASS}): connect-external-ceph is not run again (it is not idempotent).`);
  } else {
    // connect-external-ceph runs Helm as root: a rook-release repository added by another user is invisible to it (microk8s#4314).
    // Best effort (okExitCodes): when it fails, connect fails too, and the verify below says so.
    plan.steps.push({ kind: 'run', title: `Add the Helm repository ${ROOK_REPO.name} for root (connect-external-ceph runs Helm with sudo)`, command: microk8s(facts.root, 'helm3', 'repo', 'add', ROOK_REPO.name, ROOK_REPO.url, '--force-update'), okExitCodes: [1], timeoutMs: 120_000 });
    const args = ['connect-external-ceph', ...(opts.cephConf ? ['--ceph-conf', opts.cephConf] : []), ...(opts.keyring ? ['--keyring', opts.keyring] : []), ...(opts.rbdPool ? ['--rbd-pool', opts.rbdPool] : [])];
    plan.steps.push(
      { kind: 'run', title: `Connect the external Ceph cluster (${facts.root ? '' : 'sudo '}microk8s connect-external-ceph)`, command: microk8s(facts.root, ...args), timeoutMs: opts.timeoutMs + 120_000 },
      {
        kind: 'verify',
        title: 'Check what connect-external-ceph made',
        expect: [{ type: 'exists', ref: ref.externalCluster }, { type: 'exists', ref: classRef(RBD_CLASS), fields: { provisioner: RBD_PROVISIONER } }],
        hint: `connect-external-ceph prints success even when its Helm install failed: sudo microk8s helm3 -n ${EXTERNAL_NAMESPACE} status rook-ceph-external shows the release; a keyring without client.admin caps fails with rados.PermissionError`,
      },
    );
  }
  plan.steps.push({
    kind: 'wait',
    title: `Wait for CephCluster ${EXTERNAL_CLUSTER_NAME} to be Connected`,
    until: { type: 'exists', ref: ref.externalCluster, fields: { status: { phase: 'Connected' } }, explain: 'status.message' },
    timeoutMs: opts.timeoutMs,
    hint: `kubectl -n ${EXTERNAL_NAMESPACE} describe cephcluster ${EXTERNAL_CLUSTER_NAME}; the Ceph monitors must be reachable from every node (sudo microceph status)`,
  });
  plan.steps.push(...csiSteps(opts.timeoutMs), ...rbdProbe(opts.timeoutMs));
  plan.notes.push(`Class ${CEPHFS_CLASS} appears only when the Ceph cluster has exactly one CephFS filesystem (ceph fs new cephfs cephfs_metadata cephfs_data, then rerun after uninstall ceph).`);
  return plan;
}

function planInCluster(facts: CephInstallFacts, opts: CephInstallOptions): Plan {
  const plan = emptyPlan(`Rook's own Ceph cluster on the nodes' raw disks${opts.test ? " (cluster-test.yaml settings: 1 mon, 1 mgr, pools of size 1; tests only)" : ''}`);
  if (opts.test) plan.warnings.push('--test-cluster: one mon and pools of size 1 keep no copy of the data if a disk or node fails; never use it for data you need.');
  if (facts.externalCluster) plan.warnings.push(`An external Ceph is connected (CephCluster ${EXTERNAL_CLUSTER_NAME}); class ${RBD_CLASS} is replaced by the in-cluster one.`);
  plan.steps.push(...operatorSteps(facts, opts));
  const objects = inClusterObjects({ test: opts.test, cephfs: opts.cephfs, objectStore: opts.objectStore, cephImage: facts.cephImage });
  plan.steps.push({ kind: 'apply', title: `Apply CephCluster ${CLUSTER_NAME}, CephBlockPool replicapool and class ${RBD_CLASS}${opts.cephfs ? `, CephFilesystem and class ${CEPHFS_CLASS}` : ''}${opts.objectStore ? ', CephObjectStore' : ''}`, objects });
  const health = 'kubectl -n rook-ceph get cephcluster rook-ceph -o jsonpath={.status.ceph.details} names the health checks; kubectl -n rook-ceph logs deploy/rook-ceph-operator';
  plan.steps.push({
    kind: 'wait',
    title: `Wait for Ceph to report HEALTH_OK (mons, mgr and ${facts.nodes.length > 1 ? 'OSDs on every node' : 'the OSDs'})`,
    until: { type: 'exists', ref: ref.cluster, fields: { status: { ceph: { health: 'HEALTH_OK' } } }, explain: 'status.ceph.details' },
    timeoutMs: opts.timeoutMs,
    hint: health,
  });
  plan.steps.push({ kind: 'wait', title: 'Wait for CephBlockPool replicapool to be Ready', until: { type: 'exists', ref: ref.pool('replicapool'), fields: { status: { phase: 'Ready' } } }, timeoutMs: opts.timeoutMs, hint: health });
  if (opts.cephfs) plan.steps.push({ kind: 'wait', title: 'Wait for CephFilesystem cephfs to be Ready', until: { type: 'exists', ref: ref.filesystem, fields: { status: { phase: 'Ready' } } }, timeoutMs: opts.timeoutMs, hint: health });
  if (opts.objectStore) plan.steps.push({ kind: 'wait', title: 'Wait for CephObjectStore objectstore to be Ready (S3 through RGW)', until: { type: 'exists', ref: ref.objectStore, fields: { status: { phase: 'Ready' } } }, timeoutMs: opts.timeoutMs, hint: health });
  plan.steps.push(...csiSteps(opts.timeoutMs), ...rbdProbe(opts.timeoutMs));
  if (opts.cephfs) {
    plan.steps.push(
      ...probeClaimSteps({ className: CEPHFS_CLASS, namespace: PROBE_NAMESPACE, accessMode: 'ReadWriteMany', waitForFirstConsumer: false, timeoutMs: opts.timeoutMs, hint: `kubectl -n ${PROBE_NAMESPACE} describe pvc k8s-storage-probe-${CEPHFS_CLASS}; kubectl -n rook-ceph logs deploy/csi-cephfsplugin-provisioner -c csi-provisioner` }),
    );
  }
  if (opts.objectStore) plan.notes.push('S3 endpoint: Service rook-ceph-rgw-objectstore in rook-ceph (port 80); make buckets with an ObjectBucketClaim or the radosgw-admin tool.');
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Uninstall

/** What uninstall would strand: claims and volumes of Ceph classes. Refused while any exist. */
export function cephDataBlocker(facts: Pick<CephUninstallFacts, 'claims' | 'volumes'>): ClusterError | undefined {
  if (!facts.claims.length && !facts.volumes.length) return undefined;
  const parts = [facts.claims.length ? `claims ${facts.claims.join(', ')}` : '', facts.volumes.length ? `volumes ${facts.volumes.join(', ')}` : ''].filter(Boolean);
  return new ClusterError(`refusing to uninstall Ceph while ${parts.join(' and ')} of its classes exist: their pods would hang on volumes nobody serves.`, {
    hint: 'back up or move that data, delete the claims (kubectl delete pvc -n NAMESPACE NAME), then rerun',
  });
}

export function planCephUninstall(facts: CephUninstallFacts, opts: CephUninstallOptions): Plan {
  const plan = emptyPlan(opts.form === 'external' ? 'disconnect the external Ceph cluster and remove the Rook operator' : `remove Rook's CephCluster ${CLUSTER_NAME}${opts.destroyData ? ' and destroy its data' : ' (its data stays on the nodes)'}`);
  const installed = facts.addonEnabled || facts.operatorExists || facts.externalCluster || facts.cluster || facts.classes.length;
  if (!installed) {
    plan.notes.push('Ceph is not installed: no rook-ceph addon, no CephCluster, no Ceph class.');
    return plan;
  }
  if (opts.form === 'external' && facts.cluster) {
    throw new UsageError(`an in-cluster CephCluster ${CLUSTER_NAME} exists in ${ROOK_NAMESPACE}: uninstall it with --in-cluster (add --destroy-data to wipe its disks)`);
  }
  if (opts.form === 'in-cluster' && !facts.cluster && facts.externalCluster) {
    throw new UsageError(`there is no in-cluster CephCluster, only the external one (${EXTERNAL_CLUSTER_NAME}): run uninstall ceph without --in-cluster`);
  }
  const blocker = cephDataBlocker(facts);
  if (blocker) throw blocker;
  const timeoutMs = opts.timeoutMs;
  if (facts.classes.length) plan.steps.push({ kind: 'delete', title: `Delete the Ceph StorageClasses ${facts.classes.join(', ')}`, refs: facts.classes.map(classRef) });

  if (opts.form === 'external') {
    if (facts.externalCluster) {
      plan.steps.push(
        {
          kind: 'run',
          title: `Remove the Helm release rook-ceph-external (the connection; the Ceph cluster itself is not touched)`,
          command: microk8s(facts.root, 'helm3', 'uninstall', 'rook-ceph-external', '-n', EXTERNAL_NAMESPACE, '--wait'),
          okExitCodes: [1],
          verify: [{ type: 'absent', ref: ref.externalCluster }],
          timeoutMs: timeoutMs + 60_000,
        },
      );
    }
    plan.steps.push({ kind: 'delete', title: `Delete the namespace ${EXTERNAL_NAMESPACE} (the imported Ceph secrets)`, refs: [ref.externalNamespace] });
    plan.steps.push({ kind: 'wait', title: `Wait for the namespace ${EXTERNAL_NAMESPACE} to be gone`, until: { type: 'absent', ref: ref.externalNamespace }, timeoutMs });
  } else {
    const cluster = facts.cluster!;
    const rook = (kind: string, name: string): ObjectRef => ({ apiVersion: 'ceph.rook.io/v1', kind, name, namespace: ROOK_NAMESPACE });
    if (opts.destroyData) {
      plan.warnings.push(`--destroy-data: Rook's cleanup jobs wipe /var/lib/rook and every OSD disk on ${facts.nodes.join(', ')}. This cannot be undone.`);
      if (cluster.spec?.cleanupPolicy?.confirmation !== CLEANUP_CONFIRMATION) {
        plan.steps.push({ kind: 'patch', title: `Set cleanupPolicy.confirmation: ${CLEANUP_CONFIRMATION} on CephCluster ${CLUSTER_NAME}`, ref: ref.cluster, patch: { spec: { cleanupPolicy: { confirmation: CLEANUP_CONFIRMATION } } } });
      }
      plan.steps.push({ kind: 'verify', title: 'Check the cleanup policy', expect: [{ type: 'exists', ref: ref.cluster, fields: { spec: { cleanupPolicy: { confirmation: CLEANUP_CONFIRMATION } } } }] });
    } else {
      plan.notes.push('The data stays: /var/lib/rook on every node and the OSD disks keep Ceph\'s data. To reuse a disk: sgdisk --zap-all /dev/DISK, then rm -rf /var/lib/rook (or uninstall with --destroy-data).');
    }
    const crs = [...facts.objectStores.map((n) => rook('CephObjectStore', n)), ...facts.filesystems.map((n) => rook('CephFilesystem', n)), ...facts.pools.map((n) => rook('CephBlockPool', n))];
    if (crs.length) {
      plan.steps.push({ kind: 'delete', title: `Delete ${crs.map((r) => `${r.kind} ${r.name}`).join(', ')}`, refs: crs });
      for (const r of crs) plan.steps.push({ kind: 'wait', title: `Wait for ${r.kind} ${r.name} to be gone`, until: { type: 'absent', ref: r }, timeoutMs, hint: `kubectl -n ${ROOK_NAMESPACE} describe ${r.kind.toLowerCase()} ${r.name}` });
    }
    plan.steps.push({ kind: 'delete', title: `Delete CephCluster ${CLUSTER_NAME}`, refs: [ref.cluster] });
    plan.steps.push({ kind: 'wait', title: `Wait for CephCluster ${CLUSTER_NAME} to be gone`, until: { type: 'absent', ref: ref.cluster }, timeoutMs, hint: `kubectl -n ${ROOK_NAMESPACE} describe cephcluster ${CLUSTER_NAME}; kubectl -n ${ROOK_NAMESPACE} logs deploy/rook-ceph-operator` });
    if (opts.destroyData) {
      for (const node of facts.nodes) {
        plan.steps.push({
          kind: 'wait',
          title: `Wait for Rook's cleanup job on ${node} (wipes /var/lib/rook and its OSD disks)`,
          until: { type: 'exists', ref: ref.cleanupJob(node), fields: { status: { succeeded: 1 } } },
          timeoutMs,
          hint: `kubectl -n ${ROOK_NAMESPACE} logs job/cluster-cleanup-job-${node}`,
        });
      }
    }
  }
  if (facts.addonEnabled || facts.operatorExists) {
    plan.steps.push({ kind: 'run', title: 'Disable the MicroK8s rook-ceph addon (the Rook operator)', command: { file: 'microk8s', args: ['disable', ADDON] }, verify: [{ type: 'absent', ref: ref.operator }], timeoutMs: timeoutMs + 60_000 });
  }
  return plan;
}
