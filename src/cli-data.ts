/**
 * Command definitions for day-2 data work on any backend: `backup data`, `restore data`,
 * `resize pvc`, `migrate pvc`. Declarations only: actions load src/commands/* on demand.
 * `backup data` joins the `backup` command the Longhorn file declares (when this run declares it).
 */
import type { Command } from 'commander';
import { longhornNames } from './backends/longhorn/resources.js';
import { CLAIMS, CLASSES, completes, examples, group, groupOf, makeContext, optsOf, outputs, type Runtime } from './cli-kit.js';

const DB_ENGINES = ['postgres', 'mysql', 'mariadb', 'mongodb'];

const podFlags = (cmd: Command) =>
  cmd
    .option('--image <ref>', 'image of the data pod: needs sh, tar, gzip, find, sha256sum [default: busybox:1.36]')
    .option('--timeout <duration>', 'how long the data pod may take to start', '5m')
    .option('--dry-run', 'print the plan (the pod and the commands it runs) and change nothing');

export function registerDataCommands(program: Command, rt: Runtime): void {
  const backup = groupOf(program, rt, 'backup');
  if (backup) {
    podFlags(
      outputs(completes(backup.command('data'), { pvc: CLAIMS }), '*')
        .argument('<pvc>', 'the PersistentVolumeClaim to archive (any backend)')
        .description('stream a gzip tar of a claim to a local file or stdout, through a short-lived pod and the API'),
    )
      .addHelpText(
        'after',
        '\n-o FILE names the archive (default: stdout). The bytes and sha256 of what was written are reported on stderr.\n' +
          'The claim is mounted read-only; if a pod uses it, the data pod runs on the same node and the archive may catch files mid-write.\n' +
          examples('k8s-storage backup data uploads -n web -o uploads.tar.gz', 'k8s-storage backup data uploads -n web > uploads.tar.gz', 'k8s-storage backup data uploads --dry-run'),
      )
      .action(async (pvc: string, _o, cmd: Command) => {
        const { backupData } = await import('./commands/data.js');
        await backupData(makeContext(cmd, rt), pvc, optsOf(cmd));
      });
  }

  if (backup) {
    completes(backup.command('delete'), { name: longhornNames('Backup') })
      .alias('rm')
      .argument('<name>', 'the backup, as backup list shows it')
      .description('delete a Longhorn backup: Longhorn removes it from the backup store too; asks for confirmation')
      .option('--yes', 'confirm without a prompt (needed when stdin is not a terminal)')
      .option('--timeout <duration>', 'how long to wait for Longhorn to remove it', '5m')
      .option('--dry-run', 'print the plan and change nothing')
      .addHelpText('after', examples('k8s-storage backup delete backup-1a2b3c4d5e6f7890', 'k8s-storage backup delete backup-1a2b3c4d5e6f7890 --yes'))
      .action(async (name: string, _o, cmd: Command) => {
        const { backupDelete } = await import('./backends/longhorn/commands/backup-delete.js');
        await backupDelete(makeContext(cmd, rt), name, optsOf(cmd));
      });
    outputs(completes(backup.command('db'), { engine: DB_ENGINES }), '*')
      .argument('<engine>', 'postgres, mysql, mariadb or mongodb')
      .argument('<workload>', 'the Deployment or StatefulSet running the database (an app kit)')
      .description("dump a database with its own tool (pg_dump, mysqldump, mongodump --archive) inside its pod; credentials from the kit's Secret, never on argv")
      .option('--database <name>', 'postgres: the database to dump [default: the user\'s]')
      .option('--secret <name>', 'the Secret with the password (key "password") [default: the one the pod\'s env names]')
      .option('--dry-run', 'print the command and change nothing')
      .addHelpText('after', '\n-o FILE names the dump (default: stdout).\n' + examples('k8s-storage backup db postgres postgres -n shop > shop.sql', 'k8s-storage backup db mongodb mongodb -o mongo.archive'))
      .action(async (engine: string, workload: string, _o, cmd: Command) => {
        const { backupDb } = await import('./commands/db.js');
        await backupDb(makeContext(cmd, rt), engine, workload, optsOf(cmd));
      });
  }

  const restore = group(program, rt, 'restore', 'bring data back: an archive made by backup data, a dump made by backup db');
  if (restore) {
    completes(restore.command('db'), { engine: DB_ENGINES, '--file': 'files' })
      .argument('<engine>', 'postgres, mysql, mariadb or mongodb')
      .argument('<workload>', 'the Deployment or StatefulSet running the database')
      .description('feed a dump (from backup db) back to the database inside its pod; asks for confirmation')
      .option('-f, --file <dump>', 'the dump (default: stdin)')
      .option('--database <name>', 'postgres: the database to restore into [default: the user\'s]')
      .option('--secret <name>', 'the Secret with the password (key "password")')
      .option('--yes', 'confirm without a prompt (needed when stdin is not a terminal)')
      .option('--dry-run', 'print the command and change nothing')
      .addHelpText('after', examples('k8s-storage restore db postgres postgres -n shop -f shop.sql --yes'))
      .action(async (engine: string, workload: string, _o, cmd: Command) => {
        const { restoreDb } = await import('./commands/db.js');
        await restoreDb(makeContext(cmd, rt), engine, workload, optsOf(cmd));
      });
    podFlags(
      completes(restore.command('data'), { pvc: CLAIMS, '--file': 'files' })
        .argument('<pvc>', 'the PersistentVolumeClaim to write into')
        .description('extract a gzip tar (from backup data) into a claim, through a short-lived pod; the archive is checked first')
        .option('-f, --file <archive>', 'the archive (default: stdin)')
        .option('--force', 'restore even though a pod uses the claim')
        .option('--clean', 'delete what the claim holds first, so it ends equal to the archive (asks for confirmation)')
        .option('--yes', 'confirm --clean without a prompt (needed when stdin is not a terminal)'),
    )
      .addHelpText(
        'after',
        '\nThe whole archive is read and checked (gzip, tar headers, no absolute or ".." names) before anything is written.\n' +
          examples('k8s-storage restore data uploads -n web -f uploads.tar.gz', 'k8s-storage restore data uploads -n web < uploads.tar.gz', 'k8s-storage restore data uploads -f uploads.tar.gz --clean --yes'),
      )
      .action(async (pvc: string, _o, cmd: Command) => {
        const { restoreData } = await import('./commands/data.js');
        await restoreData(makeContext(cmd, rt), pvc, optsOf(cmd));
      });
  }

  const resize = group(program, rt, 'resize', 'grow a claim (Kubernetes never shrinks one)');
  if (resize) {
    completes(resize.command('pvc'), { name: CLAIMS })
      .argument('<name>', 'the PersistentVolumeClaim')
      .description('grow a claim: refuses first what cannot work (shrink, unbound, no allowVolumeExpansion, hostpath, no room on Longhorn)')
      .option('--size <quantity>', 'the new size, e.g. 20Gi (required)')
      .option('--wait', 'wait through Resizing and FileSystemResizePending, and say when a pod must restart')
      .option('--timeout <duration>', 'how long --wait waits', '5m')
      .option('--dry-run', 'print the plan and change nothing')
      .addHelpText('after', examples('k8s-storage resize pvc postgres-pvc -n shop --size 20Gi --wait', 'k8s-storage resize pvc data --size 50Gi --dry-run'))
      .action(async (name: string, _o, cmd: Command) => {
        const { resizePvc } = await import('./commands/resize.js');
        await resizePvc(makeContext(cmd, rt), name, optsOf(cmd));
      });
  }

  const migrate = group(program, rt, 'migrate', 'move data between classes (hostpath -> Longhorn), resumable');
  if (migrate) {
    completes(migrate.command('pvc'), { name: CLAIMS, '--to-class': CLASSES })
      .argument('<name>', 'the PersistentVolumeClaim to move')
      .description('move a claim to another class: scale its workloads to 0, copy, verify, repoint, scale back; a rerun continues after the last finished step')
      .option('--to-class <class>', 'the StorageClass to move to (required)')
      .option('--size <quantity>', "size of the new claim [default: the old claim's]")
      .option('--keep-old', 'keep the old claim and its volume (Retain) (the default)')
      .option('--delete-old', 'delete the old claim and its volume at the end (asks for confirmation)')
      .option('--swap-names', 'keep the claim\'s name: copy to a temporary claim, then re-create the claim under its name on the new volume (workloads, StatefulSet claims included, need no change)')
      .option('--yes', 'confirm --delete-old without a prompt')
      .option('--image <ref>', 'image of the copy pod: rsync is used when it has it, else tar [default: busybox:1.36]')
      .option('--timeout <duration>', 'how long each wait may take', '10m')
      .option('--dry-run', 'print every step and change nothing')
      .addHelpText('after', '\nThe new claim is named <claim>-<class>; with --swap-names that is a temporary claim, and the claim keeps its name. Progress is kept in the annotation k8s-storage.io/migration on the old claim (with --swap-names, on the new PersistentVolume while no claim has the name).\n' + examples('k8s-storage migrate pvc postgres-pvc -n shop --to-class longhorn --dry-run', 'k8s-storage migrate pvc data-web-0 -n shop --to-class longhorn --swap-names', 'k8s-storage migrate pvc postgres-pvc -n shop --to-class longhorn --size 20Gi', 'k8s-storage migrate pvc postgres-pvc -n shop --to-class longhorn --delete-old --yes'))
      .action(async (name: string, _o, cmd: Command) => {
        const { migratePvc } = await import('./commands/migrate.js');
        await migratePvc(makeContext(cmd, rt), name, optsOf(cmd));
      });
  }
}
