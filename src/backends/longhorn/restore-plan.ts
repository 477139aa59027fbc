/**
 * Bringing Longhorn data back, as pure planners:
 *
 * - a new claim from a backup (`backup restore`) or a snapshot (`snapshot restore`): a Volume
 *   that Longhorn fills (spec.fromBackup, or spec.dataSource snap://V/S for a clone), awaited
 *   until the data is in (restoreRequired false, or cloneStatus completed) and the volume has
 *   detached, then a static PV pre-bound to the claim and the claim naming that PV;
 * - a revert in place (`snapshot revert`): the workloads scaled to 0 (src/plan/workloads.ts),
 *   the volume attached in maintenance mode by an attachment ticket of ours, longhorn-manager's
 *   snapshotRevert (no object expresses it), the ticket removed, the workloads scaled back.
 *   Progress is kept in an annotation on the claim, so a rerun continues after the last
 *   finished step with the replica counts found before the first run.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../../errors.js';
import { toDnsLabelStem } from '../../manifests/names.js';
import type { KubeObject } from '../../presets/types.js';
import { emptyPlan, type ObjectExpectation, type Plan, type Step } from '../../plan/types.js';
import { scaleDownSteps, scaleUpSteps, type WorkloadRecord } from '../../plan/workloads.js';
import { LONGHORN_PROVISIONER } from './chart.js';
import { lhRef } from './data-plan.js';
import { buildRestoreVolume, LONGHORN_NAMESPACE, snapshotDataSource, type LonghornBackup, type LonghornSnapshot, type LonghornVolume, type LonghornVolumeAttachment } from './resources.js';
import { byText } from '../../sort.js';

type Obj = KubeObject & { spec?: any; status?: any };

/** On the claim and PV we make: where the data came from. A rerun recognises its own objects by it. */
export const RESTORED_FROM_ANNOTATION = 'k8s-storage.io/restored-from';
/** On a claim being reverted: the revert's record (JSON), removed when it is finished. */
export const REVERT_ANNOTATION = 'k8s-storage.io/revert';
/** Our attachment ticket on the volume's Longhorn VolumeAttachment. */
export const REVERT_TICKET = 'k8s-storage-revert';
/** longhorn-manager's API: Service longhorn-backend, port `manager` (9500), in the chart. */
export const LONGHORN_MANAGER_SERVICE = { namespace: LONGHORN_NAMESPACE, name: 'longhorn-backend', port: 'manager' } as const;
/** Longhorn's backup label holding the claim the backup was taken of (types.KubernetesStatusLabel). */
export const KUBERNETES_STATUS_LABEL = 'KubernetesStatus';

export type ClaimSource = { kind: 'backup'; backup: string; url: string; size: string } | { kind: 'snapshot'; volume: string; snapshot: string; size: string };

const sourceText = (s: ClaimSource) => (s.kind === 'backup' ? `backup ${s.backup}` : `snapshot ${s.snapshot} of volume ${s.volume}`);
/** The annotation value: `backup/<name>` or `snapshot/<volume>/<snapshot>`. */
export const sourceMark = (s: ClaimSource) => (s.kind === 'backup' ? `backup/${s.backup}` : `snapshot/${s.volume}/${s.snapshot}`);

/** The Longhorn volume (and PV) name of a restored claim: readable, and the same on every rerun. */
export function restoredVolumeName(namespace: string, claim: string): string {
  const hash = createHash('sha256').update(`${namespace}/${claim}`).digest('hex').slice(0, 8);
  return `restored-${toDnsLabelStem(`${namespace}-${claim}`, 40)}-${hash}`;
}

/** Bytes as the largest binary unit that divides them, so the claim reads `2Gi`, not `2147483648`. */
export function bytesQuantity(bytes: string): string {
  let n = BigInt(bytes);
  for (const unit of ['', 'Ki', 'Mi', 'Gi', 'Ti']) {
    if (unit === 'Ti' || n % 1024n !== 0n) return `${n}${unit}`;
    n /= 1024n;
  }
  return bytes;
}

/** The claim a backup was taken of, from the label Longhorn stores with it. */
export function backupClaim(b: LonghornBackup): { namespace: string; name: string } | undefined {
  const raw = b.status?.labels?.[KUBERNETES_STATUS_LABEL];
  if (!raw) return undefined;
  try {
    const k = JSON.parse(raw) as { pvcName?: string; namespace?: string };
    return k.pvcName ? { namespace: k.namespace ?? '', name: k.pvcName } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The newest completed backup of a claim: of its Longhorn volume when the claim still names
 * one, else of the claim Longhorn recorded with each backup (after a reinstall, or once the
 * claim is gone).
 */
export function latestBackup(backups: LonghornBackup[], claim: { namespace: string; name: string; volume?: string }): LonghornBackup | undefined {
  const ofClaim = (b: LonghornBackup) => {
    const volume = b.status?.volumeName || b.metadata.labels?.['backup-volume'];
    if (claim.volume && volume === claim.volume) return true;
    const k = backupClaim(b);
    return k?.name === claim.name && k.namespace === claim.namespace;
  };
  const when = (b: LonghornBackup) => b.status?.backupCreatedAt || b.status?.snapshotCreatedAt || '';
  return backups.filter((b) => b.status?.state === 'Completed' && ofClaim(b)).sort((a, b) => byText(when(a), when(b)) || byText(a.metadata.name, b.metadata.name)).at(-1);
}

/** A backup that can be restored: completed, with its URL and size; else why not. */
export function backupSource(name: string, b: LonghornBackup): ClaimSource {
  const state = b.status?.state || 'New';
  if (state !== 'Completed') throw new UsageError(`backup ${name} is ${state}${b.status?.error ? ` (${b.status.error})` : ''}: only a completed backup can be restored`, { hint: 'k8s-storage backup list shows the completed ones' });
  if (!b.status?.url || !b.status.volumeSize || !/^\d+$/.test(b.status.volumeSize)) throw new UsageError(`backup ${name}: Longhorn has not recorded its URL and volume size yet`, { hint: 'wait for Longhorn to sync the backup target (k8s-storage backup target show), then rerun' });
  return { kind: 'backup', backup: name, url: b.status.url, size: b.status.volumeSize };
}

/** A snapshot that can be cloned: ready, of this volume, with its size; else why not. */
export function snapshotSource(claim: { namespace: string; name: string; volume: string; size?: string }, name: string, snap: LonghornSnapshot | undefined): ClaimSource {
  const ref = `${claim.namespace}/${claim.name}`;
  if (!snap) throw new UsageError(`snapshot ${name} does not exist`, { hint: `k8s-storage snapshot list ${claim.name} -n ${claim.namespace}` });
  if (snap.spec.volume !== claim.volume) throw new UsageError(`snapshot ${name} belongs to Longhorn volume ${snap.spec.volume}, not to ${ref} (volume ${claim.volume})`, { hint: `k8s-storage snapshot list ${claim.name} -n ${claim.namespace}` });
  if (snap.status?.markRemoved) throw new UsageError(`snapshot ${name} of ${ref} is being removed`);
  if (!snap.status?.readyToUse) throw new UsageError(`snapshot ${name} of ${ref} is not ready${snap.status?.error ? `: ${snap.status.error}` : ''}`, { hint: `k8s-storage snapshot list ${claim.name} -n ${claim.namespace}` });
  const size = String(snap.status.restoreSize ?? claim.size ?? '');
  if (!/^\d+$/.test(size) || size === '0') throw new UsageError(`snapshot ${name} of ${ref}: Longhorn has not recorded its size`);
  return { kind: 'snapshot', volume: claim.volume, snapshot: name, size };
}

export interface NewClaimFacts {
  namespace: string;
  claim: string;
  className: string;
  /** --class was given (an absent class is then an error, not a warning). */
  classExplicit: boolean;
  storageClass?: Obj;
  existingClaim?: Obj;
  existingVolume?: LonghornVolume;
  existingPv?: Obj;
  /** Longhorn nodes that take replicas (spec.allowScheduling), when known. */
  schedulableNodes?: number;
}

export interface NewClaimOptions {
  replicas?: number;
  timeoutMs: number;
}

const sameSource = (v: LonghornVolume, s: ClaimSource) => (s.kind === 'backup' ? v.spec.fromBackup === s.url : v.spec.dataSource === snapshotDataSource(s.volume, s.snapshot));

export function planClaimFromSource(source: ClaimSource, facts: NewClaimFacts, opts: NewClaimOptions): Plan {
  const { namespace, claim } = facts;
  const ref = `${namespace}/${claim}`;
  const volume = restoredVolumeName(namespace, claim);
  const mark = sourceMark(source);
  const ours = (o: Obj | undefined) => o?.metadata.annotations?.[RESTORED_FROM_ANNOTATION];
  const problems: string[] = [];
  if (facts.existingClaim && ours(facts.existingClaim) !== mark) {
    problems.push(`--to ${claim}: PersistentVolumeClaim ${ref} already exists${ours(facts.existingClaim) ? ` (restored from ${ours(facts.existingClaim)!.replace('/', ' ')})` : ''}; choose another name, or delete it first`);
  }
  if (facts.existingVolume && !sameSource(facts.existingVolume, source)) {
    problems.push(`Longhorn volume ${volume} (for ${ref}) already exists with other data (${facts.existingVolume.spec.fromBackup ? `from ${facts.existingVolume.spec.fromBackup}` : facts.existingVolume.spec.dataSource ? `from ${facts.existingVolume.spec.dataSource}` : 'not a restore'}); delete it (kubectl -n ${LONGHORN_NAMESPACE} delete volumes.longhorn.io ${volume}) or choose another --to`);
  }
  const boundElsewhere = facts.existingPv?.spec?.claimRef && (facts.existingPv.spec.claimRef.name !== claim || facts.existingPv.spec.claimRef.namespace !== namespace);
  if (boundElsewhere) problems.push(`PersistentVolume ${volume} already exists for claim ${facts.existingPv!.spec.claimRef.namespace}/${facts.existingPv!.spec.claimRef.name}`);
  const sc = facts.storageClass;
  if (!sc && facts.classExplicit) problems.push(`--class ${facts.className}: no such StorageClass (k8s-storage status lists them)`);
  if (sc && sc.provisioner !== LONGHORN_PROVISIONER) problems.push(`--class ${facts.className}: provisioned by ${sc.provisioner}, not Longhorn (${LONGHORN_PROVISIONER})`);
  if (problems.length) throw new UsageError(problems);

  const plan = emptyPlan(`restore ${sourceText(source)} into a new claim ${ref}`);
  if (facts.existingClaim?.status?.phase === 'Bound' && facts.existingClaim.spec?.volumeName === volume) {
    plan.notes.push(`${ref} was restored from ${sourceText(source)} already (volume ${volume}).`);
    return plan;
  }
  if (!sc) plan.warnings.push(`StorageClass ${facts.className} does not exist: the claim names it, with defaults (3 replicas, ext4); --class names another`);
  const params = (sc as { parameters?: Record<string, string> } | undefined)?.parameters ?? {};
  const replicas = opts.replicas ?? (Number(params.numberOfReplicas) || 3);
  if (facts.schedulableNodes !== undefined && replicas > facts.schedulableNodes) {
    plan.warnings.push(`${replicas} replicas but ${facts.schedulableNodes} Longhorn node(s) take replicas: the volume stays Degraded; --replicas ${Math.max(1, facts.schedulableNodes)} matches the cluster`);
  }
  const quantity = bytesQuantity(source.size);
  const vref = lhRef('Volume', volume);
  const restored: Record<string, unknown> = source.kind === 'backup' ? { status: { restoreRequired: false, state: 'detached' } } : { status: { cloneStatus: { state: 'completed' }, state: 'detached' } };
  const failed: Record<string, unknown>[] = source.kind === 'backup' ? [{ status: { robustness: 'faulted' } }] : [{ status: { cloneStatus: { state: 'failed' } } }];
  const ev = facts.existingVolume;
  const restoredAlready = ev?.status?.state === 'detached' && (source.kind === 'backup' ? ev.status.restoreRequired === false : ev.status.cloneStatus?.state === 'completed');
  const steps: Step[] = [];
  if (!facts.existingVolume) {
    const lv = buildRestoreVolume({ name: volume, size: source.size, replicas, source: source.kind === 'backup' ? { fromBackup: source.url } : { dataSource: snapshotDataSource(source.volume, source.snapshot) } });
    steps.push({ kind: 'apply', title: `Create Longhorn volume ${volume} (${quantity}, ${replicas} replica${replicas === 1 ? '' : 's'}) from ${sourceText(source)}`, objects: [lv as unknown as KubeObject] });
  } else {
    plan.notes.push(`Longhorn volume ${volume} from ${sourceText(source)} exists already.`);
  }
  const what = source.kind === 'backup' ? 'restore' : 'copy';
  if (!restoredAlready) {
    steps.push({
      kind: 'wait',
      title: `Wait for Longhorn to ${what} the data into ${volume} and detach it`,
      until: { type: 'exists', ref: vref, fields: restored, stopIf: failed },
      timeoutMs: opts.timeoutMs,
      hint: `large volumes take a while: rerun with a longer --timeout (a rerun continues); follow it with kubectl -n ${LONGHORN_NAMESPACE} get volumes.longhorn.io ${volume}`,
    });
  }
  steps.push({
    kind: 'verify',
    title: `Check that Longhorn ${source.kind === 'backup' ? 'restored' : 'copied'} ${sourceText(source)}`,
    expect: [{ type: 'exists', ref: vref, fields: restored, explain: source.kind === 'backup' ? 'status.conditions' : 'status.cloneStatus' }],
    hint: `${source.kind === 'backup' ? 'k8s-storage backup target show says whether Longhorn can read the backup store; ' : ''}to try again, delete the failed volume (kubectl -n ${LONGHORN_NAMESPACE} delete volumes.longhorn.io ${volume}) and rerun`,
  });
  const annotations = { [RESTORED_FROM_ANNOTATION]: mark };
  const pv: KubeObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: volume, annotations },
    spec: {
      capacity: { storage: quantity },
      volumeMode: 'Filesystem',
      accessModes: ['ReadWriteOnce'],
      // Restored data outlives a mistaken `kubectl delete pvc`: the operator deletes the PV on purpose.
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: facts.className,
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name: claim },
      csi: { driver: LONGHORN_PROVISIONER, fsType: params.fsType ?? 'ext4', volumeHandle: volume, volumeAttributes: { numberOfReplicas: String(replicas), staleReplicaTimeout: params.staleReplicaTimeout ?? '2880' } },
    },
  } as KubeObject;
  const pvc: KubeObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: claim, namespace, annotations },
    spec: { storageClassName: facts.className, volumeName: volume, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: quantity } } },
  } as KubeObject;
  const pvcRef = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: claim, namespace };
  const pvRef = { apiVersion: 'v1', kind: 'PersistentVolume', name: volume };
  steps.push({ kind: 'apply', title: `Create PersistentVolume ${volume} for Longhorn volume ${volume}, reserved for ${ref}`, objects: [pv] });
  steps.push({ kind: 'apply', title: `Create claim ${ref} (${quantity}, class ${facts.className}) on PersistentVolume ${volume}`, objects: [pvc] });
  steps.push({ kind: 'wait', title: `Wait until ${ref} is Bound`, until: { type: 'pvc-bound', ref: pvcRef }, timeoutMs: opts.timeoutMs, hint: `kubectl -n ${namespace} describe pvc ${claim}` });
  const bound: ObjectExpectation[] = [
    { type: 'exists', ref: pvcRef, fields: { spec: { volumeName: volume }, status: { phase: 'Bound' } } },
    { type: 'exists', ref: pvRef, fields: { spec: { claimRef: { namespace, name: claim } }, status: { phase: 'Bound' } } },
  ];
  steps.push({ kind: 'verify', title: `Check that ${ref} is bound to PersistentVolume ${volume}`, expect: bound });
  plan.steps = steps;
  return plan;
}

/** What `backup restore` and `snapshot restore` print with -o json|yaml (schemas/restored-claim.schema.json). */
export interface RestoredClaim {
  apiVersion: 'k8s-storage.io/v1';
  kind: 'RestoredClaim';
  namespace: string;
  name: string;
  /** The PV and the Longhorn volume behind it share this name. */
  volume: string;
  storageClass: string;
  size: string;
  phase: string;
  source: { kind: 'Backup'; name: string; url: string } | { kind: 'Snapshot'; name: string; volume: string };
}

export function restoredClaim(source: ClaimSource, claim: { namespace: string; name: string; className: string }, phase: string): RestoredClaim {
  return {
    apiVersion: 'k8s-storage.io/v1',
    kind: 'RestoredClaim',
    namespace: claim.namespace,
    name: claim.name,
    volume: restoredVolumeName(claim.namespace, claim.name),
    storageClass: claim.className,
    size: bytesQuantity(source.size),
    phase,
    source: source.kind === 'backup' ? { kind: 'Backup', name: source.backup, url: source.url } : { kind: 'Snapshot', name: source.snapshot, volume: source.volume },
  };
}

// ---------------------------------------------------------------------------------------------
// Revert in place

export const REVERT_STEPS = ['scaled-down', 'attached', 'reverted', 'detached'] as const;
export type RevertStep = (typeof REVERT_STEPS)[number];

export interface RevertRecord {
  snapshot: string;
  /** The node the volume is attached on in maintenance mode. */
  node: string;
  workloads: WorkloadRecord[];
  done?: RevertStep;
}

export interface RevertFacts {
  claim: { namespace: string; name: string; volume: string; /** bytes */ size?: string };
  snapshot?: LonghornSnapshot;
  /** Deployments/StatefulSets mounting the claim, as found now (used when there is no record yet). */
  workloads: WorkloadRecord[];
  /** Pods using the claim that scaling would not stop. */
  blockers: { pod: string; owner?: { kind: string; name: string } }[];
  attachment?: LonghornVolumeAttachment;
  /** Where to attach: the volume's node, a user pod's, or a Longhorn node. */
  node?: string;
  record?: RevertRecord;
}

const afterStep = (done: RevertStep | undefined, step: RevertStep) => done !== undefined && REVERT_STEPS.indexOf(done) >= REVERT_STEPS.indexOf(step);

export function planSnapshotRevert(name: string, facts: RevertFacts, opts: { timeoutMs: number }): Plan {
  const { claim } = facts;
  const ref = `${claim.namespace}/${claim.name}`;
  const problems: string[] = [];
  if (facts.record && facts.record.snapshot !== name) {
    throw new UsageError(`a revert of ${ref} to snapshot ${facts.record.snapshot} is under way (last finished step: ${facts.record.done ?? 'none'}): rerun it to finish it first`, { hint: `k8s-storage snapshot revert ${claim.name} ${facts.record.snapshot} -n ${claim.namespace}` });
  }
  if (!facts.record || !afterStep(facts.record.done, 'reverted')) {
    try {
      snapshotSource({ ...claim, size: '1' }, name, facts.snapshot);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (facts.blockers.length && !afterStep(facts.record?.done, 'reverted')) {
    problems.push(
      `refusing to revert ${ref} while pod(s) ${facts.blockers.map((b) => `${b.pod}${b.owner ? ` (${b.owner.kind} ${b.owner.name})` : ''}`).join(', ')} use it: scaling Deployments and StatefulSets down would not stop them; delete them or scale their owner to 0 first`,
    );
  }
  if (!facts.attachment) problems.push(`Longhorn has no VolumeAttachment for volume ${claim.volume}: is this Longhorn older than 1.5? (kubectl -n ${LONGHORN_NAMESPACE} get volumeattachments.longhorn.io ${claim.volume})`);
  const node = facts.record?.node ?? facts.node;
  if (!node) problems.push(`no node to attach volume ${claim.volume} on: Longhorn lists no node`);
  if (problems.length) throw new UsageError(problems);

  const record: RevertRecord = facts.record ?? { snapshot: name, node: node!, workloads: facts.workloads };
  const done = facts.record?.done;
  const pvcRef = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: claim.name, namespace: claim.namespace };
  const mark = (step: RevertStep | undefined, title: string): Step => ({ kind: 'patch', title, ref: pvcRef, patch: { metadata: { annotations: { [REVERT_ANNOTATION]: JSON.stringify({ ...record, done: step }) } } } });
  const vaRef = lhRef('VolumeAttachment', claim.volume);
  const vref = lhRef('Volume', claim.volume);
  const wl = record.workloads.map((w) => `${w.kind} ${w.name}`).join(', ');
  const steps: Step[] = [];
  if (!afterStep(done, 'scaled-down')) {
    steps.push(mark(done, `Record the revert on ${ref}${wl ? ` (workloads: ${wl})` : ' (no workload uses it)'}`));
    steps.push(...scaleDownSteps(claim.namespace, record.workloads, opts.timeoutMs));
    steps.push(mark('scaled-down', 'Record: workloads scaled down'));
  }
  if (!afterStep(done, 'attached')) {
    const ticket = { id: REVERT_TICKET, type: 'longhorn-api', nodeID: record.node, parameters: { disableFrontend: 'true', lastAttachedBy: 'k8s-storage' } };
    steps.push({ kind: 'patch', title: `Attach volume ${claim.volume} on ${record.node} in maintenance mode (frontend disabled)`, ref: vaRef, patch: { spec: { attachmentTickets: { [REVERT_TICKET]: ticket } } } });
    steps.push({
      kind: 'wait',
      title: `Wait until Longhorn attached ${claim.volume} in maintenance mode`,
      until: { type: 'exists', ref: vaRef, fields: { status: { attachmentTicketStatuses: { [REVERT_TICKET]: { satisfied: true } } } }, explain: `status.attachmentTicketStatuses.${REVERT_TICKET}.conditions` },
      timeoutMs: opts.timeoutMs,
      hint: `something else keeps the volume attached: kubectl -n ${LONGHORN_NAMESPACE} get volumeattachments.longhorn.io ${claim.volume} -o yaml`,
    });
    steps.push({ kind: 'verify', title: `Check that ${claim.volume} is attached with its frontend disabled`, expect: [{ type: 'exists', ref: vref, fields: { spec: { disableFrontend: true }, status: { state: 'attached' } } }] });
    steps.push(mark('attached', 'Record: volume attached in maintenance mode'));
  }
  if (!afterStep(done, 'reverted')) {
    steps.push({
      kind: 'service-call',
      title: `Revert volume ${claim.volume} to snapshot ${name} (longhorn-manager snapshotRevert)`,
      service: LONGHORN_MANAGER_SERVICE,
      method: 'POST',
      path: `/v1/volumes/${claim.volume}`,
      query: { action: 'snapshotRevert' },
      body: { name },
    });
    // Longhorn copies the engine's snapshot chain into the Snapshot objects a moment later.
    steps.push({
      kind: 'wait',
      title: `Wait until Longhorn shows volume-head under snapshot ${name}`,
      until: { type: 'exists', ref: lhRef('Snapshot', name), fields: { status: { children: { 'volume-head': true } } } },
      timeoutMs: Math.min(opts.timeoutMs, 120_000),
      hint: `kubectl -n ${LONGHORN_NAMESPACE} get snapshots.longhorn.io ${name} -o yaml (status.children)`,
    });
    steps.push(mark('reverted', `Record: reverted to ${name}`));
  }
  if (!afterStep(done, 'detached')) {
    steps.push({ kind: 'patch', title: `Detach volume ${claim.volume} (remove our attachment ticket)`, ref: vaRef, patch: { spec: { attachmentTickets: { [REVERT_TICKET]: null } } } });
    steps.push({ kind: 'wait', title: `Wait until Longhorn detached ${claim.volume}`, until: { type: 'exists', ref: vref, fields: { status: { state: 'detached' } } }, timeoutMs: opts.timeoutMs });
    steps.push(mark('detached', 'Record: volume detached'));
  }
  steps.push(...scaleUpSteps(claim.namespace, record.workloads, opts.timeoutMs));
  steps.push({ kind: 'patch', title: 'Record: revert finished', ref: pvcRef, patch: { metadata: { annotations: { [REVERT_ANNOTATION]: null } } } });
  const warnings = done ? [] : [`everything written to ${ref} after snapshot ${name} is discarded`];
  const before = Number(facts.snapshot?.status?.restoreSize ?? 0);
  if (!done && before > 0 && claim.size && before < Number(claim.size)) {
    warnings.push(`snapshot ${name} predates an expansion (${bytesQuantity(String(before))} < ${bytesQuantity(claim.size)}): after the revert the filesystem is the smaller one; grow it by hand (resize2fs / xfs_growfs) from a pod`);
  }
  return {
    title: `revert ${ref} (Longhorn volume ${claim.volume}) to snapshot ${name}`,
    warnings,
    notes: facts.record ? [`resuming: the last finished step was "${done ?? 'none'}"`] : [],
    steps,
  };
}
