/**
 * install/uninstall hostpath end to end: the real CLI against the fake microk8s (its
 * outputs, exit codes and quirks) and the fake API server the fake microk8s writes to.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/run-cli.js';
import { TEST_BINARY } from '../helpers/sandbox.mjs';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';
import { expectOutputSchema } from '../helpers/output-schema.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

const HOSTPATH_SC = 'microk8s-hostpath';
const defaultFlag = (sc: any) => sc?.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'];
const m8sCalls = (s: Sandbox) => s.readMicrok8sState().calls.map((c: any) => c.argv.join(' '));

async function singleNode(opts: { nodes?: number; microk8s?: Record<string, unknown>; ready?: boolean } = {}) {
  sb = await perTest.create({ microk8s: { addons: { 'hostpath-storage': { status: 'disabled' } }, ...opts.microk8s }, api: { nodes: opts.nodes ?? 1 } });
  if (opts.ready !== false) sb.api!.controllers.autoReadyWorkloads({ delayMs: 30 });
  return sb;
}

describe('install hostpath', () => {
  it('enables the addon with its real flags, waits for the provisioner, verifies the class', async () => {
    const s = await singleNode();
    const r = await s.run(['install', 'hostpath', '--reclaim-policy', 'Retain']);
    expect(r.stderr).toContain('hostpath storage is ready');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
    expect(m8sCalls(s)).toContain('enable hostpath-storage --default-class true --reclaim-policy Retain');
    const sc = s.api!.store.get('storageclasses', HOSTPATH_SC);
    expect(sc).toMatchObject({ provisioner: 'microk8s.io/hostpath', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' });
    expect(defaultFlag(sc)).toBe('true');
  });

  // The import trace needs `node --import`; the single executable loads its own embedded bundle.
  it.skipIf(TEST_BINARY)('starts `microk8s status` before loading client-node, so the two overlap', async () => {
    const s = await singleNode();
    const trace = join(mkdtempSync(join(tmpdir(), 'trace-')), 'imports.txt');
    writeFileSync(trace, '');
    const r = await s.run(['install', 'hostpath'], { env: { NODE_OPTIONS: `--import=${join(REPO, 'test', 'helpers', 'trace-imports.mjs')}`, TRACE_IMPORTS_FILE: trace } });
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = readFileSync(trace, 'utf8').split('\n');
    const status = lines.findIndex((l) => /^spawn \S*microk8s status/.test(l));
    const client = lines.findIndex((l) => /^read \S*dist\/kube\.cjs/.test(l));
    expect(status, lines.join('\n')).toBeGreaterThan(-1);
    expect(client).toBeGreaterThan(-1);
    expect(status).toBeLessThan(client);
  });

  it('a rerun converges: no second enable, no duplicate objects, exit 0', async () => {
    const s = await singleNode();
    expect((await s.run(['install', 'hostpath'])).exitCode).toBe(0);
    const before = s.api!.store.count();
    const r = await s.run(['install', 'hostpath']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('already enabled');
    expect(m8sCalls(s).filter((c: string) => c.startsWith('enable'))).toHaveLength(1);
    expect(s.api!.store.count()).toBe(before);
  });

  it('`microk8s enable` exiting 0 without doing anything is caught by reading the cluster', async () => {
    const s = await singleNode({ microk8s: { quirks: { enableExitsZeroButFails: ['hostpath-storage'] } } });
    const r = await s.run(['install', 'hostpath']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/"microk8s enable hostpath-storage --default-class true" exited 0 but StorageClass\/microk8s-hostpath does not exist/);
  });

  it('warns on a multi-node cluster with the seed\'s reason and suggests Longhorn', async () => {
    const s = await singleNode({ nodes: 3 });
    const r = await s.run(['install', 'hostpath']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/warning: this cluster has 3 nodes: a hostpath volume lives on the node that created it.*k8s-storage install longhorn/);
  });

  it('keeps exactly one default: without a flag it leaves an existing default alone; --default-class takes it over', async () => {
    const s = await singleNode();
    s.api!.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'longhorn', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'driver.longhorn.io' });
    const first = await s.run(['install', 'hostpath']);
    expect(first.exitCode).toBe(0);
    expect(first.stderr).toContain('Keeping longhorn as the default');
    expect(defaultFlag(s.api!.store.get('storageclasses', HOSTPATH_SC))).toBe('false');
    const second = await s.run(['install', 'hostpath', '--default-class']);
    expect(second.exitCode).toBe(0);
    expect(defaultFlag(s.api!.store.get('storageclasses', HOSTPATH_SC))).toBe('true');
    expect(defaultFlag(s.api!.store.get('storageclasses', 'longhorn'))).toBe('false');
  });

  it('--dir adds a pvDir class (the addon has no directory flag)', async () => {
    const s = await singleNode();
    const r = await s.run(['install', 'hostpath', '--dir', '/mnt/ssd', '--name', 'hostpath-ssd']);
    expect(r.exitCode).toBe(0);
    expect(s.api!.store.get('storageclasses', 'hostpath-ssd')).toMatchObject({ provisioner: 'microk8s.io/hostpath', parameters: { pvDir: '/mnt/ssd' } });
    expect(m8sCalls(s).join('\n')).not.toMatch(/mnt\/ssd/);
  });

  it('--dry-run prints the plan and changes nothing; -o json gives it to machines', async () => {
    const s = await singleNode();
    const r = await s.run(['install', 'hostpath', '--dry-run']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Plan: install MicroK8s hostpath storage (dry run: nothing is changed)');
    expect(r.stdout).toContain('run: microk8s enable hostpath-storage --default-class true');
    const j = await s.run(['install', 'hostpath', '--dry-run', '-o', 'json']);
    const plan = JSON.parse(j.stdout);
    expectOutputSchema('plan', plan);
    expect(plan.dryRun).toBe(true);
    expect(plan.steps.map((st: any) => st.kind)).toEqual(['run', 'wait', 'verify']);
    expect(m8sCalls(s).filter((c: string) => c.startsWith('enable'))).toEqual([]);
    expect(s.api!.store.get('storageclasses', HOSTPATH_SC)).toBeUndefined();
  });

  it.each([
    [{ running: 'stopped' }, 'MicroK8s is stopped.', 'hint: microk8s start'],
    [{ running: 'not-ready' }, 'MicroK8s is not ready yet.', 'microk8s status --wait-ready'],
    [{ permission: 'not-in-group' }, 'your user cannot use MicroK8s.', 'sudo usermod -a -G microk8s $USER'],
    [{ worker: true }, 'MicroK8s worker node', 'control-plane node'],
  ])('microk8s %j: a short error with the fix, exit 1', async (state, message, hint) => {
    const s = await singleNode({ microk8s: state });
    const r = await s.run(['install', 'hostpath']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(hint);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('microk8s not installed: says so and how to fix it', async () => {
    sb = await perTest.create({ api: true });
    const r = await sb.run(['install', 'hostpath']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('MicroK8s is not installed');
  });

  it('Ctrl-C while waiting stops cleanly with 130 and says what was done; a rerun finishes the job', async () => {
    const s = await singleNode({ ready: false });
    const r = await s.runWithSignal(['install', 'hostpath'], { afterStderrMatch: /Wait for the hostpath-provisioner/, signal: 'SIGINT' });
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toMatch(/interrupted during "Wait for the hostpath-provisioner to be ready" \(done before that: Enable the MicroK8s hostpath-storage addon\)/);
    expect(r.stderr).toContain('rerun the same command');
    s.api!.controllers.autoReadyWorkloads({ delayMs: 30 });
    const again = await s.run(['install', 'hostpath']);
    expect(again.exitCode).toBe(0);
    expect(m8sCalls(s).filter((c: string) => c.startsWith('enable'))).toHaveLength(1);
  });
});

describe('uninstall hostpath', () => {
  async function installed() {
    const s = await singleNode();
    expect((await s.run(['install', 'hostpath'])).exitCode).toBe(0);
    s.api!.store.put({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'db', namespace: 'shop' }, spec: { storageClassName: HOSTPATH_SC, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Bound' } });
    return s;
  }

  it('keeps the data: answers the addon\'s prompt with "n", accepts its exit 1, verifies the objects are gone', async () => {
    const s = await installed();
    const r = await s.run(['uninstall', 'hostpath']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('shop/db');
    expect(r.stderr).toContain('the data is still on disk');
    const disable = s.readMicrok8sState().calls.find((c: any) => c.argv[0] === 'disable');
    expect(disable!.argv).toEqual(['disable', 'hostpath-storage']);
    expect(s.readMicrok8sState().hostpathDataRemoved).not.toBe(true);
    expect(s.api!.store.get('storageclasses', HOSTPATH_SC)).toBeUndefined();
    expect(s.api!.store.get('deployments.apps', 'hostpath-provisioner', 'kube-system')).toBeUndefined();
  });

  it('--destroy-data without a terminal and without --yes refuses and changes nothing', async () => {
    const s = await installed();
    const r = await s.run(['uninstall', 'hostpath', '--destroy-data']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('add --yes');
    expect(s.readMicrok8sState().calls.some((c: any) => c.argv[0] === 'disable')).toBe(false);
    expect(s.api!.store.get('storageclasses', HOSTPATH_SC)).toBeDefined();
  });

  it('--destroy-data --yes lists the claims that lose data and destroys the storage', async () => {
    const s = await installed();
    const r = await s.run(['uninstall', 'hostpath', '--destroy-data', '--yes']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/lose their data: shop\/db/);
    expect(s.readMicrok8sState().calls.find((c: any) => c.argv[0] === 'disable')!.argv).toEqual(['disable', 'hostpath-storage:destroy-storage']);
    expect(s.readMicrok8sState().hostpathDataRemoved).toBe(true);
  });

  it('already uninstalled: nothing to do, exit 0', async () => {
    const s = await singleNode();
    const r = await s.run(['uninstall', 'hostpath']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('already disabled');
    expect(s.readMicrok8sState().calls.some((c: any) => c.argv[0] === 'disable')).toBe(false);
  });
});
