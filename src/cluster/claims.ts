/**
 * The one place where a claim name becomes everything a day-2 command needs: the PVC, its
 * PV, its StorageClass, the backend behind it and what that backend can do, the node its
 * data is bound to, and the pods using it. `backup data`, `restore data`, `resize` and
 * `migrate` all start here; the pure helpers are tested on their own.
 */
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { duration } from '../options/index.js';
import type { KubeObject } from '../presets/types.js';
import { backendForProvisioner } from '../backends/index.js';
import type { KubeClient } from './kube.js';

type Obj = KubeObject & { spec?: any; status?: any };

/** -n, then the kubeconfig context's namespace, then "default". */
export function claimNamespace(ctx: Context, kube: KubeClient): string {
  return ctx.global.namespace ?? kube.kc.getContextObject(kube.kc.getCurrentContext())?.namespace ?? 'default';
}

/** --timeout through the shared duration parser, the default when absent. */
export function timeoutOf(opts: Record<string, unknown>, fallback: string, problems: string[]): number {
  return duration('--timeout', opts.timeout ?? fallback, problems) ?? 60_000;
}

/** What a command may do with a claim's volume: the registry's BackendCapabilities these commands read. */
export interface ClaimCapabilities {
  expand: boolean;
  /** Backend-native snapshots (Longhorn's). */
  snapshot: boolean;
  /** CSI VolumeSnapshots (`snapshot create --csi`). */
  csiSnapshots: boolean;
  /** Restore from a backup or snapshot into a new claim. */
  restore: boolean;
  /** Data lives on one node's disk: pods using it must run there. */
  nodeBound: boolean;
}

export interface ClaimUser {
  pod: string;
  node?: string;
  phase: string;
  /** The workload that owns the pod (Deployment/StatefulSet/...), when there is one. */
  owner?: { kind: string; name: string };
}

export interface ClaimFacts {
  namespace: string;
  name: string;
  pvc: Obj;
  pv?: Obj;
  storageClass?: Obj;
  provisioner?: string;
  /** The backend's id when it is one we know (hostpath, longhorn, nfs, ...). */
  backend?: string;
  capabilities: ClaimCapabilities;
  /** The node a node-bound PV lives on. */
  node?: string;
  accessModes: string[];
  /** status.capacity.storage, else the request. */
  size?: string;
  users: ClaimUser[];
}

/** Who provisions a claim, from the most certain source available. */
export function provisionerOf(pvc: Obj, pv?: Obj, sc?: Obj): string | undefined {
  return (
    pv?.spec?.csi?.driver ??
    pv?.metadata.annotations?.['pv.kubernetes.io/provisioned-by'] ??
    pvc.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'] ??
    pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-provisioner'] ??
    sc?.provisioner
  );
}

/** The node a PV is pinned to by a required hostname (or metadata.name) affinity, if any. */
export function pvNode(pv: Obj | undefined): string | undefined {
  for (const term of pv?.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    for (const e of [...(term.matchExpressions ?? []), ...(term.matchFields ?? [])]) {
      if ((e.key === 'kubernetes.io/hostname' || e.key === 'metadata.name') && e.operator === 'In' && e.values?.length === 1) return e.values[0];
    }
  }
  return undefined;
}

/** Pods that mount the claim and have not finished. */
export function claimUsers(pods: Obj[], claim: string): ClaimUser[] {
  return pods
    .filter((p) => !['Succeeded', 'Failed'].includes(p.status?.phase) && (p.spec?.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === claim))
    .map((p) => {
      const refs: any[] = (p.metadata as any).ownerReferences ?? [];
      const owner = refs.find((o) => o.controller) ?? refs[0];
      return {
        pod: p.metadata.name,
        phase: p.status?.phase ?? 'Pending',
        ...(p.spec?.nodeName ? { node: p.spec.nodeName } : {}),
        ...(owner ? { owner: { kind: owner.kind, name: owner.name } } : {}),
      };
    });
}

/** What the backend behind a provisioner can do, from the registry. Unknown backends: nothing is assumed but what the class says. */
export function capabilitiesOf(provisioner: string | undefined, sc: Obj | undefined): { backend?: string; capabilities: ClaimCapabilities } {
  const found = backendForProvisioner(provisioner);
  const caps = found?.capabilities;
  return {
    ...(found ? { backend: found.backend.id } : {}),
    capabilities: {
      expand: caps ? caps.expand : sc?.allowVolumeExpansion === true,
      snapshot: caps?.snapshot ?? false,
      csiSnapshots: caps?.csiSnapshots ?? false,
      restore: caps?.restore ?? false,
      nodeBound: caps?.nodeBound ?? false,
    },
  };
}

/** Pure: the facts from what was read. */
export function claimFacts(input: { namespace: string; pvc: Obj; pv?: Obj; storageClass?: Obj; pods: Obj[] }): ClaimFacts {
  const { pvc, pv, storageClass } = input;
  const provisioner = provisionerOf(pvc, pv, storageClass);
  const { backend, capabilities } = capabilitiesOf(provisioner, storageClass);
  const node = pvNode(pv);
  const size = pvc.status?.capacity?.storage ?? pvc.spec?.resources?.requests?.storage;
  return {
    namespace: input.namespace,
    name: pvc.metadata.name,
    pvc,
    ...(pv ? { pv } : {}),
    ...(storageClass ? { storageClass } : {}),
    ...(provisioner ? { provisioner } : {}),
    ...(backend ? { backend } : {}),
    capabilities: node ? { ...capabilities, nodeBound: true } : capabilities,
    ...(node ? { node } : {}),
    accessModes: pvc.spec?.accessModes ?? [],
    ...(size ? { size } : {}),
    users: claimUsers(input.pods, pvc.metadata.name),
  };
}

/** The error for a claim that does not exist, naming the claims that do. */
export async function claimNotFound(kube: KubeClient, namespace: string, name: string): Promise<UsageError> {
  const others = (await kube.list<Obj>('v1', 'PersistentVolumeClaim', { namespace })).map((c) => c.metadata.name);
  const there = others.length ? `; claims there: ${others.slice(0, 10).join(', ')}${others.length > 10 ? ', ...' : ''}` : '; it has no claims';
  return new UsageError(`PersistentVolumeClaim "${name}" not found in namespace ${namespace}${there}.`, { hint: 'pass the namespace with -n NAMESPACE' });
}

export async function readClaim(kube: KubeClient, namespace: string, name: string): Promise<ClaimFacts> {
  const pvc = await kube.get<Obj>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name, namespace });
  if (!pvc) throw await claimNotFound(kube, namespace, name);
  const [pv, storageClass, pods] = await Promise.all([
    pvc.spec?.volumeName ? kube.get<Obj>({ apiVersion: 'v1', kind: 'PersistentVolume', name: pvc.spec.volumeName }) : Promise.resolve(undefined),
    pvc.spec?.storageClassName ? kube.get<Obj>({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name: pvc.spec.storageClassName }) : Promise.resolve(undefined),
    kube.list<Obj>('v1', 'Pod', { namespace }),
  ]);
  return claimFacts({ namespace, pvc, ...(pv ? { pv } : {}), ...(storageClass ? { storageClass } : {}), pods });
}
