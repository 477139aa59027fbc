import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AGENT_EXIT_MARKER,
  AGENT_WRAPPER,
  agentPodNode,
  agentPodState,
  buildAgentObjects,
  describeNodeCommand,
  isStaleLeftover,
  newRunId,
  parseAgentOutput,
  TERMINATION_LOG,
  TERMINATION_MESSAGE_MAX,
  validateAgentReport,
} from '../../src/nodes/daemonset.js';
import { agentReport } from '../helpers/agent-report.js';

const report = (over: Record<string, unknown> = {}) =>
  agentReport('n1', { checks: [{ id: 'os', status: 'ok', message: 'fine', remedy: '' }, { id: 'disk', status: 'error', message: 'full', remedy: 'free space' }], ...over });

const input = { runId: 'abc123', image: 'busybox:1.36', agentScript: '#!/bin/sh\n', agentArgs: ['check', '--for', 'nfs'], expiresAt: '2030-01-01T00:00:00.000Z' };

describe('agent objects', () => {
  it('a privileged, host-namespaced, all-tolerating DaemonSet with the script mounted from a ConfigMap', () => {
    const { namespace, configMap, daemonSet } = buildAgentObjects(input);
    expect(namespace.metadata).toMatchObject({ name: 'k8s-storage-system', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } });
    const labels = { 'app.kubernetes.io/name': 'k8s-storage-node-agent', 'app.kubernetes.io/managed-by': 'k8s-storage', 'k8s-storage.io/run': 'abc123' };
    for (const o of [configMap, daemonSet]) {
      expect(o.metadata).toEqual({ name: 'k8s-storage-node-agent-abc123', namespace: 'k8s-storage-system', labels, annotations: { 'k8s-storage.io/expires-at': '2030-01-01T00:00:00.000Z' } });
    }
    expect(configMap.data).toEqual({ 'node-agent.sh': '#!/bin/sh\n' });
    const spec = (daemonSet as any).spec;
    expect(spec.selector.matchLabels).toEqual(labels);
    const pod = spec.template.spec;
    expect(pod).toMatchObject({ hostPID: true, hostNetwork: true, automountServiceAccountToken: false, tolerations: [{ operator: 'Exists' }], nodeSelector: { 'kubernetes.io/os': 'linux' } });
    expect(pod.affinity).toBeUndefined();
    expect(pod.initContainers).toHaveLength(1);
    expect(pod.initContainers[0]).toMatchObject({ name: 'agent', image: 'busybox:1.36', securityContext: { privileged: true }, volumeMounts: [{ name: 'agent', mountPath: '/agent', readOnly: true }] });
    expect(pod.initContainers[0].command).toEqual(['sh', '-c', AGENT_WRAPPER, 'node-agent', 'check', '--for', 'nfs']);
    expect(pod.initContainers[0].resources.limits).toBeUndefined();
    expect(pod.terminationGracePeriodSeconds).toBe(1);
    // prepare: a deleted pod lets a package install under way finish.
    expect((buildAgentObjects({ ...input, agentArgs: ['prepare', '--for', 'nfs'] }).daemonSet as any).spec.template.spec.terminationGracePeriodSeconds).toBe(600);
    expect(pod.containers[0].command).toEqual(['sleep', '3600']);
    expect(pod.volumes).toEqual([{ name: 'agent', configMap: { name: 'k8s-storage-node-agent-abc123', defaultMode: 0o444 } }]);
  });

  it('--node and --node-selector become nodeAffinity matchFields and nodeSelector', () => {
    const pod = (buildAgentObjects({ ...input, nodeNames: ['a', 'b'], nodeSelector: { storage: 'yes' } }).daemonSet as any).spec.template.spec;
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a', 'b'] }] }]);
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', storage: 'yes' });
  });

  it('the node command as people read it', () => {
    expect(describeNodeCommand(['check', '--for', 'longhorn', '--data-path', '/mnt/my disk'])).toBe(
      "nsenter --target 1 --mount --uts --ipc --net --pid -- sh -s -- check --for longhorn --data-path '/mnt/my disk' < /agent/node-agent.sh",
    );
  });

  it('run ids are short, lower-case and differ', () => {
    const a = newRunId(Date.now());
    expect(a).toMatch(/^[a-z0-9]{7,10}$/);
    expect(newRunId(Date.now())).not.toBe(newRunId(Date.now(), () => 0.999));
  });

  it.each([
    [{ 'k8s-storage.io/expires-at': '2000-01-01T00:00:00Z' }, true],
    [{ 'k8s-storage.io/expires-at': '2999-01-01T00:00:00Z' }, false],
    [{ 'k8s-storage.io/expires-at': 'soon' }, true],
    [undefined, true],
  ])('leftover with annotations %j is stale: %s', (annotations, stale) => {
    expect(isStaleLeftover({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', ...(annotations ? { annotations } : {}) } }, Date.now())).toBe(stale);
  });
});

describe('the wrapper', () => {
  it('feeds the script to the host sh through nsenter, passes the args, prints the exit code last and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wrapper-'));
    try {
      mkdirSync(join(dir, 'bin'));
      // A fake nsenter that checks its options and runs what follows --.
      writeFileSync(join(dir, 'bin', 'nsenter'), '#!/bin/sh\n[ "$1 $2 $3 $4 $5 $6 $7 $8" = "--target 1 --mount --uts --ipc --net --pid --" ] || { echo "bad nsenter args: $*" >&2; exit 99; }\nshift 8\nexec "$@"\n');
      chmodSync(join(dir, 'bin', 'nsenter'), 0o755);
      writeFileSync(join(dir, 'agent.sh'), 'echo "progress" >&2\necho "{\\"args\\": \\"$*\\"}"\nexit 3\n');
      const script = AGENT_WRAPPER.replace('/agent/node-agent.sh', join(dir, 'agent.sh')).replace(TERMINATION_LOG, join(dir, 'termination-log'));
      const r = await execa('sh', ['-c', script, 'node-agent', 'check', '--for', 'my target'], { env: { PATH: `${join(dir, 'bin')}:/usr/bin:/bin` }, reject: false });
      expect(r.exitCode).toBe(0);
      expect(r.stdout.split('\n')).toEqual(['progress', '{"args": "check --for my target"}', `${AGENT_EXIT_MARKER}3`]);
      // The report and the exit line, for the pod status: what parseAgentOutput reads from either.
      expect(readFileSync(join(dir, 'termination-log'), 'utf8')).toBe(`{"args": "check --for my target"}\n${AGENT_EXIT_MARKER}3\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the wrapper and the termination message', () => {
  // The pod's image runs it with its own sh: busybox ash in busybox:1.36; dash and bash elsewhere.
  const shells = [['sh'], ['bash'], ['busybox', 'sh']].filter(([cmd, ...pre]) => spawnSync(cmd!, [...pre, '-c', 'exit 0']).status === 0);
  it.each(shells)('%s: every line to the log as it comes, the report and the exit line to the termination message', async (...shell) => {
    const { r, message } = await run('echo "progress" >&2\necho \'{"node":"n1"}\'\nexit 3\n', shell);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')).toEqual(['progress', '{"node":"n1"}', `${AGENT_EXIT_MARKER}3`]);
    expect(message).toBe(`{"node":"n1"}\n${AGENT_EXIT_MARKER}3\n`);
  });

  const run = async (agent: string, shell: string[] = ['sh']) => {
    const dir = mkdtempSync(join(tmpdir(), 'wrapper-'));
    try {
      mkdirSync(join(dir, 'bin'));
      writeFileSync(join(dir, 'bin', 'nsenter'), '#!/bin/sh\nshift 8\nexec "$@"\n');
      chmodSync(join(dir, 'bin', 'nsenter'), 0o755);
      writeFileSync(join(dir, 'agent.sh'), agent);
      const script = AGENT_WRAPPER.replace('/agent/node-agent.sh', join(dir, 'agent.sh')).replace(TERMINATION_LOG, join(dir, 'termination-log'));
      const r = await execa(shell[0]!, [...shell.slice(1), '-c', script, 'node-agent', 'check'], { env: { PATH: `${join(dir, 'bin')}:/usr/bin:/bin` }, reject: false });
      const message = existsSync(join(dir, 'termination-log')) ? readFileSync(join(dir, 'termination-log'), 'utf8') : undefined;
      return { r, message };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('a report too long for the kubelet (4096 bytes) is left to the log, whole', async () => {
    const long = JSON.stringify(report({ checks: Array.from({ length: 40 }, (_, i) => ({ id: `c${i}`, status: 'ok', message: 'x'.repeat(100), remedy: '' })) }));
    expect(long.length).toBeGreaterThan(TERMINATION_MESSAGE_MAX);
    const { r, message } = await run(`printf '%s\\n' '${long}'\n`);
    expect(r.exitCode).toBe(0);
    expect(message).toBeUndefined();
    expect(parseAgentOutput(r.stdout).report?.checks).toHaveLength(40);
  });

  it('an agent that fails without a report: the message has only the exit line (so the log is read, for what it said)', async () => {
    const { r, message } = await run(`echo "sh: iscsiadm: not found" >&2\nexit 127\n`);
    expect(r.stdout.split('\n')).toEqual(['sh: iscsiadm: not found', `${AGENT_EXIT_MARKER}127`]);
    expect(message).toBe(`\n${AGENT_EXIT_MARKER}127\n`);
    expect(parseAgentOutput(message!)).toMatchObject({ exitCode: 127 });
    expect(parseAgentOutput(message!).report).toBeUndefined();
  });
});

describe('reading the agent output', () => {
  it.each([
    ['report and exit line', `node-agent: x\n${JSON.stringify(report())}\n${AGENT_EXIT_MARKER}3\n`, { exitCode: 3, node: 'n1' }],
    ['local stdout (no exit line)', `${JSON.stringify(report())}\n`, { node: 'n1' }],
    ['nothing but an error', `sh: nsenter: not found\n${AGENT_EXIT_MARKER}127\n`, { exitCode: 127, problem: 'the node agent exited 127 without a report (a command is missing: the image needs sh and nsenter): sh: nsenter: not found' }],
    ['bad arguments', `node-agent: unknown target 'zfs' (usage: ...)\n${AGENT_EXIT_MARKER}2\n`, { exitCode: 2, problem: "the node agent exited 2 without a report: node-agent: unknown target 'zfs' (usage: ...)" }],
    ['empty log', '', { problem: 'the node agent printed no report' }],
    ['cut-off JSON', `{"schemaVersion":1,"node":\n${AGENT_EXIT_MARKER}0\n`, { exitCode: 0, problem: expect.stringMatching(/^the node agent's report is not valid JSON/) }],
    ['a newer schema', `${JSON.stringify(report({ schemaVersion: 2 }))}\n`, { problem: "the node agent's report is unusable: the report has schemaVersion 2; this k8s-storage reads 1 (use the agent that ships with it)" }],
    ['a malformed check', `${JSON.stringify(report({ checks: [{ id: 'x', status: 'bad' }] }))}\n`, { problem: expect.stringContaining('malformed check') }],
  ])('%s', (_name, text, expected) => {
    const parsed = parseAgentOutput(text);
    const { node, ...rest } = expected as { node?: string; exitCode?: number; problem?: string };
    if (node) expect(parsed.report?.node).toBe(node);
    else expect(parsed.report).toBeUndefined();
    expect({ exitCode: parsed.exitCode, problem: parsed.problem }).toEqual({ exitCode: undefined, problem: undefined, ...rest });
  });

  it('recomputes the summary from the findings and fills optional fields', () => {
    const r = validateAgentReport({ ...report({ summary: { ok: 9, warning: 9, error: 0 } }), actions: undefined, rebootRequired: undefined });
    expect(typeof r).toBe('object');
    expect(r).toMatchObject({ summary: { ok: 1, warning: 0, error: 1 }, actions: [], rebootRequired: false });
  });
});

describe('agent pod state', () => {
  const pod = (status: any, spec: any = { nodeName: 'n1' }) => ({ metadata: { name: 'p' }, spec, status });
  it.each([
    [{ initContainerStatuses: [{ name: 'agent', state: { terminated: { exitCode: 0 } } }] }, { done: true }],
    [{ initContainerStatuses: [{ name: 'agent', state: { running: {} } }] }, { done: false, detail: 'the agent is still running' }],
    [{ initContainerStatuses: [{ name: 'agent', state: { waiting: { reason: 'ErrImagePull', message: 'not found\nmore' } } }] }, { done: false, detail: expect.stringMatching(/^its image cannot be pulled \(ErrImagePull: not found\); in an air-gapped cluster pass --image/) }],
    [{ initContainerStatuses: [{ name: 'agent', state: { waiting: { reason: 'PodInitializing' } } }] }, { done: false, detail: 'the agent container is waiting (PodInitializing)' }],
    [{ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', message: '0/3 nodes are available' }] }, { done: false, detail: 'the agent pod cannot be scheduled: 0/3 nodes are available' }],
    [{ phase: 'Failed', reason: 'Evicted' }, { done: false, detail: 'the agent pod failed (Evicted)' }],
    [undefined, { done: false, detail: 'the agent pod is Pending' }],
  ])('%j', (status, expected) => {
    expect(agentPodState(pod(status))).toEqual(expected);
  });

  it('the node: spec.nodeName, else the single matchFields name the pod is meant for', () => {
    expect(agentPodNode({ spec: { nodeName: 'n1' } })).toBe('n1');
    const affinity = (values: string[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values }] }] } } });
    expect(agentPodNode({ spec: { affinity: affinity(['n2']) } })).toBe('n2');
    expect(agentPodNode({ spec: { affinity: affinity(['n2', 'n3']) } })).toBeUndefined();
    expect(agentPodNode({})).toBeUndefined();
  });
});
