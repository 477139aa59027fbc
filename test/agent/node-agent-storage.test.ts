/**
 * The node agent's Ceph and OpenEBS targets (`--for ceph|openebs|openebs-mayastor`) on
 * fixture roots: raw disks, HugePages, nvme_tcp, rbd, SSE4.2, lvm2 and memory per OSD, and
 * `prepare --for openebs-mayastor` setting HugePages now and at boot. Once per shell, like
 * node-agent.test.ts (a missing shell skips its variant with the reason in the suite name).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupScratch, finding, Fixture, type FixtureOptions, GIB_KIB, mutatingCalls, runAgent, type ShellVariant, shellVariants, statuses } from './fixtures.js';

afterAll(() => cleanupScratch());

const UBUNTU = 'PRETTY_NAME="Ubuntu 24.04.2 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n';
const RAW_SDB = { name: 'sdb', sizeGiB: 100 };
const SYSTEM_DISK = { name: 'sda', sizeGiB: 50, partitions: ['sda1', 'sda2'], partTable: 'gpt' };

function node(extra: Partial<FixtureOptions> = {}): Fixture {
  return new Fixture({ osRelease: UBUNTU, installed: ['lvm2'], loaded: ['rbd', 'nvme_tcp'], modulesLoad: { 'storage.conf': 'rbd\nnvme_tcp\n' }, microk8s: true, disks: [SYSTEM_DISK, RAW_SDB], memAvailableKiB: 16 * GIB_KIB, hugepages: 1024, sysctl: { '50-hp.conf': 'vm.nr_hugepages = 1024\n' }, ...extra });
}

for (const shell of shellVariants()) {
  const title = `node-agent.sh --for ceph|openebs under ${shell.name}${shell.skip ? ` (SKIPPED: ${shell.skip})` : ''}`;
  describe.skipIf(Boolean(shell.skip))(title, () => suite(shell));
}

function suite(shell: ShellVariant): void {
  const run = (fx: Fixture, args: string[]) => runAgent(fx, shell, args);

  describe('ceph', () => {
    it('a node with a raw disk, rbd, lvm2 and memory for its OSD passes; disks and facts are reported as data', async () => {
      const r = await run(node(), ['check', '--for', 'ceph']);
      expect(r.exitCode).toBe(0);
      expect(r.report.checks.map((c) => c.id)).toEqual(['os', 'package:lvm2', 'module:rbd', 'kernel', 'raw-disks', 'disk', 'memory', 'kubelet-root-dir']);
      expect(finding(r.report, 'raw-disks').message).toBe('1 raw disk(s): /dev/sdb (100.0 GiB)');
      expect(r.report.disks).toEqual([
        { name: 'sda', path: '/dev/sda', sizeBytes: 50 * 1024 ** 3, raw: false, reason: 'has partitions: sda1 sda2' },
        { name: 'sdb', path: '/dev/sdb', sizeBytes: 100 * 1024 ** 3, raw: true, reason: '' },
      ]);
      expect(r.report.dataPath).toBe('/var/lib/rook');
      expect(r.report.facts).toEqual({ memAvailableKiB: 16 * GIB_KIB, diskFreeKiB: 50 * GIB_KIB, hugepages2MiB: 1024, cpuCores: 4, sse42: true, arch: 'x86_64' });
    });

    it.each([
      { name: 'a filesystem (udev)', disk: { name: 'sdb', sizeGiB: 100, fsType: 'ext4' }, reason: 'has a ext4 signature' },
      { name: 'a partition table only', disk: { name: 'sdb', sizeGiB: 100, partTable: 'dos' }, reason: 'has a dos signature' },
      { name: 'partitions', disk: { name: 'sdb', sizeGiB: 100, partitions: ['sdb1'] }, reason: 'has partitions: sdb1' },
      { name: 'an LVM holder', disk: { name: 'sdb', sizeGiB: 100, holders: ['dm-0'] }, reason: 'in use by dm-0' },
      { name: 'a mount', disk: { name: 'sdb', sizeGiB: 100, mounted: true }, reason: 'mounted' },
      { name: 'read-only', disk: { name: 'sdb', sizeGiB: 100, readOnly: true }, reason: 'read-only' },
      { name: 'a filesystem found by blkid (no udev data)', disk: { name: 'sdb', sizeGiB: 100, udev: false, blkidType: 'xfs' }, reason: 'has a xfs signature' },
    ])('a disk with $name is not raw: raw-disks is an error with what was seen', async ({ disk, reason }) => {
      const r = await run(node({ disks: [SYSTEM_DISK, disk] }), ['check', '--for', 'ceph']);
      expect(r.exitCode).toBe(3);
      const f = finding(r.report, 'raw-disks');
      expect(f.status).toBe('error');
      expect(f.message).toContain(`/dev/sdb: ${reason}`);
      expect(f.remedy).toContain('wipefs -a');
      expect(r.report.disks.find((d) => d.name === 'sdb')).toMatchObject({ raw: false, reason });
    });

    it('a disk without udev data that blkid finds empty is raw; when blkid fails it is not counted', async () => {
      const empty = await run(node({ disks: [{ name: 'vdb', sizeGiB: 20, udev: false }] }), ['check', '--for', 'ceph']);
      expect(finding(empty.report, 'raw-disks').status).toBe('ok');
      const failing = await run(node({ disks: [{ name: 'vdb', sizeGiB: 20, udev: false }], blkidFails: true }), ['check', '--for', 'ceph']);
      expect(finding(failing.report, 'raw-disks')).toMatchObject({ status: 'error' });
      expect(failing.report.disks[0]!.reason).toMatch(/cannot tell/);
    });

    it('loop, device-mapper and empty devices are never candidates', async () => {
      const r = await run(node({ disks: [{ name: 'loop0', sizeGiB: 4 }, { name: 'dm-0', sizeGiB: 10 }, { name: 'sr0', sizeGiB: 0 }, RAW_SDB] }), ['check', '--for', 'ceph']);
      expect(r.report.disks.map((d) => d.name)).toEqual(['sdb']);
    });

    it('memory per OSD: 4 GiB each plus mon and mgr is ok, above 2 GiB each a warning, below an error', async () => {
      const disks = [RAW_SDB, { name: 'sdc', sizeGiB: 100 }];
      const at = async (gib: number) => finding((await run(node({ disks, memAvailableKiB: gib * GIB_KIB }), ['check', '--for', 'ceph'])).report, 'memory');
      expect((await at(10)).status).toBe('ok'); // 1.5 + 2 x 4 = 9.5
      const warn = await at(6); // >= 1.5 + 2 x 2
      expect(warn.status).toBe('warning');
      expect(warn.message).toContain('2 OSD(s) at 4 GiB each need 9.5 GiB');
      const err = await at(5);
      expect(err.status).toBe('error');
      expect(err.message).toContain('Rook refuses OSDs below 2 GiB each (5.5 GiB)');
    });

    it('rbd missing is an error; lvm2 missing only a warning; prepare installs lvm2 and loads rbd', async () => {
      const fx = node({ installed: [], loaded: [], modulesLoad: {} });
      const r = await run(fx, ['check', '--for', 'ceph']);
      expect(statuses(r.report)).toMatchObject({ 'package:lvm2': 'warning', 'module:rbd': 'error' });
      const p = await run(fx, ['prepare', '--for', 'ceph']);
      expect(p.exitCode).toBe(0);
      expect(mutatingCalls(p.calls).map((c) => [c.cmd, ...c.args])).toEqual([
        ['apt-get', 'update'],
        ['apt-get', 'install', '-y', '--no-install-recommends', 'lvm2'],
        ['modprobe', 'rbd'],
      ]);
      expect(fx.readRoot('etc/modules-load.d/k8s-storage.conf')).toMatch(/^rbd$/m);
    });
  });

  describe('openebs-mayastor', () => {
    it('a ready x86-64 node passes: cpu, kernel, nvme_tcp, HugePages now and at boot', async () => {
      const r = await run(node(), ['check', '--for', 'openebs-mayastor']);
      expect(r.exitCode).toBe(0);
      expect(r.report.checks.map((c) => c.id)).toEqual(['os', 'cpu', 'module:nvme_tcp', 'kernel', 'hugepages', 'raw-disks', 'memory', 'kubelet-root-dir']);
      expect(finding(r.report, 'hugepages').message).toBe('1024 x 2 MiB HugePages reserved, and 1024 at boot (Mayastor needs 1024)');
    });

    it.each([
      { name: 'arm64', over: { machine: 'aarch64' }, id: 'cpu', text: /only on x86-64/ },
      { name: 'no SSE4.2', over: { cpu: { cores: 8, flags: ['fpu', 'sse4_1'] } }, id: 'cpu', text: /no SSE4.2/ },
      { name: '2 cores', over: { cpu: { cores: 2, flags: ['sse4_2'] } }, id: 'cpu', text: /2 CPU core/ },
      { name: 'kernel 5.4', over: { kernel: '5.4.0-150-generic' }, id: 'kernel', text: /older than 5.15/ },
      { name: 'no nvme_tcp', over: { loaded: [], modulesLoad: {} }, id: 'module:nvme_tcp', text: /not loaded/ },
      { name: 'no HugePages', over: { hugepages: 0, sysctl: {} }, id: 'hugepages', text: /^0 x 2 MiB HugePages reserved; Mayastor's io-engine needs 1024/ },
      { name: '512 MiB available', over: { memAvailableKiB: GIB_KIB / 2 }, id: 'memory', text: /below the minimum of 1 GiB/ },
    ])('$name is an error (exit 3)', async ({ over, id, text }) => {
      const r = await run(node(over as Partial<FixtureOptions>), ['check', '--for', 'openebs-mayastor']);
      expect(r.exitCode).toBe(3);
      const f = finding(r.report, id);
      expect(f.status).toBe('error');
      expect(f.message).toMatch(text);
    });

    it('HugePages reserved now but not at boot is a warning; no raw disk is a warning (DiskPools come later)', async () => {
      const r = await run(node({ sysctl: { 'other.conf': 'vm.swappiness = 10\n' }, disks: [SYSTEM_DISK] }), ['check', '--for', 'openebs-mayastor']);
      expect(r.exitCode).toBe(0);
      expect(statuses(r.report)).toMatchObject({ hugepages: 'warning', 'raw-disks': 'warning' });
      expect(finding(r.report, 'hugepages').remedy).toContain('/etc/sysctl.d/20-k8s-storage-hugepages.conf');
    });

    it('prepare sets HugePages now and at boot, loads nvme_tcp, asks for a kubelet restart; a rerun changes nothing', async () => {
      const fx = node({ hugepages: 0, sysctl: {}, loaded: [], modulesLoad: {} });
      const p = await run(fx, ['prepare', '--for', 'openebs-mayastor']);
      expect(p.exitCode).toBe(0);
      expect(p.report.kubeletRestartRequired).toBe(true);
      expect(p.report.actions.map((a) => a.description)).toEqual([
        'load kernel module nvme_tcp',
        'persist kernel modules in /etc/modules-load.d/k8s-storage.conf: nvme_tcp',
        'reserve 1024 x 2 MiB HugePages at boot in /etc/sysctl.d/20-k8s-storage-hugepages.conf',
        'reserve 1024 x 2 MiB HugePages now (/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)',
      ]);
      expect(fx.readRoot('etc/sysctl.d/20-k8s-storage-hugepages.conf')).toMatch(/^vm\.nr_hugepages = 1024$/m);
      expect(fx.readRoot('sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages')).toBe('1024\n');
      expect(finding(p.report, 'hugepages').status).toBe('ok');
      const again = await run(fx, ['prepare', '--for', 'openebs-mayastor']);
      expect(again.report.actions).toEqual([]);
      expect(again.report.kubeletRestartRequired).toBe(false);
    });

    it('prepare never lowers HugePages already above the minimum', async () => {
      const fx = node({ hugepages: 2048, sysctl: { 'sysctl.conf': 'vm.nr_hugepages=2048\n' } });
      const p = await run(fx, ['prepare', '--for', 'openebs-mayastor']);
      expect(p.report.actions).toEqual([]);
      expect(fx.readRoot('sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages')).toBe('2048\n');
    });
  });

  describe('openebs (LocalPV hostpath)', () => {
    it('checks free disk at /var/openebs/local and needs no package, module or HugePages', async () => {
      const r = await run(node({ osRelease: null }), ['check', '--for', 'openebs']);
      expect(r.exitCode).toBe(0);
      expect(r.report.checks.map((c) => c.id)).toEqual(['os', 'kernel', 'disk', 'memory', 'kubelet-root-dir']);
      expect(finding(r.report, 'os').status).toBe('warning');
      expect(r.report.dataPath).toBe('/var/openebs/local');
    });
  });
}
