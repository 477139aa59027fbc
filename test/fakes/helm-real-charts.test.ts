// The fake `helm` renders the real charts of ../shared/charts with the real `helm template`
// (test/fakes/lib/real-chart.mjs): a value a chart does not have fails the install, and the
// objects a csi-driver-nfs release makes are the chart's own. Skips, saying why, without ../shared.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';
import { whyNoRealChart } from '../helpers/real-tools.mjs';
import { schemaErrorText, unknownValueKeys } from './lib/real-chart.mjs';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

const NFS_REPO = { repos: { 'csi-driver-nfs': 'https://kubernetes-csi.github.io/csi-driver-nfs' } };
const nfsInstall = (extra: string[] = []) => ['upgrade', '--install', 'csi-driver-nfs', 'csi-driver-nfs/csi-driver-nfs', '-n', 'kube-system', '--version', '4.13.4', ...extra];
const LONGHORN = { repos: { longhorn: 'https://charts.longhorn.io' } };
const longhornInstall = (extra: string[] = []) => ['upgrade', '--install', 'longhorn', 'longhorn/longhorn', '-n', 'longhorn-system', '--create-namespace', '--version', '1.12.1', ...extra];
const MICROK8S_KUBELET = '/var/snap/microk8s/common/var/lib/kubelet';

describe('unknownValueKeys and the schema-style error (no chart needed)', () => {
  it.each([
    ['a known key', { kubeletDir: '/x' }, []],
    ['the csi-driver-smb key the NFS chart silently ignores', { linux: { kubelet: '/x' } }, ['linux']],
    ['a typo below a known map', { controller: { replica: 2 } }, ['controller.replica']],
    ['free-form map ({} in the chart)', { controller: { nodeSelector: { 'kubernetes.io/os': 'linux' } } }, []],
    ['a list is taken whole', { storageClasses: [{ name: 'x' }] }, []],
  ])('%s', (_n, values, expected) => {
    const chart = { kubeletDir: '/var/lib/kubelet', controller: { replicas: 1, nodeSelector: {} }, storageClasses: [] };
    expect(unknownValueKeys(values, chart)).toEqual(expected);
  });

  it('names each unknown key under its parent, as Helm does for additionalProperties', () => {
    expect(schemaErrorText('csi-driver-nfs', ['linux', 'controller.replica', 'controller.dns'])).toBe(
      "values don't meet the specifications of the schema(s) in the following chart(s):\ncsi-driver-nfs:\n- at '': additional properties 'linux' not allowed\n- at '/controller': additional properties 'replica', 'dns' not allowed",
    );
  });
});

const nfsSkip = whyNoRealChart('csi-driver-nfs-4.13.4');
describe.skipIf(nfsSkip)(`csi-driver-nfs 4.13.4 rendered by the real helm${nfsSkip ? ` (${nfsSkip})` : ''}`, () => {
  it('installs the chart\'s own objects with the kubelet dir given, and uninstall removes them', async () => {
    sb = await perTest.create({ helm: NFS_REPO, api: true });
    expect(sb.readHelmState().chartDirs['csi-driver-nfs/csi-driver-nfs@4.13.4']).toMatch(/csi-driver-nfs-4\.13\.4$/);
    const r = await sb.exec('helm', nfsInstall(['--set', `kubeletDir=${MICROK8S_KUBELET}`]));
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const api = sb.api!;
    const node = api.store.get('daemonsets', 'csi-nfs-node', 'kube-system');
    expect(node.spec.template.spec.hostNetwork).toBe(true);
    // Every kubelet path of the node plugin is under the MicroK8s kubelet dir.
    const paths = node.spec.template.spec.volumes.map((v: any) => v.hostPath?.path).filter((p: string | undefined) => p?.includes('kubelet'));
    expect(paths.length).toBeGreaterThan(1);
    for (const p of paths) expect(p.startsWith(MICROK8S_KUBELET)).toBe(true);
    const controller = api.store.get('deployments', 'csi-nfs-controller', 'kube-system');
    expect(controller.spec.template.spec.containers.map((c: any) => c.name)).toEqual(expect.arrayContaining(['csi-provisioner', 'nfs']));
    expect(controller.metadata.annotations['meta.helm.sh/release-name']).toBe('csi-driver-nfs');
    expect(api.store.get('csidrivers', 'nfs.csi.k8s.io').spec).toMatchObject({ attachRequired: false, fsGroupPolicy: 'File' });
    expect(api.store.get('serviceaccounts', 'csi-nfs-controller-sa', 'kube-system')).toBeDefined();
    // The chart makes no StorageClass by default.
    expect(api.store.list('storageclasses')).toEqual([]);

    const un = await sb.exec('helm', ['uninstall', 'csi-driver-nfs', '-n', 'kube-system']);
    expect(un).toMatchObject({ exitCode: 0, stdout: 'release "csi-driver-nfs" uninstalled\n' });
    expect(api.store.get('daemonsets', 'csi-nfs-node', 'kube-system')).toBeUndefined();
    expect(api.store.get('csidrivers', 'nfs.csi.k8s.io')).toBeUndefined();
    expect(api.store.get('clusterroles', 'nfs-external-provisioner-role')).toBeUndefined();
  });

  it('refuses a value the chart does not have, before recording any release (also with --dry-run)', async () => {
    sb = await perTest.create({ helm: NFS_REPO, api: true });
    for (const extra of [['--set', 'linux.kubelet=/x,controller.replica=2'], ['--set', 'linux.kubelet=/x,controller.replica=2', '--dry-run']]) {
      const r = await sb.exec('helm', nfsInstall(extra));
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toBe(
        "Error: INSTALLATION FAILED: values don't meet the specifications of the schema(s) in the following chart(s):\ncsi-driver-nfs:\n- at '': additional properties 'linux' not allowed\n- at '/controller': additional properties 'replica' not allowed\n",
      );
    }
    expect(sb.readHelmState().releases).toEqual({});
    expect(sb.api!.store.get('deployments', 'csi-nfs-controller', 'kube-system')).toBeUndefined();
  });

  it('reports a template error from the real chart (a wrong type)', async () => {
    sb = await perTest.create({ helm: NFS_REPO, api: true });
    const values = join(sb.dir, 'bad.yaml');
    writeFileSync(values, 'storageClasses: not-a-list\n');
    const r = await sb.exec('helm', nfsInstall(['-f', values]));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^Error: INSTALLATION FAILED: csi-driver-nfs\/templates\/storageclass\.yaml:\d+:\d+\n.*range can't iterate over not-a-list/s);
    expect(sb.readHelmState().releases).toEqual({});
  });
});

describe('csi-driver-nfs without the real chart (a clone without ../shared)', () => {
  it('still installs the main objects, from the values', async () => {
    sb = await perTest.create({ helm: { ...NFS_REPO, realHelm: null, chartDirs: {} }, api: true });
    const r = await sb.exec('helm', nfsInstall(['--set', `kubeletDir=${MICROK8S_KUBELET}`, '--set', 'anything.goes=1']));
    expect(r.exitCode).toBe(0);
    const node = sb.api!.store.get('daemonsets', 'csi-nfs-node', 'kube-system');
    expect(node.spec.template.spec.volumes.map((v: any) => v.hostPath.path)).toContain(`${MICROK8S_KUBELET}/pods`);
    expect(sb.api!.store.get('deployments', 'csi-nfs-controller', 'kube-system')).toBeDefined();
    expect(sb.api!.store.get('csidrivers', 'nfs.csi.k8s.io')).toBeDefined();
    expect((await sb.exec('helm', ['uninstall', 'csi-driver-nfs', '-n', 'kube-system'])).exitCode).toBe(0);
    expect(sb.api!.store.get('csidrivers', 'nfs.csi.k8s.io')).toBeUndefined();
  });
});

const longhornSkip = whyNoRealChart('longhorn-1.12.1');
describe.skipIf(longhornSkip)(`longhorn 1.12.1 rendered by the real helm${longhornSkip ? ` (${longhornSkip})` : ''}`, () => {
  it('accepts the values k8s-storage sets and refuses a key from another chart version', async () => {
    sb = await perTest.create({ helm: LONGHORN, api: true });
    const ok = await sb.exec('helm', longhornInstall(['--set', `csi.kubeletRootDir=${MICROK8S_KUBELET},persistence.defaultClassReplicaCount=1`]));
    expect(ok.exitCode).toBe(0);
    const bad = await sb.exec('helm', longhornInstall(['--set', 'defaultSettings.backupTarget=s3://b@r/']));
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain("- at '/defaultSettings': additional properties 'backupTarget' not allowed");
    // The failed upgrade recorded nothing: revision 1 is still the deployed one.
    expect(sb.readHelmState().releases['longhorn-system/longhorn']).toMatchObject({ revision: 1, status: 'deployed' });
  });
});
