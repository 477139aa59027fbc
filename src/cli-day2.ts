/** Command definitions for day-2 work: `diagnose`, `usage`, `verify`, `bench`, `dashboards`. */
import type { Command } from 'commander';
import { CLAIMS, CLASSES, completes, examples, group, makeContext, optsOf, outputs, type Runtime } from './cli-kit.js';

export function registerDay2Commands(program: Command, rt: Runtime): void {
  const diagnose = group(program, rt, 'diagnose', 'why a claim is Pending or a pod cannot mount its volume: the cause and the command that fixes it (exit 3 with findings)');
  if (diagnose) {
    for (const kind of ['pvc', 'pod'] as const) {
      outputs(completes(diagnose.command(kind), kind === 'pvc' ? { name: CLAIMS } : { name: { apiVersion: 'v1', kind: 'Pod', namespace: 'current' } }), 'table', 'json', 'yaml')
        .argument('<name>', kind === 'pvc' ? 'claim name' : 'pod name')
        .description(kind === 'pvc' ? 'diagnose a PersistentVolumeClaim: its class, provisioner, volume, pods and events' : 'diagnose the volumes of a pod: scheduling, attach and mount events, and each of its claims')
        .addHelpText('after', examples(`k8s-storage diagnose ${kind} data -n shop`, `k8s-storage diagnose ${kind} data -o json | jq .findings`))
        .action(async (name: string, _o, cmd: Command) => {
          const { diagnoseCommand } = await import('./commands/diagnose.js');
          await diagnoseCommand(makeContext(cmd, rt), kind, name);
        });
    }
  }

  if (rt.wants('usage')) {
    outputs(completes(program.command('usage'), { '--sort': ['used', 'percent', 'name'] }), 'table', 'wide', 'json', 'yaml')
      .description('used, available and capacity bytes of every claim, from the kubelet (hostpath: du on the node); exit 3 above --warn-percent')
      .option('-A, --all-namespaces', 'claims of every namespace')
      .option('--sort <key>', 'used, percent or name', 'name')
      .option('--unused', 'only claims no pod mounts (candidates for cleanup)')
      .option('--warn-percent <n>', 'exit 3 when a claim is fuller than this', '80')
      .option('--no-du', 'do not run du on the nodes for hostpath claims (no privileged pods)')
      .option('--image <ref>', 'image of the du pods; it needs sh and nsenter [default: busybox:1.36]')
      .option('--timeout <duration>', 'how long du may take on the nodes', '2m')
      .addHelpText('after', examples('k8s-storage usage -A', 'k8s-storage usage -n shop --sort percent', 'k8s-storage usage -A --unused', 'k8s-storage usage -A -o json | jq \'.claims[] | select(.percentUsed > 80)\''))
      .action(async (_o, cmd: Command) => {
        const { usage } = await import('./commands/usage.js');
        await usage(makeContext(cmd, rt), optsOf(cmd));
      });
  }

  if (rt.wants('verify')) {
    outputs(completes(program.command('verify'), { class: CLASSES }), 'table', 'json', 'yaml')
      .argument('<class>', 'StorageClass to test')
      .description("the resilience test: write a file on a claim of CLASS, delete the pod, read it back from a new pod (on another node when the data can follow); exit 3 when it fails")
      .option('--size <quantity>', 'size of the test claim', '1Gi')
      .option('--keep', 'keep the claim and pods afterwards (to inspect them)')
      .option('--timeout <duration>', 'how long each step may take', '5m')
      .option('--image <ref>', 'image of the test pods; it needs sh, head, sha256sum [default: busybox:1.36]')
      .addHelpText('after', examples('k8s-storage verify longhorn', 'k8s-storage verify microk8s-hostpath -n scratch', 'k8s-storage verify nfs --size 100Mi -o json'))
      .action(async (className: string, _o, cmd: Command) => {
        const { verify } = await import('./commands/verify.js');
        await verify(makeContext(cmd, rt), className, optsOf(cmd));
      });
  }

  if (rt.wants('bench')) {
    outputs(completes(program.command('bench'), { class: CLASSES, '--compare': CLASSES, '--profile': ['default', 'quick', 'randrw'] }), 'table', 'json', 'yaml')
      .argument('<class>', 'StorageClass to measure')
      .description("fio on a fresh claim of CLASS: kubestr's four jobs with p50/p99 latency; --compare runs a second class and prints the ratios")
      .option('--size <quantity>', 'size of the test claim (refused before anything is made when the class cannot hold it)', '4Gi')
      .option('--profile <name>', 'default (4K/128K random read and write), quick (the two 4K jobs) or randrw (75% reads)', 'default')
      .option('--runtime <duration>', 'how long each fio job runs, after a 2s ramp', '15s')
      .option('--compare <class>', 'also measure this class and print second/first ratios')
      .option('--image <ref>', `image with fio [default: ghcr.io/kastenhq/kubestr:latest]`)
      .option('--timeout <duration>', 'how long one run may take, claim binding and image pull included', '10m')
      .addHelpText('after', examples('k8s-storage bench longhorn --size 2Gi', 'k8s-storage bench microk8s-hostpath --compare longhorn --profile quick', 'k8s-storage bench nfs -o json | jq .runs[0].result.jobs'))
      .action(async (className: string, _o, cmd: Command) => {
        const { bench } = await import('./commands/bench.js');
        await bench(makeContext(cmd, rt), className, optsOf(cmd));
      });
  }

  if (rt.wants('dashboards')) {
    outputs(completes(program.command('dashboards'), { name: ['longhorn'] }), 'json')
      .argument('<name>', 'longhorn')
      .description('print a Grafana dashboard (JSON) for a backend: Longhorn volume robustness, capacity per node and disk, IOPS, throughput, latency, last backup')
      .addHelpText('after', examples('k8s-storage dashboards longhorn > longhorn.json   # Grafana: Dashboards > New > Import'))
      .action(async (name: string, _o, cmd: Command) => {
        const { dashboards } = await import('./commands/dashboards.js');
        dashboards(makeContext(cmd, rt), name);
      });
  }
}
