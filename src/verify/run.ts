/**
 * Runs a VerifyPlan step by step, timing each, and deletes every object it made afterwards,
 * also on failure and Ctrl-C (the deletes do not listen to the aborted signal). Returns the
 * report; `interrupted` says Ctrl-C ended it.
 */
import { API_VERSION } from '../documents.js';
import { deletePodAndWait, deleteRunObjects, runPod } from '../cluster/pod-run.js';
import type { KubeClient } from '../cluster/kube.js';
import { refOf } from '../cluster/refs.js';
import { Interrupted } from '../errors.js';
import { checksumFromLog, sawOther, type VerifyPlan, type VerifyReport, type VerifyStep, type VerifyStepResult } from './plan.js';

export interface VerifyEvents {
  stepStarted?(step: VerifyStep): void;
  stepEnded?(result: VerifyStepResult): void;
  cleanupStarted?(): void;
}

class StepFailed extends Error {}

export async function runVerify(kube: KubeClient, plan: VerifyPlan, opts: { timeoutMs: number; signal: AbortSignal; keep: boolean; immediateBinding: boolean }, events: VerifyEvents = {}): Promise<VerifyReport & { interrupted: boolean }> {
  const results: VerifyStepResult[] = [];
  const made = new Map<string, ReturnType<typeof refOf>>();
  const track = (o: Parameters<typeof refOf>[0]) => made.set(`${o.kind}/${o.metadata!.name}`, refOf(o));
  const { signal, timeoutMs } = opts;
  let written: string | undefined;
  let interrupted = false;

  const steps: Record<VerifyStep['id'], () => Promise<string | undefined>> = {
    claim: async () => {
      track(plan.objects.claim);
      await kube.apply(plan.objects.claim);
      if (!opts.immediateBinding) return 'binds when the first pod starts (WaitForFirstConsumer)';
      await kube.waitFor(refOf(plan.objects.claim), (c: any) => (c?.status?.phase === 'Bound' ? true : `it is ${c?.status?.phase ?? 'Pending'}`), { timeoutMs, signal, what: `claim ${plan.objects.claim.metadata.name} to be Bound` });
      return 'Bound';
    },
    write: async () => {
      track(plan.objects.writer);
      const r = await runPod(kube, plan.objects.writer, { timeoutMs, signal, what: 'the writer pod to finish' });
      written = checksumFromLog(r.log, 'wrote');
      if (r.phase !== 'Succeeded' || !written) throw new StepFailed(`the writer pod ${r.phase === 'Failed' ? `failed (exit ${r.exitCode ?? '?'})` : 'printed no checksum'}: ${r.log.trim().split('\n').slice(-2).join(' / ') || 'no output'}`);
      return `sha256 ${written.slice(0, 12)}… on ${r.node ?? plan.writerNode}`;
    },
    'delete-writer': async () => {
      await deletePodAndWait(kube, refOf(plan.objects.writer), { timeoutMs, signal });
      return undefined;
    },
    read: async () => {
      track(plan.objects.reader);
      const r = await runPod(kube, plan.objects.reader, { timeoutMs, signal, what: 'the reader pod to finish' });
      const read = checksumFromLog(r.log, 'read');
      if (r.phase !== 'Succeeded' || !read) throw new StepFailed(`the reader pod failed (exit ${r.exitCode ?? '?'}): ${r.log.trim() || 'no output'}`);
      if (read === 'none') throw new StepFailed(`DATA LOST: the file is gone on ${r.node ?? plan.readerNode}`);
      if (read !== written) throw new StepFailed(`DATA LOST: checksum ${read.slice(0, 12)}… on ${r.node ?? plan.readerNode}, ${written?.slice(0, 12)}… was written`);
      return `same sha256 on ${r.node ?? plan.readerNode}`;
    },
    rwx: async () => {
      for (const o of plan.objects.rwx) track(o);
      const [rwxClaim, ...pods] = plan.objects.rwx;
      await kube.apply(rwxClaim!);
      const outcomes = await Promise.all(pods.map((p) => runPod(kube, p, { timeoutMs, signal, what: 'the ReadWriteMany pods to finish' })));
      const blind = outcomes.filter((o) => o.phase !== 'Succeeded' || !sawOther(o.log));
      if (blind.length) throw new StepFailed(`the pod on ${blind.map((o) => o.node ?? '?').join(' and ')} never saw the other pod's file`);
      return `both pods saw each other's file`;
    },
  };

  let failed = false;
  let cleanup: VerifyReport['cleanup'];
  try {
    for (const step of plan.steps) {
      if (failed) {
        results.push({ id: step.id, title: step.title, status: 'skipped', ms: 0 });
        continue;
      }
      events.stepStarted?.(step);
      const t0 = Date.now();
      try {
        if (signal.aborted) throw new Interrupted('interrupted');
        const detail = await steps[step.id]();
        const r: VerifyStepResult = { id: step.id, title: step.title, status: 'ok', ms: Date.now() - t0, ...(detail ? { detail } : {}) };
        results.push(r);
        events.stepEnded?.(r);
      } catch (err) {
        interrupted = err instanceof Interrupted || signal.aborted;
        const r: VerifyStepResult = { id: step.id, title: step.title, status: interrupted ? 'interrupted' : 'failed', ms: Date.now() - t0, detail: (err as Error).message };
        results.push(r);
        events.stepEnded?.(r);
        failed = true;
        if (!(err instanceof StepFailed) && !interrupted) throw err;
      }
    }
  } finally {
    // Also when a step threw something unexpected (the API refused us): nothing stays behind.
    if (!opts.keep || interrupted) events.cleanupStarted?.();
    cleanup = opts.keep && !interrupted ? { deleted: [], failed: [], kept: true } : { ...(await deleteRunObjects(kube, [...made.values()])), kept: false };
  }
  return {
    apiVersion: API_VERSION,
    schemaVersion: 1,
    kind: 'VerifyReport',
    storageClass: plan.storageClass,
    namespace: plan.namespace,
    runId: plan.runId,
    mode: plan.mode,
    writerNode: plan.writerNode,
    readerNode: plan.readerNode,
    notes: plan.notes,
    steps: results,
    cleanup,
    passed: results.every((r) => r.status === 'ok'),
    interrupted,
  };
}
