// The fake `helm` renders real charts with the real `helm template`, so a value that a chart
// does not have, or one that breaks its templates, fails the fake install as it would matter
// on a real cluster.
//
// Neither the Longhorn 1.12.1 nor the csi-driver-nfs 4.13.4 chart ships a values.schema.json,
// so real Helm silently ignores a misspelled key. The fake is stricter on purpose: it treats
// the chart's values.yaml, plus every `.Values.x.y` path its templates read, as if it were a
// schema with `additionalProperties: false` (a map that is empty or null there is free-form)
// and fails the way Helm fails on a schema
// error, before any release is recorded. Which charts it can render: a local chart directory,
// or a `repo/chart` at a version that the state's `chartDirs` maps to a directory (the
// sandbox maps the charts in ../shared/charts when they exist).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';

/** @param {unknown} v @returns {v is Record<string, any>} */
const isMap = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Dotted path, with dots inside a key escaped as Helm's --set does. @param {string} path @param {string} key */
const join2 = (path, key) => (path ? `${path}.` : '') + key.replace(/\./g, '\\.');

/** @param {unknown} values @param {string} [path] @returns {string[]} */
function keyPaths(values, path = '') {
  if (!isMap(values) || Object.keys(values).length === 0) return path ? [path] : [];
  return Object.entries(values).flatMap(([k, v]) => (isMap(v) ? keyPaths(v, join2(path, k)) : [join2(path, k)]));
}

/**
 * The dotted paths of `values` that the chart's values.yaml does not have.
 * @param {unknown} values @param {unknown} chartValues @param {string} [path] @returns {string[]}
 */
export function unknownValueKeys(values, chartValues, path = '') {
  if (!isMap(values)) return [];
  const chart = isMap(chartValues) ? chartValues : {};
  /** @type {string[]} */
  const unknown = [];
  for (const [key, value] of Object.entries(values)) {
    const here = join2(path, key);
    if (!Object.prototype.hasOwnProperty.call(chart, key)) {
      unknown.push(here);
      continue;
    }
    const chartValue = chart[key];
    if (!isMap(value)) continue;
    if (chartValue === null || (isMap(chartValue) && Object.keys(chartValue).length === 0)) continue;
    if (isMap(chartValue)) unknown.push(...unknownValueKeys(value, chartValue, here));
    else unknown.push(...keyPaths(value, here));
  }
  return unknown;
}

/**
 * The chart directory behind a chart reference, when the fake can render it.
 * @param {string} ref @param {string} version @param {Record<string, string> | undefined} chartDirs "repo/chart@version" -> dir
 * @returns {string | undefined}
 */
export function chartDirOf(ref, version, chartDirs) {
  if (existsSync(ref)) return statSync(ref).isDirectory() && existsSync(join(ref, 'templates')) ? ref : undefined;
  const dir = chartDirs?.[`${ref}@${version}`];
  return dir && existsSync(join(dir, 'Chart.yaml')) ? dir : undefined;
}

export class ChartError extends Error {}

/**
 * Helm's schema-validation failure, for the keys the chart does not have.
 * @param {string} chartName @param {string[]} unknown
 */
export function schemaErrorText(chartName, unknown) {
  const byParent = new Map();
  for (const path of unknown) {
    const parts = path.split(/(?<!\\)\./);
    const key = /** @type {string} */ (parts.pop()).replace(/\\\./g, '.');
    const parent = parts.length ? `/${parts.map((p) => p.replace(/\\\./g, '.')).join('/')}` : '(root)';
    byParent.set(parent, [...(byParent.get(parent) ?? []), key]);
  }
  const lines = [...byParent].map(([parent, keys]) => `- at '${parent === '(root)' ? '' : parent}': additional properties ${keys.map((k) => `'${k}'`).join(', ')} not allowed`);
  return `values don't meet the specifications of the schema(s) in the following chart(s):\n${chartName}:\n${lines.join('\n')}`;
}

/**
 * Check the user's values against the chart, then render it with the real helm.
 * @param {{realHelm: string, dir: string, chartName: string, release: string, namespace: string, values: Record<string, any>}} o
 * @returns {{manifest: string, objects: any[]}}
 */
export function renderChart(o) {
  const chartValuesFile = join(o.dir, 'values.yaml');
  if (existsSync(chartValuesFile)) {
    const known = withTemplateReferences(YAML.parse(readFileSync(chartValuesFile, 'utf8')) ?? {}, o.dir);
    const unknown = unknownValueKeys(o.values, known);
    if (unknown.length) throw new ChartError(schemaErrorText(o.chartName, unknown));
  }
  const tmp = mkdtempSync(join(tmpdir(), 'fake-helm-render-'));
  try {
    const valuesFile = join(tmp, 'values.json');
    writeFileSync(valuesFile, JSON.stringify(o.values));
    let manifest;
    try {
      manifest = execFileSync(o.realHelm, ['template', o.release, o.dir, '--namespace', o.namespace, '-f', valuesFile], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '', HOME: tmp, HELM_CACHE_HOME: join(tmp, 'cache'), HELM_CONFIG_HOME: join(tmp, 'config'), HELM_DATA_HOME: join(tmp, 'data') },
      });
    } catch (e) {
      // Helm 4 logs warnings (level=INFO msg=...) on stderr before the error itself.
      const stderr = String(/** @type {any} */ (e).stderr ?? '').split('\n').filter((l) => !l.startsWith('level=')).join('\n').trim();
      throw new ChartError(stderr.replace(/^Error: /, '') || String(e));
    }
    const objects = YAML.parseAllDocuments(manifest)
      .map((d) => d.toJS())
      .filter((x) => isMap(x) && x.kind);
    for (const obj of objects) if (obj.metadata && !obj.metadata.namespace && NAMESPACED.has(obj.kind)) obj.metadata.namespace = o.namespace;
    return { manifest, objects };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * values.yaml plus every `.Values.a.b` path the templates read (csi-driver-nfs reads
 * `storageClasses`, which its values.yaml only shows in a comment): a referenced path that
 * values.yaml lacks is free-form below it.
 * @param {Record<string, any>} chartValues @param {string} dir
 */
function withTemplateReferences(chartValues, dir) {
  const tree = structuredClone(chartValues);
  const templates = join(dir, 'templates');
  if (!existsSync(templates)) return tree;
  for (const file of readdirSync(templates, { recursive: true })) {
    const path = join(templates, String(file));
    if (!statSync(path).isFile()) continue;
    for (const m of readFileSync(path, 'utf8').matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
      const parts = /** @type {string} */ (m[1]).slice(1).split('.');
      let node = tree;
      for (const [i, part] of parts.entries()) {
        if (!isMap(node)) break;
        if (!Object.prototype.hasOwnProperty.call(node, part)) node[part] = i === parts.length - 1 ? null : {};
        node = node[part];
      }
    }
  }
  return tree;
}

/** Kinds Helm puts in the release namespace when a template leaves it out. */
const NAMESPACED = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'ServiceAccount', 'Service', 'ConfigMap', 'Secret', 'Role', 'RoleBinding', 'Job', 'PodDisruptionBudget']);
