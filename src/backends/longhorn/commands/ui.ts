/**
 * `ui`: the Longhorn UI on a local port, like `kubectl port-forward svc/longhorn-frontend`, without
 * kubectl: a local TCP server whose every connection is forwarded (client-node PortForward, a
 * WebSocket to the API server) to a ready pod behind Service longhorn-frontend. Runs until Ctrl-C,
 * which is its normal end (exit 0).
 */
import type { KubeClient } from '../../../cluster/kube.js';
import { startPortForward, type RunningPortForward } from '../../../cluster/port-forward.js';
import { ClusterSession } from '../../../cluster/session.js';
import type { Context } from '../../../context.js';
import { ClusterError, UsageError } from '../../../errors.js';
import { wholeNumber } from '../../../options/index.js';
import { LONGHORN_NAMESPACE, LONGHORN_UI_SERVICE } from '../plan.js';
import type { KubeObject } from '../../../presets/types.js';

export const DEFAULT_UI_PORT = 8080;
export const DEFAULT_UI_ADDRESS = '127.0.0.1';

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
}
type Service = KubeObject & { spec?: { selector?: Record<string, string>; ports?: ServicePort[] } };
type Pod = KubeObject & {
  metadata: KubeObject['metadata'] & { deletionTimestamp?: string };
  spec?: { containers?: { ports?: { name?: string; containerPort: number }[] }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
};

const isReady = (p: Pod) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

export function parseUiOptions(opts: Record<string, any>): { port: number; address: string } {
  const problems: string[] = [];
  const port = wholeNumber('--port', opts.port ?? DEFAULT_UI_PORT, problems, { min: 0, max: 65535 }) ?? 0;
  const address = String(opts.address ?? DEFAULT_UI_ADDRESS);
  if (!address) problems.push('--address: an address to listen on is required, e.g. 127.0.0.1');
  if (problems.length) throw new UsageError(problems);
  return { port, address };
}

/** The Service and a ready pod behind it, with the pod port the Service sends traffic to. */
export async function uiTarget(kube: KubeClient): Promise<{ pod: string; port: number }> {
  const service = await kube.get<Service>({ apiVersion: 'v1', kind: 'Service', name: LONGHORN_UI_SERVICE, namespace: LONGHORN_NAMESPACE });
  if (!service) {
    throw new ClusterError(`there is no Service ${LONGHORN_UI_SERVICE} in ${LONGHORN_NAMESPACE}: Longhorn is not installed on this cluster.`, { hint: 'k8s-storage install longhorn' });
  }
  const selector = Object.entries(service.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  if (!selector) throw new ClusterError(`Service ${LONGHORN_NAMESPACE}/${LONGHORN_UI_SERVICE} selects no pods (it has no selector).`, { hint: 'k8s-storage install longhorn repairs the chart\'s objects' });
  const pods = await kube.list<Pod>('v1', 'Pod', { namespace: LONGHORN_NAMESPACE, labelSelector: selector });
  const ready = pods.filter(isReady);
  if (!ready.length) {
    throw new ClusterError(`no ready pod behind Service ${LONGHORN_NAMESPACE}/${LONGHORN_UI_SERVICE} (${pods.length ? `${pods.length} pod${pods.length === 1 ? '' : 's'} with ${selector}, none ready` : `no pod with ${selector}`}).`, {
      hint: `kubectl -n ${LONGHORN_NAMESPACE} get pods -l ${selector}; k8s-storage status shows whether Longhorn is healthy`,
    });
  }
  const pod = ready[0]!;
  const ports = service.spec?.ports ?? [];
  const sp = ports.find((p) => p.name === 'http') ?? ports[0];
  if (!sp) throw new ClusterError(`Service ${LONGHORN_NAMESPACE}/${LONGHORN_UI_SERVICE} has no ports.`);
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number' || /^\d+$/.test(target)) return { pod: pod.metadata.name, port: Number(target) };
  const named = (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []).find((p) => p.name === target);
  if (!named) throw new ClusterError(`pod ${pod.metadata.name} has no container port named "${target}" (the target port of Service ${LONGHORN_UI_SERVICE}).`);
  return { pod: pod.metadata.name, port: named.containerPort };
}

export async function longhornUi(ctx: Context, opts: Record<string, any>): Promise<void> {
  const { port, address } = parseUiOptions(opts);
  const session = new ClusterSession(ctx);
  const kube = await session.kube();
  // Fail before listening when there is nothing to forward to.
  const first = await uiTarget(kube);

  let forward: RunningPortForward;
  try {
    forward = await startPortForward(kube, {
      namespace: LONGHORN_NAMESPACE,
      port,
      address,
      target: () => uiTarget(kube),
      onConnectionError: (err) => ctx.log.warn(`could not forward a connection to the Longhorn UI: ${err.message}`),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`--port ${port}: the port is already in use on ${address}`, { hint: 'pick another with --port, e.g. --port 8081' });
    if (code === 'EADDRNOTAVAIL') throw new UsageError(`--address ${address}: this machine has no such address`);
    if (code === 'EACCES') throw new UsageError(`--port ${port}: not allowed to listen there (ports below 1024 need root)`);
    throw err;
  }

  const host = address.includes(':') ? `[${address}]` : address;
  ctx.out(`http://${host}:${forward.port}/\n`);
  if (!['127.0.0.1', 'localhost', '::1'].includes(address)) {
    ctx.log.warn(`listening on ${address}: the Longhorn UI has no login of its own, so anyone who can reach this machine's port ${forward.port} can delete volumes and backups.`);
  }
  ctx.log.info(`Forwarding to pod ${first.pod} port ${first.port} in ${LONGHORN_NAMESPACE}. Press Ctrl-C to stop.`);

  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await forward.close();
  ctx.log.info('Stopped forwarding the Longhorn UI.');
}
