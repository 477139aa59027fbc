/** What proves Longhorn runs, and its fixed names: leaf constants (the registry reads them at start-up). */
import type { ObjectRef } from '../../cluster/kube.js';
import { LONGHORN_CHART } from './chart.js';

export const LONGHORN_CLASS = 'longhorn';
const ns = LONGHORN_CHART.namespace;
const deployment = (name: string): ObjectRef => ({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace: ns });
const daemonSet = (name: string): ObjectRef => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', name, namespace: ns });
const LONGHORN_MANAGER_REF = daemonSet('longhorn-manager');

const MANAGER_HINT = 'kubectl -n longhorn-system describe daemonset longhorn-manager; a node without open-iscsi or nfs-common is the usual cause (k8s-storage nodes check --for longhorn)';
const DRIVER_HINT =
  'kubectl -n longhorn-system logs deploy/longhorn-driver-deployer; on MicroK8s, "failed to get kubelet root dir" means csi.kubeletRootDir is not /var/snap/microk8s/common/var/lib/kubelet';
const CSI_HINT = 'longhorn-driver-deployer creates the CSI workloads once longhorn-manager runs on every node: kubectl -n longhorn-system logs deploy/longhorn-driver-deployer';

/**
 * What must be running before Longhorn can provision a volume: the chart's workloads, then the
 * CSI workloads that longhorn-driver-deployer creates after the manager is up.
 */
export const LONGHORN_WORKLOADS: { ref: ObjectRef; note?: string; hint: string }[] = [
  { ref: LONGHORN_MANAGER_REF, hint: MANAGER_HINT },
  { ref: deployment('longhorn-driver-deployer'), hint: DRIVER_HINT },
  { ref: deployment('longhorn-ui'), hint: 'kubectl -n longhorn-system describe deployment longhorn-ui' },
  ...['csi-attacher', 'csi-provisioner', 'csi-resizer', 'csi-snapshotter'].map((name) => ({ ref: deployment(name), note: 'created by longhorn-driver-deployer', hint: CSI_HINT })),
  { ref: daemonSet('longhorn-csi-plugin'), note: 'created by longhorn-driver-deployer', hint: CSI_HINT },
];

