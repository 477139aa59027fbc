/**
 * A new class is proven by a claim that binds (GUIDE): the steps that make a small claim of a
 * class, wait for it to bind, and delete it. With WaitForFirstConsumer a pod that mounts it is
 * its first consumer. Pure: shared by the backends that install classes (ceph, openebs).
 */
import type { ObjectRef } from '../cluster/kube.js';
import type { Step } from '../plan/types.js';
import type { KubeObject } from '../presets/types.js';

export interface ProbeClaim {
  className: string;
  namespace: string;
  accessMode: 'ReadWriteOnce' | 'ReadWriteMany';
  waitForFirstConsumer: boolean;
  timeoutMs: number;
  /** The command that shows why the claim did not bind. */
  hint: string;
  image?: string;
}

export const probeName = (className: string) => `k8s-storage-probe-${className}`.slice(0, 63).replace(/-+$/, '');

export function probeClaimSteps(p: ProbeClaim): Step[] {
  const name = probeName(p.className);
  const pvc: KubeObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: p.namespace, labels: { 'app.kubernetes.io/managed-by': 'k8s-storage', 'k8s-storage/probe': 'true' } },
    spec: { accessModes: [p.accessMode], storageClassName: p.className, resources: { requests: { storage: '1Gi' } } },
  } as KubeObject;
  const pvcRef: ObjectRef = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name, namespace: p.namespace };
  const podRef: ObjectRef = { apiVersion: 'v1', kind: 'Pod', name, namespace: p.namespace };
  const objects = [pvc];
  if (p.waitForFirstConsumer) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: p.namespace, labels: { 'app.kubernetes.io/managed-by': 'k8s-storage', 'k8s-storage/probe': 'true' } },
      spec: {
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 0,
        containers: [{ name: 'probe', image: p.image ?? 'busybox:1.36', command: ['sh', '-c', 'touch /data/probe && sleep 3600'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: name } }],
      },
    } as KubeObject);
  }
  const cleanup = `kubectl -n ${p.namespace} delete ${p.waitForFirstConsumer ? `pod/${name} ` : ''}pvc/${name}`;
  return [
    { kind: 'apply', title: `Make a probe claim of class ${p.className} (${name} in ${p.namespace})`, objects },
    { kind: 'wait', title: `Wait for the probe claim of ${p.className} to bind`, until: { type: 'pvc-bound', ref: pvcRef }, timeoutMs: p.timeoutMs, hint: `${p.hint}; then ${cleanup}` },
    { kind: 'delete', title: `Delete the probe claim of ${p.className}`, refs: p.waitForFirstConsumer ? [podRef, pvcRef] : [pvcRef] },
  ];
}
