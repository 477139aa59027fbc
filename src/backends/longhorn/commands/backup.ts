/** `backup target set|show`, `backup create|list`: Longhorn backups of claims to an NFS or S3 store. */
import { ClusterSession } from '../../../cluster/session.js';
import { outputFormat, type Context } from '../../../context.js';
import { API_VERSION, listDocument } from '../../../documents.js';
import { duration, oneOf } from '../../../options/index.js';
import { ClusterError, hasReason, UsageError } from '../../../errors.js';
import {
  BACKUP_MODES,
  backupTargetProblems,
  checkBackupTarget,
  defaultBackupName,
  defaultSnapshotName,
  goDurationSeconds,
  LONGHORN_API_VERSION,
  LONGHORN_NAMESPACE,
  type BackupMode,
  type LonghornBackup,
  type LonghornBackupTarget,
  type LonghornSnapshot,
  type LonghornVolume,
} from '../resources.js';
import { dnsLabelProblems, labelsProblems, parseKeyValues } from '../../../manifests/names.js';
import { formatData, tablePrinter } from '../../../output/print.js';
import { checkedSince, credentialSecretCommand, syncRequestTime, planBackupCreate, planBackupTargetSet, reachabilityOf, type Reachability } from '../data-plan.js';
import { claimNamespace, claimOfVolume, listScope, longhornRef, requireLonghorn, resolveClaim, type Kube } from './volumes.js';
import { runPlan } from '../../../commands/run-plan.js';
import { formatBytes, waitFlags } from './snapshot.js';
import { byText } from '../../../sort.js';

const TARGET = 'default';

/** --poll-interval: a duration (5m, 300s) or 0 to stop polling; seconds. */
function pollIntervalSeconds(text: string | undefined): { seconds?: number; problems: string[] } {
  if (text === undefined) return { problems: [] };
  const problems: string[] = [];
  const ms = duration('--poll-interval', text, problems, { allowZero: true });
  if (ms === undefined) return { problems };
  if (ms % 1000 !== 0) return { problems: [`--poll-interval: "${text}" must be a whole number of seconds`] };
  return { seconds: ms / 1000, problems: [] };
}

function describeReachability(url: string, r: Reachability): string {
  switch (r.state) {
    case 'available':
      return `Longhorn reaches the backup target ${url}${r.lastSyncedAt ? ` (checked ${r.lastSyncedAt})` : ''}`;
    case 'unavailable':
      return `Longhorn cannot reach the backup target ${url}: ${r.message}`;
    case 'unchecked':
      return `Longhorn has not checked the backup target ${url} yet`;
  }
}

export async function backupTargetSet(ctx: Context, url: string, opts: Record<string, any>): Promise<void> {
  const poll = pollIntervalSeconds(opts.pollInterval);
  const secret: string | undefined = opts.credentialsSecret;
  const problems = [...backupTargetProblems({ url, ...(secret ? { credentialSecret: secret } : {}) }), ...poll.problems];
  const { wait, timeoutMs } = waitFlags(opts, '1m', problems);
  if (problems.length) {
    // The scheme is enough to know a Secret is needed, even when the rest of the URL is wrong.
    const kind = checkBackupTarget(url).target?.kind ?? (/^(s3|cifs|azblob):\/\//i.exec(url)?.[1]?.toLowerCase() as 's3' | 'cifs' | 'azblob' | undefined);
    const needsSecret = kind && kind !== 'nfs' && !secret;
    throw new UsageError(problems, needsSecret ? { hint: `create a Secret and pass --credentials-secret NAME: ${credentialSecretCommand(kind, 'NAME')}` } : {});
  }
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  await requireLonghorn(kube);
  const ref = longhornRef('BackupTarget', TARGET);
  const [existing, secretObj] = await Promise.all([
    kube.get<Kube<LonghornBackupTarget>>(ref),
    secret ? kube.get<Kube<{ data?: Record<string, string>; stringData?: Record<string, string> }>>({ apiVersion: 'v1', kind: 'Secret', name: secret, namespace: LONGHORN_NAMESPACE }) : undefined,
  ]);
  const requestedAt = syncRequestTime(existing);
  const plan = planBackupTargetSet(
    { url, ...(secret ? { credentialSecret: secret } : {}), ...(poll.seconds !== undefined ? { pollInterval: poll.seconds } : {}), requestedAt },
    { ...(existing ? { existing } : {}), ...(secretObj ? { secretKeys: Object.keys({ ...(secretObj.data ?? {}), ...(secretObj.stringData ?? {}) }) } : {}) },
  );
  const done = await runPlan(ctx, session, plan, opts);
  if (!done) return;
  if (plan.steps.length) ctx.log.success(`backup target set to ${url}`);
  let now = existing;
  if (plan.steps.length && wait) {
    try {
      now = await kube.waitFor<Kube<LonghornBackupTarget>>(ref, (o) => checkedSince(existing, o, requestedAt) || 'Longhorn has not checked it yet', { timeoutMs, signal: ctx.signal, what: 'Longhorn to check the backup target' });
    } catch (err) {
      if (!hasReason(err, 'timeout')) throw err;
      ctx.log.warn(`Longhorn did not check the backup target within ${opts.timeout ?? '1m'}; see later: k8s-storage backup target show`);
      return;
    }
  } else if (plan.steps.length) {
    ctx.log.info('Not waiting for Longhorn to check it: k8s-storage backup target show says whether it can reach it.');
    return;
  }
  const reach = reachabilityOf(now);
  if (reach.state === 'unavailable') {
    throw new ClusterError(describeReachability(url, reach), { hint: 'check the URL, that the nodes can reach the server (NFS: the export allows them; S3: the endpoint and credentials), then rerun' });
  }
  if (reach.state === 'available') ctx.log.success(describeReachability(url, reach));
  else ctx.log.info(describeReachability(url, reach));
}

export interface BackupTargetSummary {
  name: string;
  url: string;
  credentialSecret: string;
  pollInterval: string;
  reachability: Reachability['state'] | 'not set';
  message?: string;
  lastSyncedAt?: string;
  backupVolumes?: number;
}

export function backupTargetSummary(t: LonghornBackupTarget | undefined): BackupTargetSummary {
  const r = reachabilityOf(t);
  const url = t?.spec?.backupTargetURL ?? '';
  const seconds = goDurationSeconds(t?.spec?.pollInterval);
  return {
    name: t?.metadata.name ?? TARGET,
    url,
    credentialSecret: t?.spec?.credentialSecret ?? '',
    pollInterval: seconds === undefined ? (t?.spec?.pollInterval ?? '') : seconds === 0 ? 'never' : `${seconds}s`,
    reachability: url ? r.state : 'not set',
    ...(r.state === 'unavailable' && url ? { message: r.message } : {}),
    ...(t?.status?.lastSyncedAt ? { lastSyncedAt: t.status.lastSyncedAt } : {}),
    ...(t?.status?.backupVolumeCount !== undefined ? { backupVolumes: t.status.backupVolumeCount } : {}),
  };
}

export async function backupTargetShow(ctx: Context): Promise<void> {
  const format = outputFormat(ctx, ['table', 'json', 'yaml'] as const, 'table');
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  await requireLonghorn(kube);
  const summary = backupTargetSummary(await kube.get<Kube<LonghornBackupTarget>>(longhornRef('BackupTarget', TARGET)));
  if (format !== 'table') {
    ctx.out(formatData({ apiVersion: API_VERSION, kind: 'BackupTargetSummary', ...summary }, format));
    return;
  }
  if (!summary.url) {
    ctx.out('No backup target is set: Longhorn keeps snapshots on the nodes only.\n');
    ctx.log.hint('k8s-storage backup target set nfs://server:/export/path  (or s3://bucket@region/path/ --credentials-secret NAME)');
    return;
  }
  ctx.out(
    tablePrinter(ctx.table)(
      ['name', 'url', 'credentials', 'poll', 'reachable', 'last checked'],
      [[summary.name, summary.url, summary.credentialSecret || '-', summary.pollInterval || '-', summary.reachability === 'available' ? 'yes' : summary.reachability === 'unavailable' ? 'no' : 'not checked yet', summary.lastSyncedAt ?? '-']],
    ),
  );
  if (summary.message) ctx.log.warn(`Longhorn cannot reach it: ${summary.message}`);
}

export async function backupCreate(ctx: Context, pvc: string, opts: Record<string, any>): Promise<void> {
  const { values: labels, problems } = parseKeyValues('--label', opts.label);
  problems.push(...labelsProblems('--label', labels));
  if (opts.snapshot !== undefined) problems.push(...dnsLabelProblems('--snapshot', opts.snapshot));
  const mode = oneOf('--mode', opts.mode, BACKUP_MODES, problems, { wording: 'is not' });
  const { wait, timeoutMs } = waitFlags(opts, '30m', problems);
  if (problems.length) throw new UsageError(problems);
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  const claim = await resolveClaim(kube, claimNamespace(ctx, kube), pvc);
  const targetName = claim.volumeObject.spec?.backupTargetName || TARGET;
  const snapshotName: string = opts.snapshot ?? defaultSnapshotName({ volume: claim.volume, pvc: claim.name });
  const [target, snapshot, existingBackup] = await Promise.all([
    kube.get<Kube<LonghornBackupTarget>>(longhornRef('BackupTarget', targetName)),
    opts.snapshot ? kube.get<Kube<LonghornSnapshot>>(longhornRef('Snapshot', snapshotName)) : undefined,
    kube.get<Kube<LonghornBackup>>(longhornRef('Backup', defaultBackupName(snapshotName))),
  ]);
  const snapshotOwner = snapshot && snapshot.spec.volume !== claim.volume ? claimOfVolume(await kube.get<Kube<LonghornVolume>>(longhornRef('Volume', snapshot.spec.volume))) : undefined;
  const plan = planBackupCreate(
    claim,
    { snapshot: snapshotName, takeSnapshot: opts.snapshot === undefined, ...(mode ? { mode: mode as BackupMode } : {}), labels, wait, timeoutMs, snapshotTimeoutMs: Math.min(timeoutMs, 5 * 60_000) },
    { targetName, ...(target ? { target } : {}), ...(snapshot ? { snapshot } : {}), ...(snapshotOwner ? { snapshotOwner } : {}), ...(existingBackup ? { existingBackup } : {}) },
  );
  const done = await runPlan(ctx, session, plan, opts);
  if (!done) return;
  const backupName = defaultBackupName(snapshotName);
  if (wait || plan.steps.length === 0) {
    const b = await kube.get<Kube<LonghornBackup>>(longhornRef('Backup', backupName));
    if (b?.status?.state === 'Completed') ctx.log.success(`backup ${backupName} of ${claim.namespace}/${claim.name} completed${b.status.url ? `: ${b.status.url}` : ''}`);
  } else {
    ctx.log.success(`backup ${backupName} of ${claim.namespace}/${claim.name} started (not waiting): follow it with k8s-storage backup list ${claim.name} -n ${claim.namespace}`);
  }
}

export interface BackupRow {
  name: string;
  claim: string;
  volume: string;
  snapshot: string;
  state: string;
  progress: number;
  created: string;
  size: string;
  url?: string;
  error?: string;
}

/** The volume a Backup belongs to: its status once Longhorn ran it, else the label, else its snapshot. */
function volumeOfBackup(b: LonghornBackup, snapshotVolumes: Map<string, string>): string {
  return b.status?.volumeName || b.metadata.labels?.['backup-volume'] || snapshotVolumes.get(b.spec?.snapshotName) || '';
}

export function backupRows(backups: (LonghornBackup & { metadata: { creationTimestamp?: string } })[], volumes: LonghornVolume[], snapshots: LonghornSnapshot[]): BackupRow[] {
  const claims = new Map(volumes.map((v) => [v.metadata.name, claimOfVolume(v)]));
  const snapshotVolumes = new Map(snapshots.map((s) => [s.metadata.name, s.spec.volume]));
  return backups
    .map((b) => {
      const volume = volumeOfBackup(b, snapshotVolumes);
      return {
        name: b.metadata.name,
        claim: claims.get(volume) ?? '',
        volume,
        snapshot: b.status?.snapshotName || b.spec?.snapshotName || '',
        state: b.status?.state || 'New',
        progress: b.status?.progress ?? 0,
        created: b.status?.backupCreatedAt || b.metadata.creationTimestamp || '',
        size: formatBytes(b.status?.size),
        ...(b.status?.url ? { url: b.status.url } : {}),
        ...(b.status?.error ? { error: b.status.error } : {}),
      };
    })
    .sort((a, b) => byText(a.claim, b.claim) || byText(a.created, b.created) || byText(a.name, b.name));
}

export async function backupList(ctx: Context, pvc: string | undefined, flags: { allNamespaces?: boolean } = {}): Promise<void> {
  const format = outputFormat(ctx, ['table', 'wide', 'json', 'yaml'] as const, 'table');
  const { kube, volume, inScope } = await listScope(ctx, pvc, flags);
  const list = <T>(kind: string) => kube.list<Kube<T>>(LONGHORN_API_VERSION, kind, { namespace: LONGHORN_NAMESPACE });
  const [backups, volumes, snapshots] = await Promise.all([list<LonghornBackup>('Backup'), list<LonghornVolume>('Volume'), list<LonghornSnapshot>('Snapshot')]);
  const rows = backupRows(backups, volumes, snapshots).filter((r) => (!volume || r.volume === volume) && inScope(r.claim));
  if (format === 'json' || format === 'yaml') {
    ctx.out(formatData(listDocument('BackupList', rows), format));
    return;
  }
  if (!rows.length) {
    ctx.log.info(pvc ? `No backups of ${pvc}. Make one: k8s-storage backup create ${pvc}` : 'No Longhorn backups.');
    return;
  }
  const state = (r: BackupRow) => (r.state === 'InProgress' ? `InProgress ${r.progress}%` : r.error ? `${r.state}: ${r.error}` : r.state);
  // -o wide: the Longhorn volume, and where the backup is in the store (what a restore names).
  const wide = format === 'wide';
  ctx.out(
    tablePrinter(ctx.table)(
      ['pvc', 'backup', 'snapshot', 'state', 'created', 'size', ...(wide ? ['volume', 'url'] : [])],
      rows.map((r) => [r.claim || `(volume ${r.volume || '?'})`, r.name, r.snapshot, state(r), r.created || '-', r.size, ...(wide ? [r.volume || '-', r.url ?? '-'] : [])]),
    ),
  );
}
