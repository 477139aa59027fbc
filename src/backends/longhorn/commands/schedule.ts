/**
 * `schedule create|attach|detach|list|delete`: Longhorn RecurringJobs, the real way to take
 * snapshots and backups on a timetable (a CronJob calling `longhorn-manager backup create`
 * does not work: that command does not exist).
 */
import { ClusterSession } from '../../../cluster/session.js';
import { outputFormat, type Context } from '../../../context.js';
import { listDocument } from '../../../documents.js';
import { UsageError } from '../../../errors.js';
import { wholeNumber } from '../../../options/index.js';
import {
  buildRecurringJob,
  LONGHORN_API_VERSION,
  LONGHORN_NAMESPACE,
  recurringJobProblems,
  type LonghornRecurringJob,
  type LonghornVolume,
  type RecurringJobTask,
} from '../resources.js';
import { parseKeyValues } from '../../../manifests/names.js';
import { formatData, tablePrinter } from '../../../output/print.js';
import { jobAppliesTo, planScheduleAttach, planScheduleCreate, planScheduleDelete, planScheduleDetach } from '../data-plan.js';
import { claimNamespace, claimOfVolume, longhornRef, requireLonghorn, resolveClaim, type Kube } from './volumes.js';
import { runPlan } from '../../../commands/run-plan.js';
import { byText } from '../../../sort.js';

export async function scheduleCreate(ctx: Context, name: string, opts: Record<string, any>): Promise<void> {
  const problems: string[] = [];
  const retain = wholeNumber('--retain', opts.retain, problems);
  const concurrency = wholeNumber('--concurrency', opts.concurrency, problems);
  const { values: labels, problems: labelProblems } = parseKeyValues('--label', opts.label);
  problems.push(...labelProblems);
  if (opts.task === undefined) problems.push('--task is required: snapshot, backup, snapshot-cleanup, snapshot-delete, filesystem-trim, ...');
  const request = {
    name,
    task: opts.task as RecurringJobTask,
    cron: opts.cron ?? '',
    ...(retain !== undefined ? { retain } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    groups: opts.group ?? [],
    labels,
  };
  if (opts.task !== undefined) problems.push(...recurringJobProblems(request));
  else problems.push(...recurringJobProblems({ ...request, task: 'snapshot' }).filter((p) => !p.startsWith('recurring job retain')));
  if (problems.length) throw new UsageError(problems.map((p) => p.replace(/^recurring job (name|task|cron|retain|concurrency|group|labels):/, (_m, f: string) => `${f === 'name' ? 'NAME' : `--${f === 'labels' ? 'label' : f}`}:`)));
  const job = buildRecurringJob(request);
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  await requireLonghorn(kube);
  const existing = await kube.get<Kube<LonghornRecurringJob>>(longhornRef('RecurringJob', name));
  const plan = planScheduleCreate(job, existing ? { existing } : {});
  const done = await runPlan(ctx, session, plan, opts);
  if (done && plan.steps.length) {
    ctx.log.success(`recurring job ${name} ${existing ? 'updated' : 'created'}: ${job.spec.task} at "${job.spec.cron}"`);
    if (!job.spec.groups.length) ctx.log.info(`Attach it to claims: k8s-storage schedule attach ${name} PVC`);
  }
}

async function attachFacts(ctx: Context, name: string, pvc: string) {
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  const claim = await resolveClaim(kube, claimNamespace(ctx, kube), pvc);
  const jobs = await kube.list<Kube<LonghornRecurringJob>>(LONGHORN_API_VERSION, 'RecurringJob', { namespace: LONGHORN_NAMESPACE });
  const job = jobs.find((j) => j.metadata.name === name);
  return { session, claim, facts: { ...(job ? { job } : {}), jobs, volume: claim.volumeObject } };
}

export async function scheduleAttach(ctx: Context, name: string, pvc: string, opts: Record<string, any>): Promise<void> {
  const { session, claim, facts } = await attachFacts(ctx, name, pvc);
  const plan = planScheduleAttach(name, claim, facts);
  const done = await runPlan(ctx, session, plan, opts);
  if (done && plan.steps.length) ctx.log.success(`recurring job ${name} now runs on ${claim.namespace}/${claim.name}`);
}

export async function scheduleDetach(ctx: Context, name: string, pvc: string, opts: Record<string, any>): Promise<void> {
  const { session, claim, facts } = await attachFacts(ctx, name, pvc);
  const plan = planScheduleDetach(name, claim, facts);
  const done = await runPlan(ctx, session, plan, opts);
  if (done && plan.steps.length) ctx.log.success(`recurring job ${name} detached from ${claim.namespace}/${claim.name}`);
}

export interface ScheduleRow {
  name: string;
  task: string;
  cron: string;
  retain: number;
  concurrency: number;
  groups: string[];
  /** "namespace/pvc" (or the volume name) of every volume the job runs on, and why. */
  volumes: { volume: string; claim?: string; via: 'label' | 'group' | 'default-group' }[];
}

export function scheduleRows(jobs: LonghornRecurringJob[], volumes: LonghornVolume[]): ScheduleRow[] {
  return jobs
    .map((j) => ({
      name: j.metadata.name,
      task: j.spec.task,
      cron: j.spec.cron,
      retain: j.spec.retain ?? 0,
      concurrency: j.spec.concurrency ?? 1,
      groups: j.spec.groups ?? [],
      volumes: volumes.flatMap((v) => {
        const via = jobAppliesTo(j, v);
        const claim = claimOfVolume(v);
        return via ? [{ volume: v.metadata.name, ...(claim ? { claim } : {}), via }] : [];
      }),
    }))
    .sort((a, b) => byText(a.name, b.name));
}

export async function scheduleList(ctx: Context): Promise<void> {
  const format = outputFormat(ctx, ['table', 'wide', 'json', 'yaml'] as const, 'table');
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  await requireLonghorn(kube);
  const [jobs, volumes] = await Promise.all([
    kube.list<Kube<LonghornRecurringJob>>(LONGHORN_API_VERSION, 'RecurringJob', { namespace: LONGHORN_NAMESPACE }),
    kube.list<Kube<LonghornVolume>>(LONGHORN_API_VERSION, 'Volume', { namespace: LONGHORN_NAMESPACE }),
  ]);
  const rows = scheduleRows(jobs, volumes);
  if (format === 'json' || format === 'yaml') {
    ctx.out(formatData(listDocument('ScheduleList', rows), format));
    return;
  }
  if (!rows.length) {
    ctx.log.info('No recurring jobs. Create one: k8s-storage schedule create nightly --task backup --cron "0 2 * * *" --retain 7');
    return;
  }
  // -o wide: the concurrency, and every claim a job runs on (the table shows 5).
  const wide = format === 'wide';
  const shown = (r: ScheduleRow) => {
    const names = r.volumes.map((v) => v.claim ?? v.volume);
    const cut = wide ? names.length : 5;
    return names.length ? `${names.slice(0, cut).join(', ')}${names.length > cut ? ` +${names.length - cut}` : ''}` : '-';
  };
  ctx.out(
    tablePrinter(ctx.table)(
      ['name', 'task', 'cron', 'retain', ...(wide ? ['concurrency'] : []), 'groups', 'runs on'],
      rows.map((r) => [r.name, r.task, r.cron, String(r.retain), ...(wide ? [String(r.concurrency)] : []), r.groups.join(',') || '-', shown(r)]),
    ),
  );
}

export async function scheduleDelete(ctx: Context, name: string, opts: Record<string, any>): Promise<void> {
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  await requireLonghorn(kube);
  const [job, volumes] = await Promise.all([
    kube.get<Kube<LonghornRecurringJob>>(longhornRef('RecurringJob', name)),
    kube.list<Kube<LonghornVolume>>(LONGHORN_API_VERSION, 'Volume', { namespace: LONGHORN_NAMESPACE }),
  ]);
  const plan = planScheduleDelete(name, { ...(job ? { job } : {}), attached: job ? volumes.filter((v) => jobAppliesTo(job, v)).length : 0 });
  const done = await runPlan(ctx, session, plan, opts);
  if (done && plan.steps.length) ctx.log.success(`recurring job ${name} deleted`);
}
