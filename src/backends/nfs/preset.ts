/** The `nfs` StorageClass preset (csi-driver-nfs, provisioner nfs.csi.k8s.io): its flags and parameters. */
import { absolutePathProblems, params, str } from '../../presets/preset-kit.js';
import { ACCESS_MODES as M, type StorageClassPreset } from '../../presets/types.js';

export const nfsPreset: StorageClassPreset = {
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
    { flags: '--sub-dir <template>', key: 'subDir', description: 'directory of each volume under the share; may use ${pvc.metadata.namespace}, ${pvc.metadata.name}, ${pv.metadata.name} [default: one new directory per volume]' },
    { flags: '--on-delete <policy>', key: 'onDelete', description: "what the driver does with a deleted volume's directory (archive renames it archived-...)", choices: ['delete', 'retain', 'archive'], defaultValue: 'delete' },
  ],
  validate(o) {
    const problems: string[] = [];
    if (o.server === undefined) problems.push('--server is required for the nfs preset, for example --server 192.168.1.100');
    else if (!/^[A-Za-z0-9]([A-Za-z0-9.:\-[\]]*[A-Za-z0-9\]])?$/.test(String(o.server))) problems.push(`--server: "${String(o.server)}" is not a host name or address`);
    if (o.share === undefined) problems.push('--share is required for the nfs preset, for example --share /exports/k8s');
    problems.push(...absolutePathProblems('--share', str(o.share)));
    const subDir = str(o.subDir);
    if (subDir !== undefined && (subDir === '' || subDir.startsWith('/') || subDir.split('/').includes('..'))) {
      problems.push(`--sub-dir: "${subDir}" must be a relative path under the share, without "..", for example \${pvc.metadata.namespace}/\${pvc.metadata.name}`);
    }
    return problems;
  },
  apply(sc, o) {
    const p = params(sc);
    p.server = String(o.server);
    p.share = String(o.share);
    if (o.subDir !== undefined) p.subDir = String(o.subDir);
    if (o.onDelete !== undefined) p.onDelete = String(o.onDelete);
    if (o.mountOptions !== undefined) sc.mountOptions = String(o.mountOptions).split(',').map((s) => s.trim()).filter(Boolean);
  },
};
