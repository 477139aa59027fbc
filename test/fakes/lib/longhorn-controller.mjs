// Stand-in for longhorn-driver-deployer: once Deployment longhorn-driver-deployer exists in
// longhorn-system, it creates the CSI workloads the real deployer makes (csi-attacher,
// csi-provisioner, csi-resizer, csi-snapshotter Deployments and the longhorn-csi-plugin
// DaemonSet), `delayMs` later. Pair it with api.controllers.autoReadyWorkloads() to make
// them ready. Helm does not own these objects: they go away with the namespace.
//
//   const stop = longhornDriverDeployer(api, { delayMs: 50 });
//   ...
//   stop();

const NS = 'longhorn-system';
export const CSI_DEPLOYMENTS = ['csi-attacher', 'csi-provisioner', 'csi-resizer', 'csi-snapshotter'];
export const CSI_DAEMONSET = 'longhorn-csi-plugin';

/** @param {string} app @param {string} image */
const template = (app, image) => ({
  metadata: { labels: { app } },
  spec: { serviceAccountName: 'longhorn-service-account', containers: [{ name: app, image }] },
});

/** The objects longhorn-driver-deployer creates. @returns {any[]} */
export function csiWorkloads() {
  const labels = { 'app.kubernetes.io/name': 'longhorn', 'longhorn.io/managed-by': 'longhorn-manager' };
  return [
    ...CSI_DEPLOYMENTS.map((name) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: NS, labels: { ...labels, app: name } },
      spec: { replicas: 3, selector: { matchLabels: { app: name } }, template: template(name, `longhornio/${name}:v1.12.1`) },
    })),
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: CSI_DAEMONSET, namespace: NS, labels: { ...labels, app: CSI_DAEMONSET } },
      spec: { selector: { matchLabels: { app: CSI_DAEMONSET } }, template: template(CSI_DAEMONSET, 'longhornio/longhorn-manager:v1.12.1') },
    },
  ];
}

/**
 * @param {{ store: any, onChange: (fn: (ev: any) => void) => () => void }} api
 * @param {{ delayMs?: number }} [opts]
 * @returns {() => void} stop
 */
export function longhornDriverDeployer(api, opts = {}) {
  const delayMs = opts.delayMs ?? 0;
  /** @type {Set<ReturnType<typeof setTimeout>>} */
  const timers = new Set();
  const deploy = () => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!api.store.get('apps/deployments', 'longhorn-driver-deployer', NS)) return;
      const ns = api.store.get('namespaces', NS);
      if (!ns || ns.metadata.deletionTimestamp) return;
      for (const obj of csiWorkloads()) {
        const plural = obj.kind === 'Deployment' ? 'apps/deployments' : 'apps/daemonsets';
        if (!api.store.get(plural, obj.metadata.name, NS)) api.store.put(obj);
      }
    }, delayMs);
    timers.add(t);
  };
  if (api.store.get('apps/deployments', 'longhorn-driver-deployer', NS)) deploy();
  const unsubscribe = api.onChange((ev) => {
    if (ev.type !== 'ADDED' || ev.resource.group !== 'apps' || ev.resource.resource !== 'deployments') return;
    if (ev.object.metadata.name === 'longhorn-driver-deployer' && ev.object.metadata.namespace === NS) deploy();
  });
  return () => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };
}
