// The little kubectl the fake binaries need: apply and delete a handful of object kinds on
// the fake API server over real HTTP, printing what kubectl would print.
//
// MicroK8s applies addon manifests with `kubectl apply` (client-side apply: the object is
// created with field manager "kubectl-client-side-apply" and the annotation
// kubectl.kubernetes.io/last-applied-configuration). Reproducing that matters: a later
// server-side apply by another manager that changes one of those fields conflicts, exactly
// as it does on a real MicroK8s cluster.

/** kind -> where it lives. Only what the fakes create. */
const KINDS = /** @type {Record<string, {plural: string, group: string, version: string, namespaced: boolean}>} */ ({
  Namespace: { plural: 'namespaces', group: '', version: 'v1', namespaced: false },
  ServiceAccount: { plural: 'serviceaccounts', group: '', version: 'v1', namespaced: true },
  Service: { plural: 'services', group: '', version: 'v1', namespaced: true },
  ConfigMap: { plural: 'configmaps', group: '', version: 'v1', namespaced: true },
  Secret: { plural: 'secrets', group: '', version: 'v1', namespaced: true },
  Deployment: { plural: 'deployments', group: 'apps', version: 'v1', namespaced: true },
  DaemonSet: { plural: 'daemonsets', group: 'apps', version: 'v1', namespaced: true },
  StatefulSet: { plural: 'statefulsets', group: 'apps', version: 'v1', namespaced: true },
  PersistentVolume: { plural: 'persistentvolumes', group: '', version: 'v1', namespaced: false },
  PersistentVolumeClaim: { plural: 'persistentvolumeclaims', group: '', version: 'v1', namespaced: true },
  Role: { plural: 'roles', group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: true },
  RoleBinding: { plural: 'rolebindings', group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: true },
  StorageClass: { plural: 'storageclasses', group: 'storage.k8s.io', version: 'v1', namespaced: false },
  CSIDriver: { plural: 'csidrivers', group: 'storage.k8s.io', version: 'v1', namespaced: false },
  ClusterRole: { plural: 'clusterroles', group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: false },
  ClusterRoleBinding: { plural: 'clusterrolebindings', group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: false },
  CustomResourceDefinition: { plural: 'customresourcedefinitions', group: 'apiextensions.k8s.io', version: 'v1', namespaced: false },
  Setting: { plural: 'settings', group: 'longhorn.io', version: 'v1beta2', namespaced: true },
  CephCluster: { plural: 'cephclusters', group: 'ceph.rook.io', version: 'v1', namespaced: true },
  ServiceMonitor: { plural: 'servicemonitors', group: 'monitoring.coreos.com', version: 'v1', namespaced: true },
});

/** @param {any} obj */
export function objectPath(obj) {
  const k = KINDS[obj.kind];
  if (!k) throw new Error(`fake kube client: unknown kind ${obj.kind}`);
  const base = k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`;
  const ns = k.namespaced ? `/namespaces/${obj.metadata.namespace ?? 'default'}` : '';
  return { collection: `${base}${ns}/${k.plural}`, item: `${base}${ns}/${k.plural}/${obj.metadata.name}` };
}

/** `deployment.apps/hostpath-provisioner` as kubectl prints it. @param {any} obj */
export function kubectlName(obj) {
  const k = KINDS[obj.kind];
  const kind = obj.kind.toLowerCase();
  return k?.group ? `${kind}.${k.group}/${obj.metadata.name}` : `${kind}/${obj.metadata.name}`;
}

/** `deployments.apps "x"` as the API server names it in errors. @param {any} obj */
function apiName(obj) {
  const k = KINDS[obj.kind];
  return `${k?.group ? `${k.plural}.${k.group}` : k?.plural} "${obj.metadata.name}"`;
}

export class KubeUnreachable extends Error {}

/**
 * @param {string} server base URL of the (fake) API server
 * @param {{userAgent?: string}} [o]
 */
export function kubeClient(server, o = {}) {
  const userAgent = o.userAgent ?? 'kubectl/v1.32.3 (linux/amd64) kubernetes/fake';
  /** @param {string} method @param {string} path @param {any} [body] @param {string} [contentType] */
  const call = async (method, path, body, contentType = 'application/json') => {
    let res;
    try {
      res = await fetch(server + path, {
        method,
        headers: { 'Content-Type': contentType, Accept: 'application/json', 'User-Agent': userAgent },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      const host = server.replace(/^https?:\/\//, '');
      throw new KubeUnreachable(`The connection to the server ${host} was refused - did you specify the right host or port?`);
    }
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, body: json };
  };

  return {
    call,
    /**
     * `kubectl apply` (client-side). Returns the kubectl output line.
     * @param {any} obj @returns {Promise<{ok: boolean, line: string}>}
     */
    async apply(obj) {
      const { collection, item } = objectPath(obj);
      const lastApplied = JSON.stringify(obj);
      const withAnnotation = {
        ...obj,
        metadata: { ...obj.metadata, annotations: { ...(obj.metadata.annotations ?? {}), 'kubectl.kubernetes.io/last-applied-configuration': lastApplied + '\n' } },
      };
      const current = await call('GET', item);
      if (current.status === 404) {
        const r = await call('POST', `${collection}?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`, withAnnotation);
        if (r.status >= 300) return { ok: false, line: `Error from server (${r.body?.reason ?? r.status}): error when creating "STDIN": ${r.body?.message ?? ''}` };
        return { ok: true, line: `${kubectlName(obj)} created` };
      }
      if (current.status >= 300) return { ok: false, line: `Error from server (${current.body?.reason ?? current.status}): error when retrieving current configuration of "STDIN": ${current.body?.message ?? ''}` };
      const before = current.body?.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
      if (before === lastApplied + '\n') return { ok: true, line: `${kubectlName(obj)} unchanged` };
      const r = await call('PATCH', `${item}?fieldManager=kubectl-client-side-apply`, withAnnotation, 'application/merge-patch+json');
      if (r.status >= 300) return { ok: false, line: `Error from server (${r.body?.reason ?? r.status}): error when applying patch to "STDIN": ${r.body?.message ?? ''}` };
      return { ok: true, line: `${kubectlName(obj)} configured` };
    },
    /**
     * `kubectl delete -f`. Returns the kubectl output line (NotFound is an error, as in kubectl).
     * @param {any} obj @returns {Promise<{ok: boolean, line: string}>}
     */
    async delete(obj) {
      const { item } = objectPath(obj);
      const r = await call('DELETE', item);
      const kind = obj.kind.toLowerCase();
      const k = KINDS[obj.kind];
      if (r.status < 300) return { ok: true, line: `${k?.group ? `${kind}.${k.group}` : kind} "${obj.metadata.name}" deleted` };
      return { ok: false, line: `Error from server (${r.body?.reason ?? r.status}): error when deleting "STDIN": ${r.body?.message ?? apiName(obj)}` };
    },
    /**
     * Server-side apply (Helm 4 style).
     * @param {any} obj @param {string} fieldManager @param {boolean} force
     */
    async serverSideApply(obj, fieldManager, force) {
      const { item } = objectPath(obj);
      return call('PATCH', `${item}?fieldManager=${encodeURIComponent(fieldManager)}${force ? '&force=true' : ''}`, obj, 'application/apply-patch+yaml');
    },
    /** @param {any} obj */
    async get(obj) {
      return call('GET', objectPath(obj).item);
    },
  };
}
