/**
 * `__complete WORDS...`: the hidden command the shell scripts (and kubectl, through
 * kubectl_complete-microk8s_storage) call on TAB, as cobra-based tools have. Commands, flags
 * and fixed values come from the command tree without loading any cluster code; only names
 * that live in the cluster load it, within a short deadline, and print nothing on failure.
 */
import type { Command } from 'commander';
import { formatCompletion, resolveCompletion } from '../completion/resolve.js';

export async function complete(program: Command, words: readonly string[], out: (text: string) => void, signal?: AbortSignal): Promise<void> {
  const c = resolveCompletion(program, words.length ? words : ['']);
  let candidates = c.candidates;
  if (c.cluster || c.contexts) {
    const { clusterNames, kubeconfigContexts } = await import('../completion/cluster-names.js');
    const o = signal ? { signal } : {};
    const names = c.cluster ? await clusterNames(c.cluster, c.global, o) : await kubeconfigContexts(c.global, o);
    candidates = names.filter((n) => n.startsWith(c.toComplete)).map((value) => ({ value }));
  }
  out(formatCompletion(candidates, c.directive, c.prefix));
}
