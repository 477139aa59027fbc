import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  detectHelm,
  helmCommands,
  helmProblem,
  locateHelm,
  parseHelmList,
  parseHelmStatus,
  parseHelmVersion,
  rollbackOnFailureFlag,
  type HelmBinary,
  type HelmTool,
} from '../../src/cluster/helm.js';
import { onPath } from '../../src/cluster/runner.js';
import type { ToolCommand } from '../../src/cluster/runner.js';

const result = (stdout: string, exitCode = 0, stderr = '', notFound = false) => ({ stdout, stderr, exitCode, notFound });
const helm: HelmBinary = { file: 'helm', prefix: [], name: 'helm', globalArgs: [] };
const m8s: HelmBinary = { file: 'microk8s', prefix: ['helm3'], name: 'microk8s helm3', globalArgs: [] };
const tool = (major: number, bin: HelmBinary = helm): HelmTool => ({ ...bin, version: `v${major}.0.1`, major });

describe('parseHelmVersion', () => {
  it.each([
    ['v3.16.4', 'v3.16.4', 3],
    ['v3.16.4\n', 'v3.16.4', 3],
    ['v4.0.1', 'v4.0.1', 4],
    ['v3.16.4+g7877b45', 'v3.16.4', 3],
    ['version.BuildInfo{Version:"v3.9.1", GitCommit:"a7c043", GitTreeState:"clean", GoVersion:"go1.17.5"}', 'v3.9.1', 3],
    ['v4.1.0-rc.1', 'v4.1.0-rc.1', 4],
    ['3.12.0', 'v3.12.0', 3],
  ])('%j -> %s (major %i)', (text, version, major) => {
    expect(parseHelmVersion(text)).toEqual({ version, major });
  });

  it.each([[''], ['Error: unknown flag: --template'], ['helm']])('%j has no version', (text) => {
    expect(parseHelmVersion(text)).toBeUndefined();
  });
});

describe('helm commands as data', () => {
  it('upgrade --install: ours first, then the user\'s files, then --set, then the timeout', () => {
    const cmd = helmCommands.upgradeInstall(tool(3), { release: 'longhorn', chart: 'longhorn/longhorn', namespace: 'longhorn-system', version: '1.12.1', valuesFiles: ['/tmp/ours.yaml', 'mine.yaml'], sets: ['a=1', 'b=2'], timeout: '10m' });
    expect(cmd).toEqual({
      file: 'helm',
      args: ['upgrade', '--install', 'longhorn', 'longhorn/longhorn', '-n', 'longhorn-system', '--create-namespace', '--version', '1.12.1', '-f', '/tmp/ours.yaml', '-f', 'mine.yaml', '--set', 'a=1', '--set', 'b=2', '--timeout', '10m'],
    });
  });

  it.each([
    [3, '--atomic'],
    [4, '--rollback-on-failure'],
    [5, '--rollback-on-failure'],
  ])('Helm %i rolls back on failure with %s', (major, flag) => {
    expect(rollbackOnFailureFlag(major)).toBe(flag);
    const args = helmCommands.upgradeInstall(tool(major), { release: 'r', chart: 'c', namespace: 'n', valuesFiles: [], sets: [], rollbackOnFailure: true }).args;
    expect(args.at(-1)).toBe(flag);
    expect(args).toContain('--create-namespace');
    expect(args).not.toContain('--version');
  });

  it('microk8s helm3 puts helm3 first and keeps the rest', () => {
    expect(helmCommands.status(m8s, 'longhorn', 'longhorn-system')).toEqual({ file: 'microk8s', args: ['helm3', 'status', 'longhorn', '-n', 'longhorn-system', '-o', 'json'] });
    expect(helmCommands.version(m8s)).toEqual({ file: 'microk8s', args: ['helm3', 'version', '--template', '{{.Version}}'] });
  });

  it('--kubeconfig/--kube-context go to cluster commands, not to repo or version', () => {
    const bin: HelmBinary = { ...helm, globalArgs: ['--kubeconfig', '/k', '--kube-context', 'c'] };
    expect(helmCommands.list(bin, 'ns').args).toEqual(['list', '-n', 'ns', '--all', '-o', 'json', '--kubeconfig', '/k', '--kube-context', 'c']);
    expect(helmCommands.uninstall(bin, 'longhorn', 'ns', '5m').args).toEqual(['uninstall', 'longhorn', '-n', 'ns', '--timeout', '5m', '--kubeconfig', '/k', '--kube-context', 'c']);
    expect(helmCommands.repoAdd(bin, 'longhorn', 'https://charts.longhorn.io').args).toEqual(['repo', 'add', 'longhorn', 'https://charts.longhorn.io', '--force-update']);
    expect(helmCommands.repoUpdate(bin, 'longhorn').args).toEqual(['repo', 'update', 'longhorn']);
    expect(helmCommands.versionShort(bin).args).toEqual(['version', '--short']);
  });
});

const statusJson = (status: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name: 'longhorn', namespace: 'longhorn-system', version: 3, info: { status, description: 'Install complete' }, chart: { metadata: { name: 'longhorn', version: '1.12.1', appVersion: 'v1.12.1' } }, ...extra });

describe('parseHelmStatus', () => {
  it('reads the release, whatever the exit code says about it', () => {
    expect(parseHelmStatus(result(statusJson('failed')), helm, 'longhorn')).toEqual({
      name: 'longhorn',
      namespace: 'longhorn-system',
      status: 'failed',
      revision: 3,
      chartName: 'longhorn',
      chartVersion: '1.12.1',
      appVersion: 'v1.12.1',
      description: 'Install complete',
    });
  });

  it.each(['deployed', 'pending-install', 'pending-upgrade', 'uninstalling'])('status %s is kept as is', (status) => {
    expect(parseHelmStatus(result(statusJson(status)), helm, 'longhorn')?.status).toBe(status);
  });

  it('"release: not found" means no release', () => {
    expect(parseHelmStatus(result('', 1, 'Error: release: not found\n'), helm, 'longhorn')).toBeUndefined();
  });

  it('an unreachable cluster is a clear error with a hint', () => {
    expect(() => parseHelmStatus(result('', 1, 'Error: Kubernetes cluster unreachable: Get "https://127.0.0.1:16443/version": dial tcp: connection refused\n'), helm, 'longhorn')).toThrow(/helm cannot reach the cluster/);
  });

  it('output without info.status is an error, not "deployed"', () => {
    expect(() => parseHelmStatus(result('{"name":"longhorn"}'), helm, 'longhorn')).toThrow(/has no info.status/);
    expect(() => parseHelmStatus(result('NAME: longhorn'), helm, 'longhorn')).toThrow(/could not read the output/);
  });

  it('microk8s helm3 on a stopped MicroK8s says to start it', () => {
    const err = (() => {
      try {
        parseHelmStatus(result('', 1, 'microk8s is not running, try microk8s start\n'), m8s, 'longhorn');
      } catch (e) {
        return e as { message: string; hint?: string };
      }
    })();
    expect(err?.message).toMatch(/MicroK8s is stopped/);
    expect(err?.hint).toBe('microk8s start');
  });
});

describe('parseHelmList', () => {
  it('turns the string revision into a number', () => {
    const rows = parseHelmList(result('[{"name":"longhorn","namespace":"longhorn-system","revision":"12","updated":"2026-01-01 00:00:00.123456789 +0000 UTC","status":"deployed","chart":"longhorn-1.12.1","app_version":"v1.12.1"}]'), helm);
    expect(rows).toEqual([{ name: 'longhorn', namespace: 'longhorn-system', revision: 12, status: 'deployed', chart: 'longhorn-1.12.1', appVersion: 'v1.12.1' }]);
  });

  it('empty output is no release; a failure is an error', () => {
    expect(parseHelmList(result('[]'), helm)).toEqual([]);
    expect(parseHelmList(result(''), helm)).toEqual([]);
    expect(() => parseHelmList(result('', 1, 'Error: boom'), helm)).toThrow(/helm failed while listing releases \(exit 1\): Error: boom/);
  });
});

describe('helmProblem', () => {
  it('recognises an operation left in progress', () => {
    expect(helmProblem(result('', 1, 'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress'), helm, 'upgrading').hint).toMatch(/helm rollback/);
  });
  it('a missing program says how to get Helm', () => {
    expect(helmProblem(result('', 127, '', true), helm, 'x').hint).toMatch(/install Helm/);
  });
});

describe('finding Helm', () => {
  const dirWith = (...names: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'helm-path-'));
    for (const n of names) {
      writeFileSync(join(dir, n), '#!/bin/sh\n');
      chmodSync(join(dir, n), 0o755);
    }
    return dir;
  };

  it.each([
    [['helm', 'microk8s'], 'helm'],
    [['microk8s'], 'microk8s helm3'],
    [[], undefined],
  ])('PATH with %j -> %s', async (names, expected) => {
    const bin = await locateHelm({ path: dirWith(...names) });
    expect(bin?.name).toBe(expected);
  });

  it('hands --kubeconfig and --context to Helm', async () => {
    const bin = await locateHelm({ path: dirWith('helm'), kubeconfig: '/home/me/.kube/other', context: 'prod' });
    expect(bin?.globalArgs).toEqual(['--kubeconfig', '/home/me/.kube/other', '--kube-context', 'prod']);
  });

  it('a file without the execute bit is not on PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'helm-path-'));
    writeFileSync(join(dir, 'helm'), '');
    expect(onPath('helm', dir)).toBe(false);
  });

  it('detectHelm falls back to --short when --template prints nothing useful', async () => {
    const seen: string[][] = [];
    const run = async (cmd: ToolCommand) => {
      seen.push(cmd.args);
      return cmd.args.includes('--template') ? result('', 1, 'Error: unknown flag: --template') : result('v3.8.2+g6e3701e\n');
    };
    await expect(detectHelm(helm, {}, run)).resolves.toMatchObject({ version: 'v3.8.2', major: 3, name: 'helm' });
    expect(seen).toEqual([['version', '--template', '{{.Version}}'], ['version', '--short']]);
  });

  it('detectHelm fails clearly when no version comes out', async () => {
    await expect(detectHelm(helm, {}, async () => result('garbage'))).rejects.toThrow(/printed no version/);
  });
});
