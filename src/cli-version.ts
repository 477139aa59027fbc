/** Command definition for `version` (the CLI's own; `--version` prints the bare number). */
import type { Command } from 'commander';
import { examples, makeContext, outputs, type Runtime } from './cli-kit.js';

export function registerVersionCommand(program: Command, rt: Runtime): void {
  if (!rt.wants('version')) return;
  outputs(program.command('version'), 'text', 'json', 'yaml')
    .description('print the version, git commit, Node.js version and platform')
    .addHelpText('after', examples('k8s-storage version', 'k8s-storage version -o json'))
    .action(async (_o, cmd: Command) => {
      const { version } = await import('./commands/version.js');
      version(makeContext(cmd, rt));
    });
}
