import type { ChartSpec } from '../../plan/helm-release.js';

/**
 * The csi-driver-nfs chart as data, and the values k8s-storage gives it. Facts from
 * ../shared/reference/backends.md (NFS, option 1); the chart itself is in ../shared/charts.
 */

export const NFS_CSI_PROVISIONER = 'nfs.csi.k8s.io';
/** The community addon's in-cluster NFS server (nfs-ganesha server provisioner). */
export const NFS_SERVER_PROVISIONER = 'cluster.local/nfs-server-provisioner';
export const MICROK8S_KUBELET_DIR = '/var/snap/microk8s/common/var/lib/kubelet';

/** csi-driver-nfs for the generic Helm release step. */
export const NFS_CHART: ChartSpec = {
  title: 'NFS CSI driver',
  repoName: 'csi-driver-nfs',
  // The GitHub Pages mirror (since 4.13.0) avoids raw.githubusercontent.com rate limits.
  repoUrl: 'https://kubernetes-csi.github.io/csi-driver-nfs',
  chartRef: 'csi-driver-nfs/csi-driver-nfs',
  chartName: 'csi-driver-nfs',
  // Since 4.11.0 chart versions have no `v` prefix.
  version: '4.13.4',
  release: 'csi-driver-nfs',
  namespace: 'kube-system',
  installCommand: 'k8s-storage install nfs --server HOST --share /export',
  uninstallCommand: 'k8s-storage uninstall nfs --yes',
  downgradeRefusal: 'k8s-storage does not downgrade the driver in place (uninstall nfs, then install the older version)',
  eventsCommand: 'kubectl -n kube-system get events --sort-by=.lastTimestamp',
};

/** Every chart values key k8s-storage sets (a test checks each against the real chart). */
export const NFS_VALUE_KEYS = ['kubeletDir'] as const;

/**
 * Our values: on MicroK8s the kubelet lives under the snap, and the key is `kubeletDir`
 * (`linux.kubelet` is csi-driver-smb's key and is silently ignored: csi-driver-nfs#514).
 * Without it, mounts fail with `mkdir /var/snap: read-only file system`.
 */
export function nfsChartValues(o: { microk8s: boolean }): Record<string, string> {
  return o.microk8s ? { kubeletDir: MICROK8S_KUBELET_DIR } : {};
}
