/**
 * Reads what `status` needs with a fixed number of requests: one paginated list per kind, one
 * GET per workload a backend lists (in the namespaces that exist), and what each backend's own `collect` reads (Longhorn: its
 * volumes, nodes and settings, one paginated list each, and its backup target), however many
 * claims the cluster holds.
 */
import { workloadKey } from '../backends/analysis.js';
import type { Backend } from '../backends/types.js';
import type { ClusterSession } from '../cluster/session.js';
import { SNAPSHOT_API_VERSION, SNAPSHOT_CONTROLLER } from '../snapshots/controller.js';
import type { ClusterObjects } from './report.js';

export async function collectClusterObjects(session: ClusterSession, backends: readonly Backend[]): Promise<ClusterObjects> {
  const kube = await session.kube();
  const refs = [...new Map(backends.flatMap((b) => b.workloads.map((w) => w.ref)).map((r) => [workloadKey(r), r])).values()];
  const [version, nodes, classes, claims, volumes, workloads, extras, snapshotsServed, snapshotController] = await Promise.all([
    kube.version(),
    session.nodes(),
    kube.list('storage.k8s.io/v1', 'StorageClass'),
    kube.list('v1', 'PersistentVolumeClaim'),
    kube.list('v1', 'PersistentVolume'),
    // A workload in a namespace that does not exist costs no request: on a cluster with one
    // backend installed, most of the registry's workloads are in namespaces nobody made.
    Promise.all(refs.map(async (r) => [workloadKey(r), r.namespace && (await session.namespaces())?.has(r.namespace) === false ? undefined : await kube.get(r)] as const)),
    Promise.all(backends.map(async (b) => [b.id, await (await b.load?.())?.collect?.(session)] as const)),
    // CSI snapshot support (src/snapshots/): served from discovery, plus one GET.
    kube.serves(SNAPSHOT_API_VERSION, 'VolumeSnapshot'),
    kube.get(SNAPSHOT_CONTROLLER),
  ]);
  return {
    server: kube.server,
    version,
    nodes,
    classes,
    claims,
    volumes,
    workloads: new Map(workloads.filter(([, o]) => o !== undefined) as [string, never][]),
    extra: Object.fromEntries(extras.filter(([, v]) => v !== undefined)),
    snapshotController: { served: snapshotsServed, ...(snapshotController ? { deployment: snapshotController } : {}) },
  };
}
