/** `usage` as a table: df-pv's columns, red above the warning threshold on a terminal. */
import { formatBytes, type UsageReport } from '../usage/report.js';
import { tablePrinter, type TableOptions } from './print.js';
import { colors } from './log.js';

export function formatUsageReport(report: UsageReport, opts: { color: boolean; allNamespaces: boolean; wide?: boolean } & TableOptions): string {
  // -o wide: the volume, the nodes the pods run on, and inode counts.
  const wide = opts.wide === true;
  const headers = [...(opts.allNamespaces ? ['namespace'] : []), 'claim', 'class', ...(wide ? ['volume'] : []), 'used', 'available', 'capacity', '%used', 'inodes%', ...(wide ? ['inodes used', 'inodes'] : []), 'pods', ...(wide ? ['nodes'] : []), 'source'];
  const rows = report.claims.map((r) => [
    ...(opts.allNamespaces ? [r.namespace] : []),
    r.claim,
    r.storageClass || '(none)',
    ...(wide ? [r.volume ?? '-'] : []),
    formatBytes(r.usedBytes),
    formatBytes(r.availableBytes),
    formatBytes(r.capacityBytes),
    r.percentUsed === undefined ? '-' : `${r.percentUsed}%`,
    r.inodes && r.inodesUsed !== undefined ? `${Math.round((r.inodesUsed / r.inodes) * 1000) / 10}%` : '-',
    ...(wide ? [r.inodesUsed === undefined ? '-' : String(r.inodesUsed), r.inodes === undefined ? '-' : String(r.inodes)] : []),
    r.mounted ? r.pods.join(',') : '(unused)',
    ...(wide ? [r.nodes.join(',') || '-'] : []),
    r.source,
  ]);
  // Colour after padding, so escape codes do not skew the columns.
  const lines = tablePrinter(opts)(headers, rows).split('\n');
  const first = opts.noHeaders ? 0 : 1;
  const out = lines.map((line, i) => {
    const r = report.claims[i - first];
    return opts.color && r?.percentUsed !== undefined && r.percentUsed > report.warnPercent ? colors.red(line) : line;
  });
  const notes = report.claims.filter((r) => r.note).map((r) => `${opts.allNamespaces ? `${r.namespace}/` : ''}${r.claim}: ${r.note}`);
  const unread = report.unreadNodes.map((n) => `node ${n.node}: kubelet stats unreadable: ${n.error}`);
  return `${out.join('\n')}${notes.length || unread.length ? `\n${[...notes, ...unread].map((l) => `note: ${l}`).join('\n')}\n` : ''}`;
}
