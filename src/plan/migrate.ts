/**
 * `migrate pvc`: move a claim's data to a claim of another class (the hostpath -> Longhorn
 * move), as a pure planner. Progress lives in an annotation on the source claim
 * (MIGRATION_ANNOTATION): the workloads and their replica counts as found before scaling
 * them down, and the last finished step. A rerun after Ctrl-C or a crash re-plans from that
 * record and continues after the last finished step; every step is idempotent anyway.
 *
 * Steps: record + scale the workloads to 0 (waiting until they have no pods); create the
 * new claim; copy with one pod mounting both (on the source's node when it is node-bound);
 * verify file count, bytes and a checksum over every file; point the workloads at the new
 * claim; scale them back and keep the old claim with its PV set to Retain (--delete-old
 * deletes them, after confirmation).
 */
import type { ClaimFacts } from '../cluster/claims.js';
import { UsageError } from '../errors.js';
import { copyCommand, manifestCommand } from '../data/pod.js';
import { podLifetimeSeconds } from '../data/plan.js';
import type { KubeObject } from '../presets/types.js';
import type { Plan, Step } from './types.js';
import { scaleDownSteps, scaleUpSteps, templateOwner, workloadRef, workloadsOf, workloadsUsing, type WorkloadRecord } from './workloads.js';

export { templateOwner, workloadsOf, type WorkloadRecord };

export const MIGRATION_ANNOTATION = 'k8s-storage.io/migration';
export const MIGRATED_TO_ANNOTATION = 'k8s-storage.io/migrated-to';
/** --swap-names: on the re-created claim, the old PersistentVolume it was moved from (kept until --delete-old). */
export const MIGRATED_FROM_ANNOTATION = 'k8s-storage.io/migrated-from-volume';

/** The steps whose end is recorded, in order (`retained` and `swapped` only with --swap-names). */
export const MIGRATION_STEPS = ['scaled-down', 'created', 'copied', 'verified', 'retained', 'swapped', 'pointed', 'done'] as const;
export type MigrationStep = (typeof MIGRATION_STEPS)[number];

export interface MigrationRecord {
  to: string;
  class: string;
  size: string;
  workloads: WorkloadRecord[];
  done?: MigrationStep;
  /**
   * --swap-names: the claim keeps its name. `to` is then a temporary claim; once the copy is
   * verified, both volumes are retained, both claims deleted and the claim re-created under
   * its name, bound to the new volume. What the re-created claim needs is kept here, because
   * the record moves to the new PersistentVolume while no claim holds it.
   */
  swap?: { namespace: string; claim: string; accessModes: string[]; labels: Record<string, string>; oldVolume?: string; newVolume?: string };
}

type Workload = KubeObject & { spec?: any };

export interface MigrateFacts {
  /** The claim under the name given; with --swap-names absent for a while (the record is then on the new volume). */
  source?: ClaimFacts;
  /** --swap-names: the namespace and name asked for (the source's when it exists). */
  claim: { namespace: string; name: string };
  /** --swap-names: the new volume's name, once the temporary claim has one. */
  newVolume?: string;
  /** The target class, when it exists. */
  targetClass?: KubeObject & { provisioner?: string; volumeBindingMode?: string };
  /** Deployments and StatefulSets of the namespace. */
  workloads: Workload[];
  /** The claim already under the target name, if any. */
  target?: KubeObject & { spec?: any; status?: any };
  record?: MigrationRecord;
}

export interface MigrateOptions {
  toClass: string;
  size?: string;
  deleteOld: boolean;
  swapNames: boolean;
  image: string;
  timeoutMs: number;
}

export const targetName = (source: string, cls: string) => `${source}-${cls}`.slice(0, 253);

/** Whether a record found on a PersistentVolume (--swap-names, while no claim holds it) is about this claim. */
export const isRecordOf = (r: MigrationRecord | undefined, namespace: string, name: string) => r?.swap?.namespace === namespace && r.swap.claim === name;

const after = (done: MigrationStep | undefined, step: MigrationStep) => done !== undefined && MIGRATION_STEPS.indexOf(done) >= MIGRATION_STEPS.indexOf(step);

const claimRefOf = (namespace: string, name: string) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name, namespace });
const volumeRef = (name: string) => ({ apiVersion: 'v1', kind: 'PersistentVolume', name });

function problemsOf(f: MigrateFacts, opts: MigrateOptions): string[] {
  const c = f.source;
  const problems: string[] = [];
  if (!f.targetClass) problems.push(`--to-class ${opts.toClass}: no such StorageClass (k8s-storage status lists them)`);
  // Past `retained` (--swap-names), the claim under the name may be gone or be the new one: nothing of it is checked.
  if (!c || after(f.record?.done, 'retained')) return problems;
  const ref = `${c.namespace}/${c.name}`;
  const annotations = c.pvc.metadata.annotations ?? {};
  const migrated = annotations[MIGRATED_TO_ANNOTATION] ?? annotations[MIGRATED_FROM_ANNOTATION];
  if ((c.pvc.status?.phase ?? 'Pending') !== 'Bound') problems.push(`${ref} is ${c.pvc.status?.phase ?? 'Pending'}: only a Bound claim has data to move`);
  if (c.pvc.spec?.storageClassName === opts.toClass && !f.record && !migrated) problems.push(`${ref} already uses class ${opts.toClass}`);
  const sts = templateOwner(f.workloads, c.name);
  if (sts && !opts.swapNames && !f.record?.swap) {
    problems.push(
      `${ref} comes from the volumeClaimTemplates of StatefulSet ${sts.metadata.name}, which cannot change: the StatefulSet would re-create the old claim. Migrate its claims one by one with --swap-names (the copy goes to a temporary claim, and the claim is re-created under its own name, bound to the new volume)`,
    );
  }
  const plainPods = f.record || migrated ? [] : c.users.filter((u) => !u.owner);
  if (plainPods.length) problems.push(`${ref} is mounted by pod(s) without a controller (${plainPods.map((u) => u.pod).join(', ')}): they could not be started again; delete them, or run them from a Deployment`);
  return problems;
}

/** A finished migration, rerun: nothing to do, or (--delete-old) the old claim or volume to delete. */
function planFinished(f: MigrateFacts, opts: MigrateOptions, c: ClaimFacts): Plan {
  const ns = c.namespace;
  const ref = `${ns}/${c.name}`;
  const annotations = c.pvc.metadata.annotations ?? {};
  const oldVolume = annotations[MIGRATED_FROM_ANNOTATION];
  if (oldVolume !== undefined) {
    return {
      title: `migrate ${ref}`,
      warnings: [],
      notes: [`${ref} was migrated to class ${c.pvc.spec?.storageClassName} already, keeping its name; ${opts.deleteOld ? `deleting its old volume ${oldVolume}` : `its old volume ${oldVolume} is kept (Retain); --delete-old deletes it`}.`],
      steps: opts.deleteOld && oldVolume ? [{ kind: 'delete', title: `Delete the old PersistentVolume ${oldVolume} (its data)`, refs: [volumeRef(oldVolume)] }] : [],
    };
  }
  const pvRef = c.pv ? [volumeRef(c.pv.metadata.name)] : [];
  return {
    title: `migrate ${ref}`,
    warnings: [],
    notes: [`${ref} was migrated to ${ns}/${annotations[MIGRATED_TO_ANNOTATION]} already${opts.deleteOld ? '' : '; --delete-old deletes it and its volume'}.`],
    steps: opts.deleteOld ? [{ kind: 'delete', title: `Delete the old claim ${ref}${c.pv ? ` and PersistentVolume ${c.pv.metadata.name} (its data)` : ''}`, refs: [claimRefOf(ns, c.name), ...pvRef] }] : [],
  };
}

export function planMigrate(f: MigrateFacts, opts: MigrateOptions): Plan {
  const c = f.source;
  const { namespace: ns, name } = f.claim;
  const ref = `${ns}/${name}`;
  const problems = problemsOf(f, opts);
  if (problems.length) throw new UsageError(problems);
  const annotations = c?.pvc.metadata.annotations ?? {};
  if (c && !f.record && (annotations[MIGRATED_TO_ANNOTATION] || annotations[MIGRATED_FROM_ANNOTATION] !== undefined)) return planFinished(f, opts, c);
  // Only a --swap-names move past `retained` runs while no claim has the name (its record is on the new volume).
  if (!c && !(f.record?.swap && after(f.record.done, 'retained'))) throw new UsageError(`PersistentVolumeClaim "${name}" not found in namespace ${ns}.`, { hint: 'pass the namespace with -n NAMESPACE' });

  const swap = f.record ? f.record.swap !== undefined : opts.swapNames;
  let record: MigrationRecord = f.record ?? {
    to: targetName(name, opts.toClass),
    class: opts.toClass,
    size: opts.size ?? c!.size ?? '1Gi',
    workloads: swap ? workloadsUsing(f.workloads, name) : workloadsOf(f.workloads, name),
    ...(swap ? { swap: { namespace: ns, claim: name, accessModes: c!.accessModes.length ? c!.accessModes : ['ReadWriteOnce'], labels: c!.pvc.metadata.labels ?? {}, ...(c!.pv ? { oldVolume: c!.pv.metadata.name } : {}) } } : {}),
  };
  const newVolume = record.swap?.newVolume ?? f.newVolume;
  if (record.swap && newVolume) record = { ...record, swap: { ...record.swap, newVolume } };
  if (f.target && !f.record && f.target.metadata.annotations?.[MIGRATION_ANNOTATION + '-from'] !== name) {
    throw new UsageError(`the new claim's name ${ns}/${record.to} is taken by a claim this migration did not make.`, { hint: `delete it, or migrate to another class` });
  }
  const pvcRef = claimRefOf(ns, name);
  const mark = (done: MigrationStep | undefined, title: string, rec: MigrationRecord = record): Step => ({ kind: 'patch', title, ref: pvcRef, patch: { metadata: { annotations: { [MIGRATION_ANNOTATION]: JSON.stringify({ ...rec, done }) } } } });
  const wref = (w: WorkloadRecord) => workloadRef(ns, w);
  const steps: Step[] = [];
  const done = f.record?.done;
  const wl = record.workloads.map((w) => `${w.kind} ${w.name}`).join(', ');
  const notes: string[] = [];

  if (!after(done, 'scaled-down')) {
    steps.push(mark(done, `Record the migration on ${ref}${wl ? ` (workloads: ${wl})` : ' (no workload uses it)'}`));
    steps.push(...scaleDownSteps(ns, record.workloads, opts.timeoutMs));
    steps.push(mark('scaled-down', 'Record: workloads scaled down'));
  }
  const targetRef = claimRefOf(ns, record.to);
  if (!after(done, 'created')) {
    steps.push({
      kind: 'apply',
      title: `Create ${swap ? 'temporary ' : ''}claim ${ns}/${record.to} (${record.size}, class ${record.class})`,
      objects: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: record.to, namespace: ns, labels: c!.pvc.metadata.labels ?? {}, annotations: { [MIGRATION_ANNOTATION + '-from']: name } },
          spec: { storageClassName: record.class, accessModes: c!.accessModes.length ? c!.accessModes : ['ReadWriteOnce'], resources: { requests: { storage: record.size } } },
        } as KubeObject,
      ],
    });
    // A class that binds on first use binds when the copy pod mounts the claim.
    if (f.targetClass?.volumeBindingMode !== 'WaitForFirstConsumer') steps.push({ kind: 'wait', title: `Wait until ${ns}/${record.to} is Bound`, until: { type: 'pvc-bound', ref: targetRef }, timeoutMs: opts.timeoutMs });
    steps.push(mark('created', 'Record: new claim created'));
  }
  const pod = (purpose: string) => ({
    namespace: ns,
    purpose,
    image: opts.image,
    claims: [
      { claim: name, alias: 'source', readOnly: true },
      { claim: record.to, alias: 'dest' },
    ],
    ...(c?.node ? { node: c.node } : {}),
    lifetimeSeconds: podLifetimeSeconds(opts.timeoutMs),
  });
  if (!after(done, 'copied')) {
    steps.push({ kind: 'pod', title: `Copy ${ref} to ${ns}/${record.to}`, pod: pod('copy'), runs: [{ command: copyCommand('source', 'dest'), what: 'copying (rsync -a, or tar without rsync)' }], timeoutMs: opts.timeoutMs });
    steps.push(mark('copied', 'Record: data copied'));
  }
  if (!after(done, 'verified')) {
    steps.push({
      kind: 'pod',
      title: `Verify the copy: file count, bytes, checksum of every file`,
      pod: pod('verify'),
      runs: [
        { command: manifestCommand('source'), capture: 'source', what: 'listing the source' },
        { command: manifestCommand('dest'), capture: 'dest', what: 'listing the copy' },
      ],
      compare: ['source', 'dest'],
      timeoutMs: opts.timeoutMs,
    });
    steps.push(mark('verified', 'Record: copy verified'));
  }
  if (swap) {
    const swapSteps = planSwap(f, opts, record);
    // The new volume's name is known once the temporary claim is bound: the command plans again then.
    if (!swapSteps) {
      notes.push(`then, once ${ns}/${record.to} is bound: both volumes set to Retain, both claims deleted, ${ref} re-created on the new volume (planned when its name is known)`);
      return { title: `migrate ${ref} to class ${record.class}, keeping its name`, warnings: [], notes: [...resumeNote(f), ...notes], steps };
    }
    steps.push(...swapSteps);
  } else if (!after(done, 'pointed')) {
    for (const w of record.workloads) {
      const live = f.workloads.find((x) => x.kind === w.kind && x.metadata.name === w.name);
      const volumes = (live?.spec?.template?.spec?.volumes ?? []).map((v: any) => (v.persistentVolumeClaim?.claimName === name ? { ...v, persistentVolumeClaim: { ...v.persistentVolumeClaim, claimName: record.to } } : v));
      steps.push({ kind: 'patch', title: `Point ${w.kind} ${w.name} at ${record.to}`, ref: wref(w), patch: { spec: { template: { spec: { volumes } } } } });
    }
    steps.push(mark('pointed', 'Record: workloads use the new claim'));
  }
  const oldVolume = swap ? record.swap?.oldVolume : c?.pv?.metadata.name;
  if (!after(done, 'done')) {
    steps.push(...scaleUpSteps(ns, record.workloads, opts.timeoutMs));
    if (swap) {
      const newVolume = record.swap!.newVolume!;
      steps.push({ kind: 'patch', title: `Record: migration finished (the new volume ${newVolume} no longer carries the record)`, ref: volumeRef(newVolume), patch: { metadata: { annotations: { [MIGRATION_ANNOTATION]: null } } } });
      steps.push({ kind: 'patch', title: `Record on ${ref}: migrated from volume ${oldVolume ?? '(none)'}`, ref: pvcRef, patch: { metadata: { annotations: { [MIGRATION_ANNOTATION]: null, [MIGRATED_FROM_ANNOTATION]: oldVolume ?? '' } } } });
    } else {
      if (oldVolume) steps.push({ kind: 'patch', title: `Keep the old volume: PersistentVolume ${oldVolume} reclaim policy Retain`, ref: volumeRef(oldVolume), patch: { spec: { persistentVolumeReclaimPolicy: 'Retain' } } });
      steps.push({ kind: 'patch', title: 'Record: migration finished', ref: pvcRef, patch: { metadata: { annotations: { [MIGRATION_ANNOTATION]: null, [MIGRATED_TO_ANNOTATION]: record.to } } } });
    }
  }
  if (opts.deleteOld) {
    if (swap) {
      if (oldVolume) steps.push({ kind: 'delete', title: `Delete the old PersistentVolume ${oldVolume} (its data)`, refs: [volumeRef(oldVolume)] });
    } else {
      steps.push({ kind: 'delete', title: `Delete the old claim ${ref}${oldVolume ? ` and PersistentVolume ${oldVolume} (its data)` : ''}`, refs: [pvcRef, ...(oldVolume ? [volumeRef(oldVolume)] : [])] });
    }
  }
  const sts = swap ? record.workloads.find((w) => w.kind === 'StatefulSet' && templateOwner(f.workloads, name)?.metadata.name === w.name) : undefined;
  return {
    title: swap ? `migrate ${ref} to class ${record.class}, keeping its name` : `migrate ${ref} to class ${record.class} as ${ns}/${record.to}`,
    warnings: [],
    notes: [
      ...resumeNote(f),
      ...(sts ? [`StatefulSet ${sts.name}'s volumeClaimTemplates cannot change: claims it makes for new replicas still get its old class; migrate each of them the same way`] : []),
      ...(opts.deleteOld ? [] : swap ? [`the old volume ${oldVolume ?? '(none)'} is kept (Retain, Released); delete it with --delete-old once the app works`] : [`the old claim ${ref} and its volume are kept (Retain); delete them with --delete-old once the app works`]),
    ],
    steps,
  };
}

/** --swap-names before the temporary claim has a volume: the command reads again and plans the rest once this plan ran. */
export const swapPlannedLater = (f: MigrateFacts, opts: MigrateOptions): boolean => (f.record ? f.record.swap !== undefined : opts.swapNames) && !(f.record?.swap?.newVolume ?? f.newVolume);

const resumeNote = (f: MigrateFacts) => (f.record ? [`resuming: the last finished step was "${f.record.done ?? 'none'}"`] : []);

/**
 * --swap-names, once the copy is verified: Retain on both volumes (the record moves onto the
 * new one, which outlives both claims), delete the temporary claim and the old one, clear the
 * new volume's claimRef uid and name it for the old claim, re-create the claim bound to it.
 * Each step is planned from what exists, so a rerun at any point skips what is done.
 * Undefined while the new volume's name is not known yet.
 */
function planSwap(f: MigrateFacts, opts: MigrateOptions, record: MigrationRecord): Step[] | undefined {
  const { namespace: ns, name } = f.claim;
  const swap = record.swap!;
  const newVolume = swap.newVolume;
  if (!newVolume) return undefined;
  const done = f.record?.done;
  const pvcRef = claimRefOf(ns, name);
  const bound: Step = { kind: 'wait', title: `Wait until ${ns}/${name} is Bound to ${newVolume}`, until: { type: 'pvc-bound', ref: pvcRef }, timeoutMs: opts.timeoutMs, hint: `kubectl describe pv ${newVolume} (its claimRef must name ${ns}/${name} with no uid)` };
  if (after(done, 'swapped')) return [bound];
  const steps: Step[] = [];
  const tempRef = claimRefOf(ns, record.to);
  const retained = JSON.stringify({ ...record, done: 'retained' });
  if (!after(done, 'retained')) {
    steps.push({ kind: 'patch', title: `Keep the new volume: PersistentVolume ${newVolume} reclaim policy Retain (it carries the record while no claim does)`, ref: volumeRef(newVolume), patch: { metadata: { annotations: { [MIGRATION_ANNOTATION]: retained } }, spec: { persistentVolumeReclaimPolicy: 'Retain' } } });
    if (swap.oldVolume) steps.push({ kind: 'patch', title: `Keep the old volume: PersistentVolume ${swap.oldVolume} reclaim policy Retain`, ref: volumeRef(swap.oldVolume), patch: { spec: { persistentVolumeReclaimPolicy: 'Retain' } } });
    steps.push({ kind: 'patch', title: 'Record: both volumes retained', ref: pvcRef, patch: { metadata: { annotations: { [MIGRATION_ANNOTATION]: retained } } } });
  }
  if (!after(done, 'retained') || f.target) {
    steps.push({ kind: 'delete', title: `Delete the temporary claim ${ns}/${record.to} (its volume ${newVolume} stays)`, refs: [tempRef] });
    steps.push({ kind: 'wait', title: `Wait until ${ns}/${record.to} is gone`, until: { type: 'absent', ref: tempRef }, timeoutMs: opts.timeoutMs });
  }
  const oldClaimThere = f.source && f.source.pvc.spec?.volumeName !== newVolume;
  if (!after(done, 'retained') || oldClaimThere) {
    steps.push({ kind: 'delete', title: `Delete the old claim ${ns}/${name} (its volume ${swap.oldVolume ?? '(none)'} stays)`, refs: [pvcRef] });
    steps.push({ kind: 'wait', title: `Wait until the old claim ${ns}/${name} is gone`, until: { type: 'absent', ref: pvcRef }, timeoutMs: opts.timeoutMs });
  }
  steps.push({
    kind: 'patch',
    title: `Free PersistentVolume ${newVolume} for ${ns}/${name} (claimRef without the deleted claim's uid)`,
    ref: volumeRef(newVolume),
    patch: { spec: { claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: ns, name, uid: null, resourceVersion: null } } },
  });
  steps.push({
    kind: 'apply',
    title: `Re-create claim ${ns}/${name} (${record.size}, class ${record.class}) on volume ${newVolume}`,
    objects: [
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name, namespace: ns, labels: swap.labels, annotations: { [MIGRATION_ANNOTATION]: JSON.stringify({ ...record, done: 'swapped' }) } },
        spec: { storageClassName: record.class, accessModes: swap.accessModes, resources: { requests: { storage: record.size } }, volumeName: newVolume },
      } as KubeObject,
    ],
  });
  steps.push(bound);
  return steps;
}
