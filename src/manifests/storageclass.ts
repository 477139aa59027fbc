/** `render storageclass PRESET`: the preset's template, its own flags, then the generic ones. */
import { UsageError } from '../errors.js';
import { oneOf, reclaimPolicy as parseReclaimPolicy } from '../options/index.js';
import { loadTemplate, storageClassPreset } from '../presets/registry.js';
import { allStorageClassPresetFlags } from '../presets/storageclasses.js';
import type { StorageClassObject, StorageClassPreset } from '../presets/types.js';
import { metadata, parseMetadataFlags, type MetadataFlags } from './common.js';
import { objectNameProblems, parseKeyValues } from './names.js';

export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

export interface StorageClassOptions extends Omit<MetadataFlags, 'namespace'> {
  preset: string;
  name?: string;
  default?: boolean;
  reclaimPolicy?: string;
  bindingMode?: string;
  param?: string[];
  /** The preset's own flags (`replicas`, `server`, ...), keyed as commander names them. */
  [presetFlag: string]: unknown;
}

/** Flags that belong to other presets are refused, so a typo'd preset does not silently drop them. */
function foreignFlagProblems(preset: StorageClassPreset, opts: StorageClassOptions): string[] {
  const own = new Set(preset.flags.map((f) => f.key));
  return allStorageClassPresetFlags()
    .filter((f) => opts[f.key] !== undefined && !own.has(f.key))
    .map((f) => {
      const takes = preset.flags.map((x) => x.flags.split(' ')[0]).join(', ');
      return `${f.flags.split(' ')[0]} is not a flag of the ${preset.name} preset (${takes ? `it takes ${takes}` : 'it takes no preset flags'})`;
    });
}

function choiceProblems(preset: StorageClassPreset, opts: StorageClassOptions): string[] {
  return preset.flags
    .filter((f) => f.choices && opts[f.key] !== undefined && !f.choices.includes(String(opts[f.key])))
    .map((f) => `${f.flags.split(' ')[0]}: "${String(opts[f.key])}" must be one of ${f.choices!.join(', ')}`);
}

export function buildStorageClass(opts: StorageClassOptions): StorageClassObject {
  const preset = storageClassPreset(opts.preset);
  const problems: string[] = [];
  const name = opts.name ?? preset.defaultClassName;
  problems.push(...objectNameProblems('--name', name));
  const reclaimPolicy = parseReclaimPolicy('--reclaim-policy', opts.reclaimPolicy, problems);
  const bindingMode = oneOf('--binding-mode', opts.bindingMode, ['Immediate', 'WaitForFirstConsumer'] as const, problems);
  const params = parseKeyValues('--param', opts.param);
  const meta = parseMetadataFlags({ ...(opts.label ? { label: opts.label } : {}), ...(opts.annotation ? { annotation: opts.annotation } : {}) });
  problems.push(...params.problems, ...meta.problems, ...foreignFlagProblems(preset, opts), ...choiceProblems(preset, opts), ...preset.validate(opts));
  if (problems.length) throw new UsageError(problems);

  const sc = loadTemplate('storageclass', preset.name)[0] as StorageClassObject;
  preset.apply(sc, opts);
  const annotations = { ...sc.metadata.annotations, ...meta.annotations };
  if (opts.default) annotations[DEFAULT_CLASS_ANNOTATION] = 'true';
  sc.metadata = metadata(name, { labels: meta.labels, annotations });
  if (reclaimPolicy) sc.reclaimPolicy = reclaimPolicy;
  if (bindingMode) sc.volumeBindingMode = bindingMode;
  if (Object.keys(params.values).length) sc.parameters = { ...sc.parameters, ...params.values };
  return sc;
}
