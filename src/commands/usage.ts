/** `usage`: per-claim used, available and capacity bytes, from the kubelet (and du for hostpath). */
import { formatDuration } from '../cluster/nodes-agent.js';
import { ClusterSession } from '../cluster/session.js';
import { outputFormat, type Context } from '../context.js';
import { parseDuration } from '../options/index.js';
import { ChecksFailed, UsageError } from '../errors.js';
import { DEFAULT_AGENT_IMAGE } from '../nodes/options.js';
import { formatData } from '../output/print.js';
import { formatUsageReport } from '../output/usage.js';
import { collectUsage } from '../usage/collect.js';
import { buildUsageReport, USAGE_SORTS, type UsageSort } from '../usage/report.js';

export interface UsageFlags {
  allNamespaces?: boolean;
  sort?: string;
  unused?: boolean;
  warnPercent?: string;
  du?: boolean;
  image?: string;
  timeout?: string;
}

export function parseUsageFlags(flags: UsageFlags): { sort: UsageSort; unused: boolean; warnPercent: number; du: boolean; image: string; timeoutMs: number } {
  const problems: string[] = [];
  const sort = (flags.sort ?? 'name') as UsageSort;
  if (!USAGE_SORTS.includes(sort)) problems.push(`--sort ${flags.sort}: expected ${USAGE_SORTS.join(', ')}`);
  const warnPercent = flags.warnPercent === undefined ? 80 : Number(flags.warnPercent);
  if (!/^\d+(\.\d+)?$/.test(flags.warnPercent ?? '80') || warnPercent > 100) problems.push(`--warn-percent ${flags.warnPercent}: expected a number from 0 to 100`);
  let timeoutMs = 120_000;
  try {
    timeoutMs = parseDuration('--timeout', flags.timeout ?? '2m');
  } catch (err) {
    problems.push((err as UsageError).message);
  }
  if (problems.length) throw new UsageError(problems);
  return { sort, unused: flags.unused === true, warnPercent, du: flags.du !== false, image: flags.image ?? DEFAULT_AGENT_IMAGE, timeoutMs };
}

export async function usage(ctx: Context, flags: UsageFlags): Promise<void> {
  const format = outputFormat(ctx, ['table', 'wide', 'json', 'yaml'] as const, 'table');
  const opts = parseUsageFlags(flags);
  if (flags.allNamespaces && ctx.global.namespace) throw new UsageError('-A and -n cannot be given together');
  const namespace = flags.allNamespaces ? undefined : (ctx.global.namespace ?? 'default');
  const session = new ClusterSession(ctx);
  const input = await collectUsage(session, { ...(namespace ? { namespace } : {}), du: opts.du, image: opts.image, timeoutMs: opts.timeoutMs }, ctx.signal, {
    started: (ds) => ctx.log.info(`measuring hostpath volumes with du on their nodes (${ds}, up to ${formatDuration(opts.timeoutMs)})`),
    cleanupFailed: (m) => ctx.log.warn(m),
  });
  const report = buildUsageReport(input, opts);
  ctx.out(format === 'json' || format === 'yaml' ? formatData(report, format) : formatUsageReport(report, { color: ctx.colorOut, allNamespaces: namespace === undefined, wide: format === 'wide', ...ctx.table }));
  if (report.summary.aboveWarn.length) {
    throw new ChecksFailed(`${report.summary.aboveWarn.length} claim(s) above ${opts.warnPercent}% used: ${report.summary.aboveWarn.join(', ')}`, { hint: 'free space in them or give them a larger size; the fullest first: k8s-storage usage --sort percent' });
  }
}
