/** How `recommend` prints its candidates: blocks for people, data for machines. */
import { API_VERSION } from '../documents.js';
import type { Candidate } from './rules.js';

const MARK: Record<Candidate['verdict'], string> = { recommended: 'recommended', suitable: 'suitable', 'poor-fit': 'poor fit', unsuitable: 'unsuitable' };

export function formatCandidates(candidates: readonly Candidate[]): string {
  const blocks = candidates.map((c) => {
    const head = `${c.rank}. ${c.title} [${c.id}]: ${MARK[c.verdict]}${c.installed ? ' (installed)' : ''}`;
    const reasons = c.reasons.map((r) => `   - ${r}`);
    const commands = c.commands.map((cmd) => `   $ ${cmd}`);
    return [head, ...reasons, ...commands].join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

/** -o json|yaml: what a pipeline needs (rank, verdict, reasons, commands), not the scores' internals. */
export function candidatesData(candidates: readonly Candidate[]) {
  return { apiVersion: API_VERSION, kind: 'StorageRecommendation', candidates: candidates.map(({ rank, id, title, verdict, installed, reasons, commands }) => ({ rank, id, title, verdict, installed, reasons, commands })) };
}
