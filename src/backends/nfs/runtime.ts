/**
 * NFS's IO, loaded only when an NFS command runs: flags -> typed options (every problem at
 * once), and the facts the planners read. Checks that need the cluster (the node preflight of
 * the in-cluster addon, an unknown --node, a Helm release stuck pending, a downgrade) run here
 * or in the pure planner, before anything changes.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { detectHelm, HELM_MISSING, helmStatus, locateHelm, type HelmTool } from '../../cluster/helm.js';
import type { KubeClient } from '../../cluster/kube.js';
import type { ClusterSession } from '../../cluster/session.js';
import { collectNodeReport } from '../../commands/nodes.js';
import type { Context } from '../../context.js';
import { ChecksFailed, UsageError } from '../../errors.js';
import { confirmDestruction } from '../../output/confirm.js';
import { parseSetFlag } from '../../cluster/helm-values.js';
import { assertNoProblems, duration, name as nameOption, oneOf, reclaimPolicy } from '../../options/index.js';
import { parseNodeRunOptions } from '../../nodes/options.js';
import { nodeReportVerdict } from '../../nodes/report.js';
import { chartProblems } from '../../plan/helm-release.js';
import type { KubeObject } from '../../presets/types.js';
import type { BackendRuntime, Obj } from '../types.js';
import { NFS_CHART } from './chart.js';
import { nfsPreset } from './preset.js';
import {
  ADDON,
  type NfsInstallFacts,
  type NfsInstallOptions,
  type NfsUninstallFacts,
  type NfsUninstallOptions,
  type NodeAddress,
  NFS_CONTROLLER,
  NFS_CSI_DRIVER,
  NFS_NODE,
} from './plan.js';

export const DEFAULT_NFS_TIMEOUT = '5m';
/** Flags of the csi-driver-nfs path that mean nothing to the in-cluster addon. */
const CSI_ONLY: [key: string, flag: string][] = [
  ['server', '--server'], ['share', '--share'], ['subDir', '--sub-dir'], ['mountOptions', '--mount-options'], ['onDelete', '--on-delete'],
  ['reclaimPolicy', '--reclaim-policy'], ['version', '--version'], ['chart', '--chart'], ['values', '-f/--values'], ['set', '--set'], ['name', '--name'],
];

function timeoutOf(raw: Record<string, unknown>, problems: string[]): { timeout: string; timeoutMs: number } {
  const timeout = String(raw.timeout ?? DEFAULT_NFS_TIMEOUT);
  return { timeout, timeoutMs: duration('--timeout', timeout, problems) ?? 0 };
}

export function parseNfsInstall(raw: Record<string, unknown>): NfsInstallOptions {
  const problems: string[] = [];
  const { timeout, timeoutMs } = timeoutOf(raw, problems);
  const verify = raw.verify !== false;
  const defaultClass = raw.defaultClass as boolean | undefined;
  if (raw.inCluster) {
    for (const [key, flag] of CSI_ONLY) {
      const v = raw[key];
      if (v !== undefined && !(Array.isArray(v) && v.length === 0)) {
        problems.push(`${flag}: not used with --in-cluster (the addon runs its own NFS server and makes class ${ADDON.className}); ${key === 'server' ? 'to use an existing server, drop --in-cluster' : 'drop one of them'}`);
      }
    }
    nameOption('--node', raw.node, problems);
    assertNoProblems(problems);
    return {
      mode: 'in-cluster',
      ...(raw.node !== undefined ? { node: String(raw.node) } : {}),
      ...(defaultClass !== undefined ? { defaultClass } : {}),
      timeoutMs,
      verify,
      skipPreflight: raw.skipPreflight === true,
      dryRun: raw.dryRun === true,
    };
  }
  if (raw.node !== undefined) problems.push('--node: only with --in-cluster (it picks the node that runs the in-cluster NFS server)');
  const name = String(raw.name ?? 'nfs');
  nameOption('--name', name, problems);
  const policy = reclaimPolicy('--reclaim-policy', raw.reclaimPolicy, problems);
  const onDelete = oneOf('--on-delete', raw.onDelete, ['delete', 'retain', 'archive'] as const, problems);
  problems.push(...nfsPreset.validate(raw));
  const valuesFiles = (raw.values as string[] | undefined) ?? [];
  for (const f of valuesFiles) if (!existsSync(f)) problems.push(`-f ${f}: no such file`);
  const sets = (raw.set as string[] | undefined) ?? [];
  for (const s of sets) problems.push(...parseSetFlag(s).problems);
  const chart = raw.chart as string | undefined;
  const localChart = chart !== undefined && existsSync(chart);
  problems.push(...chartProblems(chart, localChart));
  if (localChart && raw.version !== undefined) problems.push(`--version: not used with a local --chart (${chart} is the version installed)`);
  assertNoProblems(problems);
  return {
    mode: 'csi',
    server: String(raw.server),
    share: String(raw.share),
    name,
    ...(raw.subDir !== undefined ? { subDir: String(raw.subDir) } : {}),
    ...(raw.mountOptions !== undefined ? { mountOptions: String(raw.mountOptions) } : {}),
    ...(onDelete ? { onDelete } : {}),
    ...(policy ? { reclaimPolicy: policy } : {}),
    ...(defaultClass !== undefined ? { defaultClass } : {}),
    ...(raw.version !== undefined ? { version: String(raw.version) } : {}),
    ...(chart !== undefined ? { chart } : {}),
    valuesFiles,
    sets,
    timeout,
    timeoutMs,
    verify,
  };
}

export function parseNfsUninstall(raw: Record<string, unknown>): NfsUninstallOptions {
  const problems: string[] = [];
  const { timeout, timeoutMs } = timeoutOf(raw, problems);
  if (raw.inCluster && raw.name !== undefined) problems.push('--name: not used with --in-cluster (the addon has one class, nfs)');
  nameOption('--name', raw.name, problems);
  assertNoProblems(problems);
  return { mode: raw.inCluster ? 'in-cluster' : 'csi', ...(raw.name !== undefined ? { name: String(raw.name) } : {}), force: raw.force === true, yes: raw.yes === true, timeout, timeoutMs };
}

async function nodeAddresses(kube: KubeClient): Promise<(NodeAddress & { microk8s: boolean })[]> {
  const nodes = await kube.list<Obj>('v1', 'Node');
  return nodes.map((n) => {
    const labels = n.metadata.labels ?? {};
    return {
      name: n.metadata.name,
      addresses: (n.status?.addresses ?? []).filter((a: any) => a.type === 'InternalIP' || a.type === 'ExternalIP').map((a: any) => String(a.address)),
      microk8s: 'node.kubernetes.io/microk8s-controlplane' in labels || 'node.kubernetes.io/microk8s-worker' in labels,
    };
  });
}

/** Helm pointed at our cluster (--kubeconfig/--context handed on). */
async function nfsHelm(ctx: Context): Promise<HelmTool> {
  const g = ctx.global;
  const bin = await locateHelm({ ...(g.kubeconfig ? { kubeconfig: g.kubeconfig } : {}), ...(g.context ? { context: g.context } : {}) });
  if (!bin) throw HELM_MISSING;
  if (!g.kubeconfig && !process.env.KUBECONFIG && !existsSync(join(homedir(), '.kube', 'config')) && bin.file === 'helm') {
    throw new UsageError('helm needs a kubeconfig file to reach this cluster (k8s-storage found it through microk8s config)', { hint: 'microk8s config > ~/.kube/config, or pass --kubeconfig' });
  }
  return detectHelm(bin, { signal: ctx.signal });
}

/** `nodes check --for nfs`: the addon's volumes are kernel NFS mounts, so every node needs the NFS client. */
async function preflight(ctx: Context, session: ClusterSession): Promise<void> {
  const report = await collectNodeReport(ctx, parseNodeRunOptions('check', { for: 'nfs' }), session);
  const verdict = nodeReportVerdict(report);
  if (!verdict) return;
  const findings = report.nodes.flatMap((n) => n.checks.filter((c) => c.status === 'error').map((c) => `  - ${n.name}: ${c.message}${c.remedy ? ` (fix: ${c.remedy})` : ''}`));
  throw new ChecksFailed(`preflight: ${verdict.message}${findings.length ? `\n${findings.join('\n')}` : ''}\nNothing was installed.`, { hint: `${verdict.hint}; or install anyway with --skip-preflight` });
}

async function gatherNfsInstall(ctx: Context, session: ClusterSession, opts: NfsInstallOptions): Promise<NfsInstallFacts> {
  const kube = await session.kube();
  const [nodes, classes] = await Promise.all([nodeAddresses(kube), kube.list<KubeObject>('storage.k8s.io/v1', 'StorageClass')]);
  if (opts.mode === 'in-cluster') {
    const m8s = await session.requireMicrok8s();
    const statefulSet = await kube.get<Obj>(ADDON.statefulSet);
    if (!opts.skipPreflight && !opts.dryRun && m8s.addons[ADDON.name]?.status !== 'enabled') await preflight(ctx, session);
    return {
      mode: 'in-cluster',
      nodes,
      classes,
      communityEnabled: m8s.addons.community?.status === 'enabled',
      addonEnabled: m8s.addons[ADDON.name]?.status === 'enabled',
      ...(statefulSet ? { statefulSet } : {}),
    };
  }
  const helm = await nfsHelm(ctx);
  const release = await helmStatus(helm, NFS_CHART.release, NFS_CHART.namespace, { signal: ctx.signal });
  // The target cluster's own nodes say whether it is MicroK8s; the local microk8s only when no node is visible.
  const microk8s = nodes.length ? nodes.some((n) => n.microk8s) : (await session.microk8s().catch(() => undefined))?.kind === 'running';
  ctx.log.debug(`nfs: ${nodes.length} node(s), MicroK8s: ${microk8s}, release: ${release ? `${release.status} ${release.chartVersion}` : 'none'}`);
  return { mode: 'csi', microk8s, nodes, classes, helm, ...(release ? { release } : {}), localChart: opts.chart !== undefined && existsSync(opts.chart) };
}

async function gatherNfsUninstall(ctx: Context, session: ClusterSession, opts: NfsUninstallOptions): Promise<NfsUninstallFacts> {
  const kube = await session.kube();
  const [classes, volumes] = await Promise.all([kube.list<KubeObject>('storage.k8s.io/v1', 'StorageClass'), kube.list<Obj>('v1', 'PersistentVolume')]);
  if (opts.mode === 'in-cluster') {
    const m8s = await session.requireMicrok8s();
    const sts = await kube.get<Obj>(ADDON.statefulSet);
    const node = sts?.spec?.template?.spec?.nodeSelector?.['kubernetes.io/hostname'] as string | undefined;
    return { classes, volumes, driverObjects: false, addonEnabled: m8s.addons[ADDON.name]?.status === 'enabled', ...(node ? { addonNode: node } : {}) };
  }
  const [controller, node, driver] = await Promise.all([kube.get(NFS_CONTROLLER), kube.get(NFS_NODE), kube.get(NFS_CSI_DRIVER)]);
  const bin = await locateHelm({ ...(ctx.global.kubeconfig ? { kubeconfig: ctx.global.kubeconfig } : {}), ...(ctx.global.context ? { context: ctx.global.context } : {}) });
  const helm = bin ? await detectHelm(bin, { signal: ctx.signal }) : undefined;
  const release = helm ? await helmStatus(helm, NFS_CHART.release, NFS_CHART.namespace, { signal: ctx.signal }) : undefined;
  return { classes, volumes, ...(helm ? { helm } : {}), ...(release ? { release } : {}), driverObjects: Boolean(controller || node || driver) };
}

export const nfsRuntime: BackendRuntime<NfsInstallOptions, NfsInstallFacts, NfsUninstallOptions, NfsUninstallFacts> = {
  parseInstall: parseNfsInstall,
  gatherInstall: (ctx, session, opts) => gatherNfsInstall(ctx, session, opts),
  parseUninstall: parseNfsUninstall,
  gatherUninstall: gatherNfsUninstall,
  async confirmUninstall(ctx, plan, _facts, opts) {
    if (!plan.steps.length) return;
    // Said before the question, not after it.
    for (const w of plan.warnings.splice(0)) ctx.log.warn(w);
    await confirmDestruction(ctx, `This will ${plan.title}`, { yes: opts.yes, flag: 'uninstall nfs' });
  },
  async reportInstall(ctx, _session, plan) {
    ctx.log.success(`${plan.title}: done, and proven${plan.steps.some((s) => s.kind === 'wait' && s.until.type === 'pvc-bound') ? ' by a claim that bound' : ''}.`);
  },
  async reportUninstall(ctx, _session, plan) {
    if (plan.steps.length) ctx.log.success(`${plan.title}: done.`);
  },
};
