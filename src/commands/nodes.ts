/** `nodes check` and `nodes prepare`: the node agent on every node (or this one), one report. */
import { agentScriptPath, readAgentScript, runAgentDaemonSet, runLocalAgent, formatDuration } from '../cluster/nodes-agent.js';
import { describeCommand } from '../cluster/runner.js';
import { ClusterSession } from '../cluster/session.js';
import { outputFormat, type Context } from '../context.js';
import { API_VERSION } from '../documents.js';
import { ChecksFailed, ClusterError, Interrupted, UsageError } from '../errors.js';
import { AGENT_NAMESPACE, buildAgentObjects, describeNodeCommand, LEFTOVER_GRACE_MS, newRunId, type AgentObjects } from '../nodes/daemonset.js';
import { localAgentCommand } from '../nodes/local.js';
import { agentArgs, parseNodeRunOptions, type NodeRunOptions } from '../nodes/options.js';
import { formatPreparePlan, planPrepare } from '../nodes/prepare-plan.js';
import { buildNodeCheckReport, nodeReportVerdict } from '../nodes/report.js';
import { selectNodes } from '../nodes/select.js';
import type { AgentMode, AgentOutcome, NodeCheckReport } from '../nodes/types.js';
import { formatNodeReportTable } from '../output/nodes.js';
import { formatData, objectsToYaml } from '../output/print.js';
import { createProgress } from '../output/progress.js';
import type { KubeObject } from '../presets/types.js';

export async function nodesCommand(ctx: Context, mode: AgentMode, raw: Record<string, unknown>): Promise<void> {
  const opts = parseNodeRunOptions(mode, raw, ctx.backends);
  if (opts.dryRun) {
    await printDryRun(ctx, opts);
    return;
  }
  const format = outputFormat(ctx, ['table', 'json', 'yaml'] as const, 'table');
  const report = await collectNodeReport(ctx, opts);
  if (format === 'table') ctx.out(formatNodeReportTable(report, ctx.table));
  else {
    ctx.out(formatData(report, format));
    for (const n of report.nodes) {
      if (n.reported && n.rebootRequired) ctx.log.warn(`${n.name} needs a reboot; k8s-storage never reboots a node`);
      if (n.reported && n.kubeletRestartCommand) ctx.log.warn(`${n.name}: restart the kubelet: ${n.kubeletRestartCommand}`);
    }
  }
  const verdict = nodeReportVerdict(report);
  if (verdict) throw new ChecksFailed(verdict.message, { hint: verdict.hint });
  ctx.log.success(
    `${report.summary.nodes} node(s) ${mode === 'prepare' ? 'prepared' : 'ready'} for ${opts.target}${report.summary.warning ? ` (${report.summary.warning} with warnings)` : ''}`,
  );
}

/** Runs the agent where the options say and builds the report; `doctor` uses it too. */
export async function collectNodeReport(ctx: Context, opts: NodeRunOptions, session: ClusterSession = new ClusterSession(ctx)): Promise<NodeCheckReport> {
  const args = agentArgs(opts);
  if (opts.local) {
    const cmd = localAgentCommand(agentScriptPath(), args, { mode: opts.mode, isRoot: process.getuid?.() === 0 });
    ctx.log.info(`Running the node agent on this machine: ${describeCommand(cmd)}`);
    const { outcome, stderr } = await runLocalAgent(cmd, { signal: ctx.signal, timeoutMs: opts.timeoutMs, rerun: `k8s-storage nodes ${opts.mode} --local --for ${opts.target}` });
    if (stderr.trim()) ctx.log.debug(stderr.trim());
    return buildNodeCheckReport({ mode: opts.mode, target: opts.target, via: 'local', outcomes: [outcome] });
  }

  const kube = await session.kube();
  const nodes = await kube.list<KubeObject>('v1', 'Node');
  const selection = selectNodes(nodes.map((n) => ({ name: n.metadata.name, labels: n.metadata.labels ?? {} })), opts);
  if (selection.problems.length) throw new UsageError(selection.problems);
  for (const s of selection.skipped) ctx.log.warn(`skipping node ${s.name}: ${s.why}`);
  if (!selection.selected.length) {
    throw new ClusterError(`no node to ${opts.mode}${Object.keys(opts.nodeSelector).length ? ' matches --node-selector' : ''}.`, { hint: 'kubectl get nodes --show-labels' });
  }

  const runId = newRunId(Date.now());
  const objects = buildAgentObjects({
    runId,
    image: opts.image,
    agentScript: await readAgentScript(),
    agentArgs: args,
    ...(opts.nodes.length ? { nodeNames: selection.selected } : {}),
    nodeSelector: opts.nodeSelector,
    expiresAt: new Date(Date.now() + opts.timeoutMs + LEFTOVER_GRACE_MS).toISOString(),
  });
  const count = selection.selected.length;
  const title = `${opts.mode === 'prepare' ? 'Preparing' : 'Checking'} ${count} node(s) for ${opts.target}`;
  ctx.log.debug(`each node runs: ${describeNodeCommand(args)}`);
  const progress = await createProgress(ctx.log);
  progress.start(title);
  let outcomes: AgentOutcome[];
  try {
    outcomes = await runAgentDaemonSet(kube, { runId, objects, expected: selection.selected, timeoutMs: opts.timeoutMs }, ctx.signal, {
      progress: (text) => progress.update(`${title}: ${text}`),
      leftoversRemoved: (refs) => ctx.log.info(`Removed leftovers of an earlier run: ${refs.join(', ')}`),
      otherRunsActive: (refs) => ctx.log.warn(`another k8s-storage nodes run seems to be in progress (${refs.join(', ')}); leaving its objects alone`),
      started: (ref) => ctx.log.info(`Started ${ref} with image ${opts.image}; waiting up to ${formatDuration(opts.timeoutMs)} for ${count} node(s) to report`),
      cleanupStarted: () => ctx.log.debug(`Deleting the agent DaemonSet and ConfigMap (run ${runId})`),
      cleanupFailed: (message) => ctx.log.warn(message),
    });
  } catch (err) {
    progress.fail(title);
    if (err instanceof Interrupted) {
      const finishing = opts.mode === 'prepare' ? '; package installs already under way on a node finish before its pod stops' : '';
      throw new Interrupted(`interrupted while waiting for the nodes' reports; the agent DaemonSet and ConfigMap were deleted${finishing}.`, {
        hint: `rerun the same command: ${opts.mode === 'prepare' ? 'prepare only changes what is still missing' : 'check changes nothing'}`,
      });
    }
    throw err;
  }
  const notReady = new Set(nodes.filter((n) => !((n as any).status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')).map((n) => n.metadata.name));
  outcomes = outcomes.map((o) => (!o.reported && notReady.has(o.name) ? { ...o, reason: `${o.reason} (the node is NotReady)` } : o));
  const reported = outcomes.filter((o) => o.reported).length;
  if (!reported) progress.fail(`${title}: no node reported`);
  else progress.succeed(`${title}: ${reported} of ${count} node(s) reported`);
  return buildNodeCheckReport({ mode: opts.mode, target: opts.target, via: 'daemonset', outcomes });
}

/**
 * prepare --dry-run: the read-only check first (through the cluster or --local, as prepare
 * would run), then, per node, what prepare would change: packages, services, modules.
 */
async function printPrepareDryRun(ctx: Context, opts: NodeRunOptions): Promise<void> {
  const format = outputFormat(ctx, ['table', 'json', 'yaml'] as const, 'table');
  const check = await collectNodeReport(ctx, { ...opts, mode: 'check', dryRun: false });
  const nodes = planPrepare(check);
  if (format === 'table') ctx.out(formatPreparePlan(nodes, opts.target));
  else ctx.out(formatData({ apiVersion: API_VERSION, kind: 'NodePreparePlan', dryRun: true, mode: 'prepare', target: opts.target, via: check.via, nodes, check }, format));
  const silent = nodes.filter((n) => !n.reported).map((n) => n.name);
  if (silent.length) throw new ChecksFailed(`${silent.length} node(s) did not report, so the plan leaves them out: ${silent.join(', ')}`, { hint: `k8s-storage nodes check --for ${opts.target}` });
}

/** --dry-run: what would be created and run, without touching the cluster or the host. */
async function printDryRun(ctx: Context, opts: NodeRunOptions): Promise<void> {
  if (opts.mode === 'prepare') return printPrepareDryRun(ctx, opts);
  const format = outputFormat(ctx, ['yaml', 'json', 'table'] as const, 'yaml');
  const args = agentArgs(opts);
  if (opts.local) {
    const cmd = localAgentCommand(agentScriptPath(), args, { mode: opts.mode, isRoot: process.getuid?.() === 0 });
    if (format === 'json') ctx.out(formatData({ apiVersion: API_VERSION, kind: 'NodeCheckPlan', dryRun: true, via: 'local', command: cmd }, 'json'));
    else ctx.out(`# dry run: nothing runs. On this machine, k8s-storage would run:\n${describeCommand(cmd)}\n`);
    return;
  }
  const runId = newRunId(Date.now());
  const objects: AgentObjects = buildAgentObjects({
    runId,
    image: opts.image,
    agentScript: await readAgentScript(),
    agentArgs: args,
    ...(opts.nodes.length ? { nodeNames: opts.nodes } : {}),
    nodeSelector: opts.nodeSelector,
    expiresAt: new Date(Date.now() + opts.timeoutMs + LEFTOVER_GRACE_MS).toISOString(),
  });
  const list = [objects.namespace, objects.configMap, objects.daemonSet];
  const nodeCommand = describeNodeCommand(args);
  if (format === 'json') {
    ctx.out(formatData({ apiVersion: API_VERSION, kind: 'NodeCheckPlan', dryRun: true, via: 'daemonset', namespace: AGENT_NAMESPACE, nodeCommand, objects: list }, 'json'));
    return;
  }
  const scope = opts.nodes.length ? `nodes ${opts.nodes.join(', ')}` : Object.keys(opts.nodeSelector).length ? 'every Linux node matching --node-selector' : 'every Linux node';
  ctx.out(
    [
      '# dry run: nothing was changed.',
      `# k8s-storage nodes ${opts.mode} would apply these objects (the Namespace only if missing), then on ${scope}`,
      '# the init container "agent" runs, inside the host\'s namespaces:',
      `#   ${nodeCommand}`,
      `# It reads each node's report from that container's log, waits up to ${formatDuration(opts.timeoutMs)},`,
      '# and deletes the DaemonSet and the ConfigMap afterwards.',
      objectsToYaml(list),
    ].join('\n'),
  );
}
