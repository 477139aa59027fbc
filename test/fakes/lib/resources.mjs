// The API resources the fake server knows, as discovery reports them.
//
// `crd: true` marks groups that a real cluster serves from CustomResourceDefinitions: their
// list items carry kind/apiVersion, deletes return the object, and strategic merge patch is
// refused with 415 exactly like the real server does for custom resources.

/**
 * @typedef {object} ResourceDef
 * @property {string} group        '' for the core group
 * @property {string} version
 * @property {string} resource     plural, lower case (`persistentvolumeclaims`)
 * @property {string} kind
 * @property {string} singular
 * @property {boolean} namespaced
 * @property {string[]} verbs
 * @property {string[]} shortNames
 * @property {string[]} subresources  e.g. ['status', 'scale']
 * @property {boolean} crd
 * @property {boolean} hidden       true while the group is "not installed"
 */

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/**
 * @param {string} group @param {string} version @param {string} resource @param {string} kind
 * @param {boolean} namespaced
 * @param {{shortNames?: string[], subresources?: string[], crd?: boolean, verbs?: string[]}} [o]
 * @returns {ResourceDef}
 */
export function def(group, version, resource, kind, namespaced, o = {}) {
  return {
    group,
    version,
    resource,
    kind,
    singular: kind.toLowerCase(),
    namespaced,
    verbs: o.verbs ?? RW,
    shortNames: o.shortNames ?? [],
    subresources: o.subresources ?? [],
    crd: o.crd ?? false,
    hidden: false,
  };
}

const ST = ['status'];
const LH = { crd: true, subresources: ST };

/** @returns {ResourceDef[]} a fresh copy each call, so servers can mutate their own */
export function builtinResources() {
  return [
    // core/v1
    def('', 'v1', 'namespaces', 'Namespace', false, { shortNames: ['ns'], subresources: ['status', 'finalize'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] }),
    def('', 'v1', 'nodes', 'Node', false, { shortNames: ['no'], subresources: ST }),
    def('', 'v1', 'pods', 'Pod', true, { shortNames: ['po'], subresources: ST }),
    def('', 'v1', 'services', 'Service', true, { shortNames: ['svc'], subresources: ST }),
    def('', 'v1', 'endpoints', 'Endpoints', true, { shortNames: ['ep'] }),
    def('', 'v1', 'secrets', 'Secret', true),
    def('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
    def('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, { shortNames: ['pvc'], subresources: ST }),
    def('', 'v1', 'persistentvolumes', 'PersistentVolume', false, { shortNames: ['pv'], subresources: ST }),
    def('', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
    def('', 'v1', 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'] }),
    // apps/v1
    def('apps', 'v1', 'deployments', 'Deployment', true, { shortNames: ['deploy'], subresources: ['status', 'scale'] }),
    def('apps', 'v1', 'daemonsets', 'DaemonSet', true, { shortNames: ['ds'], subresources: ST }),
    def('apps', 'v1', 'statefulsets', 'StatefulSet', true, { shortNames: ['sts'], subresources: ['status', 'scale'] }),
    def('apps', 'v1', 'replicasets', 'ReplicaSet', true, { shortNames: ['rs'], subresources: ['status', 'scale'] }),
    // storage.k8s.io/v1
    def('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, { shortNames: ['sc'] }),
    def('storage.k8s.io', 'v1', 'csidrivers', 'CSIDriver', false),
    def('storage.k8s.io', 'v1', 'csinodes', 'CSINode', false),
    def('storage.k8s.io', 'v1', 'volumeattachments', 'VolumeAttachment', false, { subresources: ST }),
    // batch/v1
    def('batch', 'v1', 'jobs', 'Job', true, { subresources: ST }),
    def('batch', 'v1', 'cronjobs', 'CronJob', true, { shortNames: ['cj'], subresources: ST }),
    // networking.k8s.io/v1
    def('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true, { shortNames: ['ing'], subresources: ST }),
    def('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false),
    def('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, { shortNames: ['netpol'] }),
    // monitoring.coreos.com/v1 (the Prometheus operator's CRDs, as the MicroK8s observability addon installs them)
    def('monitoring.coreos.com', 'v1', 'servicemonitors', 'ServiceMonitor', true, { shortNames: ['smon'], crd: true }),
    // rbac.authorization.k8s.io/v1
    def('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
    def('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
    def('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
    def('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
    // authorization.k8s.io/v1: lets a CLI ask "can I?" (answers follow faults.forbid rules)
    def('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, { verbs: ['create'] }),
    // apiextensions.k8s.io/v1
    def('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, { shortNames: ['crd', 'crds'], subresources: ST }),
    // snapshot.storage.k8s.io/v1 (external-snapshotter CRDs)
    def('snapshot.storage.k8s.io', 'v1', 'volumesnapshots', 'VolumeSnapshot', true, { shortNames: ['vs'], crd: true, subresources: ST }),
    def('snapshot.storage.k8s.io', 'v1', 'volumesnapshotclasses', 'VolumeSnapshotClass', false, { shortNames: ['vsclass', 'vsclasses'], crd: true }),
    def('snapshot.storage.k8s.io', 'v1', 'volumesnapshotcontents', 'VolumeSnapshotContent', false, { shortNames: ['vsc', 'vscs'], crd: true, subresources: ST }),
    // longhorn.io/v1beta2 (Longhorn CRDs, all namespaced in longhorn-system)
    def('longhorn.io', 'v1beta2', 'volumes', 'Volume', true, { ...LH, shortNames: ['lhv'] }),
    def('longhorn.io', 'v1beta2', 'nodes', 'Node', true, { ...LH, shortNames: ['lhn'] }),
    def('longhorn.io', 'v1beta2', 'settings', 'Setting', true, { ...LH, shortNames: ['lhs'] }),
    def('longhorn.io', 'v1beta2', 'snapshots', 'Snapshot', true, { ...LH, shortNames: ['lhsnap'] }),
    def('longhorn.io', 'v1beta2', 'backups', 'Backup', true, { ...LH, shortNames: ['lhb'] }),
    def('longhorn.io', 'v1beta2', 'backuptargets', 'BackupTarget', true, { ...LH, shortNames: ['lhbt'] }),
    def('longhorn.io', 'v1beta2', 'backupvolumes', 'BackupVolume', true, { ...LH, shortNames: ['lhbv'] }),
    def('longhorn.io', 'v1beta2', 'recurringjobs', 'RecurringJob', true, { ...LH, shortNames: ['lhrj'] }),
    def('longhorn.io', 'v1beta2', 'volumeattachments', 'VolumeAttachment', true, { ...LH, shortNames: ['lhva'] }),
    def('longhorn.io', 'v1beta2', 'engineimages', 'EngineImage', true, { ...LH, shortNames: ['lhei'] }),
    def('longhorn.io', 'v1beta2', 'replicas', 'Replica', true, { ...LH, shortNames: ['lhr'] }),
    def('longhorn.io', 'v1beta2', 'engines', 'Engine', true, { ...LH, shortNames: ['lhe'] }),
    def('longhorn.io', 'v1beta2', 'instancemanagers', 'InstanceManager', true, { ...LH, shortNames: ['lhim'] }),
    def('longhorn.io', 'v1beta2', 'sharemanagers', 'ShareManager', true, { ...LH, shortNames: ['lhsm'] }),
  ];
}

/** @param {ResourceDef} d */
export function apiVersionOf(d) {
  return d.group ? `${d.group}/${d.version}` : d.version;
}

/** `persistentvolumeclaims` or `deployments.apps`, as the real server names resources in messages. */
/** @param {ResourceDef} d */
export function qualifiedResource(d) {
  return d.group ? `${d.resource}.${d.group}` : d.resource;
}

/** Store key for a resource type. @param {ResourceDef} d */
export function typeKey(d) {
  return `${d.group}/${d.resource}`;
}
