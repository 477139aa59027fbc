/**
 * Planners for Longhorn's data features: snapshots, backups, the backup target and recurring
 * jobs. Pure: options and the objects already read go in, a Plan comes out. Every plan can be
 * rerun: an object that already exists as asked is left alone and said so.
 */
import type { ObjectRef } from '../../cluster/kube.js';
import { ClusterError, UsageError } from '../../errors.js';
import {
  BACKUP_CREDENTIAL_KEYS,
  buildBackup,
  buildBackupTarget,
  buildSnapshot,
  goDurationSeconds,
  LONGHORN_API_VERSION,
  LONGHORN_NAMESPACE,
  RECURRING_JOB_GROUP_LABEL_PREFIX,
  RECURRING_JOB_LABEL_PREFIX,
  recurringJobAttachLabel,
  checkBackupTarget,
  type BackupMode,
  type BackupTargetKind,
  type LonghornBackup,
  type LonghornBackupTarget,
  type LonghornRecurringJob,
  type LonghornSnapshot,
  type LonghornVolume,
} from './resources.js';
import type { KubeObject } from '../../presets/types.js';
import { emptyPlan, type Expectation, type Plan } from '../../plan/types.js';

export const lhRef = (kind: string, name: string): ObjectRef => ({ apiVersion: LONGHORN_API_VERSION, kind, name, namespace: LONGHORN_NAMESPACE });

/** The claim a command acts on, already resolved to its Longhorn volume. */
export interface ClaimVolume {
  namespace: string;
  name: string;
  volume: string;
}

const claimText = (c: ClaimVolume) => `${c.namespace}/${c.name}`;
const asObject = <T>(o: T) => o as unknown as KubeObject;

export const SNAPSHOT_READY: Record<string, unknown> = { status: { readyToUse: true } };
export const BACKUP_COMPLETED: Record<string, unknown> = { status: { state: 'Completed' } };
const BACKUP_FAILED: Record<string, unknown>[] = [{ status: { state: 'Error' } }, { status: { state: 'Unknown' } }];

export interface WaitOptions {
  wait: boolean;
  timeoutMs: number;
}

function snapshotReadyWait(name: string, claim: ClaimVolume, timeoutMs: number): Plan['steps'][number] {
  return {
    kind: 'wait',
    title: `Wait for Longhorn to take snapshot ${name}`,
    until: { type: 'exists', ref: lhRef('Snapshot', name), fields: SNAPSHOT_READY, explain: 'status.error' },
    timeoutMs,
    hint: `Longhorn takes snapshots only of volumes it can reach; check the volume: kubectl -n ${LONGHORN_NAMESPACE} get volumes.longhorn.io ${claim.volume}`,
  };
}

/** The owner check every snapshot operation makes: a snapshot name is global to longhorn-system. */
function snapshotOwnerProblem(snapshot: LonghornSnapshot, claim: ClaimVolume, owner?: string): string | undefined {
  if (snapshot.spec.volume === claim.volume) return undefined;
  return `snapshot ${snapshot.metadata.name} belongs to Longhorn volume ${snapshot.spec.volume}${owner ? ` (PVC ${owner})` : ''}, not to ${claimText(claim)} (volume ${claim.volume})`;
}

// ---------------------------------------------------------------------------------------------
// Snapshots

export interface SnapshotCreateOptions extends WaitOptions {
  name?: string;
  labels?: Record<string, string>;
  now?: Date;
}

export interface SnapshotFacts {
  /** The snapshot of that name, when --name names one that exists. */
  existing?: LonghornSnapshot;
  /** "namespace/pvc" of the volume an existing snapshot belongs to, for messages. */
  existingOwner?: string;
}

export function planSnapshotCreate(claim: ClaimVolume, opts: SnapshotCreateOptions, facts: SnapshotFacts = {}): Plan {
  const snapshot = buildSnapshot({ volume: claim.volume, pvc: claim.name, ...(opts.name ? { name: opts.name } : {}), ...(opts.labels ? { labels: opts.labels } : {}), ...(opts.now ? { now: opts.now } : {}) });
  const name = snapshot.metadata.name;
  const plan = emptyPlan(`snapshot ${claimText(claim)} (Longhorn volume ${claim.volume}) as ${name}`);
  if (facts.existing) {
    const problem = snapshotOwnerProblem(facts.existing, claim, facts.existingOwner);
    if (problem) throw new UsageError(`cannot create snapshot ${name}: it already exists and ${problem}`, { hint: 'choose another --name, or leave it out for a generated one' });
    plan.notes.push(`Snapshot ${name} of ${claimText(claim)} already exists${facts.existing.status?.readyToUse ? ' and is ready' : ''}.`);
    if (!facts.existing.status?.readyToUse && opts.wait) plan.steps.push(snapshotReadyWait(name, claim, opts.timeoutMs));
    return plan;
  }
  plan.steps.push({ kind: 'apply', title: `Create Longhorn snapshot ${name} of ${claimText(claim)}`, objects: [asObject(snapshot)] });
  if (opts.wait) plan.steps.push(snapshotReadyWait(name, claim, opts.timeoutMs));
  return plan;
}

export function planSnapshotDelete(claim: ClaimVolume, name: string, opts: WaitOptions, facts: SnapshotFacts): Plan {
  const plan = emptyPlan(`delete snapshot ${name} of ${claimText(claim)}`);
  if (!facts.existing) {
    plan.notes.push(`Snapshot ${name} does not exist (already deleted?).`);
    return plan;
  }
  const problem = snapshotOwnerProblem(facts.existing, claim, facts.existingOwner);
  if (problem) throw new UsageError(`refusing to delete: ${problem}`, { hint: `k8s-storage snapshot list ${claim.name} -n ${claim.namespace}` });
  plan.steps.push({ kind: 'delete', title: `Delete Longhorn snapshot ${name} of ${claimText(claim)}`, refs: [lhRef('Snapshot', name)] });
  if (opts.wait) {
    plan.steps.push({ kind: 'wait', title: `Wait for Longhorn to remove snapshot ${name}`, until: { type: 'absent', ref: lhRef('Snapshot', name) }, timeoutMs: opts.timeoutMs });
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Backups

/** Why Longhorn cannot take a backup now, from the BackupTarget the volume uses. */
export function backupTargetState(target: LonghornBackupTarget | undefined): { configured: boolean; available?: boolean; message?: string } {
  if (!target?.spec?.backupTargetURL) return { configured: false };
  const unavailable = target.status?.conditions?.find((c) => c.type === 'Unavailable' && c.status === 'True');
  return { configured: true, available: target.status?.available === true, ...(unavailable?.message ? { message: unavailable.message } : {}) };
}

export interface BackupCreateOptions extends WaitOptions {
  /** The snapshot to back up: one that exists (--snapshot), or the name of the one to take first. */
  snapshot: string;
  takeSnapshot: boolean;
  mode?: BackupMode;
  labels?: Record<string, string>;
  /** How long to wait for the snapshot (always awaited: Longhorn backs up only ready snapshots). */
  snapshotTimeoutMs: number;
}

export interface BackupFacts {
  /** The BackupTarget the volume uses (spec.backupTargetName, default `default`). */
  target?: LonghornBackupTarget;
  targetName: string;
  /** The snapshot named by --snapshot, if it exists. */
  snapshot?: LonghornSnapshot;
  snapshotOwner?: string;
  /** The Backup already named after the snapshot, if any (reruns find it). */
  existingBackup?: LonghornBackup;
}

export function planBackupCreate(claim: ClaimVolume, opts: BackupCreateOptions, facts: BackupFacts): Plan {
  const target = backupTargetState(facts.target);
  if (!target.configured) {
    throw new ClusterError(`no backup target is configured${facts.targetName !== 'default' ? ` (volume ${claim.volume} uses backup target ${facts.targetName})` : ''}: Longhorn has nowhere to send backups of ${claimText(claim)}.`, {
      hint: 'k8s-storage backup target set nfs://server:/export/path  (or s3://bucket@region/path/ --credentials-secret NAME)',
    });
  }
  const snapshotName = opts.snapshot;
  const steps: Plan['steps'] = [];
  if (!opts.takeSnapshot) {
    if (!facts.snapshot) throw new UsageError(`snapshot ${snapshotName} does not exist`, { hint: `k8s-storage snapshot list ${claim.name} -n ${claim.namespace}` });
    const problem = snapshotOwnerProblem(facts.snapshot, claim, facts.snapshotOwner);
    if (problem) throw new UsageError(`cannot back up: ${problem}`);
    if (!facts.snapshot.status?.readyToUse) steps.push(snapshotReadyWait(snapshotName, claim, opts.snapshotTimeoutMs));
  } else {
    const snapshot = buildSnapshot({ volume: claim.volume, name: snapshotName });
    steps.push({ kind: 'apply', title: `Take Longhorn snapshot ${snapshotName} of ${claimText(claim)} to back up`, objects: [asObject(snapshot)] });
    steps.push(snapshotReadyWait(snapshotName, claim, opts.snapshotTimeoutMs));
  }
  const backup = buildBackup({ snapshotName, volume: claim.volume, ...(opts.mode ? { mode: opts.mode } : {}), ...(opts.labels ? { labels: opts.labels } : {}) });
  const name = backup.metadata.name;
  const plan = emptyPlan(`back up ${claimText(claim)} (snapshot ${snapshotName}) to ${facts.target!.spec.backupTargetURL}`);
  if (target.available === false) {
    plan.warnings.push(`Longhorn reports the backup target ${facts.target!.spec.backupTargetURL} unavailable${target.message ? `: ${target.message}` : ''}; the backup is likely to fail (check it: k8s-storage backup target show)`);
  }
  plan.steps = steps;
  const existing = facts.existingBackup;
  const done = existing?.status?.state === 'Completed';
  if (existing) {
    plan.notes.push(`Backup ${name} of snapshot ${snapshotName} already exists${existing.status?.state ? ` (${existing.status.state})` : ''}.`);
  } else {
    plan.steps.push({ kind: 'apply', title: `Create Longhorn backup ${name} of snapshot ${snapshotName}`, objects: [asObject(backup)] });
  }
  if (opts.wait && !done) {
    const ref = lhRef('Backup', name);
    plan.steps.push({
      kind: 'wait',
      title: `Wait for Longhorn to upload backup ${name}`,
      until: { type: 'exists', ref, fields: BACKUP_COMPLETED, stopIf: BACKUP_FAILED },
      timeoutMs: opts.timeoutMs,
      hint: `large volumes take a while: rerun with a longer --timeout, or follow it with k8s-storage backup list ${claim.name} -n ${claim.namespace}`,
    });
    plan.steps.push({
      kind: 'verify',
      title: `Check that backup ${name} completed`,
      expect: [{ type: 'exists', ref, fields: BACKUP_COMPLETED, explain: 'status.error' }],
      hint: 'k8s-storage backup target show tells whether Longhorn can reach the backup store',
    });
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Backup target

export interface BackupTargetSetRequest {
  url: string;
  credentialSecret?: string;
  /** Seconds; undefined keeps what the target has (300 when it is new). */
  pollInterval?: number;
  /** When the request is made, as RFC 3339: asks Longhorn to check the target at once. */
  requestedAt: string;
}

export interface BackupTargetFacts {
  existing?: LonghornBackupTarget;
  /** The credential Secret's data keys, or undefined when the Secret does not exist. */
  secretKeys?: string[];
}

/** The keys a credential Secret must hold (optional ones such as AWS_ENDPOINTS left out). */
export function requiredCredentialKeys(kind: BackupTargetKind): string[] {
  if (kind === 'nfs') return [];
  return BACKUP_CREDENTIAL_KEYS[kind].filter((k) => !k.includes(' '));
}

/** The kubectl command that creates a credential Secret for a target kind. */
export function credentialSecretCommand(kind: BackupTargetKind, name: string): string {
  const literals = kind === 'nfs' ? [] : BACKUP_CREDENTIAL_KEYS[kind].map((k) => k.split(' ')[0]!);
  const values: Record<string, string> = { AWS_ENDPOINTS: 'https://minio.example.com:9000' };
  const shown = literals.map((k) => `--from-literal=${k}=${values[k] ?? '...'}`).join(' ');
  return `kubectl -n ${LONGHORN_NAMESPACE} create secret generic ${name} ${shown}${kind === 's3' ? '   (AWS_ENDPOINTS only for MinIO and other S3-compatible stores)' : ''}`;
}

export function planBackupTargetSet(req: BackupTargetSetRequest, facts: BackupTargetFacts): Plan {
  const existingSeconds = goDurationSeconds(facts.existing?.spec?.pollInterval);
  const desired = buildBackupTarget({
    url: req.url,
    ...(req.credentialSecret ? { credentialSecret: req.credentialSecret } : {}),
    pollInterval: req.pollInterval ?? existingSeconds ?? 300,
  });
  const kind = checkBackupTarget(req.url).target!.kind;
  if (req.credentialSecret) {
    const hint = credentialSecretCommand(kind, req.credentialSecret);
    if (facts.secretKeys === undefined) {
      throw new UsageError(`--credentials-secret: Secret ${req.credentialSecret} does not exist in ${LONGHORN_NAMESPACE} (Longhorn reads backup store credentials from there).`, { hint: `create it first: ${hint}` });
    }
    const missing = requiredCredentialKeys(kind).filter((k) => !facts.secretKeys!.includes(k));
    if (missing.length) {
      throw new UsageError(missing.map((k) => `--credentials-secret: Secret ${req.credentialSecret} in ${LONGHORN_NAMESPACE} has no key ${k}`), { hint: `recreate it: ${hint}` });
    }
  }
  const plan = emptyPlan(`point Longhorn's backup target ${desired.metadata.name} at ${req.url}`);
  const current = facts.existing?.spec;
  const same = current && current.backupTargetURL === desired.spec.backupTargetURL && (current.credentialSecret ?? '') === desired.spec.credentialSecret && existingSeconds === goDurationSeconds(desired.spec.pollInterval);
  if (same) {
    plan.notes.push(`The backup target already points at ${req.url}${desired.spec.credentialSecret ? ` with credentials ${desired.spec.credentialSecret}` : ''}.`);
    return plan;
  }
  const spec = { ...desired.spec, syncRequestedAt: req.requestedAt };
  if (facts.existing) {
    // Longhorn creates and updates `default` itself: apply would conflict with its field manager.
    plan.steps.push({ kind: 'patch', title: `Set backup target ${desired.metadata.name} to ${req.url}`, ref: lhRef('BackupTarget', desired.metadata.name), patch: { spec } });
  } else {
    plan.steps.push({ kind: 'apply', title: `Create backup target ${desired.metadata.name} for ${req.url}`, objects: [asObject({ ...desired, spec })] });
  }
  if (current?.backupTargetURL && current.backupTargetURL !== req.url) {
    plan.warnings.push(`this replaces the backup target ${current.backupTargetURL}: Longhorn lists the backups of the new store from now on (the old store keeps its data)`);
  }
  return plan;
}

export type Reachability = { state: 'available'; lastSyncedAt?: string } | { state: 'unavailable'; message: string } | { state: 'unchecked' };

/**
 * The spec.syncRequestedAt that makes Longhorn check the target: now, in whole seconds as
 * Kubernetes times are, but always after its last sync (Longhorn checks again only when the
 * request is later than lastSyncedAt, so a request in the same second as a sync is ignored).
 */
export function syncRequestTime(before: LonghornBackupTarget | undefined, nowMs = Date.now()): string {
  const last = Date.parse(before?.status?.lastSyncedAt ?? '');
  const at = Number.isNaN(last) ? nowMs : Math.max(nowMs, last + 1000);
  return new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** What Longhorn last said about a backup target. */
export function reachabilityOf(target: LonghornBackupTarget | undefined): Reachability {
  if (!target) return { state: 'unchecked' };
  const s = backupTargetState(target);
  if (s.available) return { state: 'available', ...(target.status?.lastSyncedAt ? { lastSyncedAt: target.status.lastSyncedAt } : {}) };
  if (s.message) return { state: 'unavailable', message: s.message };
  return { state: 'unchecked' };
}

/**
 * Whether Longhorn has checked the target since our change: a success moves lastSyncedAt past
 * the request (and past what we saw before: a sync a few seconds earlier is not an answer);
 * a failure leaves lastSyncedAt alone but changes the status we saw before.
 */
export function checkedSince(before: LonghornBackupTarget | undefined, now: LonghornBackupTarget | undefined, requestedAt: string, skewMs = 10_000): boolean {
  if (!now) return false;
  const r = reachabilityOf(now);
  const seen = before?.status?.lastSyncedAt;
  if (r.state === 'available') return r.lastSyncedAt !== undefined && r.lastSyncedAt !== seen && Date.parse(r.lastSyncedAt) >= Date.parse(requestedAt) - skewMs;
  // Compared raw: the target we replace may have been unavailable for another reason (an empty URL).
  const complaint = (t: LonghornBackupTarget | undefined) => t?.status?.conditions?.find((c) => c.type === 'Unavailable' && c.status === 'True')?.message;
  if (r.state === 'unavailable') return complaint(before) !== complaint(now);
  return false;
}

// ---------------------------------------------------------------------------------------------
// Recurring jobs

export interface ScheduleFacts {
  existing?: LonghornRecurringJob;
}

export function planScheduleCreate(job: LonghornRecurringJob, facts: ScheduleFacts): Plan {
  const plan = emptyPlan(`schedule ${job.spec.task} "${job.spec.cron}" as recurring job ${job.metadata.name}`);
  const cur = facts.existing?.spec;
  const fields = ['task', 'cron', 'retain', 'concurrency', 'groups', 'labels'] as const;
  if (cur && fields.every((f) => JSON.stringify(cur[f] ?? (f === 'groups' ? [] : f === 'labels' ? {} : undefined)) === JSON.stringify(job.spec[f]))) {
    plan.notes.push(`Recurring job ${job.metadata.name} already exists with these settings.`);
    return plan;
  }
  plan.steps.push({ kind: 'apply', title: `${cur ? 'Update' : 'Create'} Longhorn recurring job ${job.metadata.name} (${job.spec.task}, "${job.spec.cron}", keep ${job.spec.retain})`, objects: [asObject(job)] });
  plan.steps.push({ kind: 'verify', title: `Check recurring job ${job.metadata.name}`, expect: [{ type: 'exists', ref: lhRef('RecurringJob', job.metadata.name), fields: { spec: { task: job.spec.task, cron: job.spec.cron } } }] });
  return plan;
}

/** Recurring-job labels of a volume: its own jobs and its groups. */
export function recurringLabelsOf(volume: Pick<LonghornVolume, 'metadata'>): { jobs: string[]; groups: string[] } {
  const labels = volume.metadata.labels ?? {};
  const pick = (prefix: string) => Object.entries(labels).filter(([k, v]) => k.startsWith(prefix) && v === 'enabled').map(([k]) => k.slice(prefix.length));
  return { jobs: pick(RECURRING_JOB_LABEL_PREFIX), groups: pick(RECURRING_JOB_GROUP_LABEL_PREFIX) };
}

/** Longhorn runs the jobs of group `default` on every volume that has no recurring-job label. */
export function jobAppliesTo(job: Pick<LonghornRecurringJob, 'metadata' | 'spec'>, volume: Pick<LonghornVolume, 'metadata'>): 'label' | 'group' | 'default-group' | undefined {
  const { jobs, groups } = recurringLabelsOf(volume);
  if (jobs.includes(job.metadata.name)) return 'label';
  const jobGroups = job.spec.groups ?? [];
  if (jobGroups.some((g) => groups.includes(g))) return 'group';
  if (jobs.length === 0 && groups.length === 0 && jobGroups.includes('default')) return 'default-group';
  return undefined;
}

export interface AttachFacts {
  job?: LonghornRecurringJob;
  volume: LonghornVolume;
  /** Every recurring job, to say which `default` group jobs stop applying. */
  jobs?: LonghornRecurringJob[];
}

const noSuchJob = (name: string) =>
  new UsageError(`recurring job ${name} does not exist`, { hint: `create it first: k8s-storage schedule create ${name} --task backup --cron "0 2 * * *" --retain 7  (k8s-storage schedule list shows the existing ones)` });

export function planScheduleAttach(name: string, claim: ClaimVolume, facts: AttachFacts): Plan {
  if (!facts.job) throw noSuchJob(name);
  const label = recurringJobAttachLabel(name);
  const key = Object.keys(label)[0]!;
  const plan = emptyPlan(`run recurring job ${name} on ${claimText(claim)} (Longhorn volume ${claim.volume})`);
  if (facts.volume.metadata.labels?.[key] === 'enabled') {
    plan.notes.push(`Recurring job ${name} is already attached to ${claimText(claim)}.`);
    return plan;
  }
  const { jobs, groups } = recurringLabelsOf(facts.volume);
  if (jobs.length === 0 && groups.length === 0) {
    const defaults = (facts.jobs ?? []).filter((j) => j.metadata.name !== name && (j.spec.groups ?? []).includes('default')).map((j) => j.metadata.name);
    if (defaults.length) plan.warnings.push(`${claimText(claim)} now has a recurring-job label, so the jobs of group "default" (${defaults.join(', ')}) stop applying to it; attach them too if it still needs them`);
  }
  const ref = lhRef('Volume', claim.volume);
  plan.steps.push({ kind: 'patch', title: `Label Longhorn volume ${claim.volume} with ${key}=enabled`, ref, patch: { metadata: { labels: label } } });
  plan.steps.push({ kind: 'verify', title: `Check the label on volume ${claim.volume}`, expect: [{ type: 'exists', ref, fields: { metadata: { labels: label } } }] });
  return plan;
}

export function planScheduleDetach(name: string, claim: ClaimVolume, facts: AttachFacts): Plan {
  const key = Object.keys(recurringJobAttachLabel(name))[0]!;
  const plan = emptyPlan(`stop running recurring job ${name} on ${claimText(claim)}`);
  if (facts.volume.metadata.labels?.[key] === undefined) {
    plan.notes.push(`Recurring job ${name} is not attached to ${claimText(claim)} by its own label.`);
  } else {
    plan.steps.push({ kind: 'patch', title: `Remove label ${key} from Longhorn volume ${claim.volume}`, ref: lhRef('Volume', claim.volume), patch: { metadata: { labels: { [key]: null } } } });
  }
  if (facts.job) {
    const after = { ...facts.volume, metadata: { ...facts.volume.metadata, labels: Object.fromEntries(Object.entries(facts.volume.metadata.labels ?? {}).filter(([k]) => k !== key)) } };
    const still = jobAppliesTo(facts.job, after);
    if (still === 'group') plan.warnings.push(`${name} still runs on ${claimText(claim)} through a group label (${facts.job.spec.groups.map((g) => RECURRING_JOB_GROUP_LABEL_PREFIX + g).join(', ')})`);
    if (still === 'default-group') plan.warnings.push(`${name} is in group "default", which Longhorn runs on every volume without recurring-job labels, ${claimText(claim)} included`);
  }
  return plan;
}

export function planScheduleDelete(name: string, facts: { job?: LonghornRecurringJob; attached: number }): Plan {
  const plan = emptyPlan(`delete recurring job ${name}`);
  if (!facts.job) {
    plan.notes.push(`Recurring job ${name} does not exist (already deleted?).`);
    return plan;
  }
  if (facts.attached) plan.notes.push(`${facts.attached} volume(s) stop running it; their existing snapshots and backups stay.`);
  plan.steps.push({ kind: 'delete', title: `Delete Longhorn recurring job ${name}`, refs: [lhRef('RecurringJob', name)] });
  return plan;
}

/** The expectation a caller can re-check: exported for tests of the wait semantics. */
