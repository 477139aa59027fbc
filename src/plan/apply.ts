/**
 * `apply pvc|storageclass|app`: the objects `render` builds, server-side applied, then
 * (with --wait) followed until their claims are Bound, except where binding waits for a
 * pod (WaitForFirstConsumer), which the plan says instead of waiting forever.
 */
import type { KubeObject, StorageClassObject } from '../presets/types.js';
import { defaultClassExpectations, defaultClassSteps, type DefaultClassFacts } from './default-class.js';
import { isDefaultClass } from './expectations.js';
import { emptyPlan, type Plan } from './types.js';

export interface ApplyFacts {
  classes: StorageClassObject[];
  /** Secrets that already exist, as namespace/name: their passwords are kept. */
  existingSecrets: Set<string>;
  /** Namespaces the objects go to that do not exist yet: created first, as helm --create-namespace does. */
  missingNamespaces: string[];
  defaultNamespace: string;
}

export interface ApplyOptions {
  wait: boolean;
  timeoutMs: number;
  forceConflicts: boolean;
}

type Obj = KubeObject & { spec?: any };

const key = (ns: string, name: string) => `${ns}/${name}`;

/** The claims a set of objects creates, with the workload that mounts each (if any). */
function claimsOf(objects: Obj[], ns: (o: Obj) => string): { namespace: string; name: string; className?: string; consumer?: string }[] {
  const out: { namespace: string; name: string; className?: string; consumer?: string }[] = [];
  const mounted = new Map<string, string>();
  for (const o of objects) {
    for (const v of o.spec?.template?.spec?.volumes ?? []) if (v.persistentVolumeClaim) mounted.set(key(ns(o), v.persistentVolumeClaim.claimName), `${o.kind}/${o.metadata.name}`);
  }
  for (const o of objects) {
    if (o.kind === 'PersistentVolumeClaim') {
      const consumer = mounted.get(key(ns(o), o.metadata.name));
      out.push({ namespace: ns(o), name: o.metadata.name, ...(o.spec.storageClassName ? { className: o.spec.storageClassName } : {}), ...(consumer ? { consumer } : {}) });
    }
    if (o.kind === 'StatefulSet') {
      for (const t of o.spec.volumeClaimTemplates ?? []) {
        const className = t.spec?.storageClassName as string | undefined;
        out.push({ namespace: ns(o), name: `${t.metadata.name}-${o.metadata.name}-0`, ...(className ? { className } : {}), consumer: `StatefulSet/${o.metadata.name}` });
      }
    }
  }
  return out;
}

export function planApply(objects: Obj[], facts: ApplyFacts, opts: ApplyOptions): Plan {
  const plan = emptyPlan(`apply ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  const ns = (o: Obj) => o.metadata.namespace ?? facts.defaultNamespace;
  const clusterScoped = new Set(['StorageClass']);
  const placed = objects.map((o) => (clusterScoped.has(o.kind) || o.metadata.namespace ? o : { ...o, metadata: { ...o.metadata, namespace: facts.defaultNamespace } }));

  const toApply = placed.filter((o) => {
    if (o.kind === 'Secret' && facts.existingSecrets.has(key(ns(o), o.metadata.name))) {
      // A new password would lock the app out of the data it already initialised.
      plan.notes.push(`Secret ${o.metadata.name} already exists: keeping its password (delete the Secret to have a new one generated).`);
      return false;
    }
    return true;
  });
  if (facts.missingNamespaces.length) {
    plan.steps.push({
      kind: 'apply',
      title: `Create namespace ${facts.missingNamespaces.join(', ')}`,
      objects: facts.missingNamespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    });
  }
  if (toApply.length) plan.steps.push({ kind: 'apply', title: `Apply ${toApply.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`, objects: toApply, forceConflicts: opts.forceConflicts, report: true });

  const defaults = facts.classes.filter(isDefaultClass);
  for (const claim of claimsOf(placed, ns)) {
    const className = claim.className ?? (defaults.length === 1 ? defaults[0]!.metadata.name : undefined);
    const sc = facts.classes.find((c) => c.metadata.name === className);
    const label = `PVC ${claim.name}`;
    if (!className) {
      plan.warnings.push(`${label} names no StorageClass and the cluster has ${defaults.length === 0 ? 'no default class' : `${defaults.length} default classes`}: it will stay Pending. Fix with: k8s-storage default-class NAME`);
      continue;
    }
    if (!opts.wait) continue;
    const waitsForPod = sc?.volumeBindingMode === 'WaitForFirstConsumer';
    if (waitsForPod && !claim.consumer) {
      plan.notes.push(`${label} uses ${className}, which binds only when a pod uses the claim (WaitForFirstConsumer): it is Pending until then, which is normal. Not waiting.`);
      continue;
    }
    plan.steps.push({
      kind: 'wait',
      title: `Wait for ${label} to be Bound`,
      until: { type: 'pvc-bound', ref: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: claim.name, namespace: claim.namespace } },
      timeoutMs: opts.timeoutMs,
      hint: `kubectl -n ${claim.namespace} describe pvc ${claim.name}`,
    });
  }
  if (!plan.steps.length && !plan.notes.length) plan.notes.push('Nothing to do.');
  return plan;
}

/**
 * `apply storageclass`: the class, replaced first when a field that cannot change in place
 * differs (provisioner, parameters, reclaim policy, binding mode), and with --default the only
 * default afterwards.
 */
export function planApplyStorageClass(sc: StorageClassObject, facts: DefaultClassFacts & { classes: StorageClassObject[] }, opts: { forceConflicts: boolean; makeDefault: boolean }): Plan {
  const plan = planApply([sc], { classes: facts.classes, existingSecrets: new Set(), missingNamespaces: [], defaultNamespace: 'default' }, { wait: false, timeoutMs: 0, forceConflicts: opts.forceConflicts });
  const existing = facts.classes.find((c) => c.metadata.name === sc.metadata.name);
  const immutableChanged =
    existing &&
    (existing.provisioner !== sc.provisioner ||
      (existing.reclaimPolicy ?? 'Delete') !== (sc.reclaimPolicy ?? 'Delete') ||
      (existing.volumeBindingMode ?? 'Immediate') !== (sc.volumeBindingMode ?? 'Immediate') ||
      JSON.stringify(existing.parameters ?? {}) !== JSON.stringify(sc.parameters ?? {}));
  const steps = [...plan.steps];
  if (immutableChanged) {
    steps.unshift({ kind: 'delete', title: `Replace StorageClass ${sc.metadata.name}: its provisioner, parameters and policies cannot be changed in place (existing volumes are not affected)`, refs: [{ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name: sc.metadata.name }] });
  }
  if (opts.makeDefault) {
    const after = [...facts.classes.filter((c) => c.metadata.name !== sc.metadata.name), sc];
    steps.push(...defaultClassSteps(sc.metadata.name, { ...facts, classes: after }));
    steps.push({ kind: 'verify', title: 'Check that exactly one class is the default', expect: defaultClassExpectations(sc.metadata.name, after) });
  }
  return { ...plan, steps };
}
