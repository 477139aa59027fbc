/**
 * agent/node-agent.sh against fixture root filesystems and fake host commands
 * (see fixtures.ts). The whole suite runs once per shell: sh, dash and busybox ash
 * (a missing shell skips its variant with the reason in the suite name), plus bash --posix,
 * which is /bin/sh on the RHEL, SUSE and Arch hosts the agent runs on.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanupScratch,
  DEFAULT_KERNEL,
  expectNoUpgrade,
  finding,
  Fixture,
  type FixtureOptions,
  GIB_KIB,
  mutatingCalls,
  runAgent,
  type ShellVariant,
  shellVariants,
  statuses,
  type LogEntry,
} from './fixtures.js';

afterAll(() => cleanupScratch());

// ------------------------------------------------------------------------------------------
// Distributions
// ------------------------------------------------------------------------------------------

type Pm = 'apt' | 'dnf' | 'yum' | 'zypper' | 'pacman';

interface Distro {
  name: string;
  osRelease: string;
  id: string;
  versionId: string;
  prettyName: string;
  pm: Pm;
  /** Tool the agent must use to query installed packages. */
  query: 'dpkg-query' | 'rpm' | 'pacman';
  longhorn: string[];
  nfs: string;
  omit?: FixtureOptions['omitCommands'];
}

const APT = ['nfs-common', 'open-iscsi', 'cryptsetup', 'dmsetup'];
const RPM = ['nfs-utils', 'iscsi-initiator-utils', 'cryptsetup', 'device-mapper'];
const SUSE = ['nfs-client', 'open-iscsi', 'cryptsetup', 'device-mapper'];
const ARCH = ['nfs-utils', 'open-iscsi', 'cryptsetup', 'device-mapper'];

const DISTROS: Distro[] = [
  {
    name: 'Ubuntu 22.04',
    osRelease: 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=jammy\n',
    id: 'ubuntu', versionId: '22.04', prettyName: 'Ubuntu 22.04.4 LTS', pm: 'apt', query: 'dpkg-query', longhorn: APT, nfs: 'nfs-common',
  },
  {
    name: 'Debian 12',
    osRelease: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n',
    id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', pm: 'apt', query: 'dpkg-query', longhorn: APT, nfs: 'nfs-common',
  },
  {
    // dnf and yum are both on PATH (yum is a link to dnf on EL9): dnf must win.
    name: 'Rocky Linux 9',
    osRelease: 'NAME="Rocky Linux"\nVERSION="9.3 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\nPLATFORM_ID="platform:el9"\nPRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"\n',
    id: 'rocky', versionId: '9.3', prettyName: 'Rocky Linux 9.3 (Blue Onyx)', pm: 'dnf', query: 'rpm', longhorn: RPM, nfs: 'nfs-utils',
  },
  {
    name: 'CentOS 7 (yum only)',
    osRelease: 'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="7"\nPRETTY_NAME="CentOS Linux 7 (Core)"\n',
    id: 'centos', versionId: '7', prettyName: 'CentOS Linux 7 (Core)', pm: 'yum', query: 'rpm', longhorn: RPM, nfs: 'nfs-utils', omit: ['dnf'],
  },
  {
    name: 'openSUSE Leap 15.5',
    osRelease: 'NAME="openSUSE Leap"\nVERSION="15.5"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\nVERSION_ID="15.5"\nPRETTY_NAME="openSUSE Leap 15.5"\n',
    id: 'opensuse-leap', versionId: '15.5', prettyName: 'openSUSE Leap 15.5', pm: 'zypper', query: 'rpm', longhorn: SUSE, nfs: 'nfs-client',
  },
  {
    name: 'SLES 15 SP5',
    osRelease: 'NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"\nID="sles"\nID_LIKE="suse"\n',
    id: 'sles', versionId: '15.5', prettyName: 'SUSE Linux Enterprise Server 15 SP5', pm: 'zypper', query: 'rpm', longhorn: SUSE, nfs: 'nfs-client',
  },
  {
    // Arch has no VERSION_ID and no final newline here.
    name: 'Arch Linux',
    osRelease: 'NAME="Arch Linux"\nPRETTY_NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\nANSI_COLOR="38;2;23;147;209"',
    id: 'arch', versionId: '', prettyName: 'Arch Linux', pm: 'pacman', query: 'pacman', longhorn: ARCH, nfs: 'nfs-utils',
  },
];
const UBUNTU = DISTROS[0]!;

/** The exact package-manager calls prepare must make to install `pkgs`. */
function expectedInstall(pm: Pm, pkgs: string[]): string[][] {
  switch (pm) {
    case 'apt':
      return [['apt-get', 'update'], ['apt-get', 'install', '-y', '--no-install-recommends', ...pkgs]];
    case 'dnf':
      return [['dnf', 'install', '-y', ...pkgs]];
    case 'yum':
      return [['yum', 'install', '-y', ...pkgs]];
    case 'zypper':
      return [['zypper', '--non-interactive', 'install', '--no-recommends', ...pkgs]];
    case 'pacman':
      return [['pacman', '-S', '--needed', '--noconfirm', ...pkgs]];
  }
}

function installHint(pm: Pm, pkg: string): string {
  switch (pm) {
    case 'apt':
      return `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${pkg}`;
    case 'dnf':
      return `dnf install -y ${pkg}`;
    case 'yum':
      return `yum install -y ${pkg}`;
    case 'zypper':
      return `zypper --non-interactive install --no-recommends ${pkg}`;
    case 'pacman':
      return `pacman -S --needed --noconfirm ${pkg}`;
  }
}

const LONGHORN_MODULES = ['iscsi_tcp', 'dm_crypt', 'nfs'];
const CONF = 'etc/modules-load.d/k8s-storage.conf';
const CONF_HEADER =
  '# Kernel modules for k8s-storage (Longhorn/NFS), loaded at boot by systemd-modules-load.\n' +
  '# Written by the k8s-storage node agent; rerunning prepare keeps this file as it is.\n';

/** A node ready for Longhorn on `d`. */
function healthy(d: Distro, extra: Partial<FixtureOptions> = {}): Fixture {
  return new Fixture({
    osRelease: d.osRelease,
    omitCommands: d.omit,
    installed: d.longhorn,
    active: ['iscsid'],
    loaded: LONGHORN_MODULES,
    modulesLoad: { 'k8s-storage.conf': 'dm_crypt\niscsi_tcp\nnfs\n' },
    microk8s: true,
    ...extra,
  });
}

/** A fresh node: nothing installed, iscsid stopped, no modules loaded. */
function bare(d: Distro, extra: Partial<FixtureOptions> = {}): Fixture {
  return new Fixture({ osRelease: d.osRelease, omitCommands: d.omit, installed: [], active: [], loaded: [], microk8s: true, ...extra });
}

const argv = (calls: LogEntry[]) => calls.map((c) => [c.cmd, ...c.args]);
const pmCalls = (calls: LogEntry[]) => argv(mutatingCalls(calls).filter((c) => ['apt-get', 'dnf', 'yum', 'zypper', 'pacman'].includes(c.cmd)));

// ------------------------------------------------------------------------------------------
// The suite, once per shell
// ------------------------------------------------------------------------------------------

for (const shell of shellVariants()) {
  const title = `node-agent.sh under ${shell.name}${shell.skip ? ` (SKIPPED: ${shell.skip})` : ''}`;
  describe.skipIf(Boolean(shell.skip))(title, () => suite(shell));
}

function suite(shell: ShellVariant): void {
  const run = (fx: Fixture, args: string[], opts?: Parameters<typeof runAgent>[3]) => runAgent(fx, shell, args, opts);

  describe.each(DISTROS)('$name', (d) => {
    it('check: a ready node passes with exit 0 and the distro-specific package names', async () => {
      const fx = healthy(d);
      const r = await run(fx, ['check', '--for', 'longhorn']);
      expect(r.exitCode).toBe(0);
      expect(r.report.summary).toEqual({ ok: r.report.checks.length, warning: 0, error: 0 });
      expect(r.report.os).toEqual({ id: d.id, versionId: d.versionId, prettyName: d.prettyName, idLike: expect.any(String), packageManager: d.pm });
      expect(r.report.checks.filter((c) => c.id.startsWith('package:')).map((c) => c.id)).toEqual(d.longhorn.map((p) => `package:${p}`));
      expect(r.report.kernel).toBe(DEFAULT_KERNEL);
      expect(r.report.node).toBe('node-1');
      expect(r.report.mode).toBe('check');
      expect(r.report.target).toBe('longhorn');
      // Installed state comes from the distro's own tool, once per package.
      expect(r.calls.filter((c) => c.cmd === d.query && (c.cmd !== 'pacman' || c.args[0] === '-Q'))).toHaveLength(d.longhorn.length);
      expect(mutatingCalls(r.calls)).toEqual([]);
    });

    it('check: a fresh node fails with exit 3 and exact install commands as remedies', async () => {
      const fx = bare(d);
      const r = await run(fx, ['check', '--for', 'longhorn']);
      expect(r.exitCode).toBe(3);
      for (const p of d.longhorn) {
        expect(finding(r.report, `package:${p}`)).toMatchObject({ status: 'error', remedy: installHint(d.pm, p) });
      }
      expect(finding(r.report, 'service:iscsid')).toMatchObject({ status: 'error', remedy: 'systemctl enable --now iscsid' });
      for (const m of LONGHORN_MODULES) expect(finding(r.report, `module:${m}`).status).toBe('error');
      // check changes nothing.
      expect(mutatingCalls(r.calls)).toEqual([]);
      expect(fx.readRoot(CONF)).toBeUndefined();
    });

    it('prepare: installs exactly the missing packages, starts iscsid, loads and persists modules; a rerun does nothing', async () => {
      const already = d.longhorn[2]!; // cryptsetup is already there
      const fx = bare(d, { installed: [already] });
      const r = await run(fx, ['prepare', '--for', 'longhorn']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.report.mode).toBe('prepare');
      const missing = d.longhorn.filter((p) => p !== already);
      expect(pmCalls(r.calls)).toEqual(expectedInstall(d.pm, missing));
      expectNoUpgrade(r.calls);
      if (d.pm === 'apt') expect(fx.readState('apt-env').trim().split('\n')).toEqual(['<unset>', 'noninteractive']);
      expect(argv(mutatingCalls(r.calls).filter((c) => !['apt-get', 'dnf', 'yum', 'zypper', 'pacman'].includes(c.cmd)))).toEqual([
        ['systemctl', 'enable', '--now', 'iscsid'],
        ['modprobe', 'iscsi_tcp'],
        ['modprobe', 'dm_crypt'],
        ['modprobe', 'nfs'],
      ]);
      expect(fx.readRoot(CONF)).toBe(`${CONF_HEADER}dm_crypt\niscsi_tcp\nnfs\n`);
      // The actions mirror the calls; the apt install goes through env DEBIAN_FRONTEND=...
      const cmds = r.report.actions.map((a) => a.command);
      if (d.pm === 'apt') {
        expect(cmds[0]).toEqual(['apt-get', 'update']);
        expect(cmds[1]).toEqual(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '--no-install-recommends', ...missing]);
      } else {
        expect(cmds[0]).toEqual(expectedInstall(d.pm, missing)[0]);
      }
      expect(r.report.actions.every((a) => a.exitCode === 0)).toBe(true);
      expect(r.report.actions.at(-1)!.command).toEqual([]);
      expect(r.report.actions.at(-1)!.description).toContain('/etc/modules-load.d/k8s-storage.conf');
      expect(r.report.rebootRequired).toBe(false);
      expect(r.report.kubeletRestartRequired).toBe(false);
      expect(r.report.summary.error).toBe(0);

      const again = await run(fx, ['prepare', '--for', 'longhorn']);
      expect(again.exitCode).toBe(0);
      expect(again.report.actions).toEqual([]);
      expect(mutatingCalls(again.calls)).toEqual([]);
      expect(fx.readRoot(CONF)).toBe(`${CONF_HEADER}dm_crypt\niscsi_tcp\nnfs\n`);
    });

    it('prepare --for nfs installs only the NFS client and persists only nfs', async () => {
      const fx = bare(d);
      const r = await run(fx, ['prepare', '--for', 'nfs']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(pmCalls(r.calls)).toEqual(expectedInstall(d.pm, [d.nfs]));
      expectNoUpgrade(r.calls);
      expect(r.report.checks.map((c) => c.id)).toEqual(['os', `package:${d.nfs}`, 'module:nfs', 'nfs-v4', 'kernel', 'disk', 'memory', 'kubelet-root-dir']);
      expect(r.calls.some((c) => c.cmd === 'systemctl' && c.args[0] === 'enable')).toBe(false);
      expect(fx.readRoot(CONF)).toBe(`${CONF_HEADER}nfs\n`);
    });
  });

  describe('package manager detection', () => {
    it.each([
      { idLine: 'ID=mydeb\nID_LIKE=debian', pm: 'apt' },
      { idLine: 'ID=linuxmint\nID_LIKE="ubuntu debian"', pm: 'apt' },
      { idLine: 'ID="almalinux"\nID_LIKE="rhel centos fedora"', pm: 'dnf' },
      { idLine: 'ID=fedora', pm: 'dnf' },
      { idLine: 'ID=myel\nID_LIKE="rhel fedora"', pm: 'dnf' },
      { idLine: "ID='opensuse-tumbleweed'\nID_LIKE='opensuse suse'", pm: 'zypper' },
      { idLine: 'ID=mysuse\nID_LIKE=suse', pm: 'zypper' },
      { idLine: 'ID=manjaro\nID_LIKE=arch', pm: 'pacman' },
    ])('$idLine -> $pm', async ({ idLine, pm }) => {
      const fx = new Fixture({ osRelease: `NAME=x\n${idLine}\n`, microk8s: true });
      const r = await run(fx, ['check', '--for', 'nfs']);
      expect(r.report.os.packageManager).toBe(pm);
      expect(finding(r.report, 'os').status).toBe('ok');
    });

    it('an unknown distribution is an error with a manual-install remedy, and prepare installs nothing', async () => {
      const fx = new Fixture({ osRelease: 'NAME=Gentoo\nID=gentoo\nPRETTY_NAME="Gentoo Linux"\n', microk8s: true });
      const c = await run(fx, ['check', '--for', 'longhorn']);
      expect(c.exitCode).toBe(3);
      expect(c.report.os.packageManager).toBeNull();
      expect(finding(c.report, 'os')).toMatchObject({ status: 'error' });
      expect(finding(c.report, 'os').remedy).toMatch(/manually/);
      expect(c.report.checks.some((x) => x.id.startsWith('package:'))).toBe(false);
      const p = await run(fx, ['prepare', '--for', 'longhorn']);
      expect(pmCalls(p.calls)).toEqual([]);
      // hostpath needs no packages: an unknown distribution is only a warning there.
      const h = await run(fx, ['check', '--for', 'hostpath']);
      expect(h.exitCode).toBe(0);
      expect(finding(h.report, 'os').status).toBe('warning');
    });

    it('a missing os-release is reported, not a crash', async () => {
      const fx = new Fixture({ osRelease: null, microk8s: true });
      const r = await run(fx, ['check', '--for', 'longhorn']);
      expect(finding(r.report, 'os').status).toBe('error');
      expect(r.report.os).toMatchObject({ id: '', packageManager: null });
    });

    it('dpkg "deinstall ok config-files" counts as not installed', async () => {
      const fx = healthy(UBUNTU, { installed: ['nfs-common', 'cryptsetup', 'dmsetup'], configFiles: ['open-iscsi'] });
      const r = await run(fx, ['check', '--for', 'longhorn']);
      expect(finding(r.report, 'package:open-iscsi').status).toBe('error');
      expect(r.exitCode).toBe(3);
      expect(r.calls.find((c) => c.cmd === 'dpkg-query' && c.args.includes('open-iscsi'))!.args).toEqual(['-W', '-f=${Status}', 'open-iscsi']);
    });
  });

  describe('prepare details', () => {
    it('apt-get update is not run when nothing needs installing', async () => {
      const fx = healthy(UBUNTU, { active: [] });
      const r = await run(fx, ['prepare', '--for', 'longhorn']);
      expect(r.calls.filter((c) => c.cmd === 'apt-get')).toEqual([]);
      expect(argv(mutatingCalls(r.calls))).toEqual([['systemctl', 'enable', '--now', 'iscsid']]);
    });

    it('an active iscsid.socket is enough: nothing to enable', async () => {
      const fx = healthy(UBUNTU, { active: ['iscsid.socket'] });
      const r = await run(fx, ['prepare', '--for', 'longhorn']);
      expect(finding(r.report, 'service:iscsid')).toMatchObject({ status: 'ok' });
      expect(finding(r.report, 'service:iscsid').message).toContain('iscsid.socket');
      expect(r.report.actions).toEqual([]);
    });

    it('a failed install is reported in actions and the re-check keeps the error (exit 3)', async () => {
      const fx = bare(UBUNTU, { unavailable: ['open-iscsi'] });
      const r = await run(fx, ['prepare', '--for', 'longhorn']);
      expect(r.exitCode).toBe(3);
      const install = r.report.actions.find((a) => a.command.includes('install'))!;
      expect(install.exitCode).toBe(100);
      expect(install.output).toContain('Unable to locate package open-iscsi');
      expect(finding(r.report, 'package:open-iscsi').status).toBe('error');
    });

    it('failing to enable iscsid leaves service:iscsid an error', async () => {
      const fx = healthy(UBUNTU, { active: [], systemctlFail: ['iscsid'] });
      const r = await run(fx, ['prepare', '--for', 'longhorn']);
      expect(r.exitCode).toBe(3);
      expect(r.report.actions).toHaveLength(1);
      expect(r.report.actions[0]).toMatchObject({ command: ['systemctl', 'enable', '--now', 'iscsid'], exitCode: 1 });
      expect(finding(r.report, 'service:iscsid').status).toBe('error');
    });

    it('a module that cannot be loaded sets rebootRequired and stays an error', async () => {
      const fx = healthy(UBUNTU, { loaded: ['dm_crypt', 'nfs'], modprobeFail: ['iscsi_tcp'] });
      const r = await run(fx, ['prepare', '--for', 'longhorn']);
      expect(r.exitCode).toBe(3);
      expect(r.report.rebootRequired).toBe(true);
      expect(r.report.actions[0]).toMatchObject({ command: ['modprobe', 'iscsi_tcp'], exitCode: 1 });
      const f = finding(r.report, 'module:iscsi_tcp');
      expect(f.status).toBe('error');
      expect(f.message).toContain("'modprobe iscsi_tcp' failed");
    });

    it('pacman: a stale sync database is reported with "pacman -Syu" as the operator remedy, never run', async () => {
      const arch = DISTROS.find((x) => x.pm === 'pacman')!;
      const fx = bare(arch, { pacmanStaleDb: true });
      const r = await run(fx, ['prepare', '--for', 'longhorn']);
      expect(r.exitCode).toBe(3);
      expect(pmCalls(r.calls)).toEqual(expectedInstall('pacman', arch.longhorn));
      expectNoUpgrade(r.calls);
      for (const p of arch.longhorn) {
        const f = finding(r.report, `package:${p}`);
        expect(f.status).toBe('error');
        expect(f.remedy).toContain('pacman -Syu');
      }
    });

    it('modules-load.d: existing entries are kept, nothing is duplicated, another target keeps the file as is', async () => {
      const fx = healthy(UBUNTU, {
        modulesLoad: { 'k8s-storage.conf': '# old\nnfs\nbr_netfilter\nnfs\n' },
      });
      const r = await run(fx, ['prepare', '--for', 'longhorn']);
      expect(r.exitCode).toBe(0);
      expect(mutatingCalls(r.calls)).toEqual([]);
      expect(fx.readRoot(CONF)).toBe(`${CONF_HEADER}br_netfilter\ndm_crypt\niscsi_tcp\nnfs\n`);
      const nfs = await run(fx, ['prepare', '--for', 'nfs']);
      expect(nfs.report.actions).toEqual([]);
      expect(fx.readRoot(CONF)).toBe(`${CONF_HEADER}br_netfilter\ndm_crypt\niscsi_tcp\nnfs\n`);
    });

    it('mount propagation: prepare runs mount --make-rshared / and asks for a kubelet restart', async () => {
      const fx = healthy(UBUNTU, { rootShared: false });
      const c = await run(fx, ['check', '--for', 'longhorn']);
      expect(c.exitCode).toBe(3);
      expect(finding(c.report, 'mount-propagation')).toMatchObject({
        status: 'error',
        remedy: 'mount --make-rshared / && systemctl restart snap.microk8s.daemon-kubelite',
      });
      expect(c.report.kubeletRestartRequired).toBe(false);
      const p = await run(fx, ['prepare', '--for', 'longhorn']);
      expect(p.exitCode).toBe(0);
      expect(argv(mutatingCalls(p.calls))).toEqual([['mount', '--make-rshared', '/']]);
      expect(p.report.kubeletRestartRequired).toBe(true);
      expect(finding(p.report, 'mount-propagation').status).toBe('ok');
      // Never restarts anything itself.
      expectNoUpgrade(p.calls);
    });

    it('hostpath needs nothing: prepare on a fresh node makes no action', async () => {
      const fx = bare(UBUNTU);
      const r = await run(fx, ['prepare', '--for', 'hostpath']);
      expect(r.exitCode).toBe(0);
      expect(r.report.actions).toEqual([]);
      expect(mutatingCalls(r.calls)).toEqual([]);
      expect(r.report.checks.map((c) => c.id)).toEqual(['os', 'kernel', 'disk', 'memory', 'kubelet-root-dir']);
    });
  });

  describe('services', () => {
    const BL = 'blacklist {\n    devnode "^sd[a-z0-9]+"\n}\n';
    it.each([
      { name: 'multipathd inactive', active: ['iscsid'], conf: undefined, status: 'ok' },
      { name: 'multipathd active, no multipath.conf', active: ['iscsid', 'multipathd'], conf: undefined, status: 'warning' },
      { name: 'multipathd active, blacklist present', active: ['iscsid', 'multipathd'], conf: `defaults {\n    user_friendly_names yes\n}\n${BL}`, status: 'ok' },
      { name: 'multipathd active, one-line blacklist', active: ['iscsid', 'multipathd'], conf: 'blacklist { devnode "^sd[a-z0-9]+" }\n', status: 'ok' },
      { name: 'multipathd active, only in blacklist_exceptions', active: ['iscsid', 'multipathd'], conf: 'blacklist_exceptions {\n    devnode "^sd[a-z0-9]+"\n}\n', status: 'warning' },
      { name: 'multipathd active, commented out', active: ['iscsid', 'multipathd'], conf: '# blacklist {\n#    devnode "^sd[a-z0-9]+"\n# }\n', status: 'warning' },
      { name: 'multipathd active, another devnode', active: ['iscsid', 'multipathd'], conf: 'blacklist {\n    devnode "^nvme"\n}\n', status: 'warning' },
    ])('$name -> $status', async ({ active, conf, status }) => {
      const fx = healthy(UBUNTU, { active, multipathConf: conf });
      const r = await run(fx, ['check', '--for', 'longhorn']);
      const f = finding(r.report, 'service:multipathd');
      expect(f.status).toBe(status);
      expect(r.exitCode).toBe(0); // a warning never fails the node
      if (status === 'warning') {
        expect(f.remedy).toContain('devnode "^sd[a-z0-9]+"');
        expect(f.remedy).toContain('/etc/multipath.conf');
        expect(f.remedy).toContain('systemctl restart multipathd');
      }
    });

    it('prepare leaves multipath.conf alone', async () => {
      const fx = healthy(UBUNTU, { active: ['iscsid', 'multipathd'], multipathConf: 'defaults {}\n' });
      const r = await run(fx, ['prepare', '--for', 'longhorn']);
      expect(r.report.actions).toEqual([]);
      expect(fx.readRoot('etc/multipath.conf')).toBe('defaults {}\n');
      expect(finding(r.report, 'service:multipathd').status).toBe('warning');
    });
  });

  describe('kernel modules', () => {
    it('loaded but not persisted is a warning naming the file prepare writes; prepare writes it without modprobe', async () => {
      const fx = healthy(UBUNTU, { modulesLoad: {} });
      const c = await run(fx, ['check', '--for', 'longhorn']);
      expect(c.exitCode).toBe(0);
      for (const m of LONGHORN_MODULES) {
        const f = finding(c.report, `module:${m}`);
        expect(f.status).toBe('warning');
        expect(f.remedy).toContain('/etc/modules-load.d/k8s-storage.conf');
      }
      const p = await run(fx, ['prepare', '--for', 'longhorn']);
      expect(p.calls.filter((x) => x.cmd === 'modprobe')).toEqual([]);
      expect(fx.readRoot(CONF)).toBe(`${CONF_HEADER}dm_crypt\niscsi_tcp\nnfs\n`);
      expect(p.report.summary.warning).toBe(0);
    });

    it.each<{ name: string; files: Record<string, string>; status: string }>([
      { name: 'listed in another file', files: { 'iscsi.conf': 'iscsi_tcp\n', 'crypt.conf': 'dm-crypt # hyphen spelling\n', 'nfs.conf': '  nfs  \n' }, status: 'ok' },
      { name: 'only in a comment', files: { 'x.conf': '# iscsi_tcp\n; dm_crypt\n#nfs\n' }, status: 'warning' },
      { name: 'in a file not ending in .conf', files: { 'mods.txt': 'iscsi_tcp\ndm_crypt\nnfs\n' }, status: 'warning' },
    ])('persistence: $name -> $status', async ({ files, status }) => {
      const fx = healthy(UBUNTU, { modulesLoad: files });
      const r = await run(fx, ['check', '--for', 'longhorn']);
      for (const m of LONGHORN_MODULES) expect(finding(r.report, `module:${m}`).status, m).toBe(status);
    });

    it('a module built into the kernel is ok without being loaded or persisted', async () => {
      const fx = healthy(UBUNTU, { loaded: ['iscsi_tcp', 'nfs'], modulesLoad: { 'a.conf': 'iscsi_tcp\nnfs\n' }, builtin: ['kernel/fs/ext4/ext4.ko', 'kernel/drivers/md/dm-crypt.ko'] });
      const r = await run(fx, ['check', '--for', 'longhorn']);
      expect(r.exitCode).toBe(0);
      expect(finding(r.report, 'module:dm_crypt').message).toContain('built into');
      const p = await run(fx, ['prepare', '--for', 'longhorn']);
      expect(p.report.actions).toEqual([]);
    });

    it('a module that is not loaded is an error', async () => {
      const fx = healthy(UBUNTU, { loaded: ['iscsi_tcp', 'nfs'] });
      const r = await run(fx, ['check', '--for', 'longhorn']);
      expect(r.exitCode).toBe(3);
      expect(finding(r.report, 'module:dm_crypt')).toMatchObject({ status: 'error', remedy: 'modprobe dm_crypt && echo dm_crypt >> /etc/modules-load.d/k8s-storage.conf' });
      expect(finding(r.report, 'module:iscsi_tcp').status).toBe('ok');
    });
  });

  describe('nfs-v4', () => {
    it.each([
      { name: 'CONFIG_NFS_V4=m', config: 'CONFIG_NFS_V4=m\nCONFIG_NFS_V4_1=y\n', status: 'ok' },
      { name: 'CONFIG_NFS_V4=y', config: 'CONFIG_NFS_V4=y\n', status: 'ok' },
      { name: 'not set', config: 'CONFIG_NFS_FS=m\n# CONFIG_NFS_V4 is not set\n', status: 'error' },
      { name: 'config file absent', config: null, status: 'warning' },
    ])('$name -> $status', async ({ config, status }) => {
      const fx = healthy(UBUNTU, { kernelConfig: config });
      const r = await run(fx, ['check', '--for', 'nfs']);
      const f = finding(r.report, 'nfs-v4');
      expect(f.status).toBe(status);
      if (status === 'warning') expect(f.message).toMatch(/cannot verify/);
      if (status === 'ok') expect(f.message).toMatch(/CONFIG_NFS_V4=[ym]/);
    });
  });

  describe('kernel', () => {
    it.each([
      { kernel: '5.15.0-94-generic', bad: true },
      { kernel: '5.15.0-97-generic', bad: true },
      { kernel: '5.15.0-99-lowlatency', bad: true },
      { kernel: '5.15.0-94', bad: true },
      { kernel: '6.5.6', bad: true },
      { kernel: '6.5.6-300.fc39.x86_64', bad: true },
      { kernel: '5.15.0-93-generic', bad: false },
      { kernel: '5.15.0-100-generic', bad: false },
      { kernel: '5.15.0-940-generic', bad: false },
      { kernel: '6.5.60', bad: false },
      { kernel: '6.5.7-200.fc39.x86_64', bad: false },
      { kernel: '6.8.0-45-generic', bad: false },
    ])('$kernel: known bad = $bad', async ({ kernel, bad }) => {
      const fx = healthy(UBUNTU, { kernel });
      const r = await run(fx, ['check', '--for', 'longhorn']);
      expect(r.report.kernel).toBe(kernel);
      expect(finding(r.report, 'kernel').status).toBe(bad ? 'error' : 'ok');
      expect(r.exitCode).toBe(bad ? 3 : 0);
      expect(r.report.rebootRequired).toBe(bad);
      if (bad) expect(finding(r.report, 'kernel').remedy).toMatch(/upgrade the kernel/);
    });

    it('a known-bad kernel is only a warning for the nfs target', async () => {
      const fx = healthy(UBUNTU, { kernel: '5.15.0-96-generic' });
      const r = await run(fx, ['check', '--for', 'nfs']);
      expect(finding(r.report, 'kernel').status).toBe('warning');
      expect(r.exitCode).toBe(0);
    });
  });

  describe('disk and memory thresholds', () => {
    it.each([
      { target: 'longhorn', availGiB: 9.9, min: undefined, status: 'error' },
      { target: 'longhorn', availGiB: 10, min: undefined, status: 'ok' },
      { target: 'longhorn', availGiB: 9.9, min: '5', status: 'ok' },
      { target: 'longhorn', availGiB: 30, min: '40', status: 'error' },
      { target: 'nfs', availGiB: 1, min: undefined, status: 'warning' },
      { target: 'hostpath', availGiB: 1, min: undefined, status: 'warning' },
      { target: 'hostpath', availGiB: 0.5, min: '0', status: 'ok' },
    ])('disk: $target with $availGiB GiB free, --min-disk-gib $min -> $status', async ({ target, availGiB, min, status }) => {
      const fx = healthy(UBUNTU, { dfAvailKiB: Math.round(availGiB * GIB_KIB) });
      const r = await run(fx, ['check', '--for', target, ...(min ? ['--min-disk-gib', min] : [])]);
      expect(finding(r.report, 'disk').status).toBe(status);
      expect(r.exitCode).toBe(status === 'error' ? 3 : 0);
    });

    it.each([
      { name: 'longhorn default, /var/lib/longhorn missing', args: ['--for', 'longhorn'], dirs: [], df: '/var/lib', dataPath: '/var/lib/longhorn' },
      { name: 'longhorn default, /var/lib/longhorn present', args: ['--for', 'longhorn'], dirs: ['var/lib/longhorn'], df: '/var/lib/longhorn', dataPath: '/var/lib/longhorn' },
      { name: 'custom data path, trailing slash', args: ['--for', 'longhorn', '--data-path', '/mnt/disk1/longhorn/'], dirs: ['mnt/disk1'], df: '/mnt/disk1', dataPath: '/mnt/disk1/longhorn' },
      { name: 'nothing of the path exists', args: ['--for', 'longhorn', '--data-path=/srv/a/b'], dirs: [], df: '/', dataPath: '/srv/a/b' },
      { name: 'hostpath default', args: ['--for', 'hostpath'], dirs: ['var/snap/microk8s/common'], df: '/var/snap/microk8s/common', dataPath: '/var/snap/microk8s/common/default-storage' },
    ])('disk: df runs on the nearest existing directory ($name)', async ({ args, dirs, df, dataPath }) => {
      const fx = healthy(UBUNTU, { dirs });
      const r = await run(fx, ['check', ...args]);
      const dfCalls = r.calls.filter((c) => c.cmd === 'df');
      expect(dfCalls.map((c) => c.args)).toEqual([['-Pk', df === '/' ? `${fx.root}/` : `${fx.root}${df}`]]);
      expect(r.report.dataPath).toBe(dataPath);
      expect(finding(r.report, 'disk').message).toContain(df);
    });

    it('disk: a failing df is a warning', async () => {
      const fx = healthy(UBUNTU, { dfAvailKiB: null });
      const r = await run(fx, ['check', '--for', 'longhorn']);
      expect(finding(r.report, 'disk').status).toBe('warning');
    });

    it.each([
      { target: 'longhorn', memGiB: 1.5, min: undefined, status: 'error' },
      { target: 'longhorn', memGiB: 2, min: undefined, status: 'ok' },
      { target: 'longhorn', memGiB: 1.5, min: '1', status: 'ok' },
      { target: 'longhorn', memGiB: 3, min: '4', status: 'error' },
      { target: 'nfs', memGiB: 1.5, min: undefined, status: 'warning' },
      { target: 'hostpath', memGiB: 0.5, min: undefined, status: 'warning' },
    ])('memory: $target with $memGiB GiB available, --min-mem-gib $min -> $status', async ({ target, memGiB, min, status }) => {
      const fx = healthy(UBUNTU, { memAvailableKiB: Math.round(memGiB * GIB_KIB) });
      const r = await run(fx, ['check', '--for', target, ...(min ? ['--min-mem-gib', min] : [])]);
      expect(finding(r.report, 'memory').status).toBe(status);
      expect(r.exitCode).toBe(status === 'error' ? 3 : 0);
    });

    it('memory: without MemAvailable, MemFree + Buffers + Cached is used', async () => {
      // 512 MiB + 256 MiB + 256 MiB = 1 GiB in the fixture.
      const fx = healthy(UBUNTU, { memAvailableKiB: null });
      const r = await run(fx, ['check', '--for', 'longhorn', '--min-mem-gib', '1']);
      expect(finding(r.report, 'memory')).toMatchObject({ status: 'ok' });
      expect(finding(r.report, 'memory').message).toContain('1.0 GiB');
      const low = await run(fx, ['check', '--for', 'longhorn', '--min-mem-gib', '2']);
      expect(finding(low.report, 'memory').status).toBe('error');
    });
  });

  describe('kubelet root dir', () => {
    it.each([
      { name: 'MicroK8s', microk8s: true, kubeletDir: true, status: 'ok', flag: true, dir: '/var/snap/microk8s/common/var/lib/kubelet' },
      { name: 'plain kubelet', microk8s: false, kubeletDir: true, status: 'ok', flag: false, dir: '/var/lib/kubelet' },
      { name: 'no kubelet', microk8s: false, kubeletDir: false, status: 'warning', flag: false, dir: null },
    ])('$name', async ({ microk8s, kubeletDir, status, flag, dir }) => {
      const fx = healthy(UBUNTU, { microk8s, kubeletDir });
      const r = await run(fx, ['check', '--for', 'longhorn']);
      const f = finding(r.report, 'kubelet-root-dir');
      expect(f.status).toBe(status);
      expect(r.report.microk8s).toBe(flag);
      expect(r.report.kubeletRootDir).toBe(dir);
      if (flag) {
        expect(f.message).toContain('/var/snap/microk8s/common/var/lib/kubelet');
        expect(f.message).toContain('csi.kubeletRootDir');
      }
    });

    it('without MicroK8s the mount-propagation remedy restarts the plain kubelet', async () => {
      const fx = healthy(UBUNTU, { microk8s: false, kubeletDir: true, rootShared: false });
      const r = await run(fx, ['check', '--for', 'longhorn']);
      expect(finding(r.report, 'mount-propagation').remedy).toBe('mount --make-rshared / && systemctl restart kubelet');
    });
  });

  describe('output and interface', () => {
    it('strings are JSON-escaped (quotes, backslashes, tabs in host data)', async () => {
      const fx = healthy(UBUNTU, {
        hostname: 'node"1\\x',
        osRelease: 'ID=ubuntu\nVERSION_ID="22.04"\nPRETTY_NAME="Ubuntu\t22.04 \\"quoted\\""\n',
      });
      const r = await run(fx, ['check', '--for', 'hostpath']);
      expect(r.report.node).toBe('node"1\\x');
      expect(r.report.os.prettyName).toBe('Ubuntu\t22.04 \\"quoted\\"');
    });

    it('works when AGENT_ROOT and PATH contain spaces (quoting)', async () => {
      const fx = bare(UBUNTU, { spaceInPath: true, modulesLoad: { 'other.conf': 'br_netfilter\n' } });
      expect(fx.root).toContain(' ');
      const r = await run(fx, ['prepare', '--for', 'longhorn']);
      expect(r.exitCode).toBe(0);
      expect(r.report.summary).toEqual({ ok: r.report.checks.length, warning: 0, error: 0 });
      expect(fx.readRoot(CONF)).toBe(`${CONF_HEADER}dm_crypt\niscsi_tcp\nnfs\n`);
      expect(finding(r.report, 'module:nfs').message).toContain('/etc/modules-load.d/k8s-storage.conf');
    });

    it('node name falls back to /etc/hostname when the hostname command fails', async () => {
      const fx = healthy(UBUNTU, { hostname: null, etcHostname: 'worker-7\n' });
      const r = await run(fx, ['check', '--for', 'hostpath']);
      expect(r.report.node).toBe('worker-7');
    });

    it('per target: the exact list of check ids, in order', async () => {
      const fx = healthy(UBUNTU);
      const ids = async (t: string) => (await run(fx, ['check', '--for', t])).report.checks.map((c) => c.id);
      expect(await ids('longhorn')).toEqual([
        'os', 'package:nfs-common', 'package:open-iscsi', 'package:cryptsetup', 'package:dmsetup',
        'service:iscsid', 'service:multipathd', 'module:iscsi_tcp', 'module:dm_crypt', 'module:nfs',
        'nfs-v4', 'kernel', 'mount-propagation', 'disk', 'memory', 'kubelet-root-dir',
      ]);
      expect(await ids('nfs')).toEqual(['os', 'package:nfs-common', 'module:nfs', 'nfs-v4', 'kernel', 'disk', 'memory', 'kubelet-root-dir']);
      expect(await ids('hostpath')).toEqual(['os', 'kernel', 'disk', 'memory', 'kubelet-root-dir']);
    });

    it('fed on stdin (sh -s -- ARGS, as in the DaemonSet) the script survives children that read stdin', async () => {
      const fx = bare(UBUNTU);
      const r = await run(fx, ['prepare', '--for', 'longhorn'], { viaStdin: true, env: { FAKE_SLURP_STDIN: '1' } });
      expect(r.exitCode).toBe(0);
      expect(r.report.summary.error).toBe(0);
      expect(r.report.actions.length).toBeGreaterThan(3);
      // Every command the agent ran got /dev/null as stdin, not the rest of the script.
      expect(r.calls.length).toBeGreaterThan(10);
      expect(fx.readState('stdin-not-devnull')).toBe('');
    });

    it.each([
      { name: 'no arguments', args: [] },
      { name: 'unknown command', args: ['frobnicate', '--for', 'longhorn'] },
      { name: 'missing --for', args: ['check'] },
      { name: 'unknown target', args: ['check', '--for', 'glusterfs'] },
      { name: '--for without a value', args: ['check', '--for'] },
      { name: 'non-numeric --min-disk-gib', args: ['check', '--for', 'longhorn', '--min-disk-gib', 'ten'] },
      { name: 'negative --min-mem-gib', args: ['check', '--for', 'longhorn', '--min-mem-gib=-1'] },
      { name: 'relative --data-path', args: ['check', '--for', 'longhorn', '--data-path', 'var/lib/longhorn'] },
      { name: 'unknown option', args: ['check', '--for', 'longhorn', '--bogus'] },
      { name: 'stray positional argument', args: ['prepare', '--for', 'nfs', 'extra'] },
    ])('bad arguments exit 2 with one line on stderr: $name', async ({ args }) => {
      const fx = healthy(UBUNTU);
      const r = await run(fx, args, { raw: true });
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^node-agent: /);
      expect(r.calls).toEqual([]);
    });

    it('--help prints the usage and exits 0', async () => {
      const fx = healthy(UBUNTU);
      const r = await run(fx, ['--help'], { raw: true });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(/^usage: node-agent\.sh check\|prepare --for longhorn\|nfs\|hostpath/);
    });

    it('a missing base utility is an internal failure (exit 1), not a report', async () => {
      const fx = healthy(UBUNTU);
      const r = await run(fx, ['check', '--for', 'longhorn'], { raw: true, omitSys: ['awk'] });
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/internal error: required command 'awk'/);
    });

    it('prepare output lists every action; progress goes to stderr, never stdout', async () => {
      const fx = bare(UBUNTU);
      const r = await run(fx, ['prepare', '--for', 'longhorn']);
      expect(r.stderr).toMatch(/^node-agent: install missing packages/m);
      expect(r.report.actions.map((a) => a.description)).toEqual([
        'refresh the apt package index',
        'install missing packages: nfs-common open-iscsi cryptsetup dmsetup',
        'enable and start iscsid',
        'load kernel module iscsi_tcp',
        'load kernel module dm_crypt',
        'load kernel module nfs',
        'persist kernel modules in /etc/modules-load.d/k8s-storage.conf: dm_crypt iscsi_tcp nfs',
      ]);
      expect(statuses(r.report)).toMatchObject({ 'service:iscsid': 'ok', 'module:nfs': 'ok', 'package:dmsetup': 'ok' });
    });
  });
}
