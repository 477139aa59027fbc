/** Ceph through Rook on MicroK8s: an external MicroCeph (or other) cluster, or Rook's own CephCluster. */
import { cephfs as cephfsPreset, cephRbd as cephRbdPreset } from './preset.js';
import type { Backend } from '../types.js';
import { analyzeCeph, CEPH_WORKLOADS } from './analyze.js';
import { DEFAULT_ROOK_VERSION, RBD_PROVISIONER, CEPHFS_PROVISIONER, ROOK_NAMESPACE } from './constants.js';
import { DEFAULT_CEPH_TIMEOUT, type CephInstallOptions, type CephUninstallOptions } from './options.js';
import { planCephInstall, planCephUninstall, type CephInstallFacts, type CephUninstallFacts } from './plan.js';

export const ceph: Backend<CephInstallOptions, CephInstallFacts, CephUninstallOptions, CephUninstallFacts> = {
  id: 'ceph',
  title: 'Ceph (Rook)',
  provisioners: [RBD_PROVISIONER, CEPHFS_PROVISIONER],
  presets: ['ceph-rbd', 'cephfs'],
  storageClassPresets: [cephRbdPreset, cephfsPreset],
  capabilities: { accessModes: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'], expand: true, snapshot: false, csiSnapshots: true, restore: true, replicated: true, nodeBound: false },
  // Rook's ceph-csi snapshotter secrets, as the classes' provisioner secrets (templates/storageclass/ceph-rbd.yaml, cephfs.yaml).
  volumeSnapshotClasses: [
    { name: 'ceph-rbd-snapshot', driver: RBD_PROVISIONER, parameters: { clusterID: ROOK_NAMESPACE, 'csi.storage.k8s.io/snapshotter-secret-name': 'rook-csi-rbd-provisioner', 'csi.storage.k8s.io/snapshotter-secret-namespace': ROOK_NAMESPACE }, description: 'an RBD snapshot in the Ceph pool' },
    { name: 'cephfs-snapshot', driver: CEPHFS_PROVISIONER, parameters: { clusterID: ROOK_NAMESPACE, 'csi.storage.k8s.io/snapshotter-secret-name': 'rook-csi-cephfs-provisioner', 'csi.storage.k8s.io/snapshotter-secret-namespace': ROOK_NAMESPACE }, description: 'a CephFS subvolume snapshot' },
  ],
  nodeTargets: [{ id: 'ceph', description: 'Rook OSDs on the node: a raw disk, the rbd module, lvm2, memory for a mon, a mgr and 4 GiB per OSD', title: 'Ceph (Rook)', doctorOrder: 4 }],
  workloads: [
    { ref: CEPH_WORKLOADS[0]!, hint: 'kubectl -n rook-ceph describe deployment rook-ceph-operator' },
    { ref: CEPH_WORKLOADS[1]!, hint: 'kubectl -n rook-ceph logs deploy/rook-ceph-operator' },
    { ref: CEPH_WORKLOADS[2]!, hint: 'kubectl -n rook-ceph logs deploy/rook-ceph-operator' },
  ],
  install: {
    description: 'Ceph through Rook: connect MicroCeph (or another Ceph), or --in-cluster on the nodes\' raw disks; verified by HEALTH_OK and a probe claim',
    options: [
      { flags: '--in-cluster', description: "Rook's own CephCluster on the nodes' raw disks instead of an external Ceph" },
      { flags: '--test-cluster', description: "with --in-cluster: Rook's cluster-test.yaml settings (1 mon, pools of size 1; a single node is enough; tests only)" },
      { flags: '--cephfs', description: 'with --in-cluster: also a CephFilesystem and class cephfs (RWX)' },
      { flags: '--object-store', description: 'with --in-cluster: also a CephObjectStore (S3 through RGW)' },
      { flags: '--ceph-conf <file>', description: 'external: ceph.conf of the cluster to connect [default: MicroCeph\'s]' },
      { flags: '--keyring <file>', description: 'external: keyring with client.admin caps [default: MicroCeph\'s]' },
      { flags: '--rbd-pool <pool>', description: 'external: RBD pool for class ceph-rbd [default: microk8s-rbd0, created]' },
      { flags: '--rook-version <version>', description: 'Rook operator version; v1.20 and newer are refused (no csi.kubeletDirPath)', defaultValue: DEFAULT_ROOK_VERSION },
      { flags: '--skip-preflight', description: 'with --in-cluster: do not check the nodes first' },
      { flags: '--timeout <duration>', description: 'how long each wait may take', defaultValue: DEFAULT_CEPH_TIMEOUT },
      { flags: '--dry-run', description: 'print the plan and change nothing' },
    ],
    examples: ['k8s-storage install ceph', 'k8s-storage install ceph --ceph-conf ./ceph.conf --keyring ./ceph.client.admin.keyring --rbd-pool k8s', 'k8s-storage install ceph --in-cluster --cephfs --object-store', 'k8s-storage install ceph --in-cluster --test-cluster'],
  },
  uninstall: {
    description: 'disconnect an external Ceph, or remove the in-cluster CephCluster (its data stays unless --destroy-data)',
    options: [
      { flags: '--in-cluster', description: "remove Rook's own CephCluster (the external form only disconnects)" },
      { flags: '--destroy-data', description: "with --in-cluster: Rook's cleanup wipes /var/lib/rook and the OSD disks (asks you to type the cluster's name)" },
      { flags: '--yes-really-destroy-data', description: 'confirm --destroy-data without a prompt (needed when stdin is not a terminal)' },
      { flags: '--timeout <duration>', description: 'how long each wait may take', defaultValue: DEFAULT_CEPH_TIMEOUT },
      { flags: '--dry-run', description: 'print the plan and change nothing' },
    ],
    examples: ['k8s-storage uninstall ceph', 'k8s-storage uninstall ceph --in-cluster', 'k8s-storage uninstall ceph --in-cluster --destroy-data', 'k8s-storage uninstall ceph --in-cluster --destroy-data --yes-really-destroy-data   # in scripts'],
  },
  planInstall: planCephInstall,
  planUninstall: planCephUninstall,
  analyze: analyzeCeph,
  load: async () => (await import('./runtime.js')).cephRuntime,
};
