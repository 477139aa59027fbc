/**
 * Longhorn's own causes for `diagnose` (pure): a volume Degraded because it wants more
 * replicas than nodes can hold, or faulted, and replicas that find no disk space. Read from
 * the Longhorn Volume behind the claim's PV and Longhorn's nodes (what runtime.collect read).
 */
import type { BackendDiagnoseInput, BackendDiagnosis } from '../types.js';
import { analyzeLonghorn, gib, type LonghornObjects } from './status.js';

const claimSize = (claim: { spec?: any }) => claim.spec?.resources?.requests?.storage ?? '1Gi';

export function diagnoseLonghorn(input: BackendDiagnoseInput): BackendDiagnosis[] {
  const objs = input.objects as LonghornObjects | undefined;
  const volumeName: string | undefined = input.volume?.spec?.csi?.volumeHandle;
  const claim = input.claim;
  // A pod's failure is read by the generic code (iSCSI, multipathd): Longhorn's causes are the claim's.
  if (!objs || !volumeName || input.pod) return [];
  const volume = objs.volumes.find((v) => v.metadata.name === volumeName);
  if (!volume) return [];
  const status = analyzeLonghorn(objs);
  const robustness = volume.status?.robustness ?? 'unknown';
  const replicas = Number(volume.spec?.numberOfReplicas ?? 3);
  const found: BackendDiagnosis[] = [];
  const scheduled = (((volume.status as any)?.conditions ?? []) as { type: string; status: string; reason?: string; message?: string }[]).find((c) => c.type === 'Scheduled');
  const patch = (n: number) => `kubectl -n longhorn-system patch volumes.longhorn.io ${volumeName} --type merge -p '{"spec":{"numberOfReplicas":${n}}}'`;
  if (scheduled && scheduled.status !== 'True' && /insufficient storage|not enough|disk/i.test(`${scheduled.message ?? ''} ${scheduled.reason ?? ''}`)) {
    const free = status.nodes.filter((n) => n.schedulable).map((n) => `${n.name} ${gib(n.storageAvailable)} free`).join(', ');
    found.push({ cause: 'not-enough-space', severity: 'error', message: `Longhorn cannot place the replicas of volume ${volumeName} (${claimSize(claim)} each): not enough schedulable disk space${free ? ` (${free})` : ''}`, evidence: scheduled.message ?? scheduled.reason, fix: 'k8s-storage usage --sort used -A' });
  }
  if (robustness === 'faulted') {
    found.push({ cause: 'longhorn-faulted', severity: 'error', message: `Longhorn volume ${volumeName} is faulted: no healthy replica is left`, fix: `k8s-storage backup list --pvc ${claim.metadata.name} -n ${claim.metadata.namespace}` });
  } else if (robustness === 'degraded') {
    if (replicas > status.replicaNodes) {
      found.push({
        cause: 'longhorn-degraded',
        severity: 'warning',
        message: `Longhorn volume ${volumeName} is degraded: it wants ${replicas} replicas but only ${status.replicaNodes} node(s) can hold one, so it stays degraded`,
        fix: patch(Math.max(1, status.replicaNodes)),
      });
    } else {
      found.push({ cause: 'longhorn-degraded', severity: 'warning', message: `Longhorn volume ${volumeName} is degraded: a replica is rebuilding or lost`, fix: `kubectl -n longhorn-system get replicas.longhorn.io -l longhornvolume=${volumeName}` });
    }
  }
  return found;
}

