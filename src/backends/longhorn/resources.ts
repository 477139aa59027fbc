/**
 * Pure builders of Longhorn custom resources (longhorn.io/v1beta2, namespace longhorn-system).
 *
 * Field names follow longhorn-manager's Go types (k8s/pkg/apis/longhorn/v1beta2/*.go), not the
 * tutorial: its `VolumeSnapshot` with `spec.volumeName` does not exist, and its CronJob calling
 * `longhorn-manager backup create` is not an interface Longhorn offers; RecurringJob is.
 *
 * Each builder has a `...Problems` twin that returns every problem, so a command can gather the
 * problems of all its inputs before it throws one UsageError.
 */

import type { ClusterNames } from '../../cli-kit.js';
import { UsageError } from '../../errors.js';
import { LONGHORN_CHART } from './chart.js';
import { dnsLabelProblems, objectNameProblems as dnsSubdomainProblems, isQualifiedName, labelsProblems as labelProblems, toDnsLabelStem } from '../../manifests/names.js';

export const LONGHORN_API_VERSION = 'longhorn.io/v1beta2';
export const LONGHORN_NAMESPACE = LONGHORN_CHART.namespace;

/** Names of one kind of Longhorn object, for completion (`snapshot delete data <TAB>`). */
export const longhornNames = (kind: string, ofClaim?: ClusterNames['ofClaim']): ClusterNames => ({ apiVersion: LONGHORN_API_VERSION, kind, namespace: LONGHORN_NAMESPACE, ...(ofClaim ? { ofClaim } : {}) });

export interface LonghornObjectMeta {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
}

function meta(name: string, labels?: Record<string, string>): LonghornObjectMeta {
  const m: LonghornObjectMeta = { name, namespace: LONGHORN_NAMESPACE };
  if (labels && Object.keys(labels).length > 0) m.labels = { ...labels };
  return m;
}

function throwIfAny(problems: string[]): void {
  if (problems.length > 0) throw new UsageError(problems);
}

// Longhorn's own volume-name rule (util.ValidateName in longhorn-manager). CSI volumes are `pvc-<uid>`.
const LONGHORN_VOLUME_NAME = /^[a-z0-9][a-z0-9_.-]+$/;

function volumeNameProblems(field: string, volume: string): string[] {
  if (!volume) return [`${field}: the Longhorn volume name is required (for a PVC it is the PV name, pvc-<uid>)`];
  if (!LONGHORN_VOLUME_NAME.test(volume)) {
    return [`${field}: "${volume}" is not a Longhorn volume name: use lower-case letters, digits, '-', '_' and '.'`];
  }
  return [];
}

/** UTC `yyyymmddhhmmss`: sortable, and valid inside a DNS-1123 name. */
export function utcStamp(now: Date): string {
  return now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

function generatedName(stem: string, fallback: string, now: Date): string {
  const stamp = utcStamp(now);
  const start = toDnsLabelStem(stem, 63 - stamp.length - 1) || fallback;
  return `${start}-${stamp}`;
}

// ---------------------------------------------------------------------------------------------
// Snapshot

export interface LonghornSnapshot {
  apiVersion: typeof LONGHORN_API_VERSION;
  kind: 'Snapshot';
  metadata: LonghornObjectMeta;
  spec: {
    volume: string;
    createSnapshot: boolean;
    labels: Record<string, string>;
  };
  /** Written by Longhorn (SnapshotStatus); absent on what we build. */
  status?: {
    parent?: string;
    markRemoved?: boolean;
    userCreated?: boolean;
    /** RFC 3339, set once the engine took the snapshot. */
    creationTime?: string;
    /** Bytes of data the snapshot holds (not the volume size). */
    size?: number | string;
    restoreSize?: number | string;
    readyToUse?: boolean;
    /** Snapshots taken after this one, and `volume-head` when the volume's live data grows from it. */
    children?: Record<string, boolean>;
    error?: string;
  };
}

export interface SnapshotRequest {
  /** The Longhorn volume (for a PVC: its PV name). */
  volume: string;
  name?: string;
  /** The PVC the volume belongs to, used only to make the generated name readable. */
  pvc?: string;
  labels?: Record<string, string>;
  /** Injected clock for generated names. */
  now?: Date;
}

export function snapshotProblems(req: SnapshotRequest): string[] {
  return [
    ...volumeNameProblems('snapshot volume', req.volume),
    ...(req.name === undefined ? [] : dnsLabelProblems('snapshot name', req.name)),
    ...labelProblems('snapshot labels', req.labels ?? {}),
  ];
}

/** The name a snapshot gets when none is given: `<pvc-or-volume>-<UTC yyyymmddhhmmss>`. */
export function defaultSnapshotName(req: Pick<SnapshotRequest, 'volume' | 'pvc' | 'now'>): string {
  return generatedName(req.pvc ?? req.volume, 'snapshot', req.now ?? new Date());
}

export function buildSnapshot(req: SnapshotRequest): LonghornSnapshot {
  throwIfAny(snapshotProblems(req));
  return {
    apiVersion: LONGHORN_API_VERSION,
    kind: 'Snapshot',
    metadata: meta(req.name ?? defaultSnapshotName(req)),
    // createSnapshot: true asks Longhorn to take the snapshot; false only tracks an existing one.
    spec: { volume: req.volume, createSnapshot: true, labels: { ...(req.labels ?? {}) } },
  };
}

// ---------------------------------------------------------------------------------------------
// Backup

export const BACKUP_MODES = ['full', 'incremental'] as const;
export type BackupMode = (typeof BACKUP_MODES)[number];

/** Backup.status.state values (BackupState); Completed, Error and Unknown are final. */
export const BACKUP_STATES = ['', 'Pending', 'InProgress', 'Completed', 'Error', 'Unknown'] as const;

/**
 * The label naming a Backup's volume. Recent longhorn-manager webhooks derive it from the
 * snapshot; older ones reject a Backup without it, so setting it works with both.
 */
export const BACKUP_VOLUME_LABEL = 'backup-volume';

export interface LonghornBackup {
  apiVersion: typeof LONGHORN_API_VERSION;
  kind: 'Backup';
  metadata: LonghornObjectMeta;
  spec: {
    snapshotName: string;
    labels: Record<string, string>;
    backupMode?: BackupMode;
  };
  /** Written by Longhorn (BackupStatus); absent on what we build. */
  status?: {
    state?: (typeof BACKUP_STATES)[number];
    progress?: number;
    error?: string;
    url?: string;
    snapshotName?: string;
    snapshotCreatedAt?: string;
    backupCreatedAt?: string;
    /** Bytes, as a string. */
    size?: string;
    volumeName?: string;
    /** The backed-up volume's size in bytes, as a string: what a restore must create. */
    volumeSize?: string;
    /** Labels stored with the backup; `KubernetesStatus` holds the claim it was taken of, as JSON. */
    labels?: Record<string, string>;
  };
}

export interface BackupRequest {
  snapshotName: string;
  name?: string;
  labels?: Record<string, string>;
  /** Omitted: Longhorn's webhook fills in `incremental`. */
  mode?: BackupMode;
  /** The snapshot's Longhorn volume: sets the `backup-volume` label older Longhorn requires. */
  volume?: string;
}

export function backupProblems(req: BackupRequest): string[] {
  const problems = [
    ...dnsSubdomainProblems('backup snapshot name', req.snapshotName),
    ...(req.name === undefined ? [] : dnsLabelProblems('backup name', req.name)),
    ...labelProblems('backup labels', req.labels ?? {}),
    ...(req.volume === undefined ? [] : volumeNameProblems('backup volume', req.volume)),
  ];
  if (req.mode !== undefined && !(BACKUP_MODES as readonly string[]).includes(req.mode)) {
    problems.push(`backup mode: "${String(req.mode)}" is not one of ${BACKUP_MODES.join(', ')}`);
  }
  return problems;
}

/**
 * Deterministic, so that re-running the same request finds the existing Backup instead of
 * uploading the snapshot twice. Snapshot names already carry a timestamp.
 */
export function defaultBackupName(snapshotName: string): string {
  return `backup-${toDnsLabelStem(snapshotName, 63 - 'backup-'.length)}`.replace(/-+$/, '');
}

export function buildBackup(req: BackupRequest): LonghornBackup {
  throwIfAny(backupProblems(req));
  // The volume and backup-target labels are left out on purpose: longhorn-manager's backup
  // mutating webhook derives both from the snapshot when they are absent.
  const spec: LonghornBackup['spec'] = { snapshotName: req.snapshotName, labels: { ...(req.labels ?? {}) } };
  if (req.mode !== undefined) spec.backupMode = req.mode;
  return {
    apiVersion: LONGHORN_API_VERSION,
    kind: 'Backup',
    metadata: meta(req.name ?? defaultBackupName(req.snapshotName), req.volume === undefined ? undefined : { [BACKUP_VOLUME_LABEL]: req.volume }),
    spec,
  };
}

// ---------------------------------------------------------------------------------------------
// RecurringJob

/** The task enum of RecurringJobSpec (`+kubebuilder:validation:Enum` in recurringjob.go). */
export const RECURRING_JOB_TASKS = [
  'snapshot',
  'snapshot-force-create',
  'snapshot-cleanup',
  'snapshot-delete',
  'backup',
  'backup-force-create',
  'filesystem-trim',
  'system-backup',
] as const;
export type RecurringJobTask = (typeof RECURRING_JOB_TASKS)[number];

/** longhorn-manager types.MaximumJobNameSize: the name ends up inside CronJob and label names. */
export const RECURRING_JOB_NAME_MAX = 40;
/** The default of Longhorn's `recurring-job-max-retention` setting, which the webhook enforces. */
export const RECURRING_JOB_MAX_RETAIN = 100;

/** Tasks whose retain count has no effect: Longhorn's mutating webhook forces it to 0. */
const TASKS_WITHOUT_RETAIN: readonly RecurringJobTask[] = ['snapshot-cleanup', 'filesystem-trim'];

export interface LonghornRecurringJob {
  apiVersion: typeof LONGHORN_API_VERSION;
  kind: 'RecurringJob';
  metadata: LonghornObjectMeta;
  spec: {
    name: string;
    groups: string[];
    task: RecurringJobTask;
    cron: string;
    retain: number;
    concurrency: number;
    labels: Record<string, string>;
  };
}

export interface RecurringJobRequest {
  name: string;
  task: RecurringJobTask;
  cron: string;
  /** Snapshots or backups to keep. Optional for snapshot-cleanup and filesystem-trim (always 0). */
  retain?: number;
  /** Volumes processed at the same time by one run; Longhorn's default is 1. */
  concurrency?: number;
  groups?: string[];
  labels?: Record<string, string>;
}

function retainProblems(task: string, retain: number | undefined): string[] {
  const noRetain = (TASKS_WITHOUT_RETAIN as readonly string[]).includes(task);
  if (retain === undefined) {
    return noRetain ? [] : [`recurring job retain: required for task ${task} (how many ${task.startsWith('backup') ? 'backups' : 'snapshots'} to keep, 1-${RECURRING_JOB_MAX_RETAIN})`];
  }
  if (!Number.isInteger(retain)) return [`recurring job retain: ${retain} is not a whole number`];
  if (noRetain) {
    return retain === 0 ? [] : [`recurring job retain: task ${task} keeps nothing, so retain must be 0 or left out (Longhorn would silently reset ${retain} to 0)`];
  }
  // snapshot-delete with 0 removes every snapshot; every other task needs at least one kept.
  const min = task === 'snapshot-delete' ? 0 : 1;
  if (retain < min || retain > RECURRING_JOB_MAX_RETAIN) {
    return [`recurring job retain: ${retain} is out of range ${min}-${RECURRING_JOB_MAX_RETAIN} for task ${task}`];
  }
  return [];
}

export function recurringJobProblems(req: RecurringJobRequest): string[] {
  const problems = [...dnsLabelProblems('recurring job name', req.name, RECURRING_JOB_NAME_MAX)];
  const taskKnown = (RECURRING_JOB_TASKS as readonly string[]).includes(req.task);
  if (!taskKnown) {
    problems.push(`recurring job task: "${String(req.task)}" is not one of ${RECURRING_JOB_TASKS.join(', ')}`);
  }
  problems.push(...cronScheduleProblems('recurring job cron', req.cron));
  if (taskKnown) problems.push(...retainProblems(req.task, req.retain));
  if (req.concurrency !== undefined && (!Number.isInteger(req.concurrency) || req.concurrency < 1)) {
    problems.push(`recurring job concurrency: ${req.concurrency} must be a whole number of at least 1`);
  }
  for (const group of req.groups ?? []) {
    // The group becomes the name part of the label key recurring-job-group.longhorn.io/<group>.
    if (!isQualifiedName(group)) {
      problems.push(`recurring job group: "${group}" is not valid: 1-63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit`);
    }
  }
  problems.push(...labelProblems('recurring job labels', req.labels ?? {}));
  return problems;
}

export function buildRecurringJob(req: RecurringJobRequest): LonghornRecurringJob {
  throwIfAny(recurringJobProblems(req));
  return {
    apiVersion: LONGHORN_API_VERSION,
    kind: 'RecurringJob',
    metadata: meta(req.name),
    spec: {
      name: req.name,
      groups: [...(req.groups ?? [])],
      task: req.task,
      cron: req.cron.trim(),
      retain: req.retain ?? 0,
      concurrency: req.concurrency ?? 1,
      labels: { ...(req.labels ?? {}) },
    },
  };
}

export const RECURRING_JOB_LABEL_PREFIX = 'recurring-job.longhorn.io/';
export const RECURRING_JOB_GROUP_LABEL_PREFIX = 'recurring-job-group.longhorn.io/';

/** The label that attaches a RecurringJob to one Longhorn volume (or its PVC). */
export function recurringJobAttachLabel(name: string): Record<string, 'enabled'> {
  throwIfAny(dnsLabelProblems('recurring job name', name, RECURRING_JOB_NAME_MAX));
  return { [`${RECURRING_JOB_LABEL_PREFIX}${name}`]: 'enabled' };
}

/** The label that attaches every RecurringJob of a group to a volume. */
export function recurringJobGroupLabel(group: string): Record<string, 'enabled'> {
  if (!isQualifiedName(group)) {
    throw new UsageError(`recurring job group: "${group}" is not valid: 1-63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit`);
  }
  return { [`${RECURRING_JOB_GROUP_LABEL_PREFIX}${group}`]: 'enabled' };
}

// --- cron ----------------------------------------------------------------------------------
// Longhorn checks the schedule with robfig/cron's ParseStandard and hands it to a Kubernetes
// CronJob, so we accept what both accept: five fields, or the fixed @-shortcuts.

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const CRON_FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

export const CRON_SHORTCUTS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'] as const;

function cronValue(field: CronField, text: string): number | string {
  if (field.names) {
    const i = field.names.indexOf(text.toLowerCase());
    if (i >= 0) return i + field.min;
  }
  if (!/^\d+$/.test(text)) {
    const named = field.names ? ` (or a name such as ${field.names[0]!.toUpperCase()})` : '';
    return `${field.name} "${text}" is not a number${named}`;
  }
  const n = Number(text);
  if (n < field.min || n > field.max) {
    const sunday = field.name === 'day of week' && n === 7 ? '; use 0 for Sunday' : '';
    return `${field.name} ${n} is out of range ${field.min}-${field.max}${sunday}`;
  }
  return n;
}

function cronFieldProblems(field: CronField, text: string): string[] {
  const problems: string[] = [];
  for (const part of text.split(',')) {
    if (part === '') {
      problems.push(`${field.name} "${text}" has an empty list item`);
      continue;
    }
    const pieces = part.split('/');
    if (pieces.length > 2) {
      problems.push(`${field.name} "${part}" has more than one '/'`);
      continue;
    }
    const [range = '', step] = pieces;
    if (step !== undefined && (!/^\d+$/.test(step) || Number(step) < 1)) {
      problems.push(`${field.name} step "${step}" must be a whole number of at least 1`);
    }
    if (range === '*' || range === '?') continue;
    const bounds = range.split('-');
    if (bounds.length > 2 || bounds.some((b) => b === '')) {
      problems.push(`${field.name} "${range}" is not a value or a range a-b`);
      continue;
    }
    const values = bounds.map((b) => cronValue(field, b));
    const errors = values.filter((v): v is string => typeof v === 'string');
    problems.push(...errors);
    if (errors.length === 0 && values.length === 2 && (values[0] as number) > (values[1] as number)) {
      problems.push(`${field.name} range "${range}" starts after it ends`);
    }
  }
  return problems;
}

/** Every problem with a RecurringJob schedule; empty when Longhorn and Kubernetes accept it. */
export function cronScheduleProblems(label: string, cron: string): string[] {
  const text = (cron ?? '').trim();
  if (!text) return [`${label}: a schedule is required, e.g. "0 2 * * *" (every day at 02:00)`];
  if (/^(CRON_)?TZ=/.test(text)) {
    return [`${label}: "${text}": a time zone prefix is not accepted; Kubernetes rejects TZ= in CronJob schedules`];
  }
  if (text.startsWith('@')) {
    if ((CRON_SHORTCUTS as readonly string[]).includes(text)) return [];
    const every = text.startsWith('@every') ? '; write the interval as five fields, e.g. "*/30 * * * *"' : '';
    return [`${label}: "${text}" is not one of ${CRON_SHORTCUTS.join(', ')}${every}`];
  }
  const fields = text.split(/\s+/);
  if (fields.length !== CRON_FIELDS.length) {
    const seconds = fields.length === 6 ? ' (a seconds field is not supported)' : '';
    return [`${label}: "${text}" has ${fields.length} fields; expected 5: minute hour day-of-month month day-of-week${seconds}`];
  }
  return fields.flatMap((f, i) => cronFieldProblems(CRON_FIELDS[i]!, f).map((p) => `${label}: "${text}": ${p}`));
}

// ---------------------------------------------------------------------------------------------
// Backup targets

export const BACKUP_TARGET_KINDS = ['s3', 'nfs', 'cifs', 'azblob'] as const;
export type BackupTargetKind = (typeof BACKUP_TARGET_KINDS)[number];

export interface ParsedBackupTarget {
  kind: BackupTargetKind;
  url: string;
  /** Whether Longhorn needs a credential Secret in longhorn-system to reach it. */
  needsCredentials: boolean;
}

const BACKUP_TARGET_FORMS = 's3://bucket@region/path/, nfs://host:/export/path, cifs://host/share/path, azblob://container@core.windows.net/path/';

/** What a credential Secret for each kind must hold (from Longhorn's backup-target docs). */
export const BACKUP_CREDENTIAL_KEYS: Readonly<Record<Exclude<BackupTargetKind, 'nfs'>, readonly string[]>> = {
  s3: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINTS (for MinIO and other S3-compatible stores)'],
  cifs: ['CIFS_USERNAME', 'CIFS_PASSWORD'],
  azblob: ['AZBLOB_ACCOUNT_NAME', 'AZBLOB_ACCOUNT_KEY'],
};

function s3LikeProblems(url: string, rest: string, what: 'bucket' | 'container', example: string): string[] {
  const slash = rest.indexOf('/');
  const authority = slash >= 0 ? rest.slice(0, slash) : rest;
  const at = authority.indexOf('@');
  const problems: string[] = [];
  if (at < 0) {
    problems.push(`backup target "${url}" is missing @${what === 'bucket' ? 'region' : 'endpoint'}: write ${example}`);
  } else {
    if (at === 0) problems.push(`backup target "${url}" has no ${what} name before '@': write ${example}`);
    if (at === authority.length - 1) problems.push(`backup target "${url}" has nothing after '@': write ${example}`);
  }
  // Longhorn's documentation: "Make sure that you have / at the end, otherwise you will get an error."
  if (!rest.endsWith('/')) problems.push(`backup target "${url}" must end with '/': ${url}/`);
  return problems;
}

/** Every problem with a backup target URL, and the parsed target when there are none. */
export function checkBackupTarget(url: string): { target?: ParsedBackupTarget; problems: string[] } {
  const text = url ?? '';
  if (!text) return { problems: [`backup target: a URL is required, one of ${BACKUP_TARGET_FORMS}`] };
  if (/\s/.test(text)) return { problems: [`backup target "${text}" contains white space`] };
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/.exec(text);
  const scheme = m?.[1]?.toLowerCase();
  const rest = m?.[2] ?? '';
  if (!scheme || !(BACKUP_TARGET_KINDS as readonly string[]).includes(scheme)) {
    return { problems: [`backup target "${text}" is not a URL Longhorn understands; use one of ${BACKUP_TARGET_FORMS}`] };
  }
  const kind = scheme as BackupTargetKind;
  const problems: string[] = [];
  if (m![1] !== scheme) problems.push(`backup target "${text}": write the scheme in lower case (${scheme}://)`);
  switch (kind) {
    case 's3':
      problems.push(...s3LikeProblems(text, rest, 'bucket', 's3://bucket@us-east-1/ (any region name works for MinIO)'));
      break;
    case 'azblob':
      problems.push(...s3LikeProblems(text, rest, 'container', 'azblob://container@core.windows.net/'));
      break;
    case 'nfs': {
      const path = rest.split('?')[0]!;
      const colon = path.indexOf(':/');
      if (colon < 0 && /^[^/[]+:[^/]/.test(path)) {
        problems.push(`backup target "${text}": the export path after ':' must be absolute: nfs://${path.replace(':', ':/')}`);
      } else if (colon < 0) {
        const slash = path.indexOf('/');
        const host = slash >= 0 ? path.slice(0, slash) : path;
        const exportPath = slash >= 0 ? path.slice(slash) : '/export/path';
        problems.push(`backup target "${text}" needs a ':' between the NFS server and the export path: nfs://${host || 'server'}:${exportPath}`);
      } else if (colon === 0) {
        problems.push(`backup target "${text}" has no NFS server before ':/'`);
      }
      break;
    }
    case 'cifs': {
      const path = rest.split('?')[0]!;
      const [host = '', share = ''] = path.split('/');
      if (!host) problems.push(`backup target "${text}" has no server: write cifs://server/share`);
      if (!share) problems.push(`backup target "${text}" has no share name: write cifs://${host || 'server'}/share`);
      break;
    }
  }
  if (problems.length > 0) return { problems };
  return { target: { kind, url: text, needsCredentials: kind !== 'nfs' }, problems };
}

/** Parses a backup target URL; throws a UsageError naming every problem. */
export function parseBackupTarget(url: string): ParsedBackupTarget {
  const { target, problems } = checkBackupTarget(url);
  throwIfAny(problems);
  return target!;
}

export interface LonghornBackupTarget {
  apiVersion: typeof LONGHORN_API_VERSION;
  kind: 'BackupTarget';
  metadata: LonghornObjectMeta;
  spec: {
    backupTargetURL: string;
    credentialSecret: string;
    /** A Go duration (metav1.Duration), e.g. "300s". */
    pollInterval: string;
    /** Asks Longhorn to check the target now: it syncs when this is later than status.lastSyncedAt. */
    syncRequestedAt?: string;
  };
  /** Written by Longhorn (BackupTargetStatus); absent on what we build. */
  status?: {
    available?: boolean;
    /** Type `Unavailable`, status "True" with the reason in `message` when it cannot be reached. */
    conditions?: LonghornCondition[];
    lastSyncedAt?: string | null;
    backupVolumeCount?: number;
  };
}

/** Longhorn's own Condition type (v1beta2 Condition), used by Node, disks and BackupTarget. */
export interface LonghornCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  reason?: string;
  message?: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
}

/** Seconds in a Go duration as metav1.Duration serialises it ("5m0s", "300s", "1h0m0s"); undefined if unreadable. */
export function goDurationSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|\u00b5s|ns)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text) return undefined;
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, 'µs': 1e-6, ns: 1e-9 };
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2]!]!, 0);
}

export interface BackupTargetRequest {
  url: string;
  credentialSecret?: string;
  /** Seconds between checks of the store for new backups; 0 disables polling. Default 300. */
  pollInterval?: number;
  /** Since v1.8 Longhorn creates the target `default` itself; other names add targets. */
  name?: string;
}

export function backupTargetProblems(req: BackupTargetRequest): string[] {
  const { target, problems } = checkBackupTarget(req.url);
  if (req.credentialSecret !== undefined && req.credentialSecret !== '') {
    problems.push(...dnsSubdomainProblems('backup credential secret', req.credentialSecret));
  } else if (target?.needsCredentials) {
    const keys = BACKUP_CREDENTIAL_KEYS[target.kind as Exclude<BackupTargetKind, 'nfs'>];
    problems.push(`backup credential secret: a ${target.kind} backup target needs a Secret in ${LONGHORN_NAMESPACE} holding ${keys.join(', ')}`);
  }
  if (req.pollInterval !== undefined && (!Number.isInteger(req.pollInterval) || req.pollInterval < 0)) {
    problems.push(`backup target poll interval: ${req.pollInterval} must be a whole number of seconds (0 disables polling)`);
  }
  if (req.name !== undefined) problems.push(...dnsSubdomainProblems('backup target name', req.name));
  return problems;
}

export function buildBackupTarget(req: BackupTargetRequest): LonghornBackupTarget {
  throwIfAny(backupTargetProblems(req));
  return {
    apiVersion: LONGHORN_API_VERSION,
    kind: 'BackupTarget',
    metadata: meta(req.name ?? 'default'),
    spec: {
      backupTargetURL: req.url,
      credentialSecret: req.credentialSecret ?? '',
      pollInterval: `${req.pollInterval ?? 300}s`,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Settings

/** A merge patch of one Longhorn Setting, as data for the kubectl adapter. */
export interface LonghornSettingPatch {
  apiVersion: typeof LONGHORN_API_VERSION;
  kind: 'Setting';
  /** The resource name kubectl takes: `kubectl -n <ns> patch <resource> <name> --type=merge -p <patch>`. */
  resource: 'settings.longhorn.io';
  namespace: string;
  name: string;
  patchType: 'merge';
  /** A Setting's value is always a string, at the top level of the object (no spec). */
  patch: { value: string };
}

/**
 * Uninstall step 2: the `longhorn-uninstall` job refuses to run while this flag is false, which
 * is what keeps a stray `helm uninstall` from deleting every volume.
 */
export function deletingConfirmationPatch(): LonghornSettingPatch {
  return {
    apiVersion: LONGHORN_API_VERSION,
    kind: 'Setting',
    resource: 'settings.longhorn.io',
    namespace: LONGHORN_NAMESPACE,
    name: 'deleting-confirmation-flag',
    patchType: 'merge',
    patch: { value: 'true' },
  };
}

// ---------------------------------------------------------------------------------------------
// Volume (read, never built): the fields status and health checks look at.

export const LONGHORN_VOLUME_STATES = ['creating', 'attached', 'detached', 'attaching', 'detaching', 'deleting'] as const;
export type LonghornVolumeState = (typeof LONGHORN_VOLUME_STATES)[number];

/** `degraded`: fewer healthy replicas than spec.numberOfReplicas, e.g. more replicas than nodes. */
export const LONGHORN_VOLUME_ROBUSTNESS = ['healthy', 'degraded', 'faulted', 'unknown'] as const;
export type LonghornVolumeRobustness = (typeof LONGHORN_VOLUME_ROBUSTNESS)[number];

export interface LonghornVolume {
  apiVersion: typeof LONGHORN_API_VERSION;
  kind: 'Volume';
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: {
    numberOfReplicas?: number;
    /** Bytes, serialised as a string (`json:"size,string"`). */
    size?: string;
    dataLocality?: 'disabled' | 'best-effort' | 'strict-local';
    accessMode?: 'rwo' | 'rwx';
    backupTargetName?: string;
    /** A backup URL to restore from (s3://...?backup=B&volume=V); set once, at creation. */
    fromBackup?: string;
    /** A clone's source: `snap://<volume>/<snapshot>` or `vol://<volume>`. */
    dataSource?: string;
    frontend?: 'blockdev' | 'iscsi' | 'nvmf' | '';
    dataEngine?: 'v1' | 'v2';
    /** Set by Longhorn's VolumeAttachment controller from the winning attachment ticket. */
    nodeID?: string;
    /** Attached without its block device: maintenance mode, which snapshotRevert requires. */
    disableFrontend?: boolean;
  };
  status?: {
    state?: LonghornVolumeState | '';
    robustness?: LonghornVolumeRobustness | '';
    currentNodeID?: string;
    kubernetesStatus?: { pvName?: string; pvcName?: string; namespace?: string };
    /** A restore (fromBackup) is still owed: true from creation until the data is in. */
    restoreRequired?: boolean;
    frontendDisabled?: boolean;
    cloneStatus?: { sourceVolume?: string; snapshot?: string; state?: '' | 'initiated' | 'copy-completed-awaiting-healthy' | 'completed' | 'failed' };
    conditions?: LonghornCondition[];
  };
}

/** Volume.spec.dataSource of a clone from a snapshot (types.NewVolumeDataSourceTypeSnapshot). */
export const snapshotDataSource = (volume: string, snapshot: string) => `snap://${volume}/${snapshot}`;

export interface RestoreVolumeRequest {
  name: string;
  /** Bytes. */
  size: string;
  replicas: number;
  source: { fromBackup: string } | { dataSource: string };
  labels?: Record<string, string>;
}

/**
 * A Volume that Longhorn fills from a backup or a snapshot. spec.size is a quoted byte string:
 * the webhook rejects `1Gi` and bare numbers.
 */
export function buildRestoreVolume(req: RestoreVolumeRequest): LonghornVolume {
  const problems = volumeNameProblems('volume name', req.name);
  if (!/^\d+$/.test(req.size) || req.size === '0') problems.push(`volume size: "${req.size}" is not a number of bytes`);
  if (!Number.isInteger(req.replicas) || req.replicas < 1 || req.replicas > 20) problems.push(`volume replicas: ${req.replicas} is not between 1 and 20`);
  throwIfAny(problems);
  return {
    apiVersion: LONGHORN_API_VERSION,
    kind: 'Volume',
    metadata: meta(req.name, req.labels),
    spec: { size: req.size, numberOfReplicas: req.replicas, frontend: 'blockdev', dataEngine: 'v1', accessMode: 'rwo', ...req.source },
  };
}

/** A Longhorn VolumeAttachment (named after its volume): who wants the volume attached, where and how. */
export interface LonghornVolumeAttachment {
  apiVersion: typeof LONGHORN_API_VERSION;
  kind: 'VolumeAttachment';
  metadata: LonghornObjectMeta;
  spec: {
    volume?: string;
    attachmentTickets?: Record<string, { id: string; type: string; nodeID: string; parameters?: Record<string, string>; generation?: number }>;
  };
  status?: { attachmentTicketStatuses?: Record<string, { id: string; satisfied: boolean; conditions?: LonghornCondition[] }> };
}
