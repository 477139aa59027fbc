/**
 * Hostpath's own cause for `diagnose pod` (pure): the pod cannot be scheduled where its
 * volume is, because a hostpath PV is pinned to the node that made it.
 */
import { pinnedNode } from '../analysis.js';
import type { BackendDiagnoseInput, BackendDiagnosis } from '../types.js';

export function diagnoseHostpath(input: BackendDiagnoseInput): BackendDiagnosis[] {
  const f = input.pod;
  if (!f || f.stage !== 'scheduling' || !/volume node affinity conflict/.test(f.text)) return [];
  const pinned = pinnedNode(input.volume);
  const ns = f.pod.metadata.namespace;
  const name = f.pod.metadata.name;
  const selector = `'{"spec":{"template":{"spec":{"nodeSelector":{"kubernetes.io/hostname":"${pinned ?? 'NODE'}"}}}}}'`;
  return [
    {
      cause: 'node-affinity-conflict',
      severity: 'error',
      message: `pod ${name} cannot start where its volume is: the data is on node ${pinned ?? '(another node)'} (a hostpath or local volume stays on the node that made it)`,
      fix: f.deployment ? `kubectl -n ${ns} patch deployment ${f.deployment.metadata.name} -p ${selector}` : `kubectl -n ${ns} get pod ${name} -o yaml   # recreate it with nodeSelector kubernetes.io/hostname=${pinned ?? 'NODE'}`,
    },
  ];
}
