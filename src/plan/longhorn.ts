/**
 * Longhorn on the cluster: install or upgrade it with Helm and wait until it really works
 * (its CSI driver included), and take it down in the order Longhorn needs. Pure planners and
 * judgements: the commands gather the facts and run the plans.
 */
import { helmCommands, type HelmBinary, type HelmRelease, type HelmTool } from '../cluster/helm.js';
import type { ObjectRef } from '../cluster/kube.js';
import { describeCommand, type ToolCommand, type ToolResult } from '../cluster/runner.js';
import { ClusterError, UsageError } from '../errors.js';
import { LONGHORN_CHART } from '../longhorn/chart.js';
import { effectiveDefaultClass, effectiveReclaimPolicy, effectiveReplicaCount, type ComposedLonghornValues } from '../longhorn/compose.js';
import { deletingConfirmationPatch, LONGHORN_API_VERSION } from '../longhorn/resources.js';
import type { KubeObject } from '../presets/types.js';
import { defaultClassSteps, type DefaultClassFacts } from './default-class.js';
import { DEFAULT_CLASS_ANNOTATION, isDefaultClass } from './expectations.js';
import { emptyPlan, type Expectation, type Plan } from './types.js';

export const LONGHORN_NAMESPACE = LONGHORN_CHART.namespace;
export const LONGHORN_RELEASE = LONGHORN_CHART.release;
export const LONGHORN_CLASS = 'longhorn';
export const LONGHORN_PROVISIONER = 'driver.longhorn.io';
export const LONGHORN_UI_SERVICE = 'longhorn-frontend';

const ns = LONGHORN_NAMESPACE;
const deployment = (name: string): ObjectRef => ({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace: ns });
const daemonSet = (name: string): ObjectRef => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', name, namespace: ns });
const classRef = (name: string): ObjectRef => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name });
export const LONGHORN_NAMESPACE_REF: ObjectRef = { apiVersion: 'v1', kind: 'Namespace', name: ns };
export const LONGHORN_MANAGER_REF = daemonSet('longhorn-manager');
export const DELETING_CONFIRMATION_SETTING: ObjectRef = { apiVersion: LONGHORN_API_VERSION, kind: 'Setting', name: deletingConfirmationPatch().name, namespace: ns };

const MANAGER_HINT = 'kubectl -n longhorn-system describe daemonset longhorn-manager; a node without open-iscsi or nfs-common is the usual cause (k8s-storage nodes check --for longhorn)';
const DRIVER_HINT =
  'kubectl -n longhorn-system logs deploy/longhorn-driver-deployer; on MicroK8s, "failed to get kubelet root dir" means csi.kubeletRootDir is not /var/snap/microk8s/common/var/lib/kubelet';
const CSI_HINT = 'longhorn-driver-deployer creates the CSI workloads once longhorn-manager runs on every node: kubectl -n longhorn-system logs deploy/longhorn-driver-deployer';

/**
 * What must be running before Longhorn can provision a volume: the chart's workloads, then the
 * CSI workloads that longhorn-driver-deployer creates after the manager is up.
 */
export const LONGHORN_WORKLOADS: { ref: ObjectRef; note?: string; hint: string }[] = [
  { ref: LONGHORN_MANAGER_REF, hint: MANAGER_HINT },
  { ref: deployment('longhorn-driver-deployer'), hint: DRIVER_HINT },
  { ref: deployment('longhorn-ui'), hint: 'kubectl -n longhorn-system describe deployment longhorn-ui' },
  ...['csi-attacher', 'csi-provisioner', 'csi-resizer', 'csi-snapshotter'].map((name) => ({ ref: deployment(name), note: 'created by longhorn-driver-deployer', hint: CSI_HINT })),
  { ref: daemonSet('longhorn-csi-plugin'), note: 'created by longhorn-driver-deployer', hint: CSI_HINT },
];

// ---------------------------------------------------------------------------------------------
// Facts that decide before the plan

/** Where the chart comes from: the official repository, another repository, a local path or tarball, or OCI. */
export type ChartSource = { kind: 'official' } | { kind: 'repo'; repo: string } | { kind: 'local' } | { kind: 'oci' };

export function chartSourceOf(chart: string | undefined, isLocalPath: boolean): ChartSource {
  if (chart === undefined || chart === LONGHORN_CHART.chartRef) return { kind: 'official' };
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

/**
 * Without --default-class or --no-default-class, Longhorn becomes the default class only when no
 * other class is one: taking the default from another class changes where every new claim
 * without a class goes, which the operator should decide (the flag does it, and then exactly
 * one default remains). A Longhorn class that is already the default stays so on reruns.
 */
export function decideDefaultClass(flag: boolean | undefined, classes: readonly KubeObject[]): { defaultClass: boolean; note?: string } {
  if (flag !== undefined) return { defaultClass: flag };
  const others = classes.filter((c) => isDefaultClass(c) && c.metadata.name !== LONGHORN_CLASS).map((c) => c.metadata.name);
  if (others.length === 0) return { defaultClass: true };
  return {
    defaultClass: false,
    note: `Keeping ${others.join(', ')} as the default StorageClass; pass --default-class to make ${LONGHORN_CLASS} the default instead (the others then stop being one).`,
  };
}

/** A release Helm cannot upgrade now, with the command that unblocks it. */
export function releaseBlocker(release: HelmRelease | undefined, helmName: string): ClusterError | undefined {
  if (!release) return undefined;
  const where = `release ${release.name} in ${release.namespace || ns}`;
  switch (release.status) {
    case 'pending-install':
      return new ClusterError(
        `the Helm ${where} is stuck in pending-install (revision ${release.revision}): an earlier install was interrupted, and Helm refuses any new operation on it.`,
        { hint: `remove the half-made install, then rerun: k8s-storage uninstall longhorn --yes (or ${helmName} uninstall ${release.name} -n ${ns}), then k8s-storage install longhorn` },
      );
    case 'pending-upgrade':
    case 'pending-rollback':
      return new ClusterError(`the Helm ${where} is stuck in ${release.status} (revision ${release.revision}): an earlier operation was interrupted, and Helm refuses any new one.`, {
        hint: `go back to the last working revision, then rerun: ${helmName} rollback ${release.name} -n ${ns} && k8s-storage install longhorn`,
      });
    case 'uninstalling':
      return new ClusterError(`the Helm ${where} is being uninstalled.`, { hint: 'let it finish (k8s-storage uninstall longhorn --yes completes it), then install again' });
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
 * The chart version to ask Helm for. Repository charts are pinned (the values are checked against
 * that version); a rerun keeps the installed version unless --version says otherwise, so a plain
 * rerun never moves Longhorn by surprise. Longhorn does not support downgrades.
 */
export function chartVersionFor(requested: string | undefined, source: ChartSource, release: HelmRelease | undefined): string | undefined {
  const installed = release && release.chartName === 'longhorn' && release.chartVersion ? release.chartVersion : undefined;
  if (requested !== undefined) {
    if (installed && compareVersions(requested, installed) < 0) {
      throw new UsageError(`--version ${requested} is older than the installed Longhorn ${installed}: Longhorn does not support downgrades`, {
        hint: `rerun without --version to keep ${installed}, or with a newer version`,
      });
    }
    return requested.replace(/^v/, '');
  }
  if (source.kind === 'local' || source.kind === 'oci') return undefined;
  return installed ?? LONGHORN_CHART.defaultVersion;
}

// ---------------------------------------------------------------------------------------------
// Install

export interface LonghornInstallFacts extends DefaultClassFacts {
  helm: HelmTool;
  release?: HelmRelease;
  namespaceExists: boolean;
}

export interface LonghornInstallRequest {
  chart: string;
  chartSource: ChartSource;
  version?: string;
  /** Path of the file holding `composed.ours`. */
  valuesFile: string;
  userValuesFiles: string[];
  sets: string[];
  /** A Go duration for Helm, and the same in ms for each wait. */
  timeout: string;
  timeoutMs: number;
  wait: boolean;
  /** Our values and the merged ones: the merged values decide the waits and the default class. */
  composed: ComposedLonghornValues;
  /** The Ingress login: the Secret to apply before Helm runs, or a note on why it is kept. */
  uiAuth?: { secret?: KubeObject; note?: string };
}

export interface LonghornInstallPlan {
  plan: Plan;
  /** The `helm upgrade --install` step's command: the one whose outcome is read from `helm status`. */
  helmCommand: ToolCommand;
  upgrading: boolean;
}

/** The StorageClass the chart (through longhorn-manager) makes from the merged values. */
function longhornClassExpectation(composed: ComposedLonghornValues): Expectation {
  return {
    type: 'exists',
    ref: classRef(LONGHORN_CLASS),
    fields: {
      provisioner: LONGHORN_PROVISIONER,
      reclaimPolicy: effectiveReclaimPolicy(composed.merged),
      parameters: { numberOfReplicas: String(effectiveReplicaCount(composed.merged)) },
      metadata: { annotations: { [DEFAULT_CLASS_ANNOTATION]: String(effectiveDefaultClass(composed.merged)) } },
    },
  };
}

export function planLonghornInstall(facts: LonghornInstallFacts, req: LonghornInstallRequest): LonghornInstallPlan {
  const blocker = releaseBlocker(facts.release, facts.helm.name);
  if (blocker) throw blocker;
  const upgrading = facts.release !== undefined;
  const plan = emptyPlan(upgrading ? `upgrade Longhorn in place (release ${LONGHORN_RELEASE} in ${ns})` : `install Longhorn ${req.version ?? ''}`.trim());
  plan.warnings.push(...req.composed.warnings);
  if (facts.release?.status === 'failed') plan.notes.push(`The last Helm operation on ${LONGHORN_RELEASE} failed (revision ${facts.release.revision}: ${facts.release.description || 'no description'}); this run upgrades it in place.`);

  if (req.uiAuth?.note) plan.notes.push(req.uiAuth.note);
  if (req.uiAuth?.secret) {
    // The Ingress points at this Secret from its first second: create it before Helm does the Ingress.
    const objects: KubeObject[] = [];
    if (!facts.namespaceExists) objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    objects.push(req.uiAuth.secret);
    plan.steps.push({ kind: 'apply', title: `Store the Longhorn UI login in Secret ${ns}/${req.uiAuth.secret.metadata.name}`, objects });
  }

  if (req.chartSource.kind === 'official') {
    plan.steps.push({ kind: 'run', title: `Point the Helm repository ${LONGHORN_CHART.repoName} at ${LONGHORN_CHART.repoUrl}`, command: helmCommands.repoAdd(facts.helm, LONGHORN_CHART.repoName, LONGHORN_CHART.repoUrl), timeoutMs: 120_000 });
    plan.steps.push({ kind: 'run', title: `Update the Helm repository ${LONGHORN_CHART.repoName}`, command: helmCommands.repoUpdate(facts.helm, LONGHORN_CHART.repoName), timeoutMs: 300_000 });
  } else if (req.chartSource.kind === 'repo') {
    plan.steps.push({ kind: 'run', title: `Update the Helm repository ${req.chartSource.repo}`, command: helmCommands.repoUpdate(facts.helm, req.chartSource.repo), timeoutMs: 300_000 });
  }

  // On an upgrade, Helm's own rollback keeps the working version when the new one fails. Not on
  // a first install: there it would uninstall, and Longhorn's uninstall hook refuses to run
  // (deleting-confirmation-flag), leaving a worse mess than a failed release.
  const rollbackOnFailure = upgrading && facts.release?.status === 'deployed' && req.wait;
  const helmCommand = helmCommands.upgradeInstall(facts.helm, {
    release: LONGHORN_RELEASE,
    chart: req.chart,
    namespace: ns,
    ...(req.version ? { version: req.version } : {}),
    valuesFiles: [req.valuesFile, ...req.userValuesFiles],
    sets: req.sets,
    timeout: req.timeout,
    rollbackOnFailure,
  });
  const from = facts.release?.chartVersion;
  plan.steps.push({
    kind: 'run',
    title: upgrading
      ? `Upgrade Longhorn ${from && req.version && from !== req.version ? `${from} to ${req.version}` : req.version ?? ''} in place with ${facts.helm.name}${rollbackOnFailure ? ' (rolled back if it fails)' : ''}`.replace(/ {2,}/g, ' ')
      : `Install Longhorn ${req.version ?? `from ${req.chart}`} with ${facts.helm.name}`,
    command: helmCommand,
    // Helm's --timeout bounds its hooks and waits; this only stops a Helm that hangs for good.
    timeoutMs: req.timeoutMs * 2 + 120_000,
  });

  const effectiveDefault = effectiveDefaultClass(req.composed.merged);
  const otherDefaults = facts.classes.filter((c) => isDefaultClass(c) && c.metadata.name !== LONGHORN_CLASS);
  if (req.wait) {
    for (const w of LONGHORN_WORKLOADS) {
      plan.steps.push({
        kind: 'wait',
        title: `Wait for ${w.ref.kind} ${w.ref.name}${w.note ? ` (${w.note})` : ''}`,
        until: { type: 'ready', ref: w.ref },
        timeoutMs: req.timeoutMs,
        hint: w.hint,
      });
    }
    plan.steps.push({
      kind: 'wait',
      title: `Wait for StorageClass ${LONGHORN_CLASS} to match the values`,
      until: longhornClassExpectation(req.composed),
      timeoutMs: req.timeoutMs,
      hint: 'longhorn-manager writes the class from ConfigMap longhorn-storageclass: kubectl -n longhorn-system logs ds/longhorn-manager',
    });
  } else {
    plan.notes.push('--no-wait: Helm has applied the chart, but Longhorn needs a few minutes to start; k8s-storage status shows when it is ready.');
  }

  // Exactly one default afterwards: when Longhorn's class is the default (by flag, by the
  // no-flag rule, or by the user's own values), the others stop being defaults. The chart
  // decides Longhorn's own flag through the values; here only the other classes change.
  const verify: Expectation[] = [];
  if (effectiveDefault && otherDefaults.length) {
    const longhornAfter: KubeObject = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: LONGHORN_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } } };
    const classesAfter = [...facts.classes.filter((c) => c.metadata.name !== LONGHORN_CLASS), longhornAfter];
    plan.steps.push(...defaultClassSteps(LONGHORN_CLASS, { ...facts, classes: classesAfter }));
    verify.push(...otherDefaults.map((c) => ({ type: 'default-class' as const, name: c.metadata.name, isDefault: false })));
  }
  if (req.wait) verify.push({ type: 'default-class', name: LONGHORN_CLASS, isDefault: effectiveDefault });
  if (verify.length) plan.steps.push({ kind: 'verify', title: effectiveDefault ? `Check that ${LONGHORN_CLASS} is the only default StorageClass` : 'Check the default StorageClass', expect: verify });
  return { plan, helmCommand, upgrading };
}

/** Everything the dry run shows besides the plan: Helm's argv and the values, ours and merged. */
export function installPreview(p: LonghornInstallPlan, composed: ComposedLonghornValues, valuesFile: string) {
  return { helm: { argv: [p.helmCommand.file, ...p.helmCommand.args], command: describeCommand(p.helmCommand) }, valuesFile, values: composed.ours, mergedValues: composed.merged };
}

/**
 * After `helm upgrade --install`: did it work? Decided by the release Helm recorded, since
 * Helm can exit 0 with a failed release; a non-zero exit is a failure whatever the status says.
 */
export function judgeInstallOutcome(r: Pick<ToolResult, 'exitCode' | 'stdout' | 'stderr'>, before: HelmRelease | undefined, after: HelmRelease | undefined, expect: { version?: string; helmName: string }): true | ClusterError {
  const said = `${r.stderr}\n${r.stdout}`.trim().split('\n').filter((l) => /error|fail/i.test(l)).slice(-2).join(' / ');
  const tail = said ? ` Helm said: ${said}` : '';
  const eventsHint = 'kubectl -n longhorn-system get events --sort-by=.lastTimestamp shows what failed; fix it, then rerun k8s-storage install longhorn (it upgrades in place)';
  if (!after) {
    const removed = /has been uninstalled due to/.test(r.stderr);
    return new ClusterError(`the Longhorn install failed${removed ? ' and Helm removed the release' : `: there is no release ${LONGHORN_RELEASE} in ${ns} afterwards (exit ${r.exitCode})`}.${tail}`, { hint: eventsHint });
  }
  if (after.status === 'pending-install' || after.status === 'pending-upgrade') {
    return new ClusterError(`Helm left the release ${LONGHORN_RELEASE} ${after.status} (exit ${r.exitCode}).${tail}`, { hint: releaseBlocker(after, expect.helmName)?.hint ?? eventsHint });
  }
  if (after.status !== 'deployed') {
    return new ClusterError(
      `Helm marked the release ${LONGHORN_RELEASE} ${after.status} (revision ${after.revision}${after.description ? `: ${after.description}` : ''})${r.exitCode === 0 ? ', although it exited 0' : ''}.${tail}`,
      { hint: eventsHint },
    );
  }
  if (r.exitCode !== 0) {
    const rolledBack = /^Rollback to/i.test(after.description) || /rolled back due to/.test(r.stderr);
    return new ClusterError(
      rolledBack
        ? `the Longhorn upgrade failed, and Helm rolled back to the previous version (now revision ${after.revision}, chart ${after.chartVersion}).${tail}`
        : `${expect.helmName} upgrade --install exited ${r.exitCode}.${tail}`,
      { hint: eventsHint },
    );
  }
  if (before && after.revision <= before.revision) {
    return new ClusterError(`${expect.helmName} said it succeeded, but the release ${LONGHORN_RELEASE} is still at revision ${after.revision}.`, { hint: `${expect.helmName} history ${LONGHORN_RELEASE} -n ${ns}` });
  }
  if (expect.version && after.chartVersion && after.chartVersion.replace(/^v/, '') !== expect.version.replace(/^v/, '')) {
    return new ClusterError(`Helm deployed chart version ${after.chartVersion}, not the ${expect.version} asked for.`, { hint: `${expect.helmName} history ${LONGHORN_RELEASE} -n ${ns}` });
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Uninstall

export interface LonghornUninstallFacts {
  helm: HelmBinary;
  release?: HelmRelease;
  namespace?: KubeObject & { status?: { phase?: string } };
  managerExists: boolean;
  /** The deleting-confirmation-flag Setting's value, undefined when there is no such Setting. */
  confirmationFlag?: string;
  /** Longhorn volumes (Volume CRs) and the claims of Longhorn classes, as names. */
  volumes: string[];
  claims: string[];
  longhornIsDefault: boolean;
}

export interface LonghornUninstallOptions {
  force: boolean;
  timeout: string;
  timeoutMs: number;
}

/** What `uninstall longhorn` would destroy, for the refusal and the confirmation. */
export function describeLonghornData(facts: Pick<LonghornUninstallFacts, 'volumes' | 'claims'>): string {
  const parts: string[] = [];
  if (facts.volumes.length) parts.push(`${facts.volumes.length} Longhorn volume${facts.volumes.length === 1 ? '' : 's'} (${facts.volumes.join(', ')})`);
  if (facts.claims.length) parts.push(`${facts.claims.length} claim${facts.claims.length === 1 ? '' : 's'} of Longhorn classes (${facts.claims.join(', ')})`);
  return parts.join(' and ');
}

export function planLonghornUninstall(facts: LonghornUninstallFacts, opts: LonghornUninstallOptions): Plan {
  const plan = emptyPlan(`uninstall Longhorn (release ${LONGHORN_RELEASE} and namespace ${ns})`);
  if (!facts.release && !facts.namespace) {
    plan.notes.push(`Longhorn is not installed: there is no Helm release ${LONGHORN_RELEASE} and no namespace ${ns}.`);
    return plan;
  }
  if (!facts.release && facts.managerExists) {
    throw new ClusterError(`Longhorn runs in ${ns}, but not from a Helm release named ${LONGHORN_RELEASE}: k8s-storage only uninstalls what Helm installed.`, {
      hint: 'uninstall it the way it was installed (for the manifest install: set deleting-confirmation-flag to true, then kubectl create -f https://raw.githubusercontent.com/longhorn/longhorn/<version>/uninstall/uninstall.yaml)',
    });
  }
  const data = describeLonghornData(facts);
  if (data && !opts.force) {
    throw new ClusterError(`refusing to uninstall Longhorn while it holds data: ${data}. Uninstalling deletes every Longhorn volume and its data.`, {
      hint: 'back up or move that data and delete the claims first, or add --force to delete it all',
    });
  }

  if (facts.release) {
    const noHooks = facts.confirmationFlag === undefined;
    if (noHooks) {
      // No Setting: longhorn-manager never started, so there is nothing for the uninstall job to clean, and it would fail.
      plan.notes.push(`Longhorn's settings do not exist (its manager never started): running helm uninstall without the chart's uninstall job.`);
    } else if (facts.confirmationFlag !== 'true') {
      const patch = deletingConfirmationPatch();
      plan.steps.push({ kind: 'patch', title: `Allow Longhorn's uninstall job to run (Setting ${patch.name} = "true")`, ref: DELETING_CONFIRMATION_SETTING, patch: patch.patch });
    }
    if (!noHooks) {
      plan.steps.push({ kind: 'verify', title: `Check that Setting ${DELETING_CONFIRMATION_SETTING.name} is "true"`, expect: [{ type: 'exists', ref: DELETING_CONFIRMATION_SETTING, fields: { value: 'true' } }] });
    }
    const cmd = helmCommands.uninstall(facts.helm, LONGHORN_RELEASE, ns, opts.timeout);
    if (noHooks) cmd.args.splice(cmd.args.indexOf('-n'), 0, '--no-hooks');
    plan.steps.push({
      kind: 'run',
      title: noHooks ? `Remove the Helm release ${LONGHORN_RELEASE}` : `Remove the Helm release ${LONGHORN_RELEASE} (Longhorn's uninstall job deletes its volumes and custom resources first)`,
      command: cmd,
      timeoutMs: opts.timeoutMs * 2 + 120_000,
    });
    plan.steps.push({ kind: 'wait', title: `Wait for DaemonSet ${LONGHORN_MANAGER_REF.name} to be gone`, until: { type: 'absent', ref: LONGHORN_MANAGER_REF }, timeoutMs: opts.timeoutMs });
  } else {
    plan.notes.push(`There is no Helm release ${LONGHORN_RELEASE} any more; removing what is left in ${ns}.`);
  }

  // The namespace goes last, and the CRDs are never deleted by hand: removed first, they leave
  // Longhorn's objects without a controller to clear their finalizers, and the namespace hangs.
  if (facts.namespace) {
    if (facts.namespace.status?.phase !== 'Terminating') plan.steps.push({ kind: 'delete', title: `Delete the namespace ${ns}`, refs: [LONGHORN_NAMESPACE_REF] });
    plan.steps.push({ kind: 'wait', title: `Wait for the namespace ${ns} to be gone`, until: { type: 'absent', ref: LONGHORN_NAMESPACE_REF }, timeoutMs: opts.timeoutMs });
  }
  if (facts.longhornIsDefault) plan.notes.push(`${LONGHORN_CLASS} was the default StorageClass: afterwards no class is the default until you choose one (k8s-storage default-class NAME).`);
  return plan;
}

/** After `helm uninstall`: the release must be gone, whatever Helm exited with. */
export function judgeUninstallOutcome(r: Pick<ToolResult, 'exitCode' | 'stdout' | 'stderr'>, after: HelmRelease | undefined, helmName: string): true | ClusterError {
  if (!after) return true;
  const text = `${r.stderr}\n${r.stdout}`.trim();
  const said = text.split('\n').filter(Boolean).slice(-2).join(' / ');
  if (/pre-delete|uninstall-job|longhorn-uninstall/.test(text)) {
    return new ClusterError(`Longhorn's uninstall job failed, so Helm kept the release ${LONGHORN_RELEASE} (${after.status}): ${said}`, {
      hint: `kubectl -n ${ns} logs job/longhorn-uninstall shows why; check that Setting deleting-confirmation-flag is "true" (kubectl -n ${ns} get settings.longhorn.io deleting-confirmation-flag), then rerun k8s-storage uninstall longhorn`,
    });
  }
  return new ClusterError(`${helmName} uninstall exited ${r.exitCode}, and the release ${LONGHORN_RELEASE} is still there (${after.status}).${said ? ` Helm said: ${said}` : ''}`, {
    hint: `${helmName} status ${LONGHORN_RELEASE} -n ${ns}`,
  });
}

/** Why a namespace stays Terminating, from its status conditions. */
export function namespaceStuckReasons(namespace: (KubeObject & { status?: { conditions?: { type?: string; status?: string; message?: string }[] } }) | undefined): string[] {
  return (namespace?.status?.conditions ?? []).filter((c) => c.status === 'True' && c.message).map((c) => `${c.type}: ${c.message}`);
}
