/**
 * Tables for `nodes check|prepare` and `doctor`: a summary line per node, then only what
 * needs attention, each with its one-line fix. JSON/YAML print the reports as they are.
 */
import type { DoctorReport } from '../doctor/report.js';
import type { NodeCheckReport, NodeFinding } from '../nodes/types.js';
import { tablePrinter, type TableOptions } from './print.js';

const pad = (s: string, n: number) => s.padEnd(n);

/** "status  id  message" lines with the remedy under them, aligned. */
function findingLines(rows: { who: string; f: NodeFinding }[]): string {
  const whoW = Math.max(0, ...rows.map((r) => r.who.length));
  const idW = Math.max(0, ...rows.map((r) => r.f.id.length));
  const out: string[] = [];
  for (const { who, f } of rows) {
    const head = `${who ? `${pad(who, whoW)}   ` : ''}${pad(f.status, 7)}   ${pad(f.id, idW)}   `;
    out.push(`${head}${f.message}`);
    if (f.remedy) out.push(`${' '.repeat(head.length)}fix: ${f.remedy}`);
  }
  return `${out.join('\n')}\n`;
}

export function formatNodeReportTable(r: NodeCheckReport, table: TableOptions = {}): string {
  const out: string[] = [];
  const prepare = r.mode === 'prepare';
  const headers = ['node', 'status', 'os', 'pkg mgr', 'kernel', 'checks ok', 'errors', 'warnings', ...(prepare ? ['changes'] : [])];
  const rows = r.nodes.map((n) => {
    if (!n.reported) return [n.name, 'did not report', '-', '-', '-', '-', '1', '0', ...(prepare ? ['-'] : [])];
    const failed = n.actions.filter((a) => a.exitCode !== 0).length;
    return [
      n.name,
      n.status,
      n.os.prettyName || n.os.id || 'unknown',
      n.os.packageManager ?? 'none',
      n.kernel || '?',
      `${n.summary.ok}/${n.checks.length}`,
      String(n.summary.error),
      String(n.summary.warning),
      ...(prepare ? [`${n.actions.length}${failed ? ` (${failed} failed)` : ''}`] : []),
    ];
  });
  out.push(`Nodes ${prepare ? 'prepared' : 'checked'} for ${r.target} (${r.via === 'local' ? 'this machine' : 'through a DaemonSet'})\n\n`);
  out.push(r.nodes.length ? tablePrinter(table)(headers, rows) : 'No node was checked.\n');

  const findings = r.nodes.flatMap((n) => n.checks.filter((c) => c.status !== 'ok').map((f) => ({ who: n.name, f })));
  if (findings.length) out.push(`\nFINDINGS\n${findingLines(findings)}`);

  if (prepare) {
    const changes = r.nodes.flatMap((n) => (n.reported ? n.actions.map((a) => `${n.name}   ${a.exitCode === 0 ? 'done  ' : `FAILED (exit ${a.exitCode})`}   ${a.description}`) : []));
    if (changes.length) out.push(`\nCHANGES\n${changes.join('\n')}\n`);
  }

  const clusterIssues = r.cluster.checks.filter((c) => c.status !== 'ok');
  if (clusterIssues.length) out.push(`\nCLUSTER\n${findingLines(clusterIssues.map((f) => ({ who: '', f })))}`);

  const next: string[] = [];
  for (const n of r.nodes) {
    if (!n.reported) continue;
    if (n.rebootRequired) next.push(`${n.name}: reboot needed (${n.checks.some((c) => c.id === 'kernel' && c.status !== 'ok') ? 'upgrade the kernel first' : 'a kernel module could not be loaded'}); k8s-storage never reboots a node`);
    if (n.kubeletRestartCommand) next.push(`${n.name}: restart the kubelet to see the new mount propagation: ${n.kubeletRestartCommand}`);
  }
  if (next.length) out.push(`\nNEXT STEPS\n${next.join('\n')}\n`);

  const s = r.summary;
  out.push(`\n${s.nodes} node(s): ${s.ok} ok, ${s.warning} with warnings, ${s.error} with errors, ${s.notReported} did not report.\n`);
  return out.join('');
}

export function formatDoctorTable(r: DoctorReport, table: TableOptions = {}): string {
  const out: string[] = [];
  const m = r.microk8s;
  out.push(`MicroK8s:   ${m.state === 'running' ? `running; addons enabled: ${(m.enabledAddons ?? []).join(', ') || 'none'}` : `${m.state}${m.message ? ` (${m.message})` : ''}`}\n`);
  if (r.storage) {
    const c = r.storage.cluster;
    out.push(`Cluster:    ${c.server}  Kubernetes ${c.version}  nodes ${c.readyNodes}/${c.nodes} ready\n`);
    out.push(`Backends:   ${r.storage.backends.map((b) => `${b.name} (${b.healthy ? 'healthy' : b.installed ? 'unhealthy' : 'not running'})`).join(', ') || 'none'}\n`);
    out.push(`Default:    ${r.storage.defaultClasses.join(', ') || 'no default StorageClass'}\n`);
  }
  const ns = r.nodes?.summary;
  out.push(`Nodes:      ${ns ? `${r.nodesNote}; ${ns.ok} ok, ${ns.warning} with warnings, ${ns.error} with errors, ${ns.notReported} did not report` : r.nodesNote}\n`);

  const problems = r.findings.filter((f) => f.severity !== 'info');
  const infos = r.findings.filter((f) => f.severity === 'info');
  if (infos.length) out.push(`\n${infos.map((f) => `note: ${f.message}`).join('\n')}\n`);
  if (!problems.length) {
    out.push('\nNothing to fix.\n');
    return out.join('');
  }
  const sevW = 'SEVERITY'.length;
  const areaW = Math.max('AREA'.length, ...problems.map((f) => f.area.length));
  out.push(table.noHeaders ? '\n' : `\n${pad('SEVERITY', sevW)}   ${pad('AREA', areaW)}   PROBLEM\n`);
  for (const f of problems) {
    const head = `${pad(f.severity, sevW)}   ${pad(f.area, areaW)}   `;
    out.push(`${head}${f.message}\n`);
    if (f.fix) out.push(`${' '.repeat(head.length)}fix: ${f.fix}\n`);
  }
  out.push(`\n${r.summary.error} error(s), ${r.summary.warning} warning(s).\n`);
  return out.join('');
}
