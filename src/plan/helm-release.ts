/**
 * A Helm release as a plan step, for any chart: `helm upgrade --install` driven by a chart
 * spec (repository, chart, pinned version, release, namespace), and the judgement of what
 * Helm really did, read from `helm status -o json` (Helm exits 0 with a failed release and 1
 * after a rollback). Pure: the executor runs the steps and checks the `helm-release`
 * expectation like any other; backends (Longhorn, NFS...) only give their ChartSpec.
 */
import { helmCommands, type HelmBinary, type HelmRelease, type HelmTool } from '../cluster/helm.js';
import type { ToolCommand, ToolResult } from '../cluster/runner.js';
import { ClusterError, UsageError } from '../errors.js';
import type { Expectation, Step } from './types.js';

/** What a backend says about the chart it installs. */
export interface ChartSpec {
  /** How messages name what the chart installs: "Longhorn", "the NFS CSI driver". */
  readonly title: string;
  readonly repoName: string;
  readonly repoUrl: string;
  /** REPO/CHART, e.g. longhorn/longhorn. */
  readonly chartRef: string;
  /** The chart's own name (Chart.yaml): a release of another chart under the same name is not ours. */
  readonly chartName: string;
  /** The version installed when nobody asks for another (no `v` prefix). */
  readonly version: string;
  readonly release: string;
  readonly namespace: string;
  /** The commands recovery hints name: `k8s-storage install longhorn`, `k8s-storage uninstall longhorn --yes`. */
  readonly installCommand: string;
  readonly uninstallCommand: string;
  /** Why downgrades are refused, e.g. "Longhorn does not support downgrades". */
  readonly downgradeRefusal: string;
  /** Where to look when Helm fails, e.g. "kubectl -n longhorn-system get events --sort-by=.lastTimestamp". */
  readonly eventsCommand: string;
  /** Said when the chart's uninstall hook fails and Helm keeps the release (Longhorn's uninstall job). */
  readonly uninstallHookHint?: string;
}

/** Where the chart comes from: the official repository, another repository, a local path or tarball, or OCI. */
export type ChartSource = { kind: 'official' } | { kind: 'repo'; repo: string } | { kind: 'local' } | { kind: 'oci' };

export function chartSourceOf(spec: Pick<ChartSpec, 'chartRef'>, chart: string | undefined, isLocalPath: boolean): ChartSource {
  if (chart === undefined || chart === spec.chartRef) return { kind: 'official' };
  if (isLocalPath) return { kind: 'local' };
  if (chart.startsWith('oci://')) return { kind: 'oci' };
  return { kind: 'repo', repo: chart.slice(0, chart.indexOf('/')) };
}

/** Problems with --chart that Helm would report less clearly. */
export function chartProblems(chart: string | undefined, isLocalPath: boolean): string[] {
  if (chart === undefined || isLocalPath || chart.startsWith('oci://')) return [];
  if (chart.startsWith('/') || chart.startsWith('.') || chart.endsWith('.tgz')) return [`--chart: ${chart} does not exist`];
  if (!/^[^/\s]+\/[^/\s]+$/.test(chart)) return [`--chart: "${chart}" is not a local chart directory or .tgz, an oci:// reference, or REPO/CHART`];
  return [];
}

/** A release Helm cannot upgrade now, with the command that unblocks it. */
export function releaseBlocker(spec: ChartSpec, release: HelmRelease | undefined, helmName: string): ClusterError | undefined {
  if (!release) return undefined;
  const ns = release.namespace || spec.namespace;
  const where = `release ${release.name} in ${ns}`;
  switch (release.status) {
    case 'pending-install':
      return new ClusterError(
        `the Helm ${where} is stuck in pending-install (revision ${release.revision}): an earlier install was interrupted, and Helm refuses any new operation on it.`,
        { hint: `remove the half-made install, then rerun: ${spec.uninstallCommand} (or ${helmName} uninstall ${release.name} -n ${ns}), then ${spec.installCommand}`, reason: 'conflict' },
      );
    case 'pending-upgrade':
    case 'pending-rollback':
      return new ClusterError(`the Helm ${where} is stuck in ${release.status} (revision ${release.revision}): an earlier operation was interrupted, and Helm refuses any new one.`, {
        hint: `go back to the last working revision, then rerun: ${helmName} rollback ${release.name} -n ${ns} && ${spec.installCommand}`,
        reason: 'conflict',
      });
    case 'uninstalling':
      return new ClusterError(`the Helm ${where} is being uninstalled.`, { hint: `let it finish (${spec.uninstallCommand} completes it), then install again`, reason: 'conflict' });
    default:
      return undefined;
  }
}

function versionParts(v: string): number[] {
  return v.replace(/^v/, '').split(/[.+-]/).slice(0, 3).map((p) => Number.parseInt(p, 10) || 0);
}

export function compareVersions(a: string, b: string): number {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/**
 * The chart version to ask Helm for. Repository charts are pinned; a rerun keeps the installed
 * version unless --version says otherwise, so a plain rerun never moves the release by surprise.
 * An older --version than the installed one is refused (before anything runs).
 */
export function chartVersionFor(spec: ChartSpec, requested: string | undefined, source: ChartSource, release: HelmRelease | undefined): string | undefined {
  const installed = release && release.chartName === spec.chartName && release.chartVersion ? release.chartVersion : undefined;
  if (requested !== undefined) {
    if (installed && compareVersions(requested, installed) < 0) {
      throw new UsageError(`--version ${requested} is older than the installed ${spec.title} ${installed}: ${spec.downgradeRefusal}`, {
        hint: `rerun without --version to keep ${installed}, or with a newer version`,
      });
    }
    return requested.replace(/^v/, '');
  }
  if (source.kind === 'local' || source.kind === 'oci') return undefined;
  return installed ?? spec.version;
}

export interface HelmReleaseFacts {
  helm: HelmTool;
  /** The release as `helm status` reported it before the plan, if any. */
  release?: HelmRelease;
}

export interface HelmReleaseRequest {
  /** What Helm installs: spec.chartRef, a local path, REPO/CHART or oci://. */
  chart: string;
  chartSource: ChartSource;
  version?: string;
  /** Values files in Helm's order: ours first, then the user's (later files win). */
  valuesFiles: string[];
  sets: string[];
  /** A Go duration for Helm's own --timeout, and the same in ms. */
  timeout: string;
  timeoutMs: number;
  /**
   * Roll back a failed upgrade (--atomic on Helm 3, --rollback-on-failure on Helm 4). Only on
   * upgrades of a deployed release: on a first install Helm's rollback is an uninstall.
   */
  rollbackOnFailure: boolean;
}

export interface HelmReleaseSteps {
  steps: Step[];
  /** The `helm upgrade --install` command, for dry runs. */
  helmCommand: ToolCommand;
  upgrading: boolean;
  rollbackOnFailure: boolean;
}

/** The expectation that a Helm release is deployed as asked (or gone), judged from `helm status`. */
export type HelmReleaseExpectation = Extract<Expectation, { type: 'helm-release' }>;

/** Repository steps, then `helm upgrade --install`, checked through `helm status`. */
export function helmReleaseSteps(spec: ChartSpec, facts: HelmReleaseFacts, req: HelmReleaseRequest): HelmReleaseSteps {
  const blocker = releaseBlocker(spec, facts.release, facts.helm.name);
  if (blocker) throw blocker;
  const { helm } = facts;
  const upgrading = facts.release !== undefined;
  const steps: Step[] = [];
  if (req.chartSource.kind === 'official') {
    steps.push({ kind: 'run', title: `Point the Helm repository ${spec.repoName} at ${spec.repoUrl}`, command: helmCommands.repoAdd(helm, spec.repoName, spec.repoUrl), helm, timeoutMs: 120_000 });
    steps.push({ kind: 'run', title: `Update the Helm repository ${spec.repoName}`, command: helmCommands.repoUpdate(helm, spec.repoName), helm, timeoutMs: 300_000 });
  } else if (req.chartSource.kind === 'repo') {
    steps.push({ kind: 'run', title: `Update the Helm repository ${req.chartSource.repo}`, command: helmCommands.repoUpdate(helm, req.chartSource.repo), helm, timeoutMs: 300_000 });
  }
  const rollbackOnFailure = upgrading && facts.release?.status === 'deployed' && req.rollbackOnFailure;
  const helmCommand = helmCommands.upgradeInstall(helm, {
    release: spec.release,
    chart: req.chart,
    namespace: spec.namespace,
    ...(req.version ? { version: req.version } : {}),
    valuesFiles: req.valuesFiles,
    sets: req.sets,
    timeout: req.timeout,
    rollbackOnFailure,
  });
  const from = facts.release?.chartVersion;
  const expectation: HelmReleaseExpectation = {
    type: 'helm-release',
    helm,
    chart: spec,
    state: 'deployed',
    ...(facts.release ? { revisionAbove: facts.release.revision } : {}),
    ...(req.version ? { chartVersion: req.version } : {}),
  };
  steps.push({
    kind: 'run',
    title: upgrading
      ? `Upgrade ${spec.title} ${from && req.version && from !== req.version ? `${from} to ${req.version}` : req.version ?? ''} in place with ${helm.name}${rollbackOnFailure ? ' (rolled back if it fails)' : ''}`.replace(/ {2,}/g, ' ')
      : `Install ${spec.title} ${req.version ?? `from ${req.chart}`} with ${helm.name}`,
    command: helmCommand,
    helm,
    verify: [expectation],
    // Helm's --timeout bounds its hooks and waits; this only stops a Helm that hangs for good.
    timeoutMs: req.timeoutMs * 2 + 120_000,
  });
  return { steps, helmCommand, upgrading, rollbackOnFailure };
}

/** `helm uninstall`, checked by the release being gone (whatever Helm exits with). */
export function helmUninstallStep(spec: ChartSpec, helm: HelmBinary, opts: { timeout: string; timeoutMs: number; noHooks?: boolean; title?: string }): Step {
  const command = helmCommands.uninstall(helm, spec.release, spec.namespace, opts.timeout);
  if (opts.noHooks) command.args.splice(command.args.indexOf('-n'), 0, '--no-hooks');
  return {
    kind: 'run',
    title: opts.title ?? `Remove the Helm release ${spec.release}`,
    command,
    helm,
    verify: [{ type: 'helm-release', helm, chart: spec, state: 'absent' }],
    timeoutMs: opts.timeoutMs * 2 + 120_000,
  };
}

type Outcome = Pick<ToolResult, 'exitCode' | 'stdout' | 'stderr'>;

/**
 * After `helm upgrade --install`: did it work? Decided by the release Helm recorded, since
 * Helm can exit 0 with a failed release; a non-zero exit is a failure whatever the status says.
 */
export function judgeReleaseInstall(spec: ChartSpec, r: Outcome, before: { revision: number } | undefined, after: HelmRelease | undefined, expect: { version?: string; helmName: string }): true | ClusterError {
  const said = `${r.stderr}\n${r.stdout}`.trim().split('\n').filter((l) => /error|fail/i.test(l)).slice(-2).join(' / ');
  const tail = said ? ` Helm said: ${said}` : '';
  const eventsHint = `${spec.eventsCommand} shows what failed; fix it, then rerun ${spec.installCommand} (it upgrades in place)`;
  const ns = spec.namespace;
  if (!after) {
    const removed = /has been uninstalled due to/.test(r.stderr);
    return new ClusterError(`the ${spec.title} install failed${removed ? ' and Helm removed the release' : `: there is no release ${spec.release} in ${ns} afterwards (exit ${r.exitCode})`}.${tail}`, { hint: eventsHint });
  }
  if (after.status === 'pending-install' || after.status === 'pending-upgrade') {
    return new ClusterError(`Helm left the release ${spec.release} ${after.status} (exit ${r.exitCode}).${tail}`, { hint: releaseBlocker(spec, after, expect.helmName)?.hint ?? eventsHint, reason: 'conflict' });
  }
  if (after.status !== 'deployed') {
    return new ClusterError(
      `Helm marked the release ${spec.release} ${after.status} (revision ${after.revision}${after.description ? `: ${after.description}` : ''})${r.exitCode === 0 ? ', although it exited 0' : ''}.${tail}`,
      { hint: eventsHint },
    );
  }
  if (r.exitCode !== 0) {
    const rolledBack = /^Rollback to/i.test(after.description) || /rolled back due to/.test(r.stderr);
    return new ClusterError(
      rolledBack
        ? `the ${spec.title} upgrade failed, and Helm rolled back to the previous version (now revision ${after.revision}, chart ${after.chartVersion}).${tail}`
        : `${expect.helmName} upgrade --install exited ${r.exitCode}.${tail}`,
      { hint: eventsHint },
    );
  }
  if (before && after.revision <= before.revision) {
    return new ClusterError(`${expect.helmName} said it succeeded, but the release ${spec.release} is still at revision ${after.revision}.`, { hint: `${expect.helmName} history ${spec.release} -n ${ns}` });
  }
  if (expect.version && after.chartVersion && after.chartVersion.replace(/^v/, '') !== expect.version.replace(/^v/, '')) {
    return new ClusterError(`Helm deployed chart version ${after.chartVersion}, not the ${expect.version} asked for.`, { hint: `${expect.helmName} history ${spec.release} -n ${ns}` });
  }
  return true;
}

/** After `helm uninstall`: the release must be gone, whatever Helm exited with. */
export function judgeReleaseUninstall(spec: ChartSpec, r: Outcome, after: HelmRelease | undefined, helmName: string): true | ClusterError {
  if (!after) return true;
  const text = `${r.stderr}\n${r.stdout}`.trim();
  const said = text.split('\n').filter(Boolean).slice(-2).join(' / ');
  if (/pre-delete|uninstall-job|-uninstall\b/.test(text)) {
    return new ClusterError(`${spec.title}'s uninstall job failed, so Helm kept the release ${spec.release} (${after.status}): ${said}`, {
      hint: spec.uninstallHookHint ?? `${helmName} status ${spec.release} -n ${spec.namespace} shows why; fix it, then rerun ${spec.uninstallCommand}`,
    });
  }
  return new ClusterError(`${helmName} uninstall exited ${r.exitCode}, and the release ${spec.release} is still there (${after.status}).${said ? ` Helm said: ${said}` : ''}`, {
    hint: `${helmName} status ${spec.release} -n ${spec.namespace}`,
  });
}

/** The verdict on a `helm-release` expectation, from the command's result and the release afterwards. */
export function judgeHelmRelease(exp: HelmReleaseExpectation, r: Outcome, after: HelmRelease | undefined): true | ClusterError {
  if (exp.state === 'absent') return judgeReleaseUninstall(exp.chart, r, after, exp.helm.name);
  return judgeReleaseInstall(exp.chart, r, exp.revisionAbove !== undefined ? { revision: exp.revisionAbove } : undefined, after, { ...(exp.chartVersion ? { version: exp.chartVersion } : {}), helmName: exp.helm.name });
}
