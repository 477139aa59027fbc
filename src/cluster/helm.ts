/**
 * Helm, as data: where it is (`helm` on PATH, else the Helm 3 bundled in MicroK8s as
 * `microk8s helm3`), which major version it is (Helm 4 renamed --atomic to
 * --rollback-on-failure), the commands k8s-storage runs, and their output read with Helm's
 * quirks: `helm status` exits 0 for a failed release, so callers read `info.status`;
 * `helm list -o json` gives the revision as a string.
 */
import { ClusterError } from '../errors.js';
import { addonCommandProblem, MICROK8S } from './microk8s.js';
import { describeCommand, onPath, runTool, type RunOptions, type ToolCommand, type ToolResult } from './runner.js';

/** What runs Helm, before its version is known. */
export interface HelmBinary {
  /** The program: `helm`, or `microk8s` with `helm3` as the first argument. */
  file: string;
  prefix: string[];
  /** How messages and hints name it: "helm" or "microk8s helm3". */
  name: string;
  /** Global flags for every command (--kubeconfig, --kube-context), so Helm talks to our cluster. */
  globalArgs: string[];
}

export interface HelmTool extends HelmBinary {
  /** As Helm prints it, e.g. v3.16.4. */
  version: string;
  major: number;
}

/** One release, from `helm status -o json`. */
export interface HelmRelease {
  name: string;
  namespace: string;
  /** deployed, failed, pending-install, pending-upgrade, pending-rollback, uninstalling, superseded, ... */
  status: string;
  revision: number;
  chartName: string;
  chartVersion: string;
  appVersion: string;
  description: string;
}

/** One row of `helm list -o json`. */
export interface HelmListEntry {
  name: string;
  namespace: string;
  revision: number;
  status: string;
  chart: string;
  appVersion: string;
}

export interface HelmUpgradeRequest {
  release: string;
  chart: string;
  namespace: string;
  version?: string;
  /** Values files in the order Helm merges them: later files win. */
  valuesFiles: string[];
  /** --set flags, applied after every file. */
  sets: string[];
  /** A Go duration, e.g. 10m. */
  timeout?: string;
  /** Roll back (upgrade) or uninstall (install) when the operation fails; implies Helm's own wait. */
  rollbackOnFailure?: boolean;
}


/** Finds Helm without running anything: `helm` on PATH first, then `microk8s helm3`. */
export async function locateHelm(opts: { kubeconfig?: string; context?: string; path?: string } = {}): Promise<HelmBinary | undefined> {
  const globalArgs = [...(opts.kubeconfig ? ['--kubeconfig', opts.kubeconfig] : []), ...(opts.context ? ['--kube-context', opts.context] : [])];
  if (onPath('helm', opts.path)) return { file: 'helm', prefix: [], name: 'helm', globalArgs };
  if (onPath(MICROK8S, opts.path)) return { file: MICROK8S, prefix: ['helm3'], name: 'microk8s helm3', globalArgs };
  return undefined;
}

export const HELM_MISSING = new ClusterError('Helm is not installed: neither helm nor microk8s (which bundles Helm 3) is on PATH.', {
  hint: 'install Helm (https://helm.sh/docs/intro/install/, e.g. sudo snap install helm --classic), or run k8s-storage on a MicroK8s node',
  reason: 'unavailable',
});

const command = (bin: HelmBinary, args: string[], withGlobals = true): ToolCommand => ({
  file: bin.file,
  args: [...bin.prefix, ...args, ...(withGlobals ? bin.globalArgs : [])],
});

export const helmCommands = {
  /** Prints just the version, e.g. v3.16.4. */
  version: (bin: HelmBinary): ToolCommand => command(bin, ['version', '--template', '{{.Version}}'], false),
  /** Older or unusual builds: `v3.16.4+g7877b45`. */
  versionShort: (bin: HelmBinary): ToolCommand => command(bin, ['version', '--short'], false),
  repoAdd: (bin: HelmBinary, name: string, url: string): ToolCommand => command(bin, ['repo', 'add', name, url, '--force-update'], false),
  repoUpdate: (bin: HelmBinary, name: string): ToolCommand => command(bin, ['repo', 'update', name], false),
  status: (bin: HelmBinary, release: string, namespace: string): ToolCommand => command(bin, ['status', release, '-n', namespace, '-o', 'json']),
  list: (bin: HelmBinary, namespace: string): ToolCommand => command(bin, ['list', '-n', namespace, '--all', '-o', 'json']),
  /**
   * `upgrade --install`: installs, or upgrades in place. Our values file comes first and the
   * user's files and --set flags after it, so theirs win (Helm merges in that order).
   */
  upgradeInstall: (tool: HelmTool, req: HelmUpgradeRequest): ToolCommand =>
    command(tool, [
      'upgrade',
      '--install',
      req.release,
      req.chart,
      '-n',
      req.namespace,
      '--create-namespace',
      ...(req.version ? ['--version', req.version] : []),
      ...req.valuesFiles.flatMap((f) => ['-f', f]),
      ...req.sets.flatMap((s) => ['--set', s]),
      ...(req.timeout ? ['--timeout', req.timeout] : []),
      ...(req.rollbackOnFailure ? [rollbackOnFailureFlag(tool.major)] : []),
    ]),
  uninstall: (bin: HelmBinary, release: string, namespace: string, timeout?: string): ToolCommand =>
    command(bin, ['uninstall', release, '-n', namespace, ...(timeout ? ['--timeout', timeout] : [])]),
  rollback: (bin: HelmBinary, release: string, namespace: string): ToolCommand => command(bin, ['rollback', release, '-n', namespace]),
};

/** Helm 4 renamed --atomic; Helm 3 (the one inside MicroK8s) knows only --atomic. */
export function rollbackOnFailureFlag(major: number): string {
  return major >= 4 ? '--rollback-on-failure' : '--atomic';
}

/** The version in `helm version --template {{.Version}}`, `--short`, or the full BuildInfo line. */
export function parseHelmVersion(text: string): { version: string; major: number } | undefined {
  const m = /\bv?(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?/.exec(text);
  if (!m) return undefined;
  const version = m[0].startsWith('v') ? m[0] : `v${m[0]}`;
  return { version, major: Number(m[1]) };
}

/** What a Helm failure says about the cluster, beyond its exit code. */
export function helmProblem(r: ToolResult, bin: HelmBinary, what: string): ClusterError {
  if (r.notFound) return new ClusterError(`${bin.name} is not installed or not on PATH.`, { hint: HELM_MISSING.hint!, reason: 'unavailable' });
  if (bin.file === MICROK8S) {
    const m8s = addonCommandProblem(r, 'helm3');
    if (m8s) return m8s;
  }
  const text = `${r.stderr}\n${r.stdout}`.trim();
  const last = text.split('\n').filter(Boolean).slice(-3).join(' / ');
  if (/Kubernetes cluster unreachable/.test(text)) {
    return new ClusterError(`${bin.name} cannot reach the cluster while ${what}: ${last}`, {
      hint: 'check the cluster is up and that Helm uses the same kubeconfig (pass --kubeconfig/--context to k8s-storage; they are handed to Helm)',
      reason: 'unavailable',
    });
  }
  if (/another operation \(install\/upgrade\/rollback\) is in progress/.test(text)) {
    return new ClusterError(`${bin.name} refused while ${what}: another Helm operation on the release is in progress or was interrupted.`, {
      hint: 'helm status -n <namespace> <release> shows which; a release left pending-upgrade recovers with helm rollback',
      reason: 'conflict',
    });
  }
  return new ClusterError(`${bin.name} failed while ${what} (exit ${r.exitCode}): ${last || 'no output'}`);
}

/** Reads `helm status -o json`: undefined when there is no such release. */
export function parseHelmStatus(r: ToolResult, bin: HelmBinary, release: string): HelmRelease | undefined {
  if (r.exitCode !== 0) {
    if (/release: not found/.test(r.stderr)) return undefined;
    throw helmProblem(r, bin, `reading the status of release ${release}`);
  }
  let doc: any;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new ClusterError(`could not read the output of "${bin.name} status ${release} -o json": ${r.stdout.slice(0, 200)}`, { reason: 'invalid' });
  }
  // Helm marks a broken release `failed` and still exits 0: the status field is the truth.
  const status = doc?.info?.status;
  if (typeof status !== 'string') throw new ClusterError(`"${bin.name} status ${release} -o json" has no info.status: ${r.stdout.slice(0, 200)}`);
  return {
    name: String(doc.name ?? release),
    namespace: String(doc.namespace ?? ''),
    status,
    revision: Number(doc.version ?? 0),
    chartName: String(doc.chart?.metadata?.name ?? ''),
    chartVersion: String(doc.chart?.metadata?.version ?? ''),
    appVersion: String(doc.chart?.metadata?.appVersion ?? ''),
    description: String(doc.info?.description ?? ''),
  };
}

/** Reads `helm list -o json` (revision is a string there; chart is `name-version`). */
export function parseHelmList(r: ToolResult, bin: HelmBinary): HelmListEntry[] {
  if (r.exitCode !== 0) throw helmProblem(r, bin, 'listing releases');
  let rows: unknown;
  try {
    rows = JSON.parse(r.stdout || '[]');
  } catch {
    throw new ClusterError(`could not read the output of "${bin.name} list -o json": ${r.stdout.slice(0, 200)}`);
  }
  if (!Array.isArray(rows)) return [];
  return rows.map((row: any) => ({
    name: String(row?.name ?? ''),
    namespace: String(row?.namespace ?? ''),
    revision: Number.parseInt(String(row?.revision ?? '0'), 10) || 0,
    status: String(row?.status ?? ''),
    chart: String(row?.chart ?? ''),
    appVersion: String(row?.app_version ?? ''),
  }));
}

type Run = (cmd: ToolCommand, opts: RunOptions) => Promise<ToolResult>;

/** Runs `version` (then `version --short` if needed) and returns the tool with its major version. */
export async function detectHelm(bin: HelmBinary, opts: RunOptions = {}, run: Run = runTool): Promise<HelmTool> {
  let last: ToolResult | undefined;
  for (const cmd of [helmCommands.version(bin), helmCommands.versionShort(bin)]) {
    const r = await run(cmd, { ...opts, timeoutMs: opts.timeoutMs ?? 30_000 });
    last = r;
    if (r.notFound) throw helmProblem(r, bin, 'reading its version');
    const v = r.exitCode === 0 ? parseHelmVersion(r.stdout) : undefined;
    if (v) return { ...bin, ...v };
  }
  throw helmProblem(last!, bin, `reading its version ("${describeCommand(helmCommands.version(bin))}" printed no version)`);
}

export async function helmStatus(tool: HelmBinary, release: string, namespace: string, opts: RunOptions = {}, run: Run = runTool): Promise<HelmRelease | undefined> {
  return parseHelmStatus(await run(helmCommands.status(tool, release, namespace), { ...opts, timeoutMs: opts.timeoutMs ?? 60_000 }), tool, release);
}

export async function helmList(tool: HelmBinary, namespace: string, opts: RunOptions = {}, run: Run = runTool): Promise<HelmListEntry[]> {
  return parseHelmList(await run(helmCommands.list(tool, namespace), { ...opts, timeoutMs: opts.timeoutMs ?? 60_000 }), tool);
}
