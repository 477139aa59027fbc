/**
 * `render longhorn-values`: the Helm values document `install longhorn` would give the chart,
 * offline, for GitOps tools (Argo CD, Flux) and reviews. Also home of the option reading that
 * `install longhorn` shares. Pure modules only: this is on the fast, offline path.
 */
import { readFileSync } from 'node:fs';
import { outputFormat, type Context } from '../../../context.js';
import { UsageError } from '../../../errors.js';
import { reclaimPolicy, wholeNumber } from '../../../options/index.js';
import { LONGHORN_CHART } from '../chart.js';
import { composeLonghornValues, type UserValuesFile } from '../compose.js';
import { LONGHORN_METRICS_PORT, PROMETHEUS_POLICY } from '../monitoring.js';
import { parseSetFlag, parseValuesYaml, renderLonghornValuesYaml, validateLonghornInstallOptions, type LonghornInstallOptions } from '../values.js';

/** Reads `-f` files: every unreadable or invalid file is a problem, none stops the others being read. */
export function readUserValuesFiles(paths: readonly string[]): { files: UserValuesFile[]; problems: string[] } {
  const files: UserValuesFile[] = [];
  const problems: string[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      problems.push(`-f ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
      continue;
    }
    const parsed = parseValuesYaml(text, `-f ${path}`);
    problems.push(...parsed.problems);
    if (!parsed.problems.length) files.push({ source: path, values: parsed.values });
  }
  return { files, problems };
}

/** The value flags `install longhorn` and `render longhorn-values` share, as typed options (microk8s and nodes come from elsewhere). */
export function valueOptionsOf(opts: Record<string, any>, problems: string[]): Omit<LonghornInstallOptions, 'microk8s' | 'nodeCount'> {
  const o: Omit<LonghornInstallOptions, 'microk8s' | 'nodeCount'> = {};
  const replicas = wholeNumber('--replicas', opts.replicas, problems);
  if (replicas !== undefined) o.replicas = replicas;
  if (opts.defaultClass !== undefined) o.defaultClass = opts.defaultClass;
  if (opts.dataPath !== undefined) o.dataPath = opts.dataPath;
  const policy = reclaimPolicy('--reclaim-policy', opts.reclaimPolicy, problems);
  if (policy !== undefined) o.reclaimPolicy = policy;
  if (opts.fsType !== undefined) o.fsType = opts.fsType;
  if (opts.dataLocality !== undefined) o.dataLocality = opts.dataLocality;
  if (opts.ui !== undefined) o.ui = opts.ui;
  if (opts.host !== undefined) o.host = opts.host;
  if (opts.ingressClass !== undefined) o.ingressClassName = opts.ingressClass;
  if (opts.authSecret !== undefined) o.authSecretName = opts.authSecret;
  if (opts.backupTarget !== undefined) o.backupTarget = opts.backupTarget;
  if (opts.backupCredentialsSecret !== undefined) o.backupCredentialsSecret = opts.backupCredentialsSecret;
  if (opts.gitops) o.gitops = true;
  return o;
}

export async function renderLonghornValues(ctx: Context, opts: Record<string, any>): Promise<void> {
  const format = outputFormat(ctx, ['yaml', 'json'] as const, 'yaml');
  const problems: string[] = [];
  const valueOptions = valueOptionsOf(opts, problems);
  const nodeCount = wholeNumber('--nodes', opts.nodes, problems, { min: 1 });
  const userFiles = readUserValuesFiles(opts.values ?? []);
  problems.push(...userFiles.problems);
  // Offline there is no cluster to ask: MicroK8s unless told otherwise (it is what k8s-storage is for).
  const microk8s = opts.microk8s !== false;
  problems.push(...validateLonghornInstallOptions({ ...valueOptions, microk8s }), ...(opts.set ?? []).flatMap((s: string) => parseSetFlag(s).problems));
  if (problems.length) throw new UsageError(problems);
  const composed = composeLonghornValues({ ...valueOptions, microk8s, ...(nodeCount !== undefined ? { nodeCount } : {}), ...(opts.monitoring === true ? { monitoring: true } : {}) }, userFiles.files, opts.set ?? []);
  for (const w of composed.warnings) ctx.log.warn(w);
  // The values cannot carry it: install longhorn --monitoring applies it beside the chart.
  if (opts.monitoring === true) ctx.log.info(`--monitoring: Prometheus also needs NetworkPolicy ${PROMETHEUS_POLICY} in ${LONGHORN_CHART.namespace} to reach longhorn-manager's metrics port ${LONGHORN_METRICS_PORT} (install longhorn --monitoring applies it); add it beside these values in your GitOps repository`);
  const version = String(opts.version ?? LONGHORN_CHART.defaultVersion).replace(/^v/, '');
  ctx.out(format === 'json' ? `${JSON.stringify(composed.merged, null, 2)}\n` : renderLonghornValuesYaml(composed.merged, version));
}
