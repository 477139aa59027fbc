/** `install longhorn`: Helm chart with values built from the cluster's facts, then wait until volumes can be made. */
import { existsSync } from 'node:fs';
import { helmStatus, type HelmRelease, type HelmTool } from '../../../cluster/helm.js';
import { HelmWorkdir, prepareHelm } from '../../../cluster/helm-workdir.js';
import type { KubeClient } from '../../../cluster/kube.js';
import type { ClusterSession } from '../../../cluster/session.js';
import { outputFormat, type Context } from '../../../context.js';
import { duration } from '../../../options/index.js';
import { ChecksFailed, ClusterError, UsageError } from '../../../errors.js';
import { prometheusNetworkPolicy, SERVICE_MONITOR_API } from '../monitoring.js';
import { LONGHORN_CHART } from '../chart.js';
import { composeLonghornValues, effectiveDefaultClass, effectiveReplicaCount, type ComposedLonghornValues } from '../compose.js';
import { buildUiAuthSecret, generatePassword, htpasswdProblems, UI_AUTH_SECRET_KEY, verifyHtpasswd } from '../ui-auth.js';
import { DEFAULT_UI_AUTH_SECRET, parseSetFlag, renderLonghornValuesYaml, validateLonghornInstallOptions } from '../values.js';
import { formatPlan, planDocument } from '../../../output/plan.js';
import { formatData } from '../../../output/print.js';
import { readClassSources } from '../../../plan/default-class.js';
import type { Plan, Step } from '../../../plan/types.js';
import {
  chartProblems,
  chartSourceOf,
  chartVersionFor,
  decideDefaultClass,
  installPreview,
  LONGHORN_CLASS,
  LONGHORN_NAMESPACE,
  LONGHORN_NAMESPACE_REF,
  LONGHORN_RELEASE,
  planLonghornInstall,
  releaseBlocker,
  type LonghornInstallFacts,
  type LonghornInstallRequest,
} from '../plan.js';
import { parseNodeRunOptions } from '../../../nodes/options.js';
import { nodeReportVerdict } from '../../../nodes/report.js';
import type { KubeObject } from '../../../presets/types.js';
import { readUserValuesFiles, valueOptionsOf } from './values.js';
import { collectNodeReport } from '../../../commands/nodes.js';

export const DEFAULT_LONGHORN_TIMEOUT = '10m';
export const DEFAULT_UI_USER = 'admin';
/** What a dry run calls the temporary files it would write. */
const DRY_RUN_VALUES_FILE = 'k8s-storage-longhorn-values.yaml';

// ---------------------------------------------------------------------------------------------
// Preflight

export type PreflightResult = { ok: true; warnings: number } | { ok: false; message: string; hint: string; findings: string[] };

/**
 * Node checks before Helm runs: what `nodes check --for longhorn` reports (open-iscsi,
 * nfs-common, iscsid, kernel modules, multipathd, disk at the data path, memory), run through
 * the same agent DaemonSet. A node in error stops the install: Longhorn would start and then
 * fail to attach volumes there.
 */
export async function preflight(ctx: Context, session: ClusterSession, opts: { dataPath?: string }): Promise<PreflightResult> {
  const report = await collectNodeReport(ctx, parseNodeRunOptions('check', { for: 'longhorn', ...(opts.dataPath !== undefined ? { dataPath: opts.dataPath } : {}) }), session);
  const verdict = nodeReportVerdict(report);
  if (!verdict) return { ok: true, warnings: report.summary.warning };
  const findings = report.nodes.flatMap((n) => n.checks.filter((c) => c.status === 'error').map((c) => `${n.name}: ${c.message}${c.remedy ? ` (fix: ${c.remedy})` : ''}`));
  return { ok: false, message: verdict.message, hint: verdict.hint, findings };
}

// ---------------------------------------------------------------------------------------------
// Options

function stripOneNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

// ---------------------------------------------------------------------------------------------
// The command

interface UiAuthDecision {
  secret?: KubeObject;
  note?: string;
  /** A password we made up: shown once, before anything runs. */
  generated?: { user: string; password: string };
}

async function decideUiAuth(kube: KubeClient, o: { user: string; secretName: string; password?: string; dryRun: boolean }): Promise<UiAuthDecision> {
  const existing = await kube.get<KubeObject & { data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', name: o.secretName, namespace: LONGHORN_NAMESPACE });
  const where = `Secret ${LONGHORN_NAMESPACE}/${o.secretName}`;
  if (existing) {
    const lines = Buffer.from(existing.data?.[UI_AUTH_SECRET_KEY] ?? '', 'base64').toString('utf8').split('\n').filter(Boolean);
    if (o.password === undefined) return { note: `Keeping the existing UI login in ${where}; its password is unchanged (to set a new one, pass --password-stdin).` };
    if (lines.some((l) => l.startsWith(`${o.user}:`) && verifyHtpasswd(l, o.password!))) return { note: `The UI login in ${where} already has this user and password.` };
  }
  const password = o.password ?? (o.dryRun ? 'dry-run-placeholder' : generatePassword());
  const secret = buildUiAuthSecret({ name: o.secretName, namespace: LONGHORN_NAMESPACE, user: o.user, password, cost: o.dryRun ? 4 : undefined });
  if (o.dryRun) (secret as { stringData: Record<string, string> }).stringData[UI_AUTH_SECRET_KEY] = `${o.user}:<bcrypt hash of the ${o.password === undefined ? 'generated' : 'given'} password>`;
  return {
    secret: secret as unknown as KubeObject,
    ...(existing ? { note: `Replacing the UI login in ${where} with the password from stdin.` } : {}),
    ...(o.password === undefined && !o.dryRun ? { generated: { user: o.user, password } } : {}),
  };
}

async function readRelease(helm: HelmTool, ctx: Context): Promise<HelmRelease | undefined> {
  return helmStatus(helm, LONGHORN_RELEASE, LONGHORN_NAMESPACE, { signal: ctx.signal });
}

/** `install longhorn`'s flags, checked offline (every problem at once); the password is read from stdin when gathering. */
export interface LonghornInstallOptions {
  raw: Record<string, any>;
  dryRun: boolean;
  valueOptions: ReturnType<typeof valueOptionsOf>;
  timeout: string;
  timeoutMs: number;
  userFiles: ReturnType<typeof readUserValuesFiles>;
  isLocalChart: boolean;
  ingress: boolean;
  user: string;
  /** --monitoring: ServiceMonitor values and the Prometheus NetworkPolicy. */
  monitoring: boolean;
}

export function parseLonghornInstall(opts: Record<string, any>): LonghornInstallOptions {
  const problems: string[] = [];
  const valueOptions = valueOptionsOf(opts, problems);
  const timeout: string = opts.timeout ?? DEFAULT_LONGHORN_TIMEOUT;
  const timeoutMs = duration('--timeout', timeout, problems) ?? 0;
  const userFiles = readUserValuesFiles(opts.values ?? []);
  problems.push(...userFiles.problems);
  const isLocalChart = opts.chart !== undefined && existsSync(opts.chart);
  problems.push(...chartProblems(opts.chart, isLocalChart));
  if (opts.chart !== undefined && isLocalChart && opts.version !== undefined) problems.push(`--version: not used with a local --chart (${opts.chart} is the version installed)`);
  problems.push(...validateLonghornInstallOptions({ microk8s: true, ...valueOptions }), ...(opts.set ?? []).flatMap((flag: string) => parseSetFlag(flag).problems));
  const ingress = (valueOptions.ui ?? 'port-forward') === 'ingress';
  if (opts.passwordStdin && !ingress) problems.push('--password-stdin: the UI login is only used with --ui ingress');
  const user: string = opts.uiUser ?? DEFAULT_UI_USER;
  if (opts.uiUser !== undefined && !ingress) problems.push('--ui-user: the UI login is only used with --ui ingress');
  if (problems.length) throw new UsageError(problems);
  return { raw: opts, dryRun: opts.dryRun === true, valueOptions, timeout, timeoutMs, userFiles, isLocalChart, ingress, user, monitoring: opts.monitoring === true };
}

/** What planLonghornInstall needs, read once; `workdir` holds Helm's temporary files until `release`. */
export interface LonghornInstallGathered {
  workdir: HelmWorkdir;
  helm: HelmTool;
  facts: LonghornInstallFacts;
  request: LonghornInstallRequest;
  composed: ComposedLonghornValues;
  defaultNote?: string;
  uiAuth?: UiAuthDecision;
  valuesFile: string;
  version?: string;
}

export async function gatherLonghornInstall(ctx: Context, session: ClusterSession, o: LonghornInstallOptions): Promise<LonghornInstallGathered> {
  const opts = o.raw;
  let password: string | undefined;
  if (opts.passwordStdin && o.ingress) {
    // Still before the cluster is touched: a bad password is a usage error like the flags.
    password = stripOneNewline(await ctx.readStdin());
    const problems = htpasswdProblems(o.user, password);
    if (problems.length) throw new UsageError(problems);
  }
  const { dryRun, valueOptions } = o;
  const kube = await session.kube();
  const workdir = new HelmWorkdir(dryRun);
  try {
    const [nodes, classes, sources, namespace, local, servesMonitors] = await Promise.all([
      session.nodes(),
      kube.list('storage.k8s.io/v1', 'StorageClass'),
      readClassSources(kube),
      kube.get(LONGHORN_NAMESPACE_REF),
      session.microk8s().catch(() => undefined),
      o.monitoring ? kube.serves(SERVICE_MONITOR_API, 'ServiceMonitor') : Promise.resolve(true),
    ]);
    // Helm would fail half-way on the chart's ServiceMonitor ("no matches for kind"): refuse now.
    if (!servesMonitors) {
      throw new ClusterError(`--monitoring: the cluster does not serve ServiceMonitors (${SERVICE_MONITOR_API}), so nothing would scrape Longhorn. Nothing was installed.`, {
        hint: `enable the observability addon first (microk8s enable observability), then rerun k8s-storage install longhorn --monitoring`,
      });
    }
    const helm = await prepareHelm(ctx.global, kube, workdir, ctx.signal);
    ctx.log.debug(`helm: ${helm.name} ${helm.version}`);
    const release = await readRelease(helm, ctx);
    const blocker = releaseBlocker(release, helm.name);
    if (blocker) throw blocker;

    // The target cluster's own nodes say whether it is MicroK8s (a local microk8s may not be the
    // cluster the kubeconfig points at); the local one decides only when no node is visible.
    const microk8s: boolean = opts.microk8s ?? (nodes.length ? nodes.some((n) => n.microk8s) : local?.kind === 'running');
    ctx.log.debug(`cluster: ${nodes.length} node(s), MicroK8s: ${microk8s}, Helm release: ${release ? `${release.status} revision ${release.revision}` : 'none'}`);

    // Refused now, before any node is touched: a downgrade Longhorn does not support.
    const chartSource = chartSourceOf(opts.chart, o.isLocalChart);
    const version = chartVersionFor(opts.version, chartSource, release);

    if (!opts.skipPreflight && !dryRun) {
      const pre = await preflight(ctx, session, { ...(valueOptions.dataPath !== undefined ? { dataPath: valueOptions.dataPath } : {}) });
      if (!pre.ok) {
        throw new ChecksFailed(`preflight: ${pre.message}${pre.findings.length ? `\n${pre.findings.map((f) => `  - ${f}`).join('\n')}` : ''}\nNothing was installed.`, {
          hint: `${pre.hint}; or install anyway with --skip-preflight`,
        });
      }
      if (pre.warnings) ctx.log.warn(`preflight: ${pre.warnings} node(s) have warnings for Longhorn; k8s-storage nodes check shows them.`);
    }

    const defaultDecision = decideDefaultClass(opts.defaultClass, classes);
    const composed = composeLonghornValues({ ...valueOptions, ...(o.monitoring ? { monitoring: true } : {}), microk8s, nodeCount: Math.max(1, nodes.length), defaultClass: defaultDecision.defaultClass }, o.userFiles.files, opts.set ?? []);
    const uiAuth = o.ingress
      ? await decideUiAuth(kube, { user: o.user, secretName: valueOptions.authSecretName ?? DEFAULT_UI_AUTH_SECRET, ...(password !== undefined ? { password } : {}), dryRun })
      : undefined;
    const valuesFile = await workdir.write(dryRun ? DRY_RUN_VALUES_FILE : 'longhorn-values.yaml', renderLonghornValuesYaml(composed.ours, version ?? LONGHORN_CHART.defaultVersion));
    return {
      workdir,
      helm,
      facts: { helm, classes, ...sources, ...(release ? { release } : {}), namespaceExists: namespace !== undefined },
      request: {
        chart: opts.chart ?? LONGHORN_CHART.chartRef,
        chartSource,
        ...(version ? { version } : {}),
        valuesFile,
        userValuesFiles: opts.values ?? [],
        sets: opts.set ?? [],
        timeout: o.timeout,
        timeoutMs: o.timeoutMs,
        wait: opts.wait !== false,
        composed,
        ...(uiAuth ? { uiAuth } : {}),
        ...(o.monitoring ? { monitoringPolicy: prometheusNetworkPolicy(LONGHORN_NAMESPACE) } : {}),
      },
      composed,
      ...(defaultDecision.note ? { defaultNote: defaultDecision.note } : {}),
      ...(uiAuth ? { uiAuth } : {}),
      valuesFile,
      ...(version ? { version } : {}),
    };
  } catch (err) {
    await workdir.cleanup();
    throw err;
  }
}

/** --dry-run: the plan, then our values file and (with -f/--set) the values Helm ends up with; -o json|yaml for machines. */
export function dryRunLonghornInstall(ctx: Context, plan: Plan, g: LonghornInstallGathered, o: LonghornInstallOptions): void {
  const format = outputFormat(ctx, ['text', 'json', 'yaml'] as const, 'text');
  const helmCommand = plan.steps.find((s): s is Extract<Step, { kind: 'run' }> => s.kind === 'run' && (s.verify ?? []).some((e) => e.type === 'helm-release'))!.command;
  const preview = installPreview({ helmCommand }, g.composed, g.valuesFile);
  const values = renderLonghornValuesYaml(g.composed.ours, g.version ?? LONGHORN_CHART.defaultVersion);
  if (format === 'text') {
    const userGiven = (o.raw.values ?? []).length + (o.raw.set ?? []).length > 0;
    ctx.out(formatPlan(plan, 'text'));
    ctx.out(`\nValues file ${g.valuesFile} (written to a private temporary directory, given to Helm first):\n${values}`);
    if (userGiven) ctx.out(`\nValues Helm ends up with, after your -f files and --set flags:\n${formatData(g.composed.merged, 'yaml')}`);
  } else {
    ctx.out(formatData(planDocument(plan, preview), format));
  }
}

/** Before anything changes: a generated UI password is shown once. */
export async function confirmLonghornInstall(ctx: Context, _plan: Plan, g: LonghornInstallGathered, o: LonghornInstallOptions): Promise<void> {
  if (!g.uiAuth?.generated) return;
  ctx.log.write(`Longhorn UI login: user ${g.uiAuth.generated.user}, password ${g.uiAuth.generated.password}`);
  ctx.log.write(`  (shown only this once; Secret ${LONGHORN_NAMESPACE}/${o.valueOptions.authSecretName ?? DEFAULT_UI_AUTH_SECRET} keeps only its bcrypt hash)`);
}

export async function reportLonghornInstall(ctx: Context, _session: ClusterSession, _plan: Plan, g: LonghornInstallGathered, o: LonghornInstallOptions): Promise<void> {
  const { valueOptions } = o;
  const replicas = effectiveReplicaCount(g.composed.merged);
  const isDefault = effectiveDefaultClass(g.composed.merged);
  const after = await readRelease(g.helm, ctx);
  const what = `Longhorn ${after?.chartVersion ?? g.version ?? ''}`.trim();
  if (o.raw.wait === false) ctx.log.success(`${what} is installed (not waited for): StorageClass ${LONGHORN_CLASS} appears once longhorn-manager runs; k8s-storage status shows when it is ready.`);
  else ctx.log.success(`${what} is ready: StorageClass ${LONGHORN_CLASS}${isDefault ? ' (the default)' : ''} with ${replicas} replica${replicas === 1 ? '' : 's'} per volume.`);
  const ui = valueOptions.ui ?? 'port-forward';
  if (ui === 'ingress') ctx.log.info(`UI: http://${valueOptions.host}/ (login ${o.user}; put TLS in front before using it outside a trusted network)`);
  else if (ui === 'port-forward') ctx.log.info('UI: k8s-storage ui   (forwards http://127.0.0.1:8080 to it)');
  else ctx.log.info(`UI: the ${ui === 'nodeport' ? 'NodePort' : 'LoadBalancer'} Service ${LONGHORN_NAMESPACE}/longhorn-frontend (kubectl -n ${LONGHORN_NAMESPACE} get svc longhorn-frontend)`);
  ctx.log.info(`The ${LONGHORN_CLASS} class follows the chart values (Longhorn undoes hand edits): rerun install longhorn to change it; for other settings add a class, e.g. k8s-storage apply storageclass longhorn --name longhorn-2replicas --replicas 2`);
}
