/** `usage` as a table: df-pv's columns, red above the warning threshold on a terminal. */
import chalk from 'chalk';
import { formatBytes, type UsageReport } from '../usage/report.js';
import { formatTable } from './print.js';

export function formatUsageReport(report: UsageReport, opts: { color: boolean; allNamespaces: boolean }): string {
  const headers = [...(opts.allNamespaces ? ['namespace'] : []), 'claim', 'class', 'used', 'available', 'capacity', '%used', 'inodes%', 'pods', 'source'];
  const rows = report.claims.map((r) => [
    ...(opts.allNamespaces ? [r.namespace] : []),
    r.claim,
    r.storageClass || '(none)',
    formatBytes(r.usedBytes),
    formatBytes(r.availableBytes),
    formatBytes(r.capacityBytes),
    r.percentUsed === undefined ? '-' : `${r.percentUsed}%`,
    r.inodes && r.inodesUsed !== undefined ? `${Math.round((r.inodesUsed / r.inodes) * 1000) / 10}%` : '-',
    r.mounted ? r.pods.join(',') : '(unused)',
    r.source,
  ]);
  // Colour after padding, so escape codes do not skew the columns.
  const lines = formatTable(headers, rows).split('\n');
  const out = lines.map((line, i) => {
    const r = report.claims[i - 1];
    return opts.color && r?.percentUsed !== undefined && r.percentUsed > report.warnPercent ? chalk.red(line) : line;
  });
  const notes = report.claims.filter((r) => r.note).map((r) => `${opts.allNamespaces ? `${r.namespace}/` : ''}${r.claim}: ${r.note}`);
  const unread = report.unreadNodes.map((n) => `node ${n.node}: kubelet stats unreadable: ${n.error}`);
  return `${out.join('\n')}${notes.length || unread.length ? `\n${[...notes, ...unread].map((l) => `note: ${l}`).join('\n')}\n` : ''}`;
}
