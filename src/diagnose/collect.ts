/**
 * Reads what `diagnose` needs, with a fixed number of requests whatever the namespace
 * holds: the target, one list per kind (claims, pods, events, Deployments and ReplicaSets of
 * the namespace; classes, PVs and nodes), one GET per workload of the backends concerned,
 * and Longhorn's objects when a claim is Longhorn's.
 */
import type { ClusterSession } from '../cluster/session.js';
import type { Obj } from '../backends/types.js';
import { backendForProvisioner } from '../day2/backends.js';
import { isDefaultClass } from '../plan/expectations.js';
import { workloadKey } from '../status/report.js';
import type { DiagnoseFacts, DiagnoseTarget } from './analyze.js';

export async function collectDiagnoseFacts(session: ClusterSession, target: DiagnoseTarget): Promise<DiagnoseFacts> {
  const kube = await session.kube();
  const ns = { namespace: target.namespace };
  const [claimsInNs, podsInNs, events, classes, volumes, nodes, deployments, replicaSets] = await Promise.all([
    kube.list<Obj>('v1', 'PersistentVolumeClaim', ns),
    kube.list<Obj>('v1', 'Pod', ns),
    kube.list<Obj>('v1', 'Event', ns),
    kube.list<Obj>('storage.k8s.io/v1', 'StorageClass'),
    kube.list<Obj>('v1', 'PersistentVolume'),
    kube.list<Obj>('v1', 'Node'),
    kube.list<Obj>('apps/v1', 'Deployment', ns),
    kube.list<Obj>('apps/v1', 'ReplicaSet', ns),
  ]);
  const pod = target.kind === 'pod' ? podsInNs.find((p) => p.metadata.name === target.name) : undefined;
  const wanted = target.kind === 'pvc' ? [target.name] : (pod?.spec?.volumes ?? []).map((v: any) => v?.persistentVolumeClaim?.claimName).filter(Boolean);
  const claims = claimsInNs.filter((c) => wanted.includes(c.metadata.name));
  const missingClaims = target.kind === 'pod' ? wanted.filter((w: string) => !claims.some((c) => c.metadata.name === w)) : [];
  const pods = podsInNs.filter((p) => (p.spec?.volumes ?? []).some((v: any) => wanted.includes(v?.persistentVolumeClaim?.claimName)));
  const classFor = (c: Obj) => classes.find((sc) => sc.metadata.name === c.spec?.storageClassName) ?? (c.spec?.storageClassName === undefined ? classes.find(isDefaultClass) : undefined);
  const backends = claims.map((c) => backendForProvisioner(classFor(c)?.provisioner)).filter((b) => b !== undefined);
  const refs = [...new Map(backends.flatMap((b) => b.workloads).map((r) => [workloadKey(r), r])).values()];
  const concerned = [...new Map(backends.filter((b) => b.backend.diagnose).map((b) => [b.id, b.backend])).values()];
  const [workloads, collected] = await Promise.all([
    Promise.all(refs.map(async (r) => [workloadKey(r), await kube.get<Obj>(r)] as const)),
    Promise.all(concerned.map(async (b) => [b.id, await (await b.load?.())?.collect?.(session)] as const)),
  ]);
  return {
    target,
    ...(pod ? { pod } : {}),
    claims,
    missingClaims,
    classes,
    volumes: volumes.filter((v) => claims.some((c) => c.spec?.volumeName === v.metadata.name)),
    pods,
    events,
    nodes,
    workloads: new Map(workloads.filter((e): e is readonly [string, Obj] => e[1] !== undefined)),
    deployments,
    replicaSets,
    backendObjects: Object.fromEntries(collected),
  };
}
