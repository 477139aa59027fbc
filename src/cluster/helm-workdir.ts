/**
 * Helm's side of a command that installs a chart: a private directory for its temporary inputs
 * (values file, a kubeconfig), removed afterwards, and Helm pointed at the cluster k8s-storage
 * talks to. Shared by every backend installed with Helm.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectHelm, HELM_MISSING, locateHelm, type HelmTool } from './helm.js';
import type { KubeClient } from './kube.js';

/**
 * Where Helm's temporary inputs go: a private directory (mode 0700, files 0600) removed
 * afterwards. A dry run names the files without writing anything.
 */
export class HelmWorkdir {
  private dir?: string;
  constructor(readonly dryRun: boolean) {}

  async path(name: string): Promise<string> {
    if (this.dryRun) return name;
    this.dir ??= await mkdtemp(join(tmpdir(), 'k8s-storage-'));
    return join(this.dir, name);
  }

  async write(name: string, content: string): Promise<string> {
    const file = await this.path(name);
    if (!this.dryRun) await writeFile(file, content, { mode: 0o600 });
    return file;
  }

  async cleanup(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

/**
 * Helm, pointed at the cluster k8s-storage talks to: --kubeconfig/--context are handed on, and
 * when the cluster came from `microk8s config` (no kubeconfig file anywhere) a standalone helm
 * gets a private copy of it (`microk8s helm3` already knows its cluster).
 */
export async function prepareHelm(target: { kubeconfig?: string; context?: string }, kube: KubeClient, workdir: HelmWorkdir, signal: AbortSignal): Promise<HelmTool> {
  const bin = await locateHelm({ ...(target.kubeconfig ? { kubeconfig: target.kubeconfig } : {}), ...(target.context ? { context: target.context } : {}) });
  if (!bin) throw HELM_MISSING;
  const noKubeconfigFile = !target.kubeconfig && !process.env.KUBECONFIG && !existsSync(join(homedir(), '.kube', 'config'));
  if (noKubeconfigFile && bin.file === 'helm') {
    const file = await workdir.write('kubeconfig', kube.kc.exportConfig());
    bin.globalArgs.push('--kubeconfig', file);
  }
  return detectHelm(bin, { signal });
}
