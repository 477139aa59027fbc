/**
 * PVC names are what users type; Longhorn works on volumes. This finds the Longhorn volume
 * behind a claim (PVC -> its PV -> the Longhorn Volume the CSI driver made for it), or says
 * exactly why there is none: no such claim, not Bound yet, not on Longhorn, no Longhorn.
 */
import { claimNamespace, claimNotFound } from '../../../cluster/claims.js';
import type { KubeClient } from '../../../cluster/kube.js';
import { ClusterSession } from '../../../cluster/session.js';
import type { Context } from '../../../context.js';
import { ClusterError, UsageError } from '../../../errors.js';
import { LONGHORN_API_VERSION, LONGHORN_NAMESPACE, type LonghornVolume } from '../resources.js';
import type { KubeObject } from '../../../presets/types.js';

import { LONGHORN_PROVISIONER } from '../chart.js';

export { LONGHORN_PROVISIONER };

type Obj = KubeObject & { spec?: any; status?: any };

/** A Longhorn resource type as KubeClient reads it. */
export type Kube<T> = T & KubeObject;

/** A claim whose data lives in a Longhorn volume. */
export interface LonghornClaim {
  namespace: string;
  name: string;
  /** The Longhorn Volume (longhorn-system), named after the PV for dynamically provisioned claims. */
  volume: string;
  volumeObject: LonghornVolume;
}

export { claimNamespace };

export const longhornRef = (kind: string, name: string) => ({ apiVersion: LONGHORN_API_VERSION, kind, name, namespace: LONGHORN_NAMESPACE });

/** Throws the "install Longhorn first" error when the cluster does not serve longhorn.io. */
export async function requireLonghorn(kube: KubeClient): Promise<void> {
  if (await kube.serves(LONGHORN_API_VERSION, 'Volume')) return;
  throw new ClusterError(`Longhorn is not installed on this cluster: the API does not serve ${LONGHORN_API_VERSION} (snapshots, backups and schedules are Longhorn features).`, {
    hint: 'k8s-storage install longhorn',
  });
}

/** Who provisions a claim, from the most certain source available. */
export function claimProvisioner(pvc: Obj, pv?: Obj): string | undefined {
  return (
    pv?.spec?.csi?.driver ??
    pv?.metadata.annotations?.['pv.kubernetes.io/provisioned-by'] ??
    pvc.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'] ??
    pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-provisioner']
  );
}

const notLonghorn = (pvc: Obj, provisioner: string) =>
  new UsageError(`PersistentVolumeClaim ${pvc.metadata.namespace}/${pvc.metadata.name} is not a Longhorn volume: snapshots, backups and schedules here are Longhorn's; this claim uses ${provisioner}.`, {
    hint: 'k8s-storage status lists the classes and their backends',
  });

/**
 * The Longhorn volume name of a claim, or the error that says why it has none. Pure: the
 * caller reads the PVC and its PV.
 */
export function longhornVolumeOfClaim(pvc: Obj, pv: Obj | undefined): string {
  const ref = `${pvc.metadata.namespace}/${pvc.metadata.name}`;
  const early = claimProvisioner(pvc);
  if (early && early !== LONGHORN_PROVISIONER) throw notLonghorn(pvc, early);
  const phase = pvc.status?.phase ?? 'Pending';
  if (phase !== 'Bound' || !pvc.spec?.volumeName) {
    throw new ClusterError(`PersistentVolumeClaim ${ref} is ${phase}, not Bound yet: Longhorn has no volume for it until it binds.`, {
      hint: `k8s-storage status says why claims are Pending (or kubectl -n ${pvc.metadata.namespace} describe pvc ${pvc.metadata.name})`,
    });
  }
  if (!pv) throw new ClusterError(`PersistentVolumeClaim ${ref} is bound to PersistentVolume ${pvc.spec.volumeName}, which does not exist.`);
  const provisioner = claimProvisioner(pvc, pv);
  if (provisioner !== LONGHORN_PROVISIONER) throw notLonghorn(pvc, provisioner ?? `a PersistentVolume without a CSI driver (${pv.metadata.name})`);
  // The CSI volume handle is the Longhorn volume name; for dynamic claims it equals the PV name.
  return pv.spec?.csi?.volumeHandle || pv.metadata.name;
}

/** Reads the claim, its PV and its Longhorn Volume. */
export async function resolveClaim(kube: KubeClient, namespace: string, name: string): Promise<LonghornClaim> {
  const pvc = await kube.get<Obj>({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name, namespace });
  if (!pvc) throw await claimNotFound(kube, namespace, name);
  const pv = pvc.spec?.volumeName ? await kube.get<Obj>({ apiVersion: 'v1', kind: 'PersistentVolume', name: pvc.spec.volumeName }) : undefined;
  const volume = longhornVolumeOfClaim(pvc, pv);
  await requireLonghorn(kube);
  const volumeObject = await kube.get<Kube<LonghornVolume>>(longhornRef('Volume', volume));
  if (!volumeObject) {
    throw new ClusterError(`Longhorn has no volume ${volume} for PersistentVolumeClaim ${namespace}/${name}: it may still be creating it, or the volume was deleted in Longhorn.`, {
      hint: `kubectl -n ${LONGHORN_NAMESPACE} get volumes.longhorn.io`,
    });
  }
  return { namespace, name, volume, volumeObject };
}

/** "namespace/pvc" for a Longhorn volume, from the Kubernetes status Longhorn keeps on it. */
export function claimOfVolume(v: LonghornVolume | undefined): string | undefined {
  const k = v?.status?.kubernetesStatus;
  return k?.pvcName ? `${k.namespace ?? ''}/${k.pvcName}` : undefined;
}

/**
 * What a list command shows: one claim's Longhorn volume when a PVC is named; else, with -n,
 * the volumes of that namespace's claims (`inScope` on a row's "namespace/pvc"); else all of
 * Longhorn's, as with -A (Longhorn must then be installed).
 */
export async function listScope(ctx: Context, pvc: string | undefined, flags: { allNamespaces?: boolean } = {}): Promise<{ kube: KubeClient; volume?: string; inScope: (claim: string) => boolean }> {
  if (flags.allNamespaces && (ctx.global.namespace || pvc)) throw new UsageError(`-A cannot be given with ${pvc ? 'a PVC' : '-n'}`);
  const kube = await new ClusterSession(ctx).kube();
  if (!pvc) {
    await requireLonghorn(kube);
    const ns = flags.allNamespaces ? undefined : ctx.global.namespace;
    return { kube, inScope: (claim) => ns === undefined || claim.startsWith(`${ns}/`) };
  }
  return { kube, volume: (await resolveClaim(kube, claimNamespace(ctx, kube), pvc)).volume, inScope: () => true };
}
