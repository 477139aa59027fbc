/** The longhorn StorageClass preset (templates/storageclass/longhorn.yaml). */
import { ACCESS_MODES as M, type StorageClassPreset } from '../../presets/types.js';
import { LONGHORN_PROVISIONER } from './chart.js';
import { FS_TYPE, intInRange, params, str } from '../../presets/preset-kit.js';

export const longhorn: StorageClassPreset = {
  kind: 'storageclass',
  name: 'longhorn',
  description: 'Longhorn replicated block storage for 3-20 node clusters; RWX through its share manager',
  provisioner: LONGHORN_PROVISIONER,
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
