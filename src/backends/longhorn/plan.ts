/**
 * Longhorn on the cluster: install or upgrade it with Helm and wait until it really works
 * (its CSI driver included), and take it down in the order Longhorn needs. Pure planners and
 * judgements: the commands gather the facts and run the plans.
 */
import type { HelmBinary, HelmRelease, HelmTool } from '../../cluster/helm.js';
import type { ObjectRef } from '../../cluster/kube.js';
import { describeCommand, type ToolCommand, type ToolResult } from '../../cluster/runner.js';
import { ClusterError } from '../../errors.js';
import { LONGHORN_CHART, LONGHORN_PROVISIONER } from './chart.js';
import { LONGHORN_CLASS, LONGHORN_WORKLOADS } from './workloads.js';
import { effectiveDefaultClass, effectiveReclaimPolicy, effectiveReplicaCount, type ComposedLonghornValues } from './compose.js';
import { deletingConfirmationPatch, LONGHORN_API_VERSION } from './resources.js';
import type { KubeObject } from '../../presets/types.js';
import { defaultClassSteps, type DefaultClassFacts } from '../../plan/default-class.js';
import { DEFAULT_CLASS_ANNOTATION, isDefaultClass } from '../../plan/expectations.js';
import {
  chartProblems,
  chartSourceOf as genericChartSourceOf,
  chartVersionFor as genericChartVersionFor,
  compareVersions,
  helmReleaseSteps,
  helmUninstallStep,
  judgeReleaseInstall,
  judgeReleaseUninstall,
  releaseBlocker as genericReleaseBlocker,
  type ChartSource,
  type ChartSpec,
} from '../../plan/helm-release.js';
import { emptyPlan, type ObjectExpectation, type Plan } from '../../plan/types.js';

export const LONGHORN_NAMESPACE = LONGHORN_CHART.namespace;
export const LONGHORN_RELEASE = LONGHORN_CHART.release;
export { LONGHORN_CLASS };
export { LONGHORN_PROVISIONER };
export const LONGHORN_UI_SERVICE = 'longhorn-frontend';

const ns = LONGHORN_NAMESPACE;
const deployment = (name: string): ObjectRef => ({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace: ns });
const daemonSet = (name: string): ObjectRef => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', name, namespace: ns });
const classRef = (name: string): ObjectRef => ({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', name });
export const LONGHORN_NAMESPACE_REF: ObjectRef = { apiVersion: 'v1', kind: 'Namespace', name: ns };
export const LONGHORN_MANAGER_REF = daemonSet('longhorn-manager');
export const DELETING_CONFIRMATION_SETTING: ObjectRef = { apiVersion: LONGHORN_API_VERSION, kind: 'Setting', name: deletingConfirmationPatch().name, namespace: ns };

export { LONGHORN_WORKLOADS };

// ---------------------------------------------------------------------------------------------
// The chart

/** The Longhorn chart as the generic Helm release step needs it. */
export const LONGHORN_HELM: ChartSpec = {
  title: 'Longhorn',
  repoName: LONGHORN_CHART.repoName,
  repoUrl: LONGHORN_CHART.repoUrl,
  chartRef: LONGHORN_CHART.chartRef,
  chartName: 'longhorn',
  version: LONGHORN_CHART.defaultVersion,
  release: LONGHORN_RELEASE,
  namespace: ns,
  installCommand: 'k8s-storage install longhorn',
  uninstallCommand: 'k8s-storage uninstall longhorn --yes',
  downgradeRefusal: 'Longhorn does not support downgrades',
  eventsCommand: `kubectl -n ${ns} get events --sort-by=.lastTimestamp`,
  uninstallHookHint: `kubectl -n ${ns} logs job/longhorn-uninstall shows why; check that Setting deleting-confirmation-flag is "true" (kubectl -n ${ns} get settings.longhorn.io deleting-confirmation-flag), then rerun k8s-storage uninstall longhorn`,
};

export type { ChartSource };

export const chartSourceOf = (chart: string | undefined, isLocalPath: boolean): ChartSource => genericChartSourceOf(LONGHORN_HELM, chart, isLocalPath);
export { chartProblems, compareVersions };

/** A release Helm cannot upgrade now, with the command that unblocks it. */
export const releaseBlocker = (release: HelmRelease | undefined, helmName: string): ClusterError | undefined => genericReleaseBlocker(LONGHORN_HELM, release, helmName);

/** The chart version to ask Helm for (pinned; a rerun keeps the installed one; no downgrades). */
export const chartVersionFor = (requested: string | undefined, source: ChartSource, release: HelmRelease | undefined): string | undefined => genericChartVersionFor(LONGHORN_HELM, requested, source, release);

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
  /** --monitoring: the NetworkPolicy admitting the observability addon's Prometheus (the ServiceMonitor comes from the values). */
  monitoringPolicy?: KubeObject;
}

export interface LonghornInstallPlan {
  plan: Plan;
  /** The `helm upgrade --install` step's command: the one whose outcome is read from `helm status`. */
  helmCommand: ToolCommand;
  upgrading: boolean;
}

/** The StorageClass the chart (through longhorn-manager) makes from the merged values. */
function longhornClassExpectation(composed: ComposedLonghornValues): ObjectExpectation {
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

  // On an upgrade, Helm's own rollback keeps the working version when the new one fails. Not on
  // a first install: there it would uninstall, and Longhorn's uninstall hook refuses to run
  // (deleting-confirmation-flag), leaving a worse mess than a failed release.
  const helm = helmReleaseSteps(LONGHORN_HELM, { helm: facts.helm, ...(facts.release ? { release: facts.release } : {}) }, {
    chart: req.chart,
    chartSource: req.chartSource,
    ...(req.version ? { version: req.version } : {}),
    valuesFiles: [req.valuesFile, ...req.userValuesFiles],
    sets: req.sets,
    timeout: req.timeout,
    timeoutMs: req.timeoutMs,
    rollbackOnFailure: req.wait,
  });
  plan.steps.push(...helm.steps);
  const helmCommand = helm.helmCommand;

  if (req.monitoringPolicy) {
    // After Helm, which made the namespace; the chart's own policy keeps restricting everything else.
    const policy = req.monitoringPolicy as KubeObject & { spec: unknown };
    const ref: ObjectRef = { apiVersion: policy.apiVersion, kind: policy.kind, name: policy.metadata.name, namespace: ns };
    plan.steps.push(
      { kind: 'apply', title: `Let the observability addon's Prometheus reach longhorn-manager's metrics (NetworkPolicy ${ns}/${ref.name})`, objects: [policy] },
      { kind: 'verify', title: `Check NetworkPolicy ${ns}/${ref.name}`, expect: [{ type: 'exists', ref, fields: { spec: policy.spec } }] },
    );
  }

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
  const verify: ObjectExpectation[] = [];
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
export function installPreview(p: Pick<LonghornInstallPlan, 'helmCommand'>, composed: ComposedLonghornValues, valuesFile: string) {
  return { helm: { argv: [p.helmCommand.file, ...p.helmCommand.args], command: describeCommand(p.helmCommand) }, valuesFile, values: composed.ours, mergedValues: composed.merged };
}

/** After `helm upgrade --install`: did it work? Decided by the release Helm recorded (src/plan/helm-release.ts). */
export function judgeInstallOutcome(r: Pick<ToolResult, 'exitCode' | 'stdout' | 'stderr'>, before: HelmRelease | undefined, after: HelmRelease | undefined, expect: { version?: string; helmName: string }): true | ClusterError {
  return judgeReleaseInstall(LONGHORN_HELM, r, before, after, expect);
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
  if (data) plan.warnings.push(`--force: this deletes ${data}, and their data with them.`);

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
    plan.steps.push(
      helmUninstallStep(LONGHORN_HELM, facts.helm, {
        timeout: opts.timeout,
        timeoutMs: opts.timeoutMs,
        noHooks,
        title: noHooks ? `Remove the Helm release ${LONGHORN_RELEASE}` : `Remove the Helm release ${LONGHORN_RELEASE} (Longhorn's uninstall job deletes its volumes and custom resources first)`,
      }),
    );
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
  return judgeReleaseUninstall(LONGHORN_HELM, r, after, helmName);
}

/** Why a namespace stays Terminating, from its status conditions. */
export function namespaceStuckReasons(namespace: (KubeObject & { status?: { conditions?: { type?: string; status?: string; message?: string }[] } }) | undefined): string[] {
  return (namespace?.status?.conditions ?? []).filter((c) => c.status === 'True' && c.message).map((c) => `${c.type}: ${c.message}`);
}
