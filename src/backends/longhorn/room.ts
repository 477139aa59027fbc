/** Longhorn's side of `resize pvc`: whether as many nodes as replicas have the extra room. */
import type { ClaimFacts } from '../../cluster/claims.js';
import type { KubeClient } from '../../cluster/kube.js';
import type { ResizeRoom } from '../types.js';
import { LONGHORN_API_VERSION, LONGHORN_NAMESPACE } from './resources.js';
import type { LonghornNodeObject, LonghornSettingObject } from './status.js';

/** Pure: each node's largest schedulable room on one disk, as Longhorn's scheduler counts it. */
export function longhornRoom(nodes: LonghornNodeObject[], overProvisioningPercent: number, replicas: number): ResizeRoom {
  return {
    replicas,
    nodes: nodes
      .filter((n) => n.spec?.allowScheduling !== false && (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'))
      .map((n) => {
        const rooms = Object.entries(n.status?.diskStatus ?? {})
          .filter(([name, d]) => d && n.spec?.disks?.[name]?.allowScheduling !== false)
          .map(([name, d]) => (Number(d!.storageMaximum ?? 0) * overProvisioningPercent) / 100 - Number(n.spec?.disks?.[name]?.storageReserved ?? 0) - Number(d!.storageScheduled ?? 0));
        return { name: n.metadata.name, room: rooms.length ? Math.max(...rooms) : 0 };
      }),
  };
}

export async function readLonghornRoom(kube: KubeClient, c: ClaimFacts): Promise<ResizeRoom | undefined> {
  if (!(await kube.serves(LONGHORN_API_VERSION, 'Node'))) return undefined;
  const volumeName = c.pv?.spec?.csi?.volumeHandle ?? c.pv?.metadata.name;
  const [volume, nodes, setting] = await Promise.all([
    volumeName ? kube.get<any>({ apiVersion: LONGHORN_API_VERSION, kind: 'Volume', name: volumeName, namespace: LONGHORN_NAMESPACE }) : undefined,
    kube.list<any>(LONGHORN_API_VERSION, 'Node', { namespace: LONGHORN_NAMESPACE }),
    kube.get<any>({ apiVersion: LONGHORN_API_VERSION, kind: 'Setting', name: 'storage-over-provisioning-percentage', namespace: LONGHORN_NAMESPACE }),
  ]);
  const percent = Number((setting as LonghornSettingObject | undefined)?.value ?? 100);
  return longhornRoom(nodes as LonghornNodeObject[], Number.isFinite(percent) ? percent : 100, Number(volume?.spec?.numberOfReplicas ?? (c.storageClass as any)?.parameters?.numberOfReplicas ?? 3));
}

