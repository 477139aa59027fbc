/**
 * Command definitions for Longhorn's data features: snapshots, backups (and the backup
 * target), schedules. Declarations only: actions load src/commands/* on demand.
 */
import type { Command } from 'commander';
import { CLAIMS, collect, completes, examples, group, groupOf, makeContext, optsOf, outputs, type Runtime } from '../../cli-kit.js';
import { BACKUP_MODES, longhornNames, RECURRING_JOB_TASKS } from './resources.js';

/** The snapshots of the claim argument `pvc` once it is typed (a snapshot's spec.volume is its Longhorn volume), else all. */
const SNAPSHOTS = longhornNames('Snapshot', { argument: 'pvc', field: 'spec.volume' });
const JOBS = longhornNames('RecurringJob');

const dryRun = (cmd: Command) => cmd.option('--dry-run', 'print the plan (the Longhorn objects) and change nothing');
const waiting = (cmd: Command, what: string, timeout: string) => cmd.option('--no-wait', `do not wait for ${what}`).option('--timeout <duration>', `how long to wait for ${what}`, timeout);

export function registerLonghornDataCommands(program: Command, rt: Runtime): void {
  // ---- snapshot ----
  const snapshot = group(program, rt, 'snapshot', "Longhorn snapshots of a claim's volume (kept on the nodes, next to the data)");
  if (snapshot) {
    snapshot.addHelpText('after', examples('k8s-storage snapshot create postgres-pvc -n shop --name before-upgrade', 'k8s-storage snapshot list', 'k8s-storage snapshot delete postgres-pvc before-upgrade -n shop'));

    waiting(
      dryRun(
        completes(snapshot.command('create'), { pvc: CLAIMS })
          .argument('<pvc>', 'the PersistentVolumeClaim (namespace from -n, the kubeconfig context, or default)')
          .description('take a Longhorn snapshot of the volume behind a claim and wait until it is ready')
          .option('--name <name>', 'snapshot name (default: <pvc>-<UTC yyyymmddhhmmss>); a rerun with the same name changes nothing')
          .option('--label <key=value>', 'label stored with the snapshot; repeatable', collect)
          .option('--csi', "a CSI VolumeSnapshot (snapshot.storage.k8s.io/v1) instead, with the backend's VolumeSnapshotClass (Longhorn, Ceph, Mayastor); needs k8s-storage install snapshot-controller")
          .option('--snapshot-class <name>', 'with --csi: the VolumeSnapshotClass (Longhorn: longhorn-snapshot, the default, or longhorn-backup to the backup target)'),
      ),
      'the snapshot to be ready',
      '5m',
    )
      .addHelpText('after', examples('k8s-storage snapshot create postgres-pvc -n shop', 'k8s-storage snapshot create data --name before-upgrade --label reason=upgrade', 'k8s-storage snapshot create data --dry-run -o yaml', 'k8s-storage snapshot create data --csi --snapshot-class longhorn-backup'))
      .action(async (pvc: string, _o, cmd: Command) => {
        if (optsOf(cmd).csi) {
          const { csiSnapshotCreate } = await import('../../commands/csi-snapshot.js');
          return csiSnapshotCreate(makeContext(cmd, rt), pvc, optsOf(cmd));
        }
        const { snapshotCreate } = await import('./commands/snapshot.js');
        await snapshotCreate(makeContext(cmd, rt), pvc, optsOf(cmd));
      });

    outputs(completes(snapshot.command('list'), { pvc: CLAIMS }), 'table', 'wide', 'json', 'yaml')
      .alias('ls')
      .argument('[pvc]', "only this claim's snapshots")
      .description('list Longhorn snapshots with their claim, creation time, readiness and size')
      .option('-A, --all-namespaces', 'snapshots of every namespace (the default without -n or a PVC)')
      .addHelpText('after', examples('k8s-storage snapshot list', 'k8s-storage snapshot list -n shop', 'k8s-storage snapshot list postgres-pvc -n shop -o json'))
      .action(async (pvc: string | undefined, _o, cmd: Command) => {
        const { snapshotList } = await import('./commands/snapshot.js');
        await snapshotList(makeContext(cmd, rt), pvc, optsOf(cmd));
      });

    waiting(
      dryRun(
        completes(snapshot.command('delete'), { pvc: CLAIMS, name: SNAPSHOTS })
          .alias('rm')
          .argument('<pvc>', 'the claim the snapshot belongs to (a snapshot of another claim is refused)')
          .argument('<name>', 'snapshot name, as `snapshot list` shows it')
          .description("delete a Longhorn snapshot of a claim's volume"),
      ),
      'Longhorn to remove it',
      '2m',
    )
      .addHelpText('after', examples('k8s-storage snapshot delete postgres-pvc before-upgrade -n shop'))
      .action(async (pvc: string, name: string, _o, cmd: Command) => {
        const { snapshotDelete } = await import('./commands/snapshot.js');
        await snapshotDelete(makeContext(cmd, rt), pvc, name, optsOf(cmd));
      });
  }

  // ---- backup ----
  const backup = group(program, rt, 'backup', 'Longhorn backups of claims to an NFS or S3 store outside the cluster, and that store (the backup target)');
  if (backup) {
    backup.addHelpText('after', examples('k8s-storage backup target set nfs://192.168.1.100:/exports/backups', 'k8s-storage backup create postgres-pvc -n shop', 'k8s-storage backup list'));

    const target = backup.command('target').description('where Longhorn sends backups: its BackupTarget "default"');
    waiting(
      dryRun(
        target
          .command('set')
          .argument('<url>', 'nfs://server:/export/path, s3://bucket@region/path/ (also cifs://, azblob://)')
          .description('point Longhorn at a backup store, then report whether Longhorn can reach it')
          .option('--credentials-secret <name>', 'Secret in longhorn-system with the store credentials (s3: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, and AWS_ENDPOINTS for MinIO)')
          .option('--poll-interval <duration>', 'how often Longhorn lists the store for backups, e.g. 5m; 0 turns polling off [default: 5m, or what is set]'),
      ),
      'Longhorn to check the target',
      '1m',
    )
      .addHelpText(
        'after',
        examples(
          'k8s-storage backup target set nfs://192.168.1.100:/exports/backups',
          'kubectl -n longhorn-system create secret generic s3-backups --from-literal=AWS_ACCESS_KEY_ID=... --from-literal=AWS_SECRET_ACCESS_KEY=...',
          'k8s-storage backup target set s3://backups@us-east-1/longhorn/ --credentials-secret s3-backups',
        ),
      )
      .action(async (url: string, _o, cmd: Command) => {
        const { backupTargetSet } = await import('./commands/backup.js');
        await backupTargetSet(makeContext(cmd, rt), url, optsOf(cmd));
      });
    outputs(target.command('show'), 'table', 'json', 'yaml')
      .description('the backup target, and whether Longhorn can reach it')
      .addHelpText('after', examples('k8s-storage backup target show', 'k8s-storage backup target show -o json'))
      .action(async (_o, cmd: Command) => {
        const { backupTargetShow } = await import('./commands/backup.js');
        await backupTargetShow(makeContext(cmd, rt));
      });

    waiting(
      dryRun(
        completes(backup.command('create'), { pvc: CLAIMS, '--snapshot': SNAPSHOTS, '--mode': BACKUP_MODES })
          .argument('<pvc>', 'the PersistentVolumeClaim to back up')
          .description('back up a claim: take a snapshot (or use --snapshot), upload it to the backup target and wait until it completes')
          .option('--snapshot <name>', 'back up this existing snapshot instead of taking a new one; a rerun finds the same backup')
          .option('--mode <mode>', `${BACKUP_MODES.join(' or ')} (Longhorn's default: incremental)`)
          .option('--label <key=value>', 'label stored with the backup; repeatable', collect),
      ),
      'the upload to finish (the snapshot is always awaited)',
      '30m',
    )
      .addHelpText('after', examples('k8s-storage backup create postgres-pvc -n shop', 'k8s-storage backup create data --snapshot before-upgrade --mode full', 'k8s-storage backup create data --no-wait'))
      .action(async (pvc: string, _o, cmd: Command) => {
        const { backupCreate } = await import('./commands/backup.js');
        await backupCreate(makeContext(cmd, rt), pvc, optsOf(cmd));
      });

    outputs(completes(backup.command('list'), { pvc: CLAIMS }), 'table', 'wide', 'json', 'yaml')
      .alias('ls')
      .argument('[pvc]', "only this claim's backups")
      .description('list Longhorn backups with their claim, snapshot, state and size')
      .option('-A, --all-namespaces', 'backups of every namespace (the default without -n or a PVC)')
      .addHelpText('after', examples('k8s-storage backup list', 'k8s-storage backup list -n shop', 'k8s-storage backup list postgres-pvc -n shop -o yaml'))
      .action(async (pvc: string | undefined, _o, cmd: Command) => {
        const { backupList } = await import('./commands/backup.js');
        await backupList(makeContext(cmd, rt), pvc, optsOf(cmd));
      });
  }

  registerLonghornRestoreCommands(program, rt);

  // ---- schedule ----
  const schedule = group(program, rt, 'schedule', 'recurring snapshots and backups with Longhorn RecurringJobs (instead of a CronJob: `longhorn-manager backup create` does not exist)');
  if (schedule) {
    schedule.addHelpText('after', examples('k8s-storage schedule create nightly --task backup --cron "0 2 * * *" --retain 7', 'k8s-storage schedule attach nightly postgres-pvc -n shop', 'k8s-storage schedule list'));

    dryRun(
      completes(schedule.command('create'), { name: JOBS, '--task': RECURRING_JOB_TASKS })
        .argument('<name>', 'job name (at most 40 characters)')
        .description('create or update a Longhorn RecurringJob; rerunning with the same flags changes nothing')
        .option('--task <task>', `what it does: ${RECURRING_JOB_TASKS.join(', ')} (required)`)
        .option('--cron <schedule>', 'five-field cron schedule, e.g. "0 2 * * *" (every day at 02:00), or @daily, @hourly... (required)')
        .option('--retain <n>', 'snapshots or backups to keep, 1-100 (required except for snapshot-cleanup and filesystem-trim)')
        .option('--group <group>', 'run it on every volume labelled with this group ("default": every volume without a recurring-job label); repeatable', collect)
        .option('--concurrency <n>', 'volumes processed at the same time [default: 1]')
        .option('--label <key=value>', 'label added to the snapshots or backups it makes; repeatable', collect),
    )
      .addHelpText('after', examples('k8s-storage schedule create nightly --task backup --cron "0 2 * * *" --retain 7', 'k8s-storage schedule create hourly --task snapshot --cron "0 * * * *" --retain 24 --group default', 'k8s-storage schedule create trim --task filesystem-trim --cron @weekly'))
      .action(async (name: string, _o, cmd: Command) => {
        const { scheduleCreate } = await import('./commands/schedule.js');
        await scheduleCreate(makeContext(cmd, rt), name, optsOf(cmd));
      });

    dryRun(
      completes(schedule.command('attach'), { name: JOBS, pvc: CLAIMS })
        .argument('<name>', 'recurring job name')
        .argument('<pvc>', 'claim whose volume it should run on')
        .description("run a recurring job on a claim's volume (labels the Longhorn volume recurring-job.longhorn.io/<name>=enabled)"),
    )
      .addHelpText('after', examples('k8s-storage schedule attach nightly postgres-pvc -n shop'))
      .action(async (name: string, pvc: string, _o, cmd: Command) => {
        const { scheduleAttach } = await import('./commands/schedule.js');
        await scheduleAttach(makeContext(cmd, rt), name, pvc, optsOf(cmd));
      });

    dryRun(
      completes(schedule.command('detach'), { name: JOBS, pvc: CLAIMS })
        .argument('<name>', 'recurring job name')
        .argument('<pvc>', 'claim whose volume it should stop running on')
        .description("stop running a recurring job on a claim's volume (removes the label; snapshots and backups stay)"),
    )
      .addHelpText('after', examples('k8s-storage schedule detach nightly postgres-pvc -n shop'))
      .action(async (name: string, pvc: string, _o, cmd: Command) => {
        const { scheduleDetach } = await import('./commands/schedule.js');
        await scheduleDetach(makeContext(cmd, rt), name, pvc, optsOf(cmd));
      });

    outputs(schedule.command('list'), 'table', 'wide', 'json', 'yaml')
      .alias('ls')
      .description('recurring jobs with their task, schedule, retention and the claims they run on')
      .addHelpText('after', examples('k8s-storage schedule list', 'k8s-storage schedule list -o json'))
      .action(async (_o, cmd: Command) => {
        const { scheduleList } = await import('./commands/schedule.js');
        await scheduleList(makeContext(cmd, rt));
      });

    dryRun(
      completes(schedule.command('delete'), { name: JOBS })
        .alias('rm')
        .argument('<name>', 'recurring job name')
        .description('delete a recurring job (the snapshots and backups it made stay)'),
    )
      .addHelpText('after', examples('k8s-storage schedule delete nightly'))
      .action(async (name: string, _o, cmd: Command) => {
        const { scheduleDelete } = await import('./commands/schedule.js');
        await scheduleDelete(makeContext(cmd, rt), name, optsOf(cmd));
      });
  }
}

/** Bringing data back (issue 11): `backup restore`, `snapshot restore`, `snapshot revert`, joined to the commands above. */
function registerLonghornRestoreCommands(program: Command, rt: Runtime): void {
  const newClaim = (cmd: Command, classDefault = 'longhorn') =>
    cmd
      .option('--to <pvc>', 'name of the new claim, in the namespace from -n (required)')
      .option('--class <class>', `StorageClass the new claim and its PV name [default: ${classDefault}]`)
      .option('--replicas <n>', "replicas of the new Longhorn volume, 1-20 [default: the class's numberOfReplicas, else 3]")
      .option('--timeout <duration>', 'how long Longhorn may take to write the data, and the claim to bind', '30m')
      .option('--dry-run', 'print every step (the Volume, PV and claim) and change nothing');

  const backup = groupOf(program, rt, 'backup');
  if (backup) {
    newClaim(
      outputs(backup.command('restore'), 'json', 'yaml', 'name')
        .argument('<backup>', 'the backup, as backup list shows it (with --latest: the claim whose newest backup to restore)')
        .description('restore a Longhorn backup into a new claim: a Volume restored from the backup, then a PV and a claim bound to it; a rerun continues')
        .option('--latest', "the argument is a claim: restore its newest completed backup (found by its volume, or by the claim Longhorn recorded with the backup)"),
    )
      .addHelpText(
        'after',
        '\nWhen Longhorn does not list the backup (e.g. after a reinstall), it is first asked to read the backup target again.\n-o json|yaml prints the new claim (kind RestoredClaim), -o name persistentvolumeclaim/<name>.\n' +
          examples('k8s-storage backup restore backup-data-20260101020000 --to data-restored -n shop', 'k8s-storage backup restore data --latest --to data-restored -n shop', 'k8s-storage backup restore backup-data-20260101020000 --to data-copy --replicas 1 --dry-run'),
      )
      .action(async (name: string, _o, cmd: Command) => {
        const { backupRestore } = await import('./commands/restore.js');
        await backupRestore(makeContext(cmd, rt), name, optsOf(cmd));
      });
  }

  const snapshot = groupOf(program, rt, 'snapshot');
  if (snapshot) {
    newClaim(
      outputs(snapshot.command('restore'), 'json', 'yaml', 'name')
        .argument('<pvc>', 'the claim the snapshot is of')
        .argument('<snapshot>', 'snapshot name, as `snapshot list` shows it')
        .description('a new claim from a snapshot: Longhorn clones the snapshot into a new volume (dataSource snap://), then a PV and a claim bound to it'),
      "the source claim's",
    )
      .addHelpText('after', examples('k8s-storage snapshot restore postgres-pvc before-upgrade --to postgres-before -n shop'))
      .action(async (pvc: string, name: string, _o, cmd: Command) => {
        const { snapshotRestore } = await import('./commands/restore.js');
        await snapshotRestore(makeContext(cmd, rt), pvc, name, optsOf(cmd));
      });

    snapshot
      .command('revert')
      .argument('<pvc>', 'the claim to revert in place')
      .argument('<snapshot>', 'snapshot name, as `snapshot list` shows it')
      .description('revert a claim to a snapshot: scale its workloads to 0, attach the volume in maintenance mode, revert, detach, scale back; discards what was written since (asks first)')
      .option('--yes', 'confirm without a prompt (needed when stdin is not a terminal)')
      .option('--timeout <duration>', 'how long each wait may take', '10m')
      .option('--dry-run', 'print every step and change nothing')
      .addHelpText(
        'after',
        '\nRefused while a pod that none of the scaled Deployments and StatefulSets owns uses the claim. Progress is kept in the annotation k8s-storage.io/revert on the claim: a rerun continues.\n' +
          examples('k8s-storage snapshot revert postgres-pvc before-upgrade -n shop', 'k8s-storage snapshot revert postgres-pvc before-upgrade -n shop --yes', 'k8s-storage snapshot revert data before-upgrade --dry-run'),
      )
      .action(async (pvc: string, name: string, _o, cmd: Command) => {
        const { snapshotRevert } = await import('./commands/restore.js');
        await snapshotRevert(makeContext(cmd, rt), pvc, name, optsOf(cmd));
      });
  }
}
