/**
 * The `microk8s` CLI: commands as data, and its output read with its quirks
 * (../shared/reference/microk8s.md). Exit codes prove little here: `status` exits 0 when
 * stopped, `enable` exits 0 on several failures, so callers verify the cluster state.
 */
import { parse } from 'yaml';
import { ClusterError } from '../errors.js';
import type { ToolCommand, ToolResult } from './runner.js';

export const MICROK8S = 'microk8s';

export const microk8sCommands = {
  status: (): ToolCommand => ({ file: MICROK8S, args: ['status', '--format', 'yaml'] }),
  config: (): ToolCommand => ({ file: MICROK8S, args: ['config'] }),
  /** `enable addon --flag value`: flags only, never mixed with `addon:arg` (microk8s refuses). */
  enable: (addon: string, flags: Record<string, string> = {}): ToolCommand => ({
    file: MICROK8S,
    args: ['enable', addon, ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v])],
  }),
  /** `disable addon[:arg]`; `answer` goes to the addon's own Y/N prompt, when it asks one. */
  disable: (addon: string, arg?: string, answer?: string): ToolCommand => ({
    file: MICROK8S,
    args: ['disable', arg ? `${addon}:${arg}` : addon],
    ...(answer !== undefined ? { stdin: `${answer}\n` } : {}),
  }),
};

export interface AddonState {
  name: string;
  status: 'enabled' | 'disabled';
  repository?: string;
  version?: string;
}

export type Microk8sState =
  | { kind: 'running'; highAvailability: boolean; addons: Record<string, AddonState>; datastoreNodes: { address: string; role: string }[] }
  | { kind: 'stopped' | 'not-ready' | 'worker' | 'not-installed' | 'no-permission' | 'needs-sudo'; message: string };

const FIXES: Record<Exclude<Microk8sState['kind'], 'running'>, { why: string; hint: string }> = {
  'not-installed': { why: 'MicroK8s is not installed on this machine', hint: 'sudo snap install microk8s --classic, or pass --kubeconfig for another cluster' },
  stopped: { why: 'MicroK8s is stopped', hint: 'microk8s start' },
  'not-ready': { why: 'MicroK8s is not ready yet', hint: 'microk8s status --wait-ready (and microk8s inspect if it stays down)' },
  worker: { why: 'this machine is a MicroK8s worker node; addons are managed from the control plane', hint: 'run k8s-storage on a control-plane node' },
  'no-permission': { why: 'your user cannot use MicroK8s', hint: 'sudo usermod -a -G microk8s $USER && sudo chown -R $USER ~/.kube && newgrp microk8s' },
  'needs-sudo': { why: 'this MicroK8s (strict confinement) needs root for that command', hint: 'run the same k8s-storage command with sudo' },
};

/** The error for a MicroK8s that cannot do what we asked, with the command that fixes it. */
export function microk8sUnavailable(state: Exclude<Microk8sState, { kind: 'running' }>): ClusterError {
  const fix = FIXES[state.kind];
  const reason = state.kind === 'no-permission' || state.kind === 'needs-sudo' ? 'forbidden' : 'unavailable';
  return new ClusterError(`${fix.why}.`, { hint: fix.hint, reason });
}

/** Recognises the situations microk8s reports in text whatever the exit code. */
function classify(r: ToolResult): Exclude<Microk8sState, { kind: 'running' }> | undefined {
  const text = `${r.stdout}\n${r.stderr}`;
  if (r.notFound) return { kind: 'not-installed', message: 'microk8s: command not found' };
  if (text.includes('Insufficient permissions to access MicroK8s')) return { kind: 'no-permission', message: 'Insufficient permissions to access MicroK8s.' };
  if (text.includes('Elevated permissions are needed')) return { kind: 'needs-sudo', message: 'Elevated permissions are needed for this command.' };
  if (text.includes('acting as a node in a cluster')) return { kind: 'worker', message: 'This MicroK8s deployment is acting as a node in a cluster.' };
  if (text.includes('microk8s is not running, try microk8s start')) return { kind: 'stopped', message: 'microk8s is not running, try microk8s start' };
  if (text.includes('microk8s is not running')) return { kind: 'not-ready', message: 'microk8s is not running. Use microk8s inspect for a deeper inspection.' };
  return undefined;
}

interface StatusYaml {
  microk8s?: { running?: unknown };
  'high-availability'?: { enabled?: unknown; nodes?: { address?: unknown; role?: unknown }[]; message?: unknown };
  addons?: { name?: unknown; status?: unknown; repository?: unknown; version?: unknown }[];
}

const truthy = (v: unknown) => v === true || (typeof v === 'string' && v.toLowerCase() === 'true');

/** Reads `microk8s status --format yaml` (Python-style True/False, numeric versions, no addons when down). */
export function parseMicrok8sStatus(r: ToolResult): Microk8sState {
  const known = classify(r);
  if (known) return known;
  let doc: StatusYaml;
  try {
    doc = (parse(r.stdout) ?? {}) as StatusYaml;
  } catch {
    throw new ClusterError(`could not read the output of "microk8s status --format yaml" (exit ${r.exitCode}): ${r.stdout.slice(0, 200) || r.stderr.slice(0, 200)}`);
  }
  const ha = doc['high-availability'] ?? {};
  if (!truthy(doc.microk8s?.running) || !doc.addons) {
    return { kind: 'not-ready', message: String(ha.message ?? 'microk8s is not running') };
  }
  const addons: Record<string, AddonState> = {};
  for (const a of doc.addons) {
    if (typeof a?.name !== 'string') continue;
    addons[a.name] = {
      name: a.name,
      status: a.status === 'enabled' ? 'enabled' : 'disabled',
      ...(a.repository != null ? { repository: String(a.repository) } : {}),
      // `version: 3.9` parses as a number and `version:` as null: keep text or nothing.
      ...(a.version != null && a.version !== '' ? { version: String(a.version) } : {}),
    };
  }
  return {
    kind: 'running',
    highAvailability: truthy(ha.enabled),
    addons,
    datastoreNodes: (ha.nodes ?? []).map((n) => ({ address: String(n.address ?? ''), role: String(n.role ?? '') })),
  };
}

/**
 * What an `enable`/`disable` run said, beyond its exit code: errors microk8s prints for
 * known situations. The caller still verifies the cluster state afterwards.
 */
export function addonCommandProblem(r: ToolResult, addon: string): ClusterError | undefined {
  const known = classify(r);
  if (known) return microk8sUnavailable(known);
  const text = `${r.stdout}\n${r.stderr}`;
  if (/was not found in any repository/.test(text)) {
    const community = /microk8s enable community/.test(text);
    return new ClusterError(`microk8s has no addon "${addon}"${community ? ' until the community repository is enabled' : ''}.`, { reason: 'not-found', ...(community ? { hint: 'microk8s enable community' } : {}) });
  }
  return undefined;
}
