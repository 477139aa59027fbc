// Stand-ins for the DaemonSet controller, the scheduler and the kubelet, enough for a tool
// that runs a short-lived DaemonSet and reads its pods' logs (k8s-storage's node agent).
//
//   const ds = api.controllers.runDaemonSets({ run: (node, pod) => ({ logs: '...' }) });
//   const ds = api.controllers.runDaemonSets({ execute: { env: (node, pod) => ({ PATH, ... }) } });
//   ds.executions   what ran where; ds.stop()
//
// When a DaemonSet appears, one Pod is created per Node that its template allows
// (nodeSelector, required nodeAffinity with matchExpressions/matchFields, tolerations
// against the node's NoSchedule/NoExecute taints), owned by the DaemonSet so deleting it
// garbage-collects them. Then the pod "runs", one of two ways:
//   run(node, pod)  returns what happened: {logs, exitCode?, message?} (the first init container,
//                   or else the first container, terminated with that log and termination
//                   message), 'never' (it keeps
//                   running and never finishes), or {waiting: {reason, message?}} (e.g.
//                   ImagePullBackOff). May return a Promise.
//   execute         runs the first init container's command (command + args) for real on
//                   this machine: configMap volumes are written to a temp dir and their
//                   mountPath is rewritten to it in argv; `nsenter` on PATH is a fake that
//                   records its options and runs what follows `--`; `env(node, pod)` gives
//                   the environment (PATH, AGENT_ROOT, ...), so each node can be a fixture.
// The container's combined output becomes its log, served by GET .../pods/NAME/log; what it
// wrote to its terminationMessagePath becomes state.terminated.message (first 4096 bytes).

import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clone } from './merge.mjs';
import { timestamp as now } from './time.mjs';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
/** A container's default terminationMessagePath, and how much of the message the kubelet keeps. */
const TERMINATION_LOG = '/dev/termination-log';
const MESSAGE_LIMIT = 4096;
const suffix = () => Array.from({ length: 5 }, () => ALPHABET[Math.floor(Math.random() * ALPHABET.length)]).join('');

const FAKE_NSENTER = `#!/bin/sh
# fake nsenter (test/fakes/lib/daemonset-controller.mjs): record the options, run what follows --
[ -n "$FAKE_NSENTER_LOG" ] && printf '%s\\n' "$*" >> "$FAKE_NSENTER_LOG"
while [ $# -gt 0 ]; do
  case $1 in --) shift; break ;; *) shift ;; esac
done
exec "$@"
`;

/**
 * @typedef {{logs: string, exitCode?: number, message?: string} | 'never' | {waiting: {reason: string, message?: string}}} PodRunResult
 * @typedef {{node: string, pod: string, argv?: string[], nsenter?: string[], exitCode?: number, logs?: string, result: string}} Execution
 * @typedef {{
 *   set(ns: string, pod: string, container: string, text: string): void,
 *   get(ns: string, pod: string, container: string): string | undefined,
 *   deletePod(ns: string, pod: string): void
 * }} PodLogStore
 */

/**
 * Does `sel` (a NodeSelectorRequirement) hold for this node? @param {any} req @param {(key: string) => string | undefined} value
 */
function requirementHolds(req, value) {
  const v = value(req.key);
  const values = (req.values ?? []).map(String);
  switch (req.operator) {
    case 'In':
      return v !== undefined && values.includes(v);
    case 'NotIn':
      return v === undefined || !values.includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
      return v !== undefined && Number(v) > Number(values[0]);
    case 'Lt':
      return v !== undefined && Number(v) < Number(values[0]);
    default:
      return false;
  }
}

/** @param {any} toleration @param {any} taint */
function tolerates(toleration, taint) {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if ((toleration.operator ?? 'Equal') === 'Exists') return !toleration.key || toleration.key === taint.key;
  return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
}

/**
 * Whether a pod with this spec may run on this node (what the DaemonSet controller checks).
 * @param {any} node @param {any} podSpec
 */
export function nodeAllows(node, podSpec) {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(podSpec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = podSpec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms?.length) {
    const fields = /** @param {string} k */ (k) => (k === 'metadata.name' ? node.metadata.name : undefined);
    const label = /** @param {string} k */ (k) => labels[k];
    const ok = terms.some(
      (/** @type {any} */ t) =>
        (t.matchExpressions ?? []).every((/** @type {any} */ r) => requirementHolds(r, label)) &&
        (t.matchFields ?? []).every((/** @type {any} */ r) => requirementHolds(r, fields)) &&
        ((t.matchExpressions ?? []).length > 0 || (t.matchFields ?? []).length > 0),
    );
    if (!ok) return false;
  }
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!(podSpec.tolerations ?? []).some((/** @type {any} */ t) => tolerates(t, taint))) return false;
  }
  return true;
}

/**
 * The first init container (else the first container) and its full argv.
 * @param {any} pod @returns {{name: string, argv: string[], container: any, init: boolean}}
 */
export function firstContainer(pod) {
  const init = pod.spec?.initContainers?.[0];
  const c = init ?? pod.spec?.containers?.[0];
  return { name: c?.name, argv: [...(c?.command ?? []), ...(c?.args ?? [])], container: c, init: Boolean(init) };
}

/**
 * @param {{ store: import('../apiserver.mjs').FakeStore, onChange: (fn: (ev: import('../apiserver.mjs').ChangeEvent) => void) => () => void, podLogs: PodLogStore }} api
 */
export function makeDaemonSetControllers(api) {
  /** @type {Set<() => void>} */
  const running = new Set();

  /**
   * @param {{
   *   run?: (node: string, pod: any) => PodRunResult | Promise<PodRunResult>,
   *   execute?: { env: (node: string, pod: any) => Record<string, string> },
   *   filter?: (ds: any) => boolean,
   *   delayMs?: number
   * }} opts
   */
  function runDaemonSets(opts) {
    if (!opts.run && !opts.execute) throw new Error('runDaemonSets: give run or execute');
    const filter = opts.filter ?? (() => true);
    const delayMs = opts.delayMs ?? 0;
    /** @type {Execution[]} */
    const executions = [];
    /** @type {Set<import('node:child_process').ChildProcess>} */
    const children = new Set();
    /** @type {Set<ReturnType<typeof setTimeout>>} */
    const timers = new Set();
    let stopped = false;
    /** @type {string | undefined} */
    let work;
    const workDir = () => {
      if (work) return work;
      work = mkdtempSync(join(tmpdir(), 'fake-daemonset-'));
      const bin = join(work, 'bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'nsenter'), FAKE_NSENTER);
      chmodSync(join(bin, 'nsenter'), 0o755);
      symlinkSync('/bin/sh', join(bin, 'sh'));
      return work;
    };

    /** @param {any} pod @param {(s: any) => void} mutate */
    const setStatus = (pod, mutate) => {
      api.store.update('pods', pod.metadata.name, pod.metadata.namespace, (o) => {
        o.status = o.status ?? {};
        mutate(o.status);
      });
    };

    /** @param {any} pod @param {any} state @param {string} phase */
    const setFirstState = (pod, state, phase) => {
      const first = firstContainer(pod);
      setStatus(pod, (s) => {
        s.phase = phase;
        const key = first.init ? 'initContainerStatuses' : 'containerStatuses';
        s[key] = (s[key] ?? []).map((/** @type {any} */ c) => (c.name === first.name ? { ...c, state, ready: false } : c));
        if (first.init && state.terminated) {
          s.containerStatuses = (s.containerStatuses ?? []).map((/** @type {any} */ c) => ({ ...c, state: { running: { startedAt: now() } }, ready: true, started: true }));
          s.conditions = [
            { type: 'Initialized', status: 'True', lastTransitionTime: now() },
            { type: 'Ready', status: 'True', lastTransitionTime: now() },
            { type: 'PodScheduled', status: 'True', lastTransitionTime: now() },
          ];
        }
      });
    };

    /** @param {any} pod @param {string} node @returns {Promise<PodRunResult>} */
    const execute = (pod, node) =>
      new Promise((resolve) => {
        const dir = workDir();
        const podDir = join(dir, pod.metadata.name);
        const first = firstContainer(pod);
        let argv = first.argv;
        for (const m of first.container.volumeMounts ?? []) {
          const vol = (pod.spec.volumes ?? []).find((/** @type {any} */ v) => v.name === m.name);
          if (!vol?.configMap) continue;
          const cm = api.store.get('configmaps', vol.configMap.name, pod.metadata.namespace);
          const target = join(podDir, m.name);
          mkdirSync(target, { recursive: true });
          for (const [k, v] of Object.entries(cm?.data ?? {})) writeFileSync(join(target, k), String(v));
          const from = m.mountPath.replace(/\/$/, '');
          argv = argv.map((a) => a.split(`${from}/`).join(`${target}/`));
        }
        // The kubelet mounts a file at the container's terminationMessagePath and reads it
        // when the container ends: here a file in the pod's directory, the path rewritten.
        const messageFile = join(podDir, 'termination-log');
        argv = argv.map((a) => a.split(first.container.terminationMessagePath ?? TERMINATION_LOG).join(messageFile));
        const nsenterLog = join(podDir, 'nsenter.log');
        mkdirSync(podDir, { recursive: true });
        const env = opts.execute?.env(node, pod) ?? {};
        const child = spawn(argv[0], argv.slice(1), {
          env: { ...env, PATH: `${join(dir, 'bin')}:${env.PATH ?? '/usr/bin:/bin'}`, FAKE_NSENTER_LOG: nsenterLog },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        children.add(child);
        let out = '';
        child.stdout?.on('data', (c) => (out += c));
        child.stderr?.on('data', (c) => (out += c));
        child.on('close', (code) => {
          children.delete(child);
          const nsenter = existsSync(nsenterLog) ? readFileSync(nsenterLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' ')) : [];
          const message = existsSync(messageFile) ? readFileSync(messageFile, 'utf8') : undefined;
          executions.push({ node, pod: pod.metadata.name, argv: first.argv, nsenter: nsenter[0], exitCode: code ?? -1, logs: out, result: 'executed' });
          resolve({ logs: out, exitCode: code ?? 1, ...(message ? { message } : {}) });
        });
        child.on('error', (err) => {
          children.delete(child);
          resolve({ logs: String(err), exitCode: 127 });
        });
      });

    /** @param {any} pod @param {string} node */
    const startPod = async (pod, node) => {
      /** @type {PodRunResult} */
      let result;
      try {
        result = opts.execute ? await execute(pod, node) : await /** @type {NonNullable<typeof opts.run>} */ (opts.run)(node, pod);
      } catch (err) {
        result = { logs: `fake kubelet: run() threw: ${err}`, exitCode: 1 };
      }
      if (stopped || !api.store.get('pods', pod.metadata.name, pod.metadata.namespace)) return;
      const first = firstContainer(pod);
      if (result === 'never') {
        if (opts.run) executions.push({ node, pod: pod.metadata.name, result: 'never' });
        setFirstState(pod, { running: { startedAt: now() } }, 'Pending');
      } else if ('waiting' in result) {
        executions.push({ node, pod: pod.metadata.name, result: `waiting: ${result.waiting.reason}` });
        setFirstState(pod, { waiting: { reason: result.waiting.reason, ...(result.waiting.message ? { message: result.waiting.message } : {}) } }, 'Pending');
      } else {
        if (opts.run) executions.push({ node, pod: pod.metadata.name, logs: result.logs, exitCode: result.exitCode ?? 0, result: 'ran' });
        api.podLogs.set(pod.metadata.namespace, pod.metadata.name, first.name, result.logs);
        const exitCode = result.exitCode ?? 0;
        // The kubelet keeps the first 4096 bytes of a termination message.
        const message = result.message ? { message: Buffer.from(result.message).subarray(0, MESSAGE_LIMIT).toString() } : {};
        setFirstState(
          pod,
          { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', ...message, startedAt: now(), finishedAt: now() } },
          first.init ? 'Running' : exitCode === 0 ? 'Succeeded' : 'Failed',
        );
      }
    };

    /** @param {any} ds */
    const reconcile = (ds) => {
      if (stopped || ds.metadata.deletionTimestamp || !filter(ds)) return;
      const ns = ds.metadata.namespace;
      const template = ds.spec?.template ?? {};
      const owned = api.store.list('pods', ns).filter((p) => (p.metadata.ownerReferences ?? []).some((/** @type {any} */ r) => r.uid === ds.metadata.uid));
      const nodes = api.store.list('nodes').filter((n) => nodeAllows(n, template.spec ?? {}));
      for (const node of nodes) {
        const nodeName = node.metadata.name;
        if (owned.some((p) => p.spec?.nodeName === nodeName)) continue;
        const spec = clone(template.spec ?? {});
        const status = (/** @type {any[]} */ list) => list.map((c) => ({ name: c.name, image: c.image, ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }));
        const pod = api.store.put({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${ds.metadata.name}-${suffix()}`,
            namespace: ns,
            labels: { ...(template.metadata?.labels ?? {}), 'controller-revision-hash': 'fake', 'pod-template-generation': String(ds.metadata.generation ?? 1) },
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name, uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true }],
          },
          spec: { ...spec, nodeName },
          status: {
            phase: 'Pending',
            conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: now() }],
            initContainerStatuses: status(spec.initContainers ?? []),
            containerStatuses: status(spec.containers ?? []),
          },
        });
        const t = setTimeout(() => {
          timers.delete(t);
          void startPod(pod, nodeName);
        }, delayMs);
        timers.add(t);
      }
      const scheduled = nodes.length;
      api.store.update('apps/daemonsets', ds.metadata.name, ns, (o) => {
        o.status = { ...(o.status ?? {}), observedGeneration: o.metadata.generation ?? 1, desiredNumberScheduled: scheduled, currentNumberScheduled: scheduled, numberMisscheduled: 0 };
      });
    };

    for (const ds of api.store.list('apps/daemonsets')) reconcile(ds);
    const unsubscribe = api.onChange((ev) => {
      if (ev.resource.group === 'apps' && ev.resource.resource === 'daemonsets' && ev.type === 'ADDED') reconcile(ev.object);
      if (ev.resource.group === '' && ev.resource.resource === 'pods' && ev.type === 'DELETED') api.podLogs.deletePod(ev.object.metadata.namespace, ev.object.metadata.name);
    });
    const stop = () => {
      if (stopped) return;
      stopped = true;
      unsubscribe();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const c of children) c.kill('SIGKILL');
      if (work) rmSync(work, { recursive: true, force: true });
      running.delete(stop);
    };
    running.add(stop);
    return {
      stop,
      /** What ran on which node, in completion order. */
      executions,
    };
  }

  return {
    runDaemonSets,
    stopAll() {
      for (const stop of [...running]) stop();
    },
  };
}
