// The kubelet's Summary API as the API server proxies it:
//   GET /api/v1/nodes/NODE/proxy/stats/summary   (kubectl get --raw)
//   GET /api/v1/nodes/NODE/proxy?path=stats/summary   (client-node's connectGetNodeProxy)
// Field names are the kubelet's (k8s.io/kubelet/pkg/apis/stats/v1alpha1): node.fs and, per
// running pod on that node, volume[] = FsStats + name + pvcRef. Like the real kubelet, a
// hostPath PV (MicroK8s hostpath) reports nothing (MetricsNil), and every pod also has its
// service-account token volume, which has no pvcRef.
//
//   const stats = serveKubeletStats(api);
//   stats.setVolume('default', 'data', { usedBytes: 9e8 });   // capacity defaults to the PV's
//   stats.setNodeFs('node-1', { availableBytes: 5 * 2 ** 30 });
//   stats.unreachable('node-2');    // 503 from the proxy, as when the kubelet is down

import { parseQuantity } from '../apiserver.mjs';
import { timestamp as now } from './time.mjs';

const GI = 2 ** 30;

/** @param {any} api */
export function serveKubeletStats(api) {
  /** @type {Map<string, any>} "ns/claim" -> FsStats overrides */
  const volumes = new Map();
  /** @type {Map<string, any>} */
  const nodeFs = new Map();
  /** @type {Set<string>} */
  const down = new Set();

  // The store's objects, indexed once per change (200 nodes asking at once read one index).
  /** @type {{pvs: Map<string, any>, claims: Map<string, any>, podsByNode: Map<string, any[]>} | undefined} */
  let index;
  api.onChange(() => {
    index = undefined;
  });
  const indexed = () => {
    if (index) return index;
    /** @type {Map<string, any[]>} */
    const podsByNode = new Map();
    for (const p of api.store.list('pods')) {
      if (p.status?.phase !== 'Running' || !p.spec?.nodeName) continue;
      const list = podsByNode.get(p.spec.nodeName) ?? [];
      list.push(p);
      podsByNode.set(p.spec.nodeName, list);
    }
    index = {
      pvs: new Map(api.store.list('persistentvolumes').map((/** @type {any} */ pv) => [pv.metadata.name, pv])),
      claims: new Map(api.store.list('persistentvolumeclaims').map((/** @type {any} */ c) => [`${c.metadata.namespace}/${c.metadata.name}`, c])),
      podsByNode,
    };
    return index;
  };

  /** @param {string} node */
  const summary = (node) => {
    const { pvs, claims, podsByNode } = indexed();
    const fs = { time: now(), availableBytes: 60 * GI, capacityBytes: 100 * GI, usedBytes: 40 * GI, inodesFree: 6_000_000, inodes: 6_553_600, inodesUsed: 553_600, ...(nodeFs.get(node) ?? {}) };
    const pods = (podsByNode.get(node) ?? [])
      .map((/** @type {any} */ p) => {
        const ns = p.metadata.namespace;
        const volume = [
          { time: now(), availableBytes: 8_268_234_752, capacityBytes: 8_268_234_752, usedBytes: 12_288, inodesFree: 1_009_302, inodes: 1_009_311, inodesUsed: 9, name: 'kube-api-access-x7k2p' },
        ];
        for (const v of p.spec?.volumes ?? []) {
          const claimName = v?.persistentVolumeClaim?.claimName;
          if (!claimName) continue;
          const claim = claims.get(`${ns}/${claimName}`);
          const pv = pvs.get(claim?.spec?.volumeName);
          if (!pv || pv.spec?.hostPath) continue; // hostPath: MetricsNil, no stats at all
          const capacity = parseQuantity(pv.spec?.capacity?.storage ?? claim?.status?.capacity?.storage ?? '1Gi');
          const o = volumes.get(`${ns}/${claimName}`) ?? {};
          const used = o.usedBytes ?? 0;
          volume.push({
            time: now(),
            availableBytes: o.availableBytes ?? Math.max(0, capacity - used),
            capacityBytes: o.capacityBytes ?? capacity,
            usedBytes: used,
            inodesFree: o.inodesFree ?? 65_000,
            inodes: o.inodes ?? 65_536,
            inodesUsed: o.inodesUsed ?? 536,
            name: v.name,
            pvcRef: { name: claimName, namespace: ns },
          });
        }
        return {
          podRef: { name: p.metadata.name, namespace: ns, uid: p.metadata.uid },
          startTime: p.status?.startTime ?? now(),
          containers: [],
          volume,
          'ephemeral-storage': { time: now(), availableBytes: fs.availableBytes, capacityBytes: fs.capacityBytes, usedBytes: 28_672, inodesFree: fs.inodesFree, inodes: fs.inodes, inodesUsed: 7 },
          process_stats: { process_count: 1 },
        };
      });
    return { node: { nodeName: node, systemContainers: [], startTime: now(), fs, runtime: { imageFs: { ...fs } } }, pods };
  };

  api.addRoute((/** @type {any} */ req, /** @type {any} */ res, /** @type {URL} */ url, /** @type {any} */ rec) => {
    const m = /^\/api\/v1\/nodes\/([^/]+)\/proxy(?:\/(.*))?$/.exec(url.pathname);
    if (!m || req.method !== 'GET') return false;
    const node = decodeURIComponent(m[1] ?? '');
    const path = (m[2] ?? url.searchParams.get('path') ?? '').replace(/^\/+/, '');
    Object.assign(rec, { verb: 'get', resource: 'nodes', group: '', version: 'v1', name: node, subresource: 'proxy' });
    const reply = (/** @type {number} */ code, /** @type {any} */ body) => {
      const text = JSON.stringify(body);
      res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return true;
    };
    if (!api.store.get('nodes', node)) return reply(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `nodes "${node}" not found`, reason: 'NotFound', details: { name: node, kind: 'nodes' }, code: 404 });
    if (down.has(node)) return reply(503, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `error trying to reach service: dial tcp 10.0.0.1:10250: connect: connection refused`, reason: 'ServiceUnavailable', code: 503 });
    if (path !== 'stats/summary') return reply(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: '404 page not found', reason: 'NotFound', code: 404 });
    return reply(200, summary(node));
  });

  return {
    /** @param {string} ns @param {string} claim @param {Record<string, number>} fs */
    setVolume(ns, claim, fs) {
      volumes.set(`${ns}/${claim}`, fs);
    },
    /** @param {string} node @param {Record<string, number>} fs */
    setNodeFs(node, fs) {
      nodeFs.set(node, fs);
    },
    /** @param {string} node */
    unreachable(node) {
      down.add(node);
    },
    summary,
  };
}
