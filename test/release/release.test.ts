/**
 * The release artifacts as a user and krew get them: each archive unpacked, its sha256 file
 * checked with the real sha256sum, the krew manifest's fields checked against the archives,
 * and the unpacked executable run from a directory with nothing else in it.
 *
 * CI builds the release first and names it in K8S_STORAGE_RELEASE_DIR; without it the test
 * builds the linux-amd64 archive itself (about 20 s).
 *
 * The linux-arm64 executable runs under qemu-user (qemu-aarch64-static, with the arm64 C and
 * C++ runtime of the libc6-arm64-cross and libstdc++6-arm64-cross packages: Node is linked
 * dynamically); .ci/run installs them where apt-get can, and the test skips, saying so, without.
 */
import { execa, type Options } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readFileSync, readSync, closeSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO } from '../helpers/run-cli.js';

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
const PLUGIN = 'microk8s-storage';
const PLUGIN_FILE = 'kubectl-microk8s_storage';
const COMPLETE_FILE = 'kubectl_complete-microk8s_storage';
const postject = process.env.POSTJECT ?? join(REPO, 'node_modules', '.bin', 'postject');
const given = process.env.K8S_STORAGE_RELEASE_DIR;
const canBuild = given !== undefined || existsSync(postject) || process.env.CI === 'true';

let releaseDir = given ?? '';

beforeAll(async () => {
  if (given || !canBuild) return;
  releaseDir = mkdtempSync(join(tmpdir(), 'k8s-storage-release-'));
  await execa(process.execPath, [join(REPO, 'scripts', 'release.mjs'), '--platform', 'linux-amd64', '--base-url', 'https://example.invalid/dl/', '--out', releaseDir], { cwd: REPO });
}, 180_000);

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const archiveName = (platform: string) => `k8s-storage-${pkg.version}-${platform}.tar.gz`;

function elfMachine(file: string): number {
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(20);
  readSync(fd, head, 0, 20, 0);
  closeSync(fd);
  expect(head.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  return head.readUInt16LE(18);
}

async function unpack(platform: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-storage-unpacked-'));
  await execa('tar', ['-xzf', join(releaseDir, archiveName(platform)), '-C', dir]);
  return dir;
}

describe.skipIf(!canBuild)(`release archives${canBuild ? '' : ' (skipped: postject is not installed; run npm ci)'}`, () => {
  const platforms = () => (given ? ['linux-amd64', 'linux-arm64'] : ['linux-amd64']);

  it('each archive has a .sha256 that sha256sum -c accepts', async () => {
    for (const p of platforms()) {
      const line = readFileSync(join(releaseDir, `${archiveName(p)}.sha256`), 'utf8');
      expect(line).toBe(`${sha256(join(releaseDir, archiveName(p)))}  ${archiveName(p)}\n`);
      const r = await execa('sha256sum', ['-c', `${archiveName(p)}.sha256`], { cwd: releaseDir, reject: false });
      expect(r.exitCode, r.stderr).toBe(0);
    }
  });

  it('each archive holds exactly the binary, the kubectl plugin entry and its completion entry, LICENSE and README.md, as regular files (krew refuses links)', async () => {
    for (const p of platforms()) {
      const r = await execa('tar', ['-tvzf', join(releaseDir, archiveName(p))]);
      const entries = r.stdout.trim().split('\n').map((l) => ({ type: l[0], mode: l.slice(0, 10), name: l.split(/\s+/).pop() }));
      expect(entries.map((e) => e.name).sort()).toEqual(['LICENSE', 'README.md', 'k8s-storage', PLUGIN_FILE, COMPLETE_FILE].sort());
      for (const e of entries) expect(e.type, e.name).toBe('-');
      expect(entries.find((e) => e.name === 'k8s-storage')!.mode).toBe('-rwxr-xr-x');
      expect(entries.find((e) => e.name === PLUGIN_FILE)!.mode).toBe('-rwxr-xr-x');
      expect(entries.find((e) => e.name === COMPLETE_FILE)!.mode).toBe('-rwxr-xr-x');
    }
  });

  it('the binaries are for their architecture (x86-64 and AArch64 ELF)', async () => {
    const machine: Record<string, number> = { 'linux-amd64': 0x3e, 'linux-arm64': 0xb7 };
    for (const p of platforms()) {
      const dir = await unpack(p);
      expect(elfMachine(join(dir, 'k8s-storage'))).toBe(machine[p]);
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toContain('Apache License');
    }
  });

  it('the krew manifest names the plugin, the version, and each archive with its sha256', () => {
    const manifest = parse(readFileSync(join(releaseDir, `${PLUGIN}.yaml`), 'utf8'));
    expect(manifest).toMatchObject({ apiVersion: 'krew.googlecontainertools.github.com/v1alpha2', kind: 'Plugin', metadata: { name: PLUGIN } });
    // krew's rules: the name is lower-case words joined by dashes, the version a v-prefixed semver.
    expect(manifest.metadata.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(manifest.spec.version).toBe(`v${pkg.version}`);
    expect(manifest.spec.shortDescription.length).toBeLessThanOrEqual(70);
    expect(manifest.spec.description).toBeTruthy();
    expect(manifest.spec.platforms.map((pl: any) => `${pl.selector.matchLabels.os}-${pl.selector.matchLabels.arch}`)).toEqual(platforms());
    for (const pl of manifest.spec.platforms) {
      const platform = `${pl.selector.matchLabels.os}-${pl.selector.matchLabels.arch}`;
      expect(pl.uri).toMatch(new RegExp(`^https://.*/${archiveName(platform).replace(/\./g, '\\.')}$`));
      expect(pl.sha256).toBe(sha256(join(releaseDir, archiveName(platform))));
      expect(pl.bin).toBe('k8s-storage');
      expect(pl.files.map((f: any) => f.from)).toEqual(['k8s-storage', COMPLETE_FILE, 'LICENSE']);
    }
    // krew links only `bin`: the caveats say how to link the completion entry, at the path krew installs it to.
    expect(manifest.spec.caveats).toContain(`store/${PLUGIN}/v${pkg.version}/${COMPLETE_FILE}`);
  });

  describe('the unpacked linux-amd64 executable, alone in a directory', () => {
    let dir = '';
    beforeAll(async () => {
      dir = await unpack('linux-amd64');
    });
    const env = () => ({ PATH: '/usr/bin:/bin', HOME: dir, NO_COLOR: '1', K8S_STORAGE_SEA_DEBUG: '1' });

    it('version -o json says what it is', async () => {
      const r = await execa(join(dir, 'k8s-storage'), ['version', '-o', 'json'], { env: env(), extendEnv: false, cwd: tmpdir() });
      const info = JSON.parse(r.stdout);
      expect(info).toMatchObject({ apiVersion: 'k8s-storage.io/v1', kind: 'Version', version: pkg.version, nodeVersion: process.version, platform: 'linux/amd64', build: 'single-executable' });
      expect(info.gitCommit).toMatch(/^([0-9a-f]{12}|unknown)$/);
    });

    it('renders from its embedded templates with its embedded code cache, and prints no warning', async () => {
      const r = await execa(join(dir, 'k8s-storage'), ['render', 'app', 'postgres', '--storage-class', 'longhorn'], { env: env(), extendEnv: false, cwd: tmpdir() });
      expect(r.stdout).toContain('kind: Deployment');
      const lines = r.stderr.split('\n').filter((l) => !/^# |password|kubectl get secret/i.test(l));
      expect(lines).toEqual(['code cache: accepted', 'code caches: {"cli.cjs":"accepted"}']);
    });

    it('a cluster command loads the embedded cluster bundle (KubeConfig, execa, ora), with its code cache, and reads nothing from disk for it', async () => {
      const r = await execa(join(dir, 'k8s-storage'), ['status'], { env: env(), extendEnv: false, cwd: tmpdir(), reject: false });
      expect(r.stderr).toContain('error: no kubeconfig found');
      expect(r.stderr).not.toMatch(/warning|Cannot find module/i);
      const caches = JSON.parse(r.stderr.split('\n').find((l) => l.startsWith('code caches: '))!.slice('code caches: '.length));
      expect(caches).toMatchObject({ 'cli.cjs': 'accepted', 'lib/k8s-storage:kube-vendor.cjs': 'accepted', 'lib/k8s-storage:tools-vendor.cjs': 'accepted' });
    });

    it('as kubectl-microk8s_storage (the archive entry script), help says `kubectl microk8s-storage`', async () => {
      const r = await execa(join(dir, PLUGIN_FILE), ['render', 'pvc', '--help'], { env: env(), extendEnv: false });
      expect(r.stdout).toContain('Usage: kubectl microk8s-storage render pvc');
      expect(statSync(join(dir, PLUGIN_FILE)).size).toBeLessThan(1000);
    });

    it('kubectl_complete-microk8s_storage (linked elsewhere, as krew users do) answers cobra\'s completion protocol', async () => {
      const linked = join(mkdtempSync(join(tmpdir(), 'krew-bin-')), COMPLETE_FILE);
      symlinkSync(join(dir, COMPLETE_FILE), linked);
      const r = await execa(linked, ['install', 'longhorn', '--ui', ''], { env: env(), extendEnv: false });
      expect(r.stdout.split('\n')).toEqual(['port-forward', 'nodeport', 'loadbalancer', 'ingress', ':4']);
    });
  });
});

/** qemu-user for AArch64 and where the arm64 runtime libraries are, or why the arm64 binary cannot run here. */
function aarch64Runner(): { qemu: string; env: Record<string, string> } | { why: string } {
  const qemu = ['/usr/bin/qemu-aarch64-static', '/usr/bin/qemu-aarch64'].find((q) => existsSync(q));
  if (!qemu) return { why: 'qemu-aarch64-static is not installed (apt-get install qemu-user-static)' };
  // Multiarch (libc6:arm64) puts the loader in /lib; the cross packages under /usr/aarch64-linux-gnu.
  if (existsSync('/lib/ld-linux-aarch64.so.1')) return { qemu, env: {} };
  const prefix = '/usr/aarch64-linux-gnu';
  if (['lib/ld-linux-aarch64.so.1', 'lib/libstdc++.so.6'].every((f) => existsSync(join(prefix, f)))) return { qemu, env: { QEMU_LD_PREFIX: prefix } };
  return { why: 'the arm64 C/C++ runtime is not installed (apt-get install libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross)' };
}

const arm64 = aarch64Runner();
const arm64Archive = given ? join(given, archiveName('linux-arm64')) : '';
const arm64Skip = 'why' in arm64 ? arm64.why : !given ? 'no release directory with the linux-arm64 archive (K8S_STORAGE_RELEASE_DIR; CI sets it)' : !existsSync(arm64Archive) ? `${arm64Archive} does not exist` : '';

describe.skipIf(arm64Skip !== '')(`the unpacked linux-arm64 executable under qemu-user${arm64Skip ? ` (skipped: ${arm64Skip})` : ''}`, () => {
  let dirs: Record<'linux-amd64' | 'linux-arm64', string>;
  beforeAll(async () => {
    const [amd64, arm] = await Promise.all([unpack('linux-amd64'), unpack('linux-arm64')]);
    dirs = { 'linux-amd64': amd64, 'linux-arm64': arm };
  });
  const run = (platform: 'linux-amd64' | 'linux-arm64', args: string[]) => {
    const opts: Options = { env: { PATH: '/usr/bin:/bin', HOME: dirs[platform], NO_COLOR: '1', ...('env' in arm64 ? arm64.env : {}) }, extendEnv: false, cwd: tmpdir(), reject: false };
    const bin = join(dirs[platform], 'k8s-storage');
    return platform === 'linux-arm64' ? execa((arm64 as { qemu: string }).qemu, [bin, ...args], opts) : execa(bin, args, opts);
  };
  // The emulated start-up takes a few seconds (about 8 s on a busy 2-core machine): both runs go at once.
  const RENDER = ['render', 'pvc', 'data', '--size', '10Gi', '--access-mode', 'RWX', '--storage-class', 'longhorn', '-n', 'web', '--label', 'app=web', '-o', 'json'];

  it('version -o json reports linux/arm64, and render pvc prints exactly what the amd64 binary prints', async () => {
    const [version, arm, amd] = await Promise.all([run('linux-arm64', ['version', '-o', 'json']), run('linux-arm64', RENDER), run('linux-amd64', RENDER)]);
    expect(version.exitCode, String(version.stderr)).toBe(0);
    expect(JSON.parse(String(version.stdout))).toMatchObject({ apiVersion: 'k8s-storage.io/v1', kind: 'Version', version: pkg.version, nodeVersion: process.version, platform: 'linux/arm64', build: 'single-executable' });
    expect(version.stderr).toBe('');
    expect(arm.exitCode, String(arm.stderr)).toBe(0);
    expect(amd.exitCode, String(amd.stderr)).toBe(0);
    expect(JSON.parse(String(arm.stdout)).items[0]).toMatchObject({ kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'web' } });
    expect(arm.stdout).toBe(amd.stdout);
    expect(arm.stderr).toBe(amd.stderr);
  }, 120_000);
});
