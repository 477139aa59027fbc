import { backendById } from '../../src/backends/index.js';

/** Kubernetes objects the day-2 tests (diagnose, usage, verify, bench) build their states from. */
export const DEFAULT = { 'storageclass.kubernetes.io/is-default-class': 'true' };

export const hostpathClass = (isDefault = true) => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'microk8s-hostpath', ...(isDefault ? { annotations: DEFAULT } : {}) },
  provisioner: 'microk8s.io/hostpath',
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'WaitForFirstConsumer',
});

export const longhornClass = (isDefault = false, replicas = 3) => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'longhorn', ...(isDefault ? { annotations: DEFAULT } : {}) },
  provisioner: 'driver.longhorn.io',
  allowVolumeExpansion: true,
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'Immediate',
  parameters: { numberOfReplicas: String(replicas) },
});

export const nfsClass = () => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'nfs' },
  provisioner: 'nfs.csi.k8s.io',
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'Immediate',
  parameters: { server: '192.168.1.100', share: '/exports/k8s' },
});

export const claim = (name: string, o: { ns?: string; storageClass?: string | null; size?: string; modes?: string[]; phase?: string; volume?: string } = {}) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: o.ns ?? 'default', uid: `uid-${name}` },
  spec: {
    accessModes: o.modes ?? ['ReadWriteOnce'],
    resources: { requests: { storage: o.size ?? '1Gi' } },
    ...(o.storageClass === null ? {} : { storageClassName: o.storageClass ?? 'microk8s-hostpath' }),
    ...(o.volume ? { volumeName: o.volume } : {}),
  },
  status: { phase: o.phase ?? 'Pending', ...(o.phase === 'Bound' ? { accessModes: o.modes ?? ['ReadWriteOnce'], capacity: { storage: o.size ?? '1Gi' } } : {}) },
});

export const hostpathPv = (name: string, claimName: string, node: string, o: { ns?: string; size?: string } = {}) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': 'microk8s.io/hostpath' } },
  spec: {
    capacity: { storage: o.size ?? '1Gi' },
    accessModes: ['ReadWriteOnce'],
    persistentVolumeReclaimPolicy: 'Delete',
    storageClassName: 'microk8s-hostpath',
    claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: o.ns ?? 'default', name: claimName, uid: `uid-${claimName}` },
    hostPath: { path: `/var/snap/microk8s/common/default-storage/${o.ns ?? 'default'}-${claimName}-${name}`, type: 'DirectoryOrCreate' },
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
  },
  status: { phase: 'Bound' },
});

export const csiPv = (name: string, claimName: string, driver: string, o: { ns?: string; size?: string; storageClass?: string } = {}) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': driver } },
  spec: {
    capacity: { storage: o.size ?? '1Gi' },
    accessModes: ['ReadWriteOnce'],
    persistentVolumeReclaimPolicy: 'Delete',
    storageClassName: o.storageClass ?? 'longhorn',
    claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: o.ns ?? 'default', name: claimName, uid: `uid-${claimName}` },
    csi: { driver, volumeHandle: name, fsType: 'ext4' },
  },
  status: { phase: 'Bound' },
});

export const pod = (name: string, claims: string[], o: { ns?: string; node?: string; phase?: string; owner?: string; waiting?: string } = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: o.ns ?? 'default',
    uid: `uid-${name}`,
    ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `uid-${o.owner}`, controller: true }] } : {}),
  },
  spec: {
    ...(o.node ? { nodeName: o.node } : {}),
    containers: [{ name: 'app', image: 'busybox:1.36', volumeMounts: claims.map((c, i) => ({ name: `v${i}`, mountPath: `/data${i}` })) }],
    volumes: claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })),
  },
  status: {
    phase: o.phase ?? 'Pending',
    ...(o.waiting ? { containerStatuses: [{ name: 'app', ready: false, restartCount: 0, image: 'busybox:1.36', imageID: '', state: { waiting: { reason: o.waiting } } }] } : {}),
  },
});

/** A Deployment and its ReplicaSet, as the controllers name them. */
export const deploymentWithRs = (name: string, claimName: string, o: { ns?: string; strategy?: 'RollingUpdate' | 'Recreate' } = {}) => [
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: o.ns ?? 'default' },
    spec: {
      replicas: 1,
      ...(o.strategy ? { strategy: { type: o.strategy } } : {}),
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'busybox:1.36' }], volumes: [{ name: 'v0', persistentVolumeClaim: { claimName } }] } },
    },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `${name}-7d9f8b6c5d`, namespace: o.ns ?? 'default', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `uid-${name}`, controller: true }] },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] } } },
  },
];

export const readyDeployment = (namespace: string, name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace, generation: 1 },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'x' }] } } },
  status: { observedGeneration: 1, replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 },
});

export const readyDaemonSet = (namespace: string, name: string, nodes = 1) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name, namespace, generation: 1 },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'x' }] } } },
  status: { observedGeneration: 1, desiredNumberScheduled: nodes, currentNumberScheduled: nodes, updatedNumberScheduled: nodes, numberReady: nodes, numberAvailable: nodes },
});

export const HOSTPATH_RUNNING = [readyDeployment('kube-system', 'hostpath-provisioner')];
/** Every workload the Longhorn backend says proves it runs (src/backends/longhorn), ready. */
export const LONGHORN_RUNNING = (nodes = 3) => backendById('longhorn')!.workloads.map(({ ref }) => (ref.kind === 'DaemonSet' ? readyDaemonSet(ref.namespace!, ref.name, nodes) : readyDeployment(ref.namespace!, ref.name)));
export const NFS_RUNNING = (nodes = 1) => [readyDeployment('kube-system', 'csi-nfs-controller'), readyDaemonSet('kube-system', 'csi-nfs-node', nodes)];

/** A Longhorn Volume (longhorn.io/v1beta2) as longhorn-manager reports it. */
export const longhornVolume = (name: string, o: { replicas?: number; robustness?: string; state?: string; claim?: string; scheduled?: { status: string; reason?: string; message?: string } } = {}) => ({
  apiVersion: 'longhorn.io/v1beta2',
  kind: 'Volume',
  metadata: { name, namespace: 'longhorn-system' },
  spec: { numberOfReplicas: o.replicas ?? 3, size: String(2 ** 30), frontend: 'blockdev', dataEngine: 'v1' },
  status: {
    state: o.state ?? 'attached',
    robustness: o.robustness ?? 'healthy',
    kubernetesStatus: { namespace: 'default', pvcName: o.claim ?? '', pvName: name },
    conditions: o.scheduled ? [{ type: 'Scheduled', ...o.scheduled }] : [{ type: 'Scheduled', status: 'True' }],
  },
});

/** A Longhorn Node with one disk. */
export const longhornNode = (name: string, o: { schedulable?: boolean; maxGi?: number; availableGi?: number } = {}) => ({
  apiVersion: 'longhorn.io/v1beta2',
  kind: 'Node',
  metadata: { name, namespace: 'longhorn-system' },
  spec: { allowScheduling: true, disks: { 'default-disk': { allowScheduling: true, path: '/var/lib/longhorn/', storageReserved: 0 } } },
  status: {
    conditions: [
      { type: 'Ready', status: 'True' },
      { type: 'Schedulable', status: o.schedulable === false ? 'False' : 'True', ...(o.schedulable === false ? { reason: 'KubernetesNodeCordoned' } : {}) },
    ],
    diskStatus: {
      'default-disk': {
        conditions: [{ type: 'Ready', status: 'True' }, { type: 'Schedulable', status: 'True' }],
        storageMaximum: (o.maxGi ?? 100) * 2 ** 30,
        storageAvailable: (o.availableGi ?? 80) * 2 ** 30,
        storageScheduled: 0,
        diskPath: '/var/lib/longhorn/',
      },
    },
  },
});
