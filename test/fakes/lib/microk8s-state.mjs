// Default state of the fake `microk8s` (fields documented in ../bin/microk8s.mjs).

/** @typedef {{status: 'enabled'|'disabled', repository: 'core'|'community', description: string, version: string}} AddonState */

/** Core addons of a 2026 MicroK8s snap (versions: some empty, some number-like, as in reality). */
const CORE = /** @type {[string, string, string][]} */ ([
  ['cert-manager', 'Cloud native certificate management', '1.8'],
  ['cis-hardening', 'Apply CIS K8s hardening', '1.0'],
  ['community', 'The community addons repository', ''],
  ['dashboard', 'The Kubernetes dashboard', '2.7.0'],
  ['dns', 'CoreDNS', '1.10.1'],
  ['gpu', 'Alias to nvidia add-on', '1.11.0'],
  ['ha-cluster', 'Configure high availability on the current node', '0.1.0'],
  ['helm', 'Helm - the package manager for Kubernetes', '3.9.1'],
  ['helm3', 'Helm 3 - the package manager for Kubernetes', '3.9.1'],
  ['host-access', 'Allow Pods connecting to Host services smoothly', '1.0.0'],
  ['hostpath-storage', 'Storage class; allocates storage from host directory', '1.5.0'],
  ['ingress', 'Ingress controller for external access', '1.10.1'],
  ['kube-ovn', 'An advanced network fabric for Kubernetes', '1.12.0'],
  ['mayastor', 'OpenEBS MayaStor', '2.0.0'],
  ['metallb', 'Loadbalancer for your Kubernetes cluster', '0.13.10'],
  ['metrics-server', 'K8s Metrics Server for API access to service metrics', '0.6.3'],
  ['minio', 'MinIO object storage', '5.0.7'],
  ['nvidia', 'NVIDIA hardware (GPU and network) support', ''],
  ['observability', 'A lightweight observability stack for logs, traces and metrics', '1.0'],
  ['prometheus', 'Prometheus operator for monitoring and logging', '0.60.1'],
  ['rbac', 'Role-Based Access Control for authorisation', ''],
  ['registry', 'Private image registry exposed on localhost:32000', '2.8.1'],
  ['rook-ceph', 'Distributed Ceph storage using Rook', '1.11.9'],
  ['storage', 'Alias to hostpath-storage add-on, deprecated', '1.5.0'],
]);

/** Community addons: only listed (and enable-able) once `community` is enabled. */
const COMMUNITY = /** @type {[string, string, string][]} */ ([
  ['argocd', 'Argo CD is a declarative continuous deployment for Kubernetes.', '4.6.3'],
  ['istio', 'Core Istio service mesh services', '1.18.2'],
  ['linkerd', 'Linkerd is a service mesh for Kubernetes and other frameworks', '2.13.5'],
  ['nfs', 'NFS Server Provisioner', '1.8.0'],
  ['openebs', 'OpenEBS is the open-source storage solution for Kubernetes', '3.9'],
  ['portainer', 'Portainer UI for your Kubernetes cluster', '2.19.0'],
  ['traefik', 'traefik Ingress controller', '20.8.0'],
]);

export const COMMUNITY_ADDON_NAMES = COMMUNITY.map(([n]) => n);
const ENABLED_BY_DEFAULT = new Set(['dns', 'ha-cluster', 'helm', 'helm3']);

export function defaultMicrok8sState() {
  /** @type {Record<string, AddonState>} */
  const addons = {};
  for (const [name, description, version] of CORE) {
    addons[name] = { status: ENABLED_BY_DEFAULT.has(name) ? 'enabled' : 'disabled', repository: 'core', description, version };
  }
  for (const [name, description, version] of COMMUNITY) {
    addons[name] = { status: 'disabled', repository: 'community', description, version };
  }
  return {
    /** @type {true | 'stopped' | 'not-ready'} */
    running: /** @type {true | 'stopped' | 'not-ready'} */ (true),
    worker: false,
    /** @type {'ok' | 'not-in-group' | 'needs-sudo'} */
    permission: /** @type {'ok' | 'not-in-group' | 'needs-sudo'} */ ('ok'),
    user: 'ubuntu',
    version: 'v1.32.3',
    revision: '7964',
    hostIp: '10.0.0.10',
    haNodes: [{ address: '127.0.0.1:19001', role: 'voter' }],
    clustered: false,
    iscsid: false,
    addons,
    /** @type {string | null} */
    apiServer: /** @type {string | null} */ (null),
    /** @type {string | null} */
    kubeconfig: /** @type {string | null} */ (null),
    helm3Version: 'v3.16.4',
    hostpathDataRemoved: false,
    /** @type {string | null} */
    nfsNode: /** @type {string | null} */ (null),
    quirks: {
      /** @type {string[]} */
      enableExitsZeroButFails: /** @type {string[]} */ ([]),
      /** @type {Record<string, number>} */
      enableFails: /** @type {Record<string, number>} */ ({}),
      /** @type {Record<string, number>} */
      disableFails: /** @type {Record<string, number>} */ ({}),
      delayMs: 0,
      waitReadyMs: 200,
      waitReadyBecomesReady: false,
    },
    /** @type {{argv: string[], stdinIsTTY: boolean, pid: number, time: string, env: Record<string, string>}[]} */
    calls: /** @type {{argv: string[], stdinIsTTY: boolean, pid: number, time: string, env: Record<string, string>}[]} */ ([]),
  };
}

/** @typedef {ReturnType<typeof defaultMicrok8sState>} Microk8sState */
