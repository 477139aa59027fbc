/**
 * StorageClass backends. Facts (provisioners, parameters, what each can serve) come from
 * ../shared/reference/{microk8s,longhorn,peers}.md and the projects' own examples.
 */
import { wholeNumber } from '../options/index.js';
import { ACCESS_MODES as M, type PresetFlag, type StorageClassObject, type StorageClassPreset } from './types.js';

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

function absolutePathProblems(flag: string, value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.startsWith('/') ? [] : [`${flag}: "${value}" must be an absolute path such as /mnt/data`];
}

function intInRange(flag: string, value: string | undefined, min: number, max: number): string[] {
  const problems: string[] = [];
  wholeNumber(flag, value, problems, { min, max });
  return problems;
}

function params(sc: StorageClassObject): Record<string, string> {
  return (sc.parameters ??= {});
}

const FS_TYPE: PresetFlag = { flags: '--fs-type <type>', key: 'fsType', description: 'file system of new volumes', choices: ['ext4', 'xfs'], defaultValue: 'ext4' };
const POOL: PresetFlag = { flags: '--pool <name>', key: 'pool', description: 'Ceph pool (ceph-rbd: replicapool; cephfs: myfs-replicated)' };
const CLUSTER_ID: PresetFlag = { flags: '--cluster-id <namespace>', key: 'clusterId', description: 'namespace of the Rook CephCluster (also where the CSI secrets live)', defaultValue: 'rook-ceph' };

function setCephClusterId(sc: StorageClassObject, clusterId: string | undefined): void {
  if (clusterId === undefined) return;
  const p = params(sc);
  p.clusterID = clusterId;
  for (const key of Object.keys(p)) if (key.endsWith('-secret-namespace')) p[key] = clusterId;
}

const hostpath: StorageClassPreset = {
  kind: 'storageclass',
  name: 'hostpath',
  description: 'MicroK8s hostpath-storage: a directory on one node; single-node clusters only',
  provisioner: 'microk8s.io/hostpath',
  defaultClassName: 'microk8s-hostpath',
  bindingMode: 'WaitForFirstConsumer',
  capabilities: {
    accessModes: [M.RWO],
    volumeModes: ['Filesystem'],
    expansion: false,
    snapshots: false,
    accessModeReason: 'hostpath data lives in a directory on one node, so only one node can mount it (use longhorn, nfs or cephfs for shared volumes)',
  },
  flags: [{ flags: '--dir <path>', key: 'dir', description: 'host directory for the volumes (StorageClass parameter pvDir); needs --name' }],
  validate(o) {
    const problems = absolutePathProblems('--dir', str(o.dir));
    if (o.dir !== undefined && o.name === undefined) {
      problems.push('--dir makes a new class next to microk8s-hostpath: give it a name with --name, for example --name hostpath-ssd');
    }
    return problems;
  },
  apply(sc, o) {
    const dir = str(o.dir);
    if (dir) params(sc).pvDir = dir;
  },
};

const longhorn: StorageClassPreset = {
  kind: 'storageclass',
  name: 'longhorn',
  description: 'Longhorn replicated block storage for 3-20 node clusters; RWX through its share manager',
  provisioner: 'driver.longhorn.io',
  defaultClassName: 'longhorn',
  bindingMode: 'Immediate',
  capabilities: {
    accessModes: [M.RWO, M.ROX, M.RWX, M.RWOP],
    volumeModes: ['Filesystem', 'Block'],
    expansion: true,
    snapshots: true,
    accessModeReason: 'Longhorn serves RWO, ROX, RWX (over NFS) and RWOP',
  },
  flags: [
    { flags: '--replicas <n>', key: 'replicas', description: 'copies of each volume, on different nodes (1-20)', defaultValue: '3' },
    { flags: '--stale-replica-timeout <minutes>', key: 'staleReplicaTimeout', description: 'minutes before a failed replica is given up', defaultValue: '2880' },
    { flags: '--data-locality <mode>', key: 'dataLocality', description: 'keep a replica on the node that uses the volume', choices: ['disabled', 'best-effort', 'strict-local'], defaultValue: 'disabled' },
    FS_TYPE,
  ],
  validate(o) {
    const problems = [...intInRange('--replicas', str(o.replicas), 1, 20), ...intInRange('--stale-replica-timeout', str(o.staleReplicaTimeout), 1, 525_600)];
    if (o.dataLocality === 'strict-local' && o.replicas !== undefined && String(o.replicas) !== '1') {
      problems.push('--data-locality strict-local keeps the only replica on the workload\'s node: it needs --replicas 1');
    }
    return problems;
  },
  apply(sc, o) {
    const p = params(sc);
    if (o.replicas !== undefined) p.numberOfReplicas = String(o.replicas);
    else if (o.dataLocality === 'strict-local') p.numberOfReplicas = '1';
    if (o.staleReplicaTimeout !== undefined) p.staleReplicaTimeout = String(o.staleReplicaTimeout);
    if (o.dataLocality !== undefined) p.dataLocality = String(o.dataLocality);
    if (o.fsType !== undefined) p.fsType = String(o.fsType);
  },
};

const nfs: StorageClassPreset = {
  kind: 'storageclass',
  name: 'nfs',
  description: 'NFS CSI driver on an existing NFS server: shared RWX volumes, no replication',
  provisioner: 'nfs.csi.k8s.io',
  defaultClassName: 'nfs',
  bindingMode: 'Immediate',
  capabilities: {
    accessModes: [M.RWO, M.ROX, M.RWX, M.RWOP],
    volumeModes: ['Filesystem'],
    expansion: true,
    snapshots: false,
    accessModeReason: 'NFS serves every file-system access mode',
  },
  flags: [
    { flags: '--server <host>', key: 'server', description: 'NFS server name or address', required: true },
    { flags: '--share <path>', key: 'share', description: 'exported directory on the server', required: true },
    { flags: '--mount-options <list>', key: 'mountOptions', description: 'comma-separated NFS mount options', defaultValue: 'nfsvers=4.1' },
  ],
  validate(o) {
    const problems: string[] = [];
    if (o.server === undefined) problems.push('--server is required for the nfs preset, for example --server 192.168.1.100');
    else if (!/^[A-Za-z0-9]([A-Za-z0-9.:\-[\]]*[A-Za-z0-9\]])?$/.test(String(o.server))) problems.push(`--server: "${String(o.server)}" is not a host name or address`);
    if (o.share === undefined) problems.push('--share is required for the nfs preset, for example --share /exports/k8s');
    problems.push(...absolutePathProblems('--share', str(o.share)));
    return problems;
  },
  apply(sc, o) {
    const p = params(sc);
    p.server = String(o.server);
    p.share = String(o.share);
    if (o.mountOptions !== undefined) sc.mountOptions = String(o.mountOptions).split(',').map((s) => s.trim()).filter(Boolean);
  },
};

const cephRbd: StorageClassPreset = {
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

const cephfs: StorageClassPreset = {
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

const openebsHostpath: StorageClassPreset = {
  kind: 'storageclass',
  name: 'openebs-hostpath',
  description: 'OpenEBS Local PV hostpath: node-local directories under a base path',
  provisioner: 'openebs.io/local',
  defaultClassName: 'openebs-hostpath',
  bindingMode: 'WaitForFirstConsumer',
  capabilities: {
    accessModes: [M.RWO, M.RWOP],
    volumeModes: ['Filesystem'],
    expansion: false,
    snapshots: false,
    accessModeReason: 'OpenEBS Local PV data lives on one node, so only one node can mount it',
  },
  flags: [{ flags: '--base-path <path>', key: 'basePath', description: 'host directory under which volumes are created', defaultValue: '/var/openebs/local' }],
  validate: (o) => absolutePathProblems('--base-path', str(o.basePath)),
  apply(sc, o) {
    if (o.basePath === undefined) return;
    const annotations = (sc.metadata.annotations ??= {});
    annotations['cas.openebs.io/config'] = `- name: StorageType\n  value: "hostpath"\n- name: BasePath\n  value: "${String(o.basePath)}"\n`;
  },
};

export const STORAGE_CLASS_PRESETS: readonly StorageClassPreset[] = [hostpath, longhorn, nfs, cephRbd, cephfs, openebsHostpath];

/** Every preset-only flag, once each (presets may share one, such as --fs-type). */
export function allStorageClassPresetFlags(): PresetFlag[] {
  const seen = new Map<string, PresetFlag>();
  for (const p of STORAGE_CLASS_PRESETS) for (const f of p.flags) if (!seen.has(f.key)) seen.set(f.key, f);
  return [...seen.values()];
}

/** The backend behind a StorageClass name or provisioner, when it is one we know. */
export function backendForClass(classNameOrProvisioner: string | undefined): StorageClassPreset | undefined {
  if (!classNameOrProvisioner) return undefined;
  return STORAGE_CLASS_PRESETS.find((p) => p.defaultClassName === classNameOrProvisioner || p.provisioner === classNameOrProvisioner);
}
