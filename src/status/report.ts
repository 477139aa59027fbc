/**
 * The storage picture of a cluster, computed from objects already read (pure, so tests
 * and `doctor` use the same logic): backends and their health, classes and the default,
 * claims and volumes by class and phase, volumes whose data goes with their claim, and
 * why Pending claims are pending.
 */
import { API_VERSION } from '../documents.js';
import { workloadKey } from '../backends/analysis.js';
import { BACKENDS } from '../backends/index.js';
import type { Backend, BackendAnalysis, BackendDetailsMap, BackendObjectsMap, BackendStatus, ClusterFacts, Obj } from '../backends/types.js';
import { isDefaultClass } from '../plan/expectations.js';
import { csiSnapshotStatus, type CsiSnapshotStatus } from '../snapshots/controller.js';
import { byText } from '../sort.js';

export type { BackendStatus };
export { workloadKey };

/**
 * What `status` read: the facts every backend shares, and what each backend's `collect` read,
 * in `extra` by backend id (hand-built facts may also put them at the top level, by id).
 */
export type ClusterObjects = Omit<ClusterFacts, 'extra'> & { extra?: Record<string, unknown> } & Partial<BackendObjectsMap> & {
  /** Whether VolumeSnapshot is served, and the snapshot-controller Deployment (src/snapshots/); absent when not read. */
  snapshotController?: { served: boolean; deployment?: Obj };
};

export interface StatusReport extends Partial<BackendDetailsMap> {
  apiVersion: typeof API_VERSION;
  kind: 'StatusReport';
  cluster: { server: string; version: string; nodes: number; readyNodes: number; microk8s: boolean };
  backends: BackendStatus[];
  storageClasses: { name: string; provisioner: string; default: boolean; reclaimPolicy: string; volumeBindingMode: string; allowVolumeExpansion: boolean }[];
  defaultClasses: string[];
  claims: { total: number; byClass: { storageClass: string; phase: string; count: number }[] };
  volumes: { total: number; byClass: { storageClass: string; phase: string; count: number }[] };
  /** PVs whose reclaim policy deletes the data when their claim is deleted. */
  volumesDeletedWithClaim: { name: string; claim: string; storageClass: string }[];
  pendingClaims: { namespace: string; name: string; storageClass: string; reason: string }[];
  /** Whether CSI VolumeSnapshots can be taken (snapshot CRDs and snapshot-controller), when read. */
  csiSnapshots?: CsiSnapshotStatus;
  /** With `-n`: the namespace claims, pending claims and volumes were narrowed to (volumes by their claim's). */
  namespace?: string;
  // Then each backend's `details` under its id (e.g. `longhorn`, only when installed); its
  // findings are in `warnings` too, prefixed "<id>: ".
  warnings: string[];
  /** Each backend's findings as it made them (severity and fix kept), for `doctor`. */
  backendFindings?: { backend: string; severity: 'error' | 'warning' | 'info'; message: string; fix?: string; warning: string }[];
}


function tally(items: Obj[], classOf: (o: Obj) => string): { storageClass: string; phase: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const o of items) {
    const k = `${classOf(o)}\u0000${o.status?.phase ?? 'Unknown'}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, count]) => {
    const [storageClass, phase] = k.split('\u0000') as [string, string];
    return { storageClass, phase, count };
  }).sort((a, b) => byText(a.storageClass, b.storageClass) || byText(a.phase, b.phase));
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

/** Every backend's analysis of the same facts, in registry order. */
export function analyzeAll(objs: ClusterObjects, backends: readonly Backend[] = BACKENDS): { backend: Backend; analysis: BackendAnalysis }[] {
  const extra: Record<string, unknown> = { ...objs.extra };
  for (const b of backends) if (extra[b.id] === undefined && (objs as Record<string, unknown>)[b.id] !== undefined) extra[b.id] = (objs as Record<string, unknown>)[b.id];
  const facts: ClusterFacts = { server: objs.server, version: objs.version, nodes: objs.nodes, classes: objs.classes, claims: objs.claims, volumes: objs.volumes, workloads: objs.workloads, extra };
  return backends.map((backend) => ({ backend, analysis: backend.analyze(facts) }));
}

/**
 * `scope.namespace` (status -n) narrows the claims, the Pending ones and the volumes (by the
 * namespace of their claim) to one namespace. Backends, classes and warnings stay those of the
 * whole cluster: they are analysed on every object, as the cluster runs them.
 */
export function buildStatusReport(all: ClusterObjects, backendList: readonly Backend[] = BACKENDS, scope: { namespace?: string } = {}): StatusReport {
  const ns = scope.namespace;
  const objs: ClusterObjects =
    ns === undefined ? all : { ...all, claims: all.claims.filter((c) => c.metadata.namespace === ns), volumes: all.volumes.filter((v) => v.spec?.claimRef?.namespace === ns) };
  const defaults = objs.classes.filter(isDefaultClass).map((c) => c.metadata.name);
  const analyses = analyzeAll(all, backendList);
  const backends = analyses.flatMap((a) => (a.analysis.status ? [a.analysis.status] : []));
  // Classes of provisioners we do not know are still listed, with no health to report.
  const classOfClaim = (c: Obj) => c.spec?.storageClassName ?? (defaults[0] ? `${defaults[0]} (default)` : '(none)');
  const warnings: string[] = [];
  if (defaults.length === 0 && objs.classes.length > 0) warnings.push('no StorageClass is the default: claims without storageClassName stay Pending. Fix: k8s-storage default-class NAME');
  if (defaults.length > 1) warnings.push(`${defaults.length} StorageClasses are the default (${defaults.join(', ')}): claims without a class land on either. Fix: k8s-storage default-class NAME`);
  for (const b of backends) if (b.problem) warnings.push(`${b.name}: ${b.problem}`);
  const backendFindings: StatusReport['backendFindings'] = [];
  for (const { backend, analysis } of analyses) {
    for (const f of analysis.findings) {
      const warning = `${backend.id}: ${f.message}${f.fix ? `. Fix: ${f.fix}` : ''}`;
      warnings.push(warning);
      backendFindings.push({ backend: backend.id, severity: f.severity, message: f.message, ...(f.fix ? { fix: f.fix } : {}), warning });
    }
  }
  const details = Object.fromEntries(analyses.filter((a) => a.analysis.details !== undefined).map((a) => [a.backend.id, a.analysis.details]));

  const pendingClaims = objs.claims
    .filter((c) => (c.status?.phase ?? 'Pending') === 'Pending')
    .map((c) => ({ namespace: c.metadata.namespace ?? '', name: c.metadata.name, storageClass: c.spec?.storageClassName ?? '', reason: pendingReason(c, objs, defaults, backends) }));

  return {
    apiVersion: API_VERSION,
    kind: 'StatusReport',
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
    ...(objs.snapshotController ? { csiSnapshots: csiSnapshotStatus(objs.snapshotController.served, objs.snapshotController.deployment as never) } : {}),
    ...(ns !== undefined ? { namespace: ns } : {}),
    ...details,
    warnings,
    backendFindings,
  };
}
