/**
 * `install <backend>` and `uninstall <backend>`, for every backend of the registry: parse the
 * flags into typed options, gather the facts, call the backend's pure planner, then print the
 * plan (--dry-run) or confirm, execute and report. The backend says what; this says in what order.
 */
import type { Backend } from '../backends/types.js';
import { ClusterSession } from '../cluster/session.js';
import type { Context } from '../context.js';
import { runPlan } from './run-plan.js';

export async function installBackend(ctx: Context, backend: Backend, raw: Record<string, unknown>): Promise<void> {
  const runtime = await backend.load!();
  const opts = runtime.parseInstall(raw);
  const dryRun = raw.dryRun === true;
  const session = new ClusterSession(ctx);
  const facts = await runtime.gatherInstall(ctx, session, opts);
  try {
    const plan = backend.planInstall!(facts, opts);
    if (dryRun) {
      if (runtime.dryRunInstall) runtime.dryRunInstall(ctx, plan, facts, opts);
      else await runPlan(ctx, session, plan, { dryRun });
      return;
    }
    await runtime.confirmInstall?.(ctx, plan, facts, opts);
    await runPlan(ctx, session, plan, {});
    await runtime.reportInstall?.(ctx, session, plan, facts, opts);
  } finally {
    await runtime.release?.(facts);
  }
}

export async function uninstallBackend(ctx: Context, backend: Backend, raw: Record<string, unknown>): Promise<void> {
  const runtime = await backend.load!();
  const opts = runtime.parseUninstall(raw);
  const dryRun = raw.dryRun === true;
  const session = new ClusterSession(ctx);
  const facts = await runtime.gatherUninstall(ctx, session, opts);
  try {
    const plan = backend.planUninstall!(facts, opts);
    if (dryRun) {
      if (runtime.dryRunUninstall) runtime.dryRunUninstall(ctx, plan, facts, opts);
      else await runPlan(ctx, session, plan, { dryRun });
      return;
    }
    await runtime.confirmUninstall?.(ctx, plan, facts, opts);
    try {
      await runPlan(ctx, session, plan, {});
    } catch (err) {
      throw runtime.explainUninstallFailure ? await runtime.explainUninstallFailure(err, session, facts) : err;
    }
    await runtime.reportUninstall?.(ctx, session, plan, facts, opts);
  } finally {
    await runtime.release?.(facts);
  }
}
