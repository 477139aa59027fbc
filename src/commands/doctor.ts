/** `doctor`: MicroK8s, classes, backends, claims and nodes in one report, each problem with its fix. */
import { ClusterSession } from '../cluster/session.js';
import type { Microk8sState } from '../cluster/microk8s.js';
import { outputFormat, type Context } from '../context.js';
import { buildDoctorReport, chooseNodeTarget, type NodeFacts, type StorageFacts } from '../doctor/report.js';
import { ChecksFailed, Interrupted, K8sStorageError, UsageError } from '../errors.js';
import { parseNodeRunOptions } from '../nodes/options.js';
import { formatDoctorTable } from '../output/nodes.js';
import { formatData } from '../output/print.js';
import { collectClusterObjects } from '../status/collect.js';
import { buildStatusReport } from '../status/report.js';
import { collectNodeReport } from './nodes.js';

const hintOf = (err: unknown) => (err instanceof K8sStorageError && err.hint ? { hint: err.hint } : {});
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err)).replace(/\.$/, '');

export async function doctor(ctx: Context, raw: Record<string, unknown>): Promise<void> {
  const format = outputFormat(ctx, ['table', 'json', 'yaml'] as const, 'table');
  // Checked before anything runs, so a bad --timeout is a usage error, not a finding.
  const nodeOptions = (target?: string) => parseNodeRunOptions('check', { ...(target ? { for: target } : {}), timeout: raw.timeout ?? '2m', ...(raw.image !== undefined ? { image: raw.image } : {}) }, ctx.backends);
  nodeOptions();
  const session = new ClusterSession(ctx);

  let microk8s: Microk8sState;
  try {
    microk8s = await session.microk8s();
  } catch (err) {
    if (err instanceof Interrupted) throw err;
    microk8s = { kind: 'not-ready', message: messageOf(err) };
  }

  let storage: StorageFacts;
  try {
    storage = { ok: true, report: buildStatusReport(await collectClusterObjects(session, ctx.backends), ctx.backends) };
  } catch (err) {
    if (err instanceof Interrupted) throw err;
    storage = { ok: false, message: messageOf(err), ...hintOf(err) };
  }

  let nodes: NodeFacts;
  if (raw.skipNodes === true) nodes = { state: 'skipped', reason: '--skip-nodes' };
  else if (!storage.ok) nodes = { state: 'skipped', reason: 'the cluster cannot be read' };
  else {
    const { target, why } = chooseNodeTarget(storage.report, ctx.backends);
    try {
      nodes = { state: 'done', target, why, report: await collectNodeReport(ctx, nodeOptions(target), session) };
    } catch (err) {
      if (err instanceof Interrupted || err instanceof UsageError) throw err;
      nodes = { state: 'failed', target, message: messageOf(err), ...hintOf(err) };
    }
  }

  const report = buildDoctorReport({ microk8s, storage, nodes }, ctx.backends);
  ctx.out(format === 'table' ? formatDoctorTable(report, ctx.table) : formatData(report, format));
  if (report.summary.error) {
    const first = report.findings.find((f) => f.severity === 'error')!;
    throw new ChecksFailed(`${report.summary.error} problem(s) need fixing; the first: ${first.message}.`, first.fix ? { hint: first.fix } : {});
  }
  ctx.log.success(report.summary.warning ? `no errors; ${report.summary.warning} warning(s) worth a look` : 'storage looks healthy');
}
