/**
 * The one place that runs external programs. Adapters describe a command as data
 * ({ file, args, stdin }); dry runs and --verbose print that same data. No shell strings.
 */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { Interrupted } from '../errors.js';
import { loadTools } from './load-vendor.js';

export interface ToolCommand {
  file: string;
  args: string[];
  /** Text written to the program's stdin (then closed); stdin is empty otherwise. */
  stdin?: string;
  env?: Record<string, string>;
}

export interface ToolResult {
  /** 127 when the program is not installed, like a shell would say. */
  exitCode: number;
  stdout: string;
  stderr: string;
  notFound: boolean;
}

export interface RunOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** How a command reads in logs and dry runs: argv joined, quoting what needs it. */
export function describeCommand(cmd: ToolCommand): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [cmd.file, ...cmd.args].map(quote).join(' ');
}

export async function runTool(cmd: ToolCommand, opts: RunOptions = {}): Promise<ToolResult> {
  const { execa } = await loadTools();
  if (opts.signal?.aborted) throw new Interrupted(`interrupted before running ${cmd.file}`);
  const result = await execa(cmd.file, cmd.args, {
    reject: false,
    input: cmd.stdin ?? '',
    ...(cmd.env ? { env: cmd.env } : {}),
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
    ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
    stripFinalNewline: false,
  });
  if (result.isCanceled) throw new Interrupted(`interrupted while running ${describeCommand(cmd)}`);
  const notFound = (result as { code?: string }).code === 'ENOENT';
  return {
    exitCode: notFound ? 127 : (result.exitCode ?? 1),
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    notFound,
  };
}

/** Whether a program is on PATH, without running it (synchronous: it is a few stat calls). */
export function onPath(file: string, path = process.env.PATH ?? ''): boolean {
  return path.split(':').filter(Boolean).some((dir) => {
    try {
      accessSync(join(dir, file), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
