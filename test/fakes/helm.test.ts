// The fake `helm`, run as a process with argument arrays, against the Helm facts in
// /work/shared/reference/longhorn.md and peers.md.
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

const LONGHORN = { repos: { longhorn: 'https://charts.longhorn.io' } };
const install = (extra: string[] = []) => ['upgrade', '--install', 'longhorn', 'longhorn/longhorn', '-n', 'longhorn-system', '--create-namespace', '--version', '1.12.1', ...extra];

describe('helm version', () => {
  it('answers --short, --template and the plain form for Helm 3 and Helm 4', async () => {
    sb = await perTest.create({ helm: true });
    expect((await sb.exec('helm', ['version', '--short'])).stdout).toBe('v3.16.4+g7877b45\n');
    expect((await sb.exec('helm', ['version', '--template', '{{.Version}}'])).stdout).toBe('v3.16.4\n');
    expect((await sb.exec('helm', ['version'])).stdout).toMatch(/^version\.BuildInfo\{Version:"v3\.16\.4", GitCommit:"[0-9a-f]{40}", GitTreeState:"clean", GoVersion:"go1\.\d+\.\d+"\}\n$/);
    sb.writeHelmState({ version: 'v4.0.1' });
    expect((await sb.exec('helm', ['version', '--template', '{{.Version}}'])).stdout).toBe('v4.0.1\n');
  });
});

describe('helm upgrade --install', () => {
  it('records the exact values files and merges -f and --set into the release values', async () => {
    sb = await perTest.create({ helm: LONGHORN });
    const a = join(sb.dir, 'a.yaml');
    const b = join(sb.dir, 'b.yaml');
    writeFileSync(a, 'persistence:\n  defaultClassReplicaCount: 3\n  reclaimPolicy: Retain\n');
    writeFileSync(b, 'persistence:\n  defaultClassReplicaCount: 1\n');
    const r = await sb.exec('helm', install(['-f', a, '--values', b, '--set', 'csi.kubeletRootDir=/var/snap/microk8s/common/var/lib/kubelet,longhornUI.replicas=1']));
    expect(r.exitCode).toBe(0);
    expect(r.stdout.startsWith('Release "longhorn" does not exist. Installing it now.\nNAME: longhorn\nLAST DEPLOYED: ')).toBe(true);
    expect(r.stdout).toContain('NAMESPACE: longhorn-system\nSTATUS: deployed\nREVISION: 1\n');
    // The file is rewritten after the call: the record keeps what helm saw.
    writeFileSync(a, 'changed: true\n');
    const call = sb.readHelmState().calls.at(-1)!;
    expect(call.valuesFiles).toEqual([
      { path: a, content: 'persistence:\n  defaultClassReplicaCount: 3\n  reclaimPolicy: Retain\n' },
      { path: b, content: 'persistence:\n  defaultClassReplicaCount: 1\n' },
    ]);
    const values = JSON.parse((await sb.exec('helm', ['get', 'values', 'longhorn', '-n', 'longhorn-system', '-o', 'json'])).stdout);
    expect(values).toEqual({ persistence: { defaultClassReplicaCount: 1, reclaimPolicy: 'Retain' }, csi: { kubeletRootDir: '/var/snap/microk8s/common/var/lib/kubelet' }, longhornUI: { replicas: 1 } });

    const up = await sb.exec('helm', install(['--set', 'longhornUI.replicas=2']));
    expect(up.stdout).toContain('Release "longhorn" has been upgraded. Happy Helming!');
    expect(up.stdout).toContain('REVISION: 2');
  });

  it('lists releases with revision as a STRING', async () => {
    sb = await perTest.create({ helm: LONGHORN });
    await sb.exec('helm', install());
    const list = JSON.parse((await sb.exec('helm', ['list', '-n', 'longhorn-system', '-o', 'json'])).stdout);
    expect(list).toEqual([
      { name: 'longhorn', namespace: 'longhorn-system', revision: '1', updated: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} \+0000 UTC$/), status: 'deployed', chart: 'longhorn-1.12.1', app_version: 'v1.12.1' },
    ]);
    expect(JSON.parse((await sb.exec('helm', ['list', '-o', 'json'])).stdout)).toEqual([]);
    expect(JSON.parse((await sb.exec('helm', ['list', '-A', '-o', 'json'])).stdout)).toHaveLength(1);
  });

  it('fails an install with "Error: INSTALLATION FAILED", yet `helm status` exits 0 for the failed release', async () => {
    sb = await perTest.create({ helm: { ...LONGHORN, quirks: { installFails: { stderr: 'context deadline exceeded' } } } });
    const r = await sb.exec('helm', install(['--wait', '--timeout', '10m']));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('Error: INSTALLATION FAILED: context deadline exceeded\n');
    const status = await sb.exec('helm', ['status', 'longhorn', '-n', 'longhorn-system', '-o', 'json']);
    expect(status.exitCode).toBe(0);
    const json = JSON.parse(status.stdout);
    expect(json).toMatchObject({ name: 'longhorn', namespace: 'longhorn-system', version: 1, info: { status: 'failed' }, chart: { metadata: { name: 'longhorn', version: '1.12.1', appVersion: 'v1.12.1' } } });
    expect(json.info.first_deployed).toMatch(/Z$/);
    // Failed releases are listed by default.
    expect(JSON.parse((await sb.exec('helm', ['list', '-n', 'longhorn-system', '-o', 'json'])).stdout)[0].status).toBe('failed');
  });

  it('leaves pending-install when told to, hides it from the default list, and blocks the next upgrade', async () => {
    sb = await perTest.create({ helm: { ...LONGHORN, quirks: { installFails: { leaveStatus: 'pending-install', times: 1 } } } });
    expect((await sb.exec('helm', install())).exitCode).toBe(1);
    expect(JSON.parse((await sb.exec('helm', ['list', '-n', 'longhorn-system', '-o', 'json'])).stdout)).toEqual([]);
    expect(JSON.parse((await sb.exec('helm', ['list', '-n', 'longhorn-system', '--pending', '-o', 'json'])).stdout)[0].status).toBe('pending-install');
    const blocked = await sb.exec('helm', install());
    expect(blocked).toMatchObject({ exitCode: 1, stderr: 'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress\n' });
  });

  it('is interrupted by Ctrl-C while hanging, leaving pending-install', async () => {
    sb = await perTest.create({ helm: { ...LONGHORN, quirks: { hangAfterStart: true } } });
    const fixture = fileURLToPath(new URL('./fixtures/spawn-helm.mjs', import.meta.url));
    const r = await sb.runWithSignal(install(), { program: fixture, afterStdoutMatch: 'does not exist. Installing it now.', signal: 'SIGINT' });
    expect(r.signalSent).toBe(true);
    expect(r.stdout).toContain('Release longhorn has been cancelled.');
    expect(r.stderr).toContain('Error: INSTALLATION FAILED: context canceled');
    expect(r.stdout).toContain('helm exited 1');
    expect(sb.readHelmState().releases['longhorn-system/longhorn']!.status).toBe('pending-install');
  });

  it('knows --atomic only on Helm 3 and --rollback-on-failure only on Helm 4', async () => {
    sb = await perTest.create({ helm: LONGHORN });
    expect((await sb.exec('helm', install(['--rollback-on-failure']))).stderr).toBe('Error: unknown flag: --rollback-on-failure\n');
    sb.writeHelmState({ version: 'v4.0.1' });
    const v4 = await sb.exec('helm', install(['--atomic']));
    expect(v4).toMatchObject({ exitCode: 1, stderr: 'Error: unknown flag: --atomic\n' });
    expect((await sb.exec('helm', install(['--rollback-on-failure']))).exitCode).toBe(0);
  });

  it('uninstalls a failed install under --atomic', async () => {
    sb = await perTest.create({ helm: { ...LONGHORN, quirks: { installFails: { stderr: 'timed out waiting for the condition' } } } });
    const r = await sb.exec('helm', install(['--atomic']));
    expect(r.stderr).toBe('Error: INSTALLATION FAILED: release longhorn failed, and has been uninstalled due to atomic being set: timed out waiting for the condition\n');
    expect(sb.readHelmState().releases).toEqual({});
  });

  it('resolves charts like Helm: local directories need a Chart.yaml, paths must exist, repos must be added, versions must exist', async () => {
    sb = await perTest.create({ helm: true });
    const chartDir = fileURLToPath(new URL('./fixtures/chart', import.meta.url));
    const ok = await sb.exec('helm', ['upgrade', '--install', 'demo', chartDir, '-n', 'default']);
    expect(ok.exitCode).toBe(0);
    expect(sb.readHelmState().releases['default/demo']).toMatchObject({ chart: 'demo-0.3.0', app_version: '2.1' });
    expect((await sb.exec('helm', ['upgrade', '--install', 'x', './missing-chart'])).stderr).toBe('Error: path "./missing-chart" not found\n');
    const empty = join(sb.dir, 'empty');
    mkdirSync(empty);
    expect((await sb.exec('helm', ['upgrade', '--install', 'x', empty])).stderr).toBe('Error: Chart.yaml file is missing\n');
    expect((await sb.exec('helm', ['upgrade', '--install', 'x', 'longhorn/longhorn'])).stderr).toBe('Error: repo longhorn not found\n');
    const repo = await sb.exec('helm', ['repo', 'add', 'longhorn', 'https://charts.longhorn.io']);
    expect(repo.stdout).toBe('"longhorn" has been added to your repositories\n');
    expect((await sb.exec('helm', ['repo', 'update'])).stdout).toContain('...Successfully got an update from the "longhorn" chart repository');
    const badVersion = await sb.exec('helm', ['upgrade', '--install', 'x', 'longhorn/longhorn', '--version', '9.9.9']);
    expect(badVersion.stderr).toContain('Error: chart "longhorn" matching 9.9.9 not found in longhorn index.');
    expect(sb.readHelmState().calls.map((c) => c.argv[0])).toEqual(['upgrade', 'upgrade', 'upgrade', 'upgrade', 'repo', 'repo', 'upgrade']);
  });

  it('reports missing releases like Helm', async () => {
    sb = await perTest.create({ helm: true });
    expect(await sb.exec('helm', ['status', 'longhorn', '-n', 'longhorn-system'])).toMatchObject({ exitCode: 1, stderr: 'Error: release: not found\n' });
    expect(await sb.exec('helm', ['uninstall', 'longhorn', '-n', 'longhorn-system'])).toMatchObject({ exitCode: 1, stderr: 'Error: uninstall: Release not loaded: longhorn: release: not found\n' });
    expect(await sb.exec('helm', ['get', 'values', 'longhorn', '-n', 'longhorn-system', '-o', 'json'])).toMatchObject({ exitCode: 1, stderr: 'Error: release: not found\n' });
  });
});

describe('helm with the fake API server (longhorn chart)', () => {
  it('creates the Longhorn objects from the values, makes longhorn.io appear, and refuses to uninstall until the confirmation flag is set', async () => {
    sb = await perTest.create({ helm: LONGHORN, api: { hiddenGroups: ['longhorn.io'] } });
    const api = sb.api!;
    expect(api.resources.some((d: any) => d.group === 'longhorn.io' && !d.hidden)).toBe(false);
    const values = join(sb.dir, 'values.yaml');
    writeFileSync(values, 'persistence:\n  defaultClass: false\n  defaultClassReplicaCount: 1\n  reclaimPolicy: Retain\ncsi:\n  kubeletRootDir: /var/snap/microk8s/common/var/lib/kubelet\n');
    const r = await sb.exec('helm', install(['-f', values]));
    expect(r.exitCode).toBe(0);

    expect(api.store.get('namespaces', 'longhorn-system')).toBeDefined();
    expect(api.store.get('daemonsets', 'longhorn-manager', 'longhorn-system')).toBeDefined();
    expect(api.store.get('deployments', 'longhorn-driver-deployer', 'longhorn-system').spec.template.spec.containers[0].env).toEqual([
      { name: 'KUBELET_ROOT_DIR', value: '/var/snap/microk8s/common/var/lib/kubelet' },
    ]);
    expect(api.store.get('deployments', 'longhorn-ui', 'longhorn-system')).toBeDefined();
    expect(api.store.get('services', 'longhorn-frontend', 'longhorn-system')).toBeDefined();
    const sc = api.store.get('storageclasses', 'longhorn');
    expect(sc).toMatchObject({ provisioner: 'driver.longhorn.io', reclaimPolicy: 'Retain', parameters: { numberOfReplicas: '1' } });
    expect(sc.metadata.annotations['storageclass.kubernetes.io/is-default-class']).toBe('false');
    expect(api.store.get('configmaps', 'longhorn-storageclass', 'longhorn-system').data['storageclass.yaml']).toContain('numberOfReplicas: "1"');

    // The CRDs brought longhorn.io into discovery; client-node can read the setting.
    const kc = new k8s.KubeConfig();
    kc.loadFromString(api.kubeconfig());
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const flag = await objects.read({ apiVersion: 'longhorn.io/v1beta2', kind: 'Setting', metadata: { name: 'deleting-confirmation-flag', namespace: 'longhorn-system' } });
    expect((flag as any).value).toBe('false');

    const refused = await sb.exec('helm', ['uninstall', 'longhorn', '-n', 'longhorn-system']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('pre-delete');
    expect(api.store.get('daemonsets', 'longhorn-manager', 'longhorn-system')).toBeDefined();

    await objects.patch({ apiVersion: 'longhorn.io/v1beta2', kind: 'Setting', metadata: { name: 'deleting-confirmation-flag', namespace: 'longhorn-system' }, value: 'true' } as any, undefined, undefined, undefined, undefined, k8s.PatchStrategy.MergePatch);
    const ok = await sb.exec('helm', ['uninstall', 'longhorn', '-n', 'longhorn-system', '--wait']);
    expect(ok).toMatchObject({ exitCode: 0, stdout: 'release "longhorn" uninstalled\n' });
    expect(api.store.get('daemonsets', 'longhorn-manager', 'longhorn-system')).toBeUndefined();
    expect(api.store.get('storageclasses', 'longhorn')).toBeUndefined();
    expect(api.resources.some((d: any) => d.group === 'longhorn.io' && !d.hidden)).toBe(false);
    expect(sb.readHelmState().releases).toEqual({});
  });

  it('fails without --create-namespace when the namespace is missing', async () => {
    sb = await perTest.create({ helm: LONGHORN, api: true });
    const r = await sb.exec('helm', ['upgrade', '--install', 'longhorn', 'longhorn/longhorn', '-n', 'longhorn-system']);
    expect(r).toMatchObject({ exitCode: 1, stderr: 'Error: INSTALLATION FAILED: create: failed to create: namespaces "longhorn-system" not found\n' });
    expect(sb.readHelmState().releases['longhorn-system/longhorn']!.status).toBe('failed');
  });

  it('with waitChecksReadiness, --wait succeeds once workloads are ready and times out otherwise', async () => {
    sb = await perTest.create({ helm: { ...LONGHORN, quirks: { waitChecksReadiness: true } }, api: true });
    const slow = await sb.exec('helm', install(['--wait', '--timeout', '300ms']));
    expect(slow).toMatchObject({ exitCode: 1, stderr: 'Error: INSTALLATION FAILED: context deadline exceeded\n' });
    sb.api!.controllers.autoReadyWorkloads({ delayMs: 20 });
    const ok = await sb.exec('helm', install(['--wait', '--timeout', '5s']));
    expect(ok.exitCode).toBe(0);
    expect(sb.readHelmState().releases['longhorn-system/longhorn']).toMatchObject({ status: 'deployed', revision: 2 });
  });

  it('says the cluster is unreachable when the API server is down', async () => {
    sb = await perTest.create({ helm: LONGHORN, api: true });
    await sb.api!.down();
    const r = await sb.exec('helm', ['list', '-A', '-o', 'json']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^Error: Kubernetes cluster unreachable: /);
  });
});
