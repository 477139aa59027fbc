/**
 * `doctor`: the whole storage picture as a list of findings, each with a severity and the
 * command that fixes it. Built from facts gathered elsewhere (microk8s status, the status
 * report of src/status, the node check report), so this is pure and table-tested.
 */
import { API_VERSION } from '../documents.js';
import type { Microk8sState } from '../cluster/microk8s.js';
import { worst } from '../nodes/report.js';
import type { NodeCheckReport, NodeTarget } from '../nodes/types.js';
import { BACKENDS, installable, nodeTargets, recommended } from '../backends/index.js';
import type { Backend } from '../backends/types.js';
import type { StatusReport } from '../status/report.js';

export type DoctorSeverity = 'error' | 'warning' | 'info';
export type DoctorArea = 'microk8s' | 'cluster' | 'storageclasses' | 'backends' | 'claims' | 'nodes';

export interface DoctorFinding {
  severity: DoctorSeverity;
  area: DoctorArea;
  message: string;
  /** The command (or one-line advice) that fixes it; absent for information. */
  fix?: string;
}

export type StorageFacts = { ok: true; report: StatusReport } | { ok: false; message: string; hint?: string };
export type NodeFacts =
  | { state: 'done'; target: NodeTarget; why: string; report: NodeCheckReport }
  | { state: 'skipped'; reason: string }
  | { state: 'failed'; target: NodeTarget; message: string; hint?: string };

export interface DoctorFacts {
  microk8s: Microk8sState;
  storage: StorageFacts;
  nodes: NodeFacts;
}

export interface DoctorReport {
  apiVersion: typeof API_VERSION;
  schemaVersion: 1;
  kind: 'DoctorReport';
  microk8s: { state: Microk8sState['kind']; message?: string; enabledAddons?: string[] };
  /** The `status` report (null when the cluster could not be read). */
  storage: StatusReport | null;
  /** The node check (null when skipped or failed; `nodesNote` says why). */
  nodes: NodeCheckReport | null;
  nodesNote: string;
  findings: DoctorFinding[];
  summary: { error: number; warning: number; info: number; status: 'ok' | 'warning' | 'error' };
}

const MICROK8S_DOWN = new Set<Microk8sState['kind']>(['stopped', 'not-ready']);

/**
 * Which node check fits the backends in use: the target of lowest doctorOrder among them (a
 * target whose needs cover another's ranks first), else the one recommended for the cluster's size.
 */
export function chooseNodeTarget(status: StatusReport, backends: readonly Backend[] = BACKENDS): { target: NodeTarget; why: string } {
  const inUse = (id: string) => status.backends.find((b) => b.name === id && (b.installed || b.classes.length > 0));
  for (const t of nodeTargets(backends)) {
    const used = inUse(t.backend.id);
    const what = t.title ?? t.backend.title;
    if (used) return { target: t.id, why: used.installed ? `${what} is installed` : `a StorageClass for ${what} exists` };
  }
  const several = status.cluster.nodes > 1;
  const pick = recommended(several, backends);
  const target = pick?.nodeTargets[0];
  if (!pick || !target) return { target: nodeTargets(backends)[0]?.id ?? '', why: 'no backend is installed' };
  return { target: target.id, why: `no backend is installed; ${several ? pick.title : pick.id} is the one for ${several ? 'several nodes' : 'a single node'}` };
}

function microk8sFindings(m: Microk8sState): DoctorFinding[] {
  switch (m.kind) {
    case 'running':
      return m.addons.dns?.status === 'enabled'
        ? []
        : [{ severity: 'warning', area: 'microk8s', message: 'the dns addon is disabled: Longhorn and most apps need cluster DNS', fix: 'microk8s enable dns' }];
    case 'stopped':
      return [{ severity: 'error', area: 'microk8s', message: 'MicroK8s is stopped: no volume can be attached or provisioned', fix: 'microk8s start' }];
    case 'not-ready':
      return [{ severity: 'error', area: 'microk8s', message: 'MicroK8s is not ready', fix: 'microk8s status --wait-ready (and microk8s inspect if it stays down)' }];
    case 'worker':
      return [{ severity: 'info', area: 'microk8s', message: 'this machine is a MicroK8s worker node: addons are managed from a control-plane node' }];
    case 'not-installed':
      return [{ severity: 'info', area: 'microk8s', message: 'MicroK8s is not installed on this machine: MicroK8s checks skipped (fine for any other cluster)' }];
    case 'no-permission':
      return [{ severity: 'warning', area: 'microk8s', message: 'your user cannot use MicroK8s', fix: 'sudo usermod -a -G microk8s $USER && sudo chown -R $USER ~/.kube && newgrp microk8s' }];
    case 'needs-sudo':
      return [{ severity: 'warning', area: 'microk8s', message: 'this MicroK8s (strict confinement) needs root to report its state', fix: 'sudo k8s-storage doctor' }];
  }
}

/** The command that installs a backend, when it has one (from the registry). */
const installCommand = (name: string, backends: readonly Backend[]): string | undefined =>
  installable(backends).some((b) => b.id === name) ? `k8s-storage install ${name}` : undefined;

/** `deployment/name (namespace)`, as the status report names workloads, into a kubectl command. */
function describeWorkload(ref: string): string | undefined {
  const m = /^(\w+)\/(\S+) \((\S+)\)$/.exec(ref);
  return m ? `kubectl -n ${m[3]} describe ${m[1]} ${m[2]}` : undefined;
}

/**
 * The class to make the default: one whose provisioner is running (a default nobody
 * provisions leaves claims Pending); among those, a known backend's usual class, replicated
 * backends first (their data survives a node); else the first.
 */
function preferredDefault(names: string[], s: StatusReport, backends: readonly Backend[]): string {
  const provisioner = new Map(s.storageClasses.map((c) => [c.name, c.provisioner]));
  const healthy = new Set(s.backends.filter((b) => b.healthy).map((b) => b.provisioner));
  const working = names.filter((n) => healthy.has(provisioner.get(n) ?? ''));
  const usual = [...backends.filter((b) => b.capabilities.replicated), ...backends.filter((b) => !b.capabilities.replicated)].flatMap((b) => (b.storageClassPresets ?? []).map((p) => p.defaultClassName));
  const pick = (list: string[]) => usual.find((n) => list.includes(n)) ?? list[0];
  return pick(working) ?? pick(names) ?? 'NAME';
}

/** "... Fix: k8s-storage default-class NAME" -> the command. */
function fixIn(text: string): { message: string; fix?: string } {
  const m = /^(.*?)[.;]?\s*(?:Fix|Consider|Fix it with|Run):\s*(.+)$/.exec(text);
  return m ? { message: m[1]!, fix: m[2]!.trim() } : { message: text };
}

function storageFindings(s: StatusReport, backends: readonly Backend[]): DoctorFinding[] {
  const out: DoctorFinding[] = [];
  const notReady = s.cluster.nodes - s.cluster.readyNodes;
  if (notReady > 0) out.push({ severity: 'warning', area: 'cluster', message: `${notReady} of ${s.cluster.nodes} node(s) are not Ready: volumes on them cannot be used`, fix: 'kubectl get nodes; kubectl describe node NAME' });

  const classes = s.storageClasses.map((c) => c.name);
  if (!classes.length) {
    out.push({ severity: 'warning', area: 'storageclasses', message: 'no StorageClass exists: claims cannot be provisioned', ...(recommended(s.cluster.nodes > 1, backends) ? { fix: `k8s-storage install ${recommended(s.cluster.nodes > 1, backends)!.id}` } : {}) });
  } else if (s.defaultClasses.length === 0) {
    out.push({ severity: 'warning', area: 'storageclasses', message: 'no StorageClass is the default: claims without storageClassName stay Pending', fix: `k8s-storage default-class ${preferredDefault(classes, s, backends)}` });
  } else if (s.defaultClasses.length > 1) {
    out.push({
      severity: 'error',
      area: 'storageclasses',
      message: `${s.defaultClasses.length} StorageClasses are the default (${s.defaultClasses.join(', ')}): a claim without storageClassName lands on either`,
      fix: `k8s-storage default-class ${preferredDefault(s.defaultClasses, s, backends)}`,
    });
  }

  for (const b of s.backends) {
    if (!b.problem) continue;
    const notReady = b.workloads.find((w) => w.ready !== 'ready');
    const fix = !b.installed
      ? (installCommand(b.name, backends) ?? `install the provisioner ${b.provisioner}, or delete its class: kubectl delete storageclass ${b.classes.join(' ')}`)
      : ((notReady && describeWorkload(notReady.ref)) ?? installCommand(b.name, backends) ?? 'k8s-storage status');
    out.push({ severity: 'error', area: 'backends', message: `${b.name}: ${b.problem}`, fix });
  }

  const stuck = s.pendingClaims.filter((p) => !p.reason.startsWith('normal until a pod uses it'));
  for (const p of stuck.slice(0, 5)) {
    out.push({ severity: 'warning', area: 'claims', message: `claim ${p.namespace}/${p.name} is Pending: ${p.reason}`, fix: `kubectl -n ${p.namespace} describe pvc ${p.name}` });
  }
  if (stuck.length > 5) out.push({ severity: 'warning', area: 'claims', message: `${stuck.length - 5} more claims are Pending`, fix: 'k8s-storage status -o json | jq .pendingClaims' });

  // Backends' own findings keep the severity and fix their analyze gave them.
  for (const f of s.backendFindings ?? []) out.push({ severity: f.severity, area: 'backends', message: `${f.backend}: ${f.message}`, ...(f.fix ? { fix: f.fix } : {}) });
  const fromFindings = new Set((s.backendFindings ?? []).map((f) => f.warning));

  // The status report's other warnings (and those added to it later) pass through.
  const covered = (w: string) =>
    fromFindings.has(w) || /StorageClasses are the default|no StorageClass is the default/.test(w) || s.backends.some((b) => b.problem && w === `${b.name}: ${b.problem}`);
  for (const w of s.warnings) {
    if (covered(w)) continue;
    const aboutBackend = backends.some((b) => w.toLowerCase().includes(b.id.split('-')[0]!));
    out.push({ severity: 'warning', area: aboutBackend ? 'backends' : 'cluster', ...fixIn(w) });
  }
  return out;
}

function nodeFindings(n: NodeFacts): DoctorFinding[] {
  if (n.state === 'skipped') return [{ severity: 'info', area: 'nodes', message: `node checks skipped: ${n.reason}` }];
  if (n.state === 'failed') {
    return [{ severity: 'warning', area: 'nodes', message: `the node check for ${n.target} could not run: ${n.message}`, fix: n.hint ?? `k8s-storage nodes check --for ${n.target} -v` }];
  }
  const r = n.report;
  const out: DoctorFinding[] = [];
  for (const node of r.nodes) {
    if (!node.reported) {
      out.push({ severity: 'error', area: 'nodes', message: `node ${node.name} did not report: ${node.reason}`, fix: node.checks[0]?.remedy ?? `k8s-storage nodes check --for ${r.target} --node ${node.name}` });
      continue;
    }
    const errors = node.checks.filter((c) => c.status === 'error');
    const warnings = node.checks.filter((c) => c.status === 'warning');
    if (errors.length) {
      out.push({
        severity: 'error',
        area: 'nodes',
        message: `node ${node.name} is not ready for ${r.target}: ${errors.map((c) => c.message).join('; ')}`,
        fix: `k8s-storage nodes prepare --for ${r.target} --node ${node.name}`,
      });
    }
    for (const w of warnings) out.push({ severity: 'warning', area: 'nodes', message: `node ${node.name}: ${w.message}`, fix: w.remedy });
  }
  for (const c of r.cluster.checks) {
    if (c.status === 'ok' || c.id === 'all-nodes-reported') continue;
    out.push({ severity: c.status === 'error' ? 'error' : 'warning', area: 'nodes', message: c.message, fix: c.remedy });
  }
  return out;
}

export function buildDoctorReport(facts: DoctorFacts, backends: readonly Backend[] = BACKENDS): DoctorReport {
  const findings: DoctorFinding[] = [...microk8sFindings(facts.microk8s)];
  if (facts.storage.ok) findings.push(...storageFindings(facts.storage.report, backends));
  else if (MICROK8S_DOWN.has(facts.microk8s.kind)) findings.push({ severity: 'info', area: 'cluster', message: 'storage checks skipped: the Kubernetes API cannot be reached while MicroK8s is down' });
  else findings.push({ severity: 'error', area: 'cluster', message: `cannot read the cluster: ${facts.storage.message}`, fix: facts.storage.hint ?? 'check --kubeconfig/--context, then rerun k8s-storage doctor' });
  findings.push(...nodeFindings(facts.nodes));

  const count = (s: DoctorSeverity) => findings.filter((f) => f.severity === s).length;
  const summary = { error: count('error'), warning: count('warning'), info: count('info'), status: 'ok' as 'ok' | 'warning' | 'error' };
  summary.status = worst([...(summary.error ? ['error' as const] : []), ...(summary.warning ? ['warning' as const] : [])]);
  const m = facts.microk8s;
  return {
    apiVersion: API_VERSION,
    schemaVersion: 1,
    kind: 'DoctorReport',
    microk8s: m.kind === 'running' ? { state: m.kind, enabledAddons: Object.values(m.addons).filter((a) => a.status === 'enabled').map((a) => a.name).sort() } : { state: m.kind, message: m.message },
    storage: facts.storage.ok ? facts.storage.report : null,
    nodes: facts.nodes.state === 'done' ? facts.nodes.report : null,
    nodesNote:
      facts.nodes.state === 'done'
        ? `checked for ${facts.nodes.target}: ${facts.nodes.why}`
        : facts.nodes.state === 'skipped'
          ? `skipped: ${facts.nodes.reason}`
          : `failed: ${facts.nodes.message}`,
    findings,
    summary,
  };
}
