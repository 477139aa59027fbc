/**
 * What the day-2 commands (diagnose, usage, verify, bench) read about the backend behind a
 * StorageClass, from the registry (src/backends/index.ts): its id, capabilities, workloads,
 * the command that installs it, and why it refuses an access mode.
 */
import type { ObjectRef } from '../cluster/kube.js';
import { backendForProvisioner as registryBackend, installable, STORAGE_CLASS_PRESETS } from '../backends/index.js';
import type { Backend, BackendCapabilities } from '../backends/types.js';

export interface Day2Backend {
  id: string;
  provisioner: string;
  capabilities: BackendCapabilities;
  workloads: ObjectRef[];
  /** The command that installs it, when k8s-storage can. */
  installCommand?: string;
  backend: Backend;
}

export function backendForProvisioner(provisioner: string | undefined): Day2Backend | undefined {
  const found = registryBackend(provisioner);
  if (!found) return undefined;
  const { backend } = found;
  return {
    id: backend.id,
    provisioner: provisioner!,
    capabilities: found.capabilities,
    workloads: backend.workloads.map((w) => w.ref),
    ...(installable().includes(backend) ? { installCommand: `k8s-storage install ${backend.id}` } : {}),
    backend,
  };
}

/** Why an access mode is refused, in the backend's own words. */
export function accessModeReason(provisioner: string | undefined): string | undefined {
  return STORAGE_CLASS_PRESETS.find((p) => p.provisioner === provisioner)?.capabilities.accessModeReason;
}
