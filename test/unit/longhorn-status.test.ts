import { describe, expect, it } from 'vitest';
import type { LonghornVolume } from '../../src/backends/longhorn/resources.js';
import { analyzeLonghorn, settingNumber, type LonghornNodeObject, type LonghornObjects } from '../../src/backends/longhorn/status.js';
import { buildStatusReport, type ClusterObjects } from '../../src/status/report.js';

const GI = 2 ** 30;

const vol = (name: string, o: { replicas?: number; robustness?: string; state?: string; pvc?: string } = {}): LonghornVolume => ({
  apiVersion: 'longhorn.io/v1beta2',
  kind: 'Volume',
  metadata: { name, namespace: 'longhorn-system' },
  spec: { numberOfReplicas: o.replicas ?? 2 },
  status: { state: (o.state ?? 'attached') as never, robustness: (o.robustness ?? 'healthy') as never, ...(o.pvc ? { kubernetesStatus: { pvcName: o.pvc.split('/')[1]!, namespace: o.pvc.split('/')[0]! } } : {}) },
});

const cond = (type: string, ok: boolean, message = '') => ({ type, status: ok ? 'True' : 'False', message, reason: ok ? '' : 'X' });
const node = (name: string, o: { ready?: boolean; schedulable?: boolean; allow?: boolean; max?: number; avail?: number; diskOk?: boolean; diskMessage?: string; disks?: number } = {}): LonghornNodeObject => ({
  metadata: { name },
  spec: { allowScheduling: o.allow ?? true, disks: { d1: { allowScheduling: true } } },
  status: {
    conditions: [cond('Ready', o.ready ?? true, o.ready === false ? 'kubelet stopped posting status' : ''), cond('Schedulable', o.schedulable ?? true)],
    diskStatus:
      o.disks === 0
        ? {}
        : { d1: { conditions: [cond('Ready', true), cond('Schedulable', o.diskOk ?? true, o.diskMessage ?? '')], storageMaximum: (o.max ?? 100) * GI, storageAvailable: (o.avail ?? 80) * GI, storageScheduled: 10 * GI, diskPath: '/var/lib/longhorn/' } },
  },
});
const setting = (name: string, value: string) => ({ metadata: { name }, value });
const objs = (o: Partial<LonghornObjects>): LonghornObjects => ({ volumes: [], nodes: [node('a'), node('b')], settings: [], ...o });
const target = (url: string, status: any) => ({ apiVersion: 'longhorn.io/v1beta2' as const, kind: 'BackupTarget' as const, metadata: { name: 'default', namespace: 'longhorn-system' }, spec: { backupTargetURL: url, credentialSecret: '', pollInterval: '300s' }, status });

describe('analyzeLonghorn: volumes', () => {
  it('counts robustness and lists degraded and faulted volumes with their claims', () => {
    const r = analyzeLonghorn(objs({
      volumes: [vol('v1'), vol('v2', { robustness: 'degraded', pvc: 'shop/db' }), vol('v3', { robustness: 'faulted', pvc: 'shop/cache' }), vol('v4', { robustness: 'unknown', state: 'detached' }), vol('v5', { robustness: '' })],
    }));
    expect(r.volumes).toEqual({ total: 5, healthy: 1, degraded: 1, faulted: 1, unknown: 2, detached: 1 });
    expect(r.problemVolumes).toEqual([
      { name: 'v2', claim: 'shop/db', robustness: 'degraded', state: 'attached', replicas: 2 },
      { name: 'v3', claim: 'shop/cache', robustness: 'faulted', state: 'attached', replicas: 2 },
    ]);
    expect(r.warnings).toEqual([
      expect.stringMatching(/^1 Longhorn volume\(s\) faulted, their data unavailable .*: shop\/cache\./),
      expect.stringMatching(/^1 Longhorn volume\(s\) degraded, .*: shop\/db$/),
    ]);
  });

  it('nothing to say about a healthy cluster', () => {
    const r = analyzeLonghorn(objs({ volumes: [vol('v1')], settings: [setting('default-replica-count', '2')], backupTarget: target('nfs://a:/b', { available: true, lastSyncedAt: '2026-01-01T00:00:00Z' }) }));
    expect(r.warnings).toEqual([]);
    expect(r.replicaNodes).toBe(2);
    expect(r.backupTarget).toEqual({ url: 'nfs://a:/b', state: 'available', lastSyncedAt: '2026-01-01T00:00:00Z' });
  });
});

describe('analyzeLonghorn: replicas vs nodes', () => {
  it.each([
    // [case, nodes, replicas, soft anti-affinity, expect "stays Degraded"]
    ['3 replicas on 2 nodes', [node('a'), node('b')], 3, 'false', true],
    ['3 replicas on 3 nodes', [node('a'), node('b'), node('c')], 3, 'false', false],
    ['3 replicas, 3 nodes, one not Ready', [node('a'), node('b'), node('c', { ready: false })], 3, 'false', true],
    ['3 replicas, 3 nodes, one cordoned', [node('a'), node('b'), node('c', { schedulable: false })], 3, 'false', true],
    ['3 replicas, 3 nodes, scheduling disabled on one', [node('a'), node('b'), node('c', { allow: false })], 3, 'false', true],
    ['3 replicas, 3 nodes, one full disk', [node('a'), node('b'), node('c', { diskOk: false })], 3, 'false', true],
    ['3 replicas on 2 nodes with soft anti-affinity', [node('a'), node('b')], 3, 'true', false],
    ['no Longhorn nodes at all: a different warning', [], 3, 'false', false],
  ])('%s', (_case, nodes, replicas, soft, degraded) => {
    const r = analyzeLonghorn(objs({ nodes, volumes: [vol('pvc-1', { replicas, robustness: 'degraded', pvc: 'shop/db' })], settings: [setting('replica-soft-anti-affinity', soft)] }));
    const text = r.warnings.join('\n');
    if (degraded) {
      expect(text).toMatch(new RegExp(`1 volume\\(s\\) ask for ${replicas} replicas but only ${r.replicaNodes} Longhorn nodes? can hold one: they stay Degraded \\(shop/db\\)`));
      expect(r.replicasAboveNodes).toEqual([{ name: 'pvc-1', claim: 'shop/db', replicas }]);
      // The "stays Degraded" warning explains the degraded volume: it is not reported twice.
      expect(text).not.toContain('Longhorn volume(s) degraded');
    } else {
      expect(text).not.toContain('stay Degraded');
      expect(r.replicasAboveNodes).toEqual([]);
    }
  });

  it('groups volumes by replica count and gives the patch command', () => {
    const r = analyzeLonghorn(objs({ volumes: [vol('v1', { replicas: 3 }), vol('v2', { replicas: 3 }), vol('v3', { replicas: 4 })] }));
    expect(r.warnings).toEqual([
      expect.stringContaining(`2 volume(s) ask for 3 replicas but only 2 Longhorn nodes can hold one: they stay Degraded (v1, v2). Fix: add nodes, or lower the count: kubectl -n longhorn-system patch volumes.longhorn.io v1 --type merge -p '{"spec":{"numberOfReplicas":2}}'`),
      expect.stringContaining('1 volume(s) ask for 4 replicas'),
    ]);
  });

  it('default-replica-count and Longhorn StorageClasses above the node count', () => {
    const classes = [
      { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'longhorn' }, provisioner: 'driver.longhorn.io', parameters: { numberOfReplicas: '3' } },
      { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'driver.longhorn.io', parameters: { numberOfReplicas: '2' } },
      { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'other' }, provisioner: 'x.example.com', parameters: { numberOfReplicas: '9' } },
    ];
    const r = analyzeLonghorn(objs({ settings: [setting('default-replica-count', '{"v1":"3","v2":"3"}')] }), { classes });
    expect(r.settings.defaultReplicaCount).toBe(3);
    expect(r.warnings).toEqual([
      expect.stringMatching(/^Longhorn setting default-replica-count is 3 but only 2 Longhorn nodes can hold replicas: .*defaultSettings.defaultReplicaCount=2/),
      expect.stringMatching(/^StorageClass longhorn makes 3 replicas but only 2 Longhorn nodes can hold one: .*persistence.defaultClassReplicaCount=2/),
    ]);
  });
});

describe('analyzeLonghorn: nodes and disks', () => {
  it('per-node capacity, free space and schedulable disks', () => {
    const r = analyzeLonghorn(objs({ nodes: [node('a', { max: 200, avail: 150 })] }));
    expect(r.nodes).toEqual([{ name: 'a', ready: true, schedulable: true, disks: 1, schedulableDisks: 1, storageMaximum: 200 * GI, storageAvailable: 150 * GI, storageScheduled: 10 * GI, freePercent: 75 }]);
  });

  it.each([
    ['low free space', node('a', { avail: 30 }), /Longhorn node a has 30% free disk space \(30Gi of 100Gi\): under 25% \(storage-minimal-available-percentage\) it takes no new replicas/],
    ['unschedulable disk names the settings', node('a', { diskOk: false, diskMessage: 'the disk d1 is low on space' }), /1 Longhorn disk\(s\) unschedulable: a:\/var\/lib\/longhorn\/ \(the disk d1 is low on space\)\. .*storage-minimal-available-percentage \(25%\).*storage-over-provisioning-percentage \(100%\)/],
    ['node not Ready', node('a', { ready: false }), /Longhorn node a is not Ready: kubelet stopped posting status/],
    ['node without disks', node('a', { disks: 0 }), /Longhorn node a: no disks/],
  ])('%s', (_case, n, expected) => {
    expect(analyzeLonghorn(objs({ nodes: [n, node('b')] })).warnings.join('\n')).toMatch(expected);
  });

  it('the low-space threshold follows storage-minimal-available-percentage', () => {
    const n = [node('a', { avail: 30 }), node('b')];
    expect(analyzeLonghorn(objs({ nodes: n, settings: [setting('storage-minimal-available-percentage', '10')] })).warnings).toEqual([]);
    expect(analyzeLonghorn(objs({ nodes: n }), { lowSpacePercent: 20 }).warnings).toEqual([]);
  });
});

describe('analyzeLonghorn: backup target', () => {
  it.each([
    [undefined, { url: '', state: 'not set' }, false],
    [target('', {}), { url: '', state: 'not set' }, false],
    [target('nfs://a:/b', {}), { url: 'nfs://a:/b', state: 'unchecked' }, false],
    [target('nfs://a:/b', { available: false, conditions: [{ type: 'Unavailable', status: 'True', message: 'mount failed' }] }), { url: 'nfs://a:/b', state: 'unavailable', message: 'mount failed' }, true],
  ])('%j', (t, expected, warns) => {
    const r = analyzeLonghorn(objs(t ? { backupTarget: t } : {}));
    expect(r.backupTarget).toEqual(expected);
    expect(r.warnings.some((w) => w.includes('cannot reach the backup target nfs://a:/b: mount failed'))).toBe(warns);
  });
});

describe('settingNumber', () => {
  it.each([
    ['3', 3],
    ['{"v1":"2","v2":"1"}', 2],
    ['', undefined],
    ['many', undefined],
  ])('%s', (value, expected) => {
    expect(settingNumber([setting('x', value)], 'x')).toBe(expected);
  });
});

describe('status report with Longhorn', () => {
  const base = (longhorn?: LonghornObjects): ClusterObjects => ({ server: 's', version: 'v1.32.3', nodes: [], classes: [], claims: [], volumes: [], workloads: new Map(), ...(longhorn ? { longhorn } : {}) });

  it('adds the longhorn section and puts its problems into warnings, prefixed', () => {
    const r = buildStatusReport(base(objs({ volumes: [vol('v', { replicas: 3, robustness: 'degraded' })] })));
    expect(r.longhorn?.volumes.degraded).toBe(1);
    expect(r.warnings).toEqual([expect.stringMatching(/^longhorn: 1 volume\(s\) ask for 3 replicas .* they stay Degraded/)]);
  });

  it('without Longhorn the report has no longhorn key', () => {
    const r = buildStatusReport(base());
    expect('longhorn' in r).toBe(false);
    expect(r.warnings).toEqual([]);
  });

  it('objects that could not be read are a warning, not a crash', () => {
    const r = buildStatusReport(base({ volumes: [], nodes: [], settings: [], error: 'not allowed while listing Volume' }));
    expect(r.warnings).toEqual(["longhorn: could not read Longhorn's state: not allowed while listing Volume"]);
  });
});
