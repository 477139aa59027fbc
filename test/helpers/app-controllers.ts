/**
 * Stand-ins for the Deployment and StatefulSet controllers, enough for migrate: replicas
 * become pods (ready at once), scaling down deletes them, and a StatefulSet creates the
 * claims of its volumeClaimTemplates that are missing when it creates a pod, as the real
 * one does (so a claim deleted while it runs comes back empty).
 */
import type { createSandbox } from './sandbox.mjs';

type Sandbox = Awaited<ReturnType<typeof createSandbox>>;

function onWorkloadChange(s: Sandbox, resource: string, namespace: string, sync: (o: any) => void) {
  return s.api!.onChange((ev) => {
    if (ev.type === 'DELETED' || ev.resource.resource !== resource) return;
    if (ev.object.status?.observedGeneration === ev.object.metadata.generation && ev.object.status?.replicas === (ev.object.spec.replicas ?? 1)) return;
    setTimeout(() => {
      const cur = s.api!.store.get(`apps/${resource}`, ev.object.metadata.name, namespace);
      if (cur) sync(cur);
    }, 20);
  });
}

/** Replicas become pods owned through a ReplicaSet. */
export function startDeploymentController(s: Sandbox, namespace: string) {
  return onWorkloadChange(s, 'deployments', namespace, (d) => {
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
  });
}

/** Pods <sts>-<ordinal>, each mounting <template>-<sts>-<ordinal>, created from the template when missing. */
export function startStatefulSetController(s: Sandbox, namespace: string) {
  return onWorkloadChange(s, 'statefulsets', namespace, (st) => {
    const want = st.spec.replicas ?? 1;
    const name = st.metadata.name;
    const templates: any[] = st.spec.volumeClaimTemplates ?? [];
    for (const p of s.api!.store.list('pods', namespace) as any[]) {
      const m = new RegExp(`^${name}-(\\d+)$`).exec(p.metadata.name);
      if (m && Number(m[1]) >= want) s.api!.store.delete('pods', p.metadata.name, namespace);
    }
    for (let i = 0; i < want; i++) {
      if (s.api!.store.get('pods', `${name}-${i}`, namespace)) continue;
      for (const t of templates) {
        const claim = `${t.metadata.name}-${name}-${i}`;
        if (!s.api!.store.get('persistentvolumeclaims', claim, namespace)) s.api!.store.put({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: claim, namespace, labels: st.spec.selector?.matchLabels ?? {} }, spec: t.spec, status: { phase: 'Pending' } });
      }
      s.api!.store.put({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${name}-${i}`, namespace, labels: { ...(st.spec.template.metadata?.labels ?? {}) }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name, uid: 'sts', controller: true }] },
        spec: { ...st.spec.template.spec, volumes: [...(st.spec.template.spec.volumes ?? []), ...templates.map((t) => ({ name: t.metadata.name, persistentVolumeClaim: { claimName: `${t.metadata.name}-${name}-${i}` } }))] },
      });
    }
    s.api!.store.update('apps/statefulsets', name, namespace, (o: any) => {
      o.status = { observedGeneration: o.metadata.generation, replicas: want, readyReplicas: want, currentReplicas: want, updatedReplicas: want, availableReplicas: want, currentRevision: `${name}-1`, updateRevision: `${name}-1` };
    });
  });
}
