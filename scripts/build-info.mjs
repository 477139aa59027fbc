// What the bundle and the single executable know about their own build: `k8s-storage
// version` prints it. The commit comes from git when the tree is a checkout (a release, a
// prepack); an unpacked tarball has none and says "unknown".
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);

export function packageJson() {
  return JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
}

export function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** esbuild `define`s for the build facts. */
export function buildDefines() {
  return { __VERSION__: JSON.stringify(packageJson().version), __GIT_COMMIT__: JSON.stringify(gitCommit()) };
}
