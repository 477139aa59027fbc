/**
 * `snapshot create PVC --csi`: a snapshot.storage.k8s.io/v1 VolumeSnapshot of a claim, with
 * the VolumeSnapshotClass its backend provides (Backend.volumeSnapshotClasses), applied when
 * missing, then a wait until readyToUse. Pure: every refusal comes before any change.
 */
import type { Backend, VolumeSnapshotClassSpec } from '../backends/types.js';
import type { ClaimFacts } from '../cluster/claims.js';
import { UsageError } from '../errors.js';
import type { Plan, Step } from '../plan/types.js';
import type { KubeObject } from '../presets/types.js';
import { INSTALL_SNAPSHOT_CONTROLLER, SNAPSHOT_API_VERSION } from './controller.js';

export type VolumeSnapshotObject = KubeObject & { spec: { volumeSnapshotClassName?: string; source: { persistentVolumeClaimName?: string; volumeSnapshotContentName?: string } }; status?: any };
export type VolumeSnapshotClassObject = KubeObject & { driver: string; deletionPolicy: 'Delete' | 'Retain'; parameters?: Record<string, string> };

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'k8s-storage' };

/** The class a backend provides, as the object to apply. */
export function volumeSnapshotClassObject(spec: VolumeSnapshotClassSpec): VolumeSnapshotClassObject {
  return {
    apiVersion: SNAPSHOT_API_VERSION,
    kind: 'VolumeSnapshotClass',
    metadata: { name: spec.name, labels: { ...MANAGED_BY }, annotations: { 'k8s-storage.io/description': spec.description } },
    driver: spec.driver,
    deletionPolicy: 'Delete',
    ...(spec.parameters ? { parameters: { ...spec.parameters } } : {}),
  };
}

/** `<pvc>-<UTC yyyymmddhhmmss>`, within a DNS-1123 subdomain's 253 characters. */
export const defaultCsiSnapshotName = (pvc: string, now = new Date()) => `${pvc.slice(0, 253 - 15)}-${now.toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;

export interface CsiSnapshotFacts {
  claim: ClaimFacts;
  backend?: Backend;
  /** Whether the cluster serves VolumeSnapshot (the snapshot CRDs). */
  served: boolean;
  /** The VolumeSnapshotClasses that exist. */
  classes: VolumeSnapshotClassObject[];
  /** A VolumeSnapshot already under the name. */
  existing?: VolumeSnapshotObject;
}

export interface CsiSnapshotOptions {
  name: string;
  /** --snapshot-class: an existing class, or one the backend provides; default: the backend's first for the provisioner. */
  className?: string;
  labels: Record<string, string>;
  wait: boolean;
  timeoutMs: number;
}

export function planCsiSnapshot(f: CsiSnapshotFacts, opts: CsiSnapshotOptions): Plan {
  const c = f.claim;
  const ref = `${c.namespace}/${c.name}`;
  if (!f.served) {
    throw new UsageError(`cannot take a CSI snapshot of ${ref}: the cluster does not serve ${SNAPSHOT_API_VERSION} VolumeSnapshot (MicroK8s ships no snapshot CRDs or snapshot-controller).`, { hint: INSTALL_SNAPSHOT_CONTROLLER });
  }
  const problems: string[] = [];
  if ((c.pvc.status?.phase ?? 'Pending') !== 'Bound') problems.push(`${ref} is ${c.pvc.status?.phase ?? 'Pending'}: only a Bound claim has a volume to snapshot`);
  const offered = (f.backend?.volumeSnapshotClasses ?? []).filter((s) => s.driver === c.provisioner);
  if (!c.capabilities.csiSnapshots || (!offered.length && !opts.className)) {
    const who = f.backend ? `${f.backend.title} (${c.provisioner})` : `provisioner ${c.provisioner ?? '(unknown)'}, which k8s-storage does not know,`;
    problems.push(`${ref}: ${who} has no CSI snapshots${c.capabilities.snapshot ? ' (its own snapshots: k8s-storage snapshot create without --csi)' : ''}`);
  }
  const existingClass = opts.className ? f.classes.find((k) => k.metadata.name === opts.className) : undefined;
  const spec = opts.className ? offered.find((s) => s.name === opts.className) : offered[0];
  if (opts.className && !existingClass && !spec) {
    problems.push(`--snapshot-class ${opts.className}: no such VolumeSnapshotClass${offered.length ? `; ${f.backend!.title} provides ${offered.map((s) => `${s.name} (${s.description})`).join(', ')}` : ''}`);
  }
  const className = opts.className ?? spec?.name;
  const cls = existingClass ?? f.classes.find((k) => k.metadata.name === className);
  if (cls && c.provisioner && cls.driver !== c.provisioner) problems.push(`VolumeSnapshotClass ${cls.metadata.name} is for driver ${cls.driver}, not ${c.provisioner} (the driver of ${ref})`);
  if (f.existing && f.existing.spec.source.persistentVolumeClaimName !== c.name) {
    problems.push(`VolumeSnapshot ${c.namespace}/${opts.name} exists and is of ${f.existing.spec.source.persistentVolumeClaimName ? `claim ${f.existing.spec.source.persistentVolumeClaimName}` : 'a pre-provisioned content'}: choose another --name`);
  }
  if (problems.length) throw new UsageError(problems);

  const snapRef = { apiVersion: SNAPSHOT_API_VERSION, kind: 'VolumeSnapshot', name: opts.name, namespace: c.namespace };
  const steps: Step[] = [];
  if (!cls && spec) steps.push({ kind: 'apply', title: `Create VolumeSnapshotClass ${spec.name} (driver ${spec.driver}: ${spec.description})`, objects: [volumeSnapshotClassObject(spec)] });
  if (!f.existing) {
    const snapshot: VolumeSnapshotObject = {
      apiVersion: SNAPSHOT_API_VERSION,
      kind: 'VolumeSnapshot',
      metadata: { name: opts.name, namespace: c.namespace, labels: { ...MANAGED_BY, ...opts.labels } },
      spec: { volumeSnapshotClassName: className!, source: { persistentVolumeClaimName: c.name } },
    };
    steps.push({ kind: 'apply', title: `Create VolumeSnapshot ${c.namespace}/${opts.name} of ${ref} (class ${className})`, objects: [snapshot] });
  }
  if (opts.wait && f.existing?.status?.readyToUse !== true) {
    steps.push({
      kind: 'wait',
      title: `Wait until VolumeSnapshot ${c.namespace}/${opts.name} is ready to use`,
      until: { type: 'exists', ref: snapRef, fields: { status: { readyToUse: true } }, explain: 'status.error.message' },
      timeoutMs: opts.timeoutMs,
      hint: `kubectl -n ${c.namespace} describe volumesnapshot ${opts.name} (is a snapshot-controller running? ${INSTALL_SNAPSHOT_CONTROLLER})`,
    });
  }
  return {
    title: `CSI snapshot ${c.namespace}/${opts.name} of ${ref}`,
    warnings: [],
    notes: f.existing ? [`VolumeSnapshot ${c.namespace}/${opts.name} of ${ref} exists already${f.existing.status?.readyToUse === true ? ' and is ready to use' : ''}.`] : [],
    steps,
  };
}
