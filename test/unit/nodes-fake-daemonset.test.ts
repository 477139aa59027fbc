/**
 * The fake DaemonSet controller and pods/log endpoint the node CLI tests stand on: they
 * must schedule like the real ones (selectors, affinity, taints) and refuse like them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeApiServer, type FakeApiServer } from '../fakes/apiserver.mjs';
import { nodeAllows } from '../fakes/lib/daemonset-controller.mjs';

let api: FakeApiServer | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const node = (name: string, labels: Record<string, string> = {}, taints: any[] = []) => ({ metadata: { name, labels }, spec: { taints } });
const ds = (spec: any) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'tools' },
  spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { initContainers: [{ name: 'init', image: 'x', command: ['sh', '-c', 'echo hi'] }], containers: [{ name: 'main', image: 'x' }], ...spec } } },
});

describe('fake DaemonSet scheduling', () => {
  const affinity = (term: any) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } } });
  it.each([
    ['no constraints', node('a'), {}, true],
    ['nodeSelector matches', node('a', { disk: 'ssd' }), { nodeSelector: { disk: 'ssd' } }, true],
    ['nodeSelector misses', node('a', { disk: 'hdd' }), { nodeSelector: { disk: 'ssd' } }, false],
    ['matchFields In', node('a'), { affinity: affinity({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a', 'b'] }] }) }, true],
    ['matchFields not In', node('c'), { affinity: affinity({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a', 'b'] }] }) }, false],
    ['matchExpressions Exists', node('a', { gpu: '1' }), { affinity: affinity({ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }) }, true],
    ['NoSchedule taint, no toleration', node('a', {}, [{ key: 'cp', effect: 'NoSchedule' }]), {}, false],
    ['NoSchedule taint, Exists toleration', node('a', {}, [{ key: 'cp', effect: 'NoSchedule' }]), { tolerations: [{ operator: 'Exists' }] }, true],
    ['NoExecute taint, keyed toleration', node('a', {}, [{ key: 'x', value: 'y', effect: 'NoExecute' }]), { tolerations: [{ key: 'x', value: 'y' }] }, true],
    ['PreferNoSchedule taint is no bar', node('a', {}, [{ key: 'x', effect: 'PreferNoSchedule' }]), {}, true],
  ])('%s', (_n, n, spec, allowed) => {
    expect(nodeAllows(n, spec)).toBe(allowed);
  });

  it('a pod per allowed node, its log served, deleted with its DaemonSet', async () => {
    api = await startFakeApiServer({ nodes: ['n1', 'n2', 'n3'] });
    api.store.update('nodes', 'n3', undefined, (n) => {
      n.spec.taints = [{ key: 'cp', effect: 'NoSchedule' }];
    });
    const runner = api.controllers.runDaemonSets({ run: (n: string) => (n === 'n2' ? 'never' : { logs: `hello from ${n}\n` }) });
    api.store.put(ds({}));
    await api.waitFor(() => runner.executions.length === 2);
    const pods = api.store.list('pods', 'tools');
    expect(pods.map((p: any) => p.spec.nodeName).sort()).toEqual(['n1', 'n2']);
    const p1 = pods.find((p: any) => p.spec.nodeName === 'n1');
    const p2 = pods.find((p: any) => p.spec.nodeName === 'n2');
    expect(p1.status.initContainerStatuses[0].state.terminated.exitCode).toBe(0);
    expect(p1.metadata.ownerReferences[0]).toMatchObject({ kind: 'DaemonSet', name: 'agent', controller: true });

    const log = (pod: string, container?: string) => fetch(`${api!.url}/api/v1/namespaces/tools/pods/${pod}/log${container ? `?container=${container}` : ''}`);
    const ok = await log(p1.metadata.name, 'init');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe('hello from n1\n');
    const which = await log(p1.metadata.name);
    expect(which.status).toBe(400);
    expect(((await which.json()) as any).message).toBe(`a container name must be specified for pod ${p1.metadata.name}, choose one of: [main] or one of the init containers: [init]`);
    expect(((await (await log(p1.metadata.name, 'nope')).json()) as any).message).toBe(`container nope is not valid for pod ${p1.metadata.name}`);
    // The never-ending pod's init container is running: its (empty) log is readable; main is not started.
    expect(((await (await log(p2.metadata.name, 'main')).json()) as any).message).toBe(`container "main" in pod "${p2.metadata.name}" is waiting to start: PodInitializing`);

    api.store.delete('apps/daemonsets', 'agent', 'tools');
    // Garbage collection goes through the HTTP delete path; a store delete leaves the pods.
    expect(api.store.list('pods', 'tools')).toHaveLength(2);
    const del = await fetch(`${api.url}/api/v1/namespaces/tools/pods/${p1.metadata.name}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    await api.waitFor(() => api!.podLogs.get('tools', p1.metadata.name, 'init') === undefined);
  });

  it('deleting the DaemonSet through the API garbage-collects its pods', async () => {
    api = await startFakeApiServer({ nodes: ['n1'] });
    const runner = api.controllers.runDaemonSets({ run: () => ({ logs: 'x' }) });
    api.store.put(ds({}));
    await api.waitFor(() => runner.executions.length === 1);
    const res = await fetch(`${api.url}/apis/apps/v1/namespaces/tools/daemonsets/agent?propagationPolicy=Background`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    await api.waitFor(() => api!.store.list('pods', 'tools').length === 0);
  });
});
