/**
 * Step progress on stderr: an ora spinner when stderr is a terminal, plain lines when it
 * is not (CI logs, pipes), nothing with --quiet.
 */
import { loadVendor } from '../cluster/load-vendor.js';
import { colors, paint, type Logger } from './log.js';
import { stderr } from './stdio.js';

export interface Progress {
  start(title: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  /** Updates the running step's text (for example what a wait is still waiting for). */
  update(text: string): void;
}

export async function createProgress(log: Logger): Promise<Progress> {
  const tty = stderr.isTTY;
  if (log.quiet) return { start() {}, succeed() {}, fail: (t) => log.error(t), update() {} };
  if (!tty) {
    return {
      start: (t) => log.info(`… ${t}`),
      succeed: (t) => log.success(t),
      fail: (t) => log.error(t),
      update() {},
    };
  }
  const ora = await (await loadVendor()).loadOra();
  let spinner: ReturnType<typeof ora> | undefined;
  return {
    start(t) {
      spinner = ora({ text: t, stream: stderr.stream(), discardStdin: false, color: log.color ? 'cyan' : false as never }).start();
    },
    // Our own marks, coloured when the logger's messages are: ora's come from log-symbols, which
    // colours them by its own detection and so ignores --no-color.
    succeed(t) {
      spinner?.stopAndPersist({ symbol: paint(log.color, colors.green, '✔'), text: t });
      spinner = undefined;
    },
    fail(t) {
      spinner?.stopAndPersist({ symbol: paint(log.color, colors.red, '✖'), text: t });
      spinner = undefined;
    },
    update(t) {
      if (spinner) spinner.text = t;
    },
  };
}
