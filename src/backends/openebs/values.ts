/**
 * The `--set` values for the openebs/openebs 4.x chart: only the engines asked for, the
 * MicroK8s kubelet dir for each enabled engine that mounts volumes, and the snapshot-CRD
 * adoption switch (reference/backends.md). Pure.
 */
import { MICROK8S_KUBELET_DIR } from './constants.js';
import type { Engine } from './options.js';

export interface OpenebsValuesInput {
  engine: Engine;
  basePath: string;
  microk8s: boolean;
  /** The snapshot CRDs exist already (any CSI snapshot support): Helm would refuse to adopt them. */
  snapshotCrdsExist: boolean;
}

/** key -> value, in a stable order; `--set key=value` each. */
export function openebsValues(i: OpenebsValuesInput): [string, string][] {
  const v: [string, string][] = [
    // LVM and ZFS LocalPV are on by default in the chart; k8s-storage installs only the engine asked for.
    ['engines.local.lvm.enabled', 'false'],
    ['engines.local.zfs.enabled', 'false'],
    ['engines.replicated.mayastor.enabled', String(i.engine === 'mayastor')],
    ['localpv-provisioner.localpv.basePath', i.basePath],
    ['localpv-provisioner.hostpathClass.isDefaultClass', 'false'],
  ];
  if (i.engine === 'mayastor' && i.microk8s) v.push(['mayastor.csi.node.kubeletDir', MICROK8S_KUBELET_DIR]);
  if (i.snapshotCrdsExist) v.push(['openebs-crds.csi.volumeSnapshots.enabled', 'false']);
  return v;
}

export const setFlags = (values: [string, string][]) => values.map(([k, val]) => `${k}=${val}`);
