/** `install snapshot-controller` / `uninstall snapshot-controller`: CSI snapshot CRDs and controller (src/snapshots/controller.ts). */
import type { KubeClient } from '../cluster/kube.js';
import { timeoutOf } from '../cluster/claims.js';
import { ClusterSession } from '../cluster/session.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { confirmDestruction } from '../output/confirm.js';
import {
  crdFacts,
  planSnapshotControllerInstall,
  planSnapshotControllerUninstall,
  snapshotControllerObjects,
  SNAPSHOT_API_VERSION,
  SNAPSHOT_CONTROLLER,
  SNAPSHOT_CONTROLLER_VERSION,
  type SnapshotControllerFacts,
} from '../snapshots/controller.js';
import type { KubeObject } from '../presets/types.js';
import { runPlan } from './run-plan.js';

async function gather(kube: KubeClient, objects: KubeObject[], withSnapshots: boolean): Promise<SnapshotControllerFacts> {
  const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
  const [read, deployment] = await Promise.all([Promise.all(crds.map((c) => kube.get<any>({ apiVersion: c.apiVersion, kind: c.kind, name: c.metadata.name }))), kube.get<any>(SNAPSHOT_CONTROLLER)]);
  const snapshots = withSnapshots && (await kube.serves(SNAPSHOT_API_VERSION, 'VolumeSnapshot')) ? (await kube.list<any>(SNAPSHOT_API_VERSION, 'VolumeSnapshot')).map((s) => ({ namespace: s.metadata.namespace, name: s.metadata.name })) : undefined;
  return { crds: crdFacts(read), ...(deployment ? { deployment } : {}), ...(snapshots ? { snapshots } : {}) };
}

export async function installSnapshotController(ctx: Context, opts: Record<string, any>): Promise<void> {
  const problems: string[] = [];
  const timeoutMs = timeoutOf(opts, '5m', problems);
  if (problems.length) throw new UsageError(problems);
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  const objects = snapshotControllerObjects();
  const plan = planSnapshotControllerInstall(await gather(kube, objects, false), objects, timeoutMs);
  const result = await runPlan(ctx, session, plan, opts);
  if (!result) return;
  ctx.log.success(plan.steps.length ? `snapshot-controller ${SNAPSHOT_CONTROLLER_VERSION} is running and the snapshot CRDs are Established: CSI VolumeSnapshots can be taken (k8s-storage snapshot create PVC --csi)` : plan.notes[0]!);
}

export async function uninstallSnapshotController(ctx: Context, opts: Record<string, any>): Promise<void> {
  const problems: string[] = [];
  const timeoutMs = timeoutOf(opts, '2m', problems);
  if (problems.length) throw new UsageError(problems);
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  const objects = snapshotControllerObjects();
  const facts = await gather(kube, objects, true);
  const plan = planSnapshotControllerUninstall(facts, { deleteSnapshots: opts.deleteSnapshots === true }, objects, timeoutMs);
  if (facts.snapshots?.length && !opts.dryRun) await confirmDestruction(ctx, `--delete-snapshots deletes ${facts.snapshots.length} VolumeSnapshot(s) with the snapshot CRDs`, { yes: opts.yes, flag: 'uninstall snapshot-controller --delete-snapshots' });
  const result = await runPlan(ctx, session, plan, opts);
  if (!result || !plan.steps.length) return;
  // Discovery is cached on disk for a while (as kubectl's): the next command must not think the kinds are served.
  for (const crd of objects.filter((o) => o.kind === 'CustomResourceDefinition') as (KubeObject & { spec: { group: string; versions: { name: string }[] } })[]) {
    for (const v of crd.spec.versions) kube.forgetServed(`${crd.spec.group}/${v.name}`);
  }
  ctx.log.success('snapshot-controller and the snapshot CRDs are gone');
}
