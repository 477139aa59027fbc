/**
 * The typed confirmation before Rook's cleanup wipes the disks: on a terminal the user types
 * the cluster's name; without one, --yes-really-destroy-data (Rook's own words) is required.
 */
import { createInterface } from 'node:readline/promises';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';

export async function confirmByName(ctx: Context, o: { name: string; what: string; confirmed: boolean }): Promise<void> {
  if (o.confirmed) return;
  if (!ctx.stdinIsTTY) {
    throw new UsageError(`${o.what}: refusing without the typed confirmation, and stdin is not a terminal to ask on.`, { hint: 'add --yes-really-destroy-data to confirm in a script' });
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${o.what}. This cannot be undone. Type the cluster's name (${o.name}) to continue: `);
    if (answer.trim() !== o.name) throw new UsageError(`not confirmed ("${answer.trim()}" is not ${o.name}): nothing was changed.`);
  } finally {
    rl.close();
  }
}
