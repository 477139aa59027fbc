/** `apply pvc|storageclass|app`: what `render` prints, applied to the cluster and checked. */
import type { KubeClient } from '../cluster/kube.js';
import { ClusterSession } from '../cluster/session.js';
import type { Context } from '../context.js';
import { parseDuration } from '../options/index.js';
import { UsageError } from '../errors.js';
import { buildApp } from '../manifests/app.js';
import { parseVolumeFlags } from '../manifests/common.js';
import { buildPvc } from '../manifests/pvc.js';
import { buildStorageClass } from '../manifests/storageclass.js';
import { planApply, planApplyStorageClass } from '../plan/apply.js';
import { readClassSources } from '../plan/default-class.js';
import { isDefaultClass } from '../plan/expectations.js';
import { outputFormat } from '../context.js';
import { formatObjects } from '../output/print.js';
import type { PlanResult } from '../plan/executor.js';
import type { KubeObject, StorageClassObject } from '../presets/types.js';
import { assertSchemaValid } from './render.js';
import { runPlan } from './run-plan.js';

function contextNamespace(kube: KubeClient): string {
  return kube.kc.getContextObject(kube.kc.getCurrentContext())?.namespace ?? 'default';
}

/** Checks the claim flags against the class the cluster really has (offline checks know names only). */
function classProblems(opts: Record<string, any>, classes: StorageClassObject[]): string[] {
  const wanted: string | undefined = opts.storageClass;
  const defaults = classes.filter(isDefaultClass);
  const sc = wanted === undefined ? (defaults.length === 1 ? defaults[0] : undefined) : classes.find((c) => c.metadata.name === wanted);
  if (wanted !== undefined && !sc) {
    return [`--storage-class: StorageClass "${wanted}" does not exist; the cluster has: ${classes.map((c) => c.metadata.name).join(', ') || '(none)'}`];
  }
  return sc ? parseVolumeFlags({ ...opts, storageClass: sc.metadata.name }, sc.provisioner).problems : [];
}

async function applyObjects(ctx: Context, objects: KubeObject[], opts: Record<string, any>): Promise<void> {
  await assertSchemaValid(objects);
  const timeoutMs = parseDuration('--timeout', opts.timeout ?? '2m');
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  const namespace = ctx.global.namespace ?? contextNamespace(kube);
  const classes = await kube.list<StorageClassObject>('storage.k8s.io/v1', 'StorageClass');
  const problems = objects.some((o) => o.kind !== 'StorageClass') ? classProblems(opts, classes) : [];
  if (problems.length) throw new UsageError(problems);
  const namespaces = [...new Set(objects.filter((o) => o.kind !== 'StorageClass').map((o) => o.metadata.namespace ?? namespace))];
  const found = await Promise.all(namespaces.map((name) => kube.get({ apiVersion: 'v1', kind: 'Namespace', name })));
  const secrets = objects.filter((o) => o.kind === 'Secret');
  const existing = await Promise.all(secrets.map((s) => kube.get({ apiVersion: 'v1', kind: 'Secret', name: s.metadata.name, namespace: s.metadata.namespace ?? namespace })));
  const plan = planApply(objects, {
    classes,
    existingSecrets: new Set(existing.filter(Boolean).map((s) => `${s!.metadata.namespace}/${s!.metadata.name}`)),
    missingNamespaces: namespaces.filter((_, i) => !found[i]),
    defaultNamespace: namespace,
  }, { wait: opts.wait === true, timeoutMs, forceConflicts: opts.forceConflicts === true });
  report(ctx, await runPlan(ctx, session, plan, opts), opts, objects.map((o) => `${o.kind.toLowerCase()}/${o.metadata.name}`));
}

/**
 * After a run: a message on stderr, and with -o yaml|json|name the objects as the server
 * returned them on stdout (as `kubectl apply -o`); nothing for --dry-run, which printed the plan.
 */
function report(ctx: Context, result: PlanResult | undefined, opts: Record<string, any>, names: string[]): void {
  if (!result) return;
  const serverDryRun = opts.dryRun === 'server';
  ctx.log.success(`${serverDryRun ? 'server dry run: would apply' : 'applied'} ${names.join(', ')}`);
  if (ctx.global.output !== undefined) ctx.out(formatObjects(result.applied, outputFormat(ctx, ['yaml', 'json', 'name'] as const, 'yaml')));
}

export async function applyPvc(ctx: Context, name: string, opts: Record<string, any>): Promise<void> {
  await applyObjects(ctx, [buildPvc({ ...opts, name })], opts);
}

export async function applyApp(ctx: Context, preset: string, opts: Record<string, any>): Promise<void> {
  const password = opts.passwordStdin ? (await ctx.readStdin()).replace(/\r?\n$/, '') : undefined;
  const app = buildApp({ ...opts, preset, ...(password !== undefined ? { password } : {}) });
  await applyObjects(ctx, app.objects, opts);
}

export async function applyStorageClass(ctx: Context, preset: string, opts: Record<string, any>): Promise<void> {
  const sc = buildStorageClass({ ...opts, preset });
  const session = new ClusterSession(ctx);
  await assertSchemaValid([sc]);
  const kube = await session.kube();
  const [classes, sources] = await Promise.all([kube.list<StorageClassObject>('storage.k8s.io/v1', 'StorageClass'), readClassSources(kube)]);
  const plan = planApplyStorageClass(sc, { classes, ...sources }, { forceConflicts: opts.forceConflicts === true, makeDefault: opts.default === true });
  report(ctx, await runPlan(ctx, session, plan, opts), opts, [`storageclass/${sc.metadata.name}`]);
}
