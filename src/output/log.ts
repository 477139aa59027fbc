/**
 * Messages for people: always on stderr, so stdout stays data. Colour follows --no-color,
 * NO_COLOR and whether stderr is a terminal.
 */
import chalk from 'chalk';
import { stderr, type TextOut } from './stdio.js';

/** `text` in `style` when colours are `on`, else as it is (chalk's level is the logger's: see Logger.color). */
export const paint = (on: boolean, style: (text: string) => string, text: string): string => (on ? style(text) : text);

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

  write(text: string): void {
    this.stream.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Progress and results; silenced by --quiet. */
  info(text: string): void {
    if (!this.quiet) this.write(text);
  }

  success(text: string): void {
    if (!this.quiet) this.write(`${paint(this.color, chalk.green, '✓')} ${text}`);
  }

  /** Shown even with --quiet: a warning is something the operator must hear. */
  warn(text: string): void {
    this.write(`${paint(this.color, chalk.yellow, 'warning:')} ${text}`);
  }

  error(text: string): void {
    this.write(`${paint(this.color, chalk.red, 'error:')} ${text}`);
  }

  debug(text: string): void {
    if (this.verbose) this.write(paint(this.color, chalk.dim, text));
  }

  hint(text: string): void {
    this.write(`${paint(this.color, chalk.dim, 'hint:')} ${text}`);
  }
}
