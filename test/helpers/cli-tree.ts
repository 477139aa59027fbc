/** The whole command tree (every command declared, as for help), for tests that walk it. */
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli.js';
import { Logger } from '../../src/output/log.js';

/** Every command and subcommand with its path (`backup target show`). */
export function allCommands(): { path: string; cmd: Command }[] {
  const walk = (cmd: Command, path: string[]): { path: string; cmd: Command }[] =>
    cmd.commands.flatMap((c) => [{ path: [...path, c.name()].join(' '), cmd: c }, ...walk(c, [...path, c.name()])]);
  return walk(buildProgram({ log: new Logger(), controller: new AbortController(), wants: () => true }, ['node', 'k8s-storage']), []);
}
