// Label and field selectors as the Kubernetes API server parses them.
//
// Both parsers return a predicate or throw a SelectorError whose message is the one the
// real server puts in its 400 BadRequest Status, so a test that sends a bad selector sees
// the same failure it would see against a cluster.

export class SelectorError extends Error {}

/**
 * @typedef {{ key: string, op: 'exists'|'!exists'|'='|'!='|'in'|'notin'|'gt'|'lt', values: string[] }} LabelRequirement
 */

/**
 * Parse a label selector string (`app=web,tier in (a,b),!canary,env`).
 * @param {string | undefined | null} selector
 * @returns {(labels: Record<string,string>|undefined) => boolean}
 */
export function parseLabelSelector(selector) {
  const reqs = parseLabelRequirements(selector);
  if (reqs.length === 0) return () => true;
  return (labels) => reqs.every((r) => matchRequirement(r, labels ?? {}));
}

/**
 * @param {string | undefined | null} selector
 * @returns {LabelRequirement[]}
 */
export function parseLabelRequirements(selector) {
  const text = (selector ?? '').trim();
  if (!text) return [];
  /** @type {LabelRequirement[]} */
  const out = [];
  // Split on commas that are not inside a `( ... )` value set.
  const parts = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts) {
    const part = raw.trim();
    if (!part) throw new SelectorError(`unable to parse requirement: found '', expected: identifier`);
    let m;
    if ((m = /^!\s*([A-Za-z0-9_./-]+)$/.exec(part))) {
      out.push({ key: checkKey(m[1]), op: '!exists', values: [] });
    } else if ((m = /^([A-Za-z0-9_./-]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part))) {
      const values = m[3].split(',').map((v) => v.trim()).filter((v) => v !== '');
      out.push({ key: checkKey(m[1]), op: /** @type {'in'|'notin'} */ (m[2]), values });
    } else if ((m = /^([A-Za-z0-9_./-]+)\s*(==|=|!=)\s*([A-Za-z0-9_.-]*)$/.exec(part))) {
      out.push({ key: checkKey(m[1]), op: m[2] === '!=' ? '!=' : '=', values: [m[3]] });
    } else if ((m = /^([A-Za-z0-9_./-]+)\s*([<>])\s*(-?[0-9]+)$/.exec(part))) {
      out.push({ key: checkKey(m[1]), op: m[2] === '>' ? 'gt' : 'lt', values: [m[3]] });
    } else if ((m = /^([A-Za-z0-9_./-]+)$/.exec(part))) {
      out.push({ key: checkKey(m[1]), op: 'exists', values: [] });
    } else {
      throw new SelectorError(`unable to parse requirement: <nil>: Invalid value: "${part}": invalid label selector`);
    }
  }
  return out;
}

/** @param {string} key */
function checkKey(key) {
  // name part: at most 63 chars, alphanumeric with -_. inside; optional DNS prefix.
  const slash = key.lastIndexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(name)) {
    throw new SelectorError(`unable to parse requirement: values[0][${key}]: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
  return key;
}

/**
 * @param {LabelRequirement} r
 * @param {Record<string,string>} labels
 */
function matchRequirement(r, labels) {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = labels[r.key];
  switch (r.op) {
    case 'exists': return has;
    case '!exists': return !has;
    case '=': return has && v === r.values[0];
    case '!=': return !has || v !== r.values[0];
    case 'in': return has && r.values.includes(/** @type {string} */ (v));
    case 'notin': return !has || !r.values.includes(/** @type {string} */ (v));
    case 'gt': return has && Number(v) > Number(r.values[0]);
    case 'lt': return has && Number(v) < Number(r.values[0]);
  }
  return false;
}

/**
 * Field labels the fake accepts. The real server supports a per-type list; this is the union
 * of the ones a storage tool uses. Anything else gets the real error message.
 */
export const SUPPORTED_FIELDS = new Set([
  'metadata.name',
  'metadata.namespace',
  'spec.nodeName',
  'spec.storageClassName',
  'spec.volumeName',
  'status.phase',
  'spec.schedulerName',
  'spec.serviceAccountName',
  'involvedObject.kind',
  'involvedObject.name',
  'involvedObject.namespace',
  'involvedObject.uid',
  'reason',
  'type',
]);

/**
 * Parse a field selector (`metadata.name=x,status.phase!=Running`).
 * @param {string | undefined | null} selector
 * @returns {(obj: any) => boolean}
 */
export function parseFieldSelector(selector) {
  const text = (selector ?? '').trim();
  if (!text) return () => true;
  /** @type {{path: string, neg: boolean, value: string}[]} */
  const reqs = [];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    const m = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw new SelectorError(`invalid selector: '${text}'; can't understand '${part}'`);
    if (!SUPPORTED_FIELDS.has(m[1])) throw new SelectorError(`field label not supported: ${m[1]}`);
    reqs.push({ path: m[1], neg: m[2] === '!=', value: m[3] });
  }
  return (obj) =>
    reqs.every((r) => {
      const actual = r.path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
      const s = actual == null ? '' : String(actual);
      return r.neg ? s !== r.value : s === r.value;
    });
}
