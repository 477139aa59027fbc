/** `snapshot create|list|delete`: Longhorn snapshots of a claim's volume, named by the claim. */
import type { KubeClient } from '../../../cluster/kube.js';
import { ClusterSession } from '../../../cluster/session.js';
import { outputFormat, type Context } from '../../../context.js';
import { listDocument } from '../../../documents.js';
import { duration, parseDuration } from '../../../options/index.js';
import { UsageError } from '../../../errors.js';
import { defaultSnapshotName, LONGHORN_API_VERSION, LONGHORN_NAMESPACE, type LonghornSnapshot, type LonghornVolume } from '../resources.js';
import { dnsLabelProblems, labelsProblems, parseKeyValues } from '../../../manifests/names.js';
import { formatData, tablePrinter } from '../../../output/print.js';
import { planSnapshotCreate, planSnapshotDelete } from '../data-plan.js';
import { claimNamespace, claimOfVolume, listScope, longhornRef, resolveClaim, type Kube } from './volumes.js';
import { runPlan } from '../../../commands/run-plan.js';
import { byText } from '../../../sort.js';

type Snapshot = LonghornSnapshot & { metadata: { creationTimestamp?: string } };

/** Bytes as Ki/Mi/Gi, the way kubectl shows quantities. */
export function formatBytes(value: number | string | undefined): string {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isFinite(n)) return '-';
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${n}` : `${v >= 10 ? Math.round(v) : Math.round(v * 10) / 10}${units[i]}`;
}

/**
 * Flags shared by commands that wait: --no-wait and --timeout. A bad --timeout joins
 * `problems` (so one error lists every bad flag) and comes back as the default.
 */
export function waitFlags(opts: Record<string, any>, defaultTimeout: string, problems: string[]): { wait: boolean; timeoutMs: number } {
  const timeoutMs = duration('--timeout', opts.timeout ?? defaultTimeout, problems) ?? parseDuration('--timeout', defaultTimeout);
  return { wait: opts.wait !== false, timeoutMs };
}

/** Who owns an existing snapshot, for messages: "namespace/pvc" of its volume. */
async function ownerOf(kube: KubeClient, snapshot: LonghornSnapshot | undefined): Promise<string | undefined> {
  if (!snapshot) return undefined;
  return claimOfVolume(await kube.get<Kube<LonghornVolume>>(longhornRef('Volume', snapshot.spec.volume)));
}

export async function snapshotCreate(ctx: Context, pvc: string, opts: Record<string, any>): Promise<void> {
  const { values: labels, problems } = parseKeyValues('--label', opts.label);
  problems.push(...labelsProblems('--label', labels));
  if (opts.name !== undefined) problems.push(...dnsLabelProblems('--name', opts.name));
  const { wait, timeoutMs } = waitFlags(opts, '5m', problems);
  if (problems.length) throw new UsageError(problems);
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  const claim = await resolveClaim(kube, claimNamespace(ctx, kube), pvc);
  const name: string = opts.name ?? defaultSnapshotName({ volume: claim.volume, pvc: claim.name });
  const existing = opts.name ? await kube.get<Kube<Snapshot>>(longhornRef('Snapshot', name)) : undefined;
  const existingOwner = await ownerOf(kube, existing);
  const plan = planSnapshotCreate(claim, { name, labels, wait, timeoutMs }, { ...(existing ? { existing } : {}), ...(existingOwner ? { existingOwner } : {}) });
  const done = await runPlan(ctx, session, plan, opts);
  if (done && plan.steps.length) {
    ctx.log.success(wait ? `snapshot ${name} of ${claim.namespace}/${claim.name} is ready` : `snapshot ${name} of ${claim.namespace}/${claim.name} requested (not waiting for it)`);
  }
}

export interface SnapshotRow {
  name: string;
  claim: string;
  volume: string;
  created: string;
  ready: boolean;
  size: string;
  userCreated: boolean;
  removed: boolean;
  error?: string;
}

export function snapshotRows(snapshots: Snapshot[], volumes: LonghornVolume[]): SnapshotRow[] {
  const claims = new Map(volumes.map((v) => [v.metadata.name, claimOfVolume(v)]));
  return snapshots
    .map((s) => ({
      name: s.metadata.name,
      claim: claims.get(s.spec.volume) ?? '',
      volume: s.spec.volume,
      created: s.status?.creationTime || s.metadata.creationTimestamp || '',
      ready: s.status?.readyToUse === true,
      size: formatBytes(s.status?.size),
      userCreated: s.status?.userCreated !== false,
      removed: s.status?.markRemoved === true,
      ...(s.status?.error ? { error: s.status.error } : {}),
    }))
    .sort((a, b) => byText(a.claim, b.claim) || byText(a.created, b.created) || byText(a.name, b.name));
}

export async function snapshotList(ctx: Context, pvc: string | undefined, flags: { allNamespaces?: boolean } = {}): Promise<void> {
  const format = outputFormat(ctx, ['table', 'wide', 'json', 'yaml'] as const, 'table');
  const { kube, volume, inScope } = await listScope(ctx, pvc, flags);
  const [snapshots, volumes] = await Promise.all([
    kube.list<Kube<Snapshot>>(LONGHORN_API_VERSION, 'Snapshot', { namespace: LONGHORN_NAMESPACE }),
    kube.list<Kube<LonghornVolume>>(LONGHORN_API_VERSION, 'Volume', { namespace: LONGHORN_NAMESPACE }),
  ]);
  const rows = snapshotRows(volume ? snapshots.filter((s: Snapshot) => s.spec.volume === volume) : snapshots, volumes).filter((r) => inScope(r.claim));
  if (format === 'json' || format === 'yaml') {
    ctx.out(formatData(listDocument('SnapshotList', rows), format));
    return;
  }
  if (!rows.length) {
    ctx.log.info(pvc ? `No snapshots of ${pvc}. Take one: k8s-storage snapshot create ${pvc}` : 'No Longhorn snapshots.');
    return;
  }
  const state = (r: SnapshotRow) => (r.error ? `error: ${r.error}` : r.removed ? 'removing' : r.ready ? 'yes' : 'no');
  // -o wide: the Longhorn volume behind each claim.
  const wide = format === 'wide';
  ctx.out(
    tablePrinter(ctx.table)(
      ['pvc', 'snapshot', 'created', 'ready', 'size', 'by', ...(wide ? ['volume'] : [])],
      rows.map((r) => [r.claim || `(volume ${r.volume})`, r.name, r.created || '-', state(r), r.size, r.userCreated ? 'user' : 'system', ...(wide ? [r.volume] : [])]),
    ),
  );
}

export async function snapshotDelete(ctx: Context, pvc: string, name: string, opts: Record<string, any>): Promise<void> {
  const problems: string[] = [];
  const { wait, timeoutMs } = waitFlags(opts, '2m', problems);
  if (problems.length) throw new UsageError(problems);
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  const claim = await resolveClaim(kube, claimNamespace(ctx, kube), pvc);
  const existing = await kube.get<Kube<Snapshot>>(longhornRef('Snapshot', name));
  const existingOwner = await ownerOf(kube, existing);
  const plan = planSnapshotDelete(claim, name, { wait, timeoutMs }, { ...(existing ? { existing } : {}), ...(existingOwner ? { existingOwner } : {}) });
  const done = await runPlan(ctx, session, plan, opts);
  if (done && plan.steps.length) ctx.log.success(`snapshot ${name} of ${claim.namespace}/${claim.name} deleted`);
}
