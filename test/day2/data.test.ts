/**
 * backup data / restore data end to end: the real CLI against the fake API server, whose
 * pods run real tar on real directories (test/fakes/lib/pod-exec.mjs) through exec over WebSocket.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CLI_PATH } from '../helpers/sandbox.mjs';
import { sandboxPerTest, type Sandbox } from '../helpers/per-test.js';
import { makeTree, seedClaim, seedPodUsing, sha256File, treeManifest } from '../helpers/data-tree.js';

const perTest = sandboxPerTest();
let sb: Sandbox | undefined;

async function cluster(o: { protocols?: string[]; binDirs?: string[] } = {}) {
  sb = await perTest.create({ api: { nodes: ['node-1', 'node-2'] } });
  const pods = sb.api!.controllers.runPods({ volumesDir: join(sb.dir, 'volumes'), ...o });
  seedClaim(sb.api!, { namespace: 'web', name: 'uploads', pv: 'pv-src', node: 'node-2' });
  seedClaim(sb.api!, { namespace: 'web', name: 'restored', pv: 'pv-dst', provisioner: 'driver.longhorn.io' });
  makeTree(pods.volumeDir('pv-src'));
  return { s: sb, pods };
}

const dataPods = (s: Sandbox) => (s.api!.store.list('pods') as any[]).filter((p) => p.metadata.labels?.['app.kubernetes.io/name'] === 'k8s-storage-data');

/** A `tar` that comes first on the fake container's PATH. */
function fakeTar(s: Sandbox, script: string): string {
  const bin = join(s.dir, 'fakebin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'tar'), script);
  chmodSync(join(bin, 'tar'), 0o755);
  return bin;
}

describe('backup data | restore data', () => {
  it.each([['v5.channel.k8s.io'], ['v4.channel.k8s.io']])('round-trips a tree with empty files, symlinks, a large file and unicode names (%s)', async (protocol) => {
    const { s, pods } = await cluster({ protocols: [protocol] });
    const archive = join(s.dir, 'uploads.tar.gz');
    const b = await s.run(['backup', 'data', 'uploads', '-n', 'web', '-o', archive]);
    expect(b.stderr).toContain('backed up web/uploads');
    expect(b.exitCode).toBe(0);
    expect(b.stdout).toBe('');
    // The reported sha256 and size are those of the file on disk.
    const sum = sha256File(archive);
    expect(b.stderr).toContain(`sha256 ${sum}`);
    expect(b.stderr).toContain(`${readFileSync(archive).length} bytes`);
    // The pod ran where the hostpath PV lives, mounted the claim read-only, and is gone.
    const backup = pods.execs.at(-1)!;
    expect(backup).toMatchObject({ namespace: 'web', node: 'node-2', command: ['tar', '-czf', '-', '-C', '/volumes/data', '.'], protocol, exitCode: 0 });
    expect(dataPods(s)).toEqual([]);

    const r = await s.run(['restore', 'data', 'restored', '-n', 'web', '-f', archive]);
    expect(r.stderr).toContain('restored');
    expect(r.exitCode).toBe(0);
    expect(treeManifest(pods.volumeDir('pv-dst'))).toEqual(treeManifest(pods.volumeDir('pv-src')));
    expect(pods.execs.at(-1)!.stdinBytes).toBe(readFileSync(archive).length);
    expect(dataPods(s)).toEqual([]);
  }, 60_000);

  it('streams to stdout and restores from stdin', async () => {
    const { s, pods } = await cluster();
    const archive = join(s.dir, 'piped.tar.gz');
    const b = await s.exec('/bin/sh', ['-c', `"${process.execPath}" "${CLI_PATH}" backup data uploads -n web > "${archive}"`]);
    expect(b.exitCode).toBe(0);
    expect(b.stderr).toContain(`sha256 ${sha256File(archive)}`);
    const r = await s.exec('/bin/sh', ['-c', `"${process.execPath}" "${CLI_PATH}" restore data restored -n web < "${archive}"`]);
    expect(r.stderr).toContain('restored');
    expect(r.exitCode).toBe(0);
    expect(treeManifest(pods.volumeDir('pv-dst'))).toEqual(treeManifest(pods.volumeDir('pv-src')));
  }, 60_000);

  it('restore refuses a claim in use unless --force, before any pod', async () => {
    const { s, pods } = await cluster();
    const archive = join(s.dir, 'a.tar.gz');
    expect((await s.run(['backup', 'data', 'uploads', '-n', 'web', '-o', archive])).exitCode).toBe(0);
    seedPodUsing(s.api!, { namespace: 'web', name: 'web-7d9f-abcde', claim: 'restored', node: 'node-1', owner: { kind: 'ReplicaSet', name: 'web-7d9f' } });
    const before = pods.execs.length;
    const r = await s.run(['restore', 'data', 'restored', '-n', 'web', '-f', archive]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('is in use by web-7d9f-abcde (ReplicaSet web-7d9f)');
    expect(r.stderr).toContain('--force');
    expect(pods.execs.length).toBe(before);
    const forced = await s.run(['restore', 'data', 'restored', '-n', 'web', '-f', archive, '--force']);
    expect(forced.exitCode).toBe(0);
    // Where the claim is mounted: a ReadWriteOnce volume is attached to one node.
    expect(pods.execs.at(-1)!.node).toBe('node-1');
  }, 60_000);

  it.each([
    ['not gzip', Buffer.from('hello, not an archive'), 'not a complete gzip file'],
    ['gzip but not tar', gzipSync(Buffer.from('x'.repeat(2000))), 'not a tar archive'],
    ['empty', Buffer.alloc(0), 'it is empty'],
  ])('restore checks the archive before writing: %s', async (_name, bytes, message) => {
    const { s, pods } = await cluster();
    const bad = join(s.dir, 'bad.tar.gz');
    writeFileSync(bad, bytes);
    const r = await s.run(['restore', 'data', 'restored', '-n', 'web', '-f', bad]);
    expect(r.stderr).toContain(message);
    expect(r.exitCode).toBe(2);
    expect(pods.execs).toEqual([]);
    expect(s.api!.requestsMatching({ verb: 'patch', resource: 'pods' })).toEqual([]);
  });

  it('restore refuses a truncated archive and names outside the target', async () => {
    const { s, pods } = await cluster();
    const archive = join(s.dir, 'a.tar.gz');
    expect((await s.run(['backup', 'data', 'uploads', '-n', 'web', '-o', archive])).exitCode).toBe(0);
    const whole = readFileSync(archive);
    const cut = join(s.dir, 'cut.tar.gz');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const r = await s.run(['restore', 'data', 'restored', '-n', 'web', '-f', cut]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/not a complete gzip file|ends early/);
    // A hand-made tar with "../escape".
    const evil = join(s.dir, 'evil');
    mkdirSync(join(evil, 'a'), { recursive: true });
    writeFileSync(join(evil, 'escape'), 'x');
    // -P keeps the "../" that GNU tar strips by default.
    const made = await s.exec('tar', ['-czPf', join(s.dir, 'evil.tar.gz'), '-C', join(evil, 'a'), '../escape']);
    expect(made.exitCode).toBe(0);
    const e = await s.run(['restore', 'data', 'restored', '-n', 'web', '-f', join(s.dir, 'evil.tar.gz')]);
    expect(e.stderr).toContain('climbs out of the target');
    expect(e.exitCode).toBe(2);
    expect(pods.execs.length).toBe(1);
  }, 60_000);

  it('--clean empties the claim first (with --yes), so it ends equal to the archive', async () => {
    const { s, pods } = await cluster();
    const archive = join(s.dir, 'a.tar.gz');
    expect((await s.run(['backup', 'data', 'uploads', '-n', 'web', '-o', archive])).exitCode).toBe(0);
    writeFileSync(join(pods.volumeDir('pv-dst'), 'stale.txt'), 'old');
    const refused = await s.run(['restore', 'data', 'restored', '-n', 'web', '-f', archive, '--clean']);
    expect(refused.exitCode).toBe(2);
    expect(existsSync(join(pods.volumeDir('pv-dst'), 'stale.txt'))).toBe(true);
    const r = await s.run(['restore', 'data', 'restored', '-n', 'web', '-f', archive, '--clean', '--yes']);
    expect(r.exitCode).toBe(0);
    expect(treeManifest(pods.volumeDir('pv-dst'))).toEqual(treeManifest(pods.volumeDir('pv-src')));
  }, 60_000);

  it('a failing command fails the run, leaves no partial file and deletes the pod', async () => {
    sb = await perTest.create({ api: true });
    const bin = fakeTar(sb, '#!/bin/sh\necho "tar: disk on fire" >&2\nexit 2\n');
    sb.api!.controllers.runPods({ volumesDir: join(sb.dir, 'volumes'), binDirs: [bin] });
    seedClaim(sb.api!, { name: 'data' });
    const archive = join(sb.dir, 'x.tar.gz');
    const r = await sb.run(['backup', 'data', 'data', '-o', archive]);
    expect(r.stderr).toContain('archiving the claim failed');
    expect(r.stderr).toContain('tar: disk on fire');
    expect(r.exitCode).toBe(1);
    expect(existsSync(archive)).toBe(false);
    expect(existsSync(`${archive}.partial`)).toBe(false);
    expect(dataPods(sb)).toEqual([]);
  });

  it('Ctrl-C during the stream exits 130 and deletes the pod', async () => {
    sb = await perTest.create({ api: true });
    const bin = fakeTar(sb, '#!/bin/sh\nsleep 30\n');
    const pods = sb.api!.controllers.runPods({ volumesDir: join(sb.dir, 'volumes'), binDirs: [bin] });
    seedClaim(sb.api!, { name: 'data' });
    const r = await sb.runWithSignal(['backup', 'data', 'data', '-o', join(sb.dir, 'x.tar.gz'), '-v'], { afterCondition: () => pods.execs.length === 1, signal: 'SIGINT' });
    expect(r.exitCode).toBe(130);
    expect(pods.execs.length).toBe(1);
    expect(dataPods(sb)).toEqual([]);
  });

  it('deletes expired leftovers of earlier runs and keeps those still in their time', async () => {
    const { s } = await cluster();
    const leftover = (name: string, expires: string) =>
      s.api!.store.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'web', labels: { 'app.kubernetes.io/name': 'k8s-storage-data', 'app.kubernetes.io/managed-by': 'k8s-storage' }, annotations: { 'k8s-storage.io/expires-at': expires } }, spec: { containers: [{ name: 'data', image: 'busybox' }] } });
    leftover('k8s-storage-data-old', '2020-01-01T00:00:00Z');
    leftover('k8s-storage-data-busy', '2999-01-01T00:00:00Z');
    expect((await s.run(['backup', 'data', 'uploads', '-n', 'web', '-o', join(s.dir, 'a.tgz')])).exitCode).toBe(0);
    expect(dataPods(s).map((p) => p.metadata.name)).toEqual(['k8s-storage-data-busy']);
  });

  it('refuses an unbound claim, and prints the pod and commands with --dry-run', async () => {
    const { s } = await cluster();
    seedClaim(s.api!, { namespace: 'web', name: 'pending', bound: false });
    const r = await s.run(['backup', 'data', 'pending', '-n', 'web', '-o', join(s.dir, 'p.tgz')]);
    expect(r.stderr).toContain('is Pending, not Bound');
    expect(r.exitCode).toBe(1);
    const d = await s.run(['backup', 'data', 'uploads', '-n', 'web', '-o', join(s.dir, 'p.tgz'), '--dry-run']);
    expect(d.exitCode).toBe(0);
    expect(d.stdout).toContain('on node node-2');
    expect(d.stdout).toContain('exec: tar -czf - -C /volumes/data .');
    expect(d.stdout).toContain('then delete the pod');
    expect(dataPods(s)).toEqual([]);
  });
});
