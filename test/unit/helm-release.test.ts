/** The generic Helm release step, for a chart that is not Longhorn's (csi-driver-nfs's facts). */
import { describe, expect, it } from 'vitest';
import type { HelmRelease, HelmTool } from '../../src/cluster/helm.js';
import { chartVersionFor, helmReleaseSteps, helmUninstallStep, judgeHelmRelease, releaseBlocker, type ChartSpec, type HelmReleaseExpectation } from '../../src/plan/helm-release.js';
import type { Step } from '../../src/plan/types.js';

const spec: ChartSpec = {
  title: 'the NFS CSI driver',
  repoName: 'csi-driver-nfs',
  repoUrl: 'https://raw.githubusercontent.com/kubernetes-csi/csi-driver-nfs/master/charts',
  chartRef: 'csi-driver-nfs/csi-driver-nfs',
  chartName: 'csi-driver-nfs',
  version: '4.13.4',
  release: 'csi-driver-nfs',
  namespace: 'kube-system',
  installCommand: 'k8s-storage install nfs',
  uninstallCommand: 'k8s-storage uninstall nfs --yes',
  downgradeRefusal: 'downgrades are not supported',
  eventsCommand: 'kubectl -n kube-system get events',
};
const helm: HelmTool = { file: 'helm', prefix: [], name: 'helm', globalArgs: [], version: 'v4.1.4', major: 4 };
const release = (status: string, revision = 1, chartVersion = '4.13.4'): HelmRelease => ({ name: spec.release, namespace: spec.namespace, status, revision, chartName: spec.chartName, chartVersion, appVersion: '', description: '' });
const request = { chart: spec.chartRef, chartSource: { kind: 'official' } as const, version: '4.13.4', valuesFiles: ['/tmp/x/values.yaml'], sets: [], timeout: '5m', timeoutMs: 300_000, rollbackOnFailure: true };
const runs = (steps: Step[]) => steps.filter((s): s is Extract<Step, { kind: 'run' }> => s.kind === 'run');

describe('helmReleaseSteps', () => {
  it('first install: repo add, repo update, upgrade --install (no rollback flag), checked through helm status', () => {
    const r = helmReleaseSteps(spec, { helm }, request);
    expect(runs(r.steps).map((s) => s.command.args.join(' '))).toEqual([
      `repo add csi-driver-nfs ${spec.repoUrl} --force-update`,
      'repo update csi-driver-nfs',
      'upgrade --install csi-driver-nfs csi-driver-nfs/csi-driver-nfs -n kube-system --create-namespace --version 4.13.4 -f /tmp/x/values.yaml --timeout 5m',
    ]);
    expect(r.upgrading).toBe(false);
    expect(runs(r.steps).at(-1)!.verify).toEqual([{ type: 'helm-release', helm, chart: spec, state: 'deployed', chartVersion: '4.13.4' }]);
  });

  it('an upgrade of a deployed release rolls back on failure and must pass the old revision', () => {
    const r = helmReleaseSteps(spec, { helm, release: release('deployed', 3) }, request);
    expect(r.helmCommand.args).toContain('--rollback-on-failure');
    expect(runs(r.steps).at(-1)!.verify![0]).toMatchObject({ revisionAbove: 3 });
  });

  it.each(['pending-install', 'pending-upgrade', 'pending-rollback', 'uninstalling'])('a release in %s is refused with the recovery command', (status) => {
    expect(() => helmReleaseSteps(spec, { helm, release: release(status) }, request)).toThrow(/stuck|being uninstalled/);
    expect(releaseBlocker(spec, release(status), 'helm')?.hint).toMatch(/k8s-storage (un)?install nfs|helm rollback csi-driver-nfs -n kube-system/);
  });

  it('downgrades are refused; a rerun keeps the installed version', () => {
    expect(() => chartVersionFor(spec, '4.12.0', { kind: 'official' }, release('deployed', 1, '4.13.4'))).toThrow(/older than the installed the NFS CSI driver 4.13.4: downgrades are not supported/);
    expect(chartVersionFor(spec, undefined, { kind: 'official' }, release('deployed', 1, '4.14.0'))).toBe('4.14.0');
    expect(chartVersionFor(spec, undefined, { kind: 'official' }, undefined)).toBe('4.13.4');
  });
});

describe('judgeHelmRelease: the release decides, not the exit code', () => {
  const deployed = (over: Partial<HelmReleaseExpectation> = {}): HelmReleaseExpectation => ({ type: 'helm-release', helm, chart: spec, state: 'deployed', ...over });
  it.each([
    ['deployed, exit 0', deployed(), { exitCode: 0, stdout: '', stderr: '' }, release('deployed'), true],
    ['failed, exit 0', deployed(), { exitCode: 0, stdout: '', stderr: '' }, release('failed'), /marked the release csi-driver-nfs failed .*although it exited 0/],
    ['deployed, exit 1', deployed(), { exitCode: 1, stdout: '', stderr: 'Error: boom' }, release('deployed'), /exited 1/],
    ['revision unchanged', deployed({ revisionAbove: 2 }), { exitCode: 0, stdout: '', stderr: '' }, release('deployed', 2), /still at revision 2/],
    ['gone after uninstall, exit 1', { ...deployed(), state: 'absent' as const }, { exitCode: 1, stdout: '', stderr: 'Error: timed out' }, undefined, true],
    ['still there after uninstall', { ...deployed(), state: 'absent' as const }, { exitCode: 0, stdout: '', stderr: '' }, release('deployed'), /still there/],
  ] as const)('%s', (_what, exp, r, after, expected) => {
    const verdict = judgeHelmRelease(exp, r, after);
    if (expected === true) expect(verdict).toBe(true);
    else expect((verdict as Error).message).toMatch(expected);
  });

  it('helm uninstall is checked by the release being absent', () => {
    const step = helmUninstallStep(spec, helm, { timeout: '5m', timeoutMs: 300_000 });
    expect(step).toMatchObject({ kind: 'run', command: { args: ['uninstall', 'csi-driver-nfs', '-n', 'kube-system', '--timeout', '5m'] }, verify: [{ type: 'helm-release', state: 'absent' }] });
  });
});
