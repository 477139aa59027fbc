/**
 * `pods/exec` over WebSocket through client-node's Exec: a command in a running container,
 * its stdin fed from a stream and its stdout streamed out, both with backpressure (client-node
 * writes and sends without waiting, so a slow disk or a fast file would fill memory).
 *
 * stdin is never half-closed: under the v4 channel protocol client-node closes the whole
 * socket when stdin ends, which loses the exit status. Commands that read stdin are given
 * the byte count instead (`head -c N | tar -x`), which works under v4 and v5 alike.
 */
import { Writable, type Readable } from 'node:stream';
import { ClusterError, Interrupted } from '../errors.js';
import type { KubeClient } from './kube.js';

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  /** Fed to the command's stdin; it is not ended (see above). */
  stdin?: Readable;
  /** Receives the command's stdout; ended when the command ends. */
  stdout?: Writable;
  signal?: AbortSignal;
}

export interface ExecResult {
  exitCode: number;
  /** The last 64 KiB of stderr. */
  stderr: string;
  /** Set when the runtime could not start the command (not found...): the API's message. */
  failure?: string;
}

const STDERR_KEEP = 64 * 1024;
const SEND_HIGH_WATER = 4 * 1024 * 1024;

interface SocketLike {
  bufferedAmount: number;
  readyState: number;
  close(): void;
  pause?(): void;
  resume?(): void;
  on?(event: 'close', fn: () => void): void;
  addEventListener?(event: 'close', fn: () => void): void;
}

export async function execInPod(kube: KubeClient, req: ExecRequest): Promise<ExecResult> {
  const k8s = await import('@kubernetes/client-node');
  if (req.signal?.aborted) throw new Interrupted(`interrupted before running ${req.command[0]} in pod ${req.pod}`);
  let socket: SocketLike | undefined;
  let stderr = '';
  let status: { status?: string; message?: string; reason?: string; details?: { causes?: { reason?: string; message?: string }[] } } | undefined;

  // Forwards to req.stdout, pausing the socket while the target is behind.
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (!req.stdout) return cb();
      if (!req.stdout.write(chunk)) {
        socket?.pause?.();
        req.stdout.once('drain', () => socket?.resume?.());
      }
      cb();
    },
    final(cb) {
      cb();
    },
  });
  const err = new Writable({
    write(chunk: Buffer, _enc, cb) {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
      cb();
    },
  });
  // client-node ends these when the status arrives; keep the caller's stream for the caller.
  const passIn = req.stdin ? new (await import('node:stream')).PassThrough() : undefined;

  const finished = new Promise<void>((resolve, reject) => {
    const exec = new k8s.Exec(kube.kc);
    exec
      .exec(req.namespace, req.pod, req.container, req.command, out, err, passIn ?? null, false, (s) => {
        status = s as typeof status;
      })
      .then((ws) => {
        socket = ws as unknown as SocketLike;
        const onClose = () => resolve();
        if (socket.on) socket.on('close', onClose);
        else socket.addEventListener?.('close', onClose);
        if (req.stdin && passIn) void feed(req.stdin, passIn, () => socket!).catch(() => socket?.close());
      })
      .catch((e: unknown) => reject(kube.explain(e, `running ${req.command[0]} in pod ${req.pod} in ${req.namespace}`)));
  });

  const aborted = new Promise<never>((_, reject) => {
    const onAbort = () => {
      socket?.close();
      reject(new Interrupted(`interrupted while ${req.command[0]} ran in pod ${req.pod}`));
    };
    if (req.signal?.aborted) onAbort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    void finished.finally(() => req.signal?.removeEventListener('abort', onAbort)).catch(() => {});
  });

  await Promise.race([finished, aborted]);
  // Everything received must reach the caller's stream before the caller closes what is behind it.
  const sink = req.stdout;
  if (sink && !sink.writableFinished) await new Promise<void>((resolve) => sink.end(() => resolve()));
  const s = status;
  if (!s) throw new ClusterError(`the exec stream of pod ${req.pod} in ${req.namespace} closed before ${req.command[0]} finished${stderr ? `: ${stderr.trim().split('\n').slice(-2).join(' / ')}` : ''}.`);
  if (s.status === 'Success') return { exitCode: 0, stderr };
  const code = s.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
  if (s.reason === 'NonZeroExitCode' && code !== undefined) return { exitCode: Number(code), stderr };
  return { exitCode: -1, stderr, failure: s.message ?? s.reason ?? 'the command could not be started' };
}

/** Copies src into the exec's stdin, waiting while the socket's send buffer is full. */
async function feed(src: Readable, dst: Writable, socket: () => SocketLike): Promise<void> {
  for await (const chunk of src) {
    while (socket().bufferedAmount > SEND_HIGH_WATER) {
      if (socket().readyState > 1) return;
      await new Promise((r) => setTimeout(r, 2));
    }
    dst.write(chunk);
  }
}
