/**
 * The Helm values k8s-storage gives the Longhorn chart: built from install options, merged with
 * the user's `-f` files and `--set` flags the way Helm merges them, and rendered as YAML.
 * Pure and offline (the `render` path).
 */

import { toYaml } from '../../output/yaml.js';
import { UsageError } from '../../errors.js';
import { LONGHORN_CHART, MICROK8S_KUBELET_ROOT_DIR } from './chart.js';
import { monitoringValues, type MonitoringValues } from './monitoring.js';
import { objectNameProblems as dnsSubdomainProblems } from '../../manifests/names.js';
// Helm's values rules (merging -f files, --set) are Helm's, not Longhorn's: src/cluster/helm-values.ts.
import { isValuesMap } from '../../cluster/helm-values.js';
export { applySetFlags, isValuesMap, mergeValues, parseSetFlag, parseValuesYaml, typedSetValue, type ValuesDocument } from '../../cluster/helm-values.js';
import { BACKUP_CREDENTIAL_KEYS, checkBackupTarget, LONGHORN_NAMESPACE, type BackupTargetKind } from './resources.js';

export const UI_EXPOSURES = ['port-forward', 'nodeport', 'loadbalancer', 'ingress'] as const;
export type LonghornUiExposure = (typeof UI_EXPOSURES)[number];
export const RECLAIM_POLICIES = ['Delete', 'Retain'] as const;
export type ReclaimPolicy = (typeof RECLAIM_POLICIES)[number];
export const FS_TYPES = ['ext4', 'xfs'] as const;
export type FsType = (typeof FS_TYPES)[number];
export const DATA_LOCALITIES = ['disabled', 'best-effort', 'strict-local'] as const;
export type DataLocality = (typeof DATA_LOCALITIES)[number];

export interface LonghornInstallOptions {
  microk8s: boolean;
  /** Nodes that can hold replicas; undefined when rendering offline. */
  nodeCount?: number;
  replicas?: number;
  defaultClass?: boolean;
  dataPath?: string;
  reclaimPolicy?: ReclaimPolicy;
  fsType?: FsType;
  dataLocality?: DataLocality;
  ui?: LonghornUiExposure;
  host?: string;
  ingressClassName?: string;
  /** Secret holding the htpasswd line the Ingress checks; default `longhorn-ui-auth`. */
  authSecretName?: string;
  backupTarget?: string;
  backupCredentialsSecret?: string;
  /** Argo CD, Flux and friends cannot run Helm pre-upgrade hooks: sets preUpgradeChecker.jobEnabled=false. */
  gitops?: boolean;
  /** `install longhorn --monitoring`: the chart's ServiceMonitor, labelled for the observability addon's Prometheus. */
  monitoring?: boolean;
}

/** Longhorn's own default, and the most replicas worth having on a homelab or SME cluster. */
export const DEFAULT_REPLICAS = 3;
/** The StorageClass parameter `numberOfReplicas` accepts "1".."20". */
export const MAX_REPLICAS = 20;
export const DEFAULT_UI_AUTH_SECRET = 'longhorn-ui-auth';
export const UI_AUTH_REALM = 'Longhorn UI';

/**
 * MicroK8s's ingress addon registers two IngressClasses, `public` (the default) and `nginx`.
 * With the classic ingress-nginx addon both reach ingress-nginx, which enforces the
 * `nginx.ingress.kubernetes.io/auth-*` annotations. The newer addon runs Traefik: there `public`
 * goes to Traefik's plain Ingress provider, which ignores those annotations (the UI would be
 * open), while `nginx` is the class the addon keeps for its NGINX-annotation compatibility
 * provider, which implements auth-type/auth-secret/auth-realm. So `nginx` is the one class that
 * keeps the login on both generations of the addon.
 */
export const DEFAULT_INGRESS_CLASS = 'nginx';

/**
 * The chart's values for the keys we set (see LONGHORN_VALUE_KEYS). Strings where the chart
 * requires them: its default-setting template fails on any `defaultSettings.*` that is not a string.
 */
export interface LonghornValues {
  csi?: { kubeletRootDir: string };
  persistence: {
    defaultClass: boolean;
    defaultClassReplicaCount: number;
    reclaimPolicy: ReclaimPolicy;
    defaultFsType: FsType;
    defaultDataLocality: DataLocality;
  };
  defaultSettings: {
    defaultDataPath?: string;
    /** Applies to volumes made in the UI; a plain number is expanded to every data engine. */
    defaultReplicaCount: string;
    deletingConfirmationFlag: 'false';
  };
  defaultBackupStore?: { backupTarget: string; backupTargetCredentialSecret?: string };
  service: { ui: { type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' } };
  ingress?: {
    enabled: true;
    host: string;
    ingressClassName: string;
    annotations: Record<string, string>;
  };
  preUpgradeChecker?: { jobEnabled: false };
  metrics?: MonitoringValues['metrics'];
}


// ---------------------------------------------------------------------------------------------
// Validation

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): string[] {
  if (value === undefined || (allowed as readonly unknown[]).includes(value)) return [];
  return [`${field}: "${String(value)}" is not one of ${allowed.join(', ')}`];
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function hostProblems(host: string): string[] {
  if (/^[^:\[]+:\d+$/.test(host)) return [`--host: "${host}" must not include a port; the Ingress listens on 80 and 443`];
  if (IPV4.test(host) || host.includes(':')) {
    return [`--host: "${host}" is an IP address; an Ingress needs a DNS name, e.g. longhorn.${host.includes(':') ? '<ip>' : host}.sslip.io`];
  }
  if (host.startsWith('*.')) return [`--host: "${host}" is a wildcard; give the one name the UI is reached at`];
  const lower = host.toLowerCase();
  const problems = dnsSubdomainProblems('--host', lower);
  if (problems.length === 0 && lower !== host) return [`--host: "${host}" must be lower case: ${lower}`];
  return problems;
}

/** Every problem with the install options (empty when they are usable). */
export function validateLonghornInstallOptions(o: LonghornInstallOptions): string[] {
  const problems: string[] = [];
  if (o.nodeCount !== undefined && (!Number.isInteger(o.nodeCount) || o.nodeCount < 1)) {
    problems.push(`node count: ${o.nodeCount} must be a whole number of at least 1`);
  }
  if (o.replicas !== undefined && (!Number.isInteger(o.replicas) || o.replicas < 1 || o.replicas > MAX_REPLICAS)) {
    problems.push(`--replicas: ${o.replicas} must be a whole number from 1 to ${MAX_REPLICAS}`);
  }
  if (o.dataPath !== undefined) {
    if (!o.dataPath.startsWith('/')) {
      problems.push(`--data-path: "${o.dataPath}" must be an absolute path on every node, e.g. /var/lib/longhorn/`);
    } else if (o.dataPath.split('/').includes('..')) {
      problems.push(`--data-path: "${o.dataPath}" must not contain '..'`);
    } else if (/[\s\0]/.test(o.dataPath)) {
      problems.push(`--data-path: "${o.dataPath}" must not contain white space`);
    }
  }
  problems.push(...oneOf('--reclaim-policy', o.reclaimPolicy, RECLAIM_POLICIES));
  problems.push(...oneOf('--fs-type', o.fsType, FS_TYPES));
  problems.push(...oneOf('--data-locality', o.dataLocality, DATA_LOCALITIES));
  problems.push(...oneOf('--ui', o.ui, UI_EXPOSURES));
  if (o.dataLocality === 'strict-local' && o.replicas !== undefined && o.replicas !== 1) {
    problems.push(`--data-locality strict-local keeps the only replica next to the workload, so it needs --replicas 1 (got ${o.replicas})`);
  }

  if (o.ui === 'ingress') {
    if (!o.host) problems.push('--host: required with --ui ingress (the name the Longhorn UI is reached at, e.g. longhorn.example.com)');
    else problems.push(...hostProblems(o.host));
    if (o.ingressClassName !== undefined) problems.push(...dnsSubdomainProblems('--ingress-class', o.ingressClassName));
    if (o.authSecretName !== undefined) problems.push(...dnsSubdomainProblems('--auth-secret', o.authSecretName));
  } else {
    // Given without an Ingress they would be silently ignored: say so instead.
    for (const [flag, value] of [['--host', o.host], ['--ingress-class', o.ingressClassName], ['--auth-secret', o.authSecretName]] as const) {
      if (value !== undefined) problems.push(`${flag}: only used with --ui ingress (the UI is exposed with ${o.ui ?? 'port-forward'})`);
    }
  }

  if (o.backupTarget !== undefined) {
    const { target, problems: urlProblems } = checkBackupTarget(o.backupTarget);
    problems.push(...urlProblems.map((p) => `--backup-target: ${p}`));
    if (o.backupCredentialsSecret !== undefined) {
      problems.push(...dnsSubdomainProblems('--backup-credentials-secret', o.backupCredentialsSecret));
    } else if (target?.needsCredentials) {
      const keys = BACKUP_CREDENTIAL_KEYS[target.kind as Exclude<BackupTargetKind, 'nfs'>];
      problems.push(`--backup-credentials-secret: a ${target.kind} backup target needs the name of a Secret in ${LONGHORN_NAMESPACE} holding ${keys.join(', ')}`);
    }
  } else if (o.backupCredentialsSecret !== undefined) {
    problems.push('--backup-credentials-secret: only used with --backup-target');
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Building

function replicaCount(o: LonghornInstallOptions, warnings: string[]): number {
  if (o.dataLocality === 'strict-local') return 1;
  const nodes = o.nodeCount;
  if (nodes === undefined) return o.replicas ?? DEFAULT_REPLICAS;
  if (o.replicas === undefined) {
    const n = Math.min(DEFAULT_REPLICAS, nodes);
    if (n < DEFAULT_REPLICAS) {
      warnings.push(
        `The cluster has ${nodes} node${nodes === 1 ? '' : 's'}, so volumes get ${n} replica${n === 1 ? '' : 's'} instead of Longhorn's ${DEFAULT_REPLICAS}: ` +
          `Longhorn puts each replica of a volume on a different node, and with more replicas than nodes every volume would stay Degraded. ` +
          (n === 1 ? 'A single replica has no redundancy: losing that node makes its volumes unavailable. ' : '') +
          'After adding nodes, raise the count with --replicas.',
      );
    }
    return n;
  }
  if (o.replicas > nodes) {
    warnings.push(
      `--replicas ${o.replicas} is more than the ${nodes} node${nodes === 1 ? '' : 's'} of the cluster: Longhorn puts each replica of a volume on a different node, ` +
        `so volumes would stay Degraded with ${o.replicas - nodes} replica${o.replicas - nodes === 1 ? '' : 's'} that can never be scheduled. Using ${nodes}; add nodes, then raise it.`,
    );
    return nodes;
  }
  return o.replicas;
}

const UI_SERVICE_TYPES: Record<LonghornUiExposure, LonghornValues['service']['ui']['type']> = {
  'port-forward': 'ClusterIP',
  ingress: 'ClusterIP',
  nodeport: 'NodePort',
  loadbalancer: 'LoadBalancer',
};

/**
 * The chart values for an install. Throws a UsageError listing every problem with the options;
 * returns warnings the command prints on stderr.
 */
export function buildLonghornValues(o: LonghornInstallOptions): { values: LonghornValues; warnings: string[] } {
  const problems = validateLonghornInstallOptions(o);
  if (problems.length > 0) throw new UsageError(problems);
  const warnings: string[] = [];
  const replicas = replicaCount(o, warnings);
  const ui = o.ui ?? 'port-forward';

  const defaultSettings: LonghornValues['defaultSettings'] = {
    ...(o.dataPath !== undefined ? { defaultDataPath: o.dataPath } : {}),
    // Kept equal to the StorageClass count, so that volumes made in the UI are not Degraded either.
    defaultReplicaCount: String(replicas),
    // Uninstall is refused while this is false; only `uninstall` sets it, right before helm uninstall.
    deletingConfirmationFlag: 'false',
  };

  // Built in the order the keys read best in the rendered file.
  const values: LonghornValues = {
    // Elsewhere Longhorn finds the kubelet by its process; on MicroK8s only the path works.
    ...(o.microk8s ? { csi: { kubeletRootDir: MICROK8S_KUBELET_ROOT_DIR } } : {}),
    persistence: {
      defaultClass: o.defaultClass ?? true,
      defaultClassReplicaCount: replicas,
      reclaimPolicy: o.reclaimPolicy ?? 'Delete',
      defaultFsType: o.fsType ?? 'ext4',
      defaultDataLocality: o.dataLocality ?? 'disabled',
    },
    defaultSettings,
    service: { ui: { type: UI_SERVICE_TYPES[ui] } },
  };
  if (o.backupTarget !== undefined) {
    values.defaultBackupStore = { backupTarget: o.backupTarget };
    if (o.backupCredentialsSecret !== undefined) values.defaultBackupStore.backupTargetCredentialSecret = o.backupCredentialsSecret;
  }

  if (ui === 'ingress') {
    const ingressClassName = o.ingressClassName ?? DEFAULT_INGRESS_CLASS;
    values.ingress = {
      enabled: true,
      host: o.host!,
      ingressClassName,
      // Always: the Longhorn UI has no login, and anyone who reaches it can delete every volume.
      annotations: {
        'nginx.ingress.kubernetes.io/auth-type': 'basic',
        'nginx.ingress.kubernetes.io/auth-secret': o.authSecretName ?? DEFAULT_UI_AUTH_SECRET,
        'nginx.ingress.kubernetes.io/auth-realm': UI_AUTH_REALM,
      },
    };
    if (ingressClassName !== DEFAULT_INGRESS_CLASS) {
      warnings.push(
        `The login on the Longhorn UI is set with nginx.ingress.kubernetes.io/auth-* annotations, which only ingress-nginx and Traefik's NGINX provider enforce; ` +
          `check that IngressClass "${ingressClassName}" is served by one of them (curl -I http://${o.host}/ must answer 401), or the UI is open to anyone.`,
      );
    }
    warnings.push(
      `The Ingress for ${o.host} serves plain HTTP: the basic-auth password crosses the network readable. ` +
        'Put TLS in front of it (for example cert-manager with the chart values ingress.tls and ingress.tlsSecret) before using it outside a trusted network.',
    );
  } else if (ui === 'nodeport' || ui === 'loadbalancer') {
    warnings.push(
      `The Longhorn UI has no authentication of its own: with --ui ${ui} anyone who can reach ${ui === 'nodeport' ? 'a node' : 'the load balancer address'} ` +
        'can delete volumes and backups. Prefer --ui ingress (with a login) or --ui port-forward.',
    );
  }
  if (o.gitops) values.preUpgradeChecker = { jobEnabled: false };
  if (o.monitoring) values.metrics = monitoringValues().metrics;
  return { values, warnings };
}

// ---------------------------------------------------------------------------------------------
// Rendering and checking against the chart

/** The values document as YAML, headed by what wrote it and the chart version it is for. */
export function renderLonghornValuesYaml(values: object, chartVersion: string = LONGHORN_CHART.defaultVersion): string {
  const header = [
    `# Helm values for the Longhorn chart ${LONGHORN_CHART.chartRef} ${chartVersion}, written by k8s-storage.`,
    `# helm upgrade --install ${LONGHORN_CHART.release} ${LONGHORN_CHART.chartRef} --namespace ${LONGHORN_CHART.namespace} --create-namespace --version ${chartVersion} -f <this file>`,
  ].join('\n');
  // YAML 1.1 quoting, because Helm reads values as YAML 1.1: an unquoted `on` or `y` would turn into a boolean.
  return `${header}\n${toYaml(values)}`;
}

/** A key inside a dotted path, with its own dots escaped the way --set writes them. */
function pathSegment(key: string): string {
  return key.replace(/\\/g, '\\\\').replace(/\./g, '\\.');
}

function join(path: string, key: string): string {
  return path ? `${path}.${pathSegment(key)}` : pathSegment(key);
}

/** The dotted path of every leaf (scalar, list, null or empty map) of a values document. */
export function valueKeyPaths(values: object, path = ''): string[] {
  if (!isValuesMap(values)) return path ? [path] : [];
  const entries = Object.entries(values);
  if (entries.length === 0) return path ? [path] : [];
  return entries.flatMap(([k, v]) => (isValuesMap(v) ? valueKeyPaths(v, join(path, k)) : [join(path, k)]));
}

/**
 * The dotted paths in `values` that the chart's own values.yaml does not have: a typo or a key
 * from another chart version, which Helm would silently ignore. A chart map that is empty (`{}`)
 * or null is free-form (`ingress.annotations`) and accepts anything below it.
 */
export function unknownValueKeys(values: object, chartValues: unknown, path = ''): string[] {
  if (!isValuesMap(values)) return [];
  const chart = isValuesMap(chartValues) ? chartValues : {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const here = join(path, key);
    if (!Object.prototype.hasOwnProperty.call(chart, key)) {
      unknown.push(here);
      continue;
    }
    const chartValue = chart[key];
    if (!isValuesMap(value)) continue;
    if (chartValue === null || (isValuesMap(chartValue) && Object.keys(chartValue).length === 0)) continue;
    if (isValuesMap(chartValue)) unknown.push(...unknownValueKeys(value, chartValue, here));
    // A map where the chart has a scalar or a list: nothing below it exists.
    else unknown.push(...valueKeyPaths(value, here));
  }
  return unknown;
}
