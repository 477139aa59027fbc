/**
 * Ceph in `status` and `doctor`: the operator and CSI workloads, each CephCluster's health
 * (HEALTH_WARN/ERR with their checks), OSDs running, and near-full capacity. Pure: it reads
 * what `collect` gathered (ClusterFacts.extra.ceph) and the facts every backend shares.
 */
import { workloadReadiness } from '../../plan/expectations.js';
import type { BackendAnalysis, BackendFinding, ClusterFacts, Obj } from '../types.js';
import { CEPHFS_PROVISIONER, RBD_PROVISIONER, ref } from './constants.js';

export interface CephCollected {
  clusters: Obj[];
  /** rook-ceph-osd-* Deployments: one per OSD. */
  osds: Obj[];
}

/** Ceph's own defaults: nearfull_ratio 0.85, full_ratio 0.95. */
export const NEARFULL = 0.85;
export const FULL = 0.95;

const key = (r: { kind: string; namespace?: string; name: string }) => `${r.kind}/${r.namespace ?? ''}/${r.name}`;
export const CEPH_WORKLOADS = [ref.operator, ref.rbdPlugin, ref.rbdProvisioner];

function clusterFindings(c: Obj): BackendFinding[] {
  const where = `CephCluster ${c.metadata.name} in ${c.metadata.namespace}`;
  const ceph = c.status?.ceph ?? {};
  const findings: BackendFinding[] = [];
  const checks = Object.entries<any>(ceph.details ?? {}).map(([id, d]) => `${id}: ${d?.message ?? ''}`.trim());
  const describe = `kubectl -n ${c.metadata.namespace} get cephcluster ${c.metadata.name} -o jsonpath={.status.ceph.details}`;
  if (ceph.health === 'HEALTH_ERR') findings.push({ severity: 'error', message: `${where} is HEALTH_ERR${checks.length ? `: ${checks.join('; ')}` : ''}`, fix: describe });
  else if (ceph.health === 'HEALTH_WARN') findings.push({ severity: 'warning', message: `${where} is HEALTH_WARN${checks.length ? `: ${checks.join('; ')}` : ''}`, fix: describe });
  else if (!ceph.health) findings.push({ severity: 'warning', message: `${where} reports no health yet (phase ${c.status?.phase ?? 'unknown'}${c.status?.message ? `: ${c.status.message}` : ''})`, fix: `kubectl -n ${c.metadata.namespace} describe cephcluster ${c.metadata.name}` });
  const total = Number(ceph.capacity?.bytesTotal ?? 0);
  const used = Number(ceph.capacity?.bytesUsed ?? 0);
  if (total > 0) {
    const ratio = used / total;
    const pct = `${Math.round(ratio * 100)}% used (${(used / 2 ** 30).toFixed(0)} of ${(total / 2 ** 30).toFixed(0)} GiB)`;
    if (ratio >= FULL) findings.push({ severity: 'error', message: `${where} is full: ${pct}; Ceph stops writes at 95%`, fix: 'add OSDs (a raw disk per node) or delete data' });
    else if (ratio >= NEARFULL) findings.push({ severity: 'warning', message: `${where} is near full: ${pct}; Ceph warns at 85% and stops writes at 95%`, fix: 'add OSDs (a raw disk per node) or delete data' });
  }
  return findings;
}

export function analyzeCeph(facts: ClusterFacts): BackendAnalysis {
  const collected = facts.extra.ceph as CephCollected | undefined;
  const clusters = collected?.clusters ?? [];
  const classes = facts.classes.filter((c) => c.provisioner === RBD_PROVISIONER || c.provisioner === CEPHFS_PROVISIONER).map((c) => c.metadata.name);
  const workloads = CEPH_WORKLOADS.map((r) => ({ r, obj: facts.workloads.get(key(r)) }));
  const installed = clusters.length > 0 || classes.length > 0 || workloads.some((w) => w.obj);
  if (!installed) return { findings: [] };
  const findings: BackendFinding[] = [];
  for (const w of workloads) {
    const verdict = workloadReadiness(w.obj as never);
    if (verdict !== true) findings.push({ severity: 'error', message: `${w.r.kind} ${w.r.name} in ${w.r.namespace}: ${verdict}`, fix: `kubectl -n ${w.r.namespace} describe ${w.r.kind.toLowerCase()} ${w.r.name}` });
  }
  if (!clusters.length) findings.push({ severity: 'error', message: 'Ceph classes exist but no CephCluster: nothing serves their volumes', fix: 'k8s-storage install ceph (external MicroCeph) or k8s-storage install ceph --in-cluster' });
  for (const c of clusters) findings.push(...clusterFindings(c));
  const osds = collected?.osds ?? [];
  const osdsUp = osds.filter((o) => workloadReadiness(o as never) === true).length;
  if (osds.length && osdsUp < osds.length) {
    const down = osds.filter((o) => workloadReadiness(o as never) !== true).map((o) => o.metadata.name);
    findings.push({ severity: 'error', message: `${osds.length - osdsUp} of ${osds.length} OSDs are not running: ${down.join(', ')}`, fix: `kubectl -n rook-ceph describe deployment ${down[0]}` });
  }
  const healthy = !findings.some((f) => f.severity === 'error') && clusters.every((c) => c.status?.ceph?.health === 'HEALTH_OK');
  const problem = findings.find((f) => f.severity === 'error')?.message ?? findings[0]?.message;
  return {
    status: {
      name: 'Ceph (Rook)',
      provisioner: RBD_PROVISIONER,
      installed: true,
      healthy,
      classes,
      workloads: workloads.map((w) => ({ ref: `${w.r.kind}/${w.r.name}`, ready: w.obj ? (workloadReadiness(w.obj as never) === true ? 'ready' : String(workloadReadiness(w.obj as never))) : 'missing' })),
      ...(problem ? { problem } : {}),
    },
    findings,
    details: {
      clusters: clusters.map((c) => ({ name: c.metadata.name, namespace: c.metadata.namespace, phase: c.status?.phase ?? '', health: c.status?.ceph?.health ?? '', external: c.spec?.external?.enable === true })),
      osds: { total: osds.length, up: osdsUp },
    },
  };
}
