// A stand-in for the scheduler, the kubelet and `pods/exec`, enough for a tool that runs a
// short-lived pod with claims mounted and streams data through exec (k8s-storage's data pod).
//
//   const pods = api.controllers.runPods({ volumesDir, binDirs: [fakeBin], protocols: ['v5.channel.k8s.io'] });
//   pods.execs          every exec: {namespace, pod, container, node, command, argv, protocol, exitCode, stdinBytes}
//   pods.volumeDir(pv)  the real directory that holds a PersistentVolume's content
//   pods.stop()
//
// While running, every Pod created is scheduled and "started": a node is chosen (spec.nodeName,
// else the required nodeAffinity's metadata.name, else the first node), PV node affinity and
// unbound claims are checked the way the scheduler does (the pod stays Pending with the real
// FailedScheduling text), then the pod is Running and Ready. Nothing runs for its containers.
//
// Exec is served over WebSocket the way client-node speaks it (protocols v5.channel.k8s.io
// and v4.channel.k8s.io, binary frames whose first byte is the channel: 0 stdin, 1 stdout,
// 2 stderr, 3 status, 4 resize, 255 close (v5: [255, 0] closes stdin)). The command is run
// for real on this machine with execa: each PersistentVolume is a directory under
// `volumesDir`, and every container mountPath in argv is rewritten to its claim's
// directory, so tar, sha256sum, find, cp... work on real bytes. The environment is the
// container's env (plain values and secretKeyRef resolved from the store) plus PATH =
// binDirs + the system PATH. The real status frame ends the stream
// (`{"status":"Success"}` or `NonZeroExitCode` with the exit code as cause).
// Not modelled: readOnly mounts, attach, TTYs, resource limits.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { WebSocketServer } from 'ws';
import { timestamp as now } from './time.mjs';

const SUPPORTED = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const EXEC_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach)$/;
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * @typedef {import('../apiserver.mjs').ChangeEvent} ChangeEvent
 * @typedef {import('../apiserver.mjs').FakeStore} FakeStore
 * @typedef {{namespace: string, pod: string, container: string, node: string, command: string[], argv: string[], protocol: string,
 *   exitCode?: number, stdinBytes: number, stdoutBytes: number, env: Record<string, string>}} ExecRecord
 * @typedef {{volumesDir: string, binDirs?: string[], protocols?: string[], env?: Record<string, string>,
 *   refuse?: (pod: any) => {reason: string, message: string} | undefined}} RunPodsOptions
 */

/** @param {{ store: FakeStore, onChange: (fn: (ev: ChangeEvent) => void) => () => void }} api */
export function makePodExec(api) {
  /** @type {RunPodsOptions | undefined} */
  let config;
  /** @type {ExecRecord[]} */
  const execs = [];
  /** @type {Map<string, Set<() => void>>} "ns/pod" -> kill running execs */
  const running = new Map();
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => {
      const allowed = config?.protocols ?? SUPPORTED;
      return allowed.find((p) => offered.has(p)) ?? false;
    },
  });

  /** @param {string} pv */
  const volumeDir = (pv) => {
    if (!config) throw new Error('fake pods: runPods() first');
    const dir = join(config.volumesDir, pv);
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  /** The claim's PV name, or why the pod cannot be scheduled. @param {string} ns @param {string} claimName */
  const claimVolume = (ns, claimName) => {
    const pvc = api.store.get('persistentvolumeclaims', claimName, ns);
    if (!pvc) return { problem: `persistentvolumeclaim "${claimName}" not found` };
    if (pvc.status?.phase !== 'Bound' || !pvc.spec?.volumeName) return { problem: 'pod has unbound immediate PersistentVolumeClaims' };
    return { pv: api.store.get('persistentvolumes', pvc.spec.volumeName), pvName: pvc.spec.volumeName };
  };

  /** @param {any} pv @param {any} node */
  const pvAllowsNode = (pv, node) => {
    const terms = pv?.spec?.nodeAffinity?.required?.nodeSelectorTerms;
    if (!terms?.length) return true;
    const labels = node.metadata.labels ?? {};
    return terms.some((t) =>
      [...(t.matchExpressions ?? []), ...(t.matchFields ?? []).map((f) => ({ ...f, field: true }))].every((e) => {
        const v = e.field ? node.metadata.name : labels[e.key];
        return e.operator === 'In' ? (e.values ?? []).includes(v) : e.operator === 'NotIn' ? !(e.values ?? []).includes(v) : e.operator === 'Exists' ? v !== undefined : true;
      }),
    );
  };

  /** @param {any} pod */
  const schedule = (pod) => {
    const nodes = api.store.list('nodes');
    const wanted =
      pod.spec.nodeName ??
      pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.find((f) => f.key === 'metadata.name')?.values?.[0];
    const candidates = wanted ? nodes.filter((n) => n.metadata.name === wanted) : nodes;
    const claims = (pod.spec.volumes ?? []).filter((v) => v.persistentVolumeClaim).map((v) => claimVolume(pod.metadata.namespace, v.persistentVolumeClaim.claimName));
    const unbound = claims.find((c) => c.problem);
    if (unbound) return { problem: `0/${nodes.length} nodes are available: ${unbound.problem}.` };
    const fit = candidates.filter((n) => claims.every((c) => pvAllowsNode(c.pv, n)));
    if (!fit.length) {
      const why = candidates.length ? `${candidates.length} node(s) had volume node affinity conflict` : `${nodes.length} node(s) didn't match Pod's node affinity/selector`;
      return { problem: `0/${nodes.length} nodes are available: ${why}. preemption: 0/${nodes.length} nodes are available.` };
    }
    return { node: fit[0].metadata.name };
  };

  /** @param {any} pod */
  const start = (pod) => {
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Running' || pod.status?.phase === 'Pending' && pod.status?.conditions?.length) return;
    const refused = config?.refuse?.(pod);
    const placed = schedule(pod);
    api.store.update('pods', pod.metadata.name, pod.metadata.namespace, (o) => {
      if (refused) {
        o.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }], containerStatuses: (o.spec.containers ?? []).map((c) => ({ name: c.name, image: c.image, ready: false, state: { waiting: refused } })) };
        if (placed.node) o.spec.nodeName = placed.node;
        return;
      }
      if (placed.problem) {
        o.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: placed.problem }] };
        return;
      }
      o.spec.nodeName = placed.node;
      o.status = {
        phase: 'Running',
        startTime: now(),
        podIP: '10.1.0.7',
        conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: 'True', lastTransitionTime: now() })),
        containerStatuses: (o.spec.containers ?? []).map((c) => ({ name: c.name, image: c.image, ready: true, started: true, restartCount: 0, state: { running: { startedAt: now() } } })),
      };
    });
  };

  /** @param {any} pod @param {any} container */
  const containerEnv = (pod, container) => {
    /** @type {Record<string, string>} */
    const env = {};
    for (const e of container.env ?? []) {
      if (e.value !== undefined) env[e.name] = String(e.value);
      const ref = e.valueFrom?.secretKeyRef;
      if (ref) {
        const secret = api.store.get('secrets', ref.name, pod.metadata.namespace);
        const raw = secret?.data?.[ref.key];
        if (raw !== undefined) env[e.name] = Buffer.from(raw, 'base64').toString('utf8');
      }
    }
    return env;
  };

  /** Container mountPath -> real directory, longest first. @param {any} pod @param {any} container */
  const mounts = (pod, container) => {
    /** @type {[string, string][]} */
    const out = [];
    for (const m of container.volumeMounts ?? []) {
      const vol = (pod.spec.volumes ?? []).find((v) => v.name === m.name);
      if (!vol?.persistentVolumeClaim) continue;
      const c = claimVolume(pod.metadata.namespace, vol.persistentVolumeClaim.claimName);
      if (c.pvName) out.push([m.mountPath.replace(/\/+$/, ''), join(volumeDir(c.pvName), m.subPath ?? '')]);
    }
    return out.sort((a, b) => b[0].length - a[0].length);
  };

  /** @param {string[]} argv @param {[string, string][]} table */
  const rewrite = (argv, table) =>
    argv.map((a) => table.reduce((s, [from, to]) => s.replace(new RegExp(`${escapeRe(from)}(?=$|[/\\s'";:)|&])`, 'g'), to), a));

  /**
   * @param {import('node:http').IncomingMessage} req @param {import('node:stream').Duplex} socket @param {Buffer} head
   * @returns {boolean} whether this was an exec/attach request (handled)
   */
  function upgrade(req, socket, head) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const m = EXEC_PATH.exec(url.pathname);
    if (!m) return false;
    const [, ns, podName, sub] = /** @type {[string, string, string, string]} */ (/** @type {unknown} */ (m));
    const refuse = (/** @type {number} */ code, /** @type {string} */ reason, /** @type {string} */ message) => {
      const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
      socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return true;
    };
    if (sub === 'attach') return refuse(400, 'BadRequest', 'fake apiserver: attach is not modelled; use exec');
    const pod = api.store.get('pods', podName, ns);
    if (!pod) return refuse(404, 'NotFound', `pods "${podName}" not found`);
    const containerName = url.searchParams.get('container') ?? pod.spec.containers?.[0]?.name;
    const container = (pod.spec.containers ?? []).find((c) => c.name === containerName);
    if (!container) return refuse(400, 'BadRequest', `container ${containerName} is not valid for pod ${podName}`);
    if (pod.status?.phase !== 'Running' || !config) return refuse(400, 'BadRequest', `unable to upgrade connection: container not found ("${containerName}")`);
    const command = url.searchParams.getAll('command');
    if (!command.length) return refuse(400, 'BadRequest', 'you must specify at least 1 command');
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, pod, container, command, url.searchParams));
    return true;
  }

  /** @param {import('ws').WebSocket} ws @param {any} pod @param {any} container @param {string[]} command @param {URLSearchParams} q */
  function serve(ws, pod, container, command, q) {
    const cfg = /** @type {RunPodsOptions} */ (config);
    const argv = rewrite(command, mounts(pod, container));
    const env = { ...containerEnv(pod, container), ...(cfg.env ?? {}), PATH: [...(cfg.binDirs ?? []), process.env.PATH ?? '/usr/bin:/bin'].join(':') };
    /** @type {ExecRecord} */
    const rec = { namespace: pod.metadata.namespace, pod: pod.metadata.name, container: container.name, node: pod.spec.nodeName, command, argv, protocol: ws.protocol, stdinBytes: 0, stdoutBytes: 0, env: containerEnv(pod, container) };
    execs.push(rec);
    const frame = (/** @type {number} */ ch, /** @type {Buffer} */ data) => Buffer.concat([Buffer.from([ch]), data]);
    const child = execa(/** @type {string} */ (argv[0]), argv.slice(1), { env, extendEnv: false, cwd: cfg.volumesDir, stdin: q.get('stdin') === 'true' ? 'pipe' : 'ignore', buffer: false, reject: false, stripFinalNewline: false });
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const kill = () => {
      child.kill('SIGKILL');
      ws.terminate();
    };
    if (!running.has(key)) running.set(key, new Set());
    running.get(key)?.add(kill);
    /** Output with backpressure: stop reading the process while the socket is behind. @param {import('node:stream').Readable | null} stream @param {number} ch */
    const pump = (stream, ch) =>
      new Promise((done) => {
        if (!stream) return done(undefined);
        stream.on('data', (/** @type {Buffer} */ chunk) => {
          if (ch === 1) rec.stdoutBytes += chunk.length;
          if (ws.readyState !== ws.OPEN) return;
          ws.send(frame(ch, chunk));
          if (ws.bufferedAmount > 1 << 20) {
            stream.pause();
            const wait = setInterval(() => {
              if (ws.bufferedAmount < 1 << 18 || ws.readyState !== ws.OPEN) {
                clearInterval(wait);
                stream.resume();
              }
            }, 2);
          }
        });
        stream.on('end', () => done(undefined));
        stream.on('error', () => done(undefined));
      });
    child.stdin?.on('error', () => {});
    ws.on('message', (/** @type {Buffer} */ data, isBinary) => {
      const buf = isBinary ? data : Buffer.from(data);
      const ch = buf[0];
      if (ch === 0 && child.stdin) {
        rec.stdinBytes += buf.length - 1;
        if (!child.stdin.write(buf.subarray(1))) {
          ws.pause();
          child.stdin.once('drain', () => ws.resume());
        }
      } else if (ch === 255 && buf[1] === 0) child.stdin?.end();
    });
    ws.on('close', () => {
      // The client went away: the kubelet ends the exec session and its process.
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    Promise.all([pump(child.stdout, 1), pump(child.stderr, 2), child]).then(([, , result]) => {
      running.get(key)?.delete(kill);
      const failed = /** @type {any} */ (result).code === 'ENOENT';
      rec.exitCode = failed ? 127 : result.exitCode ?? 137;
      if (ws.readyState !== ws.OPEN) return;
      const status = failed
        ? { metadata: {}, status: 'Failure', message: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${command[0]}": executable file not found in $PATH: unknown`, reason: 'InternalError', details: { causes: [{ message: `exec: "${command[0]}": executable file not found in $PATH` }] } }
        : rec.exitCode === 0
          ? { metadata: {}, status: 'Success' }
          : { metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${rec.exitCode}`, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(rec.exitCode) }] } };
      ws.send(frame(3, Buffer.from(JSON.stringify(status))), () => ws.close(1000));
    });
  }

  /** @type {(() => void) | undefined} */
  let unsubscribe;

  /** @param {RunPodsOptions} opts */
  function runPods(opts) {
    config = opts;
    mkdirSync(opts.volumesDir, { recursive: true });
    for (const p of api.store.list('pods')) start(p);
    unsubscribe?.();
    unsubscribe = api.onChange((ev) => {
      if (ev.resource.group !== '' || ev.resource.resource !== 'pods') return;
      const key = `${ev.object.metadata.namespace}/${ev.object.metadata.name}`;
      if (ev.type === 'DELETED' || ev.object.metadata.deletionTimestamp) {
        for (const kill of running.get(key) ?? []) kill();
        running.delete(key);
        return;
      }
      if (ev.type === 'ADDED') start(ev.object);
    });
    return {
      execs,
      volumeDir,
      stop() {
        unsubscribe?.();
        unsubscribe = undefined;
        config = undefined;
      },
    };
  }

  return {
    upgrade,
    runPods,
    execs,
    stopAll() {
      unsubscribe?.();
      for (const set of running.values()) for (const kill of set) kill();
      running.clear();
      config = undefined;
      wss.close();
    },
  };
}
