import { describe, expect, it } from 'vitest';
import { localAgentCommand, sudoProblem } from '../../src/nodes/local.js';
import { buildNodeCheckReport, nodeReportVerdict, uniqueHostnamesCheck } from '../../src/nodes/report.js';
import { selectNodes } from '../../src/nodes/select.js';
import type { AgentOutcome, AgentReport, Severity } from '../../src/nodes/types.js';
import { agentReport } from '../helpers/agent-report.js';

function agent(node: string, statuses: Severity[] = ['ok'], over: Partial<AgentReport> = {}): AgentReport {
  const checks = statuses.map((status, i) => ({ id: `c${i}`, status, message: `m${i}`, remedy: status === 'ok' ? '' : `fix${i}` }));
  return agentReport(node, { checks, ...over });
}
const ok = (name: string, host = name, statuses?: Severity[], over?: Partial<AgentReport>): AgentOutcome => ({ name, reported: true, report: agent(host, statuses, over) });
const silent = (name: string): AgentOutcome => ({ name, reported: false, reason: 'did not report within 5m: the agent is still running' });
const build = (outcomes: AgentOutcome[], over: Partial<Parameters<typeof buildNodeCheckReport>[0]> = {}) =>
  buildNodeCheckReport({ mode: 'check', target: 'longhorn', via: 'daemonset', outcomes, ...over });

describe('node check report', () => {
  it('statuses, summary and the order of nodes', () => {
    const r = build([ok('c', 'c', ['ok', 'warning']), silent('b'), ok('a'), ok('d', 'd', ['error', 'warning'])]);
    expect(r.nodes.map((n) => [n.name, n.status, n.reported])).toEqual([['a', 'ok', true], ['b', 'error', false], ['c', 'warning', true], ['d', 'error', true]]);
    expect(r.summary).toEqual({ nodes: 4, ok: 1, warning: 1, error: 1, notReported: 1, status: 'error', rebootRequired: [], kubeletRestartRequired: [] });
    const b = r.nodes[1]!;
    expect(b).toMatchObject({ reported: false, reason: 'did not report within 5m: the agent is still running', summary: { ok: 0, warning: 0, error: 1 } });
    expect(b.checks).toEqual([{ id: 'reported', status: 'error', message: 'no report from this node: did not report within 5m: the agent is still running', remedy: expect.stringContaining('--node b') }]);
    expect(r.cluster.checks.map((c) => [c.id, c.status])).toEqual([['unique-hostnames', 'ok'], ['all-nodes-reported', 'error']]);
  });

  it('warnings alone leave the status at warning; no node at all is an error', () => {
    expect(build([ok('a', 'a', ['warning'])]).summary.status).toBe('warning');
    expect(build([]).summary.status).toBe('error');
  });

  it('reboot and kubelet restart: who, and the right restart command for MicroK8s and others', () => {
    const r = build([ok('a', 'a', ['ok'], { kubeletRestartRequired: true }), ok('b', 'b', ['ok'], { kubeletRestartRequired: true, microk8s: false }), ok('c', 'c', ['error'], { rebootRequired: true })], { mode: 'prepare' });
    expect(r.summary.kubeletRestartRequired).toEqual(['a', 'b']);
    expect(r.summary.rebootRequired).toEqual(['c']);
    expect(r.nodes.map((n) => (n.reported ? n.kubeletRestartCommand : undefined))).toEqual(['sudo snap restart microk8s.daemon-kubelite', 'sudo systemctl restart kubelet', undefined]);
  });

  it.each([
    [['node-1', 'node-2', 'node-3'], 'ok', undefined],
    [['node-1', 'NODE-1', 'node-3'], 'error', '"node-1" on a, b'],
    [['x', 'x', 'x'], 'error', '"x" on a, b, c'],
  ])('hostnames %j: %s', (hosts, status, text) => {
    const r = build(hosts.map((h, i) => ok('abc'[i]!, h)));
    const check = uniqueHostnamesCheck(r.nodes);
    expect(check.status).toBe(status);
    if (text) expect(check.message).toContain(text);
    expect(check.remedy === '').toBe(status === 'ok');
  });

  it('--local reports have no all-nodes-reported check', () => {
    expect(build([ok('me')], { via: 'local' }).cluster.checks.map((c) => c.id)).toEqual(['unique-hostnames']);
  });

  it.each([
    ['all fine', [ok('a'), ok('b')], {}, undefined],
    ['warnings only', [ok('a', 'a', ['warning'])], {}, undefined],
    ['check, one node with errors', [ok('a'), ok('b', 'b', ['error', 'error'])], {}, { message: '1 of 2 node(s) not ready for longhorn: b (2 errors).', hint: 'k8s-storage nodes prepare --for longhorn --node b' }],
    ['check, every node with errors', [ok('a', 'a', ['error']), ok('b', 'b', ['error'])], {}, { message: '2 of 2 node(s) not ready for longhorn: a (1 error), b (1 error).', hint: 'k8s-storage nodes prepare --for longhorn' }],
    ['check, errors and a silent node', [ok('a', 'a', ['error']), silent('b'), ok('c')], {}, { message: '2 of 3 node(s) not ready for longhorn: a (1 error), b (did not report).', hint: 'k8s-storage nodes prepare --for longhorn --node a; b did not report (the reason is in the report)' }],
    ['check, only a silent node', [ok('a'), silent('b')], {}, { message: '1 of 2 node(s) not ready for longhorn: b (did not report).', hint: expect.stringContaining('rerun for those nodes: --node b') }],
    ['prepare left errors', [ok('a', 'a', ['error'])], { mode: 'prepare' as const }, { message: '1 of 1 node(s) not ready for longhorn: a (1 error).', hint: expect.stringMatching(/^prepare fixed what it could; .*k8s-storage nodes check --for longhorn$/) }],
    ['local', [ok('me', 'me', ['error'])], { via: 'local' as const }, { message: '1 of 1 node(s) not ready for longhorn: me (1 error).', hint: 'k8s-storage nodes prepare --for longhorn --local' }],
    ['duplicate hostnames only', [ok('a', 'h'), ok('b', 'h')], {}, { message: 'the nodes are not ready for longhorn; unique-hostnames failed.', hint: expect.stringContaining('hostnamectl') }],
  ])('verdict: %s', (_name, outcomes, over, expected) => {
    expect(nodeReportVerdict(build(outcomes, over))).toEqual(expected);
  });
});

describe('node selection', () => {
  const nodes: { name: string; labels: Record<string, string> }[] = [
    { name: 'cp', labels: { 'kubernetes.io/os': 'linux', role: 'cp' } },
    { name: 'w1', labels: { 'kubernetes.io/os': 'linux', storage: 'yes' } },
    { name: 'w2', labels: { storage: 'yes' } },
    { name: 'win', labels: { 'kubernetes.io/os': 'windows', storage: 'yes' } },
  ];
  it.each([
    [{}, ['cp', 'w1', 'w2'], ['win'], []],
    [{ nodeSelector: { storage: 'yes' } }, ['w1', 'w2'], ['win'], []],
    [{ nodes: ['w2', 'cp'] }, ['cp', 'w2'], [], []],
    [{ nodes: ['cp', 'zz'], nodeSelector: { storage: 'yes' } }, [], [], ['--node zz: no such node (the cluster has cp, w1, w2, win)', '--node cp: does not match --node-selector storage=yes']],
  ])('%j', (o, selected, skipped, problems) => {
    const r = selectNodes(nodes, { nodes: [], nodeSelector: {}, ...o });
    expect(r.selected).toEqual(selected);
    expect(r.skipped.map((s) => s.name)).toEqual(skipped);
    expect(r.problems).toEqual(problems);
  });
});

describe('--local', () => {
  it.each([
    ['check', false, { file: 'sh', args: ['/a/node-agent.sh', 'check', '--for', 'longhorn'] }],
    ['prepare', true, { file: 'sh', args: ['/a/node-agent.sh', 'prepare', '--for', 'longhorn'] }],
    ['prepare', false, { file: 'sudo', args: ['-n', 'sh', '/a/node-agent.sh', 'prepare', '--for', 'longhorn'] }],
  ] as const)('%s as root=%s', (mode, isRoot, cmd) => {
    expect(localAgentCommand('/a/node-agent.sh', [mode, '--for', 'longhorn'], { mode, isRoot })).toEqual(cmd);
  });

  const sudo = { file: 'sudo', args: ['-n', 'sh'] };
  const result = (stderr: string, exitCode = 1, notFound = false) => ({ exitCode, stdout: '', stderr, notFound });
  it.each([
    ['sudo: a password is required\n', 'prepare needs root, and sudo asks for a password: k8s-storage runs sudo -n and never prompts.', 'run "sudo -v" first and rerun within sudo\'s timeout, or run: sudo k8s-storage nodes prepare --local'],
    ['tester is not in the sudoers file.  This incident will be reported.\n', 'prepare needs root, and sudo refused: tester is not in the sudoers file.  This incident will be reported.', 'ask an administrator to run: sudo k8s-storage nodes prepare --local'],
  ])('sudo says %j', (stderr, message, hint) => {
    const err = sudoProblem(sudo, result(stderr), 'k8s-storage nodes prepare --local');
    expect(err?.message).toBe(message);
    expect(err?.hint).toBe(hint);
  });

  it('no sudo installed; agent results and plain sh are not sudo problems', () => {
    expect(sudoProblem(sudo, result('', 127, true), 'x')?.message).toMatch(/sudo is not installed/);
    expect(sudoProblem(sudo, result('node-agent: progress', 3), 'x')).toBeUndefined();
    expect(sudoProblem({ file: 'sh', args: [] }, result('sudo: a password is required'), 'x')).toBeUndefined();
  });
});
