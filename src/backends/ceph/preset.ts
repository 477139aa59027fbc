/** The ceph-rbd and cephfs StorageClass presets (templates/storageclass/ceph-rbd.yaml, cephfs.yaml). */
import { ACCESS_MODES as M, type PresetFlag, type StorageClassObject, type StorageClassPreset } from '../../presets/types.js';
import { absolutePathProblems, FS_TYPE, params, str } from '../../presets/preset-kit.js';

const POOL: PresetFlag = { flags: '--pool <name>', key: 'pool', description: 'Ceph pool (ceph-rbd: replicapool; cephfs: myfs-replicated)' };
const CLUSTER_ID: PresetFlag = { flags: '--cluster-id <namespace>', key: 'clusterId', description: 'namespace of the Rook CephCluster (also where the CSI secrets live)', defaultValue: 'rook-ceph' };

function setCephClusterId(sc: StorageClassObject, clusterId: string | undefined): void {
  if (clusterId === undefined) return;
  const p = params(sc);
  p.clusterID = clusterId;
  for (const key of Object.keys(p)) if (key.endsWith('-secret-namespace')) p[key] = clusterId;
}

export const cephRbd: StorageClassPreset = {
  kind: 'storageclass',
  name: 'ceph-rbd',
  description: 'Ceph RBD block volumes through Rook (or MicroCeph via connect-external-ceph)',
  provisioner: 'rook-ceph.rbd.csi.ceph.com',
  defaultClassName: 'ceph-rbd',
  bindingMode: 'Immediate',
  capabilities: {
    accessModes: [M.RWO, M.ROX, M.RWOP],
    blockAccessModes: [M.RWO, M.ROX, M.RWX, M.RWOP],
    volumeModes: ['Filesystem', 'Block'],
    expansion: true,
    snapshots: true,
    accessModeReason: 'an RBD image holds one file system, so RWX works only with --volume-mode Block (use cephfs for shared files)',
  },
  flags: [CLUSTER_ID, POOL, FS_TYPE],
  validate: () => [],
  apply(sc, o) {
    setCephClusterId(sc, str(o.clusterId));
    if (o.pool !== undefined) params(sc).pool = String(o.pool);
    if (o.fsType !== undefined) params(sc)['csi.storage.k8s.io/fstype'] = String(o.fsType);
  },
};

export const cephfs: StorageClassPreset = {
  kind: 'storageclass',
  name: 'cephfs',
  description: 'CephFS shared file system volumes through Rook: RWX across nodes',
  provisioner: 'rook-ceph.cephfs.csi.ceph.com',
  defaultClassName: 'cephfs',
  bindingMode: 'Immediate',
  capabilities: {
    accessModes: [M.RWO, M.ROX, M.RWX, M.RWOP],
    volumeModes: ['Filesystem'],
    expansion: true,
    snapshots: true,
    accessModeReason: 'CephFS serves every file-system access mode',
  },
  flags: [CLUSTER_ID, { flags: '--fs-name <name>', key: 'fsName', description: 'CephFilesystem name', defaultValue: 'myfs' }, POOL],
  validate: () => [],
  apply(sc, o) {
    setCephClusterId(sc, str(o.clusterId));
    if (o.fsName !== undefined) params(sc).fsName = String(o.fsName);
    if (o.pool !== undefined) params(sc).pool = String(o.pool);
  },
};
