/**
 * Name, label and annotation rules of the Kubernetes API (apimachinery validation),
 * checked before anything is rendered so that the user sees every problem at once.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function lowerHint(value: string): string {
  const fixed = value.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return fixed && fixed !== value ? `; did you mean "${fixed}"?` : '';
}

/** An object name (most kinds): DNS-1123 subdomain, at most 253 characters. */
export function objectNameProblems(field: string, name: string): string[] {
  if (!name) return [`${field}: a name is required`];
  if (name.length > 253) return [`${field}: "${name}" is longer than 253 characters`];
  if (!DNS1123_SUBDOMAIN.test(name)) {
    return [`${field}: "${name}" is not a valid name: use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit${lowerHint(name)}`];
  }
  return [];
}

/** A DNS-1123 label (namespaces, Services, container names): at most 63 characters, no dots. */
export function dnsLabelProblems(field: string, name: string, max = 63): string[] {
  if (!name) return [`${field}: a name is required`];
  if (name.length > max) return [`${field}: "${name}" is longer than ${max} characters`];
  if (!DNS1123_LABEL.test(name)) {
    return [`${field}: "${name}" is not a valid name: use lower-case letters, digits and '-', starting and ending with a letter or digit${lowerHint(name).replace(/\./g, '-')}`];
  }
  return [];
}

/** The name part of a label key (after the optional `prefix/`), or a Longhorn group name. */
export function isQualifiedName(text: string): boolean {
  return text.length > 0 && text.length <= 63 && QUALIFIED_NAME.test(text);
}

/**
 * Free text (a PVC or volume name) turned into the start of a DNS-1123 label of at most
 * `max` characters, for generated names.
 */
export function toDnsLabelStem(text: string, max: number): string {
  const cleaned = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-+/, '');
  return cleaned.slice(0, max).replace(/-+$/, '');
}

/** A label or annotation key: optional DNS subdomain prefix and '/', then a qualified name. */
export function keyProblems(field: string, key: string): string[] {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const out: string[] = [];
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    out.push(`${field}: the prefix "${prefix}" of key "${key}" must be a DNS subdomain such as example.com`);
  }
  if (!isQualifiedName(name)) {
    out.push(`${field}: key "${key}" is not valid: the name part must be 1-63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit`);
  }
  return out;
}

export function labelValueProblems(field: string, key: string, value: string): string[] {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    return [`${field}: value "${value}" of label "${key}" is not valid: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit`];
  }
  return [];
}

/** Parses repeated `k=v` flags; every malformed one becomes a problem. */
export function parseKeyValues(field: string, pairs: readonly string[] | undefined): { values: Record<string, string>; problems: string[] } {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      problems.push(`${field}: "${pair}" must be KEY=VALUE`);
      continue;
    }
    values[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { values, problems };
}

export function labelsProblems(field: string, labels: Record<string, string>): string[] {
  return Object.entries(labels).flatMap(([k, v]) => [...keyProblems(field, k), ...labelValueProblems(field, k, v)]);
}

export function annotationsProblems(field: string, annotations: Record<string, string>): string[] {
  const problems = Object.keys(annotations).flatMap((k) => keyProblems(field, k));
  const size = Object.entries(annotations).reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (size > 256 * 1024) problems.push(`${field}: annotations total ${size} bytes; the API server accepts at most 262144`);
  return problems;
}
