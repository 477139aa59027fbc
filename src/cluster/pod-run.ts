/**
 * Short-lived pods on a claim (verify, bench): create, wait until they end (watching), read
 * the log; and delete what a run made, whatever happened. The calls that clean up do not
 * listen to the aborted signal, so Ctrl-C still removes everything.
 */
import { ClusterError, Interrupted } from '../errors.js';
import type { KubeObject } from '../presets/types.js';
import { isStaleLeftover } from '../nodes/daemonset.js';
import type { KubeClient } from './kube.js';
import { describeRef, refOf, type ObjectRef } from './refs.js';

type Pod = KubeObject & { spec?: any; status?: any };

export interface PodOutcome {
  phase: 'Succeeded' | 'Failed';
  node?: string;
  log: string;
  exitCode?: number;
}

/** Why a pod has not ended yet, in the words `kubectl describe` would use. */
export function podProgress(pod: Pod | undefined): true | string {
  if (!pod) return 'it does not exist';
  const phase = pod.status?.phase ?? 'Pending';
  if (phase === 'Succeeded' || phase === 'Failed') return true;
  const unscheduled = (pod.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled) return `not scheduled: ${unscheduled.message ?? unscheduled.reason ?? 'Unschedulable'}`;
  const waiting = (pod.status?.containerStatuses ?? []).find((s: any) => s.state?.waiting)?.state?.waiting;
  if (waiting) return `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
  return phase === 'Running' ? 'running' : 'Pending (waiting for its volume or a node)';
}

/** Waits (watching) until the pod has ended, then reads its container's log. */
export async function waitPodDone(kube: KubeClient, ref: ObjectRef, container: string, opts: { timeoutMs: number; signal: AbortSignal; what: string }): Promise<PodOutcome> {
  const pod = await kube.waitFor<Pod>(ref, podProgress, { timeoutMs: opts.timeoutMs, signal: opts.signal, what: opts.what });
  if (!pod) throw new ClusterError(`${describeRef(ref)} disappeared while ${opts.what}`);
  const log = await kube.podLog({ namespace: ref.namespace!, name: ref.name, container }).catch(() => '');
  const terminated = (pod.status?.containerStatuses ?? []).find((s: any) => s.name === container)?.state?.terminated;
  return { phase: pod.status.phase, ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}), log, ...(terminated?.exitCode !== undefined ? { exitCode: terminated.exitCode } : {}) };
}

export async function runPod(kube: KubeClient, pod: KubeObject, opts: { timeoutMs: number; signal: AbortSignal; what: string }): Promise<PodOutcome> {
  if (opts.signal.aborted) throw new Interrupted(`interrupted before ${opts.what}`);
  await kube.apply(pod);
  const container = (pod as Pod).spec.containers[0].name as string;
  return waitPodDone(kube, refOf(pod), container, opts);
}

/** Deletes a pod and waits until it is gone, so its volume is free for the next pod. */
export async function deletePodAndWait(kube: KubeClient, ref: ObjectRef, opts: { timeoutMs: number; signal: AbortSignal }): Promise<void> {
  await kube.delete(ref);
  await kube.waitFor(ref, (o) => (o === undefined ? true : 'it is still terminating'), { timeoutMs: opts.timeoutMs, signal: opts.signal, what: `${describeRef(ref)} to be deleted` });
}

/**
 * Deletes every object of a run (pods and jobs first, then claims, then the rest). Returns
 * what was deleted and what could not be, for the report; never throws. The deletes go
 * through a client that Ctrl-C does not abort: cleaning up is what an interrupted run does.
 */
export async function deleteRunObjects(client: KubeClient, refs: ObjectRef[]): Promise<{ deleted: string[]; failed: string[] }> {
  const kube = client.unaborted();
  const order = (r: ObjectRef) => (r.kind === 'Pod' || r.kind === 'Job' ? 0 : r.kind === 'PersistentVolumeClaim' ? 1 : 2);
  const deleted: string[] = [];
  const failed: string[] = [];
  for (const ref of [...refs].sort((a, b) => order(a) - order(b))) {
    try {
      if (await kube.delete(ref, ref.kind === 'Job' ? 'Foreground' : 'Background')) deleted.push(describeRef(ref));
    } catch (err) {
      failed.push(`${describeRef(ref)}: ${(err as Error).message}`);
    }
  }
  return { deleted, failed };
}

/** Objects of earlier runs (selector) whose expiry has passed: runs killed too hard to clean up. */
export async function removeExpiredRuns(kube: KubeClient, namespace: string, selector: string, kinds: { apiVersion: string; kind: string }[], nowMs: number): Promise<string[]> {
  const found = (await Promise.all(kinds.map(async (k) => (await kube.list<KubeObject>(k.apiVersion, k.kind, { namespace, labelSelector: selector })).map((o) => ({ ...o, apiVersion: k.apiVersion, kind: k.kind }))))).flat();
  const stale = found.filter((o) => isStaleLeftover(o, nowMs));
  return (await deleteRunObjects(kube, stale.map(refOf))).deleted;
}
