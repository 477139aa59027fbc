/**
 * NFS as one Backend: csi-driver-nfs as a client of an existing NFS server (the recommended
 * path), or the MicroK8s community addon's NFS server inside the cluster (`--in-cluster`).
 * Data and pure functions here; the IO is in runtime.ts, loaded by `load()` only when an NFS
 * command runs.
 */
import type { Backend } from '../types.js';
import { analyzeNfs } from './analyze.js';
import { diagnoseNfs } from './diagnose.js';
import { nfsPreset } from './preset.js';
import { NFS_CHART, NFS_CSI_PROVISIONER, NFS_SERVER_PROVISIONER } from './chart.js';
import { ADDON, NFS_CONTROLLER, NFS_NODE, planNfsInstall, planNfsUninstall, type NfsInstallFacts, type NfsInstallOptions, type NfsUninstallFacts, type NfsUninstallOptions } from './plan.js';

export const nfs: Backend<NfsInstallOptions, NfsInstallFacts, NfsUninstallOptions, NfsUninstallFacts> = {
  id: 'nfs',
  title: 'NFS',
  provisioners: [NFS_CSI_PROVISIONER, NFS_SERVER_PROVISIONER],
  presets: ['nfs'],
  storageClassPresets: [nfsPreset],
  capabilities: {
    accessModes: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'],
    // Accepted, but the driver sets no quota: a volume is a directory on the share.
    expand: true,
    snapshot: false,
    // Needs the chart's externalSnapshotter, which k8s-storage does not enable.
    csiSnapshots: false,
    restore: false,
    // On an external server the data outlives any node; the in-cluster server is one node's disk.
    replicated: true,
    nodeBound: false,
  },
  variants: { [NFS_SERVER_PROVISIONER]: { id: 'nfs-in-cluster', capabilities: { replicated: false } } },
  nodeTargets: [{ id: 'nfs', description: 'the NFS client (nfs-common or nfs-utils) and NFS v4 support, for kernel NFS mounts (the in-cluster addon; csi-driver-nfs brings its own)', title: 'NFS CSI', doctorOrder: 2 }],
  workloads: [
    { ref: NFS_CONTROLLER, hint: 'kubectl -n kube-system describe deployment csi-nfs-controller' },
    { ref: NFS_NODE, hint: 'kubectl -n kube-system get pods -l app=csi-nfs-node -o wide' },
    { ref: ADDON.statefulSet, hint: 'kubectl -n nfs-server-provisioner describe statefulset nfs-server-provisioner' },
  ],
  install: {
    description: 'NFS volumes: csi-driver-nfs on an existing NFS server (--server, --share), or the MicroK8s in-cluster NFS server (--in-cluster); proven by a claim that binds',
    options: [
      { flags: '--server <host>', description: 'NFS server name or address (the csi-driver-nfs path)' },
      { flags: '--share <path>', description: 'exported directory on the server, e.g. /exports/k8s' },
      { flags: '--name <name>', description: 'StorageClass name; another name adds a class on another share, reusing the driver', defaultValue: 'nfs' },
      { flags: '--sub-dir <template>', description: 'directory of each volume under the share; may use ${pvc.metadata.namespace}, ${pvc.metadata.name}, ${pv.metadata.name}' },
      { flags: '--mount-options <list>', description: 'comma-separated NFS mount options', defaultValue: 'nfsvers=4.1' },
      { flags: '--on-delete <policy>', description: "what the driver does with a deleted volume's directory", choices: ['delete', 'retain', 'archive'], defaultValue: 'delete' },
      { flags: '--default-class', description: 'make the class the default (the others stop being one)', negatable: true, negatedDescription: 'do not make the class the default' },
      { flags: '--reclaim-policy <policy>', description: 'Delete or Retain for the class' },
      { flags: '--version <version>', description: `csi-driver-nfs chart version (no v prefix) [default: ${NFS_CHART.version}; on a rerun, the installed one]` },
      { flags: '--chart <ref>', description: `chart: a local directory or .tgz, REPO/CHART, or oci:// [default: ${NFS_CHART.chartRef} from ${NFS_CHART.repoUrl}]` },
      { flags: '-f, --values <file>', description: 'your values file for the chart; repeatable', repeatable: true },
      { flags: '--set <key=value>', description: 'a chart value in Helm --set syntax; repeatable', repeatable: true },
      { flags: '--in-cluster', description: 'the MicroK8s community nfs addon: an NFS server on one node of the cluster' },
      { flags: '--node <name>', description: 'with --in-cluster: the node that runs the server and keeps the data' },
      { flags: '--skip-preflight', description: 'with --in-cluster: do not run nodes check --for nfs first' },
      { flags: '--timeout <duration>', description: 'how long Helm, each wait and the probe claim may take', defaultValue: '5m' },
      { flags: '--no-verify', description: 'do not prove the class with a probe claim' },
      { flags: '--dry-run', description: 'print the plan and change nothing (-o json for machines)' },
    ],
    examples: [
      'k8s-storage install nfs --server 192.168.1.100 --share /exports/k8s',
      'k8s-storage install nfs --name nfs-media --server nas.lan --share /media --on-delete retain',
      "k8s-storage install nfs --server nas.lan --share /k8s --sub-dir '${pvc.metadata.namespace}/${pvc.metadata.name}'",
      'k8s-storage install nfs --in-cluster --node big-disk-node',
      'k8s-storage install nfs --server 10.0.0.5 --share /export --dry-run -o json',
    ],
  },
  uninstall: {
    description: 'remove NFS: refuses while volumes of its classes exist unless --force; asks for confirmation; never touches the data on the NFS server',
    options: [
      { flags: '--name <name>', description: 'remove only this class; the driver stays for the others' },
      { flags: '--in-cluster', description: 'disable the MicroK8s community nfs addon (its node directory is left in place)' },
      { flags: '--force', description: 'remove the driver even though volumes of its classes exist (their data stays on the server)' },
      { flags: '--yes', description: 'confirm without a prompt (needed when stdin is not a terminal)' },
      { flags: '--timeout <duration>', description: 'how long helm uninstall may take', defaultValue: '5m' },
      { flags: '--dry-run', description: 'print the plan and change nothing' },
    ],
    examples: ['k8s-storage uninstall nfs', 'k8s-storage uninstall nfs --name nfs-media --yes', 'k8s-storage uninstall nfs --in-cluster --yes'],
  },
  planInstall: planNfsInstall,
  planUninstall: planNfsUninstall,
  analyze: analyzeNfs,
  diagnose: diagnoseNfs,
  load: async () => (await import('./runtime.js')).nfsRuntime,
};
