/**
 * A new backend touches only its folder and the registry: the program is built in-process from
 * a registry of the test's own (the real backends plus a dummy one, or fewer), through
 * main(argv, { backends, streams }) — no module of ours is mocked, the dummy is a plain Backend
 * value like src/backends/hostpath/index.ts — and `install --help`, `uninstall --help`,
 * `status`, `doctor`, `presets` and `nodes check --for` follow it.
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployment, workloadStatus } from '../../src/backends/analysis.js';
import { BACKENDS } from '../../src/backends/index.js';
import type { Backend, BackendRuntime } from '../../src/backends/types.js';
import { main } from '../../src/cli.js';
import { emptyPlan } from '../../src/plan/types.js';
import { startFakeApiServer } from '../fakes/apiserver.mjs';

const DUMMY_PROVISIONER = 'dummy.example.com/csi';

const runtime: BackendRuntime = {
  parseInstall: (raw) => ({ sizeGib: raw.sizeGib }),
  gatherInstall: async () => ({}),
  parseUninstall: () => ({}),
  gatherUninstall: async () => ({}),
};

const dummy: Backend = {
  id: 'dummy',
  title: 'Dummy storage',
  provisioners: [DUMMY_PROVISIONER],
  presets: [],
  capabilities: { accessModes: ['ReadWriteOnce'], expand: false, snapshot: false, csiSnapshots: false, restore: false, replicated: false, nodeBound: true },
  nodeTargets: [{ id: 'dummy', description: 'nothing at all', doctorOrder: 50 }],
  workloads: [{ ref: deployment('dummy-system', 'dummy-controller') }],
  install: { description: 'install the dummy backend (a test double)', options: [{ flags: '--size-gib <n>', description: 'how big the dummy is' }, { flags: '--dry-run', description: 'print the plan' }], examples: ['k8s-storage install dummy --size-gib 3'] },
  uninstall: { description: 'remove the dummy backend', options: [{ flags: '--dry-run', description: 'print the plan' }], examples: ['k8s-storage uninstall dummy'] },
  planInstall: () => ({ ...emptyPlan('install the dummy'), notes: ['the dummy is installed'] }),
  planUninstall: () => emptyPlan('uninstall the dummy'),
  analyze: (facts) => {
    const status = workloadStatus('dummy', DUMMY_PROVISIONER, dummy.workloads, facts);
    return { ...(status ? { status } : {}), findings: status ? [{ severity: 'warning', message: 'the dummy is only a test' }] : [] };
  },
  load: async () => runtime,
};

/** Runs the program built from `backends` in this process; returns the exit code and both streams. */
async function run(args: string[], backends: readonly Backend[] = [...BACKENDS, dummy]) {
  let out = '';
  let err = '';
  const stream = (add: (s: string) => void) => new Writable({ write: (chunk, _e, done) => (add(String(chunk)), done()) });
  const code = await main(['node', 'k8s-storage', ...args], { backends, streams: { out: stream((s) => (out += s)), err: stream((s) => (err += s)) } });
  return { code, out, err };
}

let api: Awaited<ReturnType<typeof startFakeApiServer>>;
let kubeconfig: string;
beforeAll(async () => {
  api = await startFakeApiServer();
  kubeconfig = join(mkdtempSync(join(tmpdir(), 'registry-')), 'config');
  writeFileSync(kubeconfig, api.kubeconfig());
});
afterAll(async () => api?.close());

describe('the registry drives the commands', () => {
  it('install --help and uninstall --help list the dummy, with its own flags', async () => {
    const install = await run(['install', '--help']);
    expect(install.code).toBe(0);
    expect(install.out).toMatch(/dummy \[options\]\s+install the dummy backend/);
    expect((await run(['install', '--help'], BACKENDS)).out).not.toContain('dummy');
    const own = await run(['install', 'dummy', '--help']);
    expect(own.out).toContain('--size-gib <n>');
    expect(own.out).toContain('k8s-storage install dummy --size-gib 3');
    expect((await run(['uninstall', '--help'])).out).toMatch(/dummy \[options\]\s+remove the dummy backend/);
  });

  it('install dummy --dry-run runs the generic command: its runtime, its planner', async () => {
    const r = await run(['install', 'dummy', '--size-gib', '3', '--dry-run', '--kubeconfig', kubeconfig]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Plan: install the dummy (dry run: nothing is changed)');
    expect(r.out).toContain('note: the dummy is installed');
  });

  it('status reports the dummy once its workload exists, with its finding', async () => {
    const before = JSON.parse((await run(['status', '-o', 'json', '--kubeconfig', kubeconfig])).out);
    expect(before.backends.map((b: { name: string }) => b.name)).not.toContain('dummy');
    api.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'dummy' }, provisioner: DUMMY_PROVISIONER });
    api.store.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'dummy-controller', namespace: 'dummy-system', generation: 1 }, spec: { replicas: 1, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'd', image: 'x' }] } } }, status: { observedGeneration: 1, replicas: 1, readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1 } });
    const r = await run(['status', '-o', 'json', '--kubeconfig', kubeconfig]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.backends).toContainEqual({ name: 'dummy', provisioner: DUMMY_PROVISIONER, installed: true, healthy: true, classes: ['dummy'], workloads: [{ ref: 'deployment/dummy-controller (dummy-system)', ready: 'ready' }] });
    expect(report.warnings).toContain('dummy: the dummy is only a test');
    const table = await run(['status', '--kubeconfig', kubeconfig]);
    expect(table.out).toMatch(/dummy\s+dummy\.example\.com\/csi\s+yes\s+yes\s+dummy/);
  });

  it('doctor reads the same analyses', async () => {
    const r = await run(['doctor', '--skip-nodes', '-o', 'json', '--kubeconfig', kubeconfig]);
    const doc = JSON.parse(r.out);
    expect(doc.storage.backends.map((b: { name: string }) => b.name)).toContain('dummy');
    expect(doc.findings).toContainEqual({ severity: 'warning', area: 'backends', message: 'dummy: the dummy is only a test' });
  });

  it('nodes check --for takes the dummy target only when the registry has it', async () => {
    const withDummy = await run(['nodes', 'check', '--for', 'dummy', '--dry-run', '-o', 'json']);
    expect(withDummy.code).toBe(0);
    expect(JSON.parse(withDummy.out).nodeCommand).toContain('--for dummy');
    const without = await run(['nodes', 'check', '--for', 'dummy', '--dry-run'], BACKENDS);
    expect(without.code).toBe(2);
    expect(without.err).toContain('--for: "dummy" is not a backend the agent knows; use longhorn, nfs, hostpath');
    // The --for list is the registry's targets, the dummy's last.
    expect((await run(['nodes', 'check', '--help'])).out.replace(/\s+/g, ' ')).toMatch(/--for <backend> what the nodes must be ready for: longhorn, nfs, hostpath(, [a-z-]+)* or dummy /);
  });

  it('presets lists the presets of the registry it is given', async () => {
    const all = JSON.parse((await run(['presets', '-o', 'json'], BACKENDS)).out);
    expect(all.storageClasses.map((p: { name: string }) => p.name)).toContain('longhorn');
    const fewer = JSON.parse((await run(['presets', '-o', 'json'], BACKENDS.filter((b) => b.id !== 'longhorn'))).out);
    expect(fewer.storageClasses.map((p: { name: string }) => p.name)).not.toContain('longhorn');
  });
});
