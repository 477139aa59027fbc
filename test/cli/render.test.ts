import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { REPO, runCli } from '../helpers/run-cli.js';
import { cliInvocation, TEST_BINARY } from '../helpers/sandbox.mjs';
import { expectAllSchemaValid } from '../helpers/schema.js';

const hasPython = spawnSync('python3', ['-c', 'import fcntl'], { stdio: 'ignore' }).status === 0;
const docs = (yaml: string) => parseAllDocuments(yaml).map((d) => d.toJS());

/** The YAML blocks of a seed chapter, parsed. */
function seedYaml(file: string): any[] {
  // A copy of ../shared/seeds, so the tests do not depend on what sits beside the clone.
  const text = readFileSync(join(REPO, 'test', 'fixtures', 'seeds', file), 'utf8');
  return [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap((m) => {
    try {
      return docs(m[1]!).filter(Boolean);
    } catch {
      return [];
    }
  });
}

/** Fields the API server fills with these values when they are left out. */
function withApiDefaults(o: any): any {
  const c = structuredClone(o);
  if (c.kind === 'StorageClass') {
    c.reclaimPolicy ??= 'Delete';
    c.volumeBindingMode ??= 'Immediate';
  }
  if (c.kind === 'PersistentVolumeClaim') c.spec.volumeMode ??= 'Filesystem';
  return c;
}

describe('the seeds come out equivalent', () => {
  it('render pvc postgres-pvc --size 10Gi --storage-class longhorn is the seed\'s postgres-pvc', async () => {
    const seed = seedYaml('21.7-stockage-distribue.md').find((d) => d.kind === 'PersistentVolumeClaim' && d.metadata.name === 'postgres-pvc' && d.spec.storageClassName === 'longhorn');
    expect(seed).toBeDefined();
    const r = await runCli(['render', 'pvc', 'postgres-pvc', '--size', '10Gi', '--storage-class', 'longhorn']);
    expect(r.exitCode).toBe(0);
    expect(withApiDefaults(parse(r.stdout))).toEqual(withApiDefaults(seed));
  });

  it('render storageclass longhorn --name longhorn-2replicas --replicas 2 is the seed\'s longhorn-2replicas class', async () => {
    const seed = seedYaml('21.7-stockage-distribue.md').find((d) => d.kind === 'StorageClass' && d.metadata.name === 'longhorn-2replicas');
    expect(seed).toBeDefined();
    const r = await runCli(['render', 'storageclass', 'longhorn', '--name', 'longhorn-2replicas', '--replicas', '2']);
    expect(r.exitCode).toBe(0);
    expect(withApiDefaults(parse(r.stdout))).toEqual(withApiDefaults(seed));
  });

  it.each([
    ['05.6-storage-hostpath.md', 'postgres-pvc', ['render', 'pvc', 'postgres-pvc', '--size', '5Gi']],
    ['05.6-storage-hostpath.md', 'mysql-pvc', ['render', 'pvc', 'mysql-pvc', '--size', '10Gi']],
    ['05.6-storage-hostpath.md', 'uploads-pvc', ['render', 'pvc', 'uploads-pvc', '--size', '20Gi']],
    ['21.7-stockage-distribue.md', 'shared-storage', ['render', 'pvc', 'shared-storage', '--size', '20Gi', '--access-mode', 'RWX', '--storage-class', 'longhorn']],
  ])('%s: %s', async (file, name, args) => {
    const seed = seedYaml(file).find((d) => d.kind === 'PersistentVolumeClaim' && d.metadata.name === name);
    const r = await runCli(args);
    expect(withApiDefaults(parse(r.stdout))).toEqual(withApiDefaults(seed));
  });

  it('the seed\'s PVC with labels and annotations renders from flags', async () => {
    const seed = seedYaml('05.6-storage-hostpath.md').find((d) => d.kind === 'PersistentVolumeClaim' && d.metadata.name === 'mysql-pvc' && d.metadata.labels);
    const r = await runCli(['render', 'pvc', 'mysql-pvc', '--size', '20Gi', '--label', 'app=mysql', '--label', 'env=production', '--label', 'tier=database', '--annotation', 'description=MySQL production database storage', '--annotation', 'backup-schedule=daily at 2am']);
    expect(withApiDefaults(parse(r.stdout))).toEqual(withApiDefaults(seed));
  });

  it('the seed\'s postgres app, rendered by the kit, keeps its essentials and drops the plain-text password', async () => {
    const r = await runCli(['render', 'app', 'postgres', '--storage-class', 'longhorn']);
    const objs = docs(r.stdout);
    const deploy = objs.find((o) => o.kind === 'Deployment');
    const c = deploy.spec.template.spec.containers[0];
    expect(c.volumeMounts[0].mountPath).toBe('/var/lib/postgresql/data');
    expect(c.env.find((e: any) => e.name === 'PGDATA').value).toBe('/var/lib/postgresql/data/pgdata');
    expect(c.env.find((e: any) => e.name === 'POSTGRES_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'postgres-credentials', key: 'password' });
    expect(objs.find((o) => o.kind === 'Service').spec.ports[0].port).toBe(5432);
  });
});

const GOLDEN = join(REPO, 'test', 'golden');
const goldenCases: [string, string[]][] = [
  ['pvc-basic', ['render', 'pvc', 'data', '--size', '1Gi']],
  ['pvc-full', ['render', 'pvc', 'media', '--size', '50Gi', '--access-mode', 'RWX', '--access-mode', 'ROX', '--storage-class', 'longhorn', '--volume-mode', 'Filesystem', '-n', 'web', '--label', 'app=media', '--annotation', 'example.com/owner=team-a']],
  ['pvc-block', ['render', 'pvc', 'raw', '--size', '10Gi', '--volume-mode', 'Block', '--access-mode', 'RWX', '--storage-class', 'ceph-rbd']],
  ['sc-hostpath-dir', ['render', 'storageclass', 'hostpath', '--name', 'hostpath-ssd', '--dir', '/mnt/ssd', '--reclaim-policy', 'Retain']],
  ['sc-longhorn-default', ['render', 'storageclass', 'longhorn', '--default', '--replicas', '2', '--data-locality', 'best-effort']],
  ['sc-nfs', ['render', 'storageclass', 'nfs', '--server', '192.168.1.100', '--share', '/exports/k8s']],
  ['sc-ceph-rbd', ['render', 'storageclass', 'ceph-rbd', '--pool', 'fast', '--fs-type', 'xfs']],
  ['sc-cephfs', ['render', 'storageclass', 'cephfs', '--fs-name', 'shared']],
  ['sc-openebs', ['render', 'storageclass', 'openebs-hostpath', '--base-path', '/mnt/openebs', '--param', 'extra=yes']],
  ...(['postgres', 'mysql', 'mariadb', 'mongodb', 'redis'] as const).flatMap((kit): [string, string[]][] => [
    [`app-${kit}`, ['render', 'app', kit, '--storage-class', 'longhorn']],
    [`app-${kit}-sts`, ['render', 'app', kit, '--statefulset', '--name', `${kit}-main`, '-n', 'data', '--size', '8Gi']],
  ]),
  ['app-uploads', ['render', 'app', 'uploads', '--image', 'ghcr.io/acme/web:2.1', '--access-mode', 'RWX', '--storage-class', 'longhorn']],
  ['app-postgres-existing-secret', ['render', 'app', 'postgres', '--existing-secret', 'pg-prod', '--name', 'billing']],
];

/** Generated passwords change every run; golden files hold a placeholder. */
const maskPasswords = (yaml: string) => yaml.replace(/^(\s+password: )[A-Za-z0-9_-]{24}$/gm, '$1<generated>');

describe('golden output', () => {
  it.each(goldenCases)('%s', async (name, args) => {
    const r = await runCli(args);
    expect(r.stderr.replace(/^Generated a password.*\n?/m, '')).toBe('');
    expect(r.exitCode).toBe(0);
    const file = join(GOLDEN, `${name}.yaml`);
    const actual = `# k8s-storage ${args.join(' ')}\n${maskPasswords(r.stdout)}`;
    if (process.env.UPDATE_GOLDEN || !existsSync(file)) {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(file, actual);
    }
    expect(actual).toBe(readFileSync(file, 'utf8'));
    await expectAllSchemaValid(docs(r.stdout));
  });
});

describe('output formats', () => {
  it('-o json prints one v1 List with every object', async () => {
    const r = await runCli(['render', 'app', 'redis', '-o', 'json']);
    expect(r.exitCode).toBe(0);
    const list = JSON.parse(r.stdout);
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    expect(list.items.map((i: any) => i.kind)).toEqual(['Secret', 'PersistentVolumeClaim', 'Deployment', 'Service']);
  });

  it('-o name prints kind/name lines', async () => {
    const r = await runCli(['render', 'app', 'mongodb', '--name', 'catalog', '-o', 'name']);
    expect(r.stdout.split('\n')).toEqual(['secret/catalog-credentials', 'persistentvolumeclaim/catalog-pvc', 'deployment/catalog', 'service/catalog']);
  });

  it('global flags work before the command too', async () => {
    const r = await runCli(['-o', 'json', '-n', 'team', 'render', 'pvc', 'x', '--size', '1Gi']);
    expect(JSON.parse(r.stdout).items[0].metadata.namespace).toBe('team');
  });

  it('the generated password note goes to stderr, never stdout; --quiet silences it', async () => {
    const r = await runCli(['render', 'app', 'postgres']);
    expect(r.stderr).toContain('Generated a password into Secret postgres-credentials');
    expect(r.stdout).not.toContain('Generated');
    const q = await runCli(['render', 'app', 'postgres', '-q']);
    expect(q.stderr).toBe('');
  });

  it('--password-stdin puts the given password in the Secret', async () => {
    const r = await runCli(['render', 'app', 'mariadb', '--password-stdin'], { input: 's3cret-value\n' });
    expect(r.exitCode).toBe(0);
    expect(docs(r.stdout)[0].stringData.password).toBe('s3cret-value');
    expect(r.stderr).not.toContain('Generated');
  });
});

describe('bad input: every problem at once, exit 2, nothing on stdout', () => {
  it.each([
    [['render', 'pvc', 'data', '--size', '10GB'], ['"10GB" is not a Kubernetes quantity; did you mean 10Gi?']],
    [['render', 'pvc', 'data', '--size', '0'], ['must be greater than zero']],
    [['render', 'pvc', 'data', '--size', '-1Gi'], ['must be greater than zero']],
    [['render', 'pvc', 'data'], ['--size: a size is required']],
    [['render', 'pvc', 'Data_1', '--size', '1Gi'], ['did you mean "data-1"?']],
    [['render', 'pvc', 'd', '--size', '1Gi', '--access-mode', 'RWX', '--storage-class', 'microk8s-hostpath'], ['hostpath data lives in a directory on one node']],
    [['render', 'pvc', 'd', '--size', '1Gi', '--access-mode', 'RWM'], ['"RWM" is not an access mode']],
    [['render', 'pvc', 'd', '--size', '1Gi', '--volume-mode', 'Block', '--storage-class', 'nfs'], ['only serves Filesystem volumes']],
    [['render', 'pvc', 'd', '--size', '1Gi', '--access-mode', 'RWX', '--storage-class', 'ceph-rbd'], ['only with --volume-mode Block']],
    [['render', 'pvc', 'd', '--size', '1Gi', '--label', 'bad key=v', '--annotation', 'noequals'], ['key "bad key" is not valid', '"noequals" must be KEY=VALUE']],
    [['render', 'pvc', 'd', '--size', '1Gi', '-n', 'Team_A'], ['--namespace: "Team_A" is not a valid name']],
    [['render', 'pvc', 'BAD', '--size', '10GB', '--access-mode', 'XYZ'], ['"BAD" is not a valid name', 'did you mean 10Gi?', '"XYZ" is not an access mode']],
    [['render', 'storageclass', 'longhorn', '--replicas', '0'], ['--replicas: "0" must be a whole number from 1 to 20']],
    [['render', 'storageclass', 'longhorn', '--replicas', '25', '--reclaim-policy', 'Keep'], ['must be a whole number from 1 to 20', '"Keep" must be one of Delete, Retain']],
    [['render', 'storageclass', 'nfs'], ['--server is required', '--share is required']],
    [['render', 'storageclass', 'nfs', '--server', 'nas', '--share', 'exports'], ['--share: "exports" must be an absolute path']],
    [['render', 'storageclass', 'hostpath', '--replicas', '3'], ['--replicas is not a flag of the hostpath preset']],
    [['render', 'storageclass', 'gluster'], ['unknown storageclass preset "gluster"; choose one of: ceph-rbd, cephfs, hostpath, longhorn, nfs, openebs-hostpath']],
    [['render', 'app', 'cassandra'], ['unknown app preset "cassandra"; choose one of: mariadb, mongodb, mysql, postgres, redis, uploads']],
    [['render', 'app', 'postgres', '--size', '5GB', '--name', 'DB'], ['did you mean 5Gi?', '"DB" is not a valid name']],
    [['render', 'pvc', 'd', '--size', '1Gi', '-o', 'table'], ['-o table: this command prints yaml, json, name']],
    [['render', 'storageclass', 'longhorn', '--fs-type', 'btrfs'], ["Allowed choices are ext4, xfs"]],
    [['render', 'pvc'], ["missing required argument 'name'"]],
    [['render', 'pvc', 'd', '--sise', '1Gi'], ["unknown option '--sise'", 'Did you mean --size?']],
    [['render', 'volume'], ["unknown command 'volume'"]],
  ])('%j', async (args, fragments) => {
    const r = await runCli(args);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    for (const f of fragments) expect(r.stderr).toContain(f);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace without --verbose
  });

  it('a problem list names how many problems there are', async () => {
    const r = await runCli(['render', 'pvc', 'BAD', '--size', '10GB']);
    expect(r.stderr).toMatch(/^error: 2 problems:\n {2}- /);
  });
});

describe('help, version, completion', () => {
  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    const r = await runCli(['--version']);
    expect(r).toMatchObject({ exitCode: 0, stdout: pkg.version });
  });

  it.each([[[]], [['render']], [['render', 'pvc']], [['render', 'storageclass']], [['render', 'app']], [['presets']], [['completion']]])('%j --help exits 0 with usage and examples', async (cmd) => {
    const r = await runCli([...cmd, '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Usage: k8s-storage');
    if (cmd.length !== 1 || cmd[0] !== 'render') expect(r.stdout).toContain('Examples:');
  });

  it('linked as kubectl-microk8s_storage, it is the kubectl plugin and its help says `kubectl microk8s-storage`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugin-'));
    const { symlinkSync } = await import('node:fs');
    const plugin = join(dir, 'kubectl-microk8s_storage');
    symlinkSync(TEST_BINARY ?? join(REPO, 'bin', 'k8s-storage.cjs'), plugin);
    const runPlugin = (args: string[]) => (TEST_BINARY ? execa(plugin, args, { reject: false }) : execa(process.execPath, [plugin, ...args], { reject: false }));
    const r = await runPlugin(['render', 'pvc', '--help']);
    expect(r.stdout).toContain('Usage: kubectl microk8s-storage render pvc');
    const rendered = await runPlugin(['render', 'pvc', 'x', '--size', '1Gi']);
    expect(rendered.stdout).toContain('kind: PersistentVolumeClaim');
  });

  it('render storageclass --help groups preset flags and lists presets', async () => {
    const r = await runCli(['render', 'storageclass', '--help']);
    r.stdout = r.stdout.replace(/\s+/g, ' ');
    expect(r.stdout).toContain('backend: ceph-rbd, cephfs, hostpath, longhorn, nfs, openebs-hostpath');
    expect(r.stdout).toMatch(/Preset options \(longhorn\):[\s\S]*--replicas/);
    expect(r.stdout).toMatch(/Preset options \(nfs\):[\s\S]*--server/);
  });

  // What the completion scripts complete, in the real shells: test/cli/completion.test.ts.
  it('an unknown shell is a usage error', async () => {
    expect((await runCli(['completion', 'powershell'])).exitCode).toBe(2);
  });
});

describe('presets', () => {
  it('-o json lists backends with capabilities and kits with defaults read from templates', async () => {
    const r = await runCli(['presets', '-o', 'json']);
    expect(r.exitCode).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.storageClasses.find((s: any) => s.name === 'hostpath')).toMatchObject({ provisioner: 'microk8s.io/hostpath', accessModes: ['ReadWriteOnce'], expansion: false, volumeBindingMode: 'WaitForFirstConsumer' });
    expect(c.storageClasses.find((s: any) => s.name === 'longhorn').flags.map((f: any) => f.flag)).toEqual(['--replicas', '--stale-replica-timeout', '--data-locality', '--fs-type']);
    expect(c.apps.find((a: any) => a.name === 'postgres')).toMatchObject({ image: 'postgres:17-alpine', defaultSize: '10Gi', mountPath: '/var/lib/postgresql/data', port: 5432, secretKeys: ['password'] });
    expect(c.apps.map((a: any) => a.name)).toEqual(['postgres', 'mysql', 'mariadb', 'mongodb', 'redis', 'uploads']);
  });

  it('the table lists every preset', async () => {
    const r = await runCli(['presets']);
    for (const n of ['hostpath', 'longhorn', 'nfs', 'ceph-rbd', 'cephfs', 'openebs-hostpath', 'postgres', 'uploads']) expect(r.stdout).toContain(n);
    expect(r.stdout).toMatch(/^NAME\s+PROVISIONER/m);
  });
});

describe('the fast path stays light', () => {
  // The single executable carries every library inside and requires none from disk.
  it.skipIf(TEST_BINARY).each([[['render', 'pvc', 'data', '--size', '1Gi']], [['render', 'app', 'postgres']], [['--help']], [['--version']]])('%j never loads @kubernetes/client-node or cluster code', async (args) => {
    const trace = join(mkdtempSync(join(tmpdir(), 'trace-')), 'imports.txt');
    writeFileSync(trace, '');
    const r = await runCli(args, { env: { NODE_OPTIONS: `--import=${join(REPO, 'test', 'helpers', 'trace-imports.mjs')}`, TRACE_IMPORTS_FILE: trace } });
    expect(r.exitCode).toBe(0);
    const loaded = readFileSync(trace, 'utf8');
    expect(loaded).toContain('require node:vm'); // the trace sees the shim's own requires
    expect(loaded).toMatch(/read .*dist\/cli\.cjs/); // ...and the bundles it reads
    expect(loaded).not.toMatch(/client-node|execa|\/ora\/|dist\/(kube|tools)\.cjs/);
    // Nor the builtins only cluster commands use: each costs start-up time (commander's
    // child_process is made lazy at build, node:http(s) stay behind src/cluster/kube.ts).
    expect(loaded.match(/^require node:(http|https|child_process|crypto|tls|zlib|readline)\b.*$/gm) ?? []).toEqual([]);
    // Nor process.stdout or stderr: for a pipe each is a net.Socket, ~7 ms to build; the
    // output is written with fs.writeSync (src/output/stdio.ts) and still arrives whole.
    expect(loaded.match(/^stdio .*$/gm) ?? []).toEqual([]);
    expect(r.stdout.length).toBeGreaterThan(0);
  });

  it.skipIf(TEST_BINARY)('the trace sees a stream when a command builds one (--password-stdin reads process.stdin)', async () => {
    const trace = join(mkdtempSync(join(tmpdir(), 'trace-')), 'imports.txt');
    writeFileSync(trace, '');
    const r = await runCli(['render', 'app', 'mariadb', '--password-stdin'], { input: 's3cret-value\n', env: { NODE_OPTIONS: `--import=${join(REPO, 'test', 'helpers', 'trace-imports.mjs')}`, TRACE_IMPORTS_FILE: trace } });
    expect(r.exitCode).toBe(0);
    expect(readFileSync(trace, 'utf8')).toMatch(/^stdio process\.stdin$/m);
  });
});

describe('stdout, written with fs.writeSync (src/output/stdio.ts)', () => {
  it('a reader that goes away early (`| head -1`) ends the run with 0 and no error', async () => {
    const { file, args } = cliInvocation(['dashboards', 'longhorn']);
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // closed before the CLI writes: its write gets EPIPE
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });

  // A descriptor another process made non-blocking answers EAGAIN once its buffer is full:
  // the rest then goes through process.stdout, which waits for the reader. python3 makes such a
  // pipe (4 KiB, O_NONBLOCK), starts the CLI on it, and after a second runs `then` (python
  // lines with `r` the reading end and `p` the CLI).
  const withFullPipe = (cli: string[], then: string[]) => {
    const { file, args } = cliInvocation(cli);
    const py = [
      'import fcntl, os, signal, subprocess, sys, time',
      'r, w = os.pipe()',
      'fcntl.fcntl(w, 1031, 4096)', // F_SETPIPE_SZ
      'fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)',
      'p = subprocess.Popen(sys.argv[1:], stdout=w)',
      'os.close(w)',
      'time.sleep(1)',
      ...then,
    ].join('\n');
    return execa('python3', ['-c', py, file, ...args], { reject: false });
  };

  it.skipIf(!hasPython)('a full non-blocking pipe still gets the whole output, in order', async () => {
    const expected = (await runCli(['dashboards', 'longhorn'])).stdout;
    expect(expected.length).toBeGreaterThan(8192);
    const r = await withFullPipe(['dashboards', 'longhorn'], [
      'out = b""',
      'while True:',
      '    chunk = os.read(r, 65536)',
      '    if not chunk: break',
      '    out += chunk',
      'sys.stdout.buffer.write(out)',
      'sys.exit(p.wait())',
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(expected.trimEnd());
  });

  // main() has returned and the output waits for the reader: a Ctrl-C then is still an
  // interrupted run (130), not a death by SIGINT (-2 to python).
  it.skipIf(!hasPython)('Ctrl-C while the last output waits for a full pipe ends with 130', async () => {
    // Nobody has read yet: the CLI has long filled the pipe and waits on it.
    const r = await withFullPipe(['dashboards', 'longhorn'], ['alive = p.poll() is None', 'p.send_signal(signal.SIGINT)', 'print(alive, p.wait())']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe('True 130');
  });
});
