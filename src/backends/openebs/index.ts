/** OpenEBS 4.x through its current chart (not the deprecated 3.x community addon): LocalPV hostpath, or Mayastor. */
import { openebsHostpath as openebsPreset } from './preset.js';
import type { Backend } from '../types.js';
import { analyzeOpenebs, OPENEBS_WORKLOADS } from './analyze.js';
import { DEFAULT_BASE_PATH, HOSTPATH_PROVISIONER, MAYASTOR_PROVISIONER, OPENEBS_CHART_VERSION } from './constants.js';
import { DEFAULT_OPENEBS_TIMEOUT, type OpenebsInstallOptions, type OpenebsUninstallOptions } from './options.js';
import { planOpenebsInstall, planOpenebsUninstall, type OpenebsInstallFacts, type OpenebsUninstallFacts } from './plan.js';

export const openebs: Backend<OpenebsInstallOptions, OpenebsInstallFacts, OpenebsUninstallOptions, OpenebsUninstallFacts> = {
  id: 'openebs',
  title: 'OpenEBS',
  provisioners: [HOSTPATH_PROVISIONER, MAYASTOR_PROVISIONER],
  presets: ['openebs-hostpath'],
  storageClassPresets: [openebsPreset],
  // LocalPV hostpath: a directory on one node, no snapshots; Mayastor: replicated NVMe-oF volumes with CSI snapshots.
  capabilities: { accessModes: ['ReadWriteOnce'], expand: false, snapshot: false, csiSnapshots: false, restore: false, replicated: false, nodeBound: true },
  variants: { [MAYASTOR_PROVISIONER]: { id: 'openebs-mayastor', capabilities: { expand: true, csiSnapshots: true, restore: true, replicated: true, nodeBound: false } } },
  volumeSnapshotClasses: [{ name: 'mayastor-snapshot', driver: MAYASTOR_PROVISIONER, description: 'a Mayastor snapshot of the replicas' }],
  nodeTargets: [
    { id: 'openebs-mayastor', description: 'a Mayastor io-engine node: x86-64 with SSE4.2, kernel 5.15+ with nvme_tcp, 1024 x 2 MiB HugePages, 2 spare cores, 1 GiB', title: 'OpenEBS Mayastor', doctorOrder: 5 },
    { id: 'openebs', description: 'OpenEBS LocalPV hostpath: free disk at /var/openebs/local', title: 'OpenEBS LocalPV hostpath', doctorOrder: 6 },
  ],
  // LocalPV's provisioner first (always there); Mayastor's only with --engine mayastor (analyze knows).
  workloads: OPENEBS_WORKLOADS.map((ref) => ({ ref, hint: `kubectl -n openebs describe ${ref.kind.toLowerCase()} ${ref.name}` })),
  install: {
    description: `OpenEBS ${OPENEBS_CHART_VERSION} (chart openebs/openebs): LocalPV hostpath, or --engine mayastor with DiskPools from --disk; verified by a claim that binds`,
    options: [
      { flags: '--engine <engine>', description: 'hostpath (node-local volumes) or mayastor (replicated NVMe-oF volumes)', choices: ['hostpath', 'mayastor'], defaultValue: 'hostpath' },
      { flags: '--base-path <path>', description: 'hostpath: host directory for the volumes', defaultValue: DEFAULT_BASE_PATH },
      { flags: '--disk <node=device>', description: 'mayastor: a DiskPool on NODE from an unpartitioned disk, e.g. node-1=/dev/disk/by-id/nvme-...; repeatable', repeatable: true },
      { flags: '--version <version>', description: 'chart version', defaultValue: OPENEBS_CHART_VERSION },
      { flags: '--microk8s', description: 'treat the cluster as MicroK8s (default: detected from its nodes)' },
      { flags: '--no-microk8s', description: 'treat the cluster as not MicroK8s (no MicroK8s kubelet dir)' },
      { flags: '--skip-preflight', description: 'mayastor: do not check the nodes first' },
      { flags: '--timeout <duration>', description: 'how long Helm, and each wait, may take', defaultValue: DEFAULT_OPENEBS_TIMEOUT },
      { flags: '--dry-run', description: 'print the plan and change nothing' },
    ],
    examples: ['k8s-storage install openebs', 'k8s-storage install openebs --base-path /mnt/ssd/openebs', 'k8s-storage nodes prepare --for openebs-mayastor && k8s-storage install openebs --engine mayastor --disk node-1=/dev/disk/by-id/nvme-A --disk node-2=/dev/disk/by-id/nvme-B --disk node-3=/dev/disk/by-id/nvme-C'],
  },
  uninstall: {
    description: 'remove OpenEBS (refused while claims or volumes of its classes exist; never removes a DiskPool in use)',
    options: [
      { flags: '--timeout <duration>', description: 'how long helm uninstall, and each wait, may take', defaultValue: DEFAULT_OPENEBS_TIMEOUT },
      { flags: '--dry-run', description: 'print the plan and change nothing' },
    ],
    examples: ['k8s-storage uninstall openebs', 'k8s-storage uninstall openebs --dry-run'],
  },
  planInstall: planOpenebsInstall,
  planUninstall: planOpenebsUninstall,
  analyze: analyzeOpenebs,
  load: async () => (await import('./runtime.js')).openebsRuntime,
};
