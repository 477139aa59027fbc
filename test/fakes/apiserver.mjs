// A fake Kubernetes API server speaking real HTTP, for tests that run @kubernetes/client-node
// (or the real CLI) against something that behaves like a cluster.
//
//   const api = await startFakeApiServer();
//   api.url                       http://127.0.0.1:PORT
//   api.kubeconfig()              kubeconfig YAML pointing at it (note insecure-skip-tls-verify:
//                                 client-node 1.4 refuses http:// servers without it)
//   api.store.put/get/list/delete/update/seed   direct access ("god mode", no admission)
//   api.requests                  every request: {method, path, query, verb, resource, ...}
//   api.faults.add({...})         make requests fail, hang, reset or slow down
//   api.faults.forbid({...})      RBAC denials with the real message
//   api.onChange(fn)              observe writes; api.controllers.* simulate controllers
//   api.down() / api.up()         API unreachable / back on the same port
//
// What it does like the real server: discovery, CRUD on namespaced and cluster paths, list
// paging with continue tokens, label/field selectors, watch (with history, bookmarks and 410
// Expired), merge / strategic / JSON patch, server-side apply with managedFields and
// conflicts, the /status and /scale subresources, finalizers and Terminating namespaces,
// Status error bodies with the real reasons and messages, a few admission rules that bite
// storage tools (default StorageClass, PVC expansion, immutable StorageClass fields).
// What it does not: authentication beyond an optional bearer token, schema validation of
// arbitrary fields, pods actually running, consistent snapshots across list pages.

import http from 'node:http';
import https from 'node:https';
import { randomUUID, randomBytes } from 'node:crypto';
import YAML from 'yaml';
import { builtinResources, apiVersionOf, qualifiedResource, typeKey, def as makeDef } from './lib/resources.mjs';
import { parseLabelSelector, parseFieldSelector, SelectorError } from './lib/selectors.mjs';
import {
  mergePatch,
  strategicMerge,
  jsonPatch,
  applyMerge,
  PatchError,
  leafPaths,
  toFieldsV1,
  fromFieldsV1,
  getAt,
  deleteAt,
  deepEqual,
  clone,
  isObj,
  formatPath,
} from './lib/merge.mjs';
import { makeControllers } from './lib/controllers.mjs';
import { makeDaemonSetControllers } from './lib/daemonset-controller.mjs';
import { makePodExec } from './lib/pod-exec.mjs';
import { timestamp as now } from './lib/time.mjs';

/** @typedef {import('./lib/resources.mjs').ResourceDef} ResourceDef */
/** @typedef {import('./lib/merge.mjs').FieldPath} FieldPath */

/**
 * @typedef {object} ChangeEvent
 * @property {'ADDED'|'MODIFIED'|'DELETED'} type
 * @property {any} object      a copy of the object after the change (before, for DELETED)
 * @property {any} [oldObject] a copy of the object before the change
 * @property {ResourceDef} resource
 * @property {'http'|'store'} source
 */

/**
 * @typedef {object} RequestRecord
 * @property {string} method
 * @property {string} path
 * @property {Record<string,string>} query
 * @property {string} contentType
 * @property {string} [verb]  get | list | watch | create | update | patch | delete | deletecollection
 * @property {string} [resource]
 * @property {string} [group]
 * @property {string} [version]
 * @property {string} [namespace]
 * @property {string} [name]
 * @property {string} [subresource]
 * @property {string} [fieldManager]
 * @property {string} userAgent
 * @property {number} [status]  HTTP status of the response (undefined while in flight / reset)
 * @property {number} time
 */

/**
 * @typedef {object} FaultMatch
 * @property {string} [method]
 * @property {string|RegExp} [path]   exact pathname, or a RegExp tested against it
 * @property {string|string[]} [verb]
 * @property {string} [resource]
 * @property {string} [group]
 * @property {string} [namespace]
 * @property {string} [name]
 * @property {string} [subresource]
 * @property {string|RegExp} [contentType]
 * @property {string} [fieldManager]
 * @property {(r: RequestRecord) => boolean} [predicate]
 */

/**
 * @typedef {{status: number, reason?: string, message?: string, body?: any, headers?: Record<string,string>}
 *   | 'reset' | 'hang' | {delayMs: number}
 *   | ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, r: RequestRecord) => void)} FaultAction
 */

/**
 * @typedef {object} FakeApiServerOptions
 * @property {number} [port]               0 (default) for a free port
 * @property {string} [gitVersion]         /version answer, default v1.32.3
 * @property {string} [token]              when set, requests without `Authorization: Bearer <token>` get 401
 * @property {string} [user]               user named in Forbidden messages, default "admin"
 * @property {string[]} [hiddenGroups]     API groups absent until a CRD for them is created (e.g. ['longhorn.io'])
 * @property {number} [namespaceTerminationMs] how long a deleted namespace stays Terminating (default 100)
 * @property {number|string[]} [nodes]     Nodes to create (count or names), default ['node-1']; 0 for none
 * @property {boolean} [bare]              start with no objects at all (no namespaces, nodes or services)
 * @property {number} [watchCacheSize]     events kept for watch resumption (default 10000); older resourceVersions get 410
 * @property {number} [bookmarkIntervalMs] BOOKMARK period for watches that allow them (default 1000)
 * @property {boolean} [ssaConflictsWithUpdaters] apply conflicts with fields owned by Update managers too (default true, like the real server)
 * @property {any[]} [seed]                objects to seed at start
 * @property {import('node:https').ServerOptions} [tls]  serve HTTPS with these options (see lib/tls.mjs for certificates)
 * @property {(req: import('node:http').IncomingMessage) => boolean} [authenticate]  false answers 401 (lib/tls.mjs: client certificates)
 */

const STATUS_REASONS = /** @type {Record<number,string>} */ ({
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
});

class ApiError extends Error {
  /**
   * @param {number} code @param {string} reason @param {string} message
   * @param {Record<string, any>} [details]
   */
  constructor(code, reason, message, details) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }
}

/**
 * A Status object exactly as the API server sends it.
 * @param {number} code @param {string} [reason] @param {string} [message] @param {Record<string, any>} [details]
 */
export function statusBody(code, reason, message, details) {
  /** @type {any} */
  const s = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: message ?? '', reason: reason ?? STATUS_REASONS[code] ?? '' };
  if (details) s.details = details;
  s.code = code;
  return s;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * Parse a Kubernetes quantity into a number (bytes for storage).
 * @param {string|number|undefined} q
 */
export function parseQuantity(q) {
  if (q === undefined || q === null) return NaN;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(q));
  if (!m) return NaN;
  const mult = /** @type {Record<string, number>} */ ({
    '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
    k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, m: 1e-3,
  })[/** @type {string} */ (m[2])];
  return mult === undefined ? NaN : Number(m[1]) * mult;
}

/**
 * Start a fake API server on 127.0.0.1.
 * @param {FakeApiServerOptions} [opts]
 */
export async function startFakeApiServer(opts = {}) {
  const gitVersion = opts.gitVersion ?? 'v1.32.3';
  const user = opts.user ?? 'admin';
  const terminationMs = opts.namespaceTerminationMs ?? 100;
  const watchCacheSize = opts.watchCacheSize ?? 10000;
  const bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 1000;
  const conflictsWithUpdaters = opts.ssaConflictsWithUpdaters ?? true;

  // ------------------------------------------------------------------ resource registry
  /** @type {ResourceDef[]} */
  const registry = builtinResources();
  for (const g of opts.hiddenGroups ?? []) for (const d of registry) if (d.group === g) d.hidden = true;
  // pods/log: served from podLogStore below (written by lib/daemonset-controller.mjs or a test).
  registry.find((d) => d.group === '' && d.resource === 'pods')?.subresources.push('log');

  /** @param {string} group @param {string} version @param {string} resource */
  const findDef = (group, version, resource) =>
    registry.find((d) => !d.hidden && d.group === group && d.version === version && d.resource === resource);

  /** @type {Map<string, {d: ResourceDef, size: number}>} what resolve() found, by ref */
  const resolved = new Map();
  /**
   * Resolve what a test means by a resource: 'persistentvolumeclaims', 'pvc', 'PersistentVolumeClaim',
   * 'deployments.apps', 'apps/deployments', 'nodes.longhorn.io', or {apiVersion, kind}.
   * Core and built-in groups win over CRD groups on plain names ('nodes' is the core Node).
   * @param {string | {apiVersion?: string, kind?: string}} ref
   * @returns {ResourceDef}
   */
  const resolve = (ref) => {
    // Controllers resolve the same few names on every write: remembered until the registry
    // grows (it only ever grows: a removed CRD's definition stays, hidden).
    const key = typeof ref === 'object' ? `${ref.apiVersion ?? 'v1'}\u0000${ref.kind}` : ref;
    const known = resolved.get(key);
    if (known && known.size === registry.length) return known.d;
    const d = resolveUncached(ref);
    resolved.set(key, { d, size: registry.length });
    return d;
  };
  /** @param {string | {apiVersion?: string, kind?: string}} ref @returns {ResourceDef} */
  const resolveUncached = (ref) => {
    /** @type {ResourceDef|undefined} */
    let found;
    if (typeof ref === 'object') {
      const [g, v] = (ref.apiVersion ?? 'v1').includes('/') ? (ref.apiVersion ?? '').split('/') : ['', ref.apiVersion ?? 'v1'];
      found = registry.find((d) => d.group === g && d.version === v && d.kind === ref.kind) ?? registry.find((d) => d.group === g && d.kind === ref.kind);
    } else if (ref.includes('/')) {
      const i = ref.lastIndexOf('/');
      const g = ref.slice(0, i);
      const r = ref.slice(i + 1);
      found = registry.find((d) => d.group === g && (d.resource === r || d.kind === r));
    } else {
      const ordered = [...registry].sort((a, b) => Number(a.crd) - Number(b.crd));
      found =
        ordered.find((d) => d.resource === ref || d.kind === ref || d.shortNames.includes(ref)) ??
        ordered.find((d) => `${d.resource}.${d.group}` === ref || `${d.kind}.${d.group}` === ref);
    }
    if (!found) throw new Error(`fake apiserver: unknown resource ${JSON.stringify(ref)}`);
    return found;
  };

  // ------------------------------------------------------------------ object store
  /** @type {Map<string, Map<string, any>>} typeKey -> "ns/name" -> object (never mutated in place) */
  const types = new Map();
  /** @type {Map<Map<string, any>, ResourceDef>} each bucket's resource */
  const defOfBucket = new Map();
  /** @type {Map<string, string[]>} sorted key cache, dropped on add/delete */
  const sortedKeys = new Map();
  let rv = 0;
  /** @type {{rv: number, tk: string, type: string, obj: any, old: any}[]} */
  const history = [];
  /** @type {Set<Watcher>} */
  const watchers = new Set();
  /** @type {Set<(ev: ChangeEvent) => void>} */
  const listeners = new Set();
  /** @type {Set<string>} namespaces waiting for their content to go */
  const terminating = new Set();

  /** @param {ResourceDef} d */
  const bucket = (d) => {
    const tk = typeKey(d);
    let m = types.get(tk);
    if (!m) {
      types.set(tk, (m = new Map()));
      defOfBucket.set(m, d);
    }
    return m;
  };
  /** @param {string|undefined} ns @param {string} name */
  const objKey = (ns, name) => `${ns ?? ''}/${name}`;

  /** @param {ResourceDef} d */
  const keysOf = (d) => {
    const tk = typeKey(d);
    let keys = sortedKeys.get(tk);
    if (!keys) {
      keys = [...bucket(d).keys()].sort();
      sortedKeys.set(tk, keys);
    }
    return keys;
  };

  /** @param {ResourceDef} d @param {string|undefined} ns @param {string} name */
  const getRaw = (d, ns, name) => bucket(d).get(objKey(d.namespaced ? ns : undefined, name));

  /**
   * The one place where state changes: store, bump resourceVersion, record history, feed
   * watchers and listeners.
   * @param {ResourceDef} d @param {'ADDED'|'MODIFIED'|'DELETED'} type @param {any} obj @param {any} old
   * @param {'http'|'store'} source
   */
  const commit = (d, type, obj, old, source) => {
    const b = bucket(d);
    const key = objKey(obj.metadata.namespace, obj.metadata.name);
    obj.metadata.resourceVersion = String(++rv);
    if (type === 'DELETED') {
      b.delete(key);
      sortedKeys.delete(typeKey(d));
    } else {
      if (!b.has(key)) sortedKeys.delete(typeKey(d));
      b.set(key, obj);
    }
    history.push({ rv, tk: typeKey(d), type, obj, old });
    if (history.length > watchCacheSize) history.splice(0, history.length - watchCacheSize);
    for (const w of watchers) if (w.tk === typeKey(d)) w.deliver(type, obj, old);
    if (listeners.size) {
      /** @type {ChangeEvent} */
      // Copied when a listener first reads them (most look at the resource and move on):
      // stored objects are never changed in place, so a later copy is the same copy.
      /** @type {any} */
      let object;
      /** @type {any} */
      let oldObject;
      const ev = {
        type,
        resource: d,
        source,
        get object() {
          return (object ??= clone(obj));
        },
        get oldObject() {
          return (oldObject ??= clone(old));
        },
      };
      setImmediate(() => {
        for (const fn of [...listeners]) {
          try {
            fn(ev);
          } catch (err) {
            console.error('fake apiserver: onChange listener threw', err);
          }
        }
      });
    }
    afterCommit(d, type, obj);
    return obj;
  };

  /** Cluster behaviour that follows a write: finalizers, namespaces, CRDs, GC. */
  /** @param {ResourceDef} d @param {string} type @param {any} obj */
  const afterCommit = (d, type, obj) => {
    if (type === 'MODIFIED' && obj.metadata.deletionTimestamp && !(obj.metadata.finalizers ?? []).length && d.resource !== 'namespaces') {
      // Last finalizer removed from an object being deleted: it goes away now.
      commit(d, 'DELETED', { ...obj, metadata: { ...obj.metadata } }, obj, 'http');
      return;
    }
    if (d.group === 'apiextensions.k8s.io' && d.resource === 'customresourcedefinitions') {
      if (type === 'DELETED') unregisterCrd(obj);
      else registerCrd(obj);
    }
    if (type === 'DELETED' && obj.metadata.namespace && terminating.has(obj.metadata.namespace)) scheduleFinalize(obj.metadata.namespace);
  };

  /** @type {Set<string>} */
  const finalizeScheduled = new Set();
  /** One namespace sweep per tick, however many objects went away. @param {string} ns */
  const scheduleFinalize = (ns) => {
    if (finalizeScheduled.has(ns)) return;
    finalizeScheduled.add(ns);
    setImmediate(() => {
      finalizeScheduled.delete(ns);
      finalizeNamespace(ns);
    });
  };

  /** @param {any} crd */
  const registerCrd = (crd) => {
    const spec = crd.spec ?? {};
    for (const v of spec.versions ?? []) {
      if (v.served === false) continue;
      let d = registry.find((x) => x.group === spec.group && x.version === v.name && x.resource === spec.names?.plural);
      if (d) {
        d.hidden = false;
        continue;
      }
      d = makeDef(spec.group, v.name, spec.names?.plural, spec.names?.kind, spec.scope !== 'Cluster', {
        crd: true,
        shortNames: spec.names?.shortNames ?? [],
        subresources: v.subresources?.status ? ['status'] : [],
      });
      registry.push(d);
    }
  };
  /** @param {any} crd */
  const unregisterCrd = (crd) => {
    const spec = crd.spec ?? {};
    for (const d of registry) {
      if (d.group === spec.group && d.resource === spec.names?.plural) {
        for (const o of [...bucket(d).values()]) commit(d, 'DELETED', { ...o, metadata: { ...o.metadata } }, o, 'http');
        d.hidden = true;
      }
    }
  };

  /**
   * Delete like the API does: finalizers and namespaces make it a two-step affair.
   * @param {ResourceDef} d @param {any} obj @param {string|undefined} propagation
   * @returns {{obj: any, pending: boolean}}
   */
  const requestDelete = (d, obj, propagation) => {
    if (obj.metadata.deletionTimestamp) return { obj, pending: true };
    if (d.resource === 'namespaces' && !d.group) {
      const next = clone(obj);
      next.metadata.deletionTimestamp = now();
      next.status = { ...(next.status ?? {}), phase: 'Terminating' };
      commit(d, 'MODIFIED', next, obj, 'http');
      terminating.add(obj.metadata.name);
      setTimeout(() => finalizeNamespace(obj.metadata.name), terminationMs);
      return { obj: next, pending: true };
    }
    const finalizers = [...(obj.metadata.finalizers ?? [])];
    if (propagation === 'Foreground' && !finalizers.includes('foregroundDeletion')) {
      finalizers.push('foregroundDeletion');
    }
    if (finalizers.length) {
      const next = clone(obj);
      next.metadata.deletionTimestamp = now();
      next.metadata.deletionGracePeriodSeconds = 0;
      next.metadata.finalizers = finalizers;
      commit(d, 'MODIFIED', next, obj, 'http');
      if (propagation === 'Foreground') {
        // The garbage collector deletes dependents, then drops foregroundDeletion.
        setImmediate(() => {
          collectDependents(obj.metadata.uid);
          const cur = getRaw(d, obj.metadata.namespace, obj.metadata.name);
          if (cur) {
            const after = clone(cur);
            after.metadata.finalizers = (after.metadata.finalizers ?? []).filter((/** @type {string} */ f) => f !== 'foregroundDeletion');
            commit(d, 'MODIFIED', after, cur, 'http');
          }
        });
      }
      return { obj: next, pending: true };
    }
    const gone = { ...obj, metadata: { ...obj.metadata } };
    commit(d, 'DELETED', gone, obj, 'http');
    if (propagation !== 'Orphan') setImmediate(() => collectDependents(obj.metadata.uid));
    return { obj: gone, pending: false };
  };

  /** Garbage collection of objects owned by `uid`. @param {string} uid */
  const collectDependents = (uid) => {
    if (!uid) return;
    // Only the kinds that hold objects (a dozen, where the registry has a hundred).
    for (const [b, d] of [...defOfBucket]) {
      for (const o of [...b.values()]) {
        if (o.metadata.ownerReferences?.some((/** @type {any} */ r) => r.uid === uid)) requestDelete(d, o, 'Background');
      }
    }
  };

  /** The namespace controller: empty the namespace, then let it go. @param {string} name */
  const finalizeNamespace = (name) => {
    const nsDef = resolve('namespaces');
    const ns = getRaw(nsDef, undefined, name);
    if (!ns || !terminating.has(name)) return;
    let remaining = 0;
    /** @type {Set<string>} */
    const blockingFinalizers = new Set();
    for (const d of registry) {
      if (!d.namespaced) continue;
      for (const o of [...bucket(d).values()]) {
        if (o.metadata.namespace !== name) continue;
        const { pending } = requestDelete(d, o, 'Background');
        if (pending) {
          remaining++;
          for (const f of o.metadata.finalizers ?? []) blockingFinalizers.add(f);
        }
      }
    }
    const cur = getRaw(nsDef, undefined, name);
    if (!cur) return;
    if (remaining === 0) {
      terminating.delete(name);
      commit(nsDef, 'DELETED', { ...cur, metadata: { ...cur.metadata } }, cur, 'http');
      return;
    }
    const next = clone(cur);
    next.status.conditions = [
      {
        type: 'NamespaceFinalizersRemaining',
        status: 'True',
        reason: 'SomeFinalizersRemain',
        message: `Some content in the namespace has finalizers remaining: ${[...blockingFinalizers].join(', ')} in ${remaining} resource instances`,
        lastTransitionTime: now(),
      },
    ];
    if (!deepEqual(next.status, cur.status)) commit(nsDef, 'MODIFIED', next, cur, 'http');
  };

  /** @param {ResourceDef} d @param {any} obj */
  const initMetadata = (d, obj) => {
    obj.apiVersion = apiVersionOf(d);
    obj.kind = d.kind;
    obj.metadata ??= {};
    obj.metadata.uid ??= randomUUID();
    obj.metadata.creationTimestamp ??= now();
    if (obj.spec !== undefined || d.crd) obj.metadata.generation ??= 1;
    if (!d.namespaced) delete obj.metadata.namespace;
    if (d.resource === 'namespaces' && !d.group) {
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name };
      obj.spec ??= { finalizers: ['kubernetes'] };
      obj.status ??= { phase: 'Active' };
    }
  };

  /** Namespaces that objects seeded into must exist, so create them on the fly. @param {string} ns */
  const ensureNamespace = (ns) => {
    const nsDef = resolve('namespaces');
    if (getRaw(nsDef, undefined, ns)) return;
    const o = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } };
    initMetadata(nsDef, o);
    commit(nsDef, 'ADDED', o, undefined, 'store');
  };

  /**
   * Test-side access to the objects, bypassing HTTP, admission and RBAC.
   * Refs: plural ('persistentvolumeclaims'), kind, short name, 'deployments.apps', 'apps/deployments'.
   */
  const store = {
    /**
     * Create or replace an object as given (status included). Missing namespaces are created.
     * @param {any} input @param {{silent?: boolean}} [o] silent: do not feed watchers' history/listeners
     * @returns {any} a copy of the stored object
     */
    put(input, o = {}) {
      const d = resolve({ apiVersion: input.apiVersion, kind: input.kind });
      const obj = clone(input);
      obj.metadata ??= {};
      if (d.namespaced) {
        obj.metadata.namespace ??= 'default';
        ensureNamespace(obj.metadata.namespace);
      }
      const old = getRaw(d, obj.metadata.namespace, obj.metadata.name);
      if (old) {
        obj.metadata.uid = old.metadata.uid;
        obj.metadata.creationTimestamp ??= old.metadata.creationTimestamp;
        if (input.metadata?.generation === undefined) obj.metadata.generation = nextGeneration(old, obj);
      }
      initMetadata(d, obj);
      if (o.silent) {
        obj.metadata.resourceVersion = String(++rv);
        bucket(d).set(objKey(obj.metadata.namespace, obj.metadata.name), obj);
        sortedKeys.delete(typeKey(d));
        return clone(obj);
      }
      return clone(commit(d, old ? 'MODIFIED' : 'ADDED', obj, old, 'store'));
    },
    /**
     * @param {string | {apiVersion?: string, kind?: string}} ref @param {string} name @param {string} [namespace]
     * @returns {any} a copy, or undefined
     */
    get(ref, name, namespace) {
      const d = resolve(ref);
      return clone(getRaw(d, d.namespaced ? namespace ?? 'default' : undefined, name));
    },
    /**
     * @param {string | {apiVersion?: string, kind?: string}} ref @param {string} [namespace] omit for all namespaces
     * @returns {any[]} copies, sorted by namespace/name
     */
    list(ref, namespace) {
      const d = resolve(ref);
      const b = bucket(d);
      const out = [];
      for (const k of keysOf(d)) {
        const o = b.get(k);
        if (o && (!namespace || o.metadata.namespace === namespace)) out.push(clone(o));
      }
      return out;
    },
    /**
     * Remove an object immediately (no finalizers, no Terminating), emitting DELETED.
     * @param {string | {apiVersion?: string, kind?: string}} ref @param {string} name @param {string} [namespace]
     * @returns {boolean} whether it existed
     */
    delete(ref, name, namespace) {
      const d = resolve(ref);
      const old = getRaw(d, d.namespaced ? namespace ?? 'default' : undefined, name);
      if (!old) return false;
      commit(d, 'DELETED', { ...old, metadata: { ...old.metadata } }, old, 'store');
      if (d.resource === 'namespaces' && !d.group) {
        terminating.delete(name);
        for (const x of registry) if (x.namespaced) for (const o of [...bucket(x).values()]) if (o.metadata.namespace === name) commit(x, 'DELETED', { ...o, metadata: { ...o.metadata } }, o, 'store');
      }
      return true;
    },
    /**
     * Read-modify-write, like a controller: `mutate` edits a copy in place.
     * @param {string | {apiVersion?: string, kind?: string}} ref @param {string} name @param {string|undefined} namespace
     * @param {(obj: any) => void} mutate
     * @returns {any} the stored copy, or undefined if absent
     */
    update(ref, name, namespace, mutate) {
      const d = resolve(ref);
      const old = getRaw(d, d.namespaced ? namespace ?? 'default' : undefined, name);
      if (!old) return undefined;
      const next = clone(old);
      mutate(next);
      if (next.metadata.generation === old.metadata.generation) next.metadata.generation = nextGeneration(old, next);
      if (deepEqual(next, old)) return clone(old);
      return clone(commit(d, 'MODIFIED', next, old, 'store'));
    },
    /**
     * Bulk insert without per-object copies of history (fast: 10k objects well under a second).
     * Watchers already connected still see ADDED events.
     * @param {any[]} objects @returns {number} how many
     */
    seed(objects) {
      for (const input of objects) {
        const d = resolve({ apiVersion: input.apiVersion, kind: input.kind });
        const obj = clone(input);
        obj.metadata ??= {};
        if (d.namespaced) {
          obj.metadata.namespace ??= 'default';
          ensureNamespace(obj.metadata.namespace);
        }
        initMetadata(d, obj);
        const key = objKey(obj.metadata.namespace, obj.metadata.name);
        const old = bucket(d).get(key);
        if (old) obj.metadata.uid = old.metadata.uid;
        if (watchers.size || listeners.size) commit(d, old ? 'MODIFIED' : 'ADDED', obj, old, 'store');
        else {
          obj.metadata.resourceVersion = String(++rv);
          bucket(d).set(key, obj);
          sortedKeys.delete(typeKey(d));
        }
      }
      return objects.length;
    },
    /** @param {string | {apiVersion?: string, kind?: string}} [ref] count of one type or of everything */
    count(ref) {
      if (ref) return bucket(resolve(ref)).size;
      let n = 0;
      for (const m of types.values()) n += m.size;
      return n;
    },
    /** The current (latest) resourceVersion. */
    get resourceVersion() {
      return String(rv);
    },
  };

  /** @param {any} old @param {any} next */
  const nextGeneration = (old, next) => {
    const gen = old.metadata.generation;
    if (gen === undefined) return next.metadata.generation;
    /** @param {any} o */
    const body = (o) => {
      const { metadata, status, apiVersion, kind, ...rest } = o;
      return rest;
    };
    return deepEqual(body(old), body(next)) ? gen : gen + 1;
  };

  // ------------------------------------------------------------------ default objects
  if (!opts.bare) {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) ensureNamespace(ns);
    const nodes = typeof opts.nodes === 'number' ? Array.from({ length: opts.nodes }, (_, i) => `node-${i + 1}`) : opts.nodes ?? ['node-1'];
    nodes.forEach((name, i) => store.put(makeNode(name, i, gitVersion)));
    store.put({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { type: 'ClusterIP', clusterIP: '10.152.183.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 16443 }] },
    });
  }
  if (opts.seed) store.seed(opts.seed);

  // ------------------------------------------------------------------ faults and RBAC
  /** @type {{match: FaultMatch, action: FaultAction, remaining: number, hits: number}[]} */
  const faultList = [];
  /** @type {{verb?: string|string[], resource?: string, group?: string, namespace?: string, name?: string, subresource?: string}[]} */
  const forbidRules = [];
  /** @type {Set<import('node:http').ServerResponse>} */
  const hanging = new Set();

  /** @param {FaultMatch} m @param {RequestRecord} r */
  const faultMatches = (m, r) => {
    if (m.method && m.method.toUpperCase() !== r.method) return false;
    if (m.path !== undefined && (m.path instanceof RegExp ? !m.path.test(r.path) : m.path !== r.path)) return false;
    if (m.verb !== undefined && !(Array.isArray(m.verb) ? m.verb : [m.verb]).includes(r.verb ?? '')) return false;
    if (m.resource !== undefined && m.resource !== r.resource) return false;
    if (m.group !== undefined && m.group !== r.group) return false;
    if (m.namespace !== undefined && m.namespace !== r.namespace) return false;
    if (m.name !== undefined && m.name !== r.name) return false;
    if (m.subresource !== undefined && m.subresource !== r.subresource) return false;
    if (m.fieldManager !== undefined && m.fieldManager !== r.fieldManager) return false;
    if (m.contentType !== undefined && (m.contentType instanceof RegExp ? !m.contentType.test(r.contentType) : !r.contentType.includes(m.contentType))) return false;
    if (m.predicate && !m.predicate(r)) return false;
    return true;
  };

  /** @param {RequestRecord} r */
  const forbiddenBy = (r) =>
    forbidRules.find(
      (f) =>
        (f.verb === undefined || (Array.isArray(f.verb) ? f.verb : [f.verb]).includes(r.verb ?? '')) &&
        (f.resource === undefined || f.resource === r.resource) &&
        (f.group === undefined || f.group === r.group) &&
        (f.namespace === undefined || f.namespace === r.namespace) &&
        (f.name === undefined || f.name === r.name) &&
        (f.subresource === undefined || f.subresource === r.subresource),
    );

  /** @param {{verb?: string, resource?: string, group?: string, namespace?: string, name?: string, subresource?: string}} r */
  const forbiddenMessage = (r) => {
    const res = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
    const d = r.resource ? registry.find((x) => x.resource === r.resource && x.group === (r.group ?? '')) : undefined;
    const q = d ? qualifiedResource(d) : r.resource;
    const subject = r.name ? `${q} "${r.name}"` : q;
    const scope = r.namespace ? `in the namespace "${r.namespace}"` : 'at the cluster scope';
    return `${subject} is forbidden: User "${user}" cannot ${r.verb} resource "${res}" in API group "${r.group ?? ''}" ${scope}`;
  };

  const faults = {
    /**
     * Add a fault. Matching requests (in order of addition) get the action until `times` runs out.
     * `{delayMs}` delays and lets the request continue; the others answer it.
     * @param {{match?: FaultMatch, times?: number, action: FaultAction}} f
     */
    add(f) {
      const entry = { match: f.match ?? {}, action: f.action, remaining: f.times ?? 1, hits: 0 };
      faultList.push(entry);
      return {
        get hits() {
          return entry.hits;
        },
        get remaining() {
          return entry.remaining;
        },
        remove() {
          const i = faultList.indexOf(entry);
          if (i >= 0) faultList.splice(i, 1);
        },
      };
    },
    /**
     * The next `times` matching requests fail with `status` and a Status body.
     * @param {FaultMatch} match @param {number} [status] @param {{times?: number, reason?: string, message?: string}} [o]
     */
    failNext(match, status = 500, o = {}) {
      return faults.add({ match, times: o.times ?? 1, action: { status, reason: o.reason, message: o.message } });
    },
    /** Destroy the TCP connection of the next matching requests. @param {FaultMatch} match @param {number} [times] */
    reset(match, times = 1) {
      return faults.add({ match, times, action: 'reset' });
    },
    /** Never answer the next matching requests (until the server closes). @param {FaultMatch} match @param {number} [times] */
    hang(match, times = 1) {
      return faults.add({ match, times, action: 'hang' });
    },
    /** Delay matching requests. @param {FaultMatch} match @param {number} delayMs @param {number} [times] */
    delay(match, delayMs, times = Infinity) {
      return faults.add({ match, times, action: { delayMs } });
    },
    /**
     * The next server-side apply to a matching object answers 409 as if another manager owned a field.
     * @param {{resource?: string, name?: string, namespace?: string, times?: number, manager?: string, field?: string}} [o]
     */
    conflictOnApply(o = {}) {
      const manager = o.manager ?? 'another-manager';
      const field = o.field ?? '.spec';
      return faults.add({
        match: { verb: 'patch', contentType: 'apply-patch', resource: o.resource, name: o.name, namespace: o.namespace },
        times: o.times ?? 1,
        action: {
          status: 409,
          body: statusBody(409, 'Conflict', `Apply failed with 1 conflict: conflict with "${manager}": ${field}`, {
            causes: [{ reason: 'FieldManagerConflict', message: `conflict with "${manager}"`, field }],
          }),
        },
      });
    },
    /**
     * Deny matching requests with 403 and the real RBAC message. Fields left out match anything.
     * @param {{verb?: string|string[], resource?: string, group?: string, namespace?: string, name?: string, subresource?: string}} rule
     * @returns {() => void} undo
     */
    forbid(rule) {
      forbidRules.push(rule);
      return () => {
        const i = forbidRules.indexOf(rule);
        if (i >= 0) forbidRules.splice(i, 1);
      };
    },
    /** End every open watch cleanly (like the server's watch timeout). */
    closeWatches() {
      for (const w of [...watchers]) w.end();
    },
    /** Send `410 Expired` ERROR events to open watches and end them (forces a re-list). */
    expireWatches() {
      for (const w of [...watchers]) {
        w.send({ type: 'ERROR', object: statusBody(410, 'Expired', `too old resource version: ${w.sinceRv} (${rv})`) });
        w.end();
      }
    },
    /** Remove all faults and RBAC denials. */
    clear() {
      faultList.length = 0;
      forbidRules.length = 0;
    },
  };

  // ------------------------------------------------------------------ watch
  /**
   * @typedef {object} Watcher
   * @property {string} tk
   * @property {number} sinceRv
   * @property {(type: string, obj: any, old: any) => void} deliver
   * @property {(ev: any) => void} send
   * @property {() => void} end
   */

  /**
   * @param {ResourceDef} d @param {string|undefined} ns @param {URLSearchParams} q
   * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
   */
  const startWatch = (d, ns, q, req, res) => {
    const labelOk = parseLabelSelector(q.get('labelSelector'));
    const fieldOk = parseFieldSelector(q.get('fieldSelector'));
    /** @param {any} o */
    const matches = (o) => !!o && (!ns || o.metadata.namespace === ns) && labelOk(o.metadata.labels) && fieldOk(o);
    const rvParam = q.get('resourceVersion');
    const sendInitial = q.get('sendInitialEvents') === 'true';
    const bookmarks = q.get('allowWatchBookmarks') === 'true';
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    let ended = false;
    /** @type {Watcher} */
    const w = {
      tk: typeKey(d),
      sinceRv: Number(rvParam || 0),
      send(ev) {
        if (!ended) res.write(JSON.stringify(ev) + '\n');
      },
      deliver(type, obj, old) {
        const now = matches(obj);
        const before = old ? matches(old) : false;
        if (type === 'ADDED' && now) w.send({ type, object: obj });
        else if (type === 'DELETED' && now) w.send({ type, object: obj });
        else if (type === 'MODIFIED') {
          // Selector semantics: entering the selection is ADDED, leaving it is DELETED.
          if (now && before) w.send({ type, object: obj });
          else if (now) w.send({ type: 'ADDED', object: obj });
          else if (before) w.send({ type: 'DELETED', object: obj });
        }
      },
      end() {
        if (ended) return;
        ended = true;
        watchers.delete(w);
        clearInterval(bookmarkTimer);
        clearTimeout(timeoutTimer);
        res.end();
      },
    };
    if (!rvParam || rvParam === '0' || sendInitial) {
      // No resourceVersion (or "0"): the current state arrives as ADDED events first.
      const b = bucket(d);
      for (const k of keysOf(d)) {
        const o = b.get(k);
        if (matches(o)) w.send({ type: 'ADDED', object: o });
      }
      if (sendInitial && bookmarks) {
        w.send({ type: 'BOOKMARK', object: { kind: d.kind, apiVersion: apiVersionOf(d), metadata: { resourceVersion: String(rv), annotations: { 'k8s.io/initial-events-end': 'true' } } } });
      }
    } else {
      const since = Number(rvParam);
      const oldest = history.length ? history[0].rv : rv + 1;
      if (!Number.isFinite(since)) {
        res.end(JSON.stringify({ type: 'ERROR', object: statusBody(400, 'BadRequest', `invalid resource version: ${rvParam}`) }) + '\n');
        return;
      }
      if (since < oldest - 1 && since < rv) {
        w.send({ type: 'ERROR', object: statusBody(410, 'Expired', `too old resource version: ${since} (${rv})`) });
        ended = true;
        res.end();
        return;
      }
      for (const h of history) if (h.rv > since && h.tk === w.tk) w.deliver(h.type, h.obj, h.old);
    }
    watchers.add(w);
    const bookmarkTimer = bookmarks
      ? setInterval(() => w.send({ type: 'BOOKMARK', object: { kind: d.kind, apiVersion: apiVersionOf(d), metadata: { resourceVersion: String(rv) } } }), bookmarkIntervalMs)
      : undefined;
    const timeoutSeconds = Number(q.get('timeoutSeconds') || 0);
    const timeoutTimer = timeoutSeconds > 0 ? setTimeout(() => w.end(), timeoutSeconds * 1000) : undefined;
    req.on('close', () => w.end());
  };

  // ------------------------------------------------------------------ managed fields
  /** Fields the server does not track ownership of. @param {ResourceDef} d @param {string|undefined} sub */
  const skipFor = (d, sub) => {
    const hasStatus = d.subresources.includes('status');
    /** @param {FieldPath} p */
    return (p) => {
      const [a, b] = p;
      if (p.length === 1 && (a === 'apiVersion' || a === 'kind')) return true;
      if (a === 'metadata' && p.length === 2 && !['labels', 'annotations', 'finalizers', 'ownerReferences'].includes(/** @type {string} */ (b))) return true;
      if (sub === 'status') return a !== 'status' && a !== 'metadata';
      if (hasStatus && a === 'status') return true;
      return false;
    };
  };

  /**
   * @param {any} obj
   * @returns {{manager: string, operation: string, apiVersion?: string, time?: string, subresource?: string, paths: Map<string, FieldPath>}[]}
   */
  const readManagers = (obj) =>
    (obj?.metadata?.managedFields ?? []).map((/** @type {any} */ e) => ({
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.time,
      subresource: e.subresource,
      paths: fromFieldsV1(e.fieldsV1),
    }));

  /** @param {any} obj @param {ReturnType<typeof readManagers>} entries */
  const writeManagers = (obj, entries) => {
    const out = entries
      .filter((e) => e.paths.size > 0)
      .map((e) => {
        /** @type {any} */
        const m = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, time: e.time, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(e.paths.values()) };
        if (e.subresource) m.subresource = e.subresource;
        return m;
      });
    if (out.length) obj.metadata.managedFields = out;
    else delete obj.metadata.managedFields;
  };

  /**
   * Ownership after a non-apply write: the writer takes the fields it changed.
   * @param {ResourceDef} d @param {any} old @param {any} next @param {string} manager @param {string|undefined} sub
   */
  const trackUpdate = (d, old, next, manager, sub) => {
    const skip = skipFor(d, sub);
    const before = old ? leafPaths(old, skip) : new Map();
    const after = leafPaths(next, skip);
    /** @type {Map<string, FieldPath>} */
    const changed = new Map();
    for (const [k, p] of after) if (!before.has(k) || !deepEqual(getAt(old, p), getAt(next, p))) changed.set(k, p);
    const entries = readManagers(old);
    for (const e of entries) {
      for (const k of [...e.paths.keys()]) {
        if (!after.has(k) && !skip(/** @type {FieldPath} */ (e.paths.get(k)))) e.paths.delete(k);
        else if (changed.has(k) && !(e.manager === manager && e.operation === 'Update' && e.subresource === sub)) e.paths.delete(k);
      }
    }
    if (changed.size) {
      let mine = entries.find((e) => e.manager === manager && e.operation === 'Update' && e.subresource === sub);
      if (!mine) entries.push((mine = { manager, operation: 'Update', apiVersion: apiVersionOf(d), time: now(), subresource: sub, paths: new Map() }));
      for (const [k, p] of changed) mine.paths.set(k, p);
      mine.time = now();
    }
    writeManagers(next, entries);
  };

  /**
   * Server-side apply: merge the applied configuration, detect conflicts, update ownership.
   * @param {ResourceDef} d @param {any} live (undefined when creating) @param {any} applied
   * @param {string} manager @param {boolean} force @param {string|undefined} sub
   */
  const serverSideApply = (d, live, applied, manager, force, sub) => {
    const skip = skipFor(d, sub);
    const cfg = clone(applied);
    if (sub !== 'status' && d.subresources.includes('status')) delete cfg.status;
    const mine = leafPaths(cfg, skip);
    const entries = readManagers(live);
    /** @type {{manager: string, apiVersion?: string, path: FieldPath, key: string}[]} */
    const conflicts = [];
    for (const e of entries) {
      if (e.manager === manager || e.subresource !== sub) continue;
      if (e.operation !== 'Apply' && !conflictsWithUpdaters) continue;
      for (const [k, p] of mine) {
        if (e.paths.has(k) && !deepEqual(getAt(live, p), getAt(cfg, p))) conflicts.push({ manager: e.manager, apiVersion: e.apiVersion, path: p, key: k });
      }
    }
    if (conflicts.length && !force) throw applyConflict(conflicts);
    // applyMerge shares untouched subtrees with its input; work on a copy so that removing
    // fields below never edits the stored object.
    const merged = live ? applyMerge(clone(live), sub === 'status' ? { status: cfg.status } : cfg) : clone(cfg);
    let myEntry = entries.find((e) => e.manager === manager && e.operation === 'Apply' && e.subresource === sub);
    // Fields this manager applied before but not now are removed, unless someone else owns them.
    if (myEntry) {
      for (const [k, p] of myEntry.paths) {
        if (mine.has(k)) continue;
        if (entries.some((e) => e !== myEntry && e.paths.has(k))) continue;
        deleteAt(merged, p);
      }
    }
    for (const c of conflicts) for (const e of entries) if (e.manager === c.manager) e.paths.delete(c.key);
    if (!myEntry) entries.push((myEntry = { manager, operation: 'Apply', apiVersion: apiVersionOf(d), time: now(), subresource: sub, paths: new Map() }));
    myEntry.paths = mine;
    myEntry.time = now();
    myEntry.apiVersion = apiVersionOf(d);
    merged.metadata ??= {};
    writeManagers(merged, entries);
    return merged;
  };

  /** @param {{manager: string, apiVersion?: string, path: FieldPath}[]} conflicts */
  const applyConflict = (conflicts) => {
    /** @type {Map<string, {apiVersion?: string, paths: string[]}>} */
    const byManager = new Map();
    for (const c of conflicts) {
      const g = byManager.get(c.manager) ?? { apiVersion: c.apiVersion, paths: [] };
      g.paths.push(formatPath(c.path));
      byManager.set(c.manager, g);
    }
    const n = conflicts.length;
    const parts = [...byManager].map(([m, g]) => {
      const using = g.apiVersion ? ` using ${g.apiVersion}` : '';
      return g.paths.length === 1 ? `conflict with "${m}"${using}: ${g.paths[0]}` : `conflicts with "${m}"${using}:\n${g.paths.map((p) => `- ${p}`).join('\n')}`;
    });
    const message = `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${parts.join('\n')}`;
    const err = new ApiError(409, 'Conflict', message, {
      causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"${c.apiVersion ? ` using ${c.apiVersion}` : ''}`, field: formatPath(c.path) })),
    });
    return err;
  };

  // ------------------------------------------------------------------ admission & validation
  /** @param {ResourceDef} d @param {string} name */
  const details = (d, name) => {
    /** @type {Record<string, string>} */
    const out = {};
    if (name) out.name = name;
    if (d.group) out.group = d.group;
    out.kind = d.resource;
    return out;
  };
  /** @param {ResourceDef} d @param {string} name */
  const notFound = (d, name) => new ApiError(404, 'NotFound', `${qualifiedResource(d)} "${name}" not found`, details(d, name));
  /** @param {ResourceDef} d @param {string} name */
  const conflict = (d, name) =>
    new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(d)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, details(d, name));
  /**
   * @param {ResourceDef} d @param {string} name @param {{field: string, type?: string, message: string}[]} causes
   */
  const invalid = (d, name, causes) =>
    new ApiError(422, 'Invalid', `${d.kind}${d.group ? `.${d.group}` : ''} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`, {
      ...details(d, name),
      kind: d.kind,
      causes: causes.map((c) => ({ reason: c.type ?? 'FieldValueInvalid', message: c.message, field: c.field })),
    });

  /** @param {ResourceDef} d @param {any} obj */
  const validateName = (d, obj) => {
    const name = obj.metadata?.name;
    if (!name) throw invalid(d, '', [{ field: 'metadata.name', type: 'FieldValueRequired', message: 'Required value: name or generateName is required' }]);
    const label = (d.resource === 'namespaces' && !d.group) || (d.resource === 'services' && !d.group);
    const rbac = d.group === 'rbac.authorization.k8s.io';
    if (rbac ? /[/%]/.test(name) : label ? !(DNS1123_LABEL.test(name) && name.length <= 63) : !(DNS1123_SUBDOMAIN.test(name) && name.length <= 253)) {
      const what = label ? 'a lowercase RFC 1123 label' : 'a lowercase RFC 1123 subdomain';
      throw invalid(d, name, [{ field: 'metadata.name', message: `Invalid value: "${name}": ${what} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` }]);
    }
  };

  /** Validation a storage tool runs into. @param {ResourceDef} d @param {any} obj */
  const validateObject = (d, obj) => {
    if (d.resource === 'persistentvolumeclaims' && !d.group) {
      const storage = obj.spec?.resources?.requests?.storage;
      /** @type {{field: string, type?: string, message: string}[]} */
      const causes = [];
      if (storage === undefined) causes.push({ field: 'spec.resources[storage]', type: 'FieldValueRequired', message: 'Required value' });
      else if (!QUANTITY.test(String(storage)) || Number.isNaN(parseQuantity(storage)))
        causes.push({ field: 'spec.resources.requests[storage]', message: `Invalid value: "${storage}": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'` });
      if (!(obj.spec?.accessModes ?? []).length) causes.push({ field: 'spec.accessModes', type: 'FieldValueRequired', message: 'Required value: at least 1 access mode is required' });
      if (causes.length) throw invalid(d, obj.metadata.name, causes);
    }
    if (d.resource === 'volumes' && d.group === 'longhorn.io') {
      // longhorn-manager's webhook: size is int64 serialised as a string of bytes ("1Gi" and bare numbers fail).
      const size = obj.spec?.size;
      if (size !== undefined && (typeof size !== 'string' || !/^\d+$/.test(size))) {
        throw invalid(d, obj.metadata.name, [{ field: 'spec.size', message: `Invalid value: ${JSON.stringify(size)}: admission webhook "validator.longhorn.io" denied the request: size must be a string of bytes` }]);
      }
      if (obj.spec?.fromBackup && obj.spec?.dataSource) {
        throw invalid(d, obj.metadata.name, [{ field: 'spec.dataSource', message: 'Invalid value: admission webhook "validator.longhorn.io" denied the request: a volume cannot restore from a backup and clone at once' }]);
      }
    }
    if (d.resource === 'storageclasses' && !obj.provisioner) {
      throw invalid(d, obj.metadata.name, [{ field: 'provisioner', type: 'FieldValueRequired', message: 'Required value' }]);
    }
  };

  /** Immutability rules on update. @param {ResourceDef} d @param {any} old @param {any} next */
  const validateUpdate = (d, old, next) => {
    const name = old.metadata.name;
    if (d.resource === 'storageclasses') {
      /** @type {{field: string, type?: string, message: string}[]} */
      const causes = [];
      for (const f of ['parameters', 'provisioner', 'reclaimPolicy', 'volumeBindingMode']) {
        if (!deepEqual(old[f], next[f])) causes.push({ field: f, type: 'FieldValueForbidden', message: `Forbidden: updates to ${f} are forbidden.` });
      }
      if (causes.length) throw invalid(d, name, causes);
    }
    if (d.resource === 'persistentvolumeclaims' && !d.group) {
      const { resources: r1, volumeName: v1, volumeAttributesClassName: a1, ...rest1 } = old.spec ?? {};
      const { resources: r2, volumeName: v2, volumeAttributesClassName: a2, ...rest2 } = next.spec ?? {};
      const bindingVolume = !v1 && v2;
      if (!deepEqual(rest1, rest2) || (v1 !== v2 && !bindingVolume)) {
        throw invalid(d, name, [{ field: 'spec', type: 'FieldValueForbidden', message: 'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims' }]);
      }
      const before = parseQuantity(r1?.requests?.storage);
      const after = parseQuantity(r2?.requests?.storage);
      if (after < before && old.status?.phase === 'Bound') {
        throw invalid(d, name, [{ field: 'spec.resources.requests.storage', type: 'FieldValueForbidden', message: 'Forbidden: field can not be less than status.capacity' }]);
      }
      if (after > before) {
        const scName = old.spec?.storageClassName;
        const sc = scName ? getRaw(resolve('storageclasses'), undefined, scName) : undefined;
        if (old.status?.phase !== 'Bound' || !sc || sc.allowVolumeExpansion !== true) {
          throw new ApiError(403, 'Forbidden', `persistentvolumeclaims "${name}" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize`, details(d, name));
        }
      }
    }
    if (d.group === 'apps' || (d.group === 'batch' && d.resource === 'jobs')) {
      if (old.spec?.selector && !deepEqual(old.spec.selector, next.spec?.selector)) {
        throw invalid(d, name, [{ field: 'spec.selector', message: `Invalid value: ${JSON.stringify(next.spec?.selector ?? null)}: field is immutable` }]);
      }
    }
    if (d.group === 'apps' && d.resource === 'statefulsets') {
      const allowed = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];
      /** @param {any} s */
      const strip = (s) => Object.fromEntries(Object.entries(s ?? {}).filter(([k]) => !allowed.includes(k)));
      if (!deepEqual(strip(old.spec), strip(next.spec))) {
        throw invalid(d, name, [
          {
            field: 'spec',
            type: 'FieldValueForbidden',
            message: "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
          },
        ]);
      }
    }
  };

  /** Defaults the API server and admission plugins add on create. @param {ResourceDef} d @param {any} obj */
  const applyCreateDefaults = (d, obj) => {
    if (d.group === '' && d.resource === 'persistentvolumeclaims') {
      obj.spec ??= {};
      obj.spec.volumeMode ??= 'Filesystem';
      if (obj.spec.storageClassName === undefined) {
        // DefaultStorageClass admission: a claim without a class gets the default class.
        const def = [...bucket(resolve('storageclasses')).values()]
          .filter((sc) => sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true')
          .sort((a, b) => String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)))[0];
        if (def) obj.spec.storageClassName = def.metadata.name;
      }
      obj.status = { phase: 'Pending' };
    } else if (d.group === '' && d.resource === 'persistentvolumes') {
      obj.spec ??= {};
      obj.spec.persistentVolumeReclaimPolicy ??= 'Retain';
      obj.spec.volumeMode ??= 'Filesystem';
      obj.status = { phase: obj.spec.claimRef ? 'Bound' : 'Available' };
    } else if (d.group === '' && d.resource === 'pods') {
      obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
    } else if (d.group === 'storage.k8s.io' && d.resource === 'storageclasses') {
      obj.reclaimPolicy ??= 'Delete';
      obj.volumeBindingMode ??= 'Immediate';
    } else if (d.group === '' && d.resource === 'services') {
      obj.spec ??= {};
      obj.spec.type ??= 'ClusterIP';
      if (obj.spec.clusterIP === undefined) obj.spec.clusterIP = `10.152.183.${10 + (rv % 240)}`;
      obj.spec.clusterIPs ??= [obj.spec.clusterIP];
      obj.status = { loadBalancer: {} };
    } else if (d.group === '' && d.resource === 'secrets') {
      obj.type ??= 'Opaque';
    } else if (d.group === 'apps' && ['deployments', 'statefulsets', 'replicasets'].includes(d.resource)) {
      obj.spec ??= {};
      obj.spec.replicas ??= 1;
      obj.status = {};
    } else if (d.group === 'apps' && d.resource === 'daemonsets') {
      obj.status = { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 };
    } else if (d.group === 'apiextensions.k8s.io') {
      obj.status = {
        conditions: [
          { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: now() },
          { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: now() },
        ],
        acceptedNames: obj.spec?.names ?? {},
        storedVersions: (obj.spec?.versions ?? []).filter((/** @type {any} */ v) => v.storage).map((/** @type {any} */ v) => v.name),
      };
    } else if (d.subresources.includes('status')) {
      delete obj.status;
    }
  };

  /** Writes that every write path shares. @param {ResourceDef} d @param {any} obj */
  const normalizeWrite = (d, obj) => {
    if (d.group === '' && d.resource === 'secrets' && obj.stringData) {
      obj.data = { ...(obj.data ?? {}) };
      for (const [k, v] of Object.entries(obj.stringData)) obj.data[k] = Buffer.from(String(v)).toString('base64');
      delete obj.stringData;
    }
  };

  /** @param {ResourceDef} d @param {string} ns @param {string} name */
  const checkNamespaceWritable = (d, ns, name) => {
    if (!d.namespaced) return;
    const nsObj = getRaw(resolve('namespaces'), undefined, ns);
    if (!nsObj) throw new ApiError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
    if (nsObj.metadata.deletionTimestamp) {
      throw new ApiError(403, 'Forbidden', `${qualifiedResource(d)} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`, {
        ...details(d, name),
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  };

  // ------------------------------------------------------------------ pod logs
  /** @type {Map<string, string>} "ns/pod/container" -> log text */
  const podLogs = new Map();
  const podLogStore = {
    /** @param {string} ns @param {string} pod @param {string} container @param {string} text */
    set(ns, pod, container, text) {
      podLogs.set(`${ns}/${pod}/${container}`, text);
    },
    /** @param {string} ns @param {string} pod @param {string} container */
    get(ns, pod, container) {
      return podLogs.get(`${ns}/${pod}/${container}`);
    },
    /** @param {string} ns @param {string} pod */
    deletePod(ns, pod) {
      for (const k of [...podLogs.keys()]) if (k.startsWith(`${ns}/${pod}/`)) podLogs.delete(k);
    },
  };

  /** GET pods/NAME/log?container=C, with the real server's refusals. @param {any} pod @param {string|null} container */
  const podLog = (pod, container) => {
    const name = pod.metadata.name;
    const containers = (pod.spec?.containers ?? []).map((/** @type {any} */ c) => c.name);
    const inits = (pod.spec?.initContainers ?? []).map((/** @type {any} */ c) => c.name);
    let c = container;
    if (!c) {
      if (containers.length + inits.length !== 1) {
        throw new ApiError(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : ''}`);
      }
      c = containers[0] ?? inits[0];
    }
    if (!containers.includes(c) && !inits.includes(c)) throw new ApiError(400, 'BadRequest', `container ${c} is not valid for pod ${name}`);
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    const st = statuses.find((/** @type {any} */ s) => s.name === c);
    if (!st || (st.state?.waiting && !podLogs.has(`${pod.metadata.namespace}/${name}/${c}`))) {
      throw new ApiError(400, 'BadRequest', `container "${c}" in pod "${name}" is waiting to start: ${st?.state?.waiting?.reason ?? 'ContainerCreating'}`);
    }
    return podLogs.get(`${pod.metadata.namespace}/${name}/${c}`) ?? '';
  };

  // ------------------------------------------------------------------ request handling
  /** @type {RequestRecord[]} */
  const requests = [];
  /** @type {((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, url: URL, rec: RequestRecord) => boolean | Promise<boolean>)[]} */
  const extraRoutes = [];
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();

  /** @param {import('node:http').ServerResponse} res @param {number} code @param {any} body @param {Record<string,string>} [headers] */
  const send = (res, code, body, headers = {}) => {
    if (res.headersSent || res.destroyed) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };

  /** @param {import('node:http').IncomingMessage} req @returns {Promise<string>} */
  const readBody = (req) =>
    new Promise((resolveBody, reject) => {
      /** @type {Buffer[]} */
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  /** @param {string} text @param {string} contentType */
  const parseBody = (text, contentType) => {
    if (!text.trim()) throw new ApiError(400, 'BadRequest', 'the object provided is unrecognized (must be of type Object): empty body');
    try {
      // Server-side apply is always sent as apply-patch+yaml, and clients mostly send JSON in it
      // (JSON is YAML): parsed as JSON, the 60 KB node agent ConfigMap costs 0.3 ms, not 7.
      if (contentType.includes('yaml') && !/^\s*\{/.test(text)) return YAML.parse(text);
      try {
        return JSON.parse(text);
      } catch (err) {
        if (contentType.includes('yaml')) return YAML.parse(text);
        throw err;
      }
    } catch (err) {
      throw new ApiError(400, 'BadRequest', `the object provided is unrecognized: ${/** @type {Error} */ (err).message}`);
    }
  };

  /** @param {ResourceDef} d @param {any} obj */
  const forList = (d, obj) => {
    if (d.crd) return obj;
    // Items of built-in lists come without kind/apiVersion, as from a real server.
    const { kind, apiVersion, ...rest } = obj;
    return rest;
  };

  /**
   * @param {string} pathname
   * @returns {{type: 'root'|'version'|'health'|'apiVersions'|'groupList'|'group'|'resourceList'|'resource'|'notFound', group?: string, version?: string, d?: ResourceDef, namespace?: string, name?: string, subresource?: string, legacyWatch?: boolean}}
   */
  const route = (pathname) => {
    const segs = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (segs.length === 0) return { type: 'root' };
    if (segs[0] === 'version' && segs.length === 1) return { type: 'version' };
    if (['healthz', 'readyz', 'livez'].includes(/** @type {string} */ (segs[0]))) return { type: 'health' };
    let group;
    let version;
    let rest;
    if (segs[0] === 'api') {
      if (segs.length === 1) return { type: 'apiVersions' };
      group = '';
      version = segs[1];
      rest = segs.slice(2);
      if (version !== 'v1') return { type: 'notFound' };
    } else if (segs[0] === 'apis') {
      if (segs.length === 1) return { type: 'groupList' };
      group = /** @type {string} */ (segs[1]);
      if (!registry.some((d) => d.group === group && !d.hidden)) return { type: 'notFound' };
      if (segs.length === 2) return { type: 'group', group };
      version = segs[2];
      rest = segs.slice(3);
      if (!registry.some((d) => d.group === group && d.version === version && !d.hidden)) return { type: 'notFound' };
    } else return { type: 'notFound' };
    const v = /** @type {string} */ (version);
    if (rest.length === 0) return { type: 'resourceList', group, version: v };
    let legacyWatch = false;
    if (rest[0] === 'watch') {
      legacyWatch = true;
      rest = rest.slice(1);
    }
    let namespace;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const inner = findDef(group, v, /** @type {string} */ (rest[2]));
      if (inner && inner.namespaced) {
        namespace = rest[1];
        rest = rest.slice(2);
      }
    }
    if (rest.length > 3) return { type: 'notFound' };
    const d = findDef(group, v, /** @type {string} */ (rest[0]));
    if (!d) return { type: 'notFound' };
    const subresource = rest[2];
    if (subresource !== undefined && !d.subresources.includes(subresource)) return { type: 'notFound' };
    if (d.namespaced && rest[1] !== undefined && namespace === undefined) return { type: 'notFound' };
    return { type: 'resource', group, version: v, d, namespace, name: rest[1], subresource, legacyWatch };
  };

  /** @param {ResourceDef[]} defs */
  const resourceList = (defs) =>
    defs.flatMap((d) => [
      { name: d.resource, singularName: d.singular, namespaced: d.namespaced, kind: d.kind, verbs: d.verbs, ...(d.shortNames.length ? { shortNames: d.shortNames } : {}) },
      ...d.subresources.map((s) => ({
        name: `${d.resource}/${s}`,
        singularName: '',
        namespaced: d.namespaced,
        kind: s === 'scale' ? 'Scale' : d.kind,
        verbs: s === 'finalize' ? ['update'] : s === 'log' ? ['get'] : ['get', 'patch', 'update'],
        ...(s === 'scale' ? { group: 'autoscaling', version: 'v1' } : {}),
      })),
    ]);

  const groups = () => {
    /** @type {Map<string, string[]>} */
    const m = new Map();
    for (const d of registry) {
      if (d.hidden || !d.group) continue;
      const vs = m.get(d.group) ?? [];
      if (!vs.includes(d.version)) vs.push(d.version);
      m.set(d.group, vs);
    }
    return [...m].map(([name, vs]) => ({
      name,
      versions: vs.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${name}/${vs[0]}`, version: vs[0] },
    }));
  };

  /**
   * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
   */
  const handle = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const q = url.searchParams;
    const r = route(url.pathname);
    const method = (req.method ?? 'GET').toUpperCase();
    /** @type {RequestRecord} */
    const rec = {
      method,
      path: url.pathname,
      query: Object.fromEntries(q.entries()),
      contentType: String(req.headers['content-type'] ?? ''),
      userAgent: String(req.headers['user-agent'] ?? ''),
      time: Date.now(),
    };
    if (r.type === 'resource' && r.d) {
      const watch = r.legacyWatch || q.get('watch') === 'true' || q.get('watch') === '1';
      rec.verb =
        method === 'GET' ? (r.name ? 'get' : watch ? 'watch' : 'list')
        : method === 'POST' ? 'create'
        : method === 'PUT' ? 'update'
        : method === 'PATCH' ? 'patch'
        : method === 'DELETE' ? (r.name ? 'delete' : 'deletecollection')
        : method.toLowerCase();
      rec.resource = r.d.resource;
      rec.group = r.d.group;
      rec.version = r.d.version;
      rec.namespace = r.namespace;
      rec.name = r.name;
      rec.subresource = r.subresource;
      if (q.get('fieldManager')) rec.fieldManager = /** @type {string} */ (q.get('fieldManager'));
    }
    requests.push(rec);
    res.on('finish', () => {
      rec.status = res.statusCode;
    });

    // Faults first: they model the network and the server misbehaving.
    for (const f of [...faultList]) {
      if (f.remaining <= 0 || !faultMatches(f.match, rec)) continue;
      f.remaining--;
      f.hits++;
      if (f.remaining <= 0) faultList.splice(faultList.indexOf(f), 1);
      const a = f.action;
      if (a === 'reset') {
        req.socket.destroy();
        return;
      }
      if (a === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (typeof a === 'function') {
        a(req, res, rec);
        return;
      }
      if ('delayMs' in a) {
        await new Promise((done) => setTimeout(done, a.delayMs));
        if (res.destroyed) return;
        continue;
      }
      const body = a.body ?? statusBody(a.status, a.reason, a.message ?? `injected fault: ${a.status}`);
      send(res, a.status, body, { ...(a.status === 429 ? { 'Retry-After': '1' } : {}), ...(a.headers ?? {}) });
      return;
    }

    if ((opts.token && req.headers.authorization !== `Bearer ${opts.token}`) || (opts.authenticate && !opts.authenticate(req))) {
      send(res, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
      return;
    }

    try {
      // Endpoints served by test/fakes/lib modules (the kubelet's stats through the node proxy...).
      for (const extra of extraRoutes) if (await extra(req, res, url, rec)) return;
      switch (r.type) {
        case 'version': {
          const [maj, min] = gitVersion.replace(/^v/, '').split('.');
          return send(res, 200, { major: maj, minor: min, emulationMajor: maj, emulationMinor: min, gitVersion, gitCommit: 'fakefakefakefakefakefakefakefakefakefake', gitTreeState: 'clean', buildDate: '2025-03-12T00:00:00Z', goVersion: 'go1.23.6', compiler: 'gc', platform: 'linux/amd64' });
        }
        case 'health':
          return send(res, 200, 'ok');
        case 'root':
          return send(res, 200, { paths: ['/api', '/api/v1', '/apis', ...groups().flatMap((g) => [`/apis/${g.name}`, ...g.versions.map((v) => `/apis/${v.groupVersion}`)]), '/healthz', '/version'] });
        case 'apiVersions':
          return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:16443' }] });
        case 'groupList':
          return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: groups() });
        case 'group': {
          const g = groups().find((x) => x.name === r.group);
          return send(res, 200, { kind: 'APIGroup', apiVersion: 'v1', ...g });
        }
        case 'resourceList':
          return send(res, 200, {
            kind: 'APIResourceList',
            apiVersion: 'v1',
            groupVersion: r.group ? `${r.group}/${r.version}` : r.version,
            resources: resourceList(registry.filter((d) => !d.hidden && d.group === r.group && d.version === r.version)),
          });
        case 'resource':
          return await handleResource(req, res, r, rec, q);
        default:
          return send(res, 404, statusBody(404, 'NotFound', 'the server could not find the requested resource', {}));
      }
    } catch (err) {
      if (err instanceof ApiError) return send(res, err.code, statusBody(err.code, err.reason, err.message, err.details));
      if (err instanceof SelectorError) return send(res, 400, statusBody(400, 'BadRequest', err.message));
      if (err instanceof PatchError) return send(res, err.code, statusBody(err.code, STATUS_REASONS[err.code], err.message));
      console.error('fake apiserver: internal error', err);
      return send(res, 500, statusBody(500, 'InternalError', String(/** @type {Error} */ (err)?.message ?? err)));
    }
  };

  /**
   * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
   * @param {ReturnType<typeof route>} r @param {RequestRecord} rec @param {URLSearchParams} q
   */
  const handleResource = async (req, res, r, rec, q) => {
    const d = /** @type {ResourceDef} */ (r.d);
    const verb = /** @type {string} */ (rec.verb);
    const ns = r.namespace;
    const sub = r.subresource;
    if (!d.verbs.includes(verb) && !(sub && ['get', 'update', 'patch'].includes(verb))) {
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
    }
    if (d.namespaced && !ns && verb === 'create') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
    const rule = forbiddenBy(rec);
    if (rule) {
      throw new ApiError(403, 'Forbidden', forbiddenMessage(rec), { ...(rec.name ? { name: rec.name } : {}), ...(d.group ? { group: d.group } : {}), kind: d.resource });
    }
    const dryRun = q.getAll('dryRun').includes('All');
    const ua = rec.userAgent.split('/')[0] || 'unknown';
    const manager = q.get('fieldManager') || ua;

    if (verb === 'get') {
      const obj = getRaw(d, ns, /** @type {string} */ (r.name));
      if (!obj) throw notFound(d, /** @type {string} */ (r.name));
      if (sub === 'scale') return send(res, 200, toScale(d, obj));
      if (sub === 'log') return send(res, 200, podLog(obj, q.get('container')));
      return send(res, 200, obj);
    }
    if (verb === 'list') return send(res, 200, listResponse(d, ns, q));
    if (verb === 'watch') return startWatch(d, ns, q, req, res);

    if (d.resource === 'selfsubjectaccessreviews') {
      const body = parseBody(await readBody(req), rec.contentType);
      const a = body.spec?.resourceAttributes ?? {};
      const denied = forbiddenBy({ ...rec, verb: a.verb, resource: a.resource, group: a.group ?? '', namespace: a.namespace, name: a.name, subresource: a.subresource });
      return send(res, 201, { ...body, apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: { creationTimestamp: null }, status: { allowed: !denied, ...(denied ? { reason: '' } : {}) } });
    }

    if (verb === 'create') {
      const body = parseBody(await readBody(req), rec.contentType);
      return createObject(res, d, /** @type {string|undefined} */ (ns), body, manager, dryRun, 201);
    }

    if (verb === 'update') {
      const name = /** @type {string} */ (r.name);
      const body = parseBody(await readBody(req), rec.contentType);
      const old = getRaw(d, ns, name);
      if (!old) throw notFound(d, name);
      if (sub === 'scale') return send(res, 200, writeScale(d, old, body.spec?.replicas, manager, dryRun));
      if (body.metadata?.name && body.metadata.name !== name) throw new ApiError(400, 'BadRequest', `the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
      if (body.metadata?.resourceVersion && body.metadata.resourceVersion !== old.metadata.resourceVersion) throw conflict(d, name);
      if (d.crd && !body.metadata?.resourceVersion) {
        // Custom resources do not allow unconditional updates.
        throw invalid(d, name, [{ field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' }]);
      }
      const next = clone(body);
      next.metadata ??= {};
      if (next.metadata.managedFields === undefined && old.metadata.managedFields) next.metadata.managedFields = clone(old.metadata.managedFields);
      return send(res, 200, writeExisting(d, old, next, manager, sub, dryRun, { trackOwnership: true }));
    }

    if (verb === 'patch') {
      const name = /** @type {string} */ (r.name);
      const ct = rec.contentType.split(';')[0]?.trim() ?? '';
      const apply = ct === 'application/apply-patch+yaml' || ct === 'application/apply-patch+cbor';
      const force = q.get('force');
      if (apply && !q.get('fieldManager')) {
        throw new ApiError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', {
          group: 'meta.k8s.io',
          kind: 'PatchOptions',
          causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
        });
      }
      if (!apply && force !== null) {
        throw new ApiError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch', {
          group: 'meta.k8s.io',
          kind: 'PatchOptions',
          causes: [{ reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch', field: 'force' }],
        });
      }
      const accepted = ['application/json-patch+json', 'application/merge-patch+json', ...(d.crd ? [] : ['application/strategic-merge-patch+json']), 'application/apply-patch+yaml'];
      if (!accepted.includes(ct)) {
        throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`, {});
      }
      const body = parseBody(await readBody(req), ct);
      const old = getRaw(d, ns, name);
      if (apply) {
        if (body?.metadata?.managedFields !== undefined) throw new ApiError(400, 'BadRequest', 'metadata.managedFields must be nil');
        if (!body?.kind || !body?.apiVersion) throw new ApiError(400, 'BadRequest', `Object 'Kind' is missing in '${JSON.stringify(body)}'`);
        if (body.apiVersion !== apiVersionOf(d) || body.kind !== d.kind) {
          throw new ApiError(400, 'BadRequest', `the API version in the data (${body.apiVersion}) does not match the expected API version (${apiVersionOf(d)})`);
        }
        if (body.metadata?.name && body.metadata.name !== name) throw new ApiError(400, 'BadRequest', `the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
        const fm = /** @type {string} */ (q.get('fieldManager'));
        if (!old) {
          if (sub) throw notFound(d, name);
          const cfg = clone(body);
          cfg.metadata = { ...(cfg.metadata ?? {}), name };
          if (d.namespaced) cfg.metadata.namespace = ns;
          const created = serverSideApply(d, undefined, cfg, fm, force === 'true', undefined);
          return createObject(res, d, ns, created, fm, dryRun, 201, { keepManagedFields: true });
        }
        const merged = serverSideApply(d, old, body, fm, force === 'true', sub);
        return send(res, 200, writeExisting(d, old, merged, fm, sub, dryRun, { trackOwnership: false }));
      }
      if (!old) throw notFound(d, name);
      if (sub === 'scale') return send(res, 200, writeScale(d, old, (ct.includes('json-patch') ? jsonPatch(toScale(d, old), body) : mergePatch(toScale(d, old), body)).spec?.replicas, manager, dryRun));
      let next;
      if (ct === 'application/merge-patch+json') next = mergePatch(old, body);
      else if (ct === 'application/strategic-merge-patch+json') next = strategicMerge(old, body);
      else next = jsonPatch(old, body);
      if (next?.metadata?.resourceVersion !== old.metadata.resourceVersion && next?.metadata?.resourceVersion !== undefined) throw conflict(d, name);
      if (next?.metadata?.name !== name) throw new ApiError(400, 'BadRequest', `the name of the object (${next?.metadata?.name}) does not match the name on the URL (${name})`);
      return send(res, 200, writeExisting(d, old, next, manager, sub, dryRun, { trackOwnership: true }));
    }

    if (verb === 'delete') {
      const name = /** @type {string} */ (r.name);
      const raw = await readBody(req);
      const deleteOptions = raw.trim() ? parseBody(raw, rec.contentType || 'application/json') : {};
      const propagation = q.get('propagationPolicy') ?? deleteOptions.propagationPolicy ?? undefined;
      if (propagation && !['Orphan', 'Background', 'Foreground'].includes(propagation)) {
        throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${propagation}": supported values: "Foreground", "Background", "Orphan", "nil"`);
      }
      const old = getRaw(d, ns, name);
      if (!old) throw notFound(d, name);
      const pre = deleteOptions.preconditions ?? {};
      if ((pre.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) || (pre.uid && pre.uid !== old.metadata.uid)) {
        throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(d)} "${name}": Precondition failed: UID in precondition: ${pre.uid ?? ''}, UID in object meta: ${old.metadata.uid}`, details(d, name));
      }
      if (dryRun) return send(res, 200, old);
      const { obj, pending } = requestDelete(d, old, propagation);
      if (pending) return send(res, d.resource === 'namespaces' ? 200 : 202, obj);
      if (d.crd || d.resource === 'namespaces') return send(res, 200, obj);
      return send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...details(d, name), uid: old.metadata.uid } });
    }

    if (verb === 'deletecollection') {
      const labelOk = parseLabelSelector(q.get('labelSelector'));
      const fieldOk = parseFieldSelector(q.get('fieldSelector'));
      const items = [];
      for (const o of [...bucket(d).values()]) {
        if (ns && o.metadata.namespace !== ns) continue;
        if (!labelOk(o.metadata.labels) || !fieldOk(o)) continue;
        items.push(forList(d, dryRun ? o : requestDelete(d, o, q.get('propagationPolicy') ?? undefined).obj));
      }
      return send(res, 200, { kind: `${d.kind}List`, apiVersion: apiVersionOf(d), metadata: { resourceVersion: String(rv) }, items });
    }
    throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
  };

  /**
   * @param {import('node:http').ServerResponse} res @param {ResourceDef} d @param {string|undefined} ns
   * @param {any} body @param {string} manager @param {boolean} dryRun @param {number} code
   * @param {{keepManagedFields?: boolean}} [o]
   */
  const createObject = (res, d, ns, body, manager, dryRun, code, o = {}) => {
    if (body.kind && body.kind !== d.kind) {
      throw new ApiError(400, 'BadRequest', `${body.kind} in version "${(body.apiVersion ?? '').split('/').pop()}" cannot be handled as a ${d.kind}: the object provided is unrecognized`);
    }
    if (body.apiVersion && body.apiVersion !== apiVersionOf(d)) {
      throw new ApiError(400, 'BadRequest', `the API version in the data (${body.apiVersion}) does not match the expected API version (${apiVersionOf(d)})`);
    }
    const obj = clone(body);
    obj.metadata ??= {};
    if (d.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== ns) {
        throw new ApiError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = ns;
    }
    if (obj.metadata.resourceVersion) {
      // A real trap: re-creating an object read back from the cluster.
      throw new ApiError(500, 'InternalError', 'resourceVersion should not be set on objects to be created');
    }
    if (!obj.metadata.name && obj.metadata.generateName) {
      let suffix = '';
      for (const b of randomBytes(5)) suffix += NAME_ALPHABET[b % NAME_ALPHABET.length];
      obj.metadata.name = obj.metadata.generateName + suffix;
    }
    validateName(d, obj);
    const name = obj.metadata.name;
    if (getRaw(d, ns, name)) {
      throw new ApiError(409, 'AlreadyExists', `${qualifiedResource(d)} "${name}" already exists`, details(d, name));
    }
    checkNamespaceWritable(d, /** @type {string} */ (ns), name);
    for (const f of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink']) delete obj.metadata[f];
    if (!o.keepManagedFields) delete obj.metadata.managedFields;
    initMetadata(d, obj);
    applyCreateDefaults(d, obj);
    normalizeWrite(d, obj);
    validateObject(d, obj);
    if (!o.keepManagedFields) trackUpdate(d, undefined, obj, manager, undefined);
    if (dryRun) return send(res, code, obj);
    return send(res, code, commit(d, 'ADDED', obj, undefined, 'http'));
  };

  /**
   * The shared tail of PUT and PATCH: subresource rules, immutable fields, generation, ownership.
   * @param {ResourceDef} d @param {any} old @param {any} incoming @param {string} manager
   * @param {string|undefined} sub @param {boolean} dryRun @param {{trackOwnership: boolean}} o
   */
  const writeExisting = (d, old, incoming, manager, sub, dryRun, o) => {
    let next;
    if (sub === 'status') {
      next = clone(old);
      next.status = clone(incoming.status);
      if (incoming.metadata?.managedFields) next.metadata.managedFields = clone(incoming.metadata.managedFields);
    } else {
      next = clone(incoming);
      next.apiVersion = apiVersionOf(d);
      next.kind = d.kind;
      next.metadata ??= {};
      for (const f of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'namespace', 'name']) {
        if (old.metadata[f] === undefined) delete next.metadata[f];
        else next.metadata[f] = old.metadata[f];
      }
      if (d.subresources.includes('status') || d.resource === 'namespaces') {
        if (old.status === undefined) delete next.status;
        else next.status = clone(old.status);
      }
      if (old.metadata.deletionTimestamp) {
        // Finalizers can only be removed from an object that is going away.
        const added = (next.metadata.finalizers ?? []).filter((/** @type {string} */ f) => !(old.metadata.finalizers ?? []).includes(f));
        if (added.length) throw invalid(d, old.metadata.name, [{ field: 'metadata.finalizers', type: 'FieldValueForbidden', message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}` }]);
      }
      normalizeWrite(d, next);
      validateObject(d, next);
      validateUpdate(d, old, next);
    }
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    next.metadata.generation = nextGeneration(old, next);
    if (o.trackOwnership) trackUpdate(d, old, next, manager, sub);
    // A write that changes nothing is not a write: no new resourceVersion, no event.
    /** @param {any} x */
    const stripTimes = (x) => ({ ...x, metadata: { ...x.metadata, managedFields: (x.metadata.managedFields ?? []).map((/** @type {any} */ m) => ({ ...m, time: undefined })) } });
    if (deepEqual(stripTimes(next), stripTimes(old))) return old;
    if (dryRun) return next;
    return commit(d, 'MODIFIED', next, old, 'http');
  };

  /** @param {ResourceDef} d @param {any} obj */
  const toScale = (d, obj) => ({
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 1 },
    status: { replicas: obj.status?.replicas ?? 0, selector: Object.entries(obj.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') },
  });
  /** @param {ResourceDef} d @param {any} old @param {number} replicas @param {string} manager @param {boolean} dryRun */
  const writeScale = (d, old, replicas, manager, dryRun) => {
    const next = clone(old);
    next.spec = { ...(next.spec ?? {}), replicas };
    return toScale(d, writeExisting(d, old, next, manager, undefined, dryRun, { trackOwnership: true }));
  };

  /** @param {ResourceDef} d @param {string|undefined} ns @param {URLSearchParams} q */
  const listResponse = (d, ns, q) => {
    const labelSel = q.get('labelSelector');
    const fieldSel = q.get('fieldSelector');
    const labelOk = parseLabelSelector(labelSel);
    const fieldOk = parseFieldSelector(fieldSel);
    const limit = Number(q.get('limit') || 0);
    let startAfter = '';
    let listRv = rv;
    const token = q.get('continue');
    if (token) {
      try {
        const t = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
        if (typeof t.start !== 'string' || typeof t.rv !== 'number') throw new Error('bad token');
        startAfter = t.start;
        listRv = t.rv;
      } catch {
        throw new ApiError(400, 'BadRequest', `continue key is not valid: illegal base64 data at input byte 0`);
      }
    }
    const b = bucket(d);
    const keys = keysOf(d);
    const prefix = ns ? `${ns}/` : '';
    // Binary search for the first key at or after the continue point.
    let lo = 0;
    let hi = keys.length;
    const from = startAfter || prefix;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (/** @type {string} */ (keys[mid]) < from) lo = mid + 1;
      else hi = mid;
    }
    const items = [];
    let lastKey = '';
    let remaining = 0;
    let more = false;
    for (let i = lo; i < keys.length; i++) {
      const k = /** @type {string} */ (keys[i]);
      if (prefix && !k.startsWith(prefix)) break;
      const o = b.get(k);
      if (!o || !labelOk(o.metadata.labels) || !fieldOk(o)) continue;
      if (limit > 0 && items.length >= limit) {
        more = true;
        remaining++;
        continue;
      }
      items.push(forList(d, o));
      lastKey = k;
    }
    /** @type {any} */
    const metadata = { resourceVersion: String(listRv) };
    if (more) {
      metadata.continue = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: listRv, start: `${lastKey}\u0000` })).toString('base64');
      // The real server cannot count what a selector would match, so it says nothing then.
      if (!labelSel && !fieldSel) metadata.remainingItemCount = remaining;
    }
    return { kind: `${d.kind}List`, apiVersion: apiVersionOf(d), metadata, items };
  };

  // ------------------------------------------------------------------ the HTTP server
  /** @type {import('node:http').RequestListener} */
  const onRequest = (req, res) => {
    handle(req, res).catch((err) => {
      console.error('fake apiserver: unhandled', err);
      send(res, 500, statusBody(500, 'InternalError', String(err)));
    });
  };
  const server = opts.tls ? https.createServer(opts.tls, onRequest) : http.createServer(onRequest);
  server.keepAliveTimeout = 5000;
  let connectionCount = 0;
  // pods/exec over WebSocket, and pods that "run": lib/pod-exec.mjs.
  server.on('upgrade', (req, socket, head) => {
    if (!podExec.upgrade(req, socket, head)) socket.destroy();
  });
  server.on('connection', (s) => {
    connectionCount += 1;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  /** @param {number} p */
  const listen = (p) =>
    new Promise((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => {
        server.off('error', reject);
        resolveListen(undefined);
      });
    });
  await listen(opts.port ?? 0);
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  let up = true;

  const dropConnections = () => {
    for (const w of [...watchers]) w.end();
    for (const res of [...hanging]) res.destroy();
    for (const s of [...sockets]) s.destroy();
  };

  const baseControllers = makeControllers({ store, onChange: (fn) => api.onChange(fn) });
  const daemonSetControllers = makeDaemonSetControllers({ store, onChange: (fn) => api.onChange(fn), podLogs: podLogStore });
  const podExec = makePodExec({ store, onChange: (fn) => api.onChange(fn) });
  const controllers = {
    ...baseControllers,
    ...daemonSetControllers,
    runPods: podExec.runPods,
    stopAll() {
      baseControllers.stopAll();
      daemonSetControllers.stopAll();
      podExec.stopAll();
    },
  };

  const api = {
    url,
    port,
    store,
    /** @type {RequestRecord[]} */
    requests,
    faults,
    controllers,
    /** Container logs served by GET .../pods/NAME/log?container=C. */
    podLogs: podLogStore,
    /**
     * Serve a path the resource router does not know: `fn` answers (and returns true) or
     * returns false. Runs after faults and authentication. Used by lib/kubelet-stats.mjs.
     * @param {(typeof extraRoutes)[number]} fn
     */
    addRoute(fn) {
      extraRoutes.push(fn);
      return () => {
        const i = extraRoutes.indexOf(fn);
        if (i >= 0) extraRoutes.splice(i, 1);
      };
    },
    /** Definitions of the served resources (mutable: see registerResource/hideGroup). */
    resources: registry,
    /**
     * Observe every write (HTTP or store), asynchronously after it happened.
     * @param {(ev: ChangeEvent) => void} fn @returns {() => void} unsubscribe
     */
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    /**
     * Serve an extra resource type.
     * @param {{group: string, version: string, resource: string, kind: string, namespaced: boolean, shortNames?: string[], subresources?: string[], crd?: boolean}} r
     */
    registerResource(r) {
      const existing = registry.find((d) => d.group === r.group && d.version === r.version && d.resource === r.resource);
      if (existing) {
        existing.hidden = false;
        return existing;
      }
      const d = makeDef(r.group, r.version, r.resource, r.kind, r.namespaced, { shortNames: r.shortNames, subresources: r.subresources, crd: r.crd ?? true });
      registry.push(d);
      return d;
    },
    /** Make a group disappear from discovery and routing (its objects are kept). @param {string} group */
    hideGroup(group) {
      for (const d of registry) if (d.group === group) d.hidden = true;
    },
    /** @param {string} group */
    showGroup(group) {
      for (const d of registry) if (d.group === group) d.hidden = false;
    },
    /** Requests matching a filter (e.g. `{verb: 'list', resource: 'persistentvolumeclaims'}`). @param {Partial<RequestRecord>} [filter] */
    requestsMatching(filter = {}) {
      return requests.filter((r) => Object.entries(filter).every(([k, v]) => /** @type {any} */ (r)[k] === v));
    },
    clearRequests() {
      requests.length = 0;
    },
    /** TCP connections accepted so far (keep-alive clients open few). */
    get connectionCount() {
      return connectionCount;
    },
    /** Number of open watch streams. */
    get watchCount() {
      return watchers.size;
    },
    get isUp() {
      return up;
    },
    /**
     * A kubeconfig for this server, with microk8s' names (cluster microk8s-cluster, user admin,
     * context microk8s). `insecure-skip-tls-verify: true` is required by client-node for http://.
     * @param {{token?: string, namespace?: string, context?: string}} [o]
     */
    kubeconfig(o = {}) {
      const context = o.context ?? 'microk8s';
      return YAML.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'microk8s-cluster', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'admin', user: { token: o.token ?? opts.token ?? 'fake-token' } }],
        contexts: [{ name: context, context: { cluster: 'microk8s-cluster', user: 'admin', ...(o.namespace ? { namespace: o.namespace } : {}) } }],
        'current-context': context,
        preferences: {},
      });
    },
    /**
     * Resolve once `check()` returns a truthy value. Re-checks after every write and every
     * 10 ms (what a client receives over a watch arrives after the write that caused it).
     * @template T @param {() => T} check @param {{timeoutMs?: number}} [o] @returns {Promise<NonNullable<T>>}
     */
    waitFor(check, o = {}) {
      const timeoutMs = o.timeoutMs ?? 5000;
      return new Promise((resolveWait, reject) => {
        const first = check();
        if (first) return resolveWait(/** @type {NonNullable<T>} */ (first));
        const finish = () => {
          clearTimeout(timer);
          clearInterval(poll);
          off();
        };
        const test = () => {
          const v = check();
          if (v) {
            finish();
            resolveWait(/** @type {NonNullable<T>} */ (v));
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`fake apiserver: waitFor timed out after ${timeoutMs}ms`));
        }, timeoutMs);
        const poll = setInterval(test, 10);
        const off = api.onChange(test);
      });
    },
    /** Simulate the API going away: stop listening and cut every connection. */
    async down() {
      if (!up) return;
      up = false;
      const closed = new Promise((done) => server.close(() => done(undefined)));
      dropConnections();
      await closed;
    },
    /** Come back on the same port. */
    async up() {
      if (up) return;
      await listen(port);
      up = true;
    },
    /** Stop for good. */
    async close() {
      controllers.stopAll();
      listeners.clear();
      if (!up) return;
      up = false;
      const closed = new Promise((done) => server.close(() => done(undefined)));
      dropConnections();
      await closed;
    },
  };
  return api;
}

/** @param {string} name @param {number} i @param {string} gitVersion */
function makeNode(name, i, gitVersion) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
        'microk8s.io/cluster': 'true',
        'node.kubernetes.io/microk8s-controlplane': 'microk8s-controlplane',
      },
    },
    spec: {},
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      addresses: [
        { type: 'InternalIP', address: `10.0.0.${10 + i}` },
        { type: 'Hostname', address: name },
      ],
      capacity: { cpu: '4', memory: '8029832Ki', 'ephemeral-storage': '102687672Ki', pods: '110' },
      allocatable: { cpu: '4', memory: '7927432Ki', 'ephemeral-storage': '101639096Ki', pods: '110' },
      nodeInfo: {
        kubeletVersion: gitVersion,
        kubeProxyVersion: gitVersion,
        containerRuntimeVersion: 'containerd://1.7.27',
        osImage: 'Ubuntu 24.04.2 LTS',
        kernelVersion: '6.8.0-57-generic',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

/** @typedef {Awaited<ReturnType<typeof startFakeApiServer>>} FakeApiServer */
/** @typedef {FakeApiServer['store']} FakeStore */
