// Fake `helm` (Helm 3 or 4): the commands k8s-storage uses, with Helm's texts, exit codes and
// traps (see /work/shared/reference/longhorn.md and peers.md), driven by a JSON state file.
//
// State file: path in env FAKE_HELM_STATE (created with defaults if missing). Fields:
//   version     'v3.16.4' (default) or e.g. 'v4.0.1'; env FAKE_HELM_VERSION overrides it
//               (that is how `microk8s helm3` reports the bundled Helm 3).
//               Helm 4 rejects --atomic (unknown flag), Helm 3 rejects --rollback-on-failure.
//   releases    "namespace/name" -> {name, namespace, revision (number), status ('deployed' |
//               'failed' | 'pending-install' | 'pending-upgrade' | 'uninstalling' | ...), chart
//               ('longhorn-1.12.1'), app_version, updated, first_deployed, description,
//               values (the merged user-supplied values), history}
//   repos       repo name -> URL (`helm repo add` fills it; `repo/chart` refs need it)
//   charts      "repo/chart" -> {versions: [newest first]}: `--version` must be one of them
//   realHelm    path of the real helm binary (the sandbox sets it when it can unpack one), and
//   chartDirs   "repo/chart@version" -> chart directory (the sandbox maps ../shared/charts):
//               with both, install/upgrade (and --dry-run) check the values against the chart's
//               values.yaml (an unknown key fails like a schema error: see lib/real-chart.mjs)
//               and render the chart with the real `helm template`; a render error fails too.
//               Local chart directories with templates/ are rendered the same way.
//   apiServer   URL of the fake API server. When set: the cluster must be reachable; a missing
//               namespace without --create-namespace fails the install; for any chart other
//               than Longhorn, install/upgrade create the objects of the rendered manifest (for
//               csi-driver-nfs without a real chart: Deployment csi-nfs-controller, DaemonSet
//               csi-nfs-node, CSIDriver nfs.csi.k8s.io, from the values) and uninstall deletes
//               them (the manifest is kept in the release, as Helm does); and for the longhorn
//               chart, install/upgrade create the Longhorn objects there (namespace, CRDs,
//               longhorn-manager DaemonSet, longhorn-driver-deployer and longhorn-ui
//               Deployments, Services, ConfigMaps longhorn-storageclass and
//               longhorn-default-setting, StorageClass `longhorn` from persistence.*, Settings
//               incl. deleting-confirmation-flag, CSIDriver) and uninstall removes them, refusing
//               (like the chart's pre-delete hook) while deleting-confirmation-flag is not "true".
//   quirks
//     installFails: {exitCode=1, stderr, leaveStatus='failed', times=∞}
//                   install/upgrade writes the release, then fails: status `leaveStatus`,
//                   `Error: INSTALLATION FAILED: ...` / `Error: UPGRADE FAILED: ...`, exit code.
//                   With --atomic / --rollback-on-failure the release is removed / rolled back.
//     hangAfterStart: true | ms   after writing pending-install/pending-upgrade, wait (true = 1 h)
//                   before finishing. SIGINT/SIGTERM then print "Release X has been cancelled.",
//                   fail with "context canceled" (exit 1) and leave the release pending, as Helm 3 does.
//     unreachable   every cluster command fails with "Kubernetes cluster unreachable"
//     waitChecksReadiness  --wait polls the fake API server until the chart's workloads are
//                   ready, failing with "context deadline exceeded" after --timeout
//     uninstallFails: {exitCode=1, stderr}
//   calls       appended by every invocation: {argv, valuesFiles: [{path, content}] (the files'
//               contents at call time, "-" is stdin), stdinIsTTY, pid, time, env}

import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import YAML from 'yaml';
import { updateState, readState } from '../lib/state-file.mjs';
import { defaultHelmState } from '../lib/helm-state.mjs';
import { kubeClient, KubeUnreachable } from '../lib/kube-client.mjs';
import { err, out, sleep } from '../lib/cli-io.mjs';
import { ChartError, chartDirOf, renderChart } from '../lib/real-chart.mjs';
import { openebsObjects } from '../lib/openebs-chart.mjs';

/** @typedef {import('../lib/helm-state.mjs').HelmState} HelmState */
/** @typedef {import('../lib/helm-state.mjs').HelmRelease} HelmRelease */

const STATE_FILE = process.env.FAKE_HELM_STATE;
if (!STATE_FILE) {
  process.stderr.write('fake helm: FAKE_HELM_STATE is not set\n');
  process.exit(70);
}
const stateFile = STATE_FILE;
const load = () => {
  const s = /** @type {HelmState} */ (readState(stateFile, defaultHelmState));
  s.quirks = { ...defaultHelmState().quirks, ...(s.quirks ?? {}) };
  return s;
};
/** @template R @param {(s: HelmState) => R} fn @returns {R} */
const save = (fn) => updateState(stateFile, defaultHelmState, (s) => fn(/** @type {HelmState} */ (s)));


class Fail extends Error {
  /** @param {string} message the full stderr text (starting with "Error: ") @param {number} [code] */
  constructor(message, code = 1) {
    super(message);
    this.code = code;
  }
}

const argv = process.argv.slice(2);
let stdinCache = /** @type {string|null} */ (null);
const readStdin = () => {
  if (stdinCache === null) {
    try {
      stdinCache = readFileSync(0, 'utf8');
    } catch {
      stdinCache = '';
    }
  }
  return stdinCache;
};

// Record the call first, with the values files as they are right now.
{
  /** @type {{path: string, content: string | null}[]} */
  const valuesFiles = [];
  for (let i = 0; i < argv.length; i++) {
    const a = /** @type {string} */ (argv[i]);
    let path;
    if (a === '-f' || a === '--values') path = argv[i + 1];
    else if (a.startsWith('--values=')) path = a.slice('--values='.length);
    else if (a.startsWith('-f=')) path = a.slice(3);
    else if (a.startsWith('-f') && a.length > 2 && !a.startsWith('--')) path = a.slice(2);
    if (path === undefined) continue;
    let content = null;
    try {
      content = path === '-' ? readStdin() : readFileSync(path, 'utf8');
    } catch {}
    valuesFiles.push({ path, content });
  }
  const env = /** @type {Record<string, string>} */ ({});
  for (const k of ['KUBECONFIG', 'HELM_NAMESPACE', 'HELM_KUBECONTEXT']) if (process.env[k]) env[k] = /** @type {string} */ (process.env[k]);
  save((s) => {
    s.calls.push({ argv, valuesFiles, stdinIsTTY: !!process.stdin.isTTY, pid: process.pid, time: new Date().toISOString(), env });
  });
}
let state = load();
const version = process.env.FAKE_HELM_VERSION || state.version;
const helm4 = version.startsWith('v4');

// ------------------------------------------------------------------ flags
/** Flags that take a value. Everything else starting with '-' is boolean, or unknown. */
const VALUE_FLAGS = new Set([
  '--kubeconfig', '--kube-context', '--namespace', '-n', '--kube-token', '--kube-apiserver', '--kube-as-user', '--kube-as-group', '--kube-ca-file',
  '--registry-config', '--repository-config', '--repository-cache', '--burst-limit', '--qps', '--kube-tls-server-name',
  '--version', '--values', '-f', '--set', '--set-string', '--set-file', '--set-json', '--set-literal', '--timeout', '--output', '-o', '--repo',
  '--description', '--post-renderer', '--post-renderer-args', '--history-max', '--username', '--password', '--ca-file', '--cert-file', '--key-file',
  '--template', '--max', '--offset', '--filter', '--selector', '-l', '--revision', '--cascade', '--wait',
]);
const GLOBAL_BOOL = new Set(['--debug', '--kube-insecure-skip-tls-verify', '--help', '-h']);
/** Boolean flags per command (plus globals). */
const BOOL_FLAGS = /** @type {Record<string, string[]>} */ ({
  version: ['--short', '--client', '-c'],
  upgrade: ['--install', '-i', '--create-namespace', '--wait-for-jobs', '--dry-run', '--devel', '--reuse-values', '--reset-values', '--reset-then-reuse-values', '--no-hooks', '--skip-crds', '--cleanup-on-fail', '--render-subchart-notes', '--disable-openapi-validation', '--insecure-skip-tls-verify', '--dependency-update', '--take-ownership', '--enable-dns', '--skip-schema-validation', '--hide-notes', '--hide-secret', '--plain-http', ...(helm4 ? ['--rollback-on-failure', '--force-replace', '--force-conflicts', '--server-side'] : ['--atomic', '--force'])],
  install: ['--create-namespace', '--wait-for-jobs', '--dry-run', '--devel', '--no-hooks', '--skip-crds', '--generate-name', '-g', '--replace', '--render-subchart-notes', '--disable-openapi-validation', '--dependency-update', '--take-ownership', '--enable-dns', '--skip-schema-validation', '--hide-notes', '--plain-http', ...(helm4 ? ['--rollback-on-failure', '--force-replace', '--force-conflicts', '--server-side'] : ['--atomic', '--force'])],
  status: ['--show-desc', '--show-resources'],
  list: ['--all-namespaces', '-A', '--all', '-a', '--deployed', '--failed', '--pending', '--uninstalled', '--uninstalling', '--superseded', '--short', '-q', '--date', '-d', '--reverse', '-r', '--no-headers', '--time-format'],
  uninstall: ['--dry-run', '--keep-history', '--no-hooks', '--ignore-not-found'],
  get: ['--all', '-a'],
  repo: ['--force-update', '--fail-on-repo-update-fail', '--pass-credentials', '--insecure-skip-tls-verify', '--allow-deprecated-repos', '--no-update'],
  history: [],
});

/**
 * Cobra-style parsing: flags anywhere, `--flag value` or `--flag=value`.
 * @param {string} command @param {string[]} args
 */
function parseArgs(command, args) {
  /** @type {Map<string, string[]>} */
  const flags = new Map();
  /** @type {string[]} */
  const positional = [];
  const bools = new Set([...(BOOL_FLAGS[command] ?? []), ...GLOBAL_BOOL]);
  /** @param {string} k @param {string} v */
  const add = (k, v) => flags.set(k, [...(flags.get(k) ?? []), v]);
  for (let i = 0; i < args.length; i++) {
    const a = /** @type {string} */ (args[i]);
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positional.push(a);
      continue;
    }
    let name = a;
    let inline;
    if (a.startsWith('--') && a.includes('=')) {
      name = a.slice(0, a.indexOf('='));
      inline = a.slice(a.indexOf('=') + 1);
    } else if (!a.startsWith('--') && a.length > 2) {
      // -nfoo / -f=values.yaml
      name = a.slice(0, 2);
      inline = a.slice(2).replace(/^=/, '');
    }
    if (name === '--wait' && inline === undefined) {
      // Helm 4 made --wait take an optional strategy; both accept the bare flag.
      add('--wait', 'true');
      continue;
    }
    if (VALUE_FLAGS.has(name)) {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Fail(`Error: flag needs an argument: ${name}`);
      add(name, v);
    } else if (bools.has(name)) add(name, inline ?? 'true');
    else throw new Fail(`Error: unknown flag: ${name}`);
  }
  /** @param {...string} names */
  const get = (...names) => {
    for (const n of names) {
      const v = flags.get(n);
      if (v) return v[v.length - 1];
    }
    return undefined;
  };
  /** @param {...string} names */
  const all = (...names) => names.flatMap((n) => flags.get(n) ?? []);
  /** @param {...string} names */
  const has = (...names) => names.some((n) => flags.has(n) && flags.get(n)?.at(-1) !== 'false');
  return { flags, positional, get, all, has };
}

// ------------------------------------------------------------------ helpers
const GIT = helm4 ? 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678' : '7877b45b63f95635153b29a42c0c2f4273ec45ca';
const GO = helm4 ? 'go1.25.4' : 'go1.22.7';

/** Go's time.ANSIC in UTC: "Mon Jan  2 15:04:05 2006". @param {string} iso */
function ansic(iso) {
  const d = new Date(iso);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}
/** `2026-01-01 00:00:00.123456789 +0000 UTC`, as `helm list` prints it. @param {string} iso */
function listTime(iso) {
  const d = new Date(iso);
  return `${d.toISOString().replace('T', ' ').replace(/\.(\d{3})Z$/, '.$1000000')} +0000 UTC`;
}
/** RFC3339Nano. @param {string} iso */
function nanoTime(iso) {
  return new Date(iso).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** @param {any} base @param {any} patch */
function mergeValues(base, patch) {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = base && typeof base === 'object' && !Array.isArray(base) ? { ...base } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeValues(out[k], v);
  }
  return out;
}

/**
 * Helm's --set syntax: `a.b=c,d[0]=e`, with `\,` and `\.` escapes; values typed unless string mode.
 * @param {Record<string, any>} target @param {string} expr @param {'typed'|'string'|'json'} mode
 */
function applySet(target, expr, mode) {
  /** @type {string[]} */
  const assignments = [];
  let cur = '';
  let depth = 0;
  for (let i = 0; i < expr.length; i++) {
    const ch = /** @type {string} */ (expr[i]);
    if (ch === '\\' && i + 1 < expr.length) {
      cur += ch + expr[++i];
      continue;
    }
    if (mode === 'json' && (ch === '{' || ch === '[')) depth++;
    if (mode === 'json' && (ch === '}' || ch === ']')) depth--;
    if (ch === ',' && depth === 0) {
      assignments.push(cur);
      cur = '';
    } else cur += ch;
  }
  assignments.push(cur);
  for (const asg of assignments) {
    const eq = asg.search(/(?<!\\)=/);
    if (eq < 0) throw new Fail(`Error: failed parsing --set data: key "${asg}" has no value`);
    const keyText = asg.slice(0, eq);
    const raw = asg.slice(eq + 1).replace(/\\,/g, ',');
    /** @type {any} */
    let value = raw;
    if (mode === 'json') {
      try {
        value = JSON.parse(raw);
      } catch {
        throw new Fail(`Error: failed parsing --set-json data JSON: ${raw}`);
      }
    } else if (mode === 'typed') {
      if (raw === 'true') value = true;
      else if (raw === 'false') value = false;
      else if (raw === 'null') value = null;
      else if (/^-?(0|[1-9]\d*)$/.test(raw)) value = Number(raw);
    }
    const parts = keyText.split(/(?<!\\)\./).map((p) => p.replace(/\\\./g, '.'));
    let node = target;
    parts.forEach((part, idx) => {
      const m = /^(.*?)\[(\d+)\]$/.exec(part);
      const last = idx === parts.length - 1;
      if (m) {
        const key = /** @type {string} */ (m[1]);
        const index = Number(m[2]);
        if (!Array.isArray(node[key])) node[key] = [];
        if (last) node[key][index] = value;
        else node = node[key][index] ??= {};
      } else if (last) {
        if (value === null) delete node[part];
        else node[part] = value;
      } else {
        if (typeof node[part] !== 'object' || node[part] === null || Array.isArray(node[part])) node[part] = {};
        node = node[part];
      }
    });
  }
}

/** @param {ReturnType<typeof parseArgs>} p */
function userValues(p) {
  /** @type {Record<string, any>} */
  let values = {};
  let supplied = false;
  for (const f of p.all('-f', '--values')) {
    supplied = true;
    let text;
    if (f === '-') text = readStdin();
    else {
      try {
        text = readFileSync(f, 'utf8');
      } catch {
        throw new Fail(`Error: open ${f}: no such file or directory`);
      }
    }
    let parsed;
    try {
      parsed = YAML.parse(text) ?? {};
    } catch (e) {
      throw new Fail(`Error: failed to parse ${f}: error converting YAML to JSON: ${/** @type {Error} */ (e).message.split('\n')[0]}`);
    }
    values = mergeValues(values, parsed);
  }
  for (const s of p.all('--set')) (supplied = true), applySet(values, s, 'typed');
  for (const s of p.all('--set-string')) (supplied = true), applySet(values, s, 'string');
  for (const s of p.all('--set-json')) (supplied = true), applySet(values, s, 'json');
  for (const s of p.all('--set-file')) {
    supplied = true;
    const eq = s.indexOf('=');
    const file = s.slice(eq + 1);
    if (!existsSync(file)) throw new Fail(`Error: open ${file}: no such file or directory`);
    applySet(values, `${s.slice(0, eq)}=${readFileSync(file, 'utf8').replace(/,/g, '\\,')}`, 'string');
  }
  return { values, supplied };
}

/** @param {ReturnType<typeof parseArgs>} p */
const namespaceOf = (p) => p.get('-n', '--namespace') ?? process.env.HELM_NAMESPACE ?? 'default';

/** Helm talks to the cluster before most commands; reproduce the failure when it cannot. */
async function ensureReachable() {
  if (state.quirks.unreachable) {
    throw new Fail('Error: Kubernetes cluster unreachable: Get "https://127.0.0.1:16443/version": dial tcp 127.0.0.1:16443: connect: connection refused');
  }
  if (state.apiServer) {
    try {
      await fetch(`${state.apiServer}/version`);
    } catch {
      throw new Fail(`Error: Kubernetes cluster unreachable: Get "${state.apiServer}/version": dial tcp ${state.apiServer.replace(/^https?:\/\//, '')}: connect: connection refused`);
    }
  }
}

/**
 * Where the chart comes from (Helm's LocateChart): an existing path, a path-looking name that
 * does not exist, an OCI ref, or repo/chart.
 * @param {string} ref @param {string|undefined} wanted
 * @returns {{name: string, version: string, appVersion: string}}
 */
function locateChart(ref, wanted) {
  if (existsSync(ref)) {
    if (statSync(ref).isDirectory()) {
      const file = join(ref, 'Chart.yaml');
      if (!existsSync(file)) throw new Fail('Error: Chart.yaml file is missing');
      const meta = YAML.parse(readFileSync(file, 'utf8')) ?? {};
      return { name: meta.name ?? basename(ref), version: String(meta.version ?? '0.1.0'), appVersion: String(meta.appVersion ?? '') };
    }
    const m = /^(.*)-(\d+\.\d+\.\d+[^/]*)\.tgz$/.exec(basename(ref));
    if (!m) throw new Fail(`Error: file '${ref}' does not appear to be a gzipped archive; got 'application/octet-stream'`);
    const version = /** @type {string} */ (m[2]);
    return { name: /** @type {string} */ (m[1]), version, appVersion: `v${version}` };
  }
  if (isAbsolute(ref) || ref.startsWith('.')) throw new Fail(`Error: path "${ref}" not found`);
  if (ref.startsWith('oci://')) {
    const version = wanted ?? '0.1.0';
    return { name: ref.split('/').pop() ?? ref, version, appVersion: `v${version}` };
  }
  const slash = ref.indexOf('/');
  if (slash < 0) throw new Fail(`Error: non-absolute URLs should be in form of repo_name/path_to_chart, got: ${ref}`);
  const repo = ref.slice(0, slash);
  const name = ref.slice(slash + 1);
  if (!state.repos[repo]) throw new Fail(`Error: repo ${repo} not found`);
  const known = state.charts[ref];
  if (known) {
    const v = wanted ? wanted.replace(/^v/, '') : known.versions[0];
    if (!v || !known.versions.includes(v)) {
      throw new Fail(`Error: chart "${name}" matching ${wanted} not found in ${repo} index. (try 'helm repo update'): no chart version found for ${name}-${wanted}`);
    }
    return { name, version: v, appVersion: known.appVersion?.[v] ?? `v${v}` };
  }
  const v = (wanted ?? '1.0.0').replace(/^v/, '');
  return { name, version: v, appVersion: `v${v}` };
}

/** Go duration ("5m0s", "300s", "1h") to ms. @param {string|undefined} d */
function durationMs(d) {
  if (!d) return 5 * 60_000;
  let total = 0;
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3_600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n;
  }
  if (!total && /^\d+$/.test(d)) total = Number(d) * 1000;
  return total;
}

// ------------------------------------------------------------------ Longhorn on the fake cluster
const LONGHORN_CRDS = [
  ['volumes', 'Volume', 'lhv'], ['nodes', 'Node', 'lhn'], ['settings', 'Setting', 'lhs'], ['snapshots', 'Snapshot', 'lhsnap'],
  ['backups', 'Backup', 'lhb'], ['backuptargets', 'BackupTarget', 'lhbt'], ['backupvolumes', 'BackupVolume', 'lhbv'],
  ['recurringjobs', 'RecurringJob', 'lhrj'], ['engineimages', 'EngineImage', 'lhei'], ['replicas', 'Replica', 'lhr'],
  ['engines', 'Engine', 'lhe'], ['instancemanagers', 'InstanceManager', 'lhim'], ['sharemanagers', 'ShareManager', 'lhsm'],
];

/** @param {string} camel */
const kebab = (camel) => camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * What the Longhorn chart (and, right after, longhorn-manager) puts in the cluster.
 * @param {Record<string, any>} values @param {string} ns @param {string} release @param {string} chartVersion
 * @returns {{helm: any[], manager: any[]}}
 */
function longhornObjects(values, ns, release, chartVersion) {
  const p = values.persistence ?? {};
  const labels = { 'app.kubernetes.io/name': 'longhorn', 'app.kubernetes.io/instance': release, 'app.kubernetes.io/version': `v${chartVersion}`, 'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': `longhorn-${chartVersion}` };
  const annotations = { 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': ns };
  /** @param {string} name @param {Record<string,string>} [extra] */
  const meta = (name, extra = {}) => ({ name, namespace: ns, labels: { ...labels, ...extra }, annotations });
  const image = (/** @type {string} */ repo) => `longhornio/${repo}:v${chartVersion}`;
  /** @param {string} app @param {any} container */
  const podTemplate = (app, container) => ({ metadata: { labels: { app } }, spec: { serviceAccountName: 'longhorn-service-account', containers: [container] } });
  const sc = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'longhorn', annotations: { 'storageclass.kubernetes.io/is-default-class': String(p.defaultClass ?? true), 'longhorn.io/last-applied-configmap': 'longhorn-storageclass' } },
    provisioner: 'driver.longhorn.io',
    allowVolumeExpansion: true,
    reclaimPolicy: p.reclaimPolicy ?? 'Delete',
    volumeBindingMode: p.volumeBindingMode ?? 'Immediate',
    parameters: {
      numberOfReplicas: String(p.defaultClassReplicaCount ?? 3),
      staleReplicaTimeout: '30',
      fromBackup: '',
      fsType: p.defaultFsType ?? 'ext4',
      dataLocality: p.defaultDataLocality ?? 'disabled',
    },
  };
  const settings = { 'deleting-confirmation-flag': 'false', ...Object.fromEntries(Object.entries(values.defaultSettings ?? {}).map(([k, v]) => [kebab(k), String(v)])) };
  /** @type {any[]} */
  const helm = [
    ...LONGHORN_CRDS.map(([plural, kind, short]) => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.longhorn.io`, labels: { ...labels, 'longhorn-manager': '' }, annotations },
      spec: {
        group: 'longhorn.io',
        scope: 'Namespaced',
        names: { plural, singular: String(kind).toLowerCase(), kind, listKind: `${kind}List`, shortNames: [short] },
        versions: [{ name: 'v1beta2', served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
      },
    })),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('longhorn-service-account') },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('longhorn-default-setting'), data: { 'default-setting.yaml': YAML.stringify(values.defaultSettings ?? {}) } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('longhorn-storageclass'), data: { 'storageclass.yaml': YAML.stringify(sc) } },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta('longhorn-manager', { app: 'longhorn-manager' }),
      spec: {
        selector: { matchLabels: { app: 'longhorn-manager' } },
        template: podTemplate('longhorn-manager', { name: 'longhorn-manager', image: image('longhorn-manager'), ports: [{ containerPort: 9500, name: 'manager' }] }),
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('longhorn-driver-deployer'),
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'longhorn-driver-deployer' } },
        template: podTemplate('longhorn-driver-deployer', {
          name: 'longhorn-driver-deployer',
          image: image('longhorn-manager'),
          env: values.csi?.kubeletRootDir ? [{ name: 'KUBELET_ROOT_DIR', value: values.csi.kubeletRootDir }] : [],
        }),
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('longhorn-ui', { app: 'longhorn-ui' }),
      spec: { replicas: values.longhornUI?.replicas ?? 2, selector: { matchLabels: { app: 'longhorn-ui' } }, template: podTemplate('longhorn-ui', { name: 'longhorn-ui', image: image('longhorn-ui') }) },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: meta('longhorn-backend', { app: 'longhorn-manager' }), spec: { type: 'ClusterIP', selector: { app: 'longhorn-manager' }, ports: [{ name: 'manager', port: 9500, targetPort: 'manager' }] } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('longhorn-frontend', { app: 'longhorn-ui' }),
      spec: { type: values.service?.ui?.type ?? 'ClusterIP', selector: { app: 'longhorn-ui' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
  ];
  if (values.metrics?.serviceMonitor?.enabled) {
    // templates/servicemonitor.yaml: fails like the real Helm when the cluster does not serve ServiceMonitors.
    helm.push({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: meta('longhorn-prometheus-servicemonitor', { name: 'longhorn-prometheus-servicemonitor', ...(values.metrics.serviceMonitor.additionalLabels ?? {}) }),
      spec: { selector: { matchLabels: { app: 'longhorn-manager' } }, namespaceSelector: { matchNames: [ns] }, endpoints: [{ port: 'manager' }] },
    });
  }
  if (values.defaultBackupStore?.backupTarget) settings['backup-target'] = String(values.defaultBackupStore.backupTarget);
  /** Created by longhorn-manager from the chart's ConfigMaps, not by Helm. */
  const manager = [
    sc,
    { apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name: 'driver.longhorn.io' }, spec: { attachRequired: true, podInfoOnMount: true, fsGroupPolicy: 'ReadWriteOnceWithFSType' } },
    ...Object.entries(settings).map(([name, value]) => ({ apiVersion: 'longhorn.io/v1beta2', kind: 'Setting', metadata: { name, namespace: ns }, value })),
  ];
  return { helm, manager };
}

/**
 * Put the chart's objects in the fake cluster, the way this Helm version does.
 * @param {string} ns @param {string} release @param {{name: string, version: string}} chart
 * @param {Record<string, any>} values @param {boolean} installing @param {boolean} createNamespace
 * @param {any[]} rendered the release's objects, for charts other than Longhorn
 */
async function deployToCluster(ns, release, chart, values, installing, createNamespace, rendered) {
  if (!state.apiServer) return;
  const kube = kubeClient(state.apiServer, { userAgent: `Helm/${version.replace(/^v/, '')}` });
  const nsRes = await kube.call('GET', `/api/v1/namespaces/${ns}`);
  if (nsRes.status === 404) {
    if (!createNamespace) throw new Error(`create: failed to create: namespaces "${ns}" not found`);
    const r = await kube.call('POST', '/api/v1/namespaces?fieldManager=helm', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    if (r.status >= 300) throw new Error(r.body?.message ?? `namespace: HTTP ${r.status}`);
  }
  const { objectPath } = await import('../lib/kube-client.mjs');
  const { helm, manager } =
    chart.name === 'longhorn'
      ? longhornObjects(values, ns, release, chart.version)
      : chart.name === 'openebs'
        ? { helm: openebsObjects(values, ns, release, chart.version).map((o) => withHelmOwnership(o, release, ns)), manager: [] }
        : { helm: rendered.map((o) => withHelmOwnership(o, release, ns)), manager: [] };
  for (const obj of helm) {
    const { collection, item } = objectPath(obj);
    if (helm4) {
      const r = await kube.serverSideApply(obj, 'helm', false);
      if (r.status >= 300) throw new Error(r.body?.message ?? `HTTP ${r.status}`);
      continue;
    }
    const cur = await kube.call('GET', item);
    if (cur.status === 404) {
      const r = await kube.call('POST', `${collection}?fieldManager=helm`, obj);
      if (r.status >= 300) throw new Error(r.body?.message ?? `HTTP ${r.status}`);
    } else if (cur.status < 300) {
      const owner = cur.body?.metadata?.annotations?.['meta.helm.sh/release-name'];
      if (installing && owner !== release) {
        const where = obj.metadata.namespace ? ` in namespace "${obj.metadata.namespace}"` : '';
        throw new Error(
          `rendered manifests contain a resource that already exists. Unable to continue with install: ${obj.kind} "${obj.metadata.name}"${where} exists and cannot be imported into the current release: invalid ownership metadata; label validation error: missing key "app.kubernetes.io/managed-by": must be set to "Helm"; annotation validation error: missing key "meta.helm.sh/release-name": must be set to "${release}"; annotation validation error: missing key "meta.helm.sh/release-namespace": must be set to "${ns}"`,
        );
      }
      const r = await kube.call('PATCH', `${item}?fieldManager=helm`, obj, 'application/merge-patch+json');
      if (r.status >= 300) throw new Error(r.body?.message ?? `HTTP ${r.status}`);
    } else throw new Error(cur.body?.message ?? `HTTP ${cur.status}`);
  }
  // longhorn-manager keeps the StorageClass in sync with the ConfigMap and owns the settings.
  const mgr = kubeClient(state.apiServer, { userAgent: 'longhorn-manager/v1' });
  for (const obj of manager) {
    const { collection, item } = objectPath(obj);
    const cur = await mgr.call('GET', item);
    if (cur.status === 404) await mgr.call('POST', `${collection}?fieldManager=longhorn-manager`, obj);
    else if (obj.kind === 'StorageClass') {
      // Parameters are immutable: the manager deletes and re-creates the class on change.
      if (JSON.stringify(cur.body?.parameters) !== JSON.stringify(obj.parameters) || cur.body?.reclaimPolicy !== obj.reclaimPolicy || cur.body?.volumeBindingMode !== obj.volumeBindingMode) {
        await mgr.call('DELETE', item);
        await mgr.call('POST', `${collection}?fieldManager=longhorn-manager`, obj);
      } else await mgr.call('PATCH', `${item}?fieldManager=longhorn-manager`, { metadata: obj.metadata }, 'application/merge-patch+json');
    } else if (obj.kind !== 'Setting') await mgr.call('PATCH', `${item}?fieldManager=longhorn-manager`, obj, 'application/merge-patch+json');
  }
}

/**
 * Helm labels and annotates what it owns (the ownership check on install reads them).
 * @param {any} obj @param {string} release @param {string} ns
 */
function withHelmOwnership(obj, release, ns) {
  const metadata = obj.metadata ?? {};
  return {
    ...obj,
    metadata: {
      ...metadata,
      labels: { ...(metadata.labels ?? {}), 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { ...(metadata.annotations ?? {}), 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': ns },
    },
  };
}

/**
 * csi-driver-nfs's main objects, for when the real chart is not at hand (no ../shared): the
 * names, labels and kubelet paths its templates give them.
 * @param {Record<string, any>} values @param {string} ns @param {string} release @param {string} chartVersion
 */
function csiNfsObjects(values, ns, release, chartVersion) {
  const kubeletDir = values.kubeletDir ?? '/var/lib/kubelet';
  const controller = values.controller?.name ?? 'csi-nfs-controller';
  const node = values.node?.name ?? 'csi-nfs-node';
  const driver = values.driver?.name ?? 'nfs.csi.k8s.io';
  const labels = { 'app.kubernetes.io/instance': release, 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/name': 'csi-driver-nfs', 'app.kubernetes.io/version': chartVersion, 'helm.sh/chart': `csi-driver-nfs-${chartVersion}` };
  const image = `registry.k8s.io/sig-storage/nfsplugin:v${chartVersion}`;
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: node, namespace: ns, labels: { ...labels, app: node } },
      spec: {
        selector: { matchLabels: { app: node } },
        template: {
          metadata: { labels: { ...labels, app: node } },
          spec: {
            hostNetwork: true,
            dnsPolicy: values.node?.dnsPolicy ?? 'ClusterFirstWithHostNet',
            containers: [{ name: 'nfs', image, volumeMounts: [{ name: 'pods-mount-dir', mountPath: `${kubeletDir}/pods`, mountPropagation: 'Bidirectional' }] }],
            volumes: [
              { name: 'socket-dir', hostPath: { path: `${kubeletDir}/plugins/csi-nfsplugin`, type: 'DirectoryOrCreate' } },
              { name: 'pods-mount-dir', hostPath: { path: `${kubeletDir}/pods`, type: 'Directory' } },
              { name: 'registration-dir', hostPath: { path: `${kubeletDir}/plugins_registry`, type: 'Directory' } },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: controller, namespace: ns, labels: { ...labels, app: controller } },
      spec: {
        replicas: values.controller?.replicas ?? 1,
        selector: { matchLabels: { app: controller } },
        template: {
          metadata: { labels: { ...labels, app: controller } },
          spec: { hostNetwork: true, dnsPolicy: values.controller?.dnsPolicy ?? 'ClusterFirstWithHostNet', containers: ['csi-provisioner', 'csi-resizer', 'csi-snapshotter', 'liveness-probe', 'nfs'].map((c) => ({ name: c, image })) },
        },
      },
    },
    { apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name: driver, labels }, spec: { attachRequired: false, fsGroupPolicy: 'File', volumeLifecycleModes: ['Persistent'] } },
  ];
}

/** @param {string} ns @param {HelmRelease} rel */
async function removeFromCluster(ns, rel) {
  if (!state.apiServer) return;
  const kube = kubeClient(state.apiServer, { userAgent: `Helm/${version.replace(/^v/, '')}` });
  const { objectPath } = await import('../lib/kube-client.mjs');
  if (!rel.chart.startsWith('longhorn-') && !rel.chart.startsWith('openebs-')) {
    const objects = YAML.parseAllDocuments(rel.manifest ?? '').map((d) => d.toJS()).filter((o) => o && o.kind);
    // Helm deletes in reverse install order: workloads before the RBAC and CRDs they use.
    for (const obj of objects.reverse()) await kube.call('DELETE', objectPath(obj).item);
    return;
  }
  const { helm, manager } = rel.chart.startsWith('openebs-')
    ? { helm: openebsObjects(rel.values ?? {}, ns, rel.name, rel.chart.replace(/^openebs-/, '')), manager: [] }
    : longhornObjects(rel.values ?? {}, ns, rel.name, rel.chart.replace(/^longhorn-/, ''));
  // Custom resources first (what the longhorn-uninstall job does), CRDs last.
  for (const obj of [...manager, ...helm.filter((o) => o.kind !== 'CustomResourceDefinition'), ...helm.filter((o) => o.kind === 'CustomResourceDefinition')]) {
    await kube.call('DELETE', objectPath(obj).item);
  }
}

/** @param {string} ns */
async function readDeletingConfirmationFlag(ns) {
  if (!state.apiServer) return 'true';
  const kube = kubeClient(state.apiServer);
  const r = await kube.call('GET', `/apis/longhorn.io/v1beta2/namespaces/${ns}/settings/deleting-confirmation-flag`);
  return r.status < 300 ? String(r.body?.value ?? 'false') : 'false';
}

/** Poll the fake cluster until the release's workloads are ready (for --wait). @param {string} ns @param {number} timeoutMs */
async function waitReady(ns, timeoutMs) {
  if (!state.apiServer || !state.quirks.waitChecksReadiness) return;
  const kube = kubeClient(state.apiServer);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const deps = await kube.call('GET', `/apis/apps/v1/namespaces/${ns}/deployments`);
    const dss = await kube.call('GET', `/apis/apps/v1/namespaces/${ns}/daemonsets`);
    const okDeps = (deps.body?.items ?? []).every((/** @type {any} */ d) => (d.status?.readyReplicas ?? 0) >= (d.spec?.replicas ?? 1) && (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1));
    const okDss = (dss.body?.items ?? []).every((/** @type {any} */ d) => (d.status?.numberReady ?? 0) >= (d.status?.desiredNumberScheduled ?? 1) && (d.status?.desiredNumberScheduled ?? 0) > 0);
    if (okDeps && okDss) return;
    if (Date.now() > deadline) throw new Error('context deadline exceeded');
    await sleep(50);
  }
}

// ------------------------------------------------------------------ commands
/** @param {string[]} args */
function cmdVersion(args) {
  const p = parseArgs('version', args);
  const tpl = p.get('--template');
  if (tpl) {
    const text = tpl.replace(/\{\{\s*\.Version\s*\}\}/g, version).replace(/\{\{\s*\.GitCommit\s*\}\}/g, GIT).replace(/\{\{\s*\.GoVersion\s*\}\}/g, GO).replace(/\{\{\s*\.GitTreeState\s*\}\}/g, 'clean');
    process.stdout.write(text.endsWith('\n') ? text : text + '\n');
    return 0;
  }
  if (p.has('--short')) {
    out(`${version}+g${GIT.slice(0, 7)}`);
    return 0;
  }
  out(`version.BuildInfo{Version:"${version}", GitCommit:"${GIT}", GitTreeState:"clean", GoVersion:"${GO}"${helm4 ? ', KubeClientVersion:"v1.34"' : ''}}`);
  return 0;
}

/** @param {HelmRelease} rel */
function printReleaseHeader(rel) {
  out(`NAME: ${rel.name}`);
  out(`LAST DEPLOYED: ${ansic(rel.updated)}`);
  out(`NAMESPACE: ${rel.namespace}`);
  out(`STATUS: ${rel.status}`);
  out(`REVISION: ${rel.revision}`);
  out('TEST SUITE: None');
}

/** @param {string} chartName */
function notesFor(chartName) {
  return chartName === 'longhorn'
    ? 'Longhorn is now installed on the cluster!\n\nPlease wait a few minutes for other Longhorn components such as CSI deployments, Engine Images, and Instance Managers to be initialized.\n\nVisit our documentation at https://longhorn.io/docs/'
    : '';
}

/**
 * `helm upgrade --install` and `helm install`.
 * @param {'upgrade'|'install'} command @param {string[]} args
 */
async function cmdUpgrade(command, args) {
  const p = parseArgs(command, args);
  const isInstallCmd = command === 'install';
  const [name, chartRef] = p.positional;
  if (!name || !chartRef) {
    throw new Fail(`Error: "helm ${command}" requires 2 arguments\n\nUsage:  helm ${command} [${isInstallCmd ? 'NAME' : 'RELEASE'}] [CHART] [flags]`);
  }
  const ns = namespaceOf(p);
  const key = `${ns}/${name}`;
  // Helm 3 installs its SIGINT/SIGTERM handler first thing: a signal cancels the context, the
  // command returns at once with "context canceled" (exit 1) and whatever release record was
  // already stored stays as it is (pending-install / pending-upgrade).
  let failWordNow = isInstallCmd ? 'INSTALLATION FAILED' : 'UPGRADE FAILED';
  let cancelled = false;
  const onSignal = () => {
    if (cancelled) return;
    cancelled = true;
    out(`Release ${name} has been cancelled.`);
    err(`Error: ${failWordNow}: context canceled`);
    process.exit(1);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const chart = locateChart(chartRef, p.get('--version'));
  await ensureReachable();
  const atomic = p.has('--atomic') || p.has('--rollback-on-failure');
  const atomicFlag = helm4 ? 'rollback-on-failure' : 'atomic';
  const { values: newValues, supplied } = userValues(p);
  state = load();
  const existing = state.releases[key];
  const live = existing && existing.status !== 'uninstalled' ? existing : undefined;
  const upgrading = !isInstallCmd && !!live;
  const failWord = upgrading ? 'UPGRADE FAILED' : 'INSTALLATION FAILED';
  failWordNow = failWord;
  if (isInstallCmd && live) throw new Fail('Error: INSTALLATION FAILED: cannot re-use a name that is still in use');
  if (!isInstallCmd && !live && !p.has('--install', '-i')) throw new Fail(`Error: UPGRADE FAILED: "${name}" has no deployed releases`);
  if (live && ['pending-install', 'pending-upgrade', 'pending-rollback'].includes(live.status)) {
    throw new Fail('Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress');
  }
  // Values: new ones replace the old unless --reuse-values; no new values at all reuses the old.
  let values = newValues;
  if (upgrading && live) {
    if (p.has('--reuse-values') || p.has('--reset-then-reuse-values')) values = mergeValues(live.values ?? {}, newValues);
    else if (!supplied && !p.has('--reset-values')) values = live.values ?? {};
  }
  // Helm renders (and validates the values) before it records anything, dry runs included.
  const chartDir = state.realHelm ? chartDirOf(chartRef, chart.version, state.chartDirs) : undefined;
  /** @type {{manifest: string, objects: any[]} | undefined} */
  let rendered;
  if (chartDir && state.realHelm) {
    try {
      rendered = renderChart({ realHelm: state.realHelm, dir: chartDir, chartName: chart.name, release: name, namespace: ns, values });
    } catch (e) {
      if (e instanceof ChartError) throw new Fail(`Error: ${failWord}: ${e.message}`);
      throw e;
    }
  }
  if (!isInstallCmd && !upgrading) out(`Release "${name}" does not exist. Installing it now.`);
  const now = new Date().toISOString();
  const revision = upgrading && live ? live.revision + 1 : 1;
  /** @type {HelmRelease} */
  const rel = {
    name,
    namespace: ns,
    revision,
    status: upgrading ? 'pending-upgrade' : 'pending-install',
    chart: `${chart.name}-${chart.version}`,
    app_version: chart.appVersion,
    updated: now,
    first_deployed: upgrading && live ? live.first_deployed ?? live.updated : now,
    description: upgrading ? 'Preparing upgrade' : 'Initial install underway',
    values,
    history: [...(upgrading && live ? live.history ?? [] : [])],
  };
  const objects = chart.name === 'longhorn' ? [] : rendered?.objects ?? (chart.name === 'csi-driver-nfs' ? csiNfsObjects(values, ns, name, chart.version) : []);
  rel.manifest = objects.map((o) => `---\n${YAML.stringify(o)}`).join('');
  if (p.has('--dry-run')) {
    printReleaseHeader(rel);
    out('HOOKS:');
    out('MANIFEST:');
    return 0;
  }
  const previous = live;
  /** @param {HelmRelease} r */
  const write = (r) =>
    save((s) => {
      s.releases[key] = r;
    });
  write(rel);

  const hang = state.quirks.hangAfterStart;
  if (hang) await sleep(hang === true ? 3_600_000 : hang);

  const failure = state.quirks.installFails;
  let failMessage = '';
  if (failure && (failure.times === undefined || failure.times > 0)) {
    failMessage = failure.stderr ?? 'context deadline exceeded';
    if (failure.times !== undefined) {
      save((s) => {
        if (s.quirks.installFails && s.quirks.installFails.times !== undefined) s.quirks.installFails.times--;
      });
    }
  } else {
    try {
      await deployToCluster(ns, name, chart, values, !upgrading, p.has('--create-namespace'), objects);
      if (p.has('--wait') || atomic) await waitReady(ns, durationMs(p.get('--timeout')));
    } catch (e) {
      failMessage = /** @type {Error} */ (e).message;
    }
  }

  if (failMessage) {
    const stripped = failMessage.replace(/^Error: (INSTALLATION|UPGRADE) FAILED: /, '');
    if (atomic) {
      if (!upgrading) {
        save((s) => {
          delete s.releases[key];
        });
        throw new Fail(`Error: ${failWord}: release ${name} failed, and has been uninstalled due to ${atomicFlag} being set: ${stripped}`, failure?.exitCode ?? 1);
      }
      write({
        ...rel,
        revision: revision + 1,
        status: 'deployed',
        values: previous?.values ?? {},
        chart: previous?.chart ?? rel.chart,
        app_version: previous?.app_version ?? rel.app_version,
        description: `Rollback to ${previous?.revision ?? 1}`,
        history: [...(rel.history ?? []), { revision, status: 'failed', chart: rel.chart, app_version: rel.app_version, updated: now, description: `Upgrade "${name}" failed: ${stripped}` }],
      });
      throw new Fail(`Error: ${failWord}: release ${name} failed, and has been rolled back due to ${atomicFlag} being set: ${stripped}`, failure?.exitCode ?? 1);
    }
    write({ ...rel, status: failure?.leaveStatus ?? 'failed', description: `${upgrading ? 'Upgrade' : 'Release'} "${name}" failed: ${stripped}` });
    throw new Fail(failure?.stderr && failure.stderr.startsWith('Error:') ? failure.stderr : `Error: ${failWord}: ${stripped}`, failure?.exitCode ?? 1);
  }

  const done = {
    ...rel,
    status: /** @type {'deployed'} */ ('deployed'),
    updated: new Date().toISOString(),
    description: upgrading ? 'Upgrade complete' : 'Install complete',
    history: [
      ...(rel.history ?? []).map((h) => ({ ...h, status: h.status === 'deployed' ? 'superseded' : h.status })),
      ...(previous && upgrading ? [{ revision: previous.revision, status: 'superseded', chart: previous.chart, app_version: previous.app_version, updated: previous.updated, description: previous.description ?? '' }] : []),
    ],
  };
  write(done);
  if (upgrading) out(`Release "${name}" has been upgraded. Happy Helming!`);
  printReleaseHeader(done);
  const notes = notesFor(chart.name);
  if (notes) {
    out('NOTES:');
    out(notes);
  }
  return 0;
}

/** @param {HelmRelease} rel */
function statusJson(rel) {
  const [chartName, chartVersion] = splitChart(rel.chart);
  return {
    name: rel.name,
    info: {
      first_deployed: nanoTime(rel.first_deployed ?? rel.updated),
      last_deployed: nanoTime(rel.updated),
      deleted: '',
      description: rel.description ?? (rel.status === 'deployed' ? 'Install complete' : ''),
      status: rel.status,
      notes: notesFor(chartName),
    },
    chart: {
      metadata: { name: chartName, home: chartName === 'longhorn' ? 'https://github.com/longhorn/longhorn' : '', version: chartVersion, appVersion: rel.app_version, apiVersion: 'v2', type: 'application' },
      lock: null,
      templates: [],
      values: {},
      schema: null,
      files: [],
    },
    config: rel.values ?? {},
    manifest: rel.manifest ?? '',
    version: rel.revision,
    namespace: rel.namespace,
  };
}

/** 'longhorn-1.12.1' -> ['longhorn', '1.12.1'] @param {string} chart @returns {[string, string]} */
function splitChart(chart) {
  const m = /^(.*)-(v?\d[^-]*(?:-[^-]+)?)$/.exec(chart);
  return m ? [/** @type {string} */ (m[1]), /** @type {string} */ (m[2])] : [chart, ''];
}

/** @param {string[]} args */
async function cmdStatus(args) {
  const p = parseArgs('status', args);
  const [name] = p.positional;
  if (!name) throw new Fail('Error: "helm status" requires 1 argument\n\nUsage:  helm status RELEASE_NAME [flags]');
  await ensureReachable();
  const rel = state.releases[`${namespaceOf(p)}/${name}`];
  if (!rel || rel.status === 'uninstalled') throw new Fail('Error: release: not found');
  const o = p.get('-o', '--output') ?? 'table';
  // Whatever the release status, `helm status` succeeds: read info.status.
  if (o === 'json') out(JSON.stringify(statusJson(rel)));
  else if (o === 'yaml') process.stdout.write(YAML.stringify(statusJson(rel)));
  else {
    printReleaseHeader(rel);
    const notes = notesFor(splitChart(rel.chart)[0]);
    if (notes) {
      out('NOTES:');
      out(notes);
    }
  }
  return 0;
}

/** @param {string[]} args */
async function cmdList(args) {
  const p = parseArgs('list', args);
  await ensureReachable();
  const allNs = p.has('-A', '--all-namespaces');
  const ns = namespaceOf(p);
  /** @type {string[]} */
  let wanted = [];
  if (p.has('-a', '--all')) wanted = ['deployed', 'failed', 'pending-install', 'pending-upgrade', 'pending-rollback', 'uninstalling', 'uninstalled', 'superseded'];
  else {
    if (p.has('--deployed')) wanted.push('deployed');
    if (p.has('--failed')) wanted.push('failed');
    if (p.has('--pending')) wanted.push('pending-install', 'pending-upgrade', 'pending-rollback');
    if (p.has('--uninstalled')) wanted.push('uninstalled');
    if (p.has('--uninstalling')) wanted.push('uninstalling');
    if (p.has('--superseded')) wanted.push('superseded');
    // By default only deployed and failed releases are listed: pending ones are invisible.
    if (!wanted.length) wanted = ['deployed', 'failed'];
  }
  const filter = p.get('-f', '--filter');
  const re = filter ? new RegExp(filter) : undefined;
  const rels = Object.values(state.releases)
    .filter((r) => (allNs || r.namespace === ns) && wanted.includes(r.status) && (!re || re.test(r.name)))
    .sort((a, b) => a.name.localeCompare(b.name));
  const rows = rels.map((r) => ({ name: r.name, namespace: r.namespace, revision: String(r.revision), updated: listTime(r.updated), status: r.status, chart: r.chart, app_version: r.app_version }));
  const o = p.get('-o', '--output') ?? 'table';
  if (o === 'json') out(JSON.stringify(rows));
  else if (o === 'yaml') process.stdout.write(YAML.stringify(rows));
  else if (p.has('-q', '--short')) for (const r of rows) out(r.name);
  else {
    const header = ['NAME', 'NAMESPACE', 'REVISION', 'UPDATED', 'STATUS', 'CHART', 'APP VERSION'];
    const table = [header, ...rows.map((r) => [r.name, r.namespace, r.revision, r.updated, r.status, r.chart, r.app_version])];
    const widths = header.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
    for (const row of table) out(row.map((c, i) => (i === row.length - 1 ? c : (c ?? '').padEnd(widths[i] ?? 0) + '\t')).join(''));
  }
  return 0;
}

/** @param {string[]} args */
async function cmdGet(args) {
  const [what, ...rest] = args;
  if (what !== 'values') throw new Fail(`Error: fake helm: "helm get ${what ?? ''}" is not supported by the fake`);
  const p = parseArgs('get', rest);
  const [name] = p.positional;
  if (!name) throw new Fail('Error: "helm get values" requires 1 argument\n\nUsage:  helm get values RELEASE_NAME [flags]');
  await ensureReachable();
  const rel = state.releases[`${namespaceOf(p)}/${name}`];
  if (!rel || rel.status === 'uninstalled') throw new Fail('Error: release: not found');
  const values = rel.values && Object.keys(rel.values).length ? rel.values : null;
  const o = p.get('-o', '--output') ?? 'table';
  if (o === 'json') out(JSON.stringify(values));
  else if (o === 'yaml') process.stdout.write(values ? YAML.stringify(values) : 'null\n');
  else {
    out(p.has('-a', '--all') ? 'COMPUTED VALUES:' : 'USER-SUPPLIED VALUES:');
    process.stdout.write(values ? YAML.stringify(values) : 'null\n');
  }
  return 0;
}

/** @param {string[]} args */
async function cmdUninstall(args) {
  const p = parseArgs('uninstall', args);
  const names = p.positional;
  if (!names.length) throw new Fail('Error: "helm uninstall" requires at least 1 argument\n\nUsage:  helm uninstall RELEASE_NAME [...] [flags]');
  await ensureReachable();
  const ns = namespaceOf(p);
  for (const name of names) {
    const key = `${ns}/${name}`;
    const rel = state.releases[key];
    if (!rel || rel.status === 'uninstalled') {
      if (p.has('--ignore-not-found')) continue;
      throw new Fail(`Error: uninstall: Release not loaded: ${name}: release: not found`);
    }
    if (p.has('--dry-run')) {
      out(`release "${name}" uninstalled`);
      continue;
    }
    const failure = state.quirks.uninstallFails;
    if (failure) throw new Fail(failure.stderr ?? `Error: failed to delete release: ${name}`, failure.exitCode ?? 1);
    if (rel.chart.startsWith('longhorn-') && !p.has('--no-hooks') && (await readDeletingConfirmationFlag(ns)) !== 'true') {
      // The chart's pre-delete hook (longhorn-uninstall job) refuses while the flag is false.
      throw new Fail(`Error: warning: Hook pre-delete longhorn/templates/uninstall-job.yaml failed: job longhorn-uninstall failed: BackoffLimitExceeded`);
    }
    await removeFromCluster(ns, rel);
    save((s) => {
      if (p.has('--keep-history')) {
        const r = s.releases[key];
        if (r) {
          r.status = 'uninstalled';
          r.description = 'Uninstallation complete';
        }
      } else delete s.releases[key];
    });
    out(`release "${name}" uninstalled`);
  }
  return 0;
}

/** @param {string[]} args */
async function cmdRepo(args) {
  const [sub, ...rest] = args;
  const p = parseArgs('repo', rest);
  if (sub === 'add') {
    const [name, url] = p.positional;
    if (!name || !url) throw new Fail('Error: "helm repo add" requires 2 arguments\n\nUsage:  helm repo add [NAME] [URL] [flags]');
    const current = state.repos[name];
    if (current === url && !p.has('--force-update')) {
      out(`"${name}" already exists with the same configuration, skipping`);
      return 0;
    }
    if (current && current !== url && !p.has('--force-update')) throw new Fail(`Error: repository name (${name}) already exists, please specify a different name`);
    save((s) => {
      s.repos[name] = url;
    });
    out(`"${name}" has been added to your repositories`);
    return 0;
  }
  if (sub === 'update' || sub === 'up') {
    const names = Object.keys(state.repos);
    if (!names.length) throw new Fail('Error: no repositories found. You must add one before updating');
    const only = p.positional;
    for (const n of only) if (!state.repos[n]) throw new Fail(`Error: no repositories found matching '${n}'.  Nothing will be updated`);
    out('Hang tight while we grab the latest from your chart repositories...');
    for (const n of only.length ? only : names) out(`...Successfully got an update from the "${n}" chart repository`);
    out('Update Complete. ⎈Happy Helming!⎈');
    return 0;
  }
  if (sub === 'list' || sub === 'ls') {
    const rows = Object.entries(state.repos).map(([name, url]) => ({ name, url }));
    if (!rows.length) throw new Fail('Error: no repositories to show');
    if ((p.get('-o', '--output') ?? 'table') === 'json') out(JSON.stringify(rows));
    else {
      const w = Math.max(4, ...rows.map((r) => r.name.length));
      out(`${'NAME'.padEnd(w)}\tURL`);
      for (const r of rows) out(`${r.name.padEnd(w)}\t${r.url}`);
    }
    return 0;
  }
  if (sub === 'remove' || sub === 'rm') {
    for (const n of p.positional) {
      if (!state.repos[n]) throw new Fail(`Error: no repo named "${n}" found`);
      save((s) => {
        delete s.repos[n];
      });
      out(`"${n}" has been removed from your repositories`);
    }
    return 0;
  }
  throw new Fail(`Error: unknown command "${sub ?? ''}" for "helm repo"`);
}

/** @param {string[]} args */
async function cmdHistory(args) {
  const p = parseArgs('history', args);
  const [name] = p.positional;
  await ensureReachable();
  const rel = state.releases[`${namespaceOf(p)}/${name}`];
  if (!rel) throw new Fail('Error: release: not found');
  const rows = [...(rel.history ?? []), { revision: rel.revision, status: rel.status, chart: rel.chart, app_version: rel.app_version, updated: rel.updated, description: rel.description ?? '' }];
  if ((p.get('-o', '--output') ?? 'table') === 'json') out(JSON.stringify(rows.map((r) => ({ ...r, updated: nanoTime(r.updated) }))));
  else {
    out('REVISION\tUPDATED                 \tSTATUS    \tCHART          \tAPP VERSION\tDESCRIPTION');
    for (const r of rows) out(`${String(r.revision).padEnd(8)}\t${ansic(r.updated)}\t${r.status.padEnd(10)}\t${r.chart.padEnd(15)}\t${r.app_version.padEnd(11)}\t${r.description}`);
  }
  return 0;
}

/** @param {string[]} args @returns {Promise<number>} */
async function main(args) {
  // Global flags may precede the command (`helm --kubeconfig=X upgrade ...`).
  let i = 0;
  while (i < args.length && /** @type {string} */ (args[i]).startsWith('-')) {
    const a = /** @type {string} */ (args[i]);
    const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    if (name === '--help' || name === '-h') break;
    if (VALUE_FLAGS.has(name) && !a.includes('=')) i += 2;
    else i += 1;
  }
  const command = args[i];
  const rest = [...args.slice(0, i), ...args.slice(i + 1)];
  switch (command) {
    case 'version':
      return cmdVersion(rest);
    case 'upgrade':
      return cmdUpgrade('upgrade', rest);
    case 'install':
      return cmdUpgrade('install', rest);
    case 'status':
      return cmdStatus(rest);
    case 'list':
    case 'ls':
      return cmdList(rest);
    case 'get':
      return cmdGet(rest);
    case 'uninstall':
    case 'delete':
    case 'del':
    case 'un':
      return cmdUninstall(rest);
    case 'repo':
      return cmdRepo(rest);
    case 'history':
    case 'hist':
      return cmdHistory(rest);
    case undefined:
      out('The Kubernetes package manager');
      out('');
      out('Usage:');
      out('  helm [command]');
      return 0;
    default:
      throw new Fail(`Error: unknown command "${command}" for "helm"\nRun 'helm --help' for usage.`);
  }
}

main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    if (e instanceof Fail) {
      err(e.message);
      process.exitCode = e.code;
    } else if (e instanceof KubeUnreachable) {
      err(`Error: Kubernetes cluster unreachable: ${e.message}`);
      process.exitCode = 1;
    } else {
      err(`fake helm: internal error: ${e?.stack ?? e}`);
      process.exitCode = 70;
    }
  },
);
