/**
 * `--local`: the agent on this machine, as a command (data) and what sudo's answers mean.
 * `prepare` changes the host, so a non-root user goes through `sudo -n`: never a password
 * prompt hidden behind a spinner; if sudo wants one, say so and how to give it.
 */
import { ClusterError } from '../errors.js';
import type { ToolCommand, ToolResult } from '../cluster/runner.js';
import type { AgentMode } from './types.js';

export function localAgentCommand(scriptPath: string, agentArgs: string[], opts: { mode: AgentMode; isRoot: boolean }): ToolCommand {
  if (opts.mode === 'prepare' && !opts.isRoot) return { file: 'sudo', args: ['-n', 'sh', scriptPath, ...agentArgs] };
  return { file: 'sh', args: [scriptPath, ...agentArgs] };
}

/** A sudo failure (as opposed to an agent result), with the way around it. */
export function sudoProblem(cmd: ToolCommand, r: ToolResult, rerun: string): ClusterError | undefined {
  if (cmd.file !== 'sudo') return undefined;
  if (r.notFound) {
    return new ClusterError('prepare changes this machine and needs root, but sudo is not installed.', { hint: `run it as root: ${rerun}` });
  }
  // The agent never prints these; sudo does, before the agent starts.
  if (/a password is required|a terminal is required|askpass/i.test(r.stderr)) {
    return new ClusterError('prepare needs root, and sudo asks for a password: k8s-storage runs sudo -n and never prompts.', {
      hint: `run "sudo -v" first and rerun within sudo's timeout, or run: sudo ${rerun}`,
    });
  }
  if (/not in the sudoers file|is not allowed to execute|may not run sudo/i.test(r.stderr)) {
    return new ClusterError(`prepare needs root, and sudo refused: ${r.stderr.trim().split('\n').at(-1)}`, { hint: `ask an administrator to run: sudo ${rerun}` });
  }
  return undefined;
}
