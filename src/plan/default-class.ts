/**
 * Exactly one default StorageClass: two defaults (hostpath and Longhorn, the classic
 * mistake) make PVCs without a class land on either; none leaves them Pending.
 */
import type { ObjectRef } from '../cluster/kube.js';
import { UsageError } from '../errors.js';
import type { KubeObject } from '../presets/types.js';
import { DEFAULT_CLASS_ANNOTATION, isDefaultClass } from './expectations.js';
import { emptyPlan, type Plan, type Step } from './types.js';

const classRef = (name: string): ObjectRef => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name });
const annotate = (value: 'true' | 'false') => ({ metadata: { annotations: { [DEFAULT_CLASS_ANNOTATION]: value } } });

/** Longhorn re-renders its `longhorn` class from this ConfigMap, undoing hand edits. */
export const LONGHORN_CLASS_CONFIGMAP: ObjectRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'longhorn-storageclass', namespace: 'longhorn-system' };

export interface DefaultClassFacts {
  classes: KubeObject[];
  /** The ConfigMap Longhorn renders its class from, when Longhorn is installed. */
  longhornClassConfigMap?: KubeObject & { data?: Record<string, string> };
}

/** The Longhorn ConfigMap's class manifest with the default annotation set to `value`. */
function longhornConfigMapPatch(cm: KubeObject & { data?: Record<string, string> }, value: 'true' | 'false'): Record<string, unknown> | undefined {
  const manifest = cm.data?.['storageclass.yaml'];
  if (!manifest) return undefined;
  const line = `${DEFAULT_CLASS_ANNOTATION}: "${value}"`;
  const updated = manifest.includes(DEFAULT_CLASS_ANNOTATION)
    ? manifest.replace(new RegExp(`${DEFAULT_CLASS_ANNOTATION.replace(/[./]/g, '\\$&')}:\\s*"?(true|false)"?`), line)
    : manifest;
  return updated === manifest ? undefined : { data: { 'storageclass.yaml': updated } };
}

/** Steps that leave `target` the only default (or no default when target is undefined). */
export function defaultClassSteps(target: string | undefined, facts: DefaultClassFacts): Step[] {
  const steps: Step[] = [];
  for (const sc of facts.classes) {
    const name = sc.metadata.name;
    const want = name === target;
    if (isDefaultClass(sc) === want) continue;
    const value = want ? 'true' : 'false';
    if (name === 'longhorn' && facts.longhornClassConfigMap) {
      const patch = longhornConfigMapPatch(facts.longhornClassConfigMap, value);
      if (patch) steps.push({ kind: 'patch', title: `Set the default flag of Longhorn's class at its source (ConfigMap longhorn-storageclass) to ${value}`, ref: LONGHORN_CLASS_CONFIGMAP, patch });
    }
    steps.push({ kind: 'patch', title: want ? `Make StorageClass ${name} the default` : `Stop StorageClass ${name} being a default`, ref: classRef(name), patch: annotate(value) });
  }
  return steps;
}

export function defaultClassExpectations(target: string | undefined, classes: KubeObject[]) {
  return classes.map((sc) => ({ type: 'default-class' as const, name: sc.metadata.name, isDefault: sc.metadata.name === target }));
}

/** `default-class NAME`. */
export function planDefaultClass(name: string, facts: DefaultClassFacts): Plan {
  const plan = emptyPlan(`make ${name} the only default StorageClass`);
  if (!facts.classes.some((c) => c.metadata.name === name)) {
    const names = facts.classes.map((c) => c.metadata.name);
    throw new UsageError(`StorageClass "${name}" does not exist; the cluster has: ${names.join(', ') || '(none)'}`, { hint: 'k8s-storage status' });
  }
  plan.steps = defaultClassSteps(name, facts);
  if (plan.steps.length === 0) plan.notes.push(`${name} is already the only default StorageClass.`);
  else plan.steps.push({ kind: 'verify', title: 'Check that exactly one class is the default', expect: defaultClassExpectations(name, facts.classes) });
  return plan;
}
