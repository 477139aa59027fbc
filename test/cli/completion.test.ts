/**
 * Completion end to end: the hidden `__complete` (cobra's protocol) run as a process, the
 * names it reads from the fake API server, and the real bash, zsh and fish running the
 * scripts `completion <shell>` prints, with the CLI on PATH as the user has it. kubectl's
 * own plugin completion (the real kubectl) runs kubectl_complete-microk8s_storage.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { nodeTargets } from '../../src/backends/index.js';
import { templateNames } from '../../src/presets/templates.js';
import { REPO, runCli } from '../helpers/run-cli.js';
import { CLI_PATH, createSandbox, TEST_BINARY } from '../helpers/sandbox.mjs';
import { realTools } from '../helpers/real-tools.mjs';

type Sandbox = Awaited<ReturnType<typeof createSandbox>>;
const tools = realTools();

/** The values `__complete` printed (descriptions dropped), and its directive. */
function parse(stdout: string): { values: string[]; directive: string } {
  const lines = stdout.replace(/\n$/, '').split('\n');
  return { values: lines.slice(0, -1).map((l) => l.split('\t')[0]!), directive: lines.at(-1)! };
}

/**
 * What loading the cluster code leaves in an import trace: client-node, execa or ora from
 * node_modules, or the vendor bundle (run from a code cache) requiring its builtins by bare name.
 */
const CLUSTER_CODE = /client-node|execa|\/ora\/|^require (child_process|tls|supports-color)$/m;

const completeOffline = async (words: string[]) => {
  const r = await runCli(['__complete', ...words]);
  expect(r.exitCode, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  return parse(r.stdout);
};

describe('__complete without a cluster: commands, flags and fixed values', () => {
  it.each([
    [['ren'], ['render'], ':4'],
    [['res'], ['restore', 'resize'], ':4'],
    [['help', 'rend'], ['render'], ':4'],
    [['help', 'render', 'p'], ['pvc'], ':4'],
    [['render', ''], ['pvc', 'storageclass', 'app', 'longhorn-values'], ':4'],
    [['render', 'pvc', 'x', '--st'], ['--storage-class'], ':4'],
    [['render', 'pvc', 'x', '--size', '1Gi', '--si'], [], ':4'], // given once is enough
    [['render', 'pvc', 'x', '--access-mode', ''], ['RWO', 'ROX', 'RWX', 'RWOP'], ':4'],
    [['render', 'pvc', 'x', '--access-mode', 'RWO', '--access-mode', 'RW'], ['RWO', 'RWX', 'RWOP'], ':4'], // repeatable
    [['render', 'pvc', 'x', '--access-mode=RWO', '--acc'], ['--access-mode'], ':4'],
    [['render', 'pvc', 'x', '--volume-mode', ''], ['Filesystem', 'Block'], ':4'],
    [['render', 'storageclass', 'lo'], ['longhorn'], ':4'],
    [['render', 'storageclass', 'hostpath', '--reclaim-policy', ''], ['Delete', 'Retain'], ':4'],
    [['apply', 'storageclass', 'hostpath', '--binding-mode', 'W'], ['WaitForFirstConsumer'], ':4'],
    [['install', 'longhorn', '--ui', ''], ['port-forward', 'nodeport', 'loadbalancer', 'ingress'], ':4'],
    [['install', 'longhorn', '--reclaim-policy', ''], ['Delete', 'Retain'], ':4'],
    [['render', 'longhorn-values', '--data-locality', ''], ['disabled', 'best-effort', 'strict-local'], ':4'],
    [['install', 'nfs', '--on-delete', ''], ['delete', 'retain', 'archive'], ':4'], // an OptionSpec's choices
    [['status', '-o', ''], ['table', 'wide', 'json', 'yaml'], ':4'],
    [['render', 'pvc', 'x', '-o', ''], ['yaml', 'json', 'name'], ':4'],
    [['apply', 'pvc', 'x', '--dry-run', '-o', ''], ['yaml', 'json', 'name', 'text'], ':4'], // the plan formats too
    [['apply', 'app', '--dry-run', 'server', 'p'], ['postgres'], ':4'], // `server` is --dry-run's value, not the kit
    [['-o', 'json', 'vers'], ['version'], ':4'], // a global flag's value is not the command
    [['backup', 'create', 'data', '--mode', ''], ['full', 'incremental'], ':4'],
    [['completion', ''], ['bash', 'zsh', 'fish'], ':4'],
    [['render', 'pvc', 'x', '--output', '=', 'j'], ['json'], ':4'], // `--output=j` as bash splits it
    [['backup', 'data', 'x', '-o', ''], [], ':0'], // -o names a file there: the shell completes paths
    [['install', 'longhorn', '-f', ''], [], ':0'],
    [['--kubeconfig', ''], [], ':0'],
  ])('%j -> %j %s', async (words, values, directive) => {
    expect(await completeOffline(words)).toEqual({ values, directive });
  });

  it('--flag=prefix completes to --flag=value (one word, as zsh and fish pass it)', async () => {
    expect(await completeOffline(['render', 'pvc', 'x', '--output=j'])).toEqual({ values: ['--output=json'], directive: ':4' });
  });

  it('preset and kit names are the templates that ship; --for the node targets of the registry', async () => {
    expect((await completeOffline(['render', 'sc', ''])).values).toEqual(templateNames('storageclass'));
    expect((await completeOffline(['apply', 'app', ''])).values).toEqual(templateNames('app'));
    expect((await completeOffline(['nodes', 'check', '--for', ''])).values).toEqual(nodeTargets().map((t) => t.id));
  });

  it('candidates carry their description after a tab, as cobra prints them', async () => {
    const r = await runCli(['__complete', 'render', 'pvc', 'x', '--size']);
    expect(r.stdout).toBe('--size\trequested size, a Kubernetes quantity such as 10Gi (required)\n:4');
  });

  it('names from the cluster, with no kubeconfig and no microk8s: nothing, exit 0, nothing on stderr', async () => {
    for (const words of [['-n', ''], ['resize', 'pvc', ''], ['default-class', '']]) expect(await completeOffline(words)).toEqual({ values: [], directive: ':4' });
  });

  // The single executable carries every library inside: there is nothing to trace.
  it.skipIf(TEST_BINARY)('completing commands, flags and fixed values loads no cluster code; cluster names do', async () => {
    const traced = async (words: string[]) => {
      const trace = join(mkdtempSync(join(tmpdir(), 'trace-')), 'imports.txt');
      writeFileSync(trace, '');
      const r = await runCli(['__complete', ...words], { env: { NODE_OPTIONS: `--import=${join(REPO, 'test', 'helpers', 'trace-imports.mjs')}`, TRACE_IMPORTS_FILE: trace } });
      expect(r.exitCode).toBe(0);
      return readFileSync(trace, 'utf8');
    };
    for (const words of [['ren'], ['render', 'pvc', 'x', '--access-mode', ''], ['install', 'longhorn', '--ui', ''], ['status', '-o', '']]) {
      const loaded = await traced(words);
      expect(loaded).toContain('require node:vm');
      expect(loaded, words.join(' ')).not.toMatch(CLUSTER_CODE);
    }
    expect(await traced(['resize', 'pvc', ''])).toMatch(CLUSTER_CODE);
  });
});

describe('__complete with a cluster: claims, classes, namespaces, Longhorn snapshots and backups', () => {
  let sb: Sandbox;
  const lh = (kind: string, name: string, spec: object = {}) => ({ apiVersion: 'longhorn.io/v1beta2', kind, metadata: { name, namespace: 'longhorn-system' }, spec });
  const pvc = (namespace: string, name: string, volumeName?: string) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...(volumeName ? { volumeName } : {}) } });
  const pv = (name: string, volumeHandle: string) => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], csi: { driver: 'driver.longhorn.io', volumeHandle } } });
  beforeAll(async () => {
    sb = await createSandbox({ api: true });
    for (const ns of ['shop', 'web', 'longhorn-system']) sb.api!.store.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (const [ns, name] of [['shop', 'uploads'], ['web', 'assets'], ['default', 'scratch']] as const) sb.api!.store.put(pvc(ns, name));
    sb.api!.store.put(pvc('shop', 'postgres-pvc', 'pvc-1111'));
    sb.api!.store.put(pv('pvc-1111', 'pvc-1111'));
    sb.api!.store.put(pvc('web', 'static', 'pvc-static'));
    sb.api!.store.put(pv('pvc-static', 'web-static-volume')); // a static PV: the Longhorn volume is its CSI handle
    for (const name of ['longhorn', 'microk8s-hostpath']) sb.api!.store.put({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner: 'x.io/p' });
    sb.api!.store.put(lh('Snapshot', 'before-upgrade', { volume: 'pvc-1111' }));
    sb.api!.store.put(lh('Snapshot', 'nightly-1', { volume: 'pvc-1111' }));
    sb.api!.store.put(lh('Snapshot', 'static-1', { volume: 'web-static-volume' }));
    sb.api!.store.put(lh('Backup', 'backup-1a2b3c4d5e6f7890'));
  });
  afterAll(() => sb.cleanup());

  const complete = async (words: string[], env: Record<string, string> = {}) => {
    const r = await sb.run(['__complete', ...words], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    return parse(r.stdout);
  };

  it.each([
    [['render', 'pvc', 'x', '--storage-class', ''], ['longhorn', 'microk8s-hostpath']],
    [['verify', 'l'], ['longhorn']],
    [['migrate', 'pvc', 'x', '--to-class', 'm'], ['microk8s-hostpath']],
    [['resize', 'pvc', ''], ['scratch']], // the context's namespace
    [['-n', 'shop', 'resize', 'pvc', ''], ['postgres-pvc', 'uploads']],
    [['snapshot', 'create', '-n', 'web', ''], ['assets', 'static']],
    [['backup', 'list', '-A', ''], ['assets', 'postgres-pvc', 'scratch', 'static', 'uploads']],
    // Snapshots: of the claim typed before (its PV's CSI handle is the Longhorn volume), else all.
    [['-n', 'shop', 'snapshot', 'delete', 'postgres-pvc', ''], ['before-upgrade', 'nightly-1']],
    [['snapshot', 'delete', '-n', 'web', 'static', ''], ['static-1']],
    [['snapshot', 'delete', 'postgres-pvc', ''], []], // not in the context's namespace (default)
    [['backup', 'create', '--snapshot', ''], ['before-upgrade', 'nightly-1', 'static-1']],
    [['-n', 'shop', 'backup', 'create', 'postgres-pvc', '--snapshot', 'n'], ['nightly-1']],
    [['backup', 'delete', ''], ['backup-1a2b3c4d5e6f7890']],
  ])('%j -> %j', async (words, values) => {
    expect(await complete(words)).toEqual({ values, directive: ':4' });
  });

  it('-n completes the namespaces the cluster has', async () => {
    const all = (sb.api!.store.list('namespaces') as any[]).map((n) => n.metadata.name).sort();
    expect(all).toEqual(expect.arrayContaining(['shop', 'web']));
    expect(await complete(['status', '-n', ''])).toEqual({ values: all, directive: ':4' });
    expect(await complete(['--namespace', 's'])).toEqual({ values: ['shop'], directive: ':4' });
  });

  it('--kubeconfig and --context in the words choose the cluster; a context that does not exist gives nothing', async () => {
    const elsewhere = join(sb.dir, 'elsewhere.kubeconfig');
    writeFileSync(elsewhere, readFileSync(join(sb.home, '.kube', 'config'), 'utf8'));
    expect(await complete(['--kubeconfig', elsewhere, 'default-class', ''], { HOME: join(sb.dir, 'nohome') })).toEqual({ values: ['longhorn', 'microk8s-hostpath'], directive: ':4' });
    expect(await complete(['--context', 'nope', 'default-class', ''])).toEqual({ values: [], directive: ':4' });
  });

  it('--context completes the contexts of the kubeconfig (--kubeconfig when given)', async () => {
    const kubeconfig = parseYaml(readFileSync(join(sb.home, '.kube', 'config'), 'utf8'));
    const own = kubeconfig.contexts.map((c: any) => c.name);
    expect(own.length).toBeGreaterThan(0);
    expect(await complete(['--context', ''])).toEqual({ values: own, directive: ':4' });
    const two = join(sb.dir, 'two-contexts.kubeconfig');
    writeFileSync(two, stringifyYaml({ ...kubeconfig, contexts: [...kubeconfig.contexts, { ...kubeconfig.contexts[0], name: 'staging' }] }));
    expect(await complete(['--kubeconfig', two, 'status', '--context', ''])).toEqual({ values: [...own, 'staging'].sort(), directive: ':4' });
    expect(await complete(['--kubeconfig', two, '--context', 'staging', 'default-class', 'l'])).toEqual({ values: ['longhorn'], directive: ':4' });
  });

  it('a cluster that does not answer: nothing, within the deadline (about 1.5 s), never an error in the shell', async () => {
    const hang = sb.api!.faults.hang({ verb: 'list', resource: 'storageclasses' }, 10);
    const started = Date.now();
    expect(await complete(['default-class', ''])).toEqual({ values: [], directive: ':4' });
    expect(Date.now() - started).toBeLessThan(6000);
    sb.api!.faults.clear();
    void hang;
  });

  it('a kind the cluster does not serve (no Longhorn) or may not list: nothing', async () => {
    sb.api!.faults.forbid({ verb: 'list', resource: 'persistentvolumeclaims' });
    expect(await complete(['resize', 'pvc', ''])).toEqual({ values: [], directive: ':4' });
    sb.api!.faults.clear();
    const noLonghorn = await createSandbox({ api: { hiddenGroups: ['longhorn.io'] } });
    try {
      const r = await noLonghorn.run(['__complete', 'backup', 'delete', '']);
      expect({ exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr }).toEqual({ exitCode: 0, stdout: ':4\n', stderr: '' });
    } finally {
      await noLonghorn.cleanup();
    }
  });

  it.skipIf('missing' in tools)('kubectl microk8s-storage -n shop resize pvc <TAB>: claim names through the real kubectl', async () => {
    const env = { ...sb.env, PATH: `${onPath(sb.dir)}:${sb.env.PATH}` };
    const r = await execa((tools as { kubectl: string }).kubectl, ['__complete', 'microk8s-storage', '-n', 'shop', 'resize', 'pvc', ''], { env, extendEnv: false });
    expect(parse(r.stdout)).toEqual({ values: ['postgres-pvc', 'uploads'], directive: ':4' });
  });

  it('bash, through the script, completes claim names from the cluster', async () => {
    const script = (await sb.run(['completion', 'bash'])).stdout;
    const bin = onPath(sb.dir);
    const sh = `source /dev/stdin <<<"$SCRIPT"; COMP_WORDS=(k8s-storage -n shop resize pvc ''); COMP_CWORD=5; _k8s_storage; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = await execa('bash', ['--norc', '-c', sh], { env: { ...sb.env, PATH: `${bin}:${sb.env.PATH}`, SCRIPT: script }, extendEnv: false });
    expect(r.stdout.split('\n')).toEqual(['postgres-pvc', 'uploads']);
  });
});

/** A directory with the CLI in it as `k8s-storage` and as the kubectl plugin, as npm and the release archive install it. */
function onPath(parent: string): string {
  const bin = join(parent, 'path-bin');
  mkdirSync(bin, { recursive: true });
  for (const name of ['k8s-storage', 'kubectl-microk8s_storage', 'kubectl_complete-microk8s_storage']) {
    try {
      symlinkSync(TEST_BINARY ?? CLI_PATH, join(bin, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return bin;
}

const has = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;
const skipped = (shell: string) => (has(shell) ? '' : ` (skipped: ${shell} is not installed; apt-get install ${shell})`);

describe('the scripts in the real shells', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-storage-shells-'));
  const bin = onPath(dir);
  // The CLI as a user has it: on PATH, with node beside it for the npm entry's shebang.
  const env = { PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: dir, NO_COLOR: '1' };
  const script = async (shell: string) => {
    const r = await runCli(['completion', shell]);
    expect(r.exitCode).toBe(0);
    const file = join(dir, `completion.${shell}`);
    writeFileSync(file, r.stdout);
    return file;
  };

  it('bash: commands, flags, flag values and preset names', async () => {
    const file = await script('bash');
    const complete = async (...words: string[]) => {
      const sh = `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _k8s_storage; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return (await execa('bash', ['--norc', '-c', sh], { env, extendEnv: false })).stdout.split('\n').filter(Boolean);
    };
    expect(await complete('k8s-storage', 'ren')).toEqual(['render']);
    expect(await complete('k8s-storage', 'res')).toEqual(['restore', 'resize']);
    expect(await complete('k8s-storage', 'render', 'storageclass', 'lo')).toEqual(['longhorn']);
    expect(await complete('k8s-storage', 'render', 'pvc', 'x', '--st')).toEqual(['--storage-class']);
    expect(await complete('k8s-storage', 'render', 'pvc', 'x', '--access-mode', '')).toEqual(['RWO', 'ROX', 'RWX', 'RWOP']);
    expect(await complete('kubectl-microk8s_storage', 'install', 'longhorn', '--ui', 'n')).toEqual(['nodeport']);
    // -f takes a file: the shell's own file completion.
    writeFileSync(join(dir, 'values-mine.yaml'), '');
    expect(await complete('k8s-storage', 'install', 'longhorn', '-f', join(dir, 'values-m'))).toEqual([join(dir, 'values-mine.yaml')]);
  });

  it.skipIf(!has('zsh'))(`zsh: sourcing the script prints nothing and registers it, with or without compinit first${skipped('zsh')}`, async () => {
    const file = await script('zsh');
    for (const sh of [`source ${file}; print -r -- $_comps[k8s-storage] $_comps[kubectl-microk8s_storage]`, `autoload -Uz compinit && compinit -u; source ${file}; print -r -- $_comps[k8s-storage] $_comps[kubectl-microk8s_storage]`]) {
      const r = await execa('zsh', ['-f', '-c', sh], { env, extendEnv: false, reject: false });
      expect({ exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr }).toEqual({ exitCode: 0, stdout: '_k8s_storage _k8s_storage', stderr: '' });
    }
    // Saved in $fpath as _k8s-storage, compinit finds it by its #compdef line.
    const fpath = join(dir, 'zfunc');
    mkdirSync(fpath, { recursive: true });
    writeFileSync(join(fpath, '_k8s-storage'), readFileSync(file, 'utf8'));
    const r = await execa('zsh', ['-f', '-c', `fpath=(${fpath} $fpath); autoload -Uz compinit && compinit -u -d ${join(dir, 'zcompdump')}; print -r -- $_comps[k8s-storage]`], { env, extendEnv: false });
    expect(r.stdout).toBe('_k8s-storage');
  });

  it.skipIf(!has('zsh'))(`zsh: the completion function offers values with descriptions, and files where a file is wanted${skipped('zsh')}`, async () => {
    const file = await script('zsh');
    // _describe and _files work only inside a completion widget: stand-ins print what they were given.
    const complete = async (...words: string[]) => {
      const sh = `source ${file}; _describe() { print -rl -- "\${(@P)\${@[-1]}}"; }; _files() { print -r -- FILES; }; words=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}; _k8s_storage`;
      return (await execa('zsh', ['-f', '-c', sh], { env, extendEnv: false })).stdout.split('\n').filter(Boolean);
    };
    expect(await complete('k8s-storage', 'render', 'st')).toEqual(['storageclass:render a StorageClass from a backend preset']);
    expect(await complete('k8s-storage', 'install', 'longhorn', '--ui', '')).toEqual(['port-forward', 'nodeport', 'loadbalancer', 'ingress']);
    expect(await complete('k8s-storage', 'restore', 'data', 'x', '--file', '')).toEqual(['FILES']);
    expect(await complete('k8s-storage', 'status', '-o', 'w')).toEqual(['wide']);
  });

  it.skipIf(!has('fish'))(`fish: complete -C gives the same candidates, with descriptions${skipped('fish')}`, async () => {
    const file = await script('fish');
    const complete = async (line: string) => (await execa('fish', ['--no-config', '-c', `source ${file}; complete -C${JSON.stringify(line)}`], { env, extendEnv: false })).stdout.split('\n').filter(Boolean);
    expect(await complete('k8s-storage render st')).toEqual(['storageclass\trender a StorageClass from a backend preset']);
    expect((await complete('k8s-storage install longhorn --ui ')).sort()).toEqual(['ingress', 'loadbalancer', 'nodeport', 'port-forward']);
    expect(await complete('kubectl-microk8s_storage render app po')).toEqual(['postgres']);
    writeFileSync(join(dir, 'dump-shop.sql'), '');
    expect(await complete(`k8s-storage restore db postgres x -f ${join(dir, 'dump-s')}`)).toEqual([join(dir, 'dump-shop.sql')]);
  });
});

describe.skipIf('missing' in tools)(`kubectl microk8s-storage <TAB>, through the real kubectl${'missing' in tools ? ` (skipped: ${tools.missing})` : ''}`, () => {
  it('kubectl runs kubectl_complete-microk8s_storage from PATH and shows what it prints', async () => {
    const kubectl = (tools as { kubectl: string }).kubectl;
    const dir = mkdtempSync(join(tmpdir(), 'k8s-storage-kubectl-'));
    const env = { PATH: `${onPath(dir)}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: dir, KUBECONFIG: join(dir, 'none') };
    // What kubectl's own bash/zsh/fish scripts run on TAB.
    const r = await execa(kubectl, ['__complete', 'microk8s-storage', 'render', 'storageclass', 'lo'], { env, extendEnv: false });
    expect(parse(r.stdout)).toEqual({ values: ['longhorn'], directive: ':4' });
    const flags = await execa(kubectl, ['__complete', 'microk8s-storage', 'install', 'longhorn', '--ui', ''], { env, extendEnv: false });
    expect(parse(flags.stdout).values).toEqual(['port-forward', 'nodeport', 'loadbalancer', 'ingress']);
    // kubectl lists the plugin itself among its commands.
    const top = await execa(kubectl, ['__complete', 'microk8s'], { env, extendEnv: false });
    expect(parse(top.stdout).values).toContain('microk8s-storage');
  });
});
