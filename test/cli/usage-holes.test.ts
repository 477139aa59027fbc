/**
 * Bad usage that once slipped through: an -o the command does not print (ignored unless
 * --dry-run, so `uninstall longhorn --yes -o xml` removed Longhorn), and a flag with its
 * negation (the last one won). Both are exit 2 before anything runs or changes.
 */
import { describe, expect, it } from 'vitest';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

const writes = (s: Sandbox) => s.api!.requests.filter((r: any) => ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(r.verb));

describe('usage errors before anything changes', () => {
  it.each([
    [['uninstall', 'longhorn', '--yes', '-o', 'xml'], /-o xml: uninstall longhorn prints nothing on stdout/],
    [['uninstall', 'hostpath', '--destroy-data', '--yes', '-o', 'xml'], /-o xml: uninstall hostpath prints nothing on stdout/],
    [['install', 'hostpath', '-o', 'json'], /-o json: install hostpath prints nothing on stdout \(with --dry-run it prints the plan/],
    [['install', 'hostpath', '--dry-run', '-o', 'table'], /-o table: this command prints text, json, yaml/],
    [['status', '-o', 'xml'], /-o xml: this command prints table, wide, json, yaml/],
    [['snapshot', 'list', '-o', 'name'], /-o name: this command prints table, wide, json, yaml/],
    [['install', 'hostpath', '--default-class', '--no-default-class'], /--default-class and --no-default-class contradict each other/],
    [['install', 'longhorn', '--no-default-class', '--default-class', '--skip-preflight'], /--default-class and --no-default-class contradict each other/],
    [['install', 'longhorn', '--microk8s', '--no-microk8s', '--skip-preflight'], /--microk8s and --no-microk8s contradict each other/],
    [['render', 'longhorn-values', '--microk8s', '--no-microk8s'], /--microk8s and --no-microk8s contradict each other/],
  ])('%j', async (args, message) => {
    sb = await perTest.create({ api: true, microk8s: { addons: { 'hostpath-storage': { status: 'enabled' } } }, helm: true });
    const s = sb;
    const r = await s.run(args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(s.readMicrok8sState().calls).toEqual([]);
    expect(s.readHelmState().calls).toEqual([]);
    expect(writes(s)).toEqual([]);
  });

  it('both problems at once', async () => {
    sb = await perTest.create({ api: true });
    const r = await sb.run(['install', 'hostpath', '--default-class', '--no-default-class', '-o', 'xml']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/2 problems:/);
  });

  it('a supported -o still works (and --dry-run adds the plan formats)', async () => {
    sb = await perTest.create({ api: true, microk8s: { addons: { 'hostpath-storage': { status: 'enabled' } } } });
    const r = await sb.run(['install', 'hostpath', '--dry-run', '-o', 'json']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).dryRun).toBe(true);
  });
});
