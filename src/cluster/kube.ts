/**
 * The Kubernetes API through @kubernetes/client-node: get, paginated list, server-side
 * apply (field manager "k8s-storage"), delete, and waits that watch instead of polling.
 * API errors become ClusterErrors that say why and what to do.
 */
import type { KubeConfig, KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { ClusterError, hasReason, Interrupted, type ClusterErrorReason } from '../errors.js';
import type { KubeObject } from '../presets/types.js';

export const FIELD_MANAGER = 'k8s-storage';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Items per request; lists of any size cost ceil(n / pageSize) requests. */
  pageSize?: number;
}

export const refOf = (o: KubeObject | KubernetesObject): ObjectRef => ({
  apiVersion: o.apiVersion!,
  kind: o.kind!,
  name: o.metadata!.name!,
  ...(o.metadata?.namespace ? { namespace: o.metadata.namespace } : {}),
});

export const describeRef = (r: ObjectRef) => `${r.kind}/${r.name}${r.namespace ? ` in ${r.namespace}` : ''}`;

const NETWORK = /ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EPIPE|socket hang up|network|fetch failed/i;

interface ApiErrorLike {
  code?: number | string;
  body?: unknown;
  message?: string;
  cause?: unknown;
}

function statusBody(err: ApiErrorLike): { message?: string; reason?: string } {
  const body = err.body;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as { message?: string; reason?: string };
    } catch {
      return { message: body };
    }
  }
  return (body ?? {}) as { message?: string; reason?: string };
}

export function httpStatusOf(err: unknown): number | undefined {
  const code = (err as ApiErrorLike)?.code;
  return typeof code === 'number' ? code : undefined;
}

function isNetworkError(err: unknown): boolean {
  const e = err as ApiErrorLike;
  const text = `${e?.message ?? ''} ${(e?.cause as ApiErrorLike)?.message ?? ''} ${String((e?.cause as ApiErrorLike)?.code ?? '')} ${String(e?.code ?? '')}`;
  return httpStatusOf(err) === undefined && NETWORK.test(text);
}

/** The reason an HTTP status stands for (401, 403 and 409 have their own messages above). */
function reasonOfStatus(status: number): ClusterErrorReason {
  if (status === 404 || status === 410) return 'not-found';
  if (status === 400 || status === 422) return 'invalid';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 429 || status === 502 || status === 503) return 'unavailable';
  return 'failed';
}

type K8s = typeof import('@kubernetes/client-node');

/**
 * An API client whose every request carries `signal` (Ctrl-C), so a read stuck on a slow
 * server ends at once. Built like KubeConfig.makeApiClient, plus that one middleware.
 */
function apiClient<T>(k8s: K8s, kc: KubeConfig, type: new (config: any) => T, signal: AbortSignal | undefined): T {
  if (!signal) return kc.makeApiClient(type as never) as T;
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ClusterError('the kubeconfig has no current cluster', { hint: 'pass --context, or check the kubeconfig', reason: 'invalid' });
  const config = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [{ pre: async (c) => (c.setSignal(signal), c), post: async (r) => r }],
  });
  return new type(config);
}

export class KubeClient {
  /** API requests made, for messages and the benchmark. */
  requests = 0;
  private objects: KubernetesObjectApi & { resourceOf(apiVersion: string, kind: string): Promise<{ name: string; namespaced: boolean } | undefined> };

  private constructor(
    readonly kc: KubeConfig,
    readonly server: string,
    objects: unknown,
    private readonly k8s: typeof import('@kubernetes/client-node'),
    /** Aborted on Ctrl-C: every request and watch of this client listens to it. */
    readonly signal?: AbortSignal,
  ) {
    this.objects = objects as typeof this.objects;
  }

  private api<T>(type: new (config: any) => T): T {
    return apiClient(this.k8s, this.kc, type, this.signal);
  }

  static async connect(kc: KubeConfig, server: string, opts: { signal?: AbortSignal } = {}): Promise<KubeClient> {
    const k8s = await import('@kubernetes/client-node');
    return KubeClient.make(k8s, kc, server, opts.signal);
  }

  private static make(k8s: K8s, kc: KubeConfig, server: string, signal: AbortSignal | undefined): KubeClient {
    // KubernetesObjectApi already discovers kinds; this exposes that lookup for watches.
    class Objects extends k8s.KubernetesObjectApi {
      resourceOf(apiVersion: string, kind: string) {
        return this.resource(apiVersion, kind);
      }
    }
    const objects = apiClient(k8s, kc, Objects, signal);
    (objects as unknown as { setDefaultNamespace(kc: KubeConfig): void }).setDefaultNamespace(kc);
    return new KubeClient(kc, server, objects, k8s, signal);
  }

  /** The same cluster without the abort signal: for cleanup that must run after Ctrl-C. */
  unaborted(): KubeClient {
    return this.signal ? KubeClient.make(this.k8s, this.kc, this.server, undefined) : this;
  }

  /** Turns client-node errors into messages an operator can act on. */
  explain(err: unknown, what: string): Error {
    if (err instanceof ClusterError || err instanceof Interrupted) return err;
    if (isNetworkError(err)) {
      return new ClusterError(`cannot reach the Kubernetes API at ${this.server} while ${what}: ${(err as Error).message}.`, {
        hint: 'check the cluster is up (microk8s status --wait-ready) and that --kubeconfig/--context point at it',
        reason: 'unavailable',
      });
    }
    const status = httpStatusOf(err);
    const body = statusBody(err as ApiErrorLike);
    if (status === 401) return new ClusterError(`the Kubernetes API refused our credentials while ${what}.`, { hint: 'refresh the kubeconfig (on MicroK8s: microk8s config > ~/.kube/config)', reason: 'unauthorized' });
    if (status === 403) {
      return new ClusterError(`not allowed while ${what}: ${body.message ?? 'forbidden'}.`, {
        hint: 'use a kubeconfig with more rights (on MicroK8s, microk8s config gives the admin user) or ask a cluster admin for an RBAC role',
        reason: 'forbidden',
      });
    }
    if (status === 409) return new ClusterError(`conflict while ${what}: ${body.message ?? 'the object changed'}.`, { hint: 'rerun the command; to take over fields another tool set, add --force-conflicts', reason: 'conflict' });
    if (status !== undefined) return new ClusterError(`the Kubernetes API answered ${status} while ${what}: ${body.message ?? (err as Error).message}`, { reason: reasonOfStatus(status) });
    return err instanceof Error ? err : new Error(String(err));
  }

  /** Retries reads and applies (both idempotent) once or twice when a connection drops. */
  private async call<T>(what: string, fn: () => Promise<T>, attempts = 3): Promise<T> {
    for (let i = 1; ; i++) {
      if (this.signal?.aborted) throw new Interrupted(`interrupted while ${what}`);
      this.requests += 1;
      try {
        return await fn();
      } catch (err) {
        if (this.signal?.aborted) throw new Interrupted(`interrupted while ${what}`);
        if (i < attempts && isNetworkError(err)) {
          await new Promise((r) => setTimeout(r, 200 * i));
          continue;
        }
        throw this.explain(err, what);
      }
    }
  }

  async version(): Promise<string> {
    const api = this.api(this.k8s.VersionApi);
    const info = await this.call('reading the server version', () => api.getCode());
    return info.gitVersion;
  }

  async get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return await this.call(`reading ${describeRef(ref)}`, () =>
        this.objects.read({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } }) as Promise<T>,
      );
    } catch (err) {
      if (hasReason(err, 'not-found')) return undefined;
      throw err;
    }
  }

  /** Every object of a kind, page by page (all namespaces unless one is given). */
  async list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, opts: ListOptions = {}): Promise<T[]> {
    const limit = opts.pageSize ?? 500;
    const first = await this.call(`listing ${kind}`, () =>
      this.objects.list<KubernetesObject>(apiVersion, kind, opts.namespace, undefined, undefined, undefined, opts.fieldSelector, opts.labelSelector, limit),
    );
    // client-node reads a custom resource list's metadata as an ObjectMeta, which drops the
    // continue token: page those through CustomObjectsApi, which returns the JSON as sent.
    if (!(first.metadata instanceof this.k8s.V1ListMeta)) {
      return first.items.length < limit ? (first.items as unknown as T[]) : this.listCustom<T>(apiVersion, kind, opts, limit);
    }
    const items = first.items as unknown as T[];
    for (let token = first.metadata._continue; token; ) {
      const page = await this.call(`listing ${kind}`, () =>
        this.objects.list<KubernetesObject>(apiVersion, kind, opts.namespace, undefined, undefined, undefined, opts.fieldSelector, opts.labelSelector, limit, token),
      );
      items.push(...(page.items as unknown as T[]));
      token = page.metadata?._continue || undefined;
    }
    return items;
  }

  private async listCustom<T extends KubeObject>(apiVersion: string, kind: string, opts: ListOptions, limit: number): Promise<T[]> {
    const resource = await this.call(`looking up ${kind}`, () => this.objects.resourceOf(apiVersion, kind));
    if (!resource) throw new ClusterError(`the cluster does not know ${kind} (${apiVersion})`, { reason: 'not-found' });
    const [group = '', version = ''] = apiVersion.split('/');
    const api = this.api(this.k8s.CustomObjectsApi);
    const query = { group, version, plural: resource.name, limit, ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}), ...(opts.fieldSelector ? { fieldSelector: opts.fieldSelector } : {}) };
    const items: T[] = [];
    let token: string | undefined;
    do {
      const page: { items: T[]; metadata?: { continue?: string } } = await this.call(`listing ${kind}`, () =>
        resource.namespaced && opts.namespace
          ? api.listNamespacedCustomObject({ ...query, namespace: opts.namespace, ...(token ? { _continue: token } : {}) })
          : api.listClusterCustomObject({ ...query, ...(token ? { _continue: token } : {}) }),
      );
      items.push(...page.items);
      token = page.metadata?.continue || undefined;
    } while (token);
    return items;
  }


  /** Server-side apply: creates or updates, idempotent, owned by field manager k8s-storage. */
  async apply<T extends KubeObject>(obj: T, opts: { force?: boolean } = {}): Promise<T> {
    return this.call(`applying ${describeRef(refOf(obj))}`, () =>
      this.objects.patch(obj as KubernetesObject, undefined, undefined, FIELD_MANAGER, opts.force ?? false, this.k8s.PatchStrategy.ServerSideApply) as Promise<T>,
    );
  }

  /** A JSON merge patch, for a single field such as an annotation. */
  async mergePatch<T extends KubeObject>(ref: ObjectRef, patch: Record<string, unknown>): Promise<T> {
    const body = { apiVersion: ref.apiVersion, kind: ref.kind, ...patch, metadata: { ...((patch.metadata as object) ?? {}), name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
    return this.call(`patching ${describeRef(ref)}`, () =>
      this.objects.patch(body as KubernetesObject, undefined, undefined, FIELD_MANAGER, undefined, this.k8s.PatchStrategy.MergePatch) as Promise<T>,
    );
  }

  /** Deletes; false when it was already gone (reruns converge). */
  async delete(ref: ObjectRef, propagationPolicy: 'Background' | 'Foreground' = 'Background'): Promise<boolean> {
    try {
      await this.call(`deleting ${describeRef(ref)}`, () =>
        this.objects.delete({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } }, undefined, undefined, undefined, undefined, propagationPolicy),
      );
      return true;
    } catch (err) {
      if (hasReason(err, 'not-found')) return false;
      throw err;
    }
  }

  /**
   * Whether the API server serves this kind: false when its group or version is absent (a
   * CRD-based product such as Longhorn not installed). One discovery request per group version.
   */
  async serves(apiVersion: string, kind: string): Promise<boolean> {
    try {
      return (await this.call(`looking up ${kind}`, () => this.objects.resourceOf(apiVersion, kind))) !== undefined;
    } catch (err) {
      if (hasReason(err, 'not-found')) return false;
      throw err;
    }
  }

  /** The log of one container of a pod (GET .../pods/NAME/log?container=C), as text. */
  async podLog(ref: { namespace: string; name: string; container: string }): Promise<string> {
    const core = this.api(this.k8s.CoreV1Api);
    return this.call(`reading the log of container ${ref.container} of pod ${ref.name} in ${ref.namespace}`, () =>
      core.readNamespacedPodLog({ name: ref.name, namespace: ref.namespace, container: ref.container }),
    );
  }

  /**
   * The kubelet's Summary API of one node through the API server's node proxy
   * (GET /api/v1/nodes/NODE/proxy?path=stats/summary; RBAC: get nodes/proxy).
   */
  async nodeStatsSummary(node: string): Promise<unknown> {
    const core = this.kc.makeApiClient(this.k8s.CoreV1Api);
    const body: unknown = await this.call(`reading the kubelet stats of node ${node}`, () => core.connectGetNodeProxy({ name: node, path: 'stats/summary' }), 1);
    return typeof body === 'string' ? JSON.parse(body) : body;
  }

  private async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const resource = await this.call(`looking up ${kind}`, () => this.objects.resourceOf(apiVersion, kind));
    if (!resource) throw new ClusterError(`the cluster does not know ${kind} (${apiVersion})`, { reason: 'not-found' });
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return `${base}${resource.namespaced && namespace ? `/namespaces/${namespace}` : ''}/${resource.name}`;
  }

  /**
   * Resolves with the object once `ready` says so, reading the current state first and
   * then following a watch, so it notices the change as it happens. `ready` returning a
   * string (instead of false) means "not ready, and this is why" for the timeout message.
   */
  async waitFor<T extends KubeObject>(
    ref: ObjectRef,
    ready: (obj: T | undefined) => boolean | string,
    opts: { timeoutMs: number; signal?: AbortSignal; what: string },
  ): Promise<T | undefined> {
    const deadline = Date.now() + opts.timeoutMs;
    const path = await this.collectionPath(ref.apiVersion, ref.kind, ref.namespace);
    let lastReason = 'it never appeared';
    for (;;) {
      if (opts.signal?.aborted || this.signal?.aborted) throw new Interrupted(`interrupted while waiting for ${opts.what}`);
      const list = await this.call(`reading ${describeRef(ref)}`, () =>
        this.objects.list<KubernetesObject>(ref.apiVersion, ref.kind, ref.namespace, undefined, undefined, undefined, `metadata.name=${ref.name}`),
      );
      // List items of built-in kinds come without kind/apiVersion (as from a real server);
      // readiness depends on the kind, and the ref knows it.
      const item = list.items[0];
      const current = (item ? { ...item, apiVersion: item.apiVersion ?? ref.apiVersion, kind: item.kind ?? ref.kind } : undefined) as T | undefined;
      const verdict = ready(current);
      if (verdict === true) return current;
      if (typeof verdict === 'string') lastReason = verdict;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new ClusterError(`timed out waiting for ${opts.what}: ${lastReason}.`, { reason: 'timeout' });
      const outcome = await this.watchOnce<T>(path, ref.name, list.metadata?.resourceVersion, ready, Math.min(remaining, 300_000), opts.signal);
      if (outcome.done) return outcome.obj;
      if (outcome.reason) lastReason = outcome.reason;
    }
  }

  private watchOnce<T extends KubeObject>(
    path: string,
    name: string,
    resourceVersion: string | undefined,
    ready: (obj: T | undefined) => boolean | string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<{ done: boolean; obj?: T; reason?: string }> {
    const watch = new this.k8s.Watch(this.kc);
    this.requests += 1;
    signal ??= this.signal;
    return new Promise((resolve, reject) => {
      let controller: AbortController | undefined;
      let settled = false;
      let reason: string | undefined;
      const finish = (value: { done: boolean; obj?: T; reason?: string } | Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        controller?.abort();
        if (value instanceof Error) reject(value);
        else resolve(value);
      };
      const onAbort = () => finish(new Interrupted('interrupted while waiting'));
      const timer = setTimeout(() => finish({ done: false, ...(reason ? { reason } : {}) }), timeoutMs);
      // Ctrl-C may have come while we were listing: a listener added now would never fire.
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      watch
        .watch(
          path,
          { fieldSelector: `metadata.name=${name}`, allowWatchBookmarks: true, ...(resourceVersion ? { resourceVersion } : {}), timeoutSeconds: Math.ceil(timeoutMs / 1000) },
          (phase, obj) => {
            if (phase === 'BOOKMARK') return;
            const verdict = ready(phase === 'DELETED' ? undefined : (obj as T));
            if (verdict === true) finish({ done: true, obj: phase === 'DELETED' ? undefined : (obj as T) });
            else if (typeof verdict === 'string') reason = verdict;
          },
          // The server ends watches now and then; the caller re-lists and watches again.
          () => finish({ done: false, ...(reason ? { reason } : {}) }),
        )
        .then((c) => {
          controller = c;
          if (settled) c.abort();
        })
        .catch((err) => (isNetworkError(err) ? finish({ done: false, reason: 'the watch connection dropped' }) : finish(this.explain(err, 'watching'))));
    });
  }
}
