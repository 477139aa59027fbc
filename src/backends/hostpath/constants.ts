/** hostpath's fixed names: leaf constants (the registry reads them at start-up). */
import type { ObjectRef } from '../../cluster/kube.js';

export const HOSTPATH_ADDON = 'hostpath-storage';
export const HOSTPATH_DATA_DIR = '/var/snap/microk8s/common/default-storage';
export const HOSTPATH_CLASS = 'microk8s-hostpath';
export const HOSTPATH_PROVISIONER = 'microk8s.io/hostpath';
export const HOSTPATH_DEPLOYMENT: ObjectRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'hostpath-provisioner', namespace: 'kube-system' };
