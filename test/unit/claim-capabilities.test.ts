/** Capabilities of a claim come from the backend registry, per provisioner (variants included). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { backendForProvisioner } from '../../src/backends/index.js';
import { capabilitiesOf } from '../../src/cluster/claims.js';
import { installedCandidates } from '../../src/recommend/installed.js';

describe('capabilities from the registry', () => {
  it.each([
    ['microk8s.io/hostpath', 'hostpath', 'hostpath', { expand: false, nodeBound: true, csiSnapshots: false }],
    ['driver.longhorn.io', 'longhorn', 'longhorn', { expand: true, snapshot: true, restore: true, nodeBound: false }],
    ['openebs.io/local', 'openebs', 'openebs', { expand: false, nodeBound: true, csiSnapshots: false }],
    ['io.openebs.csi-mayastor', 'openebs', 'openebs-mayastor', { expand: true, nodeBound: false, csiSnapshots: true }],
    ['nfs.csi.k8s.io', 'nfs', 'nfs', { replicated: true }],
    ['cluster.local/nfs-server-provisioner', 'nfs', 'nfs-in-cluster', { replicated: false }],
    ['rook-ceph.rbd.csi.ceph.com', 'ceph', 'ceph', { csiSnapshots: true, expand: true }],
  ])('%s -> backend %s, id %s', (provisioner, backend, id, caps) => {
    const found = backendForProvisioner(provisioner);
    expect(found?.backend.id).toBe(backend);
    expect(found?.id).toBe(id);
    expect(found?.capabilities).toMatchObject(caps);
  });

  it('claims read the same answer; an unknown provisioner assumes only what its class says', () => {
    expect(capabilitiesOf('io.openebs.csi-mayastor', undefined)).toMatchObject({ backend: 'openebs', capabilities: { expand: true, nodeBound: false } });
    expect(capabilitiesOf('example.com/x', { allowVolumeExpansion: true } as any)).toEqual({ capabilities: { expand: true, snapshot: false, csiSnapshots: false, restore: false, nodeBound: false } });
    expect(backendForProvisioner(undefined)).toBeUndefined();
  });

  it('recommend names installed candidates through the same mapping', () => {
    expect(installedCandidates([{ provisioner: 'io.openebs.csi-mayastor' }, { provisioner: 'cluster.local/nfs-server-provisioner' }, { provisioner: 'driver.longhorn.io' }, { provisioner: 'example.com/x' }])).toEqual(['openebs-mayastor', 'nfs-in-cluster', 'longhorn']);
  });

  it('resize names no backend: the room comes from the backend hook', () => {
    for (const f of ['src/commands/resize.ts', 'src/plan/resize.ts']) expect(readFileSync(f, 'utf8')).not.toMatch(/backends\/longhorn/);
  });
});
