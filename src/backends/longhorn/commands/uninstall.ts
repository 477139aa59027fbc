/** `uninstall longhorn`: refuse while it holds data, confirm, then flag, helm uninstall, namespace, in that order. */
import { helmStatus } from '../../../cluster/helm.js';
import { HelmWorkdir, prepareHelm } from '../../../cluster/helm-workdir.js';
import type { KubeClient } from '../../../cluster/kube.js';
import type { ClusterSession } from '../../../cluster/session.js';
import type { Context } from '../../../context.js';
import { duration } from '../../../options/index.js';
import { ClusterError, hasReason, UsageError } from '../../../errors.js';
import { LONGHORN_API_VERSION } from '../resources.js';
import { confirmDestruction } from '../../../output/confirm.js';
import { isDefaultClass } from '../../../plan/expectations.js';
import type { Plan } from '../../../plan/types.js';
import {
  DELETING_CONFIRMATION_SETTING,
  describeLonghornData,
  LONGHORN_CLASS,
  LONGHORN_MANAGER_REF,
  LONGHORN_NAMESPACE,
  LONGHORN_NAMESPACE_REF,
  LONGHORN_PROVISIONER,
  LONGHORN_RELEASE,
  namespaceStuckReasons,
  type LonghornUninstallFacts,
  type LonghornUninstallOptions,
} from '../plan.js';
import type { KubeObject } from '../../../presets/types.js';
import { DEFAULT_LONGHORN_TIMEOUT } from './install.js';

/** Longhorn's Volume objects, or none when its CRDs are gone. */
async function longhornVolumes(kube: KubeClient): Promise<string[]> {
  const crd = await kube.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'volumes.longhorn.io' });
  if (!crd) return [];
  const volumes = await kube.list(LONGHORN_API_VERSION, 'Volume', { namespace: LONGHORN_NAMESPACE });
  return volumes.map((v) => v.metadata.name);
}

async function confirmationFlag(kube: KubeClient): Promise<string | undefined> {
  const crd = await kube.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'settings.longhorn.io' });
  if (!crd) return undefined;
  const setting = await kube.get<KubeObject & { value?: unknown }>(DELETING_CONFIRMATION_SETTING);
  return setting ? String(setting.value ?? '') : undefined;
}

export interface LonghornUninstallCliOptions extends LonghornUninstallOptions {
  yes: boolean;
}

export function parseLonghornUninstall(opts: Record<string, any>): LonghornUninstallCliOptions {
  const problems: string[] = [];
  const timeout: string = opts.timeout ?? DEFAULT_LONGHORN_TIMEOUT;
  const timeoutMs = duration('--timeout', timeout, problems) ?? 0;
  if (problems.length) throw new UsageError(problems);
  return { force: opts.force === true, timeout, timeoutMs, yes: opts.yes === true };
}

/** The facts planLonghornUninstall reads, and the Helm workdir to remove afterwards. */
export type LonghornUninstallGathered = LonghornUninstallFacts & { workdir: HelmWorkdir };

export async function gatherLonghornUninstall(ctx: Context, session: ClusterSession): Promise<LonghornUninstallGathered> {
  const kube = await session.kube();
  const workdir = new HelmWorkdir(false);
  try {
    const helm = await prepareHelm(ctx.global, kube, workdir, ctx.signal);
    const [release, namespace, manager, classes, claims, volumes, flag] = await Promise.all([
      helmStatus(helm, LONGHORN_RELEASE, LONGHORN_NAMESPACE, { signal: ctx.signal }),
      kube.get(LONGHORN_NAMESPACE_REF),
      kube.get(LONGHORN_MANAGER_REF),
      kube.list<KubeObject & { provisioner?: string }>('storage.k8s.io/v1', 'StorageClass'),
      kube.list<KubeObject & { spec?: { storageClassName?: string } }>('v1', 'PersistentVolumeClaim'),
      longhornVolumes(kube),
      confirmationFlag(kube),
    ]);
    const longhornClasses = new Set(classes.filter((c) => c.provisioner === LONGHORN_PROVISIONER).map((c) => c.metadata.name));
    const longhornClaims = claims.filter((c) => longhornClasses.has(c.spec?.storageClassName ?? '')).map((c) => `${c.metadata.namespace}/${c.metadata.name}`);
    return {
      workdir,
      helm,
      ...(release ? { release } : {}),
      ...(namespace ? { namespace } : {}),
      managerExists: manager !== undefined,
      ...(flag !== undefined ? { confirmationFlag: flag } : {}),
      volumes,
      claims: longhornClaims,
      longhornIsDefault: classes.some((c) => c.metadata.name === LONGHORN_CLASS && isDefaultClass(c)),
    };
  } catch (err) {
    await workdir.cleanup();
    throw err;
  }
}

export async function confirmLonghornUninstall(ctx: Context, plan: Plan, facts: LonghornUninstallGathered, opts: LonghornUninstallCliOptions): Promise<void> {
  if (!plan.steps.length) return;
  const data = describeLonghornData(facts);
  await confirmDestruction(ctx, `This removes Longhorn from the cluster${data ? ` and deletes ${data}` : ''}`, { yes: opts.yes, flag: 'uninstall longhorn' });
}

/** A namespace stuck Terminating is named with what holds it (only the namespace wait follows its deletion). */
export async function explainLonghornUninstallFailure(err: unknown, session: ClusterSession): Promise<unknown> {
  if (!hasReason(err, 'timeout')) return err;
  const kube = await session.kube();
  const ns = await kube.unaborted().get<KubeObject & { status?: { phase?: string } }>(LONGHORN_NAMESPACE_REF).catch(() => undefined);
  if (ns?.status?.phase !== 'Terminating') return err;
  const reasons = namespaceStuckReasons(ns as never);
  return new ClusterError(`the namespace ${LONGHORN_NAMESPACE} is stuck Terminating${reasons.length ? `: ${reasons.join('; ')}` : ''}.`, {
    hint: `kubectl api-resources --verbs=list --namespaced -o name | xargs -n1 kubectl get -n ${LONGHORN_NAMESPACE} --ignore-not-found shows what is left; never delete Longhorn's CRDs to unblock it`,
    reason: 'timeout',
  });
}

export async function reportLonghornUninstall(ctx: Context, _session: ClusterSession, plan: Plan): Promise<void> {
  if (plan.steps.length) ctx.log.success(`Longhorn is uninstalled: the release ${LONGHORN_RELEASE} and the namespace ${LONGHORN_NAMESPACE} are gone.`);
}
