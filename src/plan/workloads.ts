/**
 * Maintenance windows for a claim: the Deployments and StatefulSets that mount it, recorded
 * with their replica counts before anything changes, scaled to 0 (waiting until their pods
 * are gone) and later scaled back to what was recorded. Shared by `migrate pvc` and
 * `snapshot revert`, which keep the record in an annotation so a rerun restores the counts
 * found before the first run, not the zeros it left.
 */
import type { ClaimFacts, ClaimUser } from '../cluster/claims.js';
import { UsageError } from '../errors.js';
import type { KubeObject } from '../presets/types.js';
import type { Step } from './types.js';

export interface WorkloadRecord {
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  replicas: number;
}

type Workload = KubeObject & { spec?: any };

const mountsClaim = (w: Workload, claim: string) => (w.spec?.template?.spec?.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === claim);

/** The workloads to scale down, as recorded before any change. */
export function workloadsOf(workloads: Workload[], claim: string): WorkloadRecord[] {
  return workloads.filter((w) => mountsClaim(w, claim)).map((w) => ({ kind: w.kind as WorkloadRecord['kind'], name: w.metadata.name, replicas: w.spec?.replicas ?? 1 }));
}

/** Pods using the claim that scaling the workloads down would not stop (no controller, or one that is not a Deployment's or a StatefulSet's). */
export function podsNotScaled(users: ClaimUser[]): ClaimUser[] {
  return users.filter((u) => !u.owner || !['ReplicaSet', 'StatefulSet'].includes(u.owner.kind));
}

export const workloadRef = (namespace: string, w: WorkloadRecord) => ({ apiVersion: 'apps/v1', kind: w.kind, name: w.name, namespace });

export function scaleDownSteps(namespace: string, workloads: WorkloadRecord[], timeoutMs: number): Step[] {
  return workloads.flatMap((w): Step[] => [
    { kind: 'patch', title: `Scale ${w.kind} ${w.name} to 0 (was ${w.replicas})`, ref: workloadRef(namespace, w), patch: { spec: { replicas: 0 } } },
    { kind: 'wait', title: `Wait until ${w.kind} ${w.name} has no pods`, until: { type: 'scaled-to-zero', ref: workloadRef(namespace, w) }, timeoutMs },
  ]);
}

export function scaleUpSteps(namespace: string, workloads: WorkloadRecord[], timeoutMs: number): Step[] {
  return workloads.flatMap((w): Step[] => [
    { kind: 'patch', title: `Scale ${w.kind} ${w.name} back to ${w.replicas}`, ref: workloadRef(namespace, w), patch: { spec: { replicas: w.replicas } } },
    ...(w.replicas > 0 ? [{ kind: 'wait', title: `Wait until ${w.kind} ${w.name} is ready`, until: { type: 'ready', ref: workloadRef(namespace, w) }, timeoutMs } as Step] : []),
  ]);
}

/** The progress record a resumable command keeps in an annotation on the claim, if there is one. */
export function recordOn<T>(claim: Pick<ClaimFacts, 'pvc' | 'namespace' | 'name'>, annotation: string): T | undefined {
  const raw = claim.pvc.metadata.annotations?.[annotation];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw new UsageError(`the ${annotation} annotation on ${claim.namespace}/${claim.name} is not ours to read (not JSON): remove it to start again`);
  }
}
