// Fake `microk8s` CLI: behaves like the real snap's wrapper scripts (texts, stdout/stderr
// split, exit codes, quirks; see /work/shared/reference/microk8s.md), driven by a JSON state
// file so a test can set the scene and then assert on what happened.
//
// State file: path in env FAKE_MICROK8S_STATE (created with defaults if missing). Fields:
//   running      true | 'stopped' | 'not-ready'
//                'stopped'   = stopped on purpose: `status` prints "microk8s is not running, try
//                              microk8s start" on STDOUT and exits 0; enable/disable/kubectl print
//                              it on stderr and exit 1.
//                'not-ready' = API not ready: `status` prints "microk8s is not running. Use
//                              microk8s inspect for a deeper inspection." and exits 1.
//   worker       bool: this node joined a cluster as a worker (status prints two lines, exit 0)
//   permission   'ok' | 'not-in-group' (the "Insufficient permissions" text on stderr, exit 1)
//                | 'needs-sudo' (strict confinement: "Elevated permissions are needed ..." stdout, exit 1)
//   user         user name shown in the permission message (default 'ubuntu')
//   version, revision   for `microk8s version` ("MicroK8s v1.32.3 revision 7964")
//   hostIp       address used by `microk8s config` when no apiServer is set
//   haNodes      [{address, role: 'voter'|'standby'|'spare'}] shown while ha-cluster is enabled
//   clustered    bool: multi-node; hostpath enable adds the "does not persist volumes across nodes" warning
//   iscsid       bool: openebs enable "succeeds" (exit 0) without installing anything when false
//   addons       name -> {status: 'enabled'|'disabled', repository: 'core'|'community', description, version}
//                (missing names are filled from defaults; `helm`/`helm3` are always enabled;
//                `storage` always reports the state of `hostpath-storage`)
//   apiServer    URL of the fake API server. When set, enabling/disabling hostpath-storage
//                creates/deletes the real objects there (as `kubectl apply` would, field manager
//                kubectl-client-side-apply); `microk8s config` points at it.
//   kubeconfig   text printed by `microk8s config` (default: generated, pointing at apiServer)
//   helm3Version version the bundled Helm reports (`microk8s helm3` runs the fake helm with it)
//   hostpathDataRemoved  set true when a disable removed /var/snap/microk8s/common/default-storage
//   nfsNode      the node `enable nfs -n NODE` pinned the server to ('' = a random node), null when
//                the community nfs addon is not enabled. With apiServer set, `enable nfs` makes
//                what the addon's Helm chart makes (namespace nfs-server-provisioner, hand-made PV
//                data-nfs-server-provisioner-0, StatefulSet, Service, StorageClass `nfs`), and
//                `disable nfs` refuses (exit 1) while a PV's storageClassName matches "nfs" (the
//                script's substring test, so class nfs-media counts too), else removes them.
//                Any flag other than -n NODE prints the usage and exits 0, enabling nothing.
//   quirks
//     enableExitsZeroButFails: [addon]  normal output, exit 0, but nothing is created or enabled
//     enableFails:  {addon: exitCode}   the addon script fails with that exit code
//     disableFails: {addon: exitCode}
//     delayMs                           sleep before doing anything (for Ctrl-C tests)
//     waitReadyMs                       how long `status --wait-ready` waits on a not-ready cluster
//     waitReadyBecomesReady             after that wait the cluster becomes ready (running: true)
//   calls        appended by every invocation: {argv, stdinIsTTY, pid, time, env: {KUBECONFIG?}}

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { updateState, readState, readLineSync, deepMerge } from '../lib/state-file.mjs';
import { defaultMicrok8sState, COMMUNITY_ADDON_NAMES } from '../lib/microk8s-state.mjs';
import { kubeClient, KubeUnreachable } from '../lib/kube-client.mjs';
import { err, out, sleep } from '../lib/cli-io.mjs';
import { rookCephAddon } from '../lib/rook-ceph-addon.mjs';

/** @typedef {import('../lib/microk8s-state.mjs').Microk8sState} Microk8sState */

const HERE = dirname(fileURLToPath(import.meta.url));
const SNAP_COMMON = '/var/snap/microk8s/common';
const NOT_RUNNING = 'microk8s is not running. Use microk8s inspect for a deeper inspection.';
const STOPPED = 'microk8s is not running, try microk8s start';

const STATE_FILE = process.env.FAKE_MICROK8S_STATE;
if (!STATE_FILE) {
  process.stderr.write('fake microk8s: FAKE_MICROK8S_STATE is not set\n');
  process.exit(70);
}
const stateFile = STATE_FILE;

/** Defaults plus whatever the file says; addons merge per name so a partial map is fine. */
function load() {
  const s = readState(stateFile, defaultMicrok8sState);
  const d = defaultMicrok8sState();
  s.addons = deepMerge(d.addons, s.addons);
  s.quirks = { ...d.quirks, ...(s.quirks ?? {}) };
  return s;
}
/** @param {(s: Microk8sState) => void} fn */
function save(fn) {
  updateState(stateFile, defaultMicrok8sState, (s) => fn(/** @type {Microk8sState} */ (s)));
}


const argv = process.argv.slice(2);
save((s) => {
  s.calls.push({
    argv,
    stdinIsTTY: !!process.stdin.isTTY || process.env.FAKE_TTY === '1',
    pid: process.pid,
    time: new Date().toISOString(),
    env: process.env.KUBECONFIG ? { KUBECONFIG: process.env.KUBECONFIG } : {},
  });
});
let state = load();

/** @param {string} name */
function addonEnabled(name) {
  if (name === 'helm' || name === 'helm3') return true;
  if (name === 'storage') return state.addons['hostpath-storage']?.status === 'enabled';
  return state.addons[name]?.status === 'enabled';
}

/** Addons the wrapper can see: core always, community once its repository is enabled. */
function availableAddons() {
  return Object.entries(state.addons)
    .filter(([, a]) => a.repository === 'core' || (a.repository === 'community' && addonEnabled('community')))
    .map(([name, a]) => ({ name, ...a }))
    .sort((a, b) => (a.repository === b.repository ? a.name.localeCompare(b.name) : a.repository.localeCompare(b.repository)));
}

function permissionDenied() {
  err('Insufficient permissions to access MicroK8s.');
  err(`You can either try again with sudo or add the user ${state.user} to the 'microk8s' group:`);
  err('');
  err(`    sudo usermod -a -G microk8s ${state.user}`);
  err('    sudo chown -R $USER ~/.kube');
  err('');
  err("After this, reload the user groups either via a reboot or by running 'newgrp microk8s'.");
}

function workerNotice() {
  out('This MicroK8s deployment is acting as a node in a cluster.');
  out('Please use the control plane node.');
}

// ------------------------------------------------------------------ status
/** @param {string[]} args @returns {Promise<number>} */
async function status(args) {
  const usage = 'usage: microk8s status [-h] [--format {pretty,yaml,short}] [-w] [-t TIMEOUT] [-a ADDON] [--yaml]';
  const o = { format: 'pretty', wait: false, timeout: 0, addon: 'all' };
  /** @param {string} msg */
  const usageError = (msg) => {
    err(usage);
    err(`microk8s status: error: ${msg}`);
    return 2;
  };
  for (let i = 0; i < args.length; i++) {
    const a = /** @type {string} */ (args[i]);
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Exit(usageError(`argument ${flag}: expected one argument`));
      return v;
    };
    if (flag === '--format') {
      o.format = value();
      if (!['pretty', 'yaml', 'short'].includes(o.format)) return usageError(`argument --format: invalid choice: '${o.format}' (choose from 'pretty', 'yaml', 'short')`);
    } else if (flag === '-w' || flag === '--wait-ready') o.wait = true;
    else if (flag === '-t' || flag === '--timeout') {
      const v = value();
      if (!/^-?\d+$/.test(v)) return usageError(`argument -t/--timeout: invalid int value: '${v}'`);
      o.timeout = Number(v);
    } else if (flag === '-a' || flag === '--addon') o.addon = value();
    else if (flag === '--yaml') o.format = 'short-yaml';
    else if (flag === '-h' || flag === '--help') {
      out(usage);
      out('');
      out('Microk8s cluster status check.');
      return 0;
    } else return usageError(`unrecognized arguments: ${args.slice(i).join(' ')}`);
  }
  if (state.running === 'stopped') {
    out(STOPPED);
    return 0;
  }
  if (state.worker) {
    workerNotice();
    return 0;
  }
  let ready = state.running === true;
  if (!ready && o.wait) {
    // Real: polls every 2 s until ready or --timeout (0 = forever). The fake waits a short,
    // configurable time so tests do not hang.
    const cap = o.timeout > 0 ? o.timeout * 1000 : Infinity;
    await sleep(Math.min(state.quirks.waitReadyMs, cap));
    if (state.quirks.waitReadyBecomesReady) {
      save((s) => {
        s.running = true;
      });
      ready = true;
    }
  }
  if (o.addon !== 'all') {
    if (!ready) {
      out(NOT_RUNNING);
      return 1;
    }
    // An unknown addon name is simply "disabled", as in the real script.
    const known = availableAddons().some((a) => a.name === o.addon);
    out(known && addonEnabled(o.addon) ? 'enabled' : 'disabled');
    return 0;
  }
  const addons = availableAddons();
  const enabled = addons.filter((a) => addonEnabled(a.name));
  const disabled = addons.filter((a) => !addonEnabled(a.name));
  const haOn = addonEnabled('ha-cluster');
  const voters = state.haNodes.filter((n) => n.role === 'voter');
  const py = (/** @type {boolean} */ b) => (b ? 'True' : 'False');
  if (o.format === 'yaml') {
    out('microk8s:');
    out(`  running: ${py(ready)}`);
    out('high-availability:');
    out(`  enabled: ${py(ready && haOn && voters.length >= 3)}`);
    if (ready && haOn) {
      out('  nodes:');
      for (const n of state.haNodes) {
        out(`    - address: ${n.address}`);
        out(`      role: ${n.role}`);
      }
    }
    if (!ready) {
      out(`  message: ${NOT_RUNNING}`);
      return 1;
    }
    out('addons:');
    for (const [list, st] of /** @type {const} */ ([[enabled, 'enabled'], [disabled, 'disabled']])) {
      for (const a of list) {
        out(`  - name: ${a.name}`);
        out(`    repository: ${a.repository}`);
        out(`    description: ${a.description}`);
        out(`    version: ${a.version.padEnd(1)}`);
        out(`    status: ${st}`);
      }
    }
    return 0;
  }
  if (o.format === 'short-yaml') {
    out('microk8s:');
    out(`  running: ${py(ready)}`);
    if (!ready) {
      out(`  message: ${NOT_RUNNING}`);
      return 1;
    }
    out('addons:');
    for (const a of enabled) out(`  ${a.name}: enabled`);
    for (const a of disabled) out(`  ${a.name}: disabled`);
    return 0;
  }
  if (!ready) {
    out(NOT_RUNNING);
    return 1;
  }
  out('microk8s is running');
  if (o.format === 'short') {
    out('addons:');
    for (const a of enabled) out(`${a.repository}/${a.name}: enabled`);
    for (const a of disabled) out(`${a.repository}/${a.name}: disabled`);
    return 0;
  }
  out(`high-availability: ${haOn && voters.length >= 3 ? 'yes' : 'no'}`);
  if (haOn) {
    const standby = state.haNodes.filter((n) => n.role === 'standby');
    out(`  datastore master nodes: ${voters.map((n) => n.address).join(' ') || 'none'}`);
    out(`  datastore standby nodes: ${standby.map((n) => n.address).join(' ') || 'none'}`);
  }
  out('addons:');
  if (enabled.length) {
    out('  enabled:');
    for (const a of enabled) out(`    ${a.name.padEnd(20)} # (${a.repository}) ${a.description}`);
  }
  if (disabled.length) {
    out('  disabled:');
    for (const a of disabled) out(`    ${a.name.padEnd(20)} # (${a.repository}) ${a.description}`);
  }
  return 0;
}

// ------------------------------------------------------------------ enable / disable
class Exit extends Error {
  /** @param {number} code */
  constructor(code) {
    super(`exit ${code}`);
    this.code = code;
  }
}

/**
 * The wrapper's argument parsing (parse_xable_addon_args): either several `addon[:args]`
 * words, or one addon followed by unix-style flags, never both.
 * @param {string[]} args @returns {{repository: string, name: string, args: string[]}[]}
 */
function parseAddonArgs(args) {
  const available = availableAddons();
  const names = available.map((a) => a.name);
  /** @param {string} word */
  const single = (word) => {
    const [full, ...colonArgs] = word.split(':');
    const parts = /** @type {string} */ (full).split('/');
    if (parts.length === 2) {
      const [repository, name] = /** @type {[string, string]} */ (parts);
      if (!available.some((a) => a.name === name && a.repository === repository)) {
        err(`Addon ${repository}/${name} was not found in any repository`);
        throw new Exit(1);
      }
      return { repository, name, args: colonArgs };
    }
    const name = /** @type {string} */ (parts[0]);
    const match = available.filter((a) => a.name === name);
    if (match.length === 0) {
      err(`Addon ${name} was not found in any repository`);
      if (COMMUNITY_ADDON_NAMES.includes(name)) {
        out('To use the community maintained flavor enable the respective repository:');
        out('');
        out('    microk8s enable community');
        out('');
      }
      throw new Exit(1);
    }
    const repository = /** @type {{repository: string}} */ (match[0]).repository;
    err(`Infer repository ${repository} for addon ${name}`);
    return { repository, name, args: colonArgs };
  };
  const wordNames = new Set(args.map((a) => /** @type {string} */ (a.split(':')[0]).split('/').pop()));
  const allKnown = [...wordNames].every((n) => names.includes(/** @type {string} */ (n)));
  if (allKnown && wordNames.size < new Set(names).size) return args.map(single);
  const first = single(/** @type {string} */ (args[0]));
  if (first.args.length && args.length > 1) {
    out("Can't pass string arguments and flag arguments simultaneously!");
    out('Enable or disable addons with only one argument style at a time:');
    out('');
    out("    microk8s enable foo:'bar'");
    out('or');
    out('    microk8s enable foo --bar');
    out('');
    throw new Exit(1);
  }
  return [{ ...first, args: args.slice(1) }];
}

/** @param {'enable'|'disable'} action @param {string[]} args @returns {Promise<number>} */
async function xable(action, args) {
  if (args.length === 0) {
    err(`Usage: microk8s ${action} [OPTIONS] ADDONS...`);
    err(`Try 'microk8s ${action} -h' for help.`);
    err('');
    err("Error: Missing argument 'ADDONS...'.");
    return 2;
  }
  if (args[0] === '-h' || args[0] === '--help') {
    out(`Usage: microk8s ${action} [OPTIONS] ADDONS...`);
    out('');
    out(`  ${action === 'enable' ? 'Enable' : 'Disable'} a MicroK8s addon.`);
    return 0;
  }
  if (state.worker) {
    workerNotice();
    return 1;
  }
  if (state.running === 'stopped') {
    err(STOPPED);
    return 1;
  }
  if (state.running === 'not-ready') {
    err("MicroK8s is not ready. Please see 'microk8s status' or wait until the cluster is ready.");
    return 1;
  }
  const addons = parseAddonArgs(args);
  for (const a of addons) {
    const isOn = addonEnabled(a.name);
    if ((action === 'enable' && isOn) || (action === 'disable' && !isOn)) {
      out(`Addon ${a.repository}/${a.name} is already ${action}d`);
      continue;
    }
    const code = await runAddonScript(action, a.name, a.args);
    if (code !== 0) return code;
    state = load();
  }
  return 0;
}

/** @param {string} name @param {'enabled'|'disabled'} status */
function setAddon(name, status) {
  save((s) => {
    const d = defaultMicrok8sState().addons[name];
    s.addons[name] = { ...(d ?? { repository: 'core', description: '', version: '' }), ...(s.addons[name] ?? {}), status };
  });
  state = load();
}

/**
 * The addon's enable/disable script.
 * @param {'enable'|'disable'} action @param {string} name @param {string[]} args @returns {Promise<number>}
 */
async function runAddonScript(action, name, args) {
  const failCode = (action === 'enable' ? state.quirks.enableFails : state.quirks.disableFails)[name];
  if (failCode !== undefined) {
    out(`${action === 'enable' ? 'Enabling' : 'Disabling'} ${name}`);
    err(`Error: the ${name} addon ${action} script failed`);
    return failCode;
  }
  if (name === 'storage') {
    // Deprecated alias: drops every argument and re-enters the wrapper for hostpath-storage.
    out("DEPRECIATION WARNING: 'storage' is deprecated and will soon be removed. Please use 'hostpath-storage' instead.");
    out('');
    err('Infer repository core for addon hostpath-storage');
    return runAddonScript(action, 'hostpath-storage', []);
  }
  if (name === 'hostpath-storage') return action === 'enable' ? enableHostpath(args) : disableHostpath(args);
  if (name === 'nfs') return action === 'enable' ? enableNfs(args) : disableNfs();
  if (name === 'rook-ceph') return action === 'enable' ? rook().enable(args) : rook().disable(args);
  if (name === 'community') {
    if (action === 'enable') {
      out(`Cloning into '${SNAP_COMMON}/addons/community'...`);
      out('done.');
      out('Community repository is now enabled');
    } else out('Community repository is now disabled');
    setAddon(name, action === 'enable' ? 'enabled' : 'disabled');
    return 0;
  }
  if (name === 'openebs' && action === 'enable' && !state.iscsid) {
    // The real script exits 0 without installing anything in this case.
    out('iscsid is not available or enabled. Make sure iscsi is installed and enabled on all nodes.');
    out("To enable iscsid: 'sudo systemctl enable iscsid'");
    out('Please ensure iscsid is enabled and rerun the enable command.');
    return 0;
  }
  if (action === 'enable') {
    out(`Enabling ${name}`);
    if (state.quirks.enableExitsZeroButFails.includes(name)) return 0;
    out(`${name} is enabled`);
  } else {
    out(`Disabling ${name}`);
    out(`${name} is disabled`);
  }
  setAddon(name, action === 'enable' ? 'enabled' : 'disabled');
  return 0;
}

/** The manifests of addons/hostpath-storage/storage.yaml. @param {string} reclaimPolicy @param {string} defaultClass */
function hostpathManifests(reclaimPolicy, defaultClass) {
  const dir = `${SNAP_COMMON}/default-storage`;
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'hostpath-provisioner', namespace: 'kube-system', labels: { 'k8s-app': 'hostpath-provisioner' } },
      spec: {
        replicas: 1,
        revisionHistoryLimit: 0,
        selector: { matchLabels: { 'k8s-app': 'hostpath-provisioner' } },
        template: {
          metadata: { labels: { 'k8s-app': 'hostpath-provisioner' } },
          spec: {
            serviceAccountName: 'microk8s-hostpath',
            containers: [
              {
                name: 'hostpath-provisioner',
                image: 'cdkbot/hostpath-provisioner:1.6.0',
                env: [
                  { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                  { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
                  { name: 'PV_DIR', value: dir },
                  { name: 'BUSYBOX_IMAGE', value: 'busybox:1.28.4' },
                ],
                volumeMounts: [{ name: 'pv-volume', mountPath: dir }],
              },
            ],
            volumes: [{ name: 'pv-volume', hostPath: { path: dir } }],
          },
        },
      },
    },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'microk8s-hostpath', annotations: { 'storageclass.kubernetes.io/is-default-class': defaultClass } },
      provisioner: 'microk8s.io/hostpath',
      reclaimPolicy,
      volumeBindingMode: 'WaitForFirstConsumer',
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'microk8s-hostpath', namespace: 'kube-system' } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'microk8s-hostpath' },
      rules: [
        { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['list', 'get', 'watch', 'update'] },
        { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['list', 'get', 'update', 'watch', 'create', 'delete'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'list', 'patch'] },
        { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['list', 'watch'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'create', 'delete'] },
        { apiGroups: [''], resources: ['nodes'], verbs: ['get'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'microk8s-hostpath' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'microk8s-hostpath' },
      subjects: [{ kind: 'ServiceAccount', name: 'microk8s-hostpath', namespace: 'kube-system' }],
    },
  ];
}

/** addons/hostpath-storage/enable @param {string[]} args */
async function enableHostpath(args) {
  let reclaimPolicy = 'Delete';
  let defaultClass = 'true';
  for (let i = 0; i < args.length; i++) {
    const a = /** @type {string} */ (args[i]);
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (flag === '-r' || flag === '--reclaim-policy') reclaimPolicy = inline ?? args[++i] ?? '';
    else if (flag === '-d' || flag === '--default-class') defaultClass = inline ?? args[++i] ?? '';
    else if (flag === '-h' || flag === '--help') {
      out('Options:');
      out(' -h, --help            Show this help');
      out(' -r, --reclaim-policy  Set the reclaim policy. Available options are Delete (default) and Retain.');
      out(' -d, --default-class   Set the storage class as default. Available options are true (default) and false.');
      return 0;
    } else {
      out(`invalid option -- ${a}`);
      return 1;
    }
  }
  if (!['Delete', 'Retain'].includes(reclaimPolicy)) {
    out('');
    out('Please check submitted arguments.');
    out("You can use '--reclaim-policy' to set the reclaim policy. Allowed values: Delete Retain. Defaults to 'Delete'.");
    out('   microk8s enable hostpath-storage --reclaim-policy=Retain');
    return 1;
  }
  if (!['true', 'false'].includes(defaultClass)) {
    out('');
    out('Please check submitted arguments.');
    out("You can use '--default-class' to set the storage class as default. Allowed values: true false. Defaults to 'true'.");
    out('   microk8s enable hostpath-storage --default-class=true');
    return 1;
  }
  out('Enabling default storage class.');
  out('WARNING: Hostpath storage is not suitable for production environments.');
  out('         A hostpath volume can grow beyond the size limit set in the volume claim manifest.');
  out('');
  const silentFailure = state.quirks.enableExitsZeroButFails.includes('hostpath-storage');
  const manifests = hostpathManifests(reclaimPolicy, defaultClass);
  if (silentFailure) {
    for (const m of manifests) out(`${kubectlLine(m)} created`);
  } else if (state.apiServer) {
    const failed = await kubectlEach(state.apiServer, manifests, 'apply');
    if (failed === 'unreachable') return 1;
    // `set -e`: kubectl's failure ends the script after kubectl printed everything.
    if (failed) return 1;
  } else {
    for (const m of manifests) out(`${kubectlLine(m)} created`);
  }
  out('Storage will be available soon.');
  if (state.clustered) {
    out('');
    out('WARNING: The storage class enabled does not persist volumes across nodes.');
    out('');
  }
  if (!silentFailure) {
    setAddon('hostpath-storage', 'enabled');
    save((s) => {
      s.hostpathDataRemoved = false;
    });
  }
  return 0;
}

// ------------------------------------------------------------------ community addon nfs
const NFS_NAMESPACE = 'nfs-server-provisioner';
const NFS_CHART_VERSION = '1.8.0';
const NFS_DATA_PV = 'data-nfs-server-provisioner-0';
const NFS_HOSTPATH = `${SNAP_COMMON}/nfs-storage`;

/** What the nfs-server-provisioner chart makes, with the addon's values. @param {string} node */
function nfsChartObjects(node) {
  const labels = { app: 'nfs-server-provisioner', chart: `nfs-server-provisioner-${NFS_CHART_VERSION}`, heritage: 'Helm', release: 'nfs-server-provisioner' };
  const meta = (/** @type {string} */ n) => ({ name: n, namespace: NFS_NAMESPACE, labels, annotations: { 'meta.helm.sh/release-name': 'nfs-server-provisioner', 'meta.helm.sh/release-namespace': NFS_NAMESPACE } });
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('nfs-server-provisioner') },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('nfs-server-provisioner'),
      spec: { type: 'ClusterIP', selector: { app: 'nfs-server-provisioner', release: 'nfs-server-provisioner' }, ports: [{ name: 'nfs', port: 2049, protocol: 'TCP' }, { name: 'rpcbind', port: 111, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('nfs-server-provisioner'),
      spec: {
        replicas: 1,
        serviceName: 'nfs-server-provisioner',
        selector: { matchLabels: { app: 'nfs-server-provisioner', release: 'nfs-server-provisioner' } },
        template: {
          metadata: { labels: { app: 'nfs-server-provisioner', release: 'nfs-server-provisioner' } },
          spec: {
            serviceAccountName: 'nfs-server-provisioner',
            ...(node ? { nodeSelector: { 'kubernetes.io/hostname': node } } : {}),
            containers: [{ name: 'nfs-server-provisioner', image: 'registry.k8s.io/sig-storage/nfs-provisioner:v4.0.8', args: ['-provisioner=cluster.local/nfs-server-provisioner'], volumeMounts: [{ name: 'data', mountPath: '/export' }] }],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: '', resources: { requests: { storage: '1Gi' } } } }],
      },
    },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'nfs', labels, annotations: { 'storageclass.kubernetes.io/is-default-class': 'false', 'meta.helm.sh/release-name': 'nfs-server-provisioner', 'meta.helm.sh/release-namespace': NFS_NAMESPACE } },
      provisioner: 'cluster.local/nfs-server-provisioner',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
      allowVolumeExpansion: true,
      mountOptions: ['vers=3'],
    },
  ];
}

/** addons/nfs/nfs.yaml: the hand-made PV the server's claim binds to (its size is a dummy). */
function nfsDataPv() {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: NFS_DATA_PV },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      hostPath: { path: NFS_HOSTPATH },
      claimRef: { namespace: NFS_NAMESPACE, name: NFS_DATA_PV },
    },
  };
}

/** addons/nfs/enable (getopts ":n:"; anything else prints the usage and exits 0). @param {string[]} args */
async function enableNfs(args) {
  let node = '';
  for (let i = 0; i < args.length; i++) {
    const a = /** @type {string} */ (args[i]);
    if (!a.startsWith('-') || a === '-') break; // getopts stops at the first operand
    const value = a === '-n' ? args[++i] : a.startsWith('-n') ? a.slice(2) : undefined;
    if (value === undefined) {
      out('Usage: microk8s enable nfs');
      out('');
      out('Select Microk8s Node name to host NFS Server on and run: microk8s enable nfs -n NODE_NAME');
      out("Lookup Microk8s Node name as: kubectl get node -o yaml | grep \\'kubernetes.io/hostname\\'");
      out('');
      return 0;
    }
    node = value;
  }
  out('Addon core/helm3 is already enabled');
  out(`Installing NFS Server Provisioner - Helm Chart ${NFS_CHART_VERSION}`);
  out('');
  if (!node) {
    out('Node Name not defined. NFS Server Provisioner will be deployed on random Microk8s Node.');
    out('');
    out('If you want to use a dedicated (large disk space) Node as NFS Server, disable the Addon and start over: microk8s enable nfs -n NODE_NAME');
    out("Lookup Microk8s Node name as: kubectl get node -o yaml | grep 'kubernetes.io/hostname'");
  } else out(`NFS Server Provisioner will be deployed on Node: ${node}`);
  out('');
  out('Preparing PV for NFS Server Provisioner');
  out('');
  const silentFailure = state.quirks.enableExitsZeroButFails.includes('nfs');
  if (state.apiServer && !silentFailure) {
    const kube = kubeClient(state.apiServer);
    try {
      await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NFS_NAMESPACE } });
    } catch (e) {
      if (e instanceof KubeUnreachable) {
        err(e.message);
        return 1;
      }
      throw e;
    }
    if (await kubectlEach(state.apiServer, [nfsDataPv()], 'apply')) return 1;
    out('"nfs-ganesha-server-and-external-provisioner" has been added to your repositories');
    for (const obj of nfsChartObjects(node)) {
      const r = await kube.apply(obj);
      if (!r.ok) {
        err(`Error: INSTALLATION FAILED: ${r.line}`);
        return 1;
      }
    }
    out('Release "nfs-server-provisioner" does not exist. Installing it now.');
    out('NAME: nfs-server-provisioner');
    out(`NAMESPACE: ${NFS_NAMESPACE}`);
    out('STATUS: deployed');
    out('REVISION: 1');
  } else out(`persistentvolume/${NFS_DATA_PV} created`);
  out('');
  out('NFS Server Provisioner is installed');
  out('');
  out('WARNING: Install "nfs-common" package on all MicroK8S nodes to allow Pods with NFS mounts to start: sudo apt update && sudo apt install -y nfs-common');
  out('WARNING: NFS Server Provisioner servers by default hostPath storage from a single Node.');
  if (!silentFailure) {
    setAddon('nfs', 'enabled');
    save((s) => {
      s.nfsNode = node;
    });
  }
  return 0;
}

/** addons/nfs/disable */
async function disableNfs() {
  out('Disabling NFS Server Provisioner');
  out('Checking NFS PVs in use...');
  out('');
  if (state.apiServer) {
    const kube = kubeClient(state.apiServer);
    const list = await kube.call('GET', '/api/v1/persistentvolumes');
    const lines = (list.body?.items ?? []).map((/** @type {any} */ pv) => `pv=${pv.metadata.name} uses storageClassName=${pv.spec?.storageClassName ?? ''} => Claimed by: pvc=${pv.spec?.claimRef?.name ?? ''} in namespace=${pv.spec?.claimRef?.namespace ?? ''}`);
    // [[ $i =~ .*"storageClassName=nfs".* ]]: a substring test, so nfs-media matches too.
    const inUse = lines.filter((/** @type {string} */ l) => l.includes('storageClassName=nfs'));
    if (inUse.length) {
      for (const l of inUse) out(l);
      out('');
      out('Please delete all PVs and PVCs using Storage Class "nfs" prior disabling the Addon.');
      return 1;
    }
    for (const obj of [...nfsChartObjects(state.nfsNode ?? '')].reverse()) await kube.delete(obj);
    out('release "nfs-server-provisioner" uninstalled');
    await kube.call('DELETE', `/api/v1/namespaces/${NFS_NAMESPACE}`);
    const pv = await kube.delete(nfsDataPv());
    (pv.ok ? out : err)(pv.line);
  }
  setAddon('nfs', 'disabled');
  save((s) => {
    s.nfsNode = null;
  });
  out('NFS Server Provisioner is disabled');
  return 0;
}

/** @param {any} m */
function kubectlLine(m) {
  const group = m.apiVersion.includes('/') ? `.${m.apiVersion.split('/')[0]}` : '';
  return `${m.kind.toLowerCase()}${group}/${m.metadata.name}`;
}

/** addons/hostpath-storage/disable @param {string[]} args */
async function disableHostpath(args) {
  out('Disabling hostpath storage.');
  const manifests = hostpathManifests('Delete', 'true');
  if (state.apiServer) {
    const failed = await kubectlEach(state.apiServer, manifests, 'delete');
    if (failed === 'unreachable') return 1;
    setAddon('hostpath-storage', 'disabled');
    if (failed) return 1;
  } else {
    for (const m of manifests) {
      const [kindGroup, name] = kubectlLine(m).split('/');
      out(`${kindGroup} "${name}" deleted`);
    }
    setAddon('hostpath-storage', 'disabled');
  }
  out('Storage removed.');
  if (args.length === 1 && args[0] === 'destroy-storage') {
    save((s) => {
      s.hostpathDataRemoved = true;
    });
    out('Storage space reclaimed.');
    return 0;
  }
  // bash: read -p "..." confirm && [[ $confirm == [yY] || $confirm == [yY][eE][sS] ]] || exit 1
  // `read -p` shows its prompt (on stderr) only when stdin is a terminal, but it reads stdin
  // either way: piped "y\n" confirms, EOF or a line without a newline fails.
  const tty = !!process.stdin.isTTY || process.env.FAKE_TTY === '1';
  if (tty) process.stderr.write(`Remove PVC storage at ${SNAP_COMMON}/default-storage ? (Y/N): `);
  const { line, eof } = readLineSync();
  if (eof || !/^([yY]|[yY][eE][sS])$/.test(line)) return 1;
  save((s) => {
    s.hostpathDataRemoved = true;
  });
  out('Storage space reclaimed.');
  return 0;
}

// ------------------------------------------------------------------ other commands
/** @param {string[]} args */
function config(args) {
  const local = args.includes('-l') || args.includes('--use-loopback');
  if (state.kubeconfig) {
    process.stdout.write(state.kubeconfig.endsWith('\n') ? state.kubeconfig : state.kubeconfig + '\n');
    return 0;
  }
  const server = state.apiServer ?? `https://${local ? '127.0.0.1' : state.hostIp}:16443`;
  const lines = ['apiVersion: v1', 'clusters:', '- cluster:'];
  if (state.apiServer) lines.push('    insecure-skip-tls-verify: true');
  else lines.push('    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkZBS0UKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=');
  lines.push(`    server: ${server}`, '  name: microk8s-cluster', 'contexts:', '- context:', '    cluster: microk8s-cluster', '    user: admin', '  name: microk8s', 'current-context: microk8s', 'kind: Config', 'preferences: {}', 'users:', '- name: admin', '  user:');
  if (state.apiServer) lines.push('    token: fake-token');
  else lines.push('    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkZBS0UKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=', '    client-key-data: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCkZBS0UKLS0tLS1FTkQgUFJJVkFURSBLRVktLS0tLQo=');
  out(lines.join('\n'));
  return 0;
}

/** The rook-ceph addon and its connect-external-ceph plugin (lib/rook-ceph-addon.mjs). */
function rook() {
  return rookCephAddon({ state, save, setAddon, out, err, ...(state.apiServer ? { kube: kubeClient(state.apiServer) } : {}) });
}

/** `microk8s helm3 ...` runs the bundled Helm 3 with the cluster's kubeconfig. @param {string[]} args */
async function helm(args) {
  if (state.running === 'stopped') {
    err(STOPPED);
    return 1;
  }
  const rookHandled = await rook().helm(args);
  if (rookHandled !== undefined) return rookHandled;
  const r = spawnSync(process.execPath, [join(HERE, 'helm.mjs'), '--kubeconfig=/var/snap/microk8s/current/credentials/client.config', ...args], {
    stdio: 'inherit',
    env: { ...process.env, FAKE_HELM_VERSION: state.helm3Version },
  });
  return r.status ?? 1;
}

const SUBCOMMANDS = ['add-node', 'addons', 'config', 'ctr', 'dashboard-proxy', 'dbctl', 'disable', 'enable', 'helm', 'helm3', 'images', 'join', 'kubectl', 'leave', 'refresh-certs', 'remove-node', 'reset', 'start', 'status', 'stop', 'version', 'inspect'];

/** @param {string[]} args @returns {Promise<number>} */
async function main(args) {
  if (state.quirks.delayMs) await sleep(state.quirks.delayMs);
  const [cmd, ...rest] = args;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    out('Available subcommands are:');
    for (const s of SUBCOMMANDS) out(`\t${s}`);
    return 0;
  }
  if (state.permission === 'needs-sudo') {
    out('Elevated permissions are needed for this command. Please use sudo.');
    return 1;
  }
  if (state.permission === 'not-in-group') {
    permissionDenied();
    return 1;
  }
  switch (cmd) {
    case 'status':
      return status(rest);
    case 'enable':
    case 'disable':
      return xable(cmd, rest);
    case 'config':
      return config(rest);
    case 'helm':
    case 'helm3':
      return helm(rest);
    case 'kubectl':
      if (state.running === 'stopped') {
        err(STOPPED);
        return 1;
      }
      err("fake microk8s: 'microk8s kubectl' is not supported by the fake; talk to the fake API server instead");
      return 1;
    case 'connect-external-ceph':
      return rook().connect(rest);
    case 'version':
      out(`MicroK8s ${state.version} revision ${state.revision}`);
      return 0;
    case 'start':
      save((s) => {
        s.running = true;
      });
      return 0;
    case 'stop':
      save((s) => {
        s.running = 'stopped';
      });
      out('Stopped.');
      return 0;
    case 'inspect':
      out('Inspecting system');
      out('Building the report tarball');
      out(`  Report tarball is at ${SNAP_COMMON}/../current/inspection-report-20260101_000000.tar.gz`);
      return 0;
    case 'add-node':
      if (rest.includes('--format') && rest.includes('json')) {
        out(JSON.stringify({ token: 'fake0token0fake0token0fake0token/0fake0check0', urls: [`${state.hostIp}:25000/fake0token0fake0token0fake0token/0fake0check0`] }));
        return 0;
      }
      out('From the node you wish to join to this cluster, run the following:');
      out(`microk8s join ${state.hostIp}:25000/fake0token0fake0token0fake0token/0fake0check0`);
      out('');
      out('Use the \'--worker\' flag to join a node as a worker not running the control plane, eg:');
      out(`microk8s join ${state.hostIp}:25000/fake0token0fake0token0fake0token/0fake0check0 --worker`);
      return 0;
    default:
      out(`'${cmd}' is not a valid MicroK8s subcommand.`);
      out('Available subcommands are:');
      for (const s of SUBCOMMANDS) out(`\t${s}`);
      return 1;
  }
}

main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    if (e instanceof Exit) process.exitCode = e.code;
    else {
      err(`fake microk8s: internal error: ${e?.stack ?? e}`);
      process.exitCode = 70;
    }
  },
);

/**
 * `kubectl apply|delete -f` of the addon's manifests against the fake API server: one line
 * per object, like kubectl. Returns true when an object failed (the addon script then
 * stops, `set -e`), 'unreachable' when the API server could not be reached.
 * @param {string} apiServer @param {any[]} manifests @param {'apply'|'delete'} op
 * @returns {Promise<boolean|'unreachable'>}
 */
async function kubectlEach(apiServer, manifests, op) {
  const kube = kubeClient(apiServer);
  let failed = false;
  for (const m of manifests) {
    try {
      const r = await kube[op](m);
      if (r.ok) out(r.line);
      else {
        err(r.line);
        failed = true;
      }
    } catch (e) {
      if (e instanceof KubeUnreachable) {
        err(e.message);
        return 'unreachable';
      }
      throw e;
    }
  }
  return failed;
}
