/**
 * Runs one fio Job on a fresh claim and reads fio's JSON from its pod's log. Every object is
 * deleted afterwards, also on failure and Ctrl-C (the deletes do not listen to the signal).
 */
import { deleteRunObjects, waitPodDone } from '../cluster/pod-run.js';
import type { KubeClient } from '../cluster/kube.js';
import { refOf } from '../cluster/refs.js';
import { ClusterError, Interrupted } from '../errors.js';
import type { KubeObject } from '../presets/types.js';
import { BENCH_CONTAINER, parseFioOutput, type FioResult } from './fio.js';

export interface BenchRunEvents {
  progress?(text: string): void;
  cleanupStarted?(): void;
}

export async function runBench(
  kube: KubeClient,
  objects: { configMap: KubeObject; claim: KubeObject; job: KubeObject },
  opts: { timeoutMs: number; signal: AbortSignal; expectedSeconds: number },
  events: BenchRunEvents = {},
): Promise<{ result: FioResult; seconds: number; cleanup: { deleted: string[]; failed: string[] } }> {
  const made = [refOf(objects.configMap), refOf(objects.claim), refOf(objects.job)];
  const t0 = Date.now();
  const ticker = setInterval(() => {
    const s = Math.round((Date.now() - t0) / 1000);
    events.progress?.(`fio running: ${s}s of about ${opts.expectedSeconds}s`);
  }, 1000);
  const cleanup: { deleted: string[]; failed: string[] } = { deleted: [], failed: [] };
  try {
    for (const o of [objects.configMap, objects.claim, objects.job]) {
      if (opts.signal.aborted) throw new Interrupted('interrupted before fio started');
      await kube.apply(o);
    }
    const jobName = objects.job.metadata.name;
    const ns = objects.job.metadata.namespace!;
    const done = await kube.waitFor<KubeObject & { status?: any }>(
      refOf(objects.job),
      (j) => ((j?.status?.conditions ?? []).some((c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') ? true : j?.status?.active ? 'fio is running' : 'its pod has not started (claim binding, image pull)'),
      { timeoutMs: opts.timeoutMs, signal: opts.signal, what: `fio Job ${jobName}` },
    );
    const pods = await kube.list<KubeObject>('v1', 'Pod', { namespace: ns, labelSelector: `job-name=${jobName}` });
    const pod = pods[0];
    if (!pod) throw new ClusterError(`fio Job ${jobName} ended without a pod`);
    const outcome = await waitPodDone(kube, { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: pod.metadata.name }, BENCH_CONTAINER, { timeoutMs: 30_000, signal: opts.signal, what: 'the fio pod' });
    const failed = (done?.status?.conditions ?? []).find((c: any) => c.type === 'Failed' && c.status === 'True');
    if (failed || outcome.phase === 'Failed') {
      throw new ClusterError(`fio failed on class ${(objects.claim.spec as { storageClassName?: string }).storageClassName}${outcome.exitCode !== undefined ? ` (exit ${outcome.exitCode})` : ''}: ${outcome.log.trim().split('\n').slice(-3).join(' / ').slice(0, 400) || failed?.message || 'no output'}`, {
        hint: `k8s-storage diagnose pvc ${objects.claim.metadata.name} -n ${ns} (rerun bench; it deletes what it made)`,
      });
    }
    try {
      return { result: parseFioOutput(outcome.log), seconds: Math.round((Date.now() - t0) / 100) / 10, cleanup };
    } catch (err) {
      throw new ClusterError(`could not read fio's output: ${(err as Error).message}`);
    }
  } finally {
    clearInterval(ticker);
    events.cleanupStarted?.();
    Object.assign(cleanup, await deleteRunObjects(kube, made));
  }
}
