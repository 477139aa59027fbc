/** `status`: the storage picture, read-only. */
import { ClusterSession } from '../cluster/session.js';
import { outputFormat, type Context } from '../context.js';
import { formatData } from '../output/print.js';
import { formatStatusTable } from '../output/status.js';
import { collectClusterObjects } from '../status/collect.js';
import { buildStatusReport } from '../status/report.js';

export async function status(ctx: Context): Promise<void> {
  const format = outputFormat(ctx, ['table', 'json', 'yaml'] as const, 'table');
  const session = new ClusterSession(ctx);
  const report = buildStatusReport(await collectClusterObjects(session, ctx.backends), ctx.backends);
  if (format === 'table') {
    ctx.out(formatStatusTable(report, ctx.backends));
    for (const w of report.warnings) ctx.log.warn(w);
  } else {
    ctx.out(formatData(report, format));
  }
}
