/**
 * NFS on the cluster, as pure planners: the csi-driver-nfs path (a client of an existing NFS
 * server: Helm release, StorageClass from the `nfs` preset, a probe claim that must bind) and
 * the MicroK8s community addon path (an NFS server inside the cluster, on one node), and their
 * uninstalls with the data guard. The runtime (runtime.ts) gathers the facts.
 */
import type { HelmRelease, HelmTool } from '../../cluster/helm.js';
import type { ObjectRef } from '../../cluster/kube.js';
import { MICROK8S, microk8sCommands } from '../../cluster/microk8s.js';
import type { ToolCommand } from '../../cluster/runner.js';
import { ClusterError, UsageError } from '../../errors.js';
import { buildStorageClass } from '../../manifests/storageclass.js';
import { defaultClassExpectations, defaultClassSteps } from '../../plan/default-class.js';
import { isDefaultClass } from '../../plan/expectations.js';
import { emptyPlan, type EventExplanation, type ObjectExpectation as Expectation, type Plan, type Step } from '../../plan/types.js';
import type { KubeObject, StorageClassObject } from '../../presets/types.js';
import type { Obj } from '../types.js';
import { NFS_CHART, NFS_CSI_PROVISIONER, NFS_SERVER_PROVISIONER, nfsChartValues } from './chart.js';
import { nfsHelmSteps, nfsHelmUninstallStep, type NfsHelmRequest } from './helm.js';

const ns = NFS_CHART.namespace;
export const NFS_CONTROLLER: ObjectRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'csi-nfs-controller', namespace: ns };
export const NFS_NODE: ObjectRef = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'csi-nfs-node', namespace: ns };
export const NFS_CSI_DRIVER: ObjectRef = { apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', name: NFS_CSI_PROVISIONER };
/** The community addon's server, its namespace and its hand-made data volume on one node. */
export const ADDON = {
  name: 'nfs',
  namespace: 'nfs-server-provisioner',
  statefulSet: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'nfs-server-provisioner', namespace: 'nfs-server-provisioner' } as ObjectRef,
  className: 'nfs',
  dataPv: 'data-nfs-server-provisioner-0',
  hostPath: '/var/snap/microk8s/common/nfs-storage',
} as const;
/**
 * `microk8s enable nfs -n NODE`: the addon reads a short `-n` with getopts; `--n`, `--node` or
 * any other flag prints its usage and exits 0 having done nothing.
 */
export const enableAddonCommand = (node: string | undefined): ToolCommand => ({ file: MICROK8S, args: ['enable', 'nfs', ...(node ? ['-n', node] : [])] });
export const PROBE_NAMESPACE = 'kube-system';
export const probeClaimName = (className: string) => `k8s-storage-probe-${className}`.slice(0, 63).replace(/-+$/, '');
const classRef = (name: string): ObjectRef => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name });

// ---------------------------------------------------------------------------------------------
// Options and facts

export interface NfsCsiInstallOptions extends NfsHelmRequest {
  mode: 'csi';
  server: string;
  share: string;
  name: string;
  subDir?: string;
  mountOptions?: string;
  onDelete?: 'delete' | 'retain' | 'archive';
  reclaimPolicy?: 'Delete' | 'Retain';
  defaultClass?: boolean;
  verify: boolean;
}

export interface NfsInClusterInstallOptions {
  mode: 'in-cluster';
  node?: string;
  /** Gathering runs `nodes check --for nfs` first, unless this (or a dry run). */
  skipPreflight?: boolean;
  dryRun?: boolean;
  defaultClass?: boolean;
  timeoutMs: number;
  verify: boolean;
}

export type NfsInstallOptions = NfsCsiInstallOptions | NfsInClusterInstallOptions;

export interface NodeAddress {
  name: string;
  addresses: string[];
}

export interface NfsCsiInstallFacts {
  mode: 'csi';
  microk8s: boolean;
  nodes: NodeAddress[];
  classes: KubeObject[];
  helm: HelmTool;
  release?: HelmRelease;
  /** Whether --chart names an existing local directory or .tgz. */
  localChart: boolean;
}

export interface NfsInClusterInstallFacts {
  mode: 'in-cluster';
  nodes: NodeAddress[];
  classes: KubeObject[];
  communityEnabled: boolean;
  addonEnabled: boolean;
  statefulSet?: Obj;
}

export type NfsInstallFacts = NfsCsiInstallFacts | NfsInClusterInstallFacts;

// ---------------------------------------------------------------------------------------------
// The probe claim and why it would not bind

/** Likely fixes, picked by the text of the provisioner's ProvisioningFailed event. */
export function provisioningFixes(o: { server: string; share: string; nodes: NodeAddress[] }): EventExplanation['fixes'] {
  const ips = o.nodes.flatMap((n) => n.addresses);
  const clients = ips.length ? `the node IPs (${ips.join(', ')})` : 'the node IPs';
  const exportsFix = `on ${o.server}, /etc/exports must export ${o.share} to ${clients}, not the pod network: csi-driver-nfs uses the host network. For example "${o.share} <node-subnet>(rw,sync,no_subtree_check,no_root_squash)", then sudo exportfs -ra; showmount -e ${o.server} from a node lists the exports`;
  const rootSquash = `export ${o.share} with no_root_squash (the driver creates and chowns each volume's directory as root), then sudo exportfs -ra on ${o.server}`;
  const path = `${o.share} is not exported by ${o.server} (or the path is wrong): showmount -e ${o.server} lists the exported paths; --share must be one of them (or below one)`;
  const reach = `${o.server} is not reachable from the nodes on NFS (port 2049): check the address, the firewall, and that the NFS server runs (sudo systemctl status nfs-kernel-server)`;
  return [
    { match: 'access denied', fix: exportsFix },
    { match: 'permission denied', fix: rootSquash },
    { match: 'operation not permitted', fix: rootSquash },
    { match: 'no such file or directory', fix: path },
    { match: 'rpc.statd is not running', fix: 'NFSv3 locking needs rpc.statd, which the driver image lacks: use --mount-options nfsvers=4.1 (or add nolock for v3)' },
    { match: 'timed out', fix: reach },
    { match: 'connection refused', fix: reach },
    { match: 'no route to host', fix: reach },
  ];
}

/** What to check when the probe claim does not bind, whatever the event says. */
export function probeHint(className: string, o: { server: string; share: string; nodes: NodeAddress[] }): string {
  const fixes = provisioningFixes(o);
  return `kubectl -n ${PROBE_NAMESPACE} describe pvc ${probeClaimName(className)} (rerunning the install retries and then removes it). Likely: ${fixes[0]!.fix}; ${fixes[1]!.fix}; and the share path must be exported as given`;
}

function probeClaim(className: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: probeClaimName(className), namespace: PROBE_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'k8s-storage', 'k8s-storage/probe': className } },
    spec: { accessModes: ['ReadWriteMany'], storageClassName: className, resources: { requests: { storage: '1Mi' } } },
  };
}

/** Apply a claim of the class, wait for it to bind (quoting the provisioner when it does not), delete it. */
function probeSteps(className: string, timeoutMs: number, explain: { hint: string; fixes: EventExplanation['fixes'] }): Step[] {
  const claim = probeClaim(className);
  const ref: ObjectRef = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: claim.metadata.name, namespace: PROBE_NAMESPACE };
  return [
    { kind: 'apply', title: `Create probe claim ${PROBE_NAMESPACE}/${ref.name} of class ${className}`, objects: [claim] },
    { kind: 'wait', title: `Wait for the probe claim to bind (proves ${className} can provision)`, until: { type: 'pvc-bound', ref }, timeoutMs, hint: explain.hint, explainWithEvents: { ref, fixes: explain.fixes } },
    { kind: 'delete', title: `Delete the probe claim ${ref.name}`, refs: [ref] },
  ];
}

// ---------------------------------------------------------------------------------------------
// Default class

/** Like Longhorn: without a flag, the new class is the default only when no other class is one. */
function decideDefault(name: string, flag: boolean | undefined, classes: KubeObject[]): { makeDefault: boolean; note?: string } {
  if (flag !== undefined) return { makeDefault: flag };
  const existing = classes.find((c) => c.metadata.name === name);
  if (existing) return { makeDefault: isDefaultClass(existing) };
  const others = classes.filter(isDefaultClass).map((c) => c.metadata.name);
  if (others.length === 0) return { makeDefault: true };
  return { makeDefault: false, note: `Keeping ${others.join(', ')} as the default StorageClass; pass --default-class to make ${name} the default instead.` };
}

function defaultSteps(name: string, makeDefault: boolean, flag: boolean | undefined, classes: KubeObject[], after: KubeObject): { steps: Step[]; expect: Expectation[] } {
  const classesAfter = [...classes.filter((c) => c.metadata.name !== name), after];
  if (makeDefault) return { steps: defaultClassSteps(name, { classes: classesAfter }), expect: defaultClassExpectations(name, classesAfter) };
  if (flag === false) return { steps: defaultClassSteps(undefined, { classes: [after] }), expect: [{ type: 'default-class', name, isDefault: false }] };
  return { steps: [], expect: [] };
}

// ---------------------------------------------------------------------------------------------
// Install: csi-driver-nfs

/** StorageClass fields that cannot change in place: a changed class is replaced (volumes keep theirs). */
function immutableDiffers(a: StorageClassObject, b: StorageClassObject): boolean {
  const pick = (c: StorageClassObject) => JSON.stringify([c.provisioner, c.parameters ?? {}, c.reclaimPolicy ?? 'Delete', c.volumeBindingMode ?? 'Immediate', c.mountOptions ?? []]);
  return pick(a) !== pick(b);
}

export function planNfsCsiInstall(facts: NfsCsiInstallFacts, opts: NfsCsiInstallOptions): Plan {
  const decision = decideDefault(opts.name, opts.defaultClass, facts.classes);
  const sc = buildStorageClass({
    preset: 'nfs',
    name: opts.name,
    server: opts.server,
    share: opts.share,
    ...(opts.subDir !== undefined ? { subDir: opts.subDir } : {}),
    ...(opts.mountOptions !== undefined ? { mountOptions: opts.mountOptions } : {}),
    ...(opts.onDelete !== undefined ? { onDelete: opts.onDelete } : {}),
    ...(opts.reclaimPolicy ? { reclaimPolicy: opts.reclaimPolicy } : {}),
    default: decision.makeDefault,
  });
  const existing = facts.classes.find((c) => c.metadata.name === opts.name) as StorageClassObject | undefined;
  if (existing && existing.provisioner !== NFS_CSI_PROVISIONER) {
    throw new UsageError(`StorageClass ${opts.name} already exists with provisioner ${existing.provisioner}, not ${NFS_CSI_PROVISIONER}`, {
      hint: existing.provisioner === NFS_SERVER_PROVISIONER ? 'that is the in-cluster addon\'s class: give the new class another name, e.g. --name nfs-csi' : 'give the new class another name with --name',
    });
  }

  const helm = nfsHelmSteps({ helm: facts.helm, ...(facts.release ? { release: facts.release } : {}), values: nfsChartValues({ microk8s: facts.microk8s }), localChart: facts.localChart }, opts);
  const plan = emptyPlan(`install NFS (csi-driver-nfs ${helm.version ?? ''} and StorageClass ${opts.name} on ${opts.server}:${opts.share})`.replace('  ', ' '));
  if (decision.note) plan.notes.push(decision.note);
  plan.notes.push(...helm.notes);
  plan.steps.push(...helm.steps);
  plan.steps.push(
    { kind: 'wait', title: 'Wait for Deployment csi-nfs-controller', until: { type: 'ready', ref: NFS_CONTROLLER }, timeoutMs: opts.timeoutMs, hint: 'kubectl -n kube-system describe deployment csi-nfs-controller' },
    { kind: 'wait', title: 'Wait for DaemonSet csi-nfs-node', until: { type: 'ready', ref: NFS_NODE }, timeoutMs: opts.timeoutMs, hint: 'kubectl -n kube-system describe daemonset csi-nfs-node' },
  );

  const { metadata: _m, ...wanted } = sc;
  if (existing && immutableDiffers(existing, sc)) {
    plan.steps.push({ kind: 'delete', title: `Remove StorageClass ${opts.name} to change its parameters (existing volumes keep theirs)`, refs: [classRef(opts.name)] });
  }
  plan.steps.push({ kind: 'apply', title: `Apply StorageClass ${opts.name} (${opts.server}:${opts.share})`, objects: [sc] });
  const defaults = defaultSteps(opts.name, decision.makeDefault, opts.defaultClass, facts.classes, sc);
  plan.steps.push(...defaults.steps);
  plan.steps.push({ kind: 'verify', title: `Check StorageClass ${opts.name}`, expect: [{ type: 'exists', ref: classRef(opts.name), fields: { provisioner: wanted.provisioner, parameters: wanted.parameters } }, ...defaults.expect] });
  if (opts.verify) {
    const fixes = provisioningFixes({ server: opts.server, share: opts.share, nodes: facts.nodes });
    plan.steps.push(...probeSteps(opts.name, opts.timeoutMs, { hint: probeHint(opts.name, { server: opts.server, share: opts.share, nodes: facts.nodes }), fixes }));
    if ((opts.reclaimPolicy ?? 'Delete') === 'Retain' || (opts.onDelete ?? 'delete') !== 'delete') {
      plan.notes.push(`The probe claim's volume is kept (reclaim policy ${opts.reclaimPolicy ?? 'Delete'}, onDelete ${opts.onDelete ?? 'delete'}): its empty directory stays on ${opts.server}:${opts.share}.`);
    }
  } else plan.notes.push('--no-verify: no probe claim; the class is not proven to provision.');
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Install: the MicroK8s community addon

export const IN_CLUSTER_WARNINGS = [
  `the in-cluster NFS server keeps every volume on one node's disk (${ADDON.hostPath}): if that node is lost, so are the volumes, and claim sizes are not enforced (the server uses the whole disk). For data that matters, use an external NFS server (install nfs --server HOST --share /export) or Longhorn`,
];

export function planNfsInClusterInstall(facts: NfsInClusterInstallFacts, opts: NfsInClusterInstallOptions): Plan {
  const plan = emptyPlan(`install the MicroK8s community nfs addon (an NFS server on ${opts.node ? `node ${opts.node}` : 'one node'})`);
  plan.warnings.push(...IN_CLUSTER_WARNINGS);
  if (opts.node !== undefined && !facts.nodes.some((n) => n.name === opts.node)) {
    throw new UsageError(`--node ${opts.node}: no such node; the cluster has ${facts.nodes.map((n) => n.name).join(', ') || 'no nodes'}`);
  }
  const existing = facts.classes.find((c) => c.metadata.name === ADDON.className) as StorageClassObject | undefined;
  if (existing && existing.provisioner !== NFS_SERVER_PROVISIONER) {
    throw new UsageError(`StorageClass ${ADDON.className} already exists with provisioner ${existing.provisioner}: the addon would fail to create its own class ${ADDON.className}`, {
      hint: `rename or remove that class first (a csi-driver-nfs class can be made with install nfs --name OTHER ...)`,
    });
  }
  const pinned = facts.statefulSet?.spec?.template?.spec?.nodeSelector?.['kubernetes.io/hostname'] as string | undefined;
  if (!facts.communityEnabled) {
    plan.steps.push({ kind: 'run', title: 'Enable the MicroK8s community addon repository', command: microk8sCommands.enable('community'), timeoutMs: 300_000 });
  }
  const classFields = { provisioner: NFS_SERVER_PROVISIONER };
  if (facts.addonEnabled) {
    plan.notes.push(`The community nfs addon is already enabled${pinned ? ` (server on node ${pinned})` : ''}.`);
    if (opts.node !== undefined && pinned !== opts.node) {
      plan.warnings.push(`the addon's server runs ${pinned ? `on node ${pinned}` : 'on a node the scheduler chose'}, not on ${opts.node}: the addon cannot move it; to move it, delete its volumes, uninstall nfs --in-cluster, and install again with --node ${opts.node}`);
    }
  } else {
    const fields: Record<string, unknown> = opts.node ? { spec: { template: { spec: { nodeSelector: { 'kubernetes.io/hostname': opts.node } } } } } : {};
    plan.steps.push({
      kind: 'run',
      title: `Enable the community nfs addon${opts.node ? ` on node ${opts.node}` : ''}`,
      command: enableAddonCommand(opts.node),
      // The addon prints its usage and exits 0 on a bad flag: what it made is the proof.
      verify: [{ type: 'exists', ref: ADDON.statefulSet, fields }, { type: 'exists', ref: classRef(ADDON.className), fields: classFields }],
      timeoutMs: 600_000,
    });
  }
  plan.steps.push({ kind: 'wait', title: 'Wait for StatefulSet nfs-server-provisioner', until: { type: 'ready', ref: ADDON.statefulSet }, timeoutMs: opts.timeoutMs, hint: 'kubectl -n nfs-server-provisioner describe statefulset nfs-server-provisioner' });
  const after: KubeObject = existing ?? { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: ADDON.className, annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } } };
  const decision = decideDefault(ADDON.className, opts.defaultClass, facts.classes.length ? facts.classes : []);
  // The addon's class is never the default by itself; only a flag makes it one.
  const makeDefault = opts.defaultClass === true || (existing !== undefined && decision.makeDefault && opts.defaultClass !== false);
  const defaults = defaultSteps(ADDON.className, makeDefault, opts.defaultClass, facts.classes, after);
  plan.steps.push(...defaults.steps);
  if (defaults.expect.length) plan.steps.push({ kind: 'verify', title: 'Check the default StorageClass', expect: defaults.expect });
  if (opts.verify) {
    plan.steps.push(
      ...probeSteps(ADDON.className, opts.timeoutMs, {
        hint: `kubectl -n ${PROBE_NAMESPACE} describe pvc ${probeClaimName(ADDON.className)}; kubectl -n ${ADDON.namespace} logs statefulset/nfs-server-provisioner`,
        fixes: [],
      }),
    );
  } else plan.notes.push('--no-verify: no probe claim; the class is not proven to provision.');
  plan.notes.push('Pods mount these volumes with the kernel NFS client: every node needs nfs-common (k8s-storage nodes prepare --for nfs).');
  return plan;
}

export function planNfsInstall(facts: NfsInstallFacts, opts: NfsInstallOptions): Plan {
  if (opts.mode === 'csi' && facts.mode === 'csi') return planNfsCsiInstall(facts, opts);
  if (opts.mode === 'in-cluster' && facts.mode === 'in-cluster') return planNfsInClusterInstall(facts, opts);
  throw new Error('nfs: facts gathered for another install mode');
}

// ---------------------------------------------------------------------------------------------
// Uninstall

export interface NfsUninstallOptions {
  mode: 'csi' | 'in-cluster';
  /** Only this class (csi): the driver stays for the others. */
  name?: string;
  force: boolean;
  yes: boolean;
  timeout: string;
  timeoutMs: number;
}

export interface NfsUninstallFacts {
  classes: KubeObject[];
  volumes: Obj[];
  /** csi: the driver's release, when Helm has it. */
  helm?: HelmTool;
  release?: HelmRelease;
  driverObjects: boolean;
  /** in-cluster */
  addonEnabled?: boolean;
  addonNode?: string;
}

/** `namespace/name (pv)` of the volumes of these classes. */
function volumesOf(facts: NfsUninstallFacts, classes: string[]): string[] {
  return facts.volumes
    .filter((v) => classes.includes(v.spec?.storageClassName))
    .map((v) => `${v.metadata.name}${v.spec?.claimRef ? ` (claim ${v.spec.claimRef.namespace}/${v.spec.claimRef.name})` : ''} of class ${v.spec.storageClassName}`);
}

export function planNfsUninstall(facts: NfsUninstallFacts, opts: NfsUninstallOptions): Plan {
  if (opts.mode === 'in-cluster') return planInClusterUninstall(facts);
  const csiClasses = facts.classes.filter((c) => (c as StorageClassObject).provisioner === NFS_CSI_PROVISIONER).map((c) => c.metadata.name);
  if (opts.name !== undefined && !csiClasses.includes(opts.name)) {
    throw new UsageError(`--name ${opts.name}: no StorageClass of ${NFS_CSI_PROVISIONER} has that name; they are: ${csiClasses.join(', ') || '(none)'}`);
  }
  const classes = opts.name !== undefined ? [opts.name] : csiClasses;
  const plan = emptyPlan(opts.name !== undefined ? `remove the NFS StorageClass ${opts.name}` : 'uninstall NFS (csi-driver-nfs and its StorageClasses)');
  const held = volumesOf(facts, classes);
  if (held.length && !opts.force) {
    throw new ClusterError(`refusing to uninstall: ${held.length} volume(s) use ${classes.join(', ')}:\n${held.map((h) => `  - ${h}`).join('\n')}\nTheir data is on the NFS server and stays there either way.`, {
      hint: 'delete those claims first, or pass --force to remove the driver anyway (their pods then cannot mount them again until NFS is reinstalled)',
      reason: 'conflict',
    });
  }
  if (held.length) plan.warnings.push(`--force: ${held.length} volume(s) of ${classes.join(', ')} stay, with their data on the NFS server, but cannot be mounted again until the driver is back: ${held.join('; ')}`);
  if (classes.length) plan.steps.push({ kind: 'delete', title: `Delete StorageClass${classes.length > 1 ? 'es' : ''} ${classes.join(', ')}`, refs: classes.map(classRef) });
  const removeDriver = opts.name === undefined || csiClasses.length === 1;
  if (removeDriver && (facts.release || facts.driverObjects)) {
    if (facts.release && facts.helm) {
      plan.steps.push(nfsHelmUninstallStep(facts.helm, opts.timeout, opts.timeoutMs), {
        kind: 'verify',
        title: 'Check that the driver is gone',
        expect: [{ type: 'absent', ref: NFS_CONTROLLER }, { type: 'absent', ref: NFS_NODE }, { type: 'absent', ref: NFS_CSI_DRIVER }],
      });
    } else plan.warnings.push(`csi-driver-nfs objects exist but no Helm release ${NFS_CHART.release} in ${ns} manages them: left in place`);
  } else if (opts.name !== undefined) plan.notes.push(`The driver stays for the other NFS classes: ${csiClasses.filter((c) => c !== opts.name).join(', ')}.`);
  if (!plan.steps.length) plan.notes.push('NFS (csi-driver-nfs) is not installed: nothing to do.');
  plan.notes.push('Nothing on the NFS server is touched: the volumes\' directories stay there.');
  return plan;
}

function planInClusterUninstall(facts: NfsUninstallFacts): Plan {
  const plan = emptyPlan('uninstall the MicroK8s community nfs addon');
  if (!facts.addonEnabled) {
    plan.notes.push('The community nfs addon is not enabled: nothing to do.');
    return plan;
  }
  // The addon's own guard (a substring test on storageClassName=nfs) refuses these, even with --force.
  const held = facts.volumes.filter((v) => String(v.spec?.storageClassName ?? '').includes('nfs')).map((v) => `${v.metadata.name}${v.spec?.claimRef ? ` (claim ${v.spec.claimRef.namespace}/${v.spec.claimRef.name})` : ''} of class ${v.spec.storageClassName}`);
  if (held.length) {
    throw new ClusterError(`refusing to uninstall: ${held.length} volume(s) use the in-cluster NFS server (the addon refuses too, even with --force):\n${held.map((h) => `  - ${h}`).join('\n')}`, {
      hint: 'delete those claims first (their data then goes with them), then rerun uninstall nfs --in-cluster',
      reason: 'conflict',
    });
  }
  plan.steps.push({
    kind: 'run',
    title: 'Disable the community nfs addon',
    command: microk8sCommands.disable('nfs'),
    verify: [{ type: 'absent', ref: ADDON.statefulSet }, { type: 'absent', ref: classRef(ADDON.className) }],
    timeoutMs: 600_000,
  });
  plan.notes.push(`The server's directory ${ADDON.hostPath}${facts.addonNode ? ` on node ${facts.addonNode}` : ''} is left in place, with whatever it holds: remove it by hand when you are sure.`);
  return plan;
}

