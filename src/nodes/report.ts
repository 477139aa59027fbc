/**
 * From each node's agent outcome to the report `nodes check|prepare` prints: per-node
 * status, the checks no single node can make (unique hostnames, nodes that never
 * reported), who needs a reboot or a kubelet restart, and the summary. Pure.
 */
import { API_VERSION } from '../documents.js';
import type { AgentMode, AgentOutcome, NodeCheckReport, NodeFinding, NodeResult, NodeTarget, Severity } from './types.js';
import { byText } from '../sort.js';

const RANK: Record<Severity, number> = { ok: 0, warning: 1, error: 2 };
export const worst = (list: Severity[]): Severity => list.reduce<Severity>((w, s) => (RANK[s] > RANK[w] ? s : w), 'ok');

export const MICROK8S_KUBELET_RESTART = 'sudo snap restart microk8s.daemon-kubelite';
export const KUBELET_RESTART = 'sudo systemctl restart kubelet';

export interface NodeReportInput {
  mode: AgentMode;
  target: NodeTarget;
  via: 'daemonset' | 'local';
  outcomes: AgentOutcome[];
}

function nodeResult(o: AgentOutcome, target: NodeTarget, via: 'daemonset' | 'local'): NodeResult {
  if (!o.reported) {
    const remedy =
      via === 'local'
        ? `run the agent by hand to see its output: sh agent/node-agent.sh check --for ${target}`
        : `see why: kubectl -n k8s-storage-system get pods -o wide; then rerun with --node ${o.name} (and a longer --timeout, or --image from a reachable registry)`;
    return {
      name: o.name,
      reported: false,
      status: 'error',
      reason: o.reason,
      checks: [{ id: 'reported', status: 'error', message: `no report from this node: ${o.reason}`, remedy }],
      summary: { ok: 0, warning: 0, error: 1 },
    };
  }
  const r = o.report;
  return {
    ...r,
    name: o.name,
    reported: true,
    status: worst(r.checks.map((c) => c.status)),
    ...(r.kubeletRestartRequired ? { kubeletRestartCommand: r.microk8s ? MICROK8S_KUBELET_RESTART : KUBELET_RESTART } : {}),
  };
}

/** Longhorn needs every node to have its own hostname; MicroK8s names nodes after them, lower-cased. */
export function uniqueHostnamesCheck(nodes: NodeResult[]): NodeFinding {
  const byHost = new Map<string, string[]>();
  for (const n of nodes) {
    if (!n.reported) continue;
    const host = n.node.toLowerCase();
    byHost.set(host, [...(byHost.get(host) ?? []), n.name]);
  }
  const dups = [...byHost].filter(([, names]) => names.length > 1);
  if (!dups.length) return { id: 'unique-hostnames', status: 'ok', message: `${byHost.size} reporting node(s), each with its own hostname`, remedy: '' };
  const list = dups.map(([host, names]) => `"${host}" on ${names.join(', ')}`).join('; ');
  return {
    id: 'unique-hostnames',
    status: 'error',
    message: `hostnames are not unique (compared lower-cased): ${list}; Longhorn and MicroK8s identify nodes by hostname`,
    remedy: 'give each node its own hostname (sudo hostnamectl set-hostname NEW-NAME), then rejoin it to the cluster',
  };
}

export function allReportedCheck(nodes: NodeResult[]): NodeFinding {
  const missing = nodes.filter((n) => !n.reported).map((n) => n.name);
  if (!missing.length) return { id: 'all-nodes-reported', status: 'ok', message: `all ${nodes.length} node(s) reported`, remedy: '' };
  return {
    id: 'all-nodes-reported',
    status: 'error',
    message: `${missing.length} of ${nodes.length} node(s) did not report: ${missing.join(', ')}`,
    remedy: `rerun for those nodes: ${missing.map((m) => `--node ${m}`).join(' ')}; the node entries say why they did not report`,
  };
}

export function buildNodeCheckReport(input: NodeReportInput): NodeCheckReport {
  const nodes = input.outcomes.map((o) => nodeResult(o, input.target, input.via)).sort((a, b) => byText(a.name, b.name));
  const cluster = { checks: [uniqueHostnamesCheck(nodes), ...(input.via === 'daemonset' ? [allReportedCheck(nodes)] : [])] };
  const reported = nodes.filter((n) => n.reported);
  const summary: NodeCheckReport['summary'] = {
    nodes: nodes.length,
    ok: reported.filter((n) => n.status === 'ok').length,
    warning: reported.filter((n) => n.status === 'warning').length,
    error: reported.filter((n) => n.status === 'error').length,
    notReported: nodes.length - reported.length,
    status: worst([...nodes.map((n) => n.status), ...cluster.checks.map((c) => c.status), ...(nodes.length ? [] : ['error' as const])]),
    rebootRequired: reported.filter((n) => n.reported && n.rebootRequired).map((n) => n.name),
    kubeletRestartRequired: reported.filter((n) => n.reported && n.kubeletRestartRequired).map((n) => n.name),
  };
  return { apiVersion: API_VERSION, schemaVersion: 1, kind: 'NodeCheckReport', mode: input.mode, target: input.target, via: input.via, nodes, cluster, summary };
}

/** The one-line verdict for the ChecksFailed error, and the command that moves things on. */
export function nodeReportVerdict(r: NodeCheckReport): { message: string; hint: string } | undefined {
  if (r.summary.status !== 'error') return undefined;
  const failing = r.nodes.filter((n) => n.status === 'error');
  const parts = failing.map((n) => (n.reported ? `${n.name} (${n.summary.error} error${n.summary.error === 1 ? '' : 's'})` : `${n.name} (did not report)`));
  const clusterErrors = r.cluster.checks.filter((c) => c.status === 'error' && c.id !== 'all-nodes-reported');
  const what = parts.length ? `${failing.length} of ${r.nodes.length} node(s) not ready for ${r.target}: ${parts.join(', ')}` : `the nodes are not ready for ${r.target}`;
  const message = `${what}${clusterErrors.length ? `; ${clusterErrors.map((c) => c.id).join(', ')} failed` : ''}.`;
  const withErrors = failing.filter((n) => n.reported).map((n) => n.name);
  const scope = r.via === 'local' ? ' --local' : withErrors.length && withErrors.length < r.nodes.length ? withErrors.map((n) => ` --node ${n}`).join('') : '';
  let hint: string;
  if (r.mode === 'check' && withErrors.length) hint = `k8s-storage nodes prepare --for ${r.target}${scope}`;
  else if (withErrors.length) hint = `prepare fixed what it could; fix the remaining findings by hand (their remedies are above), then: k8s-storage nodes check --for ${r.target}${scope}`;
  else if (clusterErrors.length) hint = clusterErrors[0]!.remedy;
  else hint = r.cluster.checks.find((c) => c.id === 'all-nodes-reported')?.remedy ?? `k8s-storage nodes check --for ${r.target}`;
  const silent = failing.filter((n) => !n.reported).map((n) => n.name);
  if (silent.length && withErrors.length) hint += `; ${silent.join(', ')} did not report (the reason is in the report)`;
  return { message, hint };
}
