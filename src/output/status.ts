/** `status -o table`: the report in kubectl-like sections. JSON/YAML print the report as is. */
import type { LonghornStatus } from '../status/longhorn.js';
import type { StatusReport } from '../status/report.js';
import { formatTable } from './print.js';

export function formatStatusTable(r: StatusReport): string {
  const out: string[] = [];
  out.push(`Cluster: ${r.cluster.server}  Kubernetes ${r.cluster.version}  nodes ${r.cluster.readyNodes}/${r.cluster.nodes} ready${r.cluster.microk8s ? '  (MicroK8s)' : ''}\n`);
  out.push('\nBACKENDS\n');
  out.push(r.backends.length ? formatTable(['backend', 'provisioner', 'installed', 'healthy', 'classes', 'detail'], r.backends.map((b) => [b.name, b.provisioner, b.installed ? 'yes' : 'no', b.healthy ? 'yes' : 'no', b.classes.join(',') || '-', b.problem ?? b.workloads.map((w) => w.ref.split(' ')[0]).join(', ')])) : 'No storage backend found. Single node: k8s-storage install hostpath; several nodes: k8s-storage install longhorn\n');
  out.push('\nSTORAGECLASSES\n');
  out.push(r.storageClasses.length ? formatTable(['name', 'provisioner', 'reclaim', 'binding', 'expand'], r.storageClasses.map((c) => [`${c.name}${c.default ? ' (default)' : ''}`, c.provisioner, c.reclaimPolicy, c.volumeBindingMode, c.allowVolumeExpansion ? 'yes' : 'no'])) : 'none\n');
  out.push(`\nCLAIMS (${r.claims.total})\n`);
  if (r.claims.total) out.push(formatTable(['storageclass', 'phase', 'count'], r.claims.byClass.map((c) => [c.storageClass, c.phase, String(c.count)])));
  out.push(`\nVOLUMES (${r.volumes.total}; ${r.volumesDeletedWithClaim.length} delete their data with their claim)\n`);
  if (r.volumes.total) out.push(formatTable(['storageclass', 'phase', 'count'], r.volumes.byClass.map((c) => [c.storageClass, c.phase, String(c.count)])));
  if (r.pendingClaims.length) {
    out.push(`\nPENDING CLAIMS (${r.pendingClaims.length})\n`);
    const shown = r.pendingClaims.slice(0, 20);
    out.push(formatTable(['namespace', 'name', 'reason'], shown.map((p) => [p.namespace, p.name, p.reason])));
    if (r.pendingClaims.length > shown.length) out.push(`... and ${r.pendingClaims.length - shown.length} more (-o json lists them all)\n`);
  }
  if (r.longhorn) out.push(formatLonghornSection(r.longhorn));
  return out.join('');
}

const gi = (bytes: number) => `${Math.round((bytes / 2 ** 30) * 10) / 10}Gi`;

/** The LONGHORN section: robustness counts, nodes with their disk space, the backup target. */
export function formatLonghornSection(l: LonghornStatus): string {
  const out: string[] = [];
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
