// Stand-ins for the scheduler, the Job controller and the kubelet, for tools that run
// short-lived pods on a claim and read their logs (k8s-storage verify and bench).
//
//   const rt = runPods(api, { filter: (pod) => ..., root: tmpdir, delayMs: 200 });
//   const rt = runPods(api, { filter, run: (pod, node) => ({ logs: fioJson, exitCode: 0 }) });
//   rt.runs      what ran where: {pod, node, exitCode, logs, dirs}
//   rt.stop()
//
// A Job that passes `filter` gets one Pod from its template (owned by it, labelled job-name)
// and its status follows that pod. A Pod that passes `filter` (and is not a DaemonSet's):
//   1. is scheduled: spec.nodeName, else required nodeAffinity (kubernetes.io/hostname In /
//      metadata.name In), else nodeSelector kubernetes.io/hostname, else the first node. A
//      bound PV pinned to another node leaves it Pending with the scheduler's
//      FailedScheduling event ("volume node affinity conflict"). An unbound
//      WaitForFirstConsumer claim gets volume.kubernetes.io/selected-node, as the scheduler
//      sets it (autoBindPvcs binds it there);
//   2. runs: `run(pod, node)` says what happened ({logs, exitCode}, 'never'), or, without
//      `run`, the first container's command runs for real with `sh` on this machine, each
//      claim's mountPath rewritten in argv to the volume's directory under `root`: one
//      directory per PV, or per node and PV when the PV is pinned to a node (hostpath), so
//      the data of a node-local volume is not there on another node, as in life.
//      `lose(pod)` returning true gives that pod an empty directory instead: data lost.
//   3. ends Succeeded or Failed with the exit code; its output is its log.
// Deleting a running pod kills its process.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { timestamp as now } from './time.mjs';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const suffix = () => Array.from({ length: 5 }, () => ALPHABET[Math.floor(Math.random() * ALPHABET.length)]).join('');
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {any} api
 * @param {{
 *   filter: (obj: any) => boolean,
 *   root?: string,
 *   run?: (pod: any, node: string) => ({logs: string, exitCode?: number} | 'never' | Promise<{logs: string, exitCode?: number} | 'never'>),
 *   lose?: (pod: any) => boolean,
 *   delayMs?: number,
 * }} opts
 */
export function runPods(api, opts) {
  const root = opts.root ?? mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'pod-runtime-'));
  /** @type {{pod: string, node: string, exitCode?: number, logs?: string, dirs: Record<string, string>}[]} */
  const runs = [];
  /** @type {Map<string, import('node:child_process').ChildProcess>} */
  const children = new Map();
  let stopped = false;

  /** @param {any} pod */
  const chooseNode = (pod) => {
    if (pod.spec?.nodeName) return pod.spec.nodeName;
    for (const t of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
      for (const e of [...(t.matchExpressions ?? []), ...(t.matchFields ?? [])]) {
        if ((e.key === 'kubernetes.io/hostname' || e.key === 'metadata.name') && e.operator === 'In') return e.values[0];
      }
    }
    return pod.spec?.nodeSelector?.['kubernetes.io/hostname'] ?? api.store.list('nodes')[0]?.metadata.name;
  };

  /** @param {any} pv */
  const pinned = (pv) => {
    for (const t of pv?.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
      for (const e of t.matchExpressions ?? []) if (e.key === 'kubernetes.io/hostname' && e.operator === 'In') return e.values[0];
    }
    return undefined;
  };

  /** @param {string} ns @param {string} name @param {(o: any) => void} fn */
  const update = (ns, name, fn) => {
    if (api.store.get('pods', name, ns)) api.store.update('pods', name, ns, fn);
  };

  /** @param {any} pod @param {string} reason @param {string} message */
  const event = (pod, reason, message) =>
    api.store.put({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${pod.metadata.name}.${suffix()}`, namespace: pod.metadata.namespace },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
      reason,
      message,
      type: 'Warning',
      source: { component: 'default-scheduler' },
      firstTimestamp: now(),
      lastTimestamp: now(),
      count: 1,
    });

  /** @param {any} pod */
  const start = async (pod) => {
    const ns = pod.metadata.namespace;
    const name = pod.metadata.name;
    if (opts.delayMs) await sleep(opts.delayMs);
    if (stopped || !api.store.get('pods', name, ns)) return;
    const node = chooseNode(pod);
    const claims = (pod.spec?.volumes ?? []).filter((/** @type {any} */ v) => v.persistentVolumeClaim).map((/** @type {any} */ v) => ({ volume: v.name, claim: v.persistentVolumeClaim.claimName }));
    // Scheduling against the volumes' node affinity, and first-consumer binding.
    for (const c of claims) {
      let pvc = api.store.get('persistentvolumeclaims', c.claim, ns);
      if (!pvc) return;
      if (!pvc.spec?.volumeName) {
        const sc = api.store.get('storageclasses', pvc.spec?.storageClassName ?? '');
        if (sc?.volumeBindingMode === 'WaitForFirstConsumer') {
          api.store.update('persistentvolumeclaims', c.claim, ns, (/** @type {any} */ o) => {
            o.metadata.annotations = { ...(o.metadata.annotations ?? {}), 'volume.kubernetes.io/selected-node': node };
          });
        }
        for (let i = 0; i < 250 && !pvc?.spec?.volumeName; i++) {
          await sleep(20);
          if (stopped) return;
          pvc = api.store.get('persistentvolumeclaims', c.claim, ns);
        }
        if (!pvc?.spec?.volumeName) return; // stays Pending, as a pod of an unbound claim does
      }
      const pv = api.store.get('persistentvolumes', pvc.spec.volumeName);
      const at = pinned(pv);
      if (at && at !== node) {
        update(ns, name, (o) => {
          o.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 node(s) had volume node affinity conflict.' }] };
        });
        event(pod, 'FailedScheduling', `0/${api.store.list('nodes').length} nodes are available: 1 node(s) had volume node affinity conflict.`);
        return;
      }
      c.pv = pv?.metadata.name ?? pvc.spec.volumeName;
      c.dir = opts.lose?.(pod) ? mkdtempSync(join(root, 'lost-')) : at ? join(root, 'node', at, c.pv) : join(root, 'shared', c.pv);
      mkdirSync(c.dir, { recursive: true });
    }
    const container = pod.spec?.containers?.[0];
    update(ns, name, (o) => {
      o.spec.nodeName = node;
      o.status = {
        phase: 'Running',
        startTime: now(),
        conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: container?.name, ready: true, restartCount: 0, image: container?.image, imageID: '', state: { running: { startedAt: now() } } }],
      };
    });
    /** @type {Record<string, string>} */
    const dirs = Object.fromEntries(claims.map((/** @type {any} */ c) => [c.claim, c.dir]));
    const record = { pod: name, node, dirs };
    runs.push(record);

    /** @type {{logs: string, exitCode?: number} | 'never'} */
    let result;
    if (opts.run) result = await opts.run(pod, node);
    else {
      const mounts = (container?.volumeMounts ?? []).map((/** @type {any} */ m) => ({ path: m.mountPath, dir: claims.find((/** @type {any} */ c) => c.volume === m.name)?.dir })).filter((/** @type {any} */ m) => m.dir);
      const rewrite = (/** @type {string} */ s) => mounts.reduce((t, m) => t.split(m.path).join(m.dir), s);
      const argv = [...(container?.command ?? []), ...(container?.args ?? [])].map(rewrite);
      const env = { PATH: '/usr/bin:/bin', ...Object.fromEntries((container?.env ?? []).filter((/** @type {any} */ e) => e.value !== undefined).map((/** @type {any} */ e) => [e.name, rewrite(String(e.value))])) };
      result = await new Promise((resolve) => {
        const child = spawn(argv[0] ?? 'true', argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
        children.set(`${ns}/${name}`, child);
        let out = '';
        child.stdout?.on('data', (d) => (out += d));
        child.stderr?.on('data', (d) => (out += d));
        child.on('close', (code, signal) => {
          children.delete(`${ns}/${name}`);
          resolve({ logs: out, exitCode: code ?? (signal ? 137 : 1) });
        });
        child.on('error', (err) => resolve({ logs: String(err), exitCode: 127 }));
      });
    }
    if (result === 'never' || stopped || !api.store.get('pods', name, ns)) return;
    Object.assign(record, result);
    api.podLogs.set(ns, name, container?.name, result.logs);
    const exitCode = result.exitCode ?? 0;
    update(ns, name, (o) => {
      o.status = {
        ...o.status,
        phase: exitCode === 0 ? 'Succeeded' : 'Failed',
        conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False', reason: 'PodCompleted' }],
        containerStatuses: [{ name: container?.name, ready: false, restartCount: 0, image: container?.image, imageID: '', state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: o.status?.startTime, finishedAt: now() } } }],
      };
    });
    const jobRef = (pod.metadata.ownerReferences ?? []).find((/** @type {any} */ r) => r.kind === 'Job');
    if (jobRef && api.store.get('batch/jobs', jobRef.name, ns)) {
      api.store.update('batch/jobs', jobRef.name, ns, (/** @type {any} */ j) => {
        const type = exitCode === 0 ? 'Complete' : 'Failed';
        j.status = { ...(j.status ?? {}), active: 0, [exitCode === 0 ? 'succeeded' : 'failed']: 1, completionTime: now(), conditions: [{ type, status: 'True', lastTransitionTime: now(), ...(type === 'Failed' ? { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' } : {}) }] };
      });
    }
  };

  /** @param {any} job */
  const startJob = (job) => {
    const tpl = job.spec?.template ?? {};
    const name = `${job.metadata.name}-${suffix()}`;
    const labels = { ...(tpl.metadata?.labels ?? {}), 'batch.kubernetes.io/job-name': job.metadata.name, 'job-name': job.metadata.name, 'batch.kubernetes.io/controller-uid': job.metadata.uid, 'controller-uid': job.metadata.uid };
    api.store.update('batch/jobs', job.metadata.name, job.metadata.namespace, (/** @type {any} */ j) => {
      j.status = { active: 1, startTime: now() };
    });
    api.store.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: job.metadata.namespace, labels, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }] },
      spec: JSON.parse(JSON.stringify(tpl.spec ?? {})),
      status: { phase: 'Pending' },
    });
  };

  const stop = api.onChange((/** @type {any} */ ev) => {
    if (stopped) return;
    const r = ev.resource;
    if (ev.type === 'ADDED' && r.group === 'batch' && r.resource === 'jobs' && opts.filter(ev.object)) startJob(ev.object);
    if (r.group !== '' || r.resource !== 'pods') return;
    const key = `${ev.object.metadata.namespace}/${ev.object.metadata.name}`;
    if (ev.type === 'DELETED' || ev.object.metadata.deletionTimestamp) {
      children.get(key)?.kill('SIGKILL');
      return;
    }
    if (ev.type !== 'ADDED') return;
    if ((ev.object.metadata.ownerReferences ?? []).some((/** @type {any} */ o) => o.kind === 'DaemonSet')) return;
    const owner = (ev.object.metadata.ownerReferences ?? []).find((/** @type {any} */ o) => o.kind === 'Job');
    if (owner ? !opts.filter(api.store.get('batch/jobs', owner.name, ev.object.metadata.namespace) ?? {}) : !opts.filter(ev.object)) return;
    void start(ev.object);
  });

  return {
    root,
    runs,
    stop() {
      stopped = true;
      stop();
      for (const c of children.values()) c.kill('SIGKILL');
    },
  };
}
