// A stand-in for the parts of longhorn-manager that answer k8s-storage's data commands, over the
// fake API server's change feed (like lib/controllers.mjs):
//
// - Snapshot: takes it (status.readyToUse, creationTime, size, userCreated) when its volume
//   exists, otherwise reports status.error; deletes are immediate (no finalizer).
// - Backup: does what the backup mutating webhook does (the `backup-volume` label from the
//   snapshot), then InProgress -> Completed with url/size/volumeName; Error when the backup
//   target is not set or not available, or when the snapshot is missing.
// - BackupTarget `default`: checks the store whenever its spec changes (a new spec.syncRequestedAt
//   included): available + lastSyncedAt, or an Unavailable condition with the reason
//   (lastSyncedAt untouched, as Longhorn does on failure). With a `store` (createBackupStore()),
//   completed backups are written to it, and a check asked for by spec.syncRequestedAt (or made
//   after the URL changed) lists the store's backups into Backup CRs, as Longhorn's sync does
//   after a reinstall; targets that exist when the controller starts are not listed until asked
//   (the poll has not come round yet).
// - Volume with spec.fromBackup (a restore): attached with status.restoreRequired true, then,
//   `restoreDelayMs` later, detached with restoreRequired false; when the backup cannot be read
//   (not in the store, target unset or unreachable) robustness faulted and a Restore condition
//   saying why. spec.size must be a quoted byte string (the webhook's rule, see apiserver.mjs).
// - Volume with spec.dataSource snap://<volume>/<snapshot> (a clone): status.cloneStatus
//   initiated, then completed (failed when the snapshot is missing, not ready, or not that
//   volume's, or the size differs from the snapshot's restoreSize).
// - Longhorn VolumeAttachment (named after its volume; only volumes that have one): a pod
//   mounting the volume's claim holds it attached with the frontend on (csi-attacher), and the
//   other tickets stay unsatisfied; otherwise the first ticket attaches it on its node, with
//   spec.disableFrontend from its parameters (maintenance mode); no ticket: detached.
// - Snapshots keep a chain: the newest of a volume has status.children {volume-head: true}.
// - longhorn-manager's REST API through the API server's service proxy
//   (POST .../services/longhorn-backend:manager/proxy/v1/volumes/V?action=snapshotRevert
//   {"name": S}), refusing as longhorn-manager does: frontend enabled, volume not attached,
//   snapshot missing or removed; a revert moves volume-head under S.
//
//   const stop = startLonghornDataController(api, { reachable: (url) => url.startsWith('nfs://') || 'mount failed' });

import { timestamp as now } from './time.mjs';

/**
 * @typedef {object} LonghornDataControllerOptions
 * @property {number} [delayMs]          before each status change (default 20)
 * @property {(url: string, target: any) => true | string} [reachable]  true, or why the store cannot be reached (default: every URL works)
 * @property {number} [snapshotSize]     bytes reported for snapshots (default 1048576)
 * @property {boolean} [snapshots]       take snapshots (default true)
 * @property {boolean} [backups]         run backups (default true)
 * @property {boolean} [backupTargets]   check backup targets (default true)
 * @property {BackupStore} [store]        the backup store backups are written to and listed from
 * @property {number} [restoreDelayMs]    how long a restore or a clone takes (default 3 x delayMs)
 */

/** @typedef {{ backups: Map<string, any[]> }} BackupStore  target URL (no trailing slash) -> backups in it */

/** A backup store outside the cluster: what survives a reinstall of Longhorn. @returns {BackupStore} */
export function createBackupStore() {
  return { backups: new Map() };
}

const storeKey = (/** @type {string} */ url) => url.replace(/\/+$/, '');
const KUBE_STATUS_LABEL = 'KubernetesStatus';

const NS = 'longhorn-system';

/**
 * @param {{ store: any, onChange: (fn: (ev: any) => void) => () => void }} api
 * @param {LonghornDataControllerOptions} [opts]
 * @returns {() => void} stop
 */
export function startLonghornDataController(api, opts = {}) {
  const delayMs = opts.delayMs ?? 20;
  const reachable = opts.reachable ?? (() => true);
  /** @type {Set<ReturnType<typeof setTimeout>>} */
  const timers = new Set();
  let stopped = false;
  /** @param {() => void} fn */
  const later = (fn) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, delayMs);
    timers.add(t);
  };
  const lh = (plural) => `longhorn.io/${plural}`;

  /** @param {any} snap */
  const handleSnapshot = (snap) => {
    if (opts.snapshots === false || snap.status?.readyToUse || snap.status?.error || !snap.spec?.createSnapshot) return;
    later(() => {
      const volume = api.store.get(lh('volumes'), snap.spec.volume, NS);
      if (volume) moveHead(snap.spec.volume, snap.metadata.name);
      api.store.update(lh('snapshots'), snap.metadata.name, NS, (o) => {
        o.status = volume
          ? { ...(o.status ?? {}), readyToUse: true, creationTime: now(), size: opts.snapshotSize ?? 1048576, restoreSize: Number(volume.spec?.size ?? 0), userCreated: true, markRemoved: false, labels: o.spec.labels ?? {}, ownerID: 'node-1' }
          : { ...(o.status ?? {}), readyToUse: false, error: `volume ${snap.spec.volume} not found` };
      });
    });
  };

  /** @param {any} b */
  const handleBackup = (b) => {
    if (opts.backups === false) return;
    const state = b.status?.state ?? '';
    if (state === 'Completed' || state === 'Error') return;
    later(() => {
      const cur = api.store.get(lh('backups'), b.metadata.name, NS);
      if (!cur) return;
      const snap = api.store.get(lh('snapshots'), cur.spec?.snapshotName, NS);
      const volumeName = cur.metadata.labels?.['backup-volume'] ?? snap?.spec?.volume;
      const volume = volumeName ? api.store.get(lh('volumes'), volumeName, NS) : undefined;
      const target = api.store.get(lh('backuptargets'), volume?.spec?.backupTargetName || 'default', NS);
      const fail = !snap
        ? `snapshot ${cur.spec?.snapshotName} not found`
        : !target?.spec?.backupTargetURL
          ? 'backup target default is not set'
          : target.status?.available !== true
            ? `backup target ${target.spec.backupTargetURL} is unavailable`
            : undefined;
      api.store.update(lh('backups'), cur.metadata.name, NS, (o) => {
        o.metadata.labels = { ...(o.metadata.labels ?? {}), ...(volumeName ? { 'backup-volume': volumeName } : {}), 'backup-target': volume?.spec?.backupTargetName || 'default' };
        o.spec.backupMode ??= 'incremental';
        if (fail) {
          o.status = { ...(o.status ?? {}), state: 'Error', error: fail, progress: 0, snapshotName: cur.spec?.snapshotName ?? '' };
        } else if (state === '' || state === 'Pending') {
          o.status = { ...(o.status ?? {}), state: 'InProgress', progress: 50, snapshotName: snap.metadata.name, volumeName, ownerID: 'node-1' };
        } else {
          const url = `${target.spec.backupTargetURL.replace(/\/$/, '')}?backup=${o.metadata.name}&volume=${volumeName}`;
          // Longhorn keeps the volume's Kubernetes status with the backup (api BackupSnapshot; for Backup CRs an inference).
          const k = volume?.status?.kubernetesStatus;
          const labels = { ...(o.spec?.labels ?? {}), ...(k?.pvcName ? { [KUBE_STATUS_LABEL]: JSON.stringify({ pvName: k.pvName ?? '', pvcName: k.pvcName, namespace: k.namespace ?? '' }) } : {}) };
          o.status = { ...(o.status ?? {}), state: 'Completed', progress: 100, url, size: String(snap.status?.size ?? 0), snapshotName: snap.metadata.name, snapshotCreatedAt: snap.status?.creationTime ?? '', backupCreatedAt: now(), volumeName, volumeSize: String(volume?.spec?.size ?? 0), labels };
          if (opts.store) {
            const key = storeKey(target.spec.backupTargetURL);
            const kept = (opts.store.backups.get(key) ?? []).filter((r) => r.name !== o.metadata.name);
            opts.store.backups.set(key, [...kept, { name: o.metadata.name, ...o.status }]);
          }
        }
      });
    });
  };

  /** Spec last checked per target: Longhorn checks again when asked (syncRequestedAt) or changed. */
  /** @type {Map<string, string>} */
  const checkedSpec = new Map();
  /** The URL whose backups were last listed, per target (those present at start count as listed). */
  /** @type {Map<string, string>} */
  const listedUrl = new Map(api.store.list(lh('backuptargets'), NS).map((/** @type {any} */ t) => [t.metadata.name, t.spec?.backupTargetURL ?? '']));
  /** Backup CRs for the store's backups the cluster does not know, as Longhorn's sync makes them. @param {string} url */
  const listStore = (url) => {
    for (const rec of opts.store?.backups.get(storeKey(url)) ?? []) {
      if (api.store.get(lh('backups'), rec.name, NS)) continue;
      const { name, ...status } = rec;
      api.store.put({
        apiVersion: 'longhorn.io/v1beta2',
        kind: 'Backup',
        metadata: { name, namespace: NS, labels: { 'backup-volume': rec.volumeName, 'backup-target': 'default' } },
        spec: { snapshotName: '', labels: {} },
        status,
      });
    }
  };
  /** @param {any} t */
  const handleBackupTarget = (t) => {
    if (opts.backupTargets === false || t.metadata.name !== 'default') return;
    const spec = JSON.stringify(t.spec ?? {});
    if (checkedSpec.get(t.metadata.name) === spec) return;
    checkedSpec.set(t.metadata.name, spec);
    const requested = t.spec?.syncRequestedAt ? Date.parse(t.spec.syncRequestedAt) : undefined;
    later(() => {
      const before = api.store.get(lh('backuptargets'), t.metadata.name, NS);
      const url = before?.spec?.backupTargetURL ?? '';
      const asked = requested !== undefined && requested > Date.parse(before?.status?.lastSyncedAt || '1970-01-01T00:00:00Z');
      api.store.update(lh('backuptargets'), t.metadata.name, NS, (o) => {
        const url = o.spec?.backupTargetURL ?? '';
        const verdict = url ? reachable(url, o) : 'backup target URL is empty';
        const conditions = (o.status?.conditions ?? []).filter((/** @type {any} */ c) => c.type !== 'Unavailable');
        if (verdict === true) {
          // lastSyncedAt moves past the request, like Longhorn's clock after the sync.
          const at = new Date(Math.max(Date.now(), (requested ?? 0) + 1000)).toISOString().replace(/\.\d+Z$/, 'Z');
          o.status = { ...(o.status ?? {}), available: true, lastSyncedAt: at, conditions: [...conditions, { type: 'Unavailable', status: 'False', reason: '', message: '', lastTransitionTime: now() }] };
        } else {
          // Longhorn leaves lastSyncedAt alone on failure.
          o.status = { ...(o.status ?? {}), available: false, conditions: [...conditions, { type: 'Unavailable', status: 'True', reason: 'Unavailable', message: verdict, lastTransitionTime: now() }] };
        }
      });
      if (opts.store && url && api.store.get(lh('backuptargets'), t.metadata.name, NS)?.status?.available && (asked || listedUrl.get(t.metadata.name) !== url)) {
        listedUrl.set(t.metadata.name, url);
        listStore(url);
      }
    });
  };

  /** Whether Longhorn could read backup `url` now, or why not. @param {any} volume @param {string} url */
  const backupReadable = (volume, url) => {
    const target = api.store.get(lh('backuptargets'), volume.spec?.backupTargetName || 'default', NS);
    if (!target?.spec?.backupTargetURL) return 'backup target default is not set';
    if (target.status?.available !== true) return `backup target ${target.spec.backupTargetURL} is unavailable`;
    const known = opts.store
      ? [...opts.store.backups.values()].flat().some((r) => r.url === url)
      : api.store.list(lh('backups'), NS).some((/** @type {any} */ b) => b.status?.url === url && b.status?.state === 'Completed');
    return known ? true : `failed to get backup ${url}: backup not found in the backup store`;
  };
  const restoreDelayMs = opts.restoreDelayMs ?? delayMs * 3;
  /** @param {string} name @param {(o: any) => void} fn */
  const updateVolume = (name, fn) => {
    if (api.store.get(lh('volumes'), name, NS)) api.store.update(lh('volumes'), name, NS, fn);
  };
  /** @param {number} ms @param {() => void} fn */
  const after = (ms, fn) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, ms);
    timers.add(t);
  };
  /** Restores (fromBackup) and clones (dataSource snap://). @param {any} v */
  const handleVolume = (v) => {
    const name = v.metadata.name;
    if (v.spec?.fromBackup && v.status?.restoreRequired === undefined) {
      later(() =>
        updateVolume(name, (o) => {
          if (o.status?.restoreRequired !== undefined) return;
          o.status = { ...(o.status ?? {}), state: 'attached', robustness: 'healthy', currentNodeID: 'node-1', restoreRequired: true, restoreInitiated: true, conditions: [{ type: 'Restore', status: 'True', reason: 'RestoreInProgress', message: '' }] };
          after(restoreDelayMs, () =>
            updateVolume(name, (d) => {
              const why = backupReadable(d, d.spec.fromBackup);
              d.status = why === true
                ? { ...d.status, state: 'detached', robustness: 'unknown', currentNodeID: '', restoreRequired: false, conditions: [{ type: 'Restore', status: 'False', reason: '', message: '' }] }
                : { ...d.status, state: 'detached', robustness: 'faulted', currentNodeID: '', conditions: [{ type: 'Restore', status: 'False', reason: 'RestoreFailure', message: why }] };
            }),
          );
        }),
      );
      return;
    }
    const m = /^snap:\/\/([^/]+)\/([^/]+)$/.exec(v.spec?.dataSource ?? '');
    if (m && !v.status?.cloneStatus?.state) {
      const [, sourceVolume, snapshot] = m;
      later(() =>
        updateVolume(name, (o) => {
          if (o.status?.cloneStatus?.state) return;
          o.status = { ...(o.status ?? {}), state: 'attached', robustness: 'healthy', currentNodeID: 'node-1', cloneStatus: { sourceVolume, snapshot, state: 'initiated' } };
          after(restoreDelayMs, () =>
            updateVolume(name, (d) => {
              const snap = api.store.get(lh('snapshots'), snapshot, NS);
              const ok = snap?.status?.readyToUse && snap.spec?.volume === sourceVolume && String(snap.status.restoreSize) === String(d.spec?.size);
              d.status = { ...d.status, state: 'detached', robustness: ok ? 'unknown' : 'faulted', currentNodeID: '', cloneStatus: { sourceVolume, snapshot, state: ok ? 'completed' : 'failed' } };
            }),
          );
        }),
      );
    }
  };

  /** Pods (not finished) that mount a claim whose PV is this Longhorn volume. @param {string} volume */
  const podsUsing = (volume) => {
    const pvcs = new Set(
      api.store
        .list('persistentvolumeclaims')
        .filter((/** @type {any} */ c) => c.spec?.volumeName && api.store.get('persistentvolumes', c.spec.volumeName)?.spec?.csi?.volumeHandle === volume)
        .map((/** @type {any} */ c) => `${c.metadata.namespace}/${c.metadata.name}`),
    );
    return api.store
      .list('pods')
      .filter((/** @type {any} */ p) => !['Succeeded', 'Failed'].includes(p.status?.phase) && (p.spec?.volumes ?? []).some((/** @type {any} */ x) => x.persistentVolumeClaim && pvcs.has(`${p.metadata.namespace}/${x.persistentVolumeClaim.claimName}`)));
  };
  /** Longhorn's VolumeAttachment controller, reduced to who may attach the volume, where, and how. @param {string} name */
  const syncAttachment = (name) => {
    const va = api.store.get(lh('volumeattachments'), name, NS);
    const vol = api.store.get(lh('volumes'), name, NS);
    if (!va || !vol) return;
    const tickets = Object.values(va.spec?.attachmentTickets ?? {});
    const users = podsUsing(name);
    /** @type {{ node: string, disableFrontend: boolean } | undefined} */
    let want;
    /** @type {Record<string, any>} */
    const statuses = {};
    if (users.length) {
      want = { node: users[0].spec?.nodeName ?? vol.status?.currentNodeID ?? 'node-1', disableFrontend: false };
      for (const t of /** @type {any[]} */ (tickets)) {
        statuses[t.id] = { id: t.id, satisfied: false, generation: 0, conditions: [{ type: 'Satisfied', status: 'False', reason: '', message: `the volume is attached to node ${want.node} by csi-attacher for pod(s) ${users.map((/** @type {any} */ p) => p.metadata.name).join(', ')}` }] };
      }
    } else if (tickets.length) {
      const first = /** @type {any} */ (tickets[0]);
      want = { node: first.nodeID, disableFrontend: first.parameters?.disableFrontend === 'true' };
      for (const t of /** @type {any[]} */ (tickets)) {
        const ok = t.nodeID === want.node && (t.parameters?.disableFrontend === 'true') === want.disableFrontend;
        statuses[t.id] = { id: t.id, satisfied: ok, generation: 0, conditions: ok ? [] : [{ type: 'Satisfied', status: 'False', reason: '', message: `the volume is attached to node ${want.node} by ticket ${first.id}` }] };
      }
    }
    const spec = { nodeID: want?.node ?? '', disableFrontend: want?.disableFrontend ?? false };
    const status = want ? { state: 'attached', currentNodeID: want.node, frontendDisabled: want.disableFrontend } : { state: 'detached', currentNodeID: '', frontendDisabled: false };
    if (vol.spec?.nodeID !== spec.nodeID || (vol.spec?.disableFrontend ?? false) !== spec.disableFrontend || vol.status?.state !== status.state || (vol.status?.frontendDisabled ?? false) !== status.frontendDisabled) {
      api.store.update(lh('volumes'), name, NS, (o) => {
        o.spec = { ...(o.spec ?? {}), ...spec };
        o.status = { ...(o.status ?? {}), ...status };
      });
    }
    if (JSON.stringify(va.status?.attachmentTicketStatuses ?? {}) !== JSON.stringify(statuses)) {
      api.store.update(lh('volumeattachments'), name, NS, (o) => {
        o.status = { ...(o.status ?? {}), attachmentTicketStatuses: statuses };
      });
    }
  };
  const syncAllAttachments = () => {
    for (const va of api.store.list(lh('volumeattachments'), NS)) later(() => syncAttachment(va.metadata.name));
  };

  /** The newest snapshot of a volume holds volume-head; a revert moves it. @param {string} volume @param {string} head */
  const moveHead = (volume, head) => {
    for (const s of api.store.list(lh('snapshots'), NS)) {
      if (s.spec?.volume !== volume || s.metadata.name === head || !s.status?.children?.['volume-head']) continue;
      api.store.update(lh('snapshots'), s.metadata.name, NS, (o) => {
        const { 'volume-head': _gone, ...rest } = o.status.children;
        o.status.children = rest;
      });
    }
    api.store.update(lh('snapshots'), head, NS, (o) => {
      o.status = { ...(o.status ?? {}), children: { ...(o.status?.children ?? {}), 'volume-head': true } };
    });
  };

  // longhorn-manager's API (longhorn-backend:9500) through the API server's service proxy.
  const unroute = api.addRoute?.((/** @type {any} */ req, /** @type {any} */ res, /** @type {URL} */ url, /** @type {any} */ rec) => {
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)\/proxy(\/.*)?$/.exec(url.pathname);
    if (!m || m[1] !== NS) return false;
    const service = decodeURIComponent(m[2] ?? '').split(':').filter((x) => x !== 'http' && x !== 'https')[0];
    Object.assign(rec, { verb: 'create', resource: 'services', group: '', version: 'v1', namespace: NS, name: service, subresource: 'proxy' });
    /** @param {number} code @param {any} body */
    const reply = (code, body) => {
      const text = JSON.stringify(body);
      res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return true;
    };
    /** @param {string} message */
    const fail = (message) => reply(500, { type: 'error', status: 500, code: 'Server Error', message });
    if (!api.store.get('services', service, NS)) return reply(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `services "${service}" not found`, reason: 'NotFound', details: { name: service, kind: 'services' }, code: 404 });
    const path = m[3] ?? '/';
    const vm = /^\/v1\/volumes\/([^/]+)$/.exec(path);
    const action = url.searchParams.get('action');
    if (service !== 'longhorn-backend' || !vm || req.method !== 'POST' || action !== 'snapshotRevert') return reply(404, { type: 'error', status: 404, code: 'NotFound', message: `not found: ${req.method} ${path}${action ? `?action=${action}` : ''}` });
    /** @type {Buffer[]} */
    const chunks = [];
    req.on('data', (/** @type {Buffer} */ c) => chunks.push(c));
    req.on('end', () => {
      const volName = decodeURIComponent(vm[1] ?? '');
      let input;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        return fail('failed to revert snapshot: invalid JSON body');
      }
      const vol = api.store.get(lh('volumes'), volName, NS);
      if (!vol) return fail(`failed to revert snapshot: unable to get volume: volume.longhorn.io "${volName}" not found`);
      if ((vol.spec?.frontend ?? 'blockdev') !== '' && !vol.spec?.disableFrontend) return fail(`failed to revert snapshot: cannot revert snapshot for volume ${volName} with frontend enabled`);
      if (vol.status?.state !== 'attached') return fail(`failed to revert snapshot: cannot get ${volName} volume engine: engine is not running`);
      const snap = api.store.get(lh('snapshots'), input.name ?? '', NS);
      if (!snap || snap.spec?.volume !== volName) return fail(`failed to revert snapshot: not found snapshot '${input.name}', for volume '${volName}'`);
      if (snap.status?.markRemoved) return fail(`failed to revert snapshot: not revert to snapshot '${input.name}' for volume '${volName}' since it's marked as Removed`);
      moveHead(volName, snap.metadata.name);
      reply(200, {});
    });
    return true;
  });

  const unsubscribe = api.onChange((ev) => {
    if (ev.resource.group === '' && ev.resource.resource === 'pods') return syncAllAttachments();
    if (ev.type === 'DELETED' || ev.resource.group !== 'longhorn.io') return;
    if (ev.resource.resource === 'snapshots') handleSnapshot(ev.object);
    else if (ev.resource.resource === 'backups') handleBackup(ev.object);
    else if (ev.resource.resource === 'backuptargets') handleBackupTarget(ev.object);
    else if (ev.resource.resource === 'volumes') handleVolume(ev.object);
    else if (ev.resource.resource === 'volumeattachments') later(() => syncAttachment(ev.object.metadata.name));
  });
  // Objects that exist already are handled too.
  for (const s of api.store.list(lh('snapshots'), NS)) handleSnapshot(s);
  for (const b of api.store.list(lh('backups'), NS)) handleBackup(b);
  for (const t of api.store.list(lh('backuptargets'), NS)) handleBackupTarget(t);
  for (const v of api.store.list(lh('volumes'), NS)) handleVolume(v);
  syncAllAttachments();
  return () => {
    stopped = true;
    unroute?.();
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };
}

/**
 * A Longhorn Volume as longhorn-manager keeps it for a bound CSI claim.
 * @param {string} name  the PV name (pvc-<uid>)
 * @param {{ namespace?: string, pvc?: string, replicas?: number, robustness?: string, state?: string, labels?: Record<string,string>, size?: string, backupTargetName?: string }} [o]
 */
export function longhornVolume(name, o = {}) {
  return {
    apiVersion: 'longhorn.io/v1beta2',
    kind: 'Volume',
    metadata: { name, namespace: NS, ...(o.labels ? { labels: o.labels } : {}) },
    spec: { numberOfReplicas: o.replicas ?? 3, size: o.size ?? '1073741824', accessMode: 'rwo', dataLocality: 'disabled', backupTargetName: o.backupTargetName ?? 'default' },
    status: {
      state: o.state ?? 'attached',
      robustness: o.robustness ?? 'healthy',
      currentNodeID: 'node-1',
      kubernetesStatus: { pvName: name, pvStatus: 'Bound', ...(o.pvc ? { pvcName: o.pvc, namespace: o.namespace ?? 'default' } : {}) },
    },
  };
}

/**
 * A Longhorn Node with one disk; sizes in bytes.
 * @param {string} name
 * @param {{ ready?: boolean, schedulable?: boolean, maximum?: number, available?: number, scheduled?: number, diskSchedulable?: boolean, diskMessage?: string, allowScheduling?: boolean }} [o]
 */
export function longhornNode(name, o = {}) {
  const cond = (/** @type {string} */ type, /** @type {boolean} */ ok, message = '') => ({ type, status: ok ? 'True' : 'False', reason: ok ? '' : type === 'Schedulable' ? 'DiskPressure' : 'NotReady', message });
  return {
    apiVersion: 'longhorn.io/v1beta2',
    kind: 'Node',
    metadata: { name, namespace: NS },
    spec: { name, allowScheduling: o.allowScheduling ?? true, disks: { 'default-disk-1': { path: '/var/lib/longhorn/', allowScheduling: true, storageReserved: 0, diskType: 'filesystem' } } },
    status: {
      conditions: [cond('Ready', o.ready ?? true), cond('Schedulable', o.schedulable ?? true)],
      diskStatus: {
        'default-disk-1': {
          conditions: [cond('Ready', true), cond('Schedulable', o.diskSchedulable ?? true, o.diskMessage ?? '')],
          storageMaximum: o.maximum ?? 100 * 2 ** 30,
          storageAvailable: o.available ?? 80 * 2 ** 30,
          storageScheduled: o.scheduled ?? 10 * 2 ** 30,
          diskPath: '/var/lib/longhorn/',
          diskType: 'filesystem',
        },
      },
    },
  };
}

/** A Longhorn Setting (value always a string). @param {string} name @param {string} value */
export function longhornSetting(name, value) {
  return { apiVersion: 'longhorn.io/v1beta2', kind: 'Setting', metadata: { name, namespace: NS }, value };
}
