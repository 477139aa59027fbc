// A throw-away world for running the real CLI: an isolated HOME, a bin/ with the fake
// `microk8s` and/or `helm` (each opt-in, so "not installed" is a test too), their state files,
// and optionally a fake API server with a kubeconfig pointing at it.
//
//   const sb = await createSandbox({ microk8s: { addons: {...} }, helm: true, api: true });
//   const r = await sb.run(['install', 'hostpath']);       // node bin/k8s-storage.cjs install hostpath
//   expect(r.exitCode).toBe(0);
//   expect(sb.readMicrok8sState().calls.at(-1).argv).toEqual([...]);
//   await sb.cleanup();
//
// PATH holds only the sandbox bin/ and a view of the system directories without any real
// microk8s, helm or kubectl (this machine has /usr/bin/kubectl), so the CLI can only ever
// reach the fakes.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { startFakeApiServer } from '../fakes/apiserver.mjs';
import { defaultMicrok8sState } from '../fakes/lib/microk8s-state.mjs';
import { defaultHelmState } from '../fakes/lib/helm-state.mjs';
import { deepMerge, readState, updateState, writeState } from '../fakes/lib/state-file.mjs';
import { realTools, sharedChart } from './real-tools.mjs';

/** @typedef {import('../fakes/lib/microk8s-state.mjs').Microk8sState} Microk8sState */
/** @typedef {import('../fakes/lib/helm-state.mjs').HelmState} HelmState */
/** @typedef {import('../fakes/apiserver.mjs').FakeApiServer} FakeApiServer */
/** @typedef {import('../fakes/apiserver.mjs').FakeApiServerOptions} FakeApiServerOptions */

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** The real CLI entry point (it may not exist yet while src/ is being written). */
export const CLI_PATH = join(REPO, 'bin', 'k8s-storage.cjs');
/**
 * The CLI under test: `node bin/k8s-storage.cjs` by default, or the executable named by
 * K8S_STORAGE_TEST_BINARY (the single executable; .ci/run runs the CLI suite both ways).
 */
export const TEST_BINARY = process.env.K8S_STORAGE_TEST_BINARY || undefined;

/** How to start the CLI with these arguments. @param {string[]} args @returns {{file: string, args: string[]}} */
export function cliInvocation(args) {
  return TEST_BINARY ? { file: TEST_BINARY, args } : { file: process.execPath, args: [CLI_PATH, ...args] };
}
export const FAKE_BIN_DIR = join(REPO, 'test', 'fakes', 'bin');

/** Names that must never resolve to a real binary inside a sandbox. */
const SHADOWED = new Set(['sudo', 'microk8s', 'microk8s.kubectl', 'microk8s.helm3', 'microk8s.helm', 'helm', 'helm3', 'kubectl', 'longhornctl', 'k8s-storage', 'kubectl-storage']);

let systemBinCache = /** @type {string | undefined} */ (undefined);

/**
 * The system part of PATH: node's directory, /usr/bin and /bin, unless one of them holds a real
 * microk8s/helm/kubectl; then a directory of symlinks to everything else in them. That
 * directory is named after its content and shared by every test process (built in a temp
 * directory and renamed into place), so nothing piles up in /tmp.
 */
function systemPath() {
  if (systemBinCache) return systemBinCache;
  const dirs = [...new Set([dirname(process.execPath), '/usr/bin', '/bin'].filter(existsSync).map((d) => realpathSync(d)))];
  /** @type {Map<string, string>} name -> target */
  const entries = new Map();
  let polluted = false;
  for (const d of dirs) {
    for (const n of readdirSync(d)) {
      if (SHADOWED.has(n) || n.startsWith('kubectl-')) {
        polluted = true;
        continue;
      }
      if (!entries.has(n)) entries.set(n, join(d, n));
    }
  }
  if (!polluted) return (systemBinCache = dirs.join(':'));
  const hash = createHash('sha256').update(JSON.stringify([...entries])).digest('hex').slice(0, 12);
  const view = join(tmpdir(), `k8s-storage-sysbin-${process.getuid?.() ?? 0}-${hash}`);
  if (!existsSync(view)) {
    const building = mkdtempSync(`${view}.building-`);
    for (const [n, target] of entries) {
      try {
        symlinkSync(target, join(building, n));
      } catch {}
    }
    try {
      renameSync(building, view);
    } catch {
      // Another process won the race; use theirs.
      rmSync(building, { recursive: true, force: true });
    }
  }
  return (systemBinCache = view);
}

/**
 * @typedef {object} SandboxOptions
 * @property {boolean | Record<string, any>} [microk8s]  install the fake microk8s (partial state, deep-merged over defaults)
 * @property {boolean | Record<string, any>} [helm]      install the fake helm (partial state)
 * @property {boolean | FakeApiServerOptions} [api]       start a fake API server (and link both fakes to it via `apiServer`)
 * @property {boolean | {path?: string, namespace?: string, token?: string}} [kubeconfig]
 *           write a kubeconfig for the API server: default $HOME/.kube/config when `api` is set;
 *           with `path`, written there and exported as KUBECONFIG; `false` for none
 * @property {Record<string, string>} [env]  extra environment for every run
 */

/**
 * @typedef {object} RunOptions
 * @property {string} [input]     stdin content (default: empty, closed stdin)
 * @property {Record<string, string | undefined>} [env]  extra/overriding env (undefined removes)
 * @property {number} [timeoutMs] default 20000
 * @property {string} [cwd]       default the sandbox HOME
 * @property {string} [program]   run this JS file with node instead of the CLI (to test the harness itself)
 */

/**
 * @typedef {object} RunResult
 * @property {number | undefined} exitCode
 * @property {string | undefined} signal  set when the process died from a signal
 * @property {string} stdout  exact output (trailing newline kept)
 * @property {string} stderr
 * @property {boolean} timedOut
 */

/** @param {SandboxOptions} [opts] */
export async function createSandbox(opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-storage-sandbox-'));
  const home = join(dir, 'home');
  const binDir = join(dir, 'bin');
  const stateDir = join(dir, 'state');
  for (const d of [home, binDir, stateDir, join(dir, 'tmp')]) mkdirSync(d, { recursive: true });

  /** @type {FakeApiServer | undefined} */
  let api;
  if (opts.api) api = await startFakeApiServer(opts.api === true ? {} : opts.api);

  const microk8sStatePath = join(stateDir, 'microk8s.json');
  const helmStatePath = join(stateDir, 'helm.json');
  if (opts.microk8s) {
    symlinkSync(join(FAKE_BIN_DIR, 'microk8s'), join(binDir, 'microk8s'));
    // connect-external-ceph needs root: a fake sudo that never asks (never the real one).
    symlinkSync(join(FAKE_BIN_DIR, 'sudo'), join(binDir, 'sudo'));
    const partial = opts.microk8s === true ? {} : opts.microk8s;
    const s = deepMerge(defaultMicrok8sState(), partial);
    if (api && !('apiServer' in partial)) s.apiServer = api.url;
    writeState(microk8sStatePath, s);
  }
  if (opts.helm) {
    symlinkSync(join(FAKE_BIN_DIR, 'helm'), join(binDir, 'helm'));
    const partial = opts.helm === true ? {} : opts.helm;
    const s = deepMerge(defaultHelmState(), partial);
    if (api && !('apiServer' in partial)) s.apiServer = api.url;
    if (!('realHelm' in partial)) Object.assign(s, realChartsForFakeHelm());
    writeState(helmStatePath, s);
  }

  /** @type {string | undefined} */
  let kubeconfigPath;
  let exportKubeconfig = false;
  const kc = opts.kubeconfig ?? (api ? true : false);
  if (kc && api) {
    const o = kc === true ? {} : kc;
    kubeconfigPath = o.path ?? join(home, '.kube', 'config');
    exportKubeconfig = !!o.path;
    mkdirSync(dirname(kubeconfigPath), { recursive: true });
    writeFileSync(kubeconfigPath, api.kubeconfig({ namespace: o.namespace, token: o.token }));
  }

  /** @type {Record<string, string>} */
  const env = {
    PATH: `${binDir}:${systemPath()}`,
    HOME: home,
    USER: 'tester',
    TMPDIR: join(dir, 'tmp'),
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    ...(opts.microk8s ? { FAKE_MICROK8S_STATE: microk8sStatePath } : {}),
    ...(opts.helm ? { FAKE_HELM_STATE: helmStatePath } : {}),
    ...(exportKubeconfig && kubeconfigPath ? { KUBECONFIG: kubeconfigPath } : {}),
    ...(opts.env ?? {}),
  };

  /** @param {RunOptions} o */
  const envFor = (o) => {
    /** @type {Record<string, string>} */
    const e = { ...env };
    for (const [k, v] of Object.entries(o.env ?? {})) {
      if (v === undefined) delete e[k];
      else e[k] = v;
    }
    return e;
  };

  /**
   * Spawn in the sandbox, in a process group of its own. A CLI may leave children behind (a
   * hung helm): they would keep stdout open and the run would never end, so the whole group is
   * killed on timeout and shortly after the main process exits.
   * @param {string} file @param {string[]} args @param {RunOptions} o
   * @param {{afterMs?: number, afterCondition?: () => boolean, afterStderrMatch?: string|RegExp, afterStdoutMatch?: string|RegExp, signal?: NodeJS.Signals, target?: 'group'|'process'}} [plan]
   */
  const spawnInSandbox = async (file, args, o, plan) => {
    const proc = execa(file, args, {
      env: envFor(o),
      extendEnv: false,
      reject: false,
      input: o.input ?? '',
      cwd: o.cwd ?? home,
      stripFinalNewline: false,
      detached: true,
    });
    const pid = proc.pid;
    /** @param {NodeJS.Signals} sig */
    const killGroup = (sig) => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, sig);
      } catch {}
    };
    let timedOut = false;
    const timeout = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), 1000).unref();
    }, o.timeoutMs ?? 20_000);
    proc.on('exit', () => setTimeout(() => killGroup('SIGKILL'), 1000).unref());

    let signalSent = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let signalTimer;
    if (plan) {
      const signal = plan.signal ?? 'SIGINT';
      const send = () => {
        if (signalSent || pid === undefined) return;
        signalSent = true;
        if ((plan.target ?? 'group') === 'group') killGroup(signal);
        else proc.kill(signal);
      };
      /** @param {import('node:stream').Readable | null} stream @param {string|RegExp|undefined} pattern */
      const watchFor = (stream, pattern) => {
        if (!stream || pattern === undefined) return;
        let seen = '';
        stream.on('data', (chunk) => {
          seen += chunk.toString();
          if (typeof pattern === 'string' ? seen.includes(pattern) : pattern.test(seen)) send();
        });
      };
      watchFor(proc.stderr, plan.afterStderrMatch);
      watchFor(proc.stdout, plan.afterStdoutMatch);
      if (plan.afterMs !== undefined) signalTimer = setTimeout(send, plan.afterMs);
      // A state of the fakes (in this process) rather than a text: e.g. "the exec has reached the server".
      if (plan.afterCondition) {
        const condition = plan.afterCondition;
        let sentAt = 0;
        const poll = setInterval(() => {
          if (signalSent) clearInterval(poll);
          else if (condition()) {
            clearInterval(poll);
            sentAt = Date.now();
            send();
          }
        }, 10);
        // Between the state being reached and the signal landing (a 10 ms poll, then the CLI's
        // event loop), a fast CLI could finish the next steps, or the whole run, on a busy
        // machine. So the requests it sends in that window are held until the signal has surely
        // arrived: the interruption lands at the state asked for, not somewhere after it.
        const hold = api?.faults.delay({ predicate: () => (signalSent ? Date.now() - sentAt < 100 : condition()) }, 150);
        proc.finally(() => {
          clearInterval(poll);
          hold?.remove();
        }).catch(() => {});
      }
    }
    const r = await proc;
    clearTimeout(timeout);
    if (signalTimer) clearTimeout(signalTimer);
    return { exitCode: r.exitCode, signal: r.signal, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), timedOut, signalSent };
  };

  /**
   * Run any program inside the sandbox (e.g. `sb.exec('microk8s', ['status'])`).
   * @param {string} file @param {string[]} args @param {RunOptions} [o] @returns {Promise<RunResult>}
   */
  const exec = async (file, args, o = {}) => {
    const { signalSent, ...r } = await spawnInSandbox(file, args, o);
    return r;
  };

  /** @param {string[]} args @param {RunOptions} o */
  const invocation = (args, o) => (o.program ? { file: process.execPath, args: [o.program, ...args] } : cliInvocation(args));

  /** Run the real CLI (see cliInvocation). @param {string[]} args @param {RunOptions} [o] */
  const run = (args, o = {}) => {
    const { file, args: argv } = invocation(args, o);
    return exec(file, argv, o);
  };

  /**
   * Run the CLI and send it a signal (Ctrl-C by default) after a delay or once its output
   * matches. By default the signal goes to the whole process group, like a terminal's Ctrl-C
   * (so a helm or microk8s child gets it too); `target: 'process'` signals the CLI alone.
   * @param {string[]} args
   * @param {RunOptions & {afterMs?: number, afterCondition?: () => boolean, afterStderrMatch?: string|RegExp, afterStdoutMatch?: string|RegExp, signal?: NodeJS.Signals, target?: 'group'|'process'}} o
   * @returns {Promise<RunResult & {signalSent: boolean}>}
   */
  const runWithSignalImpl = (args, o) => {
    const { file, args: argv } = invocation(args, o);
    return spawnInSandbox(file, argv, o, o);
  };

  const sandbox = {
    dir,
    home,
    binDir,
    /** The environment every run gets (copy it, do not mutate). */
    env,
    kubeconfigPath,
    api,
    microk8sStatePath,
    helmStatePath,
    /** @returns {Microk8sState} */
    readMicrok8sState: () => /** @type {Microk8sState} */ (readState(microk8sStatePath, defaultMicrok8sState)),
    /** @returns {HelmState} */
    readHelmState: () => /** @type {HelmState} */ (readState(helmStatePath, defaultHelmState)),
    /** Deep-merge a partial state into the microk8s state file. @param {Record<string, any>} partial */
    writeMicrok8sState: (partial) => updateState(microk8sStatePath, defaultMicrok8sState, (s) => Object.assign(s, deepMerge(s, partial))),
    /** Deep-merge a partial state into the helm state file. @param {Record<string, any>} partial */
    writeHelmState: (partial) => updateState(helmStatePath, defaultHelmState, (s) => Object.assign(s, deepMerge(s, partial))),
    run,
    exec,
    runWithSignal: runWithSignalImpl,
    /** Stop the API server, kill fake processes still running (e.g. a hung helm), delete the directory. */
    async cleanup() {
      await api?.close();
      for (const file of [microk8sStatePath, helmStatePath]) {
        if (!existsSync(file)) continue;
        let calls = [];
        try {
          calls = JSON.parse(readFileSync(file, 'utf8')).calls ?? [];
        } catch {}
        for (const c of calls) killIfFake(c.pid, dir);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return sandbox;
}

/**
 * The real helm and the real charts of ../shared/charts, for the fake helm to render them
 * (lib/real-chart.mjs). Without ../shared or the helm package, the fake renders nothing and
 * accepts any value, as before.
 */
function realChartsForFakeHelm() {
  const tools = realTools();
  /** @type {Record<string, string>} */
  const chartDirs = {};
  for (const [ref, folder, version] of [['longhorn/longhorn', 'longhorn-1.12.1', '1.12.1'], ['csi-driver-nfs/csi-driver-nfs', 'csi-driver-nfs-4.13.4', '4.13.4']]) {
    const dir = sharedChart(/** @type {string} */ (folder));
    if (dir) chartDirs[`${ref}@${version}`] = dir;
  }
  if ('missing' in tools || !Object.keys(chartDirs).length) return { realHelm: null, chartDirs: {} };
  return { realHelm: tools.helm, chartDirs };
}

/**
 * Kill a leftover fake binary by pid, after checking the pid still belongs to one of ours
 * (its command line names this sandbox or the fakes directory).
 * @param {number} pid @param {string} dir
 */
function killIfFake(pid, dir) {
  if (!pid || pid === process.pid) return;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes(FAKE_BIN_DIR) || cmdline.includes(dir)) process.kill(pid, 'SIGKILL');
  } catch {}
}

/**
 * Standalone form of `sandbox.runWithSignal`.
 * @param {Awaited<ReturnType<typeof createSandbox>>} sandbox
 * @param {string[]} args
 * @param {Parameters<Awaited<ReturnType<typeof createSandbox>>['runWithSignal']>[1]} opts
 */
export function runWithSignal(sandbox, args, opts) {
  return sandbox.runWithSignal(args, opts);
}

/** @typedef {Awaited<ReturnType<typeof createSandbox>>} Sandbox */
