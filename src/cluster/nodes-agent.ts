/**
 * Reaching nodes with the node agent (agent/node-agent.sh): through the cluster, as a
 * short-lived privileged DaemonSet whose init containers' logs carry the reports; or on
 * this machine (--local). The objects and the log format are built and read by the pure
 * code in src/nodes/; this adapter creates, watches and always deletes.
 */
import { hostname } from 'node:os';
import { assetPath, readAsset } from '../assets.js';
import { ClusterError, hasReason, Interrupted } from '../errors.js';
import {
  AGENT_CONTAINER,
  AGENT_SELECTOR,
  agentPodNode,
  agentPodState,
  isStaleLeftover,
  parseAgentOutput,
  RUN_LABEL,
  type AgentObjects,
  type ParsedAgentOutput,
} from '../nodes/daemonset.js';
import { sudoProblem } from '../nodes/local.js';
import type { AgentOutcome } from '../nodes/types.js';
import type { KubeObject } from '../presets/types.js';
import type { KubeClient } from './kube.js';
import { describeRef, refOf, type ObjectRef } from './refs.js';
import { describeCommand, runTool, type ToolCommand } from './runner.js';

const AGENT_SCRIPT = 'agent/node-agent.sh';

/** agent/node-agent.sh as a file to run (--local). */
export function agentScriptPath(): string {
  return assetPath(AGENT_SCRIPT);
}

export async function readAgentScript(): Promise<string> {
  return readAsset(AGENT_SCRIPT);
}

/** What the adapter has to say while it works; the command decides how to show it. */
export interface AgentRunEvents {
  progress?(text: string): void;
  leftoversRemoved?(refs: string[]): void;
  otherRunsActive?(refs: string[]): void;
  started?(daemonSet: string): void;
  cleanupStarted?(): void;
  cleanupFailed?(message: string): void;
}

export interface DaemonSetRun {
  runId: string;
  objects: AgentObjects;
  /** Nodes that must report; the others' pods (if any) are ignored. */
  expected: string[];
  timeoutMs: number;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 100) / 10}s`;
}

/**
 * Deletes agent objects of earlier runs that are over: runs interrupted so hard (kill -9,
 * lost connection) that they could not clean up. Objects of a run that may still be going
 * on (its expiry has not passed) are left to it.
 */
export async function removeLeftovers(kube: KubeClient, namespace: string, nowMs: number, events: AgentRunEvents = {}): Promise<void> {
  const [daemonSets, configMaps] = await Promise.all([
    kube.list<KubeObject>('apps/v1', 'DaemonSet', { namespace, labelSelector: AGENT_SELECTOR }),
    kube.list<KubeObject>('v1', 'ConfigMap', { namespace, labelSelector: AGENT_SELECTOR }),
  ]);
  const found = [
    ...daemonSets.map((o) => ({ ...o, apiVersion: 'apps/v1', kind: 'DaemonSet' })),
    ...configMaps.map((o) => ({ ...o, apiVersion: 'v1', kind: 'ConfigMap' })),
  ];
  const stale = found.filter((o) => isStaleLeftover(o, nowMs));
  const live = found.filter((o) => !isStaleLeftover(o, nowMs));
  for (const o of stale) await kube.delete(refOf(o));
  if (stale.length) events.leftoversRemoved?.(stale.map((o) => describeRef(refOf(o))));
  if (live.length) events.otherRunsActive?.(live.map((o) => describeRef(refOf(o))));
}

/**
 * Creates the ConfigMap and the DaemonSet, collects one report per expected node until
 * they are all in or the timeout passes, and deletes both objects whatever happens
 * (success, failure, Ctrl-C). Nodes without a report come back as `reported: false`.
 */
export async function runAgentDaemonSet(kube: KubeClient, run: DaemonSetRun, signal: AbortSignal, events: AgentRunEvents = {}): Promise<AgentOutcome[]> {
  const namespace = run.objects.daemonSet.metadata.namespace!;
  const owned: ObjectRef[] = [refOf(run.objects.daemonSet), refOf(run.objects.configMap)];
  try {
    if (signal.aborted) throw new Interrupted('interrupted before the node agents started');
    await removeLeftovers(kube, namespace, Date.now(), events);
    // Created when missing, left as it is otherwise: applying it would need rights on
    // namespaces that an existing one does not.
    if (!(await kube.get(refOf(run.objects.namespace)))) await kube.apply(run.objects.namespace);
    if (signal.aborted) throw new Interrupted('interrupted before the node agents started');
    await kube.apply(run.objects.configMap);
    if (signal.aborted) throw new Interrupted('interrupted before the node agents started');
    await kube.apply(run.objects.daemonSet);
    events.started?.(describeRef(refOf(run.objects.daemonSet)));
    return await collectReports(kube, run, namespace, signal, events);
  } finally {
    // Runs after Ctrl-C too: these calls do not listen to the aborted signal.
    events.cleanupStarted?.();
    // Both at once: neither waits for the other, and the run ends a round trip sooner.
    const cleaner = kube.unaborted();
    const failed = (
      await Promise.all(
        owned.map(async (ref) => {
          try {
            await cleaner.delete(ref);
            return undefined;
          } catch (err) {
            // KubeClient's errors name the object already ("not allowed while deleting DaemonSet/x in ns: ...").
            const message = (err as Error).message.replace(/\.$/, '');
            return err instanceof ClusterError ? message : `${describeRef(ref)}: ${message}`;
          }
        }),
      )
    ).filter((f): f is string => f !== undefined);
    if (failed.length) {
      events.cleanupFailed?.(`the agent's objects were not all deleted: ${failed.join('; ')}. Remove what is left with: kubectl -n ${namespace} delete daemonset,configmap -l ${RUN_LABEL}=${run.runId}`);
    }
  }
}

/** A finished pod's log; a failure that may pass (the kubelet not serving it yet) is tried again twice. */
async function readLog(kube: KubeClient, ref: { namespace: string; name: string; container: string }, signal: AbortSignal): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await kube.podLog(ref);
    } catch (err) {
      if (attempt >= 3 || signal.aborted || hasReason(err, 'forbidden')) throw err;
      await new Promise((r) => setTimeout(r, 300 * attempt));
    }
  }
}

function outcomeOf(node: string, parsed: ParsedAgentOutput): AgentOutcome {
  return parsed.report
    ? { name: node, reported: true, report: parsed.report, ...(parsed.exitCode !== undefined ? { exitCode: parsed.exitCode } : {}) }
    : { name: node, reported: false, reason: parsed.problem ?? 'the node agent printed no report' };
}

async function collectReports(kube: KubeClient, run: DaemonSetRun, namespace: string, signal: AbortSignal, events: AgentRunEvents): Promise<AgentOutcome[]> {
  const expected = new Set(run.expected);
  const outcomes = new Map<string, AgentOutcome>();
  const lastState = new Map<string, string>();
  // Pods being read already: a pod is read once, whatever the events that follow.
  const reading = new Set<string>();
  // One list, then a watch of the run's pods: each finished pod's log is read the moment
  // its init container ends, and the wait ends with the last report.
  await kube.watchList<KubeObject & { spec?: any; status?: any }>(
    'v1',
    'Pod',
    { namespace, labelSelector: `${RUN_LABEL}=${run.runId}`, timeoutMs: run.timeoutMs, signal },
    async (pods) => {
      const finished: { pod: string; node: string }[] = [];
      for (const pod of pods) {
        const node = agentPodNode(pod);
        if (!node || !expected.has(node) || outcomes.has(node) || reading.has(pod.metadata.name)) continue;
        const state = agentPodState(pod);
        if (!state.done) {
          lastState.set(node, state.detail);
          continue;
        }
        // The report in the termination message (when it fitted) spares reading the log;
        // anything else there (no report, a cut one) sends us to the log, which says more.
        const fromMessage = state.message ? parseAgentOutput(state.message) : undefined;
        if (fromMessage?.report) outcomes.set(node, outcomeOf(node, fromMessage));
        else finished.push({ pod: pod.metadata.name, node });
      }
      await Promise.all(
        finished.map(async ({ pod, node }) => {
          reading.add(pod);
          try {
            outcomes.set(node, outcomeOf(node, parseAgentOutput(await readLog(kube, { namespace, name: pod, container: AGENT_CONTAINER }, signal))));
          } catch (err) {
            // Refused is final (RBAC on pods/log); anything else may pass (container starting).
            if (err instanceof Interrupted || hasReason(err, 'forbidden')) throw err;
            lastState.set(node, `its log cannot be read yet: ${(err as Error).message}`);
            reading.delete(pod);
          }
        }),
      );
      if (outcomes.size >= expected.size) return true;
      const waiting = run.expected.filter((n) => !outcomes.has(n));
      events.progress?.(`Waiting for ${waiting.length} of ${expected.size} node(s): ${waiting.slice(0, 5).join(', ')}${waiting.length > 5 ? ', ...' : ''}`);
      return false;
    },
  );
  const noPod = lastState.size === 0 && outcomes.size === 0
    ? `no agent pod was created at all: Pod Security admission or a policy engine may reject privileged pods in namespace ${namespace} (kubectl -n ${namespace} get events)`
    : 'no agent pod was created for it';
  return run.expected.map(
    (n) =>
      outcomes.get(n) ?? {
        name: n,
        reported: false,
        reason: `did not report within ${formatDuration(run.timeoutMs)}: ${lastState.get(n) ?? noPod}`,
      },
  );
}

/** Runs the agent on this machine; sudo trouble is an error, an agent without a report is an outcome. */
export async function runLocalAgent(cmd: ToolCommand, opts: { signal: AbortSignal; timeoutMs: number; rerun: string }): Promise<{ outcome: AgentOutcome; stderr: string }> {
  const started = Date.now();
  const r = await runTool(cmd, { signal: opts.signal, timeoutMs: opts.timeoutMs });
  const sudo = sudoProblem(cmd, r, opts.rerun);
  if (sudo) throw sudo;
  if (r.notFound) throw new ClusterError(`${cmd.file} is not installed or not on PATH.`);
  const parsed = parseAgentOutput(r.stdout);
  if (parsed.report) return { outcome: { name: parsed.report.node, reported: true, report: parsed.report, exitCode: r.exitCode }, stderr: r.stderr };
  const late = Date.now() - started >= opts.timeoutMs;
  const said = r.stderr.trim().split('\n').slice(-2).join(' / ');
  const reason = late
    ? `"${describeCommand(cmd)}" did not finish within ${formatDuration(opts.timeoutMs)}`
    : `"${describeCommand(cmd)}" exited ${r.exitCode} without a report${said ? `: ${said}` : ''}`;
  return { outcome: { name: hostname(), reported: false, reason }, stderr: r.stderr };
}
