/** `render pvc`: a PersistentVolumeClaim from flags. */
import { UsageError } from '../errors.js';
import type { KubeObject } from '../presets/types.js';
import { metadata, parseMetadataFlags, parseVolumeFlags, type MetadataFlags, type VolumeFlags } from './common.js';
import { objectNameProblems } from './names.js';
import { sizeProblems } from './quantity.js';

export interface PvcOptions extends VolumeFlags, MetadataFlags {
  name: string;
}

export function buildPvc(opts: PvcOptions): KubeObject {
  const volume = parseVolumeFlags(opts);
  const meta = parseMetadataFlags(opts);
  const problems = [...objectNameProblems('NAME', opts.name), ...sizeProblems('--size', opts.size), ...volume.problems, ...meta.problems];
  if (problems.length) throw new UsageError(problems);
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: metadata(opts.name, meta),
    spec: {
      accessModes: volume.accessModes,
      ...(opts.storageClass !== undefined ? { storageClassName: opts.storageClass } : {}),
      ...(volume.volumeMode ? { volumeMode: volume.volumeMode } : {}),
      resources: { requests: { storage: opts.size! } },
    },
  };
}
