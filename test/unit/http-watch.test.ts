// src/cluster/http.ts's watch against the fake API server over real HTTP: a stopped watch
// closes its connection (the server sees it go), whether it was streaming or not yet open,
// and ends without an error.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { ApiTransport, type WatchEvent } from '../../src/cluster/http.js';
import { startFakeApiServer } from '../fakes/apiserver.mjs';

let api: Awaited<ReturnType<typeof startFakeApiServer>>;
let transport: ApiTransport;

beforeEach(async () => {
  api = await startFakeApiServer();
  const kc = new k8s.KubeConfig();
  kc.loadFromString(api.kubeconfig());
  transport = new ApiTransport(kc, kc.getCurrentCluster()!.server);
});
afterEach(async () => {
  await api.close();
});

const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });

describe('ApiTransport.watch', () => {
  it('streams events; stop() closes the stream, the server sees it go, done ends without an error', async () => {
    const seen: WatchEvent[] = [];
    const handle = transport.watch('/api/v1/namespaces/default/pods', {}, (ev) => seen.push(ev));
    await api.waitFor(() => api.watchCount === 1 || undefined);
    api.store.put(pod('a'));
    await api.waitFor(() => seen.length === 1 || undefined);
    expect(seen[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'a' } } });
    handle.stop();
    expect(await handle.done).toEqual({});
    await api.waitFor(() => api.watchCount === 0 || undefined);
    // Nothing arrives after the stop.
    api.store.put(pod('b'));
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toHaveLength(1);
  });

  it('stopped before its request is made: no stream is left open, done ends without an error', async () => {
    const handle = transport.watch('/api/v1/namespaces/default/pods', {}, () => undefined);
    handle.stop();
    expect(await handle.done).toEqual({});
    await new Promise((r) => setTimeout(r, 50));
    expect(api.watchCount).toBe(0);
  });

  it('an answer other than 200 is the error of done', async () => {
    api.faults.failNext({ verb: 'watch', resource: 'pods' }, 403, { reason: 'Forbidden', message: 'pods is forbidden: no watching' });
    const { error } = await transport.watch('/api/v1/namespaces/default/pods', {}, () => undefined).done;
    expect(error?.message).toContain('no watching');
  });
});
