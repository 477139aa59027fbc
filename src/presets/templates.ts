/**
 * What templates/ holds: file names only, no YAML parsing, so help and completion can list
 * presets without loading a parser.
 */
import { listAssets } from '../assets.js';

export type TemplateKind = 'storageclass' | 'app' | 'snapshot-controller';

/** Names of the templates that ship for a kind, sorted. */
export function templateNames(kind: TemplateKind): string[] {
  return listAssets(`templates/${kind}`)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}
