/**
 * The npm package as users install it: packed with `npm pack` (which builds at prepack),
 * installed globally into a temporary prefix and with --omit=dev, and run from another
 * directory. Dependencies come from the npm registry (or npm's cache); nothing builds on
 * install, so no step needs esbuild.
 */
import { execa } from 'execa';
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/run-cli.js';
import { RUNTIME_EXTERNALS } from '../../scripts/bundle-options.mjs';

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'k8s-storage-npm-'));
const elsewhere = mkdtempSync(join(tmpdir(), 'k8s-storage-cwd-'));
const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', npm_config_prefer_offline: 'true' };
let tarball = '';
let files: string[] = [];

beforeAll(async () => {
  const r = await execa('npm', ['pack', '--json', '--pack-destination', work], { cwd: REPO, env: npmEnv });
  const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')));
  tarball = join(work, info.filename);
  files = info.files.map((f: { path: string }) => f.path);
}, 120_000);

describe('npm package', () => {
  it('ships the built bundle, the man pages, LICENSE and README, and no source map, sources or tests', () => {
    expect(files).toEqual(expect.arrayContaining(['dist/cli.cjs', 'dist/kube.cjs', 'dist/tools.cjs', 'bin/k8s-storage.cjs', 'scripts/load-bundle.cjs', 'LICENSE', 'README.md', 'package.json', 'agent/node-agent.sh', 'templates/app/postgres.yaml', 'docs/man/k8s-storage.1']));
    expect(files.filter((f) => f.endsWith('.map') || /^(src|test|dist\/sea|dist\/release)\//.test(f))).toEqual([]);
  });

  it('depends at run time on exactly the libraries the bundle leaves outside', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual([...RUNTIME_EXTERNALS].sort());
    expect(pkg.scripts.prepare).toBe('node scripts/prepare.mjs'); // builds in a checkout when esbuild is there; a packed package has nothing to build
    expect(pkg.scripts.prepack).toBe('npm run build');
  });

  it.concurrent('npm install -g from the tarball: both commands work from another directory', async ({ expect }) => {
    const prefix = join(work, 'global');
    await execa('npm', ['install', '-g', '--prefix', prefix, tarball], { env: npmEnv });
    const env = { PATH: `${join(prefix, 'bin')}:/usr/bin:/bin`, HOME: elsewhere, NO_COLOR: '1' };
    const r = await execa('k8s-storage', ['render', 'pvc', 'data', '--size', '1Gi'], { cwd: elsewhere, env, extendEnv: false });
    expect(r.stdout).toContain('kind: PersistentVolumeClaim');
    const help = await execa('kubectl-microk8s_storage', ['presets', '--help'], { cwd: elsewhere, env, extendEnv: false });
    expect(help.stdout).toContain('Usage: kubectl microk8s-storage presets');
    // kubectl runs kubectl_complete-microk8s_storage with the words after the plugin name.
    const completed = await execa('kubectl_complete-microk8s_storage', ['render', 'storageclass', 'lo'], { cwd: elsewhere, env, extendEnv: false });
    expect(completed.stdout).toBe('longhorn\n:4');
    // The man pages (package.json directories.man) are installed where man looks under the prefix.
    const man = await execa('ls', [join(prefix, 'share', 'man', 'man1')]);
    expect(man.stdout.split('\n')).toEqual(expect.arrayContaining(['k8s-storage.1', 'k8s-storage-render-pvc.1']));
    const installed = join(prefix, 'lib', 'node_modules', 'k8s-storage', 'node_modules');
    const ls = await execa('ls', [installed]);
    expect(ls.stdout.split('\n')).not.toContain('esbuild');
    expect(ls.stdout.split('\n')).not.toContain('kubernetes-models'); // bundled, so not installed
  }, 120_000);

  it.concurrent('npm install --omit=dev in the unpacked package: the CLI runs, status reaches the cluster code', async ({ expect }) => {
    const dir = join(work, 'omit-dev');
    mkdirSync(dir);
    await execa('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1']);
    await execa('npm', ['install', '--omit=dev'], { cwd: dir, env: npmEnv });
    const env = { PATH: '/usr/bin:/bin', HOME: elsewhere, NO_COLOR: '1' };
    const r = await execa(process.execPath, [join(dir, 'bin', 'k8s-storage.cjs'), 'render', 'app', 'redis'], { cwd: elsewhere, env, extendEnv: false });
    expect(r.stdout).toContain('kind: Deployment');
    // status loads @kubernetes/client-node (a dependency) before it finds no kubeconfig.
    const s = await execa(process.execPath, [join(dir, 'bin', 'k8s-storage.cjs'), 'status'], { cwd: elsewhere, env, extendEnv: false, reject: false });
    expect(s.stderr).toMatch(/^error: no kubeconfig found/);
    expect(s.exitCode).toBe(1);
  }, 120_000);

  it.concurrent('a source checkout without a build: npm ci --omit=dev succeeds, and the CLI names the build command in one line', async ({ expect }) => {
    const dir = join(work, 'checkout');
    const tracked = (await execa('git', ['ls-files'], { cwd: REPO })).stdout.split('\n').filter((f) => /^(bin|scripts|package|LICENSE)/.test(f));
    for (const f of tracked) cpSync(join(REPO, f), join(dir, f));
    await execa('npm', ['ci', '--omit=dev'], { cwd: dir, env: npmEnv });
    const r = await execa(process.execPath, [join(dir, 'bin', 'k8s-storage.cjs'), 'render', 'pvc', 'x', '--size', '1Gi'], { cwd: elsewhere, reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(`error: ${join(dir, 'dist', 'cli.cjs')} is missing: build it with \`npm run build\` (in ${dir})`);
  }, 120_000);
});
