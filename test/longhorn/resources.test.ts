import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  backupTargetProblems,
  buildBackup,
  buildBackupTarget,
  buildRecurringJob,
  buildSnapshot,
  checkBackupTarget,
  cronScheduleProblems,
  defaultSnapshotName,
  deletingConfirmationPatch,
  parseBackupTarget,
  recurringJobAttachLabel,
  recurringJobGroupLabel,
  recurringJobProblems,
  type RecurringJobRequest,
} from '../../src/backends/longhorn/resources.js';

const now = new Date(Date.UTC(2026, 7, 14, 2, 3, 4));

describe('buildSnapshot', () => {
  it('uses the field names of longhorn-manager SnapshotSpec', () => {
    expect(buildSnapshot({ volume: 'pvc-0f1e2d3c', name: 'before-upgrade', labels: { app: 'postgres' } })).toEqual({
      apiVersion: 'longhorn.io/v1beta2',
      kind: 'Snapshot',
      metadata: { name: 'before-upgrade', namespace: 'longhorn-system' },
      spec: { volume: 'pvc-0f1e2d3c', createSnapshot: true, labels: { app: 'postgres' } },
    });
  });

  it.each([
    [{ volume: 'pvc-0f1e2d3c', now }, 'pvc-0f1e2d3c-20260814020304'],
    [{ volume: 'pvc-0f1e2d3c', pvc: 'postgres-data', now }, 'postgres-data-20260814020304'],
    [{ volume: 'pvc-1', pvc: 'Data_Volume.Main', now }, 'data-volume-main-20260814020304'],
    [{ volume: 'pvc-1', pvc: 'x'.repeat(80), now }, `${'x'.repeat(48)}-20260814020304`],
    [{ volume: 'pvc-1', pvc: '___', now }, 'snapshot-20260814020304'],
  ])('generates a DNS-1123 name %#', (req, expected) => {
    const name = defaultSnapshotName(req);
    expect(name).toBe(expected);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(buildSnapshot(req).metadata.name).toBe(expected);
  });

  it.each([
    [{ volume: '' }, /snapshot volume: the Longhorn volume name is required/],
    [{ volume: 'PVC-1' }, /snapshot volume: "PVC-1" is not a Longhorn volume name/],
    [{ volume: 'pvc-1', name: 'Bad_Name' }, /snapshot name: "Bad_Name" is not a valid name/],
    [{ volume: 'pvc-1', labels: { 'bad key!': 'x' } }, /key "bad key!" is not valid/],
  ])('rejects %j', (req, expected) => {
    expect(() => buildSnapshot(req)).toThrow(UsageError);
    expect(() => buildSnapshot(req)).toThrow(expected);
  });
});

describe('buildBackup', () => {
  it('uses the field names of BackupSpec, backupMode included', () => {
    expect(buildBackup({ snapshotName: 'postgres-data-20260814020304', mode: 'full', labels: { reason: 'upgrade' } })).toEqual({
      apiVersion: 'longhorn.io/v1beta2',
      kind: 'Backup',
      metadata: { name: 'backup-postgres-data-20260814020304', namespace: 'longhorn-system' },
      spec: { snapshotName: 'postgres-data-20260814020304', labels: { reason: 'upgrade' }, backupMode: 'full' },
    });
  });

  it('leaves backupMode to Longhorn (incremental) when not chosen', () => {
    expect(buildBackup({ snapshotName: 's1', name: 'b1' }).spec).toEqual({ snapshotName: 's1', labels: {} });
  });

  it.each([
    [{ snapshotName: '' }, /backup snapshot name: a name is required/],
    [{ snapshotName: 's1', mode: 'differential' as never }, /backup mode: "differential" is not one of full, incremental/],
  ])('rejects %j', (req, expected) => {
    expect(() => buildBackup(req)).toThrow(expected);
  });
});

describe('buildRecurringJob', () => {
  const nightly: RecurringJobRequest = { name: 'nightly-backup', task: 'backup', cron: '0 2 * * *', retain: 7, groups: ['default'], labels: { tier: 'db' } };

  it('uses the field names of RecurringJobSpec', () => {
    expect(buildRecurringJob(nightly)).toEqual({
      apiVersion: 'longhorn.io/v1beta2',
      kind: 'RecurringJob',
      metadata: { name: 'nightly-backup', namespace: 'longhorn-system' },
      spec: { name: 'nightly-backup', groups: ['default'], task: 'backup', cron: '0 2 * * *', retain: 7, concurrency: 1, labels: { tier: 'db' } },
    });
  });

  it('snapshot-cleanup and filesystem-trim keep nothing: retain is 0', () => {
    expect(buildRecurringJob({ name: 'trim', task: 'filesystem-trim', cron: '@weekly' }).spec.retain).toBe(0);
    expect(buildRecurringJob({ name: 'cleanup', task: 'snapshot-cleanup', cron: '0 3 * * 0', retain: 0 }).spec.retain).toBe(0);
  });

  it('snapshot-delete may keep 0 snapshots', () => {
    expect(recurringJobProblems({ name: 'purge', task: 'snapshot-delete', cron: '0 4 * * *', retain: 0 })).toEqual([]);
  });

  it.each([
    ['a name over 40 characters', { name: 'a'.repeat(41) }, /recurring job name: "a{41}" is longer than 40 characters/],
    ['a name with capitals', { name: 'Nightly' }, /recurring job name: "Nightly" is not a valid name/],
    ['an unknown task', { task: 'snapshot-create' as never }, /task: "snapshot-create" is not one of snapshot, snapshot-force-create/],
    ['retain 0 for a backup', { retain: 0 }, /retain: 0 is out of range 1-100 for task backup/],
    ['retain 101', { retain: 101 }, /retain: 101 is out of range 1-100/],
    ['retain 2.5', { retain: 2.5 }, /retain: 2.5 is not a whole number/],
    ['retain missing for snapshots', { task: 'snapshot', retain: undefined }, /retain: required for task snapshot \(how many snapshots to keep/],
    ['retain set for a trim', { task: 'filesystem-trim', retain: 3 }, /task filesystem-trim keeps nothing, so retain must be 0/],
    ['concurrency 0', { concurrency: 0 }, /concurrency: 0 must be a whole number of at least 1/],
    ['a group with a space', { groups: ['night jobs'] }, /group: "night jobs" is not valid/],
    ['a bad label value', { labels: { tier: 'x'.repeat(64) } }, /value "x{64}" of label "tier" is not valid/],
  ] as const)('rejects %s', (_name, change, expected) => {
    const problems = recurringJobProblems({ ...nightly, ...change } as RecurringJobRequest);
    expect(problems.join('\n')).toMatch(expected);
    expect(() => buildRecurringJob({ ...nightly, ...change } as RecurringJobRequest)).toThrow(UsageError);
  });

  it('reports every problem at once', () => {
    expect(recurringJobProblems({ name: 'X', task: 'backup', cron: '61 * * * *', retain: 0, concurrency: 0 })).toHaveLength(4);
  });
});

describe('cron schedules', () => {
  it.each([
    '0 2 * * *',
    '*/15 * * * *',
    '0 0-23/2 * * *',
    '30 1 1,15 * *',
    '0 3 * JAN-MAR mon-fri',
    '0 3 ? * SUN',
    '5/10 * * * *',
    '  0 2 * * *  ',
    '@daily',
    '@hourly',
    '@weekly',
    '@monthly',
    '@yearly',
    '@annually',
    '@midnight',
  ])('accepts "%s"', (cron) => {
    expect(cronScheduleProblems('cron', cron)).toEqual([]);
  });

  it.each([
    ['', /a schedule is required/],
    ['0 2 * *', /has 4 fields; expected 5/],
    ['0 0 2 * * *', /6 fields.*a seconds field is not supported/],
    ['60 * * * *', /minute 60 is out of range 0-59/],
    ['0 24 * * *', /hour 24 is out of range 0-23/],
    ['0 0 0 * *', /day of month 0 is out of range 1-31/],
    ['0 0 * 13 *', /month 13 is out of range 1-12/],
    ['0 0 * * 7', /day of week 7 is out of range 0-6; use 0 for Sunday/],
    ['0 0 * * FUN', /day of week "FUN" is not a number \(or a name such as SUN\)/],
    ['0 0 * XYZ *', /month "XYZ" is not a number/],
    ['*/0 * * * *', /minute step "0" must be a whole number of at least 1/],
    ['10-5 * * * *', /minute range "10-5" starts after it ends/],
    ['1,,2 * * * *', /empty list item/],
    ['1-2-3 * * * *', /is not a value or a range/],
    ['@every 1h', /is not one of @yearly.*five fields/],
    ['@often', /"@often" is not one of/],
    ['TZ=Europe/Paris 0 2 * * *', /time zone prefix is not accepted/],
  ])('rejects "%s"', (cron, expected) => {
    expect(cronScheduleProblems('cron', cron).join('\n')).toMatch(expected);
  });
});

describe('recurring job labels', () => {
  it('attach a job or a group to a volume', () => {
    expect(recurringJobAttachLabel('nightly-backup')).toEqual({ 'recurring-job.longhorn.io/nightly-backup': 'enabled' });
    expect(recurringJobGroupLabel('default')).toEqual({ 'recurring-job-group.longhorn.io/default': 'enabled' });
  });

  it('refuse names that cannot be label keys', () => {
    expect(() => recurringJobAttachLabel('Nightly Backup')).toThrow(UsageError);
    expect(() => recurringJobGroupLabel('a/b')).toThrow(UsageError);
  });
});

describe('backup target URLs', () => {
  it.each([
    ['s3://backups@us-east-1/', 's3', true],
    ['s3://backups@us-east-1/cluster-a/', 's3', true],
    ['nfs://192.168.1.100:/exports/backups', 'nfs', false],
    ['nfs://nas.lan:/volume1/longhorn?nfsOptions=nfsvers=4.1,actimeo=1', 'nfs', false],
    ['cifs://nas.lan/backup/longhorn', 'cifs', true],
    ['cifs://nas.lan/backup?cifsOptions=rsize=65536', 'cifs', true],
    ['azblob://backups@core.windows.net/', 'azblob', true],
  ] as const)('%s is %s (credentials: %s)', (url, kind, needsCredentials) => {
    expect(parseBackupTarget(url)).toEqual({ kind, url, needsCredentials });
  });

  it.each([
    ['', /a URL is required/],
    ['s3://backups', /"s3:\/\/backups" is missing @region: write s3:\/\/bucket@us-east-1\//],
    ['s3://backups@us-east-1', /must end with '\/'/],
    ['s3://@us-east-1/', /no bucket name before '@'/],
    ['s3://backups@/', /nothing after '@'/],
    ['nfs://nas/exports/backups', /needs a ':' between the NFS server and the export path: nfs:\/\/nas:\/exports\/backups/],
    ['nfs://:/exports', /no NFS server/],
    ['nfs://nas:exports/backups', /export path after ':' must be absolute: nfs:\/\/nas:\/exports\/backups/],
    ['cifs://nas', /no share name: write cifs:\/\/nas\/share/],
    ['azblob://container/', /missing @endpoint: write azblob:\/\/container@core.windows.net\//],
    ['http://minio:9000/backups', /not a URL Longhorn understands; use one of s3:\/\/bucket@region\/path\//],
    ['/exports/backups', /not a URL Longhorn understands/],
    ['S3://backups@us-east-1/', /write the scheme in lower case/],
    ['s3://back ups@us-east-1/', /white space/],
  ])('rejects "%s"', (url, expected) => {
    expect(checkBackupTarget(url).problems.join('\n')).toMatch(expected);
    expect(() => parseBackupTarget(url)).toThrow(UsageError);
  });
});

describe('buildBackupTarget', () => {
  it('uses the field names of BackupTargetSpec, pollInterval as a Go duration', () => {
    expect(buildBackupTarget({ url: 's3://backups@us-east-1/', credentialSecret: 'minio-credentials', pollInterval: 180 })).toEqual({
      apiVersion: 'longhorn.io/v1beta2',
      kind: 'BackupTarget',
      metadata: { name: 'default', namespace: 'longhorn-system' },
      spec: { backupTargetURL: 's3://backups@us-east-1/', credentialSecret: 'minio-credentials', pollInterval: '180s' },
    });
  });

  it('NFS needs no secret; the poll interval defaults to Longhorn\'s 300 s', () => {
    expect(buildBackupTarget({ url: 'nfs://nas:/exports' }).spec).toEqual({ backupTargetURL: 'nfs://nas:/exports', credentialSecret: '', pollInterval: '300s' });
  });

  it.each([
    [{ url: 's3://b@r/' }, /a s3 backup target needs a Secret in longhorn-system holding AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY/],
    [{ url: 'cifs://nas/share' }, /CIFS_USERNAME, CIFS_PASSWORD/],
    [{ url: 'nfs://nas:/x', pollInterval: -1 }, /poll interval: -1 must be a whole number of seconds/],
    [{ url: 'nfs://nas:/x', credentialSecret: 'Bad_Secret' }, /backup credential secret: "Bad_Secret" is not a valid name/],
  ])('rejects %j', (req, expected) => {
    expect(backupTargetProblems(req).join('\n')).toMatch(expected);
    expect(() => buildBackupTarget(req)).toThrow(UsageError);
  });
});

describe('deletingConfirmationPatch', () => {
  it('is a merge patch of the Setting value, as a string', () => {
    expect(deletingConfirmationPatch()).toEqual({
      apiVersion: 'longhorn.io/v1beta2',
      kind: 'Setting',
      resource: 'settings.longhorn.io',
      namespace: 'longhorn-system',
      name: 'deleting-confirmation-flag',
      patchType: 'merge',
      patch: { value: 'true' },
    });
  });
});
