/**
 * CSI snapshot support: external-snapshotter's CRDs and its snapshot-controller, which
 * MicroK8s does not ship and several backends (Longhorn, Ceph, NFS, Mayastor) need for
 * VolumeSnapshots. It is no storage system (no provisioner, no classes, no volumes), so it is
 * not in the backend registry; it lives here, beside the backends, and `install/uninstall
 * snapshot-controller`, `status` and `snapshot create --csi` use it. The manifests are
 * vendored in templates/snapshot-controller/ (source and tag in each file's header) and
 * applied through the one executor: no network at run time.
 */
import type { ObjectRef } from '../cluster/kube.js';
import { UsageError } from '../errors.js';
import type { Plan, Step } from '../plan/types.js';
import { loadTemplate } from '../presets/registry.js';
import { templateNames } from '../presets/templates.js';
import type { KubeObject } from '../presets/types.js';

/** external-snapshotter's version: Longhorn 1.12.1's image.csi.snapshotter.tag (its chart's values.yaml). */
export const SNAPSHOT_CONTROLLER_VERSION = 'v8.6.0';
export const SNAPSHOT_API_VERSION = 'snapshot.storage.k8s.io/v1';
export const SNAPSHOT_CONTROLLER: ObjectRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'snapshot-controller', namespace: 'kube-system' };
export const INSTALL_SNAPSHOT_CONTROLLER = 'k8s-storage install snapshot-controller';

const isCrd = (o: KubeObject) => o.kind === 'CustomResourceDefinition';
const refOf = (o: KubeObject): ObjectRef => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) });

/** Every vendored object, CRDs first (their files sort first), then RBAC and the Deployment. */
export function snapshotControllerObjects(): KubeObject[] {
  return templateNames('snapshot-controller').flatMap((name) => loadTemplate('snapshot-controller', name).filter((o): o is KubeObject => o !== null && typeof o === 'object'));
}

/** The image the vendored Deployment runs (its tag is the version installed). */
export const imageOf = (deployment: KubeObject | undefined): string | undefined => (deployment as { spec?: any } | undefined)?.spec?.template?.spec?.containers?.find((c: any) => c.name === 'snapshot-controller')?.image;
export const versionOf = (deployment: KubeObject | undefined): string | undefined => imageOf(deployment)?.split(':').pop();

export interface SnapshotControllerFacts {
  /** The CRDs (by name) that exist, and whether each is Established. */
  crds: Record<string, boolean>;
  deployment?: KubeObject & { spec?: any; status?: any };
  /** VolumeSnapshots in every namespace (uninstall); undefined when the kind is not served. */
  snapshots?: { namespace: string; name: string }[];
}

const established = (crd: { status?: any } | undefined) => (crd?.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True');
export const crdFacts = (crds: ({ metadata: { name: string }; status?: any } | undefined)[]): Record<string, boolean> => Object.fromEntries(crds.filter((c) => c !== undefined).map((c) => [c!.metadata.name, established(c)]));

function readyDeployment(d: SnapshotControllerFacts['deployment']): boolean {
  const s = d?.status ?? {};
  const want = d?.spec?.replicas ?? 1;
  return d !== undefined && (s.observedGeneration ?? 0) >= ((d.metadata as { generation?: number }).generation ?? 0) && (s.readyReplicas ?? 0) >= want && (s.availableReplicas ?? 0) >= want;
}

/** Pure: apply what is missing or not at the pinned version, then verify every CRD Established and the Deployment available. */
export function planSnapshotControllerInstall(f: SnapshotControllerFacts, objects: KubeObject[] = snapshotControllerObjects(), timeoutMs = 300_000): Plan {
  const title = `install snapshot-controller ${SNAPSHOT_CONTROLLER_VERSION} (CSI snapshot CRDs and controller)`;
  const crds = objects.filter(isCrd);
  const rest = objects.filter((o) => !isCrd(o));
  const wanted = objects.find((o) => o.kind === 'Deployment');
  const current = versionOf(f.deployment);
  const upToDate = crds.every((c) => f.crds[c.metadata.name] === true) && current === versionOf(wanted) && readyDeployment(f.deployment);
  if (upToDate) return { title, steps: [], warnings: [], notes: [`snapshot-controller ${current} and its ${crds.length} CRDs are installed and ready.`] };
  const steps: Step[] = [
    { kind: 'apply', title: `Apply the ${crds.length} snapshot CRDs (${crds.map((c) => c.metadata.name.split('.')[0]).join(', ')})`, objects: crds },
    ...crds.map((c): Step => ({ kind: 'wait', title: `Wait until CRD ${c.metadata.name} is Established`, until: { type: 'crd-established', ref: refOf(c) }, timeoutMs })),
    { kind: 'apply', title: `Apply snapshot-controller ${versionOf(wanted)} (ServiceAccount, RBAC, Deployment in kube-system)`, objects: rest },
    { kind: 'wait', title: 'Wait until Deployment kube-system/snapshot-controller is available', until: { type: 'ready', ref: SNAPSHOT_CONTROLLER }, timeoutMs, hint: 'kubectl -n kube-system describe deployment snapshot-controller' },
  ];
  const notes = current && current !== versionOf(wanted) ? [`snapshot-controller ${current} runs: it is replaced by ${versionOf(wanted)}`] : [];
  return { title, steps, warnings: [], notes };
}

/** Pure: refuse while VolumeSnapshots exist (deleting the CRDs deletes them) unless --delete-snapshots. */
export function planSnapshotControllerUninstall(f: SnapshotControllerFacts, opts: { deleteSnapshots: boolean }, objects: KubeObject[] = snapshotControllerObjects(), timeoutMs = 120_000): Plan {
  const title = 'uninstall snapshot-controller (CSI snapshot CRDs and controller)';
  const snaps = f.snapshots ?? [];
  if (snaps.length && !opts.deleteSnapshots) {
    const some = snaps.slice(0, 5).map((s) => `${s.namespace}/${s.name}`).join(', ');
    throw new UsageError(`${snaps.length} VolumeSnapshot(s) exist (${some}${snaps.length > 5 ? ', ...' : ''}): removing the CRDs deletes them, and the snapshots they stand for are then out of Kubernetes' sight.`, {
      hint: 'delete them first (kubectl delete volumesnapshot -A --all), or pass --delete-snapshots',
    });
  }
  const present = objects.filter((o) => (isCrd(o) ? o.metadata.name in f.crds : true));
  if (!Object.keys(f.crds).length && !f.deployment) return { title, steps: [], warnings: [], notes: ['snapshot-controller is not installed.'] };
  const controller = present.filter((o) => !isCrd(o)).reverse();
  const crds = present.filter(isCrd);
  return {
    title,
    warnings: snaps.length ? [`--delete-snapshots: ${snaps.length} VolumeSnapshot(s) go with the CRDs`] : [],
    notes: [],
    steps: [
      { kind: 'delete', title: 'Delete the snapshot-controller Deployment and its RBAC', refs: controller.map(refOf) },
      { kind: 'wait', title: 'Wait until Deployment kube-system/snapshot-controller is gone', until: { type: 'absent', ref: SNAPSHOT_CONTROLLER }, timeoutMs },
      ...(crds.length ? [{ kind: 'delete' as const, title: `Delete the ${crds.length} snapshot CRDs`, refs: crds.map(refOf) }] : []),
      ...crds.map((c): Step => ({ kind: 'wait', title: `Wait until CRD ${c.metadata.name} is gone`, until: { type: 'absent', ref: refOf(c) }, timeoutMs })),
    ],
  };
}

/** `status`: whether CSI VolumeSnapshots can be taken, and what to run when not. */
export interface CsiSnapshotStatus {
  available: boolean;
  crds: boolean;
  controller: 'ready' | 'not ready' | 'absent';
  version?: string;
  fix?: string;
}

/** Pure, from whether VolumeSnapshot is served and the controller Deployment (or none). */
export function csiSnapshotStatus(served: boolean, deployment: SnapshotControllerFacts['deployment']): CsiSnapshotStatus {
  const controller = !deployment ? 'absent' : readyDeployment(deployment) ? 'ready' : 'not ready';
  const version = versionOf(deployment);
  const available = served && controller === 'ready';
  return { available, crds: served, controller, ...(version ? { version } : {}), ...(available ? {} : { fix: controller === 'not ready' ? 'kubectl -n kube-system describe deployment snapshot-controller' : INSTALL_SNAPSHOT_CONTROLLER }) };
}
