/** `verify CLASS`: prove that data written on a claim of the class survives its pod. */
import { removeExpiredRuns } from '../cluster/pod-run.js';
import { ClusterSession } from '../cluster/session.js';
import { outputFormat, type Context } from '../context.js';
import type { Obj } from '../backends/types.js';
import { backendForProvisioner } from '../day2/backends.js';
import { parseDuration } from '../options/index.js';
import { ChecksFailed, Interrupted, UsageError } from '../errors.js';
import { objectNameProblems } from '../manifests/names.js';
import { sizeProblems } from '../manifests/quantity.js';
import { LEFTOVER_GRACE_MS, newRunId } from '../nodes/daemonset.js';
import { DEFAULT_AGENT_IMAGE } from '../nodes/options.js';
import { formatData } from '../output/print.js';
import { createProgress } from '../output/progress.js';
import { formatVerifyReport } from '../output/verify.js';
import { planVerify, VERIFY_SELECTOR } from '../verify/plan.js';
import { runVerify } from '../verify/run.js';

export interface VerifyFlags {
  size?: string;
  keep?: boolean;
  timeout?: string;
  image?: string;
}

/** Nodes a plain pod can run on: Ready, not cordoned, no NoSchedule/NoExecute taint. */
export function schedulableNodes(nodes: Obj[]): string[] {
  return nodes
    .filter((n) => (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'))
    .filter((n) => !n.spec?.unschedulable && !(n.spec?.taints ?? []).some((t: any) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'))
    .map((n) => n.metadata.name)
    .sort();
}

export async function verify(ctx: Context, className: string, flags: VerifyFlags): Promise<void> {
  const format = outputFormat(ctx, ['table', 'json', 'yaml'] as const, 'table');
  const size = flags.size ?? '1Gi';
  const problems = [...objectNameProblems('CLASS', className), ...sizeProblems('--size', size)];
  let timeoutMs = 300_000;
  try {
    timeoutMs = parseDuration('--timeout', flags.timeout ?? '5m');
  } catch (err) {
    problems.push((err as UsageError).message);
  }
  if (problems.length) throw new UsageError(problems);
  const namespace = ctx.global.namespace ?? 'default';

  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  const [sc, nodes] = await Promise.all([kube.get<Obj>({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name: className }), kube.list<Obj>('v1', 'Node')]);
  if (!sc) throw new UsageError(`StorageClass ${className} does not exist`, { hint: 'kubectl get storageclass' });
  const ready = schedulableNodes(nodes);
  if (!ready.length) throw new ChecksFailed('no node can run a pod (none is Ready and schedulable)', { hint: 'kubectl get nodes' });
  const backend = backendForProvisioner(sc.provisioner);
  const runId = newRunId(Date.now());
  const plan = planVerify({
    runId,
    namespace,
    storageClass: sc,
    ...(backend ? { capabilities: backend.capabilities } : {}),
    nodes: ready,
    size,
    image: flags.image ?? DEFAULT_AGENT_IMAGE,
    expiresAt: new Date(Date.now() + timeoutMs * 6 + LEFTOVER_GRACE_MS).toISOString(),
  });
  for (const note of plan.notes) ctx.log.warn(note);

  const kinds = [{ apiVersion: 'v1', kind: 'Pod' }, { apiVersion: 'v1', kind: 'PersistentVolumeClaim' }];
  const removed = await removeExpiredRuns(kube, namespace, VERIFY_SELECTOR, kinds, Date.now());
  if (removed.length) ctx.log.info(`removed leftovers of an earlier run: ${removed.join(', ')}`);

  const progress = await createProgress(ctx.log);
  const report = await runVerify(kube, plan, { timeoutMs, signal: ctx.signal, keep: flags.keep === true, immediateBinding: sc.volumeBindingMode !== 'WaitForFirstConsumer' }, {
    stepStarted: (s) => progress.start(s.title),
    stepEnded: (r) => (r.status === 'ok' ? progress.succeed(`${r.title} (${(r.ms / 1000).toFixed(1)}s)${r.detail ? `: ${r.detail}` : ''}`) : progress.fail(`${r.title}: ${r.detail ?? r.status}`)),
    cleanupStarted: () => ctx.log.info('cleaning up: deleting the test pods and claim'),
  });
  ctx.out(format === 'table' ? formatVerifyReport(report, { ...ctx.table, color: ctx.colorOut }) : formatData(report, format));
  if (report.cleanup.failed.length) ctx.log.warn(`could not delete ${report.cleanup.failed.join('; ')}. Remove them with: kubectl -n ${namespace} delete pod,pvc -l k8s-storage.io/run=${runId}`);
  if (report.cleanup.kept) ctx.log.info(`kept (--keep): kubectl -n ${namespace} delete pod,pvc -l k8s-storage.io/run=${runId}`);
  if (report.interrupted) {
    const done = report.steps.filter((s) => s.status === 'ok').map((s) => s.id);
    throw new Interrupted(`interrupted; steps done: ${done.length ? done.join(', ') : 'none'}; the test objects were deleted`);
  }
  if (!report.passed) {
    const failed = report.steps.find((s) => s.status === 'failed')!;
    throw new ChecksFailed(`verify ${className} failed at "${failed.title}": ${failed.detail}`, { hint: `k8s-storage diagnose pvc <your claim> -n ${namespace}, or rerun with --keep and inspect: kubectl -n ${namespace} describe pod -l k8s-storage.io/run=${runId}` });
  }
}
