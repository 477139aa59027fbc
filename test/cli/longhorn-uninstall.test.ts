/**
 * uninstall longhorn end to end: refusal while volumes exist, confirmation, and the order
 * Longhorn needs (flag, helm uninstall, namespace; never the CRDs by hand), against the fake
 * helm (whose chart hook refuses while deleting-confirmation-flag is not "true") and the fake
 * API server.
 */
import { describe, expect, it } from 'vitest';
import { longhornDriverDeployer } from '../fakes/lib/longhorn-controller.mjs';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';

const perTest = sandboxPerTest();
const stops = perTest.stops;
let sb: Sandbox | undefined;

const NS = 'longhorn-system';
const RELEASE = `${NS}/longhorn`;

/** A cluster with Longhorn installed by the CLI itself. */
async function installed(o: { namespaceTerminationMs?: number } = {}): Promise<Sandbox> {
  const s = await perTest.create({ microk8s: true, helm: true, api: { nodes: 3, hiddenGroups: ['longhorn.io'], ...(o.namespaceTerminationMs ? { namespaceTerminationMs: o.namespaceTerminationMs } : {}) } });
  sb = s;
  stops.push(s.api!.controllers.autoReadyWorkloads({ delayMs: 10 }));
  stops.push(longhornDriverDeployer(s.api!, { delayMs: 20 }));
  const r = await s.run(['install', 'longhorn', '--skip-preflight']);
  expect(r.exitCode).toBe(0);
  return s;
}

function addVolumeAndClaim(s: Sandbox) {
  s.api!.store.put({ apiVersion: 'longhorn.io/v1beta2', kind: 'Volume', metadata: { name: 'pvc-1111', namespace: NS }, spec: { numberOfReplicas: 3, size: '1073741824' }, status: { state: 'attached', robustness: 'healthy' } });
  s.api!.store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  s.api!.store.put({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'postgres-pvc', namespace: 'shop' }, spec: { storageClassName: 'longhorn', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeName: 'pvc-1111' }, status: { phase: 'Bound' } });
}

const releaseOf = (s: Sandbox): any => s.readHelmState().releases[RELEASE];
const helmUninstalls = (s: Sandbox): any[] => s.readHelmState().calls.filter((c: any) => c.argv[0] === 'uninstall');
const ourRequests = (s: Sandbox) => s.api!.requests.filter((r: any) => !/^Helm\/|^longhorn-manager/.test(r.userAgent) && r.method !== 'GET');
const flagValue = (s: Sandbox) => s.api!.store.get('settings.longhorn.io', 'deleting-confirmation-flag', NS)?.value;

describe('uninstall longhorn', () => {
  it('refuses while Longhorn volumes or claims exist, listing them (exit 1), and changes nothing', async () => {
    const s = await installed();
    addVolumeAndClaim(s);
    const before = ourRequests(s).length;
    const r = await s.run(['uninstall', 'longhorn', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/refusing to uninstall Longhorn while it holds data: 1 Longhorn volume \(pvc-1111\) and 1 claim of Longhorn classes \(shop\/postgres-pvc\)/);
    expect(r.stderr).toMatch(/hint: .*add --force/);
    expect(helmUninstalls(s)).toEqual([]);
    expect(ourRequests(s).length).toBe(before);
    expect(flagValue(s)).toBe('false');
    expect(releaseOf(s).status).toBe('deployed');
  });

  it('--force --yes: flag set to "true" before helm uninstall, release and namespace gone, CRDs never deleted by us', async () => {
    const s = await installed();
    addVolumeAndClaim(s);
    s.api!.clearRequests();
    const r = await s.run(['uninstall', 'longhorn', '--force', '--yes']);
    expect(r.stderr).toContain('Longhorn is uninstalled');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/warning: --force: this deletes 1 Longhorn volume \(pvc-1111\) and 1 claim/);

    const patch = s.api!.requestsMatching({ verb: 'patch', resource: 'settings', name: 'deleting-confirmation-flag' });
    expect(patch).toHaveLength(1);
    expect(patch[0]!.contentType).toMatch(/merge-patch\+json/);
    expect(patch[0]!.status).toBe(200);
    const uninstall = helmUninstalls(s);
    expect(uninstall).toHaveLength(1);
    expect(uninstall[0].argv).toEqual(['uninstall', 'longhorn', '-n', NS, '--timeout', '10m']);
    expect(patch[0]!.time).toBeLessThan(Date.parse(uninstall[0].time));

    expect(releaseOf(s)).toBeUndefined();
    expect(s.api!.store.get('namespaces', NS)).toBeUndefined();
    const ourNamespaceDelete = ourRequests(s).filter((q: any) => q.verb === 'delete' && q.resource === 'namespaces');
    expect(ourNamespaceDelete).toHaveLength(1);
    expect(ourRequests(s).filter((q: any) => q.resource === 'customresourcedefinitions')).toEqual([]);
    // Our namespace delete came after helm uninstall had run.
    expect(ourNamespaceDelete[0]!.time).toBeGreaterThan(Date.parse(uninstall[0].time));
  });

  it('without volumes, --yes is enough', async () => {
    const s = await installed();
    const r = await s.run(['uninstall', 'longhorn', '--yes']);
    expect(r.exitCode).toBe(0);
    expect(releaseOf(s)).toBeUndefined();
    expect(s.api!.store.get('namespaces', NS)).toBeUndefined();
  });

  it('no terminal and no --yes: refuses (exit 2) and changes nothing', async () => {
    const s = await installed();
    s.api!.clearRequests();
    const r = await s.run(['uninstall', 'longhorn']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/refusing without confirmation, and stdin is not a terminal/);
    expect(r.stderr).toMatch(/hint: add --yes to uninstall longhorn/);
    expect(helmUninstalls(s)).toEqual([]);
    expect(ourRequests(s)).toEqual([]);
    expect(flagValue(s)).toBe('false');
  });

  it('already uninstalled: says so, exit 0; a second uninstall is a no-op', async () => {
    const s = await installed();
    expect((await s.run(['uninstall', 'longhorn', '--yes'])).exitCode).toBe(0);
    const r = await s.run(['uninstall', 'longhorn', '--yes']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/Longhorn is not installed: there is no Helm release longhorn and no namespace longhorn-system/);
    expect(helmUninstalls(s)).toHaveLength(1);
  });

  it('--dry-run prints the order and changes nothing', async () => {
    const s = await installed();
    s.api!.clearRequests();
    const r = await s.run(['uninstall', 'longhorn', '--dry-run']);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => /^\d+\./.test(l));
    expect(lines.map((l) => l.replace(/^\d+\. /, ''))).toEqual([
      'Allow Longhorn\'s uninstall job to run (Setting deleting-confirmation-flag = "true")',
      'Check that Setting deleting-confirmation-flag is "true"',
      'Remove the Helm release longhorn (Longhorn\'s uninstall job deletes its volumes and custom resources first)',
      'Wait for DaemonSet longhorn-manager to be gone',
      'Delete the namespace longhorn-system',
      'Wait for the namespace longhorn-system to be gone',
    ]);
    expect(r.stdout).toContain('run: helm uninstall longhorn -n longhorn-system --timeout 10m');
    expect(helmUninstalls(s)).toEqual([]);
    expect(ourRequests(s)).toEqual([]);
  });

  it('Longhorn\'s uninstall hook failing is reported from the release still being there (exit 1)', async () => {
    const s = await installed();
    s.writeHelmState({ quirks: { uninstallFails: { exitCode: 1, stderr: 'Error: warning: Hook pre-delete longhorn/templates/uninstall-job.yaml failed: job longhorn-uninstall failed: BackoffLimitExceeded' } } });
    const r = await s.run(['uninstall', 'longhorn', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/Longhorn's uninstall job failed, so Helm kept the release longhorn \(deployed\)/);
    expect(r.stderr).toMatch(/hint: kubectl -n longhorn-system logs job\/longhorn-uninstall/);
    expect(s.api!.store.get('namespaces', NS)).toBeDefined();
  });

  it('a namespace stuck Terminating is named with what holds it', async () => {
    const s = await installed();
    s.api!.store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: NS, finalizers: ['example.com/hold'] }, data: {} });
    const r = await s.run(['uninstall', 'longhorn', '--yes', '--timeout', '2s']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/the namespace longhorn-system is stuck Terminating: NamespaceFinalizersRemaining: Some content in the namespace has finalizers remaining: example.com\/hold/);
    expect(r.stderr).toMatch(/never delete Longhorn's CRDs/);
  });
});
