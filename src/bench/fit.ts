/**
 * Whether a claim of `size` can be made at all, decided before bench makes anything (pure):
 * Longhorn needs `numberOfReplicas` schedulable nodes with that much free disk each; a
 * node-bound class (hostpath) needs one node whose filesystem has that much free.
 */
import type { Obj } from '../backends/types.js';
import type { Day2Backend } from '../day2/backends.js';
import { analyzeLonghorn, gib, type LonghornObjects } from '../backends/longhorn/status.js';

export interface FitFacts {
  storageClass: Obj;
  backend?: Day2Backend;
  sizeBytes: number;
  longhorn?: LonghornObjects;
  /** Free bytes of each schedulable node's filesystem (kubelet summary node.fs), for node-bound classes. */
  nodeFree?: { node: string; availableBytes?: number }[];
}

export function sizeFitProblem(f: FitFacts): string | undefined {
  const size = gib(f.sizeBytes);
  if (f.backend?.id === 'longhorn' && f.longhorn) {
    const replicas = Number(f.storageClass.parameters?.numberOfReplicas ?? 3);
    const nodes = analyzeLonghorn(f.longhorn).nodes.filter((n) => n.schedulable);
    const fit = nodes.filter((n) => n.storageAvailable >= f.sizeBytes);
    if (fit.length < replicas) {
      return `class ${f.storageClass.metadata.name} needs ${replicas} replica(s) of ${size}, on different nodes, but only ${fit.length} Longhorn node(s) have that much schedulable space (${nodes.map((n) => `${n.name} ${gib(n.storageAvailable)}`).join(', ') || 'none'})`;
    }
  }
  if (f.backend?.capabilities.nodeBound && f.nodeFree?.length) {
    const known = f.nodeFree.filter((n) => n.availableBytes !== undefined);
    if (known.length && !known.some((n) => n.availableBytes! >= f.sizeBytes)) {
      return `no node has ${size} free for a ${f.storageClass.metadata.name} volume (${known.map((n) => `${n.node} ${gib(n.availableBytes!)}`).join(', ')})`;
    }
  }
  return undefined;
}
