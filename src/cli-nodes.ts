/** Command definitions for node preparation and diagnosis: `nodes check|prepare`, `doctor`. */
import type { Command } from 'commander';
import { collect, completes, examples, group, makeContext, optsOf, outputs, type Runtime } from './cli-kit.js';
import { nodeTargets } from './backends/index.js';
import { DEFAULT_AGENT_IMAGE } from './nodes/options.js';

function nodeRunOptions(cmd: Command, rt: Runtime): Command {
  const targets = nodeTargets(rt.backends).map((t) => t.id);
  return completes(cmd, { '--for': targets, '--node': { apiVersion: 'v1', kind: 'Node' } })
    .option('--for <backend>', `what the nodes must be ready for: ${targets.slice(0, -1).join(', ')}${targets.length > 1 ? ' or ' : ''}${targets.at(-1) ?? ''}`, targets[0])
    .option('--node <name>', 'only this node; repeatable (default: every Linux node)', collect)
    .option('--node-selector <key=value>', 'only nodes with this label; repeatable', collect)
    .option('--local', 'run on this machine instead of through the cluster (single-node MicroK8s; no cluster needed)')
    .option('--image <ref>', `image of the agent pods; it needs sh and nsenter (air-gapped clusters: your registry's copy) [default: ${DEFAULT_AGENT_IMAGE}]`)
    .option('--timeout <duration>', 'how long to wait for every node to report', '5m')
    .option('--data-path <path>', 'where the disk check measures free space (default: /var/lib/longhorn for longhorn)')
    .option('--min-disk-gib <n>', 'minimum free disk at the data path, in GiB [default: 10]')
    .option('--min-mem-gib <n>', 'minimum available memory, in GiB [default: 2]')
    .option('--dry-run', 'print the DaemonSet and ConfigMap (or the local command) and the per-node command; change nothing');
}

export function registerNodeCommands(program: Command, rt: Runtime): void {
  const nodes = group(program, rt, 'nodes', 'check nodes for Longhorn, NFS or hostpath storage, and prepare them (packages, iscsid, kernel modules)');
  if (nodes) {

    nodeRunOptions(outputs(nodes.command('check'), 'table', 'json', 'yaml'), rt)
      .description('report, per node, what Longhorn/NFS/hostpath storage needs and what is missing (exit 3 when a node is not ready)')
      .addHelpText(
        'after',
        examples(
          'k8s-storage nodes check',
          'k8s-storage nodes check --for nfs -o json | jq .summary',
          'k8s-storage nodes check --node worker-1 --node worker-2',
          'k8s-storage nodes check --local --for hostpath',
          'k8s-storage nodes check --image registry.local/busybox:1.36 --dry-run',
        ),
      )
      .action(async (_o, cmd: Command) => {
        const { nodesCommand } = await import('./commands/nodes.js');
        await nodesCommand(makeContext(cmd, rt), 'check', optsOf(cmd));
      });

    nodeRunOptions(outputs(nodes.command('prepare'), 'table', 'json', 'yaml'), rt)
      .description('install exactly the missing packages, enable iscsid, load and persist kernel modules (never upgrades, never reboots), then report')
      .addHelpText(
        'after',
        examples(
          'k8s-storage nodes prepare',
          'k8s-storage nodes prepare --for nfs --node-selector node-role.kubernetes.io/worker=',
          'sudo k8s-storage nodes prepare --local',
          'k8s-storage nodes prepare --timeout 15m -o json',
        ),
      )
      .action(async (_o, cmd: Command) => {
        const { nodesCommand } = await import('./commands/nodes.js');
        await nodesCommand(makeContext(cmd, rt), 'prepare', optsOf(cmd));
      });
  }

  if (rt.wants('doctor')) {
    outputs(program.command('doctor'), 'table', 'json', 'yaml')
      .description('the whole storage picture: MicroK8s, default classes, backends, claims and nodes; each problem with the command that fixes it')
      .option('--skip-nodes', 'do not run the node check (no DaemonSet is created)')
      .option('--image <ref>', `image of the node agent pods [default: ${DEFAULT_AGENT_IMAGE}]`)
      .option('--timeout <duration>', 'how long the node check waits for every node', '2m')
      .addHelpText('after', examples('k8s-storage doctor', 'k8s-storage doctor --skip-nodes -o json | jq .findings'))
      .action(async (_o, cmd: Command) => {
        const { doctor } = await import('./commands/doctor.js');
        await doctor(makeContext(cmd, rt), optsOf(cmd));
      });
  }
}
