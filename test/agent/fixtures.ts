/**
 * Test fixtures for agent/node-agent.sh.
 *
 * A fixture is a temp dir holding:
 *   root/   the host's files, passed to the agent as AGENT_ROOT (etc/os-release, proc/...);
 *   state/  what the fake commands answer from and the argv log they append to;
 *   bin/    the fake commands (one multi-call sh script, symlinked under each name).
 * The agent runs with PATH=bin:sysbin and nothing else in its environment, where sysbin
 * holds symlinks to only the few real utilities the agent may use (awk, sed, ...): a
 * dependency on anything else (jq, python, an absolute path) makes the tests fail.
 */
import { execa, execaSync } from 'execa';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const AGENT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'agent', 'node-agent.sh');

/** Real utilities the agent (and the fakes) may use. Everything else must be a fake. */
export const SYS_UTILS = ['awk', 'sed', 'grep', 'tr', 'sort', 'tail', 'cat', 'mkdir', 'mv', 'rm', 'env'] as const;

/** Commands faked by bin/fake. */
export const FAKE_COMMANDS = [
  'dpkg-query', 'rpm', 'pacman', 'apt-get', 'dnf', 'yum', 'zypper', 'systemctl', 'modprobe',
  'uname', 'df', 'snap', 'hostname', 'findmnt', 'mount', 'blkid',
] as const;
export type FakeCommand = (typeof FAKE_COMMANDS)[number];

// ------------------------------------------------------------------------------------------
// Shell variants
// ------------------------------------------------------------------------------------------

export interface ShellVariant {
  name: string;
  /** Absolute path of the shell binary. */
  cmd: string;
  /** Arguments before the script (busybox needs "sh"). */
  pre: string[];
  /** Whether sysbin links to busybox applets instead of the host's utilities. */
  busyboxApplets: boolean;
  /** Set when the variant cannot run here; the suite is skipped with this reason. */
  skip?: string;
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

export function shellVariants(): ShellVariant[] {
  const variants: ShellVariant[] = [{ name: 'sh', cmd: '/bin/sh', pre: [], busyboxApplets: false }];
  const dash = '/bin/dash';
  let dashSkip: string | undefined;
  if (!existsSync(dash)) dashSkip = '/bin/dash does not exist on this machine';
  else if (realpathSync('/bin/sh') === realpathSync(dash)) dashSkip = '/bin/sh is dash here: the sh variant already runs it';
  variants.push({ name: 'dash', cmd: dash, pre: [], busyboxApplets: false, ...(dashSkip ? { skip: dashSkip } : {}) });
  // /bin/sh is bash on RHEL, SUSE and Arch hosts.
  const bash = existsSync('/bin/bash') ? '/bin/bash' : findOnPath('bash');
  variants.push(
    bash
      ? { name: 'bash --posix', cmd: bash, pre: ['--posix'], busyboxApplets: false }
      : { name: 'bash --posix', cmd: 'bash', pre: ['--posix'], busyboxApplets: false, skip: 'bash is not installed' },
  );
  const busybox = findOnPath('busybox');
  if (!busybox) {
    variants.push({ name: 'busybox ash', cmd: 'busybox', pre: ['sh'], busyboxApplets: true, skip: 'busybox is not installed (apt-get install busybox to run this variant)' });
  } else {
    const list = readBusyboxApplets(busybox);
    const missing = ['sh', ...SYS_UTILS].filter((u) => !list.has(u));
    variants.push(
      missing.length
        ? { name: 'busybox ash', cmd: busybox, pre: ['sh'], busyboxApplets: true, skip: `this busybox lacks the applets ${missing.join(', ')}` }
        : { name: 'busybox ash', cmd: busybox, pre: ['sh'], busyboxApplets: true },
    );
  }
  return variants;
}

function readBusyboxApplets(busybox: string): Set<string> {
  try {
    // Synchronous on purpose: the variants are computed while the tests are collected.
    const out = execaSync(busybox, ["--list"], { reject: true }).stdout;
    return new Set(out.split("\n").map((l) => l.trim()).filter(Boolean));
  } catch {
    return new Set();
  }
}

// ------------------------------------------------------------------------------------------
// sysbin: symlinks to the allowed real utilities
// ------------------------------------------------------------------------------------------

const sysbinCache = new Map<string, string>();
let scratch: string | undefined;

function scratchDir(): string {
  if (!scratch) scratch = mkdtempSync(join(tmpdir(), 'k8s-storage-agent-'));
  return scratch;
}

/** A directory of symlinks to the allowed utilities (host's or busybox applets), minus `omit`. */
export function sysbin(shell: ShellVariant, omit: readonly string[] = []): string {
  const key = `${shell.name}|${[...omit].sort().join(',')}`;
  const cached = sysbinCache.get(key);
  if (cached) return cached;
  const dir = mkdtempSync(join(scratchDir(), 'sysbin-'));
  for (const util of SYS_UTILS) {
    if (omit.includes(util)) continue;
    const target = shell.busyboxApplets ? realpathSync(findOnPath('busybox')!) : findOnPath(util);
    if (!target) throw new Error(`utility ${util} not found on the test machine`);
    symlinkSync(target, join(dir, util));
  }
  sysbinCache.set(key, dir);
  return dir;
}

export function cleanupScratch(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
  sysbinCache.clear();
}

// ------------------------------------------------------------------------------------------
// The fake commands
// ------------------------------------------------------------------------------------------

/*
 * State files (one item per line) read by the fakes:
 *   installed        packages installed (dpkg-query, rpm -q, pacman -Q)
 *   config-files     packages dpkg reports as "deinstall ok config-files"
 *   unavailable      packages an install cannot find (the whole transaction fails)
 *   active           systemd units that are active
 *   systemctl-fail   units "systemctl enable --now" fails for
 *   modprobe-fail    modules modprobe fails for
 *   kernel           uname -r;  hostname: hostname (absent -> hostname fails)
 *   df-avail         available KiB that df -Pk reports (absent -> df fails)
 *   pacman-stale-db  when present, pacman -S fails with "target not found"
 *   log              argv of every fake call, tab-separated, one call a line
 *   apt-env          DEBIAN_FRONTEND seen by each apt-get call
 */
const FAKE_SCRIPT = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "fake-command.sh"), "utf8");

// ------------------------------------------------------------------------------------------
// Fixtures
// ------------------------------------------------------------------------------------------

export interface FixtureOptions {
  /** Content of etc/os-release; null leaves it out. */
  osRelease: string | null;
  kernel?: string;
  /** null: the hostname command fails. */
  hostname?: string | null;
  /** etc/hostname content (fallback when the hostname command fails). */
  etcHostname?: string;
  installed?: string[];
  configFiles?: string[];
  unavailable?: string[];
  active?: string[];
  systemctlFail?: string[];
  /** Modules listed in proc/modules. */
  loaded?: string[];
  /** Lines of lib/modules/<kernel>/modules.builtin. */
  builtin?: string[];
  /** etc/modules-load.d/<file> -> content. */
  modulesLoad?: Record<string, string>;
  /** boot/config-<kernel>; null leaves it out. */
  kernelConfig?: string | null;
  multipathConf?: string;
  /** Whether the "/" line of proc/self/mountinfo has shared:N. */
  rootShared?: boolean;
  /** Available KiB at the data path; null makes df fail. */
  dfAvailKiB?: number | null;
  /** MemAvailable in KiB; null leaves the line out (MemFree/Buffers/Cached remain). */
  memAvailableKiB?: number | null;
  microk8s?: boolean;
  /** Create /var/lib/kubelet. */
  kubeletDir?: boolean;
  /** Extra directories to create under root. */
  dirs?: string[];
  modprobeFail?: string[];
  pacmanStaleDb?: boolean;
  /** Put the fixture (so AGENT_ROOT and PATH) under a directory name with spaces. */
  spaceInPath?: boolean;
  /** Fake commands left off PATH (e.g. dnf on CentOS 7). */
  omitCommands?: readonly FakeCommand[];
  /** Block devices under sys/block (and their udev data); undefined: no sys/block at all. */
  disks?: DiskFixture[];
  /** uname -m (default x86_64). */
  machine?: string;
  /** proc/cpuinfo: that many processors with these flags; null leaves the file out. */
  cpu?: { cores: number; flags: string[] } | null;
  /** sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages; null leaves it out. */
  hugepages?: number | null;
  /** etc/sysctl.d/<file> (or 'sysctl.conf' for etc/sysctl.conf) -> content. */
  sysctl?: Record<string, string>;
  /** blkid fails (exit 4) instead of probing. */
  blkidFails?: boolean;
}

export interface DiskFixture {
  name: string;
  sizeGiB: number;
  /** Partition names (sys/block/NAME/NAME1/partition). */
  partitions?: string[];
  /** ID_FS_TYPE in udev's database. */
  fsType?: string;
  /** ID_PART_TABLE_TYPE in udev's database. */
  partTable?: string;
  holders?: string[];
  readOnly?: boolean;
  /** false: no udev database entry (the agent asks blkid). */
  udev?: boolean;
  /** What the fake blkid finds when there is no udev entry. */
  blkidType?: string;
  mounted?: boolean;
}

export const GIB_KIB = 1024 * 1024;
export const DEFAULT_KERNEL = '6.8.0-45-generic';
export const NFS_CONFIG = 'CONFIG_NFS_FS=m\nCONFIG_NFS_V3=y\nCONFIG_NFS_V4=m\nCONFIG_NFS_V4_1=y\nCONFIG_NFS_V4_2=y\n';

export interface LogEntry {
  cmd: string;
  args: string[];
}

export class Fixture {
  readonly dir: string;
  readonly root: string;
  readonly state: string;
  readonly bin: string;

  constructor(readonly opts: FixtureOptions) {
    this.dir = mkdtempSync(join(scratchDir(), opts.spaceInPath ? 'fx with spaces-' : 'fx-'));
    this.root = join(this.dir, 'root');
    this.state = join(this.dir, 'state');
    this.bin = join(this.dir, 'bin');
    for (const d of [this.root, this.state, this.bin]) mkdirSync(d, { recursive: true });
    this.build();
  }

  private lines(file: string, items: string[] | undefined): void {
    if (items && items.length) writeFileSync(join(this.state, file), items.map((i) => `${i}\n`).join(''));
  }

  writeRoot(rel: string, content: string): void {
    const p = join(this.root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }

  private build(): void {
    const o = this.opts;
    const kernel = o.kernel ?? DEFAULT_KERNEL;
    // Fakes.
    writeFileSync(join(this.bin, 'fake'), FAKE_SCRIPT, { mode: 0o755 });
    for (const c of FAKE_COMMANDS) {
      if (o.omitCommands?.includes(c)) continue;
      symlinkSync('fake', join(this.bin, c));
    }
    // State.
    writeFileSync(join(this.state, 'log'), '');
    writeFileSync(join(this.state, 'kernel'), `${kernel}\n`);
    if (o.hostname !== null) writeFileSync(join(this.state, 'hostname'), `${o.hostname ?? 'node-1'}\n`);
    this.lines('installed', o.installed);
    this.lines('config-files', o.configFiles);
    this.lines('unavailable', o.unavailable);
    this.lines('active', o.active);
    this.lines('systemctl-fail', o.systemctlFail);
    this.lines('modprobe-fail', o.modprobeFail);
    if (o.dfAvailKiB !== null) writeFileSync(join(this.state, 'df-avail'), `${o.dfAvailKiB ?? 50 * GIB_KIB}\n`);
    if (o.pacmanStaleDb) writeFileSync(join(this.state, 'pacman-stale-db'), '');
    // Root filesystem.
    if (o.osRelease !== null) this.writeRoot('etc/os-release', o.osRelease);
    if (o.etcHostname !== undefined) this.writeRoot('etc/hostname', o.etcHostname);
    this.writeRoot('proc/modules', (o.loaded ?? []).map((m) => `${m} 16384 0 - Live 0x0000000000000000\n`).join(''));
    this.writeRoot(`lib/modules/${kernel}/modules.builtin`, (o.builtin ?? ['kernel/fs/ext4/ext4.ko']).map((l) => `${l}\n`).join(''));
    for (const [file, content] of Object.entries(o.modulesLoad ?? {})) this.writeRoot(`etc/modules-load.d/${file}`, content);
    mkdirSync(join(this.root, 'etc/modules-load.d'), { recursive: true });
    if (o.kernelConfig !== null) this.writeRoot(`boot/config-${kernel}`, o.kernelConfig ?? NFS_CONFIG);
    if (o.multipathConf !== undefined) this.writeRoot('etc/multipath.conf', o.multipathConf);
    const shared = o.rootShared ?? true;
    this.writeRoot(
      'proc/self/mountinfo',
      [
        '22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw',
        `28 1 252:1 / / rw,relatime${shared ? ' shared:1' : ''} - ext4 /dev/vda1 rw,errors=remount-ro`,
        '29 28 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,size=4012345k',
        '',
      ].join('\n'),
    );
    const mem = o.memAvailableKiB === undefined ? 8 * GIB_KIB : o.memAvailableKiB;
    this.writeRoot(
      'proc/meminfo',
      [
        'MemTotal:       16315400 kB',
        'MemFree:          524288 kB',
        ...(mem === null ? [] : [`MemAvailable:   ${String(mem).padStart(9)} kB`]),
        'Buffers:          262144 kB',
        'Cached:           262144 kB',
        '',
      ].join('\n'),
    );
    mkdirSync(join(this.root, 'var/lib'), { recursive: true });
    if (o.microk8s) mkdirSync(join(this.root, 'var/snap/microk8s/common/var/lib/kubelet'), { recursive: true });
    if (o.kubeletDir) mkdirSync(join(this.root, 'var/lib/kubelet'), { recursive: true });
    for (const d of o.dirs ?? []) mkdirSync(join(this.root, d), { recursive: true });
    if (o.machine) writeFileSync(join(this.state, 'machine'), `${o.machine}\n`);
    if (o.blkidFails) writeFileSync(join(this.state, 'blkid-fail'), '');
    const cpu = o.cpu === undefined ? { cores: 4, flags: ['fpu', 'sse4_1', 'sse4_2', 'avx2'] } : o.cpu;
    if (cpu) this.writeRoot('proc/cpuinfo', Array.from({ length: cpu.cores }, (_, i) => `processor\t: ${i}\nvendor_id\t: GenuineIntel\nflags\t\t: ${cpu.flags.join(' ')}\n\n`).join(''));
    if (o.hugepages !== undefined && o.hugepages !== null) this.writeRoot('sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages', `${o.hugepages}\n`);
    for (const [file, content] of Object.entries(o.sysctl ?? {})) this.writeRoot(file === 'sysctl.conf' ? 'etc/sysctl.conf' : `etc/sysctl.d/${file}`, content);
    if (o.disks) {
      mkdirSync(join(this.root, 'sys/block'), { recursive: true });
      const blkid: string[] = [];
      o.disks.forEach((d, i) => {
        const base = `sys/block/${d.name}`;
        const dev = `${8 + i}:0`;
        this.writeRoot(`${base}/size`, `${d.sizeGiB * 2097152}\n`);
        this.writeRoot(`${base}/dev`, `${dev}\n`);
        this.writeRoot(`${base}/ro`, d.readOnly ? '1\n' : '0\n');
        mkdirSync(join(this.root, base, 'holders'), { recursive: true });
        for (const h of d.holders ?? []) mkdirSync(join(this.root, base, 'holders', h), { recursive: true });
        for (const p of d.partitions ?? []) this.writeRoot(`${base}/${p}/partition`, '1\n');
        if (d.udev !== false) {
          this.writeRoot(`run/udev/data/b${dev}`, ['E:DEVTYPE=disk', ...(d.fsType ? [`E:ID_FS_TYPE=${d.fsType}`] : []), ...(d.partTable ? [`E:ID_PART_TABLE_TYPE=${d.partTable}`] : []), ''].join('\n'));
        }
        if (d.blkidType) blkid.push(`${d.name} ${d.blkidType}`);
        if (d.mounted) {
          const mi = readFileSync(join(this.root, 'proc/self/mountinfo'), 'utf8');
          this.writeRoot('proc/self/mountinfo', `${mi}40 28 8:16 / /mnt/${d.name} rw,relatime shared:9 - ext4 /dev/${d.name} rw\n`);
        }
      });
      this.lines('blkid-types', blkid);
    }
  }

  /** Every fake call so far. */
  log(): LogEntry[] {
    return readFileSync(join(this.state, 'log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [cmd, ...args] = line.split('\t');
        return { cmd: cmd!, args };
      });
  }

  readState(file: string): string {
    const p = join(this.state, file);
    return existsSync(p) ? readFileSync(p, 'utf8') : '';
  }

  readRoot(rel: string): string | undefined {
    const p = join(this.root, rel);
    return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
  }
}

// ------------------------------------------------------------------------------------------
// Running the agent
// ------------------------------------------------------------------------------------------

export interface Finding {
  id: string;
  status: 'ok' | 'warning' | 'error';
  message: string;
  remedy: string;
}
export interface Action {
  description: string;
  command: string[];
  exitCode: number;
  output: string;
}
export interface Report {
  schemaVersion: number;
  node: string;
  mode: 'check' | 'prepare';
  target: string;
  os: { id: string; versionId: string; prettyName: string; idLike: string; packageManager: string | null };
  kernel: string;
  microk8s: boolean;
  kubeletRootDir: string | null;
  dataPath: string;
  checks: Finding[];
  actions: Action[];
  disks: { name: string; path: string; sizeBytes: number; raw: boolean; reason: string }[];
  facts: { memAvailableKiB: number | null; diskFreeKiB: number | null; hugepages2MiB: number | null; cpuCores: number | null; sse42: boolean | null; arch: string };
  rebootRequired: boolean;
  kubeletRestartRequired: boolean;
  summary: { ok: number; warning: number; error: number };
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Fake calls made during this run only. */
  calls: LogEntry[];
  report: Report;
}

export interface RunOptions {
  /** Feed the script on stdin (sh -s -- ARGS), as the DaemonSet does. */
  viaStdin?: boolean;
  /** Real utilities to leave off PATH. */
  omitSys?: string[];
  env?: Record<string, string>;
  /** Expect no JSON (bad arguments, internal failure). */
  raw?: boolean;
}

/** Runs the agent; unless `raw`, asserts that stdout is one valid, self-consistent JSON report. */
export async function runAgent(fx: Fixture, shell: ShellVariant, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const before = fx.log().length;
  const env = {
    PATH: `${fx.bin}${delimiter}${sysbin(shell, opts.omitSys)}`,
    AGENT_ROOT: fx.root,
    FAKE_STATE: fx.state,
    ...opts.env,
  };
  const res = opts.viaStdin
    ? await execa(shell.cmd, [...shell.pre, '-s', '--', ...args], { env, extendEnv: false, reject: false, input: readFileSync(AGENT, 'utf8'), stripFinalNewline: false })
    : await execa(shell.cmd, [...shell.pre, AGENT, ...args], { env, extendEnv: false, reject: false, stdin: 'ignore', stripFinalNewline: false });
  const calls = fx.log().slice(before);
  const stdout = String(res.stdout);
  const stderr = String(res.stderr);
  const exitCode = res.exitCode ?? -1;
  if (opts.raw) return { exitCode, stdout, stderr, calls, report: undefined as unknown as Report };
  const report = validateReport(stdout, stderr);
  // The exit status follows the error count.
  expect(exitCode, `exit code vs summary; stderr: ${stderr}`).toBe(report.summary.error > 0 ? 3 : 0);
  return { exitCode, stdout, stderr, calls, report };
}

const CHECK_ID = /^(os|package:[a-z0-9+.-]+|service:(iscsid|multipathd)|module:[a-z0-9_]+|nfs-v4|disk|memory|kernel|mount-propagation|kubelet-root-dir|raw-disks|hugepages|cpu)$/;
export const TARGETS = ['longhorn', 'nfs', 'hostpath', 'ceph', 'openebs', 'openebs-mayastor'];

/** Parses and checks the shape of a report; every run goes through this. */
export function validateReport(stdout: string, stderr = ''): Report {
  expect(stdout.endsWith('\n'), `stdout must end with a newline; stderr: ${stderr}`).toBe(true);
  const lines = stdout.slice(0, -1).split('\n');
  expect(lines, 'stdout must be exactly one line of JSON').toHaveLength(1);
  let report: Report;
  try {
    report = JSON.parse(lines[0]!) as Report;
  } catch (e) {
    throw new Error(`stdout is not valid JSON (${(e as Error).message}): ${stdout}\nstderr: ${stderr}`);
  }
  expect(report.schemaVersion).toBe(1);
  expect(typeof report.node).toBe('string');
  expect(['check', 'prepare']).toContain(report.mode);
  expect(TARGETS).toContain(report.target);
  expect(Array.isArray(report.disks)).toBe(true);
  for (const d of report.disks) {
    expect(Object.keys(d).sort()).toEqual(['name', 'path', 'raw', 'reason', 'sizeBytes']);
    expect(d.raw).toBe(d.reason === '');
  }
  expect(Object.keys(report.facts).sort()).toEqual(['arch', 'cpuCores', 'diskFreeKiB', 'hugepages2MiB', 'memAvailableKiB', 'sse42']);
  expect(Object.keys(report.os).sort()).toEqual(['id', 'idLike', 'packageManager', 'prettyName', 'versionId']);
  expect(typeof report.microk8s).toBe('boolean');
  expect(typeof report.rebootRequired).toBe('boolean');
  expect(typeof report.kubeletRestartRequired).toBe('boolean');
  expect(Array.isArray(report.checks)).toBe(true);
  expect(Array.isArray(report.actions)).toBe(true);
  const counts = { ok: 0, warning: 0, error: 0 };
  const ids = new Set<string>();
  for (const c of report.checks) {
    expect(Object.keys(c).sort()).toEqual(['id', 'message', 'remedy', 'status']);
    expect(c.id).toMatch(CHECK_ID);
    expect(ids.has(c.id), `duplicate check id ${c.id}`).toBe(false);
    ids.add(c.id);
    expect(['ok', 'warning', 'error']).toContain(c.status);
    expect(c.message.length).toBeGreaterThan(0);
    expect(c.remedy).not.toContain('\n');
    if (c.status === 'ok') expect(c.remedy, `ok finding ${c.id} must have an empty remedy`).toBe('');
    else expect(c.remedy.length, `finding ${c.id} needs a remedy`).toBeGreaterThan(0);
    counts[c.status]++;
  }
  expect(report.summary).toEqual(counts);
  for (const a of report.actions) {
    expect(Object.keys(a).sort()).toEqual(['command', 'description', 'exitCode', 'output']);
    expect(Array.isArray(a.command)).toBe(true);
    expect(Number.isInteger(a.exitCode)).toBe(true);
  }
  if (report.mode === 'check') expect(report.actions).toEqual([]);
  return report;
}

export function finding(report: Report, id: string): Finding {
  const f = report.checks.find((c) => c.id === id);
  if (!f) throw new Error(`no finding ${id} in ${report.checks.map((c) => c.id).join(', ')}`);
  return f;
}

export function statuses(report: Report): Record<string, string> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
}

// ------------------------------------------------------------------------------------------
// Command classification for assertions
// ------------------------------------------------------------------------------------------

export const PACKAGE_MANAGERS = new Set(['apt-get', 'dnf', 'yum', 'zypper', 'pacman']);

/** Calls that change the host (package managers except queries, enable, modprobe, mount). */
export function mutatingCalls(calls: LogEntry[]): LogEntry[] {
  return calls.filter((c) => {
    if (c.cmd === 'pacman') return c.args[0] !== '-Q';
    if (PACKAGE_MANAGERS.has(c.cmd)) return true;
    if (c.cmd === 'systemctl') return c.args[0] !== 'is-active';
    return c.cmd === 'modprobe' || c.cmd === 'mount';
  });
}

/** Words that mean a system upgrade, a metadata refresh, a reboot or a restart. */
export const FORBIDDEN_WORDS = [
  'upgrade', 'dist-upgrade', 'full-upgrade', 'update', 'dup', 'refresh', 'ref', 'up', 'patch',
  'makecache', '--refresh', 'reboot', 'restart', 'poweroff', 'shutdown', 'kexec', 'try-restart', 'reload-or-restart',
];

/** Asserts no call upgrades, refreshes, reboots or restarts; `apt-get update` alone is allowed. */
export function expectNoUpgrade(calls: LogEntry[]): void {
  for (const c of calls) {
    if (c.cmd === 'apt-get' && c.args.length === 1 && c.args[0] === 'update') continue;
    for (const a of c.args) {
      expect(FORBIDDEN_WORDS, `forbidden argument in: ${c.cmd} ${c.args.join(' ')}`).not.toContain(a);
      if (c.cmd === 'pacman') expect(a, `pacman must not sync/upgrade: ${c.args.join(' ')}`).not.toMatch(/^-[A-Za-z]*[yu]/);
    }
    expect(['reboot', 'shutdown', 'poweroff', 'kexec', 'init']).not.toContain(c.cmd);
  }
}
