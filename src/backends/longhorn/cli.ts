/** Command definitions of Longhorn's own commands: render longhorn-values, ui, snapshots, backups, schedules (install/uninstall come from options.ts through the registry). */
import type { Command } from 'commander';
import { addOptionSpecs, examples, keepUnsetNegatable, makeContext, optsOf, outputs, type Runtime } from '../../cli-kit.js';
import { LONGHORN_VALUE_OPTIONS } from './options.js';
import { registerLonghornDataCommands } from './cli-data.js';

/** The parents, when this run declares them (see Runtime.wants). */
export interface ParentCommands {
  install?: Command | undefined;
  uninstall?: Command | undefined;
  render?: Command | undefined;
}

function addValueOptions(cmd: Command): Command {
  return addOptionSpecs(cmd, LONGHORN_VALUE_OPTIONS);
}

export function registerLonghornCommands(program: Command, rt: Runtime, parents: ParentCommands): void {
  const { render } = parents;

  if (render) {
    addValueOptions(
      outputs(render.command('longhorn-values'), 'yaml', 'json')
        .description('print the Helm values install longhorn would use, offline (for Argo CD, Flux, reviews)')
        .option('--nodes <n>', 'nodes of the target cluster, to cap the replica count (default: no cap)')
        .option('--microk8s', 'the cluster is MicroK8s: set its kubelet root dir (the default)')
        .option('--no-microk8s', 'the cluster is not MicroK8s: let Longhorn detect the kubelet root dir')
        .option('--version <version>', 'chart version named in the header [default: 1.12.1]')
        .option('--gitops', 'for GitOps tools that cannot run Helm hooks: preUpgradeChecker.jobEnabled=false')
        .option('--monitoring', "turn on the chart's ServiceMonitor for the MicroK8s observability addon's Prometheus (label release: kube-prom-stack), as install longhorn --monitoring does"),
    )
      .addHelpText(
        'after',
        examples(
          'k8s-storage render longhorn-values --nodes 3 > longhorn-values.yaml',
          'k8s-storage render longhorn-values --nodes 2 --default-class --gitops -f mine.yaml',
          'k8s-storage render longhorn-values --no-microk8s -o json',
          'k8s-storage render longhorn-values --nodes 3 --monitoring > longhorn-values.yaml',
        ),
      )
      .action(async (_o, cmd: Command) => {
        const { renderLonghornValues } = await import('./commands/values.js');
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
        const { longhornUi } = await import('./commands/ui.js');
        await longhornUi(makeContext(cmd, rt), optsOf(cmd));
      });
  }

  registerLonghornDataCommands(program, rt);
}
