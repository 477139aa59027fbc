/** Data printers: the only code that writes to stdout. */
import type { KubeObject } from '../presets/types.js';
import { toYaml } from './yaml.js';

export type OutputFormat = 'yaml' | 'json' | 'table' | 'name' | 'text';

/** Multi-document YAML, like `kubectl get -o yaml` of several objects without the List. */
export function objectsToYaml(objects: readonly unknown[]): string {
  return objects.map((o) => toYaml(o)).join('---\n');
}

/** One v1 List, as `kubectl get -o json` prints several objects. */
export function objectsToJson(objects: readonly unknown[]): string {
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: objects }, null, 2)}\n`;
}

export function formatObjects(objects: readonly KubeObject[], format: OutputFormat): string {
  switch (format) {
    case 'json':
      return objectsToJson(objects);
    case 'name':
      return objects.map((o) => `${o.kind.toLowerCase()}/${o.metadata.name}\n`).join('');
    default:
      return objectsToYaml(objects);
  }
}

/** Any other data document (reports, plans) in the requested machine format. */
export function formatData(data: unknown, format: 'yaml' | 'json'): string {
  return format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : toYaml(data);
}

/** A plain-text table with kubectl's look: upper-case headers, columns padded by three spaces. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('   ').trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join('\n') + '\n';
}
