/**
 * The cluster as a command sees it: the Kubernetes API (opened on first use) and the
 * local microk8s, with the facts planners need gathered in one place.
 */
import type { Context } from '../context.js';
import { KubeClient } from './kube.js';
import { loadKubeconfig } from './kubeconfig.js';
import { microk8sCommands, microk8sUnavailable, parseMicrok8sStatus, type Microk8sState } from './microk8s.js';
import { runTool } from './runner.js';

export interface NodeInfo {
  name: string;
  ready: boolean;
  microk8s: boolean;
  controlPlane: boolean;
  kubeletVersion: string;
  osImage: string;
  kernel: string;
}

export class ClusterSession {
  private client?: Promise<KubeClient>;
  private m8s?: Promise<Microk8sState>;
  private nodeList?: Promise<any[]>;
  private namespaceList?: Promise<Set<string> | undefined>;
  constructor(readonly ctx: Context) {}

  kube(): Promise<KubeClient> {
    this.client ??= (async () => {
      // One turn of the event loop first: a `microk8s status` asked for in the same breath
      // (install, doctor) is spawned before loading client-node blocks the thread for ~40 ms.
      await new Promise((resolve) => setImmediate(resolve));
      const { kc, server, source } = await loadKubeconfig({ ...(this.ctx.global.kubeconfig ? { kubeconfig: this.ctx.global.kubeconfig } : {}), ...(this.ctx.global.context ? { context: this.ctx.global.context } : {}) }, { signal: this.ctx.signal });
      this.ctx.log.debug(`kubeconfig: ${source}, API server ${server}`);
      return KubeClient.connect(kc, server, { signal: this.ctx.signal });
    })();
    return this.client;
  }

  /** `microk8s status`, read once per command. */
  microk8s(): Promise<Microk8sState> {
    this.m8s ??= runTool(microk8sCommands.status(), { signal: this.ctx.signal, timeoutMs: 60_000 }).then(parseMicrok8sStatus);
    return this.m8s;
  }

  /** The running MicroK8s, or the error that says why there is none and how to fix it. */
  async requireMicrok8s(): Promise<Extract<Microk8sState, { kind: 'running' }>> {
    const state = await this.microk8s();
    if (state.kind !== 'running') throw microk8sUnavailable(state);
    return state;
  }

  /** The Node objects, listed once per command however many readers ask. */
  nodeObjects(): Promise<any[]> {
    this.nodeList ??= this.kube().then((kube) => kube.list<any>('v1', 'Node'));
    return this.nodeList;
  }

  /** The namespaces that exist, listed once per command; undefined when they cannot be listed (RBAC). */
  namespaces(): Promise<Set<string> | undefined> {
    this.namespaceList ??= this.kube()
      .then((kube) => kube.list('v1', 'Namespace'))
      .then(
        (list) => new Set(list.map((n) => n.metadata.name)),
        () => undefined,
      );
    return this.namespaceList;
  }

  async nodes(): Promise<NodeInfo[]> {
    const nodes = await this.nodeObjects();
    return nodes.map((n) => {
      const labels: Record<string, string> = n.metadata.labels ?? {};
      return {
        name: n.metadata.name,
        ready: (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
        microk8s: 'node.kubernetes.io/microk8s-controlplane' in labels || 'node.kubernetes.io/microk8s-worker' in labels,
        controlPlane: 'node.kubernetes.io/microk8s-controlplane' in labels || 'node-role.kubernetes.io/control-plane' in labels,
        kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? '',
        osImage: n.status?.nodeInfo?.osImage ?? '',
        kernel: n.status?.nodeInfo?.kernelVersion ?? '',
      };
    });
  }
}
