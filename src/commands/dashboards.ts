/** `dashboards longhorn`: a Grafana dashboard (JSON) on stdout. No cluster is needed. */
import type { Context } from '../context.js';
import { longhornDashboard } from '../dashboards/longhorn.js';
import { UsageError } from '../errors.js';

export const DASHBOARDS = ['longhorn'] as const;

export function dashboards(ctx: Context, name: string): void {
  if (ctx.global.output && ctx.global.output !== 'json') throw new UsageError(`-o ${ctx.global.output}: this command prints json (what Grafana imports)`);
  if (name !== 'longhorn') throw new UsageError(`no dashboard "${name}": there is ${DASHBOARDS.join(', ')}`);
  ctx.out(`${JSON.stringify(longhornDashboard(), null, 2)}\n`);
}
