/**
 * Flags -> typed options: one parser per kind of option, shared by every command that has
 * it. Each parser takes the flag's name (for messages), commander's raw value and the list of
 * problems; it returns the typed value, or undefined after adding the problem. A command
 * gathers every problem this way and throws one UsageError before touching the cluster.
 *
 * Conventions (README "Option parsing"):
 * - durations are Go durations (`90s`, `10m`, `1h30m`, `1.5h`), as Helm and kubectl take them;
 * - enums accept any case and come back in their canonical spelling (`retain` -> `Retain`);
 * - whole numbers are digits only (no sign, no fraction), checked against their range;
 * - names follow the Kubernetes rules of the object they name.
 * Light: no cluster code, so `--help` and `render` can use it.
 */
import { UsageError } from '../errors.js';
import { dnsLabelProblems, objectNameProblems } from '../manifests/names.js';
import type { ReclaimPolicy } from '../presets/types.js';

export type Problems = string[];

const DURATION_UNIT: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration in milliseconds; `0` only when allowZero (e.g. --poll-interval 0 turns polling off). */
export function duration(flag: string, raw: unknown, problems: Problems, opts: { allowZero?: boolean } = {}): number | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw);
  if (opts.allowZero && /^0+(\.0*)?(ns|us|\u00b5s|ms|s|m|h)?$/.test(text)) return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?|\.\d+)(ns|us|\u00b5s|ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text) {
    problems.push(`${flag}: "${text}" is not a duration; use for example 90s, 10m or 1h`);
    return undefined;
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * DURATION_UNIT[p[2]!]!, 0);
  if (ms <= 0) {
    problems.push(`${flag}: "${text}" must be longer than zero`);
    return undefined;
  }
  return ms;
}

/** The same, throwing: for a value given by the code itself (a default) or a single flag. */
export function parseDuration(flag: string, text: string): number {
  const problems: Problems = [];
  const ms = duration(flag, text, problems);
  if (ms === undefined) throw new UsageError(problems);
  return ms;
}

/** A whole number (digits only) within [min, max] when given; `unit` names what it counts ("GiB"). */
export function wholeNumber(flag: string, raw: unknown, problems: Problems, opts: { min?: number; max?: number; unit?: string } = {}): number | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const range = opts.min !== undefined && opts.max !== undefined ? ` from ${opts.min} to ${opts.max}` : opts.min !== undefined ? ` of at least ${opts.min}` : opts.max !== undefined ? ` of at most ${opts.max}` : '';
  const n = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isNaN(n)) {
    problems.push(range ? `${flag}: "${String(raw)}" must be a whole number${range}` : `${flag}: "${String(raw)}" is not a whole number${opts.unit ? ` of ${opts.unit}` : ''}`);
    return undefined;
  }
  if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
    problems.push(`${flag}: "${String(raw)}" must be a whole number${range}${opts.unit ? ` of ${opts.unit}` : ''}`);
    return undefined;
  }
  return n;
}

/** One of `choices`, in any case, returned as spelled in `choices`. */
export function oneOf<T extends string>(flag: string, raw: unknown, choices: readonly T[], problems: Problems, opts: { wording?: 'must be' | 'is not' } = {}): T | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw);
  const found = choices.find((c) => c.toLowerCase() === text.toLowerCase());
  if (!found) problems.push(`${flag}: "${text}" ${opts.wording === 'is not' ? 'is not one of' : 'must be one of'} ${choices.join(', ')}`);
  return found;
}

export const RECLAIM_POLICIES = ['Delete', 'Retain'] as const;

/**
 * --reclaim-policy, the same for every command: `retain`, `RETAIN` and `Retain` are all
 * Retain (as kubectl's enums are case-insensitive on input); what is written is canonical.
 */
export function reclaimPolicy(flag: string, raw: unknown, problems: Problems): ReclaimPolicy | undefined {
  return oneOf(flag, raw, RECLAIM_POLICIES, problems);
}

/** A name the way Kubernetes wants it: `object` (DNS-1123 subdomain) or `dns-label` (63 characters, no dots). */
export function name(flag: string, raw: unknown, problems: Problems, kind: 'object' | 'dns-label' = 'object'): string | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw);
  const found = kind === 'object' ? objectNameProblems(flag, text) : dnsLabelProblems(flag, text);
  problems.push(...found);
  return found.length ? undefined : text;
}

/** Throws every problem at once (exit 2), or does nothing. */
export function assertNoProblems(problems: Problems, options?: { hint?: string }): void {
  if (problems.length) throw new UsageError(problems, options);
}
