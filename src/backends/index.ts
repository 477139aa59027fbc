/**
 * The registry: every storage system k8s-storage knows, in the order `status` lists them.
 * install/uninstall subcommands, `status`, `doctor`, `presets`, `nodes check --for`, completion
 * and the StorageClass presets all come from this list: adding a backend is one folder under
 * src/backends/ and one line here. Nothing else in the tree names a backend.
 */
import { hostpath } from './hostpath/index.js';
import { longhorn } from './longhorn/index.js';
import { ceph } from './ceph/index.js';
import { glusterfs } from './glusterfs/index.js';
import { nfs } from './nfs/index.js';
import { openebs } from './openebs/index.js';
import type { Backend, BackendCapabilities } from './types.js';
import type { StorageClassPreset } from '../presets/types.js';

export const BACKENDS: readonly Backend[] = [hostpath, longhorn, nfs, ceph, openebs, glusterfs];

/** Every StorageClass preset, in registry order (a preset ships when its template does: presets/registry.ts). */
export const STORAGE_CLASS_PRESETS: readonly StorageClassPreset[] = presetsOf(BACKENDS);

export function presetsOf(backends: readonly Backend[]): StorageClassPreset[] {
  return backends.flatMap((b) => b.storageClassPresets ?? []);
}

export const backendById = (id: string, backends: readonly Backend[] = BACKENDS): Backend | undefined => backends.find((b) => b.id === id);

/** A provisioner's backend, with the id and capabilities of the engine behind that provisioner. */
export interface ProvisionerBackend {
  backend: Backend;
  /** The variant's id (`openebs-mayastor`), else the backend's. */
  id: string;
  capabilities: BackendCapabilities;
}

/** The one provisioner -> backend mapping (claims, status, day-2 commands, recommend all use it). */
export function backendForProvisioner(provisioner: string | undefined, backends: readonly Backend[] = BACKENDS): ProvisionerBackend | undefined {
  if (!provisioner) return undefined;
  const backend = backends.find((b) => b.provisioners.includes(provisioner));
  if (!backend) return undefined;
  const variant = backend.variants?.[provisioner];
  return { backend, id: variant?.id ?? backend.id, capabilities: { ...backend.capabilities, ...variant?.capabilities } };
}

/** The backends with install/uninstall subcommands. */
export const installable = (backends: readonly Backend[] = BACKENDS): Backend[] => backends.filter((b) => b.install && b.planInstall && b.load);
export const uninstallable = (backends: readonly Backend[] = BACKENDS): Backend[] => backends.filter((b) => b.uninstall && b.planUninstall && b.load);

/** `nodes check --for` targets, in doctor's order (a target whose needs cover another's first). */
export function nodeTargets(backends: readonly Backend[] = BACKENDS) {
  return backends
    .flatMap((b) => b.nodeTargets.map((t) => ({ ...t, backend: b })))
    .sort((a, b) => (a.doctorOrder ?? 100) - (b.doctorOrder ?? 100));
}

/** What to install when nothing is: by cluster size. */
export const recommended = (several: boolean, backends: readonly Backend[] = BACKENDS): Backend | undefined =>
  backends.find((b) => b.recommendedFor === (several ? 'several-nodes' : 'single-node'));

/** Top-level commands backends add (besides the core ones in cli.ts). */
export const backendTopLevelCommands = (backends: readonly Backend[] = BACKENDS): string[] => backends.flatMap((b) => b.commands?.topLevel ?? []);
