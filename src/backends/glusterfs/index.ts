/**
 * GlusterFS is not offered: `install glusterfs` exits 2 with why and the command that fits each
 * need instead (reference/backends.md, "GlusterFS: do not offer it").
 */
import { UsageError } from '../../errors.js';
import { emptyPlan } from '../../plan/types.js';
import type { Backend, BackendRuntime } from '../types.js';

export const GLUSTERFS_REFUSAL = [
  'GlusterFS is not offered: the in-tree glusterfs volume plugin was deprecated in Kubernetes 1.25 and removed in 1.26,',
  'and Heketi, the provisioner API it used, was archived in July 2023 (gluster-kubernetes in 2020). Instead:',
  '  RWX on an existing NAS:    k8s-storage install nfs --server NAS --share /export',
  '  RWX inside the cluster:    k8s-storage install longhorn (RWX volumes through NFS), or k8s-storage install ceph --in-cluster --cephfs',
  '  replicated block storage:  k8s-storage install longhorn (small clusters), or k8s-storage install ceph (large ones)',
  'k8s-storage recommend picks between them for this cluster.',
].join('\n');

const refuse = (): never => {
  throw new UsageError(GLUSTERFS_REFUSAL);
};

const runtime: BackendRuntime = {
  parseInstall: refuse,
  gatherInstall: async () => refuse(),
  parseUninstall: () => {
    throw new UsageError('k8s-storage never installs GlusterFS, so there is nothing to uninstall; remove a GlusterFS you set up yourself the way you installed it.');
  },
  gatherUninstall: async () => refuse(),
};

export const glusterfs: Backend = {
  id: 'glusterfs',
  title: 'GlusterFS (not offered)',
  provisioners: ['kubernetes.io/glusterfs'],
  presets: [],
  capabilities: { accessModes: [], expand: false, snapshot: false, csiSnapshots: false, restore: false, replicated: false, nodeBound: false },
  nodeTargets: [],
  workloads: [],
  install: { description: 'not offered: explains why (removed from Kubernetes in 1.26, Heketi archived) and what to use instead (exit 2)', options: [], examples: ['k8s-storage install glusterfs'] },
  uninstall: { description: 'not offered: k8s-storage never installs GlusterFS', options: [], examples: [] },
  planInstall: () => refuse(),
  planUninstall: () => emptyPlan('nothing to uninstall'),
  analyze(facts) {
    // A class left from before 1.26 names a provisioner that no longer exists: say so.
    const stale = facts.classes.filter((c) => c.provisioner === 'kubernetes.io/glusterfs').map((c) => c.metadata.name);
    if (!stale.length) return { findings: [] };
    return {
      findings: [{ severity: 'error', message: `StorageClass ${stale.join(', ')} uses the in-tree GlusterFS plugin, removed in Kubernetes 1.26: its claims can never be provisioned or mounted`, fix: 'move the data to another class (k8s-storage recommend) and delete the class' }],
    };
  },
  load: async () => runtime,
};
