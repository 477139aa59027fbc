/** resize pvc end to end against the fake API server, with a resizer stand-in written here. */
import { describe, expect, it } from 'vitest';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';
import { seedClaim, seedPodUsing } from '../helpers/data-tree.js';
import { longhornNode, longhornSetting, longhornVolume } from '../fakes/lib/longhorn-data-controller.mjs';
import { planResize, resizeProgress } from '../../src/plan/resize.js';
import { claimFacts } from '../../src/cluster/claims.js';
import { longhornRoom } from '../../src/backends/longhorn/room.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

/**
 * The external-resizer and kubelet: a new request goes Resizing, then either grows
 * (a pod mounts the claim: online expansion) or stops at FileSystemResizePending.
 */
function startResizer(s: Sandbox) {
  return s.api!.onChange((ev) => {
    if (ev.resource.resource !== 'persistentvolumeclaims' || ev.type !== 'MODIFIED') return;
    const want = ev.object.spec?.resources?.requests?.storage;
    if (!want || want === ev.oldObject?.spec?.resources?.requests?.storage) return;
    const { name, namespace } = ev.object.metadata;
    const mounted = (s.api!.store.list('pods', namespace) as any[]).some((p) => p.spec.volumes?.some((v: any) => v.persistentVolumeClaim?.claimName === name));
    setTimeout(() => {
      s.api!.store.update('persistentvolumeclaims', name, namespace, (o: any) => {
        o.status.conditions = [{ type: 'Resizing', status: 'True' }];
      });
      setTimeout(() => {
        s.api!.store.update('persistentvolumeclaims', name, namespace, (o: any) => {
          if (mounted) {
            o.status.capacity = { storage: want };
            o.status.conditions = [];
          } else {
            o.status.conditions = [{ type: 'FileSystemResizePending', status: 'True', message: 'Waiting for user to (re-)start a pod to finish file system resize of volume on node.' }];
            o.status.allocatedResourceStatuses = { storage: 'NodeResizePending' };
          }
        });
      }, 50);
    }, 50);
  });
}

async function cluster() {
  sb = await perTest.create({ api: true });
  seedClaim(sb.api!, { namespace: 'shop', name: 'db', pv: 'pvc-db', provisioner: 'driver.longhorn.io', size: '1Gi' });
  seedClaim(sb.api!, { namespace: 'shop', name: 'files', pv: 'pvc-files', size: '1Gi' });
  seedClaim(sb.api!, { namespace: 'shop', name: 'nas', pv: 'pvc-nas', provisioner: 'nfs.csi.k8s.io', className: 'nfs-fixed' });
  seedClaim(sb.api!, { namespace: 'shop', name: 'later', bound: false, provisioner: 'driver.longhorn.io' });
  sb.api!.store.put(longhornVolume('pvc-db', { namespace: 'shop', pvc: 'db', replicas: 2 }));
  for (const n of ['node-1', 'node-2']) sb.api!.store.put(longhornNode(n));
  sb.api!.store.put(longhornSetting('storage-over-provisioning-percentage', '100'));
  startResizer(sb);
  return sb;
}

const patches = (s: Sandbox) => s.api!.requestsMatching({ verb: 'patch', resource: 'persistentvolumeclaims' });

describe('resize pvc', () => {
  it('grows a Longhorn claim in use and waits until it has the new size', async () => {
    const s = await cluster();
    seedPodUsing(s.api!, { namespace: 'shop', name: 'db-0', claim: 'db' });
    const r = await s.run(['resize', 'pvc', 'db', '-n', 'shop', '--size', '2Gi', '--wait']);
    expect(r.stderr).toContain('shop/db is now 2Gi');
    expect(r.exitCode).toBe(0);
    expect(s.api!.store.get('persistentvolumeclaims', 'db', 'shop').spec.resources.requests.storage).toBe('2Gi');
  });

  it('says when a pod must start to finish the filesystem resize', async () => {
    const s = await cluster();
    const r = await s.run(['resize', 'pvc', 'db', '-n', 'shop', '--size', '2Gi', '--wait']);
    expect(r.stderr).toContain('its filesystem grows only when a pod mounts it');
    expect(r.stderr).toContain('start the workload that uses it');
    expect(r.exitCode).toBe(0);
  });

  it.each([
    [['files', '--size', '5Gi'], 'cannot be expanded', 'k8s-storage migrate pvc files -n shop --to-class longhorn --size 5Gi'],
    [['db', '--size', '500Mi'], 'Kubernetes never shrinks a volume', 'migrate pvc db'],
    [['later', '--size', '5Gi'], 'only bound persistent volume claims can be expanded', 'later'],
    [['nas', '--size', '5Gi'], 'does not set allowVolumeExpansion: true', `kubectl patch storageclass nfs-fixed -p '{"allowVolumeExpansion": true}'`],
    [['db', '--size', '5GB'], 'did you mean 5Gi?', '--size'],
  ])('refuses before any change: %j', async (args, message, next) => {
    const s = await cluster();
    const r = await s.run(['resize', 'pvc', ...args, '-n', 'shop']);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(next);
    expect(r.exitCode).toBe(2);
    expect(patches(s)).toEqual([]);
  });

  it('on Longhorn, refuses when fewer nodes than replicas have the room', async () => {
    const s = await cluster();
    s.api!.store.put(longhornNode('node-2', { maximum: 20 * 2 ** 30, scheduled: 15 * 2 ** 30 }));
    const r = await s.run(['resize', 'pvc', 'db', '-n', 'shop', '--size', '10Gi']);
    expect(r.stderr).toContain('each of its 2 Longhorn replicas needs 9Gi more');
    expect(r.stderr).toContain('node-2 5Gi');
    expect(r.exitCode).toBe(1);
    expect(patches(s)).toEqual([]);
  });
});

describe('resize planner and progress', () => {
  const facts = (status: any) =>
    claimFacts({
      namespace: 'shop',
      pvc: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'db', namespace: 'shop', annotations: { 'volume.kubernetes.io/storage-provisioner': 'driver.longhorn.io' } }, spec: { storageClassName: 'longhorn', resources: { requests: { storage: '1Gi' } } }, status } as any,
      storageClass: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'longhorn' }, provisioner: 'driver.longhorn.io', allowVolumeExpansion: true } as any,
      pods: [],
    });
  it.each([
    [{ phase: 'Bound', capacity: { storage: '1Gi' } }, '1Gi', 0],
    [{ phase: 'Bound', capacity: { storage: '1Gi' } }, '2Gi', 1],
  ])('%j to %s: %i steps without --wait', (status, size, steps) => {
    expect(planResize(facts(status), { size, wait: false, timeoutMs: 1000 }).steps.length).toBe(steps);
  });
  it.each([
    [{ capacity: { storage: '2Gi' } }, 'done'],
    [{ capacity: { storage: '1Gi' }, conditions: [{ type: 'Resizing', status: 'True' }] }, 'resizing'],
    [{ capacity: { storage: '1Gi' }, conditions: [{ type: 'FileSystemResizePending', status: 'True' }] }, 'pod-restart'],
    [{ capacity: { storage: '1Gi' }, allocatedResourceStatuses: { storage: 'ControllerResizeInfeasible' } }, 'failed'],
    [{ capacity: { storage: '1Gi' }, conditions: [{ type: 'ControllerResizeError', status: 'True', message: 'rpc error' }] }, 'failed'],
  ])('resizeProgress(%j) = %s', (status, state) => {
    expect(resizeProgress({ status }, '2Gi').state).toBe(state);
  });
  it('longhornRoom: over-provisioning, reserved space, unschedulable nodes', () => {
    const n1 = longhornNode('n1', { maximum: 100, scheduled: 30 });
    const n2 = longhornNode('n2', { ready: false });
    expect(longhornRoom([n1, n2] as any, 200, 2)).toEqual({ replicas: 2, nodes: [{ name: 'n1', room: 170 }] });
  });
});
