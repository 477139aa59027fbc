/** `uninstall longhorn`: refuse while it holds data, confirm, then flag, helm uninstall, namespace, in that order. */
import { helmStatus } from '../cluster/helm.js';
import { HelmWorkdir, prepareHelm } from '../cluster/helm-workdir.js';
import type { KubeClient } from '../cluster/kube.js';
import { ClusterSession } from '../cluster/session.js';
import type { Context } from '../context.js';
import { parseDuration } from '../options/index.js';
import { ClusterError, hasReason } from '../errors.js';
import { LONGHORN_API_VERSION } from '../longhorn/resources.js';
import { confirmDestruction } from '../output/confirm.js';
import { isDefaultClass } from '../plan/expectations.js';
import { executePlan } from '../plan/executor.js';
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
  planLonghornUninstall,
} from '../plan/longhorn.js';
import type { KubeObject } from '../presets/types.js';
import { runPlan } from './run-plan.js';
import { DEFAULT_LONGHORN_TIMEOUT } from './longhorn-install.js';

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

export async function uninstallLonghorn(ctx: Context, opts: Record<string, any>): Promise<void> {
  const timeout: string = opts.timeout ?? DEFAULT_LONGHORN_TIMEOUT;
  const timeoutMs = parseDuration('--timeout', timeout);
  const dryRun = opts.dryRun === true;
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  const workdir = new HelmWorkdir(dryRun);
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
    const facts = {
      helm,
      ...(release ? { release } : {}),
      ...(namespace ? { namespace } : {}),
      managerExists: manager !== undefined,
      ...(flag !== undefined ? { confirmationFlag: flag } : {}),
      volumes,
      claims: longhornClaims,
      longhornIsDefault: classes.some((c) => c.metadata.name === LONGHORN_CLASS && isDefaultClass(c)),
    };
    const plan = planLonghornUninstall(facts, { force: opts.force === true, timeout, timeoutMs });
    if (plan.steps.length === 0) {
      if (dryRun) await runPlan(ctx, session, plan, { dryRun });
      else for (const n of plan.notes) ctx.log.info(n);
      return;
    }

    const data = describeLonghornData(facts);
    if (data) plan.warnings.push(`--force: this deletes ${data}, and their data with them.`);
    if (dryRun) {
      await runPlan(ctx, session, plan, { dryRun });
      return;
    }
    await confirmDestruction(ctx, `This removes Longhorn from the cluster${data ? ` and deletes ${data}` : ''}`, { yes: opts.yes, flag: 'uninstall longhorn' });

    try {
      await executePlan(plan, { log: ctx.log, signal: ctx.signal, kube: () => session.kube() });
    } catch (err) {
      if (hasReason(err, 'timeout')) {
        // Only the namespace wait comes after its deletion: a Terminating namespace is what timed out.
        const ns = await kube.get<KubeObject & { status?: { phase?: string } }>(LONGHORN_NAMESPACE_REF).catch(() => undefined);
        if (ns?.status?.phase === 'Terminating') {
          const reasons = namespaceStuckReasons(ns as never);
          throw new ClusterError(`the namespace ${LONGHORN_NAMESPACE} is stuck Terminating${reasons.length ? `: ${reasons.join('; ')}` : ''}.`, {
            hint: `kubectl api-resources --verbs=list --namespaced -o name | xargs -n1 kubectl get -n ${LONGHORN_NAMESPACE} --ignore-not-found shows what is left; never delete Longhorn's CRDs to unblock it`,
          });
        }
      }
      throw err;
    }
    ctx.log.success(`Longhorn is uninstalled: the release ${LONGHORN_RELEASE} and the namespace ${LONGHORN_NAMESPACE} are gone.`);
  } finally {
    await workdir.cleanup();
  }
}
