// The sandbox helper: isolation, opt-in fakes, kubeconfig, and running the real CLI.
import { describe, expect, it, onTestFinished } from 'vitest';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { CLI_PATH } from '../helpers/sandbox.mjs';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

const which = (s: Sandbox, name: string) => s.exec('sh', ['-c', `command -v ${name} || echo "not found"`]);

describe('createSandbox', () => {
  it('puts only the opted-in fakes on PATH and never a real microk8s, helm or kubectl', async () => {
    sb = await perTest.create({ microk8s: true });
    expect((await which(sb, 'microk8s')).stdout.trim()).toBe(join(sb.binDir, 'microk8s'));
    // helm was not asked for: it is "not installed".
    expect((await which(sb, 'helm')).stdout.trim()).toBe('not found');
    // This machine has /usr/bin/kubectl; the sandbox must not see it.
    expect((await which(sb, 'kubectl')).stdout.trim()).toBe('not found');
    expect((await which(sb, 'node')).stdout.trim()).not.toBe('not found');
    const notInstalled = await sb.exec('sh', ['-c', 'helm version']);
    expect(notInstalled.exitCode).toBe(127);
  });

  it('isolates HOME and the environment, and leaves KUBECONFIG unset unless asked', async () => {
    sb = await perTest.create({ helm: true });
    const r = await sb.exec(process.execPath, ['-e', 'console.log(JSON.stringify(process.env))']);
    const env = JSON.parse(r.stdout);
    expect(env.HOME).toBe(sb.home);
    expect(env.NO_COLOR).toBe('1');
    expect(env.KUBECONFIG).toBeUndefined();
    expect(env.FAKE_HELM_STATE).toBe(sb.helmStatePath);
    expect(env.FAKE_MICROK8S_STATE).toBeUndefined();
    expect(env.VITEST).toBeUndefined();
    expect(env.PATH.split(':')[0]).toBe(sb.binDir);
  });

  it('starts a fake API server and writes ~/.kube/config for it, linking the fakes to it', async () => {
    sb = await perTest.create({ microk8s: true, helm: true, api: true });
    expect(sb.kubeconfigPath).toBe(join(sb.home, '.kube', 'config'));
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(sb.kubeconfigPath!);
    const nodes = await kc.makeApiClient(k8s.CoreV1Api).listNode();
    expect(nodes.items).toHaveLength(1);
    expect(sb.readMicrok8sState().apiServer).toBe(sb.api!.url);
    expect(sb.readHelmState().apiServer).toBe(sb.api!.url);
  });

  it('exports KUBECONFIG when given an explicit kubeconfig path, and merges partial states', async () => {
    const path = join(tmpdir(), `k8s-storage-sandbox-test-${process.pid}.kubeconfig`);
    onTestFinished(() => rmSync(path, { force: true }));
    sb = await perTest.create({ api: true, kubeconfig: { path, namespace: 'apps' }, microk8s: { running: 'not-ready', addons: { 'hostpath-storage': { status: 'enabled' } } } });
    expect(sb.env.KUBECONFIG).toBe(path);
    expect(readFileSync(path, 'utf8')).toContain('namespace: apps');
    const state = sb.readMicrok8sState();
    expect(state.running).toBe('not-ready');
    expect(state.addons['hostpath-storage']!.status).toBe('enabled');
    expect(state.addons.dns!.status).toBe('enabled');
  });

  it('runs the real CLI with node (bin/k8s-storage.cjs, resolved from the repository)', async () => {
    sb = await perTest.create({ microk8s: true });
    expect(CLI_PATH).toBe(fileURLToPath(new URL('../../bin/k8s-storage.cjs', import.meta.url)));
    const r = await sb.run(['--version']);
    if (existsSync(CLI_PATH)) {
      // Once the CLI exists it must at least answer --version.
      expect(r.exitCode).toBe(0);
    } else {
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain('Cannot find module');
    }
  });

  it('sends Ctrl-C to the whole process group, or to the CLI alone', async () => {
    sb = await perTest.create({ helm: { quirks: { hangAfterStart: true } } });
    const fixture = fileURLToPath(new URL('./fixtures/spawn-helm.mjs', import.meta.url));
    const chart = fileURLToPath(new URL('./fixtures/chart', import.meta.url));
    const group = await sb.runWithSignal(['upgrade', '--install', 'demo', chart], { program: fixture, afterStdoutMatch: 'Installing it now.' });
    expect(group.stdout).toContain('parent got SIGINT');
    expect(group.stdout).toContain('Release demo has been cancelled.');
    expect(group.stdout).toContain('helm exited 1');
    expect(group.timedOut).toBe(false);

    sb.writeHelmState({ releases: {} });
    const alone = await sb.runWithSignal(['upgrade', '--install', 'demo2', chart], { program: fixture, afterMs: 400, target: 'process', timeoutMs: 2000 });
    expect(alone.signalSent).toBe(true);
    expect(alone.stdout).toContain('parent got SIGINT');
    // The child never saw the Ctrl-C: it kept hanging until the harness timed out and
    // killed the whole group.
    expect(alone.timedOut).toBe(true);
    expect(sb.readHelmState().releases['default/demo2']!.status).toBe('pending-install');
  });

  it('cleanup kills fake processes still running and removes the directory', async () => {
    sb = await perTest.create({ helm: { quirks: { hangAfterStart: true } } });
    const chart = fileURLToPath(new URL('./fixtures/chart', import.meta.url));
    const proc = sb.exec('helm', ['upgrade', '--install', 'demo', chart], { timeoutMs: 60_000 });
    const dir = sb.dir;
    const deadline = Date.now() + 5000;
    while (!sb.readHelmState().releases['default/demo'] && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await sb.cleanup();
    sb = undefined;
    const r = await proc;
    expect(r.signal).toBe('SIGKILL');
    expect(existsSync(dir)).toBe(false);
  });
});
