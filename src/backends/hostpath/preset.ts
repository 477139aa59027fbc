/** The hostpath StorageClass preset (templates/storageclass/hostpath.yaml). */
import { ACCESS_MODES as M, type StorageClassPreset } from '../../presets/types.js';
import { absolutePathProblems, params, str } from '../../presets/preset-kit.js';

export const hostpath: StorageClassPreset = {
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
