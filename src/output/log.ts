/**
 * Messages for people: always on stderr, so stdout stays data. Colour follows --no-color,
 * NO_COLOR and whether stderr is a terminal.
 */
import { Chalk } from 'chalk';
import { stderr, type TextOut } from './stdio.js';

/**
 * The styles every message and table uses: basic ANSI colours, applied only through paint(),
 * whose caller says whether colours are on (Logger.color, Context.colorOut). chalk's default
 * instance is not used: its own detection is switched off in the bundle (it loads tty), and
 * setting its global level from here made colour depend on which logger was asked first.
 */
export const colors = new Chalk({ level: 1 });

/** `text` in `style` when colours are `on`, else as it is. */
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
  constructor(opts: LogOptions = {}, private readonly stream: TextOut = stderr) {
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
    if (!this.quiet) this.write(`${paint(this.color, colors.green, '✓')} ${text}`);
  }

  /** Shown even with --quiet: a warning is something the operator must hear. */
  warn(text: string): void {
    this.write(`${paint(this.color, colors.yellow, 'warning:')} ${text}`);
  }

  error(text: string): void {
    this.write(`${paint(this.color, colors.red, 'error:')} ${text}`);
  }

  debug(text: string): void {
    if (this.verbose) this.write(paint(this.color, colors.dim, text));
  }

  hint(text: string): void {
    this.write(`${paint(this.color, colors.dim, 'hint:')} ${text}`);
  }
}
