/**
 * Runs a Plan step by step with progress on stderr, and verifies each step by reading the
 * state it should have produced. Ctrl-C stops between (or inside) steps and says what was
 * done; every step is idempotent, so rerunning the command finishes the job.
 */
import { helmProblem, helmStatus } from '../cluster/helm.js';
import type { KubeClient, WriteOptions } from '../cluster/kube.js';
import { describeCommand, runTool, type RunOptions, type ToolCommand, type ToolResult } from '../cluster/runner.js';
import { ClusterError, Interrupted } from '../errors.js';
import type { Logger } from '../output/log.js';
import { createProgress } from '../output/progress.js';
import { expectationRef, judge } from './expectations.js';
import { judgeHelmRelease, releaseBlocker, type HelmReleaseExpectation } from './helm-release.js';
import type { KubeObject } from '../presets/types.js';
import type { EventExplanation, ObjectExpectation, Plan, Step } from './types.js';
import { runExecStep, runPodStep, type PodOutput } from './pod-step.js';
import { byText } from '../sort.js';

export interface ExecutorDeps {
  log: Logger;
  signal: AbortSignal;
  /** Opened on first use, so plans that only run tools need no API. */
  kube: () => Promise<KubeClient>;
  run?: (cmd: ToolCommand, opts: RunOptions) => Promise<ToolResult>;
  /**
   * How API writes are made: the field manager, and `dryRun` (--dry-run=server): applies,
   * patches and deletes go with dryRun=All, so the server validates and admits them and
   * stores nothing; waits and verifies are skipped, as there is nothing to see.
   */
  write?: WriteOptions;
}

export interface PlanResult {
  done: string[];
  /** What pod steps streamed or captured, by capture key or output file. */
  outputs: Record<string, PodOutput>;
  /** The server's answers to the apply steps marked `report` (what `apply -o` prints), in order. */
  applied: KubeObject[];
}

/**
 * What verify steps read, by object: each object is read once between two writes (a
 * command, an apply, a patch, a delete), however many expectations look at it.
 */
type Reads = Map<string, Promise<unknown>>;

async function verifyAll(kube: KubeClient, expectations: ObjectExpectation[], reads: Reads): Promise<string[]> {
  const verdicts = await Promise.all(
    expectations.map(async (exp) => {
      const ref = expectationRef(exp);
      const key = `${ref.apiVersion}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
      let read = reads.get(key);
      if (!read) {
        read = kube.get(ref);
        reads.set(key, read);
        read.catch(() => reads.delete(key));
      }
      return judge(exp, (await read) as never);
    }),
  );
  return verdicts.filter((v): v is string => v !== true);
}

async function runStep(step: Step, deps: ExecutorDeps, progress: { update(t: string): void }, reads: Reads, result: Omit<PlanResult, 'done'>): Promise<void> {
  const run = deps.run ?? runTool;
  const write = deps.write ?? {};
  const outputs = result.outputs;
  if (step.kind !== 'verify' && step.kind !== 'wait') reads.clear();
  if (write.dryRun && (step.kind === 'run' || step.kind === 'pod' || step.kind === 'exec' || step.kind === 'service-call')) throw new ClusterError(`"${step.title}" cannot be run as a server-side dry run.`);
  if (write.dryRun && (step.kind === 'wait' || step.kind === 'verify')) return;
  switch (step.kind) {
    case 'run': {
      deps.log.debug(`$ ${describeCommand(step.command)}`);
      const r = await run(step.command, { signal: deps.signal, ...(step.timeoutMs ? { timeoutMs: step.timeoutMs } : {}) });
      deps.log.debug(`${r.stdout}${r.stderr}`.trim());
      const okExit = r.exitCode === 0 || (step.okExitCodes ?? []).includes(r.exitCode);
      if (r.notFound) throw step.helm ? helmProblem(r, step.helm, 'starting') : new ClusterError(`${step.command.file} is not installed or not on PATH.`, { reason: 'unavailable' });
      const releases = (step.verify ?? []).filter((e): e is HelmReleaseExpectation => e.type === 'helm-release');
      for (const exp of releases) {
        // Helm exits 0 with a failed release and 1 after a rollback: the recorded release decides.
        const after = await helmStatus(exp.helm, exp.chart.release, exp.chart.namespace, { signal: deps.signal }, run);
        const verdict = judgeHelmRelease(exp, r, after);
        if (verdict !== true) throw verdict;
      }
      const objects = (step.verify ?? []).filter((e): e is ObjectExpectation => e.type !== 'helm-release');
      if (releases.length && !objects.length) return;
      if (objects.length) {
        // The tool may have installed CRDs (an addon, a chart): look their kinds up again.
        (await deps.kube()).forgetMissingKinds();
        // The state decides: microk8s exits 0 on failures and 1 on some successes.
        const failures = await verifyAll(await deps.kube(), objects, reads);
        if (failures.length) {
          const output = `${r.stderr}${r.stdout}`.trim().split('\n').slice(-3).join(' / ');
          throw new ClusterError(`"${describeCommand(step.command)}" exited ${r.exitCode} but ${failures.join('; ')}.${output ? ` It said: ${output}` : ''}`);
        }
        return;
      }
      if (!okExit && step.helm) throw helmProblem(r, step.helm, `running ${[step.helm.name, ...step.command.args.slice(step.helm.prefix.length, step.helm.prefix.length + 2)].join(' ')}`);
      if (!okExit) throw new ClusterError(`"${describeCommand(step.command)}" failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`);
      return;
    }
    case 'apply': {
      const kube = await deps.kube();
      for (const obj of step.objects) {
        const answer = await kube.apply(obj, { ...write, force: step.forceConflicts ?? false });
        if (step.report) result.applied.push(answer);
      }
      return;
    }
    case 'patch':
      await (await deps.kube()).mergePatch(step.ref, step.patch, write);
      return;
    case 'delete': {
      const kube = await deps.kube();
      for (const ref of step.refs) await kube.delete(ref, 'Background', write);
      return;
    }
    case 'wait': {
      const kube = await deps.kube();
      kube.forgetMissingKinds();
      try {
        await kube.waitFor(expectationRef(step.until), (obj) => {
          const verdict = judge(step.until, obj as never);
          if (verdict !== true) progress.update(`${step.title} (${verdict})`);
          return verdict;
        }, { timeoutMs: step.timeoutMs, signal: deps.signal, what: step.title.replace(/^Wait (for|until) /i, '') });
      } catch (err) {
        if (err instanceof ClusterError && !deps.signal.aborted && step.explainWithEvents) throw await explainFromEvents(kube, err, step.explainWithEvents, step.hint);
        if (err instanceof ClusterError && step.hint) throw new ClusterError(err.message, { hint: step.hint, reason: err.reason, cause: err });
        throw err;
      }
      return;
    }
    case 'service-call': {
      const kube = await deps.kube();
      try {
        await kube.serviceRequest(step.service, step.method, step.path, { ...(step.query ? { query: step.query } : {}), ...(step.body !== undefined ? { body: step.body } : {}) });
      } catch (err) {
        if (err instanceof ClusterError && !deps.signal.aborted) throw new ClusterError(`${step.title} failed: ${err.message}`, { reason: err.reason, cause: err, ...(err.hint ? { hint: err.hint } : {}) });
        throw err;
      }
      return;
    }
    case 'pod':
      Object.assign(outputs, await runPodStep(step, { log: deps.log, signal: deps.signal, kube: await deps.kube(), progress }));
      return;
    case 'exec':
      Object.assign(outputs, await runExecStep(step, { log: deps.log, signal: deps.signal, kube: await deps.kube(), progress }));
      return;
    case 'verify': {
      // An earlier step may have installed the CRDs this checks.
      (await deps.kube()).forgetMissingKinds();
      const failures = await verifyAll(await deps.kube(), step.expect, reads);
      if (failures.length) throw new ClusterError(`${step.title} failed: ${failures.join('; ')}.`, step.hint ? { hint: step.hint } : {});
      return;
    }
  }
}

/** A failed wait, with what the object's newest Warning event says and the fix that text points to. */
async function explainFromEvents(kube: KubeClient, err: ClusterError, explain: EventExplanation, hint: string | undefined): Promise<ClusterError> {
  const events = await kube
    .list<KubeObject & { type?: string; reason?: string; message?: string; lastTimestamp?: string; eventTime?: string }>('v1', 'Event', {
      ...(explain.ref.namespace ? { namespace: explain.ref.namespace } : {}),
      fieldSelector: `involvedObject.name=${explain.ref.name},involvedObject.kind=${explain.ref.kind}`,
    })
    .catch(() => []);
  const newest = events.filter((e) => e.type === 'Warning').sort((a, b) => byText(String(a.lastTimestamp ?? a.eventTime ?? ''), String(b.lastTimestamp ?? b.eventTime ?? ''))).at(-1);
  if (!newest?.message) return new ClusterError(err.message, { ...(hint ? { hint } : {}), reason: err.reason, cause: err });
  const fixes = explain.fixes.filter((f) => newest.message!.toLowerCase().includes(f.match.toLowerCase())).map((f) => f.fix);
  const fix = fixes.length ? [...new Set(fixes)].join('; ') : hint;
  return new ClusterError(`${err.message} ${newest.reason ?? 'Warning'}: ${newest.message}`, { ...(fix ? { hint: fix } : {}), reason: err.reason, cause: err });
}

export async function executePlan(plan: Plan, deps: ExecutorDeps): Promise<PlanResult> {
  for (const w of plan.warnings) deps.log.warn(w);
  for (const n of plan.notes) deps.log.info(n);
  const progress = await createProgress(deps.log);
  const done: string[] = [];
  const reads: Reads = new Map();
  const result: Omit<PlanResult, 'done'> = { outputs: {}, applied: [] };
  for (const step of plan.steps) {
    if (deps.signal.aborted) throw interrupted(done, step.title);
    progress.start(step.title);
    try {
      await runStep(step, deps, progress, reads, result);
    } catch (err) {
      progress.fail(step.title);
      if (err instanceof Interrupted || deps.signal.aborted) throw await interruptedHelm(step, interrupted(done, step.title), deps);
      throw err;
    }
    progress.succeed(step.title);
    done.push(step.title);
  }
  return { done, ...result };
}

/**
 * Ctrl-C inside `helm upgrade` leaves the release pending, and the rerun the message suggests
 * would be refused: say so, with the command that unblocks it.
 */
async function interruptedHelm(step: Step, err: Interrupted, deps: ExecutorDeps): Promise<Interrupted> {
  const exp = step.kind === 'run' ? step.verify?.find((e): e is HelmReleaseExpectation => e.type === 'helm-release' && e.state === 'deployed') : undefined;
  if (!exp) return err;
  const after = await helmStatus(exp.helm, exp.chart.release, exp.chart.namespace, { timeoutMs: 20_000 }, deps.run ?? runTool).catch(() => undefined);
  const stuck = releaseBlocker(exp.chart, after, exp.helm.name);
  return stuck ? new Interrupted(`${err.message} ${stuck.message}`, { hint: stuck.hint! }) : err;
}

function interrupted(done: string[], current: string): Interrupted {
  const before = done.length ? `done before that: ${done.join('; ')}` : 'no earlier step had run';
  return new Interrupted(`interrupted during "${current}" (${before}).`, { hint: 'rerun the same command to finish: every step is safe to repeat' });
}
