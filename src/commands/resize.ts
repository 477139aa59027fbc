/** `resize pvc NAME --size Q [--wait]`: grow a claim, refusing first what cannot work. */
import { claimNamespace, readClaim, timeoutOf } from '../cluster/claims.js';
import { backendById } from '../backends/index.js';
import { ClusterSession } from '../cluster/session.js';
import type { Context } from '../context.js';
import { ClusterError, UsageError } from '../errors.js';
import { sizeProblems } from '../manifests/quantity.js';
import { planResize, resizeProgress } from '../plan/resize.js';
import { runPlan } from './run-plan.js';

export async function resizePvc(ctx: Context, name: string, opts: Record<string, any>): Promise<void> {
  const problems = sizeProblems('--size', opts.size);
  const timeoutMs = timeoutOf(opts, '5m', problems);
  if (problems.length) throw new UsageError(problems);
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  const claim = await readClaim(kube, claimNamespace(ctx, kube), name);
  const backend = claim.backend ? backendById(claim.backend) : undefined;
  const room = await (await backend?.load?.())?.resizeRoom?.(kube, claim);
  const plan = planResize(claim, { size: opts.size, wait: opts.wait === true, timeoutMs }, room, backend?.title);
  const result = await runPlan(ctx, session, plan, opts);
  if (!result || !plan.steps.length) return;
  const ref = `${claim.namespace}/${claim.name}`;
  if (opts.wait !== true) {
    ctx.log.success(`requested ${opts.size} for ${ref}; follow it with: k8s-storage resize pvc ${claim.name} -n ${claim.namespace} --size ${opts.size} --wait`);
    return;
  }
  const progress = resizeProgress(await kube.get<any>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: claim.name, namespace: claim.namespace }), opts.size);
  if (progress.state === 'failed') throw new ClusterError(`resizing ${ref} failed: ${progress.reason}`, { hint: `kubectl -n ${claim.namespace} describe pvc ${claim.name}` });
  if (progress.state === 'pod-restart') {
    const pods = claim.users.map((u) => u.pod);
    ctx.log.warn(`${ref}: the volume is ${opts.size}, but its filesystem grows only when a pod mounts it again (${progress.reason})`);
    ctx.log.hint(pods.length ? `restart the pod using it: kubectl -n ${claim.namespace} delete pod ${pods.join(' ')}` : 'start the workload that uses it');
    return;
  }
  ctx.log.success(`${ref} is now ${opts.size}`);
}
