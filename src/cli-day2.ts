/** Command definitions for day-2 work: `diagnose`, `usage`, `verify`, `bench`, `dashboards`. */
import type { Command } from 'commander';
import { examples, makeContext, type Runtime } from './cli-kit.js';

export function registerDay2Commands(program: Command, rt: Runtime): void {
  if (rt.wants('diagnose')) {
    const diagnose = program.command('diagnose').description('why a claim is Pending or a pod cannot mount its volume: the cause and the command that fixes it (exit 3 with findings)');
    for (const kind of ['pvc', 'pod'] as const) {
      diagnose
        .command(kind)
        .argument('<name>', kind === 'pvc' ? 'claim name' : 'pod name')
        .description(kind === 'pvc' ? 'diagnose a PersistentVolumeClaim: its class, provisioner, volume, pods and events' : 'diagnose the volumes of a pod: scheduling, attach and mount events, and each of its claims')
        .addHelpText('after', examples(`k8s-storage diagnose ${kind} data -n shop`, `k8s-storage diagnose ${kind} data -o json | jq .findings`))
        .action(async (name: string, _o, cmd: Command) => {
          const { diagnoseCommand } = await import('./commands/diagnose.js');
          await diagnoseCommand(makeContext(cmd, rt), kind, name);
        });
    }
  }
}
