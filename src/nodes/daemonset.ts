/**
 * The short-lived DaemonSet that runs the node agent on every node, as pure builders:
 * the objects, the command each node runs, how to read an agent pod's state and its log.
 *
 * Each pod's init container enters the host's namespaces and runs the agent with the
 * host's sh, feeding the script (mounted from a ConfigMap) on stdin. It always exits 0 and
 * prints the agent's exit code on a last line: a DaemonSet restarts pods whose containers
 * exit, so the main container only sleeps until the DaemonSet is deleted. Results are read
 * from the init container's log.
 */
import { describeCommand } from '../cluster/runner.js';
import type { KubeObject } from '../presets/types.js';
import type { AgentReport } from './types.js';

/** Our own namespace, labelled for privileged pods (see README: Nodes and doctor). */
export const AGENT_NAMESPACE = 'k8s-storage-system';
export const AGENT_APP = 'k8s-storage-node-agent';
export const AGENT_CONTAINER = 'agent';
export const AGENT_MOUNT = '/agent';
export const AGENT_SCRIPT_NAME = 'node-agent.sh';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const NAME_LABEL = 'app.kubernetes.io/name';
export const RUN_LABEL = 'k8s-storage.io/run';
/** When a run's objects may be taken for leftovers of a run that died. */
export const EXPIRES_ANNOTATION = 'k8s-storage.io/expires-at';
/** The init container's last log line: this prefix, then the agent's exit code. */
export const AGENT_EXIT_MARKER = 'k8s-storage-agent-exit=';
/** How long past its --timeout a run's objects still count as in use by that run. */
export const LEFTOVER_GRACE_MS = 2 * 60_000;
/**
 * How long a prepare pod may take to stop once deleted (after Ctrl-C or a timeout). The
 * agent's children (apt-get, dnf, ...) run in the container's cgroup: a short grace
 * period would kill a package install halfway and leave the package database for the
 * operator to repair. Deleting the pod stops the wrapper at once; the install finishes.
 */
export const PREPARE_GRACE_SECONDS = 600;

/** Every agent object of every run carries these labels. */
export const AGENT_LABELS = { [NAME_LABEL]: AGENT_APP, [MANAGED_BY_LABEL]: 'k8s-storage' } as const;
export const AGENT_SELECTOR = Object.entries(AGENT_LABELS).map(([k, v]) => `${k}=${v}`).join(',');

/** nsenter into PID 1's namespaces, then the host's sh reads the script from stdin. */
export const HOST_ENTRY = ['nsenter', '--target', '1', '--mount', '--uts', '--ipc', '--net', '--pid', '--', 'sh', '-s', '--'];

/** What a node runs, as it reads in logs and dry runs. */
export function describeNodeCommand(agentArgs: readonly string[]): string {
  return `${describeCommand({ file: HOST_ENTRY[0]!, args: [...HOST_ENTRY.slice(1), ...agentArgs] })} < ${AGENT_MOUNT}/${AGENT_SCRIPT_NAME}`;
}

/** Where the kubelet reads a container's termination message (the container's default terminationMessagePath). */
export const TERMINATION_LOG = '/dev/termination-log';
/**
 * The most of the agent's output the termination message carries: the kubelet keeps 4096
 * bytes per container (and cuts longer ones); a few are left for multibyte characters.
 */
export const TERMINATION_MESSAGE_MAX = 4000;

/**
 * The init container's script, run as `sh -c WRAPPER node-agent ARGS...`. The redirect is
 * opened in the pod (where the ConfigMap is mounted) before nsenter runs. Every line goes to
 * the log as it comes (`kubectl logs` follows a long prepare); the report (the last JSON
 * line) and the exit line also go to the termination message when they fit, so that the pod
 * list itself carries every node's result and `nodes check` reads no log (50 nodes, 50 GETs
 * fewer). A report too long for it is read from the log, as before. Only sh builtins: the
 * image (--image) needs nothing more than sh and nsenter.
 */
export const AGENT_WRAPPER = [
  `{ ${HOST_ENTRY.join(' ')} "$@" < ${AGENT_MOUNT}/${AGENT_SCRIPT_NAME} 2>&1; echo "${AGENT_EXIT_MARKER}$?"; } | {`,
  "  report='' last=''",
  '  while IFS= read -r line || [ -n "$line" ]; do',
  `    printf '%s\\n' "$line"`,
  "    case $line in '{'*) report=$line ;; esac",
  '    last=$line',
  '  done',
  '  msg="$report',
  '$last"',
  `  if [ "\${#msg}" -le ${TERMINATION_MESSAGE_MAX} ]; then printf '%s\\n' "$msg" > ${TERMINATION_LOG} 2>/dev/null; fi`,
  '}',
  'exit 0',
  '',
].join('\n');

export interface AgentObjectsInput {
  runId: string;
  image: string;
  agentScript: string;
  agentArgs: string[];
  /** --node: limit the DaemonSet to these node names. */
  nodeNames?: string[];
  nodeSelector?: Record<string, string>;
  /** ISO time after which another run may delete these objects as leftovers. */
  expiresAt: string;
  namespace?: string;
}

export interface AgentObjects {
  namespace: KubeObject;
  configMap: KubeObject;
  daemonSet: KubeObject;
}

export const agentObjectName = (runId: string) => `${AGENT_APP}-${runId}`;

/** A short id, unique enough per run, usable in names and label values. */
export function newRunId(nowMs: number, random: () => number = Math.random): string {
  const suffix = Array.from({ length: 4 }, () => 'bcdfghjklmnpqrstvwxz2456789'[Math.floor(random() * 27)]).join('');
  return `${nowMs.toString(36).slice(-6)}${suffix}`;
}

export function buildAgentObjects(input: AgentObjectsInput): AgentObjects {
  const ns = input.namespace ?? AGENT_NAMESPACE;
  const name = agentObjectName(input.runId);
  const labels = { ...AGENT_LABELS, [RUN_LABEL]: input.runId };
  const metadata = { name, namespace: ns, labels, annotations: { [EXPIRES_ANNOTATION]: input.expiresAt } };
  const nodeAffinity = input.nodeNames?.length
    ? {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [...input.nodeNames] }] }],
            },
          },
        },
      }
    : {};
  const namespace: KubeObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ns,
      labels: {
        [MANAGED_BY_LABEL]: 'k8s-storage',
        // The agent pod is privileged by design; a cluster-wide baseline/restricted
        // Pod Security default would reject it here without these.
        'pod-security.kubernetes.io/enforce': 'privileged',
        'pod-security.kubernetes.io/audit': 'privileged',
        'pod-security.kubernetes.io/warn': 'privileged',
      },
    },
  };
  const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { [AGENT_SCRIPT_NAME]: input.agentScript } };
  const daemonSet: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata,
    spec: {
      selector: { matchLabels: labels },
      revisionHistoryLimit: 0,
      template: {
        metadata: { labels },
        spec: {
          hostPID: true,
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          // The agent needs no API access; a privileged pod should not carry a token.
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: input.agentArgs[0] === 'prepare' ? PREPARE_GRACE_SECONDS : 1,
          // Control-plane and otherwise tainted nodes need preparing too.
          tolerations: [{ operator: 'Exists' }],
          nodeSelector: { 'kubernetes.io/os': 'linux', ...(input.nodeSelector ?? {}) },
          ...nodeAffinity,
          initContainers: [
            {
              name: AGENT_CONTAINER,
              image: input.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['sh', '-c', AGENT_WRAPPER, 'node-agent', ...input.agentArgs],
              securityContext: { privileged: true },
              // No memory limit: package installs run in this container's cgroup.
              resources: { requests: { cpu: '10m', memory: '16Mi' } },
              volumeMounts: [{ name: 'agent', mountPath: AGENT_MOUNT, readOnly: true }],
            },
          ],
          containers: [
            {
              name: 'sleep',
              image: input.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['sleep', '3600'],
              resources: { requests: { cpu: '1m', memory: '4Mi' }, limits: { memory: '16Mi' } },
            },
          ],
          volumes: [{ name: 'agent', configMap: { name, defaultMode: 0o444 } }],
        },
      },
    },
  };
  return { namespace, configMap, daemonSet };
}

/** Whether an agent object found before a run belongs to a run that is over (or died). */
export function isStaleLeftover(obj: KubeObject, nowMs: number): boolean {
  const at = Date.parse(obj.metadata.annotations?.[EXPIRES_ANNOTATION] ?? '');
  return Number.isNaN(at) || at <= nowMs;
}

type PodLike = { metadata?: { name?: string }; spec?: any; status?: any };

/**
 * Where an agent pod is: its agent finished (with the termination message the wrapper wrote,
 * if any: see AGENT_WRAPPER), or what it is waiting for.
 */
export function agentPodState(pod: PodLike): { done: true; message?: string } | { done: false; detail: string } {
  const st = pod.status ?? {};
  const agent = (st.initContainerStatuses ?? []).find((c: any) => c?.name === AGENT_CONTAINER);
  const state = agent?.state ?? {};
  if (state.terminated) return typeof state.terminated.message === 'string' && state.terminated.message ? { done: true, message: state.terminated.message } : { done: true };
  if (state.running) return { done: false, detail: 'the agent is still running' };
  if (state.waiting) {
    const reason = String(state.waiting.reason ?? 'Waiting');
    const message = state.waiting.message ? `: ${String(state.waiting.message).split('\n')[0]}` : '';
    if (/ImagePull|ErrImage|InvalidImageName/.test(reason)) {
      return { done: false, detail: `its image cannot be pulled (${reason}${message}); in an air-gapped cluster pass --image with an image from your registry that has sh and nsenter` };
    }
    return { done: false, detail: `the agent container is waiting (${reason}${message})` };
  }
  if (st.phase === 'Failed') return { done: false, detail: `the agent pod failed${st.reason ? ` (${st.reason})` : ''}` };
  const unscheduled = (st.conditions ?? []).find((c: any) => c?.type === 'PodScheduled' && c?.status === 'False');
  if (unscheduled) return { done: false, detail: `the agent pod cannot be scheduled: ${unscheduled.message ?? unscheduled.reason ?? 'unschedulable'}` };
  return { done: false, detail: `the agent pod is ${st.phase ?? 'Pending'}` };
}

/** The node an agent pod runs on (or is meant for, while it is not bound yet). */
export function agentPodNode(pod: PodLike): string | undefined {
  if (pod.spec?.nodeName) return String(pod.spec.nodeName);
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) {
    for (const f of t?.matchFields ?? []) {
      if (f?.key === 'metadata.name' && f?.operator === 'In' && f?.values?.length === 1) return String(f.values[0]);
    }
  }
  return undefined;
}

export interface ParsedAgentOutput {
  report?: AgentReport;
  /** The agent's exit code, from the wrapper's last line (absent for --local output). */
  exitCode?: number;
  /** Why there is no usable report. */
  problem?: string;
}

/** Checks the shape of the agent's JSON; a string says what is wrong with it. */
export function validateAgentReport(doc: unknown): AgentReport | string {
  if (!doc || typeof doc !== 'object') return 'the report is not a JSON object';
  const r = doc as Partial<AgentReport>;
  if (r.schemaVersion !== 1) return `the report has schemaVersion ${JSON.stringify(r.schemaVersion)}; this k8s-storage reads 1 (use the agent that ships with it)`;
  if (typeof r.node !== 'string' || !Array.isArray(r.checks)) return 'the report lacks "node" or "checks"';
  for (const c of r.checks) {
    if (!c || typeof c.id !== 'string' || !['ok', 'warning', 'error'].includes(c.status as string)) return `the report has a malformed check: ${JSON.stringify(c).slice(0, 120)}`;
  }
  const counts = { ok: 0, warning: 0, error: 0 };
  for (const c of r.checks) counts[c.status] += 1;
  return {
    ...(r as AgentReport),
    actions: Array.isArray(r.actions) ? r.actions : [],
    rebootRequired: r.rebootRequired === true,
    kubeletRestartRequired: r.kubeletRestartRequired === true,
    // The counts are ours to trust: recompute them from the findings.
    summary: counts,
  };
}

const lastLines = (lines: string[], n: number) => lines.map((l) => l.trim()).filter(Boolean).slice(-n).join(' / ').slice(0, 400);

/**
 * Reads what the agent printed: its report is the last line that starts with `{` (stdout
 * and stderr may be merged), the wrapper's marker line gives its exit code.
 */
export function parseAgentOutput(text: string): ParsedAgentOutput {
  const lines = text.split(/\r?\n/);
  let exitCode: number | undefined;
  const markerAt = lines.findLastIndex((l) => l.trim().startsWith(AGENT_EXIT_MARKER));
  if (markerAt >= 0) {
    const n = Number(lines[markerAt]!.trim().slice(AGENT_EXIT_MARKER.length));
    if (Number.isInteger(n)) exitCode = n;
  }
  const other = lines.filter((l, i) => i !== markerAt && !l.trim().startsWith('{'));
  const jsonAt = lines.findLastIndex((l) => l.trim().startsWith('{'));
  const withExit = (p: ParsedAgentOutput): ParsedAgentOutput => (exitCode === undefined ? p : { ...p, exitCode });
  if (jsonAt < 0) {
    const said = lastLines(other, 3);
    const how = exitCode === undefined ? 'printed no report' : `exited ${exitCode} without a report`;
    const why = exitCode === 127 ? ' (a command is missing: the image needs sh and nsenter)' : '';
    return withExit({ problem: `the node agent ${how}${why}${said ? `: ${said}` : ''}` });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(lines[jsonAt]!);
  } catch (err) {
    return withExit({ problem: `the node agent's report is not valid JSON (${(err as Error).message})` });
  }
  const report = validateAgentReport(doc);
  if (typeof report === 'string') return withExit({ problem: `the node agent's report is unusable: ${report}` });
  return withExit({ report });
}
