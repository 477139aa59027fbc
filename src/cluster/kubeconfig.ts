/**
 * Which cluster to talk to, the way kubectl decides, plus MicroK8s: --kubeconfig, then
 * $KUBECONFIG, then ~/.kube/config, then `microk8s config` when microk8s is installed.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterError, UsageError } from '../errors.js';
import { microk8sCommands, microk8sUnavailable, parseMicrok8sStatus } from './microk8s.js';
import { loadVendor } from './load-vendor.js';
import { runTool, type RunOptions } from './runner.js';

export interface KubeconfigChoice {
  kubeconfig?: string;
  context?: string;
}

export interface LoadedKubeconfig {
  kc: KubeConfig;
  /** Where it came from, for messages: a path, "$KUBECONFIG" or "microk8s config". */
  source: string;
  server: string;
}

/**
 * A $KUBECONFIG list, merged as client-node's loadFromDefault merges it, except that files
 * that do not exist are skipped, as kubectl skips them (a list shared across machines names
 * files some of them lack). When none exists, that is an error naming them.
 */
function loadKubeconfigList(kc: KubeConfig, list: string, Ctor: new () => KubeConfig): void {
  const named = list.split(delimiter).filter(Boolean);
  const files = named.filter((f) => existsSync(f));
  if (!files.length) {
    throw new ClusterError(`$KUBECONFIG names no file that exists (${named.join(', ')})`, { hint: 'fix KUBECONFIG, or pass --kubeconfig PATH' });
  }
  kc.loadFromFile(files[0]!);
  for (const file of files.slice(1)) {
    const next = new Ctor();
    next.loadFromFile(file);
    kc.mergeConfig(next, false);
  }
}

export async function loadKubeconfig(choice: KubeconfigChoice, run: RunOptions = {}): Promise<LoadedKubeconfig> {
  const { KubeConfig } = await loadVendor();
  const kc = new KubeConfig();
  let source: string;
  const home = join(homedir(), '.kube', 'config');
  try {
    if (choice.kubeconfig) {
      if (!existsSync(choice.kubeconfig)) throw new UsageError(`--kubeconfig: ${choice.kubeconfig} does not exist`);
      kc.loadFromFile(choice.kubeconfig);
      source = choice.kubeconfig;
    } else if (process.env.KUBECONFIG) {
      source = '$KUBECONFIG';
      loadKubeconfigList(kc, process.env.KUBECONFIG, KubeConfig);
    } else if (existsSync(home)) {
      kc.loadFromFile(home);
      source = home;
    } else {
      const r = await runTool(microk8sCommands.config(), run);
      if (r.exitCode !== 0 || !r.stdout.includes('clusters:')) {
        if (r.notFound) {
          throw new ClusterError('no kubeconfig found: not in --kubeconfig, $KUBECONFIG or ~/.kube/config, and microk8s is not installed.', {
            hint: 'pass --kubeconfig PATH, or on a MicroK8s node: microk8s config > ~/.kube/config',
          });
        }
        const state = parseMicrok8sStatus(r);
        if (state.kind !== 'running') throw microk8sUnavailable(state);
        throw new ClusterError(`"microk8s config" failed (exit ${r.exitCode}): ${r.stderr.trim() || r.stdout.trim()}`);
      }
      kc.loadFromString(r.stdout);
      source = 'microk8s config';
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof ClusterError) throw err;
    throw new ClusterError(`cannot read the kubeconfig: ${(err as Error).message}`, { hint: 'check the file, or pass another one with --kubeconfig' });
  }
  if (choice.context) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(choice.context)) {
      throw new UsageError(`--context: "${choice.context}" is not in ${source}; its contexts are: ${names.join(', ') || '(none)'}`);
    }
    kc.setCurrentContext(choice.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ClusterError(`the kubeconfig from ${source} has no current cluster`, { hint: 'kubectl config use-context NAME, or pass --context' });
  return { kc, source, server: cluster.server };
}
