/**
 * Messages for people: always on stderr, so stdout stays data. Colour follows --no-color,
 * NO_COLOR and whether stderr is a terminal.
 */
import chalk from 'chalk';

export interface LogOptions {
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean;
}

export class Logger {
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly color: boolean;
  constructor(opts: LogOptions = {}, private readonly stream: NodeJS.WritableStream = process.stderr) {
    this.quiet = opts.quiet ?? false;
    this.verbose = opts.verbose ?? false;
    const tty = (stream as { isTTY?: boolean }).isTTY === true;
    this.color = opts.color !== false && !process.env.NO_COLOR && (tty || Boolean(process.env.FORCE_COLOR));
    chalk.level = this.color ? (chalk.level || 1) : 0;
  }

  write(text: string): void {
    this.stream.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Progress and results; silenced by --quiet. */
  info(text: string): void {
    if (!this.quiet) this.write(text);
  }

  success(text: string): void {
    if (!this.quiet) this.write(`${chalk.green('✓')} ${text}`);
  }

  /** Shown even with --quiet: a warning is something the operator must hear. */
  warn(text: string): void {
    this.write(`${chalk.yellow('warning:')} ${text}`);
  }

  error(text: string): void {
    this.write(`${chalk.red('error:')} ${text}`);
  }

  debug(text: string): void {
    if (this.verbose) this.write(chalk.dim(text));
  }

  hint(text: string): void {
    this.write(`${chalk.dim('hint:')} ${text}`);
  }
}
