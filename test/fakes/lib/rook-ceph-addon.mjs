// The MicroK8s `rook-ceph` addon and its `connect-external-ceph` plugin, for the fake
// microk8s (reference/backends.md, microk8s.md): quirks and exit codes included.
//
//   enable rook-ceph [--rook-version V] [--rook-repository URL] [--set k=v]... [-f F]...
//     `helm repo add rook-release` as the calling user, then `helm install rook-ceph` with
//     csi.kubeletDirPath set; exit codes ignored (Helm failing still exits 0). Creates the
//     operator only (Namespace, CRDs, Deployment rook-ceph-operator with image rook/ceph:V,
//     ConfigMap rook-ceph-operator-config). From v1.20 the chart has no csi.kubeletDirPath:
//     the ConfigMap then lacks ROOK_CSI_KUBELET_DIR_PATH, with no error.
//   disable rook-ceph [--force]: refuses (exit 1) while an in-cluster CephCluster exists,
//     then removes rook-ceph-external and rook-ceph and class ceph-rbd only (cephfs stays).
//   connect-external-ceph [--ceph-conf F] [--keyring F] [--rbd-pool P] [--namespace NS]:
//     only once the addon is enabled; needs root (FAKE_AS_ROOT, set by the fake sudo, or uid 0);
//     Helm runs as root, so a rook-release repository added without sudo is missing and the
//     plugin prints Helm's error, then "Successfully imported external Ceph cluster", exit 0.
//     Not idempotent: a second run fails with AlreadyExists.
//
// State (microk8s state file, field `rook`):
//   rook.helmFails         enable: Helm fails (INSTALLATION FAILED), the script still exits 0
//   rook.externalCeph      'microceph' | 'conf' | null: what connect can reach (default 'microceph':
//                          MicroCeph on this host; 'conf': only with --ceph-conf; null: nothing)
//   rook.keyringCaps       'admin' | 'limited' (rados.PermissionError)
//   rook.cephfsFilesystems how many CephFS filesystems the external cluster has (1 makes class cephfs)
//   rook.repoAddFails      `helm3 repo add rook-release` cannot reach the repository (exit 1)
//   rook.rootRepo          root's Helm has rook-release (set by `sudo microk8s helm3 repo add rook-release ...`)
//   rook.version           the Rook version the addon installed

const SNAP_COMMON = '/var/snap/microk8s/common';
const KUBELET_DIR = `${SNAP_COMMON}/var/lib/kubelet`;
const CRDS = ['cephclusters', 'cephblockpools', 'cephfilesystems', 'cephobjectstores'];
const KIND = { cephclusters: 'CephCluster', cephblockpools: 'CephBlockPool', cephfilesystems: 'CephFilesystem', cephobjectstores: 'CephObjectStore' };

/** Run by the fake sudo, or by root itself (some test machines run as root). */
const asRoot = () => !!process.env.FAKE_AS_ROOT || process.getuid?.() === 0;

export function defaultRookState() {
  return { helmFails: false, repoAddFails: false, externalCeph: 'microceph', keyringCaps: 'admin', cephfsFilesystems: 0, rootRepo: false, version: '' };
}

/** @param {string} v */
const minorOf = (v) => {
  const m = /^v?(\d+)\.(\d+)/.exec(v);
  return m ? Number(m[1]) * 1000 + Number(m[2]) : 0;
};

/** @param {string[]} args @param {string} flag */
function flagValue(args, flag) {
  const i = args.indexOf(flag);
  if (i >= 0) return args[i + 1];
  const inline = args.find((a) => a.startsWith(`${flag}=`));
  return inline?.slice(flag.length + 1);
}

function crd(/** @type {string} */ plural) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.ceph.rook.io` },
    spec: {
      group: 'ceph.rook.io',
      scope: 'Namespaced',
      names: { plural, singular: plural.slice(0, -1), kind: /** @type {any} */ (KIND)[plural], listKind: `${/** @type {any} */ (KIND)[plural]}List` },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }, subresources: { status: {} } }],
    },
  };
}

/** @param {string} version */
function operatorObjects(version) {
  const data = minorOf(version) >= 1020 ? { ROOK_LOG_LEVEL: 'INFO' } : { ROOK_LOG_LEVEL: 'INFO', ROOK_CSI_KUBELET_DIR_PATH: KUBELET_DIR };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rook-ceph' } },
    ...CRDS.map(crd),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rook-ceph-operator-config', namespace: 'rook-ceph' }, data },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'rook-ceph-operator', namespace: 'rook-ceph', labels: { operator: 'rook' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'rook-ceph-operator' } }, template: { metadata: { labels: { app: 'rook-ceph-operator' } }, spec: { containers: [{ name: 'rook-ceph-operator', image: `docker.io/rook/ceph:${version}` }] } } },
    },
  ];
}

/**
 * @param {{ state: any, save: (fn: (s: any) => void) => void, setAddon: (name: string, status: string) => void, out: (s: string) => void, err: (s: string) => void, kube?: any }} io
 */
export function rookCephAddon(io) {
  const rook = () => ({ ...defaultRookState(), ...(io.state.rook ?? {}) });
  const saveRook = (/** @type {(r: any) => void} */ fn) => io.save((s) => { s.rook = { ...defaultRookState(), ...(s.rook ?? {}) }; fn(s.rook); });

  /** @param {any[]} objects */
  const applyAll = async (objects) => {
    if (!io.kube) return;
    for (const o of objects) {
      const r = await io.kube.apply(o);
      (r.ok ? io.out : io.err)(r.line);
    }
  };

  /** @param {string[]} args */
  async function enable(args) {
    const version = flagValue(args, '--rook-version') ?? 'v1.11.9';
    const repo = flagValue(args, '--rook-repository') ?? 'https://charts.rook.io/release';
    io.out(`Add Rook Helm repository ${repo}`);
    io.out('"rook-release" has been added to your repositories');
    io.out(`Install Rook version ${version}`);
    if (rook().helmFails) {
      io.err('Error: INSTALLATION FAILED: context deadline exceeded');
    } else {
      await applyAll(operatorObjects(version));
      io.out('NAME: rook-ceph');
      io.out('NAMESPACE: rook-ceph');
      io.out('STATUS: deployed');
      saveRook((r) => { r.version = version; });
    }
    io.out('');
    io.out('=================================================');
    io.out('');
    io.out(`Rook Ceph operator ${version} is now deployed in your MicroK8s cluster and`);
    io.out('will shortly be available for use.');
    io.out('');
    io.out('As a next step, you can either deploy Ceph on MicroK8s, or connect MicroK8s with an');
    io.out("existing Ceph cluster. To connect with MicroCeph or another Ceph, use 'microk8s connect-external-ceph'.");
    // The script ignores Helm's exit code: enabled either way.
    io.setAddon('rook-ceph', 'enabled');
    return 0;
  }

  /** @param {string[]} args */
  async function disable(args) {
    if (io.kube) {
      const r = await io.kube.call('GET', '/apis/ceph.rook.io/v1/namespaces/rook-ceph/cephclusters');
      if (r.status === 200 && (r.body?.items ?? []).length && !args.includes('--force')) {
        io.out('CephCluster resources found in namespace rook-ceph. Delete them first, or use --force.');
        return 1;
      }
      await io.kube.call('DELETE', '/apis/ceph.rook.io/v1/namespaces/rook-ceph-external/cephclusters/rook-ceph-external');
      for (const p of ['/apis/apps/v1/namespaces/rook-ceph/deployments/rook-ceph-operator', '/api/v1/namespaces/rook-ceph/configmaps/rook-ceph-operator-config', '/apis/apps/v1/namespaces/rook-ceph/daemonsets/csi-rbdplugin', '/apis/apps/v1/namespaces/rook-ceph/deployments/csi-rbdplugin-provisioner', '/apis/storage.k8s.io/v1/storageclasses/ceph-rbd']) {
        await io.kube.call('DELETE', p);
      }
    }
    io.out('release "rook-ceph-external" uninstalled');
    io.out('release "rook-ceph" uninstalled');
    io.out('storageclass.storage.k8s.io "ceph-rbd" deleted');
    io.setAddon('rook-ceph', 'disabled');
    return 0;
  }

  /** @param {string[]} args */
  async function connect(args) {
    if (io.state.addons['rook-ceph']?.status !== 'enabled') {
      io.out("'connect-external-ceph' is not a valid MicroK8s subcommand.");
      return 1;
    }
    const r = rook();
    const conf = flagValue(args, '--ceph-conf');
    if (!asRoot()) {
      io.err('Traceback (most recent call last):');
      io.err(`PermissionError: [Errno 13] Permission denied: '${conf ?? '/var/snap/microceph/current/conf/ceph.conf'}'`);
      return 1;
    }
    if (r.externalCeph === null || (r.externalCeph === 'conf' && !conf)) {
      io.err(conf ? 'rados.TimedOut: [errno 110] RADOS timed out (error connecting to the cluster)' : 'Error: MicroCeph not found. Use --ceph-conf and --keyring to connect another Ceph cluster.');
      return 1;
    }
    if (r.keyringCaps === 'limited') {
      io.err("rados.PermissionError: [errno 13] RADOS permission denied (error connecting to the cluster)");
      return 1;
    }
    const pool = flagValue(args, '--rbd-pool') ?? 'microk8s-rbd0';
    const ns = flagValue(args, '--namespace') ?? 'rook-ceph-external';
    if (io.kube) {
      const existing = await io.kube.call('GET', `/apis/ceph.rook.io/v1/namespaces/${ns}/cephclusters/rook-ceph-external`);
      if (existing.status === 200) {
        io.err(`Error from server (AlreadyExists): secrets "rook-ceph-mon" already exists`);
        io.err('storageclass ceph-rbd already exists');
        return 1;
      }
    }
    io.out(`Looking for MicroCeph on the host... ${conf ? 'using ' + conf : 'found'}`);
    io.out(`Creating pool ${pool} in Ceph cluster`);
    io.out('Configuring pool for RBD');
    io.out('Importing Ceph cluster secrets into MicroK8s');
    await applyAll([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'rook-ceph-mon', namespace: ns }, stringData: { 'cluster-name': ns } }]);
    if (!r.rootRepo) {
      // Helm runs as root, whose repositories lack rook-release (added by the enable without sudo).
      io.err('Error: INSTALLATION FAILED: failed to download "rook-release/rook-ceph-cluster"');
    } else {
      const objects = [
        { apiVersion: 'ceph.rook.io/v1', kind: 'CephCluster', metadata: { name: 'rook-ceph-external', namespace: ns }, spec: { external: { enable: true }, crashCollector: { disable: true }, healthCheck: { daemonHealth: { mon: { disabled: false, interval: '45s' } } } } },
        {
          apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'ceph-rbd' }, provisioner: 'rook-ceph.rbd.csi.ceph.com', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate', allowVolumeExpansion: true,
          parameters: { clusterID: ns, pool, imageFormat: '2', imageFeatures: 'layering', 'csi.storage.k8s.io/fstype': 'ext4' },
        },
      ];
      if (r.cephfsFilesystems === 1) {
        objects.push({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'cephfs' }, provisioner: 'rook-ceph.cephfs.csi.ceph.com', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate', allowVolumeExpansion: true, parameters: { clusterID: ns, fsName: 'cephfs', pool: 'cephfs_data' } });
      }
      await applyAll(objects);
    }
    io.out('=================================================');
    io.out('Successfully imported external Ceph cluster. You can now use the following storageclass');
    io.out('to provision PersistentVolumes using Ceph CSI:');
    io.out('');
    io.out('NAME       PROVISIONER                  RECLAIMPOLICY   VOLUMEBINDINGMODE   ALLOWVOLUMEEXPANSION   AGE');
    io.out(`ceph-rbd   rook-ceph.rbd.csi.ceph.com   Delete          Immediate           true                   0s`);
    return 0;
  }

  /**
   * `microk8s helm3 ...` calls the plugin flow depends on: root's `repo add rook-release` and
   * `uninstall rook-ceph-external`. Returns undefined for anything else.
   * @param {string[]} args
   */
  async function helm(args) {
    if (args[0] === 'repo' && args[1] === 'add' && args[2] === 'rook-release') {
      if (rook().repoAddFails) {
        io.err(`Error: looks like "${args[3]}" is not a valid chart repository or cannot be reached: Get "${args[3]}/index.yaml": dial tcp: lookup charts.rook.io: no such host`);
        return 1;
      }
      if (asRoot()) saveRook((x) => { x.rootRepo = true; });
      io.out('"rook-release" has been added to your repositories');
      return 0;
    }
    if (args[0] === 'uninstall' && args[1] === 'rook-ceph-external') {
      const ns = flagValue(args, '-n') ?? flagValue(args, '--namespace') ?? 'default';
      const r = io.kube ? await io.kube.call('DELETE', `/apis/ceph.rook.io/v1/namespaces/${ns}/cephclusters/rook-ceph-external`) : { status: 200 };
      if (r.status === 404) {
        io.err('Error: uninstall: Release not loaded: rook-ceph-external: release: not found');
        return 1;
      }
      io.out('release "rook-ceph-external" uninstalled');
      return 0;
    }
    return undefined;
  }

  return { enable, disable, connect, helm };
}
