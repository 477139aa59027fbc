/** install glusterfs refuses (exit 2) with why and the alternatives, without touching any cluster. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

describe('install glusterfs', () => {
  it('exits 2 with the reasons and the command for each need', async () => {
    const r = await runCli(['install', 'glusterfs']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('removed in 1.26');
    expect(r.stderr).toContain('Heketi');
    expect(r.stderr).toContain('RWX on an existing NAS:    k8s-storage install nfs --server NAS --share /export');
    expect(r.stderr).toContain('k8s-storage install ceph --in-cluster --cephfs');
    expect(r.stderr).toContain('replicated block storage:  k8s-storage install longhorn');
  });

  it('uninstall glusterfs is a usage error too', async () => {
    const r = await runCli(['uninstall', 'glusterfs']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('never installs GlusterFS');
  });
});
