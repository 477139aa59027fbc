/** `backup delete NAME`: remove a Longhorn backup, from the backup store too; asks first. */
import { ClusterSession } from '../../../cluster/session.js';
import type { Context } from '../../../context.js';
import { UsageError } from '../../../errors.js';
import { LONGHORN_API_VERSION, LONGHORN_NAMESPACE, type LonghornBackup, type LonghornBackupTarget } from '../resources.js';
import { confirmDestruction } from '../../../output/confirm.js';
import { planBackupDelete } from '../backup-delete-plan.js';
import { requireLonghorn, type Kube } from './volumes.js';
import { runPlan } from '../../../commands/run-plan.js';
import { waitFlags } from './snapshot.js';

export async function backupDelete(ctx: Context, name: string, opts: Record<string, any>): Promise<void> {
  const problems: string[] = [];
  const { timeoutMs } = waitFlags(opts, '5m', problems);
  if (problems.length) throw new UsageError(problems);
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  await requireLonghorn(kube);
  const lh = (kind: string, n: string) => ({ apiVersion: LONGHORN_API_VERSION, kind, name: n, namespace: LONGHORN_NAMESPACE });
  const [backup, target] = await Promise.all([kube.get<Kube<LonghornBackup>>(lh('Backup', name)), kube.get<Kube<LonghornBackupTarget>>(lh('BackupTarget', 'default'))]);
  const { plan, fromStore } = planBackupDelete(name, backup, target, { timeoutMs });
  if (plan.steps.length && !opts.dryRun) await confirmDestruction(ctx, `deleting backup ${name} removes it ${fromStore ? 'from the backup store for good' : "from Longhorn's list"}`, { yes: opts.yes, flag: 'backup delete' });
  const result = await runPlan(ctx, session, plan, opts);
  if (result && plan.steps.length) ctx.log.success(fromStore ? `backup ${name} is deleted, from the backup store ${target?.spec?.backupTargetURL ?? ''} too` : `backup ${name} is no longer listed by Longhorn; it stays in the backup store`);
}
