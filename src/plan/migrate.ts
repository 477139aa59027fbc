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
import { scaleDownSteps, scaleUpSteps, templateOwner, workloadRef, workloadsOf, type WorkloadRecord } from './workloads.js';

export { templateOwner, workloadsOf, type WorkloadRecord };

export const MIGRATION_ANNOTATION = 'k8s-storage.io/migration';
export const MIGRATED_TO_ANNOTATION = 'k8s-storage.io/migrated-to';

/** The steps whose end is recorded, in order. */
export const MIGRATION_STEPS = ['scaled-down', 'created', 'copied', 'verified', 'pointed', 'done'] as const;
export type MigrationStep = (typeof MIGRATION_STEPS)[number];

export interface MigrationRecord {
  to: string;
  class: string;
  size: string;
  workloads: WorkloadRecord[];
  done?: MigrationStep;
}

type Workload = KubeObject & { spec?: any };

export interface MigrateFacts {
  source: ClaimFacts;
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
  image: string;
  timeoutMs: number;
}

export const targetName = (source: string, cls: string) => `${source}-${cls}`.slice(0, 253);


const after = (done: MigrationStep | undefined, step: MigrationStep) => done !== undefined && MIGRATION_STEPS.indexOf(done) >= MIGRATION_STEPS.indexOf(step);

export function planMigrate(f: MigrateFacts, opts: MigrateOptions): Plan {
  const c = f.source;
  const ns = c.namespace;
  const ref = `${ns}/${c.name}`;
  const problems: string[] = [];
  if (!f.targetClass) problems.push(`--to-class ${opts.toClass}: no such StorageClass (k8s-storage status lists them)`);
  if ((c.pvc.status?.phase ?? 'Pending') !== 'Bound') problems.push(`${ref} is ${c.pvc.status?.phase ?? 'Pending'}: only a Bound claim has data to move`);
  if (c.pvc.spec?.storageClassName === opts.toClass && !f.record && !c.pvc.metadata.annotations?.[MIGRATED_TO_ANNOTATION]) problems.push(`${ref} already uses class ${opts.toClass}`);
  const sts = templateOwner(f.workloads, c.name);
  if (sts) {
    problems.push(
      `${ref} comes from the volumeClaimTemplates of StatefulSet ${sts.metadata.name}, which cannot change: the StatefulSet would re-create the old claim. Migrate its claims one by one with --swap-names (the new claim takes the old name), which this version does not do yet`,
    );
  }
  const plainPods = f.record || c.pvc.metadata.annotations?.[MIGRATED_TO_ANNOTATION] ? [] : c.users.filter((u) => !u.owner);
  if (plainPods.length) problems.push(`${ref} is mounted by pod(s) without a controller (${plainPods.map((u) => u.pod).join(', ')}): they could not be started again; delete them, or run them from a Deployment`);
  if (problems.length) throw new UsageError(problems);

  const migratedTo = c.pvc.metadata.annotations?.[MIGRATED_TO_ANNOTATION];
  if (migratedTo && !f.record) {
    const pvRef = c.pv ? [{ apiVersion: 'v1', kind: 'PersistentVolume', name: c.pv.metadata.name }] : [];
    return {
      title: `migrate ${ref}`,
      warnings: [],
      notes: [`${ref} was migrated to ${ns}/${migratedTo} already${opts.deleteOld ? '' : '; --delete-old deletes it and its volume'}.`],
      steps: opts.deleteOld ? [{ kind: 'delete', title: `Delete the old claim ${ref}${c.pv ? ` and PersistentVolume ${c.pv.metadata.name} (its data)` : ''}`, refs: [{ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: c.name, namespace: ns }, ...pvRef] }] : [],
    };
  }
  const record: MigrationRecord = f.record ?? { to: targetName(c.name, opts.toClass), class: opts.toClass, size: opts.size ?? c.size ?? '1Gi', workloads: workloadsOf(f.workloads, c.name) };
  if (f.target && !f.record && f.target.metadata.annotations?.[MIGRATION_ANNOTATION + '-from'] !== c.name) {
    throw new UsageError(`the new claim's name ${ns}/${record.to} is taken by a claim this migration did not make.`, { hint: `delete it, or migrate to another class` });
  }
  const pvcRef = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: c.name, namespace: ns };
  const mark = (done: MigrationStep | undefined, title: string): Step => ({ kind: 'patch', title, ref: pvcRef, patch: { metadata: { annotations: { [MIGRATION_ANNOTATION]: JSON.stringify({ ...record, done }) } } } });
  const wref = (w: WorkloadRecord) => workloadRef(ns, w);
  const steps: Step[] = [];
  const done = f.record?.done;
  const wl = record.workloads.map((w) => `${w.kind} ${w.name}`).join(', ');

  if (!after(done, 'scaled-down')) {
    steps.push(mark(done, `Record the migration on ${ref}${wl ? ` (workloads: ${wl})` : ' (no workload uses it)'}`));
    steps.push(...scaleDownSteps(ns, record.workloads, opts.timeoutMs));
    steps.push(mark('scaled-down', 'Record: workloads scaled down'));
  }
  const targetRef = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: record.to, namespace: ns };
  if (!after(done, 'created')) {
    steps.push({
      kind: 'apply',
      title: `Create claim ${ns}/${record.to} (${record.size}, class ${record.class})`,
      objects: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: record.to, namespace: ns, labels: c.pvc.metadata.labels ?? {}, annotations: { [MIGRATION_ANNOTATION + '-from']: c.name } },
          spec: { storageClassName: record.class, accessModes: c.accessModes.length ? c.accessModes : ['ReadWriteOnce'], resources: { requests: { storage: record.size } } },
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
      { claim: c.name, alias: 'source', readOnly: true },
      { claim: record.to, alias: 'dest' },
    ],
    ...(c.node ? { node: c.node } : {}),
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
  if (!after(done, 'pointed')) {
    for (const w of record.workloads) {
      const live = f.workloads.find((x) => x.kind === w.kind && x.metadata.name === w.name);
      const volumes = (live?.spec?.template?.spec?.volumes ?? []).map((v: any) => (v.persistentVolumeClaim?.claimName === c.name ? { ...v, persistentVolumeClaim: { ...v.persistentVolumeClaim, claimName: record.to } } : v));
      steps.push({ kind: 'patch', title: `Point ${w.kind} ${w.name} at ${record.to}`, ref: wref(w), patch: { spec: { template: { spec: { volumes } } } } });
    }
    steps.push(mark('pointed', 'Record: workloads use the new claim'));
  }
  if (!after(done, 'done')) {
    steps.push(...scaleUpSteps(ns, record.workloads, opts.timeoutMs));
    if (c.pv) steps.push({ kind: 'patch', title: `Keep the old volume: PersistentVolume ${c.pv.metadata.name} reclaim policy Retain`, ref: { apiVersion: 'v1', kind: 'PersistentVolume', name: c.pv.metadata.name }, patch: { spec: { persistentVolumeReclaimPolicy: 'Retain' } } });
    steps.push({ kind: 'patch', title: 'Record: migration finished', ref: pvcRef, patch: { metadata: { annotations: { [MIGRATION_ANNOTATION]: null, [MIGRATED_TO_ANNOTATION]: record.to } } } });
  }
  if (opts.deleteOld) {
    steps.push({ kind: 'delete', title: `Delete the old claim ${ref}${c.pv ? ` and PersistentVolume ${c.pv.metadata.name} (its data)` : ''}`, refs: [pvcRef, ...(c.pv ? [{ apiVersion: 'v1', kind: 'PersistentVolume', name: c.pv.metadata.name }] : [])] });
  }
  return {
    title: `migrate ${ref} to class ${record.class} as ${ns}/${record.to}`,
    warnings: [],
    notes: [
      ...(f.record ? [`resuming: the last finished step was "${done ?? 'none'}"`] : []),
      ...(opts.deleteOld ? [] : [`the old claim ${ref} and its volume are kept (Retain); delete them with --delete-old once the app works`]),
    ],
    steps,
  };
}
