/**
 * Canned node-agent reports, shaped as agent/node-agent.sh prints them (agent/README.md),
 * for tests that need a node's answer without running the agent.
 */
import { AGENT_EXIT_MARKER, TERMINATION_MESSAGE_MAX } from '../../src/nodes/daemonset.js';
import type { AgentReport, Severity } from '../../src/nodes/types.js';

export type Finding = [status: Severity, message: string, remedy: string];

/** What a Longhorn check reports on a node, in the agent's order. */
export const LONGHORN_CHECK_IDS = [
  'os', 'package:nfs-common', 'package:open-iscsi', 'package:cryptsetup', 'package:dmsetup', 'service:iscsid', 'service:multipathd',
  'module:iscsi_tcp', 'module:dm_crypt', 'module:nfs', 'nfs-v4', 'kernel', 'mount-propagation', 'disk', 'memory', 'kubelet-root-dir',
];

/** Checks for `ids`, all ok except the `findings`; findings for other ids come last. */
export function checksWith(ids: readonly string[], findings: Record<string, Finding> = {}): AgentReport['checks'] {
  const all = [...new Set([...ids, ...Object.keys(findings)])];
  return all.map((id) => {
    const f = findings[id];
    return f ? { id, status: f[0], message: f[1], remedy: f[2] } : { id, status: 'ok' as const, message: `${id} is fine`, remedy: '' };
  });
}

/** An Ubuntu MicroK8s node's report; the summary follows the checks unless given. */
export function agentReport(node: string, over: Partial<AgentReport> = {}): AgentReport {
  const checks = over.checks ?? checksWith(['os']);
  const count = (s: Severity) => checks.filter((c) => c.status === s).length;
  return {
    schemaVersion: 1,
    node,
    mode: 'check',
    target: 'longhorn',
    os: { id: 'ubuntu', versionId: '24.04', prettyName: 'Ubuntu 24.04.2 LTS', idLike: 'debian', packageManager: 'apt' },
    kernel: '6.8.0-57-generic',
    microk8s: true,
    kubeletRootDir: '/var/snap/microk8s/common/var/lib/kubelet',
    dataPath: '/var/lib/longhorn',
    actions: [],
    rebootRequired: false,
    kubeletRestartRequired: false,
    ...over,
    checks,
    summary: over.summary ?? { ok: count('ok'), warning: count('warning'), error: count('error') },
  };
}

/** The agent pod's init-container log: progress, the JSON line, the wrapper's exit line. */
export function agentLog(report: AgentReport): string {
  return `node-agent: checking\n${JSON.stringify(report)}\n${AGENT_EXIT_MARKER}${report.summary.error ? 3 : 0}\n`;
}

/**
 * What the agent pod's init container leaves, as the kubelet reports it: its log, and the
 * termination message the wrapper writes (the JSON line and the exit line, when they fit in
 * TERMINATION_MESSAGE_MAX; test/unit/nodes-daemonset.test.ts runs the real wrapper for it).
 */
export function agentRun(report: AgentReport): { logs: string; message?: string } {
  const json = JSON.stringify(report);
  const message = `${json}\n${AGENT_EXIT_MARKER}${report.summary.error ? 3 : 0}`;
  return { logs: agentLog(report), ...(message.length <= TERMINATION_MESSAGE_MAX ? { message: `${message}\n` } : {}) };
}
