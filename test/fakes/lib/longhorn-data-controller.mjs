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
//   (lastSyncedAt untouched, as Longhorn does on failure).
//
//   const stop = startLonghornDataController(api, { reachable: (url) => url.startsWith('nfs://') || 'mount failed' });

/**
 * @typedef {object} LonghornDataControllerOptions
 * @property {number} [delayMs]          before each status change (default 20)
 * @property {(url: string, target: any) => true | string} [reachable]  true, or why the store cannot be reached (default: every URL works)
 * @property {number} [snapshotSize]     bytes reported for snapshots (default 1048576)
 * @property {boolean} [snapshots]       take snapshots (default true)
 * @property {boolean} [backups]         run backups (default true)
 * @property {boolean} [backupTargets]   check backup targets (default true)
 */

const NS = 'longhorn-system';
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

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
          o.status = { ...(o.status ?? {}), state: 'Completed', progress: 100, url, size: String(snap.status?.size ?? 0), snapshotName: snap.metadata.name, snapshotCreatedAt: snap.status?.creationTime ?? '', backupCreatedAt: now(), volumeName, volumeSize: String(volume?.spec?.size ?? 0) };
        }
      });
    });
  };

  /** Spec last checked per target: Longhorn checks again when asked (syncRequestedAt) or changed. */
  /** @type {Map<string, string>} */
  const checkedSpec = new Map();
  /** @param {any} t */
  const handleBackupTarget = (t) => {
    if (opts.backupTargets === false || t.metadata.name !== 'default') return;
    const spec = JSON.stringify(t.spec ?? {});
    if (checkedSpec.get(t.metadata.name) === spec) return;
    checkedSpec.set(t.metadata.name, spec);
    const requested = t.spec?.syncRequestedAt ? Date.parse(t.spec.syncRequestedAt) : undefined;
    later(() => {
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
    });
  };

  const unsubscribe = api.onChange((ev) => {
    if (ev.type === 'DELETED' || ev.resource.group !== 'longhorn.io') return;
    if (ev.resource.resource === 'snapshots') handleSnapshot(ev.object);
    else if (ev.resource.resource === 'backups') handleBackup(ev.object);
    else if (ev.resource.resource === 'backuptargets') handleBackupTarget(ev.object);
  });
  // Objects that exist already are handled too.
  for (const s of api.store.list(lh('snapshots'), NS)) handleSnapshot(s);
  for (const b of api.store.list(lh('backups'), NS)) handleBackup(b);
  for (const t of api.store.list(lh('backuptargets'), NS)) handleBackupTarget(t);
  return () => {
    stopped = true;
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
