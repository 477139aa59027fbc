// `npm run release`: the release artifacts, in dist/release/:
//   k8s-storage-<version>-linux-amd64.tar.gz (+ .sha256), the same for linux-arm64, and
//   microk8s-storage.yaml, the krew plugin manifest made from those archives.
// Each archive holds the single executable (scripts/sea.mjs) `k8s-storage`, the kubectl
// plugin entry `kubectl-microk8s_storage`, its completion entry `kubectl_complete-microk8s_storage`, LICENSE and README.md, as regular files only
// (krew refuses links in archives).
//
//   node scripts/release.mjs [--platform linux-amd64]... [--base-url URL]
//
// The Node binary for the host's architecture is this process's own; another
// architecture's, of the same version, comes from the npm package node-linux-<arch>
// (`npm pack`, kept in ~/.cache/k8s-storage-release). darwin is not built: a macOS binary
// changed by postject must be signed again, which needs Apple's codesign.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { gitCommit, packageJson } from './build-info.mjs';
import { buildSea, HOST_ARCH, ROOT } from './sea.mjs';

/** The krew plugin name (README.md, "Install", says why this one). */
export const PLUGIN = 'microk8s-storage';
/** kubectl finds `kubectl microk8s-storage` as kubectl-microk8s_storage: dashes become underscores. */
export const PLUGIN_FILE = `kubectl-${PLUGIN.replace(/-/g, '_')}`;
/** kubectl runs kubectl_complete-microk8s_storage from PATH to complete `kubectl microk8s-storage ...`. */
export const COMPLETE_FILE = `kubectl_complete-${PLUGIN.replace(/-/g, '_')}`;
export const PLATFORMS = ['linux-amd64', 'linux-arm64'];
const NODE_ARCH = { amd64: 'x64', arm64: 'arm64' };

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A Node binary of this process's version for `arch`. */
function nodeBinary(arch) {
  if (arch === HOST_ARCH) return process.execPath;
  const pkg = `node-linux-${NODE_ARCH[arch]}`;
  const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'k8s-storage-release', `${pkg}-${process.versions.node}`);
  const bin = join(cache, 'package', 'bin', 'node');
  if (existsSync(bin)) return bin;
  mkdirSync(cache, { recursive: true });
  console.error(`fetching the Node ${process.version} binary for linux/${arch} (npm package ${pkg})`);
  const tgz = execFileSync('npm', ['pack', `${pkg}@${process.versions.node}`, '--pack-destination', cache, '--silent'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
  execFileSync('tar', ['-xzf', join(cache, tgz), '-C', cache, 'package/bin/node']);
  rmSync(join(cache, tgz));
  return bin;
}

function pluginEntry() {
  return `#!/bin/sh
# kubectl runs this file for \`kubectl ${PLUGIN} ...\`. It runs the k8s-storage beside it,
# which then names itself \`kubectl ${PLUGIN}\` in help and hints.
here=$(dirname "$(readlink -f "$0")")
K8S_STORAGE_KUBECTL_PLUGIN=${PLUGIN} exec "$here/k8s-storage" "$@"
`;
}

function completeEntry() {
  return `#!/bin/sh
# kubectl runs this file to complete \`kubectl ${PLUGIN} ...\`, with the words after the plugin
# name; the k8s-storage beside it prints the candidates (cobra's __complete protocol).
here=$(dirname "$(readlink -f "$0")")
exec "$here/k8s-storage" __complete "$@"
`;
}

export const ARCHIVE_FILES = ['k8s-storage', PLUGIN_FILE, COMPLETE_FILE, 'LICENSE', 'README.md'];

async function buildArchive(platform, { version, outDir, mtime }) {
  const arch = platform.split('-')[1];
  const name = `k8s-storage-${version}-${platform}`;
  const stage = join(outDir, name);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  await buildSea({ node: nodeBinary(arch), out: join(stage, 'k8s-storage'), codeCache: arch === HOST_ARCH });
  writeFileSync(join(stage, PLUGIN_FILE), pluginEntry());
  chmodSync(join(stage, PLUGIN_FILE), 0o755);
  writeFileSync(join(stage, COMPLETE_FILE), completeEntry());
  chmodSync(join(stage, COMPLETE_FILE), 0o755);
  for (const f of ['LICENSE', 'README.md']) copyFileSync(join(ROOT, f), join(stage, f));
  const archive = join(outDir, `${name}.tar.gz`);
  // Reproducible: fixed order, owner and time (the commit's), and gzip without a timestamp.
  const tar = execFileSync('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', `--mtime=@${mtime}`, '-C', stage, '-cf', '-', ...ARCHIVE_FILES], { maxBuffer: 1 << 30 });
  writeFileSync(archive, execFileSync('gzip', ['-n', '-c'], { input: tar, maxBuffer: 1 << 30 }));
  rmSync(stage, { recursive: true, force: true });
  const digest = sha256(archive);
  writeFileSync(`${archive}.sha256`, `${digest}  ${name}.tar.gz\n`);
  return { platform, os: 'linux', arch, file: `${name}.tar.gz`, sha256: digest };
}

/** The krew manifest (krew.sigs.k8s.io, index.krew.dev): one platform entry per archive. */
export function krewManifest({ version, baseUrl, archives }) {
  return {
    apiVersion: 'krew.googlecontainertools.github.com/v1alpha2',
    kind: 'Plugin',
    metadata: { name: PLUGIN },
    spec: {
      version: `v${version}`,
      ...(packageJson().homepage ? { homepage: packageJson().homepage } : {}),
      shortDescription: 'Persistent storage for MicroK8s: hostpath, Longhorn, node preflight',
      description: [
        'Gives MicroK8s clusters persistent storage: checks and prepares nodes (open-iscsi,',
        'NFS client, kernel modules), installs hostpath-storage or Longhorn and verifies them,',
        'renders validated StorageClasses, PVCs and app starter kits, and manages Longhorn',
        'snapshots, backups and schedules by claim name.',
      ].join('\n'),
      caveats:
        `Cluster commands use your kubeconfig (--kubeconfig, --context as kubectl).\nStart with: kubectl ${PLUGIN} doctor\n` +
        `Shell completion of \`kubectl ${PLUGIN}\` (kubectl 1.26+): krew does not link completion entries, so link it once:\n` +
        `  ln -sf "\${KREW_ROOT:-$HOME/.krew}/store/${PLUGIN}/v${version}/${COMPLETE_FILE}" "\${KREW_ROOT:-$HOME/.krew}/bin/"\n`,
      platforms: archives.map((a) => ({
        selector: { matchLabels: { os: a.os, arch: a.arch } },
        uri: `${baseUrl.replace(/\/$/, '')}/${a.file}`,
        sha256: a.sha256,
        // krew puts only `bin` on PATH: the completion entry stays in the plugin's directory
        // until linked (caveats, README.md "Shell completion"; kubernetes-sigs/krew#812).
        files: [{ from: 'k8s-storage', to: '.' }, { from: COMPLETE_FILE, to: '.' }, { from: 'LICENSE', to: '.' }],
        // krew links this file into its bin/ as kubectl-microk8s_storage itself.
        bin: 'k8s-storage',
      })),
    },
  };
}

async function main() {
  const { values } = parseArgs({ options: { platform: { type: 'string', multiple: true }, 'base-url': { type: 'string' }, out: { type: 'string' } } });
  const version = packageJson().version;
  const platforms = values.platform ?? PLATFORMS;
  for (const p of platforms) if (!PLATFORMS.includes(p)) throw new Error(`--platform ${p}: one of ${PLATFORMS.join(', ')}`);
  const baseUrl = values['base-url'] ?? process.env.RELEASE_BASE_URL ?? `https://example.invalid/k8s-storage/releases/download/v${version}`;
  if (!values['base-url'] && !process.env.RELEASE_BASE_URL) console.error(`warning: the krew manifest points at ${baseUrl}: pass --base-url (or RELEASE_BASE_URL) where the archives will be published`);
  const outDir = values.out ?? join(ROOT, 'dist', 'release');
  mkdirSync(outDir, { recursive: true });
  let mtime = Math.floor(Date.now() / 1000);
  if (gitCommit() !== 'unknown') mtime = Number(execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: ROOT, encoding: 'utf8' }).trim());
  const archives = [];
  for (const p of platforms) {
    const started = Date.now();
    archives.push(await buildArchive(p, { version, outDir, mtime }));
    console.error(`wrote ${relative(process.cwd(), join(outDir, archives.at(-1).file))} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  writeFileSync(join(outDir, `${PLUGIN}.yaml`), stringify(krewManifest({ version, baseUrl, archives }), { lineWidth: 0 }));
  console.error(`wrote ${relative(process.cwd(), join(outDir, `${PLUGIN}.yaml`))}`);
}

await main();
