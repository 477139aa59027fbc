/**
 * Where templates/ is and what it holds: file names only, no YAML parsing, so help and
 * completion can list presets without loading a parser.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type TemplateKind = 'storageclass' | 'app';

let templatesRoot: string | undefined;

/** templates/ next to package.json, found from this module whether it runs from src/ or dist/. */
export function templatesDir(): string {
  if (templatesRoot) return templatesRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'templates')) && existsSync(join(dir, 'package.json'))) return (templatesRoot = join(dir, 'templates'));
    const parent = dirname(dir);
    if (parent === dir) throw new Error('templates/ not found next to package.json: the installation is incomplete');
    dir = parent;
  }
}

/** Names of the templates that ship for a kind, sorted. */
export function templateNames(kind: TemplateKind): string[] {
  return readdirSync(join(templatesDir(), kind))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}
