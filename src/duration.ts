/** `--timeout 10m`, `90s`, `1h30m`, like kubectl's and Helm's durations. */
import { UsageError } from './errors.js';

const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(flag: string, text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text) {
    throw new UsageError(`${flag}: "${text}" is not a duration; use for example 90s, 10m or 1h`);
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT[p[2]!]!, 0);
  if (ms <= 0) throw new UsageError(`${flag}: "${text}" must be longer than zero`);
  return ms;
}
