/** `--dry-run`: the plan, for people (numbered steps) or machines (-o json|yaml). */
import { describeRef } from '../cluster/refs.js';
import { API_VERSION } from '../documents.js';
import { describeCommand } from '../cluster/runner.js';
import type { Expectation, Plan, PodRun, Step } from '../plan/types.js';
import { formatData } from './print.js';
import { mountPathOf } from '../data/pod.js';

function describeExpectation(e: Expectation): string {
  switch (e.type) {
    case 'exists':
      return `${describeRef(e.ref)} exists${e.fields ? ` with ${JSON.stringify(e.fields)}` : ''}`;
    case 'absent':
      return `${describeRef(e.ref)} is gone`;
    case 'ready':
      return `${describeRef(e.ref)} is rolled out and ready`;
    case 'pvc-bound':
      return `${describeRef(e.ref)} is Bound`;
    case 'scaled-to-zero':
      return `${describeRef(e.ref)} has no pods`;
    case 'crd-established':
      return `${describeRef(e.ref)} is Established`;
    case 'pvc-resized':
      return `${describeRef(e.ref)} has ${e.size} (or a pod must restart to finish)`;
    case 'default-class':
      return `StorageClass ${e.name} is ${e.isDefault ? '' : 'not '}the default`;
    case 'helm-release':
      return e.state === 'absent'
        ? `Helm release ${e.chart.release} in ${e.chart.namespace} is gone (helm status)`
        : `Helm release ${e.chart.release} in ${e.chart.namespace} is deployed${e.chartVersion ? ` at chart version ${e.chartVersion}` : ''}${e.revisionAbove !== undefined ? ` past revision ${e.revisionAbove}` : ''} (helm status)`;
  }
}

function describeRun(r: PodRun): string {
  const stdin = [r.stdinSecret ? `Secret ${r.stdinSecret.name} key ${r.stdinSecret.key} (first line)` : '', r.stdin ? r.stdin.file : ''].filter(Boolean).join(' + ');
  return `${describeCommand({ file: r.command[0]!, args: r.command.slice(1) })}${stdin ? ` < ${stdin}` : ''}${r.stdout === 'stdout' ? ' > stdout' : r.stdout ? ` > ${r.stdout.file}` : ''}`;
}

function describeStep(s: Step): string[] {
  switch (s.kind) {
    case 'run':
      return [`run: ${describeCommand(s.command)}${s.command.stdin !== undefined ? ` (answering ${JSON.stringify(s.command.stdin.trim())})` : ''}`, ...(s.verify ?? []).map((e) => `then check: ${describeExpectation(e)}`)];
    case 'apply':
      return s.objects.map((o) => `server-side apply ${describeRef({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) })}`);
    case 'patch':
      return [`merge-patch ${describeRef(s.ref)}: ${JSON.stringify(s.patch)}`];
    case 'delete':
      return s.refs.map((r) => `delete ${describeRef(r)}`);
    case 'wait':
      return [`wait up to ${Math.round(s.timeoutMs / 1000)}s until ${describeExpectation(s.until)}`];
    case 'verify':
      return s.expect.map((e) => `check: ${describeExpectation(e)}`);
    case 'service-call':
      return [`${s.method} ${s.path}${s.query ? `?${new URLSearchParams(s.query).toString()}` : ''} to Service ${s.service.namespace}/${s.service.name}:${s.service.port} (API server proxy)${s.body !== undefined ? ` with ${JSON.stringify(s.body)}` : ''}`];
    case 'exec':
      return [`exec in pod ${s.target.pod} (container ${s.target.container}) in ${s.target.namespace}: ${describeRun(s.run)}`];
    case 'pod':
      return [
        `pod in ${s.pod.namespace}${s.pod.node ? ` on node ${s.pod.node}` : ''} (image ${s.pod.image}) mounting ${s.pod.claims.map((c) => `${c.claim} at ${mountPathOf(c.alias)}${c.readOnly ? ' (read-only)' : ''}`).join(', ')}`,
        ...s.runs.map((r) => `exec: ${describeRun(r)}`),
        ...(s.compare ? [`then check: both manifests are equal`] : []),
        'then delete the pod (also on failure and Ctrl-C)',
      ];
  }
}

/** A plan as -o json|yaml prints it (schemas/plan.schema.json); `extra`: what a command shows besides (Longhorn's values). */
export function planDocument(plan: Plan, extra: Record<string, unknown> = {}) {
  return { apiVersion: API_VERSION, kind: 'Plan', dryRun: true, ...plan, ...extra };
}

export function formatPlan(plan: Plan, format: 'text' | 'json' | 'yaml'): string {
  if (format !== 'text') return formatData(planDocument(plan), format);
  const lines = [`Plan: ${plan.title} (dry run: nothing is changed)`];
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  for (const n of plan.notes) lines.push(`note: ${n}`);
  if (!plan.steps.length) lines.push('No steps: nothing to do.');
  plan.steps.forEach((s, i) => {
    lines.push(`${i + 1}. ${s.title}`);
    for (const d of describeStep(s)) lines.push(`     ${d}`);
  });
  return `${lines.join('\n')}\n`;
}
