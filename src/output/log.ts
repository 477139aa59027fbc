/**
 * Messages for people: always on stderr, so stdout stays data. Colour follows --no-color,
 * NO_COLOR and whether stderr is a terminal.
 */
import chalk from 'chalk';
import { stderr, type TextOut } from './stdio.js';

export interface LogOptions {
  quiet?: boolean;
  verbose?: boolean;
  color?: boolean;
}

export class Logger {
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly #wantsColor: boolean;
  #color: boolean | undefined;
  constructor(opts: LogOptions = {}, private readonly stream: TextOut & { readonly isTTY?: boolean } = stderr) {
    this.quiet = opts.quiet ?? false;
    this.verbose = opts.verbose ?? false;
    this.#wantsColor = opts.color !== false;
  }

  /**
   * Whether messages are coloured: not with --no-color or NO_COLOR, else when stderr is a
   * terminal or FORCE_COLOR is set. Decided on first use: asking whether stderr is a
   * terminal costs start-up time, and most runs (render) never print a message.
   */
  get color(): boolean {
    if (this.#color === undefined) {
      this.#color = this.#wantsColor && !process.env.NO_COLOR && (Boolean(process.env.FORCE_COLOR) || this.stream.isTTY === true);
      // Every chalk user follows the logger of the run (chalk's own detection is switched
      // off in the bundle, see scripts/bundle-options.mjs): basic colours, or none.
      chalk.level = this.#color ? 1 : 0;
    }
    return this.#color;
  }

  /** `text` in a colour, when messages are coloured. */
  private paint(style: (text: string) => string, text: string): string {
    return this.color ? style(text) : text;
  }

  write(text: string): void {
    this.stream.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Progress and results; silenced by --quiet. */
  info(text: string): void {
    if (!this.quiet) this.write(text);
  }

  success(text: string): void {
    if (!this.quiet) this.write(`${this.paint(chalk.green, '✓')} ${text}`);
  }

  /** Shown even with --quiet: a warning is something the operator must hear. */
  warn(text: string): void {
    this.write(`${this.paint(chalk.yellow, 'warning:')} ${text}`);
  }

  error(text: string): void {
    this.write(`${this.paint(chalk.red, 'error:')} ${text}`);
  }

  debug(text: string): void {
    if (this.verbose) this.write(this.paint(chalk.dim, text));
  }

  hint(text: string): void {
    this.write(`${this.paint(chalk.dim, 'hint:')} ${text}`);
  }
}
