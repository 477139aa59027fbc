/**
 * Flags of `nodes check|prepare` (and the node part of `doctor`) into checked options,
 * every problem reported at once; and the agent's argv those options stand for.
 */
import { duration, wholeNumber } from '../options/index.js';
import { UsageError } from '../errors.js';
import { nodeTargets } from '../backends/index.js';
import type { Backend } from '../backends/types.js';
import type { AgentMode, NodeTarget } from './types.js';

export const DEFAULT_AGENT_IMAGE = 'busybox:1.36';
export const DEFAULT_NODE_TIMEOUT = '5m';

export interface NodeRunOptions {
  mode: AgentMode;
  target: NodeTarget;
  /** --node: only these nodes (empty: every node the selector matches). */
  nodes: string[];
  /** --node-selector k=v, in the order given. */
  nodeSelector: Record<string, string>;
  local: boolean;
  image: string;
  timeoutMs: number;
  dryRun: boolean;
  dataPath?: string;
  minDiskGib?: number;
  minMemGib?: number;
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Whether `key` is a valid label key (`[prefix/]name`). */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !(prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix))) return false;
  return LABEL_NAME.test(name);
}

const asList = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** Raw commander options in, checked options out; a UsageError lists every problem. */
export function parseNodeRunOptions(mode: AgentMode, raw: Record<string, unknown>, backends?: readonly Backend[]): NodeRunOptions {
  const problems: string[] = [];
  const known = nodeTargets(backends?.length ? backends : undefined).map((t) => t.id);
  const target = String(raw.for ?? known[0]);
  if (!known.includes(target)) problems.push(`--for: "${target}" is not a backend the agent knows; use ${known.join(', ')}`);

  const nodes = [...new Set(asList(raw.node).flatMap((n) => n.split(',')).map((n) => n.trim()).filter(Boolean))];
  const nodeSelector: Record<string, string> = {};
  for (const item of asList(raw.nodeSelector)) {
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq) : '';
    const value = eq > 0 ? item.slice(eq + 1) : '';
    if (eq <= 0) problems.push(`--node-selector: "${item}" is not key=value (for example --node-selector kubernetes.io/os=linux)`);
    else if (!isLabelKey(key)) problems.push(`--node-selector: "${key}" is not a valid label key`);
    else if (!LABEL_VALUE.test(value)) problems.push(`--node-selector: "${value}" is not a valid label value for ${key}`);
    else if (key in nodeSelector && nodeSelector[key] !== value) problems.push(`--node-selector: ${key} is given twice with different values`);
    else nodeSelector[key] = value;
  }

  const timeoutMs = duration('--timeout', raw.timeout ?? DEFAULT_NODE_TIMEOUT, problems) ?? 0;

  const image = raw.image === undefined ? DEFAULT_AGENT_IMAGE : String(raw.image);
  if (!image.trim() || /\s/.test(image)) problems.push(`--image: "${image}" is not an image reference`);

  const local = raw.local === true;
  if (local) {
    // These only shape the DaemonSet; silently ignoring them would check the wrong thing.
    if (nodes.length) problems.push('--node cannot be combined with --local: --local checks this machine only');
    if (raw.image !== undefined) problems.push('--image cannot be combined with --local: no pod runs');
    if (Object.keys(nodeSelector).length) problems.push('--node-selector cannot be combined with --local: --local checks this machine only');
  }

  let dataPath: string | undefined;
  if (raw.dataPath !== undefined) {
    dataPath = String(raw.dataPath);
    if (!dataPath.startsWith('/')) problems.push(`--data-path: "${dataPath}" must be an absolute path`);
    else if (/[\u0000-\u001f]/.test(dataPath)) problems.push('--data-path: contains control characters');
  }
  const minDiskGib = wholeNumber('--min-disk-gib', raw.minDiskGib, problems, { unit: 'GiB' });
  const minMemGib = wholeNumber('--min-mem-gib', raw.minMemGib, problems, { unit: 'GiB' });

  if (problems.length) throw new UsageError(problems);
  return {
    mode,
    target: target as NodeTarget,
    nodes,
    nodeSelector,
    local,
    image,
    timeoutMs,
    dryRun: raw.dryRun === true,
    ...(dataPath !== undefined ? { dataPath } : {}),
    ...(minDiskGib !== undefined ? { minDiskGib } : {}),
    ...(minMemGib !== undefined ? { minMemGib } : {}),
  };
}

/** The agent's argv for these options: `check --for longhorn [--data-path P] ...`. */
export function agentArgs(o: Pick<NodeRunOptions, 'mode' | 'target' | 'dataPath' | 'minDiskGib' | 'minMemGib'>): string[] {
  return [
    o.mode,
    '--for',
    o.target,
    ...(o.dataPath !== undefined ? ['--data-path', o.dataPath] : []),
    ...(o.minDiskGib !== undefined ? ['--min-disk-gib', String(o.minDiskGib)] : []),
    ...(o.minMemGib !== undefined ? ['--min-mem-gib', String(o.minMemGib)] : []),
  ];
}
