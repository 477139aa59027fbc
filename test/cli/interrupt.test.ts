/**
 * Ctrl-C ends every command with 130, reads included: the real CLI against a fake API server
 * that answers lists only after 20 s, and a SIGINT to the process group once the command runs.
 */
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { CLI_PATH } from '../helpers/sandbox.mjs';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

describe('Ctrl-C while the API is slow', () => {
  it.each([
    [['status'], 'storageclasses'],
    [['status', '-o', 'json'], 'persistentvolumeclaims'],
    [['default-class', 'slow'], 'storageclasses'],
    [['snapshot', 'list'], 'snapshots'],
  ])('%j exits 130 at once instead of waiting for the slow %s list', async (args, resource) => {
    sb = await perTest.create({ api: true });
    const s = sb;
    s.api!.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'slow' }, provisioner: 'example.com/x' });
    s.api!.faults.delay({ verb: 'list', resource }, 20_000);
    const started = Date.now();
    // Ctrl-C in a terminal signals the process group, here once the slow list is in flight.
    const proc = execa(process.execPath, [CLI_PATH, ...args], { env: s.env, extendEnv: false, cwd: s.home, reject: false, detached: true, timeout: 40_000 });
    await s.api!.waitFor(() => s.api!.requestsMatching({ verb: 'list', resource }).length > 0);
    const sentAt = Date.now();
    process.kill(-proc.pid!, 'SIGINT');
    const r = await proc;
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toMatch(/interrupted/);
    expect(r.stdout).toBe('');
    expect(Date.now() - sentAt).toBeLessThan(8_000);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

