/**
 * OpenEBS in `status` and `doctor`: engine readiness (LocalPV provisioner, Mayastor's
 * io-engine and control plane), and HugePages on the nodes Mayastor runs on, from the
 * allocatable `hugepages-2Mi` the kubelet reports (it reads HugePages only at start). Pure.
 */
import { workloadReadiness } from '../../plan/expectations.js';
import type { BackendAnalysis, BackendFinding, ClusterFacts, Obj } from '../types.js';
import { ENGINE_LABEL, HOSTPATH_PROVISIONER, MAYASTOR_PROVISIONER, ref } from './constants.js';

export interface OpenebsCollected {
  /** Nodes labelled for Mayastor, with the HugePages the kubelet reports. */
  mayastorNodes: { name: string; hugepages2Mi: string }[];
  diskPools: Obj[];
}

const key = (r: { kind: string; namespace?: string; name: string }) => `${r.kind}/${r.namespace ?? ''}/${r.name}`;
export const OPENEBS_WORKLOADS = [ref.localProvisioner, ref.ioEngine, ref.agentCore, ref.csiController, ref.csiNode];
const MAYASTOR_WORKLOADS = new Set([ref.ioEngine, ref.agentCore, ref.csiController, ref.csiNode].map(key));
/** 1024 x 2 MiB. */
const HUGEPAGES_BYTES = 2 * 1024 ** 3;

function bytes(q: string): number {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(q);
  if (!m) return 0;
  return Number(m[1]) * ({ Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[m[2] as 'Ki'] ?? 1);
}

export function analyzeOpenebs(facts: ClusterFacts): BackendAnalysis {
  const collected = facts.extra.openebs as OpenebsCollected | undefined;
  const classes = facts.classes.filter((c) => c.provisioner === HOSTPATH_PROVISIONER || c.provisioner === MAYASTOR_PROVISIONER);
  const present = OPENEBS_WORKLOADS.map((r) => ({ r, obj: facts.workloads.get(key(r)) }));
  const mayastor = present.some((w) => w.obj && MAYASTOR_WORKLOADS.has(key(w.r))) || classes.some((c) => c.provisioner === MAYASTOR_PROVISIONER);
  if (!classes.length && !present.some((w) => w.obj)) return { findings: [] };
  const findings: BackendFinding[] = [];
  const expected = present.filter((w) => !MAYASTOR_WORKLOADS.has(key(w.r)) || mayastor);
  for (const w of expected) {
    const verdict = workloadReadiness(w.obj as never);
    if (verdict !== true) findings.push({ severity: 'error', message: `OpenEBS ${w.r.kind} ${w.r.name}: ${verdict}`, fix: `kubectl -n ${w.r.namespace} describe ${w.r.kind.toLowerCase()} ${w.r.name}` });
  }
  if (mayastor) {
    for (const n of collected?.mayastorNodes ?? []) {
      if (bytes(n.hugepages2Mi) < HUGEPAGES_BYTES) {
        findings.push({
          severity: 'error',
          message: `node ${n.name} (${ENGINE_LABEL.key}=${ENGINE_LABEL.value}) has ${n.hugepages2Mi || '0'} of 2 MiB HugePages allocatable; Mayastor's io-engine needs 2Gi (1024 pages)`,
          fix: 'k8s-storage nodes prepare --for openebs-mayastor, then restart the kubelet (sudo snap restart microk8s.daemon-kubelite)',
        });
      }
    }
    for (const p of collected?.diskPools ?? []) {
      const state = p.status?.pool_status ?? p.status?.state;
      if (state && state !== 'Online') findings.push({ severity: 'warning', message: `DiskPool ${p.metadata.name} on ${p.spec?.node ?? '?'} is ${state}`, fix: `kubectl -n openebs describe diskpool ${p.metadata.name}` });
    }
  }
  const problem = findings[0]?.message;
  return {
    status: {
      name: mayastor ? 'OpenEBS (LocalPV hostpath, Mayastor)' : 'OpenEBS (LocalPV hostpath)',
      provisioner: mayastor ? MAYASTOR_PROVISIONER : HOSTPATH_PROVISIONER,
      installed: present.some((w) => w.obj),
      healthy: !findings.some((f) => f.severity === 'error'),
      classes: classes.map((c) => c.metadata.name),
      workloads: expected.map((w) => ({ ref: `${w.r.kind}/${w.r.name}`, ready: w.obj ? (workloadReadiness(w.obj as never) === true ? 'ready' : String(workloadReadiness(w.obj as never))) : 'missing' })),
      ...(problem ? { problem } : {}),
    },
    findings,
    details: { engines: mayastor ? ['hostpath', 'mayastor'] : ['hostpath'], diskPools: (collected?.diskPools ?? []).map((p) => ({ name: p.metadata.name, node: p.spec?.node, state: p.status?.pool_status ?? '' })) },
  };
}
