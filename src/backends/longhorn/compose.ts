/**
 * The whole values story of an install in one pure step: k8s-storage's typed values first, the
 * user's -f files over them, their --set flags last (Helm's order, so the user wins), with every
 * input problem gathered at once and warnings for user values that undo something we set on
 * purpose. Offline: `render longhorn-values` and the install's dry run both use it.
 */

import { UsageError } from '../../errors.js';
import { MICROK8S_KUBELET_ROOT_DIR } from './chart.js';
import {
  applySetFlags,
  buildLonghornValues,
  isValuesMap,
  mergeValues,
  parseSetFlag,
  validateLonghornInstallOptions,
  type LonghornInstallOptions,
  type LonghornValues,
  type ValuesDocument,
} from './values.js';

export interface UserValuesFile {
  /** How problems name it: the path given to -f. */
  source: string;
  values: ValuesDocument;
}

export interface ComposedLonghornValues {
  /** What k8s-storage writes to its own values file. */
  ours: LonghornValues;
  /** ours, then each -f file, then the --set flags: what Helm computes from the same inputs. */
  merged: ValuesDocument;
  warnings: string[];
}

const at = (doc: unknown, path: string[]): unknown => path.reduce<unknown>((node, key) => (isValuesMap(node) ? node[key] : undefined), doc);

/** Whether the chart will make its `longhorn` class the default: a null or missing value means the chart's own `true`. */
export function effectiveDefaultClass(merged: ValuesDocument): boolean {
  const v = at(merged, ['persistence', 'defaultClass']);
  return !(v === false || (typeof v === 'string' && v.toLowerCase() === 'false'));
}

/** The replica count the chart's class will have (the chart's 3 when unset). */
export function effectiveReplicaCount(merged: ValuesDocument): number {
  const v = at(merged, ['persistence', 'defaultClassReplicaCount']);
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
  return n ?? 3;
}

export function effectiveReclaimPolicy(merged: ValuesDocument): string {
  const v = at(merged, ['persistence', 'reclaimPolicy']);
  return typeof v === 'string' && v ? v : 'Delete';
}

export function effectiveUiServiceType(merged: ValuesDocument): string {
  const v = at(merged, ['service', 'ui', 'type']);
  return typeof v === 'string' && v ? v : 'ClusterIP';
}

export function ingressOf(merged: ValuesDocument): { enabled: boolean; host?: string; annotations: Record<string, unknown> } {
  const enabled = at(merged, ['ingress', 'enabled']) === true;
  const host = at(merged, ['ingress', 'host']);
  const annotations = at(merged, ['ingress', 'annotations']);
  return { enabled, ...(typeof host === 'string' && host ? { host } : {}), annotations: isValuesMap(annotations) ? annotations : {} };
}

/** Warnings for user values that override what we set for a reason. */
function overrideWarnings(o: LonghornInstallOptions, ours: LonghornValues, merged: ValuesDocument): string[] {
  const warnings: string[] = [];
  const kubeletRootDir = at(merged, ['csi', 'kubeletRootDir']);
  if (o.microk8s && kubeletRootDir !== MICROK8S_KUBELET_ROOT_DIR) {
    warnings.push(
      `your values set csi.kubeletRootDir to ${kubeletRootDir == null || kubeletRootDir === '' ? 'nothing (auto-detection)' : JSON.stringify(kubeletRootDir)}, but on MicroK8s it must be ${MICROK8S_KUBELET_ROOT_DIR}: ` +
        'otherwise longhorn-driver-deployer crash-loops with "failed to get kubelet root dir" and no volume can be attached. ' +
        `Remove it from your -f/--set values, or pass --set csi.kubeletRootDir=${MICROK8S_KUBELET_ROOT_DIR}`,
    );
  }
  const replicas = effectiveReplicaCount(merged);
  if (o.nodeCount !== undefined && replicas > o.nodeCount && replicas !== ours.persistence.defaultClassReplicaCount) {
    warnings.push(
      `your values set persistence.defaultClassReplicaCount to ${replicas} on a cluster of ${o.nodeCount} node${o.nodeCount === 1 ? '' : 's'}: ` +
        'Longhorn puts each replica on a different node, so every volume of the longhorn class would stay Degraded.',
    );
  }
  const uiType = effectiveUiServiceType(merged);
  if (uiType !== ours.service.ui.type && (uiType === 'NodePort' || uiType === 'LoadBalancer')) {
    warnings.push(`your values expose the Longhorn UI as a ${uiType} Service: the UI has no authentication of its own, so anyone who reaches it can delete volumes and backups.`);
  }
  const ingress = ingressOf(merged);
  if (ingress.enabled && !ingress.annotations['nginx.ingress.kubernetes.io/auth-type']) {
    warnings.push('your values enable the chart\'s Ingress without a login (no nginx.ingress.kubernetes.io/auth-* annotations): the Longhorn UI would be open to anyone who reaches it. Use --ui ingress --host NAME instead.');
  }
  return warnings;
}

/**
 * Builds our values from the options, then merges the user's files and --set flags over them.
 * Throws one UsageError listing every problem of the options and the --set flags.
 */
export function composeLonghornValues(options: LonghornInstallOptions, userFiles: readonly UserValuesFile[] = [], sets: readonly string[] = []): ComposedLonghornValues {
  const problems = [...validateLonghornInstallOptions(options), ...sets.flatMap((s) => parseSetFlag(s).problems)];
  if (problems.length > 0) throw new UsageError(problems);
  const { values: ours, warnings } = buildLonghornValues(options);
  const { values: merged } = applySetFlags(mergeValues(ours, ...userFiles.map((f) => f.values)), sets);
  return { ours, merged, warnings: [...warnings, ...overrideWarnings(options, ours, merged)] };
}
