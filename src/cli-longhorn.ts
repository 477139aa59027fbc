/** Command definitions for Longhorn: install/uninstall, values, UI, snapshots, backups, schedules. */
import type { Command } from 'commander';
import type { Runtime } from './cli-kit.js';

export interface ParentCommands {
  install: Command;
  uninstall: Command;
  render: Command;
}

export function registerLonghornCommands(_program: Command, _rt: Runtime, _parents: ParentCommands): void {
  // Filled in by the Longhorn work (issue 5).
}
