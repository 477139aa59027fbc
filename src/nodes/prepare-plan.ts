/**
 * `nodes prepare --dry-run`: what prepare would change on each node, read from the
 * read-only check's findings. The steps, their order, their descriptions and commands are
 * those of the agent's do_prepare (agent/node-agent.sh), so the dry run reads like the
 * `actions` a real prepare reports; a test compares the two on the same hosts.
 */
import type { NodeCheckReport, NodeFinding, NodeResult } from './types.js';

export const MODULES_CONF = '/etc/modules-load.d/k8s-storage.conf';

export type PrepareChangeKind = 'package-index' | 'packages' | 'service' | 'module' | 'modules-load' | 'mount';

export interface PrepareChange {
  kind: PrepareChangeKind;
  description: string;
  command: string[];
  /** What it is about: the packages, the service, the module(s). */
  items: string[];
}

export interface NodePreparePlan {
  name: string;
  reported: boolean;
  /** Why the node has no plan (it did not report). */
  reason?: string;
  packageManager?: string | null;
  changes: PrepareChange[];
  /** Findings prepare does not fix: the operator's part, each with its remedy. */
  manual: NodeFinding[];
  /** prepare would leave the kubelet to be restarted (after making / shared). */
  kubeletRestartRequired: boolean;
}

/** The agent's install_packages, as data. */
function installCommands(pm: string, packages: string[]): PrepareChange[] {
  const install = (command: string[]): PrepareChange => ({ kind: 'packages', description: `install missing packages: ${packages.join(' ')}`, command: [...command, ...packages], items: packages });
  switch (pm) {
    case 'apt':
      return [
        { kind: 'package-index', description: 'refresh the apt package index', command: ['apt-get', 'update'], items: [] },
        install(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '--no-install-recommends']),
      ];
    case 'dnf':
    case 'yum':
      return [install([pm, 'install', '-y'])];
    case 'zypper':
      return [install(['zypper', '--non-interactive', 'install', '--no-recommends'])];
    case 'pacman':
      return [install(['pacman', '-S', '--needed', '--noconfirm'])];
    default:
      return [];
  }
}

const prefixed = (checks: NodeFinding[], prefix: string) => checks.filter((c) => c.id.startsWith(prefix)).map((c) => ({ ...c, item: c.id.slice(prefix.length) }));

export function planNodePrepare(node: NodeResult): NodePreparePlan {
  if (!node.reported) return { name: node.name, reported: false, reason: node.reason, changes: [], manual: node.checks, kubeletRestartRequired: false };
  const fixed = new Set<string>();
  const changes: PrepareChange[] = [];
  const pm = node.os.packageManager;

  const missing = prefixed(node.checks, 'package:').filter((c) => c.status === 'error');
  if (pm && missing.length) {
    changes.push(...installCommands(pm, missing.map((c) => c.item)));
    for (const c of missing) fixed.add(c.id);
  }

  const iscsid = node.checks.find((c) => c.id === 'service:iscsid');
  if (node.target === 'longhorn' && iscsid?.status === 'error') {
    changes.push({ kind: 'service', description: 'enable and start iscsid', command: ['systemctl', 'enable', '--now', 'iscsid'], items: ['iscsid'] });
    fixed.add(iscsid.id);
  }

  const modules = prefixed(node.checks, 'module:');
  for (const m of modules.filter((c) => c.status === 'error')) {
    changes.push({ kind: 'module', description: `load kernel module ${m.item}`, command: ['modprobe', m.item], items: [m.item] });
    fixed.add(m.id);
  }
  // Any module not yet loaded at boot makes prepare (re)write its file with every module of the target.
  const unpersisted = modules.filter((c) => c.status !== 'ok');
  if (unpersisted.length) {
    const all = [...new Set(modules.map((c) => c.item.replace(/-/g, '_')))].sort();
    changes.push({ kind: 'modules-load', description: `persist kernel modules in ${MODULES_CONF}: ${all.join(' ')}`, command: ['write', MODULES_CONF, ...all], items: all });
    for (const c of unpersisted) fixed.add(c.id);
  }

  const mount = node.checks.find((c) => c.id === 'mount-propagation');
  const makeShared = node.target === 'longhorn' && mount?.status === 'error';
  if (makeShared) {
    changes.push({ kind: 'mount', description: 'make / a shared mount (bidirectional mount propagation)', command: ['mount', '--make-rshared', '/'], items: ['/'] });
    fixed.add(mount.id);
  }

  const manual = node.checks.filter((c) => c.status !== 'ok' && !fixed.has(c.id));
  return { name: node.name, reported: true, packageManager: pm, changes, manual, kubeletRestartRequired: makeShared };
}

export function planPrepare(check: NodeCheckReport): NodePreparePlan[] {
  return check.nodes.map(planNodePrepare);
}

/** The dry run as text: per node, what would change and what is left to the operator. */
export function formatPreparePlan(plans: NodePreparePlan[], target: string): string {
  const lines = [`# dry run: nothing was changed on any node. The read-only check ran; k8s-storage nodes prepare --for ${target} would:`];
  for (const p of plans) {
    if (!p.reported) {
      lines.push(`${p.name}: no report (${p.reason}); prepare cannot plan for it`);
      continue;
    }
    lines.push(`${p.name}${p.packageManager ? ` (${p.packageManager})` : ''}: ${p.changes.length ? `${p.changes.length} change(s)` : 'nothing to change'}`);
    for (const c of p.changes) lines.push(`  - ${c.description}${c.kind === 'modules-load' ? '' : `: ${c.command.join(' ')}`}`);
    if (p.kubeletRestartRequired) lines.push('  then the kubelet must be restarted (prepare never restarts it)');
    for (const f of p.manual) lines.push(`  ! left to you (${f.status}): ${f.message}${f.remedy ? `; fix: ${f.remedy}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
