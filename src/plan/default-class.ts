/**
 * Exactly one default StorageClass: two defaults (hostpath and Longhorn, the classic
 * mistake) make PVCs without a class land on either; none leaves them Pending.
 */
import type { ObjectRef } from '../cluster/kube.js';
import { BACKENDS } from '../backends/index.js';
import { UsageError } from '../errors.js';
import type { KubeObject } from '../presets/types.js';
import { DEFAULT_CLASS_ANNOTATION, isDefaultClass } from './expectations.js';
import { emptyPlan, type Plan, type Step } from './types.js';

const classRef = (name: string): ObjectRef => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name });
const annotate = (value: 'true' | 'false') => ({ metadata: { annotations: { [DEFAULT_CLASS_ANNOTATION]: value } } });

type ConfigMap = KubeObject & { data?: Record<string, string> };

/**
 * The classes a backend re-renders from a ConfigMap (Backend.classSource), each read as
 * `<backend id>ClassConfigMap` when it exists: the default flag changes there too.
 */
export interface DefaultClassFacts {
  classes: KubeObject[];
  [source: `${string}ClassConfigMap`]: ConfigMap | undefined;
}

/** Reads every class source the registry knows, keyed as DefaultClassFacts wants them. */
export async function readClassSources(kube: { get(ref: ObjectRef): Promise<KubeObject | undefined> }): Promise<Record<`${string}ClassConfigMap`, ConfigMap>> {
  const found = await Promise.all(BACKENDS.filter((b) => b.classSource).map(async (b) => [`${b.id}ClassConfigMap`, await kube.get(b.classSource!.configMap)] as const));
  return Object.fromEntries(found.filter(([, cm]) => cm !== undefined)) as Record<`${string}ClassConfigMap`, ConfigMap>;
}

/** The class's manifest at its source with the default annotation set to `value`. */
function sourcePatch(cm: ConfigMap, key: string, value: 'true' | 'false'): Record<string, unknown> | undefined {
  const manifest = cm.data?.[key];
  if (!manifest) return undefined;
  const line = `${DEFAULT_CLASS_ANNOTATION}: "${value}"`;
  const updated = manifest.includes(DEFAULT_CLASS_ANNOTATION)
    ? manifest.replace(new RegExp(`${DEFAULT_CLASS_ANNOTATION.replace(/[./]/g, '\\$&')}:\\s*"?(true|false)"?`), line)
    : manifest;
  return updated === manifest ? undefined : { data: { [key]: updated } };
}

/** Steps that leave `target` the only default (or no default when target is undefined). */
export function defaultClassSteps(target: string | undefined, facts: DefaultClassFacts): Step[] {
  const steps: Step[] = [];
  for (const sc of facts.classes) {
    const name = sc.metadata.name;
    const want = name === target;
    if (isDefaultClass(sc) === want) continue;
    const value = want ? 'true' : 'false';
    const owner = BACKENDS.find((b) => b.classSource?.className === name);
    const cm = owner ? facts[`${owner.id}ClassConfigMap`] : undefined;
    if (owner?.classSource && cm) {
      const patch = sourcePatch(cm, owner.classSource.key, value);
      if (patch) steps.push({ kind: 'patch', title: `Set the default flag of ${owner.title}'s class at its source (ConfigMap ${owner.classSource.configMap.name}) to ${value}`, ref: owner.classSource.configMap, patch });
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
