/**
 * A local TCP port whose every connection is forwarded to a pod port through the API
 * server (client-node's PortForward), as `kubectl port-forward` does.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { KubeClient } from './kube.js';

export interface PodTarget {
  pod: string;
  port: number;
}

export interface PortForwardOptions {
  namespace: string;
  port: number;
  address: string;
  /** Finds a pod to forward to; asked again after a connection fails (the pod may have moved). */
  target: () => Promise<PodTarget>;
  onConnectionError: (err: Error) => void;
}

export interface RunningPortForward {
  port: number;
  close(): Promise<void>;
}

function listen(server: Server, port: number, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}

/** Listens, then forwards; rejects with the listen error (EADDRINUSE, EACCES, ...). */
export async function startPortForward(kube: KubeClient, o: PortForwardOptions): Promise<RunningPortForward> {
  const k8s = await import('@kubernetes/client-node');
  const forward = new k8s.PortForward(kube.kc);
  let target: Promise<PodTarget> | undefined;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    (async () => {
      target ??= o.target();
      const t = await target;
      const ws = await forward.portForward(o.namespace, t.pod, [t.port], socket, null, socket);
      if (typeof ws !== 'function') {
        ws.on('close', () => socket.end());
        socket.on('close', () => ws.close());
      }
    })().catch((err: unknown) => {
      target = undefined;
      o.onConnectionError(err instanceof Error ? err : new Error(String(err)));
      socket.destroy();
    });
  });
  const port = await listen(server, o.port, o.address);
  return {
    port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
