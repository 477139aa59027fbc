/**
 * Facts about the Longhorn Helm chart that k8s-storage installs. Pure constants: this module
 * is on the offline `render` path.
 */

/** The CSI driver name: the provisioner of every Longhorn StorageClass and the driver of its PVs. */
export const LONGHORN_PROVISIONER = 'driver.longhorn.io';

export const LONGHORN_CHART = {
  repoUrl: 'https://charts.longhorn.io',
  repoName: 'longhorn',
  chartRef: 'longhorn/longhorn',
  release: 'longhorn',
  // Longhorn supports no other namespace: its manager, webhooks and uninstall job all assume it.
  namespace: 'longhorn-system',
  defaultVersion: '1.12.1',
} as const;

/**
 * MicroK8s runs the kubelet inside `kubelite` with `--root-dir=$SNAP_COMMON/var/lib/kubelet`.
 * Longhorn's driver deployer looks for a `kubelet` process to find the root dir, finds none,
 * and crash-loops; the CSI driver must be given the real path (never the /var/lib/kubelet symlink).
 */
export const MICROK8S_KUBELET_ROOT_DIR = '/var/snap/microk8s/common/var/lib/kubelet';

/**
 * Every chart values key that k8s-storage ever sets, as dotted paths. This is the one list:
 * a test checks that each exists in the real chart's values.yaml (../shared/charts/longhorn-1.12.1) and
 * that `buildLonghornValues` sets nothing outside it. A key whose value is a free-form map
 * (`ingress.annotations`) covers everything below it.
 */
export const LONGHORN_VALUE_KEYS = [
  'csi.kubeletRootDir',
  'persistence.defaultClass',
  'persistence.defaultClassReplicaCount',
  'persistence.reclaimPolicy',
  'persistence.defaultFsType',
  'persistence.defaultDataLocality',
  'defaultSettings.defaultDataPath',
  'defaultSettings.defaultReplicaCount',
  'defaultSettings.deletingConfirmationFlag',
  'defaultBackupStore.backupTarget',
  'defaultBackupStore.backupTargetCredentialSecret',
  'service.ui.type',
  'ingress.enabled',
  'ingress.host',
  'ingress.ingressClassName',
  'ingress.annotations',
  'preUpgradeChecker.jobEnabled',
  'metrics.serviceMonitor.enabled',
  'metrics.serviceMonitor.additionalLabels',
] as const;

export type LonghornValueKey = (typeof LONGHORN_VALUE_KEYS)[number];
