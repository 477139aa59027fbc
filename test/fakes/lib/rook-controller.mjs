// Stand-in for the Rook operator on the fake API server: once Deployment rook-ceph-operator
// exists it creates the CSI workloads (csi-rbdplugin DaemonSet, csi-rbdplugin-provisioner
// Deployment); it reports status on CephClusters (external: Connected; in-cluster: Ready with
// the health a test chooses, one OSD Deployment per node), and Ready on pools, filesystems and
// object stores. Deleting a CephCluster whose cleanupPolicy.confirmation is
// yes-really-destroy-data leaves one succeeded cluster-cleanup-job-<node> Job per node.
// Pair it with api.controllers.autoReadyWorkloads() to make the workloads ready.
//
//   const stop = rookOperator(api, { health: 'HEALTH_WARN', details: { MON_DISK_LOW: {...} } });

const NS = 'rook-ceph';

/** @param {string} name @param {'Deployment'|'DaemonSet'} kind */
const workload = (name, kind) => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name, namespace: NS, labels: { app: name } },
  spec: { ...(kind === 'Deployment' ? { replicas: 1 } : {}), selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: name, image: 'quay.io/cephcsi/cephcsi:v3.14.0' }] } } },
});

/**
 * @param {{ store: any, onChange: (fn: (ev: any) => void) => () => void }} api
 * @param {{ delayMs?: number, health?: string, details?: Record<string, {message: string, severity: string}>, capacity?: {bytesTotal: number, bytesUsed: number}, osdsDown?: number }} [opts]
 * @returns {() => void} stop
 */
export function rookOperator(api, opts = {}) {
  const delayMs = opts.delayMs ?? 0;
  /** @type {Set<ReturnType<typeof setTimeout>>} */
  const timers = new Set();
  const later = (/** @type {() => void} */ fn) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, delayMs);
    timers.add(t);
  };
  const operatorRuns = () => !!api.store.get('apps/deployments', 'rook-ceph-operator', NS);

  const deployCsi = () =>
    later(() => {
      if (!operatorRuns()) return;
      for (const [name, kind] of /** @type {const} */ ([['csi-rbdplugin', 'DaemonSet'], ['csi-rbdplugin-provisioner', 'Deployment'], ['csi-cephfsplugin', 'DaemonSet'], ['csi-cephfsplugin-provisioner', 'Deployment']])) {
        if (!api.store.get(kind === 'Deployment' ? 'apps/deployments' : 'apps/daemonsets', name, NS)) api.store.put(workload(name, kind));
      }
    });

  /** @param {any} obj */
  const reconcileCluster = (obj) =>
    later(() => {
      if (!operatorRuns()) return;
      const cur = api.store.get('cephclusters.ceph.rook.io', obj.metadata.name, obj.metadata.namespace);
      if (!cur || cur.metadata.deletionTimestamp || cur.status?.phase) return;
      const external = cur.spec?.external?.enable === true;
      const nodes = api.store.list('nodes').map((/** @type {any} */ n) => n.metadata.name);
      if (!external) {
        nodes.forEach((/** @type {string} */ node, /** @type {number} */ i) => {
          const osd = workload(`rook-ceph-osd-${i}`, 'Deployment');
          osd.metadata.labels = { app: 'rook-ceph-osd', 'topology-location-host': node };
          if (!api.store.get('apps/deployments', osd.metadata.name, NS)) api.store.put(osd);
        });
      }
      api.store.update('cephclusters.ceph.rook.io', cur.metadata.name, cur.metadata.namespace, (/** @type {any} */ o) => {
        o.status = external
          ? { phase: 'Connected', state: 'Connected', message: 'Cluster connected successfully', ceph: { health: opts.health ?? 'HEALTH_OK', details: opts.details ?? {} } }
          : { phase: 'Ready', state: 'Created', message: 'Cluster created successfully', ceph: { health: opts.health ?? 'HEALTH_OK', details: opts.details ?? {}, capacity: opts.capacity ?? { bytesTotal: 300 * 2 ** 30, bytesUsed: 3 * 2 ** 30 } } };
      });
    });

  /** @param {string} resource @param {any} obj */
  const ready = (resource, obj) =>
    later(() => {
      const cur = api.store.get(`${resource}.ceph.rook.io`, obj.metadata.name, obj.metadata.namespace);
      if (!cur || cur.status?.phase === 'Ready') return;
      api.store.update(`${resource}.ceph.rook.io`, cur.metadata.name, cur.metadata.namespace, (/** @type {any} */ o) => {
        o.status = { phase: 'Ready' };
      });
    });

  /** @param {any} obj */
  const cleanup = (obj) => {
    if (obj.spec?.cleanupPolicy?.confirmation !== 'yes-really-destroy-data') return;
    later(() => {
      for (const n of api.store.list('nodes')) {
        api.store.put({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: `cluster-cleanup-job-${n.metadata.name}`, namespace: NS, labels: { app: 'rook-ceph-cleanup' } }, spec: { template: { spec: { containers: [{ name: 'host-cleanup', image: 'quay.io/ceph/ceph:v19' }], restartPolicy: 'OnFailure' } } }, status: { succeeded: 1 } });
      }
    });
  };

  if (operatorRuns()) deployCsi();
  const unsubscribe = api.onChange((ev) => {
    const { group, resource } = ev.resource;
    if (group === 'apps' && resource === 'deployments' && ev.type === 'ADDED' && ev.object.metadata.name === 'rook-ceph-operator') deployCsi();
    if (group !== 'ceph.rook.io') return;
    if (resource === 'cephclusters') {
      if (ev.type === 'DELETED') cleanup(ev.object);
      else reconcileCluster(ev.object);
    } else if (ev.type !== 'DELETED') ready(resource, ev.object);
  });
  return () => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };
}
