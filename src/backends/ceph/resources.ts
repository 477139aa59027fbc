/**
 * The Rook objects `install ceph --in-cluster` applies: Rook's cluster.yaml (3+ nodes) or
 * cluster-test.yaml (--test-cluster) settings, a replicated pool and its class, and with
 * --cephfs / --object-store a CephFilesystem and a CephObjectStore (reference/backends.md).
 */
import { buildStorageClass } from '../../manifests/storageclass.js';
import type { KubeObject } from '../../presets/types.js';
import { CEPHFS_CLASS, CLUSTER_NAME, FS_NAME, OBJECT_STORE, RBD_CLASS, RBD_POOL, ROOK_API, ROOK_NAMESPACE } from './constants.js';

export interface InClusterShape {
  test: boolean;
  cephfs: boolean;
  objectStore: boolean;
  /** Ceph image: v19 with Rook v1.18 (cluster-test.yaml of v1.18.7). */
  cephImage: string;
}

const meta = (name: string) => ({ name, namespace: ROOK_NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'k8s-storage' } });
const replicated = (test: boolean) => (test ? { size: 1, requireSafeReplicaSize: false } : { size: 3 });

export function cephCluster(s: InClusterShape): KubeObject {
  return {
    apiVersion: ROOK_API,
    kind: 'CephCluster',
    metadata: meta(CLUSTER_NAME),
    spec: {
      cephVersion: { image: s.cephImage, allowUnsupported: s.test },
      dataDirHostPath: '/var/lib/rook',
      mon: s.test ? { count: 1, allowMultiplePerNode: true } : { count: 3, allowMultiplePerNode: false },
      mgr: s.test ? { count: 1, allowMultiplePerNode: true } : { count: 2, allowMultiplePerNode: false },
      dashboard: { enabled: true },
      // Only "" or yes-really-destroy-data are valid; uninstall --destroy-data sets the latter.
      cleanupPolicy: { confirmation: '' },
      storage: { useAllNodes: true, useAllDevices: true },
      ...(s.test ? { cephConfig: { global: { osd_pool_default_size: '1', mon_warn_on_pool_no_redundancy: 'false' } } } : {}),
    },
  } as KubeObject;
}

export function inClusterObjects(s: InClusterShape): KubeObject[] {
  const objects: KubeObject[] = [cephCluster(s)];
  if (s.test) objects.push({ apiVersion: ROOK_API, kind: 'CephBlockPool', metadata: meta('builtin-mgr'), spec: { name: '.mgr', replicated: replicated(true) } } as KubeObject);
  objects.push({ apiVersion: ROOK_API, kind: 'CephBlockPool', metadata: meta(RBD_POOL), spec: { failureDomain: s.test ? 'osd' : 'host', replicated: replicated(s.test) } } as KubeObject);
  objects.push(buildStorageClass({ preset: 'ceph-rbd', name: RBD_CLASS, pool: RBD_POOL }) as KubeObject);
  if (s.cephfs) {
    objects.push({
      apiVersion: ROOK_API,
      kind: 'CephFilesystem',
      metadata: meta(FS_NAME),
      spec: { metadataPool: { replicated: replicated(s.test) }, dataPools: [{ name: 'data0', replicated: replicated(s.test) }], preserveFilesystemOnDelete: true, metadataServer: { activeCount: 1, activeStandby: !s.test } },
    } as KubeObject);
    objects.push(buildStorageClass({ preset: 'cephfs', name: CEPHFS_CLASS, fsName: FS_NAME, pool: `${FS_NAME}-data0` }) as KubeObject);
  }
  if (s.objectStore) {
    objects.push({
      apiVersion: ROOK_API,
      kind: 'CephObjectStore',
      metadata: meta(OBJECT_STORE),
      spec: { metadataPool: { replicated: replicated(s.test) }, dataPool: { replicated: replicated(s.test) }, preservePoolsOnDelete: true, gateway: { port: 80, instances: 1 } },
    } as KubeObject);
  }
  return objects;
}
