/** `migrate pvc NAME --to-class CLASS [--swap-names]`: resumable move of a claim's data to another class. */
import { claimNamespace, claimNotFound, readClaim, timeoutOf } from '../cluster/claims.js';
import type { KubeClient } from '../cluster/kube.js';
import { ClusterSession } from '../cluster/session.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { DEFAULT_DATA_IMAGE } from '../data/pod.js';
import { sizeProblems } from '../manifests/quantity.js';
import { confirmDestruction } from '../output/confirm.js';
import { isRecordOf, MIGRATION_ANNOTATION, planMigrate, swapPlannedLater, targetName, type MigrateFacts, type MigrateOptions, type MigrationRecord } from '../plan/migrate.js';
import type { KubeObject } from '../presets/types.js';
import { annotationRecord } from '../plan/workloads.js';
import { runPlan } from './run-plan.js';

type Obj = KubeObject & { spec?: any };

const recordOf = (obj: Obj | undefined, where: string) => annotationRecord<MigrationRecord>(obj, MIGRATION_ANNOTATION, where);

/** Everything the planner reads. With --swap-names the claim may be gone for a while: its record is then on the new volume. */
async function gather(kube: KubeClient, ns: string, name: string, opts: Record<string, any>): Promise<MigrateFacts> {
  const pvc = await kube.get<Obj>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name, namespace: ns });
  let record = recordOf(pvc, `${ns}/${name}`);
  if (!pvc) {
    const volumes = await kube.list<Obj>('v1', 'PersistentVolume');
    record = volumes.map((v) => recordOf(v, `PersistentVolume ${v.metadata.name}`)).find((r) => isRecordOf(r, ns, name));
    if (!record) throw await claimNotFound(kube, ns, name);
  }
  if (record && record.class !== opts.toClass) throw new UsageError(`a migration of ${ns}/${name} to class ${record.class} is under way: rerun it with --to-class ${record.class} to finish it`);
  if (record && (record.swap !== undefined) !== (opts.swapNames === true)) {
    throw new UsageError(`a migration of ${ns}/${name} ${record.swap ? 'with' : 'without'} --swap-names is under way: rerun it ${record.swap ? 'with' : 'without'} --swap-names to finish it`);
  }
  const [source, targetClass, deployments, statefulSets, target] = await Promise.all([
    pvc ? readClaim(kube, ns, name) : undefined,
    kube.get<any>({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name: opts.toClass }),
    kube.list<any>('apps/v1', 'Deployment', { namespace: ns }),
    kube.list<any>('apps/v1', 'StatefulSet', { namespace: ns }),
    kube.get<any>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: record?.to ?? targetName(name, opts.toClass), namespace: ns }),
  ]);
  const workloads = [...deployments.map((d) => ({ ...d, kind: 'Deployment' })), ...statefulSets.map((s) => ({ ...s, kind: 'StatefulSet' }))];
  const newVolume = target?.spec?.volumeName as string | undefined;
  return { claim: { namespace: ns, name }, workloads, ...(source ? { source } : {}), ...(targetClass ? { targetClass } : {}), ...(target ? { target } : {}), ...(record ? { record } : {}), ...(newVolume ? { newVolume } : {}) };
}

export async function migratePvc(ctx: Context, name: string, opts: Record<string, any>): Promise<void> {
  const problems: string[] = [];
  if (!opts.toClass) problems.push('--to-class: the StorageClass to move to is required, for example --to-class longhorn');
  if (opts.size !== undefined) problems.push(...sizeProblems('--size', opts.size));
  if (opts.keepOld && opts.deleteOld) problems.push('--keep-old and --delete-old: choose one');
  const timeoutMs = timeoutOf(opts, '10m', problems);
  if (problems.length) throw new UsageError(problems);
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  const ns = claimNamespace(ctx, kube);
  const options: MigrateOptions = { toClass: opts.toClass, ...(opts.size ? { size: opts.size } : {}), deleteOld: opts.deleteOld === true, swapNames: opts.swapNames === true, image: opts.image ?? DEFAULT_DATA_IMAGE, timeoutMs };
  let facts = await gather(kube, ns, name, opts);
  let plan = planMigrate(facts, options);
  if (opts.deleteOld && !opts.dryRun) {
    const what = options.swapNames ? `--delete-old deletes the old volume of ${ns}/${name} once the data is copied, verified and the claim re-created on the new one` : `--delete-old deletes ${ns}/${name} and its volume once the data is copied and verified`;
    await confirmDestruction(ctx, what, { yes: opts.yes, flag: 'migrate pvc --delete-old' });
  }
  let ran = false;
  // --swap-names: the second half needs the new volume's name, known once the first half ran.
  for (let round = 0; round < 2; round++) {
    const result = await runPlan(ctx, session, plan, opts);
    if (!result) return;
    ran ||= plan.steps.length > 0;
    if (opts.dryRun || !swapPlannedLater(facts, options)) break;
    facts = await gather(kube, ns, name, opts);
    plan = planMigrate(facts, options);
  }
  if (ran) ctx.log.success(plan.title.replace(/^migrate/, 'migrated'));
}
