/**
 * Backends known so far only by their StorageClass presets and the workloads that prove them
 * (Rook Ceph RBD and CephFS, OpenEBS Local PV): `render`, `apply`, `presets` and
 * `status`/`doctor` know them; there is no install subcommand yet. Each moves to a folder of
 * its own (src/backends/<id>/) when it gets one, replacing its line in the registry.
 */
import { daemonSet, deployment, workloadStatus } from '../analysis.js';
import type { Backend, BackendCapabilities, NodeTargetSpec, WorkloadSpec } from '../types.js';
import type { StorageClassPreset } from '../../presets/types.js';
import { cephfs as cephfsPreset, cephRbd as cephRbdPreset, openebsHostpath as openebsPreset } from './presets.js';

function presetOnly(o: {
  preset: StorageClassPreset;
  title: string;
  capabilities: Omit<BackendCapabilities, 'accessModes' | 'expand'>;
  workloads: WorkloadSpec[];
  nodeTargets?: NodeTargetSpec[];
}): Backend {
  const { preset } = o;
  const backend: Backend = {
    id: preset.name,
    title: o.title,
    provisioners: [preset.provisioner],
    presets: [preset.name],
    storageClassPresets: [preset],
    capabilities: { accessModes: preset.capabilities.accessModes, expand: preset.capabilities.expansion, ...o.capabilities },
    nodeTargets: o.nodeTargets ?? [],
    workloads: o.workloads,
    analyze(facts) {
      const status = workloadStatus(preset.name, preset.provisioner, backend.workloads, facts);
      return { ...(status ? { status } : {}), findings: [] };
    },
  };
  return backend;
}

export const cephRbd = presetOnly({
  preset: cephRbdPreset,
  title: 'Ceph RBD (Rook)',
  capabilities: { snapshot: false, csiSnapshots: true, restore: false, replicated: true, nodeBound: false },
  workloads: [{ ref: deployment('rook-ceph', 'rook-ceph-operator') }, { ref: deployment('rook-ceph', 'csi-rbdplugin-provisioner') }],
});

export const cephfs = presetOnly({
  preset: cephfsPreset,
  title: 'CephFS (Rook)',
  capabilities: { snapshot: false, csiSnapshots: true, restore: false, replicated: true, nodeBound: false },
  workloads: [{ ref: deployment('rook-ceph', 'rook-ceph-operator') }, { ref: deployment('rook-ceph', 'csi-cephfsplugin-provisioner') }],
});

export const openebsHostpath = presetOnly({
  preset: openebsPreset,
  title: 'OpenEBS Local PV hostpath',
  capabilities: { snapshot: false, csiSnapshots: false, restore: false, replicated: false, nodeBound: true },
  workloads: [{ ref: deployment('openebs', 'openebs-localpv-provisioner') }],
});
