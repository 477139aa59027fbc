/** Reading the cluster to decide whether an Expectation holds, with the reason when not. */
import type { KubeClient } from '../cluster/kube.js';
import { describeRef } from '../cluster/refs.js';
import type { KubeObject } from '../presets/types.js';
import { resizeProgress } from './resize.js';
import type { ObjectExpectation } from './types.js';

type Obj = KubeObject & { spec?: any; status?: any; metadata: KubeObject['metadata'] & { generation?: number } };

export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
export const isDefaultClass = (sc: KubeObject | undefined) => sc?.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true';

function subsetMismatch(actual: unknown, expected: unknown, path: string): string | undefined {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    for (const [k, v] of Object.entries(expected)) {
      const miss = subsetMismatch((actual as Record<string, unknown> | undefined)?.[k], v, path ? `${path}.${k}` : k);
      if (miss) return miss;
    }
    return undefined;
  }
  return JSON.stringify(actual) === JSON.stringify(expected) ? undefined : `${path} is ${JSON.stringify(actual)}, not ${JSON.stringify(expected)}`;
}

function fieldAt(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** Rolled out: the controller saw the latest spec and every replica is updated and ready. */
export function workloadReadiness(o: Obj | undefined): true | string {
  if (!o) return 'it does not exist yet';
  const s = o.status ?? {};
  if ((s.observedGeneration ?? 0) < (o.metadata.generation ?? 0)) return 'its controller has not seen the latest change yet';
  if (o.kind === 'DaemonSet') {
    const want = s.desiredNumberScheduled ?? 0;
    if (want === 0) return 'no node runs it yet';
    if ((s.updatedNumberScheduled ?? 0) < want || (s.numberReady ?? 0) < want) return `${s.numberReady ?? 0}/${want} pods ready`;
    return true;
  }
  const want = o.spec?.replicas ?? 1;
  const ready = s.readyReplicas ?? 0;
  if ((s.updatedReplicas ?? (o.kind === 'StatefulSet' ? ready : 0)) < want || ready < want) return `${ready}/${want} replicas ready`;
  if (o.kind === 'Deployment' && (s.availableReplicas ?? 0) < want) return `${s.availableReplicas ?? 0}/${want} replicas available`;
  return true;
}

/** The verdict on one object for an expectation: true, or why not. */
export function judge(exp: ObjectExpectation, obj: Obj | undefined): true | string {
  switch (exp.type) {
    case 'exists': {
      if (!obj) return `${describeRef(exp.ref)} does not exist`;
      if (exp.stopIf?.some((final) => subsetMismatch(obj, final, '') === undefined)) return true;
      const miss = exp.fields && subsetMismatch(obj, exp.fields, '');
      if (!miss) return true;
      const why = exp.explain ? fieldAt(obj, exp.explain) : undefined;
      return why === undefined || why === '' ? miss : `${miss} (${exp.explain}: ${JSON.stringify(why)})`;
    }
    case 'absent':
      return obj ? `${describeRef(exp.ref)} still exists` : true;
    case 'ready':
      return workloadReadiness(obj);
    case 'pvc-bound':
      if (!obj) return `${describeRef(exp.ref)} does not exist`;
      return obj.status?.phase === 'Bound' ? true : `it is ${obj.status?.phase ?? 'Pending'}`;
    case 'scaled-to-zero': {
      if (!obj) return true;
      if ((obj.status?.observedGeneration ?? 0) < (obj.metadata.generation ?? 0)) return 'its controller has not seen the change yet';
      const left = obj.status?.replicas ?? 0;
      return left === 0 ? true : `${left} pod(s) still running`;
    }
    case 'crd-established': {
      if (!obj) return `${describeRef(exp.ref)} does not exist`;
      const c = ((obj.status?.conditions ?? []) as { type: string; status: string; message?: string }[]).find((x) => x.type === 'Established');
      return c?.status === 'True' ? true : `not Established${c?.message ? ` (${c.message})` : ''}`;
    }
    case 'pvc-resized': {
      const p = resizeProgress(obj, exp.size);
      return p.state === 'resizing' ? p.reason : true;
    }
    case 'default-class':
      if (!obj) return `StorageClass ${exp.name} does not exist`;
      return isDefaultClass(obj) === exp.isDefault ? true : `StorageClass ${exp.name} is ${exp.isDefault ? 'not ' : ''}the default`;
  }
}

export function expectationRef(exp: ObjectExpectation) {
  return exp.type === 'default-class' ? { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name: exp.name } : exp.ref;
}

export async function check(kube: KubeClient, exp: ObjectExpectation): Promise<true | string> {
  return judge(exp, await kube.get<Obj>(expectationRef(exp)));
}
