/**
 * Reads what `usage` needs: claims, PVs, classes and pods (one paginated list each), every
 * node's kubelet summary (one request per node, all at once), and, for hostPath PVs only,
 * `du` on their nodes through the node agent (one short-lived DaemonSet on those nodes).
 */
import { readAgentScript, runAgentDaemonSet, type AgentRunEvents } from '../cluster/nodes-agent.js';
import type { ClusterSession } from '../cluster/session.js';
import type { Obj } from '../backends/types.js';
import { buildAgentObjects, LEFTOVER_GRACE_MS, newRunId } from '../nodes/daemonset.js';
import { hostpathVolumes, type KubeletSummary, type UsageInput } from './report.js';

export interface UsageCollectOptions {
  /** undefined = every namespace. */
  namespace?: string;
  du: boolean;
  image: string;
  timeoutMs: number;
}

export async function collectUsage(session: ClusterSession, opts: UsageCollectOptions, signal: AbortSignal, events: AgentRunEvents = {}): Promise<UsageInput> {
  const kube = await session.kube();
  const ns = opts.namespace ? { namespace: opts.namespace } : {};
  const [nodes, claims, volumes, classes, pods] = await Promise.all([
    kube.list<Obj>('v1', 'Node'),
    kube.list<Obj>('v1', 'PersistentVolumeClaim', ns),
    kube.list<Obj>('v1', 'PersistentVolume'),
    kube.list<Obj>('storage.k8s.io/v1', 'StorageClass'),
    kube.list<Obj>('v1', 'Pod', ns),
  ]);
  const summaries = Promise.all(
    nodes.map(async (n) => {
      try {
        return { node: n.metadata.name, summary: (await kube.nodeStatsSummary(n.metadata.name)) as KubeletSummary };
      } catch (err) {
        return { node: n.metadata.name, error: (err as Error).message };
      }
    }),
  );
  const claimed = new Set(claims.map((c) => c.spec?.volumeName).filter(Boolean));
  const hostpath = hostpathVolumes(volumes.filter((v) => claimed.has(v.metadata.name)));
  const du = new Map<string, { bytes?: number; node: string; error?: string }>();
  let duSkipped: string | undefined;
  if (hostpath.length && !opts.du) duSkipped = '--no-du';
  else if (hostpath.length) {
    const targets = [...new Set(hostpath.map((h) => h.node).filter((n): n is string => n !== undefined))].filter((n) => nodes.some((x) => x.metadata.name === n));
    const runId = newRunId(Date.now());
    const objects = buildAgentObjects({
      runId,
      image: opts.image,
      agentScript: await readAgentScript(),
      agentArgs: ['du', ...hostpath.map((h) => h.path)],
      nodeNames: targets,
      expiresAt: new Date(Date.now() + opts.timeoutMs + LEFTOVER_GRACE_MS).toISOString(),
    });
    const outcomes = await runAgentDaemonSet(kube, { runId, objects, expected: targets, timeoutMs: opts.timeoutMs }, signal, events);
    for (const h of hostpath) {
      const outcome = outcomes.find((o) => o.name === h.node);
      if (!h.node || !outcome) du.set(h.pv, { node: h.node ?? '?', error: h.node ? 'the node is gone' : 'the volume names no node' });
      else if (!outcome.reported) du.set(h.pv, { node: h.node, error: outcome.reason });
      else {
        const item = ((outcome.report as unknown as { du?: { path: string; bytes?: number; error?: string }[] }).du ?? []).find((d) => d.path === h.path);
        du.set(h.pv, item?.bytes !== undefined ? { node: h.node, bytes: item.bytes } : { node: h.node, error: item?.error === 'missing' ? `${h.path} does not exist on the node` : (item?.error ?? 'no answer for this path') });
      }
    }
  }
  return { claims, volumes, classes, pods, summaries: await summaries, du, ...(duSkipped ? { duSkipped } : {}) };
}
