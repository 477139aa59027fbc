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

/** StatefulSets whose volumeClaimTemplates made this claim (<template>-<sts>-<ordinal>). */
export function templateOwner(workloads: Workload[], claim: string): Workload | undefined {
  return workloads.find((w) => w.kind === 'StatefulSet' && (w.spec?.volumeClaimTemplates ?? []).some((t: any) => new RegExp(`^${t.metadata?.name}-${w.metadata.name}-\\d+$`).test(claim)));
}

/**
 * Every workload to scale down so that no pod uses the claim: those whose pod template mounts
 * it, and the StatefulSet whose volumeClaimTemplates made it (all its replicas go to 0).
 */
export function workloadsUsing(workloads: Workload[], claim: string): WorkloadRecord[] {
  const sts = templateOwner(workloads, claim);
  const found = workloadsOf(workloads, claim);
  return sts && !found.some((w) => w.kind === 'StatefulSet' && w.name === sts.metadata.name) ? [...found, { kind: 'StatefulSet', name: sts.metadata.name, replicas: sts.spec?.replicas ?? 1 }] : found;
}

/** Pods using the claim that scaling `workloads` down would not stop: no controller, or not one of theirs (a ReplicaSet is a Deployment's when named <deployment>-<hash>). */
export function podsNotScaled(users: ClaimUser[], workloads: WorkloadRecord[]): ClaimUser[] {
  const ours = (u: ClaimUser) =>
    u.owner !== undefined &&
    workloads.some((w) => (w.kind === 'StatefulSet' && u.owner!.kind === 'StatefulSet' && u.owner!.name === w.name) || (w.kind === 'Deployment' && u.owner!.kind === 'ReplicaSet' && u.owner!.name.startsWith(`${w.name}-`)));
  return users.filter((u) => !ours(u));
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
  return annotationRecord<T>(claim.pvc, annotation, `${claim.namespace}/${claim.name}`);
}

/** The same for any object (`where` names it in the error): a record may ride on a PersistentVolume while no claim exists. */
export function annotationRecord<T>(obj: KubeObject | undefined, annotation: string, where: string): T | undefined {
  const raw = obj?.metadata.annotations?.[annotation];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw new UsageError(`the ${annotation} annotation on ${where} is not ours to read (not JSON): remove it to start again`);
  }
}
