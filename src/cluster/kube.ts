/**
 * The Kubernetes API: get, paginated list, server-side apply (field manager
 * "k8s-storage"), merge patch, delete, and waits that watch instead of polling. Requests go
 * through the thin layer in ./http.ts (client-node's KubeConfig for auth, plain JSON
 * objects back), kinds are resolved by ./discovery.ts. API errors become ClusterErrors that
 * say why and what to do.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterError, Interrupted, type ClusterErrorReason } from '../errors.js';
import type { KubeObject } from '../presets/types.js';
import { Discovery, groupVersionPath, type ApiResource } from './discovery.js';
import { ApiStatusError, ApiTransport, type RequestOptions, type WatchEvent } from './http.js';
import { describeRef, FIELD_MANAGER, refOf, type ObjectRef } from './refs.js';

// Names that need no client live in ./refs.ts, so the render path does not load node:http(s).
export { describeRef, FIELD_MANAGER, refOf, type ObjectRef } from './refs.js';


/** How a write is made: by whom (the field manager, default k8s-storage), and for real or as a server-side dry run. */
export interface WriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Items per request; lists of any size cost ceil(n / pageSize) requests. */
  pageSize?: number;
}

export interface WatchListOptions extends ListOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

type Meta = { metadata?: { name?: string; namespace?: string } };


const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'UND_ERR_SOCKET']);
const NETWORK = /ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EPIPE|socket hang up|network/i;

/** What to run after the API server itself failed (5xx): every command is safe to rerun. */
export function serverErrorHint(status: number): string {
  if (status === 503) return 'the API server is not ready or is overloaded: wait for it (on MicroK8s: microk8s status --wait-ready), then rerun the same command';
  if (status === 504) return 'the API server timed out: rerun the same command (reruns are safe); if it keeps failing, run k8s-storage doctor';
  return 'the API server or an admission webhook failed: run k8s-storage doctor (on a MicroK8s node, microk8s inspect collects the logs), then rerun the same command (reruns are safe)';
}

export function httpStatusOf(err: unknown): number | undefined {
  return err instanceof ApiStatusError ? err.status : undefined;
}

function isNetworkError(err: unknown): boolean {
  if (err instanceof ApiStatusError || !(err instanceof Error)) return false;
  const code = (err as { code?: string }).code;
  return (code !== undefined && NETWORK_CODES.has(code)) || NETWORK.test(err.message);
}

/** A 404 that says the object is missing (a Status naming it), not that its kind is. */
const objectMissing = (err: unknown, name?: string) => err instanceof ApiStatusError && err.status === 404 && name !== undefined && err.body.details?.name === name;
const is404 = (err: unknown) => err instanceof ApiStatusError && err.status === 404;

const withKind = <T>(o: any, apiVersion: string, kind: string): T => (o && (!o.apiVersion || !o.kind) ? { ...o, apiVersion: o.apiVersion ?? apiVersion, kind: o.kind ?? kind } : o);

/** A short pause before a watch is resumed, so a server that ends streams at once is not hammered. */
function pause(ms: number, signal: AbortSignal | undefined, interrupted: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(interrupted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The reason an HTTP status stands for (401, 403 and 409 have their own messages). */
function reasonOfStatus(status: number): ClusterErrorReason {
  if (status === 404 || status === 410) return 'not-found';
  if (status === 400 || status === 422) return 'invalid';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 429 || status === 502 || status === 503) return 'unavailable';
  return 'failed';
}

const unknownKind = (kind: string, apiVersion: string) => new ClusterError(`the cluster does not know ${kind} (${apiVersion})`, { reason: 'not-found' });

export class KubeClient {
  private readonly discovery: Discovery;
  private readonly defaultNamespace: string;

  private constructor(
    readonly kc: KubeConfig,
    readonly server: string,
    private readonly http: ApiTransport,
    readonly signal: AbortSignal | undefined,
    discovery?: Discovery,
  ) {
    this.discovery = discovery ?? new Discovery(http, server);
    this.defaultNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
  }

  /** The same cluster (connections, discovery) without the abort signal: for cleanup that must run after Ctrl-C. */
  unaborted(): KubeClient {
    return this.signal ? new KubeClient(this.kc, this.server, this.http, undefined, this.discovery) : this;
  }

  /** After a change that may have installed CRDs: kinds not served so far are looked up again. */
  forgetMissingKinds(): void {
    this.discovery.forgetMissing();
  }

  /** After removing CRDs: what discovery cached for this group version (on disk too) is read again. */
  forgetServed(apiVersion: string): void {
    this.discovery.invalidate(apiVersion);
  }

  /** API requests made (watches included), for messages, tests and the benchmark. */
  get requests(): number {
    return this.http.requests;
  }

  /** `signal` (Ctrl-C) ends every request and wait of this client with Interrupted. */
  static async connect(kc: KubeConfig, server: string, opts: { signal?: AbortSignal } = {}): Promise<KubeClient> {
    return new KubeClient(kc, server, new ApiTransport(kc, server), opts.signal);
  }

  /** One request, ended by this client's signal. */
  private send<T>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    return this.http.request<T>(method, path, this.signal ? { ...o, signal: this.signal } : o);
  }

  /** Closes idle connections. */
  close(): void {
    this.http.close();
  }

  /** Turns transport errors into messages an operator can act on. */
  explain(err: unknown, what: string): Error {
    if (err instanceof ClusterError || err instanceof Interrupted) return err;
    if (isNetworkError(err)) {
      return new ClusterError(`cannot reach the Kubernetes API at ${this.server} while ${what}: ${(err as Error).message}.`, {
        hint: 'check the cluster is up (microk8s status --wait-ready) and that --kubeconfig/--context point at it',
        reason: 'unavailable',
      });
    }
    const status = httpStatusOf(err);
    const body = err instanceof ApiStatusError ? err.body : {};
    if (status === 401) return new ClusterError(`the Kubernetes API refused our credentials while ${what}.`, { hint: 'refresh the kubeconfig (on MicroK8s: microk8s config > ~/.kube/config)', reason: 'unauthorized' });
    if (status === 403) {
      return new ClusterError(`not allowed while ${what}: ${body.message ?? 'forbidden'}.`, {
        hint: 'use a kubeconfig with more rights (on MicroK8s, microk8s config gives the admin user) or ask a cluster admin for an RBAC role',
        reason: 'forbidden',
      });
    }
    if (status === 409) return new ClusterError(`conflict while ${what}: ${body.message ?? 'the object changed'}.`, { hint: 'rerun the command; to take over fields another tool set, add --force-conflicts', reason: 'conflict' });
    if (status !== undefined && status >= 500) {
      return new ClusterError(`the Kubernetes API failed with ${status}${body.reason ? ` (${body.reason})` : ''} while ${what}: ${body.message ?? (err as Error).message}.`, { hint: serverErrorHint(status), reason: reasonOfStatus(status) });
    }
    if (status !== undefined) return new ClusterError(`the Kubernetes API answered ${status} while ${what}: ${body.message ?? (err as Error).message}`, { reason: reasonOfStatus(status) });
    if (err instanceof Error && /certificate|self[- ]signed|ERR_TLS|unable to verify/i.test(`${(err as { code?: string }).code ?? ''} ${err.message}`)) {
      return new ClusterError(`cannot connect securely to the Kubernetes API at ${this.server} while ${what}: ${err.message}.`, {
        hint: "check the kubeconfig's certificate-authority-data (or certificate-authority) for this cluster",
        reason: 'unavailable',
      });
    }
    return err instanceof Error ? err : new Error(String(err));
  }

  /** Retries idempotent requests (reads, applies, patches, deletes) once or twice when a connection drops. */
  private async call<T>(what: string, fn: () => Promise<T>, attempts = 3): Promise<T> {
    for (let i = 1; ; i++) {
      if (this.signal?.aborted) throw new Interrupted(`interrupted while ${what}`);
      try {
        return await fn();
      } catch (err) {
        if (this.signal?.aborted) throw new Interrupted(`interrupted while ${what}`);
        if (i < attempts && isNetworkError(err)) {
          await new Promise((r) => setTimeout(r, 200 * i));
          continue;
        }
        throw err;
      }
    }
  }

  private async resource(apiVersion: string, kind: string, what: string): Promise<ApiResource | undefined> {
    try {
      return await this.call(what, () => this.discovery.resource(apiVersion, kind));
    } catch (err) {
      throw this.explain(err, what);
    }
  }

  private async requireResource(apiVersion: string, kind: string, what: string): Promise<ApiResource> {
    const r = await this.resource(apiVersion, kind, what);
    if (!r) throw unknownKind(kind, apiVersion);
    return r;
  }

  private pathOf(apiVersion: string, r: ApiResource, namespace: string | undefined, name?: string): string {
    const ns = r.namespaced ? (namespace ?? (name !== undefined ? this.defaultNamespace : undefined)) : undefined;
    return `${groupVersionPath(apiVersion)}${ns ? `/namespaces/${encodeURIComponent(ns)}` : ''}/${r.name}${name !== undefined ? `/${encodeURIComponent(name)}` : ''}`;
  }

  /**
   * One request on a kind's path. A 404 for the kind itself (not for a named object) when
   * its discovery came from the disk cache means the cache is stale: it is dropped and the
   * kind looked up again, once. `onGone` answers when the kind is no longer served.
   */
  private async onKind<T>(apiVersion: string, kind: string, what: string, send: (r: ApiResource) => Promise<T>, onGone: () => T, name?: string): Promise<T> {
    for (let retried = false; ; retried = true) {
      const r = await this.resource(apiVersion, kind, what);
      if (!r) return onGone();
      try {
        return await this.call(what, () => send(r));
      } catch (err) {
        if (!retried && is404(err) && !objectMissing(err, name) && this.discovery.cached(apiVersion)) {
          this.discovery.invalidate(apiVersion);
          continue;
        }
        throw err;
      }
    }
  }

  async version(): Promise<string> {
    try {
      const info = await this.call('reading the server version', () => this.send<{ gitVersion: string }>('GET', '/version'));
      return info.gitVersion;
    } catch (err) {
      throw this.explain(err, 'reading the server version');
    }
  }

  /** The object, or undefined when it (or its kind) does not exist. */
  async get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    const what = `reading ${describeRef(ref)}`;
    try {
      const obj = await this.onKind(ref.apiVersion, ref.kind, what, (r) => this.send<T>('GET', this.pathOf(ref.apiVersion, r, ref.namespace, ref.name)), () => undefined, ref.name);
      return obj && withKind<T>(obj, ref.apiVersion, ref.kind);
    } catch (err) {
      if (is404(err)) return undefined;
      throw this.explain(err, what);
    }
  }

  /** Every object of a kind, page by page (all namespaces unless one is given), as plain JSON. */
  async list<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, opts: ListOptions = {}): Promise<T[]> {
    return (await this.listWithVersion<T>(apiVersion, kind, opts)).items;
  }

  private async listWithVersion<T>(apiVersion: string, kind: string, opts: ListOptions): Promise<{ items: T[]; resourceVersion?: string }> {
    const what = `listing ${kind}`;
    const limit = opts.pageSize ?? 500;
    const gone = () => {
      throw unknownKind(kind, apiVersion);
    };
    try {
      type Page = { items?: T[]; metadata?: { continue?: string; resourceVersion?: string } };
      const page = (r: ApiResource, token?: string) =>
        this.send<Page>('GET', this.pathOf(apiVersion, r, opts.namespace), {
          query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit, continue: token },
        });
      let r: ApiResource | undefined;
      const first = await this.onKind(apiVersion, kind, what, (res) => ((r = res), page(res)), gone);
      const items = first.items ?? [];
      let resourceVersion = first.metadata?.resourceVersion;
      for (let token = first.metadata?.continue; token; ) {
        const next = await this.call(what, () => page(r!, token));
        for (const item of next.items ?? []) items.push(item);
        token = next.metadata?.continue || undefined;
        resourceVersion = next.metadata?.resourceVersion ?? resourceVersion;
      }
      return { items, ...(resourceVersion ? { resourceVersion } : {}) };
    } catch (err) {
      throw this.explain(err, what);
    }
  }

  /**
   * Server-side apply: creates or updates, idempotent, owned by field manager k8s-storage
   * (or `fieldManager`). With `dryRun` the server validates and admits it (dryRun=All) but
   * stores nothing, and answers with the object it would have stored.
   */
  async apply<T extends KubeObject>(obj: T, opts: WriteOptions & { force?: boolean } = {}): Promise<T> {
    const ref = refOf(obj);
    const what = `applying ${describeRef(ref)}`;
    try {
      const out = await this.onKind(
        ref.apiVersion,
        ref.kind,
        what,
        (r) =>
          this.send<T>('PATCH', this.pathOf(ref.apiVersion, r, ref.namespace, ref.name), {
            query: { fieldManager: opts.fieldManager ?? FIELD_MANAGER, force: opts.force ? true : undefined, dryRun: opts.dryRun ? 'All' : undefined },
            body: obj,
            contentType: 'application/apply-patch+yaml',
          }),
        () => {
          throw unknownKind(ref.kind, ref.apiVersion);
        },
      );
      return withKind<T>(out, ref.apiVersion, ref.kind);
    } catch (err) {
      throw this.explain(err, what);
    }
  }

  /** A JSON merge patch, for a single field such as an annotation. */
  async mergePatch<T extends KubeObject>(ref: ObjectRef, patch: Record<string, unknown>, opts: WriteOptions = {}): Promise<T> {
    const what = `patching ${describeRef(ref)}`;
    const body = { apiVersion: ref.apiVersion, kind: ref.kind, ...patch, metadata: { ...((patch.metadata as object) ?? {}), name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
    try {
      const r = await this.requireResource(ref.apiVersion, ref.kind, what);
      const out = await this.call(what, () =>
        this.send<T>('PATCH', this.pathOf(ref.apiVersion, r, ref.namespace, ref.name), { query: { fieldManager: opts.fieldManager ?? FIELD_MANAGER, dryRun: opts.dryRun ? 'All' : undefined }, body, contentType: 'application/merge-patch+json' }),
      );
      return withKind<T>(out, ref.apiVersion, ref.kind);
    } catch (err) {
      throw this.explain(err, what);
    }
  }

  /** Deletes; false when it was already gone (reruns converge). */
  async delete(ref: ObjectRef, propagationPolicy: 'Background' | 'Foreground' = 'Background', opts: Pick<WriteOptions, 'dryRun'> = {}): Promise<boolean> {
    const what = `deleting ${describeRef(ref)}`;
    try {
      return await this.onKind(
        ref.apiVersion,
        ref.kind,
        what,
        async (r) => {
          await this.send('DELETE', this.pathOf(ref.apiVersion, r, ref.namespace, ref.name), { query: { propagationPolicy, dryRun: opts.dryRun ? 'All' : undefined } });
          return true;
        },
        () => false,
        ref.name,
      );
    } catch (err) {
      if (is404(err)) return false;
      throw this.explain(err, what);
    }
  }

  /**
   * Whether the API server serves this kind: false when its group or version is absent (a
   * CRD-based product such as Longhorn not installed). Discovery is read once per group
   * version and run, and kept on disk for a few minutes (./discovery.ts).
   */
  async serves(apiVersion: string, kind: string): Promise<boolean> {
    return (await this.resource(apiVersion, kind, `looking up ${kind}`)) !== undefined;
  }

  /** The log of one container of a pod (GET .../pods/NAME/log?container=C), as text. */
  async podLog(ref: { namespace: string; name: string; container: string }): Promise<string> {
    const what = `reading the log of container ${ref.container} of pod ${ref.name} in ${ref.namespace}`;
    try {
      return await this.call(what, () =>
        this.send<string>('GET', `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/pods/${encodeURIComponent(ref.name)}/log`, { query: { container: ref.container }, as: 'text' }),
      );
    } catch (err) {
      throw this.explain(err, what);
    }
  }

  /**
   * Follows the objects of a kind matching `opts` (a list, then a watch from its
   * resourceVersion, resumed after the server ends it, re-listed after 410 Expired) and
   * calls `onChange` with all of them whenever they change, one call at a time (changes
   * that arrive meanwhile are folded into the next call). Resolves `{done: true}` once
   * `onChange` returns true, `{done: false, reason}` after `timeoutMs` with the last reason
   * it returned as a string. Throws Interrupted when the signal aborts.
   */
  async watchList<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    opts: WatchListOptions,
    onChange: (objects: T[]) => boolean | string | Promise<boolean | string>,
  ): Promise<{ done: boolean; reason?: string }> {
    const signal = opts.signal ?? this.signal;
    const interrupted = () => new Interrupted(`interrupted while watching ${kind}`);
    if (signal?.aborted) throw interrupted();
    const deadline = Date.now() + opts.timeoutMs;
    const what = `watching ${kind}`;
    const r = await this.requireResource(apiVersion, kind, what);
    const path = this.pathOf(apiVersion, r, opts.namespace);
    const key = (o: Meta) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
    let reason: string | undefined;
    const judge = async (objects: Map<string, T>) => {
      const verdict = await onChange([...objects.values()]);
      if (typeof verdict === 'string') reason = verdict;
      return verdict === true;
    };

    for (;;) {
      if (signal?.aborted) throw interrupted();
      const listed = await this.listWithVersion<T>(apiVersion, kind, opts);
      const objects = new Map(listed.items.map((o) => [key(o as Meta), withKind<T>(o, apiVersion, kind)]));
      if (await judge(objects)) return { done: true };
      if (Date.now() >= deadline) return { done: false, ...(reason ? { reason } : {}) };
      let resourceVersion = listed.resourceVersion;
      // Watch, resuming from the last version seen whenever the server ends the stream.
      let relist = false;
      while (!relist) {
        const watchedAt = Date.now();
        const outcome = await new Promise<'done' | 'ended' | 'expired' | 'timeout' | Error>((resolve) => {
          let settled = false;
          let busy = false;
          let dirty = false;
          const finish = (v: 'done' | 'ended' | 'expired' | 'timeout' | Error) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            // Closing the stream (an abort: ~1 ms of CPU in Node's http) waits for the next turn
            // of the event loop: when the result ends the command, the process exits first.
            setImmediate(() => handle.stop());
            resolve(v);
          };
          const run = async () => {
            if (busy) return void (dirty = true);
            busy = true;
            try {
              do {
                dirty = false;
                if (await judge(objects)) return finish('done');
              } while (dirty && !settled);
            } catch (err) {
              finish(err as Error);
            } finally {
              busy = false;
            }
          };
          const onAbort = () => finish(interrupted());
          const left = deadline - Date.now();
          const timer = setTimeout(() => finish('timeout'), Math.max(0, left));
          const handle = this.http.watch(
            path,
            { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: Math.max(1, Math.min(300, Math.ceil(left / 1000))) },
            (ev: WatchEvent<T>) => {
              if (settled) return;
              const rv = (ev.object as { metadata?: { resourceVersion?: string } })?.metadata?.resourceVersion;
              if (ev.type === 'ERROR') return finish((ev.object as { code?: number })?.code === 410 ? 'expired' : new ApiStatusError((ev.object as { code?: number })?.code ?? 500, ev.object as any, path));
              if (rv) resourceVersion = rv;
              if (ev.type === 'BOOKMARK') return;
              if (ev.type === 'DELETED') objects.delete(key(ev.object as Meta));
              else objects.set(key(ev.object as Meta), withKind<T>(ev.object, apiVersion, kind));
              void run();
            },
          );
          if (signal?.aborted) return onAbort();
          signal?.addEventListener('abort', onAbort, { once: true });
          handle.done.then(({ error }) => {
            if (!error) return finish('ended');
            if (error instanceof ApiStatusError && error.status === 410) return finish('expired');
            finish(isNetworkError(error) ? 'ended' : error);
          });
        });
        if (outcome === 'done') return { done: true };
        if (outcome === 'timeout') return { done: false, ...(reason ? { reason } : {}) };
        if (outcome instanceof Error) throw this.explain(outcome, what);
        if (Date.now() >= deadline) return { done: false, ...(reason ? { reason } : {}) };
        // 'expired': the version is too old to resume from; 'ended': resume (after a pause if the connection dropped).
        if (outcome === 'expired') relist = true;
        else if (Date.now() - watchedAt < 1000) await pause(200, signal, interrupted);
      }
    }
  }

  /**
   * The kubelet's Summary API of one node through the API server's node proxy
   * (GET /api/v1/nodes/NODE/proxy?path=stats/summary; RBAC: get nodes/proxy). One attempt:
   * `usage` reports a node that does not answer instead of waiting on it.
   */
  async nodeStatsSummary(node: string): Promise<unknown> {
    const what = `reading the kubelet stats of node ${node}`;
    try {
      return await this.call(what, () => this.send<unknown>('GET', `/api/v1/nodes/${encodeURIComponent(node)}/proxy`, { query: { path: 'stats/summary' } }), 1);
    } catch (err) {
      throw this.explain(err, what);
    }
  }

  /**
   * A request to a Service's HTTP endpoint through the API server's service proxy
   * (/api/v1/namespaces/NS/services/NAME:PORT/proxy/PATH; RBAC: create services/proxy), for
   * APIs that exist only there (longhorn-manager's actions). Not retried: it may not be idempotent.
   */
  async serviceRequest<T = unknown>(service: { namespace: string; name: string; port: string | number }, method: 'GET' | 'POST', path: string, o: { query?: Record<string, string>; body?: unknown } = {}): Promise<T> {
    const what = `calling ${method} ${path} on Service ${service.namespace}/${service.name}`;
    const proxy = `/api/v1/namespaces/${encodeURIComponent(service.namespace)}/services/${encodeURIComponent(service.name)}:${encodeURIComponent(String(service.port))}/proxy${path}`;
    try {
      return await this.call(what, () => this.send<T>(method, proxy, { ...(o.query ? { query: o.query } : {}), ...(o.body !== undefined ? { body: o.body } : {}) }), 1);
    } catch (err) {
      // The service's own refusal is the news; the API server's (401, 403, 503 no endpoints) is explained as usual.
      if (err instanceof ApiStatusError && ![401, 403, 503].includes(err.status) && err.body.kind !== 'Status') {
        throw new ClusterError(`${service.name} answered ${err.status}: ${err.body.message ?? err.message}`, { reason: reasonOfStatus(err.status), cause: err });
      }
      throw this.explain(err, what);
    }
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
    let last: T | undefined;
    const outcome = await this.watchList<T>(
      ref.apiVersion,
      ref.kind,
      { ...(ref.namespace ? { namespace: ref.namespace } : {}), fieldSelector: `metadata.name=${ref.name}`, timeoutMs: opts.timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) },
      (objects) => {
        last = objects.find((o) => o.metadata?.name === ref.name);
        return ready(last);
      },
    ).catch((err) => {
      throw err instanceof Interrupted ? new Interrupted(`interrupted while waiting for ${opts.what}`) : err;
    });
    if (outcome.done) return last;
    throw new ClusterError(`timed out waiting for ${opts.what}: ${outcome.reason ?? 'it never appeared'}.`, { reason: 'timeout' });
  }
}
