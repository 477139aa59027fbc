/** Longhorn's section of the `status` table. */
import { tablePrinter, type TableOptions } from '../../output/print.js';
import type { LonghornStatus } from './status.js';

const gi = (bytes: number) => `${Math.round((bytes / 2 ** 30) * 10) / 10}Gi`;

/** The LONGHORN section: robustness counts, nodes with their disk space, the backup target. */
export function formatLonghornSection(l: LonghornStatus, opts: TableOptions = {}): string {
  const out: string[] = [];
  const formatTable = tablePrinter(opts);
  const v = l.volumes;
  out.push(`\nLONGHORN (${v.total} volume${v.total === 1 ? '' : 's'}: ${v.healthy} healthy, ${v.degraded} degraded, ${v.faulted} faulted, ${v.unknown} unknown${v.detached ? `, ${v.detached} detached` : ''})\n`);
  if (l.nodes.length) {
    out.push(
      formatTable(
        ['node', 'ready', 'replicas', 'disks', 'capacity', 'free', 'scheduled', 'detail'],
        l.nodes.map((n) => [n.name, n.ready ? 'yes' : 'no', n.schedulable ? 'yes' : 'no', `${n.schedulableDisks}/${n.disks}`, gi(n.storageMaximum), `${gi(n.storageAvailable)} (${n.freePercent}%)`, gi(n.storageScheduled), n.problem ?? '']),
      ),
    );
  } else {
    out.push('No Longhorn nodes registered.\n');
  }
  const settings = [`${l.replicaNodes} node(s) can hold replicas`, l.settings.defaultReplicaCount !== undefined ? `default-replica-count ${l.settings.defaultReplicaCount}` : '', `over-provisioning ${l.settings.overProvisioningPercent}%`, `minimal-available ${l.settings.minimalAvailablePercent}%`].filter(Boolean);
  out.push(`${settings.join(', ')}\n`);
  if (l.problemVolumes.length) {
    out.push(formatTable(['volume', 'pvc', 'robustness', 'state', 'replicas'], l.problemVolumes.slice(0, 20).map((p) => [p.name, p.claim ?? '-', p.robustness, p.state || '-', String(p.replicas)])));
    if (l.problemVolumes.length > 20) out.push(`... and ${l.problemVolumes.length - 20} more (-o json lists them all)\n`);
  }
  const t = l.backupTarget;
  out.push(
    t.state === 'not set'
      ? 'Backup target: not set (k8s-storage backup target set nfs://server:/export/path)\n'
      : `Backup target: ${t.url}  ${t.state === 'available' ? 'reachable' : t.state === 'unavailable' ? `UNREACHABLE${t.message ? `: ${t.message}` : ''}` : 'not checked yet'}\n`,
  );
  return out.join('');
}
