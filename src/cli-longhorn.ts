/** Command definitions for Longhorn: install/uninstall, values, UI, snapshots, backups, schedules. */
import { Option, type Command } from 'commander';
import { collect, examples, keepUnsetNegatable, makeContext, optsOf, outputs, type Runtime } from './cli-kit.js';
import { registerLonghornDataCommands } from './cli-longhorn-data.js';

/** The parents, when this run declares them (see Runtime.wants). */
export interface ParentCommands {
  install?: Command | undefined;
  uninstall?: Command | undefined;
  render?: Command | undefined;
}

/** The values flags `install longhorn` and `render longhorn-values` share. */
function addValueOptions(cmd: Command): Command {
  const group = (o: Option, g: string) => o.helpGroup(g);
  const values = 'Chart values:';
  const ui = 'Longhorn UI:';
  return cmd
    .addOption(group(new Option('--replicas <n>', 'replicas per volume of the longhorn class (capped at the node count) [default: 3]'), values))
    .addOption(group(new Option('--default-class', 'make longhorn the default StorageClass (the others stop being one)'), values))
    .addOption(group(new Option('--no-default-class', 'do not make longhorn the default StorageClass'), values))
    .addOption(group(new Option('--data-path <path>', 'where Longhorn keeps volume data on every node [default: /var/lib/longhorn/]'), values))
    .addOption(group(new Option('--reclaim-policy <policy>', 'Delete or Retain for the longhorn class (Retain keeps the volume when its claim is deleted)'), values))
    .addOption(group(new Option('--fs-type <type>', 'ext4 or xfs [default: ext4]'), values))
    .addOption(group(new Option('--data-locality <mode>', 'disabled, best-effort or strict-local (needs --replicas 1)'), values))
    .addOption(group(new Option('--backup-target <url>', 's3://bucket@region/path/, nfs://host:/path, cifs://host/share, azblob://...'), values))
    .addOption(group(new Option('--backup-credentials-secret <name>', 'Secret in longhorn-system with the backup store credentials'), values))
    .addOption(group(new Option('-f, --values <file>', 'your own values file, merged over ours (yours win); repeatable').argParser(collect), values))
    .addOption(group(new Option('--set <key=value>', 'a value in Helm --set syntax, applied last; repeatable').argParser(collect), values))
    .addOption(group(new Option('--ui <mode>', 'how the UI is reached: port-forward, nodeport, loadbalancer or ingress [default: port-forward]'), ui))
    .addOption(group(new Option('--host <name>', 'DNS name of the UI (with --ui ingress)'), ui))
    .addOption(group(new Option('--ingress-class <name>', 'IngressClass of the UI Ingress [default: nginx]'), ui))
    .addOption(group(new Option('--auth-secret <name>', 'Secret holding the UI login [default: longhorn-ui-auth]'), ui));
}

export function registerLonghornCommands(program: Command, rt: Runtime, parents: ParentCommands): void {
  const { install, uninstall, render } = parents;

  if (install) {
    addValueOptions(
      install
        .command('longhorn')
        .description('install Longhorn (replicated block storage) with Helm, then wait until volumes can be made')
        .option('--version <version>', 'chart version [default: 1.12.1; on a rerun, the installed one]')
        .option('--chart <ref>', 'chart to install: a local directory or .tgz (air-gapped), REPO/CHART, or oci:// [default: longhorn/longhorn from https://charts.longhorn.io]'),
    )
      .addOption(new Option('--ui-user <name>', 'user of the UI login [default: admin]').helpGroup('Longhorn UI:'))
      .addOption(new Option('--password-stdin', 'read the UI login password from stdin (default: a generated one, printed once)').helpGroup('Longhorn UI:'))
      .option('--microk8s', 'treat the cluster as MicroK8s (default: detected from its nodes)')
      .option('--no-microk8s', 'treat the cluster as not MicroK8s (no MicroK8s kubelet path)')
      .option('--timeout <duration>', 'how long Helm, and each wait for a Longhorn workload, may take', '10m')
      .option('--no-wait', 'return once Helm has applied the chart, without waiting for Longhorn to be ready')
      .option('--skip-preflight', 'do not check the nodes for Longhorn\'s prerequisites first')
      .option('--dry-run', 'print the Helm command, the values and the plan; change nothing (-o json for machines)')
      .addHelpText(
        'after',
        '\nThe chart\'s own StorageClass "longhorn" is managed through the values: Longhorn resets hand edits to it.\n' +
          'Rerun install longhorn with other flags to change it (it upgrades in place), or add classes with\n' +
          '`k8s-storage apply storageclass longhorn --name NAME ...`. install longhorn touches no other class,\n' +
          'except that --default-class takes the default flag from the others.\n' +
          examples(
            'k8s-storage install longhorn',
            'k8s-storage install longhorn --replicas 2 --default-class --reclaim-policy Retain',
            'k8s-storage install longhorn --ui ingress --host longhorn.example.com',
            'printf %s "$PASSWORD" | k8s-storage install longhorn --ui ingress --host longhorn.example.com --password-stdin',
            'k8s-storage install longhorn --chart ./longhorn-1.12.1.tgz -f my-values.yaml   # air-gapped',
            'k8s-storage install longhorn --dry-run -o json',
          ),
      )
      .action(async (_o, cmd: Command) => {
        const { installLonghorn } = await import('./commands/longhorn-install.js');
        await installLonghorn(makeContext(cmd, rt), keepUnsetNegatable(cmd, optsOf(cmd), 'defaultClass', 'microk8s'));
      });
  }

  if (uninstall) {
    uninstall
      .command('longhorn')
      .description('remove Longhorn: refuses while it holds volumes unless --force; asks for confirmation')
      .option('--force', 'uninstall even though Longhorn volumes or claims exist (their data is deleted)')
      .option('--yes', 'confirm without a prompt (needed when stdin is not a terminal)')
      .option('--timeout <duration>', 'how long helm uninstall, and each wait, may take', '10m')
      .option('--dry-run', 'print the plan and change nothing')
      .addHelpText(
        'after',
        '\nOrder: set Longhorn\'s deleting-confirmation-flag, helm uninstall (its uninstall job removes volumes and\n' +
          'custom resources), then delete the namespace. The CRDs are never deleted by hand.\n' +
          examples('k8s-storage uninstall longhorn', 'k8s-storage uninstall longhorn --yes   # in scripts', 'k8s-storage uninstall longhorn --force --yes   # deletes every Longhorn volume', 'k8s-storage uninstall longhorn --dry-run'),
      )
      .action(async (_o, cmd: Command) => {
        const { uninstallLonghorn } = await import('./commands/longhorn-uninstall.js');
        await uninstallLonghorn(makeContext(cmd, rt), optsOf(cmd));
      });
  }

  if (render) {
    addValueOptions(
      outputs(render.command('longhorn-values'), 'yaml', 'json')
        .description('print the Helm values install longhorn would use, offline (for Argo CD, Flux, reviews)')
        .option('--nodes <n>', 'nodes of the target cluster, to cap the replica count (default: no cap)')
        .option('--microk8s', 'the cluster is MicroK8s: set its kubelet root dir (the default)')
        .option('--no-microk8s', 'the cluster is not MicroK8s: let Longhorn detect the kubelet root dir')
        .option('--version <version>', 'chart version named in the header [default: 1.12.1]')
        .option('--gitops', 'for GitOps tools that cannot run Helm hooks: preUpgradeChecker.jobEnabled=false'),
    )
      .addHelpText(
        'after',
        examples(
          'k8s-storage render longhorn-values --nodes 3 > longhorn-values.yaml',
          'k8s-storage render longhorn-values --nodes 2 --default-class --gitops -f mine.yaml',
          'k8s-storage render longhorn-values --no-microk8s -o json',
        ),
      )
      .action(async (_o, cmd: Command) => {
        const { renderLonghornValues } = await import('./commands/longhorn-values.js');
        await renderLonghornValues(makeContext(cmd, rt), keepUnsetNegatable(cmd, optsOf(cmd), 'defaultClass', 'microk8s'));
      });
  }

  if (rt.wants('ui')) {
    program
      .command('ui')
      .description('open the Longhorn UI on a local port (port-forward to Service longhorn-frontend) until Ctrl-C')
      .option('--port <port>', 'local port (0 picks a free one)', '8080')
      .option('--address <address>', 'local address to listen on', '127.0.0.1')
      .addHelpText('after', '\nPrints the URL on stdout. Ctrl-C stops it (exit 0).\n' + examples('k8s-storage ui', 'k8s-storage ui --port 9000', 'xdg-open "$(k8s-storage ui --port 0 | head -1)"'))
      .action(async (_o, cmd: Command) => {
        const { longhornUi } = await import('./commands/longhorn-ui.js');
        await longhornUi(makeContext(cmd, rt), optsOf(cmd));
      });
  }

  registerLonghornDataCommands(program, rt);
}
