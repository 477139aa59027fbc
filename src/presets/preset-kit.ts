/**
 * Pieces StorageClass presets share: flags several backends take, path and range checks.
 * Pure and light (presets are on the offline `render` path).
 */
import { wholeNumber } from '../options/index.js';
import type { PresetFlag, StorageClassObject } from './types.js';

export const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

export function absolutePathProblems(flag: string, value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.startsWith('/') ? [] : [`${flag}: "${value}" must be an absolute path such as /mnt/data`];
}

export function intInRange(flag: string, value: string | undefined, min: number, max: number): string[] {
  const problems: string[] = [];
  wholeNumber(flag, value, problems, { min, max });
  return problems;
}

export function params(sc: StorageClassObject): Record<string, string> {
  return (sc.parameters ??= {});
}

export const FS_TYPE: PresetFlag = { flags: '--fs-type <type>', key: 'fsType', description: 'file system of new volumes', choices: ['ext4', 'xfs'], defaultValue: 'ext4' };
