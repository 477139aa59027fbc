/**
 * Names from the cluster for `__complete` (claims, classes, namespaces, Longhorn snapshots
 * and backups...): one list request, within a short deadline. Completion must never hang a
 * shell or print an error into it, so any failure (no kubeconfig, no cluster, no such kind,
 * forbidden, too slow) is simply no names.
 */
import { KubeClient } from '../cluster/kube.js';
import type { KubeObject } from '../presets/types.js';
import { loadKubeconfig } from '../cluster/kubeconfig.js';
import type { ClusterRequest } from './resolve.js';

/** Long enough for a cluster on the LAN, short enough that TAB does not feel stuck. */
export const CLUSTER_NAMES_TIMEOUT_MS = 1500;

/** The volume behind a claim: its PV's CSI volume handle (a Longhorn volume's name), else the PV's name. */
async function claimVolume(kube: KubeClient, name: string, namespace: string): Promise<string | undefined> {
  const pvc = await kube.get<KubeObject & { spec?: { volumeName?: string } }>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name, namespace });
  const pvName = pvc?.spec?.volumeName;
  if (!pvName) return undefined;
  const pv = await kube.get<KubeObject & { spec?: { csi?: { volumeHandle?: string } } }>({ apiVersion: 'v1', kind: 'PersistentVolume', name: pvName });
  return pv?.spec?.csi?.volumeHandle || pvName;
}

const fieldOf = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);

interface Limits {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** `work` with the deadline: its answer, or no names when it fails or is too slow. */
function withinDeadline(opts: Limits, work: (signal: AbortSignal) => Promise<string[]>): Promise<string[]> {
  const deadline = AbortSignal.timeout(opts.timeoutMs ?? CLUSTER_NAMES_TIMEOUT_MS);
  const signal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
  const expired = new Promise<string[]>((resolve) => signal.addEventListener('abort', () => resolve([]), { once: true }));
  return Promise.race([work(signal).catch(() => []), expired]);
}

export function clusterNames(request: ClusterRequest, global: { kubeconfig?: string; context?: string }, opts: Limits = {}): Promise<string[]> {
  return withinDeadline(opts, async (signal) => {
    const { kc, server } = await loadKubeconfig(global, { signal });
    const kube = await KubeClient.connect(kc, server, { signal });
    try {
      const contextNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
      const namespace = request.contextNamespace ? contextNamespace : request.listNamespace;
      const [items, volume] = await Promise.all([kube.list(request.apiVersion, request.kind, namespace !== undefined ? { namespace } : {}), request.claim ? claimVolume(kube, request.claim.name, request.claim.namespace ?? contextNamespace) : undefined]);
      const mine = request.claim ? items.filter((o) => volume !== undefined && fieldOf(o, request.claim!.field) === volume) : items;
      return [...new Set(mine.map((o) => o.metadata?.name).filter((n): n is string => typeof n === 'string'))].sort();
    } finally {
      kube.close();
    }
  });
}

/** The contexts of the kubeconfig kubectl would read (or `microk8s config`'s), for --context. */
export function kubeconfigContexts(global: { kubeconfig?: string }, opts: Limits = {}): Promise<string[]> {
  return withinDeadline(opts, async (signal) => {
    const { kc } = await loadKubeconfig(global.kubeconfig ? { kubeconfig: global.kubeconfig } : {}, { signal });
    return kc.getContexts().map((c) => c.name).sort();
  });
}
