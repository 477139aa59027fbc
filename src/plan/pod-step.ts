/**
 * The executor's pod step: create the data pod (src/data/pod.ts), wait until it runs, run
 * each command in it through exec with its stdin and stdout streamed, then delete it, always:
 * on success, on failure and on Ctrl-C. Leftovers of runs killed too hard to clean up (past
 * their expiry annotation) are deleted first.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { execInPod } from '../cluster/exec.js';
import type { KubeClient } from '../cluster/kube.js';
import { ClusterError } from '../errors.js';
import { buildDataPod, compareManifests, DATA_CONTAINER, DATA_POD_SELECTOR, parseManifest, summarize, type ContentSummary } from '../data/pod.js';
import { EXPIRES_ANNOTATION, newRunId } from '../nodes/daemonset.js';
import type { Logger } from '../output/log.js';
import { stdout } from '../output/stdio.js';
import type { KubeObject } from '../presets/types.js';
import type { PodRun, Step } from './types.js';

type PodStep = Extract<Step, { kind: 'pod' }>;
type Pod = KubeObject & { spec?: any; status?: any };

export interface PodOutput {
  bytes: number;
  sha256: string;
  /** Captured output (capture runs only). */
  text?: string;
  /** For captured manifests. */
  summary?: ContentSummary;
}

export interface PodStepDeps {
  kube: KubeClient;
  log: Logger;
  signal: AbortSignal;
  progress: { update(t: string): void };
  /** Where `stdout` runs write (default process.stdout). */
  stdout?: NodeJS.WritableStream;
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Where a pod is on its way to running: running, failed for good (with why), or still waiting (why). */
export function podProgress(pod: Pod | undefined): { state: 'running' | 'failed' | 'waiting'; reason: string } {
  if (!pod) return { state: 'waiting', reason: 'it does not exist yet' };
  const phase = pod.status?.phase ?? 'Pending';
  if (phase === 'Running') return { state: 'running', reason: '' };
  if (phase === 'Succeeded' || phase === 'Failed') return { state: 'failed', reason: `it ended (${phase}${pod.status?.reason ? `: ${pod.status.reason}` : ''}) before it could be used` };
  const waiting = (pod.status?.containerStatuses ?? []).map((c: any) => c.state?.waiting).find((w: any) => w?.reason);
  if (waiting && /ErrImagePull|ImagePullBackOff|InvalidImageName|CreateContainerConfigError/.test(waiting.reason)) {
    return { state: 'failed', reason: `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` };
  }
  const unschedulable = (pod.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled' && c.status === 'False');
  if (unschedulable) return { state: 'waiting', reason: `it cannot be scheduled: ${unschedulable.message ?? unschedulable.reason}` };
  return { state: 'waiting', reason: waiting ? waiting.reason : `it is ${phase}` };
}

/** Data pods of earlier runs whose expiry has passed (pure). */
export function expiredDataPods(pods: Pod[], nowMs: number): Pod[] {
  return pods.filter((p) => {
    const at = Date.parse(p.metadata.annotations?.[EXPIRES_ANNOTATION] ?? '');
    return Number.isFinite(at) && at < nowMs;
  });
}

/** Counts and hashes what passes, then hands it on. */
function meter(target: NodeJS.WritableStream | undefined, keep: boolean) {
  const hash = createHash('sha256');
  const state = { bytes: 0, chunks: [] as Buffer[] };
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      state.bytes += chunk.length;
      hash.update(chunk);
      if (keep) state.chunks.push(chunk);
      if (!target || target.write(chunk)) cb();
      else target.once('drain', () => cb());
    },
  });
  // Writes return false while our callback is pending, which pauses the socket upstream.
  return { stream, done: () => ({ bytes: state.bytes, sha256: hash.digest('hex'), ...(keep ? { text: Buffer.concat(state.chunks).toString('utf8') } : {}) }) };
}

/** A command in a running pod: stdin from the Secret line and/or a file, stdout to a file, our stdout or memory. */
async function runInPod(target: { namespace: string; pod: string; container: string }, run: PodRun, title: string, deps: PodStepDeps): Promise<Record<string, PodOutput>> {
  const { kube, signal } = deps;
  deps.progress.update(`${title} (${run.what})`);
  deps.log.debug(`pod ${target.pod} runs: ${run.what}`);
  const toFile = run.stdout && run.stdout !== 'stdout' ? run.stdout.file : undefined;
  const fileStream = toFile ? createWriteStream(`${toFile}.partial`) : undefined;
  const m = meter(fileStream ?? (run.stdout === 'stdout' ? (deps.stdout ?? stdout.stream()) : undefined), run.capture !== undefined);
  const secret = run.stdinSecret ? await secretValue(kube, run.stdinSecret) : undefined;
  const stdin = secret !== undefined || run.stdin ? Readable.from(stdinChunks(secret, run.stdin?.file)) : undefined;
  let ok = false;
  try {
    const r = await execInPod(kube, { ...target, command: run.command, ...(stdin ? { stdin } : {}), stdout: m.stream, signal });
    if (fileStream) await new Promise<void>((resolve, reject) => fileStream.end((e?: Error | null) => (e ? reject(e) : resolve())));
    if (r.failure) throw new ClusterError(`${run.what} could not start in pod ${target.pod}: ${r.failure}.`, { hint: 'the image needs sh, tar, gzip, find and sha256sum (busybox has them): see --image' });
    if (r.exitCode !== 0) {
      const said = r.stderr.trim().split('\n').slice(-3).join(' / ');
      throw new ClusterError(`${run.what} failed in pod ${target.pod} (exit ${r.exitCode})${said ? `: ${said}` : ''}.`);
    }
    ok = true;
  } finally {
    if (toFile) {
      if (ok) renameSync(`${toFile}.partial`, toFile);
      else {
        fileStream?.destroy();
        rmSync(`${toFile}.partial`, { force: true });
      }
    }
  }
  const out = m.done();
  const key = run.capture ?? toFile ?? (run.stdout === 'stdout' ? 'stdout' : run.what);
  return { [key]: run.capture !== undefined && out.text !== undefined ? { ...out, summary: summarize(parseManifest(out.text), sha256) } : out };
}

async function* stdinChunks(secretLine: string | undefined, file: string | undefined) {
  if (secretLine !== undefined) yield Buffer.from(`${secretLine}\n`);
  if (file) yield* createReadStream(file);
}

async function secretValue(kube: KubeClient, ref: { namespace: string; name: string; key: string }): Promise<string> {
  const secret = await kube.get<KubeObject & { data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', name: ref.name, namespace: ref.namespace });
  const raw = secret?.data?.[ref.key];
  if (raw === undefined) throw new ClusterError(`Secret ${ref.name} in ${ref.namespace} has no key "${ref.key}"${secret ? '' : ' (the Secret does not exist)'}.`, { hint: `kubectl -n ${ref.namespace} get secret ${ref.name}` });
  const value = Buffer.from(raw, 'base64').toString('utf8');
  if (value.includes('\n')) throw new ClusterError(`the value of Secret ${ref.name} key "${ref.key}" spans several lines: it cannot be passed as one line on stdin.`);
  return value;
}

export async function runExecStep(step: Extract<Step, { kind: 'exec' }>, deps: PodStepDeps): Promise<Record<string, PodOutput>> {
  return runInPod(step.target, step.run, step.title, deps);
}

export async function runPodStep(step: PodStep, deps: PodStepDeps): Promise<Record<string, PodOutput>> {
  const { kube, signal } = deps;
  const ns = step.pod.namespace;
  for (const old of expiredDataPods(await kube.list<Pod>('v1', 'Pod', { namespace: ns, labelSelector: DATA_POD_SELECTOR }), Date.now())) {
    deps.log.debug(`deleting leftover data pod ${old.metadata.name} (expired)`);
    await kube.delete({ apiVersion: 'v1', kind: 'Pod', name: old.metadata.name, namespace: ns });
  }
  const pod = buildDataPod(step.pod, newRunId(Date.now()), Date.now());
  const ref = { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, namespace: ns };
  const outputs: Record<string, PodOutput> = {};
  try {
    await kube.apply(pod);
    const ready = await kube.waitFor<Pod>(
      ref,
      (p) => {
        const s = podProgress(p);
        if (s.state !== 'waiting') return true;
        deps.progress.update(`${step.title} (pod ${ref.name}: ${s.reason})`);
        return s.reason;
      },
      { timeoutMs: step.timeoutMs, signal, what: `pod ${ref.name} in ${ns} to run` },
    );
    const state = podProgress(ready);
    if (state.state !== 'running') throw new ClusterError(`pod ${ref.name} in ${ns} did not start: ${state.reason}.`, { hint: `kubectl -n ${ns} describe pod ${ref.name} (while it exists), or try --image` });
    for (const run of step.runs) Object.assign(outputs, await runInPod({ namespace: ns, pod: ref.name, container: DATA_CONTAINER }, run, step.title, deps));
    if (step.compare) {
      const [a, b] = step.compare;
      const diff = compareManifests(parseManifest(outputs[a]?.text ?? ''), parseManifest(outputs[b]?.text ?? ''));
      if (diff.length) throw new ClusterError(`the copy differs from the source: ${diff.join('; ')}.`, { hint: 'rerun the same command: the copy step runs again' });
    }
  } finally {
    try {
      // After Ctrl-C the client's requests are aborted: clean up through one without the signal.
      await kube.unaborted().delete(ref);
    } catch (err) {
      deps.log.warn(`could not delete pod ${ref.name} in ${ns}: ${(err as Error).message} (the next run deletes it once it expires)`);
    }
  }
  return outputs;
}
