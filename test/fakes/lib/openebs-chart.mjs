// What the openebs/openebs 4.x chart puts in the fake cluster (reference/backends.md): the
// LocalPV hostpath provisioner and class always; with engines.replicated.mayastor.enabled the
// Mayastor workloads (io-engine and csi-node DaemonSets on nodes labelled
// openebs.io/engine=mayastor), the DiskPool CRD and class openebs-single-replica; the
// VolumeSnapshot CRDs unless openebs-crds.csi.volumeSnapshots.enabled=false.
//
// No real chart of OpenEBS is in ../shared, so this fake cannot tell an unknown value from a
// known one; it accepts any value, like Helm does for a chart without values.schema.json.
// Tests assert the exact --set values instead.

/** @param {Record<string, any>} values @param {string} path */
const at = (values, path) => path.split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), /** @type {any} */ (values));
const on = (/** @type {unknown} */ v, /** @type {boolean} */ dflt) => (v === undefined ? dflt : v === true || v === 'true');

/** @param {Record<string, any>} values @param {string} ns @param {string} release @param {string} version */
export function openebsObjects(values, ns, release, version) {
  const labels = { 'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': `openebs-${version}`, 'app.kubernetes.io/instance': release };
  const annotations = { 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': ns };
  const meta = (/** @type {string} */ name, namespaced = true) => ({ name, ...(namespaced ? { namespace: ns } : {}), labels, annotations });
  const workload = (/** @type {string} */ name, /** @type {'Deployment'|'DaemonSet'} */ kind, nodeSelector = {}) => ({
    apiVersion: 'apps/v1',
    kind,
    metadata: meta(name),
    spec: { ...(kind === 'Deployment' ? { replicas: 1 } : {}), selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { nodeSelector, containers: [{ name, image: `openebs/${name}:${version}` }] } } },
  });
  const crd = (/** @type {string} */ group, /** @type {string} */ plural, /** @type {string} */ kind, /** @type {string} */ v) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: meta(`${plural}.${group}`, false),
    spec: { group, scope: 'Namespaced', names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` }, versions: [{ name: v, served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
  });
  const basePath = at(values, 'localpv-provisioner.localpv.basePath') ?? '/var/openebs/local';
  /** @type {any[]} */
  const objects = [];
  if (on(at(values, 'openebs-crds.csi.volumeSnapshots.enabled'), true)) {
    objects.push(crd('snapshot.storage.k8s.io', 'volumesnapshots', 'VolumeSnapshot', 'v1'), crd('snapshot.storage.k8s.io', 'volumesnapshotclasses', 'VolumeSnapshotClass', 'v1'), crd('snapshot.storage.k8s.io', 'volumesnapshotcontents', 'VolumeSnapshotContent', 'v1'));
  }
  objects.push(workload('openebs-localpv-provisioner', 'Deployment'), {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { ...meta('openebs-hostpath', false), annotations: { ...annotations, 'openebs.io/cas-type': 'local', 'cas.openebs.io/config': `- name: StorageType\n  value: "hostpath"\n- name: BasePath\n  value: "${basePath}"\n` } },
    provisioner: 'openebs.io/local',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  });
  if (on(at(values, 'engines.replicated.mayastor.enabled'), true)) {
    const sel = { 'openebs.io/engine': 'mayastor' };
    objects.push(
      crd('openebs.io', 'diskpools', 'DiskPool', 'v1beta3'),
      workload('openebs-agent-core', 'Deployment'),
      workload('openebs-csi-controller', 'Deployment'),
      workload('openebs-io-engine', 'DaemonSet', sel),
      workload('openebs-csi-node', 'DaemonSet', sel),
      { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: meta(`${release}-single-replica`, false), provisioner: 'io.openebs.csi-mayastor', parameters: { repl: '1', protocol: 'nvmf' }, reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate', allowVolumeExpansion: true },
    );
  }
  return objects;
}
