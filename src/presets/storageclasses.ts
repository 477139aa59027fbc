/**
 * StorageClass presets: each backend's own (src/backends/<id>/), listed by the registry. This
 * module answers questions across them; it names no backend.
 */
import { STORAGE_CLASS_PRESETS } from '../backends/index.js';
import type { PresetFlag, StorageClassPreset } from './types.js';

/** Every preset-only flag, once each (presets may share one, such as --fs-type). */
export function allStorageClassPresetFlags(): PresetFlag[] {
  const seen = new Map<string, PresetFlag>();
  for (const p of STORAGE_CLASS_PRESETS) for (const f of p.flags) if (!seen.has(f.key)) seen.set(f.key, f);
  return [...seen.values()];
}

/** The backend behind a StorageClass name or provisioner, when it is one we know. */
export function backendForClass(classNameOrProvisioner: string | undefined): StorageClassPreset | undefined {
  if (!classNameOrProvisioner) return undefined;
  return STORAGE_CLASS_PRESETS.find((p) => p.defaultClassName === classNameOrProvisioner || p.provisioner === classNameOrProvisioner);
}
