// What the benchmarks put in the fake API server.

/** The default StorageClass the claims use (Immediate binding, so waits end on Bound). */
export const LONGHORN_CLASS = { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'longhorn', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'driver.longhorn.io', volumeBindingMode: 'Immediate' };

/** `count` claims in 20 namespaces, each with its volume (1 in 50 Pending). */
export function seedClaims(api, count) {
  const objects = [];
  for (let i = 0; i < count; i++) {
    const ns = `team-${i % 20}`;
    objects.push({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `claim-${i}`, namespace: ns }, spec: { storageClassName: 'longhorn', volumeName: `pv-${i}`, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }, status: { phase: i % 50 === 0 ? 'Pending' : 'Bound' } });
    objects.push({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `pv-${i}` }, spec: { storageClassName: 'longhorn', persistentVolumeReclaimPolicy: i % 3 ? 'Delete' : 'Retain', claimRef: { namespace: ns, name: `claim-${i}` }, capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] }, status: { phase: 'Bound' } });
  }
  api.store.seed(objects);
}
