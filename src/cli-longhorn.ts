/** Command definitions for Longhorn: install/uninstall, values, UI, snapshots, backups, schedules. */
import type { Command } from 'commander';
import type { Runtime } from './cli-kit.js';
import { registerLonghornDataCommands } from './cli-longhorn-data.js';

export interface ParentCommands {
  install: Command;
  uninstall: Command;
  render: Command;
}

export function registerLonghornCommands(program: Command, rt: Runtime, _parents: ParentCommands): void {
  // install/uninstall/render/ui registrations: filled in by the Longhorn install work (issue 5).
  registerLonghornDataCommands(program, rt);
}
