/** `migrate pvc NAME --to-class CLASS`: resumable move of a claim's data to another class. */
import { claimNamespace, readClaim, timeoutOf } from '../cluster/claims.js';
import { ClusterSession } from '../cluster/session.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { DEFAULT_DATA_IMAGE } from '../data/pod.js';
import { sizeProblems } from '../manifests/quantity.js';
import { confirmDestruction } from '../output/confirm.js';
import { MIGRATION_ANNOTATION, planMigrate, targetName, type MigrationRecord } from '../plan/migrate.js';
import { recordOn } from '../plan/workloads.js';
import { runPlan } from './run-plan.js';

export async function migratePvc(ctx: Context, name: string, opts: Record<string, any>): Promise<void> {
  const problems: string[] = [];
  if (!opts.toClass) problems.push('--to-class: the StorageClass to move to is required, for example --to-class longhorn');
  if (opts.size !== undefined) problems.push(...sizeProblems('--size', opts.size));
  if (opts.keepOld && opts.deleteOld) problems.push('--keep-old and --delete-old: choose one');
  if (opts.swapNames) problems.push('--swap-names: not available in this version (the new claim gets the name <claim>-<class>)');
  const timeoutMs = timeoutOf(opts, '10m', problems);
  if (problems.length) throw new UsageError(problems);
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  const ns = claimNamespace(ctx, kube);
  const source = await readClaim(kube, ns, name);
  const record = recordOn<MigrationRecord>(source, MIGRATION_ANNOTATION);
  if (record) {
    if (record.class !== opts.toClass) throw new UsageError(`a migration of ${ns}/${name} to class ${record.class} is under way: rerun it with --to-class ${record.class} to finish it`);
  }
  const [targetClass, deployments, statefulSets, target] = await Promise.all([
    kube.get<any>({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name: opts.toClass }),
    kube.list<any>('apps/v1', 'Deployment', { namespace: ns }),
    kube.list<any>('apps/v1', 'StatefulSet', { namespace: ns }),
    kube.get<any>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: record?.to ?? targetName(name, opts.toClass), namespace: ns }),
  ]);
  const workloads = [...deployments.map((d) => ({ ...d, kind: 'Deployment' })), ...statefulSets.map((s) => ({ ...s, kind: 'StatefulSet' }))];
  const plan = planMigrate(
    { source, workloads, ...(targetClass ? { targetClass } : {}), ...(target ? { target } : {}), ...(record ? { record } : {}) },
    { toClass: opts.toClass, ...(opts.size ? { size: opts.size } : {}), deleteOld: opts.deleteOld === true, image: opts.image ?? DEFAULT_DATA_IMAGE, timeoutMs },
  );
  if (opts.deleteOld && !opts.dryRun) await confirmDestruction(ctx, `--delete-old deletes ${ns}/${name} and its volume once the data is copied and verified`, { yes: opts.yes, flag: 'migrate pvc --delete-old' });
  const result = await runPlan(ctx, session, plan, opts);
  if (result && plan.steps.length) ctx.log.success(plan.title.replace(/^migrate/, 'migrated'));
}
