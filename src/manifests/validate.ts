/**
 * Every rendered object is checked against the Kubernetes OpenAPI schema (kubernetes-models)
 * before it is printed. Validators load per kind, so `render pvc` pays only for the PVC one.
 */
import type { KubeObject } from '../presets/types.js';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: any) => Validatable;

const MODELS: Record<string, () => Promise<ModelClass>> = {
  'v1/PersistentVolumeClaim': async () => (await import('kubernetes-models/v1/PersistentVolumeClaim')).PersistentVolumeClaim,
  'v1/Secret': async () => (await import('kubernetes-models/v1/Secret')).Secret,
  'v1/Service': async () => (await import('kubernetes-models/v1/Service')).Service,
  'v1/Namespace': async () => (await import('kubernetes-models/v1/Namespace')).Namespace,
  'apps/v1/Deployment': async () => (await import('kubernetes-models/apps/v1/Deployment')).Deployment,
  'apps/v1/StatefulSet': async () => (await import('kubernetes-models/apps/v1/StatefulSet')).StatefulSet,
  'apps/v1/DaemonSet': async () => (await import('kubernetes-models/apps/v1/DaemonSet')).DaemonSet,
  'storage.k8s.io/v1/StorageClass': async () => (await import('kubernetes-models/storage.k8s.io/v1/StorageClass')).StorageClass,
  'networking.k8s.io/v1/Ingress': async () => (await import('kubernetes-models/networking.k8s.io/v1/Ingress')).Ingress,
};

/**
 * Problems per object (`PersistentVolumeClaim/data: spec/accessModes must be array`).
 * Our own builders produced these objects, so any problem here is a bug, not bad input.
 */
export async function schemaProblems(objects: readonly KubeObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const obj of objects) {
    const load = MODELS[`${obj.apiVersion}/${obj.kind}`];
    if (!load) continue;
    const Model = await load();
    try {
      new Model(obj).validate();
    } catch (err) {
      const detail = err instanceof Error ? err.message.replace(/\bdata\//g, '').replace(/\bdata\b/g, '(object)') : String(err);
      problems.push(`${obj.kind}/${obj.metadata?.name}: ${detail}`);
    }
  }
  return problems;
}
