/**
 * What the day-2 commands (diagnose, usage, verify, bench) need to know about the backend
 * behind a StorageClass: its id, what it can do (BackendCapabilities), the workloads that
 * prove it runs and the command that installs it. This is the one place that reads the
 * presets for it; once the Backend registry (src/backends/index.ts) lands it reads that.
 */
import type { ObjectRef } from '../cluster/kube.js';
import type { BackendCapabilities } from '../backends/types.js';
import { STORAGE_CLASS_PRESETS } from '../presets/storageclasses.js';
import { BACKEND_WORKLOADS } from '../status/report.js';

export interface Day2Backend {
  id: string;
  provisioner: string;
  capabilities: BackendCapabilities;
  workloads: ObjectRef[];
  /** The command that installs it, when k8s-storage can. */
  installCommand?: string;
}

const INSTALLABLE: Record<string, string> = { hostpath: 'k8s-storage install hostpath', longhorn: 'k8s-storage install longhorn' };
const REPLICATED = new Set(['longhorn', 'nfs', 'ceph-rbd', 'cephfs']);
const NODE_BOUND = new Set(['hostpath', 'openebs-hostpath']);

export function backendForProvisioner(provisioner: string | undefined): Day2Backend | undefined {
  const preset = STORAGE_CLASS_PRESETS.find((p) => p.provisioner === provisioner);
  if (!preset) return undefined;
  return {
    id: preset.name,
    provisioner: preset.provisioner,
    capabilities: {
      accessModes: preset.capabilities.accessModes,
      expand: preset.capabilities.expansion,
      snapshot: preset.capabilities.snapshots,
      csiSnapshots: preset.capabilities.snapshots,
      restore: preset.capabilities.snapshots,
      replicated: REPLICATED.has(preset.name),
      nodeBound: NODE_BOUND.has(preset.name),
    },
    workloads: BACKEND_WORKLOADS[preset.name] ?? [],
    ...(INSTALLABLE[preset.name] ? { installCommand: INSTALLABLE[preset.name] } : {}),
  };
}

/** Why an access mode is refused, in the backend's own words. */
export function accessModeReason(provisioner: string | undefined): string | undefined {
  return STORAGE_CLASS_PRESETS.find((p) => p.provisioner === provisioner)?.capabilities.accessModeReason;
}
