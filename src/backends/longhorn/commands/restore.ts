/**
 * `backup restore`, `snapshot restore`, `snapshot revert`: Longhorn data back into a new claim,
 * or a claim's volume back to a snapshot. Facts are read here; every decision is in
 * ../restore-plan.ts; the executor runs the plan.
 */
import { claimNamespace, readClaim } from '../../../cluster/claims.js';
import type { KubeClient } from '../../../cluster/kube.js';
import { ClusterSession } from '../../../cluster/session.js';
import { outputFormat, type Context } from '../../../context.js';
import { formatData } from '../../../output/print.js';
import { ClusterError, hasReason, UsageError } from '../../../errors.js';
import { objectNameProblems } from '../../../manifests/names.js';
import { wholeNumber } from '../../../options/index.js';
import { confirmDestruction } from '../../../output/confirm.js';
import { podsNotScaled, recordOn, workloadsUsing } from '../../../plan/workloads.js';
import type { KubeObject } from '../../../presets/types.js';
import { runPlan } from '../../../commands/run-plan.js';
import { checkedSince, reachabilityOf, syncRequestTime } from '../data-plan.js';
import {
  backupSource,
  latestBackup,
  LONGHORN_MANAGER_SERVICE,
  planClaimFromSource,
  planSnapshotRevert,
  restoredClaim,
  restoredVolumeName,
  RESTORED_FROM_ANNOTATION,
  REVERT_ANNOTATION,
  snapshotSource,
  type ClaimSource,
  type RevertRecord,
} from '../restore-plan.js';
import { LONGHORN_API_VERSION, LONGHORN_NAMESPACE, type LonghornBackup, type LonghornBackupTarget, type LonghornSnapshot, type LonghornVolume, type LonghornVolumeAttachment } from '../resources.js';
import { waitFlags } from './snapshot.js';
import { longhornRef, requireLonghorn, resolveClaim, type Kube } from './volumes.js';

type Obj = KubeObject & { spec?: any; status?: any };

const DEFAULT_CLASS = 'longhorn';

/** --to, --class, --replicas, --timeout: every problem at once. */
function newClaimOptions(opts: Record<string, any>, problems: string[]): { to: string; className: string; replicas?: number; timeoutMs: number } {
  const to = typeof opts.to === 'string' ? opts.to : '';
  if (!to) problems.push('--to: the name of the new claim is required, for example --to data-restored');
  else problems.push(...objectNameProblems('--to', to));
  const className = typeof opts.class === 'string' ? opts.class : DEFAULT_CLASS;
  if (opts.class !== undefined) problems.push(...objectNameProblems('--class', className));
  const replicas = opts.replicas === undefined ? undefined : wholeNumber('--replicas', opts.replicas, problems, { min: 1, max: 20 });
  const { timeoutMs } = waitFlags(opts, '30m', problems);
  return { to, className, ...(replicas !== undefined ? { replicas } : {}), timeoutMs };
}

/** Creates the new claim from `source`: reads what exists under the new names, plans, runs. */
async function restoreInto(ctx: Context, session: ClusterSession, kube: KubeClient, namespace: string, source: ClaimSource, o: ReturnType<typeof newClaimOptions>, opts: Record<string, any>): Promise<void> {
  const volume = restoredVolumeName(namespace, o.to);
  const [existingClaim, existingVolume, existingPv, storageClass, nodes] = await Promise.all([
    kube.get<Obj>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: o.to, namespace }),
    kube.get<Kube<LonghornVolume>>(longhornRef('Volume', volume)),
    kube.get<Obj>({ apiVersion: 'v1', kind: 'PersistentVolume', name: volume }),
    kube.get<Obj>({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name: o.className }),
    kube.list<Obj>(LONGHORN_API_VERSION, 'Node', { namespace: LONGHORN_NAMESPACE }),
  ]);
  const schedulableNodes = nodes.length ? nodes.filter((n) => n.spec?.allowScheduling !== false).length : undefined;
  const plan = planClaimFromSource(
    source,
    { namespace, claim: o.to, className: o.className, classExplicit: opts.class !== undefined, ...(schedulableNodes !== undefined ? { schedulableNodes } : {}), ...(storageClass ? { storageClass } : {}), ...(existingClaim ? { existingClaim } : {}), ...(existingVolume ? { existingVolume } : {}), ...(existingPv ? { existingPv } : {}) },
    { ...(o.replicas !== undefined ? { replicas: o.replicas } : {}), timeoutMs: o.timeoutMs },
  );
  // -o is checked before anything changes; with --dry-run it formats the plan instead.
  const format = opts.dryRun ? undefined : outputFormat(ctx, ['text', 'json', 'yaml', 'name'] as const, 'text');
  const done = await runPlan(ctx, session, plan, opts);
  if (!done) return;
  if (plan.steps.length) ctx.log.success(`${namespace}/${o.to} is Bound to Longhorn volume ${volume}, restored from ${source.kind === 'backup' ? `backup ${source.backup}` : `snapshot ${source.snapshot}`}`);
  if (format === 'name') ctx.out(`persistentvolumeclaim/${o.to}\n`);
  else if (format === 'json' || format === 'yaml') {
    const now = await kube.get<Obj>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: o.to, namespace });
    ctx.out(formatData(restoredClaim(source, { namespace, name: o.to, className: o.className }, now?.status?.phase ?? 'Pending'), format));
  }
}

/**
 * Asks Longhorn to read the backup target again (spec.syncRequestedAt) and waits until it has:
 * after a reinstall, the Backup objects of an old store exist only once Longhorn has listed it.
 */
async function resyncBackupTarget(ctx: Context, session: ClusterSession, kube: KubeClient, timeoutMs: number): Promise<void> {
  const ref = longhornRef('BackupTarget', 'default');
  const before = await kube.get<Kube<LonghornBackupTarget>>(ref);
  const url = before?.spec?.backupTargetURL;
  if (!url) {
    throw new ClusterError('no backup target is configured, so Longhorn cannot see any backup (after a reinstall, point it at the old store first).', { hint: 'k8s-storage backup target set nfs://server:/export/path  (or s3://bucket@region/path/ --credentials-secret NAME)' });
  }
  const requestedAt = syncRequestTime(before);
  ctx.log.info(`Asking Longhorn to read the backup target ${url} again.`);
  // The write goes through the executor like every other (field manager, --verbose, retries).
  await runPlan(ctx, session, { title: 'read the backup target again', warnings: [], notes: [], steps: [{ kind: 'patch', title: `Ask Longhorn to read the backup target ${url} again`, ref, patch: { spec: { syncRequestedAt: requestedAt } } }] }, {});
  let now: Kube<LonghornBackupTarget> | undefined;
  try {
    now = await kube.waitFor<Kube<LonghornBackupTarget>>(ref, (t) => checkedSince(before, t, requestedAt) || 'Longhorn has not read it yet', { timeoutMs, signal: ctx.signal, what: `Longhorn to read the backup target ${url}` });
  } catch (err) {
    if (!hasReason(err, 'timeout')) throw err;
    throw new ClusterError(`Longhorn did not read the backup target ${url} within ${Math.round(timeoutMs / 1000)}s.`, { hint: 'k8s-storage backup target show says whether it can reach it', reason: 'timeout' });
  }
  const reach = reachabilityOf(now);
  if (reach.state === 'unavailable') throw new ClusterError(`Longhorn cannot read the backup target ${url}: ${reach.message}`, { hint: 'k8s-storage backup target show; check the URL and credentials, then rerun' });
}

export async function backupRestore(ctx: Context, arg: string, opts: Record<string, any>): Promise<void> {
  const problems: string[] = [];
  const o = newClaimOptions(opts, problems);
  problems.push(...objectNameProblems(opts.latest ? 'PVC' : 'backup', arg));
  if (problems.length) throw new UsageError(problems);
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  await requireLonghorn(kube);
  const namespace = claimNamespace(ctx, kube);
  if (!(await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace }))) {
    throw new UsageError(`namespace ${namespace} does not exist: the new claim goes there`, { hint: `kubectl create namespace ${namespace}, or pass another with -n` });
  }

  // With --latest, arg is a claim: its volume (when it still has one) or the claim Longhorn recorded with each backup.
  let volume: string | undefined;
  if (opts.latest) {
    const pvc = await kube.get<Obj>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: arg, namespace });
    const pv = pvc?.spec?.volumeName ? await kube.get<Obj>({ apiVersion: 'v1', kind: 'PersistentVolume', name: pvc.spec.volumeName }) : undefined;
    volume = pv?.spec?.csi?.volumeHandle;
  }
  const pick = (backups: Kube<LonghornBackup>[]): { name: string; backup: LonghornBackup } | undefined => {
    const b = opts.latest ? latestBackup(backups, { namespace, name: arg, ...(volume ? { volume } : {}) }) : backups.find((x) => x.metadata.name === arg);
    return b ? { name: b.metadata.name, backup: b } : undefined;
  };
  const find = async () => pick(await kube.list<Kube<LonghornBackup>>(LONGHORN_API_VERSION, 'Backup', { namespace: LONGHORN_NAMESPACE }));
  /** Watches the Backups until `pick` finds one or `ms` passed: Longhorn lists a store's backups shortly after its sync. */
  const appearing = async (ms: number) => {
    let hit: ReturnType<typeof pick>;
    await kube.watchList<Kube<LonghornBackup>>(LONGHORN_API_VERSION, 'Backup', { namespace: LONGHORN_NAMESPACE, timeoutMs: ms, signal: ctx.signal }, (backups) => (hit = pick(backups)) !== undefined);
    return hit;
  };
  const missing = () =>
    opts.latest ? `no completed backup of ${namespace}/${arg}${volume ? ` (Longhorn volume ${volume})` : ''}` : `backup ${arg} does not exist`;
  let found = await find();
  if (!found) {
    // Refuse a taken --to before asking Longhorn for anything (a claim we restored is checked by the planner).
    const taken = await kube.get<Obj>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: o.to, namespace });
    if (taken && !taken.metadata.annotations?.[RESTORED_FROM_ANNOTATION]) throw new UsageError(`--to ${o.to}: PersistentVolumeClaim ${namespace}/${o.to} already exists; choose another name, or delete it first`);
    if (opts.dryRun) throw new UsageError(`${missing()} in Longhorn's list; without --dry-run, Longhorn is first asked to read the backup target again (after a reinstall it lists an old store's backups only then)`, { hint: 'k8s-storage backup list' });
    await resyncBackupTarget(ctx, session, kube, Math.min(o.timeoutMs, 2 * 60_000));
    found = await appearing(8_000);
  }
  if (!found) throw new UsageError(`${missing()}, even after Longhorn read the backup target again`, { hint: opts.latest ? `k8s-storage backup list${arg ? ` ${arg} -n ${namespace}` : ''}` : 'k8s-storage backup list shows the backups by name' });
  if (opts.latest) ctx.log.info(`The latest backup of ${namespace}/${arg} is ${found.name}${found.backup.status?.backupCreatedAt ? ` (${found.backup.status.backupCreatedAt})` : ''}.`);
  await restoreInto(ctx, session, kube, namespace, backupSource(found.name, found.backup), o, opts);
}

export async function snapshotRestore(ctx: Context, pvc: string, snapshot: string, opts: Record<string, any>): Promise<void> {
  const problems: string[] = [];
  const o = newClaimOptions(opts, problems);
  if (o.to && o.to === pvc) problems.push(`--to ${o.to}: that is the claim the snapshot is of; name a new claim (snapshot revert ${pvc} ${snapshot} reverts it in place)`);
  if (problems.length) throw new UsageError(problems);
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  const namespace = claimNamespace(ctx, kube);
  const claim = await resolveClaim(kube, namespace, pvc);
  const [snap, sourcePvc] = await Promise.all([kube.get<Kube<LonghornSnapshot>>(longhornRef('Snapshot', snapshot)), kube.get<Obj>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: pvc, namespace })]);
  // The copy keeps the source's class unless --class says otherwise.
  if (opts.class === undefined && sourcePvc?.spec?.storageClassName) o.className = sourcePvc.spec.storageClassName;
  const source = snapshotSource({ namespace, name: pvc, volume: claim.volume, ...(claim.volumeObject.spec?.size ? { size: claim.volumeObject.spec.size } : {}) }, snapshot, snap);
  await restoreInto(ctx, session, kube, namespace, source, o, opts);
}

export async function snapshotRevert(ctx: Context, pvc: string, snapshot: string, opts: Record<string, any>): Promise<void> {
  const problems: string[] = [];
  const { timeoutMs } = waitFlags(opts, '10m', problems);
  if (problems.length) throw new UsageError(problems);
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  const namespace = claimNamespace(ctx, kube);
  const claim = await resolveClaim(kube, namespace, pvc);
  const facts = await readClaim(kube, namespace, pvc);
  const record = recordOn<RevertRecord>(facts, REVERT_ANNOTATION);
  const [manager, snap, attachment, deployments, statefulSets, nodes] = await Promise.all([
    kube.get<Obj>({ apiVersion: 'v1', kind: 'Service', name: LONGHORN_MANAGER_SERVICE.name, namespace: LONGHORN_MANAGER_SERVICE.namespace }),
    kube.get<Kube<LonghornSnapshot>>(longhornRef('Snapshot', snapshot)),
    kube.get<Kube<LonghornVolumeAttachment>>(longhornRef('VolumeAttachment', claim.volume)),
    kube.list<Obj>('apps/v1', 'Deployment', { namespace }),
    kube.list<Obj>('apps/v1', 'StatefulSet', { namespace }),
    kube.list<Obj>(LONGHORN_API_VERSION, 'Node', { namespace: LONGHORN_NAMESPACE }),
  ]);
  // The revert itself goes through this Service: without it the window would open and not close.
  if (!manager) throw new ClusterError(`there is no Service ${LONGHORN_MANAGER_SERVICE.name} in ${LONGHORN_MANAGER_SERVICE.namespace}: longhorn-manager's API, which reverts snapshots, is not reachable.`, { hint: 'k8s-storage install longhorn repairs the chart\'s objects' });
  const workloads = workloadsUsing([...deployments.map((d) => ({ ...d, kind: 'Deployment' })), ...statefulSets.map((s) => ({ ...s, kind: 'StatefulSet' }))], pvc);
  const node = claim.volumeObject.status?.currentNodeID || facts.users.find((u) => u.node)?.node || nodes[0]?.metadata.name;
  const plan = planSnapshotRevert(
    snapshot,
    {
      claim: { namespace, name: pvc, volume: claim.volume, ...(claim.volumeObject.spec?.size ? { size: claim.volumeObject.spec.size } : {}) },
      ...(snap ? { snapshot: snap } : {}),
      workloads,
      blockers: podsNotScaled(facts.users, record?.workloads ?? workloads),
      ...(attachment ? { attachment } : {}),
      ...(node ? { node } : {}),
      ...(record ? { record } : {}),
    },
    { timeoutMs },
  );
  if (!opts.dryRun && !(record?.done === 'reverted' || record?.done === 'detached')) {
    await confirmDestruction(ctx, `reverting ${namespace}/${pvc} to snapshot ${snapshot} discards everything written to it since`, { yes: opts.yes, flag: 'snapshot revert' });
  }
  const done = await runPlan(ctx, session, plan, opts);
  if (done) ctx.log.success(`${namespace}/${pvc} is back at snapshot ${snapshot}${workloads.length || record?.workloads.length ? '; its workloads are scaled back' : ''}`);
}
