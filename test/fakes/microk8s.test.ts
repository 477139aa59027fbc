// The fake `microk8s`, run as a process with argument arrays, against the facts in
// /work/shared/reference/microk8s.md.
import { describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import YAML from 'yaml';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

const PERMISSION_TEXT = [
  'Insufficient permissions to access MicroK8s.',
  "You can either try again with sudo or add the user ubuntu to the 'microk8s' group:",
  '',
  '    sudo usermod -a -G microk8s ubuntu',
  '    sudo chown -R $USER ~/.kube',
  '',
  "After this, reload the user groups either via a reboot or by running 'newgrp microk8s'.",
  '',
].join('\n');

describe('microk8s status', () => {
  it('prints the pretty form by default, with helm and helm3 always enabled', async () => {
    sb = await perTest.create({ microk8s: true });
    const r = await sb.exec('microk8s', ['status']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual(['microk8s is running', 'high-availability: no', '  datastore master nodes: 127.0.0.1:19001', '  datastore standby nodes: none']);
    expect(r.stdout).toContain('  enabled:\n    dns                  # (core) CoreDNS\n');
    expect(r.stdout).toContain('    helm3                # (core) Helm 3 - the package manager for Kubernetes\n');
    expect(r.stdout).toContain('    hostpath-storage     # (core) Storage class; allocates storage from host directory\n');
    expect(r.stdout.indexOf('hostpath-storage')).toBeGreaterThan(r.stdout.indexOf('  disabled:'));
  });

  it('prints YAML with Python booleans and number-like or empty versions', async () => {
    sb = await perTest.create({ microk8s: { addons: { 'hostpath-storage': { status: 'enabled' } } } });
    const r = await sb.exec('microk8s', ['status', '--format', 'yaml']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.startsWith('microk8s:\n  running: True\nhigh-availability:\n  enabled: False\n  nodes:\n    - address: 127.0.0.1:19001\n      role: voter\naddons:\n')).toBe(true);
    expect(r.stdout).toContain('  - name: hostpath-storage\n    repository: core\n    description: Storage class; allocates storage from host directory\n    version: 1.5.0\n    status: enabled\n');
    const doc = YAML.parse(r.stdout);
    expect(doc.microk8s.running).toBe(true);
    const byName = Object.fromEntries(doc.addons.map((a: any) => [a.name, a]));
    // The parser traps: '1.8' arrives as a number, an empty version as null.
    expect(byName['cert-manager'].version).toBe(1.8);
    expect(byName.rbac.version).toBeNull();
  });

  it('prints the short form and answers -a/--addon, with storage mirroring hostpath-storage', async () => {
    sb = await perTest.create({ microk8s: { addons: { 'hostpath-storage': { status: 'enabled' } } } });
    const short = await sb.exec('microk8s', ['status', '--format', 'short']);
    expect(short.stdout).toContain('microk8s is running\naddons:\ncore/dns: enabled\n');
    expect(short.stdout).toContain('core/storage: enabled\n');
    expect((await sb.exec('microk8s', ['status', '-a', 'storage'])).stdout).toBe('enabled\n');
    expect((await sb.exec('microk8s', ['status', '--addon', 'rook-ceph'])).stdout).toBe('disabled\n');
    // Unknown names are just "disabled", as in the real script.
    expect((await sb.exec('microk8s', ['status', '-a', 'no-such-addon'])).stdout).toBe('disabled\n');
  });

  it('exits 0 when stopped on purpose, but 1 when not ready', async () => {
    sb = await perTest.create({ microk8s: { running: 'stopped' } });
    const stopped = await sb.exec('microk8s', ['status']);
    expect(stopped).toMatchObject({ exitCode: 0, stdout: 'microk8s is not running, try microk8s start\n', stderr: '' });

    sb.writeMicrok8sState({ running: 'not-ready' });
    const pretty = await sb.exec('microk8s', ['status']);
    expect(pretty).toMatchObject({ exitCode: 1, stdout: 'microk8s is not running. Use microk8s inspect for a deeper inspection.\n' });
    const yaml = await sb.exec('microk8s', ['status', '--format', 'yaml']);
    expect(yaml.exitCode).toBe(1);
    expect(yaml.stdout).toBe('microk8s:\n  running: False\nhigh-availability:\n  enabled: False\n  message: microk8s is not running. Use microk8s inspect for a deeper inspection.\n');
    expect(YAML.parse(yaml.stdout).addons).toBeUndefined();
  });

  it('waits with --wait-ready and can become ready', async () => {
    sb = await perTest.create({ microk8s: { running: 'not-ready', quirks: { waitReadyMs: 50, waitReadyBecomesReady: true } } });
    const r = await sb.exec('microk8s', ['status', '--wait-ready', '--timeout', '5']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('microk8s is running');
    expect(sb.readMicrok8sState().running).toBe(true);
  });

  it('prints the worker notice and exits 0', async () => {
    sb = await perTest.create({ microk8s: { worker: true } });
    const r = await sb.exec('microk8s', ['status']);
    expect(r).toMatchObject({ exitCode: 0, stdout: 'This MicroK8s deployment is acting as a node in a cluster.\nPlease use the control plane node.\n' });
  });

  it('rejects an unknown format the way argparse does', async () => {
    sb = await perTest.create({ microk8s: true });
    const r = await sb.exec('microk8s', ['status', '--format', 'json']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("microk8s status: error: argument --format: invalid choice: 'json' (choose from 'pretty', 'yaml', 'short')");
  });
});

describe('microk8s permissions', () => {
  it('prints the group fix on stderr and exits 1 when the user is not in the microk8s group', async () => {
    sb = await perTest.create({ microk8s: { permission: 'not-in-group' } });
    for (const args of [['status'], ['enable', 'hostpath-storage'], ['config']]) {
      const r = await sb.exec('microk8s', args);
      expect(r).toMatchObject({ exitCode: 1, stdout: '', stderr: PERMISSION_TEXT });
    }
  });

  it('asks for sudo under strict confinement', async () => {
    sb = await perTest.create({ microk8s: { permission: 'needs-sudo' } });
    const r = await sb.exec('microk8s', ['status']);
    expect(r).toMatchObject({ exitCode: 1, stdout: 'Elevated permissions are needed for this command. Please use sudo.\n' });
  });
});

describe('microk8s enable / disable', () => {
  it('enables hostpath-storage: repository inference on stderr, the real output on stdout, real objects in the API', async () => {
    sb = await perTest.create({ microk8s: true, api: true });
    const r = await sb.exec('microk8s', ['enable', 'hostpath-storage', '--reclaim-policy', 'Retain', '--default-class', 'false']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('Infer repository core for addon hostpath-storage\n');
    expect(r.stdout).toBe(
      [
        'Enabling default storage class.',
        'WARNING: Hostpath storage is not suitable for production environments.',
        '         A hostpath volume can grow beyond the size limit set in the volume claim manifest.',
        '',
        'deployment.apps/hostpath-provisioner created',
        'storageclass.storage.k8s.io/microk8s-hostpath created',
        'serviceaccount/microk8s-hostpath created',
        'clusterrole.rbac.authorization.k8s.io/microk8s-hostpath created',
        'clusterrolebinding.rbac.authorization.k8s.io/microk8s-hostpath created',
        'Storage will be available soon.',
        '',
      ].join('\n'),
    );
    const api = sb.api!;
    const sc = api.store.get('storageclasses', 'microk8s-hostpath');
    expect(sc).toMatchObject({ provisioner: 'microk8s.io/hostpath', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' });
    expect(sc.metadata.annotations['storageclass.kubernetes.io/is-default-class']).toBe('false');
    expect(sc.allowVolumeExpansion).toBeUndefined();
    expect(sc.metadata.managedFields[0].manager).toBe('kubectl-client-side-apply');
    const dep = api.store.get('deployments', 'hostpath-provisioner', 'kube-system');
    expect(dep.metadata.labels).toEqual({ 'k8s-app': 'hostpath-provisioner' });
    expect(api.store.get('serviceaccounts', 'microk8s-hostpath', 'kube-system')).toBeDefined();
    expect(api.store.get('clusterroles', 'microk8s-hostpath')).toBeDefined();
    expect(api.store.get('clusterrolebindings', 'microk8s-hostpath')).toBeDefined();
    expect((await sb.exec('microk8s', ['status', '-a', 'hostpath-storage'])).stdout).toBe('enabled\n');

    const again = await sb.exec('microk8s', ['enable', 'hostpath-storage']);
    expect(again).toMatchObject({ exitCode: 0, stdout: 'Addon core/hostpath-storage is already enabled\n' });
  });

  it('defaults to the default class with reclaim policy Delete', async () => {
    sb = await perTest.create({ microk8s: true, api: true });
    await sb.exec('microk8s', ['enable', 'hostpath-storage']);
    const sc = sb.api!.store.get('storageclasses', 'microk8s-hostpath');
    expect(sc.metadata.annotations['storageclass.kubernetes.io/is-default-class']).toBe('true');
    expect(sc.reclaimPolicy).toBe('Delete');
  });

  it('treats `storage` as an alias that drops its arguments', async () => {
    sb = await perTest.create({ microk8s: true, api: true });
    const r = await sb.exec('microk8s', ['enable', 'storage', '--reclaim-policy', 'Retain']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('Infer repository core for addon storage');
    expect(sb.api!.store.get('storageclasses', 'microk8s-hostpath').reclaimPolicy).toBe('Delete');
    expect((await sb.exec('microk8s', ['status', '-a', 'hostpath-storage'])).stdout).toBe('enabled\n');
  });

  it('reports unknown addons, and points to the community repository for community addons', async () => {
    sb = await perTest.create({ microk8s: true });
    const unknown = await sb.exec('microk8s', ['enable', 'foo']);
    expect(unknown).toMatchObject({ exitCode: 1, stdout: '', stderr: 'Addon foo was not found in any repository\n' });
    const nfs = await sb.exec('microk8s', ['enable', 'nfs']);
    expect(nfs.exitCode).toBe(1);
    expect(nfs.stderr).toBe('Addon nfs was not found in any repository\n');
    expect(nfs.stdout).toBe('To use the community maintained flavor enable the respective repository:\n\n    microk8s enable community\n\n');
    const community = await sb.exec('microk8s', ['enable', 'community']);
    expect(community.stdout).toContain('Community repository is now enabled');
    const nfs2 = await sb.exec('microk8s', ['enable', 'nfs']);
    expect(nfs2.exitCode).toBe(0);
    expect(nfs2.stderr).toBe('Infer repository community for addon nfs\n');
  });

  it('community nfs: -n NODE pins the server, makes the chart objects, the PV and class nfs; disable refuses while nfs PVs exist', async () => {
    sb = await perTest.create({ microk8s: { addons: { community: { status: 'enabled' } } }, api: true });
    const api = sb.api!;
    const r = await sb.exec('microk8s', ['enable', 'nfs', '-n', 'node-2']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Installing NFS Server Provisioner - Helm Chart 1.8.0\n\nNFS Server Provisioner will be deployed on Node: node-2\n');
    expect(r.stdout).toContain('WARNING: Install "nfs-common" package on all MicroK8S nodes');
    const sts = api.store.get('statefulsets', 'nfs-server-provisioner', 'nfs-server-provisioner');
    expect(sts.spec.template.spec.nodeSelector).toEqual({ 'kubernetes.io/hostname': 'node-2' });
    expect(api.store.get('persistentvolumes', 'data-nfs-server-provisioner-0').spec.hostPath.path).toBe('/var/snap/microk8s/common/nfs-storage');
    expect(api.store.get('storageclasses', 'nfs')).toMatchObject({ provisioner: 'cluster.local/nfs-server-provisioner', mountOptions: ['vers=3'], reclaimPolicy: 'Delete' });
    expect((await sb.exec('microk8s', ['status', '-a', 'nfs'])).stdout).toBe('enabled\n');

    // The disable script's test is a substring match: a PV of class nfs-media blocks it too.
    api.store.put({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pvc-1' }, spec: { storageClassName: 'nfs-media', claimRef: { name: 'media', namespace: 'web' } } });
    const refused = await sb.exec('microk8s', ['disable', 'nfs']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toContain('pv=pvc-1 uses storageClassName=nfs-media => Claimed by: pvc=media in namespace=web\n\nPlease delete all PVs and PVCs using Storage Class "nfs" prior disabling the Addon.\n');
    expect(api.store.get('storageclasses', 'nfs')).toBeDefined();
    api.store.delete('persistentvolumes', 'pvc-1');
    const off = await sb.exec('microk8s', ['disable', 'nfs']);
    expect(off.exitCode).toBe(0);
    expect(off.stdout).toContain('NFS Server Provisioner is disabled');
    expect(api.store.get('storageclasses', 'nfs')).toBeUndefined();
    expect(api.store.get('persistentvolumes', 'data-nfs-server-provisioner-0')).toBeUndefined();
    expect((await sb.exec('microk8s', ['status', '-a', 'nfs'])).stdout).toBe('disabled\n');
  });

  it.each([[['--node', 'node-2']], [['-x']], [['-n']]])('community nfs: a bad flag (%j) prints the usage and exits 0, enabling nothing', async (flags) => {
    sb = await perTest.create({ microk8s: { addons: { community: { status: 'enabled' } } }, api: true });
    const r = await sb.exec('microk8s', ['enable', 'nfs', ...flags]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Usage: microk8s enable nfs\n/);
    expect(sb.api!.store.get('storageclasses', 'nfs')).toBeUndefined();
    expect((await sb.exec('microk8s', ['status', '-a', 'nfs'])).stdout).toBe('disabled\n');
  });

  it('refuses mixed argument styles', async () => {
    sb = await perTest.create({ microk8s: true });
    const r = await sb.exec('microk8s', ['enable', 'hostpath-storage:foo', '--reclaim-policy', 'Retain']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain("Can't pass string arguments and flag arguments simultaneously!");
  });

  it('can exit 0 without enabling anything (quirk), or fail with a given code', async () => {
    sb = await perTest.create({ microk8s: { quirks: { enableExitsZeroButFails: ['hostpath-storage'], enableFails: { 'rook-ceph': 3 } } }, api: true });
    const r = await sb.exec('microk8s', ['enable', 'hostpath-storage']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Storage will be available soon.');
    expect(sb.api!.store.get('storageclasses', 'microk8s-hostpath')).toBeUndefined();
    expect((await sb.exec('microk8s', ['status', '-a', 'hostpath-storage'])).stdout).toBe('disabled\n');
    const failed = await sb.exec('microk8s', ['enable', 'rook-ceph']);
    expect(failed.exitCode).toBe(3);
  });

  it('openebs "succeeds" without installing when iscsid is off', async () => {
    sb = await perTest.create({ microk8s: { addons: { community: { status: 'enabled' } } } });
    const r = await sb.exec('microk8s', ['enable', 'openebs']);
    expect(r.exitCode).toBe(0);
    expect((await sb.exec('microk8s', ['status', '-a', 'openebs'])).stdout).toBe('disabled\n');
  });

  it('fails enable when the cluster is stopped (stderr, exit 1)', async () => {
    sb = await perTest.create({ microk8s: { running: 'stopped' } });
    const r = await sb.exec('microk8s', ['enable', 'hostpath-storage']);
    expect(r).toMatchObject({ exitCode: 1, stdout: '', stderr: 'microk8s is not running, try microk8s start\n' });
  });
});

describe('microk8s disable hostpath-storage', () => {
  const enabled = { addons: { 'hostpath-storage': { status: 'enabled' } } };

  it('without a TTY: no prompt, reads stdin anyway; EOF exits 1 although the manifests are gone', async () => {
    sb = await perTest.create({ microk8s: true, api: true });
    await sb.exec('microk8s', ['enable', 'hostpath-storage']);
    const r = await sb.exec('microk8s', ['disable', 'hostpath-storage'], { input: '' });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe(
      'Disabling hostpath storage.\ndeployment.apps "hostpath-provisioner" deleted\nstorageclass.storage.k8s.io "microk8s-hostpath" deleted\nserviceaccount "microk8s-hostpath" deleted\nclusterrole.rbac.authorization.k8s.io "microk8s-hostpath" deleted\nclusterrolebinding.rbac.authorization.k8s.io "microk8s-hostpath" deleted\nStorage removed.\n',
    );
    expect(r.stderr).toBe('Infer repository core for addon hostpath-storage\n');
    expect(sb.api!.store.get('storageclasses', 'microk8s-hostpath')).toBeUndefined();
    expect(sb.api!.store.get('deployments', 'hostpath-provisioner', 'kube-system')).toBeUndefined();
    const state = sb.readMicrok8sState();
    expect(state.addons['hostpath-storage']!.status).toBe('disabled');
    expect(state.hostpathDataRemoved).toBe(false);
    expect(state.calls.at(-1)).toMatchObject({ argv: ['disable', 'hostpath-storage'], stdinIsTTY: false });
  });

  it('without a TTY, a piped "y" line confirms; "y" without a newline does not (bash read)', async () => {
    sb = await perTest.create({ microk8s: enabled });
    const yes = await sb.exec('microk8s', ['disable', 'hostpath-storage'], { input: 'y\n' });
    expect(yes.exitCode).toBe(0);
    expect(yes.stdout.endsWith('Storage removed.\nStorage space reclaimed.\n')).toBe(true);
    expect(yes.stderr).not.toContain('Remove PVC storage');
    expect(sb.readMicrok8sState().hostpathDataRemoved).toBe(true);

    sb.writeMicrok8sState({ addons: { 'hostpath-storage': { status: 'enabled' } }, hostpathDataRemoved: false });
    const partial = await sb.exec('microk8s', ['disable', 'hostpath-storage'], { input: 'y' });
    expect(partial.exitCode).toBe(1);
    expect(sb.readMicrok8sState().hostpathDataRemoved).toBe(false);
  });

  it('on a real TTY (via script(1)) shows the prompt and honours the answer', async () => {
    sb = await perTest.create({ microk8s: enabled });
    const no = await sb.exec('script', ['-qec', 'microk8s disable hostpath-storage', '/dev/null'], { input: 'n\n' });
    expect(no.stdout).toContain('Remove PVC storage at /var/snap/microk8s/common/default-storage ? (Y/N): ');
    expect(sb.readMicrok8sState().calls.at(-1)?.stdinIsTTY).toBe(true);
    expect(sb.readMicrok8sState().hostpathDataRemoved).toBe(false);
    expect(no.exitCode).toBe(1);

    sb.writeMicrok8sState({ addons: { 'hostpath-storage': { status: 'enabled' } } });
    const yes = await sb.exec('script', ['-qec', 'microk8s disable hostpath-storage', '/dev/null'], { input: 'yes\n' });
    expect(yes.exitCode).toBe(0);
    expect(yes.stdout).toContain('Storage space reclaimed.');
    expect(sb.readMicrok8sState().hostpathDataRemoved).toBe(true);
  });

  it('with :destroy-storage deletes the data without asking', async () => {
    sb = await perTest.create({ microk8s: enabled });
    const r = await sb.exec('microk8s', ['disable', 'hostpath-storage:destroy-storage']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.endsWith('Storage removed.\nStorage space reclaimed.\n')).toBe(true);
    expect(sb.readMicrok8sState().hostpathDataRemoved).toBe(true);
  });

  it('says already disabled and exits 0', async () => {
    sb = await perTest.create({ microk8s: true });
    const r = await sb.exec('microk8s', ['disable', 'hostpath-storage']);
    expect(r).toMatchObject({ exitCode: 0, stdout: 'Addon core/hostpath-storage is already disabled\n' });
  });
});

describe('microk8s config, helm3, kubectl and the call log', () => {
  it('prints a kubeconfig that client-node can use against the fake API server', async () => {
    sb = await perTest.create({ microk8s: true, api: true, kubeconfig: false });
    const r = await sb.exec('microk8s', ['config']);
    expect(r.exitCode).toBe(0);
    const doc = YAML.parse(r.stdout);
    expect(doc['current-context']).toBe('microk8s');
    expect(doc.clusters[0]).toMatchObject({ name: 'microk8s-cluster', cluster: { server: sb.api!.url } });
    const kc = new k8s.KubeConfig();
    kc.loadFromString(r.stdout);
    const ns = await kc.makeApiClient(k8s.CoreV1Api).listNamespace();
    expect(ns.items.map((n) => n.metadata?.name)).toContain('kube-system');
  });

  it('prints the snap-style kubeconfig without an API server; -l keeps 127.0.0.1', async () => {
    sb = await perTest.create({ microk8s: true });
    expect(YAML.parse((await sb.exec('microk8s', ['config'])).stdout).clusters[0].cluster.server).toBe('https://10.0.0.10:16443');
    expect(YAML.parse((await sb.exec('microk8s', ['config', '-l'])).stdout).clusters[0].cluster.server).toBe('https://127.0.0.1:16443');
  });

  it('runs the bundled Helm 3 for `microk8s helm3`, whatever the standalone helm is', async () => {
    sb = await perTest.create({ microk8s: true, helm: { version: 'v4.0.1' } });
    const r = await sb.exec('microk8s', ['helm3', 'version', '--short']);
    expect(r).toMatchObject({ exitCode: 0, stdout: 'v3.16.4+g7877b45\n' });
    expect((await sb.exec('helm', ['version', '--short'])).stdout).toMatch(/^v4\.0\.1\+g/);
    expect(sb.readHelmState().calls[0]!.argv).toEqual(['--kubeconfig=/var/snap/microk8s/current/credentials/client.config', 'version', '--short']);
  });

  it('does not fake kubectl', async () => {
    sb = await perTest.create({ microk8s: true });
    const r = await sb.exec('microk8s', ['kubectl', 'get', 'pods']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('not supported');
  });

  it('records every call with its argv and whether stdin was a TTY', async () => {
    sb = await perTest.create({ microk8s: true });
    await sb.exec('microk8s', ['status', '--format', 'yaml']);
    await sb.exec('microk8s', ['enable', 'hostpath-storage', '--reclaim-policy', 'Retain']);
    const calls = sb.readMicrok8sState().calls;
    expect(calls.map((c) => c.argv)).toEqual([
      ['status', '--format', 'yaml'],
      ['enable', 'hostpath-storage', '--reclaim-policy', 'Retain'],
    ]);
    expect(calls.every((c) => c.stdinIsTTY === false)).toBe(true);
  });
});
