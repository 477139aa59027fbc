/**
 * `completion bash|zsh|fish`: prints the script for the shell. The scripts ask `__complete`
 * on every TAB (src/completion/), so what they offer is always what this build knows.
 */
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { SCRIPTS } from '../completion/scripts.js';

export function completion(ctx: Context, shell: string): void {
  const script = SCRIPTS[shell];
  if (!script) throw new UsageError(`completion: "${shell}" is not a supported shell; use ${Object.keys(SCRIPTS).join(', ')}`);
  ctx.out(script);
}
