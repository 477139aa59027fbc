/** The openebs-hostpath StorageClass preset (templates/storageclass/openebs-hostpath.yaml). */
import { ACCESS_MODES as M, type PresetFlag, type StorageClassObject, type StorageClassPreset } from '../../presets/types.js';
import { absolutePathProblems, FS_TYPE, params, str } from '../../presets/preset-kit.js';

export const openebsHostpath: StorageClassPreset = {
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
