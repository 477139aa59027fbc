/** `diagnose pvc|pod NAME`: why a claim is Pending or a pod cannot mount its volume. */
import { ClusterSession } from '../cluster/session.js';
import { outputFormat, type Context } from '../context.js';
import { diagnose } from '../diagnose/analyze.js';
import { collectDiagnoseFacts } from '../diagnose/collect.js';
import { ChecksFailed, UsageError } from '../errors.js';
import { objectNameProblems } from '../manifests/names.js';
import { formatDiagnoseReport } from '../output/diagnose.js';
import { formatData } from '../output/print.js';

export async function diagnoseCommand(ctx: Context, kind: 'pvc' | 'pod', name: string): Promise<void> {
  const format = outputFormat(ctx, ['table', 'json', 'yaml'] as const, 'table');
  const problems = objectNameProblems('NAME', name);
  if (problems.length) throw new UsageError(problems);
  const namespace = ctx.global.namespace ?? 'default';
  const session = new ClusterSession(ctx);
  const report = diagnose(await collectDiagnoseFacts(session, { kind, namespace, name }));
  ctx.out(format === 'table' ? formatDiagnoseReport(report, { ...ctx.table, color: ctx.colorOut }) : formatData(report, format));
  if (!report.healthy) {
    const problems = report.findings.filter((f) => f.severity !== 'info');
    throw new ChecksFailed(`${problems.length} problem(s) with ${kind} ${name}: ${problems[0]!.message}`, problems[0]!.fix ? { hint: problems[0]!.fix } : undefined);
  }
}
