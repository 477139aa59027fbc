/**
 * install|uninstall ceph end to end: the real CLI against the fake microk8s (its rook-ceph
 * addon and connect-external-ceph, quirks included), the fake sudo, and the fake API server
 * with a stand-in Rook operator (test/fakes/lib/rook-controller.mjs).
 */
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { AgentReport } from '../../src/nodes/types.js';
import { rookOperator } from '../fakes/lib/rook-controller.mjs';
import { agentLog, agentReport, checksWith, type Finding } from '../helpers/agent-report.js';
import { CLI_PATH } from '../helpers/sandbox.mjs';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';
import { expectOutputSchema } from '../helpers/output-schema.js';

// Install then uninstall, each a dozen verified steps: more than the default 30 s on a busy 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

/** A CLI run of a dozen verified steps, on a busy machine. */
const SLOW = { timeoutMs: 90_000 };
const perTest = sandboxPerTest();
const stops = perTest.stops;
let sb: Sandbox | undefined;

const RBD = 'rook-ceph.rbd.csi.ceph.com';
const CEPHFS = 'rook-ceph.cephfs.csi.ceph.com';

const cephReport = (node: string, findings: Record<string, Finding> = {}): AgentReport =>
  agentReport(node, { target: 'ceph', checks: checksWith(['os', 'package:lvm2', 'module:rbd', 'kernel', 'raw-disks', 'disk', 'memory', 'kubelet-root-dir'], findings) });

interface Options {
  nodes?: number;
  rook?: Record<string, unknown>;
  operator?: Parameters<typeof rookOperator>[1] | false;
  preflight?: Record<string, Record<string, Finding>>;
  bind?: boolean;
}

async function cluster(o: Options = {}): Promise<Sandbox> {
  const s = await perTest.create({ microk8s: { rook: o.rook ?? {} }, api: { nodes: o.nodes ?? 3 } });
  sb = s;
  stops.push(s.api!.controllers.autoReadyWorkloads({ delayMs: 10 }));
  if (o.operator !== false) stops.push(rookOperator(s.api!, { delayMs: 10, ...(o.operator ?? {}) }));
  if (o.bind !== false) stops.push(s.api!.controllers.autoBindPvcs({ delayMs: 10, provisioners: [RBD, CEPHFS] }));
  const agent = s.api!.controllers.runDaemonSets({ filter: (ds: any) => ds.metadata.namespace === 'k8s-storage-system', run: (node: string) => ({ logs: agentLog(cephReport(node, o.preflight?.[node])) }) });
  stops.push(() => agent.stop());
  return s;
}

/** A ceph.conf and keyring for another Ceph cluster (the default path is MicroCeph's, absent here). */
function confFiles(s: Sandbox): string[] {
  const conf = join(s.home, 'ceph.conf');
  const keyring = join(s.home, 'ceph.client.admin.keyring');
  writeFileSync(conf, '[global]\nmon_host = 10.0.0.20\n');
  writeFileSync(keyring, '[client.admin]\nkey = AQ==\n');
  return ['--ceph-conf', conf, '--keyring', keyring];
}

const m8sCalls = (s: Sandbox) => s.readMicrok8sState().calls.map((c: any) => c.argv.join(' '));

describe('install ceph (external)', () => {
  it('enables Rook v1.18 with the kubelet dir, adds the repository for root, connects with sudo, and proves class ceph-rbd with a claim; a rerun converges', async () => {
    const s = await cluster();
    const files = confFiles(s);
    const r = await s.run(['install', 'ceph', ...files, '--rbd-pool', 'k8s'], SLOW);
    expect(r.exitCode, r.stderr).toBe(0);
    const calls = s.readMicrok8sState().calls;
    expect(calls.map((c: any) => c.argv)).toEqual(
      expect.arrayContaining([
        ['enable', 'rook-ceph', '--rook-version', 'v1.18.11'],
        ['helm3', 'repo', 'add', 'rook-release', 'https://charts.rook.io/release', '--force-update'], // through sudo unless root
        ['connect-external-ceph', ...files, '--rbd-pool', 'k8s'],
      ]),
    );
    expect((s.readMicrok8sState() as { rook?: { rootRepo?: boolean } }).rook?.rootRepo).toBe(true);
    expect(s.api!.store.get('storageclasses', 'ceph-rbd').parameters.pool).toBe('k8s');
    expect(s.api!.store.get('cephclusters.ceph.rook.io', 'rook-ceph-external', 'rook-ceph-external').status.phase).toBe('Connected');
    // The probe claim bound and is gone again.
    expect(s.api!.requestsMatching({ verb: 'patch', resource: 'persistentvolumeclaims' }).length + s.api!.requestsMatching({ verb: 'create', resource: 'persistentvolumeclaims' }).length).toBeGreaterThan(0);
    expect(s.api!.store.list('persistentvolumeclaims')).toEqual([]);
    expect(r.stderr).toMatch(/Wait for the probe claim of ceph-rbd to bind/);

    const again = await s.run(['install', 'ceph', ...files], SLOW);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain('connect-external-ceph is not run again');
    expect(m8sCalls(s).filter((c: string) => c.startsWith('connect-external-ceph'))).toHaveLength(1);
    expect(m8sCalls(s).filter((c: string) => c.startsWith('enable rook-ceph'))).toHaveLength(1);
  });

  it.each(['v1.20.6', '1.21.0'])('--rook-version %s is refused with exit 2 and the reason, before anything runs', async (v) => {
    const s = await cluster();
    const r = await s.run(['install', 'ceph', '--rook-version', v], SLOW);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('removed csi.kubeletDirPath from the rook-ceph chart');
    expect(r.stderr).toContain('/var/snap/microk8s/common/var/lib/kubelet');
    expect(s.readMicrok8sState().calls).toEqual([]);
  });

  it('no Ceph reachable (no MicroCeph here, no --ceph-conf): says so with the MicroCeph bootstrap for one and several nodes, changes nothing', async () => {
    const s = await cluster();
    const r = await s.run(['install', 'ceph'], SLOW);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('no Ceph cluster to connect');
    expect(r.stderr).toContain('sudo microceph cluster bootstrap');
    expect(r.stderr).toContain('sudo microceph cluster join TOKEN');
    expect(r.stderr).toMatch(/loop,4G,3 .*for tests only/);
    expect(m8sCalls(s).filter((c: string) => !c.startsWith('status'))).toEqual([]);
  });

  it('enable rook-ceph exits 0 although Helm failed: the missing operator is reported (exit 1)', async () => {
    const s = await cluster({ rook: { helmFails: true } });
    const r = await s.run(['install', 'ceph', ...confFiles(s)], SLOW);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/"microk8s enable rook-ceph --rook-version v1.18.11" exited 0 but Deployment\/rook-ceph-operator in rook-ceph does not exist/);
  });

  it('connect-external-ceph prints success after its Helm install failed (exit 0): the verification catches it and names the fix', async () => {
    const s = await cluster({ rook: { repoAddFails: true } });
    const r = await s.run(['install', 'ceph', ...confFiles(s)], SLOW);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Check what connect-external-ceph made failed: CephCluster/rook-ceph-external in rook-ceph-external does not exist; StorageClass/ceph-rbd does not exist');
    expect(r.stderr).toContain('connect-external-ceph prints success even when its Helm install failed');
    expect(s.readMicrok8sState().calls.some((c: any) => c.argv[0] === 'connect-external-ceph')).toBe(true);
  });

  it('a keyring without client.admin caps: connect fails with rados.PermissionError, reported with its output', async () => {
    const s = await cluster({ rook: { keyringCaps: 'limited' } });
    const r = await s.run(['install', 'ceph', ...confFiles(s)], SLOW);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('rados.PermissionError');
  });

  it('an operator already installed with Rook v1.20 (no kubelet dir) is refused before anything changes', async () => {
    const s = await cluster();
    s.api!.store.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'rook-ceph-operator', namespace: 'rook-ceph' }, spec: { replicas: 1, selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'op', image: 'docker.io/rook/ceph:v1.20.6' }] } } } });
    const r = await s.run(['install', 'ceph', ...confFiles(s)], SLOW);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('the rook-ceph addon is enabled with Rook v1.20.6');
    expect(r.stderr).toContain('microk8s disable rook-ceph');
  });

  it('--dry-run -o json prints the plan and runs nothing', async () => {
    const s = await cluster();
    const r = await s.run(['install', 'ceph', ...confFiles(s), '--dry-run', '-o', 'json'], SLOW);
    expect(r.exitCode, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.steps.map((x: any) => x.kind)).toEqual(['run', 'wait', 'verify', 'run', 'run', 'verify', 'wait', 'wait', 'wait', 'apply', 'wait', 'delete']);
    expect(m8sCalls(s).filter((c: string) => !c.startsWith('status'))).toEqual([]);
  });
});

describe('install ceph --in-cluster', () => {
  it('preflight: a node without a raw disk, one without rbd: exit 3 with a per-node report, nothing installed', async () => {
    const s = await cluster({
      preflight: {
        'node-2': { 'raw-disks': ['error', 'no raw disk (no partitions, no filesystem): Ceph needs at least one raw disk per storage node for an OSD; seen: /dev/sda: has partitions: sda1', 'attach an empty disk'] },
        'node-3': { 'module:rbd': ['error', 'rbd is not loaded', 'modprobe rbd && echo rbd >> /etc/modules-load.d/k8s-storage.conf'], memory: ['error', 'only 3.0 GiB of memory available; a mon (1 GiB), a mgr (0.5 GiB) and 1 OSD(s) at 4 GiB each need 5.5 GiB', 'add RAM'] },
      },
    });
    const r = await s.run(['install', 'ceph', '--in-cluster'], SLOW);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('node-2: no raw disk');
    expect(r.stderr).toContain('node-3: rbd is not loaded');
    expect(r.stderr).toContain('node-3: only 3.0 GiB of memory available');
    expect(r.stderr).toContain('Nothing was installed.');
    const report = JSON.parse(r.stdout);
    expectOutputSchema('node-check-report', report);
    expect(report.nodes.map((n: any) => [n.name, n.status])).toEqual([['node-1', 'ok'], ['node-2', 'error'], ['node-3', 'error']]);
    expect(m8sCalls(s).filter((c: string) => c.startsWith('enable'))).toEqual([]);
  });

  it('2 nodes without --test-cluster: exit 3, Ceph needs 3', async () => {
    const s = await cluster({ nodes: 2 });
    const r = await s.run(['install', 'ceph', '--in-cluster'], SLOW);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain('the cluster has 2 node(s): Ceph needs 3');
  });

  it('3 nodes: CephCluster (3 mons), pool, class, CephFilesystem, CephObjectStore; waits for HEALTH_OK and probes ceph-rbd and cephfs', async () => {
    const s = await cluster();
    const r = await s.run(['install', 'ceph', '--in-cluster', '--cephfs', '--object-store'], SLOW);
    expect(r.exitCode, r.stderr).toBe(0);
    const cc = s.api!.store.get('cephclusters.ceph.rook.io', 'rook-ceph', 'rook-ceph');
    expect(cc.spec).toMatchObject({ mon: { count: 3, allowMultiplePerNode: false }, mgr: { count: 2 }, dataDirHostPath: '/var/lib/rook', cleanupPolicy: { confirmation: '' }, storage: { useAllNodes: true, useAllDevices: true } });
    expect(s.api!.store.get('cephblockpools.ceph.rook.io', 'replicapool', 'rook-ceph').spec.replicated).toEqual({ size: 3 });
    expect(s.api!.store.get('storageclasses', 'cephfs').parameters).toMatchObject({ fsName: 'cephfs', pool: 'cephfs-data0', clusterID: 'rook-ceph' });
    expect(s.api!.store.get('cephobjectstores.ceph.rook.io', 'objectstore', 'rook-ceph').status.phase).toBe('Ready');
    expect(r.stderr).toMatch(/Wait for the probe claim of cephfs to bind/);
    expect(s.api!.store.list('persistentvolumeclaims')).toEqual([]);
  });

  it('--test-cluster on one node: cluster-test.yaml settings', async () => {
    const s = await cluster({ nodes: 1 });
    const r = await s.run(['install', 'ceph', '--in-cluster', '--test-cluster'], SLOW);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('never use it for data you need');
    const cc = s.api!.store.get('cephclusters.ceph.rook.io', 'rook-ceph', 'rook-ceph');
    expect(cc.spec.mon).toEqual({ count: 1, allowMultiplePerNode: true });
    expect(cc.spec.cephConfig.global.osd_pool_default_size).toBe('1');
    expect(s.api!.store.get('cephblockpools.ceph.rook.io', 'builtin-mgr', 'rook-ceph').spec).toEqual({ name: '.mgr', replicated: { size: 1, requireSafeReplicaSize: false } });
  });

  it('HEALTH_WARN: the wait names the health checks and fails after --timeout', async () => {
    const s = await cluster({ operator: { health: 'HEALTH_WARN', details: { MON_DISK_LOW: { message: 'mon a is low on available space', severity: 'HEALTH_WARN' } } } });
    const r = await s.run(['install', 'ceph', '--in-cluster', '--timeout', '3s'], SLOW);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('MON_DISK_LOW');
    expect(r.stderr).toContain('mon a is low on available space');
  });
});

describe('uninstall ceph', () => {
  async function installed(form: 'external' | 'in-cluster'): Promise<Sandbox> {
    const s = await cluster();
    const r = await s.run(form === 'external' ? ['install', 'ceph', ...confFiles(s)] : ['install', 'ceph', '--in-cluster']);
    expect(r.exitCode, r.stderr).toBe(0);
    return s;
  }

  it('refuses while claims of Ceph classes exist, listing them', async () => {
    const s = await installed('external');
    s.api!.store.put({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'db', namespace: 'shop' }, spec: { storageClassName: 'ceph-rbd', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    const r = await s.run(['uninstall', 'ceph'], SLOW);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/refusing to uninstall Ceph while claims shop\/db and volumes pvc-\S+ of its classes exist/);
  });

  it('external: disconnects (release, namespace, classes, addon) without touching Ceph; --destroy-data is a usage error', async () => {
    const s = await installed('external');
    const bad = await s.run(['uninstall', 'ceph', '--destroy-data'], SLOW);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("an external Ceph cluster's data is not this cluster's to destroy");
    const r = await s.run(['uninstall', 'ceph'], SLOW);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(s.api!.store.get('storageclasses', 'ceph-rbd')).toBeUndefined();
    expect(s.api!.store.get('cephclusters.ceph.rook.io', 'rook-ceph-external', 'rook-ceph-external')).toBeUndefined();
    expect(s.readMicrok8sState().addons['rook-ceph']?.status).toBe('disabled');
    expect(m8sCalls(s)).toContain('helm3 uninstall rook-ceph-external -n rook-ceph-external --wait');
  });

  it('in-cluster without --destroy-data: removes the objects and says where the data stays', async () => {
    const s = await installed('in-cluster');
    const r = await s.run(['uninstall', 'ceph', '--in-cluster'], SLOW);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('/var/lib/rook on every node and the OSD disks keep Ceph\'s data');
    expect(s.api!.requestsMatching({ verb: 'patch', resource: 'cephclusters', contentType: 'application/merge-patch+json' })).toEqual([]);
    expect(s.api!.store.list('jobs')).toEqual([]);
  });

  it('in-cluster --destroy-data without a terminal needs --yes-really-destroy-data (exit 2, nothing changed)', async () => {
    const s = await installed('in-cluster');
    const r = await s.run(['uninstall', 'ceph', '--in-cluster', '--destroy-data'], SLOW);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('add --yes-really-destroy-data');
    expect(s.api!.store.get('cephclusters.ceph.rook.io', 'rook-ceph', 'rook-ceph')).toBeDefined();
  });

  it('in-cluster --destroy-data --yes-really-destroy-data: cleanupPolicy set, CephCluster deleted, every node\'s cleanup job waited for', async () => {
    const s = await installed('in-cluster');
    const r = await s.run(['uninstall', 'ceph', '--in-cluster', '--destroy-data', '--yes-really-destroy-data'], SLOW);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(s.api!.requestsMatching({ verb: 'patch', resource: 'cephclusters', contentType: 'application/merge-patch+json' })).toHaveLength(1);
    expect(s.api!.store.get('cephclusters.ceph.rook.io', 'rook-ceph', 'rook-ceph')).toBeUndefined();
    expect(s.api!.store.list('jobs').map((j: any) => j.metadata.name).sort()).toEqual(['cluster-cleanup-job-node-1', 'cluster-cleanup-job-node-2', 'cluster-cleanup-job-node-3']);
    expect(r.stderr).toMatch(/Wait for Rook's cleanup job on node-3/);
  });

  it.each([
    ['the cluster\'s name', 'rook-ceph\n', 0],
    ['another answer', 'yes\n', 2],
  ])('on a terminal, --destroy-data asks to type the name: %s', async (_what, answer, code) => {
    const s = await installed('in-cluster');
    // script's pty has 0 columns, which makes the spinner redraw without end: give it a size.
    const cmd = `stty cols 100 rows 30; ${process.execPath} ${CLI_PATH} uninstall ceph --in-cluster --destroy-data`;
    // stdin stays open until the CLI ends: script hangs up on its child when its own input ends.
    const child = execa('script', ['-qec', cmd, '/dev/null'], { env: s.env, extendEnv: false, stdin: 'pipe', reject: false, cwd: s.home, timeout: 90_000 });
    child.stdin!.write(answer);
    const r = await child;
    expect(r.stdout).toContain("Type the cluster's name (rook-ceph) to continue:");
    expect(r.exitCode, r.stdout).toBe(code);
    expect(s.api!.store.get('cephclusters.ceph.rook.io', 'rook-ceph', 'rook-ceph') === undefined, r.stdout.slice(-2000)).toBe(code === 0);
  });
});
