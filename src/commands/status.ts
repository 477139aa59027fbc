/** `status`: the storage picture, read-only. */
import { ClusterSession } from '../cluster/session.js';
import { outputFormat, type Context } from '../context.js';
import { UsageError } from '../errors.js';
import { formatData } from '../output/print.js';
import { formatStatusTable } from '../output/status.js';
import { collectClusterObjects } from '../status/collect.js';
import { buildStatusReport } from '../status/report.js';

/**
 * Without -n, the whole cluster (the storage picture is cluster-wide; `-A` says so
 * explicitly); with -n NS, claims and volumes of that namespace only.
 */
export async function status(ctx: Context, flags: { allNamespaces?: boolean } = {}): Promise<void> {
  if (flags.allNamespaces && ctx.global.namespace) throw new UsageError('-A and -n cannot be given together');
  const format = outputFormat(ctx, ['table', 'wide', 'json', 'yaml'] as const, 'table');
  const session = new ClusterSession(ctx);
  const namespace = flags.allNamespaces ? undefined : ctx.global.namespace;
  const report = buildStatusReport(await collectClusterObjects(session, ctx.backends), ctx.backends, namespace !== undefined ? { namespace } : {});
  if (format === 'table' || format === 'wide') {
    ctx.out(formatStatusTable(report, ctx.backends, { wide: format === 'wide', ...ctx.table }));
    for (const w of report.warnings) ctx.log.warn(w);
  } else {
    ctx.out(formatData(report, format));
  }
}
