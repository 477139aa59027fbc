/**
 * Command definitions for Longhorn's data features: snapshots, backups (and the backup
 * target), schedules. Declarations only: actions load src/commands/* on demand.
 */
import type { Command } from 'commander';
import { collect, examples, makeContext, optsOf, outputs, type Runtime } from '../../cli-kit.js';
import { BACKUP_MODES, RECURRING_JOB_TASKS } from './resources.js';

const dryRun = (cmd: Command) => cmd.option('--dry-run', 'print the plan (the Longhorn objects) and change nothing');
const waiting = (cmd: Command, what: string, timeout: string) => cmd.option('--no-wait', `do not wait for ${what}`).option('--timeout <duration>', `how long to wait for ${what}`, timeout);

export function registerLonghornDataCommands(program: Command, rt: Runtime): void {
  // ---- snapshot ----
  if (rt.wants('snapshot')) {
    const snapshot = program
      .command('snapshot')
      .description("Longhorn snapshots of a claim's volume (kept on the nodes, next to the data)")
      .addHelpText('after', examples('k8s-storage snapshot create postgres-pvc -n shop --name before-upgrade', 'k8s-storage snapshot list', 'k8s-storage snapshot delete postgres-pvc before-upgrade -n shop'));

    waiting(
      dryRun(
        snapshot
          .command('create')
          .argument('<pvc>', 'the PersistentVolumeClaim (namespace from -n, the kubeconfig context, or default)')
          .description('take a Longhorn snapshot of the volume behind a claim and wait until it is ready')
          .option('--name <name>', 'snapshot name (default: <pvc>-<UTC yyyymmddhhmmss>); a rerun with the same name changes nothing')
          .option('--label <key=value>', 'label stored with the snapshot; repeatable', collect),
      ),
      'the snapshot to be ready',
      '5m',
    )
      .addHelpText('after', examples('k8s-storage snapshot create postgres-pvc -n shop', 'k8s-storage snapshot create data --name before-upgrade --label reason=upgrade', 'k8s-storage snapshot create data --dry-run -o yaml'))
      .action(async (pvc: string, _o, cmd: Command) => {
        const { snapshotCreate } = await import('./commands/snapshot.js');
        await snapshotCreate(makeContext(cmd, rt), pvc, optsOf(cmd));
      });

    outputs(snapshot.command('list'), 'table', 'wide', 'json', 'yaml')
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
        snapshot
          .command('delete')
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
  if (rt.wants('backup')) {
    const backup = program
      .command('backup')
      .description('Longhorn backups of claims to an NFS or S3 store outside the cluster, and that store (the backup target)')
      .addHelpText('after', examples('k8s-storage backup target set nfs://192.168.1.100:/exports/backups', 'k8s-storage backup create postgres-pvc -n shop', 'k8s-storage backup list'));

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
        backup
          .command('create')
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

    outputs(backup.command('list'), 'table', 'wide', 'json', 'yaml')
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

  // ---- schedule ----
  if (rt.wants('schedule')) {
    const schedule = program
      .command('schedule')
      .description('recurring snapshots and backups with Longhorn RecurringJobs (instead of a CronJob: `longhorn-manager backup create` does not exist)')
      .addHelpText('after', examples('k8s-storage schedule create nightly --task backup --cron "0 2 * * *" --retain 7', 'k8s-storage schedule attach nightly postgres-pvc -n shop', 'k8s-storage schedule list'));

    dryRun(
      schedule
        .command('create')
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
      schedule
        .command('attach')
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
      schedule
        .command('detach')
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
      schedule
        .command('delete')
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
