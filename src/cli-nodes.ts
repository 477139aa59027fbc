/** Command definitions for node preparation and diagnosis: `nodes check|prepare`, `doctor`. */
import type { Command } from 'commander';
import type { Runtime } from './cli-kit.js';

export function registerNodeCommands(_program: Command, _rt: Runtime): void {
  // Filled in by the node preparation work (issue 4).
}
