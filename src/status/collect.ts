/**
 * Reads what `status` needs with a fixed number of requests: one paginated list per kind
 * and one GET per known backend workload, however many claims the cluster holds; with
 * Longhorn installed, also its volumes, nodes and settings (one paginated list each) and its backup target.
 */
import type { ClusterSession } from '../cluster/session.js';
import { collectLonghorn } from './longhorn.js';
import { BACKEND_WORKLOADS, workloadKey, type ClusterObjects } from './report.js';

export async function collectClusterObjects(session: ClusterSession): Promise<ClusterObjects> {
  const kube = await session.kube();
  const refs = [...new Map(Object.values(BACKEND_WORKLOADS).flat().map((r) => [workloadKey(r), r])).values()];
  const [version, nodes, classes, claims, volumes, workloads, longhorn] = await Promise.all([
    kube.version(),
    session.nodes(),
    kube.list('storage.k8s.io/v1', 'StorageClass'),
    kube.list('v1', 'PersistentVolumeClaim'),
    kube.list('v1', 'PersistentVolume'),
    Promise.all(refs.map(async (r) => [workloadKey(r), await kube.get(r)] as const)),
    collectLonghorn(kube),
  ]);
  return {
    server: kube.server,
    version,
    nodes,
    classes,
    claims,
    volumes,
    workloads: new Map(workloads.filter(([, o]) => o !== undefined) as [string, never][]),
    ...(longhorn ? { longhorn } : {}),
  };
}
