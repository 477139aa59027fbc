/** Names Rook, the MicroK8s rook-ceph addon and connect-external-ceph use (reference/backends.md). */
import type { ObjectRef } from '../../cluster/kube.js';

export const ROOK_NAMESPACE = 'rook-ceph';
export const EXTERNAL_NAMESPACE = 'rook-ceph-external';
export const ROOK_API = 'ceph.rook.io/v1';
export const ADDON = 'rook-ceph';
/** The newest v1.18 tag (Aug 2026): its chart still takes csi.kubeletDirPath. */
export const DEFAULT_ROOK_VERSION = 'v1.18.11';
/** From this minor on the rook-ceph chart has no csi.kubeletDirPath (CSI moved to ceph-csi-operator). */
export const FIRST_ROOK_WITHOUT_KUBELET_DIR = { major: 1, minor: 20 };
export const MICROK8S_KUBELET_DIR = '/var/snap/microk8s/common/var/lib/kubelet';
export const RBD_PROVISIONER = 'rook-ceph.rbd.csi.ceph.com';
export const CEPHFS_PROVISIONER = 'rook-ceph.cephfs.csi.ceph.com';
export const RBD_CLASS = 'ceph-rbd';
export const CEPHFS_CLASS = 'cephfs';
export const RBD_POOL = 'replicapool';
export const FS_NAME = 'cephfs';
export const OBJECT_STORE = 'objectstore';
/** The in-cluster CephCluster, named like Rook's examples (and the namespace). */
export const CLUSTER_NAME = 'rook-ceph';
/** What connect-external-ceph's Helm release (rook-ceph-cluster) names its CephCluster. */
export const EXTERNAL_CLUSTER_NAME = 'rook-ceph-external';
export const ROOK_REPO = { name: 'rook-release', url: 'https://charts.rook.io/release' };
export const MICROCEPH_CONF = '/var/snap/microceph/current/conf/ceph.conf';
export const MICROCEPH_KEYRING = '/var/snap/microceph/current/conf/ceph.keyring';
export const CLEANUP_CONFIRMATION = 'yes-really-destroy-data';
export const PROBE_NAMESPACE = 'default';

export const ref = {
  operator: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'rook-ceph-operator', namespace: ROOK_NAMESPACE } as ObjectRef,
  operatorConfig: { apiVersion: 'v1', kind: 'ConfigMap', name: 'rook-ceph-operator-config', namespace: ROOK_NAMESPACE } as ObjectRef,
  rbdPlugin: { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'csi-rbdplugin', namespace: ROOK_NAMESPACE } as ObjectRef,
  rbdProvisioner: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'csi-rbdplugin-provisioner', namespace: ROOK_NAMESPACE } as ObjectRef,
  cephClusterCrd: { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'cephclusters.ceph.rook.io' } as ObjectRef,
  externalCluster: { apiVersion: ROOK_API, kind: 'CephCluster', name: EXTERNAL_CLUSTER_NAME, namespace: EXTERNAL_NAMESPACE } as ObjectRef,
  externalNamespace: { apiVersion: 'v1', kind: 'Namespace', name: EXTERNAL_NAMESPACE } as ObjectRef,
  cluster: { apiVersion: ROOK_API, kind: 'CephCluster', name: CLUSTER_NAME, namespace: ROOK_NAMESPACE } as ObjectRef,
  pool: (name: string): ObjectRef => ({ apiVersion: ROOK_API, kind: 'CephBlockPool', name, namespace: ROOK_NAMESPACE }),
  filesystem: { apiVersion: ROOK_API, kind: 'CephFilesystem', name: FS_NAME, namespace: ROOK_NAMESPACE } as ObjectRef,
  objectStore: { apiVersion: ROOK_API, kind: 'CephObjectStore', name: OBJECT_STORE, namespace: ROOK_NAMESPACE } as ObjectRef,
  storageClass: (name: string): ObjectRef => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name }),
  cleanupJob: (node: string): ObjectRef => ({ apiVersion: 'batch/v1', kind: 'Job', name: `cluster-cleanup-job-${node}`, namespace: ROOK_NAMESPACE }),
};
