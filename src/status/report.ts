/**
 * The storage picture of a cluster, computed from objects already read (pure, so tests
 * and `doctor` use the same logic): backends and their health, classes and the default,
 * claims and volumes by class and phase, volumes whose data goes with their claim, and
 * why Pending claims are pending.
 */
import type { ObjectRef } from '../cluster/kube.js';
import { isDefaultClass, workloadReadiness } from '../plan/expectations.js';
import { STORAGE_CLASS_PRESETS } from '../presets/storageclasses.js';
import type { KubeObject } from '../presets/types.js';
import { analyzeLonghorn, type LonghornObjects, type LonghornStatus } from './longhorn.js';

type Obj = KubeObject & { spec?: any; status?: any };

const dep = (namespace: string, name: string): ObjectRef => ({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name });
const ds = (namespace: string, name: string): ObjectRef => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', namespace, name });

/** The workloads that make each backend work, the first being the one it cannot do without. */
export const BACKEND_WORKLOADS: Record<string, ObjectRef[]> = {
  hostpath: [dep('kube-system', 'hostpath-provisioner')],
  longhorn: [ds('longhorn-system', 'longhorn-manager'), dep('longhorn-system', 'longhorn-driver-deployer'), dep('longhorn-system', 'csi-provisioner'), ds('longhorn-system', 'longhorn-csi-plugin')],
  nfs: [dep('kube-system', 'csi-nfs-controller'), ds('kube-system', 'csi-nfs-node')],
  'ceph-rbd': [dep('rook-ceph', 'rook-ceph-operator'), dep('rook-ceph', 'csi-rbdplugin-provisioner')],
  cephfs: [dep('rook-ceph', 'rook-ceph-operator'), dep('rook-ceph', 'csi-cephfsplugin-provisioner')],
  'openebs-hostpath': [dep('openebs', 'openebs-localpv-provisioner')],
};

export interface ClusterObjects {
  server: string;
  version: string;
  nodes: { name: string; ready: boolean; microk8s: boolean }[];
  classes: Obj[];
  claims: Obj[];
  volumes: Obj[];
  /** Workloads found, keyed "Kind/namespace/name"; absent ones are missing. */
  workloads: Map<string, Obj>;
  /** Longhorn's objects; absent when the cluster does not serve longhorn.io. */
  longhorn?: LonghornObjects;
}

export interface BackendStatus {
  name: string;
  provisioner: string;
  installed: boolean;
  healthy: boolean;
  classes: string[];
  workloads: { ref: string; ready: string }[];
  problem?: string;
}

export interface StatusReport {
  cluster: { server: string; version: string; nodes: number; readyNodes: number; microk8s: boolean };
  backends: BackendStatus[];
  storageClasses: { name: string; provisioner: string; default: boolean; reclaimPolicy: string; volumeBindingMode: string; allowVolumeExpansion: boolean }[];
  defaultClasses: string[];
  claims: { total: number; byClass: { storageClass: string; phase: string; count: number }[] };
  volumes: { total: number; byClass: { storageClass: string; phase: string; count: number }[] };
  /** PVs whose reclaim policy deletes the data when their claim is deleted. */
  volumesDeletedWithClaim: { name: string; claim: string; storageClass: string }[];
  pendingClaims: { namespace: string; name: string; storageClass: string; reason: string }[];
  /** Only when Longhorn is installed; its problems are in `warnings` too, prefixed "longhorn: ". */
  longhorn?: LonghornStatus;
  warnings: string[];
}

export const workloadKey = (r: ObjectRef) => `${r.kind}/${r.namespace}/${r.name}`;

function tally(items: Obj[], classOf: (o: Obj) => string): { storageClass: string; phase: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const o of items) {
    const k = `${classOf(o)}\u0000${o.status?.phase ?? 'Unknown'}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, count]) => {
    const [storageClass, phase] = k.split('\u0000') as [string, string];
    return { storageClass, phase, count };
  }).sort((a, b) => a.storageClass.localeCompare(b.storageClass) || a.phase.localeCompare(b.phase));
}

function backendStatus(name: string, provisioner: string, objs: ClusterObjects): BackendStatus | undefined {
  const classes = objs.classes.filter((c) => (c as any).provisioner === provisioner).map((c) => c.metadata.name);
  const refs = BACKEND_WORKLOADS[name] ?? [];
  const found = refs.map((r) => ({ ref: r, obj: objs.workloads.get(workloadKey(r)) }));
  const installed = found.some((f) => f.obj);
  if (!installed && classes.length === 0) return undefined;
  const workloads = found.filter((f) => f.obj).map((f) => {
    const verdict = workloadReadiness(f.obj as never);
    return { ref: `${f.ref.kind.toLowerCase()}/${f.ref.name} (${f.ref.namespace})`, ready: verdict === true ? 'ready' : verdict };
  });
  const primary = found[0];
  let problem: string | undefined;
  if (!installed) problem = `StorageClass ${classes.join(', ')} uses ${provisioner}, but its provisioner is not running: new claims will stay Pending`;
  else if (!primary?.obj) problem = `${primary?.ref.kind} ${primary?.ref.name} is missing`;
  else {
    const notReady = workloads.find((w) => w.ready !== 'ready');
    if (notReady) problem = `${notReady.ref}: ${notReady.ready}`;
  }
  return { name, provisioner, installed, healthy: installed && !problem, classes, workloads, ...(problem ? { problem } : {}) };
}

function pendingReason(claim: Obj, objs: ClusterObjects, defaults: string[], backends: BackendStatus[]): string {
  const className: string | undefined = claim.spec?.storageClassName ?? undefined;
  if (className === undefined) {
    if (defaults.length === 0) return 'it names no StorageClass and the cluster has no default class (k8s-storage default-class NAME)';
    if (defaults.length > 1) return `it names no StorageClass and the cluster has ${defaults.length} default classes`;
  }
  const effective = className ?? defaults[0];
  if (effective === '') return 'it asks for no dynamic provisioning (storageClassName ""): it needs a matching PV made by hand';
  const sc = objs.classes.find((c) => c.metadata.name === effective);
  if (!sc) return `StorageClass ${effective} does not exist`;
  const backend = backends.find((b) => b.provisioner === (sc as any).provisioner);
  if (backend && !backend.healthy) return `its provisioner ${backend.provisioner} is not healthy: ${backend.problem}`;
  if (sc.volumeBindingMode === 'WaitForFirstConsumer') return `normal until a pod uses it: ${effective} binds on first use (WaitForFirstConsumer)`;
  return `waiting for ${(sc as any).provisioner}; see kubectl -n ${claim.metadata.namespace} describe pvc ${claim.metadata.name}`;
}

export function buildStatusReport(objs: ClusterObjects): StatusReport {
  const defaults = objs.classes.filter(isDefaultClass).map((c) => c.metadata.name);
  const known = new Set<string>();
  const backends: BackendStatus[] = [];
  for (const preset of STORAGE_CLASS_PRESETS) {
    if (known.has(preset.provisioner)) continue;
    known.add(preset.provisioner);
    const b = backendStatus(preset.name, preset.provisioner, objs);
    if (b) backends.push(b);
  }
  // Classes of provisioners we do not know are still listed, with no health to report.
  const classOfClaim = (c: Obj) => c.spec?.storageClassName ?? (defaults[0] ? `${defaults[0]} (default)` : '(none)');
  const warnings: string[] = [];
  if (defaults.length === 0 && objs.classes.length > 0) warnings.push('no StorageClass is the default: claims without storageClassName stay Pending. Fix: k8s-storage default-class NAME');
  if (defaults.length > 1) warnings.push(`${defaults.length} StorageClasses are the default (${defaults.join(', ')}): claims without a class land on either. Fix: k8s-storage default-class NAME`);
  for (const b of backends) if (b.problem) warnings.push(`${b.name}: ${b.problem}`);
  const hostpathBound = objs.volumes.filter((v) => v.spec?.storageClassName && objs.classes.find((c) => c.metadata.name === v.spec.storageClassName && (c as any).provisioner === 'microk8s.io/hostpath'));
  if (objs.nodes.length > 1 && hostpathBound.length > 0) {
    warnings.push(`${hostpathBound.length} hostpath volume(s) on a ${objs.nodes.length}-node cluster: each lives on one node and is lost to pods moved elsewhere. Consider: k8s-storage install longhorn`);
  }

  const longhorn = objs.longhorn ? analyzeLonghorn(objs.longhorn, { classes: objs.classes }) : undefined;
  if (longhorn) warnings.push(...longhorn.warnings.map((w) => `longhorn: ${w}`));

  const pendingClaims = objs.claims
    .filter((c) => (c.status?.phase ?? 'Pending') === 'Pending')
    .map((c) => ({ namespace: c.metadata.namespace ?? '', name: c.metadata.name, storageClass: c.spec?.storageClassName ?? '', reason: pendingReason(c, objs, defaults, backends) }));

  return {
    cluster: { server: objs.server, version: objs.version, nodes: objs.nodes.length, readyNodes: objs.nodes.filter((n) => n.ready).length, microk8s: objs.nodes.some((n) => n.microk8s) },
    backends,
    storageClasses: objs.classes.map((c: any) => ({
      name: c.metadata.name,
      provisioner: c.provisioner,
      default: isDefaultClass(c),
      reclaimPolicy: c.reclaimPolicy ?? 'Delete',
      volumeBindingMode: c.volumeBindingMode ?? 'Immediate',
      allowVolumeExpansion: c.allowVolumeExpansion === true,
    })),
    defaultClasses: defaults,
    claims: { total: objs.claims.length, byClass: tally(objs.claims, classOfClaim) },
    volumes: { total: objs.volumes.length, byClass: tally(objs.volumes, (v) => v.spec?.storageClassName || '(none)') },
    volumesDeletedWithClaim: objs.volumes
      .filter((v) => (v.spec?.persistentVolumeReclaimPolicy ?? 'Delete') === 'Delete')
      .map((v) => ({ name: v.metadata.name, claim: v.spec?.claimRef ? `${v.spec.claimRef.namespace}/${v.spec.claimRef.name}` : '', storageClass: v.spec?.storageClassName ?? '' })),
    pendingClaims,
    ...(longhorn ? { longhorn } : {}),
    warnings,
  };
}
