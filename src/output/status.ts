/** `status -o table`: the report in kubectl-like sections. JSON/YAML print the report as is. */
import type { Backend } from '../backends/types.js';
import { recommended } from '../backends/index.js';
import type { StatusReport } from '../status/report.js';
import { tablePrinter } from './print.js';

export interface StatusTableOptions {
  /** -o wide: the backends' workloads, and every Pending claim with its class. */
  wide?: boolean;
  /** --no-headers: no column header lines (the section titles stay: they separate the tables). */
  noHeaders?: boolean;
}

export function formatStatusTable(r: StatusReport, backends: readonly Backend[], opts: StatusTableOptions = {}): string {
  const out: string[] = [];
  const formatTable = tablePrinter({ noHeaders: opts.noHeaders === true });
  out.push(`Cluster: ${r.cluster.server}  Kubernetes ${r.cluster.version}  nodes ${r.cluster.readyNodes}/${r.cluster.nodes} ready${r.cluster.microk8s ? '  (MicroK8s)' : ''}\n`);
  out.push('\nBACKENDS\n');
  const workloads = (b: StatusReport['backends'][number]) => b.workloads.map((w) => w.ref.split(' ')[0]).join(', ');
  out.push(
    r.backends.length
      ? opts.wide
        ? formatTable(['backend', 'provisioner', 'installed', 'healthy', 'classes', 'workloads', 'problem'], r.backends.map((b) => [b.name, b.provisioner, b.installed ? 'yes' : 'no', b.healthy ? 'yes' : 'no', b.classes.join(',') || '-', workloads(b) || '-', b.problem ?? '-']))
        : formatTable(['backend', 'provisioner', 'installed', 'healthy', 'classes', 'detail'], r.backends.map((b) => [b.name, b.provisioner, b.installed ? 'yes' : 'no', b.healthy ? 'yes' : 'no', b.classes.join(',') || '-', b.problem ?? workloads(b)]))
      : `No storage backend found. ${suggestion(backends)}\n`,
  );
  if (r.csiSnapshots) {
    const c = r.csiSnapshots;
    const why = !c.crds ? 'no snapshot CRDs' : c.controller === 'absent' ? 'no snapshot-controller' : c.controller === 'not ready' ? `snapshot-controller${c.version ? ` ${c.version}` : ''} is not ready` : '';
    out.push(`CSI snapshots: ${c.available ? `available (snapshot-controller ${c.version ?? ''})`.replace(' )', ')') : `not available (${why}; ${c.fix})`}\n`);
  }
  out.push('\nSTORAGECLASSES\n');
  out.push(r.storageClasses.length ? formatTable(['name', 'provisioner', 'reclaim', 'binding', 'expand'], r.storageClasses.map((c) => [`${c.name}${c.default ? ' (default)' : ''}`, c.provisioner, c.reclaimPolicy, c.volumeBindingMode, c.allowVolumeExpansion ? 'yes' : 'no'])) : 'none\n');
  const scope = r.namespace !== undefined ? ` in namespace ${r.namespace}` : '';
  out.push(`\nCLAIMS (${r.claims.total}${scope})\n`);
  if (r.claims.total) out.push(formatTable(['storageclass', 'phase', 'count'], r.claims.byClass.map((c) => [c.storageClass, c.phase, String(c.count)])));
  out.push(`\nVOLUMES (${r.volumes.total}${r.namespace !== undefined ? ` bound to claims${scope}` : ''}; ${r.volumesDeletedWithClaim.length} delete their data with their claim)\n`);
  if (r.volumes.total) out.push(formatTable(['storageclass', 'phase', 'count'], r.volumes.byClass.map((c) => [c.storageClass, c.phase, String(c.count)])));
  if (r.pendingClaims.length) {
    out.push(`\nPENDING CLAIMS (${r.pendingClaims.length})\n`);
    const shown = opts.wide ? r.pendingClaims : r.pendingClaims.slice(0, 20);
    out.push(
      opts.wide
        ? formatTable(['namespace', 'name', 'storageclass', 'reason'], shown.map((p) => [p.namespace, p.name, p.storageClass || '-', p.reason]))
        : formatTable(['namespace', 'name', 'reason'], shown.map((p) => [p.namespace, p.name, p.reason])),
    );
    if (r.pendingClaims.length > shown.length) out.push(`... and ${r.pendingClaims.length - shown.length} more (-o wide or -o json lists them all)\n`);
  }
  for (const b of backends) {
    const details = (r as unknown as Record<string, unknown>)[b.id];
    if (b.statusSection && details !== undefined) out.push(b.statusSection(details, { noHeaders: opts.noHeaders === true }));
  }
  return out.join('');
}


/** "Single node: k8s-storage install X; several nodes: k8s-storage install Y", from the registry. */
function suggestion(backends: readonly Backend[]): string {
  const one = recommended(false, backends);
  const several = recommended(true, backends);
  return [one ? `Single node: k8s-storage install ${one.id}` : '', several ? `several nodes: k8s-storage install ${several.id}` : ''].filter(Boolean).join('; ');
}
