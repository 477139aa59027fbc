/** Command definitions for Longhorn data commands: snapshots, backups, schedules (filled in by the data-commands work). */
import type { Command } from 'commander';
import type { Runtime } from './cli-kit.js';

export function registerLonghornDataCommands(_program: Command, _rt: Runtime): void {
  // Filled in by the Longhorn data-commands work (snapshots, backups, schedules).
}
