/**
 * `resize pvc`: every refusal before any change (shrink, unbound, a class without
 * allowVolumeExpansion, a node-bound backend, not enough schedulable space where the backend says (its resizeRoom hook)),
 * then one patch of spec.resources.requests.storage and, with --wait, a wait through
 * Resizing and FileSystemResizePending. Pure: the command reads the facts.
 */
import type { ClaimFacts } from '../cluster/claims.js';
import { ClusterError, UsageError } from '../errors.js';
import { quantityToBytes } from '../manifests/quantity.js';
import type { ResizeRoom } from '../backends/types.js';
import type { Plan } from './types.js';

export interface ResizeOptions {
  size: string;
  wait: boolean;
  timeoutMs: number;
}

export const RESIZE_PENDING = 'FileSystemResizePending';

const gi = (b: number) => `${Math.round((b / 2 ** 30) * 100) / 100}Gi`;

/** `room`: where the backend would put the extra space (its resizeRoom hook), when it says. */
export function planResize(c: ClaimFacts, opts: ResizeOptions, room?: ResizeRoom, backendTitle = c.backend ?? 'backend'): Plan {
  const ref = `${c.namespace}/${c.name}`;
  const problems: string[] = [];
  const wanted = quantityToBytes(opts.size)!;
  const current = quantityToBytes(c.pvc.status?.capacity?.storage ?? c.pvc.spec?.resources?.requests?.storage ?? '0') ?? 0;
  const className = c.pvc.spec?.storageClassName as string | undefined;
  if ((c.pvc.status?.phase ?? 'Pending') !== 'Bound') problems.push(`${ref} is ${c.pvc.status?.phase ?? 'Pending'}: only bound persistent volume claims can be expanded`);
  if (wanted < current) problems.push(`--size ${opts.size} is smaller than ${ref}'s capacity ${c.pvc.status?.capacity?.storage}: Kubernetes never shrinks a volume (field can not be less than status.capacity); to move to a smaller one, copy the data with k8s-storage migrate pvc ${c.name} -n ${c.namespace} --to-class CLASS --size ${opts.size}`);
  if (problems.length) throw new UsageError(problems);

  if (!c.capabilities.expand) {
    const why = c.capabilities.nodeBound
      ? `${c.backend ?? 'this backend'} volumes are directories on one node's disk: they cannot be expanded (and their size is not enforced anyway)`
      : `the backend behind class ${className ?? '(none)'} cannot expand volumes`;
    throw new UsageError(`cannot resize ${ref}: ${why}.`, {
      hint: `move it to a class that expands, with the size you want: k8s-storage migrate pvc ${c.name} -n ${c.namespace} --to-class longhorn --size ${opts.size}`,
    });
  }
  if (c.storageClass?.allowVolumeExpansion !== true) {
    throw new UsageError(`cannot resize ${ref}: its StorageClass ${className ?? '(none)'} does not set allowVolumeExpansion: true (the API server would refuse: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize).`, {
      hint: className ? `kubectl patch storageclass ${className} -p '{"allowVolumeExpansion": true}'` : 'give the claim a StorageClass that allows expansion',
    });
  }
  if (wanted === current) return { title: `resize ${ref}`, steps: [], warnings: [], notes: [`${ref} is already ${c.pvc.status?.capacity?.storage ?? opts.size}.`] };

  if (room) {
    const delta = wanted - current;
    const fit = room.nodes.filter((n) => n.room >= delta);
    if (fit.length < room.replicas) {
      const seen = room.nodes.map((n) => `${n.name} ${gi(Math.max(0, n.room))}`).join(', ') || 'no schedulable node';
      throw new ClusterError(`cannot resize ${ref} to ${opts.size}: each of its ${room.replicas} ${backendTitle} replicas needs ${gi(delta)} more on a node of its own, and only ${fit.length} node(s) have that much schedulable room (${seen}).`, {
        hint: 'free or add disk space, lower storage-over-provisioning-percentage limits, or reduce the volume\'s replicas (k8s-storage status shows the disks)',
      });
    }
  }

  const pvcRef = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: c.name, namespace: c.namespace };
  return {
    title: `resize ${ref} from ${c.pvc.status?.capacity?.storage} to ${opts.size}`,
    warnings: [],
    notes: c.users.length ? [] : [`no pod uses ${ref}: a filesystem grows only while a pod mounts it, so the resize finishes when one starts.`],
    steps: [
      { kind: 'patch', title: `Request ${opts.size} for ${ref}`, ref: pvcRef, patch: { spec: { resources: { requests: { storage: opts.size } } } } },
      ...(opts.wait ? [{ kind: 'wait' as const, title: `Wait until ${ref} has ${opts.size}`, until: { type: 'pvc-resized' as const, ref: pvcRef, size: opts.size }, timeoutMs: opts.timeoutMs, hint: `kubectl -n ${c.namespace} describe pvc ${c.name} (events of the resizer)` }] : []),
    ],
  };
}

/** Where a resize stands, from the claim: done, waiting for a pod, failed, or in progress (why). */
export function resizeProgress(pvc: { status?: any } | undefined, size: string): { state: 'done' | 'pod-restart' | 'failed' | 'resizing'; reason: string } {
  if (!pvc) return { state: 'failed', reason: 'the claim is gone' };
  const cap = quantityToBytes(pvc.status?.capacity?.storage ?? '0') ?? 0;
  if (cap >= quantityToBytes(size)!) return { state: 'done', reason: '' };
  const conditions: { type: string; status?: string; message?: string }[] = pvc.status?.conditions ?? [];
  const has = (t: string) => conditions.find((x) => x.type === t && x.status !== 'False');
  const failed = has('ControllerResizeError') ?? has('NodeResizeError');
  const alloc = pvc.status?.allocatedResourceStatuses?.storage as string | undefined;
  if (failed || alloc === 'ControllerResizeInfeasible' || alloc === 'NodeResizeInfeasible') return { state: 'failed', reason: failed?.message ?? alloc ?? 'the resize failed' };
  if (has(RESIZE_PENDING) || alloc === 'NodeResizePending') return { state: 'pod-restart', reason: has(RESIZE_PENDING)?.message ?? 'Waiting for user to (re-)start a pod to finish file system resize of volume on node.' };
  return { state: 'resizing', reason: has('Resizing') ? 'the volume is being resized' : alloc ?? 'waiting for the resizer' };
}
