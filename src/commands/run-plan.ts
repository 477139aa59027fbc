/** The shared end of every mutating command: print the plan (--dry-run) or execute it. */
import type { ClusterSession } from '../cluster/session.js';
import { outputFormat, type Context } from '../context.js';
import { executePlan, type PlanResult } from '../plan/executor.js';
import type { Plan } from '../plan/types.js';
import { formatPlan } from '../output/plan.js';

export interface RunPlanOptions {
  /** true or 'client' (`--dry-run`, `--dry-run=client`): print the plan; 'server': run it with dryRun=All. */
  dryRun?: boolean | 'client' | 'server';
  /** `--field-manager` (apply): who owns the fields written; default k8s-storage. */
  fieldManager?: string;
}

export async function runPlan(ctx: Context, session: ClusterSession, plan: Plan, opts: RunPlanOptions): Promise<PlanResult | undefined> {
  if (opts.dryRun === true || opts.dryRun === 'client') {
    const format = outputFormat(ctx, ['text', 'json', 'yaml'] as const, 'text');
    ctx.out(formatPlan(plan, format));
    return undefined;
  }
  const serverDryRun = opts.dryRun === 'server';
  const write = { ...(serverDryRun ? { dryRun: true } : {}), ...(opts.fieldManager ? { fieldManager: opts.fieldManager } : {}) };
  const result = await executePlan(plan, { log: ctx.log, signal: ctx.signal, kube: () => session.kube(), write });
  if (plan.steps.length === 0) ctx.log.info('Nothing to change.');
  return result;
}
