/** Which candidates already run, from the provisioners of the classes that exist (pure). */
import type { CandidateId } from './rules.js';

// Provisioner -> candidate. Once every backend is in the registry, its `provisioners` say this.
const BY_PROVISIONER: Record<string, CandidateId> = {
  'microk8s.io/hostpath': 'hostpath',
  'driver.longhorn.io': 'longhorn',
  'rook-ceph.rbd.csi.ceph.com': 'ceph',
  'rook-ceph.cephfs.csi.ceph.com': 'ceph',
  'openebs.io/local': 'openebs',
  'io.openebs.csi-mayastor': 'openebs-mayastor',
  'nfs.csi.k8s.io': 'nfs',
  'cluster.local/nfs-server-provisioner': 'nfs-in-cluster',
};

export function installedCandidates(classes: readonly { provisioner?: string }[]): CandidateId[] {
  return [...new Set(classes.map((c) => BY_PROVISIONER[c.provisioner ?? '']).filter((id): id is CandidateId => id !== undefined))];
}
