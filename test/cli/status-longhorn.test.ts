/**
 * `status` with Longhorn: the real CLI against the fake API server. Longhorn present: its
 * section in JSON and in the table, its problems among the warnings, a fixed number of
 * requests. Longhorn absent (the group not served): status as before.
 */
import { describe, expect, it } from 'vitest';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';
import { longhornNode, longhornSetting, longhornVolume } from '../fakes/lib/longhorn-data-controller.mjs';
import { expectOutputSchema } from '../helpers/output-schema.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

const NS = 'longhorn-system';

async function twoNodeLonghorn(volumes = [longhornVolume('pvc-1', { namespace: 'shop', pvc: 'db', replicas: 3, robustness: 'degraded' }), longhornVolume('pvc-2', { namespace: 'shop', pvc: 'cache', replicas: 2 })]) {
  sb = await perTest.create({ api: { nodes: ['node-1', 'node-2'] } });
  sb.api!.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'longhorn', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'driver.longhorn.io', parameters: { numberOfReplicas: '2' } });
  for (const n of [longhornNode('node-1'), longhornNode('node-2', { available: 20 * 2 ** 30 })]) sb.api!.store.put(n);
  for (const s of [longhornSetting('default-replica-count', '2'), longhornSetting('storage-over-provisioning-percentage', '100'), longhornSetting('storage-minimal-available-percentage', '25')]) sb.api!.store.put(s);
  sb.api!.store.seed(volumes);
  sb.api!.store.put({ apiVersion: 'longhorn.io/v1beta2', kind: 'BackupTarget', metadata: { name: 'default', namespace: NS }, spec: { backupTargetURL: 'nfs://nas:/backups', credentialSecret: '', pollInterval: '5m0s' }, status: { available: false, conditions: [{ type: 'Unavailable', status: 'True', reason: 'Unavailable', message: 'mount: connection refused' }] } });
  return sb;
}

describe('status with Longhorn', () => {
  it('-o json: robustness counts, a "stays Degraded" warning for 3 replicas on 2 nodes, disks, backup target', async () => {
    const s = await twoNodeLonghorn();
    const r = await s.run(['status', '-o', 'json']);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    expectOutputSchema('status-report', report);
    expect(report.longhorn.volumes).toEqual({ total: 2, healthy: 1, degraded: 1, faulted: 0, unknown: 0, detached: 0 });
    expect(report.longhorn.problemVolumes).toEqual([{ name: 'pvc-1', claim: 'shop/db', robustness: 'degraded', state: 'attached', replicas: 3 }]);
    expect(report.longhorn.replicaNodes).toBe(2);
    expect(report.longhorn.replicasAboveNodes).toEqual([{ name: 'pvc-1', claim: 'shop/db', replicas: 3 }]);
    expect(report.longhorn.nodes.map((n: any) => [n.name, n.freePercent])).toEqual([['node-1', 80], ['node-2', 20]]);
    expect(report.longhorn.backupTarget).toEqual({ url: 'nfs://nas:/backups', state: 'unavailable', message: 'mount: connection refused' });
    const warnings = report.warnings.join('\n');
    expect(warnings).toMatch(/longhorn: 1 volume\(s\) ask for 3 replicas but only 2 Longhorn nodes can hold one: they stay Degraded \(shop\/db\)/);
    expect(warnings).toContain('longhorn: Longhorn node node-2 has 20% free disk space');
    expect(warnings).toContain('longhorn: Longhorn cannot reach the backup target nfs://nas:/backups: mount: connection refused');
  });

  it('the table has a LONGHORN section; warnings go to stderr', async () => {
    const s = await twoNodeLonghorn();
    const r = await s.run(['status']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('LONGHORN (2 volumes: 1 healthy, 1 degraded, 0 faulted, 0 unknown)');
    expect(r.stdout).toMatch(/NODE\s+READY\s+REPLICAS\s+DISKS\s+CAPACITY\s+FREE\s+SCHEDULED/);
    expect(r.stdout).toMatch(/node-2\s+yes\s+yes\s+1\/1\s+100Gi\s+20Gi \(20%\)\s+10Gi/);
    expect(r.stdout).toMatch(/pvc-1\s+shop\/db\s+degraded\s+attached\s+3/);
    expect(r.stdout).toContain('Backup target: nfs://nas:/backups  UNREACHABLE: mount: connection refused');
    // --no-headers reaches the backend's own section too: its rows stay, its header lines go.
    const bare = await s.run(['status', '--no-headers']);
    expect(bare.stdout).toMatch(/LONGHORN \(2 volumes[^\n]*\nnode-\d\s+yes/);
    expect(bare.stdout).toMatch(/pvc-1\s+shop\/db\s+degraded\s+attached\s+3/);
    expect(bare.stdout).not.toMatch(/NODE\s+READY|VOLUME\s+PVC\s+ROBUSTNESS/);
    expect(r.stderr).toContain('warning: longhorn: 1 volume(s) ask for 3 replicas');
  });

  it('reads Longhorn page by page (requests grow with pages of 500, not objects) and gets them all', async () => {
    const many = Array.from({ length: 1200 }, (_, i) => longhornVolume(`pvc-${i}`, { namespace: 'shop', pvc: `c${i}`, replicas: 2 }));
    const s = await twoNodeLonghorn(many);
    s.api!.clearRequests();
    const r = await s.run(['status', '-o', 'json']);
    expect(JSON.parse(r.stdout).longhorn.volumes.total).toBe(1200);
    const lh = s.api!.requests.filter((q: any) => q.group === 'longhorn.io');
    const count = (verb: string, resource: string) => lh.filter((q: any) => q.verb === verb && q.resource === resource).length;
    // Pages of 500 with their continue tokens: 500 + 500 + 200, no page read twice.
    expect(count('list', 'volumes')).toBe(3);
    expect(lh.filter((q: any) => q.verb === 'list' && q.resource === 'volumes').every((q: any) => Number(q.query.limit) === 500)).toBe(true);
    expect(count('list', 'nodes')).toBe(1);
    expect(count('list', 'settings')).toBe(1);
    expect(count('get', 'backuptargets')).toBe(1);
    expect(lh.filter((q: any) => q.verb !== 'list' && q.verb !== 'get' && q.resource)).toEqual([]);
  });

  it('Longhorn absent: status works as before, no longhorn key, no Longhorn requests beyond discovery', async () => {
    sb = await perTest.create({ api: { hiddenGroups: ['longhorn.io'] } });
    sb.api!.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'microk8s-hostpath', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'microk8s.io/hostpath' });
    const r = await sb.run(['status', '-o', 'json']);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    expect('longhorn' in report).toBe(false);
    expect(report.warnings.join('\n')).not.toContain('longhorn:');
    expect(report.storageClasses.map((c: any) => c.name)).toEqual(['microk8s-hostpath']);
    expect(sb.api!.requests.filter((q: any) => q.group === 'longhorn.io' && q.resource)).toEqual([]);
    const table = await sb.run(['status']);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).not.toContain('LONGHORN');
  });

  describe('monitoring: the observability addon runs, but is Longhorn scraped?', () => {
    const prometheus = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'prometheus-kube-prom-stack-kube-prome-prometheus', namespace: 'observability' }, spec: { replicas: 1, selector: { matchLabels: { app: 'prometheus' } }, template: {} } };
    const serviceMonitor = (labels: Record<string, string>) => ({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'longhorn-prometheus-servicemonitor', namespace: NS, labels }, spec: { selector: { matchLabels: { app: 'longhorn-manager' } }, endpoints: [{ port: 'manager' }] } });
    const monitoringWarnings = async (s: Sandbox) => {
      const r = await s.run(['status', '-o', 'json']);
      expect(r.exitCode).toBe(0);
      return (JSON.parse(r.stdout).warnings as string[]).filter((w) => /ServiceMonitor/.test(w));
    };

    it('observability on, no ServiceMonitor: warns, with the command that fixes it', async () => {
      const s = await twoNodeLonghorn();
      s.api!.store.put(prometheus);
      expect(await monitoringWarnings(s)).toEqual(['longhorn: observability is enabled but Longhorn has no ServiceMonitor, so Prometheus does not scrape it: rerun k8s-storage install longhorn --monitoring']);
      // The table run says it on stderr.
      expect((await s.run(['status'])).stderr).toContain('warning: longhorn: observability is enabled but Longhorn has no ServiceMonitor');
    });

    it('a ServiceMonitor without the release label: warns that Prometheus ignores it', async () => {
      const s = await twoNodeLonghorn();
      s.api!.store.put(prometheus);
      s.api!.store.put(serviceMonitor({ app: 'longhorn-manager' }));
      expect(await monitoringWarnings(s)).toEqual([expect.stringMatching(/^longhorn: ServiceMonitor longhorn-prometheus-servicemonitor lacks the label release=kube-prom-stack/)]);
    });

    it('the ServiceMonitor install longhorn --monitoring makes: no warning', async () => {
      const s = await twoNodeLonghorn();
      s.api!.store.put(prometheus);
      s.api!.store.put(serviceMonitor({ release: 'kube-prom-stack' }));
      expect(await monitoringWarnings(s)).toEqual([]);
    });

    it('observability off: no warning, and ServiceMonitors are not even asked for', async () => {
      const s = await twoNodeLonghorn();
      s.api!.clearRequests();
      expect(await monitoringWarnings(s)).toEqual([]);
      expect(s.api!.requests.filter((q: any) => q.group === 'monitoring.coreos.com' && q.resource)).toEqual([]);
    });
  });

  it('Longhorn objects the user may not read: a warning, the rest of status intact', async () => {
    const s = await twoNodeLonghorn();
    s.api!.faults.forbid({ verb: 'list', resource: 'volumes', group: 'longhorn.io' });
    const r = await s.run(['status', '-o', 'json']);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.warnings.join('\n')).toMatch(/longhorn: could not read Longhorn's state: not allowed while listing Volume/);
    expect(report.storageClasses).toHaveLength(1);
  });
});
