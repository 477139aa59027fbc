/**
 * Node preparation as data: what the node agent (agent/node-agent.sh) reports for one
 * node, and the report `nodes check|prepare` prints for all of them. The agent's JSON is
 * documented in agent/README.md; the report's in README.md ("Nodes and doctor").
 */
import type { API_VERSION } from '../documents.js';

/** What the nodes are checked for: a backend's node target id (Backend.nodeTargets; the agent script knows each). */
export type NodeTarget = string;

export type AgentMode = 'check' | 'prepare';
export type Severity = 'ok' | 'warning' | 'error';

/** One finding: the agent's `checks[]` entries, and the cluster-level checks, share it. */
export interface NodeFinding {
  id: string;
  status: Severity;
  message: string;
  /** One line, usually a command; "" exactly when status is ok. */
  remedy: string;
}

export interface AgentAction {
  description: string;
  command: string[];
  exitCode: number;
  output: string;
}

/** The agent's JSON document (schemaVersion 1). Unknown fields are kept as they are. */
export interface AgentReport {
  schemaVersion: number;
  node: string;
  mode: AgentMode;
  target: NodeTarget;
  os: { id: string; versionId: string; prettyName: string; idLike: string; packageManager: string | null };
  kernel: string;
  microk8s: boolean;
  kubeletRootDir: string | null;
  dataPath: string;
  checks: NodeFinding[];
  actions: AgentAction[];
  /** Block devices and whether each is raw (added within schemaVersion 1; absent from older agents). */
  disks?: AgentDisk[];
  /** The numbers the checks used (added within schemaVersion 1). */
  facts?: AgentFacts;
  rebootRequired: boolean;
  kubeletRestartRequired: boolean;
  summary: { ok: number; warning: number; error: number };
}

export interface AgentDisk {
  name: string;
  path: string;
  sizeBytes: number;
  /** No partitions, no filesystem or partition-table signature, not held, not mounted. */
  raw: boolean;
  /** Why it is not raw; "" when it is. */
  reason: string;
}

export interface AgentFacts {
  memAvailableKiB: number | null;
  /** Free space at the data path (null for openebs-mayastor, which checks no data path). */
  diskFreeKiB: number | null;
  hugepages2MiB: number | null;
  cpuCores: number | null;
  sse42: boolean | null;
  arch: string;
}

/** How one node's agent run ended, before any cluster-level judgement. */
export type AgentOutcome =
  | { name: string; reported: true; report: AgentReport; exitCode?: number }
  | { name: string; reported: false; reason: string };

/** A node in the report: the agent's report plus what we add, or why there is none. */
export type NodeResult =
  | (AgentReport & {
      /** The Kubernetes node name (DaemonSet) or the agent's hostname (--local). */
      name: string;
      reported: true;
      status: Severity;
      /** The command that restarts this node's kubelet, when kubeletRestartRequired. */
      kubeletRestartCommand?: string;
    })
  | {
      name: string;
      reported: false;
      status: 'error';
      reason: string;
      /** One `reported` error finding, so consumers can treat every node alike. */
      checks: NodeFinding[];
      summary: { ok: number; warning: number; error: number };
    };

export interface NodeCheckReport {
  apiVersion: typeof API_VERSION;
  schemaVersion: 1;
  kind: 'NodeCheckReport';
  mode: AgentMode;
  target: NodeTarget;
  /** How the nodes were reached. */
  via: 'daemonset' | 'local';
  nodes: NodeResult[];
  /** What no single node can tell: unique hostnames, nodes that never reported. */
  cluster: { checks: NodeFinding[] };
  summary: {
    /** Each node counts once: in ok, warning, error (it reported errors) or notReported. */
    nodes: number;
    ok: number;
    warning: number;
    error: number;
    notReported: number;
    /** The worst status of any node or cluster check. */
    status: Severity;
    rebootRequired: string[];
    kubeletRestartRequired: string[];
  };
}
