/** backup delete against the fake API server with Longhorn's CRDs and its Backup/BackupTarget CRs. */
import { describe, expect, it } from 'vitest';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

const NS = 'longhorn-system';
const URL = 'nfs://192.168.1.100:/exports/backups';

async function cluster(o: { available?: boolean; crOnly?: boolean } = {}) {
  sb = await perTest.create({ api: true });
  const available = o.available ?? true;
  sb.api!.store.put({ apiVersion: 'longhorn.io/v1beta2', kind: 'BackupTarget', metadata: { name: 'default', namespace: NS }, spec: { backupTargetURL: URL, pollInterval: '300s' }, status: { available, ...(available ? {} : { conditions: [{ type: 'Unavailable', status: 'True', message: 'mount failed: connection refused' }] }) } });
  sb.api!.store.put({
    apiVersion: 'longhorn.io/v1beta2',
    kind: 'Backup',
    metadata: { name: 'backup-1a2b3c4d5e6f7890', namespace: NS, labels: { 'backup-volume': 'pvc-1111', ...(o.crOnly ? { 'longhorn.io/delete-custom-resource-only': 'true' } : {}) } },
    spec: { snapshotName: 'snap-1', labels: {} },
    status: { state: 'Completed', url: `${URL}?backup=backup-1a2b3c4d5e6f7890&volume=pvc-1111`, volumeName: 'pvc-1111', size: '1048576' },
  });
  return sb;
}

const deletes = (s: Sandbox) => s.api!.requestsMatching({ verb: 'delete', resource: 'backups' });

describe('backup delete', () => {
  it('asks, deletes the Backup CR, and says the backup is removed from the store', async () => {
    const s = await cluster();
    const refused = await s.run(['backup', 'delete', 'backup-1a2b3c4d5e6f7890']);
    expect(refused.stderr).toContain('add --yes');
    expect(refused.exitCode).toBe(2);
    expect(deletes(s)).toEqual([]);
    const r = await s.run(['backup', 'delete', 'backup-1a2b3c4d5e6f7890', '--yes']);
    expect(r.stderr).toContain(`backup backup-1a2b3c4d5e6f7890 is deleted, from the backup store ${URL} too`);
    expect(r.exitCode).toBe(0);
    expect(s.api!.store.get({ apiVersion: 'longhorn.io/v1beta2', kind: 'Backup' }, 'backup-1a2b3c4d5e6f7890', NS)).toBeUndefined();
    const again = await s.run(['backup', 'delete', 'backup-1a2b3c4d5e6f7890', '--yes']);
    expect(again.stderr).toContain('does not exist');
    expect(again.exitCode).toBe(0);
  });

  it('refuses while the target is unreachable (Longhorn would only drop its record)', async () => {
    const s = await cluster({ available: false });
    const r = await s.run(['backup', 'delete', 'backup-1a2b3c4d5e6f7890', '--yes']);
    expect(r.stderr).toContain('mount failed: connection refused');
    expect(r.exitCode).toBe(1);
    expect(deletes(s)).toEqual([]);
  });

  it('says so when only the record goes (delete-custom-resource-only)', async () => {
    const s = await cluster({ crOnly: true });
    const r = await s.run(['backup', 'delete', 'backup-1a2b3c4d5e6f7890', '--yes']);
    expect(r.stderr).toContain('it stays in the backup store');
    expect(r.exitCode).toBe(0);
  });
});
