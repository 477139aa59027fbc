/** `verify` as a table: each step, its result and its time. */
import type { VerifyReport } from '../verify/plan.js';
import { colors, paint } from './log.js';
import { tablePrinter, type TableOptions } from './print.js';

const MARK = { ok: [colors.green, 'ok'], failed: [colors.red, 'FAILED'], skipped: [colors.dim, 'skipped'], interrupted: [colors.yellow, 'interrupted'] } as const satisfies Record<string, [(s: string) => string, string]>;

/** `color`: colour the results (stdout is a terminal and messages are coloured). */
export function formatVerifyReport(report: VerifyReport, table: TableOptions & { color?: boolean } = {}): string {
  const c = (style: (s: string) => string, text: string) => paint(table.color === true, style, text);
  const rows = report.steps.map((s) => [c(MARK[s.status][0], MARK[s.status][1]), `${(s.ms / 1000).toFixed(1)}s`, s.title, s.detail ?? '']);
  const verdict = report.passed
    ? `${c(colors.green, 'passed:')} data written on ${report.writerNode} was read back ${report.mode === 'other-node' ? `on another node (${report.readerNode})` : `on the same node (${report.readerNode})`}`
    : `${c(colors.red, 'failed:')} class ${report.storageClass} did not pass`;
  return `${tablePrinter(table)(['result', 'time', 'step', 'detail'], rows)}${verdict}\n`;
}
