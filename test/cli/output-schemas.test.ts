/** Every JSON output carries apiVersion and kind and matches its schema in schemas/ (real output). */
import { afterEach, describe, expect, it } from 'vitest';
import { Fixture } from '../agent/fixtures.js';
import { expectOutputSchema } from '../helpers/output-schema.js';
import { runCli } from '../helpers/run-cli.js';
import { createSandbox } from '../helpers/sandbox.mjs';

type Sandbox = Awaited<ReturnType<typeof createSandbox>>;
let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.cleanup();
  sb = undefined;
});

const UBUNTU = 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\n';

describe('JSON outputs match their schemas', () => {
  it('version -o json', async () => {
    const r = await runCli(['version', '-o', 'json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expectOutputSchema('version', JSON.parse(r.stdout));
  });

  it('nodes check --local -o json, a node with errors and one without', async () => {
    sb = await createSandbox({});
    for (const installed of [[], ['nfs-common', 'open-iscsi', 'cryptsetup', 'dmsetup']]) {
      const fx = new Fixture({ osRelease: UBUNTU, hostname: 'laptop', installed, active: ['iscsid'], loaded: ['iscsi_tcp', 'dm_crypt', 'nfs'], microk8s: true });
      const r = await sb.run(['nodes', 'check', '--local', '-o', 'json'], { env: { PATH: `${fx.bin}:${sb.env.PATH}`, AGENT_ROOT: fx.root, FAKE_STATE: fx.state } });
      expect(r.stdout, r.stderr).not.toBe('');
      const doc = JSON.parse(r.stdout);
      expect(doc.nodes[0].status).toBe(installed.length ? doc.nodes[0].status : 'error');
      expectOutputSchema('node-check-report', doc);
    }
  });

  it('a schema that does not match is reported (the check can fail)', () => {
    expect(() => expectOutputSchema('version', { apiVersion: 'v1', kind: 'Version' })).toThrow(/version output/);
  });
});
