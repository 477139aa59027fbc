/** Data printers: the only code that writes to stdout. */
import type { KubeObject } from '../presets/types.js';
import { stdout } from './stdio.js';
import { toYaml } from './yaml.js';

export type OutputFormat = 'yaml' | 'json' | 'table' | 'wide' | 'name' | 'text';

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

/** How a command prints its tables: `--no-headers` (src/cli-kit.ts `outputs` declares it wherever -o table is). */
export interface TableOptions {
  noHeaders?: boolean;
}

const GAP = 3;
const ELLIPSIS = '…';

/** How wide tables may be: the terminal's width when stdout is one, unlimited when piped. */
export function terminalWidth(): number {
  return stdout.columns || Number.POSITIVE_INFINITY;
}

/**
 * Column widths that fit `maxWidth`. The first column (the name) is never cut. The last
 * (descriptions, messages) gives up characters first, down to 10; then the widest of the
 * others, a character at a time, down to its header, then (a narrow terminal) to 5
 * characters, the last down to 8. When nothing more can give, the table is wider than asked.
 */
export function fitColumns(headers: readonly string[], natural: readonly number[], maxWidth: number): number[] {
  const widths = [...natural];
  const last = widths.length - 1;
  const floor = headers.map((h, i) => (i === 0 ? natural[0]! : Math.min(natural[i]!, Math.max(h.length, i === last ? 10 : 6))));
  let excess = widths.reduce((a, b) => a + b, 0) + GAP * last - maxWidth;
  if (excess > 0 && last > 0) {
    const give = Math.min(excess, widths[last]! - floor[last]!);
    widths[last] = widths[last]! - give;
    excess -= give;
  }
  const shrink = (floorOf: (i: number) => number, columns: number[]) => {
    while (excess > 0) {
      let widest = -1;
      for (const i of columns) if (widths[i]! > floorOf(i) && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
      if (widest < 0) return;
      widths[widest] = widths[widest]! - 1;
      excess -= 1;
    }
  };
  const middle = widths.map((_, i) => i).slice(1, last);
  shrink((i) => floor[i]!, middle);
  shrink((i) => Math.min(natural[i]!, i === last ? 8 : 5), [...middle, ...(last > 0 ? [last] : [])]);
  return widths;
}

const cut = (text: string, width: number) => (text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}${ELLIPSIS}`);

/**
 * A plain-text table with kubectl's look: upper-case headers, columns padded by three
 * spaces; fitted to `maxWidth` (default: the terminal's, unlimited when piped), cutting
 * cells with an ellipsis. `noHeaders` (--no-headers) leaves the header line out; the
 * columns are still as wide as the headers would need, so the layout does not shift.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], maxWidth = terminalWidth(), opts: TableOptions = {}): string {
  const natural = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const widths = fitColumns(headers, natural, maxWidth);
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? cut(c, widths[i]!) : cut(c, widths[i]!).padEnd(widths[i]!))).join(' '.repeat(GAP)).trimEnd();
  return [...(opts.noHeaders ? [] : [line(headers.map((h) => h.toUpperCase()))]), ...rows.map(line)].join('\n') + '\n';
}

/** formatTable at the terminal's width with a command's table options: what printers call. */
export const tablePrinter =
  (opts: TableOptions = {}) =>
  (headers: readonly string[], rows: readonly (readonly string[])[]): string =>
    formatTable(headers, rows, terminalWidth(), opts);
