/**
 * Per-claim disk usage from the kubelet's Summary API (pure: summaries and objects in,
 * report out). Only volumes of pods running on a node appear in its summary; hostPath PVs
 * (MicroK8s hostpath) never do, so their figure comes from `du` on the PV's node and says so.
 */
import { API_VERSION } from '../documents.js';
import type { Obj } from '../backends/types.js';
import { backendForProvisioner } from '../day2/backends.js';
import { quantityToBytes } from '../manifests/quantity.js';
import { byText } from '../sort.js';

/** k8s.io/kubelet/pkg/apis/stats/v1alpha1 FsStats: every field optional. */
export interface FsStats {
  time?: string;
  availableBytes?: number;
  capacityBytes?: number;
  usedBytes?: number;
  inodesFree?: number;
  inodes?: number;
  inodesUsed?: number;
}

export interface KubeletSummary {
  node?: { nodeName?: string; fs?: FsStats };
  pods?: { podRef?: { name?: string; namespace?: string }; volume?: (FsStats & { name?: string; pvcRef?: { name?: string; namespace?: string } })[] }[];
}

export type UsageSort = 'used' | 'percent' | 'name';
export const USAGE_SORTS: readonly UsageSort[] = ['used', 'percent', 'name'];

export interface UsageRow {
  namespace: string;
  claim: string;
  storageClass: string;
  volume?: string;
  phase: string;
  /** Pods (of any phase but Succeeded/Failed) that mount it; none = unused. */
  pods: string[];
  nodes: string[];
  mounted: boolean;
  capacityBytes?: number;
  usedBytes?: number;
  availableBytes?: number;
  /** usedBytes / capacityBytes, one decimal. */
  percentUsed?: number;
  inodes?: number;
  inodesUsed?: number;
  inodesFree?: number;
  /** Where the figures come from: the kubelet, `du` on the node, or nowhere. */
  source: 'kubelet' | 'du' | 'none';
  /** Why there is no figure, or how it was obtained. */
  note?: string;
}

export interface UsageReport {
  apiVersion: typeof API_VERSION;
  schemaVersion: 1;
  kind: 'UsageReport';
  warnPercent: number;
  claims: UsageRow[];
  /** Nodes whose summary could not be read, with why. */
  unreadNodes: { node: string; error: string }[];
  summary: { claims: number; mounted: number; unused: number; measured: number; aboveWarn: string[] };
}

export interface UsageInput {
  claims: Obj[];
  volumes: Obj[];
  classes: Obj[];
  pods: Obj[];
  summaries: { node: string; summary?: KubeletSummary; error?: string }[];
  /** `du -sb` of hostPath PVs, by PV name, from the node agent. */
  du: Map<string, { bytes?: number; node: string; error?: string }>;
  /** Why `du` was not run (--no-du, or it failed as a whole). */
  duSkipped?: string;
}

export interface UsageOptions {
  sort: UsageSort;
  unused: boolean;
  warnPercent: number;
}

const key = (ns: string | undefined, name: string | undefined) => `${ns ?? ''}/${name ?? ''}`;
const percent = (used: number | undefined, capacity: number | undefined) => (used !== undefined && capacity ? Math.round((used / capacity) * 1000) / 10 : undefined);

/** The hostPath PVs whose size only `du` can tell, with the node that holds each. */
export function hostpathVolumes(volumes: Obj[]): { pv: string; path: string; node?: string }[] {
  return volumes
    .filter((v) => v.spec?.hostPath?.path)
    .map((v) => {
      const expr = (v.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []).flatMap((t: any) => t.matchExpressions ?? []).find((e: any) => e.key === 'kubernetes.io/hostname' && e.operator === 'In');
      return { pv: v.metadata.name, path: v.spec.hostPath.path as string, ...(expr?.values?.[0] ? { node: expr.values[0] as string } : {}) };
    });
}

export function buildUsageReport(input: UsageInput, opts: UsageOptions): UsageReport {
  const stats = new Map<string, FsStats & { node: string }>();
  for (const { node, summary } of input.summaries) {
    for (const pod of summary?.pods ?? []) {
      for (const v of pod.volume ?? []) {
        if (!v.pvcRef?.name) continue;
        const k = key(v.pvcRef.namespace ?? pod.podRef?.namespace, v.pvcRef.name);
        if (!stats.has(k)) stats.set(k, { ...v, node });
      }
    }
  }
  const users = new Map<string, { pods: string[]; nodes: Set<string> }>();
  for (const p of input.pods) {
    if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
    for (const v of p.spec?.volumes ?? []) {
      const claimName = v?.persistentVolumeClaim?.claimName;
      if (!claimName) continue;
      const k = key(p.metadata.namespace, claimName);
      const u = users.get(k) ?? { pods: [], nodes: new Set<string>() };
      u.pods.push(p.metadata.name);
      if (p.spec?.nodeName) u.nodes.add(p.spec.nodeName);
      users.set(k, u);
    }
  }
  const pvs = new Map(input.volumes.map((v) => [v.metadata.name, v]));
  const classes = new Map(input.classes.map((c) => [c.metadata.name, c]));
  const unread = new Set(input.summaries.filter((s) => s.error).map((s) => s.node));

  let rows: UsageRow[] = input.claims.map((c) => {
    const k = key(c.metadata.namespace, c.metadata.name);
    const u = users.get(k);
    const pv = pvs.get(c.spec?.volumeName);
    const className = c.spec?.storageClassName ?? pv?.spec?.storageClassName ?? '';
    const row: UsageRow = {
      namespace: c.metadata.namespace ?? '',
      claim: c.metadata.name,
      storageClass: className,
      ...(c.spec?.volumeName ? { volume: c.spec.volumeName } : {}),
      phase: c.status?.phase ?? 'Pending',
      pods: u?.pods ?? [],
      nodes: [...(u?.nodes ?? [])].sort(),
      mounted: (u?.pods.length ?? 0) > 0,
      source: 'none',
    };
    const s = stats.get(k);
    if (s) {
      Object.assign(row, {
        source: 'kubelet',
        ...(s.capacityBytes !== undefined ? { capacityBytes: s.capacityBytes } : {}),
        ...(s.usedBytes !== undefined ? { usedBytes: s.usedBytes } : {}),
        ...(s.availableBytes !== undefined ? { availableBytes: s.availableBytes } : {}),
        ...(s.inodes !== undefined ? { inodes: s.inodes } : {}),
        ...(s.inodesUsed !== undefined ? { inodesUsed: s.inodesUsed } : {}),
        ...(s.inodesFree !== undefined ? { inodesFree: s.inodesFree } : {}),
      });
      const p = percent(s.usedBytes, s.capacityBytes);
      if (p !== undefined) row.percentUsed = p;
      return row;
    }
    const requested = quantityToBytes(pv?.spec?.capacity?.storage ?? c.spec?.resources?.requests?.storage ?? '');
    if (pv?.spec?.hostPath) {
      const d = input.du.get(pv.metadata.name);
      if (d?.bytes !== undefined) {
        row.source = 'du';
        row.usedBytes = d.bytes;
        if (requested !== undefined) {
          row.capacityBytes = requested;
          const p = percent(d.bytes, requested);
          if (p !== undefined) row.percentUsed = p;
        }
        row.note = `measured with du -sb ${pv.spec.hostPath.path} on node ${d.node} (the kubelet reports nothing for hostPath volumes; the size is the request, not a limit)`;
      } else {
        row.note = d?.error ? `du on node ${d.node} failed: ${d.error}` : `hostPath volume: the kubelet reports nothing for it${input.duSkipped ? ` and du was not run (${input.duSkipped})` : ''}`;
      }
      return row;
    }
    if (row.phase !== 'Bound') row.note = `claim is ${row.phase}`;
    else if (!row.mounted) row.note = 'not mounted by any pod: the kubelet measures only mounted volumes';
    else if (row.nodes.some((n) => unread.has(n))) row.note = `the kubelet of ${row.nodes.filter((n) => unread.has(n)).join(', ')} could not be read`;
    else if (!row.nodes.length) row.note = 'its pods are not scheduled yet';
    else row.note = `the driver reports no volume stats${backendForProvisioner(classes.get(className)?.provisioner) ? '' : ' (NodeGetVolumeStats not implemented?)'}`;
    return row;
  });

  if (opts.unused) rows = rows.filter((r) => !r.mounted);
  const byName = (a: UsageRow, b: UsageRow) => byText(a.namespace, b.namespace) || byText(a.claim, b.claim);
  const desc = (f: (r: UsageRow) => number | undefined) => (a: UsageRow, b: UsageRow) => (f(b) ?? -1) - (f(a) ?? -1) || byName(a, b);
  rows.sort(opts.sort === 'used' ? desc((r) => r.usedBytes) : opts.sort === 'percent' ? desc((r) => r.percentUsed) : byName);

  const aboveWarn = rows.filter((r) => r.percentUsed !== undefined && r.percentUsed > opts.warnPercent).map((r) => key(r.namespace, r.claim));
  return {
    apiVersion: API_VERSION,
    schemaVersion: 1,
    kind: 'UsageReport',
    warnPercent: opts.warnPercent,
    claims: rows,
    unreadNodes: input.summaries.filter((s) => s.error).map((s) => ({ node: s.node, error: s.error! })),
    summary: {
      claims: rows.length,
      mounted: rows.filter((r) => r.mounted).length,
      unused: rows.filter((r) => !r.mounted).length,
      measured: rows.filter((r) => r.source !== 'none').length,
      aboveWarn,
    },
  };
}

/** IEC units as df-pv prints them: 1.5Gi, 320Mi, 12Ki. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '-';
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : Math.round(v * 10) / 10}${units[i]}`;
}
