// Patch semantics and field ownership for the fake API server.
//
// The real server decides how lists merge from the OpenAPI schema (patchMergeKey,
// x-kubernetes-list-type). The fake uses a table of the list fields a storage tool touches;
// any other list is atomic (replaced whole), which is also what the real server does for
// lists without a merge key.

export class PatchError extends Error {
  /** @param {string} message @param {number} [code] */
  constructor(message, code = 422) {
    super(message);
    this.code = code;
  }
}

/** Marker for lists merged as a set of scalars (`metadata.finalizers`). */
export const SET = Symbol('set');

/**
 * Merge key for the list stored under `field`, or SET, or undefined (atomic list).
 * @param {string|undefined} field
 * @param {unknown[]} items
 * @returns {string | typeof SET | undefined}
 */
export function mergeKeyFor(field, items) {
  switch (field) {
    case 'finalizers':
      return SET;
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'conditions':
      return 'type';
    case 'ownerReferences':
      return 'uid';
    case 'ports': {
      // Container ports merge on containerPort, Service ports on port.
      const first = /** @type {any} */ (items.find((i) => i && typeof i === 'object'));
      if (first && 'containerPort' in first) return 'containerPort';
      return 'port';
    }
    default:
      return undefined;
  }
}

/** @param {unknown} v @returns {v is Record<string, any>} */
export function isObj(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** @param {unknown} a @param {unknown} b */
export function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (typeof a === 'object') {
    if (Array.isArray(b)) return false;
    const ka = Object.keys(/** @type {object} */ (a));
    const kb = Object.keys(/** @type {object} */ (b));
    if (ka.length !== kb.length) return false;
    return ka.every((k) => deepEqual(/** @type {any} */ (a)[k], /** @type {any} */ (b)[k]));
  }
  return false;
}

/**
 * A deep copy of a stored object. Kubernetes objects are JSON trees, copied here node by node:
 * strings are shared (they cannot change), where structuredClone copies each one, which made
 * cloning the fake API server's first cost (a ConfigMap holding the 60 KB node agent is copied
 * on every write and read). Anything that is not a plain object or array goes to structuredClone.
 * @template T @param {T} v @returns {T}
 */
export function clone(v) {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return /** @type {T} */ (/** @type {unknown} */ (v.map(clone)));
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const k of Object.keys(v)) out[k] = clone(/** @type {Record<string, unknown>} */ (v)[k]);
  return /** @type {T} */ (out);
}

// ---------------------------------------------------------------------------------------
// JSON merge patch (RFC 7386): objects merge, null deletes, everything else replaces.

/** @param {any} target @param {any} patch */
export function mergePatch(target, patch) {
  if (!isObj(patch)) return clone(patch);
  const out = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Strategic merge patch: like merge patch, but lists with a merge key merge item by item,
// `finalizers` merges as a set (a classic trap: sending `finalizers: []` with a strategic
// patch removes nothing), and `$patch` directives are honoured.

/** @param {any} target @param {any} patch @param {string} [field] */
export function strategicMerge(target, patch, field) {
  if (Array.isArray(patch)) return mergeList(target, patch, field, true);
  if (!isObj(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const { $patch, ...rest } = patch;
    return clone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const out = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/') || k === '$retainKeys') continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const listKey = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[listKey])) out[listKey] = out[listKey].filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) delete out[k];
    else {
      const merged = strategicMerge(out[k], v, k);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
  }
  return out;
}

/**
 * Merge two lists the way SMP and SSA do.
 * @param {any} target @param {any[]} patch @param {string|undefined} field @param {boolean} smp
 */
function mergeList(target, patch, field, smp) {
  const key = mergeKeyFor(field, patch.length ? patch : Array.isArray(target) ? target : []);
  const base = Array.isArray(target) ? target : [];
  if (key === SET) {
    const out = [...base];
    for (const v of patch) if (!out.some((x) => deepEqual(x, v))) out.push(clone(v));
    return out;
  }
  if (!key) return clone(patch);
  const out = base.map((x) => x);
  for (const item of patch) {
    if (!isObj(item)) continue;
    const idx = out.findIndex((x) => isObj(x) && x[key] === item[key]);
    if (smp && item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = smp ? strategicMerge(out[idx], item) : applyMerge(out[idx], item);
    else out.push(smp ? strategicMerge(undefined, item) : clone(item));
  }
  return out;
}

/**
 * Server-side apply merge: the applied configuration is laid over the live object.
 * (Removal of fields the manager stopped applying is done by the caller, who knows
 * ownership.)
 * @param {any} target @param {any} applied @param {string} [field]
 */
export function applyMerge(target, applied, field) {
  if (Array.isArray(applied)) return mergeList(target, applied, field, false);
  if (!isObj(applied)) return clone(applied);
  const out = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(applied)) {
    if (v === null) delete out[k];
    else out[k] = applyMerge(out[k], v, k);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// JSON patch (RFC 6902).

/** @param {string} pointer */
function parsePointer(pointer) {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer: "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** @param {any} doc @param {string[]} path */
function resolveParent(doc, path) {
  let cur = doc;
  for (const seg of path.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObj(cur)) cur = cur[seg];
    else cur = undefined;
    if (cur === undefined) throw new PatchError(`doc is missing path: "/${path.join('/')}": missing value`);
  }
  return cur;
}

/** @param {any} doc @param {any[]} ops */
export function jsonPatch(doc, ops) {
  if (!Array.isArray(ops)) throw new PatchError('json patch must be an array of operations', 400);
  let out = clone(doc);
  for (const op of ops) {
    const path = parsePointer(op.path ?? '');
    /** @param {string[]} p */
    const get = (p) => {
      let cur = out;
      for (const seg of p) {
        if (Array.isArray(cur)) cur = cur[Number(seg)];
        else if (isObj(cur)) cur = cur[seg];
        else return undefined;
      }
      return cur;
    };
    /** @param {string[]} p @param {any} value */
    const add = (p, value) => {
      if (p.length === 0) {
        out = clone(value);
        return;
      }
      const parent = resolveParent(out, p);
      const last = /** @type {string} */ (p[p.length - 1]);
      if (Array.isArray(parent)) {
        const idx = last === '-' ? parent.length : Number(last);
        if (!(idx >= 0 && idx <= parent.length)) throw new PatchError(`add operation does not apply: index out of range: "${op.path}"`);
        parent.splice(idx, 0, clone(value));
      } else if (isObj(parent)) parent[last] = clone(value);
      else throw new PatchError(`doc is missing path: "${op.path}": missing value`);
    };
    /** @param {string[]} p */
    const remove = (p) => {
      const parent = resolveParent(out, p);
      const last = /** @type {string} */ (p[p.length - 1]);
      if (Array.isArray(parent)) {
        const idx = Number(last);
        if (!(idx >= 0 && idx < parent.length)) throw new PatchError(`remove operation does not apply: doc is missing path: "${op.path}"`);
        return parent.splice(idx, 1)[0];
      }
      if (!isObj(parent) || !(last in parent)) throw new PatchError(`remove operation does not apply: doc is missing path: "${op.path}": missing value`);
      const v = parent[last];
      delete parent[last];
      return v;
    };
    switch (op.op) {
      case 'add':
        add(path, op.value);
        break;
      case 'remove':
        remove(path);
        break;
      case 'replace':
        remove(path);
        add(path, op.value);
        break;
      case 'move': {
        const v = remove(parsePointer(op.from));
        add(path, v);
        break;
      }
      case 'copy':
        add(path, get(parsePointer(op.from)));
        break;
      case 'test':
        if (!deepEqual(get(path), op.value)) throw new PatchError(`testing value ${op.path} failed: test failed`);
        break;
      default:
        throw new PatchError(`Unexpected kind: ${op.op}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Field sets for managedFields. A path is an array of segments: a string (map key),
// {k: {...}} (an item of an associative list, identified by its key fields) or {v: value}
// (a member of a set list). Paths are compared by their JSON form.

/** @typedef {(string | {k: Record<string, any>} | {v: any})[]} FieldPath */

/**
 * Leaf paths of a value, the fields a manager owns when it sends this value.
 * @param {any} value
 * @param {(path: FieldPath) => boolean} [skip] return true to leave a subtree out
 * @returns {Map<string, FieldPath>}
 */
export function leafPaths(value, skip = () => false) {
  /** @type {Map<string, FieldPath>} */
  const out = new Map();
  /** @param {any} v @param {FieldPath} segs @param {string|undefined} field */
  const walk = (v, segs, field) => {
    if (segs.length && skip(segs)) return;
    if (isObj(v)) {
      const keys = Object.keys(v);
      if (keys.length === 0 && segs.length) out.set(JSON.stringify(segs), segs);
      for (const k of keys) walk(v[k], [...segs, k], k);
      return;
    }
    if (Array.isArray(v)) {
      const key = mergeKeyFor(field, v);
      if (key === SET) {
        if (v.length === 0) out.set(JSON.stringify(segs), segs);
        for (const item of v) {
          const p = [...segs, { v: item }];
          out.set(JSON.stringify(p), p);
        }
        return;
      }
      if (key && v.every((i) => isObj(i) && key in i)) {
        if (v.length === 0) out.set(JSON.stringify(segs), segs);
        for (const item of v) walk(item, [...segs, { k: { [key]: item[key] } }], undefined);
        return;
      }
    }
    out.set(JSON.stringify(segs), segs);
  };
  walk(value, [], undefined);
  return out;
}

/** @param {any} obj @param {FieldPath} path */
export function getAt(obj, path) {
  let cur = obj;
  for (const seg of path) {
    if (cur === undefined || cur === null) return undefined;
    if (typeof seg === 'string') cur = isObj(cur) ? cur[seg] : undefined;
    else if ('k' in seg) cur = Array.isArray(cur) ? cur.find((i) => isObj(i) && Object.entries(seg.k).every(([k, v]) => i[k] === v)) : undefined;
    else cur = Array.isArray(cur) && cur.some((i) => deepEqual(i, seg.v)) ? seg.v : undefined;
  }
  return cur;
}

/**
 * Remove the field at `path` (in place). Removing the key field of a list item removes the item.
 * @param {any} obj @param {FieldPath} path
 */
export function deleteAt(obj, path) {
  if (path.length === 0) return;
  const parent = getAt(obj, path.slice(0, -1));
  const last = path[path.length - 1];
  if (typeof last === 'string') {
    const grand = path.length >= 2 ? path[path.length - 2] : undefined;
    if (grand && typeof grand === 'object' && 'k' in grand && last in grand.k) {
      // Dropping the item's identity drops the item.
      const list = getAt(obj, path.slice(0, -2));
      if (Array.isArray(list)) {
        const idx = list.indexOf(parent);
        if (idx >= 0) list.splice(idx, 1);
      }
      return;
    }
    if (isObj(parent)) delete parent[last];
  } else if ('v' in last && Array.isArray(parent)) {
    const idx = parent.findIndex((i) => deepEqual(i, last.v));
    if (idx >= 0) parent.splice(idx, 1);
  } else if ('k' in last && Array.isArray(parent)) {
    const idx = parent.findIndex((i) => isObj(i) && Object.entries(last.k).every(([k, v]) => i[k] === v));
    if (idx >= 0) parent.splice(idx, 1);
  }
}

/**
 * Render a field set in the real `fieldsV1` format (`{"f:spec":{"f:replicas":{}}}`).
 * @param {Iterable<FieldPath>} paths
 */
export function toFieldsV1(paths) {
  /** @type {Record<string, any>} */
  const root = {};
  for (const path of paths) {
    let node = root;
    for (const seg of path) {
      const name = typeof seg === 'string' ? `f:${seg}` : 'k' in seg ? `k:${JSON.stringify(seg.k)}` : `v:${JSON.stringify(seg.v)}`;
      node[name] ??= {};
      node = node[name];
      if (typeof seg === 'object' && 'k' in seg) node['.'] ??= {};
    }
  }
  return root;
}

/**
 * Parse `fieldsV1` back into leaf paths (for objects whose managedFields were seeded).
 * @param {any} fields
 * @returns {Map<string, FieldPath>}
 */
export function fromFieldsV1(fields) {
  /** @type {Map<string, FieldPath>} */
  const out = new Map();
  /** @param {any} node @param {FieldPath} segs */
  const walk = (node, segs) => {
    const keys = Object.keys(node ?? {}).filter((k) => k !== '.');
    if (keys.length === 0) {
      if (segs.length) out.set(JSON.stringify(segs), segs);
      return;
    }
    for (const k of keys) {
      /** @type {FieldPath[number]} */
      let seg;
      if (k.startsWith('f:')) seg = k.slice(2);
      else if (k.startsWith('k:')) seg = { k: JSON.parse(k.slice(2)) };
      else if (k.startsWith('v:')) seg = { v: JSON.parse(k.slice(2)) };
      else continue;
      walk(node[k], [...segs, seg]);
    }
  };
  walk(fields, []);
  return out;
}

/**
 * The path as the real server prints it in apply conflicts:
 * `.spec.template.spec.containers[name="app"].image`.
 * @param {FieldPath} path
 */
export function formatPath(path) {
  return path
    .map((seg) => {
      if (typeof seg === 'string') return `.${seg}`;
      if ('k' in seg) return `[${Object.entries(seg.k).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
      return `[${JSON.stringify(seg.v)}]`;
    })
    .join('');
}
