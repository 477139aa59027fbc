/**
 * Longhorn's side of `status`: volume robustness, replicas that cannot be placed, node disks
 * and their schedulable space, and whether the backup target is reachable. `analyzeLonghorn`
 * is pure (objects in, report out); `collectLonghorn` reads the objects with a fixed number of
 * requests (discovery, three paginated lists, one GET) and says "not installed" when the
 * cluster does not serve longhorn.io.
 */
import type { KubeClient } from '../../cluster/kube.js';
import { ClusterError } from '../../errors.js';
import { LONGHORN_API_VERSION, LONGHORN_NAMESPACE, type LonghornBackupTarget, type LonghornCondition, type LonghornVolume } from './resources.js';
import type { KubeObject } from '../../presets/types.js';
import { LONGHORN_SERVICE_MONITOR, monitoringWarning, OBSERVABILITY_PROMETHEUS, SERVICE_MONITOR_API, type MonitoringFacts } from './monitoring.js';

import { LONGHORN_PROVISIONER } from './chart.js';
import { byText } from '../../sort.js';

export { LONGHORN_PROVISIONER };

export interface LonghornDiskObject {
  conditions?: LonghornCondition[] | null;
  storageMaximum?: number;
  storageAvailable?: number;
  storageScheduled?: number;
  diskPath?: string;
}

/** The fields of a Longhorn Node (longhorn.io/v1beta2) that status reads. */
export interface LonghornNodeObject {
  metadata: { name: string };
  spec?: { allowScheduling?: boolean; disks?: Record<string, { allowScheduling?: boolean; storageReserved?: number; path?: string }> };
  status?: { conditions?: LonghornCondition[] | null; diskStatus?: Record<string, LonghornDiskObject | null> | null };
}

export interface LonghornSettingObject {
  metadata: { name: string };
  value?: string;
}

export interface LonghornObjects {
  volumes: LonghornVolume[];
  nodes: LonghornNodeObject[];
  settings: LonghornSettingObject[];
  backupTarget?: LonghornBackupTarget;
  /** Set when Longhorn is installed but its objects could not be read (e.g. RBAC). */
  error?: string;
  /** Whether the observability addon runs and Longhorn's ServiceMonitor; absent when they could not be read. */
  monitoring?: Omit<MonitoringFacts, 'longhorn'>;
}

export interface LonghornNodeStatus {
  name: string;
  ready: boolean;
  /** Longhorn may place replicas here: node Ready and Schedulable, scheduling allowed, a schedulable disk. */
  schedulable: boolean;
  disks: number;
  schedulableDisks: number;
  storageMaximum: number;
  storageAvailable: number;
  storageScheduled: number;
  /** Free space as a percentage of capacity, whole number. */
  freePercent: number;
  problem?: string;
}

export interface LonghornStatus {
  volumes: { total: number; healthy: number; degraded: number; faulted: number; unknown: number; detached: number };
  /** Degraded and faulted volumes. */
  problemVolumes: { name: string; claim?: string; robustness: string; state: string; replicas: number }[];
  nodes: LonghornNodeStatus[];
  /** Nodes that can hold a replica; a volume asking for more replicas stays Degraded. */
  replicaNodes: number;
  settings: { defaultReplicaCount?: number; overProvisioningPercent: number; minimalAvailablePercent: number; replicaSoftAntiAffinity: boolean };
  /** Volumes whose spec.numberOfReplicas exceeds replicaNodes. */
  replicasAboveNodes: { name: string; claim?: string; replicas: number }[];
  backupTarget: { url: string; state: 'available' | 'unavailable' | 'unchecked' | 'not set'; message?: string; lastSyncedAt?: string };
  warnings: string[];
}

const isTrue = (conditions: LonghornCondition[] | null | undefined, type: string) => (conditions ?? []).some((c) => c.type === type && c.status === 'True');
const condition = (conditions: LonghornCondition[] | null | undefined, type: string) => (conditions ?? []).find((c) => c.type === type);

/** A Setting's value as a number: "3", or the per-data-engine form {"v1":"3","v2":"3"}. */
export function settingNumber(settings: LonghornSettingObject[], name: string): number | undefined {
  const raw = settings.find((s) => s.metadata.name === name)?.value;
  if (raw === undefined || raw === '') return undefined;
  if (/^\s*-?\d+(\.\d+)?\s*$/.test(raw)) return Number(raw);
  try {
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    const v = parsed.v1 ?? Object.values(parsed)[0];
    return v === undefined || Number.isNaN(Number(v)) ? undefined : Number(v);
  } catch {
    return undefined;
  }
}

function settingBool(settings: LonghornSettingObject[], name: string): boolean | undefined {
  const raw = settings.find((s) => s.metadata.name === name)?.value;
  if (raw === undefined) return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  try {
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    const v = parsed.v1 ?? Object.values(parsed)[0];
    return v === true || v === 'true';
  } catch {
    return undefined;
  }
}

const claimOf = (v: LonghornVolume) => (v.status?.kubernetesStatus?.pvcName ? `${v.status.kubernetesStatus.namespace ?? ''}/${v.status.kubernetesStatus.pvcName}` : undefined);
const volumeLabel = (v: { name: string; claim?: string }) => v.claim ?? v.name;

function list(names: string[], max = 5): string {
  return `${names.slice(0, max).join(', ')}${names.length > max ? ` and ${names.length - max} more` : ''}`;
}

export function gib(bytes: number): string {
  return `${Math.round((bytes / 2 ** 30) * 10) / 10}Gi`;
}

function nodeStatus(n: LonghornNodeObject): LonghornNodeStatus {
  const disks = Object.entries(n.status?.diskStatus ?? {}).filter((e): e is [string, LonghornDiskObject] => e[1] !== null);
  const diskAllowed = (name: string) => n.spec?.disks?.[name]?.allowScheduling !== false;
  const schedulableDisks = disks.filter(([name, d]) => diskAllowed(name) && (d.conditions?.length ? isTrue(d.conditions, 'Schedulable') : true));
  const sum = (f: keyof Pick<LonghornDiskObject, 'storageMaximum' | 'storageAvailable' | 'storageScheduled'>) => disks.reduce((t, [, d]) => t + Number(d[f] ?? 0), 0);
  const ready = isTrue(n.status?.conditions, 'Ready');
  const nodeSchedulable = condition(n.status?.conditions, 'Schedulable');
  const schedulable = ready && (nodeSchedulable ? nodeSchedulable.status === 'True' : true) && n.spec?.allowScheduling !== false && schedulableDisks.length > 0;
  const storageMaximum = sum('storageMaximum');
  const storageAvailable = sum('storageAvailable');
  let problem: string | undefined;
  if (!ready) problem = `not Ready${condition(n.status?.conditions, 'Ready')?.message ? `: ${condition(n.status?.conditions, 'Ready')!.message}` : ''}`;
  else if (n.spec?.allowScheduling === false) problem = 'replica scheduling disabled on the node';
  else if (nodeSchedulable && nodeSchedulable.status !== 'True') problem = `not schedulable${nodeSchedulable.message ? `: ${nodeSchedulable.message}` : nodeSchedulable.reason ? ` (${nodeSchedulable.reason})` : ''}`;
  else if (disks.length === 0) problem = 'no disks';
  else if (schedulableDisks.length === 0) problem = 'no schedulable disk';
  return {
    name: n.metadata.name,
    ready,
    schedulable,
    disks: disks.length,
    schedulableDisks: schedulableDisks.length,
    storageMaximum,
    storageAvailable,
    storageScheduled: sum('storageScheduled'),
    freePercent: storageMaximum > 0 ? Math.floor((storageAvailable / storageMaximum) * 100) : 0,
    ...(problem ? { problem } : {}),
  };
}

export interface AnalyzeOptions {
  /** StorageClasses, to check the replica count Longhorn classes ask for. */
  classes?: KubeObject[];
  /** Warn when free disk space falls below this percentage (default: storage-minimal-available-percentage + 10). */
  lowSpacePercent?: number;
}

export function analyzeLonghorn(objs: LonghornObjects, opts: AnalyzeOptions = {}): LonghornStatus {
  const warnings: string[] = [];
  if (objs.error) warnings.push(`could not read Longhorn's state: ${objs.error}`);
  const settings = {
    ...(settingNumber(objs.settings, 'default-replica-count') !== undefined ? { defaultReplicaCount: settingNumber(objs.settings, 'default-replica-count')! } : {}),
    overProvisioningPercent: settingNumber(objs.settings, 'storage-over-provisioning-percentage') ?? 100,
    minimalAvailablePercent: settingNumber(objs.settings, 'storage-minimal-available-percentage') ?? 25,
    replicaSoftAntiAffinity: settingBool(objs.settings, 'replica-soft-anti-affinity') ?? false,
  };

  // Volumes
  const counts = { total: objs.volumes.length, healthy: 0, degraded: 0, faulted: 0, unknown: 0, detached: 0 };
  for (const v of objs.volumes) {
    const r = v.status?.robustness;
    if (r === 'healthy' || r === 'degraded' || r === 'faulted') counts[r] += 1;
    else counts.unknown += 1;
    if (v.status?.state === 'detached') counts.detached += 1;
  }
  const problemVolumes = objs.volumes
    .filter((v) => v.status?.robustness === 'degraded' || v.status?.robustness === 'faulted')
    .map((v) => ({ name: v.metadata.name, ...(claimOf(v) ? { claim: claimOf(v)! } : {}), robustness: v.status!.robustness!, state: v.status?.state ?? '', replicas: v.spec?.numberOfReplicas ?? 0 }))
    .sort((a, b) => byText(a.robustness, b.robustness) || byText(volumeLabel(a), volumeLabel(b)));

  // Nodes and disks
  const nodes = objs.nodes.map(nodeStatus).sort((a, b) => byText(a.name, b.name));
  const replicaNodes = nodes.filter((n) => n.schedulable).length;
  const replicasAboveNodes =
    nodes.length === 0 || settings.replicaSoftAntiAffinity
      ? []
      : objs.volumes
          .filter((v) => (v.spec?.numberOfReplicas ?? 0) > replicaNodes)
          .map((v) => ({ name: v.metadata.name, ...(claimOf(v) ? { claim: claimOf(v)! } : {}), replicas: v.spec!.numberOfReplicas! }))
          .sort((a, b) => byText(volumeLabel(a), volumeLabel(b)));

  const faulted = problemVolumes.filter((v) => v.robustness === 'faulted');
  if (faulted.length) warnings.push(`${faulted.length} Longhorn volume(s) faulted, their data unavailable (no healthy replica left): ${list(faulted.map(volumeLabel))}. See kubectl -n ${LONGHORN_NAMESPACE} describe volumes.longhorn.io NAME or the Longhorn UI`);

  const nodesText = (n: number) => `${n} Longhorn node${n === 1 ? '' : 's'}`;
  const byReplicas = new Map<number, typeof replicasAboveNodes>();
  for (const v of replicasAboveNodes) byReplicas.set(v.replicas, [...(byReplicas.get(v.replicas) ?? []), v]);
  for (const [replicas, vols] of [...byReplicas].sort((a, b) => a[0] - b[0])) {
    warnings.push(
      `${vols.length} volume(s) ask for ${replicas} replicas but only ${nodesText(replicaNodes)} can hold one: they stay Degraded (${list(vols.map(volumeLabel))}). ` +
        `Fix: add nodes, or lower the count: kubectl -n ${LONGHORN_NAMESPACE} patch volumes.longhorn.io ${vols[0]!.name} --type merge -p '{"spec":{"numberOfReplicas":${Math.max(1, replicaNodes)}}}'`,
    );
  }
  const explained = new Set(replicasAboveNodes.map((v) => v.name));
  const degraded = problemVolumes.filter((v) => v.robustness === 'degraded' && !explained.has(v.name));
  if (degraded.length) warnings.push(`${degraded.length} Longhorn volume(s) degraded, fewer healthy replicas than asked while Longhorn rebuilds or cannot place them: ${list(degraded.map(volumeLabel))}`);

  if (nodes.length === 0 && objs.volumes.length > 0) warnings.push('Longhorn has no nodes registered: is the longhorn-manager DaemonSet running?');
  if (nodes.length > 0 && !settings.replicaSoftAntiAffinity) {
    if (settings.defaultReplicaCount !== undefined && settings.defaultReplicaCount > replicaNodes) {
      warnings.push(
        `Longhorn setting default-replica-count is ${settings.defaultReplicaCount} but only ${nodesText(replicaNodes)} can hold replicas: volumes created without a replica count stay Degraded. ` +
          `Fix: chart value defaultSettings.defaultReplicaCount=${Math.max(1, replicaNodes)} (or kubectl -n ${LONGHORN_NAMESPACE} patch settings.longhorn.io default-replica-count --type merge -p '{"value":"${Math.max(1, replicaNodes)}"}')`,
      );
    }
    for (const sc of opts.classes ?? []) {
      const provisioner = (sc as { provisioner?: string }).provisioner;
      const replicas = Number((sc as { parameters?: Record<string, string> }).parameters?.numberOfReplicas);
      if (provisioner === LONGHORN_PROVISIONER && replicas > replicaNodes) {
        const fix = sc.metadata.name === 'longhorn' ? `chart value persistence.defaultClassReplicaCount=${Math.max(1, replicaNodes)}` : `k8s-storage apply storageclass longhorn --name ${sc.metadata.name}-${Math.max(1, replicaNodes)}r --replicas ${Math.max(1, replicaNodes)}`;
        warnings.push(`StorageClass ${sc.metadata.name} makes ${replicas} replicas but only ${nodesText(replicaNodes)} can hold one: its new volumes stay Degraded. Fix: ${fix}`);
      }
    }
  }

  const threshold = opts.lowSpacePercent ?? Math.min(100, settings.minimalAvailablePercent + 10);
  const tuning = `Longhorn stops placing replicas on a disk when its free space falls under storage-minimal-available-percentage (${settings.minimalAvailablePercent}%) or its scheduled size passes storage-over-provisioning-percentage (${settings.overProvisioningPercent}%) of its capacity; free space, add a disk, or tune those settings (kubectl -n ${LONGHORN_NAMESPACE} edit settings.longhorn.io storage-minimal-available-percentage)`;
  const unschedulableDisks: string[] = [];
  for (const n of objs.nodes) {
    for (const [name, d] of Object.entries(n.status?.diskStatus ?? {})) {
      if (!d || !d.conditions?.length || isTrue(d.conditions, 'Schedulable') || n.spec?.disks?.[name]?.allowScheduling === false) continue;
      const c = condition(d.conditions, 'Schedulable');
      unschedulableDisks.push(`${n.metadata.name}:${d.diskPath ?? name}${c?.message ? ` (${c.message})` : c?.reason ? ` (${c.reason})` : ''}`);
    }
  }
  if (unschedulableDisks.length) warnings.push(`${unschedulableDisks.length} Longhorn disk(s) unschedulable: ${list(unschedulableDisks)}. ${tuning}`);
  for (const n of nodes) {
    if (!n.ready) warnings.push(`Longhorn node ${n.name} is ${n.problem}`);
    else if (n.problem && n.problem !== 'no schedulable disk') warnings.push(`Longhorn node ${n.name}: ${n.problem}`);
    else if (n.storageMaximum > 0 && n.freePercent < threshold && n.schedulableDisks > 0) {
      warnings.push(`Longhorn node ${n.name} has ${n.freePercent}% free disk space (${gib(n.storageAvailable)} of ${gib(n.storageMaximum)}): under ${settings.minimalAvailablePercent}% (storage-minimal-available-percentage) it takes no new replicas`);
    }
  }

  // Backup target
  const t = objs.backupTarget;
  const url = t?.spec?.backupTargetURL ?? '';
  const unavailable = t?.status?.conditions?.find((c) => c.type === 'Unavailable' && c.status === 'True');
  const backupTarget: LonghornStatus['backupTarget'] = !url
    ? { url: '', state: 'not set' }
    : t?.status?.available
      ? { url, state: 'available', ...(t.status.lastSyncedAt ? { lastSyncedAt: t.status.lastSyncedAt } : {}) }
      : unavailable
        ? { url, state: 'unavailable', ...(unavailable.message ? { message: unavailable.message } : {}) }
        : { url, state: 'unchecked' };
  const unscraped = objs.monitoring && monitoringWarning({ ...objs.monitoring, longhorn: true });
  if (unscraped) warnings.push(unscraped);
  if (backupTarget.state === 'unavailable') warnings.push(`Longhorn cannot reach the backup target ${url}${backupTarget.message ? `: ${backupTarget.message}` : ''}; backups fail until it can (k8s-storage backup target show)`);

  return { volumes: counts, problemVolumes, nodes, replicaNodes, settings, replicasAboveNodes, backupTarget, warnings };
}

/**
 * Is the observability addon's Prometheus there, and Longhorn's ServiceMonitor with it? One GET
 * when observability is off; discovery and one more GET when it is on. Undefined when that could
 * not be read (RBAC): no warning rather than a wrong one.
 */
async function collectMonitoring(kube: KubeClient, namespaces?: Promise<Set<string> | undefined>): Promise<LonghornObjects['monitoring']> {
  try {
    // No observability namespace, no Prometheus: no request (status lists the namespaces anyway).
    if ((await namespaces)?.has(OBSERVABILITY_PROMETHEUS.namespace!) === false) return { observability: false };
    if (!(await kube.get(OBSERVABILITY_PROMETHEUS))) return { observability: false };
    if (!(await kube.serves(SERVICE_MONITOR_API, 'ServiceMonitor'))) return { observability: true };
    const sm = await kube.get({ apiVersion: SERVICE_MONITOR_API, kind: 'ServiceMonitor', name: LONGHORN_SERVICE_MONITOR, namespace: LONGHORN_NAMESPACE });
    return { observability: true, ...(sm ? { serviceMonitor: { labels: sm.metadata.labels ?? {} } } : {}) };
  } catch (err) {
    if (err instanceof ClusterError && err.reason === 'unavailable') throw err;
    return undefined;
  }
}

/** Longhorn's objects, or undefined when the cluster does not serve longhorn.io (not installed). */
export async function collectLonghorn(kube: KubeClient, namespaces?: Promise<Set<string> | undefined>): Promise<LonghornObjects | undefined> {
  if (!(await kube.serves(LONGHORN_API_VERSION, 'Volume'))) return undefined;
  const monitoring = collectMonitoring(kube, namespaces);
  const list = <T>(kind: string) => kube.list<T & KubeObject>(LONGHORN_API_VERSION, kind, { namespace: LONGHORN_NAMESPACE });
  try {
    const [volumes, nodes, settings, backupTarget] = await Promise.all([
      list<LonghornVolume>('Volume'),
      list<LonghornNodeObject>('Node'),
      list<LonghornSettingObject>('Setting'),
      // Longhorn before 1.2 has no BackupTarget kind: no target to report then.
      kube.get<LonghornBackupTarget & KubeObject>({ apiVersion: LONGHORN_API_VERSION, kind: 'BackupTarget', name: 'default', namespace: LONGHORN_NAMESPACE }).catch((err) => {
        if (err instanceof ClusterError) throw err;
        return undefined;
      }),
    ]);
    const m = await monitoring;
    return { volumes, nodes, settings, ...(backupTarget ? { backupTarget } : {}), ...(m ? { monitoring: m } : {}) };
  } catch (err) {
    if (!(err instanceof ClusterError) || err.reason === 'unavailable') throw err;
    // Discovery cached on disk promised longhorn.io and the lists found it gone (uninstalled
    // meanwhile): the cache is dropped by then, and Longhorn is simply absent.
    if (!(await kube.serves(LONGHORN_API_VERSION, 'Volume'))) return undefined;
    return { volumes: [], nodes: [], settings: [], error: err.message };
  }
}
