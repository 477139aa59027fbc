/**
 * Files that ship with the CLI (templates/, agent/): read from the package directory, or,
 * in the single executable (scripts/sea.mjs), from the assets embedded in it, so that the
 * binary never reads anything from beside itself.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { getAsset, isSea } from 'node:sea';
import { fileURLToPath } from 'node:url';

/** The asset that lists every other one (Node 20's SEA API cannot list its assets). */
export const ASSET_INDEX = 'assets.json';

let root: string | undefined;
let index: Set<string> | undefined;

/** The directory holding package.json, found from this module whether it runs from src/ or dist/. */
function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'templates')) && existsSync(join(dir, 'package.json'))) return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('templates/ not found next to package.json: the installation is incomplete');
    dir = parent;
  }
}

function embedded(): Set<string> {
  return (index ??= new Set(JSON.parse(getAsset(ASSET_INDEX, 'utf8')) as string[]));
}

/** A shipped file's text, by its path in the package: `templates/app/postgres.yaml`. */
export function readAsset(path: string): string {
  if (isSea()) {
    if (!embedded().has(path)) throw new Error(`${path} is not embedded in this executable: the build is incomplete`);
    return getAsset(path, 'utf8');
  }
  return readFileSync(join(packageRoot(), path), 'utf8');
}

/** Names of the files directly inside a shipped directory (`templates/app`), sorted. */
export function listAssets(dir: string): string[] {
  if (isSea()) {
    const prefix = `${dir}/`;
    return [...embedded()].filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/')).map((p) => p.slice(prefix.length)).sort();
  }
  return readdirSync(join(packageRoot(), dir)).sort();
}

let privateDir: string | undefined;

/**
 * A shipped file as a path on disk, for a program that needs one (`sh agent/node-agent.sh`).
 * The executable writes its copy into a new private directory (mode 0700, so no other user
 * can swap the script that sudo will run), removed when the process exits.
 */
export function assetPath(path: string): string {
  if (!isSea()) return join(packageRoot(), path);
  if (!privateDir) {
    const dir = mkdtempSync(join(tmpdir(), 'k8s-storage-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    privateDir = dir;
  }
  const file = join(privateDir, path);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, readAsset(path), { mode: 0o644 });
  }
  return file;
}
