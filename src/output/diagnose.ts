/** `diagnose` as a table for people: what was looked at, then each cause and its fix. */
import type { DiagnoseReport } from '../diagnose/analyze.js';
import { colors, paint } from './log.js';
import { tablePrinter, type TableOptions } from './print.js';

const SEVERITY = { error: colors.red, warning: colors.yellow, info: colors.dim } as const;

/** `color`: colour the verdicts (stdout is a terminal and messages are coloured). */
export function formatDiagnoseReport(report: DiagnoseReport, table: TableOptions & { color?: boolean } = {}): string {
  const c = (style: (s: string) => string, text: string) => paint(table.color === true, style, text);
  const formatTable = tablePrinter(table);
  const parts: string[] = [];
  if (report.claims.length) {
    parts.push(formatTable(['claim', 'phase', 'class', 'volume', 'access'], report.claims.map((c) => [c.name, c.phase, c.storageClass || '(none)', c.volume ?? '', c.accessModes.join(',')])));
  }
  if (report.pods.length) {
    parts.push(formatTable(['pod', 'phase', 'node', 'waiting'], report.pods.map((p) => [p.name, p.phase, p.node ?? '', p.waiting ?? ''])));
  }
  if (report.findings.length === 0) {
    parts.push(`${c(colors.green, 'healthy:')} nothing wrong with ${report.target.kind} ${report.target.name}\n`);
  } else {
    const lines = report.findings.map((f) => {
      const out = [`${c(SEVERITY[f.severity], f.severity.padEnd(7))}  ${f.object}  ${f.message}`];
      if (f.evidence && !f.message.includes(f.evidence)) out.push(`         event: ${f.evidence}`);
      if (f.fix) out.push(`         fix: ${f.fix}`);
      return out.join('\n');
    });
    parts.push(`${lines.join('\n')}\n`);
  }
  return parts.join('\n');
}
