/** kubectl's table flags on every table: --no-headers (declared once, by outputs()) and -o wide where it says more. */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { outputsOf } from '../../src/cli-kit.js';
import { Fixture } from '../agent/fixtures.js';
import { allCommands } from '../helpers/cli-tree.js';
import { runCli } from '../helpers/run-cli.js';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;


describe('table output', () => {
  it('every command that prints -o table takes --no-headers; only those do', () => {
    const all = allCommands();
    const tables = all.filter((c) => outputsOf(c.cmd).includes('table'));
    expect(tables.map((c) => c.path)).toEqual(expect.arrayContaining(['status', 'presets', 'usage', 'doctor', 'nodes check', 'snapshot list', 'backup list', 'backup target show', 'schedule list']));
    const headers = (c: Command) => c.options.some((o) => o.long === '--no-headers');
    expect(tables.filter((c) => !headers(c.cmd)).map((c) => c.path)).toEqual([]);
    expect(all.filter((c) => headers(c.cmd) && !outputsOf(c.cmd).includes('table')).map((c) => c.path)).toEqual([]);
  });

  it('presets: -o wide adds the class name, binding and volume modes; --no-headers leaves the rows; with -o json it is a usage error', async () => {
    const [table, wide, json] = await Promise.all([runCli(['presets']), runCli(['presets', '-o', 'wide', '--no-headers']), runCli(['presets', '-o', 'json', '--no-headers'])]);
    expect(table.stdout).toMatch(/^STORAGECLASS PRESETS\nNAME\s+PROVISIONER\s+ACCESS MODES\s+EXPAND\s+SNAPSHOT\s+DESCRIPTION\n/);
    expect(table.stdout).toMatch(/\nAPP KITS\nNAME\s+IMAGE\s+SIZE/);
    expect(wide.exitCode, wide.stderr).toBe(0);
    expect(wide.stdout).toMatch(/^STORAGECLASS PRESETS\nhostpath\s+microk8s\.io\/hostpath\s+microk8s-hostpath\s+WaitForFirstConsumer\s+Filesystem\s+RWO\s+no\s+no\s/);
    expect(wide.stdout).toMatch(/\nlonghorn\s+driver\.longhorn\.io\s+longhorn\s+Immediate\s+Filesystem,Block\s+RWO,ROX,RWX,RWOP\s+yes\s+yes\s/);
    expect(wide.stdout).toMatch(/\nAPP KITS\npostgres\s/);
    expect(wide.stdout).not.toMatch(/NAME\s+PROVISIONER|NAME\s+IMAGE/);
    expect(json.exitCode).toBe(2);
    expect(json.stderr).toContain('--no-headers: -o json has no headers (it applies to -o table and -o wide)');
    expect(json.stdout).toBe('');
  });

  it('nodes check --local --no-headers: the node line without its header', async () => {
    sb = await perTest.create({});
    const fx = new Fixture({ osRelease: 'ID=ubuntu\nVERSION_ID="22.04"\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\n', hostname: 'laptop', installed: ['nfs-common', 'open-iscsi', 'cryptsetup', 'dmsetup'], active: ['iscsid'], loaded: ['iscsi_tcp', 'dm_crypt', 'nfs'], microk8s: true });
    const env = { PATH: `${fx.bin}:${sb.env.PATH}`, AGENT_ROOT: fx.root, FAKE_STATE: fx.state };
    const [table, bare] = [await sb.run(['nodes', 'check', '--local'], { env }), await sb.run(['nodes', 'check', '--local', '--no-headers'], { env })];
    expect(table.stdout).toMatch(/\n\nNODE\s+STATUS\s+OS\s+PKG MGR\s+KERNEL\s+CHECKS OK\s+ERRORS\s+WARNINGS\nlaptop\s/);
    expect(bare.stdout).toMatch(/\(this machine\)\n\nlaptop\s/);
    expect(bare.stdout).not.toContain('PKG MGR');
  });
});
