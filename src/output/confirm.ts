/**
 * Confirmation before destroying data: an interactive question on a terminal, `--yes`
 * otherwise. Without either, nothing is destroyed.
 */
import { createInterface } from 'node:readline/promises';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';

export async function confirmDestruction(ctx: Context, what: string, opts: { yes?: boolean; flag: string }): Promise<void> {
  if (opts.yes) return;
  if (!ctx.stdinIsTTY) {
    throw new UsageError(`${what}: refusing without confirmation, and stdin is not a terminal to ask on.`, { hint: `add --yes to ${opts.flag} to confirm` });
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${what}. Type "yes" to continue: `);
    if (answer.trim().toLowerCase() !== 'yes') throw new UsageError('not confirmed: nothing was changed.');
  } finally {
    rl.close();
  }
}
