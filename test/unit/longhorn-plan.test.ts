import { describe, expect, it } from 'vitest';
import type { HelmRelease, HelmTool } from '../../src/cluster/helm.js';
import { composeLonghornValues, effectiveDefaultClass, effectiveReplicaCount } from '../../src/backends/longhorn/compose.js';
import {
  chartProblems,
  chartSourceOf,
  chartVersionFor,
  compareVersions,
  decideDefaultClass,
  judgeInstallOutcome,
  judgeUninstallOutcome,
  namespaceStuckReasons,
  planLonghornInstall,
  planLonghornUninstall,
  releaseBlocker,
  type LonghornInstallRequest,
  type LonghornUninstallFacts,
} from '../../src/backends/longhorn/plan.js';
import type { Plan, Step } from '../../src/plan/types.js';

const helm3: HelmTool = { file: 'helm', prefix: [], name: 'helm', globalArgs: [], version: 'v3.16.4', major: 3 };
const helm4: HelmTool = { ...helm3, version: 'v4.0.1', major: 4 };
const sc = (name: string, isDefault: boolean, provisioner = 'example.com/x') => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name, annotations: { 'storageclass.kubernetes.io/is-default-class': String(isDefault) } },
  provisioner,
});
const release = (status: string, revision = 1, chartVersion = '1.12.1'): HelmRelease => ({
  name: 'longhorn',
  namespace: 'longhorn-system',
  status,
  revision,
  chartName: 'longhorn',
  chartVersion,
  appVersion: `v${chartVersion}`,
  description: status === 'deployed' ? 'Install complete' : 'Release "longhorn" failed: boom',
});
const titles = (p: Plan) => p.steps.map((s) => s.title);
const runs = (p: Plan) => p.steps.filter((s): s is Extract<Step, { kind: 'run' }> => s.kind === 'run').map((s) => s.command.args.join(' '));

function request(over: Partial<LonghornInstallRequest> = {}, compose: Parameters<typeof composeLonghornValues> = [{ microk8s: true, nodeCount: 3 }]): LonghornInstallRequest {
  return {
    chart: 'longhorn/longhorn',
    chartSource: { kind: 'official' },
    version: '1.12.1',
    valuesFile: '/tmp/x/longhorn-values.yaml',
    userValuesFiles: [],
    sets: [],
    timeout: '10m',
    timeoutMs: 600_000,
    wait: true,
    composed: composeLonghornValues(...compose),
    ...over,
  };
}

describe('decideDefaultClass (no flag: default only when nobody else is)', () => {
  it.each([
    // flag, classes, expected, note
    [undefined, [], true, false],
    [undefined, [sc('microk8s-hostpath', true)], false, true],
    [undefined, [sc('microk8s-hostpath', false)], true, false],
    [undefined, [sc('longhorn', true, 'driver.longhorn.io')], true, false],
    [undefined, [sc('longhorn', false, 'driver.longhorn.io'), sc('nfs', true)], false, true],
    [true, [sc('microk8s-hostpath', true)], true, false],
    [false, [], false, false],
  ] as const)('flag %s with %j -> %s', (flag, classes, expected, note) => {
    const d = decideDefaultClass(flag, classes as never);
    expect(d.defaultClass).toBe(expected);
    expect(d.note !== undefined).toBe(note);
  });
});

describe('planLonghornInstall', () => {
  it('fresh install from the repository: repo add, repo update, helm upgrade --install, waits, class check', () => {
    const { plan, helmCommand, upgrading } = planLonghornInstall({ helm: helm3, classes: [], namespaceExists: false }, request());
    expect(upgrading).toBe(false);
    expect(runs(plan)).toEqual([
      'repo add longhorn https://charts.longhorn.io --force-update',
      'repo update longhorn',
      'upgrade --install longhorn longhorn/longhorn -n longhorn-system --create-namespace --version 1.12.1 -f /tmp/x/longhorn-values.yaml --timeout 10m',
    ]);
    expect(helmCommand.args).not.toContain('--atomic');
    const waits = plan.steps.filter((s) => s.kind === 'wait').map((s) => s.title);
    expect(waits).toEqual([
      'Wait for DaemonSet longhorn-manager',
      'Wait for Deployment longhorn-driver-deployer',
      'Wait for Deployment longhorn-ui',
      'Wait for Deployment csi-attacher (created by longhorn-driver-deployer)',
      'Wait for Deployment csi-provisioner (created by longhorn-driver-deployer)',
      'Wait for Deployment csi-resizer (created by longhorn-driver-deployer)',
      'Wait for Deployment csi-snapshotter (created by longhorn-driver-deployer)',
      'Wait for DaemonSet longhorn-csi-plugin (created by longhorn-driver-deployer)',
      'Wait for StorageClass longhorn to match the values',
    ]);
    const classWait = plan.steps.at(-2) as Extract<Step, { kind: 'wait' }>;
    expect(classWait.until).toMatchObject({ type: 'exists', fields: { provisioner: 'driver.longhorn.io', reclaimPolicy: 'Delete', parameters: { numberOfReplicas: '3' }, metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } } });
    expect(plan.steps.at(-1)).toMatchObject({ kind: 'verify', expect: [{ type: 'default-class', name: 'longhorn', isDefault: true }] });
  });

  it.each([
    [helm3, '--atomic'],
    [helm4, '--rollback-on-failure'],
  ])('rerun on a deployed release (%s): upgrade in place, rolled back on failure with %s', (helm, flag) => {
    const { helmCommand, upgrading, plan } = planLonghornInstall({ helm, classes: [], namespaceExists: true, release: release('deployed', 4) }, request());
    expect(upgrading).toBe(true);
    expect(helmCommand.args.at(-1)).toBe(flag);
    expect(titles(plan)).toContain(`Upgrade Longhorn 1.12.1 in place with helm (rolled back if it fails)`);
  });

  it('no rollback flag with --no-wait (it implies Helm waiting), nor on a failed release', () => {
    expect(planLonghornInstall({ helm: helm3, classes: [], namespaceExists: true, release: release('deployed') }, request({ wait: false })).helmCommand.args).not.toContain('--atomic');
    const failed = planLonghornInstall({ helm: helm3, classes: [], namespaceExists: true, release: release('failed') }, request());
    expect(failed.helmCommand.args).not.toContain('--atomic');
    expect(failed.plan.notes.join(' ')).toMatch(/last Helm operation on longhorn failed/);
  });

  it('--no-wait: no wait steps, a note instead', () => {
    const { plan } = planLonghornInstall({ helm: helm3, classes: [], namespaceExists: false }, request({ wait: false }));
    expect(plan.steps.some((s) => s.kind === 'wait')).toBe(false);
    expect(plan.notes.join(' ')).toMatch(/--no-wait/);
  });

  it.each([
    [{ kind: 'local' } as const, 0, []],
    [{ kind: 'oci' } as const, 0, []],
    [{ kind: 'repo', repo: 'mirror' } as const, 1, ['repo update mirror']],
  ])('chart source %j: %i repo steps', (chartSource, n, expected) => {
    const { plan } = planLonghornInstall({ helm: helm3, classes: [], namespaceExists: false }, request({ chartSource, chart: 'x' }));
    const repo = runs(plan).filter((a) => a.startsWith('repo'));
    expect(repo).toHaveLength(n);
    expect(repo).toEqual(expected);
  });

  it('the user\'s files and --set flags come after ours in the argv', () => {
    const { helmCommand } = planLonghornInstall({ helm: helm3, classes: [], namespaceExists: false }, request({ userValuesFiles: ['a.yaml', 'b.yaml'], sets: ['x=1'] }));
    const args = helmCommand.args;
    expect(args.indexOf('/tmp/x/longhorn-values.yaml')).toBeLessThan(args.indexOf('a.yaml'));
    expect(args.indexOf('a.yaml')).toBeLessThan(args.indexOf('b.yaml'));
    expect(args.indexOf('b.yaml')).toBeLessThan(args.indexOf('--set'));
  });

  it('Longhorn the default while hostpath is one: the others stop being defaults after the class is ready', () => {
    const classes = [sc('microk8s-hostpath', true), sc('nfs', true), sc('slow', false)];
    const { plan } = planLonghornInstall({ helm: helm3, classes, namespaceExists: false }, request({}, [{ microk8s: true, nodeCount: 3, defaultClass: true }]));
    const t = titles(plan);
    expect(t).toEqual(expect.arrayContaining(['Stop StorageClass microk8s-hostpath being a default', 'Stop StorageClass nfs being a default']));
    expect(t.some((x) => /slow/.test(x))).toBe(false);
    expect(t.indexOf('Stop StorageClass nfs being a default')).toBeGreaterThan(t.indexOf('Wait for StorageClass longhorn to match the values'));
    expect(plan.steps.at(-1)).toMatchObject({
      kind: 'verify',
      expect: [
        { type: 'default-class', name: 'microk8s-hostpath', isDefault: false },
        { type: 'default-class', name: 'nfs', isDefault: false },
        { type: 'default-class', name: 'longhorn', isDefault: true },
      ],
    });
  });

  it('the user\'s own values decide the default flag: --set persistence.defaultClass=true takes it from the others', () => {
    const composed = composeLonghornValues({ microk8s: true, nodeCount: 3, defaultClass: false }, [], ['persistence.defaultClass=true']);
    expect(effectiveDefaultClass(composed.merged)).toBe(true);
    const { plan } = planLonghornInstall({ helm: helm3, classes: [sc('microk8s-hostpath', true)], namespaceExists: false }, request({ composed }));
    expect(titles(plan)).toContain('Stop StorageClass microk8s-hostpath being a default');
  });

  it('not the default: no other class is touched', () => {
    const { plan } = planLonghornInstall({ helm: helm3, classes: [sc('microk8s-hostpath', true)], namespaceExists: false }, request({}, [{ microk8s: true, nodeCount: 3, defaultClass: false }]));
    expect(plan.steps.some((s) => s.kind === 'patch')).toBe(false);
    expect(plan.steps.at(-1)).toMatchObject({ expect: [{ type: 'default-class', name: 'longhorn', isDefault: false }] });
  });

  it('the UI login Secret is applied before any Helm command, with the namespace when missing', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'longhorn-ui-auth', namespace: 'longhorn-system' } };
    const { plan } = planLonghornInstall({ helm: helm3, classes: [], namespaceExists: false }, request({ uiAuth: { secret } }));
    expect(plan.steps[0]).toMatchObject({ kind: 'apply', objects: [{ kind: 'Namespace', metadata: { name: 'longhorn-system' } }, { kind: 'Secret' }] });
    const withNs = planLonghornInstall({ helm: helm3, classes: [], namespaceExists: true }, request({ uiAuth: { secret } }));
    expect((withNs.plan.steps[0] as Extract<Step, { kind: 'apply' }>).objects.map((o) => o.kind)).toEqual(['Secret']);
    const kept = planLonghornInstall({ helm: helm3, classes: [], namespaceExists: true }, request({ uiAuth: { note: 'Keeping it.' } }));
    expect(kept.plan.steps[0]!.kind).toBe('run');
    expect(kept.plan.notes).toContain('Keeping it.');
  });

  it.each(['pending-install', 'pending-upgrade', 'uninstalling'])('a release in %s is refused', (status) => {
    expect(() => planLonghornInstall({ helm: helm3, classes: [], namespaceExists: true, release: release(status) }, request())).toThrow(/stuck|being uninstalled/);
  });
});

describe('releaseBlocker', () => {
  it.each([
    ['pending-install', /k8s-storage uninstall longhorn --yes \(or microk8s helm3 uninstall longhorn -n longhorn-system\)/],
    ['pending-upgrade', /microk8s helm3 rollback longhorn -n longhorn-system/],
    ['pending-rollback', /microk8s helm3 rollback longhorn -n longhorn-system/],
  ])('%s -> hint %s', (status, hint) => {
    expect(releaseBlocker(release(status), 'microk8s helm3')?.hint).toMatch(hint);
  });
  it.each([['deployed'], ['failed'], ['superseded']])('%s is not a blocker', (status) => {
    expect(releaseBlocker(release(status), 'helm')).toBeUndefined();
  });
  it('no release is not a blocker', () => expect(releaseBlocker(undefined, 'helm')).toBeUndefined());
});

describe('chart source and version', () => {
  it.each([
    [undefined, false, { kind: 'official' }],
    ['longhorn/longhorn', false, { kind: 'official' }],
    ['./longhorn', true, { kind: 'local' }],
    ['/srv/charts/longhorn-1.12.1.tgz', true, { kind: 'local' }],
    ['oci://registry.example.com/charts/longhorn', false, { kind: 'oci' }],
    ['mirror/longhorn', false, { kind: 'repo', repo: 'mirror' }],
  ] as const)('--chart %s (exists: %s) -> %j', (chart, local, expected) => {
    expect(chartSourceOf(chart, local)).toEqual(expected);
  });

  it.each([
    ['./missing', ['--chart: ./missing does not exist']],
    ['missing.tgz', ['--chart: missing.tgz does not exist']],
    ['longhorn', ['--chart: "longhorn" is not a local chart directory or .tgz, an oci:// reference, or REPO/CHART']],
    ['mirror/longhorn', []],
  ])('chartProblems(%s)', (chart, problems) => {
    expect(chartProblems(chart, false)).toEqual(problems);
  });

  it.each([
    [undefined, { kind: 'official' }, undefined, '1.12.1'],
    [undefined, { kind: 'official' }, release('deployed', 2, '1.13.0'), '1.13.0'],
    ['1.12.0', { kind: 'official' }, undefined, '1.12.0'],
    ['v1.13.0', { kind: 'official' }, release('deployed', 2, '1.12.1'), '1.13.0'],
    [undefined, { kind: 'local' }, undefined, undefined],
    [undefined, { kind: 'oci' }, release('deployed'), undefined],
  ] as const)('requested %s, source %j, installed %j -> %s', (requested, source, rel, expected) => {
    expect(chartVersionFor(requested, source as never, rel)).toBe(expected);
  });

  it('refuses a downgrade', () => {
    expect(() => chartVersionFor('1.11.2', { kind: 'official' }, release('deployed', 2, '1.12.1'))).toThrow(/Longhorn does not support downgrades/);
  });

  it.each([
    ['1.12.1', '1.12.1', 0],
    ['1.12.0', '1.12.1', -1],
    ['1.10.3', '1.9.2', 1],
    ['v2.0.0', '1.99.99', 1],
  ])('compareVersions(%s, %s) has the sign of %i', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });
});

describe('judgeInstallOutcome (the recorded release decides, not the exit code)', () => {
  const ok = { exitCode: 0, stdout: 'STATUS: deployed', stderr: '' };
  it.each([
    ['fresh install deployed', ok, undefined, release('deployed', 1), true],
    ['upgrade deployed', ok, release('deployed', 1), release('deployed', 2), true],
    ['exit 0 but failed', ok, undefined, release('failed', 1), /marked the release longhorn failed \(revision 1: .*\), although it exited 0/],
    ['exit 1 and failed', { exitCode: 1, stdout: '', stderr: 'Error: INSTALLATION FAILED: boom' }, undefined, release('failed', 1), /failed.*Helm said: Error: INSTALLATION FAILED: boom/],
    ['left pending', { exitCode: 1, stdout: '', stderr: 'Error: context canceled' }, undefined, release('pending-install', 1), /left the release longhorn pending-install/],
    ['rolled back', { exitCode: 1, stdout: '', stderr: 'Error: UPGRADE FAILED: release longhorn failed, and has been rolled back due to atomic being set: x' }, release('deployed', 1), { ...release('deployed', 3), description: 'Rollback to 1' }, /rolled back to the previous version/],
    ['removed by --atomic', { exitCode: 1, stdout: '', stderr: 'Error: INSTALLATION FAILED: release longhorn failed, and has been uninstalled due to atomic being set' }, undefined, undefined, /Helm removed the release/],
    ['exit 0, no release', ok, undefined, undefined, /there is no release longhorn in longhorn-system afterwards/],
    ['exit 0, revision unchanged', ok, release('deployed', 2), release('deployed', 2), /still at revision 2/],
  ] as const)('%s', (_what, r, before, after, expected) => {
    const verdict = judgeInstallOutcome(r, before, after, { helmName: 'helm' });
    if (expected === true) expect(verdict).toBe(true);
    else expect((verdict as Error).message).toMatch(expected);
  });

  it('a different chart version than asked is a failure', () => {
    const verdict = judgeInstallOutcome(ok, undefined, release('deployed', 1, '1.11.2'), { version: '1.12.1', helmName: 'helm' });
    expect((verdict as Error).message).toMatch(/deployed chart version 1.11.2, not the 1.12.1 asked for/);
  });
});

describe('planLonghornUninstall', () => {
  const facts = (over: Partial<LonghornUninstallFacts> = {}): LonghornUninstallFacts => ({
    helm: helm3,
    release: release('deployed'),
    namespace: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'longhorn-system' }, status: { phase: 'Active' } },
    managerExists: true,
    confirmationFlag: 'false',
    volumes: [],
    claims: [],
    longhornIsDefault: false,
    ...over,
  });
  const opts = { force: false, timeout: '10m', timeoutMs: 600_000 };

  it('the order Longhorn needs: flag, check, helm uninstall, workloads gone, namespace; never the CRDs', () => {
    const plan = planLonghornUninstall(facts(), opts);
    expect(plan.steps.map((s) => s.kind)).toEqual(['patch', 'verify', 'run', 'wait', 'delete', 'wait']);
    expect(plan.steps[0]).toMatchObject({ ref: { apiVersion: 'longhorn.io/v1beta2', kind: 'Setting', name: 'deleting-confirmation-flag', namespace: 'longhorn-system' }, patch: { value: 'true' } });
    expect(runs(plan)).toEqual(['uninstall longhorn -n longhorn-system --timeout 10m']);
    expect(JSON.stringify(plan)).not.toMatch(/CustomResourceDefinition/);
  });

  it('the flag already "true": no patch, still checked', () => {
    const plan = planLonghornUninstall(facts({ confirmationFlag: 'true' }), opts);
    expect(plan.steps.map((s) => s.kind)).toEqual(['verify', 'run', 'wait', 'delete', 'wait']);
  });

  it('no Setting at all (the manager never ran): helm uninstall --no-hooks', () => {
    const { confirmationFlag: _, ...rest } = facts();
    const plan = planLonghornUninstall(rest, opts);
    expect(runs(plan)).toEqual(['uninstall longhorn --no-hooks -n longhorn-system --timeout 10m']);
    expect(plan.notes.join(' ')).toMatch(/manager never started/);
  });

  it('refuses while volumes or claims exist, naming them; --force proceeds', () => {
    const f = facts({ volumes: ['pvc-1', 'pvc-2'], claims: ['shop/db'] });
    expect(() => planLonghornUninstall(f, opts)).toThrow(/holds data: 2 Longhorn volumes \(pvc-1, pvc-2\) and 1 claim of Longhorn classes \(shop\/db\)/);
    expect(planLonghornUninstall(f, { ...opts, force: true }).steps.length).toBeGreaterThan(0);
  });

  it('nothing installed: no steps, a note', () => {
    const { release: _r, namespace: _n, ...rest } = facts({ managerExists: false });
    const plan = planLonghornUninstall(rest, opts);
    expect(plan.steps).toEqual([]);
    expect(plan.notes[0]).toMatch(/Longhorn is not installed/);
  });

  it('a leftover namespace without a release: only the namespace goes', () => {
    const { release: _r, ...rest } = facts({ managerExists: false });
    const plan = planLonghornUninstall(rest, opts);
    expect(plan.steps.map((s) => s.kind)).toEqual(['delete', 'wait']);
  });

  it('a namespace already Terminating is waited for, not deleted again', () => {
    const { release: _r, ...rest } = facts({ managerExists: false, namespace: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'longhorn-system' }, status: { phase: 'Terminating' } } });
    expect(planLonghornUninstall(rest, opts).steps.map((s) => s.kind)).toEqual(['wait']);
  });

  it('Longhorn running without a Helm release is refused (installed some other way)', () => {
    const { release: _r, ...rest } = facts();
    expect(() => planLonghornUninstall(rest, opts)).toThrow(/not from a Helm release named longhorn/);
  });

  it('says when the default class goes away', () => {
    expect(planLonghornUninstall(facts({ longhornIsDefault: true }), opts).notes.join(' ')).toMatch(/no class is the default/);
  });
});

describe('judgeUninstallOutcome and namespaceStuckReasons', () => {
  it('release gone is success whatever the exit code', () => {
    expect(judgeUninstallOutcome({ exitCode: 1, stdout: '', stderr: 'Error: timed out' }, undefined, 'helm')).toBe(true);
  });
  it('the hook failing is explained with the flag to check', () => {
    const v = judgeUninstallOutcome({ exitCode: 1, stdout: '', stderr: 'Error: warning: Hook pre-delete longhorn/templates/uninstall-job.yaml failed' }, release('deployed'), 'helm');
    expect((v as { hint: string }).hint).toMatch(/deleting-confirmation-flag/);
  });
  it('exit 0 with the release still there is a failure', () => {
    expect(judgeUninstallOutcome({ exitCode: 0, stdout: '', stderr: '' }, release('uninstalling'), 'helm')).not.toBe(true);
  });
  it('reads the namespace conditions that hold it', () => {
    expect(namespaceStuckReasons({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' }, status: { conditions: [{ type: 'NamespaceFinalizersRemaining', status: 'True', message: 'held by a' }, { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', message: 'ok' }] } } as never)).toEqual(['NamespaceFinalizersRemaining: held by a']);
  });
});

describe('composeLonghornValues', () => {
  it('ours first, the files over them, --set last', () => {
    const c = composeLonghornValues({ microk8s: true, nodeCount: 3 }, [{ source: 'a', values: { persistence: { defaultClassReplicaCount: 2, reclaimPolicy: 'Retain' } } }], ['persistence.defaultClassReplicaCount=1']);
    expect(c.ours.persistence.defaultClassReplicaCount).toBe(3);
    expect(c.merged).toMatchObject({ persistence: { defaultClassReplicaCount: 1, reclaimPolicy: 'Retain', defaultFsType: 'ext4' }, csi: { kubeletRootDir: '/var/snap/microk8s/common/var/lib/kubelet' } });
    expect(effectiveReplicaCount(c.merged)).toBe(1);
  });

  it.each([
    [['csi.kubeletRootDir=/var/lib/kubelet'], /csi.kubeletRootDir to "\/var\/lib\/kubelet", but on MicroK8s it must be/],
    [['csi.kubeletRootDir=null'], /csi.kubeletRootDir to nothing \(auto-detection\)/],
    [['persistence.defaultClassReplicaCount=5'], /defaultClassReplicaCount to 5 on a cluster of 3 nodes/],
    [['service.ui.type=LoadBalancer'], /expose the Longhorn UI as a LoadBalancer Service/],
    [['ingress.enabled=true'], /Ingress without a login/],
  ])('warns about %j', (sets, warning) => {
    const c = composeLonghornValues({ microk8s: true, nodeCount: 3 }, [], sets);
    expect(c.warnings.join('\n')).toMatch(warning);
  });

  it('no override, no warning; the kubelet warning is MicroK8s only', () => {
    expect(composeLonghornValues({ microk8s: true, nodeCount: 3 }).warnings).toEqual([]);
    expect(composeLonghornValues({ microk8s: false, nodeCount: 3 }, [], ['csi.kubeletRootDir=/x']).warnings).toEqual([]);
  });

  it('gathers option and --set problems into one error', () => {
    expect(() => composeLonghornValues({ microk8s: true, replicas: 0, ui: 'web' as never }, [], ['a[b]=1'])).toThrow(/3 problems/);
  });

  it.each([
    [true, true],
    [false, false],
    ['false', false],
    [null, true],
  ])('persistence.defaultClass %j means default %s', (v, expected) => {
    expect(effectiveDefaultClass({ persistence: { defaultClass: v } })).toBe(expected);
  });
});
