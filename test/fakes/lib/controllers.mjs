// Stand-ins for the cluster's controllers, so a test can decide which parts of the cluster
// "work": workloads becoming ready, volumes being provisioned and bound.
//
// Each helper subscribes to the fake server's change feed and writes through the store, the
// way a controller writes status through the API: watchers see MODIFIED events and
// resourceVersions move on.

import { timestamp } from './time.mjs';

const HOSTPATH_DIR = '/var/snap/microk8s/common/default-storage';

/**
 * @typedef {import('../apiserver.mjs').ChangeEvent} ChangeEvent
 * @typedef {import('../apiserver.mjs').FakeStore} FakeStore
 */

/**
 * @param {{ store: FakeStore, onChange: (fn: (ev: ChangeEvent) => void) => () => void }} api
 */
export function makeControllers(api) {
  /** @type {Set<() => void>} */
  const running = new Set();
  /** @type {Set<ReturnType<typeof setTimeout>>} */
  const timers = new Set();

  /** @param {() => void} fn @param {number} ms */
  const later = (fn, ms) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  /** @param {() => void} unsubscribe */
  const register = (unsubscribe) => {
    const stop = () => {
      unsubscribe();
      running.delete(stop);
    };
    running.add(stop);
    return stop;
  };

  /**
   * Deployments, StatefulSets and DaemonSets report ready `delayMs` after each change.
   * @param {{ delayMs?: number, filter?: (obj: any) => boolean }} [opts]
   * @returns {() => void} stop
   */
  function autoReadyWorkloads(opts = {}) {
    const delayMs = opts.delayMs ?? 0;
    const filter = opts.filter ?? (() => true);
    const kinds = new Set(['deployments', 'statefulsets', 'daemonsets']);
    /** @param {any} obj @param {string} resource */
    const handle = (obj, resource) => {
      if (!filter(obj) || isWorkloadReady(obj, resource, nodeCount())) return;
      later(() => {
        const ref = `apps/${resource}`;
        const cur = api.store.get(ref, obj.metadata.name, obj.metadata.namespace);
        if (!cur || cur.metadata.deletionTimestamp || !filter(cur)) return;
        const status = readyStatus(cur, resource, nodeCount());
        if (isWorkloadReady(cur, resource, nodeCount())) return;
        api.store.update(ref, cur.metadata.name, cur.metadata.namespace, (o) => {
          o.status = { ...(o.status ?? {}), ...status };
        });
      }, delayMs);
    };
    const nodeCount = () => api.store.list('nodes').length;
    // Objects that already exist become ready too.
    for (const r of kinds) for (const o of api.store.list(`apps/${r}`)) handle(o, r);
    return register(
      api.onChange((ev) => {
        if (ev.type === 'DELETED' || ev.resource.group !== 'apps' || !kinds.has(ev.resource.resource)) return;
        handle(ev.object, ev.resource.resource);
      }),
    );
  }

  /**
   * PersistentVolumeClaims get a PersistentVolume and become Bound, like a dynamic
   * provisioner plus the PV controller would do.
   * Claims that name their PV (spec.volumeName) are bound to it as the PV controller binds
   * static PVs: when the PV exists, is free or pre-bound to that claim, and has its class.
   * `failProvisioning(pvc, sc)` returning a text makes the provisioner fail instead: the claim
   * stays Pending and a Warning event `ProvisioningFailed` with `failed to provision volume
   * with StorageClass "X": <text>` is recorded on it, from the external-provisioner (its count
   * goes up on each retry), as a CSI provisioner does.
   * @param {{ delayMs?: number, honorWaitForFirstConsumer?: boolean, workloadsCountAsConsumers?: boolean,
   *           provisioners?: string[], nodeName?: string, failProvisioning?: (pvc: any, sc: any) => string | undefined }} [opts]
   * @returns {() => void} stop
   */
  function autoBindPvcs(opts = {}) {
    const delayMs = opts.delayMs ?? 0;
    const honorWffc = opts.honorWaitForFirstConsumer ?? true;
    // The fake runs no pods, so by default a workload whose pod template mounts the claim
    // counts as its first consumer; set false to demand a real Pod object.
    const workloadsCount = opts.workloadsCountAsConsumers ?? true;

    /** @param {any} pvc */
    const findClass = (pvc) => {
      const name = pvc.spec?.storageClassName;
      if (name === '') return undefined; // explicit "no class": static binding only
      if (name) return api.store.get('storageclasses', name);
      return api.store
        .list('storageclasses')
        .filter((sc) => sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true')
        .sort((a, b) => String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)))[0];
    };

    /** @param {any} pvc */
    const hasConsumer = (pvc) => {
      const ns = pvc.metadata.namespace;
      const claim = pvc.metadata.name;
      /** @param {any} podSpec */
      const mounts = (podSpec) => (podSpec?.volumes ?? []).some((v) => v?.persistentVolumeClaim?.claimName === claim);
      if (api.store.list('pods', ns).some((p) => mounts(p.spec))) return true;
      if (!workloadsCount) return false;
      for (const r of ['apps/deployments', 'apps/daemonsets', 'batch/jobs', 'apps/replicasets']) {
        if (api.store.list(r, ns).some((w) => mounts(w.spec?.template?.spec))) return true;
      }
      return api.store.list('apps/statefulsets', ns).some(
        (s) =>
          mounts(s.spec?.template?.spec) ||
          (s.spec?.volumeClaimTemplates ?? []).some((t) => claim.startsWith(`${t.metadata?.name}-${s.metadata.name}-`)),
      );
    };

    /** @param {any} pvc */
    const tryBind = (pvc) => {
      const cur = api.store.get('persistentvolumeclaims', pvc.metadata.name, pvc.metadata.namespace);
      if (!cur || cur.status?.phase === 'Bound' || cur.metadata.deletionTimestamp) return;
      if (cur.spec?.volumeName) {
        bindStatic(cur);
        return;
      }
      const sc = findClass(cur);
      if (!sc) return;
      if (opts.provisioners && !opts.provisioners.includes(sc.provisioner)) return;
      if (honorWffc && sc.volumeBindingMode === 'WaitForFirstConsumer' && !hasConsumer(cur)) return;
      // The scheduler names the node of a WaitForFirstConsumer claim's first pod (lib/pod-runtime.mjs does too).
      const node = cur.metadata.annotations?.['volume.kubernetes.io/selected-node'] ?? opts.nodeName ?? api.store.list('nodes')[0]?.metadata.name ?? 'node-1';
      const failure = opts.failProvisioning?.(cur, sc);
      if (failure !== undefined) {
        recordProvisioningFailed(cur, sc, node, failure);
        return;
      }
      const pvName = `pvc-${cur.metadata.uid}`;
      const storage = cur.spec?.resources?.requests?.storage ?? '1Gi';
      /** @type {any} */
      const pvSpec = {
        capacity: { storage },
        accessModes: cur.spec?.accessModes ?? ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
        storageClassName: sc.metadata.name,
        volumeMode: cur.spec?.volumeMode ?? 'Filesystem',
        claimRef: {
          kind: 'PersistentVolumeClaim',
          apiVersion: 'v1',
          namespace: cur.metadata.namespace,
          name: cur.metadata.name,
          uid: cur.metadata.uid,
          resourceVersion: cur.metadata.resourceVersion,
        },
      };
      if (sc.provisioner === 'microk8s.io/hostpath') {
        // The hostpath provisioner names the directory <namespace>-<pvc>-<pv> and pins the
        // volume to the node that created it: the multi-node data-loss trap.
        const dir = sc.parameters?.pvDir ?? HOSTPATH_DIR;
        pvSpec.hostPath = { path: `${dir}/${cur.metadata.namespace}-${cur.metadata.name}-${pvName}`, type: 'DirectoryOrCreate' };
        pvSpec.nodeAffinity = {
          required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] },
        };
      } else {
        pvSpec.csi = { driver: sc.provisioner, volumeHandle: pvName, fsType: sc.parameters?.fsType ?? 'ext4', volumeAttributes: { ...(sc.parameters ?? {}) } };
      }
      api.store.put({
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: {
          name: pvName,
          annotations: { 'pv.kubernetes.io/provisioned-by': sc.provisioner },
          finalizers: ['kubernetes.io/pv-protection'],
        },
        spec: pvSpec,
        status: { phase: 'Bound' },
      });
      api.store.update('persistentvolumeclaims', cur.metadata.name, cur.metadata.namespace, (o) => {
        o.metadata.annotations = {
          ...(o.metadata.annotations ?? {}),
          'pv.kubernetes.io/bind-completed': 'yes',
          'pv.kubernetes.io/bound-by-controller': 'yes',
          'volume.beta.kubernetes.io/storage-provisioner': sc.provisioner,
          'volume.kubernetes.io/storage-provisioner': sc.provisioner,
          ...(sc.volumeBindingMode === 'WaitForFirstConsumer' ? { 'volume.kubernetes.io/selected-node': node } : {}),
        };
        o.spec = { ...(o.spec ?? {}), volumeName: pvName, storageClassName: o.spec?.storageClassName ?? sc.metadata.name };
        o.status = { phase: 'Bound', accessModes: pvSpec.accessModes, capacity: { storage } };
      });
    };

    /** @param {any} pvc @param {any} sc @param {string} node @param {string} text */
    const recordProvisioningFailed = (pvc, sc, node, text) => {
      const ns = pvc.metadata.namespace;
      const name = `${pvc.metadata.name}.provisioning-failed`;
      const message = `failed to provision volume with StorageClass "${sc.metadata.name}": ${text}`;
      const now = timestamp();
      const existing = api.store.get('events', name, ns);
      if (existing) {
        api.store.update('events', name, ns, (e) => {
          e.count = (e.count ?? 1) + 1;
          e.lastTimestamp = now;
          e.message = message;
        });
        return;
      }
      const component = `${sc.provisioner}_${node}_0b7f4e1c-fake`;
      api.store.put({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: ns },
        involvedObject: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: ns, name: pvc.metadata.name, uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion },
        reason: 'ProvisioningFailed',
        message,
        type: 'Warning',
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        source: { component },
        reportingComponent: component,
        reportingInstance: '',
      });
    };

    /**
     * A claim that names its volume (spec.volumeName), as the PV controller binds it: only to a
     * PV whose claimRef is empty, or names this claim with no uid or this claim's uid. A
     * Released PV still carries the deleted claim's uid and is never bound again (the claim
     * stays Pending) until someone clears it; the class must match too.
     * @param {any} cur
     */
    const bindStatic = (cur) => {
      const pv = api.store.get('persistentvolumes', cur.spec.volumeName);
      if (!pv || pv.metadata.deletionTimestamp) return;
      const ref = pv.spec?.claimRef;
      const free = !ref || (ref.namespace === cur.metadata.namespace && ref.name === cur.metadata.name && (!ref.uid || ref.uid === cur.metadata.uid));
      if (!free || (pv.spec?.storageClassName ?? '') !== (cur.spec?.storageClassName ?? pv.spec?.storageClassName ?? '')) return;
      api.store.update('persistentvolumes', pv.metadata.name, undefined, (o) => {
        o.spec.claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: cur.metadata.namespace, name: cur.metadata.name, uid: cur.metadata.uid, resourceVersion: cur.metadata.resourceVersion };
        o.status = { ...(o.status ?? {}), phase: 'Bound' };
      });
      api.store.update('persistentvolumeclaims', cur.metadata.name, cur.metadata.namespace, (o) => {
        o.metadata.annotations = { ...(o.metadata.annotations ?? {}), 'pv.kubernetes.io/bind-completed': 'yes' };
        o.status = { phase: 'Bound', accessModes: pv.spec?.accessModes ?? [], capacity: { storage: pv.spec?.capacity?.storage } };
      });
    };

    /** @param {any} pvc */
    const reclaim = (pvc) => {
      const pvName = pvc.spec?.volumeName;
      if (!pvName) return;
      const pv = api.store.get('persistentvolumes', pvName);
      // Seeded PVs may name their claim without a uid.
      const ref = pv?.spec?.claimRef;
      if (!pv || !(ref?.uid ? ref.uid === pvc.metadata.uid : ref?.name === pvc.metadata.name && ref?.namespace === pvc.metadata.namespace)) return;
      if ((pv.spec.persistentVolumeReclaimPolicy ?? 'Delete') === 'Delete') api.store.delete('persistentvolumes', pvName);
      else api.store.update('persistentvolumes', pvName, undefined, (o) => {
        o.status = { ...(o.status ?? {}), phase: 'Released' };
      });
    };

    const retryPending = () => {
      for (const pvc of api.store.list('persistentvolumeclaims')) {
        if (pvc.status?.phase !== 'Bound') later(() => tryBind(pvc), delayMs);
      }
    };
    retryPending();
    const consumers = new Set(['/pods', 'apps/deployments', 'apps/statefulsets', 'apps/daemonsets', 'apps/replicasets', 'batch/jobs', 'storage.k8s.io/storageclasses']);
    return register(
      api.onChange((ev) => {
        const key = `${ev.resource.group}/${ev.resource.resource}`;
        if (key === '/persistentvolumeclaims') {
          if (ev.type === 'DELETED') reclaim(ev.object);
          else later(() => tryBind(ev.object), delayMs);
        } else if (key === '/persistentvolumes' && ev.type !== 'DELETED') {
          for (const pvc of api.store.list('persistentvolumeclaims')) if (pvc.spec?.volumeName === ev.object.metadata.name && pvc.status?.phase !== 'Bound') later(() => tryBind(pvc), delayMs);
        } else if (consumers.has(key) && ev.type !== 'DELETED') {
          retryPending();
        }
      }),
    );
  }

  /**
   * A stand-in for snapshot-controller and the driver's csi-snapshotter sidecar: while
   * Deployment kube-system/snapshot-controller exists, a new VolumeSnapshot of a bound claim
   * whose class names the PV's CSI driver gets a VolumeSnapshotContent and becomes
   * readyToUse (restoreSize = the claim's capacity), after `delayMs`. A missing class or
   * another driver leaves it not ready with status.error, as the real controller reports it.
   * @param {{delayMs?: number}} [opts]
   */
  function snapshotVolumes(opts = {}) {
    const delayMs = opts.delayMs ?? 50;
    /** @param {any} vs */
    const sync = (vs) => {
      const cur = api.store.get('snapshot.storage.k8s.io/volumesnapshots', vs.metadata.name, vs.metadata.namespace);
      if (!cur || cur.status?.readyToUse === true || !api.store.get('apps/deployments', 'snapshot-controller', 'kube-system')) return;
      const ns = cur.metadata.namespace;
      const fail = (/** @type {string} */ message) =>
        api.store.update('snapshot.storage.k8s.io/volumesnapshots', cur.metadata.name, ns, (o) => {
          o.status = { readyToUse: false, error: { message, time: timestamp() } };
        });
      const className = cur.spec?.volumeSnapshotClassName;
      const cls = className ? api.store.get('snapshot.storage.k8s.io/volumesnapshotclasses', className) : undefined;
      if (!cls) return fail(`Failed to get snapshot class with error volumesnapshotclass.snapshot.storage.k8s.io "${className}" not found`);
      const pvc = api.store.get('persistentvolumeclaims', cur.spec?.source?.persistentVolumeClaimName, ns);
      const pv = pvc?.spec?.volumeName ? api.store.get('persistentvolumes', pvc.spec.volumeName) : undefined;
      if (!pv || pvc.status?.phase !== 'Bound') return fail(`the source claim ${cur.spec?.source?.persistentVolumeClaimName} is not bound`);
      if (pv.spec?.csi?.driver !== cls.driver) return fail(`snapshot class ${cls.metadata.name} is for driver ${cls.driver}, the volume's is ${pv.spec?.csi?.driver ?? 'not CSI'}`);
      const content = `snapcontent-${cur.metadata.uid}`;
      const now = timestamp();
      api.store.put({
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshotContent',
        metadata: { name: content },
        spec: { deletionPolicy: cls.deletionPolicy, driver: cls.driver, source: { volumeHandle: pv.spec.csi.volumeHandle }, volumeSnapshotClassName: cls.metadata.name, volumeSnapshotRef: { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', name: cur.metadata.name, namespace: ns, uid: cur.metadata.uid } },
        status: { readyToUse: true, snapshotHandle: `${cls.parameters?.type ?? 'snap'}://${pv.spec.csi.volumeHandle}/${content}`, creationTime: Date.now() * 1e6, restoreSize: 0 },
      });
      api.store.update('snapshot.storage.k8s.io/volumesnapshots', cur.metadata.name, ns, (o) => {
        o.status = { boundVolumeSnapshotContentName: content, creationTime: now, readyToUse: true, restoreSize: pvc.status?.capacity?.storage ?? pv.spec?.capacity?.storage };
      });
    };
    return register(
      api.onChange((ev) => {
        if (ev.type === 'ADDED' && ev.resource.group === 'snapshot.storage.k8s.io' && ev.resource.resource === 'volumesnapshots') later(() => sync(ev.object), delayMs);
        // The controller starting later picks up what waits.
        if (ev.type === 'ADDED' && ev.resource.resource === 'deployments' && ev.object.metadata.name === 'snapshot-controller') {
          for (const vs of api.store.list('snapshot.storage.k8s.io/volumesnapshots')) later(() => sync(vs), delayMs);
        }
      }),
    );
  }

  return {
    autoReadyWorkloads,
    autoBindPvcs,
    snapshotVolumes,
    /** Stop every controller started here and cancel pending timers. */
    stopAll() {
      for (const stop of [...running]) stop();
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

/**
 * @param {any} obj
 * @param {string} resource
 * @param {number} nodes
 */
function readyStatus(obj, resource, nodes) {
  const gen = obj.metadata.generation ?? 1;
  if (resource === 'daemonsets') {
    return {
      observedGeneration: gen,
      desiredNumberScheduled: nodes,
      currentNumberScheduled: nodes,
      numberReady: nodes,
      updatedNumberScheduled: nodes,
      numberAvailable: nodes,
      numberMisscheduled: 0,
    };
  }
  const replicas = obj.spec?.replicas ?? 1;
  if (resource === 'statefulsets') {
    return {
      observedGeneration: gen,
      replicas,
      readyReplicas: replicas,
      currentReplicas: replicas,
      updatedReplicas: replicas,
      availableReplicas: replicas,
      currentRevision: `${obj.metadata.name}-fake`,
      updateRevision: `${obj.metadata.name}-fake`,
    };
  }
  const now = timestamp();
  return {
    observedGeneration: gen,
    replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
    updatedReplicas: replicas,
    conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastTransitionTime: now, lastUpdateTime: now },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${obj.metadata.name}-fake" has successfully progressed.`, lastTransitionTime: now, lastUpdateTime: now },
    ],
  };
}

/**
 * The readiness test a careful client applies (observedGeneration caught up, all replicas
 * updated, ready and available).
 * @param {any} obj @param {string} resource @param {number} nodes
 */
export function isWorkloadReady(obj, resource, nodes) {
  const s = obj.status ?? {};
  if ((s.observedGeneration ?? 0) < (obj.metadata.generation ?? 1)) return false;
  if (resource === 'daemonsets') {
    return s.desiredNumberScheduled === nodes && s.numberReady === nodes && s.updatedNumberScheduled === nodes && s.numberAvailable === nodes;
  }
  const want = obj.spec?.replicas ?? 1;
  if (resource === 'statefulsets') return s.readyReplicas === want && s.updatedReplicas === want && s.availableReplicas === want;
  return s.readyReplicas === want && s.availableReplicas === want && s.updatedReplicas === want;
}
