/** The OpenEBS 4.x chart and what it makes (reference/backends.md, "OpenEBS 4.x Helm chart"). */
import type { ObjectRef } from '../../cluster/kube.js';

export const OPENEBS_NAMESPACE = 'openebs';
export const OPENEBS_RELEASE = 'openebs';
export const OPENEBS_CHART_VERSION = '4.5.1';
export const OPENEBS_REPO = { name: 'openebs', url: 'https://openebs.github.io/openebs' };
export const HOSTPATH_PROVISIONER = 'openebs.io/local';
export const MAYASTOR_PROVISIONER = 'io.openebs.csi-mayastor';
export const HOSTPATH_CLASS = 'openebs-hostpath';
export const MAYASTOR_CLASS = 'openebs-single-replica';
export const DEFAULT_BASE_PATH = '/var/openebs/local';
export const MICROK8S_KUBELET_DIR = '/var/snap/microk8s/common/var/lib/kubelet/';
export const ENGINE_LABEL = { key: 'openebs.io/engine', value: 'mayastor' };
export const DISKPOOL_API = 'openebs.io/v1beta3';
export const SNAPSHOT_CRD = 'volumesnapshots.snapshot.storage.k8s.io';
export const CALICO_FIX = { featureDetectOverride: 'ChecksumOffloadBroken=true' };

const ns = OPENEBS_NAMESPACE;
export const ref = {
  localProvisioner: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'openebs-localpv-provisioner', namespace: ns } as ObjectRef,
  ioEngine: { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'openebs-io-engine', namespace: ns } as ObjectRef,
  agentCore: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'openebs-agent-core', namespace: ns } as ObjectRef,
  csiController: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'openebs-csi-controller', namespace: ns } as ObjectRef,
  csiNode: { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'openebs-csi-node', namespace: ns } as ObjectRef,
  namespace: { apiVersion: 'v1', kind: 'Namespace', name: ns } as ObjectRef,
  snapshotCrd: { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: SNAPSHOT_CRD } as ObjectRef,
  felix: { apiVersion: 'crd.projectcalico.org/v1', kind: 'FelixConfiguration', name: 'default' } as ObjectRef,
  storageClass: (name: string): ObjectRef => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name }),
  node: (name: string): ObjectRef => ({ apiVersion: 'v1', kind: 'Node', name }),
  diskPool: (name: string): ObjectRef => ({ apiVersion: DISKPOOL_API, kind: 'DiskPool', name, namespace: ns }),
};
