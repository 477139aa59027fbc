/**
 * `backup delete NAME`: deleting a Longhorn Backup CR makes longhorn-manager delete the
 * backup from the backup store, unless the CR carries longhorn.io/delete-custom-resource-only
 * or the target cannot be reached (then Longhorn cannot remove it there). Pure: the plan and
 * what to tell the operator.
 */
import { ClusterError } from '../../errors.js';
import { LONGHORN_API_VERSION, LONGHORN_NAMESPACE, type LonghornBackup, type LonghornBackupTarget } from './resources.js';
import { reachabilityOf } from './data-plan.js';
import type { Plan } from '../../plan/types.js';

export const CR_ONLY_LABEL = 'longhorn.io/delete-custom-resource-only';

export function planBackupDelete(name: string, backup: LonghornBackup | undefined, target: LonghornBackupTarget | undefined, opts: { timeoutMs: number }): { plan: Plan; fromStore: boolean } {
  const ref = { apiVersion: LONGHORN_API_VERSION, kind: 'Backup', name, namespace: LONGHORN_NAMESPACE };
  if (!backup) return { plan: { title: `delete backup ${name}`, steps: [], warnings: [], notes: [`backup ${name} does not exist (already deleted?): k8s-storage backup list shows the backups`] }, fromStore: false };
  const crOnly = backup.metadata.labels?.[CR_ONLY_LABEL] !== undefined;
  const url = target?.spec?.backupTargetURL ?? '';
  const reach = reachabilityOf(target);
  if (!crOnly && url && reach.state === 'unavailable') {
    throw new ClusterError(`backup ${name} cannot be deleted from the backup store ${url} now: Longhorn cannot reach it (${reach.state === 'unavailable' ? reach.message : ''}), and would only drop its record.`, { hint: 'k8s-storage backup target show says why; fix the target, then rerun' });
  }
  const where = crOnly ? `only Longhorn's record (label ${CR_ONLY_LABEL}); the backup stays in the store` : `the backup ${backup.status?.url ?? ''} in the store ${url}`.replace('  ', ' ');
  return {
    fromStore: !crOnly,
    plan: {
      title: `delete backup ${name}${backup.status?.volumeName ? ` of volume ${backup.status.volumeName}` : ''}`,
      warnings: [],
      notes: [`this deletes ${where}`],
      steps: [
        { kind: 'delete', title: `Delete Backup ${name}`, refs: [ref] },
        { kind: 'wait', title: `Wait until Longhorn has removed backup ${name}`, until: { type: 'absent', ref }, timeoutMs: opts.timeoutMs, hint: `kubectl -n ${LONGHORN_NAMESPACE} get backups.longhorn.io ${name} -o yaml (its status says why)` },
      ],
    },
  };
}
