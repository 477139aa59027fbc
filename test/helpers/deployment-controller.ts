/**
 * A Deployment controller stand-in for the fake API server: replicas become pods (owned
 * through a ReplicaSet, with the template's volumes), ready at once; scaling down deletes
 * them. What scale-to-0 maintenance windows (migrate, snapshot revert) need to observe.
 */
import type { createSandbox } from './sandbox.mjs';

type Sandbox = Awaited<ReturnType<typeof createSandbox>>;

export function startDeploymentController(s: Sandbox, namespace: string): () => void {
  const sync = (d: any) => {
    const want = d.spec.replicas ?? 1;
    const pods = (s.api!.store.list('pods', namespace) as any[]).filter((p) => p.metadata.labels?.app === d.metadata.name);
    for (const p of pods.slice(want)) s.api!.store.delete('pods', p.metadata.name, namespace);
    for (let i = pods.length; i < want; i++) {
      s.api!.store.put({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${d.metadata.name}-rs-${i}-${Date.now() % 100000}`, namespace, labels: { app: d.metadata.name }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${d.metadata.name}-rs`, uid: 'rs', controller: true }] },
        spec: d.spec.template.spec,
      });
    }
    s.api!.store.update('apps/deployments', d.metadata.name, namespace, (o: any) => {
      o.status = { observedGeneration: o.metadata.generation, replicas: want, readyReplicas: want, updatedReplicas: want, availableReplicas: want };
    });
  };
  return s.api!.onChange((ev) => {
    if (ev.type === 'DELETED' || ev.resource.resource !== 'deployments') return;
    if (ev.object.status?.observedGeneration === ev.object.metadata.generation && ev.object.status?.replicas === (ev.object.spec.replicas ?? 1)) return;
    setTimeout(() => {
      const cur = s.api!.store.get('apps/deployments', ev.object.metadata.name, namespace);
      if (cur) sync(cur);
    }, 20);
  });
}
