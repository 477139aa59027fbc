/** The shared end of every mutating command: print the plan (--dry-run) or execute it. */
import type { ClusterSession } from '../cluster/session.js';
import { outputFormat, type Context } from '../context.js';
import { executePlan, type PlanResult } from '../plan/executor.js';
import type { Plan } from '../plan/types.js';
import { formatPlan } from '../output/plan.js';

export async function runPlan(ctx: Context, session: ClusterSession, plan: Plan, opts: { dryRun?: boolean }): Promise<PlanResult | undefined> {
  if (opts.dryRun) {
    const format = outputFormat(ctx, ['text', 'json', 'yaml'] as const, 'text');
    ctx.out(formatPlan(plan, format));
    return undefined;
  }
  const result = await executePlan(plan, { log: ctx.log, signal: ctx.signal, kube: () => session.kube() });
  if (plan.steps.length === 0) ctx.log.info('Nothing to change.');
  return result;
}
