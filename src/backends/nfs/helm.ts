/**
 * The csi-driver-nfs Helm release as plan steps, through the generic Helm release step
 * (src/plan/helm-release.ts): NFS only adds that a deployed driver is reused as it is.
 */
import type { HelmBinary, HelmRelease, HelmTool } from '../../cluster/helm.js';
import { chartSourceOf, chartVersionFor, helmReleaseSteps, helmUninstallStep } from '../../plan/helm-release.js';
import type { Step } from '../../plan/types.js';
import { NFS_CHART } from './chart.js';

export interface NfsHelmFacts {
  helm: HelmTool;
  release?: HelmRelease;
  /** Our values (nfsChartValues), given as --set ahead of the user's --set flags. */
  values: Record<string, string>;
  localChart: boolean;
}

export interface NfsHelmRequest {
  version?: string;
  chart?: string;
  valuesFiles: string[];
  sets: string[];
  timeout: string;
  timeoutMs: number;
}

/**
 * `helm upgrade --install` of csi-driver-nfs, judged from `helm status`. Our one value
 * (kubeletDir) goes as `--set` before the user's `--set` flags, which win: no temporary values
 * file to clean up (a user's -f cannot override it, since Helm applies --set after files; their
 * --set can). A driver already deployed at the wanted version is reused as it is, so a second
 * class on another share needs no Helm run, unless -f/--set/--chart ask for a change.
 */
export function nfsHelmSteps(facts: NfsHelmFacts, req: NfsHelmRequest): { steps: Step[]; notes: string[]; version?: string } {
  const source = chartSourceOf(NFS_CHART, req.chart, facts.localChart);
  const version = chartVersionFor(NFS_CHART, req.version, source, facts.release);
  const rel = facts.release;
  const userValues = req.valuesFiles.length + req.sets.length > 0;
  if (rel?.status === 'deployed' && rel.chartName === NFS_CHART.chartName && version === rel.chartVersion && !userValues && req.chart === undefined) {
    return { steps: [], notes: [`csi-driver-nfs ${rel.chartVersion} is already deployed (release ${NFS_CHART.release} in ${NFS_CHART.namespace}): reusing it.`], version };
  }
  const notes = rel?.status === 'failed' ? [`The last Helm operation on ${NFS_CHART.release} failed (revision ${rel.revision}): this run upgrades it in place.`] : [];
  const { steps } = helmReleaseSteps(NFS_CHART, { helm: facts.helm, ...(rel ? { release: rel } : {}) }, {
    chart: req.chart ?? NFS_CHART.chartRef,
    chartSource: source,
    ...(version ? { version } : {}),
    valuesFiles: req.valuesFiles,
    sets: [...Object.entries(facts.values).map(([k, v]) => `${k}=${v}`), ...req.sets],
    timeout: req.timeout,
    timeoutMs: req.timeoutMs,
    rollbackOnFailure: true,
  });
  return { steps, notes, ...(version ? { version } : {}) };
}

export function nfsHelmUninstallStep(helm: HelmBinary, timeout: string, timeoutMs: number): Step {
  return helmUninstallStep(NFS_CHART, helm, { timeout, timeoutMs, title: `Uninstall the Helm release ${NFS_CHART.release} (csi-driver-nfs)` });
}
