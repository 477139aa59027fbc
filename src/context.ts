/**
 * What every command receives: the global flags, a logger for stderr, a writer for
 * stdout, and the signal that Ctrl-C aborts. Built once in cli.ts.
 */
import type { Backend } from './backends/types.js';
import type { Logger } from './output/log.js';
import type { OutputFormat, TableOptions } from './output/print.js';
import { UsageError } from './errors.js';

export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  output?: string;
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export interface Context {
  readonly global: GlobalOptions;
  readonly log: Logger;
  /** Writes data to stdout. Nothing else writes there. */
  readonly out: (text: string) => void;
  /** Aborted on Ctrl-C: long steps listen to it and stop cleanly. */
  readonly signal: AbortSignal;
  readonly stdinIsTTY: boolean;
  readonly stdoutIsTTY: boolean;
  /** Whether data on stdout may carry colours: messages are coloured and stdout is a terminal. */
  readonly colorOut: boolean;
  /** How tables print (--no-headers): commands hand it to their table printer. */
  readonly table: TableOptions;
  /** The backends of this run: the registry, or the one a test built the program with. */
  readonly backends: readonly Backend[];
  readStdin(): Promise<string>;
}

/** The -o value for this command, checked against the formats it supports. */
export function outputFormat<F extends OutputFormat>(ctx: Context, allowed: readonly F[], fallback: F): F {
  const wanted = ctx.global.output;
  if (wanted === undefined) return fallback;
  const found = allowed.find((f) => f === wanted.toLowerCase());
  if (!found) throw new UsageError(`-o ${wanted}: this command prints ${allowed.join(', ')}`);
  return found;
}
