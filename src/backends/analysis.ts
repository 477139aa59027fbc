/**
 * What every backend's `analyze` starts from: its classes (by provisioner), its workloads
 * (found or missing, ready or not) and the one problem that stops new claims. Pure.
 */
import type { ObjectRef } from '../cluster/kube.js';
import { workloadReadiness } from '../plan/expectations.js';
import type { BackendStatus, ClusterFacts, Obj, WorkloadSpec } from './types.js';

export const workloadKey = (r: ObjectRef) => `${r.kind}/${r.namespace}/${r.name}`;

export const deployment = (namespace: string, name: string): ObjectRef => ({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name });
export const daemonSet = (namespace: string, name: string): ObjectRef => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', namespace, name });

/** The classes whose provisioner is one of these. */
export function classesOf(facts: Pick<ClusterFacts, 'classes'>, provisioners: readonly string[]): Obj[] {
  return facts.classes.filter((c) => provisioners.includes(String(c.provisioner ?? '')));
}

/**
 * The status line of a backend known by a provisioner and its workloads: undefined when it is
 * neither installed nor named by a class; otherwise installed, healthy, and why not.
 */
export function workloadStatus(name: string, provisioner: string, workloads: readonly WorkloadSpec[], facts: Pick<ClusterFacts, 'classes' | 'workloads'>): BackendStatus | undefined {
  const classes = classesOf(facts, [provisioner]).map((c) => c.metadata.name);
  const found = workloads.map((w) => ({ ref: w.ref, obj: facts.workloads.get(workloadKey(w.ref)) }));
  const installed = found.some((f) => f.obj);
  if (!installed && classes.length === 0) return undefined;
  const rows = found.filter((f) => f.obj).map((f) => {
    const verdict = workloadReadiness(f.obj as never);
    return { ref: `${f.ref.kind.toLowerCase()}/${f.ref.name} (${f.ref.namespace})`, ready: verdict === true ? 'ready' : verdict };
  });
  const primary = found[0];
  let problem: string | undefined;
  if (!installed) problem = `StorageClass ${classes.join(', ')} uses ${provisioner}, but its provisioner is not running: new claims will stay Pending`;
  else if (!primary?.obj) problem = `${primary?.ref.kind} ${primary?.ref.name} is missing`;
  else {
    const notReady = rows.find((w) => w.ready !== 'ready');
    if (notReady) problem = `${notReady.ref}: ${notReady.ready}`;
  }
  return { name, provisioner, installed, healthy: installed && !problem, classes, workloads: rows, ...(problem ? { problem } : {}) };
}

/** The node a PV is pinned to by its required nodeAffinity (hostpath, local volumes). */
export function pinnedNode(pv: Obj | undefined): string | undefined {
  for (const term of pv?.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    for (const e of [...(term.matchExpressions ?? []), ...(term.matchFields ?? [])]) {
      if ((e.key === 'kubernetes.io/hostname' || e.key === 'metadata.name') && e.operator === 'In' && e.values?.length === 1) return e.values[0];
    }
  }
  return undefined;
}
