/**
 * A thin request layer for the Kubernetes API over client-node's KubeConfig auth: the
 * kubeconfig gives the TLS options, the agent (proxies included) and the headers (tokens,
 * exec and auth-provider plugins); requests go out with node:http(s) and bodies come back
 * as plain JSON, never through client-node's generated classes (the ~0.7 s they cost to
 * load and their per-object conversion are what this layer exists to avoid).
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** A non-2xx answer: the HTTP status and the body (a Status object when the server sent JSON). */
export class ApiStatusError extends Error {
  override readonly name = 'ApiStatusError';
  constructor(
    readonly status: number,
    readonly body: { message?: string; reason?: string; details?: { name?: string; kind?: string } } & Record<string, unknown>,
    readonly path: string,
  ) {
    super(body.message ?? `HTTP ${status}`);
  }
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** 'text' for logs; JSON otherwise. */
  as?: 'json' | 'text';
  signal?: AbortSignal;
}

export interface WatchEvent<T = any> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export interface WatchHandle {
  /** Resolves when the stream ends: closed by the server, dropped, or stopped. */
  done: Promise<{ error?: Error }>;
  stop(): void;
}

const queryString = (q: RequestOptions['query'] = {}) => {
  const parts = Object.entries(q)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
};

const MAX_SOCKETS = 6;

interface Auth {
  agent: http.Agent;
  headers: Record<string, string>;
}

export class ApiTransport {
  /** Requests sent (watches included), for messages, tests and the benchmark. */
  requests = 0;
  private agent?: http.Agent;
  private readonly base: URL;
  private readonly lib: typeof http | typeof https;

  constructor(
    private readonly kc: KubeConfig,
    readonly server: string,
  ) {
    this.base = new URL(server);
    this.lib = this.base.protocol === 'http:' ? http : https;
  }

  /**
   * The agent and headers for one request. KubeConfig is asked every time, since exec
   * plugins and auth providers refresh expiring tokens (they cache them until then); the
   * agent it builds the first time is kept, so connections are reused.
   */
  private async auth(): Promise<Auth> {
    const opts: https.RequestOptions & { headers: Record<string, string> } = { headers: {} };
    await this.kc.applyToHTTPSOptions(opts);
    if (!this.agent) {
      const agent = (opts.agent as http.Agent | undefined) ?? new this.lib.Agent();
      // client-node builds agents without keep-alive; one connection for the whole run
      // saves a TLS handshake per request.
      (agent as http.Agent & { keepAlive: boolean }).keepAlive = true;
      // A few connections carry everything (kubectl multiplexes one HTTP/2 connection):
      // concurrent reads queue for a free socket instead of each paying a handshake.
      agent.maxSockets = MAX_SOCKETS;
      this.agent = agent;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) headers[k] = String(v);
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    return { agent: this.agent, headers };
  }

  private url(path: string, query?: RequestOptions['query']): URL {
    const prefix = this.base.pathname.replace(/\/$/, '');
    return new URL(`${prefix}${path}${queryString(query)}`, this.base);
  }

  private async open(method: string, path: string, o: RequestOptions, made?: (req: http.ClientRequest) => void): Promise<http.IncomingMessage> {
    const { agent, headers } = await this.auth();
    const body = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
    this.requests += 1;
    return new Promise((resolve, reject) => {
      const req = this.lib.request(this.url(path, o.query), {
        method,
        agent,
        headers: {
          ...headers,
          Accept: o.as === 'text' ? '*/*' : 'application/json',
          'User-Agent': 'k8s-storage',
          ...(body ? { 'Content-Type': o.contentType ?? 'application/json', 'Content-Length': String(body.length) } : {}),
        },
        ...(o.signal ? { signal: o.signal } : {}),
      });
      made?.(req);
      req.on('response', resolve);
      req.on('error', reject);
      req.end(body);
    });
  }

  /** One request; the body parsed as JSON (or text). Non-2xx answers throw ApiStatusError. */
  async request<T = any>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const res = await this.open(method, path, o);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) {
      let body: ApiStatusError['body'];
      try {
        body = JSON.parse(text);
      } catch {
        body = { message: text.trim() || `HTTP ${status}` };
      }
      throw new ApiStatusError(status, body, path);
    }
    if (o.as === 'text') return text as T;
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * A watch: `?watch=1` streamed as one JSON event per line. `done` resolves (never
   * rejects) when the stream ends; an answer other than 200 is in `error` as ApiStatusError.
   */
  watch(path: string, query: RequestOptions['query'], onEvent: (ev: WatchEvent) => void): WatchHandle {
    let stopped = false;
    let req: http.ClientRequest | undefined;
    const done = (async (): Promise<{ error?: Error }> => {
      let res: http.IncomingMessage;
      try {
        res = await this.open('GET', path, { query: { ...query, watch: 1 } }, (r) => {
          req = r;
          if (stopped) r.destroy();
        });
      } catch (err) {
        return stopped ? {} : { error: err as Error };
      }
      if (res.statusCode !== 200) {
        try {
          await this.drainError(res, path);
        } catch (err) {
          return { error: err as Error };
        }
      }
      let rest = '';
      try {
        res.setEncoding('utf8');
        for await (const chunk of res) {
          const lines = (rest + (chunk as string)).split('\n');
          rest = lines.pop() ?? '';
          for (const line of lines) if (line.trim()) onEvent(JSON.parse(line) as WatchEvent);
          if (stopped) break;
        }
        return {};
      } catch (err) {
        return stopped ? {} : { error: err as Error };
      }
    })();
    return {
      done,
      // A plain destroy: an AbortSignal would build an AbortError with its stack and send it
      // through the request, the response and the iterator (~2 ms of CPU per watch).
      stop() {
        stopped = true;
        req?.destroy();
      },
    };
  }

  private async drainError(res: http.IncomingMessage, path: string): Promise<never> {
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: ApiStatusError['body'];
    try {
      body = JSON.parse(text);
    } catch {
      body = { message: text.trim() };
    }
    throw new ApiStatusError(res.statusCode ?? 0, body, path);
  }

  /** Closes kept-alive connections, so nothing holds the process once the work is done. */
  close(): void {
    this.agent?.destroy();
  }
}
