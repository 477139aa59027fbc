/**
 * `recommend`: the seed's comparison applied to a cluster. Offline (--nodes ...) it loads no
 * cluster code; otherwise src/recommend/gather.ts reads the nodes (agent or capacity) and the
 * classes that exist.
 */
import { outputFormat, type Context } from '../context.js';
import { formatData } from '../output/print.js';
import { offlineNodes, parseRecommendOptions } from '../recommend/options.js';
import { candidatesData, formatCandidates } from '../recommend/print.js';
import { recommend, type ClusterShape } from '../recommend/rules.js';

export async function recommendCommand(ctx: Context, raw: Record<string, unknown>): Promise<void> {
  const format = outputFormat(ctx, ['table', 'json', 'yaml', 'name'] as const, 'table');
  const opts = parseRecommendOptions(raw);
  let shape: ClusterShape;
  if (opts.offline) {
    shape = { nodes: offlineNodes(opts.offline), needs: opts.needs, installed: [], ...(opts.nas ? { nas: opts.nas } : {}) };
  } else {
    const { gatherClusterShape } = await import('../recommend/gather.js');
    shape = await gatherClusterShape(ctx, opts);
  }
  const candidates = recommend(shape);
  if (format === 'table') ctx.out(formatCandidates(candidates));
  else if (format === 'name') ctx.out(candidates.map((c) => `${c.id}\n`).join(''));
  else ctx.out(formatData(candidatesData(candidates), format));
}
