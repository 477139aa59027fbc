/** `snapshot create PVC --csi`: the facts for src/snapshots/csi.ts, then the one executor. */
import { backendById } from '../backends/index.js';
import { claimNamespace, readClaim } from '../cluster/claims.js';
import { ClusterSession } from '../cluster/session.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { labelsProblems, objectNameProblems, parseKeyValues } from '../manifests/names.js';
import { duration } from '../options/index.js';
import { SNAPSHOT_API_VERSION, SNAPSHOT_CONTROLLER } from '../snapshots/controller.js';
import { defaultCsiSnapshotName, planCsiSnapshot, type VolumeSnapshotClassObject, type VolumeSnapshotObject } from '../snapshots/csi.js';
import { runPlan } from './run-plan.js';

export async function csiSnapshotCreate(ctx: Context, pvc: string, opts: Record<string, any>): Promise<void> {
  const { values: labels, problems } = parseKeyValues('--label', opts.label);
  problems.push(...labelsProblems('--label', labels));
  if (opts.name !== undefined) problems.push(...objectNameProblems('--name', opts.name));
  if (opts.snapshotClass !== undefined) problems.push(...objectNameProblems('--snapshot-class', opts.snapshotClass));
  const timeoutMs = duration('--timeout', opts.timeout ?? '5m', problems) ?? 300_000;
  if (problems.length) throw new UsageError(problems);
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  const claim = await readClaim(kube, claimNamespace(ctx, kube), pvc);
  const name: string = opts.name ?? defaultCsiSnapshotName(claim.name);
  const served = await kube.serves(SNAPSHOT_API_VERSION, 'VolumeSnapshot');
  const [classes, existing, controller] = served
    ? await Promise.all([
        kube.list<VolumeSnapshotClassObject>(SNAPSHOT_API_VERSION, 'VolumeSnapshotClass'),
        kube.get<VolumeSnapshotObject>({ apiVersion: SNAPSHOT_API_VERSION, kind: 'VolumeSnapshot', name, namespace: claim.namespace }),
        kube.get(SNAPSHOT_CONTROLLER),
      ])
    : [[], undefined, undefined];
  const backend = claim.backend ? backendById(claim.backend) : undefined;
  const plan = planCsiSnapshot(
    { claim, served, classes, ...(backend ? { backend } : {}), ...(existing ? { existing } : {}) },
    { name, ...(opts.snapshotClass ? { className: opts.snapshotClass } : {}), labels, wait: opts.wait !== false, timeoutMs },
  );
  // Another snapshot-controller may run (a chart's own): only a warning.
  if (served && !controller) plan.warnings.push(`no Deployment ${SNAPSHOT_CONTROLLER.namespace}/${SNAPSHOT_CONTROLLER.name}: unless another snapshot-controller runs, the snapshot never gets ready (k8s-storage install snapshot-controller)`);
  const result = await runPlan(ctx, session, plan, opts);
  if (!result) return;
  const ref = `${claim.namespace}/${name}`;
  if (!plan.steps.length) {
    ctx.log.info(plan.notes[0]!);
    return;
  }
  if (opts.wait === false) {
    ctx.log.success(`VolumeSnapshot ${ref} of ${claim.namespace}/${claim.name} requested (not waiting for it)`);
    return;
  }
  const done = await kube.get<VolumeSnapshotObject>({ apiVersion: SNAPSHOT_API_VERSION, kind: 'VolumeSnapshot', name, namespace: claim.namespace });
  const size = done?.status?.restoreSize ? `, restore size ${done.status.restoreSize}` : '';
  ctx.log.success(`VolumeSnapshot ${ref} of ${claim.namespace}/${claim.name} is ready to use (content ${done?.status?.boundVolumeSnapshotContentName ?? '?'}${size})`);
}
