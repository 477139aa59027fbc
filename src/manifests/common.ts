/**
 * Pieces every builder shares: access modes as users type them, the metadata flags
 * (-n, --label, --annotation) and the backend check for a StorageClass name.
 */
import { backendForClass } from '../presets/storageclasses.js';
import { ACCESS_MODES, type AccessMode, type AccessModeShort, type VolumeMode } from '../presets/types.js';
import { annotationsProblems, dnsLabelProblems, labelsProblems, objectNameProblems, parseKeyValues } from './names.js';

/** Flags shared by `render pvc`, `render app` and their `apply` twins. */
export interface VolumeFlags {
  size?: string;
  accessMode?: string[];
  storageClass?: string;
  volumeMode?: string;
}

export interface MetadataFlags {
  namespace?: string;
  label?: string[];
  annotation?: string[];
}

const LONG_NAMES = Object.values(ACCESS_MODES) as string[];

/** "RWX", "rwx" or "ReadWriteMany" -> "ReadWriteMany". */
export function parseAccessMode(text: string): AccessMode | undefined {
  const short = text.toUpperCase() as AccessModeShort;
  if (short in ACCESS_MODES) return ACCESS_MODES[short];
  const long = LONG_NAMES.find((l) => l.toLowerCase() === text.toLowerCase());
  return long as AccessMode | undefined;
}

export function parseVolumeMode(text: string | undefined): VolumeMode | undefined {
  if (text === undefined) return undefined;
  return (['Filesystem', 'Block'] as const).find((m) => m.toLowerCase() === text.toLowerCase());
}

export interface ParsedVolume {
  accessModes: AccessMode[];
  volumeMode?: VolumeMode;
  problems: string[];
}

/**
 * Access and volume modes, checked against what the class's backend can serve when the
 * class is one we know by name (offline) or by provisioner (`apply`, which looks it up).
 */
export function parseVolumeFlags(flags: VolumeFlags, backendKey = flags.storageClass): ParsedVolume {
  const problems: string[] = [];
  const accessModes: AccessMode[] = [];
  for (const text of flags.accessMode?.length ? flags.accessMode : ['RWO']) {
    const mode = parseAccessMode(text);
    if (!mode) problems.push(`--access-mode: "${text}" is not an access mode; use RWO, ROX, RWX or RWOP (or ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod)`);
    else if (!accessModes.includes(mode)) accessModes.push(mode);
  }
  const volumeMode = parseVolumeMode(flags.volumeMode);
  if (flags.volumeMode !== undefined && !volumeMode) problems.push(`--volume-mode: "${flags.volumeMode}" must be Filesystem or Block`);
  if (flags.storageClass !== undefined) problems.push(...objectNameProblems('--storage-class', flags.storageClass));

  const backend = backendForClass(backendKey);
  if (backend) {
    const caps = backend.capabilities;
    if (volumeMode && !caps.volumeModes.includes(volumeMode)) {
      problems.push(`--volume-mode ${volumeMode}: class "${flags.storageClass}" (${backend.name}) only serves ${caps.volumeModes.join(' and ')} volumes`);
    }
    const served = volumeMode === 'Block' && caps.blockAccessModes ? caps.blockAccessModes : caps.accessModes;
    for (const mode of accessModes) {
      if (!served.includes(mode)) problems.push(`--access-mode ${mode}: class "${flags.storageClass}" cannot serve it: ${caps.accessModeReason}`);
    }
  }
  return { accessModes, ...(volumeMode ? { volumeMode } : {}), problems };
}

export interface ParsedMetadata {
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  problems: string[];
}

export function parseMetadataFlags(flags: MetadataFlags): ParsedMetadata {
  const labels = parseKeyValues('--label', flags.label);
  const annotations = parseKeyValues('--annotation', flags.annotation);
  const problems = [
    ...(flags.namespace !== undefined ? dnsLabelProblems('--namespace', flags.namespace) : []),
    ...labels.problems,
    ...labelsProblems('--label', labels.values),
    ...annotations.problems,
    ...annotationsProblems('--annotation', annotations.values),
  ];
  return { ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}), labels: labels.values, annotations: annotations.values, problems };
}

/** metadata with only the fields that carry something, in kubectl's order. */
export function metadata(name: string, meta: Omit<ParsedMetadata, 'problems'>, extraLabels: Record<string, string> = {}) {
  const labels = { ...extraLabels, ...meta.labels };
  return {
    name,
    ...(meta.namespace ? { namespace: meta.namespace } : {}),
    ...(Object.keys(labels).length ? { labels } : {}),
    ...(Object.keys(meta.annotations).length ? { annotations: { ...meta.annotations } } : {}),
  };
}
