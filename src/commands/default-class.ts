/** `default-class NAME`: exactly one default StorageClass. */
import { ClusterSession } from '../cluster/session.js';
import type { Context } from '../context.js';
import { planDefaultClass, readClassSources } from '../plan/default-class.js';
import { runPlan } from './run-plan.js';

export async function defaultClass(ctx: Context, name: string, opts: Record<string, any>): Promise<void> {
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  const [classes, sources] = await Promise.all([kube.list('storage.k8s.io/v1', 'StorageClass'), readClassSources(kube)]);
  const plan = planDefaultClass(name, { classes, ...sources });
  const done = await runPlan(ctx, session, plan, opts);
  if (done && plan.steps.length) ctx.log.success(`${name} is now the only default StorageClass`);
}
