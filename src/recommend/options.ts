/**
 * `recommend` flags -> typed options, every problem at once. The offline form (--nodes with
 * --memory-gib and --disk-gib) describes a cluster that need not exist; without --nodes the
 * command reads the cluster it talks to.
 */
import { UsageError } from '../errors.js';
import { NEEDS, type Need, type NodeShape } from './rules.js';

export interface RecommendOptions {
  needs: Need[];
  nas?: { server: string; share: string };
  /** The offline cluster: `nodes` identical nodes. */
  offline?: { nodes: number; memoryGiB: number; diskGiB: number; rawDisks?: number; arch: string };
  /** Read node capacity only, without running the node agent. */
  skipNodes: boolean;
}

const ARCHES = ['amd64', 'arm64', 'arm', 'ppc64le', 's390x', 'riscv64'];
const OFFLINE_ONLY = ['memoryGib', 'diskGib', 'rawDisks', 'arch'] as const;
const FLAG: Record<(typeof OFFLINE_ONLY)[number], string> = { memoryGib: '--memory-gib', diskGib: '--disk-gib', rawDisks: '--raw-disks', arch: '--arch' };

const asList = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function number(flag: string, v: unknown, problems: string[], o: { whole?: boolean; min: number; max: number }): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v).trim();
  const ok = o.whole ? /^\d+$/.test(s) : /^\d+(\.\d+)?$/.test(s);
  const n = Number(s);
  if (!ok || n < o.min || n > o.max) {
    problems.push(`${flag}: "${s}" is not ${o.whole ? 'a whole number' : 'a number'} from ${o.min} to ${o.max}`);
    return undefined;
  }
  return n;
}

export function parseNas(value: string, problems: string[]): { server: string; share: string } | undefined {
  const i = value.indexOf(':/');
  if (i <= 0) {
    problems.push(`--nas: "${value}" is not SERVER:/EXPORT (e.g. 192.168.1.100:/exports/k8s)`);
    return undefined;
  }
  return { server: value.slice(0, i), share: value.slice(i + 1) };
}

export function parseRecommendOptions(raw: Record<string, unknown>): RecommendOptions {
  const problems: string[] = [];
  const needs: Need[] = [];
  for (const word of asList(raw.need).flatMap((n) => n.split(',')).map((n) => n.trim().toLowerCase()).filter(Boolean)) {
    if (!(NEEDS as readonly string[]).includes(word)) problems.push(`--need: "${word}" is not one of ${NEEDS.join(', ')}`);
    else if (!needs.includes(word as Need)) needs.push(word as Need);
  }
  const nas = raw.nas === undefined ? undefined : parseNas(String(raw.nas), problems);
  const nodes = number('--nodes', raw.nodes, problems, { whole: true, min: 1, max: 5000 });
  let offline: RecommendOptions['offline'];
  if (raw.nodes === undefined) {
    const given = OFFLINE_ONLY.filter((k) => raw[k] !== undefined).map((k) => FLAG[k]);
    if (given.length) problems.push(`${given.join(', ')}: only with --nodes (they describe a cluster offline; without --nodes the cluster is read)`);
  } else {
    const memoryGiB = number('--memory-gib', raw.memoryGib, problems, { min: 0, max: 100000 });
    const diskGiB = number('--disk-gib', raw.diskGib, problems, { min: 0, max: 10000000 });
    const rawDisks = number('--raw-disks', raw.rawDisks, problems, { whole: true, min: 0, max: 1000 });
    if (raw.memoryGib === undefined) problems.push('--memory-gib: needed with --nodes (free memory per node, in GiB)');
    if (raw.diskGib === undefined) problems.push('--disk-gib: needed with --nodes (free disk per node, in GiB)');
    const arch = String(raw.arch ?? 'amd64').toLowerCase();
    if (!ARCHES.includes(arch)) problems.push(`--arch: "${arch}" is not one of ${ARCHES.join(', ')}`);
    if (raw.skipNodes) problems.push('--skip-nodes: only when reading the cluster (not with --nodes)');
    if (nodes !== undefined && memoryGiB !== undefined && diskGiB !== undefined) offline = { nodes, memoryGiB, diskGiB, arch, ...(rawDisks !== undefined ? { rawDisks } : {}) };
  }
  if (problems.length) throw new UsageError(problems);
  return { needs, ...(nas ? { nas } : {}), ...(offline ? { offline } : {}), skipNodes: raw.skipNodes === true };
}

/** The offline cluster's nodes, named node-1..node-N. */
export function offlineNodes(o: NonNullable<RecommendOptions['offline']>): NodeShape[] {
  return Array.from({ length: o.nodes }, (_, i) => ({
    name: `node-${i + 1}`,
    memoryGiB: o.memoryGiB,
    diskGiB: o.diskGiB,
    arch: o.arch,
    ...(o.rawDisks !== undefined ? { rawDisks: o.rawDisks } : {}),
  }));
}
